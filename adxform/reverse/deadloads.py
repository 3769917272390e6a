"""Loads of taped arrays that nothing reads before the array is loaded again.

The reverse sweep of a call loads the arrays the callee writes twice:
before the callee's ``_rev``, which reads them, and after it, for the
adjoints of the statements before the call.  In a loop each reversed
iteration starts by loading its own values, so the load after the call is
overwritten unread, as is the last one after the loop when nothing after
reads the array (``lorenz96``'s six work arrays, every step).  A backward
liveness pass over the finished ``f_rev``, where ``_tape_load_array(a,
…)`` writes every element of ``a`` and reads none, drops those loads.

Only arrays bound in the function that share memory with no other name: a
load into ``a`` would change what a view of it holds, and a parameter may
share memory with another one (a caller passes ``x`` and ``x[1:]``).
``f_rev`` may leave its arrays as it likes when it returns: its callers
keep what they need (``calls.py`` loads what it saved after the call; the
public wrappers copy the arrays on entry).
"""

from __future__ import annotations

from .. import ir
from ..walk import flat_targets, stmt_expressions, sub_blocks, values_read

LOAD = "module._tape_load_array"


def drop_dead_loads(body: list[ir.Stmt], arrays: set[str]) -> None:
    """Removes, in place, the loads into ``arrays`` whose values no
    statement reads before the array is loaded again or the function ends."""
    dead: set[tuple[int, int]] = set()  # (id(block), position): a statement may sit in a block twice
    _Liveness(arrays, dead).block(body, set(), set())
    _remove(body, dead)


class _Liveness:
    def __init__(self, arrays: set[str], dead: set[tuple[int, int]] | None):
        self.arrays = arrays
        self.dead = dead  # None while a loop's fixpoint is sought: nothing is marked then

    def block(self, body: list[ir.Stmt], live: set[str], jump: set[str]) -> set[str]:
        """What is live before ``body`` given what is live after it;
        ``jump``: what is live where a ``break`` or ``continue`` goes."""
        live = set(live)
        for position in reversed(range(len(body))):
            stmt = body[position]
            loaded = _loaded(stmt)
            if loaded in self.arrays and loaded not in live:
                if self.dead is not None:
                    self.dead.add((id(body), position))
                continue
            live = self.stmt(stmt, live, jump)
        return live

    def stmt(self, stmt: ir.Stmt, live: set[str], jump: set[str]) -> set[str]:
        loaded = _loaded(stmt)
        if loaded in self.arrays:
            return (live - {loaded}) | (_reads(stmt) - {loaded})
        if isinstance(stmt, (ir.Break, ir.Continue)):
            return set(jump)
        if isinstance(stmt, ir.If):
            return self.block(stmt.body, live, jump) | self.block(stmt.orelse, live, jump) | _reads(stmt)
        if isinstance(stmt, (ir.For, ir.While)):
            return self.loop(stmt, live)
        killed = {t.id for t in flat_targets(stmt.target) if isinstance(t, ir.Name)} \
            if isinstance(stmt, ir.Assign) and not stmt.inplace else set()
        return (live - killed) | _reads(stmt)

    def loop(self, stmt: ir.For | ir.While, after: set[str]) -> set[str]:
        """Live before the loop: at the head of every iteration, to the fixpoint."""
        heads = _reads(stmt)
        head = after | heads
        probe = _Liveness(self.arrays, None)
        while True:
            grown = head | probe.block(stmt.body, head, head)
            if grown == head:
                break
            head = grown
        self.block(stmt.body, head, head)  # marks the dead loads of the body, with what is live at its end
        return head


def _reads(stmt: ir.Stmt) -> set[str]:
    """The names whose values ``stmt`` itself reads (as ``stmt_reads``), but
    not an array whose size or shape alone it reads (``ftop -= x.size``)."""
    if isinstance(stmt, ir.Assign):
        roots = [stmt.value] + [i for t in flat_targets(stmt.target) if isinstance(t, ir.Subscript) for i in t.index]
    else:
        roots = stmt_expressions(stmt)
    return {n for root in roots for n in values_read(root)}


def _loaded(stmt: ir.Stmt) -> str | None:
    """The array ``_tape_load_array(a, …)`` loads into, where it is a name."""
    if isinstance(stmt, ir.ExprStmt) and isinstance(stmt.value, ir.Call) and stmt.value.func == LOAD \
            and isinstance(stmt.value.args[0], ir.Name):
        return stmt.value.args[0].id
    return None


def _remove(body: list[ir.Stmt], dead: set[tuple[int, int]]) -> None:
    for stmt in body:
        for block in sub_blocks(stmt):
            had = bool(block)
            _remove(block, dead)
            if had and not block:
                block.append(ir.Pass(stmt.pos))
    body[:] = [s for k, s in enumerate(body) if (id(body), k) not in dead]
