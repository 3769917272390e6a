"""Types of code written without annotations (issue 11), beyond what the
corpus module tests/corpus/unannotated.py checks numerically in both modes:
the names of the specialised copies of a helper, which public functions
keep their own copy, and the exact gradients the issue reports as wrong."""

from __future__ import annotations

from pathlib import Path

import adxform
import adxform.testing
import numba
import numpy as np
import pytest
from adxform import ir
from adxform.analysis.types import ExprTyper
from adxform.diagnostics import DiagnosticError, InternalError
from helpers import load_module_from_text

HELPER_TWICE = '''\
import math

import numpy as np


def sq(a):
    return a * a


def f(x, s):
    return np.sum(sq(x) * x) * x[0] + sq(s) * math.cos(s)
'''


def _load(source: str, mode: str, tmp_path: Path, jit: str = "none", **options) -> object:
    text = adxform.transform(source, mode, filename="m.py", jit=jit, **options)
    return load_module_from_text(text, tmp_path / f"m_{mode}_{jit}.py")


@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_helper_called_with_a_scalar_and_an_array_is_specialised(mode):
    text = adxform.transform(HELPER_TWICE, mode, filename="m.py", jit="none")
    assert "def sq__a1(a" in text and "def sq__f(a" in text
    assert "sq__a1(x)" in text and "sq__f(s)" in text
    assert "def sq(" not in text, "a public helper met only through its callers is replaced by its copies"


def test_helper_asked_for_keeps_its_name_and_its_own_types():
    """``--func sq`` asks for sq itself, whose body cannot tell a scalar
    from an array: that is a diagnostic, not a guess."""
    with pytest.raises(DiagnosticError, match=r"parameter 'a' is a scalar or an array.*\[ambiguous-type\]"):
        adxform.transform(HELPER_TWICE, "reverse", filename="m.py", functions=["f", "sq"])


@pytest.mark.parametrize("jit", ["numba", "none"])
def test_specialised_gradients(jit, tmp_path):
    module = _load(HELPER_TWICE, "reverse", tmp_path, jit)
    x, s = np.array([1.0, 2.0, 3.0]), 0.5
    gx, gs = module.f_grad(x, s)
    # f = x0 * sum(x^3) + s^2 cos(s)
    expected_x = 3.0 * x * x * x[0] + np.array([np.sum(x ** 3), 0.0, 0.0])
    np.testing.assert_allclose(gx, expected_x, rtol=1e-14)
    assert gs == pytest.approx(2.0 * s * np.cos(s) - s * s * np.sin(s), rel=1e-14)


ISSUE_CASES = {
    "sum": ("def f(x):\n    return np.sum(x)\n", np.array([1.0, 1.0, 1.0])),
    "mean": ("def f(x):\n    return np.mean(x)\n", np.full(3, 1.0 / 3.0)),
    "helper": ("def sq(a):\n    return a * a\n\n\ndef f(x: np.ndarray):\n    return np.sum(sq(x) * x)\n",
               np.array([3.0, 12.0, 27.0])),
}


@pytest.mark.parametrize("jit", ["numba", "none"])
@pytest.mark.parametrize("case", list(ISSUE_CASES))
def test_issue_gradients(case, jit, tmp_path):
    """The three silently wrong gradients of issue 11, item 0, at x = [1, 2, 3]."""
    body, expected = ISSUE_CASES[case]
    module = _load("import numpy as np\n\n\n" + body, "reverse", tmp_path, jit, functions=["f"])
    np.testing.assert_allclose(module.f_grad(np.array([1.0, 2.0, 3.0])), expected, rtol=1e-15)


LOGITS = '''\
import numpy as np


def f(W, X):
    logits = X @ W
    n = logits.shape[0]
    total = 0.0
    for r in range(n):
        total += logits[r, 0] * logits[r, 1]
    return total
'''


