"""Leading extents that a function writes into an array before it reads it.

A work array that a callee fills before reading (``k1`` in an RK4 stage,
``tmp`` between stages) holds nothing on entry that the callee reads, so a
caller that reverses the call need not save it (issue 12).  Whether the
fill covers the whole array depends on extents the code does not tie
together (``for i in range(n)`` with ``n = x.shape[0]`` writes ``k[:n]``,
and ``k`` may be longer), so the fact is kept as an extent: the function
writes ``a[:E]`` (along the first axis) before anything reads ``a``, with
``E`` an expression over the function's parameters (``x.shape[0]``).  A
caller saves only ``a[E:]``, which is empty where the arrays agree.

A statement covers ``a[:E]`` when it is the first of the function's
top-level statements to mention ``a`` and

- it is ``for i in range(E)`` whose body writes ``a[i] = …`` on every
  iteration, neither reads ``a`` nor jumps, nor rebinds ``i``; or
- it calls a module function that covers the parameter it passes ``a`` to,
  with ``a`` in no other argument.

``E`` must be a shape: ``x.shape[k]`` or ``len(x)`` of a parameter that
the body never rebinds, directly or through a name bound once to it
(``n = x.shape[0]``).  A shape is never negative, so ``a[E:]`` is what the
fill left untouched.
"""

from __future__ import annotations

import copy

from .. import ir
from ..walk import changed_names, map_expr, names_read, statements, stmt_expressions, stmt_reads, target_names

Covers = dict[str, ir.Expr]  # array -> the leading extent written before the array is read


def covered_extents(body: list[ir.Stmt], params: list[str], callees: dict[str, tuple[list[str], Covers]]) \
        -> Covers:
    """The parameters of ``params`` whose leading extent the first statement
    of ``body`` that mentions them writes without reading them.
    ``callees``: "module.g" -> (g's parameters, what g covers)."""
    rebound = {n for s in statements(body) for n in changed_names(s)}
    fixed = [p for p in params if p not in rebound]
    shapes: dict[str, ir.Expr] = {}  # a name bound once to a shape -> that shape
    found: Covers = {}
    open_params = set(fixed)
    for stmt in body:
        shape = _shape_binding(stmt, fixed, rebound, body)
        if shape is not None:
            shapes[shape[0]] = shape[1]
        for name in sorted(open_params & _mentioned(stmt)):
            open_params.discard(name)
            extent = _covering_loop(stmt, name, shapes, fixed) or _covering_call(stmt, name, callees)
            if extent is not None:
                found[name] = extent
    return found


def _mentioned(stmt: ir.Stmt) -> set[str]:
    """Every name a statement or its nested statements read or write."""
    found: set[str] = set()
    for inner in statements([stmt]):
        found |= {n for e in stmt_expressions(inner) for n in names_read(e)} | set(changed_names(inner))
    return found


def _shape_of(expr: ir.Expr, fixed: list[str]) -> ir.Expr | None:
    """``x.shape[k]`` for ``x.shape[k]`` or ``len(x)`` of a parameter never rebound."""
    if isinstance(expr, ir.Call) and expr.func == "builtins.len" and len(expr.args) == 1 and not expr.kwargs \
            and isinstance(expr.args[0], ir.Name) and expr.args[0].id in fixed:
        return ir.Subscript(ir.Attribute(ir.Name(expr.args[0].id), "shape"), [ir.Const(0)])
    if isinstance(expr, ir.Subscript) and isinstance(expr.value, ir.Attribute) and expr.value.attr == "shape" \
            and isinstance(expr.value.value, ir.Name) and expr.value.value.id in fixed and len(expr.index) == 1 \
            and isinstance(expr.index[0], ir.Const) and type(expr.index[0].value) is int \
            and expr.index[0].value >= 0:
        return ir.Subscript(ir.Attribute(ir.Name(expr.value.value.id), "shape"), [ir.Const(expr.index[0].value)])
    return None


def _shape_binding(stmt: ir.Stmt, fixed: list[str], rebound: set[str], body: list[ir.Stmt]) \
        -> tuple[str, ir.Expr] | None:
    """(n, x.shape[0]) for ``n = x.shape[0]``, the only binding of ``n``."""
    if not (isinstance(stmt, ir.Assign) and isinstance(stmt.target, ir.Name) and not stmt.inplace):
        return None
    shape = _shape_of(stmt.value, fixed)
    name = stmt.target.id
    if shape is None or sum(name in changed_names(s) for s in statements(body)) != 1:
        return None
    return name, shape


def _extent(expr: ir.Expr, shapes: dict[str, ir.Expr], fixed: list[str]) -> ir.Expr | None:
    if isinstance(expr, ir.Name) and expr.id in shapes:
        return copy.deepcopy(shapes[expr.id])
    return _shape_of(expr, fixed)


def _covering_loop(stmt: ir.Stmt, name: str, shapes: dict[str, ir.Expr], fixed: list[str]) -> ir.Expr | None:
    """E where ``stmt`` is ``for i in range(E)`` writing ``name[i]`` on every iteration, not reading ``name``."""
    if not (isinstance(stmt, ir.For) and _is_int(stmt.start, 0) and _is_int(stmt.step, 1)):
        return None
    inner = list(statements(stmt.body))
    if any(isinstance(s, (ir.Break, ir.Continue, ir.Return)) or stmt.var in changed_names(s) or name in changed_names(s)
           or name in stmt_reads(s) for s in inner):
        return None
    if not any(isinstance(s, ir.Assign) and not s.inplace and isinstance(s.target, ir.Subscript)
               and isinstance(s.target.value, ir.Name) and s.target.value.id == name and len(s.target.index) == 1
               and isinstance(s.target.index[0], ir.Name) and s.target.index[0].id == stmt.var for s in stmt.body):
        return None
    return _extent(stmt.stop, shapes, fixed)


def _covering_call(stmt: ir.Stmt, name: str, callees: dict[str, tuple[list[str], Covers]]) -> ir.Expr | None:
    """The callee's extent for ``name``, in the caller's terms, where ``stmt``
    calls a module function that covers the parameter ``name`` is passed to."""
    call = stmt.value if isinstance(stmt, (ir.ExprStmt, ir.Assign)) else None
    if not isinstance(call, ir.Call) or call.func not in callees or call.kwargs:
        return None
    if isinstance(stmt, ir.Assign) and name in target_names(stmt.target):
        return None
    params, covers = callees[call.func]
    passed = [k for k, arg in enumerate(call.args) if name in names_read(arg)]
    if len(passed) != 1 or not isinstance(call.args[passed[0]], ir.Name) or passed[0] >= len(params):
        return None
    extent = covers.get(params[passed[0]])
    return at_call(extent, params, call.args) if extent is not None else None


def at_call(extent: ir.Expr, params: list[str], args: list[ir.Expr]) -> ir.Expr | None:
    """A callee's extent over its parameters, in terms of a call's arguments
    (``x.shape[0]`` -> ``u.shape[0]``); None where it is of an argument that
    is not a plain name."""
    bound = dict(zip(params, args))
    if not all(isinstance(bound.get(n), ir.Name) for n in names_read(extent)):
        return None
    return map_expr(copy.deepcopy(extent), lambda e: copy.deepcopy(bound[e.id]) if isinstance(e, ir.Name) else None)


def _is_int(expr: ir.Expr, value: int) -> bool:
    return isinstance(expr, ir.Const) and type(expr.value) is int and expr.value == value
