"""``adxform verify`` and ``adxform.testing.check_grads``: checking derivatives
on the user's own inputs (finite differences, worst element, dot-product
test), passing on correct modules and failing on one wrong by 1e-6."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from helpers import GOLDEN_DIR, load_module_from_text

import adxform
from adxform.cli import main
from adxform.testing import check, check_grads

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
HEAT = EXAMPLES / "heat.py"


def _heat_inputs(path: Path, n: int = 12) -> Path:
    np.savez(path, u0=np.sin(np.linspace(0.0, np.pi, n)), k=0.4, target=np.linspace(0.0, 0.1, n), nsteps=15)
    return path


def test_verify_passes_on_the_heat_example(tmp_path, capsys):
    inputs = _heat_inputs(tmp_path / "heat.npz")
    assert main(["verify", str(HEAT), "--func", "simulate", "--inputs", str(inputs), "--jit", "none"]) == 0
    out = capsys.readouterr().out
    for row in ("u0           random direction", "u0           worst u0[", "k            derivative",
                "target       random direction", "dot-product test", "simulate: passed"):
        assert row in out


def test_verify_passes_on_rosenbrock_in_either_mode(tmp_path, capsys):
    np.savez(tmp_path / "x.npz", x=np.linspace(-1.2, 1.3, 9))
    source = GOLDEN_DIR / "rosenbrock" / "rosenbrock.py"
    for mode in ("reverse", "forward"):
        code = main(["verify", str(source), "--func", "rosenbrock", "--inputs", str(tmp_path / "x.npz"),
                     "--mode", mode, "--jit", "none"])
        out = capsys.readouterr().out
        assert code == 0, out
        assert f"{mode} mode" in out and "dot-product" not in out


def test_verify_checks_a_procedure(tmp_path, capsys):
    np.savez(tmp_path / "step.npz", u=np.cos(np.linspace(0.0, 2.0, 8)), k=0.3, dt=0.1)
    assert main(["verify", str(HEAT), "--func", "step", "--inputs", str(tmp_path / "step.npz"), "--jit", "none"]) == 0
    assert "step: passed" in capsys.readouterr().out


def _wrong_heat_module(tmp_path: Path) -> Path:
    """The heat example's gradient module, with the adjoint of k scaled by
    1 + 1e-6 where it adds up the steps."""
    text = adxform.transform(HEAT.read_text(), "reverse", filename="heat.py", wrt=["u0", "k"], jit="none")
    wrong, count = re.subn(r"(\n\s+k_bar \+= k_bar\d*)(  # heat\.py)", r"\1 * (1.0 + 1e-6)\2", text)
    assert count == 1, "the edit did not find the statement it changes"
    path = tmp_path / "heat_vjp.py"
    path.write_text(wrong)
    return path


def test_verify_fails_on_a_gradient_wrong_by_1e_6(tmp_path, capsys):
    inputs = _heat_inputs(tmp_path / "heat.npz")
    wrong = _wrong_heat_module(tmp_path)
    assert main(["verify", str(wrong), "--func", "simulate", "--inputs", str(inputs), "--wrt", "u0,k"]) == 1
    out = capsys.readouterr().out
    assert re.search(r"k +derivative +reverse .* FAILED", out), out
    assert "simulate: FAILED" in out


def test_check_grads_passes_and_raises(tmp_path):
    args = [np.sin(np.linspace(0.0, np.pi, 10)), 0.4, np.zeros(10), 12]
    text = adxform.transform(HEAT.read_text(), "reverse", filename="heat.py", wrt=["u0", "k"], jit="none")
    module = load_module_from_text(text, tmp_path / "heat_right.py")
    report = check_grads(module, "simulate", args, wrt=["u0", "k"])
    assert report.passed and [name for name, _ in report.rows] == ["u0", "k"]
    wrong = load_module_from_text(_wrong_heat_module(tmp_path).read_text(), tmp_path / "heat_wrong.py")
    with pytest.raises(AssertionError, match="simulate: FAILED"):
        check_grads(wrong, "simulate", args, wrt=["u0", "k"])


def test_check_asks_for_wrt_when_the_module_differentiates_fewer_parameters(tmp_path):
    text = adxform.transform(HEAT.read_text(), "reverse", filename="heat.py", wrt=["u0", "k"], jit="none")
    module = load_module_from_text(text, tmp_path / "heat_wrt.py")
    with pytest.raises(ValueError, match="say which with wrt"):
        check(module, "simulate", [np.ones(6), 0.4, np.zeros(6), 3])


def test_verify_usage_errors(tmp_path, capsys):
    np.savez(tmp_path / "partial.npz", u0=np.ones(5), k=0.4)
    assert main(["verify", str(HEAT), "--func", "simulate", "--inputs", str(tmp_path / "partial.npz"),
                 "--jit", "none"]) == 2
    assert "missing: target, nsteps" in capsys.readouterr().err
    assert main(["verify", str(HEAT), "--func", "nosuch", "--inputs", str(tmp_path / "partial.npz"),
                 "--jit", "none"]) == 2
    assert main(["verify", str(HEAT), "--func", "simulate", "--inputs", str(tmp_path / "none.npz"),
                 "--jit", "none"]) == 2
