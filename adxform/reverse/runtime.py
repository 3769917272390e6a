"""Adjoints of the runtime helpers, for a generated module fed back into
reverse mode (reverse over reverse: ``adxform reverse m_grad.py --func
f_grad``); the counterpart of ``forward/runtime.py``.  Each helper has one
small method that returns the call's statements in the forward sweep and
in the reverse sweep, as ``ReverseFunction`` does for any statement.

The inner tape and its adjoint.  A generated ``f_rev`` keeps a float tape,
an array used as a stack: its forward sweep pushes (``_tape_push``,
``_tape_put``, ``_tape_push_array``), its reverse sweep pops (``top -= 1;
x = tape[top]``, plain statements) or loads (``_tape_load_array``).  The
adjoint of the tape, ``tape_bar``, is a stack over the same slots:

- the outer reverse of a pop is the ordinary adjoint of ``x = tape[top]``,
  which pushes ``x_bar`` into the slot (``tape_bar[top] += x_bar``; a load
  adds a whole array, ``_tape_give_array``);
- the outer reverse of a push pops the slot back off, into the adjoint of
  the pushed value, and clears it (``x_bar += tape_bar[top]; tape_bar[top]
  = 0``; an array: ``_tape_take_array``).

The outer reverse sweep meets the pops before the pushes they pair with,
the last pushed first, so the slots fill and empty as a stack, at the tops
the inner tape had; restoring ``top`` is all the bookkeeping it takes (a
push's increment is undone, ``top -= 1``; an array push's top comes back
from the outer int tape).

The outer tape of the inner tape is nothing at all: within one call of
``f_rev`` each slot is written once, by its push, and a pop only moves
``top``, so the values stay in the inner tape where the outer reverse sweep
reads them.  A checkpointed loop breaks that (its revolve schedule pushes
again over popped slots) and is refused.  While the outer forward sweep
runs, ``tape_bar`` holds only zeros, so where the inner tape grows it is
replaced by zeros of the new size.  Int tapes (trip counts, branch flags)
have no adjoint: the outer forward sweep replays them, and the outer
reverse sweep reads them where they are.
"""

from __future__ import annotations

import copy

from .. import ir
from ..analysis.runtime import helper_of

Sweeps = tuple[list[ir.Stmt], list[ir.Stmt]]
# the helpers without an adjoint yet -> what they stand for in the module read back
UNSUPPORTED = {
    **dict.fromkeys(("_revolve_plan", "_revolve_split", "_revolve_next", "_snapshot_slots"), "a checkpointed loop"),
    **dict.fromkeys(("_unbroadcast", "_add_into", "_sum_product", "_matmul_bar_a", "_matmul_bar_b"),
                    "the adjoint of a whole-array operation"),
    **dict.fromkeys(("_tape_take_array", "_tape_give_array"), "a module already reversed twice"),
}


def _call(name: str, *args: ir.Expr) -> ir.Call:
    return ir.Call("module." + name, [copy.deepcopy(a) for a in args])


def is_helper_call(expr: ir.Expr, module: ir.Module) -> bool:
    return isinstance(expr, ir.Call) and helper_of(expr, module) is not None


