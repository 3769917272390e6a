"""Liveness over IR blocks: which variables a block reads before it writes
them.  Arrays are tracked as wholes: a write into an element keeps the rest
of its array live (the write does not define the array)."""

from __future__ import annotations

from .. import ir
from ..walk import flat_targets, names_read, stmt_expressions, stmt_reads


def reads_of(stmt: ir.Stmt) -> set[str]:
    """What a statement reads; a write into an element also keeps the rest
    of its array live."""
    bases = {t.value.id for t in flat_targets(stmt.target) if isinstance(t, ir.Subscript)
             and isinstance(t.value, ir.Name)} if isinstance(stmt, ir.Assign) else set()
    return stmt_reads(stmt) | bases


def live_in(body: list[ir.Stmt], live: set[str] = frozenset()) -> set[str]:
    """The names ``body`` reads before it writes them (its upward-exposed
    uses), given what is live after it."""
    live = set(live)
    for stmt in reversed(body):
        live = _live_before(stmt, live)
    return live


def _live_before(stmt: ir.Stmt, live: set[str]) -> set[str]:
    if isinstance(stmt, ir.Assign):
        whole = {t.id for t in flat_targets(stmt.target) if isinstance(t, ir.Name)} if not stmt.inplace else set()
        return (live - whole) | reads_of(stmt)
    if isinstance(stmt, (ir.For, ir.While)):
        heads = {n for e in stmt_expressions(stmt) for n in names_read(e)}
        inner = set(live)
        while True:  # what one iteration needs, with what the next ones need after it
            grown = live | live_in(stmt.body, inner) | heads
            if grown == inner:
                break
            inner = grown
        return inner - ({stmt.var} - heads if isinstance(stmt, ir.For) else set())
    if isinstance(stmt, ir.If):
        return live_in(stmt.body, live) | live_in(stmt.orelse, live) | set(names_read(stmt.test))
    return live | {n for e in stmt_expressions(stmt) for n in names_read(e)}
