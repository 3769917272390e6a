"""Types of the whole module: call sites type the parameters of the callees.

numba types a function when it is called, once per distinct signature of
its arguments.  adxform does the same ahead of time: functions are typed
callees first (a caller needs its callees' return types), then the types
each call site passes become the types of the callee's unannotated
parameters, and the module is typed again, until nothing changes.  A
helper called with a scalar at one site and an array at another is
specialised: each group of call sites calls its own copy, named after the
kinds it takes (``sq__f``, ``sq__a1``, see ``specialised_name``).  The
public functions keep their names.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from .. import ir
from ..diagnostics import Reporter
from ..walk import calls
from .types import FunctionTypes, Signature, infer_types, kind_name, unify

MAX_ROUNDS = 8  # module typings; each round's call sites may type callees further
KIND_LETTERS = {"float": "f", "int": "i", "bool": "b"}


@dataclass
class CallSite:
    caller: str
    call: ir.Call
    passed: tuple[ir.Type | None, ...]  # per unannotated parameter of the callee (None: not known there)


def type_module(module: ir.Module, order: list[str], keep: set[str], constants: dict[str, ir.Type],
                reporter: Reporter) -> tuple[dict[str, FunctionTypes], list[str]]:
    """The types of every function of ``order`` (callees first), and the
    order again, with the specialised copies in place of what they
    specialise.  Rounds before the last report into a scratch reporter: a
    parameter undecided then may be decided by a later round's call sites."""
    call_sites: dict[str, dict[str, ir.Type]] = {}
    for _ in range(MAX_ROUNDS):
        typed = _type_functions(module, order, constants, Reporter(module.filename, module.source), call_sites)
        sites = _call_sites(module, order, typed)
        split = {callee: groups for callee, groups in ((c, _groups(s)) for c, s in sites.items()) if len(groups) > 1}
        if split:
            order = _specialise(module, order, keep, split)
            call_sites = {}
            continue
        found = {callee: _parameter_types(module.functions[callee], groups[0]) for callee, groups in
                 ((c, _groups(s)) for c, s in sites.items())}
        if found == call_sites:
            break
        call_sites = found
    typed = _type_functions(module, order, constants, reporter, call_sites)
    _check_settled(module, order, typed, reporter)
    return typed, order


def _check_settled(module: ir.Module, order: list[str], typed: dict[str, FunctionTypes], reporter: Reporter) -> None:
    """Where the rounds ran out before the types settled, a call may pass
    an array for a parameter its callee was typed a scalar for, or the
    other way round (``_sq(x)`` where ``_sq(a)`` makes a scalar of a scalar
    and an array of an array, and the caller's ``x`` is decided only by
    what ``_sq`` returns): a diagnostic at the call, never a derivative
    written for the other kind."""
    for callee, sites in _call_sites(module, order, typed).items():
        params = module.functions[callee].params
        # those the callee's body does not decide (where it does, a call that disagrees is a type-change already)
        unannotated = [(p.name, own is None) for p, own in zip(params, typed[callee].own) if p.annotation is None]
        for site in sites:
            for (name, open_kind), passed in zip(unannotated, site.passed):
                used = typed[callee].env.get(name)
                if open_kind and passed is not None and used is not None and passed.is_array != used.is_array:
                    reporter.error(site.call.pos, f"cannot tell whether this call passes '{callee}' a scalar or an "
                                   f"array for its parameter '{name}': typing it as {kind_name(used)} makes the "
                                   f"argument {kind_name(passed)}, and the other way round", "ambiguous-type",
                                   note=f"annotate the parameters of '{site.caller}' (`x: np.ndarray` or "
                                   "`x: float`), or declare their types to numba")


def _type_functions(module: ir.Module, order: list[str], constants: dict[str, ir.Type], reporter: Reporter,
                    call_sites: dict[str, dict[str, ir.Type]]) -> dict[str, FunctionTypes]:
    signatures: dict[str, Signature] = {}
    typed: dict[str, FunctionTypes] = {}
    for name in order:
        func = module.functions[name]
        types = infer_types(func, constants, signatures, reporter, call_sites.get(name))
        signatures[name] = Signature([types.env[p.name] for p in func.params], types.returns, types.own)
        typed[name] = types
    return typed


