"""Normalisation after parsing: one module call per statement.

A call to a function of the module is differentiated by calling its
generated derivative, which returns the value and the derivative together.
That is easiest when the call is the whole right-hand side of an
assignment to names, so nested calls are hoisted into fresh temporaries
just before their statement::

    y = 2.0 * g(x) + 1.0      ->     g_val = g(x)
                                     y = 2.0 * g_val + 1.0

Calls are not hoisted out of places that are evaluated conditionally or
repeatedly (a branch of ``a if c else b``, the right of ``and``/``or``, a
``while`` test) nor out of tests, whose value is never differentiated; a
differentiated call left in a branch of a conditional expression is
refused later with a diagnostic.
"""

from __future__ import annotations

from . import ir
from .naming import Namer
from .walk import flat_targets, sub_blocks


class Hoister:
    def __init__(self, func: ir.Function):
        self.namer = Namer(func, "")

    def fresh(self, callee: str) -> str:
        """``g_val`` for the value of a call to ``g`` (``g_val2`` …)."""
        return self.namer.fresh(callee.lstrip("_") + "_val")

    def block(self, body: list[ir.Stmt]) -> list[ir.Stmt]:
        out: list[ir.Stmt] = []
        for stmt in body:
            for sub in sub_blocks(stmt):
                sub[:] = self.block(sub)
            out.extend(self.statement(stmt))
        return out

    def statement(self, stmt: ir.Stmt) -> list[ir.Stmt]:
        before: list[ir.Stmt] = []

        def hoist(expr: ir.Expr, keep_top: bool) -> ir.Expr:
            def replace(node: ir.Expr) -> ir.Expr | None:
                if not (isinstance(node, ir.Call) and node.func.startswith("module.")):
                    return None
                if keep_top and node is expr:
                    return None
                name = self.fresh(node.func[7:])
                before.append(ir.Assign(ir.Name(name, node.pos), node, stmt.pos))
                return ir.Name(name, node.pos)

            return _map_outside_conditionals(expr, replace)

        if isinstance(stmt, ir.Assign):
            simple_target = all(isinstance(t, ir.Name) for t in flat_targets(stmt.target))
            stmt.value = hoist(stmt.value, keep_top=simple_target)
        elif isinstance(stmt, ir.ExprStmt):
            stmt.value = hoist(stmt.value, keep_top=True)
        elif isinstance(stmt, ir.Return) and stmt.value is not None:
            stmt.value = hoist(stmt.value, keep_top=False)
        return before + [stmt]


def _map_outside_conditionals(expr: ir.Expr, replace) -> ir.Expr:
    """Like ``map_expr`` but leaves conditional sub-expressions alone."""
    if isinstance(expr, (ir.IfExp, ir.BoolOp, ir.Compare)):
        return expr
    for attr, value in vars(expr).items():
        if attr == "pos":
            continue
        if isinstance(value, list):
            setattr(expr, attr, [(v[0], _map_outside_conditionals(v[1], replace)) if isinstance(v, tuple)
                                 else _map_outside_conditionals(v, replace) for v in value])
        elif hasattr(value, "pos"):
            setattr(expr, attr, _map_outside_conditionals(value, replace))
    replaced = replace(expr)
    return expr if replaced is None else replaced


def hoist_module_calls(module: ir.Module) -> None:
    for func in module.functions.values():
        func.body = Hoister(func).block(func.body)
