"""Where names get their values, path by path.

Reverse mode pushes the old value of a variable before a statement
overwrites it, so it must know which assignments overwrite nothing (a
first definition), which names every path to a statement has bound (an
adjoint array is allocated where some path reaches a binding with none),
what a statement writes (calls of module functions included: an ``if``
test that reads what a branch writes cannot be evaluated again in the
reverse sweep), and which loop variables are read after their loop (the
value a loop leaves there must be saved).
"""

from __future__ import annotations

from .. import ir
from ..walk import expressions, flat_targets, statements, stmt_expressions, stmt_reads, sub_blocks, target_names
from .program import Program
from .runtime import RUNTIME_WRITES


def base_name(expr: ir.Expr) -> str | None:
    """The variable an assignment target writes: ``x`` for ``x`` and ``x[i]``."""
    if isinstance(expr, ir.Name):
        return expr.id
    if isinstance(expr, ir.Subscript) and isinstance(expr.value, ir.Name):
        return expr.value.id
    return None


def first_definitions(body: list[ir.Stmt], params: set[str]) -> set[tuple[int, str]]:
    """(id(statement), name) for assignments that give a name its first value
    on every path: outside loops, with no earlier assignment on any path.
    Such an assignment overwrites nothing, so nothing is saved before it
    and nothing before it reads the name's adjoint."""
    found: set[tuple[int, str]] = set()

    def walk(block: list[ir.Stmt], assigned: set[str], in_loop: bool) -> set[str]:
        for stmt in block:
            if isinstance(stmt, ir.Assign):
                for name in (t.id for t in flat_targets(stmt.target) if isinstance(t, ir.Name)):
                    if not in_loop and name not in assigned:
                        found.add((id(stmt), name))
                    assigned = assigned | {name}
            elif isinstance(stmt, ir.If):
                assigned = walk(stmt.body, assigned, in_loop) | walk(stmt.orelse, assigned, in_loop)
            elif isinstance(stmt, (ir.For, ir.While)):
                inner = walk(stmt.body, assigned | ({stmt.var} if isinstance(stmt, ir.For) else set()), True)
                assigned = assigned | inner
        return assigned

    walk(body, set(params), False)
    return found


def bound_on_every_path(body: list[ir.Stmt], params: set[str]) -> dict[int, frozenset[str]]:
    """id(statement) -> the names every path to it has bound (in a loop, in
    the iteration's own statements or before the loop).  A binding of an
    array that some path reaches unbound gives it its adjoint array."""
    found: dict[int, frozenset[str]] = {}

    def walk(block: list[ir.Stmt], bound: frozenset[str]) -> frozenset[str]:
        for stmt in block:
            found[id(stmt)] = bound
            if isinstance(stmt, ir.Assign):
                bound = bound | {t.id for t in flat_targets(stmt.target) if isinstance(t, ir.Name)}
            elif isinstance(stmt, ir.If):
                bound = walk(stmt.body, bound) & walk(stmt.orelse, bound)
            elif isinstance(stmt, (ir.For, ir.While)):
                walk(stmt.body, bound | ({stmt.var} if isinstance(stmt, ir.For) else set()))
        return bound

    walk(body, frozenset(params))
    return found


def written_names(stmt: ir.Stmt, program: Program) -> set[str]:
    """Variables ``stmt`` itself assigns or writes into (calls of module
    functions included, through the callee's written parameters)."""
    out: set[str] = set()
    if isinstance(stmt, ir.Assign):
        out.update(target_names(stmt.target))
    if isinstance(stmt, ir.For):
        out.add(stmt.var)
    for expr in stmt_expressions(stmt):
        for call in (e for e in expressions(expr) if isinstance(e, ir.Call) and e.func.startswith("module.")):
            callee = call.func[7:]
            writes = program.facts[callee].writes if callee in program.facts else RUNTIME_WRITES[callee]
            out.update(b for i in writes if i < len(call.args) for b in [base_name(call.args[i])] if b)
    return out


def loop_vars_read_outside(body: list[ir.Stmt]) -> set[str]:
    """Variables of ``for`` loops that some statement reads outside every
    loop over them: the value a loop leaves in its variable, or one given
    before the loop.  The reversed loop leaves another value there, so a
    loop that overwrites such a value saves it."""
    found: set[str] = set()

    def walk(block: list[ir.Stmt], loop_vars: set[str]) -> None:
        for stmt in block:
            found.update(stmt_reads(stmt) - loop_vars)
            inner = loop_vars | {stmt.var} if isinstance(stmt, ir.For) else loop_vars
            for sub in sub_blocks(stmt):
                walk(sub, inner)

    walk(body, set())
    return found & {s.var for s in statements(body) if isinstance(s, ir.For)}
