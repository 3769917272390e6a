"""Every function adxform knows, one line each.

Templates name the arguments ``x`` (one argument) or ``a``, ``b``, ``c``
(more), the call's result ``y`` and, in transposes, the result's adjoint
``g``; they are written with numpy names (``np.cos``) and ``select(c, t,
f)``, which becomes a conditional expression on scalars and ``np.where`` on
arrays.  Where the user called ``math``, the math spelling is emitted
instead (see ``templates.MATH_NAMES``).  ``_name(...)`` calls a runtime
helper of the generated module (``emit/templates/runtime.py.j2``).

Two conventions a user may meet:

* ``np.max``/``np.min`` split the derivative equally among the elements
  that tie for the extreme (as JAX does), so at a tie forward and reverse
  mode still agree exactly;
* ``np.prod`` divides the product by each element, so an argument holding
  a zero gives a nan derivative, and ``np.linalg.norm`` of a zero vector
  does too (``sqrt`` at 0 has no derivative).
"""

from __future__ import annotations

from .. import ir
from .registry import (
    Rule,
    RuleTable,
    array_copy_type,
    constructor_type,
    elementwise_type,
    fixed,
    matmul_type,
    numeric_type,
    of_scalars,
    outer_type,
    reduction_type,
    reshape_type,
    same_type,
)

TABLE = RuleTable()


# builtins that compare their arguments, so take numbers only (abs and pow take arrays too)
SCALAR_BUILTINS = ("builtins.min", "builtins.max")


def elementwise(names: str, *partials: str, result=elementwise_type, note: str = "") -> None:
    """A differentiable elementwise function; ``names`` lists its spellings
    as "numpy.arctan2 math.atan2"."""
    for name in names.split():
        typed = of_scalars(result) if name.startswith("math.") or name in SCALAR_BUILTINS else result
        TABLE.add(Rule(name, "elementwise", typed, partials=partials, nargs=(len(partials), len(partials)),
                       keywords=(), note=note))


def linear(names: str, transposes: dict[int, str], nargs=(1, 1), result=same_type, keywords=(), note: str = "") -> None:
    """The derivative is the same call with the tangent in the arguments
    ``transposes`` names; each such argument's adjoint receives its template."""
    for name in names.split():
        TABLE.add(Rule(name, "linear", result, linear_args=tuple(transposes), transposes=tuple(transposes.values()),
                       nargs=nargs, keywords=keywords, note=note))


def reduction(names: str, partial: str, axis_reducer: str = "", keywords=("axis",), note: str = "") -> None:
    """A reduction over all elements, or along ``axis=k``; ``partial`` is the
    derivative of the result with respect to one element of ``x``.  Numba
    compiles these with ``axis=`` only for ``np.sum``; for the others the
    generated module calls the runtime helper ``_reduce_axis(x, k,
    axis_reducer)`` instead (``spelling.py``)."""
    for name in names.split():
        TABLE.add(Rule(name, "reduction", reduction_type, partials=(partial,), keywords=keywords,
                       axis_reducer=axis_reducer, note=note))


def bilinear(names: str, transpose_a: str, transpose_b: str, result, note: str = "") -> None:
    """Linear in each of its two arguments: d f(a, b) = f(da, b) + f(a, db)."""
    for name in names.split():
        TABLE.add(Rule(name, "bilinear", result, transposes=(transpose_a, transpose_b), nargs=(2, 2), keywords=(),
                       note=note))


def constant(names: str, result, nargs=(1, 1), note: str = "") -> None:
    """No derivative flows through: the result is piecewise constant, an
    integer, or a fresh array that does not depend on float inputs."""
    for name in names.split():
        TABLE.add(Rule(name, "constant", result, nargs=nargs, note=note))


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
elementwise("numpy.abs numpy.absolute numpy.fabs math.fabs builtins.abs", "np.sign(x)", result=same_type,
            note="the derivative at 0 is 0")
elementwise("math.erf", "1.1283791670955126 * np.exp(-(x * x))")
elementwise("math.erfc", "-1.1283791670955126 * np.exp(-(x * x))")

# -- two arguments ----------------------------------------------------------------
elementwise(both("arctan2", "atan2"), "b / (a * a + b * b)", "-a / (a * a + b * b)")
elementwise(both("hypot"), "a / y", "b / y")
elementwise("numpy.power math.pow", "b * a ** (b - 1.0)", "y * np.log(a)")
elementwise("numpy.maximum numpy.fmax builtins.max", "select(a >= b, 1.0, 0.0)", "select(a >= b, 0.0, 1.0)",
            result=numeric_type, note="at a tie (a == b) the derivative goes to the first argument")
elementwise("numpy.minimum numpy.fmin builtins.min", "select(a <= b, 1.0, 0.0)", "select(a <= b, 0.0, 1.0)",
            result=numeric_type, note="at a tie (a == b) the derivative goes to the first argument")
elementwise("numpy.copysign math.copysign", "select(a * b >= 0.0, 1.0, -1.0)", "0.0")

