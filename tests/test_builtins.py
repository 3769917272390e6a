"""Tuple parameters in reverse mode, loops over the rows of a matrix, and
positions on every diagnostic (issue 11, items 6-8).

The builtins and spellings themselves (``pow``, ``np.multiply``, ``max(a,
b, c)``, ``np.newaxis``, ``for a in x``, ``enumerate``, ``zip``) are
checked on the corpus (tests/corpus/spellings.py) and in the rule rows of
tests/test_rules.py (``np.array``, ``abs`` of an array, which numba does not
compile in a primal).
"""

from __future__ import annotations

import adxform
import numpy as np
import pytest
from adxform import ir
from adxform.diagnostics import Reporter
from helpers import load_module_from_text

JITS = ["numba", "none"]

TUPLES = '''\
import numpy as np


def unpacked(t: tuple[float, float], x: float) -> float:
    a, b = t
    return a * b * x + np.sin(a)


def indexed(t: tuple[float, int, float], x: float) -> float:
    c = t[0] * x + t[-1]
    return c * t[1] + t[0] * t[2]
'''


@pytest.mark.parametrize("jit", JITS)
def test_tuple_parameter_adjoint_is_a_tuple(tmp_path, jit):
    """The adjoint of a tuple parameter is the tuple of its items' adjoints
    (0.0 for an int item), against central differences and, by the
    dot-product test, against the tangent forward mode takes for it."""
    rev = load_module_from_text(adxform.transform(TUPLES, "reverse", filename="m.py", jit=jit),
                                tmp_path / f"tuples_{jit}_vjp.py")
    fwd = load_module_from_text(adxform.transform(TUPLES, "forward", filename="m.py", jit=jit),
                                tmp_path / f"tuples_{jit}_jvp.py")
    h = 1e-6
    for name, t, floats in (("unpacked", (0.7, -1.3), (0, 1)), ("indexed", (0.4, 3, 1.1), (0, 2))):
        f = getattr(rev, name)
        x, w = 0.9, 1.7
        value, t_bar, x_bar = getattr(rev, f"{name}_vjp")(t, x, w)
        assert value == pytest.approx(f(t, x), rel=1e-14)
        assert isinstance(t_bar, tuple) and len(t_bar) == len(t)
        for k in range(len(t)):
            if k not in floats:
                assert t_bar[k] == 0.0
                continue
            plus, minus = list(t), list(t)
            plus[k] += h
            minus[k] -= h
            expected = w * (f(tuple(plus), x) - f(tuple(minus), x)) / (2 * h)
            assert t_bar[k] == pytest.approx(expected, rel=1e-6)
        assert x_bar == pytest.approx(w * (f(t, x + h) - f(t, x - h)) / (2 * h), rel=1e-6)
        t_dot = tuple(0.3 - 0.5 * k if k in floats else 0.0 for k in range(len(t)))
        x_dot = -0.8
        _, y_dot = getattr(fwd, f"{name}_jvp")(t, x, t_dot, x_dot)
        assert y_dot * w == pytest.approx(sum(a * b for a, b in zip(t_dot, t_bar)) + x_dot * x_bar, rel=1e-12)


ROWS = '''\
import numpy as np


def rows(m: np.ndarray, w: np.ndarray) -> float:
    s = 0.0
    for row in m:
        s += np.sum(np.tanh(row * w)) * row[1]
    return s
'''


