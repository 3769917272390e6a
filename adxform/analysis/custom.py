"""Custom derivative rules (docs/custom-rules.md): ``g_jvp`` / ``g_vjp`` written by the user.

When the source module (or the module of ``--rules FILE``, merged into it)
defines ``g_jvp``, forward mode calls it for ``g`` instead of
differentiating ``g``; ``g_vjp`` does the same in reverse mode.  The rule
functions are copied into the generated module like any primal and are
never differentiated themselves.  Their signatures are the public ones, over all
of ``g``'s float and float-array parameters (``--wrt`` does not restrict a
function that has a custom rule):

- ``g_jvp(a1..an, d1..dk) -> (y, y_dot)``; for a procedure the array
  tangents are in/out;
- ``g_vjp(a1..an, y_bar) -> (y, b1..bk)``; for a procedure
  ``p_vjp(a1..an, B1..Bm) -> (scalar adjoints)`` with in/out array adjoints.
"""

from __future__ import annotations

from .. import ir

RULE_SUFFIXES = {"forward": "_jvp", "reverse": "_vjp"}


def rule_functions(module: ir.Module) -> dict[str, str]:
    """Every custom rule of the module, either mode: rule name -> ``g``."""
    known = set(module.functions) | set(module.rejected)
    return {f"{g}{suffix}": g for g in known for suffix in RULE_SUFFIXES.values()
            if f"{g}{suffix}" in known}


def custom_rules(module: ir.Module, mode: str) -> dict[str, str]:
    """``g`` -> the name of its rule in ``mode``."""
    return {g: rule for rule, g in rule_functions(module).items() if rule.endswith(RULE_SUFFIXES[mode])}


def expected_params(rule: str, n: int, differentiable: int, arrays: int, procedure: bool) -> int:
    """How many parameters the rule ``rule`` of a function with ``n``
    parameters (``differentiable`` of them float, ``arrays`` float arrays)
    takes."""
    if rule.endswith(RULE_SUFFIXES["forward"]):
        return n + differentiable
    return n + (arrays if procedure else 1)
