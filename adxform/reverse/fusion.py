"""The function's value, computed inside the reverse sweep.

When the forward sweep was sliced down to nearly nothing, ``f_vjp`` would
have to run the whole primal again for ``f``'s value.  But where the value
is a sum accumulated in a loop nest (``e -= m[i] * m[j] / r``) whose
reverse sweep walks forwards and recomputes every value the sum reads, the
sum can be accumulated right there, in the same order as the primal (so
the value is bit for bit the primal's), for the price of one operation per
iteration.  ``fuse_value`` checks that this is the case and says where the
accumulations go.

Only where the reverse loop already sums into a scalar adjoint across its
iterations (``eps_bar += …``): such a loop runs one iteration at a time
anyway, while a reverse loop without one may be vectorised, and a sum added
to it would stop that (measured: Rosenbrock's gradient went from 1.8 ms to
2.7 ms with its value fused, against 1.0 ms for the primal run apart).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from .. import ir
from ..walk import names_read, statements, target_names
from .recompute import defined_names


@dataclass
class Fusion:
    inits: list[ir.Assign]  # e = <constant>, before the loops: they move to the end of the forward sweep
    inserts: list[tuple[ir.For, int, list[ir.Stmt]]]  # (reverse loop, position in its body, accumulations)
    reads: set[str]  # what the accumulations read

    def apply(self) -> None:
        for loop, position, stmts in self.inserts:
            loop.body[position:position] = stmts


def fuse_value(body: list[ir.Stmt], output: ir.Expr | None, walks: dict[int, ir.For],
               again: dict[int, list[ir.Assign | ir.If]], needed: set[str], scalar_bars: set[str]) -> Fusion | None:
    """``walks``: id(primal loop) -> its reverse loop, for the loops walked
    forwards; ``again``: id(primal loop) -> the statements recomputed at the
    head of each reverse iteration; ``scalar_bars``: the adjoints of scalars."""
    if not isinstance(output, ir.Name) or output.id in needed:
        return None
    total = output.id
    written = {n for s in statements(body) if isinstance(s, ir.Assign) for n in target_names(s.target)}
    written |= {s.var for s in statements(body) if isinstance(s, ir.For)}
    inits: list[ir.Assign] = []
    inserts: list[tuple[ir.For, int, list[ir.Stmt]]] = []
    for stmt in body:
        if not _writes(stmt, total):
            continue
        if isinstance(stmt, ir.Assign) and isinstance(stmt.target, ir.Name) and isinstance(stmt.value, ir.Const) \
                and not inserts:
            inits.append(stmt)
            continue
        found = _fusable(stmt, total, walks, again, written, set(), scalar_bars) if isinstance(stmt, ir.For) \
            else None
        if found is None:
            return None
        inserts += found
    if not inits or not inserts:
        return None
    reads = {n for _, _, stmts in inserts for s in stmts for n in names_read(s.value)}
    return Fusion(inits, inserts, reads)


def _writes(stmt: ir.Stmt, name: str) -> bool:
    return any(isinstance(s, ir.Assign) and name in target_names(s.target) for s in statements([stmt]))


def _fusable(loop: ir.For, total: str, walks: dict[int, ir.For], again: dict[int, list[ir.Assign | ir.If]],
             written: set[str], ready: set[str], scalar_bars: set[str]) -> list[tuple[ir.For, int, list[ir.Stmt]]] | None:
    """Where the accumulations of ``total`` in ``loop`` go in the reverse
    loops, or None; ``ready`` holds what the enclosing reverse iterations
    have recomputed."""
    reverse = walks.get(id(loop))
    if reverse is None:
        return None
    recomputed = again.get(id(loop), [])
    ready = ready | {loop.var} | {n for s in recomputed for n in defined_names(s)}
    inner = [s for s in loop.body if _writes(s, total)]
    if all(isinstance(s, ir.For) for s in inner):
        out: list[tuple[ir.For, int, list[ir.Stmt]]] = []
        for stmt in inner:
            found = _fusable(stmt, total, walks, again, written, ready, scalar_bars)
            if found is None:
                return None
            out += found
        return out
    if any(isinstance(s, (ir.For, ir.While)) for s in loop.body):
        return None  # accumulations beside a loop: the order of the sum would change
    if not _sums_across_iterations(reverse.body, scalar_bars):
        return None
    for stmt in inner:
        if not _accumulates(stmt, total) or not all(n in ready or n not in written for n in names_read(stmt.value.right)):
            return None
    return [(reverse, len(recomputed), [copy.deepcopy(s) for s in inner])]


def _sums_across_iterations(body: list[ir.Stmt], scalar_bars: set[str]) -> bool:
    """Whether ``body`` adds into a scalar adjoint that it never resets."""
    summed = {s.target.id for s in body if isinstance(s, ir.Assign) and s.inplace and isinstance(s.target, ir.Name)
              and s.target.id in scalar_bars}
    reset = {s.target.id for s in statements(body) if isinstance(s, ir.Assign) and not s.inplace
             and isinstance(s.target, ir.Name)}
    return bool(summed - reset)


def _accumulates(stmt: ir.Stmt, total: str) -> bool:
    """``total += e`` or ``total -= e`` with ``e`` not reading ``total``."""
    return (isinstance(stmt, ir.Assign) and stmt.inplace and isinstance(stmt.target, ir.Name)
            and stmt.target.id == total and isinstance(stmt.value, ir.BinOp) and stmt.value.op in "+-"
            and isinstance(stmt.value.left, ir.Name) and stmt.value.left.id == total
            and total not in names_read(stmt.value.right))
