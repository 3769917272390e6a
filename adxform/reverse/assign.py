"""Assignments: ``y = f(x)`` saves what it overwrites when the reverse sweep
reads it, and its adjoint sends ``y_bar`` into the adjoints of what ``f``
reads (``adjoint.py`` holds the rules of the expressions)."""

from __future__ import annotations

import copy

from .. import build, ir
from ..analysis.bindings import base_name
from ..walk import assignment_pairs, flat_targets, names_read, same
from .bars import captured_seed, new_bar, zero_bar
from .builder import ReverseBuilder, Sweeps
from .calls import transform_call
from .record import fresh_array, may_rebind, save_array, save_targets, shape_kept
from .reuse import bind_repeated_calls
from .runtime import RuntimeAdjoints, is_helper_call


def transform_assign(builder: ReverseBuilder, stmt: ir.Assign, depth: int) -> Sweeps:
    nested = [t for t in flat_targets(stmt.target) if isinstance(t, ir.Subscript) and base_name(t) is None]
    if nested:  # no adjoint array to name: it would be silently left out
        builder.refuse(nested[0].pos, "an assignment into a subscript of a subscript (write 'a[i, j] = …' for "
                       "'a[i][j] = …')")
        return Sweeps([stmt], [])
    if is_helper_call(stmt.value, builder.program.module):  # a runtime helper of a module read back
        return RuntimeAdjoints(builder).sweeps(stmt, stmt.value)
    if isinstance(stmt.value, ir.Call) and stmt.value.func.startswith("module."):
        return transform_call(builder, stmt, stmt.value, stmt.target)
    pushes: list[ir.Stmt] = []
    pops: list[ir.Stmt] = []
    array_name = isinstance(stmt.target, ir.Name) and builder.type(stmt.target).is_array
    if array_name and stmt.inplace:
        if stmt.target.id in builder.needed_after_undoing(stmt):
            pushes, pops = save_array(builder, stmt.target)
    else:
        pushes, pops = save_targets(builder, stmt, flat_targets(stmt.target))
    fwd = pushes + [stmt] + builder.ndim_check(stmt.target)
    if array_name and not stmt.inplace:
        if pushes:  # the old array's contents, which come back into the new one
            before, after = shape_kept(builder, stmt, stmt.target.id)
            fwd = before + fwd + after
        keep = fresh_array(builder, stmt)
        alloc, adjoint = array_definition(builder, stmt)
        adjoint = pops + bind_repeated_calls(adjoint, builder.bar)
        # the old array comes back before an adjoint that reads it (w = np.tanh(w)), else after
        rev = keep.rev + adjoint if stmt.target.id in names_read(stmt.value) else adjoint + keep.rev
        return Sweeps(keep.fwd + fwd + alloc + builder.kept_bound(stmt), rev)
    if pops and restorable_after(stmt):
        return Sweeps(fwd, bind_repeated_calls(assign_adjoint(builder, stmt, held=True), builder.bar) + pops)
    return Sweeps(fwd, pops + bind_repeated_calls(assign_adjoint(builder, stmt), builder.bar))


def restorable_after(stmt: ir.Assign) -> bool:
    """Whether the old value of the one target of ``y = f(x)`` may come
    back after the statement's adjoint instead of before it: the value
    does not read ``y``, so the adjoint does not need the old one, and
    ``y`` still holds f's value while the adjoint runs (``result_held``)."""
    targets = flat_targets(stmt.target)
    return (isinstance(stmt.value, ir.Call) and not stmt.inplace and len(targets) == 1
            and base_name(targets[0]) not in names_read(stmt.value))


def array_definition(builder: ReverseBuilder, stmt: ir.Assign) -> Sweeps:
    """``a = <array>``: give an active array its adjoint array."""
    name = stmt.target.id
    if not builder.active(name):
        return Sweeps([], [])
    if not builder.is_first_def(stmt, name) and id(stmt) not in builder.row_views:
        if not may_rebind(builder, stmt, name):
            return Sweeps([], [])
        return Sweeps(new_bar(builder, stmt, name), assign_adjoint(builder, stmt))
    bar = ir.Name(builder.bar(name))
    view = builder.bar_view(stmt.value)
    if view is not None:  # an alias shares its adjoint too
        return Sweeps([ir.Assign(bar, view, stmt.pos)], [])
    result_held(builder, stmt, stmt.target, stmt.value)
    return Sweeps(new_bar(builder, stmt, name), builder.adjoints.increments(stmt.value, bar))


