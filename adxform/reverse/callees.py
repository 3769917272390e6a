"""What a caller's reverse mode knows of the module functions it calls.

Functions are reversed callees first (``Program.order``), and each one's
``_rev`` leaves a summary here for its callers: which names it reads on
entry, whether it returns the function's value, and the leading extents of
array parameters that it writes before reading them (analysis/coverage.py).
A caller that reverses ``g(x, k)`` saves ``k`` around the call only where
``g_rev`` reads what ``k`` held on entry, and of a ``k`` that ``g_rev``
fills up to ``x.shape[0]`` first, only ``k[x.shape[0]:]``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from .. import ir
from ..analysis.coverage import Covers, at_call, covered_extents
from ..analysis.program import FunctionFacts, Program


@dataclass
class Callees:
    program: Program
    entry_reads: dict[str, set[str]] = field(default_factory=dict)  # g -> the names g_rev reads on entry
    returns_value: dict[str, bool] = field(default_factory=dict)  # g -> whether g_rev returns g's value
    covers: dict[str, Covers] = field(default_factory=dict)  # g -> what g itself fills before reading
    rev_covers: dict[str, Covers] = field(default_factory=dict)  # g -> what g_rev fills before reading

    def __post_init__(self) -> None:
        for name in self.program.order:  # callees first: a call covers what its callee covers
            facts = self.program.facts[name]
            self.covers[name] = covered_extents(facts.func.body, _array_params(facts), self._primal_covers())

    def add(self, facts: FunctionFacts, rev: ir.Function | None, entry_reads: set[str], returns_value: bool) \
            -> None:
        """The summary of ``facts``' function, once its ``_rev`` is made
        (None: a custom rule's adapter, of which nothing is known)."""
        name = facts.func.name
        self.entry_reads[name], self.returns_value[name] = entry_reads, returns_value
        self.rev_covers[name] = covered_extents(rev.body, _array_params(facts), self._primal_covers()) \
            if rev is not None else {}

    def _primal_covers(self) -> dict[str, tuple[list[str], Covers]]:
        return {"module." + name: ([p.name for p in self.program.facts[name].func.params], covers)
                for name, covers in self.covers.items()}

    def filled_first(self, body: list[ir.Stmt], arrays: list[str]) -> Covers:
        """The leading extents of ``arrays`` that ``body`` writes before it
        reads them, through loops or the module functions it calls."""
        return covered_extents(body, arrays, self._primal_covers())

    def rev_reads_on_entry(self, callee: str, param: str) -> bool:
        """Whether ``callee``'s ``_rev`` reads the whole of what ``param``
        held on entry (not only a tail after what it fills first)."""
        return param in self.entry_reads.get(callee, {param}) and param not in self.rev_covers.get(callee, {})

    def unfilled(self, callee: FunctionFacts, call: ir.Call, position: int) -> ir.Expr | None:
        """The part of the array argument at ``position`` whose value on
        entry the callee's ``_rev`` reads: None for none, the argument for
        all of it, ``k[x.shape[0]:]`` for what it does not fill first."""
        param = callee.func.params[position].name
        name, array = callee.func.name, call.args[position]
        if param not in self.entry_reads.get(name, {param}):
            return None
        extent = self.rev_covers.get(name, {}).get(param)
        if extent is not None and isinstance(array, ir.Name):
            extent = at_call(extent, [p.name for p in callee.func.params], call.args)
        if extent is None or not isinstance(array, ir.Name):
            return array
        return ir.Subscript(copy.deepcopy(array), [ir.Slice(extent, None, None)])

    def rev_name_of(self) -> dict[str, FunctionFacts]:
        """The facts of each function by the name reverse code calls its
        ``_rev`` by (``module.g_rev``)."""
        return {"module." + facts.rev_name: facts for facts in self.program.facts.values()}


def _array_params(facts: FunctionFacts) -> list[str]:
    return [p.name for p in facts.func.params if facts.types.env[p.name].is_array]
