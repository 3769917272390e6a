"""``g_rev`` for a function whose reverse rule the user wrote (``g_vjp``).

Callers reach every callee through ``g_rev``'s convention (function.py), so
a custom ``g_vjp`` (the public ``f_vjp`` convention) gets a thin adapter: for a
function, the adjoints of array parameters that ``g_vjp`` returns are added
into the in/out arrays and the value and scalar adjoints returned; a
procedure's ``p_vjp`` already has ``p_rev``'s convention.
"""

from __future__ import annotations

from .. import ir
from ..analysis.program import FunctionFacts
from ..naming import Namer


def rev_from_rule(facts: FunctionFacts, rule: str, bar: Namer, y_bar: str, counted: bool) -> ir.Function:
    """``counted``: --instrument, under which every ``_rev`` takes the counts
    array last (checkpoint/instrument.py); a custom rule has no loop to count."""
    func, env = facts.func, facts.types.env
    arrays = [p for p in facts.wrt if env[p].is_array]
    scalars = [p for p in facts.wrt if not env[p].is_array]
    args: list[ir.Expr] = [ir.Name(p.name) for p in func.params]
    params = [ir.Param(p.name, None, p.pos) for p in func.params]
    doc = f"Adjoint of {func.name} through its custom rule {rule}."
    counts = [ir.Param(bar.fresh("checkpoint_counts"), None)] if counted else []
    if facts.is_procedure:
        params += [ir.Param(bar(p), None) for p in arrays] + counts
        call = ir.Call(f"module.{rule}", args + [ir.Name(bar(p)) for p in arrays])
        return ir.Function(facts.rev_name, params, [ir.Return(call)], func.pos, doc)
    value = bar.fresh("value")
    params += [ir.Param(y_bar, None)] + [ir.Param(bar(p), None) for p in arrays] + counts
    fresh = {p: bar.fresh(f"{p}_rule_bar") for p in arrays}
    results = [ir.Name(fresh[p]) if p in fresh else ir.Name(bar(p)) for p in facts.wrt]
    body: list[ir.Stmt] = [ir.Assign(ir.Tuple([ir.Name(value)] + results),
                                     ir.Call(f"module.{rule}", args + [ir.Name(y_bar)]))]
    body += [ir.Assign(ir.Name(bar(p)), ir.BinOp("+", ir.Name(bar(p)), ir.Name(fresh[p])), inplace=True)
             for p in arrays]
    body.append(ir.Return(ir.Tuple([ir.Name(value)] + [ir.Name(bar(p)) for p in scalars])))
    return ir.Function(facts.rev_name, params, body, func.pos, doc)
