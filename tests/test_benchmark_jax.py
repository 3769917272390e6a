"""benchmarks/jax_models.py computes what the cases of
benchmarks/reverse.py compute: at small sizes, each JAX function's value
and ``jit_grad`` gradient against the case's adxform module (``--jit
none``; the golden, corpus and benchmark-model tests check those modules
against finite differences).  The plot of ``reverse.py --plot`` is drawn
from rows of two measured cases.  Skipped where jax is not installed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from helpers import import_path, load_module_from_text

import adxform

pytest.importorskip("jax", reason="jax is not installed (the jax extra)")

ROOT = Path(__file__).resolve().parent.parent
reverse = import_path(ROOT / "benchmarks" / "reverse.py")


def _gmm(rng: np.random.Generator) -> tuple:
    d, k, n = 4, 3, 5
    return (rng.standard_normal(k), rng.standard_normal((k, d)), 0.3 * rng.standard_normal((k, d + d * (d - 1) // 2)),
            rng.standard_normal((n, d)))


def _lorenz96(rng: np.random.Generator) -> tuple:
    return 8.0 + rng.uniform(-1.0, 1.0, 8), 0.01, 12


# case -> small arguments of the same kinds as the benchmark's
SMALL = {
    "rosenbrock": lambda rng: (rng.uniform(-1.0, 1.0, 9),),
    "nbody": lambda rng: (rng.uniform(-2.0, 2.0, (6, 3)), rng.uniform(0.5, 1.5, 6), 0.1),
    "lorenz96": _lorenz96,
    "mlp": lambda rng: (0.5 * rng.standard_normal((5, 4)), 0.5 * rng.standard_normal(4),
                        0.5 * rng.standard_normal((4, 3)), rng.standard_normal((6, 5)), rng.integers(0, 3, 6)),
    "heat_slices": lambda rng: (rng.uniform(0.0, 1.0, 10), 0.2, 5),
    "mlp_numpy": lambda rng: (0.5 * rng.standard_normal((5, 4)), 0.5 * rng.standard_normal(4),
                              0.5 * rng.standard_normal((4, 3)), 0.5 * rng.standard_normal(3),
                              rng.standard_normal((6, 5)), np.eye(3)[rng.integers(0, 3, 6)]),
    "lstm": lambda rng: (0.5 * rng.standard_normal((12, 2)), 0.5 * rng.standard_normal((12, 3)),
                         0.5 * rng.standard_normal(12), rng.standard_normal((4, 2)), rng.standard_normal(3)),
    "gmm_small": _gmm,
    "gmm_large": _gmm,
    "least_squares": lambda rng: (rng.standard_normal((4, 6)), rng.standard_normal(6), rng.standard_normal(4)),
    "rk4_small": lambda rng: (0.5 * rng.standard_normal(6), 0.3, 0.1, 5),
    "rk4_large": lambda rng: (0.5 * rng.standard_normal(6), 0.3, 0.1, 5),
    # u stays positive: the upwind branch does not switch
    "burgers": lambda rng: (0.5 + 0.3 * np.sin(np.linspace(0.0, 6.0, 12)), 0.05, 0.01, 0.2, 6),
    "rosenbrock_temps": lambda rng: (rng.uniform(-1.0, 1.0, 9),),
    "lorenz96_user": _lorenz96,
    "lorenz96_ckpt": _lorenz96,
}


def test_every_case_has_a_jax_model_and_small_arguments():
    assert set(reverse.jax_models.MODELS) == set(reverse.CASES) == set(SMALL)


@pytest.fixture(scope="module")
def adxform_modules(tmp_path_factory) -> dict:
    """The reverse module (plain Python) of each source the cases use."""
    folder = tmp_path_factory.mktemp("jax_cases")
    modules = {}
    for k, source in enumerate(sorted({source for source, _, _ in reverse.CASES.values()})):
        text = adxform.transform(source.read_text(), "reverse", filename=source.name, jit="none")
        modules[source] = load_module_from_text(text, folder / f"case_{k}_{source.stem}_vjp.py")
    return modules


@pytest.mark.parametrize("case", sorted(SMALL))
def test_jax_model_matches_the_case(case, adxform_modules):
    source, name, _ = reverse.CASES[case]
    module = adxform_modules[source]
    args = SMALL[case](np.random.default_rng(0))
    value = float(reverse.jax_models.jit_value(case, args)(*args))
    np.testing.assert_allclose(value, getattr(module, name)(*args), rtol=1e-12)
    gradient = reverse.jax_models.jit_grad(case, args)(*args)
    expected = getattr(module, f"{name}_grad")(*args)
    expected = expected if isinstance(expected, tuple) else (expected,)
    assert len(gradient) == len(expected)
    for got, want in zip(gradient, expected):
        np.testing.assert_allclose(np.asarray(got), want, rtol=1e-10, atol=1e-12 * np.max(np.abs(want)))
