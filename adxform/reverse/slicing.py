"""Drop the forward-sweep statements the reverse sweep does not need.

``f_rev`` exists to produce adjoints; it neither returns ``f``'s value nor
leaves ``f``'s side effects (the public wrappers call the primal for those).
So a forward-sweep statement stays only if the reverse sweep, or a statement
that stays, reads what it writes: a backward liveness pass over the forward
sweep, seeded with what the reverse sweep reads.  Tape pushes always stay
(their pops are in the reverse sweep).  Arrays are tracked as wholes: a
write into an element stays when the array is live.

A dropped write into an array parameter is why ``f_rev`` leaves its
arguments as they were on entry: every write that stays and is overwritten
is also saved and restored.
"""

from __future__ import annotations

from .. import ir
from ..analysis.liveness import reads_of
from ..walk import expressions, flat_targets, names_read, statements, stmt_expressions

RUNTIME_CHECKS = ("module._check_ndim", "module._check_shape_kept")
# kept whatever the reverse sweep reads: the tape pushes, and the check of the arrays one stack takes
RUNTIME_WRITERS = ("module._tape_push", "module._tape_put", "module._tape_push_array", "module._tape_reserve",
                   "module._revolve_next", "module._check_one_shape")


class Slicer:
    def __init__(self, call_writes: dict[str, set[int]]):
        self.call_writes = call_writes  # callee name -> positions of the arrays it writes

    def block(self, body: list[ir.Stmt], live: set[str]) -> tuple[list[ir.Stmt], set[str]]:
        """The statements of ``body`` that matter, and what is live before it."""
        kept: list[ir.Stmt] = []
        for stmt in reversed(body):
            keep, live = getattr(self, "_" + type(stmt).__name__)(stmt, live)
            if keep is not None:
                kept.append(keep)
        return kept[::-1], live

    def _Assign(self, stmt: ir.Assign, live: set[str]):
        if isinstance(stmt.value, ir.Call) and stmt.value.func in RUNTIME_WRITERS:
            return stmt, live | reads_of(stmt)
        written = self.written(stmt)
        if not written & live:
            return None, live
        whole = {t.id for t in flat_targets(stmt.target) if isinstance(t, ir.Name)} if not stmt.inplace else set()
        return stmt, (live - whole) | reads_of(stmt)

    def _ExprStmt(self, stmt: ir.ExprStmt, live: set[str]):
        checked = isinstance(stmt.value, ir.Call) and stmt.value.func in RUNTIME_CHECKS \
            and names_read(stmt.value.args[0])[0] in live  # a check of an array the reverse sweep reads
        if checked or self.written(stmt) & live:
            return stmt, live | reads_of(stmt)
        return None, live

    def written(self, stmt: ir.Stmt) -> set[str]:
        out: set[str] = set()
        if isinstance(stmt, ir.Assign):
            out |= {t.id if isinstance(t, ir.Name) else t.value.id for t in flat_targets(stmt.target)
                    if isinstance(t, ir.Name) or isinstance(t, ir.Subscript) and isinstance(t.value, ir.Name)}
        for expr in stmt_expressions(stmt):
            for call in (e for e in expressions(expr) if isinstance(e, ir.Call) and e.func.startswith("module.")):
                for k in self.call_writes.get(call.func[7:], ()):
                    if k < len(call.args):
                        out |= set(names_read(call.args[k])[:1])
        return out

    def _loop(self, stmt: ir.For | ir.While, live: set[str], heads: set[str]):
        """A loop's body, to the fixpoint of what it keeps live around."""
        inner = set(live)
        while True:
            kept, before = self.block(stmt.body, inner)
            grown = inner | before | heads
            if grown == inner:
                break
            inner = grown
        if all(isinstance(s, (ir.Break, ir.If)) for s in statements(kept)):
            return None, live  # nothing but the jumps themselves
        return kept, live | inner

    def _For(self, stmt: ir.For, live: set[str]):
        heads = {n for b in (stmt.start, stmt.stop, stmt.step) for n in names_read(b)}
        kept, live_out = self._loop(stmt, live, heads)
        if kept is None and stmt.var in live:  # the loop variable is read after the loop: the loop gives its value
            kept, live_out = [], live
        if kept is None:
            return None, live
        return ir.For(stmt.var, stmt.start, stmt.stop, stmt.step, kept, stmt.pos, stmt.directive), live_out | heads

    def _While(self, stmt: ir.While, live: set[str]):
        heads = set(names_read(stmt.test))
        kept, live_out = self._loop(stmt, live, heads)
        if kept is None:
            return None, live
        return ir.While(stmt.test, kept, stmt.pos, stmt.directive), live_out | heads

    def _If(self, stmt: ir.If, live: set[str]):
        body, live_body = self.block(stmt.body, set(live))
        orelse, live_else = self.block(stmt.orelse, set(live))
        if not body and not orelse:
            return None, live
        return ir.If(stmt.test, body, orelse, stmt.pos), live_body | live_else | set(names_read(stmt.test))

    def _Break(self, stmt: ir.Break, live: set[str]):
        return stmt, live

    def _Pass(self, stmt: ir.Pass, live: set[str]):
        return None, live

    _Continue = _Break


def slice_forward(fwd: list[ir.Stmt], reverse_reads: set[str],
                  call_writes: dict[str, set[int]]) -> tuple[list[ir.Stmt], set[str]]:
    """The statements that stay, and the names whose values on entry they
    (or the reverse sweep) read."""
    return Slicer(call_writes).block(fwd, set(reverse_reads))
