"""What a function's body says about the kind of its unannotated parameters.

numba learns a parameter's type from the argument it is called with;
adxform, ahead of time, learns it from how the body uses the value, and
must never treat as a scalar a value that may be an array: the adjoint of
``np.sum(x)`` written for a scalar ``x`` is a silently wrong gradient when
``x`` is an array.  So uses are sorted by what they prove:

* *array*: a subscript, an attribute, ``len``, a method, the argument of a
  reduction or a product (``np.sum``, ``np.dot``, ``@``); a *vector* (1-D)
  where a product must be a scalar (``math.tanh(x @ x)``: numpy's ``@`` of
  two 1-D arrays is their inner product, of anything else an array), and
  so is every array an operand is computed from elementwise (``0.1 * u``);
* *scalar*: a ``range`` bound or an index (an int), the argument of a
  ``math`` function or a builtin, the test of an ``if`` or ``while``, a
  value stored into a scalar variable or a scalar element, a branch of a
  conditional expression whose other branch is a number (numba gives both
  branches one type);
* and hints that decide the scalar's kind once it is known to be one: float
  arithmetic (an operand beside a float) makes a float, a comparison with
  an int or ``float(n)`` an int, a bare ``if flag:`` a bool.

Arithmetic and numpy's elementwise functions prove nothing: ``x * 2.0``
and ``np.exp(x)`` take a scalar or an array alike.  A demand is carried
backwards through them (``math.exp(a * b)`` needs scalars ``a`` and
``b``) and through the assignments of locals (``s = s0`` gives ``s0``
whatever ``s`` is shown to be), until nothing changes.  A parameter left
with no proof is undecided; the caller of ``parameter_kinds`` reports it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from .. import ir
from ..rules import TABLE
from ..walk import expressions, flat_targets, names_read, statements, stmt_expressions

ARRAY, VECTOR, SCALAR, INT, FLOAT, WEAK_INT, BOOL = "array", "vector", "scalar", "int", "float", "weak-int", "bool"
# one of the values a reduced expression is computed from, not known to be the array among them
REDUCED = "reduced"
MATRIX = "matrix"  # a 2-D array: a product of it with a vector is a vector
NUMERIC = ("bool", "int", "float")

# Functions whose arguments must be arrays (beyond reductions, products and methods).
ARRAY_ARGUMENTS = {"builtins.len", "numpy.copy", "numpy.transpose", "numpy.ravel", "numpy.reshape",
                   "numpy.zeros_like", "numpy.ones_like", "numpy.empty_like"}
# Constructors whose first argument is a shape: an int or a tuple of ints.
SHAPE_ARGUMENTS = {"numpy.zeros", "numpy.ones", "numpy.empty", "numpy.full"}
# Conversions say what their argument is not: ``float(n)`` converts an int.
CONVERSION_HINTS = {"builtins.float": WEAK_INT, "numpy.float64": WEAK_INT}
# Operators through which an int demand passes to the operands (``2 * n`` compared with an int).
INT_OPERATORS = {"+", "-", "*", "//", "%"}


def argument_demand(func: str, position: int) -> str | None:
    """What a library call demands of its argument at ``position``: ARRAY,
    SCALAR, INT, or None where it takes either (numpy's elementwise
    functions)."""
    rule = TABLE.get(func)
    if func.startswith("method.") and position == 0 or func in ARRAY_ARGUMENTS and position == 0:
        return ARRAY
    if rule is not None and rule.kind in ("reduction", "bilinear"):
        return ARRAY
    if func in SHAPE_ARGUMENTS and position == 0:
        return INT
    if func.startswith(("math.", "builtins.")):
        return SCALAR
    return None


class ParameterEvidence:
    """Collects the facts (ARRAY, VECTOR, SCALAR, INT, FLOAT, WEAK_INT, BOOL) the body
    shows of every name, given the types known so far (``type_of``) and
    the kinds the module's other functions demand of their parameters
    (``callee_params``: None where a callee's own body does not decide)."""

    def __init__(self, func: ir.Function, type_of: Callable[[ir.Expr], ir.Type],
                 callee_params: dict[str, list[ir.Type | None]], undecided: set[str]):
        self.func = func
        self.type_of = type_of
        self.callee_params = callee_params
        self.facts: dict[str, set[str]] = defaultdict(set)
        self.assigned: dict[str, list[ir.Expr]] = defaultdict(list)  # local -> the values it is given
        for stmt in statements(func.body):
            if isinstance(stmt, ir.Assign) and isinstance(stmt.target, ir.Name):
                self.assigned[stmt.target.id].append(stmt.value)
            elif isinstance(stmt, ir.Assign) and isinstance(stmt.target, ir.Tuple) and \
                    isinstance(stmt.value, ir.Tuple) and len(stmt.target.items) == len(stmt.value.items):
                for target, value in zip(stmt.target.items, stmt.value.items):  # ``x, v = x0, v0``
                    if isinstance(target, ir.Name):
                        self.assigned[target.id].append(value)
        self.undecided = undecided
        self.pending = _computed_from(func, undecided)
        # declared to return a number, or a return computed from none of the undecided is one: every return is
        values = [s.value for s in statements(func.body) if isinstance(s, ir.Return) and s.value is not None]
        returned = [self.type_of(v) for v in values if not set(names_read(v)) & self.pending]
        self.returns_a_number = func.returns is not None and func.returns.kind in NUMERIC or \
            any(t.kind in NUMERIC for t in returned)
        # so with each item of returned tuples: numba gives every return one type
        self.numbers_returned = {k for v in values if isinstance(v, ir.Tuple) for k, item in enumerate(v.items)
                                 if self.type_of(item).kind in NUMERIC and not set(names_read(item)) & self.pending}

    def grounded(self, name: str) -> bool:
        """Whether the type of local ``name`` holds whatever the undecided
        parameters turn out to be: it is given a value computed from none of
        them (``s = 0.0``).  ``logits = X @ W`` alone, typed while X and W
        are unknown, proves nothing of X and W."""
        return name not in self.pending or any(not names_read(v) or not set(names_read(v)) & self.pending
                                               for v in self.assigned.get(name, []))

    def collect(self) -> dict[str, set[str]]:
        for stmt in statements(self.func.body):
            self.statement(stmt)
            for root in stmt_expressions(stmt):
                for expr in expressions(root):
                    self.expression(expr)
        return self.facts

    # -- contexts ------------------------------------------------------------------------

    def statement(self, stmt: ir.Stmt) -> None:
        if isinstance(stmt, ir.For):
            for bound in (stmt.start, stmt.stop, stmt.step):
                self.demand(bound, INT)
        elif isinstance(stmt, (ir.If, ir.While)):
            self.test(stmt.test)
        elif isinstance(stmt, ir.Assign) and isinstance(stmt.target, (ir.Name, ir.Subscript)):
            target = self.type_of(stmt.target)
            base = stmt.target if isinstance(stmt.target, ir.Name) else stmt.target.value
            if target.kind in NUMERIC and isinstance(base, ir.Name) and self.grounded(base.id):  # a scalar
                self.demand(stmt.value, SCALAR)
                self.demand(stmt.value, FLOAT if target.kind == "float" else WEAK_INT)
        elif isinstance(stmt, ir.Return) and stmt.value is not None and self.returns_a_number:
            self.demand(stmt.value, SCALAR)
        elif isinstance(stmt, ir.Return) and isinstance(stmt.value, ir.Tuple):
            for k in self.numbers_returned & set(range(len(stmt.value.items))):
                self.demand(stmt.value.items[k], SCALAR)

    def test(self, expr: ir.Expr) -> None:
        """The test of a branch or loop is one truth value: its comparisons are of scalars."""
        if isinstance(expr, ir.BoolOp):
            for value in expr.values:
                self.test(value)
        elif isinstance(expr, ir.UnaryOp) and expr.op == "not":
            self.test(expr.operand)
        elif isinstance(expr, ir.Compare):
            for side, other in ((expr.left, expr.right), (expr.right, expr.left)):
                self.demand(side, SCALAR)
                other_kind = self.type_of(other).kind
                if other_kind in ("int", "float"):
                    self.demand(side, WEAK_INT if other_kind == "int" else FLOAT)
        else:
            self.demand(expr, SCALAR)
            self.demand(expr, BOOL)  # a value that is only ever a truth value: a flag

    def expression(self, expr: ir.Expr) -> None:
        if isinstance(expr, ir.Subscript):
            self.shown(expr.value, ARRAY)
            self.array_source(expr.value)
            for index in expr.index:
                if not isinstance(index, ir.Slice):
                    self.demand(index, INT)
                for bound in (index.lower, index.upper, index.step) if isinstance(index, ir.Slice) else ():
                    if bound is not None:
                        self.demand(bound, INT)
        elif isinstance(expr, ir.Attribute):
            self.shown(expr.value, ARRAY)
            self.array_source(expr.value)
        elif isinstance(expr, ir.IfExp):
            self.test(expr.test)
            for branch, other in ((expr.body, expr.orelse), (expr.orelse, expr.body)):
                if self.type_of(other).kind in NUMERIC and not set(names_read(other)) & self.pending:
                    self.demand(branch, SCALAR)  # numba unifies the branches: a number with a number only
        elif isinstance(expr, ir.BinOp) and expr.op == "@":  # numpy's @ takes no numbers
            for operand in (expr.left, expr.right):
                self.shown(operand, ARRAY)
                self.array_source(operand)
        elif isinstance(expr, ir.BinOp):
            for side, other in ((expr.left, expr.right), (expr.right, expr.left)):
                if self.type_of(other) == ir.FLOAT:
                    self.demand(side, FLOAT)
        elif isinstance(expr, ir.Call):
            self.call(expr)

    def call(self, call: ir.Call) -> None:
        for position, arg in enumerate(call.args):
            if call.func.startswith("module."):
                params = self.callee_params.get(call.func[7:], [])
                declared = params[position] if position < len(params) else None
                demand = None if declared is None or declared.kind not in NUMERIC + ("array",) else \
                    ARRAY if declared.is_array else INT if declared.kind == "int" else SCALAR
                hint = FLOAT if declared is not None and declared.kind == "float" else None
            else:
                demand = argument_demand(call.func, position)
                hint = CONVERSION_HINTS.get(call.func, FLOAT if call.func.startswith("math.") else None)
            if demand == ARRAY:
                self.shown(arg, ARRAY)
                self.array_source(arg)
            elif demand is not None:
                self.demand(arg, demand)
                if hint is not None:
                    self.demand(arg, hint)

    # -- propagation -----------------------------------------------------------------------

    def shown(self, expr: ir.Expr, fact: str) -> None:
        """``expr`` itself is shown to be an array, a vector or a matrix (not
        what it is computed from); so is the array it transposes (``M.T``)."""
        while isinstance(expr, ir.Attribute) and expr.attr == "T" or isinstance(expr, ir.Call) \
                and expr.func in ("numpy.transpose", "method.transpose") and len(expr.args) == 1 and not expr.kwargs:
            expr = expr.value if isinstance(expr, ir.Attribute) else expr.args[0]
        if isinstance(expr, ir.Name):
            self.facts[expr.id].add(fact)

    def shown_vector(self, expr: ir.Expr) -> None:
        """``expr`` is shown to be a vector, and so is every array it is
        computed from elementwise (``0.1 * u`` makes ``u`` one): numpy's
        broadcasting gives the result the most dimensions of its operands.
        A name not known to be an array may be a number there."""
        if isinstance(expr, ir.BinOp) and expr.op != "@":
            parts = [expr.left, expr.right]
        elif isinstance(expr, ir.UnaryOp) and expr.op != "not":
            parts = [expr.operand]
        elif isinstance(expr, ir.Call) and getattr(TABLE.get(expr.func), "kind", None) == "elementwise":
            parts = list(expr.args)
        else:
            self.shown(expr, VECTOR)
            return
        for part in parts:
            kind = self.type_of(part)
            if kind.is_array or kind.kind not in NUMERIC and not isinstance(part, ir.Name):
                self.shown_vector(part)

    def array_source(self, expr: ir.Expr) -> None:
        """``expr`` must be an array (it is reduced, ``np.sum(z * z)``, or
        subscripted).  Where it
        is computed elementwise from numbers and one parameter of unknown kind,
        that parameter is the array (``z = np.tanh(w)`` makes ``w`` one); where
        from several, one of them is, so none is taken for a float (REDUCED)."""
        found = self.elementwise_sources(expr, set())
        for name in found or ():
            self.facts[name].add(ARRAY if len(found) == 1 else REDUCED)

    def elementwise_sources(self, expr: ir.Expr, seen: set[str]) -> set[str] | None:
        """The undecided parameters ``expr`` is computed from by arithmetic and
        elementwise functions, through locals; None where a part of it may be
        an array otherwise (it is one, or is of unknown kind and computed
        some other way)."""
        kind = self.type_of(expr)
        if kind.kind in NUMERIC:
            return set()
        if kind.is_array:
            return None
        if isinstance(expr, ir.Name):
            if expr.id in self.undecided:
                return {expr.id}
            if expr.id in seen:
                return set()
            seen.add(expr.id)
            parts = self.assigned.get(expr.id)
        elif isinstance(expr, ir.BinOp) and expr.op != "@":
            parts = [expr.left, expr.right]
        elif isinstance(expr, ir.UnaryOp) and expr.op != "not":
            parts = [expr.operand]
        elif isinstance(expr, ir.IfExp):
            parts = [expr.body, expr.orelse]
        elif isinstance(expr, ir.Call) and getattr(TABLE.get(expr.func), "kind", None) == "elementwise":
            parts = list(expr.args)
        else:
            parts = None
        found: set[str] = set()
        for part in parts or [None]:
            sources = None if part is None else self.elementwise_sources(part, seen)
            if sources is None:
                return None
            found |= sources
        return found

    def vector_product(self, expr: ir.Expr) -> None:
        """``expr`` must be a vector: where it is a product with a vector, the
        other operand is a matrix (``u @ (M @ u)`` a number makes ``M`` one)."""
        if isinstance(expr, ir.BinOp) and expr.op == "@":
            operands = (expr.left, expr.right)
        elif isinstance(expr, ir.Call) and expr.func in ("numpy.dot", "method.dot") and len(expr.args) == 2:
            operands = tuple(expr.args)
        else:
            return
        for operand, other in (operands, operands[::-1]):
            if self.type_of(other).is_array and self.type_of(other).ndim == 1:
                self.shown(operand, MATRIX)

    def demand(self, expr: ir.Expr, fact: str) -> None:
        """``expr`` must be a scalar (SCALAR, INT) or, if a scalar, of a kind
        (FLOAT, WEAK_INT): so must every value it is computed from elementwise."""
        if isinstance(expr, ir.Name):
            if fact not in self.facts[expr.id]:
                self.facts[expr.id].add(fact)
                for value in self.assigned.get(expr.id, []):
                    self.demand(value, fact)
        elif isinstance(expr, ir.BinOp) and expr.op == "@" or isinstance(expr, ir.Call) and \
                expr.func in ("numpy.dot", "method.dot") and len(expr.args) == 2:
            if fact == SCALAR:  # a product is a scalar only of two vectors
                for operand in ([expr.left, expr.right] if isinstance(expr, ir.BinOp) else expr.args):
                    self.shown_vector(operand)
                    self.vector_product(operand)
                    if isinstance(operand, ir.Subscript) and len(operand.index) == 1 \
                            and not isinstance(operand.index[0], ir.Slice):
                        self.shown(operand.value, MATRIX)  # a row that is a vector: M[-1] of a matrix
        elif isinstance(expr, ir.BinOp):
            if fact in (INT, WEAK_INT) and expr.op not in INT_OPERATORS:
                fact = SCALAR
            self.demand(expr.left, fact)
            self.demand(expr.right, fact)
        elif isinstance(expr, ir.UnaryOp) and expr.op != "not":
            self.demand(expr.operand, fact)
        elif isinstance(expr, ir.IfExp):
            self.demand(expr.body, fact)
            self.demand(expr.orelse, fact)
        elif isinstance(expr, ir.Tuple) and fact in (INT, WEAK_INT):  # a shape
            for item in expr.items:
                self.demand(item, fact)
        elif isinstance(expr, ir.Call) and expr.func.startswith("numpy.") and fact in (SCALAR, FLOAT) \
                and TABLE.get(expr.func) is not None and TABLE.get(expr.func).kind == "elementwise":
            for arg in expr.args:
                self.demand(arg, fact)


def _computed_from(func: ir.Function, undecided: set[str]) -> set[str]:
    """``undecided`` and every local bound to a value computed from one of
    them (writing into an element, ``a[i] = alpha * x[i]``, leaves the type
    of ``a`` alone: numba casts the value to its elements' type)."""
    found = set(undecided)
    changed = True
    while changed:
        changed = False
        for stmt in statements(func.body):
            if isinstance(stmt, ir.Assign) and set(names_read(stmt.value)) & found:
                new = {t.id for t in flat_targets(stmt.target) if isinstance(t, ir.Name)} - found
                found |= new
                changed = changed or bool(new)
    return found


def decide(facts: set[str], indexes_with_elements: bool) -> ir.Type | None:
    """The type of a parameter the body shows ``facts`` of; None when
    undecided (nothing proves it a scalar or an array)."""
    if facts & {ARRAY, VECTOR, MATRIX}:
        ndim = 1 if VECTOR in facts else 2 if MATRIX in facts else 0
        return ir.Type("array", dtype="int64" if indexes_with_elements else "float64", ndim=ndim)
    if INT in facts:
        return ir.INT
    if SCALAR not in facts:
        return None
    if FLOAT in facts:
        return ir.FLOAT
    if WEAK_INT in facts:
        return ir.INT
    return ir.BOOL if BOOL in facts else ir.FLOAT


def indexes_with_elements(func: ir.Function, name: str) -> bool:
    """Whether an element of array ``name`` is used as an index (``a[idx[k]]``): an int array."""
    for stmt in statements(func.body):
        for root in stmt_expressions(stmt):
            for expr in expressions(root):
                if isinstance(expr, ir.Subscript) and any(
                        isinstance(s, ir.Subscript) and isinstance(s.value, ir.Name) and s.value.id == name
                        for index in expr.index for s in expressions(index)):
                    return True
    return False
