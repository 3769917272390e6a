"""The derivative-rule table, row by row: every rule of ``adxform.rules.TABLE``
on the argument shapes it meets (scalars, 1-D and 2-D arrays, broadcasting
combinations, with and without ``axis=``).

Each row is a one-line source function; all rows make one source module,
differentiated once per mode.  For each row:

* the value of ``f_jvp`` and ``f_vjp`` is the primal's;
* the tangent of ``f_jvp`` against central finite differences;
* ``<v, f_vjp(w)>`` against ``<finite difference along v, w>``;
* the dot-product test ``<f_jvp(v), w> == <v, f_vjp(w)>`` to 1e-10;
* each adjoint has its argument's shape.

Rows of piecewise-constant functions (floor, sign, constructors …) check
that no derivative flows through them.  ``test_every_rule_has_a_row`` fails
when a rule of the table has no row.

Cost: numba compiling every row would take minutes, so every row runs on the
plain-Python module (``--jit none``) and the rows marked ``numba=True`` (the
whole-array rules: reductions with and without axis, products, broadcasting,
reshapes) also run compiled, which is where numba's gaps (``np.max`` with
``axis=``, ``np.dot`` of non-contiguous operands) would show.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

import adxform
import numpy as np
import pytest
from adxform.diagnostics import Reporter
from adxform.parse import parse_module
from adxform.rules import TABLE
from adxform.walk import calls
from helpers import (
    abs_dot,
    assert_close,
    assert_dot_close,
    central_difference,
    copy_args,
    dot,
    flatten,
    import_path,
    load_module_from_text,
    random_like,
    rng_for,
)

VALUE_RTOL = 1e-10
FD_RTOL = 1e-6
DOT_RTOL = 1e-10


@dataclass(frozen=True)
class Arg:
    """A float parameter (``shape`` None) or a float64 array, uniform in [lo, hi]."""

    shape: tuple[int, ...] | None
    lo: float
    hi: float

    def annotation(self) -> str:
        return "float" if self.shape is None else "np.ndarray"

    def value(self, rng: np.random.Generator) -> float | np.ndarray:
        if self.shape is None:
            return float(rng.uniform(self.lo, self.hi))
        return rng.uniform(self.lo, self.hi, self.shape)


def F(lo: float = -1.0, hi: float = 1.0) -> Arg:
    return Arg(None, lo, hi)


def A(*shape: int, lo: float = -1.0, hi: float = 1.0) -> Arg:
    return Arg(shape, lo, hi)


@dataclass(frozen=True)
class Row:
    name: str
    body: str  # an expression, or statements ending in a return
    params: tuple[tuple[str, Arg], ...]
    numba: bool

    def source(self) -> str:
        params = ", ".join(f"{name}: {arg.annotation()}" for name, arg in self.params)
        lines = self.body.split("\n") if "return" in self.body else [f"return {self.body}"]
        return f"def {self.name}({params}):\n" + "".join(f"    {line}\n" for line in lines)


ROWS: list[Row] = []
M = A(3, 4)
V = A(4)
C = A(3, 1)
R = A(1, 4)


def row(body: str, numba: bool = False, **params: Arg) -> None:
    ROWS.append(Row(f"r{len(ROWS):03d}", body, tuple(params.items()), numba))


P = A(3, 4, lo=0.5, hi=1.5)

# -- compiled by numba too: the whole-array rules, several to a row, since each row
# costs numba a few seconds; (a .. w) one matrix, row, column, vector each
NUMBA_ROWS = {
    "reductions": ("np.sum(np.max(a, axis=0) * np.min(a, axis=-1).sum()"
                   " + np.mean(a, axis=1).sum() * np.prod(p, axis=0))"
                   " + np.linalg.norm(a) * np.max(a) + a.sum(axis=1).prod() + np.prod(p)"
                   " + np.mean(a) + np.min(a)", dict(a=M, p=P)),
    "products": ("np.sum(np.tanh(a @ b) * c) + np.sum(np.dot(a, w) * u) + np.sum(np.dot(u, a) * w)"
                 " + np.sum(a.T @ a) + np.sum(np.outer(w, u) * np.outer(w, u))",
                 dict(a=M, b=A(4, 2), c=A(2), u=A(3), w=V)),
    "vector dot": ("np.dot(v, w)", dict(v=V, w=V)),
    "broadcasting": ("(a * r + c) * np.where(a > 0.0, v, 2.0 * a) + np.clip(a, -0.5, 0.5) + np.maximum(a, v)",
                     dict(a=M, r=R, c=C, v=V)),
    "spellings": ("np.sum(np.array(p) * abs(p) + np.multiply(p, v) + np.divide(p, 2.0 + v))"
                  " + pow(x, 3) * max(x, 0.1, x * x) + np.sum(abs(x - 2.0) * p)", dict(p=P, v=V, x=F(0.5, 0.9))),
    "in place and reshape": ("b = a * 1.0\nb += v\nb -= x\nreturn b.reshape((6, 2)) * np.sum(np.sum(a, axis=0) + a)"
                             " + a.T.ravel().reshape(6, 2)", dict(a=M, v=V, x=F())),
}



# -- elementwise, one argument: numpy on a matrix, math on a float ------------------
# (numpy name, math name, lo, hi)
ONE_ARGUMENT = [
    ("sin", "sin", -1.0, 1.0), ("cos", "cos", -1.0, 1.0), ("tan", "tan", -1.0, 1.0),
    ("arcsin", "asin", -0.9, 0.9), ("arccos", "acos", -0.9, 0.9), ("arctan", "atan", -2.0, 2.0),
    ("sinh", "sinh", -1.0, 1.0), ("cosh", "cosh", -1.0, 1.0), ("tanh", "tanh", -1.0, 1.0),
    ("arcsinh", "asinh", -2.0, 2.0), ("arccosh", "acosh", 1.2, 3.0), ("arctanh", "atanh", -0.9, 0.9),
    ("exp", "exp", -1.0, 1.0), ("expm1", "expm1", -1.0, 1.0), ("exp2", "exp2", -1.0, 1.0),
    ("log", "log", 0.2, 2.0), ("log2", "log2", 0.2, 2.0), ("log10", "log10", 0.2, 2.0),
    ("log1p", "log1p", -0.5, 2.0), ("sqrt", "sqrt", 0.2, 2.0), ("fabs", "fabs", -2.0, -0.2),
    ("cbrt", None, 0.2, 2.0), ("square", None, -1.0, 1.0), ("reciprocal", None, 0.5, 2.0),
    ("negative", None, -1.0, 1.0), ("abs", None, 0.2, 2.0), ("absolute", None, -2.0, -0.2),
]
for np_name, math_name, lo, hi in ONE_ARGUMENT:
    row(f"np.{np_name}(x)", x=A(3, 4, lo=lo, hi=hi))
    if math_name:
        row(f"math.{math_name}(x)", x=F(lo, hi))
row("math.erf(x)", x=F())
row("math.erfc(x)", x=F())
row("abs(x)", x=F(-2.0, -0.2))
row("abs(a) * a", a=A(3, 4, lo=0.2, hi=1.0))
row("np.sin(x) * np.exp(x)", x=M)

# -- elementwise, two and three arguments, with broadcasting --------------------------
row("np.arctan2(a, b)", a=M, b=V)
row("math.atan2(a, b)", a=F(), b=F(0.2, 1.0))
row("np.hypot(a, b)", a=C, b=R)
row("math.hypot(a, b)", a=F(), b=F())
row("np.power(a, b)", a=A(3, 4, lo=0.5, hi=2.0), b=V)
row("math.pow(a, b)", a=F(0.5, 2.0), b=F())
row("np.maximum(a, b)", a=M, b=V)
row("np.fmax(a, b)", a=C, b=R)
row("max(a, b)", a=F(0.5, 1.0), b=F(-1.0, 0.0))
row("np.minimum(a, b)", a=M, b=F())
row("np.fmin(a, b)", a=M, b=M)
row("min(a, b)", a=F(0.5, 1.0), b=F(-1.0, 0.0))
row("max(a, b, 0.2) * min(b, a, 0.3, b)", a=F(0.5, 1.0), b=F(-1.0, 0.0))
row("pow(a, 3) + pow(b, a) - np.multiply(a, b) + np.divide(np.add(a, 1.0), np.subtract(b, 2.0))",
    a=F(0.5, 1.0), b=F(0.5, 1.0))
row("np.copysign(a, b)", a=A(3, 4, lo=0.2, hi=1.0), b=M)
row("math.copysign(a, b)", a=F(0.2, 1.0), b=F(-1.0, -0.2))
row("np.where(a > 0.0, a * b, 2.0 * b)", a=M, b=V)
row("np.where(a > 0.0, b, a)", a=C, b=R)
row("np.where(x > 0.0, x, 0.5 * x)", x=F())
row("np.clip(a, -0.5, 0.5)", a=A(3, 4, lo=-2.0, hi=2.0))
row("np.clip(a, lo, hi)", a=A(3, 4, lo=-2.0, hi=2.0), lo=F(-0.6, -0.4), hi=F(0.4, 0.6))

# -- arithmetic broadcasting ---------------------------------------------------------
row("a + v", a=M, v=V)
row("v * a - a / (2.0 + v)", a=M, v=V)
row("c * r", c=C, r=R)
row("c / (2.0 + r) - r ** 2 * c", c=C, r=R)
row("a * r + c", a=M, r=R, c=C)
row("a ** v", a=A(3, 4, lo=0.5, hi=2.0), v=V)
row("(a - x) * x", a=M, x=F())
row("t * m", t=A(2, 3, 4), m=M)
row("t + c * v", t=A(2, 3, 4), c=C, v=V)
row("b = a * 1.0\nb += v\nb -= x\nreturn b", a=M, v=V, x=F())

# -- linear ----------------------------------------------------------------------------
row("float(x) * x", x=F())
row("np.float64(x) * x", x=F())
row("np.copy(a) * a", a=M)
row("np.array(a) * a", a=M)
row("a.copy() * a", a=M)
row("np.full((3, 4), x) * a", a=M, x=F())
row("np.transpose(a) * 2.0", a=M)
row("a.transpose() @ v", a=A(4, 3), v=V)
row("a.T @ a", a=M)
row("np.ravel(a) * np.ravel(a)", a=M)
row("a.T.ravel() * v", a=A(2, 2), v=V)
row("np.reshape(a, (4, 3)) @ v", a=M, v=A(3))
row("np.broadcast_to(v, np.broadcast_shapes(a.shape, v.shape)) * a + np.broadcast_to(x, (3, 4))", a=M, v=V, x=F())
row("np.expand_dims(v, 1) * a + np.expand_dims(w, 0)", a=A(4, 3), v=V, w=A(3))
row("a.reshape((2, 6)) * 2.0", a=M)
row("a.reshape(6, 2).T @ v", a=M, v=A(6))

# -- reductions -----------------------------------------------------------------------
row("np.sum(a)", a=M)
row("np.sum(a * v)", a=M, v=V)
row("np.sum(a, axis=0)", a=M)
row("np.sum(a * a, axis=1)", a=M)
row("a.sum()", a=V)
row("a.sum(axis=-1) * v", a=A(4, 3), v=V)
row("np.sum(t, axis=1)", t=A(2, 3, 4))
row("np.mean(a)", a=M)
row("np.mean(a, axis=1)", a=M)
row("a.mean(axis=0) + np.mean(a + v)", a=M, v=V)
row("np.prod(a)", a=A(3, 4, lo=0.5, hi=1.5))
row("np.prod(a, axis=0)", a=A(3, 4, lo=0.5, hi=1.5))
row("a.prod(axis=1) * a.prod()", a=A(3, 4, lo=0.5, hi=1.5))
row("np.max(a)", a=M)
row("np.max(a, axis=0)", a=M)
row("np.amax(t, axis=1)", t=A(2, 3, 4))
row("a.max() + a.max(axis=-1)", a=M)
row("np.max(a * v, axis=1)", a=M, v=V)
row("np.min(a)", a=M)
row("np.min(a, axis=1)", a=M)
row("np.amin(a, axis=0)", a=M)
row("a.min() * a.min(axis=0)", a=M)
row("np.linalg.norm(v)", v=V)
row("np.linalg.norm(a) * a", a=M)
row("np.sum(np.sum(a, axis=0) + a)", a=M)
row("np.max(np.sum(t, axis=0) * a, axis=1)", t=A(2, 3, 4), a=M)

# -- products -------------------------------------------------------------------------
row("np.dot(v, w)", v=V, w=V)
row("np.dot(a, v)", a=M, v=V)
row("np.dot(w, a)", w=A(3), a=M)
row("np.dot(a, b)", a=M, b=A(4, 2))
row("v @ w", v=V, w=V)
row("a @ v", a=M, v=V)
row("w @ a", w=A(3), a=M)
row("a @ b", a=M, b=A(4, 2))
row("np.matmul(a, b) * 2.0", a=M, b=A(4, 2))
row("a.dot(v)", a=M, v=V)
row("np.outer(v, w)", v=V, w=A(3))
row("np.outer(v, w) @ a", v=A(3), w=V, a=A(4, 2))
row("(a @ b + c) * (a @ b)", a=M, b=A(4, 2), c=A(3, 1))
row("np.sum(np.tanh(a @ b) * c)", a=M, b=A(4, 2), c=A(2))

# -- no derivative: integers, predicates, piecewise constants, fresh arrays ---------------
row("x * bool(x)", x=F(0.5, 1.0))
row("x * int(x)", x=F(1.2, 1.8))
row("x * round(x)", x=F(1.2, 1.4))
row("v * len(v)", v=V)
row("np.broadcast_to(x, np.shape(v)) * v", v=V, x=F())
row("x * math.ceil(x) + math.floor(x) - math.trunc(x)", x=F(1.2, 1.8))
row("x if math.isfinite(x) and not math.isinf(x) and not math.isnan(x) else 0.0", x=F())
row("a * np.ceil(a) + np.floor(a) * np.trunc(a) - np.rint(a) * np.sign(a)", a=A(3, 4, lo=0.6, hi=1.4))
row("np.where(np.isfinite(a), np.where(np.isinf(a) + np.isnan(a), 0.0, a * a), 0.0)", a=M)
row("v * np.arange(4.0) + np.linspace(0.0, 1.0, 4)", v=V)
row("np.zeros(4) + np.ones(4) * v + np.zeros_like(v) * np.ones_like(v)", v=V)
row("e = np.empty(v.shape[0])\nf = np.empty_like(v)\nfor i in range(v.shape[0]):\n    e[i] = v[i] * v[i]\n"
    "    f[i] = e[i] * v[i]\nreturn e + f", v=V)



for _body, _params in NUMBA_ROWS.values():
    row(_body, numba=True, **_params)


def _sources(jit: str) -> str:
    rows = ROWS if jit == "none" else [r for r in ROWS if r.numba]
    return "import math\n\nimport numpy as np\n\n\n" + "\n\n".join(r.source() for r in rows)


@pytest.fixture(scope="module")
def modules(tmp_path_factory) -> dict[tuple[str, str], ModuleType]:
    """The primal and its generated modules, per (mode, jit), made once."""
    directory = tmp_path_factory.mktemp("rules")
    out: dict[tuple[str, str], ModuleType] = {}
    for jit in ("none", "numba"):
        source = _sources(jit)
        primal = directory / f"rows_{jit}.py"
        primal.write_text(source)
        out[("primal", jit)] = import_path(primal)
        for mode in ("forward", "reverse"):
            text = adxform.transform(source, mode, filename=primal.name, jit=jit)
            out[(mode, jit)] = load_module_from_text(text, directory / f"rows_{jit}_{mode}.py")
    return out


CASES = [pytest.param(r, "none", id=f"{r.name}-none-{r.body}") for r in ROWS] + \
    [pytest.param(r, "numba", id=f"{r.name}-numba-{r.body}") for r in ROWS if r.numba]


@pytest.mark.parametrize(("case", "jit"), CASES)
def test_rule_row(case: Row, jit: str, modules):
    f = getattr(modules[("primal", jit)], case.name)
    f_jvp = getattr(modules[("forward", jit)], f"{case.name}_jvp")
    f_vjp = getattr(modules[("reverse", jit)], f"{case.name}_vjp")
    rng = rng_for(case.name + case.body)
    args = [arg.value(rng) for _, arg in case.params]
    indices = list(range(len(args)))
    value = f(*copy_args(args))
    v = [random_like(rng, a) for a in args]
    w = random_like(rng, value if not isinstance(value, np.ndarray) or value.ndim else float(value))

    y, y_dot = f_jvp(*copy_args(args), *copy_args(v))
    assert_close(flatten(y), flatten(value), VALUE_RTOL, "value of f_jvp")
    reference = central_difference(f, args, indices, v)
    assert_close(flatten(y_dot), reference, FD_RTOL, "f_jvp against finite differences")

    y, *adjoints = f_vjp(*copy_args(args), w)
    assert_close(flatten(y), flatten(value), VALUE_RTOL, "value of f_vjp")
    for arg, adjoint in zip(args, adjoints, strict=True):
        assert np.shape(adjoint) == np.shape(arg), f"adjoint of shape {np.shape(adjoint)} for {np.shape(arg)}"
    got, expected = dot(v, adjoints), dot(reference, flatten(w))
    scale = max(1.0, abs_dot(v, adjoints), abs_dot(reference, flatten(w)))
    assert_dot_close(got, expected, scale, FD_RTOL, "<v, f_vjp(w)> against finite differences")
    lhs, rhs = dot(flatten(y_dot), flatten(w)), dot(v, adjoints)
    scale = max(abs_dot(flatten(y_dot), flatten(w)), abs_dot(v, adjoints))
    assert_dot_close(lhs, rhs, scale, DOT_RTOL, "<f_jvp(v), w> against <v, f_vjp(w)>")


def _rules_called(source: str) -> set[str]:
    module = parse_module(source, "rows.py", Reporter("rows.py", source))
    return {call.func for func in module.functions.values() for call in calls(func.body)}


def test_every_rule_has_a_row():
    """Every rule of the table is called by some row (so a new rule needs a
    row), and the rows call nothing the table lacks."""
    called = _rules_called(_sources("none"))
    missing = sorted(set(TABLE) - called)
    assert not missing, f"rules with no row in tests/test_rules.py: {missing}"
    unknown = sorted(name for name in called if name not in TABLE and name != "builtins.range")
    assert not unknown, f"rows call functions with no rule: {unknown}"


@pytest.mark.parametrize(("body", "message"), [
    ("np.sum(a, axis=k)", "the axis of 'numpy.sum' must be an integer constant"),
    ("np.max(a, keepdims=True)", "'numpy.max' is supported without the keyword argument 'keepdims'"),
    ("np.linalg.norm(a, ord=1)", "'numpy.linalg.norm' is supported without the keyword argument 'ord'"),
    ("np.sum(a, 0)", "'numpy.sum' is supported with 1 positional arguments"),
])
def test_reduction_arguments_outside_the_rules_are_diagnostics(body, message):
    source = f"import numpy as np\n\n\ndef f(a: np.ndarray, k: int):\n    return {body}\n"
    with pytest.raises(adxform.DiagnosticError) as caught:
        adxform.transform(source, "reverse", filename="bad.py")
    assert any(message in d.message for d in caught.value.diagnostics), caught.value.diagnostics


def test_stacks_of_matrices_are_refused_at_run_time(modules):
    """The adjoints of @ are written for vectors and matrices only."""
    case = next(r for r in ROWS if r.body == "a @ b")
    f_vjp = getattr(modules[("reverse", "none")], f"{case.name}_vjp")
    with pytest.raises(ValueError, match="vectors and matrices only"):
        f_vjp(np.ones((2, 3, 4)), np.ones((2, 4, 2)), np.ones((2, 3, 2)))


def test_float32_stays_float32(modules):
    """Compiled, float32 arguments to the products (whose BLAS calls numba
    types strictly) give float32 adjoints.  (Rules whose partial is a
    ``select(c, 1.0, 0.0)``, such as ``np.maximum``, widen tangents to
    float64 under numba, as they did before whole-array rules.)"""
    case = next(r for r in ROWS if r.body == NUMBA_ROWS["products"][0])
    f_jvp = getattr(modules[("forward", "numba")], f"{case.name}_jvp")
    f_vjp = getattr(modules[("reverse", "numba")], f"{case.name}_vjp")
    rng = rng_for("float32 products")
    args = [arg.value(rng).astype(np.float32) for _, arg in case.params]
    _, y_dot = f_jvp(*copy_args(args), *[np.ones_like(a) for a in args])
    assert np.isfinite(y_dot)
    _, *adjoints = f_vjp(*copy_args(args), 1.0)
    for adjoint in adjoints:
        assert adjoint.dtype == np.float32, f"an adjoint of the products is {adjoint.dtype}"


def test_products_of_unknown_dimensions_are_not_guessed():
    """``w @ x[t]`` with ``w`` a bare ``np.ndarray`` has unknown dimensions;
    calling it a matrix spread the guess to ``h = o * np.tanh(c)``."""
    from adxform.pipeline import Options, run_passes

    source = ("import numpy as np\n\n\ndef f(w: np.ndarray, xs: np.ndarray) -> float:\n    h = np.zeros(w.shape[0])\n"
              "    for t in range(xs.shape[0]):\n        g = w @ xs[t] + w @ h\n        h = np.tanh(g[0:2]) * h\n"
              "    return np.sum(h * h) + np.sum(np.dot(h, 2.0))\n")
    env = run_passes(source, "m.py", Options(mode="reverse")).program.facts["f"].types.env
    assert (env["h"].ndim, env["g"].ndim) == (1, 0)  # 0: unknown
    assert str(env["g"]) == "array(float64)"
