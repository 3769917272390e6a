"""Forward (tangent-linear) mode: ``f`` -> ``f_jvp``.

Each statement that assigns an active variable is preceded by the
assignment of its tangent, computed from the old values::

    y = x * y            ->     y_dot = x_dot * y + x * y_dot
                                y = x * y

A zero tangent is assigned after the primal, so that an array's zero can
take the new array's shape (``a = np.zeros(n)``; ``a_dot = np.zeros_like(a)``).
Control flow is kept as it is: the tangent code runs in the same loops and
branches as the primal.  A call to a module function with active arguments
calls the callee's ``_jvp``, which returns the value and its tangent
together; procedures update their in/out tangent arrays (docs/generated-module.md).
"""

from __future__ import annotations

import copy

from .. import ir
from ..analysis.program import FunctionFacts, Program
from ..analysis.undecided import undecided
from ..checks import array_checks, entry_checks, ndim_check, scaled_in_place, written_by_callees
from ..diagnostics import Reporter
from ..naming import Namer
from ..walk import assignment_pairs, flat_targets, names_read
from ..analysis.runtime import helper_of
from .runtime import RuntimeTangents
from .tangent import Tangents


def jvp_name(name: str) -> str:
    return f"{name}_jvp"


class ForwardFunction:
    """Builds ``f_jvp`` for one function; one method per statement kind."""

    def __init__(self, facts: FunctionFacts, program: Program, reporter: Reporter):
        self.facts = facts
        self.program = program
        self.dot = Namer(facts.func, "dot")
        self.tangents = Tangents(facts, program, self.dot, reporter)
        self.filename = reporter.filename
        self.runtime = RuntimeTangents(self)

    @property
    def active(self) -> set[str]:
        return self.facts.active

    def build(self) -> ir.Function:
        func = self.facts.func
        params = [ir.Param(p.name, None, p.pos) for p in func.params]
        params += [ir.Param(self.dot(name), None) for name in self.facts.wrt]
        body = self.prologue() + self.block(func.body)
        docstring = self.docstring()
        jvp = ir.Function(jvp_name(func.name), params, body, func.pos, docstring, target=func.target)
        found = undecided(func, self.facts.types)
        written = written_by_callees(self.facts, {name: f.writes for name, f in self.program.facts.items()},
                                     set(found)) | scaled_in_place(func, set(found))
        array_checks(jvp, {**{n: found[n] for n in written}, **{self.dot(n): found[n] for n in written}},
                     func.name, self.filename)
        return jvp

    def docstring(self) -> str:
        func = self.facts.func
        tangents = ", ".join(self.dot(n) for n in self.facts.wrt)
        if self.facts.is_procedure:
            return f"Tangent of {func.name} along ({tangents}); array tangents are in/out."
        return f"Tangent of {func.name} along ({tangents}): returns (value, tangent)."

    def prologue(self) -> list[ir.Stmt]:
        """The checks of what the types assumed of the parameters, and zero
        tangents for active parameters that receive none."""
        out = entry_checks(self.facts, self.filename)
        for param in self.facts.func.params:
            if param.name in self.active and param.name not in self.facts.wrt:
                name = ir.Name(param.name)
                out.append(ir.Assign(ir.Name(self.dot(param.name)), self.tangents.zero(name), param.pos))
        return out

    def block(self, body: list[ir.Stmt]) -> list[ir.Stmt]:
        out: list[ir.Stmt] = []
        for stmt in body:
            out.extend(getattr(self, "_" + type(stmt).__name__)(stmt))
        return out

    # -- statements ------------------------------------------------------------------------

    def _Assign(self, stmt: ir.Assign) -> list[ir.Stmt]:
        if isinstance(stmt.value, ir.Call) and helper_of(stmt.value, self.program.module):
            return self.runtime.statements(stmt, stmt.value) + [stmt]
        if isinstance(stmt.value, ir.Call) and self.calls_jvp(stmt.value):
            return [ir.Assign(ir.Tuple([copy.deepcopy(stmt.target), self.dot_target(stmt.target)]),
                              self.jvp_call(stmt.value), stmt.pos)]
        updates: list[tuple[ir.Expr, ir.Expr, bool]] = []  # (tangent target, tangent, is zero)
        for target, value in zip(*assignment_pairs(stmt.target, stmt.value)):
            if self.is_active_target(target):
                tangent = self.value_tangent(target, value, stmt.inplace)
                zero = self.tangents.zero(target if isinstance(target, ir.Name) else value)
                updates.append((self.dot_target(target), tangent if tangent is not None else zero, tangent is None))
        if stmt.inplace:
            return [u for t, v, _ in updates if (u := self.inplace_update(stmt, t, v))] + [stmt]
        before = [(t, v) for t, v, is_zero in updates if not is_zero]
        after = [s for t in flat_targets(stmt.target) for s in ndim_check(self.facts, t, self.filename)]
        after += [ir.Assign(t, v, stmt.pos) for t, v, is_zero in updates if is_zero]
        if len(before) == 1:
            return [ir.Assign(before[0][0], before[0][1], stmt.pos), stmt] + after
        if before:
            targets, values = zip(*before)
            return [ir.Assign(ir.Tuple(list(targets)), ir.Tuple(list(values)), stmt.pos), stmt] + after
        return [stmt] + after

    def value_tangent(self, target: ir.Expr, value: ir.Expr | None, inplace: bool) -> ir.Expr | None:
        """The tangent of ``value``; one that a name is bound to does not
        share memory with another tangent where ``value`` is a new array
        (``Tangents.stored``); writes into a subscript or in place copy anyway."""
        if value is None:
            return None
        if isinstance(target, ir.Name) and not inplace:
            return self.tangents.stored(value)
        return self.tangents.of(value)

    def inplace_update(self, stmt: ir.Assign, target: ir.Expr, value: ir.Expr) -> ir.Assign | None:
        """The tangent of ``x += e`` is updated in place too, so that when
        ``x`` names an array, the tangent array its aliases and callers hold
        is the one updated: ``x_dot += e_dot`` where the tangent has that
        shape, else ``x_dot[...] = new tangent``; nothing when it is unchanged."""
        if isinstance(value, ir.Name) and isinstance(target, ir.Name) and value.id == target.id:
            return None
        augmentable = isinstance(value, ir.BinOp) and isinstance(value.left, ir.Name) and \
            isinstance(target, ir.Name) and value.left.id == target.id
        if self.tangents.type(stmt.target).is_array and isinstance(target, ir.Name) and not augmentable:
            return ir.Assign(ir.Subscript(target, [ir.Const(...)]), value, stmt.pos)
        return ir.Assign(target, value, stmt.pos, inplace=True)

    def is_active_target(self, target: ir.Expr) -> bool:
        if isinstance(target, ir.Name):
            return target.id in self.active
        if isinstance(target, ir.Subscript):
            return self.is_active_target(target.value)
        return False

    def dot_target(self, target: ir.Expr) -> ir.Expr:
        if isinstance(target, ir.Name):
            return ir.Name(self.dot(target.id), target.pos)
        if isinstance(target, ir.Subscript):
            return ir.Subscript(self.dot_target(target.value), copy.deepcopy(target.index), target.pos)
        assert isinstance(target, ir.Tuple)
        return ir.Tuple([self.dot_target(item) for item in target.items], target.pos)

    def _ExprStmt(self, stmt: ir.ExprStmt) -> list[ir.Stmt]:
        if isinstance(stmt.value, ir.Call) and helper_of(stmt.value, self.program.module):
            return self.runtime.statements(stmt, stmt.value) + [stmt]
        if isinstance(stmt.value, ir.Call) and self.calls_jvp(stmt.value):
            return [ir.ExprStmt(self.jvp_call(stmt.value), stmt.pos)]
        return [stmt]

    def _Return(self, stmt: ir.Return) -> list[ir.Stmt]:
        if stmt.value is None:
            return [stmt]
        tangent = self.tangents.stored_or_zero(stmt.value, self.facts.types.returns)
        return [ir.Return(ir.Tuple([stmt.value, tangent]), stmt.pos)]

    def _For(self, stmt: ir.For) -> list[ir.Stmt]:
        return [ir.For(stmt.var, stmt.start, stmt.stop, stmt.step, self.block(stmt.body), stmt.pos, stmt.directive)]

    def _While(self, stmt: ir.While) -> list[ir.Stmt]:
        return [ir.While(stmt.test, self.block(stmt.body), stmt.pos, stmt.directive)]

    def _If(self, stmt: ir.If) -> list[ir.Stmt]:
        return [ir.If(stmt.test, self.block(stmt.body), self.block(stmt.orelse), stmt.pos)]

    def _Break(self, stmt: ir.Stmt) -> list[ir.Stmt]:
        return [stmt]

    _Continue = _Pass = _Break

    # -- calls of module functions ---------------------------------------------------------------

    def calls_jvp(self, call: ir.Call) -> bool:
        """A module call runs the callee's ``_jvp`` when an argument is active."""
        if not call.func.startswith("module."):
            return False
        callee = self.program.facts[call.func[7:]]
        return bool(callee.wrt) and any(n in self.active for arg in call.args for n in names_read(arg))

    def jvp_call(self, call: ir.Call) -> ir.Call:
        callee = self.program.facts[call.func[7:]]
        tangents = []
        for param, arg in zip(callee.func.params, call.args):
            if param.name in callee.wrt:
                tangents.append(self.tangents.of_or_zero(arg, callee.types.env[param.name]))
        return ir.Call("module." + jvp_name(callee.func.name), list(call.args) + tangents, [], call.pos)


def forward_functions(program: Program, reporter: Reporter) -> dict[str, list[ir.Function]]:
    """``f_jvp`` for every function that needs one, keyed by the primal's name."""
    out = {}
    for name in program.order:
        if program.needs_derivative(name) and name not in program.custom:  # else the user's g_jvp serves
            out[name] = [ForwardFunction(program.facts[name], program, reporter).build()]
    reporter.check()
    return out
