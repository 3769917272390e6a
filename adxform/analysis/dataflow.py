"""Which variables feed which: the facts activity and side effects stand on.

The analysis is flow-insensitive, per variable, as Tapenade's default is: an
edge ``src -> dst`` means some statement computes ``dst`` from ``src``.
Arrays that share memory (``b = a``, ``b = a[1:]``, ``b = a.T``) form one
alias group: a write through one is a write through all, so edges run both
ways between them.  A call to a module function that writes into an array
argument makes that argument depend on every argument of the call.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import ir
from ..walk import expressions, names_read, statements, target_names
from .runtime import HELPERS
from .types import FunctionTypes

VIEW_METHODS = {"method.reshape", "method.ravel", "method.transpose", "numpy.reshape", "numpy.ravel", "numpy.transpose"}


@dataclass
class DataFlow:
    edges: dict[str, set[str]] = field(default_factory=dict)  # src -> dsts
    written: set[str] = field(default_factory=set)  # arrays written into (directly or by a callee)

    def add(self, src: str, dst: str) -> None:
        self.edges.setdefault(src, set()).add(dst)

    def reverse_edges(self) -> dict[str, set[str]]:
        back: dict[str, set[str]] = {}
        for src, dsts in self.edges.items():
            for dst in dsts:
                back.setdefault(dst, set()).add(src)
        return back


def view_base(expr: ir.Expr, types: FunctionTypes) -> str | None:
    """The array a view expression shares memory with, if it is one."""
    if isinstance(expr, ir.Name):
        return expr.id
    if isinstance(expr, ir.Subscript) and is_view(expr, types):
        return view_base(expr.value, types)
    if isinstance(expr, ir.Attribute) and expr.attr == "T":
        return view_base(expr.value, types)
    if isinstance(expr, ir.Call) and expr.func in VIEW_METHODS and expr.args:
        return view_base(expr.args[0], types)
    return None


def is_view(expr: ir.Subscript, types: FunctionTypes) -> bool:
    """Whether a subscript is an array sharing its base's memory: it has a
    slice, or fewer integer indices than its base has dimensions (a row)."""
    return any(isinstance(i, ir.Slice) for i in expr.index) or types.of(expr).is_array


def _written_base(expr: ir.Expr) -> str | None:
    """The array a runtime helper writes into through ``expr`` (``u_bar``
    for ``_add_into(u_bar[i], ...)``): always the base, whatever the
    subscript's type says, since the helper writes in place."""
    while isinstance(expr, (ir.Subscript, ir.Attribute)):
        expr = expr.value
    return expr.id if isinstance(expr, ir.Name) else None


def _is_array_name(expr: ir.Expr, types: FunctionTypes) -> bool:
    return isinstance(expr, ir.Name) and types.env.get(expr.id, ir.NONE).is_array


def _call_writes(call: ir.Call, callee_writes: dict[str, set[int]], types: FunctionTypes) -> list[str]:
    """Names of the arrays a module call writes into."""
    if not call.func.startswith("module."):
        return []
    positions = callee_writes.get(call.func[7:], set())
    out = []
    for pos in sorted(positions):
        if pos < len(call.args):
            base = _written_base(call.args[pos]) if call.func[7:] in HELPERS else view_base(call.args[pos], types)
            if base is not None:
                out.append(base)
    return out


def data_flow(func: ir.Function, types: FunctionTypes, callee_writes: dict[str, set[int]]) -> DataFlow:
    flow = DataFlow()
    for stmt in statements(func.body):
        values: list[ir.Expr] = []
        if isinstance(stmt, ir.Assign):
            values = [stmt.value]
            sources = names_read(stmt.value)
            for dst in target_names(stmt.target):
                for src in sources:
                    flow.add(src, dst)
            if isinstance(stmt.target, ir.Subscript) or stmt.inplace and _is_array_name(stmt.target, types):
                flow.written.update(target_names(stmt.target))
            elif _is_array_name(stmt.target, types):
                base = view_base(stmt.value, types)
                if base is not None and base != stmt.target.id:
                    flow.add(stmt.target.id, base)  # alias: writes through the view reach the base
        elif isinstance(stmt, ir.ExprStmt):
            values = [stmt.value]
        for value in values:
            for call in (e for e in expressions(value) if isinstance(e, ir.Call)):
                written = _call_writes(call, callee_writes, types)
                flow.written.update(written)
                for arg in call.args:
                    for src in names_read(arg):
                        for dst in written:
                            flow.add(src, dst)
    _close_aliases(flow, types)
    return flow


def _close_aliases(flow: DataFlow, types: FunctionTypes) -> None:
    """A write into an alias is a write into every array of its group."""
    groups: dict[str, set[str]] = {}
    for src, dsts in flow.edges.items():
        for dst in dsts:
            if types.env.get(src, ir.NONE).is_array and types.env.get(dst, ir.NONE).is_array and src in flow.edges.get(dst, ()):
                group = groups.get(src, {src}) | groups.get(dst, {dst})
                for member in group:
                    groups[member] = group
    for name in list(flow.written):
        flow.written |= groups.get(name, set())


def reachable(starts: set[str], edges: dict[str, set[str]]) -> set[str]:
    seen = set(starts)
    stack = list(starts)
    while stack:
        for nxt in edges.get(stack.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen
