"""Hessian-vector products against gradients: a table of case, gradient
time, HVP time and their ratio, for models of benchmarks/reverse.py.

Each case generates the reverse module (``f_grad``) and the hvp module
(``f_hvp``, forward over reverse) of its source, compiled by numba, and
times both (median of REPEATS runs after a warm-up call that compiles).
An HVP carries a tangent beside every value of the gradient's forward and
reverse sweeps, so theory puts its cost at two to four gradients.

    python benchmarks/hvp.py               # the default cases
    python benchmarks/hvp.py mlp gmm_small # some cases of benchmarks/reverse.py
"""

from __future__ import annotations

import importlib.util
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import adxform

REPEATS = 5
DEFAULT = ["mlp", "gmm_small", "lorenz96_ckpt"]


def _load(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _generated(text: str, path: Path):
    path.write_text(text)
    return _load(path)


REVERSE = _load(Path(__file__).resolve().parent / "reverse.py")  # its cases and inputs


def _median_time(call) -> float:
    call()  # compiles
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(case: str, directory: Path) -> tuple[float, float]:
    """(gradient seconds, HVP seconds) of ``case``."""
    source = REVERSE.CASES[case][0]
    name, args = REVERSE._inputs(case)
    text = source.read_text()
    grad = _generated(adxform.transform(text, "reverse", filename=source.name), directory / f"{case}_grad.py")
    hvp = _generated(adxform.transform(text, "hvp", filename=source.name), directory / f"{case}_hvp.py")
    floats = [a for a in args if isinstance(a, float) or isinstance(a, np.ndarray) and a.dtype.kind == "f"]
    rng = np.random.default_rng(1)
    directions = [rng.standard_normal(a.shape) if isinstance(a, np.ndarray) else float(rng.standard_normal())
                  for a in floats]
    gradient = _median_time(lambda: getattr(grad, f"{name}_grad")(*args))
    product = _median_time(lambda: getattr(hvp, f"{name}_hvp")(*args, *directions))
    return gradient, product


def main(cases: list[str]) -> None:
    print(f"{'case':<16} {'gradient':>12} {'hvp':>12} {'hvp/gradient':>13}")
    with tempfile.TemporaryDirectory() as tmp:
        for case in cases:
            gradient, product = measure(case, Path(tmp))
            print(f"{case:<16} {gradient * 1e3:>10.3f}ms {product * 1e3:>10.3f}ms {product / gradient:>13.2f}")


if __name__ == "__main__":
    main(sys.argv[1:] or DEFAULT)
