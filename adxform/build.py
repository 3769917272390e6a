"""Small constructors that fold while they build, shared by both modes.

Derivative code is full of zeros and ones: ``0 * x``, ``x * 1.0``, ``a - 0``.
``None`` stands for an exact zero (a derivative known to vanish), and these
helpers drop it, fold constant arithmetic and keep the output readable.
"""

from __future__ import annotations

import copy

from . import ir
from .walk import same


def is_const(expr: ir.Expr | None, value: float | None = None) -> bool:
    if not isinstance(expr, ir.Const) or isinstance(expr.value, bool) or expr.value is None:
        return False
    return value is None or expr.value == value


def int_value(expr: ir.Expr) -> int | None:
    """The value of an integer literal, ``-2`` (a unary minus) included."""
    if isinstance(expr, ir.UnaryOp) and expr.op == "-":
        inner = int_value(expr.operand)
        return None if inner is None else -inner
    if isinstance(expr, ir.Const) and isinstance(expr.value, int) and not isinstance(expr.value, bool):
        return expr.value
    return None


def neg(a: ir.Expr | None) -> ir.Expr | None:
    if a is None:
        return None
    if is_const(a):
        return ir.Const(-a.value)
    if isinstance(a, ir.UnaryOp) and a.op == "-":
        return a.operand
    return ir.UnaryOp("-", a)


def add(a: ir.Expr | None, b: ir.Expr | None) -> ir.Expr | None:
    if a is None:
        return b
    if b is None:
        return a
    if is_const(a) and is_const(b):
        return ir.Const(a.value + b.value)
    if isinstance(a, ir.IfExp) and isinstance(b, ir.IfExp) and same(a.test, b.test):
        # (p if c else 0) + (0 if c else q)  ->  p if c else q
        if is_const(a.orelse, 0) and is_const(b.body, 0):
            return ir.IfExp(a.test, a.body, b.orelse)
        if is_const(a.body, 0) and is_const(b.orelse, 0):
            return ir.IfExp(a.test, b.body, a.orelse)
    if isinstance(b, ir.UnaryOp) and b.op == "-":
        return ir.BinOp("-", a, b.operand)
    return ir.BinOp("+", a, b)


def sub(a: ir.Expr | None, b: ir.Expr | None) -> ir.Expr | None:
    if b is None or is_const(b, 0):
        return a
    if a is None:
        return neg(b)
    if is_const(a) and is_const(b):
        return ir.Const(a.value - b.value)
    if isinstance(b, ir.UnaryOp) and b.op == "-":
        return ir.BinOp("+", a, b.operand)
    return ir.BinOp("-", a, b)


def mul(a: ir.Expr | None, b: ir.Expr | None) -> ir.Expr | None:
    if a is None or b is None:
        return None
    if is_const(a, 0) or is_const(b, 0):
        return None
    if is_const(a) and is_const(b):
        return ir.Const(a.value * b.value)
    if is_const(a, 1):
        return b
    if is_const(b, 1):
        return a
    if is_const(a, -1):
        return neg(b)
    if is_const(b, -1):
        return neg(a)
    if isinstance(a, ir.UnaryOp) and a.op == "-":
        return neg(mul(a.operand, b))
    if isinstance(b, ir.UnaryOp) and b.op == "-":
        return neg(mul(a, b.operand))
    if isinstance(a, ir.BinOp) and a.op == "/" and is_const(a.left, 1):
        return div(b, a.right)  # (1 / x) * t  ->  t / x
    if isinstance(a, ir.IfExp) and is_const(a.body) and is_const(a.orelse):
        # (1.0 if c else 0.0) * t  ->  t if c else 0.0
        return ir.IfExp(a.test, mul(a.body, b) or ir.Const(0.0), mul(a.orelse, copy.deepcopy(b)) or ir.Const(0.0))
    return ir.BinOp("*", a, b)


def div(a: ir.Expr | None, b: ir.Expr) -> ir.Expr | None:
    if a is None:
        return None
    if is_const(b, 1):
        return a
    if is_const(a) and is_const(b) and b.value != 0:
        return ir.Const(a.value / b.value)
    if isinstance(a, ir.UnaryOp) and a.op == "-":
        return neg(div(a.operand, b))
    return ir.BinOp("/", a, b)


def power(a: ir.Expr, b: ir.Expr) -> ir.Expr:
    if is_const(b, 1):
        return a
    if is_const(b, 0):
        return ir.Const(1.0)
    return ir.BinOp("**", a, b)


def call(func: str, *args: ir.Expr) -> ir.Call:
    return ir.Call(func, list(args))


def increment(name: ir.Name) -> ir.Stmt:
    """``name += 1``, for counters."""
    return ir.Assign(copy.deepcopy(name), ir.BinOp("+", copy.deepcopy(name), ir.Const(1)), inplace=True)


def trip_count(loop: ir.For) -> ir.Expr:
    """``len(range(start, stop, step))`` of a ``for`` loop."""
    if is_const(loop.step, 1):
        return sub(copy.deepcopy(loop.stop), copy.deepcopy(loop.start))
    return ir.Call("module._trip_count", [copy.deepcopy(loop.start), copy.deepcopy(loop.stop), copy.deepcopy(loop.step)])
