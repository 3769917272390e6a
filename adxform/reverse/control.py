"""Control flow: ``if``, ``for``, ``while``, checkpointed loops, and the
tape room reserved for a loop's iterations.

An ``if`` test and loop bounds are evaluated again in the reverse sweep
when nothing inside the construct changes what they read; otherwise the
branch taken and the trip count are recorded.  The needed iteration-local
values of a loop body are recomputed at the head of each reversed
iteration (``recompute.py``) instead of being taped.
"""

from __future__ import annotations

import copy

from .. import build, ir
from ..analysis.liveness import live_in
from ..checkpoint import Checkpointed, carried_state
from ..diagnostics import InternalError
from ..walk import names_read
from .builder import ReverseBuilder, Sweeps, transform_block
from .loops import (array_pushes_of_fixed_size, bounds_changed, countdown, indexed_pops, names_changed,
                    own_statements, pushes_per_iteration, put_pushes, reversed_for)
from .recompute import defined_names, iterations_commute, recomputable
from .record import recall, recorded
from .structure import at_path_ends


def transform_pass(builder: ReverseBuilder, stmt: ir.Pass, depth: int) -> Sweeps:
    return Sweeps([], [])


def transform_break(builder: ReverseBuilder, stmt: ir.Break, depth: int) -> Sweeps:
    """A ``break`` is the last statement of its path (structure.py): the
    recorded trip count tells the reverse sweep where the loop stopped."""
    return Sweeps([stmt], [])


def transform_lowered(builder: ReverseBuilder, stmt: ir.Return | ir.Continue, depth: int) -> Sweeps:
    """``return`` and ``continue`` never reach the sweeps: ``single_exit``
    (structure.py) lowers them before construction starts."""
    raise InternalError(f"line {stmt.pos.line}:{stmt.pos.col}: internal error: a {type(stmt).__name__.lower()} "
                        "statement reached reverse mode's sweeps (single_exit lowers them, structure.py)")


def transform_if(builder: ReverseBuilder, stmt: ir.If, depth: int) -> Sweeps:
    fwd_body, rev_body = transform_block(builder, stmt.body, depth)
    fwd_else, rev_else = transform_block(builder, stmt.orelse, depth)
    if not rev_body and not rev_else:
        return Sweeps([ir.If(stmt.test, fwd_body, fwd_else, stmt.pos)], [])
    written = builder.written_in(stmt.body + stmt.orelse)
    if not written & set(names_read(stmt.test)):
        # the test reads nothing the branches change: evaluate it again
        return Sweeps([ir.If(stmt.test, fwd_body, fwd_else, stmt.pos)],
                      [ir.If(copy.deepcopy(stmt.test), rev_body, rev_else, stmt.pos)])
    flag = ir.Name(builder.bar.fresh("branch"))
    took, not_took = recorded(builder, flag, ir.Const(1), depth), recorded(builder, flag, ir.Const(0), depth)
    # the flag goes last on each path: it is popped before the branch's own records
    fwd = ir.If(stmt.test, at_path_ends(fwd_body, took), at_path_ends(fwd_else, not_took), stmt.pos)
    rev = recall(builder, flag, ir.INT, depth) + [ir.If(ir.Compare("==", flag, ir.Const(1)), rev_body, rev_else,
                                                        stmt.pos)]
    return Sweeps([fwd], rev)


def loop_body(builder: ReverseBuilder, loop: ir.For | ir.While, depth: int) -> Sweeps:
    """The sweeps of a loop body; the needed iteration-local values are
    recomputed at the head of each reversed iteration (recompute.py)."""
    written = builder.written_in(loop.body)
    again = [s for s in recomputable(loop, builder.body, written, builder.facts.types.env)
             if defined_names(s) & builder.needed]
    builder.recomputed |= {n for s in again for n in defined_names(s)}
    builder.again[id(loop)] = again
    fresh: list[str] = []  # arrays made afresh in the body (fresh_array)
    builder.loops.append((loop, fresh))
    fwd_body, rev_body = transform_block(builder, loop.body, depth + 1)
    builder.loops.pop()
    if not rev_body:
        return Sweeps(fwd_body, [])
    fwd_body += [s for name in fresh for s in (builder.fresh_stacks[name].check(ir.Name(name)),
                                               builder.fresh_stacks[name].push(ir.Name(name)))]
    loads = [s for name in fresh for s in builder.fresh_stacks[name].pop(ir.Name(name))]
    return Sweeps(fwd_body, loads + rows_again(builder, loop) + [copy.deepcopy(s) for s in again] + rev_body)


def rows_again(builder: ReverseBuilder, loop: ir.For | ir.While) -> list[ir.Stmt]:
    """The rows the loop body binds (``row = m[k]``, ``row_views``),
    bound again at the head of each reversed iteration, with their
    adjoints (the same rows of the bases' adjoints)."""
    out: list[ir.Stmt] = []
    for stmt in loop.body:
        if id(stmt) in builder.row_views and stmt.target.id in builder.needed | builder.facts.active:
            out.append(copy.deepcopy(stmt))
            view = builder.bar_view(stmt.value) if builder.active(stmt.target.id) else None
            if view is not None:
                out.append(ir.Assign(ir.Name(builder.bar(stmt.target.id)), view, stmt.pos))
    return out


