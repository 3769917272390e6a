"""Reverse mode against the numba-compiled primal: a table of
case, primal time, gradient time, ratio, tape bytes and peak memory.

Each case generates the reverse module of its source (CASES),
then times the numba primal and `f_grad` (median of REPEATS runs after a
warm-up call that compiles).  Memory is the growth of the process's peak
resident set while the gradient runs, measured in a fresh worker process
per case (after the primal ran, so numba and the inputs are already in):
it bounds the tape and the adjoint arrays from above.  Tape bytes are
exact: the most the tapes hold at once, counted on the same inputs by the
module generated with ``--jit none``, whose tape helpers are plain Python
functions that ``TapeMeter`` wraps.

    python benchmarks/reverse.py            # all cases
    python benchmarks/reverse.py nbody      # some cases
"""

from __future__ import annotations

import importlib.util
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import weakref
from pathlib import Path

import numpy as np

import adxform

ROOT = Path(__file__).resolve().parent.parent
REPEATS = 5
# One BLAS thread, as the numba code around it has one: with more, a loaded
# machine made mlp_numpy's primal 36 times slower (0.22 -> 8 ms).
WORKER_ENV = {**os.environ, "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS", "1")}


def _gmm(rng: np.random.Generator, d: int, k: int, n: int) -> tuple:
    return (rng.standard_normal(k), rng.standard_normal((k, d)), 0.1 * rng.standard_normal((k, d + d * (d - 1) // 2)),
            rng.standard_normal((n, d)))


def _mlp(rng: np.random.Generator) -> tuple:
    x = rng.standard_normal((256, 32))
    labels = rng.integers(0, 10, 256)
    return (0.1 * rng.standard_normal((32, 64)), 0.1 * rng.standard_normal(64), 0.1 * rng.standard_normal((64, 10)),
            x, labels)


def _mlp_numpy(rng: np.random.Generator) -> tuple:
    x = rng.standard_normal((256, 32))
    onehot = np.eye(10)[rng.integers(0, 10, 256)]
    return (0.1 * rng.standard_normal((32, 64)), 0.1 * rng.standard_normal(64), 0.1 * rng.standard_normal((64, 10)),
            0.1 * rng.standard_normal(10), x, onehot)


def _lstm(rng: np.random.Generator) -> tuple:
    hidden, features, steps = 32, 16, 50
    return (0.2 * rng.standard_normal((4 * hidden, features)), 0.2 * rng.standard_normal((4 * hidden, hidden)),
            0.1 * rng.standard_normal(4 * hidden), rng.standard_normal((steps, features)), rng.standard_normal(hidden))


GOLDEN = ROOT / "golden"
MODELS = ROOT / "benchmarks" / "models.py"  # written as users write them: no annotations, temporaries kept

# case -> (source module, function, its arguments from a random generator)
CASES = {
    "rosenbrock": (GOLDEN / "rosenbrock" / "rosenbrock.py", "rosenbrock", lambda rng: (rng.uniform(-1, 1, 10**6),)),
    "nbody": (GOLDEN / "nbody" / "nbody.py", "energy",
              lambda rng: (rng.uniform(-10, 10, (1000, 3)), rng.uniform(0.5, 1.5, 1000), 0.1)),
    "lorenz96": (GOLDEN / "lorenz96" / "lorenz96.py", "final_energy",
                 lambda rng: (8.0 + rng.uniform(-1, 1, 40), 0.005, 2000)),
    "mlp": (GOLDEN / "mlp" / "mlp.py", "mlp_loss", _mlp),
    "heat_slices": (GOLDEN / "heat_slices" / "heat_slices.py", "heat_slices",
                    lambda rng: (rng.uniform(0, 1, 1000), 0.2, 1000)),
    "mlp_numpy": (GOLDEN / "mlp_numpy" / "mlp_numpy.py", "mlp_numpy_loss", _mlp_numpy),
    "lstm": (ROOT / "tests" / "corpus" / "models.py", "lstm_matmul", _lstm),
    "gmm_small": (MODELS, "gmm_loglik", lambda rng: _gmm(rng, 10, 5, 1000)),
    "gmm_large": (MODELS, "gmm_loglik", lambda rng: _gmm(rng, 64, 25, 1000)),
    "least_squares": (MODELS, "least_squares", lambda rng: (rng.standard_normal((128, 4096)),
                                                            rng.standard_normal(4096), rng.standard_normal(128))),
    "rk4_small": (MODELS, "rk4_ode", lambda rng: (rng.standard_normal(1000), 0.5, 0.01, 10)),
    "rk4_large": (MODELS, "rk4_ode", lambda rng: (rng.standard_normal(10**4), 0.5, 0.01, 100)),
    "burgers": (MODELS, "burgers",
                lambda rng: (0.5 + 0.3 * np.sin(np.linspace(0, 2 * np.pi, 1000)), 0.01, 1e-4, 0.01, 4000)),
    "rosenbrock_temps": (MODELS, "rosenbrock_temps", lambda rng: (rng.uniform(-1, 1, 10**6),)),
    "lorenz96_user": (MODELS, "lorenz96", lambda rng: (8.0 + rng.uniform(-1, 1, 40), 0.005, 20000)),
    "lorenz96_ckpt": (MODELS, "lorenz96_checkpointed", lambda rng: (8.0 + rng.uniform(-1, 1, 40), 0.005, 20000)),
}


def _inputs(case: str) -> tuple[str, tuple]:
    """The function to differentiate and its arguments."""
    _, name, arguments = CASES[case]
    return name, arguments(np.random.default_rng(0))


def _module(case: str, folder: Path, jit: str = "numba"):
    source = CASES[case][0]
    out = folder / f"{case}_bench_{jit}_vjp.py"
    out.write_text(adxform.transform(source.read_text(), "reverse", filename=source.name, jit=jit))
    spec = importlib.util.spec_from_file_location(out.stem, out)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _median_time(func, args) -> float:
    """The functions of these cases do not write into their arguments, so
    every run gets the same ones (as an optimiser's loop would)."""
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        func(*args)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


class TapeMeter:
    """The high-water mark of the bytes on the tapes of a ``--jit none``
    module: every push reports its tape and new top, and the tapes alive at
    that moment are summed (a tape dies with the call that made it, or when
    it grows into a bigger copy).  Pops are inline code and report nothing,
    so a tape popped since its last push counts at that push's height: the
    mark is exact where the peak comes at the end of a forward sweep, and
    an upper bound otherwise."""

    PUSHES = ("_tape_push", "_tape_put", "_tape_push_array")

    def __init__(self, module):
        self.live: dict[int, int] = {}  # id(tape) -> the bytes it holds
        self.peak = 0
        for name in self.PUSHES:
            if hasattr(module, name):
                setattr(module, name, self._wrap(getattr(module, name)))

    def _wrap(self, push):
        def counted(tape, top, value):
            out = push(tape, top, value)
            grown, top = out if isinstance(out, tuple) else (tape, out)
            if grown is not tape:  # the caller drops the old tape as soon as this returns
                self.live.pop(id(tape), None)
            self._record(grown, top)
            return out
        return counted

    def _record(self, tape: np.ndarray, top: int) -> None:
        key = id(tape)
        if key not in self.live:
            weakref.finalize(tape, self.live.pop, key, None)
        self.live[key] = top * tape.itemsize
        self.peak = max(self.peak, sum(self.live.values()))


def tape_bytes(case: str, folder: Path) -> int:
    module = _module(case, folder, jit="none")
    meter = TapeMeter(module)
    name, args = _inputs(case)
    getattr(module, f"{name}_grad")(*args)
    return meter.peak


def _peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def worker(case: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("NUMBA_CACHE_DIR", tmp)
        module = _module(case, Path(tmp))
        name, args = _inputs(case)
        primal, grad = getattr(module, name), getattr(module, f"{name}_grad")
        primal(*args)
        primal_time = _median_time(primal, args)
        grad(*[a[:2].copy() if isinstance(a, np.ndarray) and a.ndim == 1 and a.size > 10**5 else a
               for a in args])  # compiles (on a short vector where that is all the input: rosenbrock)
        before = _peak_rss_bytes()
        grad(*args)
        growth = _peak_rss_bytes() - before
        grad_time = _median_time(grad, args)
        tape = tape_bytes(case, Path(tmp))
    return {"case": case, "primal": primal_time, "grad": grad_time, "memory": growth, "tape": tape}


def main(argv: list[str]) -> None:
    if argv[:1] == ["--worker"]:
        print(json.dumps(worker(argv[1])))
        return
    cases = argv or list(CASES)
    print(f"{'case':<12} {'primal (s)':>11} {'grad (s)':>11} {'ratio':>7} {'tape':>11} {'peak memory growth':>19}")
    for case in cases:
        out = subprocess.run([sys.executable, __file__, "--worker", case], check=True, capture_output=True, text=True,
                             env=WORKER_ENV)
        row = json.loads(out.stdout.strip().splitlines()[-1])
        ratio = row["grad"] / row["primal"]
        print(f"{row['case']:<12} {row['primal']:>11.5f} {row['grad']:>11.5f} {ratio:>7.2f} "
              f"{row['tape'] / 2**20:>8.2f} MB {row['memory'] / 2**20:>16.1f} MB", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
