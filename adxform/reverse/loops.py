"""Loops in the reverse sweep: walking a range backwards, counting trips,
knowing how many values one iteration pushes."""

from __future__ import annotations

import copy

from .. import build, ir
from ..walk import flat_targets, names_read, statements


def own_statements(body: list[ir.Stmt]):
    """Statements of ``body`` outside nested loops."""
    for stmt in body:
        yield stmt
        if isinstance(stmt, ir.If):
            yield from own_statements(stmt.body + stmt.orelse)


def reversed_for(stmt: ir.For, body: list[ir.Stmt]) -> ir.For:
    """``range(start, stop, step)`` walked backwards, from the same bounds."""
    start, stop, step = (copy.deepcopy(e) for e in (stmt.start, stmt.stop, stmt.step))
    if build.is_const(step, 1):
        return ir.For(stmt.var, build.sub(stop, ir.Const(1)), build.sub(start, ir.Const(1)), ir.Const(-1), body,
                      stmt.pos)
    if build.is_const(step, -1):
        return ir.For(stmt.var, build.add(stop, ir.Const(1)), build.add(start, ir.Const(1)), ir.Const(1), body,
                      stmt.pos)
    count = ir.Call("module._trip_count", [start, stop, step])
    last = build.add(copy.deepcopy(start), build.mul(build.sub(count, ir.Const(1)), copy.deepcopy(step)))
    return ir.For(stmt.var, last, build.sub(copy.deepcopy(start), copy.deepcopy(step)), build.neg(copy.deepcopy(step)),
                  body, stmt.pos)


def pushes_per_iteration(body: list[ir.Stmt]) -> dict[str, int] | None:
    """The most scalar pushes one iteration makes, per tape; None when a
    nested loop or an array push makes that unknown."""
    counts = {"float": 0, "int": 0}
    for stmt in body:
        if isinstance(stmt, (ir.For, ir.While)):
            return None
        if isinstance(stmt, ir.If):
            branches = [pushes_per_iteration(stmt.body), pushes_per_iteration(stmt.orelse)]
            if None in branches:
                return None
            for kind in counts:
                counts[kind] += max(b[kind] for b in branches)
        elif isinstance(stmt, ir.Assign) and isinstance(stmt.value, ir.Call):
            func = stmt.value.func
            if func == "module._tape_push_array":
                return None
            if func == "module._tape_push":
                tape = stmt.value.args[0]
                counts["float" if tape.id.startswith("ftape") else "int"] += 1
    return counts


def array_pushes_of_fixed_size(loop: ir.For, body: list[ir.Stmt]) -> list[ir.Call]:
    """The ``_tape_push_array`` calls of every iteration of ``loop`` (its
    sweep ``body``'s own statements) whose array's size the loop cannot change: no
    name they read is bound in the loop, the loop variable included (writes
    into elements keep sizes).  Their room can be reserved before the loop,
    sparing the tape its doublings and copies."""
    bound = {loop.var} | {s.var for s in statements(loop.body) if isinstance(s, ir.For)}
    bound |= {t.id for s in statements(loop.body) if isinstance(s, ir.Assign)
              for t in flat_targets(s.target) if isinstance(t, ir.Name)}
    return [stmt.value for stmt in body
            if isinstance(stmt, ir.Assign) and isinstance(stmt.value, ir.Call)
            and stmt.value.func == "module._tape_push_array" and not set(names_read(stmt.value.args[2])) & bound]


def put_pushes(body: list[ir.Stmt]) -> None:
    """In a loop whose room on the tapes is reserved, pushes become
    ``top = _tape_put(tape, top, value)``: no growth test, and the tape
    array is not rebound (and reference counted) at every iteration."""
    for k, stmt in enumerate(body):
        if isinstance(stmt, ir.If):
            put_pushes(stmt.body)
            put_pushes(stmt.orelse)
        elif isinstance(stmt, ir.Assign) and isinstance(stmt.value, ir.Call) and stmt.value.func == "module._tape_push":
            tape, top, value = stmt.value.args
            body[k] = ir.Assign(copy.deepcopy(top), ir.Call("module._tape_put", [tape, top, value]), stmt.pos)