def transform_while(builder: ReverseBuilder, stmt: ir.While, depth: int) -> Sweeps:
    if stmt.directive is not None:
        return transform_checkpointed(builder, stmt, depth)
    fwd_body, rev_body = loop_body(builder, stmt, depth)
    if not rev_body:
        return Sweeps([ir.While(stmt.test, fwd_body, stmt.pos)], [])
    count = ir.Name(builder.bar.fresh("n_iter"))
    fwd = [ir.Assign(copy.deepcopy(count), ir.Const(0), stmt.pos),
           ir.While(stmt.test, [build.increment(count)] + fwd_body, stmt.pos)]
    if depth > 0:
        fwd.append(builder.tape.push(copy.deepcopy(count), ir.INT))
    rev = recall(builder, count, ir.INT, depth) + [
        ir.For(builder.bar.fresh("k"), ir.Const(0), copy.deepcopy(count), ir.Const(1), rev_body, stmt.pos)]
    return Sweeps(fwd, rev)


def transform_for(builder: ReverseBuilder, stmt: ir.For, depth: int) -> Sweeps:
    """A ``for`` loop; where the reverse sweep reads its variable outside
    the loops over it (``i = 7; y = x * i; for i in ...``), the value the
    loop overwrites is saved too: the primal loop leaves its last value
    there, and the reversed loop another."""
    fwd, rev = for_sweeps(builder, stmt, depth)
    if stmt.var in builder.needed and stmt.var in builder.loop_vars_read_outside:
        builder.pushed_names.setdefault(stmt.var, builder.order[id(stmt)])
        fwd = [builder.tape.push(ir.Name(stmt.var), ir.INT)] + fwd
        rev = rev + builder.tape.pop(ir.Name(stmt.var), ir.INT)
    return Sweeps(fwd, rev)


def for_sweeps(builder: ReverseBuilder, stmt: ir.For, depth: int) -> Sweeps:
    """The loop itself: reversed by re-evaluating its bounds (walking
    forwards where the reverse iterations commute) or, where the body
    changes them or may break out, by a recorded trip count."""
    if stmt.directive is not None:
        return transform_checkpointed(builder, stmt, depth)
    fwd_body, rev_body = loop_body(builder, stmt, depth)
    loop = ir.For(stmt.var, stmt.start, stmt.stop, stmt.step, fwd_body, stmt.pos, stmt.directive)
    if not rev_body:
        return Sweeps([loop], [])
    start_or_step, stop = bounds_changed(stmt, builder.written_in(stmt.body))
    breaks = any(isinstance(s, ir.Break) for s in own_statements(stmt.body))
    if not breaks and not start_or_step | stop:
        private = {builder.bar(n) for n in builder.recomputed}
        if iterations_commute(rev_body, stmt.var, private):
            forwards = ir.For(stmt.var, copy.deepcopy(stmt.start), copy.deepcopy(stmt.stop),
                              copy.deepcopy(stmt.step), rev_body, stmt.pos)
            builder.walks[id(stmt)] = forwards
            return Sweeps(reserve(builder, loop, fwd_body, depth) + [loop], [forwards])
        walked = indexed_pops(stmt, fwd_body, rev_body, builder.tape.names)
        if walked is not None and iterations_commute(walked[1], stmt.var, private):
            forwards = ir.For(stmt.var, copy.deepcopy(stmt.start), copy.deepcopy(stmt.stop), ir.Const(1), walked[1],
                              stmt.pos)
            return Sweeps(reserve(builder, loop, fwd_body, depth) + [loop], walked[0] + [forwards])
        return Sweeps(reserve(builder, loop, fwd_body, depth) + [loop], reversed_for(stmt, rev_body))
    if start_or_step:
        builder.refuse(stmt.pos, "a loop whose start or step the loop body changes")
    count = ir.Name(builder.bar.fresh("n_iter"))
    loop.body = [build.increment(count)] + fwd_body
    fwd = [ir.Assign(copy.deepcopy(count), ir.Const(0), stmt.pos), loop]
    if depth > 0:
        fwd.append(builder.tape.push(copy.deepcopy(count), ir.INT))
    k = builder.bar.fresh("k")
    value = build.add(copy.deepcopy(stmt.start), build.mul(ir.Name(k), copy.deepcopy(stmt.step)))
    rev = recall(builder, count, ir.INT, depth) + countdown(
        k, ir.Const(0), copy.deepcopy(count), 1, [ir.Assign(ir.Name(stmt.var), value, stmt.pos)] + rev_body,
        stmt.pos)
    return Sweeps(fwd, rev)


