"""To-be-recorded by position: what the reverse sweep reads *after* it
undoes a statement, for each statement of the primal.

The value a statement S overwrites is needed only by reverse code that runs
once S has been undone: S's own adjoint, the adjoints of the statements that
ran before S in its block, and, around S, those that ran before its block
did (for a loop, its whole body too: earlier iterations ran before S).  The
adjoints of the statements after S run before S is undone and read the
values S left.  So ``x`` saved before ``x = …`` at the head of a body is
not saved where only later statements' adjoints read ``x`` (the work array
``tmp`` that each stage of an RK4 step fills before reading it).

``needed_by_position`` maps id(statement) to that set, from the reverse
code each statement produced in one round of construction
(``ReverseBuilder.rev_of``).  A block with a statement without a record
(one whose reverse was built from a copy) has no entries, nor have the
blocks inside it, and the function's ``needed`` serves for them, as it
always did.
"""

from __future__ import annotations

from typing import Callable

from .. import ir
from ..walk import sub_blocks

ReadsOf = Callable[[list[ir.Stmt]], set[str]]  # the primal variables some reverse code reads


def needed_by_position(body: list[ir.Stmt], rev_of: dict[int, list[ir.Stmt]],
                       reads: ReadsOf, context: frozenset[str] = frozenset()) -> dict[int, set[str]]:
    """id(stmt) -> the primal variables the reverse sweep reads once
    ``stmt`` has been undone, for the statements of ``body`` and nested
    ones; ``context``: what the reverse sweep reads after the whole block."""
    found: dict[int, set[str]] = {}
    if any(id(stmt) not in rev_of for stmt in body):
        return found  # what a statement without a record reads is not known: the block keeps ``needed``
    before = set(context)  # read once the statements so far are undone
    for stmt in body:
        outer = frozenset(before)
        before |= reads(rev_of[id(stmt)])
        found[id(stmt)] = set(before)
        # in a loop, the earlier iterations ran before: the whole body's adjoint reads count
        inner = frozenset(before) if isinstance(stmt, (ir.For, ir.While)) else outer
        for block in sub_blocks(stmt):
            found.update(needed_by_position(block, rev_of, reads, inner))
    return found

