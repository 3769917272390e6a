"""The primal values a statement of reverse code reads, for to-be-recorded
(``ReverseBuilder.reads``).

A name the reverse sweep mentions is not always a value it reads:

- ``_tape_load_array(k, tape, top)`` writes ``k``;
- ``g_rev(x, k, …)`` does not read what ``k`` held where ``g_rev`` never
  reads it on entry, or fills it before reading it (reverse/callees.py:
  the call itself saves what is left, ``k[x.shape[0]:]``);
- ``k.size``, ``k[e:].size`` and ``x.shape[0]`` read no element, and the shape of a name
  bound at most once, outside any loop, never changes.

Counting these as reads would make each save keep itself: the load that
restores ``k`` would make ``k`` needed, and so saved, in the next round.
"""

from __future__ import annotations

from typing import Iterator

from .. import ir
from ..analysis.extents import reshaped
from ..walk import SIZES, children, flat_targets, statements, stmt_expressions
from .callees import Callees


class ValueReads:
    def __init__(self, body: list[ir.Stmt], callees: Callees):
        self.callees = callees
        self.rev_calls = callees.rev_name_of()
        self.reshaped = reshaped(body)

    def __call__(self, stmt: ir.Stmt) -> set[str]:
        """The variables whose values ``stmt`` itself reads (not its nested blocks')."""
        unread = self._unread_arguments(stmt)
        if isinstance(stmt, ir.Assign):
            exprs = [stmt.value] + [i for t in flat_targets(stmt.target) if isinstance(t, ir.Subscript)
                                    for i in t.index]
        else:
            exprs = stmt_expressions(stmt)
        return {name for expr in exprs for name in self._names(expr, unread)}

    def _unread_arguments(self, stmt: ir.Stmt) -> set[int]:
        """id() of the argument names that a call in ``stmt`` takes without reading their values."""
        call = stmt.value if isinstance(stmt, (ir.ExprStmt, ir.Assign)) else None
        if not isinstance(call, ir.Call):
            return set()
        if call.func == "module._tape_load_array":
            return {id(_base(call.args[0]))}
        facts = self.rev_calls.get(call.func)
        if facts is None:
            return set()
        return {id(arg) for param, arg in zip(facts.func.params, call.args)
                if isinstance(arg, ir.Name) and not self.callees.rev_reads_on_entry(facts.func.name, param.name)}

    def _names(self, expr: ir.Expr, unread: set[int]) -> Iterator[str]:
        if id(expr) in unread:
            return
        if isinstance(expr, ir.Attribute) and expr.attr in SIZES:
            base = _base(expr.value)  # the shape of `k` or of a view `k[e:]`, whose e is read
            if isinstance(base, ir.Name) and base.id not in self.reshaped:
                for index in expr.value.index if isinstance(expr.value, ir.Subscript) else []:
                    yield from self._names(index, unread)
                return
        if isinstance(expr, ir.Name):
            yield expr.id
        for child in children(expr):
            yield from self._names(child, unread)


def restored(stmts: list[ir.Stmt]) -> set[str]:
    """The arrays that reverse code restores from the tape."""
    return {base.id for stmt in statements(stmts) if isinstance(stmt, ir.ExprStmt)
            and isinstance(stmt.value, ir.Call) and stmt.value.func == "module._tape_load_array"
            for base in [_base(stmt.value.args[0])] if isinstance(base, ir.Name)}


def _base(array: ir.Expr) -> ir.Expr:
    return array.value if isinstance(array, ir.Subscript) else array
