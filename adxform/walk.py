"""Generic traversals of the IR, so passes need not repeat the node list."""

from __future__ import annotations

import copy
from typing import Callable, Iterator

from . import ir

EXPR_TYPES = (ir.Name, ir.Const, ir.QualName, ir.BinOp, ir.UnaryOp, ir.Compare, ir.BoolOp, ir.IfExp, ir.Call,
              ir.Subscript, ir.Slice, ir.Attribute, ir.Tuple)


def children(node: ir.Expr) -> Iterator[ir.Expr]:
    """The direct sub-expressions of ``node``, in source order."""
    for attr, value in vars(node).items():
        if attr == "pos":
            continue
        if isinstance(value, EXPR_TYPES):
            yield value
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, tuple):  # keyword arguments
                    yield item[1]
                elif isinstance(item, EXPR_TYPES):
                    yield item


def expressions(node: ir.Expr) -> Iterator[ir.Expr]:
    """``node`` and all its sub-expressions, parents first."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(list(children(current))))


def same(a: ir.Expr, b: ir.Expr) -> bool:
    """Structural equality, ignoring source positions."""
    if type(a) is not type(b):
        return False
    for attr, value in vars(a).items():
        if attr == "pos":
            continue
        other = getattr(b, attr)
        if isinstance(value, EXPR_TYPES):
            if not same(value, other):
                return False
        elif isinstance(value, list):
            if len(value) != len(other):
                return False
            for x, y in zip(value, other):
                if isinstance(x, tuple):
                    if x[0] != y[0] or not same(x[1], y[1]):
                        return False
                elif isinstance(x, EXPR_TYPES) and not same(x, y) or not isinstance(x, EXPR_TYPES) and x != y:
                    return False
        elif value != other:
            return False
    return True


def names_read(node: ir.Expr) -> list[str]:
    return [e.id for e in expressions(node) if isinstance(e, ir.Name)]


SIZES = ("size", "shape", "ndim")  # what reading tells of an array but its contents


def _sized(expr: ir.Expr) -> str | None:
    """The array whose size alone ``expr`` reads (``x.shape``, ``len(x)``)."""
    if isinstance(expr, ir.Attribute) and expr.attr in SIZES and isinstance(expr.value, ir.Name):
        return expr.value.id
    if isinstance(expr, ir.Call) and expr.func == "builtins.len" and len(expr.args) == 1 \
            and isinstance(expr.args[0], ir.Name):
        return expr.args[0].id
    return None


def names_sized(node: ir.Expr) -> set[str]:
    """The arrays whose size, shape or ndim ``node`` reads (``x.shape[0]``, ``len(x)``)."""
    return {name for e in expressions(node) for name in [_sized(e)] if name is not None}


def values_read(node: ir.Expr) -> list[str]:
    """``names_read``, but not an array whose size alone ``node`` reads."""
    return names_read(map_expr(node, lambda e: ir.Const(0) if _sized(e) is not None else None))


def map_expr(node: ir.Expr, fn: Callable[[ir.Expr], ir.Expr | None]) -> ir.Expr:
    """Rebuild ``node`` bottom-up; ``fn`` may return a replacement or None to keep."""
    fields = {}
    for attr, value in vars(node).items():
        if isinstance(value, EXPR_TYPES):
            value = map_expr(value, fn)
        elif isinstance(value, list):
            value = [(v[0], map_expr(v[1], fn)) if isinstance(v, tuple)
                     else map_expr(v, fn) if isinstance(v, EXPR_TYPES) else v for v in value]
        fields[attr] = value
    rebuilt = type(node)(**fields)
    replacement = fn(rebuilt)
    return rebuilt if replacement is None else replacement


def statements(body: list[ir.Stmt]) -> Iterator[ir.Stmt]:
    """Every statement of ``body``, nested ones included, in source order."""
    for stmt in body:
        yield stmt
        for block in sub_blocks(stmt):
            yield from statements(block)


def sub_blocks(stmt: ir.Stmt) -> list[list[ir.Stmt]]:
    if isinstance(stmt, (ir.For, ir.While)):
        return [stmt.body]
    if isinstance(stmt, ir.If):
        return [stmt.body, stmt.orelse]
    return []


def stmt_expressions(stmt: ir.Stmt) -> list[ir.Expr]:
    """The expressions a statement itself holds (not those of nested blocks)."""
    if isinstance(stmt, ir.Assign):
        return [stmt.target, stmt.value]
    if isinstance(stmt, ir.ExprStmt):
        return [stmt.value]
    if isinstance(stmt, ir.Return):
        return [stmt.value] if stmt.value is not None else []
    if isinstance(stmt, ir.For):
        return [stmt.start, stmt.stop, stmt.step]
    if isinstance(stmt, (ir.While, ir.If)):
        return [stmt.test]
    return []


def calls(body: list[ir.Stmt]) -> Iterator[ir.Call]:
    for stmt in statements(body):
        for expr in stmt_expressions(stmt):
            for sub in expressions(expr):
                if isinstance(sub, ir.Call):
                    yield sub


def flat_targets(target: ir.Expr) -> list[ir.Expr]:
    """The names and subscripts of an assignment target, tuples flattened."""
    return [x for item in target.items for x in flat_targets(item)] if isinstance(target, ir.Tuple) else [target]


def assignment_pairs(target: ir.Expr, value: ir.Expr) -> tuple[list[ir.Expr], list[ir.Expr]]:
    """``a, b = e1, e2`` as its (target, value) pairs; a tuple target with a
    tuple-valued expression pairs each element with ``value[k]``."""
    if not isinstance(target, ir.Tuple):
        return [target], [value]
    if isinstance(value, ir.Tuple) and len(value.items) == len(target.items):
        pairs = [assignment_pairs(t, v) for t, v in zip(target.items, value.items)]
    else:
        pairs = [assignment_pairs(t, ir.Subscript(copy.deepcopy(value), [ir.Const(i, value.pos)], value.pos))
                 for i, t in enumerate(target.items)]
    return [t for ts, _ in pairs for t in ts], [v for _, vs in pairs for v in vs]


def stmt_reads(stmt: ir.Stmt) -> set[str]:
    """The variables a statement itself reads (not those of nested blocks):
    an assignment reads its value and the indices of its targets."""
    if isinstance(stmt, ir.Assign):
        indices = [i for t in flat_targets(stmt.target) if isinstance(t, ir.Subscript) for i in t.index]
        return {n for e in [stmt.value] + indices for n in names_read(e)}
    return {n for e in stmt_expressions(stmt) for n in names_read(e)}


def target_names(target: ir.Expr) -> list[str]:
    """The variables an assignment target binds or writes into."""
    if isinstance(target, ir.Name):
        return [target.id]
    if isinstance(target, ir.Subscript):
        return target_names(target.value)
    if isinstance(target, ir.Tuple):
        return [n for item in target.items for n in target_names(item)]
    return []


def bound_names(stmt: ir.Stmt) -> list[str]:
    """The names a statement itself binds anew: its loop variable, the names
    it assigns (not the arrays it writes into, nor ``x += …``, which
    updates an array in place)."""
    if isinstance(stmt, ir.For):
        return [stmt.var]
    if isinstance(stmt, ir.Assign) and not stmt.inplace:
        return [t.id for t in flat_targets(stmt.target) if isinstance(t, ir.Name)]
    return []


def changed_names(stmt: ir.Stmt) -> list[str]:
    """The names a statement itself binds or steps: ``bound_names`` and
    ``x += …`` too (a loop's variable, the names it assigns)."""
    if isinstance(stmt, ir.For):
        return [stmt.var]
    if isinstance(stmt, ir.Assign):
        return [t.id for t in flat_targets(stmt.target) if isinstance(t, ir.Name)]
    return []


def around_loop(loop: ir.For | ir.While, body: list[ir.Stmt]) -> tuple[set[str], set[str]]:
    """What the statements of ``body`` outside ``loop``'s own body read and
    assign (the loop's header is outside: its bounds or test)."""
    inside = {id(s) for s in statements(loop.body)}
    outside = [s for s in statements(body) if id(s) not in inside]
    read = {n for s in outside for n in stmt_reads(s)}
    assigned = {n for s in outside if isinstance(s, ir.Assign) for n in target_names(s.target)}
    return read, assigned