@pytest.mark.parametrize("jit", JITS)
def test_loop_over_the_rows_of_a_matrix(tmp_path, jit):
    """``for row in m`` over a matrix: ``row[1]`` shows ``m`` has two
    dimensions, so ``row`` is a row, a view of ``m``, bound again in each
    reversed iteration with its adjoint the same row of ``m_bar``; both
    modes against central differences and each other.  (The corpus has
    the same function: spellings.loop_over_rows.)"""
    fwd = load_module_from_text(adxform.transform(ROWS, "forward", filename="m.py", jit=jit),
                                tmp_path / f"rows_{jit}_jvp.py")
    text = adxform.transform(ROWS, "reverse", filename="m.py", jit=jit)
    rev = load_module_from_text(text, tmp_path / f"rows_{jit}_vjp.py")
    rng = np.random.default_rng(3)
    m, w = rng.uniform(-1.0, 1.0, (4, 3)), rng.uniform(-1.0, 1.0, 3)
    m_dot, w_dot = rng.standard_normal((4, 3)), rng.standard_normal(3)
    value, tangent = fwd.rows_jvp(m, w, m_dot, w_dot)
    h = 1e-6
    expected = (fwd.rows(m + h * m_dot, w + h * w_dot) - fwd.rows(m - h * m_dot, w - h * w_dot)) / (2 * h)
    assert value == pytest.approx(fwd.rows(m, w), rel=1e-14)
    assert tangent == pytest.approx(expected, rel=1e-6)
    m_bar, w_bar = rev.rows_grad(m, w)
    assert np.sum(m_bar * m_dot) + np.sum(w_bar * w_dot) == pytest.approx(tangent, rel=1e-12)
    assert "row_bar = m_bar[_k]" in text
REFUSED_IN_REVERSE = {
    # what reverse mode refuses, each with its position (line, column) and a word of its message
    "subscript of a subscript": ("def f(x: np.ndarray) -> float:\n    h = np.zeros((2, 3))\n"
                                 "    h[0][1] = x[0]\n    return np.sum(h)\n", (6, 5), "subscript of a subscript"),
    "local tuple": ("def f(x: float, y: float) -> float:\n    p = (x, y)\n    a, b = p\n    return a * b\n",
                    (6, 12), "local tuple 'p'"),
    "array in a tuple": ("def f(t: tuple[np.ndarray, float]) -> float:\n    a, b = t\n    return np.sum(a) * b\n",
                         (5, 12), "array held in the tuple 't'"),
    "row written into in a loop": ("def f(m: np.ndarray, w: np.ndarray) -> float:\n    s = 0.0\n    for row in m:\n"
                                   "        row += w * row[0]\n        s += np.sum(row * row)\n    return s\n",
                                   (6, 9), "rebinding the array 'row'"),
    "tuple at a variable index": ("def f(t: tuple[float, float], i: int) -> float:\n    return t[i] * 2.0\n",
                                  (5, 12), "not a constant"),
}


@pytest.mark.parametrize("name", REFUSED_IN_REVERSE)
def test_reverse_refusals_point_into_the_source(name):
    body, (line, col), words = REFUSED_IN_REVERSE[name]
    with pytest.raises(adxform.DiagnosticError) as err:
        adxform.transform("import numpy as np\n\n\n" + body, "reverse", filename="m.py")
    first = err.value.diagnostics[0]
    assert (first.line, first.col, first.code) == (line, col, "unsupported-reverse") and words in first.message


def test_a_diagnostic_without_a_position_is_a_bug():
    """A pass that builds a node without a position and reports on it trips
    the reporter's assertion, instead of printing ``m.py:0:0``."""
    with pytest.raises(AssertionError, match="without a position"):
        Reporter("m.py", "").error(ir.NOPOS, "something", "some-code")


def test_the_hidden_index_of_a_loop_over_an_array_is_a_fresh_name():
    """``for a in x`` loops over ``_k``, or ``_k2`` … where the function
    already uses that name; nested loops get names of their own."""
    source = ("import numpy as np\n\n\ndef f(x: np.ndarray, _k: float) -> float:\n    s = 0.0\n"
              "    for a in x:\n        for b in x:\n            s += a * b * _k\n    return s\n")
    text = adxform.transform(source, "forward", filename="m.py", jit="none")
    assert "for _k2 in range(x.shape[0]):" in text and "for _k3 in range(x.shape[0]):" in text
    assert text == adxform.transform(source, "forward", filename="m.py", jit="none")
