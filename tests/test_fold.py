"""Branches decided by constants are folded before the transforms (fold.py)."""

from __future__ import annotations

import adxform


def _folded(body: str) -> str:
    """The forward module of ``def f(x: float) -> float:`` with ``body``:
    its copy of the primal is the code after folding."""
    source = "def f(x: float) -> float:\n" + "".join(f"    {line}\n" for line in body.splitlines())
    return adxform.transform(source, "forward", filename="m.py", jit="none")


def test_a_branch_on_a_constant_name_is_folded() -> None:
    text = _folded("c = 0\nif c > 1:\n    x = x * 2.0\nelse:\n    x = x * 3.0\nreturn x")
    primal = text[text.index("def f(x)"):text.index("def f_jvp")]
    assert "x * 3.0" in primal and "x * 2.0" not in primal and "if " not in primal


def test_a_name_bound_in_a_loop_is_not_a_constant() -> None:
    text = _folded("c = 0\nfor i in range(3):\n    if c > 1:\n        x = x * 2.0\n    c += 1\nreturn x")
    primal = text[text.index("def f(x)"):text.index("def f_jvp")]
    assert "if c > 1:" in primal


def test_a_name_bound_in_an_unfolded_branch_is_not_a_constant() -> None:
    text = _folded("c = 0\nif x > 0.0:\n    c = 2\nif c > 1:\n    x = x * 2.0\nreturn x")
    primal = text[text.index("def f(x)"):text.index("def f_jvp")]
    assert "if c > 1:" in primal and "x * 2.0" in primal


def test_statements_after_a_folded_return_are_dropped() -> None:
    text = _folded("if 0.5 > 0.0:\n    return x * 2.0\ny = x * 3.0\nreturn y")
    primal = text[text.index("def f(x)"):text.index("def f_jvp")]
    assert "x * 2.0" in primal and "x * 3.0" not in primal and "if " not in primal
