"""Early ``return`` in a kernel, rewritten as the guard it stands for.

numba.cuda users write ``if i >= x.size: return`` at the top of a kernel
rather than wrapping its body in ``if i < x.size:``.  Both transforms know
only the second form, so a kernel's body is rewritten into it before they
see it: a branch that ends in a bare ``return`` takes nothing after it,
and the statements after the ``if`` move under the other branch::

    if i >= x.size:          if i < x.size:
        return           ->      rest
    rest

An integer comparison is negated by its opposite operator (De Morgan
through ``and``/``or``); any other test gets ``not``, which stays right
for NaN.  A ``return`` in a loop, or in a branch that goes on after it, is
left in place and refused (``context.py``).
"""

from __future__ import annotations

import dataclasses

from ... import ir
from .kinds import INT, kind_of

OPPOSITE = {"<": ">=", ">=": "<", ">": "<=", "<=": ">", "==": "!=", "!=": "=="}


def without_early_returns(func: ir.Function, kinds: dict[str, str]) -> ir.Function:
    """``func`` with its early returns rewritten as guards (a copy, if any)."""
    body = _tail(func.body, kinds)
    return func if body == func.body else dataclasses.replace(func, body=body)


def _returns(body: list[ir.Stmt]) -> bool:
    """Whether ``body`` ends in a bare ``return``."""
    return bool(body) and isinstance(body[-1], ir.Return) and body[-1].value is None


def _tail(body: list[ir.Stmt], kinds: dict[str, str]) -> list[ir.Stmt]:
    """``body`` as the rest of the kernel: nothing runs after it."""
    out: list[ir.Stmt] = []
    for k, stmt in enumerate(body):
        if _returns([stmt]):
            return out
        if isinstance(stmt, ir.If) and (_returns(stmt.body) or _returns(stmt.orelse)):
            rest = body[k + 1:]
            then = _tail(stmt.body[:-1] if _returns(stmt.body) else stmt.body + rest, kinds)
            other = _tail(stmt.orelse[:-1] if _returns(stmt.orelse) else stmt.orelse + rest, kinds)
            if not then and other:  # `if i >= x.size: return`: the rest under the opposite test
                return out + [ir.If(negated(stmt.test, kinds), other, [], stmt.pos)]
            return out + ([ir.If(stmt.test, then, other, stmt.pos)] if then or other else [])
        out.append(stmt)
    return out


def negated(test: ir.Expr, kinds: dict[str, str]) -> ir.Expr:
    if isinstance(test, ir.Compare) and test.op in OPPOSITE and \
            kind_of(test.left, kinds, {}) == INT and kind_of(test.right, kinds, {}) == INT:
        return ir.Compare(OPPOSITE[test.op], test.left, test.right, test.pos)
    if isinstance(test, ir.BoolOp):
        parts = [negated(v, kinds) for v in test.values]
        if not any(isinstance(p, ir.UnaryOp) and p.op == "not" for p in parts):
            return ir.BoolOp("or" if test.op == "and" else "and", parts, test.pos)
    if isinstance(test, ir.UnaryOp) and test.op == "not":
        return test.operand
    return ir.UnaryOp("not", test, test.pos)
