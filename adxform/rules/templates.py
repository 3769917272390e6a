"""Turn a rule's partial-derivative template into IR for one call site.

A template is parsed once (by the same lowering the user's code goes
through) and cached; ``instantiate`` then substitutes the call's arguments
for ``x`` (one argument) or ``a``, ``b``, ``c``, ``d`` (more), the call
itself for ``y`` and, in reverse mode, the result's adjoint for ``g``;
expands ``select(c, t, f)``; turns ``_helper(...)`` into a call of the
runtime helper of that name (``emit/templates/runtime.py.j2``); and
respells numpy functions the math way when the user called math.

For a reduction along ``axis=k``, ``y`` and ``g`` (which lack axis k) are
expanded back to the argument's dimensions with ``np.expand_dims``, so
that they broadcast against it; ``n`` is the number of elements reduced
into one (the argument's size, or its length along k), and ``total(e)``
sums ``e`` over the reduced elements (keeping axis k).
"""

from __future__ import annotations

import copy
from functools import lru_cache

from .. import ir
from ..diagnostics import Reporter
from ..walk import map_expr, names_read

# numpy spelling -> math spelling, for the functions templates use
MATH_NAMES = {
    "numpy.cos": "math.cos", "numpy.sin": "math.sin", "numpy.cosh": "math.cosh", "numpy.sinh": "math.sinh",
    "numpy.sqrt": "math.sqrt", "numpy.exp": "math.exp", "numpy.log": "math.log",
}


@lru_cache(maxsize=None)
def parse_template(template: str) -> ir.Expr:
    from ..parse.lower import lower_module

    source = f"import numpy as np\ndef template(x, a, b, c, d, y, g, n):\n    return {template}\n"
    reporter = Reporter("<rule template>", source)
    module = lower_module(source, "<rule template>", reporter)
    assert module is not None and not reporter.diagnostics, f"bad rule template {template!r}"
    body = module.functions["template"].body[0]
    assert isinstance(body, ir.Return) and body.value is not None
    return body.value


def instantiate(template: str, args: list[ir.Expr], result: ir.Expr, *, on_arrays: bool, math_style: bool,
                seed: ir.Expr | None = None, axis: ir.Expr | None = None) -> ir.Expr:
    """The template with this call's arguments, result and seed put in."""
    names = {"y": expand(result, axis)}
    names.update(zip(("x",) if len(args) == 1 else ("a", "b", "c", "d"), args))
    if seed is not None:
        names["g"] = expand(seed, axis)
    if args:
        whole = ir.Attribute(copy.deepcopy(args[0]), "size")
        names["n"] = whole if axis is None else ir.Subscript(ir.Attribute(copy.deepcopy(args[0]), "shape"),
                                                              [copy.deepcopy(axis)])
    return _fill(parse_template(template), names, on_arrays, math_style, axis)


def reads_argument(template: str) -> bool:
    """Whether the template reads the argument or result elementwise (so
    that it has the argument's shape), not just its size ``n``."""
    return bool({"x", "y"} & set(names_read(parse_template(template))))


def expand(expr: ir.Expr, axis: ir.Expr | None) -> ir.Expr:
    """A reduction's result (or its adjoint) with the reduced axis put back
    as a length-1 axis, so that it broadcasts against the argument."""
    return expr if axis is None else ir.Call("numpy.expand_dims", [expr, copy.deepcopy(axis)])


def sum_over(expr: ir.Expr, axis: ir.Expr | None) -> ir.Call:
    """``np.sum(expr)``, along ``axis`` when there is one."""
    return ir.Call("numpy.sum", [expr], [("axis", copy.deepcopy(axis))] if axis is not None else [])


def axis_of(call: ir.Call) -> ir.Expr | None:
    return next((value for key, value in call.kwargs if key == "axis"), None)


def _fill(node: ir.Expr, names: dict[str, ir.Expr], on_arrays: bool, math_style: bool,
          axis: ir.Expr | None) -> ir.Expr:
    def replace(expr: ir.Expr) -> ir.Expr | None:
        if isinstance(expr, ir.Name):
            return copy.deepcopy(names[expr.id])
        if isinstance(expr, ir.Call) and expr.func == "unknown.select":
            test, then, other = expr.args
            return ir.Call("numpy.where", [test, then, other]) if on_arrays else ir.IfExp(test, then, other)
        if isinstance(expr, ir.Call) and expr.func == "unknown.total":
            return expand(sum_over(expr.args[0], axis), axis)
        if isinstance(expr, ir.Call) and expr.func.startswith("unknown._"):
            expr.func = "module." + expr.func[len("unknown."):]
        if isinstance(expr, ir.Call) and math_style:
            expr.func = MATH_NAMES.get(expr.func, expr.func)
        return None

    return map_expr(node, replace)
