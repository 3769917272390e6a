"""Calls of module functions: joint reversal, as Tapenade's default.

The forward sweep runs the primal; the reverse sweep runs the callee's
``_rev``, which recomputes the callee's own forward sweep.  An array a
callee writes is saved before the call and restored around its ``_rev``:
whole where the caller's reverse sweep reads it after undoing the call,
else only what the callee's ``_rev`` reads of it on entry
(``Callees.unfilled``: nothing, a tail, or all of it).
"""

from __future__ import annotations

import copy

from .. import build, ir
from ..analysis.bindings import base_name
from ..analysis.dataflow import view_base
from ..analysis.program import FunctionFacts
from ..walk import flat_targets, names_read, same, statements, stmt_expressions
from .bars import captured_seed, new_bar, zero_bar
from .builder import ReverseBuilder, Sweeps
from .record import fresh_array, save_targets, shape_kept
from .runtime import RuntimeAdjoints, is_helper_call


def transform_expr_stmt(builder: ReverseBuilder, stmt: ir.ExprStmt, depth: int) -> Sweeps:
    """A call for its effect: a module function's (reversed as a call), or a
    runtime check read back, which the forward sweep keeps as it is."""
    if is_helper_call(stmt.value, builder.program.module):  # a runtime helper of a module read back
        return RuntimeAdjoints(builder).sweeps(stmt, stmt.value)
    if isinstance(stmt.value, ir.Call) and stmt.value.func.startswith("module."):
        return transform_call(builder, stmt, stmt.value, None)
    return Sweeps([stmt], [])


def transform_call(builder: ReverseBuilder, stmt: ir.Stmt, call: ir.Call, target: ir.Expr | None) -> Sweeps:
    callee = builder.program.facts[call.func[7:]]
    is_active = bool(callee.wrt) and any(builder.active(n) for arg in call.args for n in names_read(arg))
    overlaps = overlapping_arguments(builder, call, callee) if is_active else []
    if any(pair is None for pair in overlaps):
        builder.refuse(call.pos, f"passing one array to two parameters of '{callee.func.name}', which writes into "
                       "one of them,", note="pass a copy of the array it reads, bound to a name of its own "
                       "(`k_in = k.copy()`)")
    elements = flat_targets(target) if target is not None else []
    keep = fresh_array(builder, stmt) if isinstance(target, ir.Name) and builder.type(target).is_array \
        else Sweeps([], [])
    pushes, pops = save_targets(builder, stmt, elements)
    shape_taken, shape_checked = shape_kept(builder, stmt, target.id) if pushes and isinstance(target, ir.Name) \
        and builder.type(target).is_array else ([], [])
    pushes = keep.fwd + shape_taken + pushes
    written = [call.args[i] for i in sorted(callee.writes) if i < len(call.args)]
    saves: list[ir.Expr] = []
    kept: list[ir.Expr] = []  # those the caller's reverse sweep reads once the call is undone
    for position, array in zip(sorted(callee.writes), written):
        base = base_name(array)
        if base is None or entry_value_unused(builder, stmt, base, callee, position):
            continue
        if base in builder.needed_after_undoing(stmt):
            kept.append(array)
        else:  # only the callee's _rev may read it
            array = builder.callees.unfilled(callee, call, position) if is_active else None
            if array is None or builder.extents.empty_tail(array):
                continue
        pushes.append(builder.tape.push_array(copy.deepcopy(array)))
        saves.append(array)
    fwd = pushes + [stmt] + shape_checked + [s for e in elements for s in builder.ndim_check(e)] \
        + result_bars(builder, stmt, target) + (builder.kept_bound(stmt) if isinstance(target, ir.Name) else [])
    restore = [builder.tape.load_array(copy.deepcopy(a), copy.deepcopy(saves[k + 1:])) for k, a in enumerate(saves)]
    drop = [builder.tape.drop_array(copy.deepcopy(a)) for a in reversed(saves)]
    before, after = (keep.rev, []) if keep.rev and base_name(target) in names_read(call) else ([], keep.rev)
    if not is_active:
        return Sweeps(fwd, before + pops + restore + drop + after)
    restore_kept = [load for load, a in zip(restore, saves) if any(a is k for k in kept)]
    where = f"{builder.reporter.filename}:{call.pos.line}:{call.pos.col}"
    checks = [ir.ExprStmt(build.call("module._check_disjoint", copy.deepcopy(a), copy.deepcopy(b), ir.Const(
        f"{where}: the arrays passed to '{callee.func.name}' here overlap in memory, and it writes into one of "
        "them: reverse mode cannot tell their adjoints apart (pass a copy of the one it reads)")), call.pos)
        for a, b in (pair for pair in overlaps if pair is not None)]
    return Sweeps(fwd, before + pops + restore + checks + call_adjoint(builder, stmt, call, target, callee)
                  + restore_kept + drop + after)


def overlapping_arguments(builder: ReverseBuilder, call: ir.Call, callee: FunctionFacts) \
        -> list[tuple[ir.Expr, ir.Expr] | None]:
    """The pairs of array arguments that may share memory, one of which the
    callee writes into: its adjoint would add into and clear one adjoint
    array as if it were two.  None for a pair that surely does (``g(k, k)``,
    ``g(k[1:], k)``); two views of one array (``g(U[t], U[t + 1])``) are
    checked when the reverse sweep runs (``_check_disjoint``)."""
    def memory(arg: ir.Expr) -> str | None:
        base = view_base(arg, builder.facts.types) if builder.type(arg).is_array else None
        return builder.memory_roots.get(base, base)

    def whole(arg: ir.Expr) -> bool:
        return isinstance(arg, ir.Name) and arg.id not in builder.memory_roots

    roots = [memory(arg) for arg in call.args]
    found: list[tuple[ir.Expr, ir.Expr] | None] = []
    for w in sorted(p for p in callee.writes if p < len(roots) and roots[p] is not None):
        for k, root in enumerate(roots):
            if k != w and root == roots[w] and (k > w or k not in callee.writes):
                a, b = call.args[w], call.args[k]
                found.append(None if whole(a) or whole(b) or same(a, b) else (a, b))
    return found


