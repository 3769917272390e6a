"""A seed scaled by a number goes to ``_add_into`` as its factor, not as an
array of its own.

The adjoint of a stencil written with slices scales one seed and adds it
into several views of an adjoint::

    t_bar2 = k * t_bar                      _add_into(u_bar[2:], t_bar, k)
    _add_into(u_bar[2:], t_bar2)        ->  _add_into(u_bar[1:-1], t_bar, -2.0 * k)
    _add_into(u_bar[1:-1], t_bar2, -2.0)    _add_into(u_bar[:-2], t_bar, k)
    _add_into(u_bar[:-2], t_bar2)

``_add_into`` scales each element as it adds it, so the product is never
made: one array and one pass fewer.  The rewrite is exact where the scaled
array is bound once and read only by these calls, right after its binding,
and neither the seed nor the number is an adjoint they add into.
"""

from __future__ import annotations

from .. import ir
from ..walk import names_read, statements, stmt_expressions, sub_blocks

ADD_INTO = "module._add_into"


def fold_scaled_seeds(body: list[ir.Stmt], numbers: set[str]) -> None:
    """Rewrite, in place, every block of ``body`` (the reverse code of a
    function); ``numbers``: the primal's scalar variables, which a seed
    may be scaled by."""
    mentions: dict[str, int] = {}
    for stmt in statements(body):
        for expr in stmt_expressions(stmt):
            for name in names_read(expr):
                mentions[name] = mentions.get(name, 0) + 1
    _fold(body, numbers, mentions)


def _fold(block: list[ir.Stmt], numbers: set[str], mentions: dict[str, int]) -> None:
    for stmt in block:
        for sub in sub_blocks(stmt):
            _fold(sub, numbers, mentions)
    k = 0
    while k < len(block):
        scaled = _scaled_seed(block[k], numbers)
        if scaled is not None:
            name, factor, seed = scaled
            uses = _uses(block, k + 1, name, seed, factor)
            if uses and mentions.get(name, 0) == 1 + len(uses):
                for index in uses:
                    call = block[index].value
                    scale = factor if len(call.args) == 2 else ir.BinOp("*", call.args[2], factor)
                    block[index] = ir.ExprStmt(ir.Call(ADD_INTO, [call.args[0], ir.Name(seed), scale]), block[index].pos)
                del block[k]
                continue
        k += 1


def _scaled_seed(stmt: ir.Stmt, numbers: set[str]) -> tuple[str, ir.Expr, str] | None:
    """(t, k, s) for ``t = k * s`` (or ``s * k``) of a number ``k`` and a name ``s``."""
    if not (isinstance(stmt, ir.Assign) and not stmt.inplace and isinstance(stmt.target, ir.Name)
            and isinstance(stmt.value, ir.BinOp) and stmt.value.op == "*"):
        return None
    for factor, seed in ((stmt.value.left, stmt.value.right), (stmt.value.right, stmt.value.left)):
        number = isinstance(factor, ir.Const) and type(factor.value) is float \
            or isinstance(factor, ir.Name) and factor.id in numbers
        if number and isinstance(seed, ir.Name) and seed.id not in numbers:
            return stmt.target.id, factor, seed.id
    return None


def _uses(block: list[ir.Stmt], start: int, name: str, seed: str, factor: ir.Expr) -> list[int]:
    """The statements right after ``start`` that add ``name`` (a constant
    factor allowed) into an adjoint other than ``seed``'s and ``factor``'s;
    none where anything else comes first."""
    touched = {seed} | set(names_read(factor))
    found: list[int] = []
    for index in range(start, len(block)):
        stmt = block[index]
        call = stmt.value if isinstance(stmt, ir.ExprStmt) else None
        if not (isinstance(call, ir.Call) and call.func == ADD_INTO and len(call.args) in (2, 3)
                and isinstance(call.args[1], ir.Name) and call.args[1].id == name):
            break
        if set(names_read(call.args[0])) & (touched | {name}) or len(call.args) == 3 \
                and not isinstance(call.args[2], ir.Const):
            return []
        found.append(index)
    return found
