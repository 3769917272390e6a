"""Parameters whose value nothing uses, so that they pass through.

An unannotated parameter that the body never reads has no derivative,
whatever it is: it passes through, typed as an int (``types.py``).  The
same holds for one read only where the value read goes nowhere: bound to a
name that nothing else mentions (``A = M`` and ``A`` never used), or to a
name that is itself only read there, and so on.  Such a binding is
discardable when its value calls no module function (a helper may write
into an array it is given; the numpy functions adxform knows write into
none) and its target is a plain name, not a parameter, that it binds
anew: ``A += M`` writes into the array ``A`` holds, which may be another
name's (``A = u``).
"""

from __future__ import annotations

from .. import ir
from ..walk import changed_names, expressions, names_read, statements, stmt_expressions


def unread_parameters(func: ir.Function, names: list[str]) -> set[str]:
    """Those of the parameters ``names`` whose value nothing in ``func``'s
    body uses."""
    params = {p.name for p in func.params}
    body = list(statements(func.body))
    binders: dict[str, set[int]] = {}  # name -> its discardable bindings
    for stmt in body:
        if _discardable(stmt, params):
            binders.setdefault(stmt.target.id, set()).add(id(stmt))
    dead: set[int] = set()
    while True:
        mentioned: dict[str, set[int]] = {}  # name -> the live statements that mention it
        for stmt in body:
            if id(stmt) not in dead:
                for name in _mentions(stmt):
                    mentioned.setdefault(name, set()).add(id(stmt))
        # bindings of names that only their own discardable bindings mention
        newly = {k for name, ks in binders.items() if mentioned.get(name, set()) <= ks for k in ks} - dead
        if not newly:
            return {name for name in names if name not in mentioned}
        dead |= newly


def _mentions(stmt: ir.Stmt) -> set[str]:
    return {n for e in stmt_expressions(stmt) for n in names_read(e)} | set(changed_names(stmt))


def _discardable(stmt: ir.Stmt, params: set[str]) -> bool:
    return (isinstance(stmt, ir.Assign) and isinstance(stmt.target, ir.Name) and not stmt.inplace
            and stmt.target.id not in params
            and not any(isinstance(e, ir.Call) and e.func.startswith("module.") for e in expressions(stmt.value)))
