"""Reverse (adjoint) mode: ``f`` -> ``f_rev`` and the public ``f_vjp``,
``f_grad``, ``f_value_and_grad`` / ``p_vjp`` (docs/generated-module.md)."""

from __future__ import annotations

from .. import ir
from ..analysis.program import Program
from ..analysis.undecided import undecided
from ..checks import array_checks
from ..diagnostics import Reporter
from ..checkpoint import DEFAULT_SNAPSHOTS, LoopCounter
from ..naming import Namer
from .assemble import FUSION, MERGE, SLICING, SWEEPS, Watch
from .builder import Checkpointing
from .callees import Callees
from .custom import rev_from_rule
from .function import STRUCTURE, no_watch, reverse_function
from .names import distinct_rev_names
from .wrappers import public_functions

# the stages of one function's reverse mode, in the order they run; --dump-after names them
REVERSE_STAGES = (STRUCTURE, SWEEPS, SLICING, FUSION, MERGE)


def reverse_functions(program: Program, reporter: Reporter, snapshots: int = DEFAULT_SNAPSHOTS,
                      loops: LoopCounter | None = None, watch: Watch = no_watch) -> dict[str, list[ir.Function]]:
    """The derivative functions of every function that needs them, keyed by
    the primal's name: its ``_rev``, then (for the functions asked for) the
    public wrappers.  ``snapshots`` is the default of checkpointed loops;
    ``loops`` numbers them when they are counted (``--instrument``);
    ``watch`` sees each ``_rev`` after each stage of its construction
    (``--dump-after reverse.fusion``)."""
    out: dict[str, list[ir.Function]] = {}
    callees = Callees(program)  # callees come first in program.order
    distinct_rev_names(program)
    for name in program.order:
        if not program.needs_derivative(name):
            continue
        facts = program.facts[name]
        if name in program.custom:  # the user's g_vjp serves, through an adapter
            bar = Namer(facts.func, "bar")
            y_bar = bar.fresh("y_bar")
            functions = [rev_from_rule(facts, program.custom[name], bar, y_bar, loops is not None)]
            callees.add(facts, None, {p.name for p in facts.func.params}, not facts.is_procedure)
            public = public_functions(facts, bar, y_bar, not facts.is_procedure,
                                      loops is not None)[1:]  # all but g_vjp itself
        else:
            rev, builder = reverse_function(facts, program, reporter, callees,
                                            Checkpointing(snapshots, loops), watch)
            array_checks(rev, undecided(facts.func, facts.types), facts.func.name, reporter.filename)
            functions = [rev]
            callees.add(facts, rev, builder.entry_reads, builder.returns_value)
            public = public_functions(facts, builder.bar, builder.y_bar, builder.returns_value, loops is not None)
        out[name] = functions + (public if name in program.roots else [])
    reporter.check()
    return out
