"""The two corpus functions whose batched gradients (``--target cuda``) the
GPU tests check against their CPU ``f_grad``: (source, function, a row of
inputs, whether the function takes the row as one array or as its float
arguments)."""

from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]

BATCHED = [
    (ROOT / "golden" / "rosenbrock" / "rosenbrock.py", "rosenbrock", lambda rng: rng.uniform(-1.5, 1.5, 12), True),
    (ROOT / "tests" / "corpus" / "scalars.py", "trig_mix", lambda rng: rng.uniform(0.2, 1.2, 2), False),
]


def rows(make_row, count: int, rng: np.random.Generator) -> np.ndarray:
    return np.stack([make_row(rng) for _ in range(count)])
