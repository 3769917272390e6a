"""Arrays that share memory with another name.

Reverse mode restores an array's old contents by writing them back into
it; when another name is a view of the same memory (``b = a[1:]``), that
write changes both, so rebinding such an array is refused.  A row bound at
the head of a loop (``row = m[k]``, as ``for row in m`` is lowered) is the
one kind of view reverse mode binds again in the reverse sweep instead of
saving it.
"""

from __future__ import annotations

from collections import Counter

from .. import ir
from ..walk import bound_names, names_read, statements
from .dataflow import view_base
from .types import FunctionTypes


def aliased_arrays(body: list[ir.Stmt], types: FunctionTypes) -> set[str]:
    """Arrays that share memory with another name (``b = a[1:]``: both)."""
    out: set[str] = set()
    for stmt in statements(body):
        if isinstance(stmt, ir.Assign) and isinstance(stmt.target, ir.Name) and types.env[stmt.target.id].is_array:
            base = view_base(stmt.value, types)
            if base is not None and base != stmt.target.id:
                out |= {base, stmt.target.id}
    return out


def memory_roots(body: list[ir.Stmt], types: FunctionTypes) -> dict[str, str]:
    """Each array name bound to a view -> the array it shares memory with,
    followed through views of views (``b = a[1:]; c = b[2:]``: b and c -> a)."""
    parent: dict[str, str] = {}
    for stmt in statements(body):
        if isinstance(stmt, ir.Assign) and isinstance(stmt.target, ir.Name) and types.env[stmt.target.id].is_array:
            base = view_base(stmt.value, types)
            if base is not None and base != stmt.target.id:
                parent[stmt.target.id] = base
    roots: dict[str, str] = {}
    for name in parent:
        root, seen = name, {name}
        while root in parent and parent[root] not in seen:
            root = parent[root]
            seen.add(root)
        roots[name] = root
    return roots


def rows_bound_in_loops(body: list[ir.Stmt], types: FunctionTypes, written: set[str]) -> set[int]:
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
