"""The setuptools build step (SPEC §7), offline: small projects under
tmp_path built with ``pip wheel --no-build-isolation --no-deps`` (the
installed adxform provides the plugin), the wheel opened with zipfile."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from helpers import central_difference, import_path

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "heatpkg"

BAD_MODEL = '''"""A model adxform cannot differentiate."""


def loss(x: float) -> float:
    try:
        y = x * x
    except ValueError:
        y = 0.0
    return y
'''


def project(tmp_path: Path, *, model: str | None = None, with_adxform: bool = True) -> Path:
    """A copy of examples/heatpkg, optionally with another model or no [tool.adxform]."""
    root = tmp_path / "heatpkg"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("build", "*.egg-info", "model_grad.py"))
    if model is not None:
        (root / "heatpkg" / "model.py").write_text(model)
    if not with_adxform:
        text = (root / "pyproject.toml").read_text()
        (root / "pyproject.toml").write_text(text[:text.index("[[tool.adxform.modules]]")])
    return root


def build_wheel(root: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-build-isolation", "--no-deps", "--no-index",
                           "-w", str(out), str(root)], capture_output=True, text=True, cwd=root.parent)


def the_wheel(out: Path) -> zipfile.ZipFile:
    wheels = list(out.glob("*.whl"))
    assert len(wheels) == 1, wheels
    return zipfile.ZipFile(wheels[0])


def test_the_wheel_holds_a_working_gradient_module(tmp_path):
    result = build_wheel(project(tmp_path), tmp_path / "dist")
    assert result.returncode == 0, result.stdout + result.stderr
    wheel = the_wheel(tmp_path / "dist")
    assert "heatpkg/model_grad.py" in wheel.namelist()
    target = tmp_path / "site"
    wheel.extractall(target)  # installed into a fresh folder
    grad = import_path(target / "heatpkg" / "model_grad.py")

    rng = np.random.default_rng(0)
    u0, k = rng.uniform(-1.0, 1.0, 12), 0.3
    u0_bar, k_bar = grad.loss_grad(u0, k, 5)
    direction = [rng.standard_normal(12), 1.0]
    expected = central_difference(grad.loss, [u0, k, 5], (0, 1), direction)[0]
    assert abs(float(u0_bar @ direction[0] + k_bar) - float(expected)) <= 1e-6 * max(1.0, abs(float(expected)))


def test_an_editable_build_generates_the_module_in_place(tmp_path):
    root = project(tmp_path)
    hook = ("import setuptools.build_meta as b, sys; "
            "b.build_editable(sys.argv[1])")
    result = subprocess.run([sys.executable, "-c", hook, str(tmp_path / "editable")], cwd=root,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    generated = root / "heatpkg" / "model_grad.py"
    assert generated.is_file()
    assert "def loss_grad(" in generated.read_text()


def test_bad_input_fails_the_build_with_its_position(tmp_path):
    result = build_wheel(project(tmp_path, model=BAD_MODEL), tmp_path / "dist")
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "heatpkg/model.py:5:5: error: 'try' is not in the differentiable subset" in output
    assert not list((tmp_path / "dist").glob("*.whl"))


def test_a_project_without_tool_adxform_builds_as_without_the_plugin(tmp_path):
    result = build_wheel(project(tmp_path, with_adxform=False), tmp_path / "dist")
    assert result.returncode == 0, result.stdout + result.stderr
    names = the_wheel(tmp_path / "dist").namelist()
    assert sorted(n for n in names if not n.startswith("heatpkg-")) == ["heatpkg/__init__.py", "heatpkg/model.py"]


def test_the_hook_leaves_other_projects_alone(tmp_path, monkeypatch):
    from setuptools.dist import Distribution

    from adxform.setuptools_plugin import finalize_distribution_options

    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "other"\nversion = "1"\n')
    dist = Distribution()
    before = dict(dist.cmdclass)
    finalize_distribution_options(dist)
    assert dist.cmdclass == before


@pytest.mark.parametrize(("entry", "message"), [
    ('source = "m.py"', "needs source and output"),
    ('source = "m.py"\noutput = "g.py"\nmode = "sideways"', "mode must be one of"),
    ('source = "m.py"\noutput = "g.py"\nfunctions = "loss"', "functions must be a list of strings"),
    ('source = "m.py"\noutput = "g.py"\nsnapshots = 0', "snapshots must be a positive integer"),
    ('source = "m.py"\noutput = "g.py"\nrules = 3', "rules must be a path"),
    ('source = "m.py"\noutput = "g.py"\njit = "none"', "unknown keys: jit"),
])
def test_a_malformed_configuration_is_refused(tmp_path, entry, message):
    from adxform.setuptools_plugin import ConfigError, read_config

    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(f"[[tool.adxform.modules]]\n{entry}\n")
    with pytest.raises(ConfigError, match=message):
        read_config(pyproject)


def test_snapshots_and_rules_reach_the_generated_module(tmp_path):
    from adxform.setuptools_plugin import read_config

    (tmp_path / "m.py").write_text(
        "def g(x: float) -> float:\n    return x * x\n\n\n"
        "def loss(x: float, n: int) -> float:\n    s = 0.0\n    # adxform: checkpoint\n"
        "    for i in range(n):\n        s = s + g(x + s)\n    return s\n")
    (tmp_path / "r.py").write_text("def g_vjp(x: float, y_bar: float):\n    return g(x), 2.0 * x * y_bar\n")
    (tmp_path / "pyproject.toml").write_text(
        '[[tool.adxform.modules]]\nsource = "m.py"\noutput = "g.py"\nsnapshots = 7\nrules = "r.py"\n')
    (spec,) = read_config(tmp_path / "pyproject.toml")
    text = spec.generate(tmp_path)
    assert "--snapshots 7 --rules r.py" in text.splitlines()[2]
    assert "_revolve_plan(n_iter, 7)" in text and "def g_vjp(x, y_bar):" in text
