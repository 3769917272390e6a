"""The ``adxform`` command line (SPEC section 3) and the header of the
generated module (SPEC section 4).

Most tests call ``adxform.cli.main`` in-process; a few run the real
``python -m adxform`` and the installed ``adxform`` console script.
Generated modules are imported with ``--jit none`` except in one numba
smoke test.
"""

from __future__ import annotations

import ast
import codecs
import hashlib
import inspect
import io
import itertools
import math
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import adxform
import numpy as np
import pytest
from adxform.cli import main
from adxform.testing import import_path
from helpers import load_module_from_text

MODEL = '''\
"""A small model for the command-line tests."""

import math

import numpy as np


def square(x: float) -> float:
    return x * x


def f(x: float, y: float) -> float:
    return math.sin(square(x)) * y


def g(a: np.ndarray, s: float) -> float:
    t = 0.0
    for i in range(a.shape[0]):
        t = t + a[i] * s
    return t


def h(x: float, n: int) -> float:
    s = 0.0
    for i in range(n):
        s = s + x * i
    return s
'''

BAD_MODEL = "def f(x: float) -> float:\n    g = lambda y: y\n    return g(x)\n"

CORPUS_DIR = Path(__file__).resolve().parent / "corpus"


# ---------------------------------------------------------------- helpers


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh current directory holding ``model.py``."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "model.py").write_text(MODEL)
    return tmp_path


def _defs(text: str) -> list[str]:
    """The names of the top-level functions of a module's text, in order."""
    return [node.name for node in ast.parse(text).body if isinstance(node, ast.FunctionDef)]


def _jvps(text: str) -> set[str]:
    return {name for name in _defs(text) if name.endswith("_jvp")}


def _params(func: Callable[..., object]) -> list[str]:
    return list(inspect.signature(func).parameters)


