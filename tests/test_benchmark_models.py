"""The models of benchmarks/models.py (written as users write them: no
annotations, temporaries, counters, work arrays, helpers) at small sizes:
both modes against finite differences and each other (adxform.testing),
with numba and without."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from helpers import load_module_from_text

import adxform
from adxform.testing import check_grads

MODELS = Path(__file__).resolve().parent.parent / "benchmarks" / "models.py"


def _gmm(rng: np.random.Generator) -> list:
    d, k, n = 4, 3, 5
    return [rng.standard_normal(k), rng.standard_normal((k, d)), 0.3 * rng.standard_normal((k, d + d * (d - 1) // 2)),
            rng.standard_normal((n, d))]


SMALL = {
    "gmm_loglik": _gmm,
    "least_squares": lambda rng: [rng.standard_normal((4, 6)), rng.standard_normal(6), rng.standard_normal(4)],
    "rk4_ode": lambda rng: [0.5 * rng.standard_normal(6), 0.3, 0.1, 5],
    # u stays positive: the upwind branch does not switch
    "burgers": lambda rng: [0.5 + 0.3 * np.sin(np.linspace(0.0, 6.0, 12)), 0.05, 0.01, 0.2, 6],
    "rosenbrock_temps": lambda rng: [rng.uniform(-1.0, 1.0, 9)],
    "lorenz96": lambda rng: [8.0 + rng.uniform(-1.0, 1.0, 8), 0.01, 12],
    "lorenz96_checkpointed": lambda rng: [8.0 + rng.uniform(-1.0, 1.0, 8), 0.01, 12],
}


@pytest.fixture(scope="module", params=["none", "numba"])
def modules(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"models_{request.param}")
    source = MODELS.read_text()
    return [load_module_from_text(adxform.transform(source, mode, filename="models.py", jit=request.param),
                                  folder / f"models_{suffix}.py") for mode, suffix in (("reverse", "vjp"), ("forward", "jvp"))]


@pytest.mark.parametrize("name", sorted(SMALL))
def test_model_gradients(modules, name):
    check_grads(modules, name, SMALL[name](np.random.default_rng(0)))