class RuntimeAdjoints:
    """``sweeps(stmt, call)``: the forward and reverse statements of one
    helper call, a statement of its own (normalisation bound it)."""

    def __init__(self, reverse):
        self.reverse = reverse  # the ReverseFunction: activity, adjoint names, tapes, saves

    def sweeps(self, stmt: ir.Stmt, call: ir.Call) -> Sweeps:
        name = call.func[7:]
        rule = getattr(self, name, None)
        if rule is None:
            self.reverse.reporter.error(
                stmt.pos, f"reverse mode cannot run over {UNSUPPORTED[name]} of a generated module yet (the "
                f"runtime helper '{name}', in function '{self.reverse.facts.func.name}')", "unsupported-reverse",
                note="for second derivatives, run `adxform forward` over the generated module, or `adxform hvp` "
                     "over the source")
            return [stmt], []
        return rule(stmt, call.args)

    # -- what the rules share ------------------------------------------------------------------

    def bar(self, expr: ir.Expr) -> ir.Name | None:
        """The adjoint of an active array variable, or None."""
        if isinstance(expr, ir.Name) and self.reverse.active(expr.id):
            return ir.Name(self.reverse.bar(expr.id))
        return None

    def grown(self, tape: ir.Expr) -> list[ir.Stmt]:
        """``tape_bar`` as long as ``tape`` again (zeros: nothing is added
        into it before the reverse sweep)."""
        bar = self.bar(tape)
        if bar is None:
            return []
        length = ir.Subscript(ir.Attribute(copy.deepcopy(bar), "shape"), [ir.Const(0)])
        wanted = ir.Subscript(ir.Attribute(copy.deepcopy(tape), "shape"), [ir.Const(0)])
        return [ir.If(ir.Compare("<", length, wanted),
                      [ir.Assign(copy.deepcopy(bar), self.reverse.target.zeros_like(copy.deepcopy(tape)))], [])]

    def undo_push(self, top: ir.Name) -> list[ir.Stmt]:
        if top.id not in self.reverse.needed:
            return []
        return [ir.Assign(copy.deepcopy(top), ir.BinOp("-", copy.deepcopy(top), ir.Const(1)), inplace=True)]

    def take(self, value: ir.Expr, tape: ir.Expr, top: ir.Name) -> list[ir.Stmt]:
        """The slot ``top`` of the tape's adjoint into the pushed value's, cleared."""
        bar = self.bar(tape)
        if bar is None or not self.reverse.adjoints.is_active(value):
            return []
        slot = ir.Subscript(bar, [copy.deepcopy(top)])
        return self.reverse.adjoints.increments(value, slot) + [ir.Assign(copy.deepcopy(slot), ir.Const(0.0))]

    def saved(self, stmt: ir.Stmt, targets: list[ir.Expr]) -> Sweeps:
        """The statement, with the old values of its targets saved where
        the reverse sweep reads them."""
        pushes: list[ir.Stmt] = []
        pops: list[ir.Stmt] = []
        for target in targets:
            push, pop = self.reverse.save(stmt, target)
            pushes += push
            pops = pop + pops
        return pushes + [stmt], pops

    # -- tapes ---------------------------------------------------------------------------------

    def _tape_reserve(self, stmt, args) -> Sweeps:
        return [stmt] + self.grown(stmt.target), []  # the contents stay: nothing to save

    def _tape_push(self, stmt, args) -> Sweeps:
        tape, top = stmt.target.items
        return [stmt] + self.grown(tape), self.undo_push(top) + self.take(args[2], tape, top)

    def _tape_put(self, stmt, args) -> Sweeps:
        return [stmt], self.undo_push(stmt.target) + self.take(args[2], args[0], stmt.target)

    def _tape_push_array(self, stmt, args) -> Sweeps:
        tape, top = stmt.target.items
        fwd, pops = self.saved(stmt, [top])
        array_bar, tape_bar = self.bar(args[2]), self.bar(tape)
        take = [ir.ExprStmt(_call("_tape_take_array", array_bar, tape_bar, top))] if array_bar and tape_bar else []
        return fwd + self.grown(tape), pops + take

    def _tape_load_array(self, stmt, args) -> Sweeps:
        array, tape, end = args
        fwd, restore = [stmt], []
        if isinstance(array, ir.Name) and array.id in self.reverse.needed:  # its old contents, overwritten here
            push, restore = self.reverse.save_array(array)
            fwd = push + [stmt]
        array_bar, tape_bar = self.bar(array), self.bar(tape)
        give = [ir.ExprStmt(_call("_tape_give_array", array_bar, tape_bar, end))] if array_bar and tape_bar else []
        return fwd, give + restore

    # -- integers and checks: replayed, no adjoint -----------------------------------------------

    def _integers(self, stmt, args) -> Sweeps:
        if isinstance(stmt, ir.Assign):
            return self.saved(stmt, list(stmt.target.items) if isinstance(stmt.target, ir.Tuple) else [stmt.target])
        return [stmt], []

    _trip_count = _memory_bounds = _element_addresses = _integers
    _check_ndim = _check_number = _check_disjoint = _check_matmul_operands = _integers
