"""The loop-carried state of a checkpointed loop: what a snapshot copies.

A variable belongs to the state when the loop body changes it and someone
may read the changed value: a later iteration (the body reads it before it
writes it) or code outside the loop (forward or reverse sweep).  Values the
body computes afresh in every iteration and nobody reads elsewhere are left
out: re-running the iteration makes them again, as are work arrays that
every iteration fills before reading them (``filled``: ``k1`` of an RK4
step, filled by the step's first stage) and that outside the loop are only
made (``k1 = np.zeros(n)``), which no adjoint reads.  Arrays changed in
place are copied whole.
"""

from __future__ import annotations

from .. import ir
from ..analysis.extents import CONSTRUCTORS, SAME_SHAPE
from ..analysis.liveness import live_in
from ..walk import around_loop, statements, target_names


def carried_state(loop: ir.For | ir.While, function_body: list[ir.Stmt], written: set[str],
                  env: dict[str, ir.Type], filled: set[str] = frozenset()) -> list[str]:
    """The state variables of ``loop``, sorted; ``written`` is what the body
    writes (calls included), ``filled`` the arrays it fills before reading
    them in every iteration."""
    read, assigned = around_loop(loop, function_body)
    outside = read | (assigned - (filled & _only_made_outside(loop, function_body)))
    exposed = live_in(loop.body) - filled  # read by the body before it writes them: carried across iterations
    loop_var = {loop.var} if isinstance(loop, ir.For) else set()
    return sorted(n for n in written - loop_var if n in env and (n in exposed or n in outside))


def _only_made_outside(loop: ir.For | ir.While, function_body: list[ir.Stmt]) -> set[str]:
    """The names that outside ``loop`` only ``np.zeros``, ``np.empty_like``,
    ``x.copy()`` and the like bind: the adjoint of such a binding reads no
    value of the name."""
    inside = {id(s) for s in statements(loop.body)}
    made: dict[str, bool] = {}
    for stmt in statements(function_body):
        if id(stmt) not in inside and isinstance(stmt, ir.Assign):
            is_made = not stmt.inplace and isinstance(stmt.target, ir.Name) and isinstance(stmt.value, ir.Call) \
                and stmt.value.func in CONSTRUCTORS + SAME_SHAPE
            for name in target_names(stmt.target):
                made[name] = made.get(name, True) and is_made
    return {name for name, is_made in made.items() if is_made}
