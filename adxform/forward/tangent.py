"""The tangent of an expression: one small method per expression kind.

``Tangents.of(e)`` returns an IR expression for the directional derivative
of ``e`` given the tangents of the active variables it reads, or ``None``
when it is exactly zero (a constant, an int, an inactive variable, a
comparison).  Partial derivatives of library calls come from the rules
table; operators are differentiated here.  Subexpressions of the primal are
recomputed inside the tangent (``np.cos(x) * x_dot``), which numba's LLVM
folds with the primal's own evaluation.
"""

from __future__ import annotations

import copy

from .. import build, ir
from ..analysis.dataflow import VIEW_METHODS
from ..analysis.program import FunctionFacts, Program
from ..analysis.types import report_bool_value
from ..diagnostics import InternalError, Reporter
from ..invariants import check_derivative
from ..naming import Namer
from ..rules import TABLE, instantiate
from ..rules.templates import axis_of, sum_over
from ..walk import expressions


# Operators whose tangent sums terms of the operands' tangents: where an
# array operand has none, its zero is added all the same (``np.zeros_like(b)``),
# because it may broadcast the other tangent to the result's shape (``a_dot``
# for ``a + y``; ``x_dot`` of shape (n,) for ``x + m`` of shape (k, n)): left
# out, the result's tangent would have the smaller shape, and a reduction of
# it a wrong value.
BROADCAST_SUMS = ("+", "-", "%")
VIEW_CALLS = VIEW_METHODS | {"numpy.transpose", "method.transpose"}


def shares_memory(expr: ir.Expr) -> bool:
    """Whether an array expression may evaluate to an existing array (a
    name, a view of one, either of two) rather than a new one."""
    if isinstance(expr, ir.IfExp):
        return shares_memory(expr.body) or shares_memory(expr.orelse)
    if isinstance(expr, ir.Call):
        return expr.func in VIEW_CALLS
    return isinstance(expr, (ir.Name, ir.Subscript, ir.Attribute))


