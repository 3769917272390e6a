"""Nested derivatives in the source: in a module that defines ``g``, a call
of ``g_grad``, ``g_value_and_grad``, ``g_vjp`` or ``g_jvp`` (which the
module does not define) means that derivative of ``g``.

adxform writes that derivative (the passes run again on the module, for
``g`` alone), reads it back (a generated module is in the subset) and adds
its functions to the module, so the caller is differentiated through it
like through any other function:

- in forward mode, by differentiating the derivative's code (forward over
  reverse for ``g_grad``, forward over forward for ``g_jvp``);
- in reverse mode over ``g_jvp``, by differentiating its code, which has no
  tape; over ``g_grad`` and ``g_value_and_grad``, through a custom rule
  written here: the adjoint of the gradient map is the Hessian times the
  cotangent (the Hessian is symmetric), which forward over reverse
  computes (``_nested_g_value_and_grad_jvp``) at a small multiple of a
  gradient's cost, so reverse mode never runs over the tapes of ``g_rev``.

The functions added keep the called name (``g_grad``); the others they
call get a ``_nested_`` prefix (``_nested_g_vjp``), so that they never
clash with what the caller's own derivative defines (its ``g_rev``) nor
stand as a custom rule of ``g``.  Nested calls are followed from the
functions asked for, so a derivative inside ``g`` is resolved when ``g``'s
is written, at any depth; ``g_grad`` inside ``g`` itself is recursion.
"""

from __future__ import annotations

from typing import Callable

from . import ir
from .diagnostics import Reporter
from .emit import render_nested_rule
from .walk import calls

# suffix -> the mode of the derivative it names; longest first (``_value_and_grad`` ends in ``_grad``)
SUFFIXES = {"_value_and_grad": "reverse", "_grad": "reverse", "_vjp": "reverse", "_jvp": "forward"}
PREFIX = "_nested_"


def nested_calls(module: ir.Module, roots: list[str]) -> dict[str, tuple[str, str]]:
    """Called name -> (g, suffix), for the derivatives of module functions
    that the functions reachable from ``roots`` call and the module does
    not define."""
    found: dict[str, tuple[str, str]] = {}
    seen: set[str] = set()
    stack = [r for r in roots if r in module.functions]
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        for call in calls(module.functions[name].body):
            kind, _, callee = call.func.partition(".")
            if kind == "module" and callee in module.functions:
                stack.append(callee)
            elif kind == "unknown":
                for suffix in SUFFIXES:
                    g = callee[:-len(suffix)]
                    if callee.endswith(suffix) and g in module.functions:
                        found[callee] = (g, suffix)
                        break
    return found


def resolve(module: ir.Module, roots: list[str], mode: str, reporter: Reporter,
            derive: Callable[[str, str], tuple[str, dict[str, list[ir.Type]]]],
            parse: Callable[[str, ir.Module | None], ir.Module], stack: tuple[str, ...]) -> None:
    """Add to ``module`` the nested derivatives its functions call (in place).
    ``derive(g, mode)`` is the text of g's derivative module in ``mode``
    ("reverse", "forward" or "hvp") and the types of its functions' leading
    parameters; ``parse(text, outer)`` reads such a text back
    (with the functions of ``outer`` known);
    ``stack`` holds the functions whose derivatives are being written."""
    found = nested_calls(module, roots)
    for called, (g, suffix) in sorted(found.items()):
        if g in stack:
            reporter.error(module.functions[g].pos, f"'{called}' is called inside '{g}' itself: a derivative of a "
                           "function cannot be part of it", "recursion")
            continue
        wanted = [SUFFIXES[suffix]]
        rule = mode == "reverse" and suffix in ("_grad", "_value_and_grad")
        if rule:
            wanted.append("hvp")  # the adjoint of the gradient map: forward over reverse
        added: dict[str, ir.Function] = {}
        types: dict[str, list[ir.Type]] = {}
        for text, known in (derive(g, m) for m in wanted):
            types = {**known, **types}
            for name, func in parse(text, None).functions.items():
                if name not in module.functions and name not in added:
                    added[name] = func
                    _annotate(func, types.get(name, []))
        if called not in added:
            reporter.error(module.functions[g].pos, f"'{called}' is not a derivative adxform writes for '{g}'",
                           "unknown-function", note="a function that returns a float has g_grad and "
                           "g_value_and_grad; every function has g_vjp and g_jvp")
            continue
        renamed = {name: name if name == called else PREFIX + name for name in added}
        for func in added.values():
            func.name = renamed[func.name]
            for call in calls(func.body):
                if call.func[7:] in renamed and call.func.startswith("module."):
                    call.func = "module." + renamed[call.func[7:]]
            module.functions[func.name] = func
            module.derived.add(func.name)
        if rule:
            text = render_nested_rule(called=called, suffix=suffix, jvp=f"{PREFIX}{g}_value_and_grad_jvp",
                                      params=[p.name for p in added[called].params], floats=_floats(added, g))
            floats = [t for t in types[g] if t.is_differentiable]
            gradient = floats[0] if len(floats) == 1 else ir.Type("tuple", items=tuple(floats))
            cotangent = ir.Type("tuple", items=(ir.FLOAT, gradient)) if suffix == "_value_and_grad" else gradient
            for name, func in parse(text, module).functions.items():  # its calls: of the module's functions
                _annotate(func, types[g] + [cotangent])
                module.functions[name] = func
                module.derived.add(name)
        for func in module.functions.values():
            for call in calls(func.body):
                if call.func == "unknown." + called:
                    call.func = "module." + called
    reporter.check()


def _annotate(func: ir.Function, types: list[ir.Type]) -> None:
    """Give the parameters of a function read back the types its first
    writing knew (a generated module carries no annotations)."""
    for param, vtype in zip(func.params, types):
        param.annotation = param.annotation or vtype


def _floats(added: dict[str, ir.Function], g: str) -> int:
    """How many differentiable parameters ``g`` has: its ``g_value_and_grad_jvp``
    takes one tangent for each, after g's own parameters."""
    jvp = added[f"{g}_value_and_grad_jvp"]
    own = added[f"{g}_value_and_grad"]
    return len(jvp.params) - len(own.params)
