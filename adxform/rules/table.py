"""Every function adxform knows, one line each.

Templates name the arguments ``x`` (one argument) or ``a``, ``b`` (two) and
the call's result ``y``; they are written with numpy names (``np.cos``) and
``select(c, t, f)``, which becomes a conditional expression on scalars and
``np.where`` on arrays.  Where the user called ``math``, the math spelling
is emitted instead (see ``templates.MATH_NAMES``).
"""

from __future__ import annotations

from .. import ir
from .registry import (
    Rule,
    RuleTable,
    constructor_type,
    elementwise_type,
    fixed,
    numeric_type,
    same_type,
)

TABLE = RuleTable()


def elementwise(names: str, *partials: str, result=elementwise_type) -> None:
    """A differentiable elementwise function; ``names`` lists its spellings
    as "numpy.arctan2 math.atan2"."""
    for name in names.split():
        TABLE.add(Rule(name, "elementwise", result, partials=partials, nargs=(len(partials), len(partials))))


def linear(names: str, *linear_args: int, nargs=(1, 1), result=same_type) -> None:
    """The derivative is the same call with the tangent in ``linear_args``."""
    for name in names.split():
        TABLE.add(Rule(name, "linear", result, linear_args=linear_args, nargs=nargs))


def constant(names: str, result, nargs=(1, 1)) -> None:
    """No derivative flows through: the result is piecewise constant, an
    integer, or a fresh array that does not depend on float inputs."""
    for name in names.split():
        TABLE.add(Rule(name, "constant", result, nargs=nargs))


def both(fn: str, math_name: str | None = None) -> str:
    """The numpy and the math spellings of one function."""
    return f"numpy.{fn} math.{math_name or fn}"


# -- one argument ----------------------------------------------------------------
elementwise(both("sin"), "np.cos(x)")
elementwise(both("cos"), "-np.sin(x)")
elementwise(both("tan"), "1.0 + y * y")
elementwise(both("arcsin", "asin"), "1.0 / np.sqrt(1.0 - x * x)")
elementwise(both("arccos", "acos"), "-1.0 / np.sqrt(1.0 - x * x)")
elementwise(both("arctan", "atan"), "1.0 / (1.0 + x * x)")
elementwise(both("sinh"), "np.cosh(x)")
elementwise(both("cosh"), "np.sinh(x)")
elementwise(both("tanh"), "1.0 - y * y")
elementwise(both("arcsinh", "asinh"), "1.0 / np.sqrt(x * x + 1.0)")
elementwise(both("arccosh", "acosh"), "1.0 / np.sqrt(x * x - 1.0)")
elementwise(both("arctanh", "atanh"), "1.0 / (1.0 - x * x)")
elementwise(both("exp"), "y")
elementwise(both("expm1"), "y + 1.0")
elementwise(both("exp2"), "y * 0.6931471805599453")
elementwise(both("log"), "1.0 / x")
elementwise(both("log2"), "1.4426950408889634 / x")
elementwise(both("log10"), "0.4342944819032518 / x")
elementwise(both("log1p"), "1.0 / (1.0 + x)")
elementwise(both("sqrt"), "0.5 / y")
elementwise("numpy.cbrt", "1.0 / (3.0 * y * y)")
elementwise("numpy.square", "2.0 * x")
elementwise("numpy.reciprocal", "-(y * y)")
elementwise("numpy.negative", "-1.0")
elementwise("numpy.abs numpy.absolute numpy.fabs math.fabs builtins.abs", "np.sign(x)", result=same_type)
elementwise("math.erf", "1.1283791670955126 * np.exp(-(x * x))")
elementwise("math.erfc", "-1.1283791670955126 * np.exp(-(x * x))")

# -- two arguments ----------------------------------------------------------------
elementwise(both("arctan2", "atan2"), "b / (a * a + b * b)", "-a / (a * a + b * b)")
elementwise(both("hypot"), "a / y", "b / y")
elementwise("numpy.power math.pow", "b * a ** (b - 1.0)", "y * np.log(a)")
elementwise("numpy.maximum numpy.fmax builtins.max", "select(a >= b, 1.0, 0.0)", "select(a >= b, 0.0, 1.0)",
            result=numeric_type)
elementwise("numpy.minimum numpy.fmin builtins.min", "select(a <= b, 1.0, 0.0)", "select(a <= b, 0.0, 1.0)",
            result=numeric_type)
elementwise("numpy.copysign math.copysign", "select(a * b >= 0.0, 1.0, -1.0)", "0.0")

# -- linear ------------------------------------------------------------------------
linear("builtins.float numpy.float64", 0, result=lambda types, kw: ir.FLOAT if not types[0].is_array else types[0])
linear("numpy.copy method.copy", 0)
linear("numpy.full", 1, nargs=(2, 2), result=lambda types, kw: constructor_type(types[:1], kw))

# -- constant: integers, predicates, piecewise constants, fresh arrays ----------------
constant(both("floor") + " " + both("ceil") + " " + both("trunc") + " numpy.rint builtins.round numpy.sign",
         result=lambda types, kw: types[0] if types[0].is_array else ir.FLOAT)
constant("builtins.int", result=fixed(ir.INT))
constant("builtins.bool", result=fixed(ir.BOOL))
constant("builtins.len", result=fixed(ir.INT))
constant(both("isnan") + " " + both("isinf") + " " + both("isfinite"),
         result=lambda types, kw: ir.Type("array", dtype="bool", ndim=types[0].ndim) if types[0].is_array else ir.BOOL)
constant("numpy.zeros numpy.ones numpy.empty numpy.zeros_like numpy.ones_like numpy.empty_like",
         result=constructor_type)
constant("numpy.arange", result=lambda types, kw: ir.Type(
    "array", dtype="float64" if any(t.kind == "float" for t in types) else "int64", ndim=1), nargs=(1, 3))
constant("numpy.linspace", result=lambda types, kw: ir.float_array(1), nargs=(3, 3))
