"""Types of code written without annotations (issue 11), beyond what the
corpus module tests/corpus/unannotated.py checks numerically in both modes:
the names of the specialised copies of a helper, which public functions
keep their own copy, and the exact gradients the issue reports as wrong."""

from __future__ import annotations

from pathlib import Path

import adxform
import numpy as np
import pytest
from adxform.diagnostics import DiagnosticError
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
    assert "def sq__a(a" in text and "def sq__f(a" in text
    assert "sq__a(x)" in text and "sq__f(s)" in text
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
