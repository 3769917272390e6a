"""Stochastic Hessian-free Newton-CG against gradient descent, on the
logistic-regression loss of ``logistic.py``.

The script writes the hvp module of the loss (``adxform hvp``, with respect
to ``w`` and ``b``) into a temporary folder and imports it.  Each
Newton-CG step solves ``(H_batch + damping I) d = -g`` by a few conjugate
gradient iterations, where ``g`` is the full gradient and every product
with ``H_batch``, the Hessian on a random mini-batch, is one ``loss_hvp``
call (Martens 2010; Byrd et al. 2011): the Hessian is never formed.  A
backtracking line search on the full loss keeps each step a descent.
Gradient descent takes steps of 1/L with L a bound on the curvature.  The
loss per iteration of both goes to ``loss.png`` (with matplotlib) and to
standard output.

    python examples/newton_cg/run.py            # n = 4000 samples, d = 50 features
    python examples/newton_cg/run.py --small    # what the tests run
"""
from __future__ import annotations

import argparse
import importlib.util
import tempfile
from pathlib import Path

import numpy as np

import adxform

HERE = Path(__file__).resolve().parent
LAM = 1e-3


def hvp_module(folder: Path, jit: str):
    source = HERE / "logistic.py"
    out = folder / "logistic_hvp.py"
    out.write_text(adxform.transform(source.read_text(), "hvp", filename=source.name, wrt=["w", "b"], jit=jit))
    spec = importlib.util.spec_from_file_location(out.stem, out)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def data(n: int, d: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Features of unequal scales (an ill-conditioned problem, where
    curvature pays) and labels +-1 from a noisy linear rule."""
    x = rng.standard_normal((n, d)) * np.logspace(0, 1.5, d)
    truth = rng.standard_normal(d) / np.logspace(0, 1.5, d)
    y = np.where(x @ truth + 0.5 * rng.standard_normal(n) > 0.0, 1.0, -1.0)
    return x, y


def newton_cg(m, x, y, iterations: int, batch: int, cg_steps: int, rng) -> list[float]:
    w, b = np.zeros(x.shape[1]), 0.0
    losses = [m.loss(w, b, x, y, LAM)]
    for _ in range(iterations):
        _, (gw, gb) = m.loss_value_and_grad(w, b, x, y, LAM)
        rows = rng.choice(x.shape[0], batch, replace=False)
        xb, yb = x[rows], y[rows]

        def product(vw: np.ndarray, vb: float) -> tuple[np.ndarray, float]:
            hv = m.loss_hvp(w, b, xb, yb, LAM, vw, vb)
            return hv[3] + 1e-4 * vw, hv[4] + 1e-4 * vb

        # conjugate gradients on (H + damping) d = -g, from d = 0
        dw, db = np.zeros_like(w), 0.0
        rw, rb = -gw, -gb
        pw, pb = rw.copy(), rb
        rr = rw @ rw + rb * rb
        for _ in range(cg_steps):
            qw, qb = product(pw, pb)
            alpha = rr / (pw @ qw + pb * qb)
            dw, db = dw + alpha * pw, db + alpha * pb
            rw, rb = rw - alpha * qw, rb - alpha * qb
            rr_new = rw @ rw + rb * rb
            pw, pb = rw + (rr_new / rr) * pw, rb + (rr_new / rr) * pb
            rr = rr_new
        # backtracking: a mini-batch Hessian can underestimate the curvature and overshoot
        t, current = 1.0, losses[-1]
        while m.loss(w + t * dw, b + t * db, x, y, LAM) > current and t > 1e-6:
            t *= 0.5
        w, b = w + t * dw, b + t * db
        losses.append(m.loss(w, b, x, y, LAM))
    return losses


def gradient_descent(m, x, y, iterations: int) -> list[float]:
    step = 1.0 / (0.25 * np.max(np.sum(x * x, axis=1)) + LAM)  # 1/L: the logistic curvature is at most 1/4
    w, b = np.zeros(x.shape[1]), 0.0
    losses = [m.loss(w, b, x, y, LAM)]
    for _ in range(iterations):
        _, (gw, gb) = m.loss_value_and_grad(w, b, x, y, LAM)
        w, b = w - step * gw, b - step * gb
        losses.append(m.loss(w, b, x, y, LAM))
    return losses


def run(small: bool, jit: str = "none") -> tuple[list[float], list[float]]:
    """The losses of Newton-CG and of gradient descent, per iteration."""
    rng = np.random.default_rng(0)
    n, d, iterations = (400, 10, 8) if small else (4000, 50, 20)
    x, y = data(n, d, rng)
    with tempfile.TemporaryDirectory() as tmp:
        m = hvp_module(Path(tmp), jit)
        return (newton_cg(m, x, y, iterations, batch=n // 10, cg_steps=10, rng=rng),
                gradient_descent(m, x, y, iterations))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", action="store_true", help="a small problem, as the tests run it")
    parser.add_argument("--jit", choices=("none", "numba"), default="none")
    args = parser.parse_args()
    newton, descent = run(args.small, args.jit)
    print(f"{'iteration':>9} {'Newton-CG':>12} {'gradient descent':>17}")
    for k, (a, c) in enumerate(zip(newton, descent)):
        print(f"{k:>9} {a:>12.6f} {c:>17.6f}")
    try:
        import matplotlib
    except ImportError:
        print("matplotlib is not installed: no plot")
        return
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    ax.semilogy(newton, "o-", label="stochastic Newton-CG (f_hvp on mini-batches)")
    ax.semilogy(descent, "s-", label="gradient descent")
    ax.set_xlabel("iteration")
    ax.set_ylabel("loss")
    ax.set_title("Logistic regression")
    ax.legend()
    fig.tight_layout()
    fig.savefig(HERE / "loss.png", dpi=120)
    print(f"wrote {HERE / 'loss.png'}")


if __name__ == "__main__":
    main()
