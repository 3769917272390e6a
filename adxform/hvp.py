"""``adxform hvp``: Hessian-vector products, forward over reverse.

The reverse module of the source is generated (``--jit none``), read back
in, and differentiated in forward mode: ``f_value_and_grad_jvp(args, v)``
gives the gradient and its derivative along ``v``, the Hessian times
``v``, at a small multiple of a gradient's cost.  ``f_hvp`` and
``f_hessian`` (one column per product) wrap it.

Why through the text and not by handing the reverse IR to the forward
transform in-process: a generated module must be in the subset anyway (a
user feeds ``m_grad.py`` back in, a nested ``g_grad`` call is
differentiated), so both go through one path, the parser's reading of the
runtime helpers (``parse/lower.py``) and their tangents
(``forward/runtime.py``), and the tests of one cover the other; the
analyses see the derivative code exactly as a user would.  What that costs
is a second parse of the reverse module, a few milliseconds.

The ``# SRC:LINE`` comments of the output name lines of the source: each
line of the reverse module says which source line it comes from, and the
positions of the second stage are mapped back through those comments.
"""

from __future__ import annotations

import dataclasses
import re

from . import ir
from .naming import fresh_name
from .emit import render_hvp

_LINE_COMMENT = re.compile(r"  # .*:(\d+)$")


def source_lines(text: str) -> dict[int, int]:
    """Line of a generated module -> the source line its comment names."""
    out = {}
    for number, line in enumerate(text.splitlines(), 1):
        found = _LINE_COMMENT.search(line)
        if found:
            out[number] = int(found.group(1))
    return out


def map_positions(node, lines: dict[int, int], seen: set[int] | None = None) -> None:
    """Move every position in ``node`` (IR, in place) to the source line
    ``lines`` maps it to (none where it maps to none), each node once: the
    derivative functions hold statements of the primal's own."""
    seen = set() if seen is None else seen
    if isinstance(node, (list, tuple)):
        for item in node:
            map_positions(item, lines, seen)
    elif dataclasses.is_dataclass(node) and not isinstance(node, (ir.Pos, ir.Type)) and id(node) not in seen:
        seen.add(id(node))
        for field in dataclasses.fields(node):
            value = getattr(node, field.name)
            if isinstance(value, ir.Pos):
                line = lines.get(value.line, 0)
                setattr(node, field.name, ir.Pos(line, value.col if line else 0))
            else:
                map_positions(value, lines, seen)


def parameter_types(program) -> dict[str, list[ir.Type]]:
    """The types of the parameters of each primal and of the leading ones
    of its reverse functions (the primal's, then the cotangent of its
    value), as the reverse stage inferred them: the reverse module read
    back has no annotations, and a parameter that the source annotated but
    does not use would be ambiguous there."""
    out = {}
    for name, facts in program.facts.items():
        types = [facts.types.env[p.name] for p in facts.func.params]
        out[name] = types
        cotangent = [] if facts.is_procedure else [facts.types.returns]
        array_bars = [facts.types.env[p] for p in facts.wrt if facts.types.env[p].is_array]
        out[name + "_rev"] = types + cotangent + array_bars  # the signature reverse/wrappers.py calls
        out[name + "_vjp"] = types + (array_bars if facts.is_procedure else cotangent)
        for suffix in ("_grad", "_value_and_grad"):
            out[name + suffix] = types
    return out


def least_hints(program) -> dict[str, dict[str, int]]:
    """For each primal and its ``_rev``: the fewest dimensions the reverse
    stage saw each array of unknown ndim has, and its adjoint (``x_bar``)
    with it.  The reverse code read back may no longer show them (a row
    ``M[k]`` reduced in a branch it folds away), and would take ``M[k]``
    for an element there (``ir.Function.least_hints``)."""
    out = {}
    for name, facts in program.facts.items():
        unknown = {array: least for array, least in facts.types.least.items()
                   if facts.types.env.get(array, ir.NONE).is_array and not facts.types.env[array].ndim}
        out[name] = out[name + "_rev"] = {**unknown, **{f"{array}_bar": least for array, least in unknown.items()}}
    return out


def wrappers(program, roots: list[str], jit: str) -> list[str]:
    """The text of ``f_hvp`` and ``f_hessian`` for each root ``f`` that
    returns a float."""
    out = []
    for name in roots:
        facts = program.facts[name]
        if facts.types.returns.kind != "float":
            continue
        params = [p.name for p in facts.func.params]
        taken = set(params)

        def fresh(base: str) -> str:
            return fresh_name(base, taken)

        directions = [fresh(f"{p}_v") for p in facts.wrt]
        arrays = [facts.types.env[p].is_array for p in facts.wrt]
        parts = [{"direction": d, "array": a, "size": f"{p}.size" if a else "1"}
                 for p, d, a in zip(facts.wrt, directions, arrays)]
        out.append(render_hvp(
            jit=jit, name=name, params=params, directions=directions, wrt=facts.wrt, value=fresh("value"),
            grads=[fresh(f"{p}_bar") for p in facts.wrt], hvs=[fresh(f"{p}_hv") for p in facts.wrt],
            offsets=[fresh("offset") for _ in range(len(facts.wrt) + 1)], hessian=fresh("hessian"),
            column=fresh("column"), parts=parts,
            shaped=[f"{d}.reshape({p}.shape)" if a else d for p, d, a in zip(facts.wrt, directions, arrays)]))
    return out
