"""Reverse (adjoint) mode: ``f`` -> ``f_rev`` and the public ``f_vjp``,
``f_grad``, ``f_value_and_grad`` / ``p_vjp`` (SPEC §4)."""

from __future__ import annotations

from .. import ir
from ..analysis.program import Program
from ..diagnostics import Reporter
from ..checkpoint import DEFAULT_SNAPSHOTS, LoopCounter
from .function import Checkpointing, ReverseFunction
from .wrappers import public_functions


def reverse_functions(program: Program, reporter: Reporter, snapshots: int = DEFAULT_SNAPSHOTS,
                      loops: LoopCounter | None = None) -> dict[str, list[ir.Function]]:
    """The derivative functions of every function that needs them, keyed by
    the primal's name: its ``_rev``, then (for the functions asked for) the
    public wrappers.  ``snapshots`` is the default of checkpointed loops;
    ``loops`` numbers them when they are counted (``--instrument``)."""
    out: dict[str, list[ir.Function]] = {}
    entry_reads: dict[str, set[str]] = {}  # callees come first in program.order
    returns_value: dict[str, bool] = {}
    for name in program.order:
        if not program.needs_derivative(name):
            continue
        builder = ReverseFunction(program.facts[name], program, reporter, entry_reads, returns_value,
                                  Checkpointing(snapshots, loops))
        functions = [builder.build()]
        entry_reads[name] = builder.entry_reads
        returns_value[name] = builder.returns_value
        if name in program.roots:
            functions += public_functions(program.facts[name], builder.bar, builder.y_bar, builder.returns_value)
        out[name] = functions
    reporter.check()
    return out
