"""Reverse mode against the numba-compiled primal: a table of
case, primal time, gradient time, ratio, tape bytes and peak memory, and where ``jax`` is importable, JAX's
``jit(grad)`` time of the same function (benchmarks/jax_models.py) and its
ratio to the same numba primal.

Each case generates the reverse module of its source (CASES),
then times the numba primal and `f_grad` (median of REPEATS runs after a
warm-up call that compiles).  Memory is the growth of the process's peak
resident set while the gradient runs, measured in a fresh worker process
per case (after the primal ran, so numba and the inputs are already in):
it bounds the tape and the adjoint arrays from above.  Tape bytes are
exact: the most the tapes hold at once, counted on the same inputs by the
module generated with ``--jit none``, whose tape helpers are plain Python
functions that ``TapeMeter`` wraps.

    python benchmarks/reverse.py                    # all cases
    python benchmarks/reverse.py nbody              # some cases
    python benchmarks/reverse.py --plot ratios.png  # and draw grad/primal per case (matplotlib)
"""

from __future__ import annotations

import argparse
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


def _jax_models():
    """benchmarks/jax_models.py, imported by its path (this script is run
    from anywhere, and imported by the tests), or None where jax is not
    installed: then there is no JAX column."""
    if importlib.util.find_spec("jax") is None:
        return None
    spec = importlib.util.spec_from_file_location("jax_models", ROOT / "benchmarks" / "jax_models.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


jax_models = _jax_models()
REPEATS = 5
# One BLAS thread, as the numba code around it has one: with more, a loaded
# machine made mlp_numpy's primal 36 times slower (0.22 -> 8 ms).  JAX's CPU
# backend gets one thread too.
WORKER_ENV = {**os.environ, "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS", "1"),
              "XLA_FLAGS": os.environ.get("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false "
                                                      "intra_op_parallelism_threads=1")}


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
    every run gets the same ones (as an optimiser's loop would).  A JAX
    result is waited for: JAX returns before it has computed."""
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        out = func(*args)
        if jax_models is not None:
            jax_models.jax.block_until_ready(out)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def jax_grad_time(case: str, args: tuple) -> float:
    grad = jax_models.jit_grad(case, args)
    jax_models.jax.block_until_ready(grad(*args))  # compiles
    return _median_time(grad, args)


class TapeMeter:
    """The high-water mark of the bytes on the tapes of a ``--jit none``
    module: every push reports its tape and new top, and the tapes alive at
    that moment are summed (a tape dies with the call that made it, or when
    it grows into a bigger copy).  Pops are inline code and report nothing,
    so a tape popped since its last push counts at that push's height; a
    loop that writes its values at their place (``tape[top + i] = v``)
    reports nothing either, and counts at the height reserved for it
    before it (``_tape_reserve``): the mark is exact where the peak comes
    at the end of a forward sweep and every iteration pushes the most it
    may, and an upper bound otherwise."""

    PUSHES = ("_tape_push", "_tape_put", "_tape_push_array", "_tape_reserve")

    def __init__(self, module):
        self.live: dict[int, int] = {}  # id(tape) -> the bytes it holds
        self.peak = 0
        for name in self.PUSHES:
            if hasattr(module, name):
                setattr(module, name, self._wrap(getattr(module, name)))

    def _wrap(self, push):
        def counted(tape, top, *value):
            """A push (tape, top, value) returns the new top or (tape, top);
            a reservation (tape, size) returns the tape, counted at ``size``."""
            out = push(tape, top, *value)
            if isinstance(out, tuple):
                grown, top = out
            elif value:
                grown, top = tape, out
            else:
                grown = out
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
    jax_grad = jax_grad_time(case, args) if jax_models is not None else None
    return {"case": case, "primal": primal_time, "grad": grad_time, "memory": growth, "tape": tape,
            "jax_grad": jax_grad}


def format_row(row: dict) -> str:
    jax = f"{row['jax_grad']:>11.5f} {row['jax_grad'] / row['primal']:>7.2f}" if row["jax_grad"] is not None \
        else f"{'-':>11} {'-':>7}"
    return (f"{row['case']:<16} {row['primal']:>11.5f} {row['grad']:>11.5f} {row['grad'] / row['primal']:>7.2f} "
            f"{row['tape'] / 2**20:>8.2f} MB {row['memory'] / 2**20:>16.1f} MB {jax}")


HEADER = (f"{'case':<16} {'primal (s)':>11} {'grad (s)':>11} {'ratio':>7} {'tape':>11} {'peak memory growth':>19} "
          f"{'jax grad (s)':>11} {'jax ratio':>7}")


def plot(rows: list[dict], path: Path) -> None:
    """Bars of gradient time over the numba primal's per case, adxform's
    beside JAX's where there is one, on a log scale."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    positions = np.arange(len(rows))
    fig, ax = plt.subplots(figsize=(max(6.0, 0.55 * len(rows) + 2), 4), layout="constrained")
    ax.bar(positions - 0.2, [r["grad"] / r["primal"] for r in rows], 0.4, label="adxform f_grad (numba)")
    ax.bar(positions + 0.2, [r["jax_grad"] / r["primal"] if r["jax_grad"] is not None else 0.0 for r in rows], 0.4,
           label="JAX jit(grad)", color="tab:orange")
    ax.set_yscale("log")
    ax.set_xticks(positions, [r["case"] for r in rows], rotation=45, ha="right", fontsize=8)
    ax.set_ylabel("gradient time / numba primal time")
    ax.axhline(1.0, color="grey", lw=0.8)
    ax.legend(fontsize=8)
    ax.set_title("Reverse mode against the numba primal, one thread (lower is better)", fontsize=9)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str]) -> None:
    if argv[:1] == ["--worker"]:
        print(json.dumps(worker(argv[1])))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*", metavar="CASE", help=f"the cases to run (default: all): {', '.join(CASES)}")
    parser.add_argument("--plot", type=Path, metavar="FILE", help="draw grad/primal per case into FILE (matplotlib)")
    args = parser.parse_args(argv)
    unknown = [case for case in args.cases if case not in CASES]
    if unknown:
        parser.error(f"unknown case {', '.join(unknown)}")
    if jax_models is None:
        print("jax is not installed: no JAX column")
    print(HEADER)
    rows = []
    for case in args.cases or list(CASES):
        out = subprocess.run([sys.executable, __file__, "--worker", case], check=True, capture_output=True, text=True,
                             env=WORKER_ENV)
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(format_row(rows[-1]), flush=True)
    if args.plot:
        plot(rows, args.plot)
        print(f"wrote {args.plot}")


if __name__ == "__main__":
    main(sys.argv[1:])
