"""Branches decided by constants are folded before anything else sees them.

numba prunes a branch whose test compares constants (``c = 0`` then
``if c > 1:``, or ``if 0.1 < -0.2:``) before it types a function: what
the branch binds is then never defined.  The primal does not notice, as
only the branch reads it, but the reverse sweep does: it reads the values
the forward sweep bound in the branch (``A = np.outer(u, u)`` there), and
numba stops with ``Unsupported assignment encountered: Undefined`` or
``Type of variable ... cannot be determined``.  So the branch is folded
here, into the statements of the side that runs, and both modes and the
copy of the primal in the generated module see the code numba runs.

A name is a constant where its last binding on every path is a number
literal, or a step of a constant by one (``c = 0; c += 1``): bindings in a
loop body, or in a branch not folded, end that (the loop runs them again;
the branch may not run).  Statements after a
``return``, ``break`` or ``continue`` of their block never run and are
dropped, as numba drops them: a folded branch that returns leaves its
block's tail unreachable.
"""

from __future__ import annotations

import operator

from . import ir
from .walk import flat_targets, statements

COMPARISONS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "==": operator.eq,
               "!=": operator.ne}
Number = int | float | bool
ARITHMETIC = {"+": operator.add, "-": operator.sub, "*": operator.mul}
LEAVING = (ir.Return, ir.Break, ir.Continue)


def fold_constant_branches(module: ir.Module) -> None:
    for func in module.functions.values():
        func.body = fold_block(func.body)


def fold_block(body: list[ir.Stmt]) -> list[ir.Stmt]:
    """A function body with its decided branches folded (its blocks changed
    in place).  Reverse mode folds again after lowering its returns, which
    copies the statements after a branch that returns into the other side,
    where a name may be a constant that it was not before."""
    return _block(body, {})


def _block(body: list[ir.Stmt], constants: dict[str, Number]) -> list[ir.Stmt]:
    """``body`` with its decided branches folded; ``constants`` (updated in
    place) holds the names bound to numbers on entry, and on exit."""
    out: list[ir.Stmt] = []
    for stmt in body:
        if out and isinstance(out[-1], LEAVING):  # what follows never runs (a folded branch returned)
            break
        if isinstance(stmt, ir.If):
            test = _value(stmt.test, constants)
            if isinstance(test, (int, float, bool)):  # decided: the side that runs, folded in its turn
                out += _block(stmt.body if test else stmt.orelse, constants)
                continue
            stmt.body = _block(stmt.body, dict(constants))
            stmt.orelse = _block(stmt.orelse, dict(constants))
        elif isinstance(stmt, (ir.For, ir.While)):
            for name in _bound(stmt.body) | ({stmt.var} if isinstance(stmt, ir.For) else set()):
                constants.pop(name, None)
            stmt.body = _block(stmt.body, dict(constants))
        out.append(stmt)
        before = dict(constants)  # `c += 1` reads the c of before
        _forget_bound(stmt, constants)
        if isinstance(stmt, ir.Assign) and isinstance(stmt.target, ir.Name):
            value = _value(stmt.value, before)
            if isinstance(value, (int, float)) and (stmt.inplace or isinstance(stmt.value, ir.Const)):
                constants[stmt.target.id] = value
    return out


def _value(expr: ir.Expr, constants: dict[str, Number]) -> Number | None:
    """The value of a test made of number literals, names bound to them,
    comparisons, ``and``/``or`` and ``not``; None where it is not one."""
    if isinstance(expr, ir.Const):
        return expr.value if isinstance(expr.value, (int, float, bool)) else None
    if isinstance(expr, ir.Name):
        return constants.get(expr.id)
    if isinstance(expr, ir.UnaryOp) and expr.op in ("not", "-"):
        operand = _value(expr.operand, constants)
        return None if operand is None else (not operand) if expr.op == "not" else -operand
    if isinstance(expr, ir.BinOp) and expr.op in ARITHMETIC:
        left, right = _value(expr.left, constants), _value(expr.right, constants)
        return None if left is None or right is None else ARITHMETIC[expr.op](left, right)
    if isinstance(expr, ir.Compare) and expr.op in COMPARISONS:
        left, right = _value(expr.left, constants), _value(expr.right, constants)
        return None if left is None or right is None else COMPARISONS[expr.op](left, right)
    if isinstance(expr, ir.BoolOp):
        values = [_value(v, constants) for v in expr.values]
        if any(v is None for v in values):
            return None
        return all(values) if expr.op == "and" else any(values)
    return None


def _bound(body: list[ir.Stmt]) -> set[str]:
    """The names a block binds, in nested blocks too."""
    return {t.id for s in statements(body) if isinstance(s, ir.Assign)
            for t in flat_targets(s.target) if isinstance(t, ir.Name)} | \
        {s.var for s in statements(body) if isinstance(s, ir.For)}


def _forget_bound(stmt: ir.Stmt, constants: dict[str, Number]) -> None:
    for name in _bound([stmt]):
        constants.pop(name, None)
