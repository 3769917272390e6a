"""Type inference: the kind of every variable and expression of a function.

Parameters take their annotation; an unannotated parameter is typed from
how the body uses it (SPEC §2): subscripted or asked for ``shape`` -> an
array, used in ``range`` or an index -> an int, used in arithmetic or a
math call -> a float.  A parameter with no such evidence is a diagnostic
asking for an annotation.

Locals take the unified type of everything assigned to them, the way
numba unifies: int and float make float, bool and int make int.  Anything
else, a scalar becoming an array say, is a ``type-change`` diagnostic.
The body is swept until the types stop changing, so a value assigned late
in a loop and read early in it is typed on the second sweep.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import build, ir
from ..diagnostics import Reporter
from ..rules import TABLE, library
from ..rules.registry import matmul_type
from ..walk import expressions, statements, stmt_expressions

NUMERIC_RANK = {"bool": 0, "int": 1, "float": 2}
QUALIFIED_CONSTANTS = {
    "math.pi", "math.e", "math.tau", "math.inf", "math.nan", "numpy.pi", "numpy.e", "numpy.inf", "numpy.nan",
}
DTYPE_NAMES = {"numpy.float64": "float64", "numpy.float32": "float32", "numpy.int64": "int64",
               "numpy.int32": "int32", "numpy.bool_": "bool", "numpy.intp": "int64"}
UNKNOWN = ir.Type("unknown")


def unify(a: ir.Type | None, b: ir.Type) -> ir.Type | None:
    """The type that holds both, or None when they cannot share a variable."""
    if a is None or a.kind == "unknown":
        return b
    if b.kind == "unknown":
        return a
    if a.kind in NUMERIC_RANK and b.kind in NUMERIC_RANK:
        return a if NUMERIC_RANK[a.kind] >= NUMERIC_RANK[b.kind] else b
    if a.kind == b.kind == "array":
        if not a.dtype or not b.dtype:  # a bare ``np.ndarray`` annotation holds any element type
            return ir.Type("array", dtype=a.dtype or b.dtype, ndim=max(a.ndim, b.ndim))
        if a.dtype != b.dtype and (a.dtype.startswith("float") != b.dtype.startswith("float")):
            return None
        dtype = "float64" if a.dtype != b.dtype else a.dtype
        return ir.Type("array", dtype=dtype, ndim=max(a.ndim, b.ndim))
    if a.kind == b.kind == "tuple" and len(a.items) == len(b.items):
        items = [unify(x, y) for x, y in zip(a.items, b.items)]
        return None if any(i is None for i in items) else ir.Type("tuple", items=tuple(items))
    return a if a == b else None


@dataclass
class Signature:
    """What callers need to know of a module function."""

    params: list[ir.Type]
    returns: ir.Type


@dataclass
class FunctionTypes:
    env: dict[str, ir.Type]
    returns: ir.Type
    constants: dict[str, ir.Type]
    signatures: dict[str, Signature] = field(default_factory=dict)
    # array -> the fewest dimensions the body shows it has (``least_ndim``)
    least: dict[str, int] = field(default_factory=dict)
    # arrays of unknown ndim whose elements the body reads -> (their ndim then,
    # where the first such read is): see ``element_reads``
    elements: dict[str, tuple[int, ir.Pos]] = field(default_factory=dict)

    def of(self, expr: ir.Expr) -> ir.Type:
        return ExprTyper(self.env, self.constants, self.signatures, self.least).type(expr)


class ExprTyper:
    """Types one expression given the types of the names it reads."""

    def __init__(self, env: dict[str, ir.Type], constants: dict[str, ir.Type], signatures: dict[str, Signature],
                 least: dict[str, int] | None = None):
        self.env = env
        self.constants = constants
        self.signatures = signatures
        self.least = least or {}  # array -> the fewest dimensions the body shows it has

    def type(self, expr: ir.Expr) -> ir.Type:
        return getattr(self, "_" + type(expr).__name__)(expr)

    def _Name(self, e: ir.Name) -> ir.Type:
        return self.env.get(e.id, UNKNOWN)

    def _Const(self, e: ir.Const) -> ir.Type:
        if isinstance(e.value, bool):
            return ir.BOOL
        if isinstance(e.value, int):
            return ir.INT
        if isinstance(e.value, float):
            return ir.FLOAT
        return ir.NONE

    def _QualName(self, e: ir.QualName) -> ir.Type:
        if e.qualname.startswith("module."):
            return self.constants.get(e.qualname[7:], UNKNOWN)
        if e.qualname in QUALIFIED_CONSTANTS:
            return ir.FLOAT
        if e.qualname in DTYPE_NAMES:
            return ir.Type("dtype", dtype=DTYPE_NAMES[e.qualname])
        return UNKNOWN

    def _BinOp(self, e: ir.BinOp) -> ir.Type:
        left, right = self.type(e.left), self.type(e.right)
        if e.op == "@":
            return matmul_type([left, right], {})
        if left.is_array or right.is_array:
            arrays = [t for t in (left, right) if t.is_array]
            floaty = e.op == "/" or any(t.dtype.startswith("float") or t.kind == "float" for t in (left, right))
            dtype = ("float32" if all(t.dtype == "float32" for t in arrays) else "float64") if floaty else "int64"
            return ir.Type("array", dtype=dtype, ndim=max(t.ndim for t in arrays))
        if UNKNOWN in (left, right):
            return UNKNOWN
        if e.op == "/":
            return ir.FLOAT
        return ir.FLOAT if ir.FLOAT in (left, right) else ir.INT

    def _UnaryOp(self, e: ir.UnaryOp) -> ir.Type:
        if e.op == "not":
            return ir.BOOL
        operand = self.type(e.operand)
        return ir.INT if operand == ir.BOOL else operand

    def _Compare(self, e: ir.Compare) -> ir.Type:
        arrays = [t for t in (self.type(e.left), self.type(e.right)) if t.is_array]
        return ir.Type("array", dtype="bool", ndim=max(t.ndim for t in arrays)) if arrays else ir.BOOL

    def _BoolOp(self, e: ir.BoolOp) -> ir.Type:
        return ir.BOOL

    def _IfExp(self, e: ir.IfExp) -> ir.Type:
        return unify(self.type(e.body), self.type(e.orelse)) or UNKNOWN

    def _Call(self, e: ir.Call) -> ir.Type:
        if e.func.startswith("module."):
            sig = self.signatures.get(e.func[7:])
            return sig.returns if sig else UNKNOWN
        rule = TABLE.get(e.func)
        if rule is None:
            return library.result_type(e.func, [self.type(a) for a in e.args]) or UNKNOWN
        return rule.result_type([self.type(a) for a in e.args], {k: self.type(v) for k, v in e.kwargs})

    def _Subscript(self, e: ir.Subscript) -> ir.Type:
        base = self.type(e.value)
        if base.kind == "tuple":
            index = build.int_value(e.index[0]) if len(e.index) == 1 else None  # t[1], t[-1]
            if index is not None and -len(base.items) <= index < len(base.items):
                return base.items[index]
            return base.items[0] if base.items and len(set(base.items)) == 1 else UNKNOWN
        if not base.is_array:
            return UNKNOWN
        slices = sum(isinstance(i, ir.Slice) for i in e.index)
        if not base.ndim and isinstance(e.value, ir.Name) and self.least.get(e.value.id, 0) > len(e.index):
            return ir.Type("array", dtype=base.dtype)  # a row (of unknown ndim) of what the body shows is a matrix
        ndim = base.ndim or len(e.index)  # unknown: as many as indices, an element (``element_reads``)
        remaining = ndim - len(e.index) + slices
        if remaining <= 0:
            return ir.FLOAT if base.dtype.startswith("float") else ir.BOOL if base.dtype == "bool" else ir.INT
        return ir.Type("array", dtype=base.dtype, ndim=remaining)

    def _Slice(self, e: ir.Slice) -> ir.Type:
        return ir.INT

    def _Attribute(self, e: ir.Attribute) -> ir.Type:
        base = self.type(e.value)
        if e.attr == "shape":
            return ir.Type("tuple", items=(ir.INT,) * max(base.ndim, 1))
        if e.attr in ("size", "ndim"):
            return ir.INT
        return base  # .T

    def _Tuple(self, e: ir.Tuple) -> ir.Type:
        return ir.Type("tuple", items=tuple(self.type(i) for i in e.items))


# -- parameters without annotations ----------------------------------------------------


def _param_evidence(func: ir.Function, name: str, signatures: dict[str, Signature]) -> ir.Type | None:
    """What the body's use of parameter ``name`` says about its type."""
    seen: set[str] = set()
    index_of_index = False
    for stmt in statements(func.body):
        roots = stmt_expressions(stmt)
        if isinstance(stmt, ir.For):
            if any(name in _names(r) for r in roots):
                seen.add("int")
            roots = []
        for root in roots:
            for expr in expressions(root):
                if isinstance(expr, ir.Subscript):
                    if isinstance(expr.value, ir.Name) and expr.value.id == name:
                        seen.add("array")
                    for index in expr.index:
                        names = _names(index)
                        if name in names:
                            seen.add("int")
                        if any(isinstance(s, ir.Subscript) and isinstance(s.value, ir.Name) and s.value.id == name
                               for s in expressions(index)):
                            index_of_index = True
                elif isinstance(expr, ir.Attribute) and isinstance(expr.value, ir.Name) and expr.value.id == name:
                    seen.add("array")
                elif isinstance(expr, ir.Call):
                    _call_evidence(expr, name, seen, signatures)
                elif isinstance(expr, (ir.BinOp, ir.UnaryOp)) and any(
                        isinstance(c, ir.Name) and c.id == name for c in (getattr(expr, "left", None),
                                                                         getattr(expr, "right", None),
                                                                         getattr(expr, "operand", None))):
                    seen.add("float")
    if "array" in seen:
        return ir.Type("array", dtype="int64" if index_of_index else "float64")
    if "int" in seen:
        return ir.INT
    if "float" in seen:
        return ir.FLOAT
    return None


