"""The forward and reverse sweeps of a checkpointed loop.

The reverse-mode builder gives three versions of one iteration: the primal
body, the body that records (pushes what its adjoint needs), and the
adjoint body.  Both sweeps are loops over the actions of the revolve
schedule (``_revolve_next``):

    forward sweep                         reverse sweep
    plan = _revolve_plan(count, s)        while action != _TERMINATE:
    while True:                               TAKESHOT / RESTORE / ADVANCE as before
        action, lo, hi = _revolve_next(plan)  else: (a turn)
        _TAKESHOT: state -> snapshot lo           _YOUTURN: record iteration lo
        _RESTORE:  snapshot lo -> state           the adjoint of iteration lo
        _ADVANCE:  iterations lo..hi-1        action, lo, hi = _revolve_next(plan)
        else: record iteration lo; break

The forward sweep stops after recording the last iteration (the first
turn), so the code after the loop runs on the loop's true final state and
its adjoint runs before the loop's.  Every iteration is recorded exactly
once, right before its adjoint, and the iterations run without recording
number exactly revolve's t(l, s).

A loop whose trip count is not known on entry (``while``, or a ``for`` that
may ``break``) is run once first to count its iterations, from a snapshot
of its entry state in slot 0, which is then restored: the same memory bound
and l more unrecorded iterations than the offline optimum t(l, s), that is
a factor (t + l) / t, about 1 + 1/r for repetition number r.
"""

from __future__ import annotations

import copy

from .. import build, ir
from ..naming import Namer

DEFAULT_SNAPSHOTS = 20
SCALAR_DTYPES = {"float": None, "int": "numpy.int64", "bool": "numpy.bool_"}


def _is(action: ir.Name, code: str) -> ir.Expr:
    return ir.Compare("==", copy.deepcopy(action), ir.QualName(f"module.{code}"))


