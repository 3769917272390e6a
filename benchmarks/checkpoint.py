"""Checkpointed against plain reversal of a long time loop: a table of
variant, steps, snapshots, primal time, gradient time, ratio, peak memory
growth, and the schedule's counts.

The model is golden/lorenz96 (40 variables, RK4) run for STEPS steps; the
checkpointed variant puts ``# adxform: checkpoint(snapshots=30)`` above its
time loop.  Each variant runs in a fresh worker process: the primal runs
first (compiled, then timed), the gradient is compiled on a short run, and
the growth of the peak resident set while the long gradient runs is what
reversal costs in memory over the primal (the tape, or the snapshots).

    python benchmarks/checkpoint.py              # 10^5 steps, 30 snapshots
    python benchmarks/checkpoint.py 20000 10     # other steps / snapshots
"""

from __future__ import annotations

import importlib.util
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import adxform

ROOT = Path(__file__).resolve().parent.parent
LOOP = "    for _ in range(nsteps):\n"


def _source(checkpointed: bool, snapshots: int) -> str:
    source = (ROOT / "golden" / "lorenz96" / "lorenz96.py").read_text()
    assert LOOP in source
    if checkpointed:
        source = source.replace(LOOP, f"    # adxform: checkpoint(snapshots={snapshots})\n" + LOOP)
    return source


def _module(source: str, folder: Path):
    out = folder / "lorenz96_bench_vjp.py"
    out.write_text(adxform.transform(source, "reverse", filename="lorenz96.py", instrument=True))
    spec = importlib.util.spec_from_file_location(out.stem, out)
    module = importlib.util.module_from_spec(spec)
    sys.modules[out.stem] = module  # the counters are reached by module name from compiled code
    spec.loader.exec_module(module)
    return module


def _peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _timed(func, *args) -> float:
    start = time.perf_counter()
    func(*args)
    return time.perf_counter() - start


def worker(checkpointed: bool, steps: int, snapshots: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("NUMBA_CACHE_DIR", tmp)
        module = _module(_source(checkpointed, snapshots), Path(tmp))
        x0 = 8.0 + np.random.default_rng(0).uniform(-1.0, 1.0, 40)
        dt = 0.005
        module.final_energy(x0, dt, 10)
        primal = min(_timed(module.final_energy, x0, dt, steps) for _ in range(3))
        module.final_energy_grad(x0, dt, 10)  # compiles
        module.adxform_stats_reset()
        before = _peak_rss_bytes()
        grad = _timed(module.final_energy_grad, x0, dt, steps)
        growth = _peak_rss_bytes() - before
        stats = next(iter(module.adxform_stats().values()), {})
    return {"primal": primal, "grad": grad, "memory": growth, "advances": stats.get("advances"),
            "peak_snapshots": stats.get("peak_snapshots")}


def main(argv: list[str]) -> None:
    if argv[:1] == ["--worker"]:
        print(json.dumps(worker(argv[1] == "checkpointed", int(argv[2]), int(argv[3]))))
        return
    steps = int(argv[0]) if argv else 100_000
    snapshots = int(argv[1]) if len(argv) > 1 else 30
    print(f"Lorenz-96, 40 variables, RK4, {steps} steps")
    print(f"{'variant':<14} {'snapshots':>9} {'primal (s)':>11} {'grad (s)':>10} {'ratio':>7} "
          f"{'peak memory growth':>19} {'advances':>9}")
    for variant in ("plain", "checkpointed"):
        out = subprocess.run([sys.executable, __file__, "--worker", variant, str(steps), str(snapshots)],
                             check=True, capture_output=True, text=True)
        row = json.loads(out.stdout.strip().splitlines()[-1])
        held = f"{row['peak_snapshots']}/{snapshots}" if variant == "checkpointed" else "-"
        advances = row["advances"] if row["advances"] is not None else "-"
        print(f"{variant:<14} {held:>9} {row['primal']:>11.4f} {row['grad']:>10.4f} "
              f"{row['grad'] / row['primal']:>7.2f} {row['memory'] / 2**20:>16.1f} MB {advances:>9}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
