"""Deterministic names for derivative variables: ``x_dot``, ``x_bar``.

A derived name keeps the user's name and adds a suffix; when the user
already uses that name, a counter is appended (``x_dot2``).  No uuids, no
hashes: the same input always gives the same output.
"""

from __future__ import annotations

from . import ir
from .walk import expressions, statements, stmt_expressions


def names_in(func: ir.Function) -> set[str]:
    taken = {p.name for p in func.params}
    for stmt in statements(func.body):
        if isinstance(stmt, ir.For):
            taken.add(stmt.var)
        for expr in stmt_expressions(stmt):
            taken.update(e.id for e in expressions(expr) if isinstance(e, ir.Name))
    return taken


class Namer:
    def __init__(self, func: ir.Function, suffix: str):
        self.taken = names_in(func)
        self.suffix = suffix
        self.derived: dict[str, str] = {}

    def __call__(self, name: str) -> str:
        """The derivative variable of ``name``."""
        if name not in self.derived:
            self.derived[name] = self.fresh(f"{name}_{self.suffix}")
        return self.derived[name]

    def fresh(self, wanted: str) -> str:
        return fresh_name(wanted, self.taken)


def fresh_name(wanted: str, taken: set[str]) -> str:
    """``wanted``, or ``wanted2``, ``wanted3``... the first not in ``taken``,
    which then holds it."""
    name, k = wanted, 1
    while name in taken:
        k += 1
        name = f"{wanted}{k}"
    taken.add(name)
    return name
