"""The state of one function's reverse-mode construction.

``ReverseBuilder`` holds what the construct modules (``assign.py``,
``calls.py``, ``control.py``, ``assemble.py``) share while they build the
two sweeps: the function's facts, the program, the reporter, the namer of
adjoint names, the tapes, and the to-be-recorded state (``needed``: the
primal variables the reverse sweep reads, which only grows from one round
of construction to the next; ``pushed_names``, ``recomputed``...).  Each
construct is a plain function ``transform_x(builder, stmt, depth) ->
Sweeps``; ``transform_block`` dispatches through the builder's table of
them, keyed by IR node type (``function.py`` gives it).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Callable, NamedTuple

from .. import ir
from ..analysis.bindings import bound_on_every_path, first_definitions, loop_vars_read_outside, written_names
from ..analysis.dataflow import VIEW_METHODS, is_view
from ..analysis.extents import LeadingExtents
from ..analysis.increments import unsaved_increments
from ..analysis.program import FunctionFacts, Program
from ..analysis.sharing import aliased_arrays, memory_roots, rows_bound_in_loops
from ..checkpoint import DEFAULT_SNAPSHOTS, LoopCounter
from ..checks import ndim_check
from ..diagnostics import Reporter
from ..fold import fold_block
from ..naming import Namer
from ..targets import CPU, Target
from ..walk import flat_targets, statements, sub_blocks
from .adjoint import Adjoints
from .callees import Callees
from .reads import ValueReads
from .recompute import silent_accumulations
from .structure import single_exit
from .tape import ArrayStack, KeptArray


class Sweeps(NamedTuple):
    """What one statement (or block) becomes: its part of the forward sweep
    and its part of the reverse sweep."""

    fwd: list[ir.Stmt]
    rev: list[ir.Stmt]



@dataclass
class Checkpointing:
    """The settings of checkpointed loops: the snapshot count of a directive
    that names none (``--snapshots``), and the counter of ``--instrument``."""

    snapshots: int = DEFAULT_SNAPSHOTS
    loops: LoopCounter | None = None


Transform = Callable[["ReverseBuilder", ir.Stmt, int], Sweeps]


class ReverseBuilder:
    def __init__(self, facts: FunctionFacts, program: Program, reporter: Reporter,
                 callees: Callees, transforms: dict[type, Transform], checkpointing: Checkpointing = Checkpointing(),
                 target: Target = CPU):
        self.facts = facts
        self.transforms = transforms  # IR statement type -> the function that reverses it
        self.target = target  # tapes, adjoint arrays and accumulation are written for it
        self.checkpointing = checkpointing
        self.callees = callees  # what the module functions reversed before this one left for their callers
        self.program = program
        self.reporter = reporter
        base = Namer(facts.func, "bar")
        body, self.output, introduced = single_exit(facts.func, base)
        self.body = fold_block(body)
        # several returns: the value is in variables of the lowering's, one per item of a returned tuple,
        # and a flag says whether a return was taken
        results = [e.id for e in (self.output.items if isinstance(self.output, ir.Tuple) else [self.output])
                   if isinstance(e, ir.Name) and e.id in introduced]
        returns = facts.types.returns
        for k, name in enumerate(results):
            facts.types.env.setdefault(name, returns.items[k] if isinstance(self.output, ir.Tuple) else returns)
            facts.active.add(name)
        for name in set(introduced) - set(results):
            facts.types.env.setdefault(name, ir.BOOL)
        self.results = set(results)
        self.output_lowered = bool(results)
        self.counts = base.fresh("checkpoint_counts") if checkpointing.loops is not None else ""
        self.base_namer = base
        self.first_defs = first_definitions(self.body, {p.name for p in facts.func.params})
        self.bound_before = bound_on_every_path(self.body, {p.name for p in facts.func.params})
        self.order = {id(stmt): k for k, stmt in enumerate(statements(self.body))}
        self.defined_at = {}  # name -> where its first definition is
        for stmt in statements(self.body):
            for name in (t.id for t in flat_targets(getattr(stmt, "target", ir.Tuple([]))) if isinstance(t, ir.Name)):
                if (id(stmt), name) in self.first_defs:
                    self.defined_at.setdefault(name, self.order[id(stmt)])
        self.values_read = ValueReads(self.body, callees)
        self.extents = LeadingExtents(self.body, [p.name for p in facts.func.params])
        self.needed: set[str] = set()
        # id(stmt) -> what the reverse sweep reads once stmt is undone (tbr.py), grown like ``needed``
        self.needed_at: dict[int, set[str]] = {}
        self.silent = silent_accumulations(self.body)
        self.aliased = aliased_arrays(self.body, facts.types)
        self.memory_roots = memory_roots(self.body, facts.types)  # a view bound to a name -> its array
        self.unsaved = unsaved_increments(self.body, [p.name for p in facts.func.params], self.aliased)
        self.row_views = rows_bound_in_loops(self.body, facts.types, facts.flow.written)
        self.loop_vars_read_outside = loop_vars_read_outside(self.body)
        # set by assemble: what f_rev reads on entry, and whether it returns f's value
        self.entry_reads: set[str] = set()
        self.returns_value = False

    def reset(self) -> None:
        """Fresh names and tapes for one round of construction."""
        self.bar = copy.deepcopy(self.base_namer)
        for name in sorted(self.facts.types.env):  # the user's names get the plain ``x_bar``
            if name in self.facts.active or name in self.facts.wrt:
                self.bar(name)
        self.tape = self.target.tape(self.bar)
        self.adjoints = Adjoints(self.facts, self.bar, self.reporter, self.target)
        self.rev_of: dict[int, list[ir.Stmt]] = {}  # id(primal stmt) -> its part of the reverse sweep
        self.pushed_names: dict[str, int] = {}  # name -> where it is first saved (tape or snapshot)
        self.recomputed: set[str] = set()  # iteration-local values recomputed, not taped
        self.driver_reads: dict[int, set[str]] = {}  # id(reverse driver of a checkpointed loop) -> what it needs
        self.loops: list[tuple[ir.For | ir.While, list[str]]] = []  # the enclosing loops, with their fresh arrays
        self.fresh_stacks: dict[str, ArrayStack] = {}  # arrays made afresh in loops -> their stacks
        self.kept: dict[str, KeptArray] = {}  # arrays made afresh in loops, kept by each binding (record.keep_array)
        self.walks: dict[int, ir.For] = {}  # id(primal loop) -> its reverse loop, where that walks forwards
        self.again: dict[int, list[ir.Assign | ir.If]] = {}  # id(primal loop) -> what its reverse iterations recompute
        self.y_bar = self.bar.fresh("y_bar")
        self.value_name = self.bar.fresh("value")

    def reads(self, stmts: list[ir.Stmt]) -> set[str]:
        """The primal variables the reverse code reads (for a checkpointed
        loop's driver, what ``checkpointed`` worked out)."""
        found: set[str] = set()
        for stmt in stmts:
            if id(stmt) in self.driver_reads:
                found |= self.driver_reads[id(stmt)]
                continue
            found |= self.values_read(stmt)
            for block in sub_blocks(stmt):
                found |= self.reads(block)
        return found & set(self.facts.types.env)

    # -- facts ---------------------------------------------------------------------------------

    def type(self, expr: ir.Expr) -> ir.Type:
        return self.facts.types.of(expr)

    def active(self, name: str) -> bool:
        return name in self.facts.active

    def bar_of(self, target: ir.Expr) -> ir.Expr:
        if isinstance(target, ir.Name):
            return ir.Name(self.bar(target.id), target.pos)
        assert isinstance(target, ir.Subscript) and isinstance(target.value, ir.Name)
        return ir.Subscript(ir.Name(self.bar(target.value.id)), copy.deepcopy(target.index), target.pos)

    def bar_view(self, expr: ir.Expr) -> ir.Expr | None:
        """The same view of the adjoint arrays: ``a[1:]`` -> ``a_bar[1:]``."""
        if isinstance(expr, ir.Name) and self.type(expr).is_array:
            return ir.Name(self.bar(expr.id)) if self.active(expr.id) else None
        if isinstance(expr, ir.Subscript) and is_view(expr, self.facts.types):
            inner = self.bar_view(expr.value)
            return ir.Subscript(inner, copy.deepcopy(expr.index)) if inner is not None else None
        if isinstance(expr, ir.Attribute) and expr.attr == "T":
            inner = self.bar_view(expr.value)
            return ir.Attribute(inner, "T") if inner is not None else None
        if isinstance(expr, ir.Call) and expr.func in VIEW_METHODS and expr.args:
            inner = self.bar_view(expr.args[0])
            return ir.Call(expr.func, [inner] + copy.deepcopy(expr.args[1:]), copy.deepcopy(expr.kwargs)) \
                if inner is not None else None
        return None

    def needed_after_undoing(self, stmt: ir.Stmt) -> set[str]:
        """What the reverse sweep reads once ``stmt`` is undone: the values
        ``stmt`` overwrites that are worth saving (tbr.py)."""
        return self.needed_at.get(id(stmt), self.needed)

    def is_first_def(self, stmt: ir.Stmt, name: str) -> bool:
        return (id(stmt), name) in self.first_defs

    def kept_bound(self, stmt: ir.Assign) -> list[ir.Stmt]:
        """The shape check and ``a_live = 1`` after a binding of a kept array (``record.keep_array``)."""
        kept = self.kept.get(stmt.target.id) if isinstance(stmt.target, ir.Name) else None
        return kept.bound(stmt) if kept is not None else []

    def defined_before(self, stmt: ir.Stmt, name: str) -> bool:
        """Whether ``name`` is a parameter or first defined before ``stmt``."""
        return name in {p.name for p in self.facts.func.params} or \
            self.defined_at.get(name, len(self.order)) < self.order[id(stmt)]

    def written_in(self, body: list[ir.Stmt]) -> set[str]:
        """The variables ``body`` assigns or writes into, calls included."""
        return {n for s in statements(body) for n in written_names(s, self.program)}

    def refuse(self, pos: ir.Pos, what: str, code: str = "unsupported-reverse", note: str = "") -> None:
        self.reporter.error(pos, f"{what} is not supported in reverse mode yet (in function "
                            f"'{self.facts.func.name}')", code, note)

    def ndim_check(self, target: ir.Expr) -> list[ir.Stmt]:
        return ndim_check(self.facts, target, self.reporter.filename)

    def counts_argument(self) -> list[ir.Name]:
        """With --instrument, every ``_rev`` takes the counts array last and
        passes it on to the ``_rev`` of its callees (checkpoint/instrument.py)."""
        return [ir.Name(self.counts)] if self.checkpointing.loops is not None else []


def transform_block(builder: ReverseBuilder, body: list[ir.Stmt], depth: int) -> Sweeps:
    """The sweeps of a block: the statements' forward parts in order, their
    reverse parts last statement first."""
    fwd: list[ir.Stmt] = []
    revs: list[list[ir.Stmt]] = []
    for stmt in body:
        f, r = builder.transforms[type(stmt)](builder, stmt, depth)
        fwd += f
        revs.append(r)
        builder.rev_of[id(stmt)] = r
    return Sweeps(fwd, [s for r in reversed(revs) for s in r])