MATRIX_PRODUCTS = ("numpy.dot", "numpy.matmul", "numpy.outer", "method.dot")


def least_ndim(func: ir.Function, name: str) -> int:
    """The fewest dimensions array ``name`` can have, given the body (0: no
    evidence): ``a[i, j]``, ``a.shape[1]`` and ``np.sum(a, axis=1)`` need
    two, ``a[t]`` as an operand of ``@`` (a row, not a number) one more than
    its indices.  An array annotation says nothing of its dimensions, and
    this is only a lower bound: it decides one thing, that ``a[i]`` is a row
    where the body shows ``a`` has more dimensions than indices there, and
    an element otherwise (``element_reads``)."""
    shown = max((_dimensions_shown(expr, name) for expr in _all_expressions(func.body)), default=0)
    return max([shown] + _dimensions_of_rows(func, name, {name}))


def _dimensions_of_rows(func: ir.Function, name: str, seen: set[str]) -> list[int]:
    """``r = a[i]`` where the body shows ``r`` has k dimensions shows ``a``
    has one more than its indices (``for row in m: row[1]``, lowered to
    ``row = m[_k]``)."""
    shown = []
    for stmt in statements(func.body):
        if isinstance(stmt, ir.Assign) and isinstance(stmt.target, ir.Name) and stmt.target.id not in seen \
                and isinstance(stmt.value, ir.Subscript) and isinstance(stmt.value.value, ir.Name) \
                and stmt.value.value.id == name and not any(isinstance(i, ir.Slice) for i in stmt.value.index):
            row = stmt.target.id
            row_ndim = max([_dimensions_shown(e, row) for e in _all_expressions(func.body)]
                           + _dimensions_of_rows(func, row, seen | {row}))
            if row_ndim:
                shown.append(len(stmt.value.index) + row_ndim)
    return shown


