"""The wheel must hold every package of the compiler: pyproject.toml lists
them by hand (cli/ installs as adxform.cli), so a new subpackage that is
not listed would work in the source tree and break when installed."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_subpackage_is_listed_in_pyproject():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    listed = set(config["tool"]["setuptools"]["packages"])
    on_disk = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "adxform").rglob("__init__.py")}
    assert on_disk <= listed, sorted(on_disk - listed)
    assert "adxform.cli" in listed and config["tool"]["setuptools"]["package-dir"]["adxform.cli"] == "cli"


def test_templates_are_package_data():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["adxform.emit"]
    templates = {p.name for p in (ROOT / "adxform" / "emit" / "templates").iterdir()}
    assert templates and all(any(Path(t).match(pattern.split("/")[-1]) for pattern in patterns) for t in templates)
