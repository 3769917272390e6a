"""Loops in the reverse sweep: walking a range backwards, counting trips,
knowing how many values one iteration pushes."""

from __future__ import annotations

import copy

from .. import build, ir
from ..walk import (expressions, flat_targets, names_read, names_sized, statements, stmt_expressions, sub_blocks,
                    values_read)


def own_statements(body: list[ir.Stmt]):
    """Statements of ``body`` outside nested loops."""
    for stmt in body:
        yield stmt
        if isinstance(stmt, ir.If):
            yield from own_statements(stmt.body + stmt.orelse)


def reversed_for(stmt: ir.For, body: list[ir.Stmt]) -> list[ir.Stmt]:
    """``range(start, stop, step)`` walked backwards, from the same bounds:
    a countdown where the step is a positive literal, an upward ``range``
    where it is -1, and a ``range`` from the last value otherwise."""
    start, stop, step = (copy.deepcopy(e) for e in (stmt.start, stmt.stop, stmt.step))
    step_value = build.int_value(step)
    if step_value is not None and step_value > 0:
        return countdown(stmt.var, start, stop, step_value, body, stmt.pos)
    if step_value == -1:
        return [ir.For(stmt.var, _plus_one(stop), _plus_one(start), ir.Const(1), body, stmt.pos)]
    count = ir.Call("module._trip_count", [start, stop, step])
    last = build.add(copy.deepcopy(start), build.mul(build.sub(count, ir.Const(1)), copy.deepcopy(step)))
    return [ir.For(stmt.var, last, build.sub(copy.deepcopy(start), copy.deepcopy(step)),
                   build.neg(copy.deepcopy(step)), body, stmt.pos)]


def _plus_one(bound: ir.Expr) -> ir.Expr:
    """An integer loop bound plus one, folded where it ends in a literal
    (``n - 1`` -> ``n``, ``-1`` -> ``0``)."""
    if build.int_value(bound) is not None:
        return ir.Const(build.int_value(bound) + 1)
    if isinstance(bound, ir.BinOp) and bound.op in "+-" and build.int_value(bound.right) is not None:
        total = (build.int_value(bound.right) if bound.op == "+" else -build.int_value(bound.right)) + 1
        if total == 0:
            return bound.left
        return ir.BinOp("+" if total > 0 else "-", bound.left, ir.Const(abs(total)))
    return build.add(bound, ir.Const(1))


def countdown(var: str, start: ir.Expr, stop: ir.Expr, step: int, body: list[ir.Stmt], pos: ir.Pos) -> list[ir.Stmt]:
    """``var`` over ``range(start, stop, step)`` (``step`` > 0) backwards, as

        var = stop                  # start + len(range(...)) * step for a step > 1
        while var > start:
            var -= step
            ...

    rather than ``for var in range(stop - 1, start - 1, -1)``: numba cannot
    tell that the index of a downward ``range`` stays non-negative, so every
    ``a[var]`` in the body pays the negative-index wrap-around test and the
    loop is not vectorised (measured: Lorenz-96's adjoint loops 1.7x slower).
    ``start`` is read at every test; the reverse sweep never changes the
    variables a loop bound reads (``_For`` checks the primal body)."""
    top = stop if step == 1 else build.add(copy.deepcopy(start), build.mul(
        ir.Call("module._trip_count", [copy.deepcopy(start), stop, ir.Const(step)]), ir.Const(step)))
    step_down = ir.Assign(ir.Name(var), ir.BinOp("-", ir.Name(var), ir.Const(step)), pos, inplace=True)
    return [ir.Assign(ir.Name(var), top, pos),
            ir.While(ir.Compare(">", ir.Name(var), start), [step_down] + body, pos)]