def _all_expressions(body: list[ir.Stmt]):
    return (expr for stmt in statements(body) for root in stmt_expressions(stmt) for expr in expressions(root))


def _dimensions_shown(expr: ir.Expr, name: str) -> int:
    """How many dimensions one expression shows array ``name`` has."""
    def is_name(e: ir.Expr) -> bool:
        return isinstance(e, ir.Name) and e.id == name

    if isinstance(expr, ir.Subscript) and is_name(expr.value):
        return len(expr.index)
    if isinstance(expr, ir.Subscript) and isinstance(expr.value, ir.Attribute) and expr.value.attr == "shape" \
            and is_name(expr.value.value) and build.int_value(expr.index[0]) is not None:
        return build.int_value(expr.index[0]) + 1
    operands = [expr.left, expr.right] if isinstance(expr, ir.BinOp) and expr.op == "@" else \
        expr.args[:2] if isinstance(expr, ir.Call) and expr.func in MATRIX_PRODUCTS else []
    rows = [len(o.index) + 1 for o in operands if isinstance(o, ir.Subscript) and is_name(o.value)]
    if rows:
        return max(rows)
    axis = dict(expr.kwargs).get("axis") if isinstance(expr, ir.Call) and expr.args and is_name(expr.args[0]) else None
    if axis is not None and build.int_value(axis) is not None:
        return build.int_value(axis) + 1
    return 0


