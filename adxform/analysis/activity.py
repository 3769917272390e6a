"""Activity: which variables need a derivative.

A variable is *varied* when it depends on a differentiated input, *useful*
when an output depends on it; it is *active* when it is both and its type
is differentiable (float scalars, float arrays, tuples holding them).  Only
active variables get tangent or adjoint code: an int never does, nor a
float computed from constants, nor one that never reaches an output.

The outputs of a function are what it returns and the arrays it writes
that outlive it: its array parameters (and their aliases).
"""

from __future__ import annotations

from .. import ir
from ..walk import flat_targets, names_read, statements, stmt_expressions
from .dataflow import DataFlow, reachable
from .types import FunctionTypes


def outputs(func: ir.Function, flow: DataFlow) -> set[str]:
    found = set()
    for stmt in statements(func.body):
        if isinstance(stmt, ir.Return) and stmt.value is not None:
            found.update(names_read(stmt.value))
    params = {p.name for p in func.params}
    found.update(name for name in flow.written if name in params)
    return found


def active_variables(func: ir.Function, types: FunctionTypes, flow: DataFlow, wrt: list[str]) -> set[str]:
    varied = reachable(set(wrt), flow.edges)
    useful = reachable(outputs(func, flow), flow.reverse_edges()) - bound_only(func)
    return {name for name in varied & useful if types.env.get(name, ir.NONE).is_differentiable}


def bound_only(func: ir.Function) -> set[str]:
    """The variables the body binds and never reads nor writes into
    (``A = M`` left over from an edit): what they hold reaches nothing,
    though an alias of an output looks useful to the data flow, which
    counts writes through it."""
    bound, used = set(), set()
    for stmt in statements(func.body):
        for expr in stmt_expressions(stmt):
            if isinstance(stmt, ir.Assign) and expr is stmt.target and not stmt.inplace:
                for target in flat_targets(expr):
                    if isinstance(target, ir.Name):
                        bound.add(target.id)
                    else:
                        used.update(names_read(target))
            else:
                used.update(names_read(expr))
    return bound - used
