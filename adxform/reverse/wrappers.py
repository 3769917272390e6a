"""The public reverse-mode API of SPEC §4, as thin layers over ``f_rev``.

For a function ``f(a1..an) -> y``:
``f_vjp(a1..an, y_bar) -> (y, b1..bk)``, ``f_grad(a1..an)`` and
``f_value_and_grad(a1..an)`` (the last two when y is a float);
for a procedure: ``p_vjp(a1..an, B1..Bm) -> (scalar adjoints)``.
Each checks that its differentiable array arguments do not overlap.
"""

from __future__ import annotations

import itertools

from .. import build, ir
from ..analysis.program import FunctionFacts
from .function import rev_name


def _disjointness_checks(facts: FunctionFacts) -> list[ir.Stmt]:
    arrays = [p for p in facts.wrt if facts.types.env[p].is_array]
    return [ir.ExprStmt(build.call("module._check_disjoint", ir.Name(a), ir.Name(b)))
            for a, b in itertools.combinations(arrays, 2)]


def public_functions(facts: FunctionFacts, bar_names: dict[str, str], y_bar: str, value: str) -> list[ir.Function]:
    """``bar_names`` maps a parameter to its adjoint's name in ``f_rev``;
    ``y_bar`` and ``value`` name the cotangent and the value there."""
    func = facts.func
    env = facts.types.env
    params = [ir.Param(p.name, None, p.pos) for p in func.params]
    args = [ir.Name(p.name) for p in func.params]
    arrays = [p for p in facts.wrt if env[p].is_array]
    scalars = [p for p in facts.wrt if not env[p].is_array]
    checks = _disjointness_checks(facts)
    if facts.is_procedure:
        bars = [ir.Param(bar_names[p], None) for p in arrays]
        call = ir.Call("module." + rev_name(func.name), args + [ir.Name(b.name) for b in bars])
        doc = (f"Adjoint of the procedure {func.name} (SPEC §4): ({', '.join(b.name for b in bars)}) are in/out; "
               f"returns the adjoints of ({', '.join(scalars)}).")
        return [ir.Function(f"{func.name}_vjp", params + bars, checks + [ir.Return(call)], func.pos, doc)]

    allocs = [ir.Assign(ir.Name(bar_names[p]), build.call("numpy.zeros_like", ir.Name(p))) for p in arrays]
    outs = [ir.Name(value)] + [ir.Name(bar_names[p]) for p in scalars]
    call = ir.Call("module." + rev_name(func.name), args + [ir.Name(y_bar)] + [ir.Name(bar_names[p]) for p in arrays])
    ordered = [ir.Name(bar_names[p]) for p in facts.wrt]
    vjp = ir.Function(
        f"{func.name}_vjp", params + [ir.Param(y_bar, None)],
        checks + allocs + [ir.Assign(ir.Tuple(outs), call), ir.Return(ir.Tuple([ir.Name(value)] + ordered))],
        func.pos, f"Reverse mode of {func.name}: returns ({value}, {', '.join(n.id for n in ordered)}) for the "
                  f"cotangent {y_bar}.")
    out = [vjp]
    if facts.types.returns.kind == "float":
        gradient = ordered[0] if len(ordered) == 1 else ir.Tuple(ordered)
        unpack = ir.Assign(ir.Tuple([ir.Name(value)] + ordered),
                           ir.Call(f"module.{func.name}_vjp", args + [ir.Const(1.0)]))
        out.append(ir.Function(f"{func.name}_grad", params, [unpack, ir.Return(gradient)], func.pos,
                               f"The gradient of {func.name} with respect to ({', '.join(facts.wrt)})."))
        out.append(ir.Function(f"{func.name}_value_and_grad", params,
                               [unpack, ir.Return(ir.Tuple([ir.Name(value), gradient]))], func.pos,
                               f"({func.name}(...), its gradient with respect to ({', '.join(facts.wrt)}))."))
    return out
