"""What each name of a kernel or device function holds, from its use.

numba.cuda code carries few annotations, so the kinds come from use, over a
much smaller language than CPU code: a parameter that is subscripted or
asked for ``.size``/``.shape`` is a float array (one annotated with an
int dtype is not differentiated); other parameters are float scalars unless
annotated ``int`` or used as an index or a loop bound; a local is an int
when every value assigned to it is one (``cuda.grid(1)``,
``cuda.threadIdx.x``, ``n // 2``), a shared array when bound to
``cuda.shared.array``, and a float otherwise.
"""

from __future__ import annotations

from ... import ir
from ...walk import expressions, statements, stmt_expressions

FLOAT, INT, ARRAY, INT_ARRAY, SHARED = "float", "int", "array", "int-array", "shared"
INT_CALLS = ("numba.cuda.grid", "numba.cuda.gridsize", "builtins.len", "builtins.int", "builtins.range")
INT_QUALNAMES = ("numba.cuda.threadIdx.", "numba.cuda.blockIdx.", "numba.cuda.blockDim.", "numba.cuda.gridDim.")


def kinds_of(func: ir.Function, device_returns: dict[str, str]) -> dict[str, str]:
    """name -> FLOAT, INT, ARRAY (float), INT_ARRAY or SHARED (a float
    shared array); ``device_returns`` gives the kind each device function
    of the module returns."""
    kinds: dict[str, str] = {}
    used_as_array, used_as_int = _uses(func.body)
    for p in func.params:
        ann = p.annotation
        if ann is not None:
            kinds[p.name] = {"float": FLOAT, "int": INT, "bool": INT}.get(ann.kind) or (
                INT_ARRAY if ann.dtype.startswith(("int", "bool")) else ARRAY)  # np.ndarray: float64
        elif p.name in used_as_array:
            kinds[p.name] = ARRAY
        else:
            kinds[p.name] = INT if p.name in used_as_int else FLOAT
    for _ in range(3):  # a value may be read before the statement that fixes its kind
        for stmt in statements(func.body):
            if isinstance(stmt, ir.For):
                kinds[stmt.var] = INT
            if not isinstance(stmt, ir.Assign):
                continue
            targets = stmt.target.items if isinstance(stmt.target, ir.Tuple) else [stmt.target]
            for target in targets:
                if not isinstance(target, ir.Name) or target.id in {p.name for p in func.params}:
                    continue
                value = stmt.value
                if isinstance(value, ir.Call) and value.func == "numba.cuda.shared.array":
                    kinds[target.id] = SHARED
                elif kinds.get(target.id) != FLOAT:
                    kinds[target.id] = kind_of(value, kinds, device_returns)
    return kinds


def kind_of(expr: ir.Expr, kinds: dict[str, str], device_returns: dict[str, str]) -> str:
    """FLOAT or INT: the kind of a scalar expression."""
    if isinstance(expr, ir.Const):
        return FLOAT if isinstance(expr.value, float) else INT
    if isinstance(expr, ir.Name):
        return FLOAT if kinds.get(expr.id, FLOAT) in (FLOAT, ARRAY, SHARED) else INT
    if isinstance(expr, ir.QualName):
        return INT if expr.qualname.startswith(INT_QUALNAMES) or expr.qualname.startswith("module.") else FLOAT
    if isinstance(expr, ir.Attribute):
        return INT  # .size, .shape: read as a subscript below
    if isinstance(expr, ir.Subscript):
        base = expr.value
        if isinstance(base, ir.Attribute):
            return INT
        return FLOAT if isinstance(base, ir.Name) and kinds.get(base.id) in (ARRAY, SHARED) else INT
    if isinstance(expr, ir.Call):
        if expr.func in INT_CALLS:
            return INT
        if expr.func.startswith("module."):
            return device_returns.get(expr.func[7:], FLOAT)
        if expr.func == "builtins.float":
            return FLOAT
        parts = [kind_of(a, kinds, device_returns) for a in expr.args]
        return FLOAT if FLOAT in parts or expr.func.startswith("math.") else INT
    if isinstance(expr, ir.BinOp):
        parts = {kind_of(expr.left, kinds, device_returns), kind_of(expr.right, kinds, device_returns)}
        return FLOAT if FLOAT in parts or expr.op == "/" else INT
    if isinstance(expr, ir.UnaryOp):
        return INT if expr.op == "not" else kind_of(expr.operand, kinds, device_returns)
    if isinstance(expr, ir.IfExp):
        parts = {kind_of(expr.body, kinds, device_returns), kind_of(expr.orelse, kinds, device_returns)}
        return FLOAT if FLOAT in parts else INT
    return INT  # comparisons, and/or


def _uses(body: list[ir.Stmt]) -> tuple[set[str], set[str]]:
    """(names subscripted or asked for their shape, names used as an index or a loop bound)."""
    arrays: set[str] = set()
    ints: set[str] = set()
    for stmt in statements(body):
        roots = stmt_expressions(stmt)
        if isinstance(stmt, ir.For):
            ints |= {e.id for bound in (stmt.start, stmt.stop, stmt.step) for e in expressions(bound)
                     if isinstance(e, ir.Name)}
        for root in roots:
            for expr in expressions(root):
                if isinstance(expr, ir.Call) and expr.func == "numba.cuda.atomic.add" and \
                        isinstance(expr.args[0], ir.Name):
                    arrays.add(expr.args[0].id)
                if isinstance(expr, ir.Subscript) and isinstance(expr.value, ir.Name):
                    arrays.add(expr.value.id)
                    ints |= {e.id for i in expr.index for e in expressions(i) if isinstance(e, ir.Name)}
                if isinstance(expr, ir.Attribute) and isinstance(expr.value, ir.Name) and expr.attr in ("size", "shape"):
                    arrays.add(expr.value.id)
    return arrays, ints
