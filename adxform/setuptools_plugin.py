"""The build step (docs/build-step.md): derivative modules generated into the wheel.

setuptools calls ``finalize_distribution_options`` for every project it
builds while adxform is installed (the entry point in pyproject.toml, the
pattern setuptools-scm uses).  A project without ``[tool.adxform]`` in its
pyproject.toml is left exactly as it was.  One that has

    [[tool.adxform.modules]]
    source = "mypkg/model.py"
    output = "mypkg/model_grad.py"
    mode = "reverse"          # or "forward"
    functions = ["loss"]      # optional, as --func
    wrt = ["x"]               # optional, as --wrt
    snapshots = 30            # optional, as --snapshots
    rules = "mypkg/rules.py"  # optional, as --rules

gets its ``build_py`` wrapped: after the usual copy, each output is
generated into the build directory, so it lands in the wheel; an editable
install writes it into the source tree instead.  Bad input in a source
fails the build with the ``file:line:col`` diagnostics.
"""

from __future__ import annotations

import os
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

from setuptools.command.build_py import build_py
from setuptools.errors import SetupError

from .checkpoint import DEFAULT_SNAPSHOTS
from .diagnostics import DiagnosticError, UsageError
from .parse.encoding import decode_source
from .pipeline import MODES, Options, default_command, transform, write_atomically

KEYS = {"source", "output", "mode", "functions", "wrt", "snapshots", "rules"}


class ConfigError(Exception):
    """``[tool.adxform]`` is malformed."""


@dataclass(frozen=True)
class ModuleSpec:
    source: str
    output: str
    mode: str
    functions: list[str] | None
    wrt: list[str] | None
    snapshots: int = DEFAULT_SNAPSHOTS
    rules: str | None = None  # a module of custom rules, as --rules

    def generate(self, root: Path) -> str:
        """The text of the derivative module; raises DiagnosticError."""
        source = decode_source((root / self.source).read_bytes(), self.source)
        rules = decode_source((root / self.rules).read_bytes(), self.rules) if self.rules is not None else None
        options = Options(self.mode, self.functions, self.wrt, snapshots=self.snapshots,
                          rules=(rules, self.rules) if rules is not None else None)
        command = default_command(self.mode, self.source, self.output, options)
        return transform(source, self.mode, filename=self.source, functions=self.functions, wrt=self.wrt,
                         command=command, snapshots=self.snapshots, rules=rules,
                         rules_filename=self.rules or "<rules>")


def _string_list(entry: dict, key: str) -> list[str] | None:
    value = entry.get(key)
    if value is None:
        return None
    if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
        raise ConfigError(f"[[tool.adxform.modules]] {key} must be a list of strings")
    return value


def read_config(pyproject: Path) -> list[ModuleSpec] | None:
    """The modules to generate, or None when the project does not use adxform."""
    if not pyproject.is_file():
        return None
    tool = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {})
    if "adxform" not in tool:
        return None
    entries = tool["adxform"].get("modules", [])
    if not isinstance(entries, list):
        raise ConfigError("[tool.adxform] modules must be an array of tables: [[tool.adxform.modules]]")
    specs = []
    for entry in entries:
        unknown = set(entry) - KEYS
        if unknown:
            raise ConfigError(f"[[tool.adxform.modules]] has unknown keys: {', '.join(sorted(unknown))}")
        if not isinstance(entry.get("source"), str) or not isinstance(entry.get("output"), str):
            raise ConfigError("[[tool.adxform.modules]] needs source and output, as paths")
        mode = entry.get("mode", "reverse")
        if mode not in MODES:
            raise ConfigError(f"[[tool.adxform.modules]] mode must be one of {', '.join(MODES)}, not {mode!r}")
        snapshots = entry.get("snapshots", DEFAULT_SNAPSHOTS)
        if not isinstance(snapshots, int) or isinstance(snapshots, bool) or snapshots < 1:
            raise ConfigError(f"[[tool.adxform.modules]] snapshots must be a positive integer, not {snapshots!r}")
        if not isinstance(entry.get("rules", ""), str):
            raise ConfigError("[[tool.adxform.modules]] rules must be a path")
        specs.append(ModuleSpec(entry["source"], entry["output"], mode, _string_list(entry, "functions"),
                                _string_list(entry, "wrt"), snapshots, entry.get("rules")))
    return specs


def _build_py_class(base: type, specs: list[ModuleSpec], root: Path) -> type:
    class BuildPyWithDerivatives(base):
        """``build_py`` that also writes adxform's derivative modules."""

        def run(self) -> None:
            super().run()
            editable = getattr(self, "editable_mode", False)
            for spec in specs:
                try:
                    text = spec.generate(root)
                except DiagnosticError as err:
                    print(err.render(), file=sys.stderr)
                    raise SetupError(f"adxform: {spec.source} has errors:\n{err.render()}") from err
                except (UsageError, OSError) as err:
                    raise SetupError(f"adxform: {spec.source}: {err}") from err
                target = root / spec.output if editable else Path(self.build_lib) / spec.output
                target.parent.mkdir(parents=True, exist_ok=True)
                write_atomically(target, text)
                self.announce(f"adxform: generated {spec.output} from {spec.source}", level=2)

    return BuildPyWithDerivatives


def finalize_distribution_options(dist) -> None:
    """The setuptools hook: wrap build_py when the project asks for adxform."""
    root = Path(getattr(dist, "src_root", None) or os.curdir).resolve()
    try:
        specs = read_config(root / "pyproject.toml")
    except (ConfigError, tomllib.TOMLDecodeError) as err:
        raise SetupError(f"adxform: {err}") from err
    if specs is None:
        return
    dist.cmdclass["build_py"] = _build_py_class(dist.cmdclass.get("build_py", build_py), specs, root)