@pytest.mark.parametrize("jit", ["numba", "none"])
@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_loop_over_elements_of_a_product(mode, jit, tmp_path):
    """Issue 11, item 1: with W and X unannotated, the loop's tangent and
    adjoint were dropped (a tangent of 0.0, a crash in reverse mode)."""
    module = _load(LOGITS, mode, tmp_path, jit)
    rng = np.random.default_rng(11)
    W, X = rng.uniform(-1.0, 1.0, (3, 2)), rng.uniform(-1.0, 1.0, (4, 3))
    dW, dX = rng.uniform(-1.0, 1.0, W.shape), rng.uniform(-1.0, 1.0, X.shape)

    def f(w, x):
        logits = x @ w
        return float(np.sum(logits[:, 0] * logits[:, 1]))

    h = 1e-6
    expected = (f(W + h * dW, X + h * dX) - f(W - h * dW, X - h * dX)) / (2 * h)
    if mode == "forward":
        _, tangent = module.f_jvp(W, X, dW, dX)
    else:
        W_bar, X_bar = module.f_grad(W, X)
        tangent = np.sum(W_bar * dW) + np.sum(X_bar * dX)
    assert tangent == pytest.approx(expected, rel=1e-8)


@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_a_dropped_derivative_is_an_internal_error(mode, monkeypatch):
    """The invariant of ``adxform/invariants.py``: typing ``X @ W`` as a
    float (the bug of issue 11, item 1, where W and X were typed as floats)
    makes ``logits[r, 0]`` in the active ``total += logits[r, 0] *
    logits[r, 1]`` lose its derivative, which must be an internal error
    naming it and its position, not a silent drop."""
    original = ExprTyper._BinOp

    def product_is_a_float(self, e):
        return ir.FLOAT if e.op == "@" else original(self, e)

    monkeypatch.setattr(ExprTyper, "_BinOp", product_is_a_float)
    with pytest.raises(InternalError, match=r"m\.py:9:18: internal error: 'logits\[r, 0\]( \* logits\[r, 1\])?' carries a "
                                            r"derivative but got no (tangent|adjoint)"):
        adxform.transform(LOGITS, mode, filename="m.py", jit="none")


SIGNED = '''\
import math

import numba
import numpy as np
from numba import float64, njit


@numba.njit("f8(f8[:], i8)")
def tanh_of_square(x, n):
    s = 0.0
    for k in range(n):
        s += math.tanh(0.05 * (x @ x)) * x[k]
    return s


@njit(float64(float64[:, :], float64[:]))
def quad(A, x):
    y = A @ x
    return y @ y
'''


def _directional(f, args, directions, h=1e-6):
    plus = [a + h * d if d is not None else a for a, d in zip(args, directions)]
    minus = [a - h * d if d is not None else a for a, d in zip(args, directions)]
    return (f(*plus) - f(*minus)) / (2 * h)


@pytest.mark.parametrize("jit", ["numba", "none"])
def test_numba_signatures_type_the_parameters(jit, tmp_path):
    """Issue 11, item 4: the signature on the decorator is the first source
    of types, with exact dimensions: ``x @ x`` of an ``f8[:]`` is a scalar,
    ``A @ x`` of ``f8[:, :]`` by ``f8[:]`` a vector, ``n`` (``i8``) gets no
    gradient."""
    reverse = _load(SIGNED, "reverse", tmp_path, jit)
    forward = _load(SIGNED, "forward", tmp_path, jit)
    rng = np.random.default_rng(4)
    x, A = rng.uniform(-1.0, 1.0, 5), rng.uniform(-1.0, 1.0, (3, 5))
    dx, dA = rng.uniform(-1.0, 1.0, 5), rng.uniform(-1.0, 1.0, (3, 5))

    primal = reverse.tanh_of_square.py_func if jit == "numba" else reverse.tanh_of_square
    expected = _directional(primal, [x, 4], [dx, None])
    assert np.sum(reverse.tanh_of_square_grad(x, 4) * dx) == pytest.approx(expected, rel=1e-7)
    assert forward.tanh_of_square_jvp(x, 4, dx)[1] == pytest.approx(expected, rel=1e-7)

    primal = reverse.quad.py_func if jit == "numba" else reverse.quad
    expected = _directional(primal, [A, x], [dA, dx])
    A_bar, x_bar = reverse.quad_grad(A, x)
    assert np.sum(A_bar * dA) + np.sum(x_bar * dx) == pytest.approx(expected, rel=1e-7)
    assert forward.quad_jvp(A, x, dA, dx)[1] == pytest.approx(expected, rel=1e-7)


def _parameter_types(source: str, name: str) -> dict[str, str]:
    from adxform.analysis.program import analyse
    from adxform.diagnostics import Reporter
    from adxform.parse import parse_module

    reporter = Reporter("m.py", source)
    module = parse_module(source, "m.py", reporter)
    facts = analyse(module, [name], None, reporter, "reverse").facts[name]
    return {p.name: str(facts.types.env[p.name]) for p in facts.func.params}


