"""The users' documentation against the code.

* Every diagnostic code adxform can emit has a ``## code`` section in
  docs/diagnostics.md, and every section is a code adxform emits.  The
  codes are collected from the source: the third argument (or ``code=``)
  of each ``error(...)``, ``Unsupported(...)`` and ``refuse(...)`` call,
  the defaults of ``code`` parameters, and the parser's ``UNSUPPORTED``
  table.
* Each section's example, written to files and run with the command the
  section shows, gives that code, at the positions the section shows.
* No text a user sees names the team's contract file ("SPEC"): not the
  diagnostics' notes, not the generated modules of the corpus and the
  golden sources in either mode.
* The checkpointing figure is drawn from the optimal schedule.
"""

from __future__ import annotations

import ast
import importlib.util
import re
import shlex
from pathlib import Path

import generated
import pytest
from adxform.cli import main
from helpers import corpus_modules

ROOT = Path(__file__).resolve().parent.parent
DIAGNOSTICS_PAGE = ROOT / "docs" / "diagnostics.md"
SOURCES = sorted((ROOT / "adxform").rglob("*.py")) + sorted((ROOT / "cli").rglob("*.py"))

CODE = re.compile(r"[a-z]+(-[a-z0-9]+)*")
REPORTING_CALLS = {"error", "Unsupported", "refuse"}  # each takes the code as its third argument
HEADLINE = re.compile(r"^(?P<where>\S+:\d+:\d+): error: .* \[(?P<code>[a-z0-9-]+)\]$", re.MULTILINE)
# sections whose example is not a file a reader could copy, and the test that builds it instead
BUILT_EXAMPLES = {"nesting-too-deep"}


# -- the codes in the source ---------------------------------------------------------------


