"""The rule table as a user reads it: ``adxform rules [--json]`` and the
docs page of supported functions (``docs/gen_rules.py``) both print these
rows, so the page cannot drift from the table.

A row is the rule's qualified name, how it is written in code, its kind,
the modes that differentiate it and its note.  Both transforms implement
every kind (tests/test_rules.py runs each rule in both modes), so forward
and reverse are true for every row today; the columns are there so that a
rule of one mode only would show it.
"""

from __future__ import annotations

import json

from .registry import Rule, RuleTable

# kind -> what the derivative of such a rule is, in a user's words
KIND_MEANINGS = {
    "elementwise": "a partial derivative per argument, element by element",
    "linear": "the same call on the tangent",
    "reduction": "a derivative per element of the argument, reduced whole or along axis=k",
    "bilinear": "linear in each of its two arguments",
    "constant": "no derivative flows through (an integer, a predicate, a piecewise constant or a new array)",
}

# the prefix of a qualified name -> how code spells a call of it
_SPELLINGS = {"numpy.": "np.", "math.": "math.", "builtins.": ""}


def spelling(name: str) -> str:
    """``numpy.linalg.norm`` -> ``np.linalg.norm``, ``builtins.abs`` ->
    ``abs``, ``method.copy`` -> ``a.copy()``."""
    prefix, _, rest = name.partition(".")
    if prefix == "method":
        return f"a.{rest}()"
    return _SPELLINGS[prefix + "."] + rest


def row(rule: Rule) -> dict[str, str | bool]:
    return {"name": rule.name, "spelling": spelling(rule.name), "kind": rule.kind,
            "forward": True, "reverse": True, "note": rule.note}


def rows(table: RuleTable) -> list[dict[str, str | bool]]:
    """One row per rule, sorted by qualified name."""
    return [row(table.rules[name]) for name in table]


def as_json(table: RuleTable) -> str:
    return json.dumps(rows(table), indent=2) + "\n"


def as_text(table: RuleTable) -> str:
    """An aligned table: name, kind, forward, reverse, note."""
    header = {"name": "name", "kind": "kind", "forward": "forward", "reverse": "reverse", "note": "note"}
    lines = [header] + [{**r, "forward": _yes(r["forward"]), "reverse": _yes(r["reverse"])} for r in rows(table)]
    widths = {key: max(len(str(line[key])) for line in lines) for key in ("name", "kind", "forward", "reverse")}
    return "".join(f"{line['name']:<{widths['name']}}  {line['kind']:<{widths['kind']}}  "
                   f"{line['forward']:<{widths['forward']}}  {line['reverse']:<{widths['reverse']}}  "
                   f"{line['note']}".rstrip() + "\n" for line in lines)


def _yes(flag: str | bool) -> str:
    return "yes" if flag else "no"
