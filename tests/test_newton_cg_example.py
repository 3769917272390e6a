"""examples/newton_cg: the stochastic Newton-CG example runs at a small
size, beats gradient descent, and its Hessian-vector products equal the
closed form of the logistic-regression Hessian."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "newton_cg" / "run.py"


def _example():
    spec = importlib.util.spec_from_file_location("newton_cg_run", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_newton_cg_beats_gradient_descent():
    newton, descent = _example().run(small=True)
    assert len(newton) == len(descent) == 9
    assert newton[0] == descent[0]
    assert newton[-1] < 0.5 * newton[0] and newton[-1] < descent[-1]


def test_hvp_is_the_logistic_hessian(tmp_path):
    example = _example()
    m = example.hvp_module(tmp_path, "none")
    rng = np.random.default_rng(3)
    x, y = example.data(50, 4, rng)
    w, b, vw, vb = rng.standard_normal(4) * 0.1, 0.2, rng.standard_normal(4), 0.7
    value, gw, gb, hw, hb = m.loss_hvp(w, b, x, y, example.LAM, vw, vb)
    s = 1.0 / (1.0 + np.exp(-(x @ w + b)))
    weights = s * (1.0 - s) / x.shape[0]
    xs = np.hstack([x, np.ones((x.shape[0], 1))])
    hessian = xs.T @ (weights[:, None] * xs) + np.diag([example.LAM] * 4 + [0.0])
    expected = hessian @ np.append(vw, vb)
    np.testing.assert_allclose(np.append(hw, hb), expected, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(m.loss_hessian(w, b, x, y, example.LAM), hessian, rtol=1e-12, atol=1e-14)
