"""The public reverse-mode API (docs/generated-module.md), as thin layers over ``f_rev``.

For a function ``f(a1..an) -> y``:
``f_vjp(a1..an, y_bar) -> (y, b1..bk)``, ``f_grad(a1..an)`` and
``f_value_and_grad(a1..an)`` (the last two when y is a float);
for a procedure: ``p_vjp(a1..an, B1..Bm) -> (scalar adjoints)``.

``f_rev`` leaves out the side effects (see ``slicing.py``), so the wrapper
of a function that writes into its arguments runs the primal for them, after
``f_rev``, on the arguments as they were on entry (the arrays ``f`` writes
are copied first and put back).
Each wrapper checks that its differentiable array arguments do not overlap.
"""

from __future__ import annotations

import itertools

from .. import build, ir
from ..analysis.program import FunctionFacts
from ..naming import Namer
from ..checkpoint.instrument import COUNTS


def public_functions(facts: FunctionFacts, bar: Namer, y_bar: str, rev_returns_value: bool,
                     counted: bool = False) -> list[ir.Function]:
    """``bar`` is the namer ``f_rev`` used (adjoint names), ``y_bar`` its
    cotangent; ``rev_returns_value`` whether ``f_rev`` returns f's value.
    ``counted`` (--instrument): the wrappers are plain Python and hand
    ``f_rev`` the module's live counts array (checkpoint/instrument.py)."""
    functions = _wrappers(facts, bar, y_bar, rev_returns_value, counted)
    if counted:
        for function in functions:
            function.target = "python"
    return functions


def _adjoint_body(facts: FunctionFacts, bar: Namer, seed: ir.Expr, rev_returns_value: bool, counted: bool,
                  value: str, want_value: bool) -> list[ir.Stmt]:
    """The overlap checks, the adjoint arrays and the call of ``f_rev``
    seeded with ``seed``; then the primal, on the arguments as they came,
    where ``f`` writes into them, or for ``value`` where ``want_value``
    asks for it and ``f_rev`` does not return it (``f_grad`` does not)."""
    func, env = facts.func, facts.types.env
    args = [ir.Name(p.name) for p in func.params]
    arrays = [p for p in facts.wrt if env[p].is_array]
    scalars = [p for p in facts.wrt if not env[p].is_array]
    body: list[ir.Stmt] = [ir.ExprStmt(build.call("module._check_disjoint", ir.Name(a), ir.Name(b)))
                           for a, b in itertools.combinations(arrays, 2)]
    written = [func.params[k].name for k in sorted(facts.writes)]
    saved = {name: bar.fresh(f"{name}_on_entry") for name in written}
    body += [ir.Assign(ir.Name(saved[n]), ir.Call("method.copy", [ir.Name(n)])) for n in written]
    results = ([ir.Name(value)] if rev_returns_value else []) + [ir.Name(bar(p)) for p in scalars]
    rev_args = args + ([] if facts.is_procedure else [seed]) + [ir.Name(bar(p)) for p in arrays]
    if not facts.is_procedure:
        body += [ir.Assign(ir.Name(bar(p)), build.call("numpy.zeros_like", ir.Name(p))) for p in arrays]
    rev = ir.Call("module." + facts.rev_name, rev_args + ([ir.Name(COUNTS)] if counted else []))
    body.append(ir.Assign(ir.Tuple(results), rev) if results else ir.ExprStmt(rev))
    if written or want_value and not (facts.is_procedure or rev_returns_value):
        # f's side effects or value: the primal, from the arguments as they came
        body += [ir.Assign(ir.Subscript(ir.Name(n), [ir.Const(...)]), ir.Name(saved[n])) for n in written]
        primal = ir.Call("module." + func.name, list(args))
        body.append(ir.ExprStmt(primal) if facts.is_procedure else ir.Assign(ir.Name(value), primal))
    return body


def _wrappers(facts: FunctionFacts, bar: Namer, y_bar: str, rev_returns_value: bool,
              counted: bool) -> list[ir.Function]:
    func, env = facts.func, facts.types.env
    params = [ir.Param(p.name, None, p.pos) for p in func.params]
    args = [ir.Name(p.name) for p in func.params]
    arrays = [p for p in facts.wrt if env[p].is_array]
    scalars = [p for p in facts.wrt if not env[p].is_array]
    value = Namer(func, "bar").fresh("value")  # a name of the wrapper's own
    body = _adjoint_body(facts, bar, ir.Name(y_bar), rev_returns_value, counted, value, want_value=True)
    if facts.is_procedure:
        body.append(ir.Return(ir.Tuple([ir.Name(bar(p)) for p in scalars])))
        bars = [ir.Param(bar(p), None) for p in arrays]
        doc = (f"Adjoint of the procedure {func.name}: ({', '.join(b.name for b in bars)}) are in/out; "
               f"returns the adjoints of ({', '.join(scalars)}).")
        return [ir.Function(f"{func.name}_vjp", params + bars, body, func.pos, doc)]

    ordered = [ir.Name(bar(p)) for p in facts.wrt]
    body.append(ir.Return(ir.Tuple([ir.Name(value)] + ordered)))
    out = [ir.Function(f"{func.name}_vjp", params + [ir.Param(y_bar, None)], body, func.pos,
                       f"Reverse mode of {func.name}: ({value}, {', '.join(n.id for n in ordered)}) "
                       f"for the cotangent {y_bar}.")]
    if facts.types.returns.kind == "float":
        gradient = ordered[0] if len(ordered) == 1 else ir.Tuple(ordered)
        unpack = ir.Assign(ir.Tuple([ir.Name(value)] + ordered),
                           ir.Call(f"module.{func.name}_vjp", args + [ir.Const(1.0)]))
        # without a value to give, f_grad need not run the primal for one
        grad_body = [unpack] if facts.writes or rev_returns_value else \
            _adjoint_body(facts, bar, ir.Const(1.0), rev_returns_value, counted, value, want_value=False)
        wrt = ", ".join(facts.wrt)
        out.append(ir.Function(f"{func.name}_grad", params, grad_body + [ir.Return(gradient)], func.pos,
                               f"The gradient of {func.name} with respect to ({wrt})."))
        out.append(ir.Function(f"{func.name}_value_and_grad", params,
                               [unpack, ir.Return(ir.Tuple([ir.Name(value), gradient]))], func.pos,
                               f"({func.name}(...), its gradient with respect to ({wrt}))."))
    return out
