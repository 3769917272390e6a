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
needed variable pushes the old value (a first definition overwrites
nothing).  The reverse sweep pops it back just before the adjoint of the
overwriting statement, so every adjoint sees the values of its own time.
Loop bounds and ``if`` tests are re-evaluated the same way when nothing
inside the construct changes them; otherwise the branch taken and the trip
count are recorded.

Calls of module functions run the primal in the forward sweep and the
callee's ``_rev`` in the reverse sweep, which recomputes the callee's own
forward sweep: joint reversal, as Tapenade's default.  Arrays a callee
writes are saved whole before the call and restored around its ``_rev``.
"""

from __future__ import annotations

import copy
from collections import Counter
from dataclasses import dataclass

from .. import build, ir
from ..checkpoint import DEFAULT_SNAPSHOTS, Checkpointed, LoopCounter, carried_state
from ..analysis.dataflow import VIEW_METHODS, is_view, view_base
from ..analysis.program import FunctionFacts, Program
from ..analysis.runtime import RUNTIME_WRITES
from ..analysis.types import FunctionTypes
from ..checks import entry_checks, ndim_check
from ..diagnostics import Reporter
from ..naming import Namer
from ..walk import (
    assignment_pairs,
    bound_names,
    expressions,
    flat_targets,
    names_read,
    same,
    statements,
    stmt_expressions,
    stmt_reads,
    sub_blocks,
    target_names,
)
from .adjoint import Adjoints
from .fusion import fuse_value
from .merge import merge_increments
from .loops import array_pushes_of_fixed_size, countdown, own_statements, pushes_per_iteration, put_pushes, reversed_for
from .recompute import defined_names, iterations_commute, recomputable, silent_accumulations
from .reuse import bind_repeated_calls
from ..analysis.liveness import live_in
from .slicing import slice_forward
from .structure import at_path_ends, single_exit
from .runtime import RuntimeAdjoints, is_helper_call
from .tape import ArrayStack
from ..targets import CPU, Target

MAX_ROUNDS = 6


@dataclass
class Checkpointing:
    """The settings of checkpointed loops: the snapshot count of a directive
    that names none (``--snapshots``), and the counter of ``--instrument``."""

    snapshots: int = DEFAULT_SNAPSHOTS
    loops: LoopCounter | None = None


class ReverseFunction:
    def __init__(self, facts: FunctionFacts, program: Program, reporter: Reporter,
                 entry_reads: dict[str, set[str]], returns_value: dict[str, bool],
                 checkpointing: Checkpointing = Checkpointing(), target: Target = CPU):
        self.facts = facts
        self.target = target  # tapes, adjoint arrays and accumulation are written for it
        self.checkpointing = checkpointing
        self.callee_entry_reads = entry_reads  # callee -> the names its _rev reads on entry
        self.callee_returns_value = returns_value  # callee -> whether its _rev returns its value
        self.program = program
        self.reporter = reporter
        base = Namer(facts.func, "bar")
        self.body, self.output, introduced = single_exit(facts.func, base)
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
        self.first_defs = _first_definitions(self.body, {p.name for p in facts.func.params})
        self.bound_before = _bound_on_every_path(self.body, {p.name for p in facts.func.params})
        self.order = {id(stmt): k for k, stmt in enumerate(statements(self.body))}
        self.defined_at = {}  # name -> where its first definition is
        for stmt in statements(self.body):
            for name in (t.id for t in flat_targets(getattr(stmt, "target", ir.Tuple([]))) if isinstance(t, ir.Name)):
                if (id(stmt), name) in self.first_defs:
                    self.defined_at.setdefault(name, self.order[id(stmt)])
        self.needed: set[str] = set()
        self.silent = silent_accumulations(self.body)
        self.aliased = _aliased_arrays(self.body, facts.types)
        self.row_views = _rows_bound_in_loops(self.body, facts.types, facts.flow.written)
        self.loop_vars_read_outside = _loop_vars_read_outside(self.body)
        self.runtime = RuntimeAdjoints(self)  # the runtime helpers of a generated module read back

    # -- driver --------------------------------------------------------------------------

    def build(self) -> ir.Function:
        for _ in range(MAX_ROUNDS):
            self.reset()
            fwd, rev = self.block(self.body, depth=0)
            seed = self.seed()
            reads = self.reads(rev + seed)
            if reads <= self.needed:
                break
            self.needed |= reads
        return self.assemble(fwd, seed, rev)

    def reset(self) -> None:
        """Fresh names and tapes for one round of construction."""
        self.bar = copy.deepcopy(self.base_namer)
        for name in sorted(self.facts.types.env):  # the user's names get the plain ``x_bar``
            if name in self.facts.active or name in self.facts.wrt:
                self.bar(name)
        self.tape = self.target.tape(self.bar)
        self.adjoints = Adjoints(self.facts, self.bar, self.reporter, self.target)
        self.pushed_names: dict[str, int] = {}  # name -> where it is first saved (tape or snapshot)
        self.recomputed: set[str] = set()  # iteration-local values recomputed, not taped
        self.driver_reads: dict[int, set[str]] = {}  # id(reverse driver of a checkpointed loop) -> what it needs
        self.loops: list[tuple[ir.For | ir.While, list[str]]] = []  # the enclosing loops, with their fresh arrays
        self.fresh_stacks: dict[str, ArrayStack] = {}  # arrays made afresh in loops -> their stacks
        self.walks: dict[int, ir.For] = {}  # id(primal loop) -> its reverse loop, where that walks forwards
        self.again: dict[int, list[ir.Assign | ir.If]] = {}  # id(primal loop) -> what its reverse iterations recompute
        self.y_bar = self.bar.fresh("y_bar")
        self.value_name = self.bar.fresh("value")
        self.counter = 0

    def reads(self, stmts: list[ir.Stmt]) -> set[str]:
        """The primal variables the reverse code reads (for a checkpointed
        loop's driver, what ``checkpointed`` worked out)."""
        found: set[str] = set()
        for stmt in stmts:
            if id(stmt) in self.driver_reads:
                found |= self.driver_reads[id(stmt)]
                continue
            found |= stmt_reads(stmt)
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

    def is_first_def(self, stmt: ir.Stmt, name: str) -> bool:
        return (id(stmt), name) in self.first_defs

    def written_in(self, body: list[ir.Stmt]) -> set[str]:
        """The variables ``body`` assigns or writes into, calls included."""
        return {n for s in statements(body) for n in _written_names(s, self.program)}

    def refuse(self, pos: ir.Pos, what: str, code: str = "unsupported-reverse") -> None:
        self.reporter.error(pos, f"{what} is not supported in reverse mode yet (in function "
                            f"'{self.facts.func.name}')", code)

    # -- blocks --------------------------------------------------------------------------------

    def block(self, body: list[ir.Stmt], depth: int) -> tuple[list[ir.Stmt], list[ir.Stmt]]:
        fwd: list[ir.Stmt] = []
        revs: list[list[ir.Stmt]] = []
        for stmt in body:
            f, r = getattr(self, "_" + type(stmt).__name__)(stmt, depth)
            fwd += f
            revs.append(r)
        return fwd, [s for r in reversed(revs) for s in r]

    # -- overwrites ------------------------------------------------------------------------------

    def save(self, stmt: ir.Stmt, target: ir.Expr) -> tuple[list[ir.Stmt], list[ir.Stmt]]:
        """Push what ``target`` holds before ``stmt`` overwrites it, when the
        reverse sweep reads it; returns (push, pop)."""
        if isinstance(target, ir.Name):
            name = target.id
            if (name not in self.needed or name in self.recomputed or self.is_first_def(stmt, name)
                    or id(stmt) in self.silent or name in self.results):
                return [], []  # (a return's value is bound once: the function ends there)
            vtype = self.facts.types.env[name]
            if id(stmt) in self.row_views:  # bound again at the head of each reversed iteration (loop_body)
                return [], []
            if vtype.is_array:  # made afresh in a loop: taped after it is made (fresh_array)
                if self.may_rebind(stmt, name) and self.defined_before(stmt, name):
                    return self.save_array(target)
                return [], []
            if vtype.kind == "tuple":
                self.refuse(stmt.pos, f"overwriting the tuple '{name}'")
                return [], []
            undo = _undone_count(stmt, vtype)
            if undo is not None:
                return [], [undo]
            if name not in self.pushed_names:
                self.pushed_names[name] = self.order[id(stmt)]
            return [self.tape.push(ir.Name(name), vtype)], self.tape.pop(ir.Name(name), vtype)
        if isinstance(target, ir.Subscript) and isinstance(target.value, ir.Name):
            base = target.value.id
            if base not in self.needed:
                return [], []
            if self.type(target).is_array:
                return self.save_array(target)
            vtype = self.type(target)
            return [self.tape.push(copy.deepcopy(target), vtype)], self.tape.pop(copy.deepcopy(target), vtype)
        return [], []

    def fresh_array(self, stmt: ir.Assign) -> None:
        """``a = <new array>`` in a loop, where ``a`` did not exist before the
        loop: there is no old array to save.  Instead what ``a`` holds at the
        end of each iteration is pushed, on a stack of its own, and put back
        into ``a`` (the last iteration's array, of the same shape) at the head
        of each reversed iteration, before anything reads it; writes into
        its elements during the iteration are saved and restored as usual
        (``loop_body`` places the pushes and loads)."""
        name = stmt.target.id
        if self.is_first_def(stmt, name) or self.defined_before(stmt, name) or not self.loops \
                or id(stmt) in self.row_views or name in self.results:  # (a return's value is bound once)
            return
        loop, fresh = self.loops[-1]
        if name not in self.needed or name in fresh:
            return
        bindings = sum(isinstance(s, ir.Assign) and isinstance(s.target, ir.Name) and s.target.id == name
                       and not s.inplace for s in statements(loop.body))
        jumps = any(isinstance(s, (ir.Break, ir.Continue)) for s in own_statements(loop.body))
        what = f"an array '{name}' made afresh inside a loop"
        if not any(s is stmt for s in loop.body) or bindings > 1 or jumps:
            self.refuse(stmt.pos, f"{what}, in a branch, bound twice, or in a loop that jumps")
        elif self.facts.types.env[name].dtype != "float64" or name in self.aliased:
            self.refuse(stmt.pos, f"{what}, of dtype {self.facts.types.env[name].dtype} or sharing its memory")
        else:
            fresh.append(name)
            self.fresh_stacks.setdefault(name, ArrayStack(self.bar, name))

    def defined_before(self, stmt: ir.Stmt, name: str) -> bool:
        """Whether ``name`` is a parameter or first defined before ``stmt``."""
        return name in {p.name for p in self.facts.func.params} or \
            self.defined_at.get(name, len(self.order)) < self.order[id(stmt)]

    def may_rebind(self, stmt: ir.Assign, name: str) -> bool:
        """Whether ``name = <array>`` after the array's first definition can be
        reversed.  An array that existed before (a parameter or one defined
        earlier) has its old contents restored into the new one, whose
        adjoint array it reuses; one made afresh in each iteration of a loop
        is taped whole (``fresh_array``), and one adjoint array serves every
        iteration.  Either way the array keeps its shape from one binding to
        the next and shares memory with no other name."""
        vtype = self.facts.types.env[name]
        if name in self.aliased:
            self.refuse(stmt.pos, f"rebinding the array '{name}', which shares memory with another name")
        elif self.type(stmt.value).ndim and vtype.ndim and self.type(stmt.value).ndim != vtype.ndim:  # 0: unknown
            self.refuse(stmt.pos, f"rebinding the array '{name}' to an array of another ndim")
        else:
            return True
        return False

    def save_array(self, array: ir.Expr) -> tuple[list[ir.Stmt], list[ir.Stmt]]:
        return [self.tape.push_array(copy.deepcopy(array))], [self.tape.load_array(copy.deepcopy(array)),
                                                               self.tape.drop_array(copy.deepcopy(array))]

    # -- statements ------------------------------------------------------------------------------

    def _Pass(self, stmt: ir.Stmt, depth: int) -> tuple[list[ir.Stmt], list[ir.Stmt]]:
        return [], []

    def _Break(self, stmt: ir.Stmt, depth: int) -> tuple[list[ir.Stmt], list[ir.Stmt]]:
        return [stmt], []

    def _Assign(self, stmt: ir.Assign, depth: int) -> tuple[list[ir.Stmt], list[ir.Stmt]]:
        nested = [t for t in flat_targets(stmt.target) if isinstance(t, ir.Subscript) and _base_name(t) is None]
        if nested:  # no adjoint array to name: it would be silently left out
            self.refuse(nested[0].pos, "an assignment into a subscript of a subscript (write 'a[i, j] = …' for "
                        "'a[i][j] = …')")
            return [stmt], []
        if is_helper_call(stmt.value, self.program.module):
            return self.runtime.sweeps(stmt, stmt.value)
        if isinstance(stmt.value, ir.Call) and stmt.value.func.startswith("module."):
            return self.call(stmt, stmt.value, stmt.target)
        pushes: list[ir.Stmt] = []
        pops: list[ir.Stmt] = []
        elements = flat_targets(stmt.target)
        array_name = isinstance(stmt.target, ir.Name) and self.type(stmt.target).is_array
        if array_name and stmt.inplace:
            if stmt.target.id in self.needed:
                pushes, pops = self.save_array(stmt.target)
        else:
            for element in elements:
                push, pop = self.save(stmt, element)
                pushes += push
                pops = pop + pops  # last pushed, first popped
        fwd = pushes + [stmt] + self.ndim_check(stmt.target)
        if array_name and not stmt.inplace:
            self.fresh_array(stmt)
            alloc, adjoint = self.array_definition(stmt)
            return fwd + alloc, pops + bind_repeated_calls(adjoint, self.bar)
        if pops and self.restorable_after(stmt):
            return fwd, bind_repeated_calls(self.assign_adjoint(stmt, held=True), self.bar) + pops
        return fwd, pops + bind_repeated_calls(self.assign_adjoint(stmt), self.bar)

    @staticmethod
    def restorable_after(stmt: ir.Assign) -> bool:
        """Whether the old value of the one target of ``y = f(x)`` may come
        back after the statement's adjoint instead of before it: the value
        does not read ``y``, so the adjoint does not need the old one, and
        ``y`` still holds f's value while the adjoint runs (``result_held``)."""
        targets = flat_targets(stmt.target)
        return (isinstance(stmt.value, ir.Call) and not stmt.inplace and len(targets) == 1
                and _base_name(targets[0]) not in names_read(stmt.value))

    def array_definition(self, stmt: ir.Assign) -> tuple[list[ir.Stmt], list[ir.Stmt]]:
        """``a = <array>``: give an active array its adjoint array."""
        name = stmt.target.id
        if not self.active(name):
            return [], []
        if not self.is_first_def(stmt, name) and id(stmt) not in self.row_views:
            if not self.may_rebind(stmt, name):
                return [], []
            return self.new_bar(stmt, name), self.assign_adjoint(stmt)
        bar = ir.Name(self.bar(name))
        view = _bar_view(stmt.value, self)
        if view is not None:  # an alias shares its adjoint too
            return [ir.Assign(bar, view, stmt.pos)], []
        self.result_held(stmt, stmt.target, stmt.value)
        return self.new_bar(stmt, name), self.adjoints.increments(stmt.value, bar)

    def new_bar(self, stmt: ir.Stmt, name: str) -> list[ir.Stmt]:
        """The adjoint array of ``name`` where ``stmt`` binds it to a new array
        and nothing gave it one before: at its first definition, or made
        afresh in a loop, where the last one serves all iterations (all of one
        shape, ArrayStack: one made while the stack is empty).  A binding
        that some path reaches with ``name`` unbound gets one: on each path of
        a branch, and in a loop that one path enters (``return`` in a ``while``
        of one branch, lowered to ``result = ...; break``)."""
        if name in self.bound_before[id(stmt)] and not self.is_first_def(stmt, name):
            return []
        alloc: list[ir.Stmt] = [ir.Assign(ir.Name(self.bar(name)), self.target.zeros_like(ir.Name(name)),
                                          stmt.pos)]
        if not self.is_first_def(stmt, name) and name in self.fresh_stacks:
            alloc = [ir.If(ir.Compare("==", ir.Name(self.fresh_stacks[name].top), ir.Const(0)), alloc, [], stmt.pos)]
        return alloc

    def assign_adjoint(self, stmt: ir.Assign, held: bool = False) -> list[ir.Stmt]:
        """The adjoint of an assignment; ``held``: its target still holds the
        assigned value where the adjoint runs."""
        targets, values = assignment_pairs(stmt.target, stmt.value)
        active = [(t, v) for t, v in zip(targets, values) if _base_name(t) is not None and self.active(_base_name(t))]
        if not active:
            return []
        if len(active) == 1:
            fast = self.increment_adjoint(stmt, *active[0])
            if fast is not None:
                return fast
        reads_targets = any(_base_name(t) in names_read(stmt.value) for t, _ in active)
        out: list[ir.Stmt] = []
        seeds: list[ir.Expr] = []
        if reads_targets or len(active) > 1:
            for target, _ in active:  # capture every seed before zeroing any bar
                capture, seed = self.captured_seed(stmt, target)
                out.append(capture)
                seeds.append(seed)
            for target, _ in active:
                out += self.zero_bar(stmt, target)
            for (target, value), seed in zip(active, seeds):
                out += self.adjoints.increments(value, seed, self.broadcast_into(target))
            return out
        target, value = active[0]
        self.result_held(stmt, target, value, held)
        out = self.adjoints.increments(value, self.bar_of(target), self.broadcast_into(target))
        return out + self.zero_bar(stmt, target)

    def broadcast_into(self, target: ir.Expr) -> bool:
        """Whether the value written into ``target`` may have been broadcast
        to its shape, so that its seed must be summed down (``h[t] = x[t]``
        fills a row with one number): a write into part of an array."""
        return isinstance(target, ir.Subscript) and self.type(target).is_array

    def result_held(self, stmt: ir.Assign, target: ir.Expr, value: ir.Expr, held: bool = False) -> None:
        """``y = f(x)`` where ``y`` still holds f's value when the adjoint runs
        (``held``: its old value comes back after the adjoint; or it is its
        first definition, or recomputed or, made afresh in a loop, loaded back
        at the head of the reversed iteration): partials in terms of the
        result (tanh: 1 - y*y) read y instead of calling f again."""
        if not isinstance(value, ir.Call) or _base_name(target) in names_read(value):
            return
        if held or isinstance(target, ir.Name) and (target.id in self.recomputed or self.is_first_def(stmt, target.id)
                                                    or target.id in self.fresh_stacks):
            self.adjoints.results[id(value)] = copy.deepcopy(target)

    def increment_adjoint(self, stmt: ir.Assign, target: ir.Expr, value: ir.Expr) -> list[ir.Stmt] | None:
        """``x = x + e`` / ``x = x - e`` (``x += e``): x_bar is unchanged and
        ``e`` receives it, with no zeroing and adding back.  When ``e`` reads
        ``x``, its increments change x_bar, so it receives a copy."""
        if not (isinstance(value, ir.BinOp) and value.op in "+-" and same(value.left, target)):
            return None
        seed: ir.Expr = self.bar_of(target)
        captured: list[ir.Stmt] = []
        if _base_name(target) in names_read(value.right):
            capture, seed = self.captured_seed(stmt, target)
            captured.append(capture)
        return captured + self.adjoints.increments(value.right, seed if value.op == "+" else build.neg(seed),
                                                   stretched=self.type(target).is_array)

    def captured_seed(self, stmt: ir.Stmt, target: ir.Expr) -> tuple[ir.Stmt, ir.Name]:
        """``t_bar = x_bar`` (a copy, for an array) and ``t_bar``: the seed of
        ``target`` taken before the adjoint changes ``x_bar``."""
        seed = ir.Name(self.bar.fresh("t_bar"))
        bar = self.bar_of(target)
        value = ir.Call("method.copy", [bar]) if self.type(target).is_array else bar
        return ir.Assign(seed, value, stmt.pos), copy.deepcopy(seed)

    def zero_bar(self, stmt: ir.Stmt, target: ir.Expr) -> list[ir.Stmt]:
        if isinstance(target, ir.Name) and self.is_first_def(stmt, target.id):
            return []  # nothing before the first definition reads its adjoint
        if self.type(target).is_array:
            return [ir.Assign(ir.Subscript(self.bar_of(target), [ir.Const(...)]), ir.Const(0.0), stmt.pos)]
        return [ir.Assign(self.bar_of(target), ir.Const(0.0), stmt.pos)]

    def _ExprStmt(self, stmt: ir.ExprStmt, depth: int) -> tuple[list[ir.Stmt], list[ir.Stmt]]:
        if is_helper_call(stmt.value, self.program.module):
            return self.runtime.sweeps(stmt, stmt.value)
        if isinstance(stmt.value, ir.Call) and stmt.value.func.startswith("module."):
            return self.call(stmt, stmt.value, None)
        return [stmt], []

    # -- calls of module functions ------------------------------------------------------------------

    def call(self, stmt: ir.Stmt, call: ir.Call, target: ir.Expr | None) -> tuple[list[ir.Stmt], list[ir.Stmt]]:
        callee = self.program.facts[call.func[7:]]
        is_active = bool(callee.wrt) and any(self.active(n) for arg in call.args for n in names_read(arg))
        pushes: list[ir.Stmt] = []
        pops: list[ir.Stmt] = []
        elements = flat_targets(target) if target is not None else []
        for element in elements:
            push, pop = self.save(stmt, element)
            pushes += push
            pops = pop + pops
        written = [call.args[i] for i in sorted(callee.writes) if i < len(call.args)]
        saves: list[ir.Expr] = []
        for position, array in zip(sorted(callee.writes), written):
            base = _base_name(array)
            if base is None or self.entry_value_unused(stmt, base, callee, position):
                continue
            if base in self.needed or is_active:
                pushes.append(self.tape.push_array(copy.deepcopy(array)))
                saves.append(array)
        fwd = pushes + [stmt] + [s for e in elements for s in self.ndim_check(e)] + self.result_bars(stmt, target)
        restore = [self.tape.load_array(copy.deepcopy(a), copy.deepcopy(saves[k + 1:])) for k, a in enumerate(saves)]
        drop = [self.tape.drop_array(copy.deepcopy(a)) for a in reversed(saves)]
        if not is_active:
            return fwd, pops + restore + drop
        return fwd, pops + restore + self.call_adjoint(stmt, call, target, callee) + restore + drop

    def result_bars(self, stmt: ir.Stmt, target: ir.Expr | None) -> list[ir.Stmt]:
        """Adjoint arrays for the active arrays a call's result binds, where
        nothing gave them one yet: at their first definition, or where they
        are made afresh in a loop (then taped, ``fresh_array``)."""
        if isinstance(target, ir.Name) and self.type(target).is_array:
            self.fresh_array(stmt)
        return [s for e in (flat_targets(target) if target is not None else [])
                if isinstance(e, ir.Name) and self.type(e).is_array and self.active(e.id) for s in self.new_bar(stmt, e.id)]

    def entry_value_unused(self, stmt: ir.Stmt, base: str, callee: FunctionFacts, position: int) -> bool:
        """Whether nobody reads what array ``base`` held before the call: the
        callee's adjoint does not read that parameter on entry, and the call
        runs once (top level of the body) with nothing before it reading the
        array but its own first definition."""
        param = callee.func.params[position].name
        top = [k for k, s in enumerate(self.body) if s is stmt]
        if param in self.callee_entry_reads.get(callee.func.name, {param}) or not top:
            return False
        for earlier in self.body[:top[0]]:
            for inner in statements([earlier]):
                reads = {n for e in stmt_expressions(inner) for n in names_read(e)}
                if isinstance(inner, ir.Assign) and isinstance(inner.target, ir.Name) and inner.target.id == base:
                    reads = set(names_read(inner.value))
                if base in reads:
                    return False
        return True

    def counts_argument(self) -> list[ir.Name]:
        """With --instrument, every ``_rev`` takes the counts array last and
        passes it on to the ``_rev`` of its callees (checkpoint/instrument.py)."""
        return [ir.Name(self.counts)] if self.checkpointing.loops is not None else []

    def call_adjoint(self, stmt: ir.Stmt, call: ir.Call, target: ir.Expr | None,
                     callee: FunctionFacts) -> list[ir.Stmt]:
        """The callee's ``_rev`` seeded with the adjoints of what the call's
        result binds, which are zeroed then.  Where the arguments read a
        target (``h = step(h)``), its adjoint array is also an argument's, so
        the seed is copied and zeroed before the call instead."""
        elements = [e for e in (flat_targets(target) if target is not None else [])
                    if _base_name(e) is not None and self.active(_base_name(e))]
        if not elements and not callee.is_procedure and not callee.writes:
            return []  # the result's adjoint is zero, and the callee writes into no argument: nothing flows back
        read = {n for arg in call.args for n in names_read(arg)}
        out: list[ir.Stmt] = []
        captured: dict[int, ir.Expr] = {}
        zeros = [s for e in elements for s in self.zero_bar(stmt, e)]
        if any(_base_name(e) in read for e in elements):
            for element in elements:
                capture, captured[id(element)] = self.captured_seed(stmt, element)
                out.append(capture)
            out, zeros = out + zeros, []
        args = [copy.deepcopy(a) for a in call.args]
        outs: list[ir.Name] = []
        if not callee.is_procedure:
            args.append(self.result_seed(target, captured))
            if self.callee_returns_value.get(callee.func.name, False):
                outs.append(ir.Name(self.bar.fresh(f"{callee.func.name.lstrip('_')}_value")))
        scalar_args: list[tuple[ir.Expr, ir.Name]] = []
        for param, arg in zip(callee.func.params, call.args):
            if param.name not in callee.wrt:
                continue
            if callee.types.env[param.name].is_array:
                args.append(self.array_bar_argument(arg, stmt))
            else:
                bar = ir.Name(self.bar.fresh(f"{param.name}_bar"))
                outs.append(bar)
                scalar_args.append((arg, bar))
        args += self.counts_argument()
        rev_call = ir.Call("module." + callee.rev_name, args, [], call.pos)
        out.append(ir.Assign(ir.Tuple(outs), rev_call, stmt.pos) if outs else ir.ExprStmt(rev_call, stmt.pos))
        out += zeros
        for arg, bar in scalar_args:
            out += self.adjoints.increments(arg, bar)
        return out

    def result_seed(self, target: ir.Expr | None, captured: dict[int, ir.Expr]) -> ir.Expr:
        """The adjoint of what the call's result binds, in its structure."""
        if isinstance(target, ir.Tuple):
            return ir.Tuple([self.result_seed(t, captured) for t in target.items])
        if target is not None and id(target) in captured:
            return copy.deepcopy(captured[id(target)])
        if target is not None and _base_name(target) is not None and self.active(_base_name(target)):
            return self.bar_of(target)
        return ir.Const(0.0)

    def array_bar_argument(self, arg: ir.Expr, stmt: ir.Stmt) -> ir.Expr:
        view = _bar_view(arg, self)
        if view is not None and self.active(_base_name(arg)):
            return view
        if not any(self.active(n) for n in names_read(arg)):
            return self.target.zeros_like(copy.deepcopy(arg))  # scratch: nothing flows back
        self.refuse(stmt.pos, "passing a computed array to a module function")
        return self.target.zeros_like(copy.deepcopy(arg))

    # -- control flow ------------------------------------------------------------------------------------

    def _If(self, stmt: ir.If, depth: int) -> tuple[list[ir.Stmt], list[ir.Stmt]]:
        fwd_body, rev_body = self.block(stmt.body, depth)
        fwd_else, rev_else = self.block(stmt.orelse, depth)
        if not rev_body and not rev_else:
            return [ir.If(stmt.test, fwd_body, fwd_else, stmt.pos)], []
        written = self.written_in(stmt.body + stmt.orelse)
        if not written & set(names_read(stmt.test)):
            # the test reads nothing the branches change: evaluate it again
            return ([ir.If(stmt.test, fwd_body, fwd_else, stmt.pos)],
                    [ir.If(copy.deepcopy(stmt.test), rev_body, rev_else, stmt.pos)])
        flag = ir.Name(self.bar.fresh("branch"))
        took, not_took = self.recorded(flag, ir.Const(1), depth), self.recorded(flag, ir.Const(0), depth)
        # the flag goes last on each path: it is popped before the branch's own records
        fwd = ir.If(stmt.test, at_path_ends(fwd_body, took), at_path_ends(fwd_else, not_took), stmt.pos)
        rev = self.recall(flag, ir.INT, depth) + [ir.If(ir.Compare("==", flag, ir.Const(1)), rev_body, rev_else,
                                                        stmt.pos)]
        return [fwd], rev

    def recorded(self, name: ir.Name, value: ir.Expr, depth: int) -> list[ir.Stmt]:
        if depth == 0:
            return [ir.Assign(copy.deepcopy(name), value)]
        return [self.tape.push(value, ir.INT)]

    def recall(self, name: ir.Name, vtype: ir.Type, depth: int) -> list[ir.Stmt]:
        return [] if depth == 0 else self.tape.pop(copy.deepcopy(name), vtype)

    def loop_body(self, loop: ir.For | ir.While, depth: int) -> tuple[list[ir.Stmt], list[ir.Stmt]]:
        """The sweeps of a loop body; the needed iteration-local values are
        recomputed at the head of each reversed iteration (recompute.py)."""
        written = self.written_in(loop.body)
        again = [s for s in recomputable(loop, self.body, written, self.facts.types.env)
                 if defined_names(s) & self.needed]
        self.recomputed |= {n for s in again for n in defined_names(s)}
        self.again[id(loop)] = again
        fresh: list[str] = []  # arrays made afresh in the body (fresh_array)
        self.loops.append((loop, fresh))
        fwd_body, rev_body = self.block(loop.body, depth + 1)
        self.loops.pop()
        if not rev_body:
            return fwd_body, []
        fwd_body += [self.fresh_stacks[name].push(ir.Name(name)) for name in fresh]
        loads = [s for name in fresh for s in self.fresh_stacks[name].pop(ir.Name(name))]
        return fwd_body, loads + self.rows_again(loop) + [copy.deepcopy(s) for s in again] + rev_body

    def rows_again(self, loop: ir.For | ir.While) -> list[ir.Stmt]:
        """The rows the loop body binds (``row = m[k]``, ``row_views``),
        bound again at the head of each reversed iteration, with their
        adjoints (the same rows of the bases' adjoints)."""
        out: list[ir.Stmt] = []
        for stmt in loop.body:
            if id(stmt) in self.row_views and stmt.target.id in self.needed | self.facts.active:
                out.append(copy.deepcopy(stmt))
                view = _bar_view(stmt.value, self) if self.active(stmt.target.id) else None
                if view is not None:
                    out.append(ir.Assign(ir.Name(self.bar(stmt.target.id)), view, stmt.pos))
        return out

    def _While(self, stmt: ir.While, depth: int) -> tuple[list[ir.Stmt], list[ir.Stmt]]:
        if stmt.directive is not None:
            return self.checkpointed(stmt, depth)
        fwd_body, rev_body = self.loop_body(stmt, depth)
        if not rev_body:
            return [ir.While(stmt.test, fwd_body, stmt.pos)], []
        count = ir.Name(self.bar.fresh("n_iter"))
        fwd = [ir.Assign(copy.deepcopy(count), ir.Const(0), stmt.pos),
               ir.While(stmt.test, [build.increment(count)] + fwd_body, stmt.pos)]
        if depth > 0:
            fwd.append(self.tape.push(copy.deepcopy(count), ir.INT))
        rev = self.recall(count, ir.INT, depth) + [
            ir.For(self.bar.fresh("k"), ir.Const(0), copy.deepcopy(count), ir.Const(1), rev_body, stmt.pos)]
        return fwd, rev

    def _For(self, stmt: ir.For, depth: int) -> tuple[list[ir.Stmt], list[ir.Stmt]]:
        """A ``for`` loop; where the reverse sweep reads its variable outside
        the loops over it (``i = 7; y = x * i; for i in ...``), the value the
        loop overwrites is saved too: the primal loop leaves its last value
        there, and the reversed loop another."""
        fwd, rev = self.for_sweeps(stmt, depth)
        if stmt.var in self.needed and stmt.var in self.loop_vars_read_outside:
            self.pushed_names.setdefault(stmt.var, self.order[id(stmt)])
            fwd = [self.tape.push(ir.Name(stmt.var), ir.INT)] + fwd
            rev = rev + self.tape.pop(ir.Name(stmt.var), ir.INT)
        return fwd, rev

    def for_sweeps(self, stmt: ir.For, depth: int) -> tuple[list[ir.Stmt], list[ir.Stmt]]:
        if stmt.directive is not None:
            return self.checkpointed(stmt, depth)
        fwd_body, rev_body = self.loop_body(stmt, depth)
        loop = ir.For(stmt.var, stmt.start, stmt.stop, stmt.step, fwd_body, stmt.pos, stmt.directive)
        if not rev_body:
            return [loop], []
        bound_names = {n for b in (stmt.start, stmt.stop, stmt.step) for n in names_read(b)}
        written = self.written_in(stmt.body)
        breaks = any(isinstance(s, ir.Break) for s in own_statements(stmt.body))
        if not breaks and not bound_names & written:
            private = {self.bar(n) for n in self.recomputed}
            if iterations_commute(rev_body, stmt.var, private):
                forwards = ir.For(stmt.var, copy.deepcopy(stmt.start), copy.deepcopy(stmt.stop),
                                  copy.deepcopy(stmt.step), rev_body, stmt.pos)
                self.walks[id(stmt)] = forwards
                return self.reserve(loop, fwd_body, depth) + [loop], [forwards]
            return self.reserve(loop, fwd_body, depth) + [loop], reversed_for(stmt, rev_body)
        if {n for b in (stmt.start, stmt.step) for n in names_read(b)} & written:
            self.refuse(stmt.pos, "a loop whose start or step the loop body changes")
        count = ir.Name(self.bar.fresh("n_iter"))
        loop.body = [build.increment(count)] + fwd_body
        fwd = [ir.Assign(copy.deepcopy(count), ir.Const(0), stmt.pos), loop]
        if depth > 0:
            fwd.append(self.tape.push(copy.deepcopy(count), ir.INT))
        k = self.bar.fresh("k")
        value = build.add(copy.deepcopy(stmt.start), build.mul(ir.Name(k), copy.deepcopy(stmt.step)))
        rev = self.recall(count, ir.INT, depth) + countdown(
            k, ir.Const(0), copy.deepcopy(count), 1, [ir.Assign(ir.Name(stmt.var), value, stmt.pos)] + rev_body,
            stmt.pos)
        return fwd, rev

    def checkpointed(self, loop: ir.For | ir.While, depth: int) -> tuple[list[ir.Stmt], list[ir.Stmt]]:
        """A loop under ``# adxform: checkpoint``: its iterations are recorded
        one at a time, right before their adjoints, from snapshots of its
        state (checkpoint/)."""
        fwd_body, rev_body = self.loop_body(loop, depth)
        if not rev_body:
            plain = copy.copy(loop)
            plain.body = fwd_body
            return [plain], []
        what = "a checkpointed loop"
        if depth > 0:
            self.refuse(loop.pos, f"{what} inside another loop of the same function (move it into a function "
                        "of its own)", "unsupported-checkpoint")
            return [], []
        written = self.written_in(loop.body)
        if isinstance(loop, ir.For) and {n for b in (loop.start, loop.stop, loop.step) for n in names_read(b)} & written:
            self.refuse(loop.pos, f"{what} whose bounds its body changes", "unsupported-checkpoint")
        env = self.facts.types.env
        params = {p.name for p in self.facts.func.params}
        returned = [ir.Return(self.output)] if self.output is not None else []  # single_exit took it out of the body
        state = carried_state(loop, self.body + returned, written, env)
        for name in state:
            if env[name].kind == "tuple":
                self.refuse(loop.pos, f"{what} that changes the tuple '{name}'", "unsupported-checkpoint")
            elif name not in params and self.defined_at.get(name, len(self.order)) > self.order[id(loop)]:
                if env[name].is_array:
                    self.refuse(loop.pos, f"{what} that creates the array '{name}' read after an iteration",
                                "unsupported-checkpoint")
                self.pushed_names.setdefault(name, self.order[id(loop)])  # snapshots copy it before its first value
        breaks = isinstance(loop, ir.For) and any(isinstance(s, ir.Break) for s in own_statements(loop.body))
        snapshots = loop.directive.options.get("snapshots", self.checkpointing.snapshots)
        counter = self.checkpointing.loops
        counted = (ir.Name(self.counts), counter.loop_id(f"{self.facts.func.name}:{loop.pos.line}")) \
            if counter is not None else None
        sweeps = Checkpointed(loop, [(n, env[n]) for n in state], snapshots, isinstance(loop, ir.For) and not breaks,
                              self.bar, counted)
        rev = sweeps.reverse(loop.body, fwd_body, rev_body)
        # The driver restores the state from snapshots before the iterations it
        # runs again read it: of those, only what the body reads and does not
        # change must hold its loop-time value; the adjoint body needs its own.
        self.driver_reads[id(rev[0])] = (live_in(loop.body) - set(state)) | self.reads(rev_body)
        return sweeps.forward(loop.body, fwd_body), rev

    def reserve(self, loop: ir.For, fwd_body: list[ir.Stmt], depth: int) -> list[ir.Stmt]:
        """Room on the tapes for every iteration of a loop whose pushes per
        iteration are known (no nested loop, no array push), or for the
        arrays of a fixed size it pushes."""
        per_iteration = pushes_per_iteration(fwd_body, self.tape.names)
        if per_iteration is None and depth > 0:
            return []
        if per_iteration is None:  # array pushes: room on the float tape for those of a fixed size
            total = None
            for push in array_pushes_of_fixed_size(loop, fwd_body):
                if push.args[0].id == self.tape.names["float"][0]:
                    total = build.add(total, ir.Attribute(copy.deepcopy(push.args[2]), "size"))
            return [] if total is None else [self.tape.reserve("float", build.mul(build.trip_count(loop), total))]
        put_pushes(fwd_body, self.tape.names)
        count = build.trip_count(loop)
        return [self.tape.reserve(kind, build.mul(ir.Const(n), copy.deepcopy(count)))
                for kind, n in sorted(per_iteration.items()) if n]

    # -- the function -------------------------------------------------------------------------------------

    def seed(self) -> list[ir.Stmt]:
        """The adjoint of the returned value, seeded with ``y_bar``."""
        if self.output is None:
            return []
        if self.output_lowered and isinstance(self.output, ir.Name) and self.type(self.output).kind == "tuple":
            self.refuse(self.output.pos, "returning tuples from more than one return statement, not all of "
                        "them written as a tuple (`return a, b`)")
            return []
        return self.adjoints.increments(self.output, ir.Name(self.y_bar))

    def choose_forward(self, fwd: list[ir.Stmt], after: list[ir.Stmt]) -> list[ir.Stmt]:
        """The forward sweep, cut down to what ``after`` reads (slicing.py);
        with the function's value too when that adds less than half the
        primal's work, else the public wrapper runs the primal for it
        (``self.returns_value`` says which)."""
        reads = live_in(after)
        writes = {**RUNTIME_WRITES, **{name: facts.writes for name, facts in self.program.facts.items()}}
        plain, self.entry_reads = slice_forward(fwd, reads, writes)
        self.returns_value = self.value_fused = False
        if self.output is None:
            return plain
        value = self.output  # computed before the reverse sweep restores anything
        if self.type(value).is_array and view_base(value, self.facts.types) in self.needed:
            # it shares memory with an array the reverse sweep restores; a value made afresh needs no copy
            # (nor can take one where it may be a number: `np.dot(v, v)` of a v of unknown ndim)
            value = ir.Call("method.copy", [value])
        store = ir.Assign(ir.Name(self.value_name), value, self.output.pos)
        valued, entry = slice_forward(fwd + [store], reads | {self.value_name}, writes)
        if _work(valued) - _work(plain) < 0.5 * _work(self.facts.func.body):
            self.returns_value, self.entry_reads = True, entry
            return valued
        env = self.facts.types.env
        scalar_bars = {self.bar(n) for n in env if n in self.facts.active and env[n].kind == "float"}
        fusion = fuse_value(self.body, self.output, self.walks, self.again, self.needed, scalar_bars)
        if fusion is not None:  # the value accumulates in the reverse sweep (fusion.py)
            fusion.apply()
            self.returns_value, self.value_fused = True, True
            self.entry_reads |= fusion.reads
            return plain + [copy.deepcopy(s) for s in fusion.inits]
        return plain

    def ndim_check(self, target: ir.Expr) -> list[ir.Stmt]:
        return ndim_check(self.facts, target, self.reporter.filename)

    def assemble(self, fwd: list[ir.Stmt], seed: list[ir.Stmt], rev: list[ir.Stmt]) -> ir.Function:
        func, facts = self.facts.func, self.facts
        env = facts.types.env
        params = [ir.Param(p.name, None, p.pos) for p in func.params]
        if self.output is not None:
            params.append(ir.Param(self.y_bar, None))
        wrt_arrays = [p for p in facts.wrt if env[p].is_array]
        wrt_scalars = [p for p in facts.wrt if not env[p].is_array]
        params += [ir.Param(self.bar(p), None) for p in wrt_arrays]
        params += [ir.Param(arg.id, None) for arg in self.counts_argument()]

        prologue = entry_checks(facts, self.reporter.filename) + self.tape.setup()
        prologue += [s for name in sorted(self.fresh_stacks) for s in self.fresh_stacks[name].setup()]
        top_level = {t.id: self.order[id(s)] for s in reversed(self.body) if isinstance(s, ir.Assign)
                     for t in flat_targets(s.target) if isinstance(t, ir.Name)}  # -> its first binding on every path
        for name, site in sorted(self.pushed_names.items()):
            if name not in {p.name for p in func.params} and top_level.get(name, site) >= site:
                prologue.append(ir.Assign(ir.Name(name), _typed_zero(env[name])))  # may be pushed before its first value
        for p in func.params:
            if self.active(p.name) and env[p.name].is_array and p.name not in facts.wrt:
                prologue.append(ir.Assign(ir.Name(self.bar(p.name)), self.target.zeros_like(ir.Name(p.name))))
        bars = [ir.Assign(ir.Name(self.bar(name)), ir.Const(0.0))
                for name in sorted(facts.active | set(wrt_scalars))
                if not env[name].is_array and env[name].kind != "tuple"]
        tuples = [p for p in wrt_scalars if env[p].kind == "tuple"]
        bars += [ir.Assign(ir.Name(self.adjoints.item_bar(p, k)), ir.Const(0.0))
                 for p in tuples for k in range(len(env[p].items))]
        rev = rev + [ir.Assign(ir.Name(self.bar(p)), ir.Tuple([ir.Name(self.adjoints.item_bar(p, k))
                                                               for k in range(len(env[p].items))])) for p in tuples]
        fwd = self.choose_forward(fwd, bars + seed + rev + [ir.Return(ir.Tuple(
            [ir.Name(self.bar(p)) for p in wrt_scalars]))])
        values = [ir.Name(self.value_name)] if self.returns_value else []
        if self.value_fused:
            rev = rev + [ir.Assign(ir.Name(self.value_name), copy.deepcopy(self.output), self.output.pos)]
        after = merge_increments(bars + seed + rev) + [ir.Return(ir.Tuple(values + [ir.Name(self.bar(p)) for p in wrt_scalars]))]
        returned = ([f"{func.name}'s value"] if self.returns_value else []) + [self.bar(p) for p in wrt_scalars]
        doc = (f"Adjoint of {func.name}: array adjoints ({', '.join(self.bar(p) for p in wrt_arrays)}) are "
               f"in/out; returns ({', '.join(returned)}). Leaves out {func.name}'s side effects on its "
               "arguments: the public wrappers run the primal for those.")
        return ir.Function(facts.rev_name, params, prologue + fwd + after, func.pos, doc, target=func.target)


# -- helpers ------------------------------------------------------------------------------------------------


def _base_name(expr: ir.Expr) -> str | None:
    if isinstance(expr, ir.Name):
        return expr.id
    if isinstance(expr, ir.Subscript) and isinstance(expr.value, ir.Name):
        return expr.value.id
    return None


def _bar_view(expr: ir.Expr, rf: ReverseFunction) -> ir.Expr | None:
    """The same view of the adjoint arrays: ``a[1:]`` -> ``a_bar[1:]``."""
    if isinstance(expr, ir.Name) and rf.type(expr).is_array:
        return ir.Name(rf.bar(expr.id)) if rf.active(expr.id) else None
    if isinstance(expr, ir.Subscript) and is_view(expr, rf.facts.types):
        inner = _bar_view(expr.value, rf)
        return ir.Subscript(inner, copy.deepcopy(expr.index)) if inner is not None else None
    if isinstance(expr, ir.Attribute) and expr.attr == "T":
        inner = _bar_view(expr.value, rf)
        return ir.Attribute(inner, "T") if inner is not None else None
    if isinstance(expr, ir.Call) and expr.func in VIEW_METHODS and expr.args:
        inner = _bar_view(expr.args[0], rf)
        return ir.Call(expr.func, [inner] + copy.deepcopy(expr.args[1:]), copy.deepcopy(expr.kwargs)) \
            if inner is not None else None
    return None


def _written_names(stmt: ir.Stmt, program: Program) -> set[str]:
    """Variables ``stmt`` itself assigns or writes into (calls included)."""
    out: set[str] = set()
    if isinstance(stmt, ir.Assign):
        out.update(target_names(stmt.target))
    if isinstance(stmt, ir.For):
        out.add(stmt.var)
    for expr in stmt_expressions(stmt):
        for call in (e for e in expressions(expr) if isinstance(e, ir.Call) and e.func.startswith("module.")):
            callee = call.func[7:]
            writes = program.facts[callee].writes if callee in program.facts else RUNTIME_WRITES[callee]
            out.update(b for i in writes if i < len(call.args) for b in [_base_name(call.args[i])] if b)
    return out


def _work(body: list[ir.Stmt], depth: int = 0) -> int:
    """A rough cost: a statement weighs 10 per enclosing loop, a module call
    one loop more."""
    total = 0
    for stmt in body:
        calls = sum(isinstance(e, ir.Call) and e.func.startswith("module.")
                    for x in stmt_expressions(stmt) for e in expressions(x))
        total += 10 ** depth + calls * 10 ** (depth + 1)
        inner = depth + 1 if isinstance(stmt, (ir.For, ir.While)) else depth
        for block in ([stmt.body] if isinstance(stmt, (ir.For, ir.While)) else
                      [stmt.body, stmt.orelse] if isinstance(stmt, ir.If) else []):
            total += _work(block, inner)
    return total


def _aliased_arrays(body: list[ir.Stmt], types: FunctionTypes) -> set[str]:
    """Arrays that share memory with another name (``b = a[1:]``: both)."""
    out: set[str] = set()
    for stmt in statements(body):
        if isinstance(stmt, ir.Assign) and isinstance(stmt.target, ir.Name) and types.env[stmt.target.id].is_array:
            base = view_base(stmt.value, types)
            if base is not None and base != stmt.target.id:
                out |= {base, stmt.target.id}
    return out


def _rows_bound_in_loops(body: list[ir.Stmt], types: FunctionTypes, written: set[str]) -> set[int]:
    """The statements ``row = m[k]`` (a view) at the top of a loop body, as
    ``for row in m`` is lowered: ``row`` is bound there alone, nothing
    writes into it or its base (``written``, aliases included), and the
    body rebinds neither ``m`` nor ``k``, so the view can be bound again in
    the reverse sweep instead of being saved (ids of the statements).  A
    row that is written into stays refused: the forward sweep leaves out
    writes into the arguments, which the rows share."""
    bound = Counter(name for stmt in statements(body) for name in bound_names(stmt))
    found: set[int] = set()
    for loop in (s for s in statements(body) if isinstance(s, (ir.For, ir.While))):
        rebound = {n for s in statements(loop.body) for n in bound_names(s)}
        for stmt in loop.body:
            if isinstance(stmt, ir.Assign) and isinstance(stmt.target, ir.Name) and not stmt.inplace \
                    and isinstance(stmt.value, ir.Subscript) and types.env[stmt.target.id].is_array \
                    and bound[stmt.target.id] == 1 and stmt.target.id not in written \
                    and view_base(stmt.value, types) not in (None, stmt.target.id) \
                    and not set(names_read(stmt.value)) & rebound:
                found.add(id(stmt))
    return found


def _loop_vars_read_outside(body: list[ir.Stmt]) -> set[str]:
    """Variables of ``for`` loops that some statement reads outside every
    loop over them: the value a loop leaves in its variable, or one given
    before the loop."""
    found: set[str] = set()

    def walk(block: list[ir.Stmt], loop_vars: set[str]) -> None:
        for stmt in block:
            found.update(stmt_reads(stmt) - loop_vars)
            inner = loop_vars | {stmt.var} if isinstance(stmt, ir.For) else loop_vars
            for sub in sub_blocks(stmt):
                walk(sub, inner)

    walk(body, set())
    return found & {s.var for s in statements(body) if isinstance(s, ir.For)}


def _undone_count(stmt: ir.Stmt, vtype: ir.Type) -> ir.Stmt | None:
    """``n = n + 3`` (``n += 3``, ``n -= 1``) of an int by a literal: the
    reverse sweep takes the literal off again where it would pop the old
    value, so counters (``li += 1`` in a triangular loop) use no tape."""
    if not (isinstance(stmt, ir.Assign) and isinstance(stmt.target, ir.Name) and vtype.kind == "int"):
        return None
    value = stmt.value
    if not (isinstance(value, ir.BinOp) and value.op in "+-" and same(value.left, stmt.target)
            and build.int_value(value.right) is not None):
        return None
    inverse = ir.BinOp("-" if value.op == "+" else "+", copy.deepcopy(stmt.target), copy.deepcopy(value.right))
    return ir.Assign(copy.deepcopy(stmt.target), inverse, stmt.pos, inplace=True)


def _typed_zero(vtype: ir.Type) -> ir.Expr:
    return ir.Const({"float": 0.0, "int": 0, "bool": False}.get(vtype.kind, 0.0))


def _bound_on_every_path(body: list[ir.Stmt], params: set[str]) -> dict[int, frozenset[str]]:
    """id(statement) -> the names every path to it has bound (in a loop, in
    the iteration's own statements or before the loop)."""
    found: dict[int, frozenset[str]] = {}

    def walk(block: list[ir.Stmt], bound: frozenset[str]) -> frozenset[str]:
        for stmt in block:
            found[id(stmt)] = bound
            if isinstance(stmt, ir.Assign):
                bound = bound | {t.id for t in flat_targets(stmt.target) if isinstance(t, ir.Name)}
            elif isinstance(stmt, ir.If):
                bound = walk(stmt.body, bound) & walk(stmt.orelse, bound)
            elif isinstance(stmt, (ir.For, ir.While)):
                walk(stmt.body, bound | ({stmt.var} if isinstance(stmt, ir.For) else set()))
        return bound

    walk(body, frozenset(params))
    return found


def _first_definitions(body: list[ir.Stmt], params: set[str]) -> set[tuple[int, str]]:
    """(id(statement), name) for assignments that give a name its first value
    on every path: outside loops, with no earlier assignment on any path."""
    found: set[tuple[int, str]] = set()

    def walk(block: list[ir.Stmt], assigned: set[str], in_loop: bool) -> set[str]:
        for stmt in block:
            if isinstance(stmt, ir.Assign):
                for name in (t.id for t in flat_targets(stmt.target) if isinstance(t, ir.Name)):
                    if not in_loop and name not in assigned:
                        found.add((id(stmt), name))
                    assigned = assigned | {name}
            elif isinstance(stmt, ir.If):
                assigned = walk(stmt.body, assigned, in_loop) | walk(stmt.orelse, assigned, in_loop)
            elif isinstance(stmt, (ir.For, ir.While)):
                inner = walk(stmt.body, assigned | ({stmt.var} if isinstance(stmt, ir.For) else set()), True)
                assigned = assigned | inner
        return assigned

    walk(body, set(params), False)
    return found
