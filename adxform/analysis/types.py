"""Type inference: the kind of every variable and expression of a function.

Parameters take their declared type (a numba signature on the decorator,
else an annotation: ``parse/``).  An unannotated parameter takes the type
the module's call sites pass it (``module_types.py``), else the type its
uses in the body prove (``evidence.py``: a reduced or subscripted value is
an array, a ``range`` bound an int, a ``math`` argument a float, ...);
one neither decides is an ``ambiguous-type`` diagnostic whose note gives
the annotation and the numba signature that settle it, never a guess.

Locals take the unified type of everything assigned to them, the way
numba unifies: int and float make float, bool and int make int.  Anything
else, a scalar becoming an array say, is a ``type-change`` diagnostic.
The body is swept until the types stop changing, so a value assigned late
in a loop and read early in it is typed on the second sweep.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .. import build, ir
from ..diagnostics import Reporter
from ..rules import TABLE, library
from ..rules.registry import matmul_type
from ..walk import expressions, names_read, statements, stmt_expressions
from .evidence import FLOAT, MATRIX, REDUCED, VECTOR, ParameterEvidence, decide, indexes_with_elements
from .runtime import HELPERS, RUNTIME_CONSTANTS
from .unread import unread_parameters

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
    # what the declaration or the body alone makes each parameter (None: only its call sites can tell);
    # callers learn from it what their own arguments are
    own: list[ir.Type | None] = field(default_factory=list)


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
    own: list[ir.Type | None] = field(default_factory=list)  # as ``Signature.own``
    # parameters taken to be floats on the evidence of float arithmetic alone, which an
    # array would pass as well: the derivative functions check on entry that they are numbers
    assumed_floats: list[str] = field(default_factory=list)
    # array parameters of unknown ndim taken for vectors, as operands of a product bound to a
    # name that is then updated in place (``assume_vectors``) -> where that product is: checked on entry
    assumed_vectors: dict[str, ir.Pos] = field(default_factory=dict)

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
            default = ir.INT if e.qualname[7:] in RUNTIME_CONSTANTS else UNKNOWN  # read back with the helpers
            return self.constants.get(e.qualname[7:], default)
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
            return ir.Type("array", dtype=dtype, ndim=_broadcast_ndim(arrays))
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
        return ir.Type("array", dtype="bool", ndim=_broadcast_ndim(arrays)) if arrays else ir.BOOL

    def _BoolOp(self, e: ir.BoolOp) -> ir.Type:
        """``a and b`` is one of its operands: a bool in a test, a number
        where the operands are numbers (``x > 0.0 and y``), which derivative
        code refuses (``report_bool_value``)."""
        result = ir.BOOL
        for value in e.values:
            result = unify(result, self.type(value)) or UNKNOWN
        return result

    def _IfExp(self, e: ir.IfExp) -> ir.Type:
        return unify(self.type(e.body), self.type(e.orelse)) or UNKNOWN

    def _Call(self, e: ir.Call) -> ir.Type:
        if e.func.startswith("module."):
            sig = self.signatures.get(e.func[7:])
            if sig is None and e.func[7:] in HELPERS:  # a generated module's runtime helper (runtime.py)
                return HELPERS[e.func[7:]].result([self.type(a) for a in e.args])
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


def _broadcast_ndim(arrays: list[ir.Type]) -> int:
    """The ndim of arrays broadcast together: 0 (unknown) where one's is
    unknown (``u * M`` of a vector and an M of unknown ndim is a matrix
    when M is one: taken for a vector, ``u * M @ u`` was typed a number, and
    the adjoint of a scalar added to it was not summed; fuzz seed 190778)."""
    return 0 if any(not t.ndim for t in arrays) else max(t.ndim for t in arrays)


def report_bool_value(reporter: Reporter, e: ir.BoolOp, function: str) -> None:
    """A differentiated ``and``/``or`` of numbers: both modes refuse it, as
    its value is an operand chosen at run time (differentiated as a bool it
    would silently have no derivative)."""
    reporter.error(e.pos, f"'{e.op}' of numbers is not in the differentiable subset: its value is one of them (in function '{function}')",
                   "unsupported-operator", note="write the choice as a conditional expression, `b if a else c` for "
                   "`a and b or c`")


MATRIX_PRODUCTS = ("numpy.dot", "numpy.matmul", "numpy.outer", "method.dot")
NUMBER_PRODUCTS = ("numpy.dot", "numpy.matmul", "method.dot")  # a number for two vectors


def least_ndim(func: ir.Function, name: str, is_number: Callable[[ir.Expr], bool] = build.is_const) -> int:
    """The fewest dimensions array ``name`` can have, given the body (0: no
    evidence): ``a[i, j]``, ``a.shape[1]`` and ``np.sum(a, axis=1)`` need
    two, ``a[t]`` as an operand of ``@`` (a row, not a number) one more than
    its indices.  An array annotation says nothing of its dimensions, and
    this is only a lower bound: it decides one thing, that ``a[i]`` is a row
    where the body shows ``a`` has more dimensions than indices there, and
    an element otherwise (``element_reads``).  ``is_number`` tells the
    values that are surely numbers (literals, before types are known), and
    ``func.least_hints`` what an earlier stage saw."""
    shown = max((_dimensions_shown(expr, name) for expr in _all_expressions(func.body)), default=0)
    return max([shown, func.least_hints.get(name, 0)] + _dimensions_of_rows(func, name, {name}, is_number))


def _dimensions_of_rows(func: ir.Function, name: str, seen: set[str], is_number: Callable[[ir.Expr], bool]) -> list[int]:
    """``r = a[i]`` where the body shows ``r`` has k dimensions shows ``a``
    has that many more than its indices (``for row in m: row[1]``, lowered
    to ``row = m[_k]``); so does ``r = np.sin(a[i])``, or any value computed
    elementwise from the row and numbers alone."""
    shown = []
    for stmt in statements(func.body):
        if isinstance(stmt, ir.Assign) and isinstance(stmt.target, ir.Name) and stmt.target.id not in seen:
            read = _only_row_read(stmt.value, name, is_number)
            if read is None:
                continue
            row = stmt.target.id
            row_ndim = max([_dimensions_shown(e, row) for e in _all_expressions(func.body)]
                           + _dimensions_of_rows(func, row, seen | {row}, is_number))
            if row_ndim:
                shown.append(len(read.index) + row_ndim)
    return shown


def _only_row_read(value: ir.Expr, name: str, is_number: Callable[[ir.Expr], bool]) -> ir.Subscript | None:
    """The subscript ``name[i, ...]`` (no slice) that ``value`` is computed
    from elementwise with numbers only, so that it has the row's
    dimensions; None for any other value."""
    if isinstance(value, ir.Subscript):
        plain = isinstance(value.value, ir.Name) and value.value.id == name
        return value if plain and not any(isinstance(i, ir.Slice) for i in value.index) else None
    if isinstance(value, ir.BinOp) and value.op != "@":
        parts = [value.left, value.right]
    elif isinstance(value, ir.UnaryOp):
        parts = [value.operand]
    elif isinstance(value, ir.Call) and getattr(TABLE.get(value.func), "kind", None) == "elementwise":
        parts = list(value.args)
    else:
        return None
    reads = [part for part in parts if name in names_read(part) or not is_number(part)]
    return _only_row_read(reads[0], name, is_number) if len(reads) == 1 else None


def product_operands(expr: ir.Expr | None, products: tuple[str, ...] = MATRIX_PRODUCTS) -> list[ir.Expr]:
    """The two operands of ``a @ b`` or of a call of ``products``; none for another expression."""
    if isinstance(expr, ir.BinOp) and expr.op == "@":
        return [expr.left, expr.right]
    return expr.args[:2] if isinstance(expr, ir.Call) and expr.func in products else []


def _arithmetic_terms(expr: ir.Expr) -> list[ir.Expr]:
    """``expr`` and the terms that arithmetic combines into it (``a @ b + c``:
    also ``a @ b`` and ``c``), which are numbers where it is one; not the
    arguments of a call (``np.sum(a @ b)`` is a number whatever ``a @ b`` is)."""
    if isinstance(expr, ir.BinOp) and expr.op != "@":
        return [expr] + _arithmetic_terms(expr.left) + _arithmetic_terms(expr.right)
    if isinstance(expr, ir.UnaryOp):
        return [expr] + _arithmetic_terms(expr.operand)
    return [expr]


def _operand_names(func: ir.Function, names: set[str]) -> set[str]:
    """Those of ``names`` that are an operand of ``@`` or ``np.dot`` themselves."""
    return {o.id for expr in _all_expressions(func.body) for o in product_operands(expr)
            if isinstance(o, ir.Name) and o.id in names}


def consuming(index: list[ir.Expr]) -> list[ir.Expr]:
    """The entries of an index that take a dimension of the array (not
    ``None``, which adds one)."""
    return [i for i in index if not (isinstance(i, ir.Const) and i.value is None)]


def _all_expressions(body: list[ir.Stmt]):
    return (expr for stmt in statements(body) for root in stmt_expressions(stmt) for expr in expressions(root))


def _dimensions_shown(expr: ir.Expr, name: str) -> int:
    """How many dimensions one expression shows array ``name`` has."""
    def is_name(e: ir.Expr) -> bool:
        return isinstance(e, ir.Name) and e.id == name

    if isinstance(expr, ir.Subscript) and is_name(expr.value):
        return len(consuming(expr.index))
    if isinstance(expr, ir.Subscript) and isinstance(expr.value, ir.Attribute) and expr.value.attr == "shape" \
            and is_name(expr.value.value) and build.int_value(expr.index[0]) is not None:
        return build.int_value(expr.index[0]) + 1
    reduced = isinstance(expr, ir.Call) and bool(expr.args) and \
        getattr(TABLE.get(expr.func), "kind", None) == "reduction"
    operands = [expr.left, expr.right] if isinstance(expr, ir.BinOp) and expr.op == "@" else \
        expr.args[:2] if isinstance(expr, ir.Call) and expr.func in MATRIX_PRODUCTS else \
        _reduced_rows(expr.args[0], name) if reduced else \
        _helper_arrays(expr) if isinstance(expr, ir.Call) else []
    # an operand of a product, what a reduction reduces, or an array argument of a runtime helper is an array:
    # its base has a dimension more than its integer indices take
    rows = [max(len(consuming(o.index)), sum(not isinstance(i, ir.Slice) for i in consuming(o.index)) + 1)
            for o in operands if isinstance(o, ir.Subscript) and is_name(o.value)]
    if rows:  # of the rows a reduction reduces elementwise, one at least is an array: the fewest it shows
        return min(rows) if reduced else max(rows)
    axis = dict(expr.kwargs).get("axis") if isinstance(expr, ir.Call) and expr.args and is_name(expr.args[0]) else None
    if axis is not None and build.int_value(axis) is not None:
        return build.int_value(axis) + 1
    return 0


def _helper_arrays(call: ir.Call) -> list[ir.Expr]:
    """The arguments of a runtime helper of a generated module read back
    that are arrays: those it demands be one, and those it writes into
    (``_matmul_bar_a(g, M[i], u, M_bar[i])`` writes a row of ``M_bar``)."""
    helper = HELPERS.get(call.func[7:]) if call.func.startswith("module.") else None
    if helper is None:
        return []
    return [arg for k, arg in enumerate(call.args) if k in helper.writes or helper.params[k:k + 1] == "a"]


def _reduced_rows(arg: ir.Expr, name: str) -> list[ir.Subscript]:
    """The subscripts of ``name`` that ``arg``, a reduction's argument, is
    computed from elementwise with constants alone (``np.linalg.norm(0.5 +
    M[0])``): one of them at least is an array, a row (``A[0, 0] * A[1]``
    of a matrix: only ``A[1]``); none where another value (a slice among
    them) might be the array."""
    if isinstance(arg, ir.Subscript) and isinstance(arg.value, ir.Name) and arg.value.id == name:
        # a slice is an array by itself (np.sum(u[0] * u[1:]) of a vector): then nothing is shown
        return [] if any(isinstance(i, ir.Slice) for i in arg.index) else [arg]
    if isinstance(arg, ir.Const):
        return []
    parts = [arg.left, arg.right] if isinstance(arg, ir.BinOp) and arg.op != "@" else \
        [arg.operand] if isinstance(arg, ir.UnaryOp) else \
        arg.args if isinstance(arg, ir.Call) and getattr(TABLE.get(arg.func), "kind", None) == "elementwise" else None
    if parts is None:
        return []
    rows = []
    for part in parts:
        found = _reduced_rows(part, name)
        if not found and not isinstance(part, ir.Const):
            return []
        rows += found
    return rows


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


def _has_no_type_for_its_arguments(call: ir.Call, typer: ExprTyper) -> bool:
    """A library call whose rule types no result for arguments of known
    types (``np.array`` of a tuple)."""
    known = all(typer.type(a) != UNKNOWN for a in call.args)
    return call.func in TABLE and known and typer.type(call) == UNKNOWN


# -- the sweep ------------------------------------------------------------------------


class FunctionTyper:
    MAX_SWEEPS = 6

    def __init__(self, func: ir.Function, constants: dict[str, ir.Type], signatures: dict[str, Signature],
                 reporter: Reporter, call_sites: dict[str, ir.Type] | None = None):
        self.func = func
        self.call_sites = call_sites or {}  # unannotated parameter -> the type the module calls it with
        self.own: list[ir.Type | None] = []  # what the declaration or the body alone makes each parameter
        self.constants = constants
        self.signatures = signatures
        self.reporter = reporter
        self.env: dict[str, ir.Type] = {}
        self.least: dict[str, int] = {}  # array -> the fewest dimensions the body shows it has (``least_ndim``)
        self.returns: list[tuple[ir.Type, ir.Pos]] = []
        self.report_now = False
        self.assumed_floats: list[str] = []
        self.assumed_vectors: dict[str, ir.Pos] = {}

    def run(self) -> FunctionTypes:
        subscripted = {e.value.id for e in _all_expressions(self.func.body)
                       if isinstance(e, ir.Subscript) and isinstance(e.value, ir.Name)}
        self.least = {name: least_ndim(self.func, name) for name in sorted(subscripted)}
        params = self.parameter_types()
        unannotated = [name for name, ptype in params.items() if ptype is None]
        params.update({name: self.call_sites[name] for name in unannotated if name in self.call_sites})
        self.sweep(params)
        body, floats = self.decided_by_body(params, unannotated)
        unread = unread_parameters(self.func, unannotated)
        for name in unannotated:
            self.settle(name, body[name], params, name in floats, name in unread)
        self.own = [params[p.name] if p.annotation is not None else body[p.name] for p in self.func.params]
        if unannotated:
            self.sweep(params)
        self.rows_shown_by_types(params)
        # array parameters of unknown ndim whose elements the body reads take that many dimensions:
        # the derivative functions check it on entry (``element_reads``), so the rest may rely on it
        elements = element_reads(self.func, self.unknown_ndims())
        exact = {name: ir.Type("array", dtype=params[name].dtype, ndim=ndim) for name, (ndim, _) in elements.items()
                 if params.get(name) is not None and params[name].is_array and not params[name].ndim}
        if exact:
            unknown = {name: params[name] for name in exact}
            params.update(exact)
            self.sweep(params)
            if self.subscripts_a_number():  # the body shows more dimensions elsewhere (A = M @ M; A[0, k])
                params.update(unknown)
                self.sweep(params)
                exact = {}
        vectors = self.vectors_by_use(params)
        if vectors:
            params.update(vectors)
            self.sweep(params)
        self.assume_vectors(params)
        self.report_now = True  # a last sweep reports what is still wrong
        self.returns = []
        self.block(self.func.body)
        elements = {**element_reads(self.func, self.unknown_ndims()), **{name: elements[name] for name in exact}}
        return FunctionTypes(self.env, self.return_type(), self.constants, self.signatures, self.least,
                             elements, self.own, self.assumed_floats, self.assumed_vectors)

    def rows_shown_by_types(self, params: dict[str, ir.Type | None]) -> None:
        """``w = s * M[0]``, with ``s`` a number and ``w`` subscripted: typed
        while M's ndim was unknown, M[0] was taken for an element, which
        makes ``w`` a number; it is a row, and M has more dimensions."""
        def is_number(expr: ir.Expr) -> bool:
            return self.expr(expr).kind in ("bool", "int", "float")
        least = {name: least_ndim(self.func, name, is_number) for name in self.least}
        if least != self.least:
            self.least = least
            self.sweep(params)

    def assume_vectors(self, params: dict[str, ir.Type | None]) -> None:
        """``t = np.dot(u, u)`` with ``u`` of unknown ndim is a number for
        vectors and an array for matrices, and the derivative code of an
        update in place that follows (``t *= c``: a tangent written into or
        bound afresh) depends on which.  Where nothing shows ``t`` to be an
        array and no operand to have two dimensions, the array parameters of
        unknown ndim the operands read are taken for vectors, as users
        mostly mean them, and checked on entry (``assumed_vectors``); not
        where that makes the body subscript a number.  Without an update in
        place the derivative code serves both, and nothing is assumed
        (``y = A @ x; np.sum(y * y)`` with a matrix ``A``).  A product in
        what a function declared ``-> float`` returns is a number too."""
        updated = {s.target.id for s in statements(self.func.body)
                   if isinstance(s, ir.Assign) and s.inplace and isinstance(s.target, ir.Name)}
        products: list[ir.Expr] = []  # those that must be numbers
        for stmt in statements(self.func.body):
            if isinstance(stmt, ir.Assign) and isinstance(stmt.target, ir.Name) and stmt.target.id in updated \
                    and not least_ndim(self.func, stmt.target.id):
                products.append(stmt.value)
            if isinstance(stmt, ir.Return) and stmt.value is not None and self.func.returns is not None \
                    and self.func.returns.kind == "float":
                products += [e for e in _arithmetic_terms(stmt.value) if product_operands(e, NUMBER_PRODUCTS)]
        assumed: dict[str, ir.Pos] = {}
        for product in products:
            operands = product_operands(product, NUMBER_PRODUCTS)
            kinds = [self.env.get(o.id, UNKNOWN) if isinstance(o, ir.Name) else self.typer().type(o) for o in operands]
            if len(kinds) != 2 or not all(k.is_array and k.ndim <= 1 for k in kinds):
                continue
            for name in sorted({n for o in operands for n in names_read(o)}):
                ptype = params.get(name)
                if ptype is not None and ptype.is_array and not ptype.ndim and least_ndim(self.func, name) <= 1:
                    assumed.setdefault(name, product.pos)
        if not assumed:
            return
        before = {name: params[name] for name in assumed}
        params.update({name: ir.Type("array", dtype=params[name].dtype, ndim=1) for name in assumed})
        self.sweep(params)
        if self.subscripts_a_number():
            params.update(before)
            self.sweep(params)
            return
        self.assumed_vectors = assumed

    def subscripts_a_number(self) -> bool:
        """Whether the body, as typed now, subscripts a name that holds a number."""
        return any(isinstance(e, ir.Subscript) and isinstance(e.value, ir.Name)
                   and self.env.get(e.value.id, UNKNOWN).kind in NUMERIC_RANK
                   for e in _all_expressions(self.func.body))

    def unknown_ndims(self) -> dict[str, int]:
        """The arrays of unknown ndim, with the fewest dimensions the body shows."""
        return {name: least for name, least in self.least.items()
                if self.env.get(name, ir.NONE).is_array and not self.env[name].ndim}

    def parameter_types(self) -> dict[str, ir.Type | None]:
        """The declared type of every parameter, None where the body must decide."""
        params: dict[str, ir.Type | None] = {}
        for param in self.func.params:
            ptype = param.annotation
            if ptype is not None and ptype.is_array and not ptype.dtype:  # np.ndarray: the elements come from use
                ptype = ir.Type("array", dtype="int64" if indexes_with_elements(self.func, param.name)
                                else "float64", ndim=ptype.ndim)
            params[param.name] = ptype
        return params

    def sweep(self, params: dict[str, ir.Type | None]) -> None:
        """Types the locals afresh, the undecided parameters unknown, until nothing changes."""
        self.env = {name: ptype or UNKNOWN for name, ptype in params.items()}
        for _ in range(self.MAX_SWEEPS):
            before = dict(self.env)
            self.returns = []
            self.block(self.func.body)
            if before == self.env:
                break

    def decided_by_body(self, params: dict[str, ir.Type | None],
                        names: list[str]) -> tuple[dict[str, ir.Type | None], set[str]]:
        """The types the body's uses give parameters ``names`` (``evidence.py``;
        None: undecided), typing again after each round of decisions, since a
        decided parameter types the locals computed from it; and the
        undecided ones that meet float arithmetic (``0.1 * x``), which
        ``settle`` takes for floats where no call site tells."""
        own = self.callee_kinds()
        decided: dict[str, ir.Type] = {}
        floats: set[str] = set()
        pending = list(names)
        while pending:
            facts = ParameterEvidence(self.func, self.typer().type, own, set(pending)).collect()
            found = {name: decide(facts[name], indexes_with_elements(self.func, name)) for name in pending}
            found = {name: ptype for name, ptype in found.items() if ptype is not None}
            if not found:  # then the floats by arithmetic alone, which may type what decides the others
                found = {name: ir.FLOAT for name in pending if FLOAT in facts[name] and REDUCED not in facts[name]}
                floats |= set(found)
            if not found:
                break
            decided.update(found)
            pending = [name for name in pending if name not in found]
            self.sweep({**params, **{name: ptype for name, ptype in decided.items() if params[name] is None}})
        return {name: None if name in floats else decided.get(name) for name in names}, floats

    def callee_kinds(self) -> dict[str, list[ir.Type | None]]:
        """What each function the body may call makes of its parameters: the
        runtime helpers of a generated module read back (adxform hvp), and
        the module's functions (which a function of the same name overrides)."""
        own = {name: helper.param_types for name, helper in HELPERS.items()}
        own.update({name: sig.own for name, sig in self.signatures.items()})
        return own

    def vectors_by_use(self, params: dict[str, ir.Type | None]) -> dict[str, ir.Type]:
        """Array parameters of unknown ndim (``u: np.ndarray``) that a product
        which must be a number shows to be vectors (``return u @ u`` of a
        function declared ``-> float``): 1-D; or matrices (``u @ (M @ u)``
        with a vector ``u``): 2-D."""
        unknown = {name for name, ptype in params.items() if ptype is not None and ptype.is_array and not ptype.ndim}
        if not unknown:
            return {}
        facts = ParameterEvidence(self.func, self.typer().type, self.callee_kinds(), unknown).collect()
        for name in _operand_names(self.func, unknown):
            if least_ndim(self.func, name) >= 2:  # a product takes at most two (``_check_matmul_operands``)
                facts[name].add(MATRIX)
        return {name: ir.Type("array", dtype=params[name].dtype, ndim=1 if VECTOR in facts[name] else 2)
                for name in sorted(unknown) if VECTOR in facts[name] or MATRIX in facts[name]}

    def settle(self, name: str, ptype: ir.Type | None, params: dict[str, ir.Type | None], meets_floats: bool,
               unread: bool) -> None:
        """Fixes an unannotated parameter's type: from its call sites where the
        module calls this function with one, else from the body's uses.  A
        parameter that only meets float arithmetic is taken for a float, as
        numba users mostly mean it, and checked on entry (``assumed_floats``).
        One whose value nothing uses (``t`` of ``rhs(t, y)``, never read, or
        read only into values nothing reads: ``unread.py``) has no
        derivative, whatever it is: it passes through, as an int does, and the
        derivative functions take no tangent and give no gradient for it.
        One with no evidence at all is a diagnostic."""
        param = next(p for p in self.func.params if p.name == name)
        called = self.call_sites.get(name)
        if called is not None and ptype is not None and called.is_array != ptype.is_array:
            self.error(param.pos, f"parameter '{name}' is called with {kind_name(called)} but used as "
                       f"{kind_name(ptype)}", "type-change")
        elif called is not None:
            ptype = unify(ptype, called) if ptype is not None and not called.is_array else called
        elif ptype is None and unread:
            ptype = ir.INT
        elif ptype is None and meets_floats:
            self.assumed_floats.append(name)
            ptype = ir.FLOAT
        elif ptype is None:
            self.error(param.pos, f"cannot tell whether parameter '{name}' is a scalar or an array",
                       "ambiguous-type", note=self.settling_note(name))
            ptype = ir.FLOAT
        params[name] = ptype

    def assumed_note(self) -> str:
        """Where parameters were taken for floats, which of them: a type error
        downstream may mean that one of them is an array."""
        if not self.assumed_floats:
            return ""
        names = ", ".join(f"'{name}'" for name in self.assumed_floats)
        return f"adxform took {names} for numbers, as only float arithmetic uses them: annotate the arrays among them"

    def settling_note(self, name: str) -> str:
        """How the user settles an undecided parameter: an annotation, or the
        types declared to numba (with the other parameters as typed so far)."""
        def known(param: str) -> ir.Type:
            ptype = self.env.get(param, UNKNOWN)
            if ptype.is_array and not ptype.ndim and self.least.get(param):  # the fewest the body shows
                return ir.Type("array", dtype=ptype.dtype, ndim=self.least[param])
            return ptype

        def signature(spelled: str) -> str:
            items = [spelled if p.name == name else numba_spelling(known(p.name)) for p in self.func.params]
            return '`@numba.njit("(' + ", ".join(items) + (",)" if len(items) == 1 else ")") + '")`'
        return (f"annotate it, `{name}: float` or `{name}: np.ndarray`, or declare the types to numba (an array "
                f"takes one `:` per dimension), {signature('f8')} or {signature('f8[:]')}")

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
                        self.env.get(sub.value.id, UNKNOWN).kind in NUMERIC_RANK and \
                        (sub.value.id in {p.name for p in self.func.params} or self.assumed_floats):
                    # (a local is a number here where a type-change made it one, already reported,
                    # or where it is computed from a parameter taken for a float)
                    what = "parameter" if sub.value.id in {p.name for p in self.func.params} else "variable"
                    self.error(sub.pos, f"the {self.env[sub.value.id]} {what} '{sub.value.id}' cannot be "
                               "subscripted", "type-change", note=self.assumed_note())
                elif isinstance(sub, ir.Call) and _has_no_type_for_its_arguments(sub, self.typer()):
                    self.error(sub.pos, f"'{sub.func}' of {', '.join(str(self.typer().type(a)) for a in sub.args)} "
                               "is not in the differentiable subset", "bad-call")
                elif isinstance(sub, ir.IfExp) and unify(self.typer().type(sub.body), self.typer().type(sub.orelse)) \
                        is None:
                    self.error(sub.pos, f"a conditional expression of {self.typer().type(sub.body)} and "
                               f"{self.typer().type(sub.orelse)}", "type-change",
                               note="both branches must be numbers, or both arrays (an np.dot of arrays whose "
                                    "dimensions adxform does not know is an array)")
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
                reporter: Reporter, call_sites: dict[str, ir.Type] | None = None) -> FunctionTypes:
    return FunctionTyper(func, constants, signatures, reporter, call_sites).run()


NUMBA_SCALARS = {"float": "f8", "int": "i8", "bool": "b1"}
NUMBA_DTYPES = {"float64": "f8", "float32": "f4", "int64": "i8", "int32": "i4", "bool": "b1"}


def numba_spelling(ptype: ir.Type) -> str:
    """A type as numba's signature strings write it (``f8``, ``f8[:, :]``); f8 where unknown."""
    if ptype.is_array:
        return NUMBA_DTYPES.get(ptype.dtype, "f8") + "[" + ", ".join([":"] * max(ptype.ndim, 1)) + "]"
    return NUMBA_SCALARS.get(ptype.kind, "f8")


def kind_name(ptype: ir.Type) -> str:
    """``an array`` or ``a scalar (float)``, as diagnostics say it."""
    return "an array" if ptype.is_array else f"a scalar ({ptype})"