def _call_sites(module: ir.Module, order: list[str], typed: dict[str, FunctionTypes]) -> dict[str, list[CallSite]]:
    """callee -> its call sites, with what each passes for the callee's unannotated parameters."""
    sites: dict[str, list[CallSite]] = {}
    for caller in order:
        for call in calls(module.functions[caller].body):
            callee = module.functions.get(call.func[7:]) if call.func.startswith("module.") else None
            if callee is None or callee.name not in typed:
                continue
            passed = tuple(_known(typed[caller].of(arg)) for param, arg in zip(callee.params, call.args)
                           if param.annotation is None)
            sites.setdefault(callee.name, []).append(CallSite(caller, call, passed))
    return sites


def _known(ptype: ir.Type) -> ir.Type | None:
    return None if ptype.kind == "unknown" else ptype


def _groups(sites: list[CallSite]) -> list[list[CallSite]]:
    """The call sites that can share one copy of the callee: those that pass
    the same kind (scalar, array, tuple) for each parameter, where known."""
    groups: list[list[CallSite]] = []
    for site in sites:
        for group in groups:
            if all(_compatible(a, b) for other in group for a, b in zip(site.passed, other.passed)):
                group.append(site)
                break
        else:
            groups.append([site])
    return groups


def _compatible(a: ir.Type | None, b: ir.Type | None) -> bool:
    return a is None or b is None or _join_pair(a, b) is not None


def _join_pair(a: ir.Type, b: ir.Type) -> ir.Type | None:
    """One type for both arguments: scalars unify as numba does; arrays of
    different dimensions make an array of unknown dimensions, which the
    derivative code handles for any."""
    if a.is_array and b.is_array and a.ndim != b.ndim:
        joined = unify(ir.Type("array", dtype=a.dtype), ir.Type("array", dtype=b.dtype))
        return None if joined is None else ir.Type("array", dtype=joined.dtype)
    return unify(a, b)


def _parameter_types(func: ir.Function, group: list[CallSite]) -> dict[str, ir.Type]:
    """The types one group of call sites gives ``func``'s unannotated parameters."""
    unannotated = [p.name for p in func.params if p.annotation is None]
    found: dict[str, ir.Type] = {}
    for position, name in enumerate(unannotated):
        joined: ir.Type | None = None
        for site in group:
            passed = site.passed[position] if position < len(site.passed) else None
            if passed is not None:
                joined = passed if joined is None else _join_pair(joined, passed)
        if joined is not None:
            found[name] = joined
    return found


def _specialise(module: ir.Module, order: list[str], keep: set[str],
                split: dict[str, list[list[CallSite]]]) -> list[str]:
    """Gives each group of call sites of a callee its own copy and points
    the calls at it; the order lists the copies where the callee was (a
    function of ``keep`` stays too, under its own name)."""
    new_order: list[str] = []
    functions = dict(module.functions)
    for name in order:
        if name not in split:
            new_order.append(name)
            continue
        if name in keep:
            new_order.append(name)
        for group in split[name]:
            copy_name = specialised_name(module.functions[name], _parameter_types(module.functions[name], group))
            if copy_name not in functions:
                clone = copy.deepcopy(module.functions[name])
                clone.name = copy_name
                functions[copy_name] = clone
                new_order.append(copy_name)
            for site in group:
                site.call.func = "module." + copy_name
    module.functions.clear()
    for name, func in functions.items():  # each copy right after the function it copies, as emitted
        if name not in module.functions:
            module.functions[name] = func
            for copy_name in sorted(n for n in functions if n.startswith(name + "__")):
                module.functions[copy_name] = functions[copy_name]
    return new_order


def specialised_name(func: ir.Function, types: dict[str, ir.Type]) -> str:
    """``sq__a1`` for ``sq`` called with a 1-d array, ``g__f_a`` for a float
    and an array of unknown dimensions: a letter per unannotated parameter
    (f, i, b, a<ndim>, t for a tuple, x where the call sites do not tell)."""
    letters = []
    for param in func.params:
        if param.annotation is not None:
            continue
        ptype = types.get(param.name)
        if ptype is None:
            letters.append("x")
        elif ptype.is_array:
            letters.append(f"a{ptype.ndim or ''}")
        else:
            letters.append(KIND_LETTERS.get(ptype.kind, "t"))
    return f"{func.name}__{'_'.join(letters)}"
