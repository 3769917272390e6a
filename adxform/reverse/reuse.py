"""Library calls that the adjoint of one statement computes more than once,
computed once.

The rules write each partial derivative in terms of the call's arguments,
so a call that several partials share is written out in each: the adjoint
of ``o = 1.0 / (1.0 + np.exp(-g))`` is

    g_bar += o_bar / ((1.0 + np.exp(-g)) * (1.0 + np.exp(-g))) * np.exp(-g)

and numba evaluates ``np.exp(-g)`` three times.  Between the adjoint
statements of one primal statement only adjoints and the temporaries they
go through change, so a call that reads none of the names these statements
write has one value throughout.  ``bind_repeated_calls`` gives each such
call that occurs twice or more a temporary, assigned right before the first
statement that reads it.  Calls that run only sometimes (under a
conditional expression or a boolean operator, or in a branch) are neither
counted nor moved: numba's math functions raise on a domain error that the
condition may be there to avoid.
"""

from __future__ import annotations

from .. import ir
from ..emit.printer import ExprPrinter
from ..naming import Namer
from ..rules import TABLE
from ..walk import children, map_expr, names_read, target_names

_PRINTER = ExprPrinter()
# the runtime helpers that adjoints call for their effect, and the argument each writes into
WRITTEN_ARGUMENT = {"module._add_into": 0, "module._matmul_bar_a": -1, "module._matmul_bar_b": -1}


def bind_repeated_calls(stmts: list[ir.Stmt], namer: Namer) -> list[ir.Stmt]:
    """``stmts``, the adjoint of one statement, with each repeated call of a
    library function computed once into a temporary (largest calls first,
    so that a call inside a repeated call is not bound on its own)."""
    if not all(isinstance(s, (ir.Assign, ir.ExprStmt, ir.If)) for s in stmts):
        return stmts
    written = _written(stmts)
    out = list(stmts)
    while True:
        counts: dict[str, int] = {}
        first: dict[str, tuple[int, ir.Call]] = {}
        for k, stmt in enumerate(out):
            for root in _roots(stmt):
                for call in _unconditional_calls(root):
                    if set(names_read(call)) & written:
                        continue
                    key = _PRINTER.text(call)
                    counts[key] = counts.get(key, 0) + 1
                    first.setdefault(key, (k, call))
        repeated = [key for key, n in counts.items() if n > 1]
        if not repeated:
            return out
        key = max(repeated, key=lambda key: (len(key), -first[key][0]))  # the largest, then the earliest
        k, call = first[key]
        temp = ir.Name(namer.fresh("t_call"))
        out = out[:k] + [ir.Assign(temp, call, call.pos)] + [_replace(stmt, key, temp) for stmt in out[k:]]


def _written(stmts: list[ir.Stmt]) -> set[str]:
    """What the statements may write: their targets, the array a runtime
    helper adds into (``_add_into(u_bar[2:], t)``), and every name a call
    made for its effect reads."""
    out: set[str] = set()
    for stmt in stmts:
        if isinstance(stmt, ir.Assign):
            out.update(target_names(stmt.target))
        elif isinstance(stmt, ir.ExprStmt):
            call = stmt.value
            if isinstance(call, ir.Call) and call.func in WRITTEN_ARGUMENT:
                out.update(target_names(call.args[WRITTEN_ARGUMENT[call.func]]))
            else:
                out.update(names_read(call))
        elif isinstance(stmt, ir.If):
            out |= _written(stmt.body) | _written(stmt.orelse)
    return out


def _roots(stmt: ir.Stmt) -> list[ir.Expr]:
    """The expressions ``stmt`` evaluates every time it runs."""
    if isinstance(stmt, ir.Assign):
        return [stmt.value]
    if isinstance(stmt, ir.ExprStmt):
        return [stmt.value]
    if isinstance(stmt, ir.If):
        return [stmt.test]
    return []


def _unconditional_calls(expr: ir.Expr):
    """The library calls in ``expr`` that are evaluated whenever it is."""
    if isinstance(expr, ir.IfExp):
        yield from _unconditional_calls(expr.test)
        return
    if isinstance(expr, ir.BoolOp):  # only the first operand is always evaluated
        yield from _unconditional_calls(expr.values[0])
        return
    if isinstance(expr, ir.Call) and TABLE.get(expr.func) is not None:
        yield expr
    for child in children(expr):
        yield from _unconditional_calls(child)


def _replace(stmt: ir.Stmt, key: str, temp: ir.Name) -> ir.Stmt:
    """``stmt`` with every occurrence of the call printed ``key`` read from ``temp``."""
    def swap(expr: ir.Expr) -> ir.Expr | None:
        if isinstance(expr, ir.Call) and _PRINTER.text(expr) == key:
            return ir.Name(temp.id)
        return None

    if isinstance(stmt, (ir.Assign, ir.ExprStmt)):
        fields = dict(vars(stmt))
        fields["value"] = map_expr(stmt.value, swap)
        return type(stmt)(**fields)
    if isinstance(stmt, ir.If):
        return ir.If(map_expr(stmt.test, swap), [_replace(s, key, temp) for s in stmt.body],
                     [_replace(s, key, temp) for s in stmt.orelse], stmt.pos)
    return stmt