def _callee(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _code(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and CODE.fullmatch(node.value):
        return node.value
    return None


def _table_codes(node: ast.AST) -> list[ast.AST]:
    """The first items of the (code, wording) pairs of the parser's
    ``UNSUPPORTED`` table and of its ``.get`` default."""
    pairs: list[ast.AST] = []
    if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "UNSUPPORTED" for t in node.targets):
        pairs = list(node.value.values) if isinstance(node.value, ast.Dict) else []
    elif isinstance(node, ast.Call) and _callee(node) == "get" and isinstance(node.func, ast.Attribute) \
            and isinstance(node.func.value, ast.Name) and node.func.value.id == "UNSUPPORTED":
        pairs = node.args[1:]
    return [pair.elts[0] for pair in pairs if isinstance(pair, ast.Tuple) and pair.elts]


def _code_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node of ``tree`` that may hold a diagnostic code."""
    found: list[ast.AST] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _callee(node) in REPORTING_CALLS:
            found += node.args[2:3] + [k.value for k in node.keywords if k.arg == "code"]
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = node.args.args[len(node.args.args) - len(node.args.defaults):]
            found += [default for arg, default in zip(args, node.args.defaults) if arg.arg == "code"]
        found += _table_codes(node)
    return found


def source_codes() -> set[str]:
    codes = set()
    for path in SOURCES:
        codes |= {code for node in _code_nodes(ast.parse(path.read_text())) if (code := _code(node))}
    return codes


def test_the_codes_are_found() -> None:
    """The collection sees each way the source reports a code (so the
    tests below cannot pass on an empty set)."""
    codes = source_codes()
    assert {"syntax-error", "unknown-function", "unsupported-try", "unsupported-syntax", "recursion",
            "unsupported-reverse", "unsupported-checkpoint", "ambiguous-type"} <= codes
    assert len(codes) >= 39


# -- the sections of docs/diagnostics.md ------------------------------------------------------


def sections() -> dict[str, str]:
    """``## code`` heading -> the text of its section."""
    parts = re.split(r"^## ", DIAGNOSTICS_PAGE.read_text(encoding="utf-8"), flags=re.MULTILINE)[1:]
    return {part.split("\n", 1)[0].strip(): part.split("\n", 1)[1] for part in parts}


@pytest.mark.parametrize("code", sorted(source_codes()))
def test_each_code_has_a_section(code: str) -> None:
    section = sections().get(code)
    assert section is not None, f"docs/diagnostics.md has no '## {code}' section"
    assert "**Fix.**" in section and f"[{code}]" in section
    assert f"[`{code}`](#{code})" in DIAGNOSTICS_PAGE.read_text(encoding="utf-8")  # in the index table


def test_each_section_is_a_code() -> None:
    assert set(sections()) <= source_codes()


def _files(section: str) -> dict[str, str]:
    return dict(re.findall(r'```python title="([^"]+)"\n(.*?)```', section, flags=re.DOTALL))


def _console(section: str) -> tuple[list[str], str]:
    """The arguments of the section's ``$ adxform ...`` line, and the output shown under it."""
    match = re.search(r"```console\n\$ adxform (?P<args>[^\n]*)\n(?P<output>.*?)```", section, flags=re.DOTALL)
    assert match, "no ```console block with a '$ adxform ...' command"
    return shlex.split(match["args"]), match["output"]


@pytest.mark.parametrize("code", sorted(set(sections()) - BUILT_EXAMPLES))
def test_section_example_gives_its_code(code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    section = sections()[code]
    files = _files(section)
    assert files, "no ```python title=\"model.py\" example"
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    args, shown = _console(section)
    monkeypatch.chdir(tmp_path)
    assert main(args) == 1
    printed = capsys.readouterr().err
    assert f"[{code}]" in printed
    assert HEADLINE.findall(printed) == HEADLINE.findall(shown), "the output shown is not what adxform prints"
    assert "SPEC" not in printed
    assert not [p for p in tmp_path.iterdir() if p.name not in files], "a diagnostic wrote a file"


def test_nesting_example(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The nesting-too-deep section shows a sum in 150 levels of parentheses."""
    source = tmp_path / "model.py"
    source.write_text("def total(x: float) -> float:\n    return " + "(" * 150 + "x" + " + 1.0)" * 150 + "\n")
    assert main(["check", str(source)]) == 1
    printed = capsys.readouterr().err
    _, shown = _console(sections()["nesting-too-deep"])
    assert [code for _, code in HEADLINE.findall(printed)] == ["nesting-too-deep"]
    assert printed.splitlines()[0].split(": ", 1)[1] == shown.splitlines()[0].split(": ", 1)[1]


# -- no user-facing text names the contract file ------------------------------------------------


def _docstrings(text: str) -> list[str]:
    tree = ast.parse(text)
    nodes = [tree] + [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    return [doc for node in nodes if (doc := ast.get_docstring(node))]


@pytest.mark.parametrize("mode", ["forward", "reverse"])
@pytest.mark.parametrize("path", corpus_modules(), ids=lambda p: p.stem)
def test_generated_modules_do_not_name_spec(path: Path, mode: str) -> None:
    text = generated.transform(path.read_text(), mode, filename=path.name, jit="none")
    assert len(_docstrings(text)) > 1
    assert not [doc for doc in _docstrings(text) if "SPEC" in doc]
    assert "SPEC" not in text


def test_notes_do_not_name_spec(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Every note the examples of docs/diagnostics.md print, in one place,
    and the notes in the source's reporting calls."""
    monkeypatch.chdir(tmp_path)
    notes = []
    for code, section in sections().items():
        if code in BUILT_EXAMPLES:
            continue
        for name, text in _files(section).items():
            (tmp_path / name).write_text(text)
        main(_console(section)[0])
        notes += [line for line in capsys.readouterr().err.splitlines() if ": note: " in line]
    assert len(notes) >= 8
    assert not [note for note in notes if "SPEC" in note]
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.keyword) and node.arg == "note":
                assert "SPEC" not in ast.unparse(node.value), f"{path}: {ast.unparse(node.value)}"


# -- the checkpointing figure ------------------------------------------------------------------


def test_revolve_figure_draws_the_optimal_schedule() -> None:
    """docs/gen_revolve_figure.py steps the generated module's schedule:
    every iteration is recorded once, last first, after t(l, s) advances."""
    spec = importlib.util.spec_from_file_location("gen_revolve_figure", ROOT / "docs" / "gen_revolve_figure.py")
    figure = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(figure)
    actions = figure.schedule(figure.runtime(), figure.ITERATIONS, figure.SNAPSHOTS)
    turns = [lo for kind, lo, _ in actions if kind == "turn"]
    assert turns == list(reversed(range(figure.ITERATIONS)))
    advances = sum(hi - lo for kind, lo, hi in actions if kind == "advance")
    assert advances == figure.revolve_optimum(figure.ITERATIONS, figure.SNAPSHOTS) == 33
    assert (ROOT / "docs" / "img" / "revolve.svg").is_file()
