"""The examples gallery (examples/*/) at its small sizes: each script runs,
checks what it claims and writes its figure.  Skipped where the examples
extra (scipy, matplotlib, dask[distributed]) is not installed.

* ode_fit: L-BFGS-B with the generated gradient recovers the parameters
  and initial state of the model that made the data (noise 0.5) to 5 %,
  from a guess 20-25 % off.
* checkpointing: every snapshot count runs the revolve optimum's number of
  advances, each iteration recorded once, at most s snapshots held; the
  optimum itself against the published values.
* dask_shards: run as a user runs it (a process of its own, whose task
  functions Dask ships by value), on a LocalCluster of 2 workers: the
  sharded gradient equals the single-process one to 1e-12.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from helpers import import_path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

pytest.importorskip("matplotlib", reason="the examples extra is not installed")


def assert_png(path: Path) -> None:
    assert path.read_bytes()[:8] == PNG_MAGIC, f"{path} is not a PNG image"


def test_ode_fit_recovers_the_parameters(tmp_path):
    pytest.importorskip("scipy", reason="the examples extra is not installed")
    fit = import_path(EXAMPLES / "ode_fit" / "fit.py")
    figure = tmp_path / "ode_fit.png"
    out = fit.main(["--small", "--jit", "none", "-o", str(figure)])
    assert out["result"].success, out["result"].message
    np.testing.assert_allclose(out["theta"], fit.TRUE_THETA, rtol=0.05)
    np.testing.assert_allclose(out["u0"], fit.TRUE_U0, rtol=0.05)
    assert_png(figure)


def test_checkpointing_tradeoff_runs_the_revolve_optimum(tmp_path):
    tradeoff = import_path(EXAMPLES / "checkpointing" / "tradeoff.py")
    # Griewank and Walther (2000), as the checkpointing docs quote them
    assert tradeoff.revolve_advances(1000, 10) == 3636
    assert tradeoff.revolve_advances(100000, 30) == 447640
    assert tradeoff.revolve_advances(16, 3) == 33
    figure = tmp_path / "checkpointing.png"
    rows = tradeoff.main(["--small", "-o", str(figure)])
    steps = tradeoff.SMALL.steps
    assert [r["snapshots"] for r in rows] == list(tradeoff.SMALL.snapshots)
    for r in rows:
        assert r["advances"] == tradeoff.revolve_advances(steps, r["snapshots"])
        assert r["recorded"] == steps
        assert r["peak_snapshots"] <= r["snapshots"]
    assert [r["advances"] for r in rows] == sorted((r["advances"] for r in rows), reverse=True)
    assert_png(figure)


def test_dask_sharded_gradient_equals_the_single_process_one(tmp_path):
    pytest.importorskip("dask.distributed", reason="the examples extra is not installed")
    figure = tmp_path / "dask_scaling.png"
    run = subprocess.run([sys.executable, str(EXAMPLES / "dask_shards" / "shards.py"), "--small", "--workers", "2",
                          "-o", str(figure)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    rows = re.findall(r"^\s+(\d+)\s+[\d.]+\s+[\d.]+\s+(\S+)$", run.stdout, re.MULTILINE)
    assert [workers for workers, _ in rows] == ["2"], run.stdout
    assert float(rows[0][1]) <= 1e-12
    assert_png(figure)
