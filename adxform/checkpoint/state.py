"""The loop-carried state of a checkpointed loop: what a snapshot copies.

A variable belongs to the state when the loop body changes it and someone
may read the changed value: a later iteration (the body reads it before it
writes it) or code outside the loop (forward or reverse sweep).  Values the
body computes afresh in every iteration and nobody reads elsewhere are left
out: re-running the iteration makes them again.  Arrays changed in place
are copied whole.
"""

from __future__ import annotations

from .. import ir
from ..analysis.liveness import live_in
from ..walk import around_loop


def carried_state(loop: ir.For | ir.While, function_body: list[ir.Stmt], written: set[str],
                  env: dict[str, ir.Type]) -> list[str]:
    """The state variables of ``loop``, sorted; ``written`` is what the body
    writes (calls included)."""
    read, assigned = around_loop(loop, function_body)
    outside = read | assigned
    exposed = live_in(loop.body)  # read by the body before it writes them: carried across iterations
    loop_var = {loop.var} if isinstance(loop, ir.For) else set()
    return sorted(n for n in written - loop_var if n in env and (n in exposed or n in outside))