def transform_checkpointed(builder: ReverseBuilder, loop: ir.For | ir.While, depth: int) -> Sweeps:
    """A loop under ``# adxform: checkpoint``: its iterations are recorded
    one at a time, right before their adjoints, from snapshots of its
    state (checkpoint/)."""
    fwd_body, rev_body = loop_body(builder, loop, depth)
    if not rev_body:
        plain = copy.copy(loop)
        plain.body = fwd_body
        return Sweeps([plain], [])
    what = "a checkpointed loop"
    if depth > 0:
        builder.refuse(loop.pos, f"{what} inside another loop of the same function (move it into a function "
                       "of its own)", "unsupported-checkpoint")
        return Sweeps([], [])
    written = builder.written_in(loop.body)
    if isinstance(loop, ir.For) and any(bounds_changed(loop, written)):
        builder.refuse(loop.pos, f"{what} whose bounds its body changes", "unsupported-checkpoint")
    env = builder.facts.types.env
    returned = [ir.Return(builder.output)] if builder.output is not None else []  # single_exit took it out
    arrays = sorted(n for n, vtype in env.items() if vtype.is_array)
    filled = {n for n, extent in builder.callees.filled_first(loop.body, arrays).items()
              if n in written and builder.extents.empty_tail(ir.Subscript(ir.Name(n), [ir.Slice(extent, None, None)]))}
    state = carried_state(loop, builder.body + returned, written, env, filled)
    for name in state:
        if env[name].kind == "tuple":
            builder.refuse(loop.pos, f"{what} that changes the tuple '{name}'", "unsupported-checkpoint")
        elif name not in builder.bound_before[id(loop)]:  # unbound on some path to the loop
            if env[name].is_array:
                made = "returns an array from inside it" if name in builder.results else \
                    f"creates the array '{name}' read after an iteration"  # results: the lowering's, not the user's
                builder.refuse(loop.pos, f"{what} that {made}", "unsupported-checkpoint")
            builder.pushed_names.setdefault(name, builder.order[id(loop)])  # snapshots copy it before its first value
    breaks = isinstance(loop, ir.For) and any(isinstance(s, ir.Break) for s in own_statements(loop.body))
    snapshots = loop.directive.options.get("snapshots", builder.checkpointing.snapshots)
    counter = builder.checkpointing.loops
    counted = (ir.Name(builder.counts), counter.loop_id(f"{builder.facts.func.name}:{loop.pos.line}")) \
        if counter is not None else None
    sweeps = Checkpointed(loop, [(n, env[n]) for n in state], snapshots, isinstance(loop, ir.For) and not breaks,
                          builder.bar, counted)
    rev = sweeps.reverse(loop.body, turn_record(builder, loop, fwd_body), rev_body)
    # The driver restores the state from snapshots before the iterations it
    # runs again read it: of those, only what the body reads and does not
    # change must hold its loop-time value; the adjoint body needs its own.
    builder.driver_reads[id(rev[0])] = (live_in(loop.body) - set(state) - filled) | builder.reads(rev_body)
    return Sweeps(sweeps.forward(loop.body, fwd_body), rev)


def turn_record(builder: ReverseBuilder, loop: ir.For | ir.While, fwd_body: list[ir.Stmt]) -> list[ir.Stmt]:
    """The recorded iteration a turn of the reverse sweep runs right before
    its adjoint.  Where the body ends in a call for its effect on its
    arguments (``step(x, work)``), the call is left out: its adjoint runs
    next and reads only values from before the call (loaded back from the
    tape, or computed again by the callee's ``_rev``, which runs the callee
    first), and the adjoints after it read values from before the call too.
    Running it would cost one iteration more per reversed iteration."""
    last = fwd_body[-1] if fwd_body else None
    if last is loop.body[-1] and isinstance(last, ir.ExprStmt) and isinstance(last.value, ir.Call) \
            and last.value.func.startswith("module.") and last.value.func[7:] in builder.program.facts:
        return fwd_body[:-1]
    return fwd_body


def reserve(builder: ReverseBuilder, loop: ir.For, fwd_body: list[ir.Stmt], depth: int) -> list[ir.Stmt]:
    """Room on the tapes for every iteration of a loop whose pushes per
    iteration are known on entry (no ``while``, no array push, nested
    ``for`` loops of bounds it does not change), or for the arrays of a
    fixed size it pushes."""
    changed = names_changed(fwd_body) | {loop.var}
    per_iteration = pushes_per_iteration(fwd_body, builder.tape.names, changed)
    if per_iteration is None and depth > 0:
        return []
    tape = builder.tape
    if per_iteration is None:  # array pushes: room on the float tape for those of a fixed size
        total = None
        for push in array_pushes_of_fixed_size(loop, fwd_body):
            if push.args[0].id == tape.names["float"][0]:
                total = build.add(total, ir.Attribute(copy.deepcopy(push.args[2]), "size"))
        return [] if total is None else [tape.reserve("float", build.mul(build.trip_count(loop), total))]
    put_pushes(fwd_body, builder.tape.names)
    count = build.trip_count(loop)
    return [tape.reserve(kind, build.mul(n, copy.deepcopy(count)))
            for kind, n in sorted(per_iteration.items()) if not build.is_const(n, 0)]