def element_reads(func: ir.Function, least: dict[str, int]) -> dict[str, tuple[int, ir.Pos]]:
    """The arrays of ``least`` (those of unknown ndim) the body reads
    elements of, with their ndim and the first such read: ``a[i, j]`` with
    as many integer indices as the fewest dimensions ``a`` can have
    (``least_ndim``).  That count is an assumption, so the derivative code
    checks it when it runs: given an array of more dimensions ``a[i, j]``
    would be a row, and a gradient computed for an element would be
    silently wrong."""
    found: dict[str, tuple[int, ir.Pos]] = {}
    for expr in _all_expressions(func.body):
        if isinstance(expr, ir.Subscript) and isinstance(expr.value, ir.Name) \
                and len(expr.index) == least.get(expr.value.id, 0) \
                and not any(isinstance(i, ir.Slice) for i in expr.index):
            found.setdefault(expr.value.id, (len(expr.index), expr.pos))
    return found


def _call_evidence(call: ir.Call, name: str, seen: set[str], signatures: dict[str, Signature]) -> None:
    for position, arg in enumerate(call.args):
        if not (isinstance(arg, ir.Name) and arg.id == name):
            continue
        if call.func in ("builtins.len",) or call.func.startswith("method.") and position == 0:
            seen.add("array")
        elif call.func.startswith("module."):
            sig = signatures.get(call.func[7:])
            if sig and position < len(sig.params) and sig.params[position].kind != "unknown":
                seen.add("array" if sig.params[position].is_array else sig.params[position].kind)
        elif call.func in TABLE and TABLE.get(call.func).kind != "constant":
            seen.add("float")


def _has_no_type_for_its_arguments(call: ir.Call, typer: ExprTyper) -> bool:
    """A library call whose rule types no result for arguments of known
    types (``np.array`` of a tuple)."""
    known = all(typer.type(a) != UNKNOWN for a in call.args)
    return call.func in TABLE and known and typer.type(call) == UNKNOWN


def _names(expr: ir.Expr) -> set[str]:
    return {e.id for e in expressions(expr) if isinstance(e, ir.Name)}


# -- the sweep ------------------------------------------------------------------------


