"""Sharded gradients on Dask: the gradient of a loss summed over data
shards, each shard's gradient computed by a Dask task that calls the
generated numba gradient, the per-shard gradients added up on the cluster.

The script generates the reverse module of ``shard_loss`` (model.py) with
respect to the network's weights, ships it to the workers
(``Client.upload_file``), scatters the data shards to them once, and then
evaluates the full gradient as one task per shard plus a tree of additions.
It checks the result against the gradient of the whole data set computed in
this process (to 1e-12, relative to the largest element), and times an
evaluation for each worker count:

    python examples/dask_shards/shards.py                      # LocalClusters of 1, 2, 4 workers
                                                               # (writes docs/img/dask_scaling.png)
    python examples/dask_shards/shards.py --workers 1 2 8      # other counts
    python examples/dask_shards/shards.py --scheduler tcp://HOST:8786   # a running cluster, its workers as they are
    python examples/dask_shards/shards.py --small -o FILE      # small data, plain-Python module, as the tests run it
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from dask.distributed import Client, LocalCluster

import adxform

HERE = Path(__file__).resolve().parent
FIGURE = HERE.parent.parent / "docs" / "img" / "dask_scaling.png"
MODULE = "shard_loss_grad"  # the generated module's name, on the workers too
WRT = ["w1", "b1", "w2", "b2"]
TOLERANCE = 1e-12
REPEATS = 5  # the fastest of these evaluations is timed: on a shared machine the others measure the load

# (samples, features, hidden units, shards)
FULL = (200_000, 32, 16, 16)
SMALL = (1_000, 8, 4, 8)


# -- on the workers ------------------------------------------------------------------------------------------


def shard_value_and_grad(params: tuple, shard: tuple) -> tuple:
    """The loss of one shard and its gradient, from the generated module
    that ``Client.upload_file`` made importable on this worker."""
    module = importlib.import_module(MODULE)
    x, y = shard
    return module.shard_loss_value_and_grad(*params, x, y)


def add(a: tuple, b: tuple) -> tuple:
    """Two (value, gradient) pairs added: the loss of the union of two sets of shards."""
    return a[0] + b[0], tuple(ga + gb for ga, gb in zip(a[1], b[1]))


# -- on the client -------------------------------------------------------------------------------------------


def tree_sum(client: Client, futures: list):
    """Add the futures pairwise on the cluster, log2(shards) rounds deep."""
    while len(futures) > 1:
        pairs = [client.submit(add, a, b, pure=False) for a, b in zip(futures[::2], futures[1::2])]
        futures = pairs + futures[len(futures) - len(futures) % 2:]
    return futures[0]


def value_and_grad(client: Client, params: tuple, shards: list) -> tuple:
    """The loss of the whole data set and its gradient, evaluated on the cluster."""
    futures = [client.submit(shard_value_and_grad, params, shard, pure=False) for shard in shards]
    return tree_sum(client, futures).result()


def make_problem(size: tuple, rng: np.random.Generator) -> tuple[tuple, np.ndarray, np.ndarray]:
    """Targets from a random 'teacher' network plus noise, and a starting point."""
    samples, features, hidden, _ = size
    x = rng.standard_normal((samples, features))
    teacher = rng.standard_normal((features, hidden)) / np.sqrt(features), rng.standard_normal(hidden)
    y = np.tanh(x @ teacher[0]) @ teacher[1] + 0.1 * rng.standard_normal(samples)
    params = (0.3 * rng.standard_normal((features, hidden)), 0.1 * rng.standard_normal(hidden),
              0.3 * rng.standard_normal(hidden), 0.0)
    return params, x, y


def relative_difference(got: tuple, want: tuple) -> float:
    """The largest difference over the loss and every gradient element,
    relative to the largest magnitude of the same quantity."""
    pairs = [(np.asarray(got[0]), np.asarray(want[0]))] + [(np.asarray(g), np.asarray(w))
                                                          for g, w in zip(got[1], want[1])]
    return max(float(np.max(np.abs(g - w)) / np.max(np.abs(w))) for g, w in pairs)


def best_seconds(func, *args) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        func(*args)
        times.append(time.perf_counter() - start)
    return min(times)


def run_on(client: Client, module_path: Path, params: tuple, x: np.ndarray, y: np.ndarray, shards: int,
           reference: tuple) -> dict:
    """Ship the module and the shards, check the gradient, time it."""
    client.upload_file(str(module_path))
    scattered = client.scatter([(xs, ys) for xs, ys in zip(np.array_split(x, shards), np.array_split(y, shards))])
    result = value_and_grad(client, params, scattered)  # the first call compiles on every worker
    difference = relative_difference(result, reference)
    if difference > TOLERANCE:
        raise RuntimeError(f"the sharded gradient differs from the single-process one by {difference:.1e}")
    seconds = best_seconds(value_and_grad, client, params, scattered)
    return {"workers": len(client.nthreads()), "seconds": seconds, "difference": difference}


def table(rows: list[dict], single: float, size: tuple, load: float) -> str:
    samples, features, hidden, shards = size
    lines = [f"{samples} samples, {features} features, {hidden} hidden units, {shards} shards; "
             f"one process, no Dask: {single:.3f} s",
             f"this machine: {os.cpu_count()} cores, load average {load:.1f} when the run began "
             "(a load above the core count leaves the workers less than a core each)",
             f"{'workers':>7} {'gradient (s)':>12} {'speed-up':>8} {'max rel. difference':>19}"]
    for r in rows:
        lines.append(f"{r['workers']:>7} {r['seconds']:>12.3f} {rows[0]['seconds'] / r['seconds']:>8.2f} "
                     f"{r['difference']:>19.1e}")
    return "\n".join(lines)


def draw(rows: list[dict], single: float, load: float, figure: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    workers = [r["workers"] for r in rows]
    fig, ax = plt.subplots(figsize=(5.5, 3.6), layout="constrained")
    ax.plot(workers, [r["seconds"] for r in rows], "o-", label="Dask, one task per shard")
    ax.plot(workers, [rows[0]["seconds"] / w for w in workers], ":", color="grey", label="ideal scaling")
    ax.axhline(single, color="tab:red", ls="--", lw=1, label="one process, no Dask")
    ax.set_xticks(workers)
    ax.set_xlabel("workers (one thread each)")
    ax.set_ylabel("seconds per gradient")
    ax.set_ylim(bottom=0)
    ax.set_title(f"On {os.cpu_count()} cores, load average {load:.1f} at the start", fontsize=9)
    ax.legend(fontsize=8)
    figure.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(figure, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4],
                        help="LocalCluster sizes to time (default 1 2 4)")
    parser.add_argument("--scheduler", help="the address of a running Dask scheduler, instead of LocalClusters")
    parser.add_argument("--small", action="store_true", help="small data and a plain-Python module (the tests' size)")
    parser.add_argument("-o", "--output", type=Path, default=FIGURE, help="the figure to write")
    args = parser.parse_args(argv)
    size, jit = (SMALL, "none") if args.small else (FULL, "numba")
    load = os.getloadavg()[0]
    params, x, y = make_problem(size, np.random.default_rng(0))
    with tempfile.TemporaryDirectory() as folder:
        module_path = Path(folder) / f"{MODULE}.py"
        adxform.generate(HERE / "model.py", "reverse", module_path, functions=["shard_loss"], wrt=WRT, jit=jit)
        spec = importlib.util.spec_from_file_location(MODULE, module_path)
        local = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(local)
        reference = local.shard_loss_value_and_grad(*params, x, y)  # compiles
        single = best_seconds(local.shard_loss_value_and_grad, *params, x, y)
        rows = []
        if args.scheduler:
            with Client(args.scheduler) as client:
                rows.append(run_on(client, module_path, params, x, y, size[3], reference))
        else:
            for workers in args.workers:
                with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, Client(cluster) as client:
                    rows.append(run_on(client, module_path, params, x, y, size[3], reference))
    print(table(rows, single, size, load))
    draw(rows, single, load, args.output)
    print(f"wrote {args.output}")
    return rows


if __name__ == "__main__":
    main(sys.argv[1:])