KINDS = {
    # source of f, the types its parameters get
    "flag in a test": ("def f(x, flag):\n    if flag:\n        return math.exp(x)\n    return x * 2.0\n",
                       {"x": "float", "flag": "bool"}),
    "converted int": ("def f(x, n):\n    return math.sin(x) / float(n)\n", {"x": "float", "n": "int"}),
    "bound of a while": ("def f(x, n):\n    k = 0\n    s = 0.0\n    while k < 2 * n:\n        s = s + math.sin(x)\n"
                         "        k = k + 1\n    return s\n", {"x": "float", "n": "int"}),
    "copied into a float": ("def f(s0, z):\n    s = s0\n    for t in range(len(z)):\n        s = s * math.exp(z[t])\n"
                            "    if s > 1.0:\n        s = s - 1.0\n    return s\n",
                            {"s0": "float", "z": "array(float64, 1d)"}),
    "passed to a float helper": ("def g(a):\n    return math.exp(a)\n\n\ndef f(x, y):\n    return g(x) * y[0]\n",
                                 {"x": "float", "y": "array(float64, 1d)"}),
    "element written": ("def f(y, x, alpha):\n    for i in range(len(y)):\n        y[i] += alpha * x[i]\n",
                        {"y": "array(float64, 1d)", "x": "array(float64, 1d)", "alpha": "float"}),
    "inner product under math": ("def f(x):\n    return math.tanh(x @ x)\n", {"x": "array(float64, 1d)"}),
    "index array": ("def f(x, idx):\n    return x[idx[0]]\n", {"x": "array(float64, 1d)", "idx": "array(int64, 1d)"}),
    "product of unknowns": ("def f(W, X):\n    logits = X @ W\n    return logits[0, 0]\n",
                            {"W": "array(float64)", "X": "array(float64)"}),
    "reduced through a local": ("def f(w):\n    z = np.tanh(w)\n    return np.sum(z * z)\n",
                                {"w": "array(float64)"}),
    "beside a float": ("def f(u, b):\n    return np.sum(u * u) + 0.5 * b\n", {"u": "array(float64)", "b": "float"}),
    "float by the float beside it": ("def f(x, y):\n    s = 0.5 * x\n    return s * y\n",
                                     {"x": "float", "y": "float"}),
    "subscripted product": ("def f(y, M):\n    A2 = y * M\n    return A2[0, 0] + math.sin(y)\n",
                            {"y": "float", "M": "array(float64)"}),
    "vector by a declared float": ("def f(u: np.ndarray) -> float:\n    return u @ u + 1.0\n",
                                   {"u": "array(float64, 1d)"}),
    "quadratic form": ("def f(u, M, c):\n    if c > 0.0:\n        return c * u[0]\n    return u @ (M @ u)\n",
                       {"u": "array(float64, 1d)", "M": "array(float64, 2d)", "c": "float"}),
    "reduced row": ("def f(M, x):\n    return np.linalg.norm(0.5 + M[0]) * math.sin(x)\n",
                    {"M": "array(float64)", "x": "float"}),
    "row in a number": ("def f(M, v):\n    return math.atan2(M[-1] @ np.sum(M, axis=1), 1.5) + v[0]\n",
                        {"M": "array(float64, 2d)", "v": "array(float64, 1d)"}),
    "beside a reduction along an axis": ("def f(y, M):\n    return np.sum(y * np.sum(M, axis=0)) + 0.1 * y\n",
                                         {"y": "float", "M": "array(float64)"}),
    "reduced beside a slice": ("def f(u):\n    return np.sum(u[0] * u[1:])\n", {"u": "array(float64, 1d)"}),
    "element read, then shown a matrix": ("def f(M, u):\n    t = np.sum(M[0] * u)\n    A = M @ M\n"
                                          "    return A[0, 1] + t\n", {"M": "array(float64)", "u": "array(float64)"}),
    "unpacked into floats": ("def f(x0, dt):\n    x, v = x0, 1.0\n    return x + dt * v\n",
                             {"x0": "float", "dt": "float"}),
}


ASSUMED_FLOATS = """\
import numpy as np


def f(u, b, c):
    z = np.tanh(u)
    return np.sum(z * z) * c + 0.5 * b * c
"""


