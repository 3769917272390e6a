"""Checkpointing's trade-off: gradient time and peak memory against the
number of snapshots, for the reversal of a 10^5-step Lorenz-96 integration
(model.py, 100 variables, RK4).

For each snapshot count the script generates the reverse module of
``final_energy`` with ``--snapshots N --instrument`` and measures it in a
fresh worker process: the primal (best of 3), one gradient after a short
compiling call, the growth of the peak resident set while the gradient
runs, and the instrumented counts.  Each count checks that the advances
(iterations run without recording) are the revolve optimum t(l, s), which
the figure marks.  The modules are compiled first, in parallel, into a
numba cache the timing workers then load.

    python examples/checkpointing/tradeoff.py                  # writes docs/img/checkpointing.png
    python examples/checkpointing/tradeoff.py --small -o FILE  # 200 steps, plain Python, as the tests run it
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
FIGURE = HERE.parent.parent / "docs" / "img" / "checkpointing.png"
DT = 0.005


@dataclass
class Size:
    steps: int
    variables: int
    snapshots: tuple[int, ...]
    jit: str


FULL = Size(steps=100_000, variables=100, snapshots=(5, 10, 25, 100, 1000), jit="numba")
SMALL = Size(steps=200, variables=10, snapshots=(2, 4, 8), jit="none")


def revolve_advances(iterations: int, snapshots: int) -> int:
    """t(l, s) = r l - C(s + r, r - 1), r the least with C(s + r, s) >= l."""
    r = 0
    while math.comb(snapshots + r, snapshots) < iterations:
        r += 1
    return r * iterations - math.comb(snapshots + r, r - 1)


def module_path(folder: Path, snapshots: int, jit: str) -> Path:
    return folder / f"energy_{jit}_s{snapshots}.py"


def write_module(folder: Path, snapshots: int, jit: str) -> None:
    import adxform  # here, not at the top: the workers start faster without the compiler (a second each)

    adxform.generate(HERE / "model.py", "reverse", module_path(folder, snapshots, jit), snapshots=snapshots,
                     instrument=True, jit=jit)


def load(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module  # numba's cache, loading a compiled function, finds its module by name
    spec.loader.exec_module(module)
    return module


def _peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _timed(func, *args) -> float:
    start = time.perf_counter()
    func(*args)
    return time.perf_counter() - start


def worker(folder: Path, snapshots: int, size: Size, compile_only: bool) -> dict:
    module = load(module_path(folder, snapshots, size.jit))
    x0 = 8.0 + np.random.default_rng(0).uniform(-1.0, 1.0, size.variables)
    module.final_energy(x0, DT, 10)
    module.final_energy_grad(x0, DT, 10)  # compiles (or loads the cache)
    if compile_only:
        return {}
    primal = min(_timed(module.final_energy, x0, DT, size.steps) for _ in range(3))
    module.adxform_stats_reset()
    before = _peak_rss_bytes()
    grad = _timed(module.final_energy_grad, x0, DT, size.steps)
    growth = _peak_rss_bytes() - before
    (stats,) = module.adxform_stats().values()
    return {"snapshots": snapshots, "primal": primal, "grad": grad, "memory": growth, **stats}


def _worker_command(folder: Path, snapshots: int, size: Size, compile_only: bool) -> list[str]:
    spec = {"folder": str(folder), "snapshots": snapshots, "size": asdict(size), "compile_only": compile_only}
    return [sys.executable, __file__, "--worker", json.dumps(spec)]


def measure(size: Size, folder: Path) -> list[dict]:
    """One row per snapshot count, each from a fresh process."""
    env = {**os.environ, "NUMBA_CACHE_DIR": str(folder / "numba-cache")}
    for snapshots in size.snapshots:
        write_module(folder, snapshots, size.jit)
    if size.jit == "numba":  # compile every module at once, into the cache
        compiling = [subprocess.Popen(_worker_command(folder, s, size, True), env=env, stdout=subprocess.DEVNULL)
                     for s in size.snapshots]
        if any(p.wait() for p in compiling):
            raise RuntimeError("compiling a generated module failed")
    rows = []
    for snapshots in size.snapshots:
        out = subprocess.run(_worker_command(folder, snapshots, size, False), check=True, stdout=subprocess.PIPE,
                             text=True, env=env)
        row = json.loads(out.stdout.strip().splitlines()[-1])
        optimum = revolve_advances(size.steps, snapshots)
        if row["advances"] != optimum or row["recorded"] != size.steps:
            raise RuntimeError(f"{snapshots} snapshots: {row['advances']} advances and {row['recorded']} recorded "
                               f"iterations, not the revolve optimum {optimum} and {size.steps}")
        rows.append(row)
    return rows


def table(rows: list[dict], size: Size) -> str:
    lines = [f"Lorenz-96, {size.variables} variables, RK4, {size.steps} steps; primal {rows[0]['primal']:.3f} s",
             f"{'snapshots':>9} {'advances':>9} {'advances/steps':>14} {'gradient (s)':>12} {'grad/primal':>11} "
             f"{'snapshot bytes':>14} {'peak memory growth':>18}"]
    for r in rows:
        lines.append(f"{r['snapshots']:>9} {r['advances']:>9} {r['advances'] / size.steps:>14.2f} {r['grad']:>12.3f} "
                     f"{r['grad'] / r['primal']:>11.1f} {r['snapshot_bytes']:>14} "
                     f"{r['memory'] / 2**20:>15.2f} MB")
    return "\n".join(lines)


def draw(rows: list[dict], size: Size, figure: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    s = [r["snapshots"] for r in rows]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7, 5.4), sharex=True, layout="constrained")
    ratios = [r["grad"] / r["primal"] for r in rows]
    top.plot(s, ratios, "o-", color="tab:red", label="gradient time / primal time (measured)")
    top.plot(s, [r["advances"] / size.steps for r in rows], "s--", color="black", mfc="none", lw=1,
             label="advances / steps: the revolve optimum t(l, s) / l")
    for r, ratio in zip(rows, ratios):
        top.annotate(f"t = {r['advances']:,}", (r["snapshots"], ratio), textcoords="offset points",
                     xytext=(4, 6), fontsize=7)
    top.set_ylabel("cost in primal runs")
    top.set_ylim(0, 1.15 * max(ratios))
    top.set_title(f"Reversing l = {size.steps:,} Lorenz-96 steps with s snapshots "
                  "(t: iterations run without recording)", fontsize=9)
    top.legend(fontsize=8)
    bottom.plot(s, [r["snapshot_bytes"] / 2**20 for r in rows], "o-", color="tab:blue",
                label="snapshots held at the peak (instrumented)")
    measured = [r for r in rows if r["memory"] > 0]  # below about a MB the allocator reuses freed memory
    bottom.plot([r["snapshots"] for r in measured], [r["memory"] / 2**20 for r in measured], "s", color="black",
                mfc="none", label="peak resident memory growth (measured)")
    bottom.set_yscale("log")
    bottom.set_xscale("log")
    bottom.set_xticks(s, [str(v) for v in s])
    bottom.minorticks_off()
    bottom.set_xlabel("snapshots")
    bottom.set_ylabel("memory (MB)")
    bottom.legend(fontsize=8)
    figure.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(figure, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="200 steps in plain Python (the tests' size)")
    parser.add_argument("-o", "--output", type=Path, default=FIGURE, help="the figure to write")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        spec = json.loads(args.worker)
        size = spec["size"]
        print(json.dumps(worker(Path(spec["folder"]), spec["snapshots"], Size(**{**size, "snapshots": ()}),
                                spec["compile_only"])))
        return []
    size = SMALL if args.small else FULL
    with tempfile.TemporaryDirectory() as folder:
        rows = measure(size, Path(folder))
    print(table(rows, size))
    draw(rows, size, args.output)
    print(f"wrote {args.output}")
    return rows


if __name__ == "__main__":
    main(sys.argv[1:])