class FunctionTyper:
    MAX_SWEEPS = 6

    def __init__(self, func: ir.Function, constants: dict[str, ir.Type], signatures: dict[str, Signature],
                 reporter: Reporter):
        self.func = func
        self.constants = constants
        self.signatures = signatures
        self.reporter = reporter
        self.env: dict[str, ir.Type] = {}
        self.least: dict[str, int] = {}  # array -> the fewest dimensions the body shows it has (``least_ndim``)
        self.returns: list[tuple[ir.Type, ir.Pos]] = []
        self.report_now = False

    def run(self) -> FunctionTypes:
        subscripted = {e.value.id for e in _all_expressions(self.func.body)
                       if isinstance(e, ir.Subscript) and isinstance(e.value, ir.Name)}
        self.least = {name: least_ndim(self.func, name) for name in sorted(subscripted)}
        for param in self.func.params:
            ptype = param.annotation
            if ptype is None:
                ptype = _param_evidence(self.func, param.name, self.signatures)
            elif ptype.is_array and not ptype.dtype:  # np.ndarray: the element type comes from use
                evidence = _param_evidence(self.func, param.name, self.signatures)
                ptype = evidence if evidence is not None and evidence.is_array else ir.float_array()
            if ptype is None:
                self.error(param.pos, f"cannot tell the type of parameter '{param.name}'", "ambiguous-type",
                           note=f"annotate the parameter: `{param.name}: float`, `{param.name}: int` or "
                                f"`{param.name}: np.ndarray`")
                ptype = ir.FLOAT
            self.env[param.name] = ptype
        for _ in range(self.MAX_SWEEPS):
            before = dict(self.env)
            self.returns = []
            self.block(self.func.body)
            if before == self.env:
                break
        self.report_now = True  # a last sweep reports what is still wrong
        self.returns = []
        self.block(self.func.body)
        unknown = {name: least for name, least in self.least.items()
                   if self.env.get(name, ir.NONE).is_array and not self.env[name].ndim}
        return FunctionTypes(self.env, self.return_type(), self.constants, self.signatures, self.least,
                             element_reads(self.func, unknown))

    def error(self, pos: ir.Pos, message: str, code: str, note: str = "") -> None:
        self.reporter.error(pos, f"{message} (in function '{self.func.name}')", code, note)

    def typer(self) -> ExprTyper:
        return ExprTyper(self.env, self.constants, self.signatures, self.least)

    def expr(self, expr: ir.Expr) -> ir.Type:
        if self.report_now:
            for sub in expressions(expr):
                if isinstance(sub, ir.Name) and sub.id not in self.env:
                    self.error(sub.pos, f"name '{sub.id}' is not defined", "unknown-name")
                elif isinstance(sub, ir.QualName) and self.typer().type(sub) == UNKNOWN:
                    self.error(sub.pos, f"'{sub.qualname}' is not in the differentiable subset", "unsupported-expression")
                elif isinstance(sub, ir.Subscript) and isinstance(sub.value, ir.Name) and \
                        sub.value.id in {p.name for p in self.func.params} and self.env[sub.value.id].kind in NUMERIC_RANK:
                    self.error(sub.pos, f"the {self.env[sub.value.id]} parameter '{sub.value.id}' cannot be "
                               "subscripted", "type-change")
                elif isinstance(sub, ir.Call) and _has_no_type_for_its_arguments(sub, self.typer()):
                    self.error(sub.pos, f"'{sub.func}' of {', '.join(str(self.typer().type(a)) for a in sub.args)} "
                               "is not in the differentiable subset", "bad-call")
                elif isinstance(sub, ir.Subscript) and any(self.typer().type(i).is_array for i in sub.index):
                    self.error(sub.pos, "indexing with an array (a gather or a mask) is not in the differentiable "
                               "subset", "unsupported-index", note="index with integers and slices; a loop over "
                               "the index array reads one element at a time: `for k in range(len(idx)): a[idx[k]]`")
        return self.typer().type(expr)

    def block(self, body: list[ir.Stmt]) -> None:
        for stmt in body:
            getattr(self, "_" + type(stmt).__name__)(stmt)

    def bind(self, target: ir.Expr, value: ir.Type, pos: ir.Pos) -> None:
        if isinstance(target, ir.Name):
            old = self.env.get(target.id)
            new = unify(old, value)
            if new is None:
                if self.report_now:
                    self.error(pos, f"variable '{target.id}' changes type from {old} to {value}", "type-change",
                               note="use a new name for the new value")
                return
            self.env[target.id] = new
        elif isinstance(target, ir.Tuple):
            items = value.items if value.kind == "tuple" else ()
            if value.kind != "unknown" and len(items) != len(target.items):
                if self.report_now:
                    self.error(pos, f"cannot unpack {value} into {len(target.items)} names", "type-change")
                return
            for i, item in enumerate(target.items):
                self.bind(item, items[i] if items else UNKNOWN, pos)
        elif isinstance(target, ir.Subscript):
            base = self.expr(target.value)
            self.expr(target)
            if self.report_now and not base.is_array:
                self.error(target.pos, f"only arrays can be assigned into, not {base}", "type-change")

    def _Assign(self, stmt: ir.Assign) -> None:
        self.bind(stmt.target, self.expr(stmt.value), stmt.pos)

    def _ExprStmt(self, stmt: ir.ExprStmt) -> None:
        self.expr(stmt.value)

    def _For(self, stmt: ir.For) -> None:
        for bound in (stmt.start, stmt.stop, stmt.step):
            if self.expr(bound).kind not in ("int", "bool", "unknown") and self.report_now:
                self.error(bound.pos, "range() bounds must be integers", "type-change")
        for array in stmt.over:  # ``for a in x``: x[_k] is a row only of an array
            if self.expr(array).kind not in ("array", "unknown") and self.report_now:
                self.error(array.pos, f"a loop runs over the rows of arrays, not over a {self.expr(array)}",
                           "unsupported-loop", note="loop over range(len(…)) and index")
        self.bind(ir.Name(stmt.var), ir.INT, stmt.pos)
        self.block(stmt.body)

    def _While(self, stmt: ir.While) -> None:
        self.expr(stmt.test)
        self.block(stmt.body)

    def _If(self, stmt: ir.If) -> None:
        self.expr(stmt.test)
        self.block(stmt.body)
        self.block(stmt.orelse)

    def _Return(self, stmt: ir.Return) -> None:
        self.returns.append((self.expr(stmt.value) if stmt.value is not None else ir.NONE, stmt.pos))

    def _Break(self, stmt: ir.Break) -> None:
        pass

    _Continue = _Pass = _Break

    def return_type(self) -> ir.Type:
        result: ir.Type | None = self.func.returns
        for rtype, pos in self.returns:
            new = unify(result, rtype)
            if new is None:
                self.error(pos, f"function returns both {result} and {rtype}", "type-change")
                return result or rtype
            result = new
        return result or ir.NONE


def infer_types(func: ir.Function, constants: dict[str, ir.Type], signatures: dict[str, Signature],
                reporter: Reporter) -> FunctionTypes:
    return FunctionTyper(func, constants, signatures, reporter).run()
