"""One increment where the adjoint adds into the same place twice in a row.

The adjoint of ``loss += r * r`` adds two partials into ``r_bar``, and that
of ``u[i] = u[i] + c * u[i]`` two into ``u_bar[i]``::

    r_bar += loss_bar * r              r_bar += loss_bar * r + r * loss_bar
    r_bar += r * loss_bar       ->

Each increment of an array element is a load and a store that the next
one must wait for, which stops numba vectorising the adjoint loop; one
increment of the sum is a single read-modify-write.  Two increments merge
when they are adjacent, into the same target, and the second does not
read the target (it would see the first's result).
"""

from __future__ import annotations

from .. import build, ir
from ..walk import names_read, same, sub_blocks


def merge_increments(stmts: list[ir.Stmt]) -> list[ir.Stmt]:
    """``stmts`` with adjacent increments of one target merged, in every
    nested block too (changed in place: loops keep their identity)."""
    out: list[ir.Stmt] = []
    for stmt in stmts:
        for block in sub_blocks(stmt):
            block[:] = merge_increments(block)
        previous = out[-1] if out else None
        if previous is not None and _increment(previous) and _increment(stmt) and same(previous.target, stmt.target):
            out[-1] = ir.Assign(previous.target, _combined(previous.value, stmt.value), previous.pos, inplace=True)
            continue
        out.append(stmt)
    return out


def _increment(stmt: ir.Stmt) -> bool:
    """``t += e`` or ``t -= e``, where ``e`` does not read ``t``'s base."""
    return (isinstance(stmt, ir.Assign) and stmt.inplace and isinstance(stmt.value, ir.BinOp)
            and stmt.value.op in "+-" and same(stmt.value.left, stmt.target) and not _reads_target(stmt))


def _reads_target(stmt: ir.Assign) -> bool:
    base = stmt.target.value if isinstance(stmt.target, ir.Subscript) else stmt.target
    return isinstance(base, ir.Name) and base.id in names_read(stmt.value.right)


def _combined(first: ir.BinOp, second: ir.BinOp) -> ir.BinOp:
    """``t + a`` and ``t - b`` -> ``t + (a - b)``; ``t - a`` and ``t - b`` -> ``t - (a + b)``."""
    if first.op == "-":
        right = build.add(first.right, second.right) if second.op == "-" else build.sub(first.right, second.right)
        return ir.BinOp("-", first.left, right)
    right = build.add(first.right, second.right) if second.op == "+" else build.sub(first.right, second.right)
    return ir.BinOp("+", first.left, right)
