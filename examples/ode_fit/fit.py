"""Fit the Lotka-Volterra model of model.py to noisy observations with
scipy's L-BFGS-B and the gradient adxform generates.

The script writes the gradient module of ``misfit`` (with respect to the
parameters ``theta`` and the initial state ``u0``) into a temporary folder, checks
it once against finite differences, fits, and draws the data, the true
and the fitted trajectories:

    python examples/ode_fit/fit.py                 # writes docs/img/ode_fit.png
    python examples/ode_fit/fit.py --small -o FILE # a short run, as the tests do
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

import adxform
from adxform.testing import check_grads

HERE = Path(__file__).resolve().parent
FIGURE = HERE.parent.parent / "docs" / "img" / "ode_fit.png"
TRUE_THETA = np.array([1.1, 0.4, 0.4, 0.1])  # alpha, beta, gamma, delta
TRUE_U0 = np.array([10.0, 5.0])  # prey, predators
NOISE = 0.5


@dataclass
class Size:
    observations: int  # one every `substeps` steps
    substeps: int
    dt: float


FULL = Size(observations=40, substeps=50, dt=0.01)  # 20 time units, 2000 RK4 steps
SMALL = Size(observations=20, substeps=10, dt=0.05)  # 10 time units, 200 steps


def load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def gradient_module(folder: Path, jit: str):
    """Write and import the reverse-mode module of ``misfit``."""
    out = folder / f"model_grad_{jit}.py"
    adxform.generate(HERE / "model.py", "reverse", out, functions=["misfit"], wrt=["theta", "u0"], jit=jit)
    return load(out, out.stem)


def observations(model, size: Size, rng: np.random.Generator) -> np.ndarray:
    states = np.zeros((size.observations * size.substeps + 1, 2))
    model.trajectory(TRUE_THETA, TRUE_U0, size.dt, states)
    clean = states[size.substeps::size.substeps]
    return clean + NOISE * rng.standard_normal(clean.shape)


def fit(grad, data: np.ndarray, size: Size) -> tuple[np.ndarray, np.ndarray, object]:
    """L-BFGS from a guess 20-25 % off.  The unknowns are the logarithms of
    the parameters and of the initial state, all positive: a step of the
    optimiser is then a relative change, of the same scale for each.  Each
    unknown is kept within a factor of 3 of the guess: without bounds, the
    first steps reach parameters whose trajectories overflow."""
    def value_and_grad(q):
        p = np.exp(q)
        loss, (theta_bar, u0_bar) = grad.misfit_value_and_grad(p[:4], p[4:], data, size.dt, size.substeps)
        return loss, np.concatenate([theta_bar, u0_bar]) * p  # the chain rule through exp

    guess = np.concatenate([TRUE_THETA * [1.2, 0.8, 1.2, 1.25], TRUE_U0 * [0.8, 1.2]])
    bounds = [(q - np.log(3.0), q + np.log(3.0)) for q in np.log(guess)]
    result = minimize(value_and_grad, np.log(guess), jac=True, method="L-BFGS-B", bounds=bounds,
                      options={"maxiter": 500, "ftol": 1e-12, "gtol": 1e-8})
    p = np.exp(result.x)
    return p[:4], p[4:], result


def draw(model, data, theta, u0, size: Size, figure: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    steps = size.observations * size.substeps
    t = size.dt * np.arange(steps + 1)
    fitted, true = np.zeros((steps + 1, 2)), np.zeros((steps + 1, 2))
    model.trajectory(theta, u0, size.dt, fitted)
    model.trajectory(TRUE_THETA, TRUE_U0, size.dt, true)
    t_obs = t[size.substeps::size.substeps]
    fig, ax = plt.subplots(figsize=(8.5, 3.6), layout="constrained")
    for k, (label, colour) in enumerate((("prey", "tab:blue"), ("predators", "tab:red"))):
        ax.plot(t_obs, data[:, k], "o", color=colour, ms=4, label=f"{label}: observations")
        ax.plot(t, fitted[:, k], "-", color=colour, label=f"{label}: fitted")
        ax.plot(t, true[:, k], ":", color="black", lw=1, label="true" if k == 0 else None)
    ax.set_xlabel("time")
    ax.set_ylabel("population")
    ax.set_title("Lotka-Volterra parameters and initial state fitted by L-BFGS-B with adxform's gradient",
                 fontsize=9)
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5))
    figure.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(figure, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="a short run (the tests' size)")
    parser.add_argument("--jit", choices=["numba", "none"], default="numba")
    parser.add_argument("-o", "--output", type=Path, default=FIGURE, help="the figure to write")
    args = parser.parse_args(argv)
    size = SMALL if args.small else FULL
    model = load(HERE / "model.py", "lotka_volterra")
    data = observations(model, size, np.random.default_rng(1))
    with tempfile.TemporaryDirectory() as folder:
        grad = gradient_module(Path(folder), args.jit)
        return run(model, grad, data, size, args.output)


def run(model, grad, data: np.ndarray, size: Size, figure: Path) -> dict:
    """Check the gradient (check_grads raises when it is wrong), fit, draw."""
    check_grads(grad, "misfit", [TRUE_THETA, TRUE_U0, data, size.dt, size.substeps], wrt=["theta", "u0"])
    print("the gradient agrees with finite differences")
    grad.misfit_value_and_grad(TRUE_THETA, TRUE_U0, data, size.dt, size.substeps)  # compiles, outside the timing
    start = time.perf_counter()
    theta, u0, result = fit(grad, data, size)
    seconds = time.perf_counter() - start
    print(f"L-BFGS-B: {result.nit} iterations, {result.nfev} gradient evaluations, {seconds:.2f} s "
          f"({result.message})")
    for name, got, true in zip(("alpha", "beta", "gamma", "delta", "prey(0)", "predators(0)"),
                               np.concatenate([theta, u0]), np.concatenate([TRUE_THETA, TRUE_U0])):
        print(f"  {name:<13} fitted {got:8.4f}   true {true:8.4f}")
    draw(model, data, theta, u0, size, figure)
    print(f"wrote {figure}")
    return {"theta": theta, "u0": u0, "result": result}


if __name__ == "__main__":
    main(sys.argv[1:])
