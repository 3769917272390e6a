"""Tangents of the runtime helpers, for a generated module fed back in
(forward over reverse: ``adxform hvp``, ``adxform forward m_grad.py``).

Every helper that moves float data is linear or bilinear in it, so its
tangent is the helper itself applied to tangents, in the same integer
control: a push of ``value`` on ``tape`` at ``top`` is paired with a push
of ``value_dot`` on ``tape_dot`` at the same ``top``; ``_add_into(t, s, c)``
with ``_add_into(t_dot, s_dot, c)``; the adjoints of ``@`` (``out += g @
b.T``) with the two terms of the product rule.  Helpers that move only
integers (trip counts, the revolve schedule, addresses) or check their
arguments have no tangent.  The statements returned run before the
primal statement, which may rebind ``top``.  Normalisation has bound each
helper call to a statement of its own, with variables for arguments.
"""

from __future__ import annotations

import copy

from .. import build, ir

NONE = ir.Const(None)


def _call(name: str, *args: ir.Expr) -> ir.Call:
    return ir.Call("module." + name, [copy.deepcopy(a) for a in args])


class RuntimeTangents:
    """``statements(stmt, call)``: the tangent statements of one helper call."""

    def __init__(self, forward):
        self.forward = forward  # the ForwardFunction: tangents, activity, names

    def of(self, expr: ir.Expr) -> ir.Expr | None:
        return self.forward.tangents.of(expr)

    def zero_or(self, expr: ir.Expr) -> ir.Expr:
        return self.forward.tangents.of_or_zero(expr)

    def dot_of_target(self, stmt: ir.Stmt) -> ir.Expr | None:
        """The tangent of the value a helper returns (the first item where
        it returns an array and the new top), or None where it is inactive."""
        if not isinstance(stmt, ir.Assign):
            return None
        target = stmt.target.items[0] if isinstance(stmt.target, ir.Tuple) else stmt.target
        return self.forward.dot_target(target) if self.forward.is_active_target(target) else None

    def statements(self, stmt: ir.Stmt, call: ir.Call) -> list[ir.Stmt]:
        return getattr(self, call.func[7:], self._no_tangent)(stmt, call.args)

    @staticmethod
    def _no_tangent(stmt: ir.Stmt, args: list[ir.Expr]) -> list[ir.Stmt]:
        return []  # checks, trip counts, the revolve schedule: integers only

    # -- tapes --------------------------------------------------------------------------------

    def _tape_reserve(self, stmt, args):
        dot = self.dot_of_target(stmt)
        return [ir.Assign(dot, _call("_tape_reserve", self.zero_or(args[0]), args[1]), stmt.pos)] if dot else []

    def _pushed(self, name: str, stmt, args):
        dot = self.dot_of_target(stmt)
        if dot is None:
            return []
        pushed = _call(name, self.zero_or(args[0]), args[1], self.zero_or(args[2]))
        if isinstance(stmt.target, ir.Tuple):  # tape, top = ...: the tangent tape only
            pushed = ir.Subscript(pushed, [ir.Const(0)])
        return [ir.Assign(dot, pushed, stmt.pos)]  # (a name for the pair: the pair of the tangent tape and top)

    def _tape_push(self, stmt, args):
        return self._pushed("_tape_push", stmt, args)

    def _tape_push_array(self, stmt, args):
        return self._pushed("_tape_push_array", stmt, args)

    def _tape_put(self, stmt, args):
        tape = self.of(args[0])
        return [ir.ExprStmt(_call("_tape_put", tape, args[1], self.zero_or(args[2])), stmt.pos)] if tape else []

    def _tape_load_array(self, stmt, args):
        array = self.of(args[0])
        return [ir.ExprStmt(_call("_tape_load_array", array, self.zero_or(args[1]), args[2]), stmt.pos)] \
            if array else []

    def _tape_take_array(self, stmt, args):
        return self._moved("_tape_take_array", stmt, args)

    def _tape_give_array(self, stmt, args):
        return self._moved("_tape_give_array", stmt, args)

    def _moved(self, name: str, stmt, args):
        """The helpers of reverse over reverse move adjoints between an array
        and a tape's adjoint (linear in both): the same move of tangents."""
        array, tape = self.of(args[0]), self.of(args[1])
        if array is None and tape is None:
            return []
        return [ir.ExprStmt(_call(name, self.zero_or(args[0]), self.zero_or(args[1]), args[2]), stmt.pos)]

    def _snapshot_slots(self, stmt, args):
        dot = self.dot_of_target(stmt)
        return [ir.Assign(dot, _call("_snapshot_slots", self.zero_or(args[0]), args[1]), stmt.pos)] if dot else []

    # -- whole-array adjoints -----------------------------------------------------------------

    def _unbroadcast(self, stmt, args):
        dot = self.dot_of_target(stmt)
        return [ir.Assign(dot, _call("_unbroadcast", self.zero_or(args[0]), args[1]), stmt.pos)] if dot else []

    def _as_array(self, stmt, args):
        dot = self.dot_of_target(stmt)
        return [ir.Assign(dot, _call("_as_array", self.zero_or(args[0]), args[1]), stmt.pos)] if dot else []

    def _add_into(self, stmt, args):
        target, seed = self.of(args[0]), self.of(args[1])
        if target is None or seed is None:
            return []
        return [ir.ExprStmt(_call("_add_into", target, seed, *args[2:]), stmt.pos)]

    def _sum_product(self, stmt, args):
        dot = self.dot_of_target(stmt)
        if dot is None:
            return []
        a, b = args
        da, db = self.of(a), self.of(b)
        value = build.add(da and _call("_sum_product", da, b), db and _call("_sum_product", a, db))
        return [ir.Assign(dot, value if value is not None else ir.Const(0.0), stmt.pos)]

    def _matmul_bar(self, name: str, linear: tuple[int, int], stmt, args):
        """``out + g @ b.T`` (``_matmul_bar_a``, linear in g and b) or
        ``out + a.T @ g`` (``_matmul_bar_b``, in g and a): each term of the
        product rule added into the tangent of ``out`` in turn."""
        out = args[3]
        total: ir.Expr = NONE if isinstance(out, ir.Const) else self.zero_or(out)
        terms = 0
        for position in linear:
            tangent = self.of(args[position])
            if tangent is not None:
                operands = list(args[:3])
                operands[position] = tangent
                total = _call(name, *operands, total)
                terms += 1
        if not terms:
            return []
        dot = self.dot_of_target(stmt)
        return [ir.Assign(dot, total, stmt.pos) if dot is not None else ir.ExprStmt(total, stmt.pos)]

    def _matmul_bar_a(self, stmt, args):
        return self._matmul_bar("_matmul_bar_a", (0, 2), stmt, args)

    def _matmul_bar_b(self, stmt, args):
        return self._matmul_bar("_matmul_bar_b", (0, 1), stmt, args)