class Checkpointed:
    """Builds the sweeps of one checkpointed loop."""

    def __init__(self, loop: ir.For | ir.While, state: list[tuple[str, ir.Type]], snapshots: int,
                 known_count: bool, names: Namer, counted: tuple[ir.Name, int] | None):
        self.loop = loop
        self.state = state
        self.snapshots = snapshots
        self.known_count = known_count  # the trip count is known on entry
        # --instrument: the counts array the function was passed and the loop's row in it, or None
        self.counts, self.counted = counted if counted is not None else (None, None)
        fresh = names.fresh
        self.plan, self.action, self.lo, self.hi = (ir.Name(fresh(n)) for n in ("plan", "action", "lo", "hi"))
        self.snaps = {name: ir.Name(fresh(f"{name}_snaps")) for name, _ in state}
        self.var = loop.var if isinstance(loop, ir.For) else fresh("k")
        if counted is not None:
            self.advanced, self.recorded, self.held = (ir.Name(fresh(n)) for n in ("n_advanced", "n_recorded",
                                                                                  "n_held"))
        self.count = ir.Name(fresh("n_iter"))

    # -- pieces --------------------------------------------------------------------------

    def iterations(self, lo: ir.Expr, hi: ir.Expr, body: list[ir.Stmt]) -> ir.For:
        """``body`` for iterations lo..hi-1 (counted from 0) of the loop."""
        if isinstance(self.loop, ir.While):
            return ir.For(self.var, copy.deepcopy(lo), copy.deepcopy(hi), ir.Const(1), copy.deepcopy(body),
                          self.loop.pos)
        start, step = self.loop.start, self.loop.step
        at = [build.mul(copy.deepcopy(k), copy.deepcopy(step)) for k in (lo, hi)]
        if not build.is_const(start, 0):
            at = [build.add(copy.deepcopy(start), k) for k in at]
        return ir.For(self.var, at[0], at[1], copy.deepcopy(step), copy.deepcopy(body), self.loop.pos)

    def allocate(self) -> list[ir.Stmt]:
        out = []
        for name, vtype in self.state:
            if vtype.is_array:
                value = ir.Call("module._snapshot_slots", [ir.Name(name), ir.Const(self.snapshots)])
            else:
                dtype = SCALAR_DTYPES[vtype.kind]
                value = ir.Call("numpy.empty", [ir.Const(self.snapshots)], [("dtype", ir.QualName(dtype))] if dtype
                                else [])
            out.append(ir.Assign(copy.deepcopy(self.snaps[name]), value, self.loop.pos))
        return out

    def take(self, slot: ir.Expr) -> list[ir.Stmt]:
        return [ir.Assign(ir.Subscript(copy.deepcopy(self.snaps[name]), [copy.deepcopy(slot)]), ir.Name(name))
                for name, _ in self.state]

    def restore(self, slot: ir.Expr) -> list[ir.Stmt]:
        out = []
        for name, vtype in self.state:
            target = ir.Subscript(ir.Name(name), [ir.Const(...)]) if vtype.is_array else ir.Name(name)
            out.append(ir.Assign(target, ir.Subscript(copy.deepcopy(self.snaps[name]), [copy.deepcopy(slot)])))
        return out

    def next_action(self) -> ir.Stmt:
        targets = ir.Tuple([copy.deepcopy(n) for n in (self.action, self.lo, self.hi)])
        return ir.Assign(targets, ir.Call("module._revolve_next", [copy.deepcopy(self.plan)]))

    def tally(self, name: str) -> list[ir.Stmt]:
        """The --instrument counting at one kind of action (nothing without it)."""
        if self.counted is None:
            return []
        if name == "advance":
            return [ir.Assign(copy.deepcopy(self.advanced), ir.BinOp("+", copy.deepcopy(self.advanced),
                                                                     build.sub(copy.deepcopy(self.hi),
                                                                               copy.deepcopy(self.lo))),
                              inplace=True)]
        if name == "take":
            return [ir.Assign(copy.deepcopy(self.held), ir.Call("max", [copy.deepcopy(self.held),
                                                                          build.add(copy.deepcopy(self.lo),
                                                                                    ir.Const(1))]))]
        return [build.increment(self.recorded)]

    def actions(self, primal: list[ir.Stmt], turn: list[ir.Stmt]) -> ir.If:
        """if TAKESHOT … elif RESTORE … elif ADVANCE … else: ``turn``."""
        advance = ir.If(_is(self.action, "_ADVANCE"), self.tally("advance") + [self.iterations(self.lo, self.hi,
                                                                                               primal)], turn)
        restore = ir.If(_is(self.action, "_RESTORE"), self.restore(self.lo), [advance])
        return ir.If(_is(self.action, "_TAKESHOT"), self.tally("take") + self.take(self.lo), [restore])

    # -- the sweeps ------------------------------------------------------------------------------

    def counting_run(self, primal: list[ir.Stmt]) -> list[ir.Stmt]:
        """The loop run once from its entry state, saved in slot 0 and put
        back, to count its iterations."""
        loop = copy.deepcopy(self.loop)
        loop.directive = None
        loop.body = [build.increment(self.count)] + copy.deepcopy(primal)
        return (self.take(ir.Const(0)) + [ir.Assign(copy.deepcopy(self.count), ir.Const(0), self.loop.pos), loop]
                + self.restore(ir.Const(0)))

    def forward(self, primal: list[ir.Stmt], record: list[ir.Stmt]) -> list[ir.Stmt]:
        out = self.allocate()
        if self.known_count:
            out.append(ir.Assign(copy.deepcopy(self.count), build.trip_count(self.loop), self.loop.pos))
        else:
            out += self.counting_run(primal)
        out.append(ir.Assign(copy.deepcopy(self.plan), ir.Call("module._revolve_plan", [
            copy.deepcopy(self.count), ir.Const(self.snapshots)]), self.loop.pos))
        if self.counted is not None:
            first = copy.deepcopy(self.count) if not self.known_count else ir.Const(0)
            out += [ir.Assign(copy.deepcopy(self.advanced), first), ir.Assign(copy.deepcopy(self.recorded),
                                                                               ir.Const(0)),
                    ir.Assign(copy.deepcopy(self.held), ir.Const(0))]
        turn = self.tally("turn") + [self.iterations(self.lo, self.hi, record)]
        if self.counted is not None:  # the last action is _TERMINATE instead when the loop runs no iteration
            turn = [ir.If(_is(self.action, "_FIRSTURN"), turn, [])]
        turn.append(ir.Break())
        out.append(ir.While(ir.Const(True), [self.next_action(), self.actions(primal, turn)], self.loop.pos))
        return out

    def reverse(self, primal: list[ir.Stmt], record: list[ir.Stmt], adjoint: list[ir.Stmt]) -> list[ir.Stmt]:
        """``record``: the iteration a turn records right before its adjoint,
        which may leave out what that adjoint runs again (reverse/control.py:
        ``turn_record``)."""
        recording = self.tally("turn") + ([self.iterations(self.lo, self.hi, record)] if record else [])
        turn = ([ir.If(_is(self.action, "_YOUTURN"), recording, [])] if recording else []) \
            + [self.iterations(self.lo, self.hi, adjoint)]
        out: list[ir.Stmt] = [ir.While(ir.Compare("!=", copy.deepcopy(self.action), ir.QualName("module._TERMINATE")),
                                       [self.actions(primal, turn), self.next_action()], self.loop.pos)]
        if self.counted is not None:
            per_snapshot = None
            for name, _ in self.state:
                per_snapshot = build.add(per_snapshot, ir.Attribute(copy.deepcopy(self.snaps[name]), "nbytes"))
            nbytes = build.mul(copy.deepcopy(self.held), ir.BinOp("//", per_snapshot or ir.Const(0),
                                                                 ir.Const(self.snapshots)))
            out.append(ir.ExprStmt(ir.Call("module._count_checkpoints", [
                copy.deepcopy(self.counts), ir.Const(self.counted), copy.deepcopy(self.count),
                copy.deepcopy(self.advanced), copy.deepcopy(self.recorded), copy.deepcopy(self.held), nbytes])))
        return out
