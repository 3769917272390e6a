"""Nested derivatives in the source (``adxform/nesting.py``): a call of
``g_grad``, ``g_value_and_grad`` or ``g_jvp`` in a module that defines
``g`` means that derivative, and its callers are differentiated through
it.  Each case is checked by ``check_grads``: both modes against central
differences, and the dot-product test between them."""

from __future__ import annotations

import numpy as np
import pytest

import adxform
from adxform.diagnostics import DiagnosticError
from adxform.testing import check_grads
from helpers import directional_difference, load_module_from_text

INNER_STEP = '''import numpy as np
import numpy.typing as npt


def inner(w: np.ndarray, x: npt.NDArray[np.int64]) -> float:
    s = 0.0
    for i in range(w.shape[0]):
        s += np.sin(w[i] * x[i]) + w[i] ** 4
    return s


def outer(w: np.ndarray, x: npt.NDArray[np.int64], lr: float) -> float:
    w1 = w - lr * inner_grad(w, x)
    return inner(w1, x)
'''

TUPLE_GRADIENT = '''import numpy as np


def inner(w: np.ndarray, x: np.ndarray) -> float:
    return np.sum(np.sin(w * x)) + np.sum(w ** 4) * x[0]


def outer(w: np.ndarray, x: np.ndarray, lr: float) -> float:
    gw, gx = inner_grad(w, x)
    value, (hw, hx) = inner_value_and_grad(w - lr * gw, x)
    return value + np.sum(gx * hx)
'''

FORWARD_DERIVATIVE = '''import numpy as np


def g(x: np.ndarray) -> float:
    s = 0.0
    for i in range(x.shape[0]):
        s += np.sin(x[i]) * x[i]
    return s


def f(x: np.ndarray, v: np.ndarray) -> float:
    y, y_dot = g_jvp(x, v)
    return y_dot * y_dot + y
'''

WHILE_SOLVER = '''def settle(x: float, a: float) -> float:
    r = 1.0
    it = 0
    while it < 60:
        dr = (r * r * r - a * x) / (3.0 * r * r)
        r = r - dr
        it += 1
        if abs(dr) < 1e-15:
            break
    return r * r + x * a


def descend(x: float, a: float, lr: float) -> float:
    gx, ga = settle_grad(x, a)
    x1 = x - lr * gx
    gx1, ga1 = settle_grad(x1, a)
    return settle(x1 - lr * gx1, a) + ga * ga1
'''


SCALAR_VJP = '''def g(x: float, a: float) -> float:
    return x * x * x * a + a * a


def f(x: float, a: float, c: float) -> float:
    y, x_bar, a_bar = g_vjp(x, a, c)
    return y + x_bar * x_bar - a_bar
'''


TAPED_VJP = '''import numpy as np


def g(x: np.ndarray, a: float) -> float:
    s = 0.0
    for i in range(x.shape[0]):
        s = np.sin(s * a + x[i])
    return s


def f(x: np.ndarray, a: float) -> float:
    value, x_bar, a_bar = g_vjp(x, a, 1.5)
    return value * a_bar + np.sum(x_bar * x_bar)
'''


def _modules(source: str, name: str, tmp_path):
    return [load_module_from_text(adxform.transform(source, mode, jit="none", functions=[name]),
                                  tmp_path / f"{name}_{mode}.py") for mode in ("forward", "reverse")]


def test_inner_gradient_step(tmp_path):
    """The issue's example: an objective that takes a gradient step inside."""
    rng = np.random.default_rng(1)
    args = (rng.uniform(-1, 1, 5), rng.integers(1, 4, 5), 0.1)
    check_grads(_modules(INNER_STEP, "outer", tmp_path), "outer", args)


def test_tuple_gradient_and_value_and_grad(tmp_path):
    rng = np.random.default_rng(2)
    args = (rng.uniform(-1, 1, 4), rng.uniform(0.5, 1.5, 4), 0.2)
    check_grads(_modules(TUPLE_GRADIENT, "outer", tmp_path), "outer", args)


def test_derivative_of_a_forward_derivative(tmp_path):
    rng = np.random.default_rng(3)
    args = (rng.uniform(-1, 1, 4), rng.uniform(-1, 1, 4))
    check_grads(_modules(FORWARD_DERIVATIVE, "f", tmp_path), "f", args)


def test_a_vjp_without_tapes_in_both_modes(tmp_path):
    """Reverse mode goes through g_vjp itself where g's reverse code keeps
    no tape (scalar code): reverse over reverse."""
    check_grads(_modules(SCALAR_VJP, "f", tmp_path), "f", (0.7, 1.3, 0.4))


def test_a_vjp_with_a_tape_in_both_modes(tmp_path):
    """Where g's reverse code keeps a tape (a value overwritten in a loop),
    reverse mode over g_vjp differentiates its pushes and pops too."""
    rng = np.random.default_rng(4)
    check_grads(_modules(TAPED_VJP, "f", tmp_path), "f", (rng.uniform(-1, 1, 5), 0.7))


def test_while_solver_through_its_gradient(tmp_path):
    check_grads(_modules(WHILE_SOLVER, "descend", tmp_path), "descend", (0.8, 1.3, 0.05))


def test_hvp_through_a_nested_gradient(tmp_path):
    """Third order: adxform hvp of an objective that calls a gradient."""
    mod = load_module_from_text(adxform.transform(WHILE_SOLVER, "hvp", jit="none", functions=["descend"]),
                                tmp_path / "descend_hvp.py")
    args = [0.8, 1.3, 0.05]
    hessian = mod.descend_hessian(*args)
    for j in range(3):
        unit = [0.0, 0.0, 0.0]
        unit[j] = 1.0
        column = directional_difference(lambda *a: mod.descend_value_and_grad(*a)[1], args, [0, 1, 2], unit)[0]
        np.testing.assert_allclose(hessian[:, j], np.array(column), rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(hessian, hessian.T, rtol=1e-10, atol=1e-14)


def test_a_derivative_called_inside_its_own_function_is_recursion():
    source = "def g(x: float) -> float:\n    return x * g_grad(x)\n"
    with pytest.raises(DiagnosticError) as err:
        adxform.transform(source, "reverse")
    assert "[recursion]" in err.value.render()


def test_a_users_function_named_like_a_derivative_is_a_clash():
    source = "def g(x: float) -> float:\n    return x * x\n\n\ndef g_grad(x: float) -> float:\n    return 2.0 * x\n"
    with pytest.raises(DiagnosticError) as err:
        adxform.transform(source, "reverse")
    text = err.value.render()
    assert "<string>:5:5: error: 'g_grad' is the name adxform gives a derivative of 'g'" in text
    assert "[name-clash]" in text
