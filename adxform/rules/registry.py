"""The derivative-rule table: one entry per qualified function name.

Both modes read the same entry.  Most rules are *elementwise*: a list of
partial derivatives, one per positional argument, each a tiny expression
template in terms of the arguments (``x`` for one argument, ``a`` and ``b``
for two) and the call's own result ``y``::

    elementwise("exp", "y")                     # d exp(x) = exp(x) dx
    elementwise("arctan2", "b / (a * a + b * b)", "-a / (a * a + b * b)")

Forward mode forms ``sum(partial_i * arg_i_dot)``; reverse mode adds
``partial_i * y_bar`` to ``arg_i_bar``.  The other shapes are *linear*
(the derivative is the same call on the tangent: ``np.copy``, ``float``),
*constant* (the result does not depend on the inputs differentiably:
constructors, ``floor``, ``len``), and *module* calls, which call the
callee's own generated derivative.  A linear rule also names, per linear
argument, its *transpose*: what the argument's adjoint receives from the
result's adjoint ``g`` (``np.sum(g)`` for the fill value of ``np.full``).

*Reductions* (``np.sum``, ``np.max``, ``np.linalg.norm`` …, optionally
along ``axis=k``) have one partial derivative with respect to each element
of the argument; forward mode sums ``partial * x_dot`` over the reduced
axes, reverse mode gives each element ``g * partial``.  *Bilinear* rules
(``np.dot``, ``@``, ``np.outer``) differentiate as ``f(a_dot, b) + f(a,
b_dot)`` forward and name the two transposes for reverse mode.

Each rule also knows the type of its result, which type inference reads, so
the table is the only place that knows about a library function.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from .. import ir

# (argument types, keyword-argument types) -> result type
TypeRule = Callable[[list[ir.Type], dict[str, ir.Type]], ir.Type]


@dataclass(frozen=True)
class Rule:
    name: str  # qualified: "numpy.exp"
    kind: str  # "elementwise", "linear", "reduction", "bilinear", "constant"
    result_type: TypeRule
    partials: tuple[str, ...] = ()  # elementwise: one template per argument; reduction: one, per element
    linear_args: tuple[int, ...] = ()  # linear: which positional arguments carry the tangent
    transposes: tuple[str, ...] = ()  # linear, bilinear: the adjoint each linear argument receives from ``g``
    nargs: tuple[int, int] = (1, 1)  # accepted number of positional arguments (min, max)
    keywords: tuple[str, ...] | None = None  # accepted keyword arguments; None: not checked
    axis_reducer: str = ""  # reduction: its name for the runtime helper _reduce_axis, which numba needs with axis=
    note: str = ""  # a convention a user may meet (ties, zeros), shown by `adxform rules` and the docs


@dataclass
class RuleTable:
    rules: dict[str, Rule] = field(default_factory=dict)

    def add(self, rule: Rule) -> None:
        assert rule.name not in self.rules, f"duplicate rule {rule.name}"
        self.rules[rule.name] = rule

    def get(self, name: str) -> Rule | None:
        return self.rules.get(name)

    def __contains__(self, name: str) -> bool:
        return name in self.rules

    def __iter__(self):
        return iter(sorted(self.rules))


# -- result-type helpers -------------------------------------------------------


def _float_dtype(types: list[ir.Type]) -> str:
    """float32 when every float array is float32 (bool conditions and int
    arrays do not widen it), else float64."""
    dtypes = {t.dtype for t in types if t.is_array and t.dtype.startswith("float")}
    return "float32" if dtypes == {"float32"} else "float64"


def elementwise_type(types: list[ir.Type], _kw: dict[str, ir.Type]) -> ir.Type:
    """Float scalar, or a float array of the widest argument's ndim (unknown
    while an argument's kind is: it may be the array)."""
    if any(t.kind == "unknown" for t in types):
        return ir.Type("unknown")
    arrays = [t for t in types if t.is_array]
    if not arrays:
        return ir.FLOAT
    return ir.Type("array", dtype=_float_dtype(arrays), ndim=max(t.ndim for t in arrays))


def same_type(types: list[ir.Type], _kw: dict[str, ir.Type]) -> ir.Type:
    return types[0] if types else ir.FLOAT


