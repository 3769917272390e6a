"""``--target cuda``: many independent gradients at once, one thread each.

For a function ``f`` of the module (made a device function), reverse mode
adds the kernel ``f_grad_batch[grid](X, out)``: thread ``t`` evaluates the
gradient of ``f`` at row ``t`` of ``X`` into row ``t`` of ``out``.  A row
holds the arguments: one column per float parameter, or, for a function of
one array, the array itself (``X`` has one more axis than it); ``out`` has
a column per parameter differentiated (those ``--wrt`` names).
"""

from __future__ import annotations

from ... import ir
from ...naming import Namer
from .context import Context
from .kinds import ARRAY, FLOAT


def batch_kernel(ctx: Context) -> ir.Function | None:
    func = ctx.func
    kinds = [ctx.kinds[p.name] for p in func.params]
    scalars = all(k == FLOAT for k in kinds)
    if not func.params or not scalars and kinds != [ARRAY]:
        ctx.refuse(func.pos, "a batched gradient of a function whose parameters are not all floats, nor one float "
                             "array,", note="--target cuda batches functions of float parameters, or of one array")
        return None
    names = Namer(func, "batch")
    X, out, t = (names.fresh(n) for n in ("X", "out", "t"))
    row = ir.Subscript(ir.Name(X), [ir.Name(t)])
    n_rows = ir.Subscript(ir.Attribute(ir.Name(X), "shape"), [ir.Const(0)])
    vjp = f"module.{func.name}_vjp"
    if scalars:
        args: list[ir.Expr] = [ir.Subscript(ir.Name(X), [ir.Name(t), ir.Const(k)]) for k in range(len(func.params))]
        parts = [names.fresh(f"{p.name}_bar") for p in ctx.diff_params()]  # --wrt: the columns of out
        value = names.fresh("value")
        body: list[ir.Stmt] = [ir.Assign(ir.Tuple([ir.Name(value)] + [ir.Name(p) for p in parts]),
                                         ir.Call(vjp, args + [ir.Const(1.0)]))]
        body += [ir.Assign(ir.Subscript(ir.Name(out), [ir.Name(t), ir.Const(k)]), ir.Name(p))
                 for k, p in enumerate(parts)]
    else:
        bar, k = names.fresh(f"{func.params[0].name}_bar"), names.fresh("k")
        body = [ir.Assign(ir.Name(bar), ir.Subscript(ir.Name(out), [ir.Name(t)])),
                ir.For(k, ir.Const(0), ir.Attribute(ir.Name(bar), "size"), ir.Const(1),
                       [ir.Assign(ir.Subscript(ir.Name(bar), [ir.Name(k)]), ir.Const(0.0))]),
                ir.Assign(ir.Tuple([ir.Name(names.fresh("value"))]), ir.Call(vjp, [row, ir.Const(1.0), ir.Name(bar)]))]
    guarded = [ir.Assign(ir.Name(t), ir.Call("numba.cuda.grid", [ir.Const(1)])),
               ir.If(ir.Compare("<", ir.Name(t), n_rows), body, [])]
    doc = (f"The gradient of {func.name} at each row of {X} into the same row of {out}, one thread per row: "
           f"launch with at least {X}.shape[0] threads.")
    return ir.Function(f"{func.name}_grad_batch", [ir.Param(X, None), ir.Param(out, None)], guarded, func.pos, doc,
                       target="cuda-kernel")
