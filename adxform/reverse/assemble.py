"""The ``_rev`` function, assembled from the two sweeps, and the stages
that run on it once the sweeps are built.

    sweeps -> slicing -> fusion -> merge

*slicing* cuts the forward sweep down to what the reverse sweep reads
(slicing.py), keeping the function's value there when that adds less than
half the primal's work; where it does not, *fusion* accumulates the value
in the reverse sweep instead, where that is cheap (fusion.py); *merge*
joins adjacent increments of one adjoint (merge.py).  ``watch`` sees the
function after each stage (``--dump-after reverse.slicing``...).
"""

from __future__ import annotations

import copy
from typing import Callable

from .. import ir
from ..analysis.cost import work
from ..analysis.dataflow import view_base
from ..analysis.liveness import live_in
from ..analysis.runtime import RUNTIME_WRITES
from ..checks import entry_checks
from ..walk import flat_targets
from .accumulate import accumulate_in_loops
from .builder import ReverseBuilder, Sweeps
from .fusion import fuse_value
from .loops import indexed_puts
from .deadloads import drop_dead_loads
from .merge import hold_increments, merge_increments
from .reads import restored
from .slicing import slice_forward

SWEEPS, SLICING, FUSION, MERGE = "reverse.sweeps", "reverse.slicing", "reverse.fusion", "reverse.merge"

Watch = Callable[[str, ir.Function], None]


def seed(builder: ReverseBuilder) -> list[ir.Stmt]:
    """The adjoint of the returned value, seeded with ``y_bar``."""
    if builder.output is None:
        return []
    if builder.output_lowered and isinstance(builder.output, ir.Name) and builder.type(builder.output).kind == "tuple":
        builder.refuse(builder.output.pos, "returning tuples from more than one return statement, not all of "
                       "them written as a tuple (`return a, b`)")
        return []
    return builder.adjoints.increments(builder.output, ir.Name(builder.y_bar))


def slice_sweep(builder: ReverseBuilder, fwd: list[ir.Stmt], after: list[ir.Stmt]) -> list[ir.Stmt]:
    """The forward sweep, cut down to what ``after`` reads (slicing.py);
    with the function's value too when that adds less than half the
    primal's work, else the public wrapper runs the primal for it, or
    ``fuse`` computes it in the reverse sweep (``builder.returns_value``
    says whether ``_rev`` returns it)."""
    reads = live_in(after)
    writes = {**RUNTIME_WRITES, **{name: facts.writes for name, facts in builder.program.facts.items()}}
    plain, builder.entry_reads = slice_forward(fwd, reads, writes)
    builder.returns_value = False
    if builder.output is None:
        return plain
    value = builder.output  # computed before the reverse sweep restores anything
    if builder.type(value).is_array and view_base(value, builder.facts.types) in builder.needed | restored(after):
        # it shares memory with an array the reverse sweep restores; a value made afresh needs no copy
        # (nor can take one where it may be a number: `np.dot(v, v)` of a v of unknown ndim)
        value = ir.Call("method.copy", [value])
    store = ir.Assign(ir.Name(builder.value_name), value, builder.output.pos)
    valued, entry = slice_forward(fwd + [store], reads | {builder.value_name}, writes)
    if work(valued) - work(plain) < 0.5 * work(builder.facts.func.body):
        builder.returns_value, builder.entry_reads = True, entry
        return valued
    return plain


def fuse(builder: ReverseBuilder, fwd: list[ir.Stmt], rev: list[ir.Stmt]) -> Sweeps:
    """The function's value accumulated in the reverse sweep (fusion.py),
    where the sliced forward sweep does not compute it and that is cheap."""
    if builder.output is None or builder.returns_value:
        return Sweeps(fwd, rev)
    env = builder.facts.types.env
    scalar_bars = {builder.bar(n) for n in env if n in builder.facts.active and env[n].kind == "float"}
    fusion = fuse_value(builder.body, builder.output, builder.walks, builder.again, builder.needed, scalar_bars)
    if fusion is None:
        return Sweeps(fwd, rev)
    fusion.apply()
    builder.returns_value = True
    builder.entry_reads |= fusion.reads
    value = ir.Assign(ir.Name(builder.value_name), copy.deepcopy(builder.output), builder.output.pos)
    return Sweeps(fwd + [copy.deepcopy(s) for s in fusion.inits], rev + [value])


