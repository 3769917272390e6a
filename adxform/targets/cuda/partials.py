"""The local linearisation of a scalar kernel expression.

``partials(e)`` lists ``(leaf, coefficient)``: each float variable or array
element ``e`` reads, with the partial derivative of ``e`` with respect to
it (an expression of primal values).  Forward mode sums
``coefficient * leaf_dot``; reverse mode adds ``coefficient * seed`` into
each leaf's adjoint.  Library calls take their partials from the rule table
the CPU transforms use (``rules/table.py``), spelled the ``math`` way.
"""

from __future__ import annotations

import copy

from ... import build, ir
from ...emit.printer import qualname
from ...rules import TABLE, instantiate
from .kinds import FLOAT, kind_of

Leaf = ir.Name | ir.Subscript
# partials whose table template calls numpy, which device code does not: the same, written with a condition
KERNEL_PARTIALS = {name: ("select(x >= 0.0, 1.0, -1.0)",) for name in ("builtins.abs", "math.fabs")}
ONE = ir.Const(1.0)


class NotDifferentiable(Exception):
    """An expression outside the kernel subset; ``node`` says where."""

    def __init__(self, node: ir.Expr, what: str):
        super().__init__(what)
        self.node = node
        self.what = what


def partials(expr: ir.Expr, kinds: dict[str, str], device: dict[str, str]) -> list[tuple[Leaf, ir.Expr]]:
    if kind_of(expr, kinds, device) != FLOAT or isinstance(expr, (ir.Const, ir.QualName)):
        return []
    if isinstance(expr, ir.Name):
        return [(expr, ONE)]
    if isinstance(expr, ir.Subscript) and isinstance(expr.value, ir.Name):
        return [(expr, ONE)]

    def recurse(sub: ir.Expr) -> list[tuple[Leaf, ir.Expr]]:
        return partials(sub, kinds, device)

    if isinstance(expr, ir.UnaryOp) and expr.op in "+-":
        return recurse(expr.operand) if expr.op == "+" else _scaled(recurse(expr.operand), ir.Const(-1.0))
    if isinstance(expr, ir.BinOp):
        left, right = expr.left, expr.right
        if expr.op == "+":
            return recurse(left) + recurse(right)
        if expr.op == "-":
            return recurse(left) + _scaled(recurse(right), ir.Const(-1.0))
        if expr.op == "*":
            return _scaled(recurse(left), right) + _scaled(recurse(right), left)
        if expr.op == "/":
            return (_scaled(recurse(left), ir.BinOp("/", ONE, copy.deepcopy(right)))
                    + _scaled(recurse(right), ir.UnaryOp("-", ir.BinOp("/", copy.deepcopy(left),
                                                                      ir.BinOp("*", right, copy.deepcopy(right))))))
        if expr.op == "**":
            d_left = build.mul(right, build.power(left, build.sub(copy.deepcopy(right), ONE)))
            d_right = ir.BinOp("*", copy.deepcopy(expr), ir.Call("math.log", [copy.deepcopy(left)]))
            return _scaled(recurse(left), d_left) + _scaled(recurse(right), d_right)
    if isinstance(expr, ir.IfExp):  # the branch taken carries the derivative
        return ([(leaf, ir.IfExp(copy.deepcopy(expr.test), c, ir.Const(0.0))) for leaf, c in recurse(expr.body)]
                + [(leaf, ir.IfExp(copy.deepcopy(expr.test), ir.Const(0.0), c)) for leaf, c in recurse(expr.orelse)])
    if isinstance(expr, ir.Call) and not expr.func.startswith("module."):
        rule = TABLE.get(expr.func)
        if rule is not None and rule.kind == "constant":  # floor, sign …: no derivative flows through
            return []
        if rule is None or rule.kind != "elementwise" or expr.kwargs:
            raise NotDifferentiable(expr, f"differentiating '{qualname(expr.func)}'")
        out: list[tuple[Leaf, ir.Expr]] = []
        for arg, template in zip(expr.args, KERNEL_PARTIALS.get(expr.func, rule.partials)):
            coefficient = instantiate(template, copy.deepcopy(expr.args), copy.deepcopy(expr), on_arrays=False,
                                      math_style=True)
            out += _scaled(recurse(arg), coefficient)
        return out
    raise NotDifferentiable(expr, "this expression (a call of a device function must be the whole right-hand "
                                  "side of an assignment)" if isinstance(expr, ir.Call) else "this expression")


def _scaled(terms: list[tuple[Leaf, ir.Expr]], factor: ir.Expr) -> list[tuple[Leaf, ir.Expr]]:
    return [(leaf, build.mul(copy.deepcopy(factor), coefficient) or ir.Const(0.0)) for leaf, coefficient in terms]
