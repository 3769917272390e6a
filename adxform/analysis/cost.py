"""A rough cost model of a block of statements.

Reverse mode returns the function's value from its forward sweep when
keeping the statements that compute it adds less than half the primal's
work; otherwise the public wrapper runs the primal for the value.  The
estimate only has to rank such choices, not predict time.
"""

from __future__ import annotations

from .. import ir
from ..walk import expressions, stmt_expressions


def work(body: list[ir.Stmt], depth: int = 0) -> int:
    """A statement weighs 10 per enclosing loop, a module call one loop more."""
    total = 0
    for stmt in body:
        calls = sum(isinstance(e, ir.Call) and e.func.startswith("module.")
                    for x in stmt_expressions(stmt) for e in expressions(x))
        total += 10 ** depth + calls * 10 ** (depth + 1)
        inner = depth + 1 if isinstance(stmt, (ir.For, ir.While)) else depth
        for block in ([stmt.body] if isinstance(stmt, (ir.For, ir.While)) else
                      [stmt.body, stmt.orelse] if isinstance(stmt, ir.If) else []):
            total += work(block, inner)
    return total