def pushes_per_iteration(body: list[ir.Stmt], tapes: dict[str, tuple[str, str]],
                         changed: set[str]) -> dict[str, ir.Expr] | None:
    """The most scalar pushes one iteration makes on the function's own
    ``tapes`` (kind -> (tape, top)), per tape, as an expression that holds
    on entry to the loop: a nested ``for`` counts its trip count (at least
    0) times its own pushes, when no name its bounds read is ``changed`` in
    the loop (or it pushes nothing).  None when a ``while``, another
    ``for`` or an array push makes that unknown.  The reservations of
    nested loops are not counted (the enclosing one takes their place, see
    ``put_pushes``), nor are pushes on other tapes: primal statements of a
    generated module read back, which grow their own."""
    kinds = {tape: kind for kind, (tape, _) in tapes.items()}
    counts: dict[str, ir.Expr] = {"float": ir.Const(0), "int": ir.Const(0)}
    for stmt in body:
        if isinstance(stmt, ir.While):
            return None
        if isinstance(stmt, ir.For):
            inner = pushes_per_iteration(stmt.body, tapes, changed)
            if inner is None:
                return None
            if all(build.is_const(count, 0) for count in inner.values()):
                continue  # pushes nothing, however many times (a triangular loop of ``range(j + 1, d)``)
            if {n for b in (stmt.start, stmt.stop, stmt.step) for n in names_read(b)} & changed:
                return None
            trips = ir.Call("builtins.max", [build.trip_count(stmt), ir.Const(0)])
            for kind in counts:
                counts[kind] = _plus(counts[kind], build.mul(copy.deepcopy(trips), inner[kind]))
        elif isinstance(stmt, ir.If):
            branches = [pushes_per_iteration(stmt.body, tapes, changed),
                        pushes_per_iteration(stmt.orelse, tapes, changed)]
            if None in branches:
                return None
            for kind in counts:
                counts[kind] = _plus(counts[kind], _most(branches[0][kind], branches[1][kind]))
        elif isinstance(stmt, ir.Assign) and isinstance(stmt.value, ir.Call):
            func = stmt.value.func
            if func == "module._tape_push_array":
                return None
            if func in ("module._tape_push", "module._tape_put") and stmt.value.args[0].id in kinds:
                kind = kinds[stmt.value.args[0].id]
                counts[kind] = _plus(counts[kind], ir.Const(1))
    return counts


def names_changed(body: list[ir.Stmt]) -> set[str]:
    """The names ``body`` binds or updates (``n += 1`` included), loop
    variables too; writes into elements are not, as they keep sizes."""
    changed = {s.var for s in statements(body) if isinstance(s, ir.For)}
    return changed | {t.id for s in statements(body) if isinstance(s, ir.Assign)
                      for t in flat_targets(s.target) if isinstance(t, ir.Name)}


def bounds_changed(loop: ir.For, written: set[str]) -> tuple[set[str], set[str]]:
    """What the body of ``loop`` changes of what its (start and step, stop)
    read, given the names it writes into (``written``).  A bound that
    reads only an array's size (``range(x.shape[0])``, ``len(x)``) changes
    only where the body binds the array again: writing its elements keeps
    the size."""
    rebound = names_changed(loop.body)

    def changed(bound: ir.Expr) -> set[str]:
        return set(values_read(bound)) & written | names_sized(bound) & rebound

    return changed(loop.start) | changed(loop.step), changed(loop.stop)


def _plus(a: ir.Expr, b: ir.Expr | None) -> ir.Expr:
    """a + b, where b None is nothing pushed (a product with a literal 0)."""
    if b is None:
        return a
    return b if build.is_const(a, 0) else build.add(a, b)


def _most(a: ir.Expr, b: ir.Expr) -> ir.Expr:
    """max(a, b) of two counts, folded where both are literals or one is 0."""
    if build.is_const(a) and build.is_const(b):
        return ir.Const(max(a.value, b.value))
    for one, other in ((a, b), (b, a)):
        if build.is_const(one, 0):
            return other
    return ir.Call("builtins.max", [a, b])


def array_pushes_of_fixed_size(loop: ir.For, body: list[ir.Stmt]) -> list[ir.Call]:
    """The ``_tape_push_array`` calls of every iteration of ``loop`` (its
    sweep ``body``'s own statements) whose array's size the loop cannot change: no
    name they read is bound in the loop, the loop variable included (writes
    into elements keep sizes).  Their room can be reserved before the loop,
    sparing the tape its doublings and copies."""
    bound = names_changed(loop.body) | {loop.var}
    return [stmt.value for stmt in body
            if isinstance(stmt, ir.Assign) and isinstance(stmt.value, ir.Call)
            and stmt.value.func == "module._tape_push_array" and not set(names_read(stmt.value.args[2])) & bound]