def array_copy_type(types: list[ir.Type], _kw: dict[str, ir.Type]) -> ir.Type:
    """np.array(a) of an array ``a``: a copy.  Of anything else (a tuple, a
    scalar) it has no rule: the type is unknown, which type inference
    reports."""
    return types[0] if types and types[0].is_array else ir.Type("unknown")


def numeric_type(types: list[ir.Type], _kw: dict[str, ir.Type]) -> ir.Type:
    """min/max of scalars: int if every argument is int, else float."""
    if all(t.kind in ("int", "bool") for t in types):
        return ir.INT
    return elementwise_type(types, _kw)


def of_scalars(result: TypeRule) -> TypeRule:
    """``result`` for a function of numbers alone (``math.*``, builtin
    ``min``/``max``): no type for an array argument, which it refuses (a
    diagnostic)."""
    return lambda types, kw: ir.Type("unknown") if any(t.is_array for t in types) else result(types, kw)


def fixed(result: ir.Type) -> TypeRule:
    return lambda _types, _kw: result


def constructor_type(types: list[ir.Type], kwargs: dict[str, ir.Type]) -> ir.Type:
    """np.zeros(n) / np.zeros((n, m)) / np.zeros_like(a): a float64 array
    of that many dimensions, of the ``dtype=`` asked for, or like ``a``."""
    first = types[0] if types else ir.INT
    if first.is_array:
        like = first
    else:
        like = ir.Type("array", dtype="float64", ndim=len(first.items) if first.kind == "tuple" else 1)
    if "dtype" in kwargs and kwargs["dtype"].kind == "dtype":
        return ir.Type("array", dtype=kwargs["dtype"].dtype, ndim=like.ndim)
    return like


def reduction_type(types: list[ir.Type], kwargs: dict[str, ir.Type]) -> ir.Type:
    """A float when everything is reduced (or a 1-D array along its axis),
    else an array of one dimension fewer (of unknown ndim when that is;
    unknown while the argument's kind is)."""
    arg = types[0]
    if "axis" in kwargs and arg.kind == "unknown":  # along an axis of what may be an array: unknown yet
        return ir.Type("unknown")
    if "axis" not in kwargs or not arg.is_array or arg.ndim == 1:
        return ir.FLOAT
    return ir.Type("array", dtype=_float_dtype([arg]), ndim=max(arg.ndim - 1, 0))


def matmul_type(types: list[ir.Type], _kw: dict[str, ir.Type]) -> ir.Type:
    """a @ b: a float for two vectors, a vector for a matrix and a vector, a
    matrix for two matrices, the array for ``np.dot`` of an array and a
    scalar.  Where a dimension is unknown the product is an array of
    unknown dimensions: a guess would spread to every variable the product
    reaches (``h = o * np.tanh(c)`` after ``g = w @ h``)."""
    left, right = types[0], types[1]
    if "unknown" in (left.kind, right.kind):  # not a number yet: `y * (M.T @ v)` does not make y the array
        return ir.Type("unknown")
    if not (left.is_array and right.is_array):
        return left if left.is_array else right if right.is_array else ir.FLOAT
    dtype = _float_dtype([left, right])
    if not left.ndim or not right.ndim:
        return ir.Type("array", dtype=dtype, ndim=0)
    ndim = {(1, 1): 0, (2, 1): 1, (1, 2): 1, (2, 2): 2}.get((left.ndim, right.ndim), max(left.ndim, right.ndim))
    return ir.FLOAT if ndim == 0 else ir.Type("array", dtype=dtype, ndim=ndim)


def outer_type(types: list[ir.Type], _kw: dict[str, ir.Type]) -> ir.Type:
    return ir.Type("array", dtype=_float_dtype(types), ndim=2)


def reshape_type(types: list[ir.Type], _kw: dict[str, ir.Type]) -> ir.Type:
    """x.reshape(n, m) / x.reshape((n, m)) / np.reshape(x, (n, m)): as many
    dimensions as sizes given; np.ravel(x): one."""
    sizes = types[1:]
    ndim = len(sizes[0].items) if len(sizes) == 1 and sizes[0].kind == "tuple" else max(len(sizes), 1)
    return ir.Type("array", dtype=_float_dtype(types[:1]), ndim=ndim)