@pytest.mark.parametrize("jit", ["numba", "none"])
def test_parameters_taken_for_floats_are_differentiated(jit, tmp_path):
    """``b`` and ``c`` meet only float arithmetic: floats, as numba users
    mostly mean them; ``u`` is the array ``np.sum`` reduces."""
    modules = [_load(ASSUMED_FLOATS, mode, tmp_path, jit) for mode in ("forward", "reverse")]
    report = adxform.testing.check_grads(modules, "f", [np.array([0.3, -1.2, 0.8]), 1.5, -0.7])
    assert report.dot_test is not None


@pytest.mark.parametrize("jit", ["numba", "none"])
@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_an_array_passed_for_a_float_is_refused(mode, jit, tmp_path):
    """An array where adxform took a float would get a derivative written
    for a number: refused on entry, with where and how to declare it (by
    numba as it compiles, which types the whole function first)."""
    module = _load(ASSUMED_FLOATS, mode, tmp_path, jit)
    u, b = np.array([0.3, -1.2, 0.8]), np.array([1.5, 2.5, 0.5])
    call = (lambda: module.f_jvp(u, b, -0.7, np.ones(3), np.ones(3), 1.0)) if mode == "forward" \
        else (lambda: module.f_grad(u, b, -0.7))
    with pytest.raises(numba.core.errors.TypingError if jit == "numba" else ValueError,
                       match=r"m.py:4:10: nothing in 'f' shows whether 'b' is a number or an array.*`b: np.ndarray`"):
        call()


UNREAD_PARAMETERS = {
    "never read": """import numpy as np


def energy(t, y, k):
    return 0.5 * k * np.sum(y * y)
""",
    # read, but only into values nothing uses: before, ``2.0 * start`` made t a float with a gradient of its own
    "read into unused values": """import numpy as np


def energy(t, y, k):
    start = t
    scaled = 2.0 * start
    return 0.5 * k * np.sum(y * y)
""",
}


@pytest.mark.parametrize("jit", ["numba", "none"])
@pytest.mark.parametrize("source", list(UNREAD_PARAMETERS.values()), ids=list(UNREAD_PARAMETERS))
def test_a_parameter_whose_value_nothing_uses_passes_through(source, jit, tmp_path):
    """``t`` of ``energy(t, y, k)`` (a right-hand side's time, say) is
    never read, or read only into values nothing uses: it has no
    derivative, whatever it is, so it passes through as an int does (no
    tangent, no gradient), and takes a number or an array alike; ``k`` is
    taken for a float from float arithmetic."""
    forward, reverse = (_load(source, mode, tmp_path, jit) for mode in ("forward", "reverse"))
    y = np.array([0.3, -1.2, 0.8])
    for t in (0.25, np.ones(2)):
        y_bar, k_bar = reverse.energy_grad(t, y, 1.5)
        np.testing.assert_allclose(y_bar, 1.5 * y, rtol=1e-15)
        assert k_bar == pytest.approx(0.5 * np.sum(y * y), rel=1e-15)
        value, tangent = forward.energy_jvp(t, y, 1.5, np.ones(3), 2.0)
        assert tangent == pytest.approx(1.5 * np.sum(y) + np.sum(y * y), rel=1e-14)


def test_a_parameter_updated_in_place_through_a_name_does_not_pass_through():
    """``A = u; A += M`` with ``A`` never read again: ``A += M`` may write
    into the array ``u`` holds, so ``u`` and ``M`` are used, not passed
    through, and nothing tells their kinds."""
    source = "def f(u, M):\n    A = u\n    A += M\n    return 2.0\n"
    with pytest.raises(DiagnosticError, match=r"parameter 'u' is a scalar or an array.*\[ambiguous-type\]"):
        adxform.transform(source, "reverse", filename="m.py")


def test_several_values_of_unknown_kind_reduced_together_are_ambiguous():
    """``np.sum(a * b)`` needs one of them to be an array, not which:
    taking both for floats would be known wrong, so it asks."""
    with pytest.raises(DiagnosticError, match=r"parameter 'a' is a scalar or an array.*\[ambiguous-type\]"):
        adxform.transform("import numpy as np\n\n\ndef f(a, b):\n    return np.sum(a * b * 2.0)\n", "reverse",
                          filename="m.py")


@pytest.mark.parametrize("case", list(KINDS))
def test_inferred_kinds(case):
    body, expected = KINDS[case]
    assert _parameter_types("import math\n\nimport numpy as np\n\n\n" + body, "f") == expected


