"""Normalisation after parsing: one module call per statement.

A call to a function of the module is differentiated by calling its
generated derivative, which returns the value and the derivative together.
That is easiest when the call is the whole right-hand side of an
assignment to names, and its arguments are variables (or their elements,
slices and attributes): the derivative of a callee that writes into an
array argument, or of one given an array computed in place, needs that
array under a name.  So nested calls and computed arguments are hoisted
into fresh temporaries just before their statement::

    y = 2.0 * g(x) + 1.0      ->     g_val = g(x)
                                     y = 2.0 * g_val + 1.0
    g(a * k)                  ->     g_arg = a * k
                                     g(g_arg)

A conditional expression with a call in a branch becomes an ``if``
statement that binds a temporary, so the call is evaluated only on its own
branch::

    y = g(x) if c else 1.0    ->     if c:
                                         g_val = g(x)
                                     else:
                                         g_val = 1.0
                                     y = g_val

Calls are not hoisted out of other places that are evaluated conditionally
or repeatedly (the right of ``and``/``or``, a ``while`` test) nor out of
tests, whose value is never differentiated.
"""

from __future__ import annotations

from . import ir
from .naming import Namer
from .walk import expressions, flat_targets, sub_blocks


class Hoister:
    def __init__(self, func: ir.Function):
        self.namer = Namer(func, "")

    def fresh(self, callee: str, what: str = "val") -> str:
        """``g_val`` for the value of a call to ``g`` (``g_val2`` …), ``g_arg``
        for an argument."""
        return self.namer.fresh(f"{callee.lstrip('_')}_{what}")

    def block(self, body: list[ir.Stmt]) -> list[ir.Stmt]:
        out: list[ir.Stmt] = []
        for stmt in body:
            for sub in sub_blocks(stmt):
                sub[:] = self.block(sub)
            out.extend(self.statement(stmt))
        return out

    def statement(self, stmt: ir.Stmt) -> list[ir.Stmt]:
        before: list[ir.Stmt] = []

        def bind(value: ir.Expr, name: str) -> ir.Name:
            before.append(ir.Assign(ir.Name(name, value.pos), value, stmt.pos))
            return ir.Name(name, value.pos)

        def hoist(node: ir.Expr, top: ir.Expr | None) -> ir.Expr:
            """``node`` with its module calls (but ``top``) and their computed
            arguments bound to temporaries, in the order Python evaluates
            them."""
            callees = _module_callees(node) if isinstance(node, ir.IfExp) else []
            if callees:  # a branch calls the module: the conditional expression becomes an `if` statement
                name = self.fresh(callees[0])
                branches = [self.block([ir.Assign(ir.Name(name, node.pos), branch, stmt.pos)])
                            for branch in (node.body, node.orelse)]
                before.append(ir.If(node.test, *branches, stmt.pos))
                return ir.Name(name, node.pos)
            if isinstance(node, (ir.IfExp, ir.BoolOp, ir.Compare)):
                return node  # evaluated conditionally, or a test
            if not (isinstance(node, ir.Call) and node.func.startswith("module.")):
                _map_children(node, lambda child: hoist(child, top))
                return node
            callee = node.func[7:]
            args = []
            for arg in node.args:  # one after the other: an argument's calls may write what the next reads
                arg = hoist(arg, top)
                args.append(arg if _is_variable(arg) else bind(arg, self.fresh(callee, "arg")))
            node.args = args
            return node if node is top else bind(node, self.fresh(callee))

        if isinstance(stmt, ir.Assign):
            simple_target = all(isinstance(t, ir.Name) for t in flat_targets(stmt.target))
            stmt.value = hoist(stmt.value, stmt.value if simple_target else None)
        elif isinstance(stmt, ir.ExprStmt):
            stmt.value = hoist(stmt.value, stmt.value)
        elif isinstance(stmt, ir.Return) and stmt.value is not None:
            stmt.value = hoist(stmt.value, None)
        return before + [stmt]


def _module_callees(node: ir.IfExp) -> list[str]:
    """The functions of the module that a branch of ``node`` calls (its
    test is not differentiated, and stays where it is)."""
    return [e.func[7:] for branch in (node.body, node.orelse) for e in expressions(branch)
            if isinstance(e, ir.Call) and e.func.startswith("module.")]


def _is_variable(arg: ir.Expr) -> bool:
    """A variable, a number, or part of a variable: what a call's argument
    may be without a temporary."""
    if isinstance(arg, ir.UnaryOp) and arg.op == "-":
        return isinstance(arg.operand, ir.Const)
    if isinstance(arg, (ir.Subscript, ir.Attribute)):
        return _is_variable(arg.value)
    return isinstance(arg, (ir.Name, ir.Const, ir.QualName))


def _map_children(expr: ir.Expr, fn) -> None:
    """Replace each direct sub-expression ``c`` of ``expr`` by ``fn(c)``, in
    source order."""
    for attr, value in vars(expr).items():
        if attr == "pos":
            continue
        if isinstance(value, list):
            setattr(expr, attr, [(v[0], fn(v[1])) if isinstance(v, tuple) else fn(v) if hasattr(v, "pos") else v
                                 for v in value])
        elif hasattr(value, "pos"):
            setattr(expr, attr, fn(value))


def hoist_module_calls(module: ir.Module) -> None:
    for func in module.functions.values():
        func.body = Hoister(func).block(func.body)