def assemble(builder: ReverseBuilder, sweeps: Sweeps, seeded: list[ir.Stmt], watch: Watch) -> ir.Function:
    """``f_rev``: its parameters and prologue (entry checks, tapes, zeroed
    adjoints), then the sweeps through the stages after them."""
    func, facts = builder.facts.func, builder.facts
    env = facts.types.env
    params = [ir.Param(p.name, None, p.pos) for p in func.params]
    if builder.output is not None:
        params.append(ir.Param(builder.y_bar, None))
    wrt_arrays = [p for p in facts.wrt if env[p].is_array]
    wrt_scalars = [p for p in facts.wrt if not env[p].is_array]
    params += [ir.Param(builder.bar(p), None) for p in wrt_arrays]
    params += [ir.Param(arg.id, None) for arg in builder.counts_argument()]

    prologue = entry_checks(facts, builder.reporter.filename) + builder.tape.setup()
    prologue += [s for name in sorted(builder.fresh_stacks) for s in builder.fresh_stacks[name].setup()]
    prologue += [s for name in sorted(builder.kept) for s in builder.kept[name].setup()]
    top_level = {t.id: builder.order[id(s)] for s in reversed(builder.body) if isinstance(s, ir.Assign)
                 for t in flat_targets(s.target) if isinstance(t, ir.Name)}  # -> its first binding on every path
    for name, site in sorted(builder.pushed_names.items()):
        if name not in {p.name for p in func.params} and top_level.get(name, site) >= site:
            prologue.append(ir.Assign(ir.Name(name), _typed_zero(env[name])))  # may be pushed before its first value
    for p in func.params:
        if builder.active(p.name) and env[p.name].is_array and p.name not in facts.wrt:
            prologue.append(ir.Assign(ir.Name(builder.bar(p.name)), builder.target.zeros_like(ir.Name(p.name))))
    bars = [ir.Assign(ir.Name(builder.bar(name)), ir.Const(0.0))
            for name in sorted(facts.active | set(wrt_scalars))
            if not env[name].is_array and env[name].kind != "tuple"]
    tuples = [p for p in wrt_scalars if env[p].kind == "tuple"]
    bars += [ir.Assign(ir.Name(builder.adjoints.item_bar(p, k)), ir.Const(0.0))
             for p in tuples for k in range(len(env[p].items))]
    rev = sweeps.rev + [ir.Assign(ir.Name(builder.bar(p)), ir.Tuple([ir.Name(builder.adjoints.item_bar(p, k))
                                                                     for k in range(len(env[p].items))]))
                        for p in tuples]

    def rev_function(fwd: list[ir.Stmt], after: list[ir.Stmt]) -> ir.Function:
        values = [ir.Name(builder.value_name)] if builder.returns_value else []
        returned = ir.Return(ir.Tuple(values + [ir.Name(builder.bar(p)) for p in wrt_scalars]))
        return ir.Function(facts.rev_name, params, prologue + fwd + after + [returned], func.pos,
                           target=func.target)

    after = bars + seeded + rev
    watch(SWEEPS, rev_function(sweeps.fwd, after))
    fwd = slice_sweep(builder, sweeps.fwd, after + [ir.Return(ir.Tuple([ir.Name(builder.bar(p))
                                                                        for p in wrt_scalars]))])
    watch(SLICING, rev_function(fwd, after))
    fwd, rev = fuse(builder, fwd, rev)
    watch(FUSION, rev_function(fwd, bars + seeded + rev))
    merged = merge_increments(bars + seeded + rev)
    hold_increments(merged, set(env), builder.bar.fresh)
    accumulate_in_loops(merged, fwd + merged, set(env), builder.bar.fresh)
    indexed_puts(fwd, builder.tape.names)
    function = rev_function(fwd, merged)
    params = {p.name for p in func.params}
    drop_dead_loads(function.body, {n for n, t in env.items() if t.is_array and n not in params | builder.aliased})
    returned = ([f"{func.name}'s value"] if builder.returns_value else []) + [builder.bar(p) for p in wrt_scalars]
    function.docstring = (f"Adjoint of {func.name}: array adjoints ({', '.join(builder.bar(p) for p in wrt_arrays)}) "
                          f"are in/out; returns ({', '.join(returned)}). Leaves out {func.name}'s side effects on "
                          "its arguments: the public wrappers run the primal for those.")
    watch(MERGE, function)
    return function


def _typed_zero(vtype: ir.Type) -> ir.Expr:
    return ir.Const({"float": 0.0, "int": 0, "bool": False}.get(vtype.kind, 0.0))