@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_the_ndim_taken_from_element_reads_is_checked_in_both_modes(mode, tmp_path):
    """``M[n - 1]`` read as a number makes ``M`` 1-D; a matrix there would
    make it a row and the derivative silently wrong, so both modes refuse
    it on entry."""
    source = "import numpy as np\n\n\ndef f(M, x):\n    n = M.shape[0]\n    return np.sum(M) + M[n - 1] * x\n"
    _refused_on_entry(_load(source, mode, tmp_path), mode, 1.0,
                      r"m.py:6:24: adxform differentiates an element of 'M' here, so 'M' must be a 1-D array")


def _refused_on_entry(module, mode: str, scalar: float, match: str) -> None:
    """``f(matrix, scalar)`` through ``f_jvp`` or ``f_grad`` raises ``match``."""
    matrix = np.ones((2, 2))
    call = (lambda: module.f_jvp(matrix, scalar, matrix, 1.0)) if mode == "forward" \
        else (lambda: module.f_grad(matrix, scalar))
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_operands_of_a_bound_product_taken_for_vectors_are_checked(mode, tmp_path):
    """``t = np.dot(u, u)`` is a number for a vector and an array for a
    matrix, and ``t *= c`` is differentiated differently for each: with
    nothing else to tell, ``u`` is taken for a vector, and a matrix is
    refused on entry in both modes, with where and how to declare one."""
    source = "import numpy as np\n\n\ndef f(u, c):\n    t = np.dot(u, u)\n    t *= 0.5 + c\n    return t\n"
    module = _load(source, mode, tmp_path)
    _refused_on_entry(module, mode, 2.0, r"m.py:5:9: nothing in 'f' shows how many dimensions 'u' has.*"
                                         r"differentiated 'u' as a 1-D array.*`f8\[:, :\]`")
    vector = np.array([0.5, -1.5])
    if mode == "reverse":
        u_bar, c_bar = module.f_grad(vector, 2.0)
        np.testing.assert_allclose(u_bar, 5.0 * vector, rtol=1e-14)
        assert c_bar == pytest.approx(2.5, rel=1e-14)


def test_a_product_bound_to_an_array_keeps_its_operands_open():
    """``logits = X @ W`` read as ``logits[r, 0]`` is an array: nothing is
    assumed of ``X`` and ``W`` (a matrix product)."""
    source = ("import numpy as np\n\n\ndef f(W, X):\n    logits = X @ W\n    total = 0.0\n"
              "    for r in range(logits.shape[0]):\n        total += logits[r, 0] * logits[r, 1]\n    return total\n")
    assert "shows how many dimensions" not in adxform.transform(source, "reverse", filename="m.py", jit="none")


STACKED = ("import numpy as np\n\n\ndef f(u, M):\n    s = 0.0\n    for i in range(1, 3):\n"
           "        y = np.dot(M[i], u)\n        s += np.sum(y * y)\n    return s\n")
# the product computed in a helper that returns it
STACKED_IN_A_HELPER = STACKED.replace("def f(", "def _g(a, b):\n    return np.dot(a, b)\n\n\ndef f(").replace(
    "np.dot(M[i], u)", "_g(M[i, :], u)")


@pytest.mark.parametrize("jit", ["numba", "none"])
@pytest.mark.parametrize("source, position", [(STACKED, "7:13"), (STACKED_IN_A_HELPER, "11:13")],
                         ids=["in_the_body", "in_a_helper"])
def test_a_bound_product_taken_for_an_array_refuses_a_number(source, position, jit, tmp_path):
    """``y = np.dot(M[i], u)``, with nothing showing the dimensions of ``M``
    and ``u``, is a number for a matrix: reverse mode, whose adjoint code
    is written for the array it took it for, refuses it where it is bound,
    with where and how to declare the types (before: numba failed to type
    the adjoint, and --jit none loaded a tape back into a number, a silently
    wrong gradient).  Forward mode serves both."""
    reverse, forward = (_load(source, mode, tmp_path, jit) for mode in ("reverse", "forward"))
    u, matrix = np.array([0.3, -1.2, 0.8]), np.array([[0.5, 1.0, -1.0], [2.0, 0.5, 0.1], [-0.4, 0.3, 0.9]])
    with pytest.raises(ValueError, match=rf"m.py:{position}: nothing in 'f' shows how many dimensions the operands "
                                         r"of the product computed here have.*`f8\[:, :\]`"):
        reverse.f_grad(u, matrix)
    adxform.testing.check_grads([forward], "f", [u, matrix])