def _listing(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def _assert_one_line_error(err: str) -> None:
    assert "Traceback" not in err, err
    assert len(err.splitlines()) == 1, err
    assert err.startswith("adxform: error: "), err


def _check_model_jvps(module: ModuleType) -> None:
    """The derivatives of MODEL at a point, against the derivatives by hand."""
    x, y, xd, yd = 0.7, -1.3, 0.25, 2.0
    value, tangent = module.f_jvp(x, y, xd, yd)
    assert value == pytest.approx(math.sin(x * x) * y, rel=1e-12)
    assert tangent == pytest.approx(math.cos(x * x) * 2 * x * xd * y + math.sin(x * x) * yd, rel=1e-12)

    a = np.array([0.5, -1.0, 2.0, 3.5])
    ad = np.array([1.0, 0.5, -0.25, 2.0])
    value, tangent = module.g_jvp(a, 1.5, ad, -0.5)
    assert value == pytest.approx(a.sum() * 1.5, rel=1e-12)
    assert tangent == pytest.approx(ad.sum() * 1.5 + a.sum() * -0.5, rel=1e-12)

    value, tangent = module.h_jvp(0.3, 5, 1.0)
    assert value == pytest.approx(0.3 * 10, rel=1e-12)
    assert tangent == pytest.approx(10.0, rel=1e-12)


def _header(text: str) -> list[str]:
    """The leading comment lines of a generated module."""
    return list(itertools.takewhile(lambda line: line.startswith("#"), text.splitlines()))


def _regenerate_command(text: str) -> str:
    commands = [line.lstrip("# ").strip() for line in _header(text) if line.lstrip("# ").startswith("adxform ")]
    assert len(commands) == 1, "\n".join(_header(text))
    return commands[0]


# ---------------------------------------------------------------- --version


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "adxform 0.1.0\n"
    assert adxform.__version__ == "0.1.0"


def test_version_subprocess() -> None:
    result = subprocess.run([sys.executable, "-m", "adxform", "--version"], capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "adxform 0.1.0\n"


# ---------------------------------------------------------------- forward SRC -o OUT


def test_forward_writes_a_module_that_runs(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["forward", "model.py", "-o", "model_jvp.py", "--jit", "none"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
    assert sorted(p.name for p in workdir.iterdir()) == ["model.py", "model_jvp.py"], "a temporary file was left"

    module = import_path(workdir / "model_jvp.py")
    assert _jvps((workdir / "model_jvp.py").read_text()) == {"square_jvp", "f_jvp", "g_jvp", "h_jvp"}
    assert _params(module.f_jvp) == ["x", "y", "x_dot", "y_dot"]
    assert _params(module.g_jvp) == ["a", "s", "a_dot", "s_dot"]
    assert _params(module.h_jvp) == ["x", "n", "x_dot"]
    _check_model_jvps(module)


def test_generated_module_imports_only_numpy_math_numba(workdir: Path) -> None:
    assert main(["forward", "model.py", "-o", "model_jvp.py"]) == 0
    imported: set[str] = set()
    for node in ast.walk(ast.parse((workdir / "model_jvp.py").read_text())):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
    assert imported <= {"numpy", "math", "numba"}, imported


def test_output_to_stdout(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["forward", "model.py", "-o", "-", "--jit", "none"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert sorted(p.name for p in workdir.iterdir()) == ["model.py"], "-o - wrote a file"
    assert captured.out.startswith("# Generated by adxform")
    _check_model_jvps(load_module_from_text(captured.out, workdir / "from_stdout.py"))


def test_source_from_stdin(workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", _stdin(MODEL.encode()))
    assert main(["forward", "-", "-o", "model_jvp.py", "--jit", "none"]) == 0
    assert capsys.readouterr().err == ""
    text = (workdir / "model_jvp.py").read_text()
    assert "<stdin>" in _header(text)[0]
    assert hashlib.sha256(MODEL.encode()).hexdigest() in _header(text)[0]
    _check_model_jvps(import_path(workdir / "model_jvp.py"))


def test_stdin_to_stdout(workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", _stdin(MODEL.encode()))
    assert main(["forward", "-", "-o", "-", "--jit", "none"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    _check_model_jvps(load_module_from_text(captured.out, workdir / "piped.py"))


def test_stdin_with_errors_names_stdin(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", _stdin(BAD_MODEL.encode()))
    assert main(["forward", "-", "-o", "-"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("<stdin>:2:9: error: ")
    assert captured.err.endswith("Found 1 error in 1 file\n")


# ---------------------------------------------------------------- --func, --wrt, --jit


@pytest.mark.parametrize(
    ("funcs", "expected"),
    [
        (["f"], {"f_jvp", "square_jvp"}),
        (["g"], {"g_jvp"}),
        (["f", "h"], {"f_jvp", "square_jvp", "h_jvp"}),
        (["square"], {"square_jvp"}),
    ],
)
def test_func_restricts_the_functions(funcs: list[str], expected: set[str], workdir: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["forward", "model.py", "-o", "-", "--jit", "none"]
    for name in funcs:
        argv += ["--func", name]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert _jvps(text) == expected
    # the primals present are exactly those the derivatives need
    # (besides the runtime checks, whose names start with an underscore)
    assert {name for name in _defs(text) if not name.endswith("_jvp") and not name.startswith("_check")} == \
        {name[:-4] for name in expected}
    module = load_module_from_text(text, workdir / "restricted.py")
    if "f_jvp" in expected:
        assert module.f_jvp(0.7, -1.3, 0.25, 2.0)[1] == pytest.approx(
            math.cos(0.49) * 1.4 * 0.25 * -1.3 + math.sin(0.49) * 2.0, rel=1e-12)


@pytest.mark.parametrize(
    ("func", "wrt", "params"),
    [
        ("f", "y", ["x", "y", "y_dot"]),
        ("f", "x", ["x", "y", "x_dot"]),
        ("f", "x,y", ["x", "y", "x_dot", "y_dot"]),
        ("g", "s", ["a", "s", "s_dot"]),
        ("g", "a", ["a", "s", "a_dot"]),
    ],
)
def test_wrt_restricts_the_tangent_parameters(func: str, wrt: str, params: list[str], workdir: Path) -> None:
    assert main(["forward", "model.py", "-o", "model_jvp.py", "--jit", "none", "--func", func, "--wrt", wrt]) == 0
    module = import_path(workdir / "model_jvp.py")
    jvp = getattr(module, f"{func}_jvp")
    assert _params(jvp) == params

    if func == "f":
        x, y = 0.7, -1.3
        full = {"x": math.cos(x * x) * 2 * x * y, "y": math.sin(x * x)}
        value, tangent = jvp(x, y, *[1.0] * (len(params) - 2))
        assert value == pytest.approx(math.sin(x * x) * y, rel=1e-12)
        assert tangent == pytest.approx(sum(full[name] for name in wrt.split(",")), rel=1e-12)
    else:
        a = np.array([0.5, -1.0, 2.0])
        direction = np.array([1.0, 2.0, -1.0]) if wrt == "a" else 1.0
        value, tangent = jvp(a, 1.5, direction)
        assert value == pytest.approx(a.sum() * 1.5, rel=1e-12)
        expected = (direction * 1.5).sum() if wrt == "a" else a.sum()
        assert tangent == pytest.approx(expected, rel=1e-12)


def test_wrt_naming_no_float_parameter_is_a_usage_error(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["forward", "model.py", "-o", "model_jvp.py", "--func", "h", "--wrt", "n"]) == 2
    _assert_one_line_error(capsys.readouterr().err)
    assert not (workdir / "model_jvp.py").exists()


def test_jit_none_has_no_numba_decorators(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["forward", "model.py", "-o", "-", "--jit", "none"]) == 0
    text = capsys.readouterr().out
    assert "numba.njit" not in text and "njit" not in text and "@numba" not in text
    assert main(["forward", "model.py", "-o", "-"]) == 0
    assert "numba.njit(cache=True)" in capsys.readouterr().out


def test_jit_none_module_does_not_import_numba(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """SPEC section 3: ``--jit none`` is plain Python, for machines without numba."""
    assert main(["forward", "model.py", "-o", "-", "--jit", "none"]) == 0
    tree = ast.parse(capsys.readouterr().out)
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not any(name.split(".")[0] == "numba" for name in imported), sorted(imported)


def test_numba_smoke(workdir: Path) -> None:
    """The default output, compiled by numba."""
    assert main(["forward", "model.py", "-o", "model_jvp.py", "--func", "f", "--func", "g"]) == 0
    module = import_path(workdir / "model_jvp.py")
    assert hasattr(module.f_jvp, "py_func"), "f_jvp is not a numba dispatcher"
    x, y = 0.7, -1.3
    value, tangent = module.f_jvp(x, y, 0.25, 2.0)
    assert value == pytest.approx(math.sin(x * x) * y, rel=1e-12)
    assert tangent == pytest.approx(math.cos(x * x) * 2 * x * 0.25 * y + math.sin(x * x) * 2.0, rel=1e-12)
    a = np.array([0.5, -1.0, 2.0])
    value, tangent = module.g_jvp(a, 1.5, np.ones(3), 0.0)
    assert (value, tangent) == pytest.approx((a.sum() * 1.5, 4.5), rel=1e-12)


# ---------------------------------------------------------------- --check and check


def test_check_flag(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["forward", "model.py", "-o", "model_jvp.py", "--jit", "none", "--func", "f"]
    assert main(argv) == 0
    out = workdir / "model_jvp.py"
    mtime = out.stat().st_mtime_ns
    before = _listing(workdir)

    assert main([*argv, "--check"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
    assert _listing(workdir) == before and out.stat().st_mtime_ns == mtime

    # other options give other output: not up to date
    assert main(["forward", "model.py", "-o", "model_jvp.py", "--func", "f", "--check"]) == 1
    assert _listing(workdir) == before

    (workdir / "model.py").write_text(MODEL.replace("return x * x", "return x * x * x"))
    before = _listing(workdir)
    assert main([*argv, "--check"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "model_jvp.py" in captured.err and "Traceback" not in captured.err
    assert _listing(workdir) == before and out.stat().st_mtime_ns == mtime


def test_check_flag_with_output_not_utf8(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (workdir / "model_jvp.py").write_bytes(b"# caf\xe9\n")
    assert main(["forward", "model.py", "-o", "model_jvp.py", "--jit", "none", "--check"]) == 1
    err = capsys.readouterr().err
    assert "not up to date" in err and "Traceback" not in err


def test_check_flag_with_missing_output(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["forward", "model.py", "-o", "model_jvp.py", "--check"]) == 1
    assert "Traceback" not in capsys.readouterr().err
    assert sorted(p.name for p in workdir.iterdir()) == ["model.py"]


def test_check_command(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = _listing(workdir)
    assert main(["check", "model.py"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
    assert _listing(workdir) == before

    (workdir / "bad.py").write_text(BAD_MODEL)
    before = _listing(workdir)
    assert main(["check", "bad.py"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("bad.py:2:9: error: ")
    assert captured.err.splitlines()[0].endswith("[unsupported-lambda]")
    assert captured.err.endswith("Found 1 error in 1 file\n")
    assert _listing(workdir) == before


# ---------------------------------------------------------------- usage and I/O errors


def test_missing_source(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["forward", "nowhere.py", "-o", "out.py"]) == 2
    captured = capsys.readouterr()
    _assert_one_line_error(captured.err)
    assert "nowhere.py" in captured.err
    assert not (workdir / "out.py").exists()


def test_missing_source_for_check(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "nowhere.py"]) == 2
    _assert_one_line_error(capsys.readouterr().err)


@pytest.mark.parametrize("spelling", ["model.py", "./model.py", "{abs}"])
def test_output_over_the_source_is_refused(spelling: str, workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = spelling.format(abs=workdir / "model.py")
    assert main(["forward", "model.py", "-o", output]) == 2
    _assert_one_line_error(capsys.readouterr().err)
    assert (workdir / "model.py").read_text() == MODEL
    assert sorted(p.name for p in workdir.iterdir()) == ["model.py"]


def test_unknown_func(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["forward", "model.py", "-o", "out.py", "--func", "nope"]) == 2
    captured = capsys.readouterr()
    _assert_one_line_error(captured.err)
    assert "nope" in captured.err
    assert not (workdir / "out.py").exists()


def test_unwritable_output(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["forward", "model.py", "-o", str(workdir / "no-such-dir" / "out.py")]) == 2
    _assert_one_line_error(capsys.readouterr().err)
    (workdir / "adir").mkdir()
    assert main(["forward", "model.py", "-o", "adir"]) == 2
    _assert_one_line_error(capsys.readouterr().err)
    assert list((workdir / "adir").iterdir()) == []


# ---------------------------------------------------------------- encodings: read as Python reads a module

LATIN1_MODEL = b"# -*- coding: latin-1 -*-\n\n\ndef f(x: float) -> float:\n    \xe9 = x * x  # caf\xe9\n    return \xe9\n"


def _stdin(data: bytes) -> io.TextIOWrapper:
    """A standard input that holds ``data``, with the ``buffer`` adxform reads."""
    return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")


def test_declared_encoding_is_read(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A PEP 263 declaration is honoured; the output is UTF-8 (it declares
    nothing) and its header's sha256 is that of the file's bytes."""
    (workdir / "latin.py").write_bytes(LATIN1_MODEL)
    assert main(["forward", "latin.py", "-o", "latin_jvp.py", "--jit", "none"]) == 0, capsys.readouterr().err
    text = (workdir / "latin_jvp.py").read_bytes().decode("utf-8")
    assert "\u00e9 = x * x" in text and "coding" not in text
    assert hashlib.sha256(LATIN1_MODEL).hexdigest() in _header(text)[0]
    assert import_path(workdir / "latin_jvp.py").f_jvp(3.0, 0.5) == (9.0, 3.0)


def test_utf8_byte_order_mark_is_read(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = codecs.BOM_UTF8 + MODEL.encode()
    (workdir / "bom.py").write_bytes(data)
    assert main(["forward", "bom.py", "-o", "bom_jvp.py", "--jit", "none"]) == 0, capsys.readouterr().err
    text = (workdir / "bom_jvp.py").read_bytes().decode("utf-8")
    assert not text.startswith("\ufeff")
    assert hashlib.sha256(data).hexdigest() in _header(text)[0]
    _check_model_jvps(import_path(workdir / "bom_jvp.py"))


BAD_ENCODINGS = {
    # name: (the source's bytes, where the diagnostic points)
    "undecodable-utf8": (b"def f(x: float) -> float:\n    return x  # caf\xe9\n", "2:20"),
    "undecodable-after-non-ascii": ("def f(x: float) -> float:\n    \u00e9 = x\n".encode() + b"    return \xff\n",
                                    "3:12"),
    "undecodable-declared": (b"# coding: utf-8\ndef f(x: float) -> float:\n    return x  # \xff\n", "3:17"),
    "unknown-declared": (b"# coding: foo-bar\ndef f(x: float) -> float:\n    return x\n", "1:11"),
    "unknown-declared-line-2": (b"#!/usr/bin/env python\n# vim: set fileencoding=nope :\ndef f(x: float) -> float:\n"
                                b"    return x\n", "2:25"),
    "declared-not-ascii-compatible": (b"# coding: utf-16\ndef f(x: float) -> float:\n    return x\n", "1:11"),
    "utf-16": (MODEL.encode("utf-16"), "1:1"),
    "utf-32": (MODEL.encode("utf-32"), "1:1"),
}


@pytest.mark.parametrize("source", ["file", "stdin"])
@pytest.mark.parametrize("name", list(BAD_ENCODINGS))
def test_bad_encoding_is_a_positioned_diagnostic(name: str, source: str, workdir: Path,
                                                 capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    data, where = BAD_ENCODINGS[name]
    if source == "file":
        (workdir / "enc.py").write_bytes(data)
        argv, shown = ["forward", "enc.py", "-o", "out.py"], "enc.py"
    else:
        monkeypatch.setattr(sys, "stdin", _stdin(data))
        argv, shown = ["forward", "-", "-o", "out.py"], "<stdin>"
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err, err
    assert err.startswith(f"{shown}:{where}: error: ") and err.splitlines()[0].endswith("[bad-encoding]"), err
    assert err.endswith("Found 1 error in 1 file\n"), err
    assert not (workdir / "out.py").exists()


def test_api_refuses_an_unknown_declared_encoding() -> None:
    with pytest.raises(adxform.DiagnosticError) as info:
        adxform.transform("# coding: foo-bar\ndef f(x: float) -> float:\n    return x\n", "forward", jit="none")
    assert [(d.code, d.line, d.col) for d in info.value.diagnostics] == [("bad-encoding", 1, 11)]


def test_api_text_outside_its_declared_encoding() -> None:
    """A text no file in its declared encoding decodes to still gets a header."""
    text = adxform.transform("\ufeff# coding: latin-1\ndef f(x: float) -> float:\n    return x  # \u20ac\n",
                             "forward", jit="none")
    assert text.startswith("# Generated by adxform")


def test_output_is_utf8_whatever_the_locale(workdir: Path) -> None:
    """``-o -`` writes UTF-8 bytes even where standard output is ASCII, and
    a source name that is not UTF-8 leaves the module valid UTF-8 Python."""
    env = dict(os.environ, PYTHONIOENCODING="ascii", LC_ALL="C")
    result = subprocess.run([sys.executable, "-m", "adxform", "forward", "-", "-o", "-", "--jit", "none"],
                            input=LATIN1_MODEL, capture_output=True, env=env, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert "\u00e9 = x * x" in result.stdout.decode("utf-8")

    odd_name = os.fsdecode(b"mod\xffel.py")
    (workdir / odd_name).write_bytes(LATIN1_MODEL)
    assert main(["forward", odd_name, "-o", "odd_jvp.py", "--jit", "none"]) == 0
    text = (workdir / "odd_jvp.py").read_bytes().decode("utf-8")
    ast.parse(text)
    assert "mod\\udcffel.py" in _header(text)[0]
    assert import_path(workdir / "odd_jvp.py").f_jvp(3.0, 0.5) == (9.0, 3.0)


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["frobnicate", "model.py"],
        ["forward", "model.py"],
        ["forward", "model.py", "-o", "out.py", "--jit", "pypy"],
    ],
)
def test_bad_usage_exits_2(argv: list[str], workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and "usage:" in captured.err
    assert sorted(p.name for p in workdir.iterdir()) == ["model.py"]


# ---------------------------------------------------------------- determinism and the header


def test_output_is_deterministic(workdir: Path) -> None:
    argv = ["forward", "model.py", "-o", "model_jvp.py"]
    assert main(argv) == 0
    first = (workdir / "model_jvp.py").read_bytes()
    assert main(argv) == 0
    assert (workdir / "model_jvp.py").read_bytes() == first
    assert adxform.transform(MODEL, "forward") == adxform.transform(MODEL, "forward")


def test_output_is_deterministic_across_hash_seeds() -> None:
    """Set and dict order must not leak into the output: two processes with
    different hash seeds write the same bytes."""
    source = CORPUS_DIR / "combined.py"
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        result = subprocess.run([sys.executable, "-m", "adxform", "forward", str(source), "-o", "-"],
                                capture_output=True, env=env, timeout=120, check=False)
        assert result.returncode == 0, result.stderr.decode()
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1]


@pytest.mark.parametrize(
    "options",
    [
        [],
        ["--func", "f"],
        ["--func", "g", "--func", "h", "--wrt", "s", "--jit", "none"],
    ],
)
def test_header(options: list[str], workdir: Path) -> None:
    argv = ["forward", "model.py", "-o", "model_jvp.py", *options]
    assert main(argv) == 0
    out = workdir / "model_jvp.py"
    text = out.read_text()
    header = _header(text)
    assert header, "no header comment"
    first = header[0]
    assert f"adxform {adxform.__version__}" in first
    assert "model.py" in first
    assert hashlib.sha256((workdir / "model.py").read_bytes()).hexdigest() in first

    command = _regenerate_command(text)
    assert shlex.split(command) == ["adxform", *argv]
    out.unlink()
    assert main(shlex.split(command)[1:]) == 0
    assert out.read_text() == text


def test_header_command_quotes_paths_with_spaces(tmp_path: Path) -> None:
    folder = tmp_path / "my project"
    folder.mkdir()
    src, out = folder / "model.py", folder / "model jvp.py"
    src.write_text(MODEL)
    argv = ["forward", str(src), "-o", str(out), "--jit", "none"]
    assert main(argv) == 0
    command = _regenerate_command(out.read_text())
    assert shlex.split(command) == ["adxform", *argv], f"the regenerate command does not run as printed: {command}"


def test_header_sha256_is_of_the_file_bytes(workdir: Path) -> None:
    """A CRLF file's hash is the hash of its bytes, as ``sha256sum`` prints it."""
    src = workdir / "crlf.py"
    src.write_bytes(MODEL.replace("\n", "\r\n").encode())
    assert main(["forward", "crlf.py", "-o", "crlf_jvp.py", "--jit", "none"]) == 0
    first = _header((workdir / "crlf_jvp.py").read_text())[0]
    found = re.findall(r"\b[0-9a-f]{64}\b", first)
    assert found == [hashlib.sha256(src.read_bytes()).hexdigest()], first


# ---------------------------------------------------------------- the installed console script


def test_console_script_generates_a_module(workdir: Path) -> None:
    exe = shutil.which("adxform")
    assert exe is not None, "the adxform console script is not on PATH"
    result = subprocess.run([exe, "forward", "model.py", "-o", "model_jvp.py", "--jit", "none"],
                            capture_output=True, text=True, cwd=workdir, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and result.stderr == ""
    _check_model_jvps(import_path(workdir / "model_jvp.py"))

    (workdir / "bad.py").write_text(BAD_MODEL)
    result = subprocess.run([exe, "forward", "bad.py", "-o", "bad_jvp.py"], capture_output=True, text=True,
                            cwd=workdir, timeout=120, check=False)
    assert result.returncode == 1
    assert result.stderr.startswith("bad.py:2:9: error: ") and "Traceback" not in result.stderr
    assert not (workdir / "bad_jvp.py").exists()
