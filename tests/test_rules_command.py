"""``adxform rules [--json]``: the derivative-rule table as users read it,
checked row by row against ``adxform.rules.TABLE``, and the docs page of
supported functions made from the same rows (docs/gen_rules.py)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
from adxform.cli import main
from adxform.rules import TABLE
from adxform.rules.listing import KIND_MEANINGS, spelling

ROOT = Path(__file__).resolve().parent.parent

# The conventions the docs promise users, as (rule, words its note must hold).
CONVENTIONS = [
    ("numpy.max", "tie"), ("numpy.min", "tie"), ("method.max", "tie"), ("numpy.amin", "tie"),
    ("numpy.maximum", "tie"), ("numpy.minimum", "tie"), ("builtins.max", "tie"), ("builtins.min", "tie"),
    ("numpy.prod", "nan"), ("method.prod", "nan"), ("numpy.linalg.norm", "nan"), ("numpy.abs", "at 0"),
]


def _rules_json(capsys: pytest.CaptureFixture[str]) -> list[dict]:
    assert main(["rules", "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_has_one_row_per_rule_in_name_order(capsys: pytest.CaptureFixture[str]) -> None:
    rows = _rules_json(capsys)
    assert [row["name"] for row in rows] == sorted(TABLE.rules)
    assert len(rows) == len(TABLE.rules) > 100


def test_json_rows_match_the_table(capsys: pytest.CaptureFixture[str]) -> None:
    for row in _rules_json(capsys):
        rule = TABLE.rules[row["name"]]
        assert set(row) == {"name", "spelling", "kind", "forward", "reverse", "note"}
        assert (row["kind"], row["note"], row["spelling"]) == (rule.kind, rule.note, spelling(rule.name))
        assert row["forward"] is True and row["reverse"] is True
        assert row["kind"] in KIND_MEANINGS


@pytest.mark.parametrize("name, words", CONVENTIONS, ids=[name for name, _ in CONVENTIONS])
def test_conventions_are_in_the_notes(capsys: pytest.CaptureFixture[str], name: str, words: str) -> None:
    row = next(row for row in _rules_json(capsys) if row["name"] == name)
    assert words in row["note"]


@pytest.mark.parametrize("name, expected", [("numpy.exp", "np.exp"), ("numpy.linalg.norm", "np.linalg.norm"),
                                            ("math.atan2", "math.atan2"), ("builtins.abs", "abs"),
                                            ("method.sum", "a.sum()")])
def test_spelling(name: str, expected: str) -> None:
    assert spelling(name) == expected


def test_text_table_has_a_line_per_rule(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["name", "kind", "forward", "reverse", "note"]
    assert [line.split()[0] for line in lines[1:]] == sorted(TABLE.rules)
    prod = next(line for line in lines if line.startswith("numpy.prod "))
    assert prod.split()[1:4] == ["reduction", "yes", "yes"] and TABLE.rules["numpy.prod"].note in prod


def test_installed_command_prints_the_json() -> None:
    result = subprocess.run([sys.executable, "-m", "adxform", "rules", "--json"], capture_output=True, text=True,
                            check=True)
    assert {row["name"] for row in json.loads(result.stdout)} == set(TABLE.rules)


def _gen_rules():
    spec = importlib.util.spec_from_file_location("gen_rules", ROOT / "docs" / "gen_rules.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_supported_functions_page_is_up_to_date() -> None:
    """The committed page is what docs/gen_rules.py writes from the table now."""
    gen_rules = _gen_rules()
    committed = (ROOT / "docs" / "supported-functions.md").read_text(encoding="utf-8")
    assert committed == gen_rules.page(), "run: python docs/gen_rules.py"


def test_supported_functions_page_lists_every_rule() -> None:
    page = (ROOT / "docs" / "supported-functions.md").read_text(encoding="utf-8")
    for name, rule in TABLE.rules.items():
        assert f"| `{spelling(name)}` | `{name}` |" in page
        assert rule.note in page