class Tangents:
    def __init__(self, facts: FunctionFacts, program: Program, dot: Namer, reporter: Reporter):
        self.facts = facts
        self.program = program
        self.dot = dot
        self.reporter = reporter

    def type(self, expr: ir.Expr) -> ir.Type:
        return self.facts.types.of(expr)

    def of(self, expr: ir.Expr) -> ir.Expr | None:
        tangent = getattr(self, "_" + type(expr).__name__)(expr)
        check_derivative(self.reporter, expr, tangent is not None, self.facts.active, "tangent")
        return tangent

    def zero(self, like: ir.Expr, vtype: ir.Type | None = None) -> ir.Expr:
        """A materialised zero tangent for a value like ``like``."""
        vtype = vtype or self.type(like)
        if vtype.is_array:
            return build.call("numpy.zeros_like", copy.deepcopy(like))
        if vtype.kind == "tuple":
            items = like.items if isinstance(like, ir.Tuple) else [ir.Subscript(copy.deepcopy(like), [ir.Const(i)])
                                                                     for i in range(len(vtype.items))]
            return ir.Tuple([self.zero(item, t) for item, t in zip(items, vtype.items)])
        return ir.Const(0.0)

    def of_or_zero(self, expr: ir.Expr, vtype: ir.Type | None = None) -> ir.Expr:
        tangent = self.of(expr)
        return tangent if tangent is not None else self.zero(expr, vtype)

    def stored(self, expr: ir.Expr) -> ir.Expr | None:
        """The tangent of a value that is bound to a name or returned: a new
        array when ``expr`` makes a new array.  The folds of ``build`` drop
        operations that copy in the primal (``y[1:] + 0.0``, ``1.0 * y``,
        ``-(-y)``, ``y / 1.0``, ``y ** 1``) and leave a name or a view of
        another tangent; bound as it is, a later element write through the
        new tangent (``w[0] = a * a``) would write into that one, the
        caller's ``y_dot`` among them."""
        tangent = self.of(expr)
        if tangent is not None and self.type(expr).is_array and not shares_memory(expr) and shares_memory(tangent):
            return ir.Call("method.copy", [tangent], [], expr.pos)
        return tangent

    def stored_or_zero(self, expr: ir.Expr, vtype: ir.Type | None = None) -> ir.Expr:
        tangent = self.stored(expr)
        return tangent if tangent is not None else self.zero(expr, vtype)

    # -- leaves ------------------------------------------------------------------------

    def _Name(self, e: ir.Name) -> ir.Expr | None:
        return ir.Name(self.dot(e.id), e.pos) if e.id in self.facts.active else None

    def _Const(self, e: ir.Const) -> None:
        return None

    _QualName = _Compare = _Slice = _Const

    def _BoolOp(self, e: ir.BoolOp) -> None:
        if self.type(e).is_differentiable and any(isinstance(n, ir.Name) and n.id in self.facts.active
                                                  for n in expressions(e)):
            report_bool_value(self.reporter, e, self.facts.func.name)
        return None

    # -- operators -----------------------------------------------------------------------

    def _BinOp(self, e: ir.BinOp) -> ir.Expr | None:
        left, right = self.of(e.left), self.of(e.right)
        if left is None and right is None:
            return None
        tangent = self.operator(e, left, right)
        if e.op in BROADCAST_SUMS:
            for operand, operand_tangent in ((e.left, left), (e.right, right)):
                if operand_tangent is None and self.type(operand).is_array:
                    tangent = build.add(tangent, self.zero(operand))
        return tangent

    def operator(self, e: ir.BinOp, left: ir.Expr | None, right: ir.Expr | None) -> ir.Expr | None:
        """The tangent of ``a <op> b`` from the tangents of ``a`` and ``b``."""
        a, b = copy.deepcopy(e.left), copy.deepcopy(e.right)
        if e.op == "+":
            return build.add(left, right)
        if e.op == "-":
            return build.sub(left, right)
        if e.op == "*":
            return build.add(build.mul(left, b), build.mul(a, right))
        if e.op == "/":
            return build.sub(build.div(left, b), build.div(build.mul(a, right), build.mul(b, copy.deepcopy(b))))
        if e.op == "@":
            return self.bilinear([e.left, e.right], [left, right], lambda x, y: ir.BinOp("@", x, y, e.pos))
        if e.op == "**":
            d_base = None
            if left is not None:
                exponent = copy.deepcopy(b)
                d_base = build.mul(build.mul(exponent, build.power(a, build.sub(copy.deepcopy(b), ir.Const(1)))), left)
            d_exp = None
            if right is not None:
                log = "numpy.log" if self.type(e).is_array else "math.log"
                d_exp = build.mul(build.mul(copy.deepcopy(e), build.call(log, copy.deepcopy(a))), right)
            return build.add(d_base, d_exp)
        if e.op == "%":
            # a % b == a - b * floor(a / b): the floor is piecewise constant
            floor = build.call("numpy.floor", ir.BinOp("/", a, b))
            return build.sub(left, build.mul(floor, right))
        return None  # //: piecewise constant

    def _UnaryOp(self, e: ir.UnaryOp) -> ir.Expr | None:
        if e.op == "not":
            return None
        inner = self.of(e.operand)
        return build.neg(inner) if e.op == "-" else inner

    def _IfExp(self, e: ir.IfExp) -> ir.Expr | None:
        body, orelse = self.stored(e.body), self.stored(e.orelse)  # the result is one of them, as it is
        if body is None and orelse is None:
            return None
        vtype = self.type(e)
        return ir.IfExp(copy.deepcopy(e.test), body if body is not None else self.zero(e.body, vtype),
                        orelse if orelse is not None else self.zero(e.orelse, vtype), e.pos)

    def _Tuple(self, e: ir.Tuple) -> ir.Expr | None:
        items = [self.stored(item) for item in e.items]
        if all(item is None for item in items):
            return None
        return ir.Tuple([t if t is not None else self.zero(item) for t, item in zip(items, e.items)], e.pos)

    def _Subscript(self, e: ir.Subscript) -> ir.Expr | None:
        base = self.of(e.value)
        if base is None or not self.type(e.value).is_array and self.type(e.value).kind != "tuple":
            return None
        return ir.Subscript(base, copy.deepcopy(e.index), e.pos)

    def _Attribute(self, e: ir.Attribute) -> ir.Expr | None:
        if e.attr != "T":
            return None
        base = self.of(e.value)
        return ir.Attribute(base, "T", e.pos) if base is not None else None

    # -- calls -------------------------------------------------------------------------------

    def _Call(self, e: ir.Call) -> ir.Expr | None:
        if e.func.startswith("module."):
            if any(self.of(arg) is not None for arg in e.args):
                raise InternalError(f"line {e.pos.line}:{e.pos.col}: internal error: the call of "
                                    f"'{e.func[7:]}' was not hoisted out of its expression (normalize.py)")
            return None
        rule = TABLE.get(e.func)
        if rule is None or rule.kind == "constant":
            return None
        if rule.kind == "reduction":
            return self.reduction(e, rule.partials[0])
        if rule.kind == "bilinear":
            return self.bilinear(e.args, [self.of(arg) for arg in e.args],
                                 lambda a, b: ir.Call(e.func, [a, b], [], e.pos))
        if rule.kind == "linear":
            tangents = {i: self.of(e.args[i]) for i in rule.linear_args}
            if all(t is None for t in tangents.values()):
                return None
            args = [tangents[i] if i in tangents and tangents[i] is not None
                    else self.zero(arg) if i in tangents else copy.deepcopy(arg)
                    for i, arg in enumerate(e.args)]
            return ir.Call(e.func, args, copy.deepcopy(e.kwargs), e.pos)
        on_arrays = any(self.type(arg).is_array for arg in e.args)
        math_style = e.func.startswith(("math.", "builtins.")) and not on_arrays
        total = None
        for template, arg in zip(rule.partials, e.args):
            tangent = self.of(arg)
            if tangent is None:
                continue
            partial = instantiate(template, list(e.args), e, on_arrays=on_arrays, math_style=math_style)
            total = build.add(total, build.mul(partial, tangent))
        return total

    def reduction(self, e: ir.Call, partial: str) -> ir.Expr | None:
        """The partial derivatives times the tangents, summed like the reduction sums."""
        tangent = self.of(e.args[0])
        if tangent is None:
            return None
        axis = axis_of(e)
        weight = instantiate(partial, [e.args[0]], e, on_arrays=True, math_style=False, axis=axis)
        return sum_over(build.mul(weight, tangent), axis)

    @staticmethod
    def bilinear(operands: list[ir.Expr], tangents: list[ir.Expr | None], apply) -> ir.Expr | None:
        """d f(a, b) = f(da, b) + f(a, db): ``apply`` builds f of two operands."""
        a, b = operands
        da, db = tangents
        return build.add(da and apply(da, copy.deepcopy(b)), db and apply(copy.deepcopy(a), db))
