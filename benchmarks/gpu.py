"""Every kernel of the GPU corpus (tests/gpu/kernels.py) on a real GPU:
correctness as in the simulator tests (the tangent kernel against central
finite differences, the dot-product test between tangent and adjoint
kernels), then the time of the adjoint and tangent kernels against the
primal's, on large inputs.

    python benchmarks/gpu.py            # every kernel
    python benchmarks/gpu.py dot euler  # some of them

Without a GPU (or without numba-cuda) it says so and exits 0; under the
simulator (NUMBA_ENABLE_CUDASIM=1) it runs the checks on small inputs only.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import adxform
from adxform.testing import import_path

ROOT = Path(__file__).resolve().parent.parent

SIZE = {"check": 150, "time": 1 << 22}
REPEATS = 20


def _generated(folder: Path) -> dict:
    source = (ROOT / "tests" / "gpu" / "kernels.py").read_text()
    out = {}
    for mode in ("forward", "reverse"):
        path = folder / f"gpu_kernels_{mode}.py"
        path.write_text(adxform.transform(source, mode, filename="kernels.py"))
        out[mode] = import_path(path)
    return out


def _check(case, kernels, generated, cuda) -> tuple[float, float]:
    """(worst relative error of the tangent against finite differences,
    relative gap of the dot-product test)."""
    from tests.gpu.harness import Harness, inner

    rng = np.random.default_rng(7)
    harness = Harness(case, kernels, generated["forward"], generated["reverse"], case.args(rng, SIZE["check"]),
                      to_device=cuda.to_device, to_host=lambda d: d.copy_to_host())
    v = harness.direction(rng)
    h = 1e-6
    fd = (harness.primal(harness.shifted(v, h)) - harness.primal(harness.shifted(v, -h))) / (2 * h)
    tangent = harness.jvp(v)
    fd_error = float(np.abs(tangent - fd).max() / max(1.0, np.abs(fd).max()))
    w = rng.standard_normal(tangent.size)
    left, right = float(tangent @ w), inner(v, harness.vjp(w))
    return fd_error, abs(left - right) / max(1.0, abs(left))


def _seconds(kernel, grid, args, cuda) -> float:
    kernel[grid](*args)  # compiles
    cuda.synchronize()
    start = time.perf_counter()
    for _ in range(REPEATS):
        kernel[grid](*args)
    cuda.synchronize()
    return (time.perf_counter() - start) / REPEATS


def _times(case, kernels, generated, cuda) -> tuple[float, float, float]:
    """Seconds per launch of the primal, the tangent and the adjoint kernel."""
    rng = np.random.default_rng(0)
    args = case.args(rng, SIZE["time"])
    grid = case.grid(args)
    device = [cuda.to_device(a) if isinstance(a, np.ndarray) else a for a in args]
    dots = [cuda.to_device(rng.standard_normal(a.shape)) if isinstance(a, np.ndarray) else 1.0 for a in args]
    bars = [cuda.to_device(rng.standard_normal(a.shape)) if isinstance(a, np.ndarray) else cuda.to_device(np.zeros(1))
            for a in args]
    return (_seconds(getattr(kernels, case.name), grid, device, cuda),
            _seconds(getattr(generated["forward"], case.name + "_jvp"), grid, device + dots, cuda),
            _seconds(getattr(generated["reverse"], case.name + "_vjp"), grid, device + bars, cuda))


def main(names: list[str]) -> int:
    if importlib.util.find_spec("numba_cuda") is None:
        print("numba-cuda is not installed (pip install -e '.[gpu]'): nothing to run")
        return 0
    from numba import cuda

    simulated = os.environ.get("NUMBA_ENABLE_CUDASIM") == "1"
    if not simulated and not cuda.is_available():
        print("no CUDA GPU here: nothing to run (the simulator tests are tests/test_gpu.py)")
        return 0
    sys.path.insert(0, str(ROOT))  # the corpus and its launch configurations live with the tests
    from tests.gpu import kernels
    from tests.gpu.cases import CASES

    cases = [c for c in CASES if not names or c.name in names]
    failed = 0
    with tempfile.TemporaryDirectory() as folder:
        generated = _generated(Path(folder))
        width = max([len("kernel")] + [len(case.name) for case in cases])
        print(f"{'kernel':<{width}} {'jvp vs fd':>10} {'dot test':>10} {'primal ms':>10} {'jvp/primal':>11} "
              f"{'vjp/primal':>11}")
        for case in cases:
            fd_error, gap = _check(case, kernels, generated, cuda)
            ok = fd_error < 1e-6 and gap < 1e-10
            failed += not ok
            row = f"{case.name:<{width}} {fd_error:>10.1e} {gap:>10.1e}"
            if not simulated:
                primal, jvp, vjp = _times(case, kernels, generated, cuda)
                row += f" {primal * 1e3:>10.3f} {jvp / primal:>11.2f} {vjp / primal:>11.2f}"
            print(row + ("" if ok else "   WRONG"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
