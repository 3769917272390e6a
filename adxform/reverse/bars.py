"""The adjoint variables of assignment targets, as assignments and calls
both need them: an adjoint array where a binding gives an array its first
one, a seed captured before an adjoint changes it, and the zeroing of a
target's adjoint once its value has been overwritten."""

from __future__ import annotations

import copy

from .. import ir
from .builder import ReverseBuilder


def new_bar(builder: ReverseBuilder, stmt: ir.Stmt, name: str) -> list[ir.Stmt]:
    """The adjoint array of ``name`` where ``stmt`` binds it to a new array
    and nothing gave it one before: at its first definition, or made
    afresh in a loop, where the last one serves all iterations (all of one
    shape, ArrayStack: one made while the stack is empty).  A binding
    that some path reaches with ``name`` unbound gets one: on each path of
    a branch, and in a loop that one path enters (``return`` in a ``while``
    of one branch, lowered to ``result = ...; break``)."""
    if name in builder.bound_before[id(stmt)] and not builder.is_first_def(stmt, name):
        return []
    alloc: list[ir.Stmt] = [ir.Assign(ir.Name(builder.bar(name)), builder.target.zeros_like(ir.Name(name)),
                                      stmt.pos)]
    if not builder.is_first_def(stmt, name) and name in builder.fresh_stacks:
        alloc = [ir.If(ir.Compare("==", ir.Name(builder.fresh_stacks[name].top), ir.Const(0)), alloc, [], stmt.pos)]
    elif name in builder.kept:  # the first binding that finds no array before it makes the one adjoint array
        alloc = [ir.If(ir.Compare("==", ir.Name(builder.kept[name].live), ir.Const(0)), alloc, [], stmt.pos)]
    return alloc


def captured_seed(builder: ReverseBuilder, stmt: ir.Stmt, target: ir.Expr) -> tuple[ir.Stmt, ir.Name]:
    """``t_bar = x_bar`` (a copy, for an array) and ``t_bar``: the seed of
    ``target`` taken before the adjoint changes ``x_bar``."""
    seed = ir.Name(builder.bar.fresh("t_bar"))
    bar = builder.bar_of(target)
    value = ir.Call("method.copy", [bar]) if builder.type(target).is_array else bar
    return ir.Assign(seed, value, stmt.pos), copy.deepcopy(seed)


def zero_bar(builder: ReverseBuilder, stmt: ir.Stmt, target: ir.Expr) -> list[ir.Stmt]:
    """``x_bar = 0.0`` (``x_bar[...] = 0.0``) where ``stmt`` overwrote ``x``:
    the old value does not reach the result through ``x`` any more."""
    if isinstance(target, ir.Name) and builder.is_first_def(stmt, target.id):
        return []  # nothing before the first definition reads its adjoint
    if builder.type(target).is_array:
        return [ir.Assign(ir.Subscript(builder.bar_of(target), [ir.Const(...)]), ir.Const(0.0), stmt.pos)]
    return [ir.Assign(builder.bar_of(target), ir.Const(0.0), stmt.pos)]