def put_pushes(body: list[ir.Stmt], tapes: dict[str, tuple[str, str]]) -> None:
    """In a loop whose room on the function's own ``tapes`` is reserved,
    their pushes become ``top = _tape_put(tape, top, value)``: no growth
    test, and the tape array is not rebound (and reference counted) at
    every iteration.  The reservations of nested loops go: this one covers
    theirs (rebinding the tape inside a loop nest, and the doublings, cost
    Burgers' forward sweep six primal runs)."""
    own = {tape for tape, _ in tapes.values()}
    kept = []
    for stmt in body:
        if isinstance(stmt, ir.Assign) and isinstance(stmt.value, ir.Call) and stmt.value.args \
                and isinstance(stmt.value.args[0], ir.Name) and stmt.value.args[0].id in own:
            if stmt.value.func == "module._tape_reserve":
                continue
            if stmt.value.func == "module._tape_push":
                tape, top, value = stmt.value.args
                stmt = ir.Assign(copy.deepcopy(top), ir.Call("module._tape_put", [tape, top, value]), stmt.pos)
        for block in sub_blocks(stmt):
            put_pushes(block, tapes)
        kept.append(stmt)
    body[:] = kept


def indexed_pops(loop: ir.For, fwd_body: list[ir.Stmt], rev_body: list[ir.Stmt],
                 tapes: dict[str, tuple[str, str]]) -> tuple[list[ir.Stmt], list[ir.Stmt]] | None:
    """A loop of step 1 whose every iteration pushes the same number of
    values (none under a branch or in a nested loop): its reversed
    iterations read their values at their own place on the tape, so they
    may walk forwards, as a copy numba vectorises, where they commute (a
    time step's ``u[i] = unew[i]``: popped one at a time, backwards,
    Burgers' restore cost about 0.7 primal runs more).  Returns the statements before the
    loop (``top -= P * trips``, leaving the tape as the pops would) and the
    body with ``x[i] = tape[top + P * (i - start) + j]`` for its pops; None
    where the pushes or pops are not all at the top of the bodies, or a pop
    restores anything but an element of the iteration's own (a scalar
    ``s`` restored in every iteration must end with the value the first
    one restores: fuzz seed 182781)."""
    if not build.is_const(loop.step, 1):
        return None
    kinds = {tape: kind for kind, (tape, _) in tapes.items()}
    pushed = {"float": 0, "int": 0}
    for stmt in statements(fwd_body):
        call = stmt.value if isinstance(stmt, ir.Assign) and isinstance(stmt.value, ir.Call) else None
        if call is not None and call.func.startswith("module._tape_") and call.args \
                and isinstance(call.args[0], ir.Name) and call.args[0].id in kinds:
            if call.func not in ("module._tape_push", "module._tape_put") or not any(stmt is s for s in fwd_body):
                return None
            pushed[kinds[call.args[0].id]] += 1
    popped = {"float": 0, "int": 0}
    body: list[ir.Stmt] = []
    tape_names = {name for pair in tapes.values() for name in pair}
    for k, stmt in enumerate(rev_body):
        kind = _pop_kind(rev_body, k, tapes)
        if kind is None and k > 0 and _pop_kind(rev_body, k - 1, tapes) is not None:
            if not (isinstance(stmt.target, ir.Subscript) and isinstance(stmt.target.index[0], ir.Name)
                    and stmt.target.index[0].id == loop.var):
                return None  # a scalar the pops restore keeps the value of the last one: the first iteration's
            kind = _pop_kind(rev_body, k - 1, tapes)
            popped[kind] += 1
            read = _place(tapes[kind], pushed[kind], loop, pushed[kind] - popped[kind])
            body.append(ir.Assign(stmt.target, read, stmt.pos))
        elif kind is None:
            if any(isinstance(e, ir.Name) and e.id in tape_names
                   for s in statements([stmt]) for x in stmt_expressions(s) for e in expressions(x)):
                return None
            body.append(stmt)
    if popped != pushed or not any(pushed.values()):
        return None
    return _top_moves("-", tapes, pushed, loop), body


def _pop_kind(body: list[ir.Stmt], k: int, tapes: dict[str, tuple[str, str]]) -> str | None:
    """The tape kind whose ``top -= 1`` ``body[k]`` is, where ``body[k + 1]``
    reads the tape at the new top (the two statements of ``Tape.pop``)."""
    stmt = body[k]
    for kind, (tape, top) in tapes.items():
        if isinstance(stmt, ir.Assign) and stmt.inplace and isinstance(stmt.target, ir.Name) \
                and stmt.target.id == top and k + 1 < len(body):
            read = body[k + 1]
            if isinstance(read, ir.Assign) and isinstance(read.value, ir.Subscript) \
                    and isinstance(read.value.value, ir.Name) and read.value.value.id == tape \
                    and len(read.value.index) == 1 and isinstance(read.value.index[0], ir.Name) \
                    and read.value.index[0].id == top:
                return kind
    return None


