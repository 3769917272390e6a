"""Reverse (adjoint) mode for one function: ``f`` -> ``f_rev``.

``f_rev`` runs a forward sweep (the primal, plus pushes of the values the
reverse sweep will need and the forward sweep overwrites) and then a
reverse sweep (the adjoint of each statement, last statement first).  Its
calling convention serves every caller (the public procedure convention,
extended to functions)::

    f_rev(a1..an, [y_bar,] B1..Bm) -> ([y,] b_s1, ..., b_sk)

``B1..Bm``, the adjoints of the differentiated array parameters, are
in/out: on entry the adjoint of what ``f`` leaves in the array, on exit the
adjoint of what it held before.  The returned ``b_s`` are the adjoints of
the differentiated scalar parameters.  The public ``f_vjp``/``f_grad``
wrappers (``wrappers.py``) are thin layers over it.

What to record (Tapenade's "to-be-recorded" analysis, done by running the
construction to a fixpoint): the reverse sweep is built, the primal
variables it reads are the *needed* ones, and only an overwrite of a
needed variable pushes the old value (record.py).  Each statement type has
its construct function (assign.py, calls.py, control.py), found through
``STATEMENT_TRANSFORMS``; assemble.py makes the function of the sweeps.
"""

from __future__ import annotations

from .. import ir
from ..analysis.program import FunctionFacts, Program
from ..diagnostics import Reporter
from .assemble import Watch, assemble, seed
from .assign import transform_assign
from .builder import Checkpointing, ReverseBuilder, Transform, transform_block
from .callees import Callees
from .calls import transform_expr_stmt
from .tbr import needed_by_position
from .control import transform_break, transform_for, transform_if, transform_lowered, transform_pass, transform_while

MAX_ROUNDS = 6
STRUCTURE = "reverse.structure"

STATEMENT_TRANSFORMS: dict[type, Transform] = {
    ir.Assign: transform_assign,
    ir.ExprStmt: transform_expr_stmt,
    ir.If: transform_if,
    ir.For: transform_for,
    ir.While: transform_while,
    ir.Pass: transform_pass,
    ir.Break: transform_break,
    ir.Return: transform_lowered,
    ir.Continue: transform_lowered,
}


def no_watch(stage: str, func: ir.Function) -> None:
    """The default ``watch``: nobody looks at the stages."""


def reverse_function(facts: FunctionFacts, program: Program, reporter: Reporter, callees: Callees,
                     checkpointing: Checkpointing = Checkpointing(),
                     watch: Watch = no_watch) -> tuple[ir.Function, ReverseBuilder]:
    """``f_rev``, and the builder that made it (its namer, and what the
    callers of ``f_rev`` need to know: what it reads on entry, whether it
    returns ``f``'s value)."""
    builder = ReverseBuilder(facts, program, reporter, callees, STATEMENT_TRANSFORMS, checkpointing)
    func = facts.func
    returned = [ir.Return(builder.output, func.pos)] if builder.output is not None else []
    watch(STRUCTURE, ir.Function(func.name, func.params, builder.body + returned, func.pos, target=func.target))
    for _ in range(MAX_ROUNDS):
        builder.reset()
        sweeps = transform_block(builder, builder.body, depth=0)
        seeded = seed(builder)
        reads = builder.reads(sweeps.rev + seeded)
        at = needed_by_position(builder.body, builder.rev_of, builder.reads)
        if reads <= builder.needed and all(at[k] <= builder.needed_at.get(k, set()) for k in at):
            break
        builder.needed |= reads
        for k, names in at.items():
            builder.needed_at[k] = builder.needed_at.get(k, set()) | names
    return assemble(builder, sweeps, seeded, watch), builder
