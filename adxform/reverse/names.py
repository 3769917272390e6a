"""The names of the reverse functions ``f_rev``, beside a module adxform
generated.

A reverse module defines ``g_rev``, ``g_vjp``, ``g_grad``... for its own
``g``.  Fed back into reverse mode (``adxform reverse m_grad.py --func
g_grad``), its functions are differentiated again, ``g`` among them where
``g_vjp`` calls it, and the new reverse function of ``g`` cannot take the
name ``g_rev`` that the module's own one holds: it takes the first free one
of ``g_rev2``, ``g_rev3``...  The module's functions keep their names, so
the second module still holds the first one's API.  A hand-written module
is not renamed around: there, a function of the user's named like a
derivative is a diagnostic (pipeline.py, ``name-clash``).
"""

from __future__ import annotations

from ..analysis.program import Program
from ..naming import fresh_name


def distinct_rev_names(program: Program) -> None:
    """Give each differentiated function of a generated module a reverse
    function name that none of its functions has."""
    if not program.module.generated:
        return
    taken = set(program.module.functions) | {facts.rev_name for facts in program.facts.values()}
    for name in program.order:
        facts = program.facts[name]
        if facts.rev_name in program.module.functions:
            facts.rev_name = fresh_name(facts.rev_name, taken)