def assign_adjoint(builder: ReverseBuilder, stmt: ir.Assign, held: bool = False) -> list[ir.Stmt]:
    """The adjoint of an assignment; ``held``: its target still holds the
    assigned value where the adjoint runs."""
    targets, values = assignment_pairs(stmt.target, stmt.value)
    active = [(t, v) for t, v in zip(targets, values) if base_name(t) is not None and builder.active(base_name(t))]
    if not active:
        return []
    if len(active) == 1:
        fast = increment_adjoint(builder, stmt, *active[0])
        if fast is not None:
            return fast
    reads_targets = any(base_name(t) in names_read(stmt.value) for t, _ in active)
    out: list[ir.Stmt] = []
    seeds: list[ir.Expr] = []
    if reads_targets or len(active) > 1:
        for target, _ in active:  # capture every seed before zeroing any bar
            capture, seed = captured_seed(builder, stmt, target)
            out.append(capture)
            seeds.append(seed)
        for target, _ in active:
            out += zero_bar(builder, stmt, target)
        for (target, value), seed in zip(active, seeds):
            out += builder.adjoints.increments(value, seed, broadcast_into(builder, target))
        return out
    target, value = active[0]
    result_held(builder, stmt, target, value, held)
    out = builder.adjoints.increments(value, builder.bar_of(target), broadcast_into(builder, target))
    return out + zero_bar(builder, stmt, target)


def broadcast_into(builder: ReverseBuilder, target: ir.Expr) -> bool:
    """Whether the value written into ``target`` may have been broadcast
    to its shape, so that its seed must be summed down (``h[t] = x[t]``
    fills a row with one number): a write into part of an array."""
    return isinstance(target, ir.Subscript) and builder.type(target).is_array


def result_held(builder: ReverseBuilder, stmt: ir.Assign, target: ir.Expr, value: ir.Expr,
                held: bool = False) -> None:
    """``y = f(x)`` where ``y`` still holds f's value when the adjoint runs
    (``held``: its old value comes back after the adjoint; or it is its
    first definition, or recomputed or, made afresh in a loop, loaded back
    at the head of the reversed iteration): partials in terms of the
    result (tanh: 1 - y*y, and y = a / b: b_bar -= y_bar / b * y) read y
    instead of calling f again."""
    quotient = isinstance(value, ir.BinOp) and value.op == "/"
    if not (isinstance(value, ir.Call) or quotient) or base_name(target) in names_read(value):
        return
    if held or isinstance(target, ir.Name) and (target.id in builder.recomputed
                                                or builder.is_first_def(stmt, target.id)
                                                or target.id in builder.fresh_stacks
                                                or target.id in builder.kept):
        builder.adjoints.results[id(value)] = copy.deepcopy(target)


def increment_adjoint(builder: ReverseBuilder, stmt: ir.Assign, target: ir.Expr,
                      value: ir.Expr) -> list[ir.Stmt] | None:
    """``x = x + e`` / ``x = x - e`` (``x += e``): x_bar is unchanged and
    ``e`` receives it, with no zeroing and adding back.  When ``e`` reads
    ``x``, its increments change x_bar, so it receives a copy."""
    if not (isinstance(value, ir.BinOp) and value.op in "+-" and same(value.left, target)):
        return None
    seed: ir.Expr = builder.bar_of(target)
    captured: list[ir.Stmt] = []
    if base_name(target) in names_read(value.right):
        capture, seed = captured_seed(builder, stmt, target)
        captured.append(capture)
    return captured + builder.adjoints.increments(value.right, seed if value.op == "+" else build.neg(seed),
                                                  stretched=builder.type(target).is_array)