SCALED_IN_PLACE = {
    # fuzz seed 214692: a TypeError in the tangent of _scale
    "in_a_helper": ("import numpy as np\n\n\ndef _scale(v, x):\n    x *= 1.0 + 0.5 * np.tanh(v[0])\n"
                    "    return 0.5\n\n\ndef f(u):\n    return _scale(u, np.dot(u, u)) + np.sum(u)\n", "10:22"),
    # fuzz seed 240319: a TypeError in f_jvp, at t_dot[...] = ...
    "in_the_body": ("import numpy as np\n\n\ndef f(u, M):\n    t = np.dot(u, np.sum(M, axis=0)) / 2.0\n"
                    "    t *= 1.0 + 0.5 * np.tanh(t)\n    u[0] += t\n", "5:9"),
}


@pytest.mark.parametrize("jit", ["numba", "none"])
@pytest.mark.parametrize("mode", ["forward", "reverse"])
@pytest.mark.parametrize(("source", "position"), list(SCALED_IN_PLACE.values()), ids=list(SCALED_IN_PLACE))
def test_a_product_updated_in_place_refuses_a_number(source, position, mode, jit, tmp_path):
    """``_scale(u, np.dot(u, u))`` where ``_scale`` updates its parameter in
    place, or ``t = np.dot(u, np.sum(M, axis=0)) / 2.0; t *= c``: the
    tangent (and the adjoint) of the product are then updated in place too,
    which a number cannot be, so both modes refuse a number where the
    product is bound."""
    module = _load(source, mode, tmp_path, jit)
    u = np.array([0.3, 0.5, -0.2])
    if "M" in source:  # a procedure: it writes into u
        args = [u, np.ones((3, 3))]
        seeds = [np.ones_like(a) if mode == "forward" else np.zeros_like(a) for a in args]
        call = (lambda: module.f_jvp(*args, *seeds)) if mode == "forward" else (lambda: module.f_vjp(*args, *seeds))
    else:
        call = (lambda: module.f_jvp(u, np.ones(3))) if mode == "forward" else (lambda: module.f_grad(u))
    if "M" in source and jit == "numba":  # u[0] += t: numba cannot type the code written for an array t
        with pytest.raises(numba.core.errors.TypingError):
            call()
        return
    with pytest.raises(ValueError, match=rf"m.py:{position}: nothing in 'f' shows how many dimensions the operands"):
        call()


def test_hvp_over_a_stack_of_matrices_nothing_shows(tmp_path):
    """hvp reads the reverse module back, where ``_matmul_bar_a(g, M[i], u,
    M_bar[i])`` writes a row of ``M_bar``: that shows ``M_bar`` to have a
    dimension more than its index (before: ``M_bar[i]`` was read as an
    element, and a stack of matrices refused on entry)."""
    hvp, reverse = (_load(STACKED, mode, tmp_path) for mode in ("hvp", "reverse"))
    rng = np.random.default_rng(3)
    u, M, du, dM = rng.normal(size=3), rng.normal(size=(3, 3, 3)), rng.normal(size=3), rng.normal(size=(3, 3, 3))
    products = hvp.f_hvp(u, M, du, dM)[3:]
    h = 1e-6  # f is quadratic: central differences of its gradient are exact but for rounding
    plus, minus = reverse.f_grad(u + h * du, M + h * dM), reverse.f_grad(u - h * du, M - h * dM)
    for product, high, low in zip(products, plus, minus):
        np.testing.assert_allclose(product, (high - low) / (2 * h), rtol=1e-6, atol=1e-8)


UNSETTLED = """import numpy as np


def _sq(a):
    return a * a


def cubes(x):
    return np.sum(_sq(x) * x)
"""


@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_types_that_never_settle_are_refused_at_the_call(mode):
    """``x`` is an array if ``_sq`` returns a scalar, and ``_sq`` returns
    what it is given: typing the module swung between the two, and its
    last round wrote ``_sq``'s adjoint for a scalar while the call passed
    an array (a wrong gradient with --jit none, found by comparing the
    stripped corpus in reverse mode).  Refused at the call instead."""
    with pytest.raises(DiagnosticError) as info:
        adxform.transform(UNSETTLED, mode, filename="m.py", jit="none")
    assert [(d.code, d.line, d.col) for d in info.value.diagnostics] == [("ambiguous-type", 9, 19)]