# -- three arguments --------------------------------------------------------------
elementwise("numpy.where", "0.0", "select(a, 1.0, 0.0)", "select(a, 0.0, 1.0)")
elementwise("numpy.clip", "select(a < b, 0.0, select(a > c, 0.0, 1.0))", "select(a < b, 1.0, 0.0)",
            "select(a > c, 1.0, 0.0)", note="beyond a bound the derivative goes to that bound; at a bound, to x")

# -- linear ------------------------------------------------------------------------
linear("builtins.float numpy.float64", {0: "g"},
       result=lambda types, kw: ir.FLOAT if not types[0].is_array else types[0])
linear("numpy.copy method.copy", {0: "g"})
linear("numpy.array", {0: "g"}, result=array_copy_type)  # of an array only: a copy (``rules/spelling.py``)
linear("numpy.full", {1: "np.sum(g)"}, nargs=(2, 2), result=lambda types, kw: constructor_type(types[:1], kw),
       keywords=("dtype",))
linear("numpy.transpose method.transpose", {0: "g.T"})
linear("numpy.ravel method.ravel", {0: "np.ascontiguousarray(g).reshape(x.shape)"}, result=reshape_type)
linear("numpy.reshape method.reshape", {0: "np.ascontiguousarray(g).reshape(a.shape)"}, nargs=(2, 4),
       result=reshape_type)
linear("numpy.expand_dims", {0: "np.ascontiguousarray(g).reshape(a.shape)"}, nargs=(2, 2),
       result=lambda types, kw: ir.Type("array", dtype=types[0].dtype if types[0].is_array else "float64",
                                        ndim=types[0].ndim + 1 if types[0].is_array and types[0].ndim else 0))
# (reverse mode writes np.broadcast_to(y_bar, np.broadcast_shapes(...)): its output comes back in under adxform hvp)
linear("numpy.broadcast_to", {0: "_unbroadcast(g, np.shape(a))"}, nargs=(2, 2), result=lambda types, kw: ir.Type(
    "array", dtype=types[0].dtype if types[0].is_array else "float64",
    ndim=len(types[1].items) if types[1].kind == "tuple" else 0))

# -- reductions ----------------------------------------------------------------------
reduction("numpy.sum method.sum", "1.0")
reduction("numpy.mean method.mean", "1.0 / n", axis_reducer="mean")
reduction("numpy.prod method.prod", "y / x", axis_reducer="prod",
          note="divides the product by each element: the derivative with respect to an element that is 0 is nan")
reduction("numpy.max numpy.amax method.max", "select(x == y, 1.0, 0.0) / total(select(x == y, 1.0, 0.0))",
          axis_reducer="max", note="elements that tie for the maximum share its derivative equally (as in JAX)")
reduction("numpy.min numpy.amin method.min", "select(x == y, 1.0, 0.0) / total(select(x == y, 1.0, 0.0))",
          axis_reducer="min", note="elements that tie for the minimum share its derivative equally (as in JAX)")
reduction("numpy.linalg.norm", "x / y", keywords=(),
          note="the 2-norm (Frobenius for a matrix), no ord or axis; a zero argument gives a nan derivative")

# -- bilinear ------------------------------------------------------------------------
bilinear("numpy.dot numpy.matmul method.dot", "_matmul_bar_a(g, a, b, None)", "_matmul_bar_b(g, a, b, None)",
         result=matmul_type)
# (``None``: a new array; an adjoint that goes straight into an array passes that array, see reverse/adjoint.py)
# (sums, not ``g @ b``: numba multiplies matrices of one type only, and ``g`` may be wider than float32 ``b``)
bilinear("numpy.outer", "np.sum(g * b, axis=1)", "np.sum(g.T * a, axis=1)", result=outer_type)

# -- constant: integers, predicates, piecewise constants, fresh arrays ----------------
constant(both("floor") + " " + both("ceil") + " " + both("trunc") + " numpy.rint builtins.round numpy.sign",
         result=lambda types, kw: types[0] if types[0].is_array else ir.FLOAT)
constant("builtins.int", result=fixed(ir.INT))
constant("builtins.bool", result=fixed(ir.BOOL))
constant("builtins.len", result=fixed(ir.INT))
constant("numpy.shape", result=lambda types, kw: ir.Type(  # the shape of a number, too: ()
    "tuple", items=(ir.INT,) * (max(types[0].ndim, 1) if types[0].is_array else 0)))
constant(both("isnan") + " " + both("isinf") + " " + both("isfinite"),
         result=lambda types, kw: ir.Type("array", dtype="bool", ndim=types[0].ndim) if types[0].is_array else ir.BOOL)
constant("numpy.zeros numpy.ones numpy.empty numpy.zeros_like numpy.ones_like numpy.empty_like",
         result=constructor_type)
constant("numpy.arange", result=lambda types, kw: ir.Type(
    "array", dtype="float64" if any(t.kind == "float" for t in types) else "int64", ndim=1), nargs=(1, 3))
constant("numpy.linspace", result=lambda types, kw: ir.float_array(1), nargs=(3, 3))
constant("numpy.broadcast_shapes", result=lambda types, kw: ir.Type(
    "tuple", items=(ir.INT,) * max((len(t.items) for t in types if t.kind == "tuple"), default=1)), nargs=(1, 4))