def indexed_puts(body: list[ir.Stmt], tapes: dict[str, tuple[str, str]]) -> None:
    """Loops of step 1 in a forward sweep whose every iteration puts the
    same values on a reserved tape (``top = _tape_put(tape, top, v)``, at
    the top of the body, with no jump out of it) write each at its place,
    ``tape[top + P * (i - start) + k] = v``, and move the top once, after
    the loop: numba vectorises that loop (a time step's ``u[i] = unew[i]``,
    whose puts one at a time cost Burgers' gradient about one primal run).
    The values land where the puts would put them: the reverse sweep is
    the same.  Nested loops first; a loop around one made so is left as it
    is, since its top then moves inside it."""
    kinds = {tape: kind for kind, (tape, _) in tapes.items()}
    tape_names = {name for pair in tapes.values() for name in pair}
    for stmt in list(body):
        for block in sub_blocks(stmt):
            indexed_puts(block, tapes)
        if not isinstance(stmt, ir.For) or not build.is_const(stmt.step, 1):
            continue
        puts = [s for s in stmt.body if _put_kind(s, kinds) is not None]
        others = [s for s in statements(stmt.body) if not any(s is p for p in puts)]
        changed = names_changed(stmt.body)
        if not puts or any(isinstance(s, (ir.Break, ir.Continue, ir.Return)) for s in own_statements(stmt.body)) \
                or any(n in tape_names for s in others for e in stmt_expressions(s) for n in names_read(e)) \
                or stmt.var in changed or any(bounds_changed(stmt, changed)):
            continue
        per_iteration = {kind: sum(_put_kind(s, kinds) == kind for s in puts) for kind in tapes}
        placed = {kind: 0 for kind in tapes}
        for k, put in enumerate(stmt.body):
            kind = _put_kind(put, kinds)
            if kind is not None:
                stmt.body[k] = ir.Assign(_place(tapes[kind], per_iteration[kind], stmt, placed[kind]),
                                         put.value.args[2], put.pos)
                placed[kind] += 1
        at = next(k for k, s in enumerate(body) if s is stmt)
        body[at + 1:at + 1] = _top_moves("+", tapes, per_iteration, stmt)


def _place(tape_and_top: tuple[str, str], per_iteration: int, loop: ir.For, k: int) -> ir.Subscript:
    """``tape[top + P * (i - start) + k]``: the k-th of the P values an
    iteration of ``loop`` keeps, where the loop starts at ``top``."""
    tape, top = tape_and_top
    offset = build.mul(ir.Const(per_iteration), build.sub(ir.Name(loop.var), copy.deepcopy(loop.start)))
    place = build.add(ir.Name(top), offset)
    return ir.Subscript(ir.Name(tape), [build.add(place, ir.Const(k)) if k else place])


def _top_moves(op: str, tapes: dict[str, tuple[str, str]], per_iteration: dict[str, int],
               loop: ir.For) -> list[ir.Stmt]:
    """``top op= P * max(trips, 0)`` for each tape ``loop`` keeps values on:
    the top where its iterations, one value at a time, would leave it."""
    trips = ir.Call("builtins.max", [build.trip_count(loop), ir.Const(0)])
    return [ir.Assign(ir.Name(tapes[kind][1]), ir.BinOp(op, ir.Name(tapes[kind][1]), build.mul(
        ir.Const(count), copy.deepcopy(trips))), inplace=True) for kind, count in sorted(per_iteration.items())
        if count]


def _put_kind(stmt: ir.Stmt, kinds: dict[str, str]) -> str | None:
    """The tape kind ``stmt`` puts a value on, if it is ``top = _tape_put(tape, top, v)``."""
    if isinstance(stmt, ir.Assign) and isinstance(stmt.value, ir.Call) and stmt.value.func == "module._tape_put" \
            and isinstance(stmt.value.args[0], ir.Name) and stmt.value.args[0].id in kinds:
        return kinds[stmt.value.args[0].id]
    return None
