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

The adjoints of whole-array numpy (``_add_into``, ``_unbroadcast``,
``_sum_product``, the adjoints of ``@``) are linear in their arrays: each
is reversed as the numpy statement it stands for (``target += seed``
summed down, ``np.sum(a * b)``, ``out += g @ b.T``), the seeds stretched
back up by numpy's broadcasting.  The adjoints of ``@`` are taken for
matrices, as the reverse module writes them for ``x @ w``; the
conventions of a vector operand are refused.
"""

from __future__ import annotations

import copy

from .. import ir
from ..analysis.runtime import helper_of
from ..checks import where
from .bars import new_bar, zero_bar
from .builder import ReverseBuilder, Sweeps
from .record import fresh_array, save, save_array

# the helpers without an adjoint yet -> what they stand for in the module read back
UNSUPPORTED = {
    **dict.fromkeys(("_revolve_plan", "_revolve_split", "_revolve_next", "_snapshot_slots"), "a checkpointed loop"),
    **dict.fromkeys(("_tape_take_array", "_tape_give_array"), "a module already reversed twice"),
}


def _call(name: str, *args: ir.Expr) -> ir.Call:
    return ir.Call("module." + name, [copy.deepcopy(a) for a in args])


def is_helper_call(expr: ir.Expr, module: ir.Module) -> bool:
    return isinstance(expr, ir.Call) and helper_of(expr, module) is not None


class RuntimeAdjoints:
    """``sweeps(stmt, call)``: the forward and reverse statements of one
    helper call, a statement of its own (normalisation bound it)."""

    def __init__(self, reverse: ReverseBuilder):
        self.reverse = reverse  # the ReverseBuilder: activity, adjoint names, tapes, saves

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
        return Sweeps(*rule(stmt, call.args))

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
            push, pop = save(self.reverse, stmt, target)
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
            push, restore = save_array(self.reverse, array)
            fwd = push + [stmt]
        array_bar, tape_bar = self.bar(array), self.bar(tape)
        give = [ir.ExprStmt(_call("_tape_give_array", array_bar, tape_bar, end))] if array_bar and tape_bar else []
        return fwd, give + restore

    # -- whole-array adjoints: linear in their arrays --------------------------------------------

    def view_bar(self, expr: ir.Expr) -> ir.Expr | None:
        """The adjoint of an active array or of a view of one (``u_bar[2:]``)."""
        if isinstance(expr, ir.Subscript):
            base = self.bar(expr.value)
            return ir.Subscript(base, copy.deepcopy(expr.index)) if base is not None else None
        return self.bar(expr)

    def added(self, operand: ir.Expr, seed: ir.Expr) -> list[ir.Stmt]:
        """``operand``'s adjoint plus ``seed``, which has the shape that
        ``operand`` was broadcast up to, or a smaller one that broadcasts up
        to it: numpy's ``+=`` stretches the seed, and a scalar operand
        receives the seed's sum."""
        if not self.reverse.adjoints.is_active(operand):
            return []
        if not self.reverse.type(operand).is_array:
            return self.reverse.adjoints.increments(operand, ir.Call("numpy.sum", [seed]))
        bar = self.view_bar(operand)
        if bar is None:  # not a variable or a view of one: a seed of the operand's shape goes through increments
            return self.reverse.adjoints.increments(operand, seed)
        return [ir.Assign(bar, ir.BinOp("+", copy.deepcopy(bar), seed), inplace=True)]

    def written(self, stmt: ir.Stmt, array: ir.Expr) -> Sweeps:
        """The statement, which adds into ``array``, with the array's old
        contents saved where the reverse sweep reads them."""
        base = array.value if isinstance(array, ir.Subscript) else array
        if isinstance(base, ir.Name) and base.id in self.reverse.needed:
            push, pop = save_array(self.reverse, array)
            return push + [stmt], pop
        return [stmt], []

    def _add_into(self, stmt, args) -> Sweeps:
        """``target += factor * seed``, the seed summed down to the target's
        shape: the seed's adjoint gets the target's, stretched back."""
        target, seed = args[0], args[1]
        fwd, pops = self.written(stmt, target)
        target_bar = self.view_bar(target)
        if target_bar is None:
            return fwd, pops
        scaled = ir.BinOp("*", copy.deepcopy(args[2]), target_bar) if len(args) > 2 else target_bar
        return fwd, pops + self.added(seed, scaled)

    def _unbroadcast(self, stmt, args) -> Sweeps:
        """``t = _unbroadcast(seed, shape)``, the seed summed down to
        ``shape``: the seed's adjoint gets ``t``'s, stretched back."""
        target = stmt.target
        fwd, pops = self.saved(stmt, [target])
        if not isinstance(target, ir.Name) or not self.reverse.active(target.id):
            return fwd, pops
        keep = fresh_array(self.reverse, stmt)
        adjoint = self.added(args[0], ir.Name(self.reverse.bar(target.id))) + zero_bar(self.reverse, stmt, target)
        return (keep.fwd + fwd + new_bar(self.reverse, stmt, target.id) + self.reverse.kept_bound(stmt),
                pops + adjoint + keep.rev)

    def _as_array(self, stmt, args) -> Sweeps:
        """``y = _as_array(v, message)``: ``y = v``, where it runs."""
        return self.reversed_as(stmt, args[0])

    def _sum_product(self, stmt, args) -> Sweeps:
        """``np.sum(a * b)`` without the product: reversed as that statement."""
        return self.reversed_as(stmt, ir.Call("numpy.sum", [ir.BinOp("*", args[0], args[1])]))

    def _matmul_bar_a(self, stmt, args) -> Sweeps:
        """``out + g @ b.T`` (matrices: vectors follow other conventions)."""
        return self.product(stmt, args, ir.BinOp("@", args[0], ir.Attribute(args[2], "T")))

    def _matmul_bar_b(self, stmt, args) -> Sweeps:
        """``out + a.T @ g`` (matrices)."""
        return self.product(stmt, args, ir.BinOp("@", ir.Attribute(args[1], "T"), args[0]))

    def product(self, stmt: ir.Stmt, args: list[ir.Expr], term: ir.Expr) -> Sweeps:
        """An adjoint of ``@`` that adds ``term`` into ``out`` (the last
        argument; None: a new array): the adjoints of ``term``'s operands
        get ``out``'s."""
        if any(self.reverse.type(operand).ndim not in (0, 2) for operand in args[1:3]):
            self.reverse.refuse(stmt.pos, "reverse mode over the adjoint of '@' of a vector in a generated module")
            return [stmt], []
        checks = [self.matrix_check(stmt, operand) for operand in args[1:3] if not self.reverse.type(operand).ndim]
        out = args[3]
        if isinstance(out, ir.Const):
            fwd, rev = self.reversed_as(stmt, term)
            return checks + fwd, rev
        fwd, pops = self.written(stmt, out)
        out_bar = self.view_bar(out)
        increments = self.reverse.adjoints.increments(term, out_bar) if out_bar is not None else []
        return checks + fwd, pops + increments

    def matrix_check(self, stmt: ir.Stmt, operand: ir.Expr) -> ir.Stmt:
        """``_check_ndim(operand, 2, ...)`` where the module read back does
        not show the operand's ndim: the adjoint is written for matrices."""
        message = f"{where(stmt.pos, self.reverse.reporter.filename)}: reverse mode over this adjoint of '@' is " \
                  "written for matrices, so its operands must be 2-D arrays"
        return ir.ExprStmt(_call("_check_ndim", operand, ir.Const(2), ir.Const(message)), stmt.pos)

    def reversed_as(self, stmt: ir.Assign, value: ir.Expr) -> Sweeps:
        """The sweeps of ``stmt`` as if it assigned ``value``, an expression
        of numpy with the helper's values and derivatives; the forward sweep
        keeps the helper."""
        call = stmt.value
        stmt.value = value
        try:
            fwd, rev = self.reverse.transforms[ir.Assign](self.reverse, stmt, 0)
        finally:
            stmt.value = call
        return fwd, rev

    # -- integers and checks: replayed, no adjoint -----------------------------------------------

    def _integers(self, stmt, args) -> Sweeps:
        if isinstance(stmt, ir.Assign):
            return self.saved(stmt, list(stmt.target.items) if isinstance(stmt.target, ir.Tuple) else [stmt.target])
        return [stmt], []

    _trip_count = _memory_bounds = _element_addresses = _integers
    _check_ndim = _check_shape_kept = _check_number = _check_disjoint = _check_matmul_operands = _integers
    _check_one_shape = _integers
