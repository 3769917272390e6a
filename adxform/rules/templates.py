"""Turn a rule's partial-derivative template into IR for one call site.

A template is parsed once (by the same lowering the user's code goes
through) and cached; ``instantiate`` then substitutes the call's arguments
for ``x`` / ``a`` / ``b`` and the call itself for ``y``, expands
``select(c, t, f)``, and respells numpy functions the math way when the
user called math.
"""

from __future__ import annotations

import copy
from functools import lru_cache

from .. import ir
from ..diagnostics import Reporter
from ..walk import map_expr

# numpy spelling -> math spelling, for the functions templates use
MATH_NAMES = {
    "numpy.cos": "math.cos", "numpy.sin": "math.sin", "numpy.cosh": "math.cosh", "numpy.sinh": "math.sinh",
    "numpy.sqrt": "math.sqrt", "numpy.exp": "math.exp", "numpy.log": "math.log",
}


@lru_cache(maxsize=None)
def parse_template(template: str) -> ir.Expr:
    from ..parse.lower import lower_module

    source = f"import numpy as np\ndef template(x, a, b, y):\n    return {template}\n"
    reporter = Reporter("<rule template>", source)
    module = lower_module(source, "<rule template>", reporter)
    assert module is not None and not reporter.diagnostics, f"bad rule template {template!r}"
    body = module.functions["template"].body[0]
    assert isinstance(body, ir.Return) and body.value is not None
    return body.value


def instantiate(template: str, args: list[ir.Expr], result: ir.Expr, *, on_arrays: bool, math_style: bool) -> ir.Expr:
    """The template with this call's arguments and result put in."""
    names = {"y": result}
    names.update(zip(("x",) if len(args) == 1 else ("a", "b"), args))
    return _fill(parse_template(template), names, on_arrays, math_style)


def _fill(node: ir.Expr, names: dict[str, ir.Expr], on_arrays: bool, math_style: bool) -> ir.Expr:
    def replace(expr: ir.Expr) -> ir.Expr | None:
        if isinstance(expr, ir.Name):
            return copy.deepcopy(names[expr.id])
        if isinstance(expr, ir.Call) and expr.func == "unknown.select":
            test, then, other = expr.args
            return ir.Call("numpy.where", [test, then, other]) if on_arrays else ir.IfExp(test, then, other)
        if isinstance(expr, ir.Call) and math_style:
            expr.func = MATH_NAMES.get(expr.func, expr.func)
        return None

    return map_expr(node, replace)