def result_bars(builder: ReverseBuilder, stmt: ir.Stmt, target: ir.Expr | None) -> list[ir.Stmt]:
    """Adjoint arrays for the active arrays a call's result binds, where
    nothing gave them one yet: at their first definition, or where they
    are made afresh in a loop (then taped, ``fresh_array``)."""
    return [s for e in (flat_targets(target) if target is not None else [])
            if isinstance(e, ir.Name) and builder.type(e).is_array and builder.active(e.id)
            for s in new_bar(builder, stmt, e.id)]


def entry_value_unused(builder: ReverseBuilder, stmt: ir.Stmt, base: str, callee: FunctionFacts,
                       position: int) -> bool:
    """Whether nobody reads what array ``base`` held before the call: the
    callee's adjoint does not read that parameter on entry, and the call
    runs once (top level of the body) with nothing before it reading the
    array but its own first definition."""
    param = callee.func.params[position].name
    top = [k for k, s in enumerate(builder.body) if s is stmt]
    if param in builder.callees.entry_reads.get(callee.func.name, {param}) or not top:
        return False
    for earlier in builder.body[:top[0]]:
        for inner in statements([earlier]):
            reads = {n for e in stmt_expressions(inner) for n in names_read(e)}
            if isinstance(inner, ir.Assign) and isinstance(inner.target, ir.Name) and inner.target.id == base:
                reads = set(names_read(inner.value))
            if base in reads:
                return False
    return True


def call_adjoint(builder: ReverseBuilder, stmt: ir.Stmt, call: ir.Call, target: ir.Expr | None,
                 callee: FunctionFacts) -> list[ir.Stmt]:
    """The callee's ``_rev`` seeded with the adjoints of what the call's
    result binds, which are zeroed then.  Where the arguments read a
    target (``h = step(h)``), its adjoint array is also an argument's, so
    the seed is copied and zeroed before the call instead."""
    elements = [e for e in (flat_targets(target) if target is not None else [])
                if base_name(e) is not None and builder.active(base_name(e))]
    if not elements and not callee.is_procedure and not callee.writes:
        return []  # the result's adjoint is zero, and the callee writes into no argument: nothing flows back
    read = {n for arg in call.args for n in names_read(arg)}
    out: list[ir.Stmt] = []
    captured: dict[int, ir.Expr] = {}
    zeros = [s for e in elements for s in zero_bar(builder, stmt, e)]
    if any(base_name(e) in read for e in elements):
        for element in elements:
            capture, captured[id(element)] = captured_seed(builder, stmt, element)
            out.append(capture)
        out, zeros = out + zeros, []
    args = [copy.deepcopy(a) for a in call.args]
    outs: list[ir.Name] = []
    if not callee.is_procedure:
        args.append(result_seed(builder, target, captured))
        if builder.callees.returns_value.get(callee.func.name, False):
            outs.append(ir.Name(builder.bar.fresh(f"{callee.func.name.lstrip('_')}_value")))
    scalar_args: list[tuple[ir.Expr, ir.Name]] = []
    for param, arg in zip(callee.func.params, call.args):
        if param.name not in callee.wrt:
            continue
        if callee.types.env[param.name].is_array:
            args.append(array_bar_argument(builder, arg, stmt))
        else:
            bar = ir.Name(builder.bar.fresh(f"{param.name}_bar"))
            outs.append(bar)
            scalar_args.append((arg, bar))
    args += builder.counts_argument()
    rev_call = ir.Call("module." + callee.rev_name, args, [], call.pos)
    out.append(ir.Assign(ir.Tuple(outs), rev_call, stmt.pos) if outs else ir.ExprStmt(rev_call, stmt.pos))
    out += zeros
    for arg, bar in scalar_args:
        out += builder.adjoints.increments(arg, bar)
    return out


def result_seed(builder: ReverseBuilder, target: ir.Expr | None, captured: dict[int, ir.Expr]) -> ir.Expr:
    """The adjoint of what the call's result binds, in its structure."""
    if isinstance(target, ir.Tuple):
        return ir.Tuple([result_seed(builder, t, captured) for t in target.items])
    if target is not None and id(target) in captured:
        return copy.deepcopy(captured[id(target)])
    if target is not None and base_name(target) is not None and builder.active(base_name(target)):
        return builder.bar_of(target)
    return ir.Const(0.0)


def array_bar_argument(builder: ReverseBuilder, arg: ir.Expr, stmt: ir.Stmt) -> ir.Expr:
    """The adjoint array passed for an array argument: the same view of
    the argument's adjoint, or scratch zeros where nothing flows back."""
    view = builder.bar_view(arg)
    if view is not None and builder.active(base_name(arg)):
        return view
    if not any(builder.active(n) for n in names_read(arg)):
        return builder.target.zeros_like(copy.deepcopy(arg))  # scratch: nothing flows back
    builder.refuse(stmt.pos, "passing a computed array to a module function")
    return builder.target.zeros_like(copy.deepcopy(arg))
