"""Checks on entry to a derivative function, for what the types assumed.

A parameter that nothing in the source shows to be a scalar or an array,
and that only meets float arithmetic (``0.1 * x``), is taken for a float
(``analysis/types.py``): numba users mostly mean a number there, and a
diagnostic would ask every one of them for an annotation.  An array passed
there would get a derivative written for a number, so the derivative
functions refuse it on entry with a message that says how to declare it.
"""

from __future__ import annotations

from pathlib import Path

from . import ir
from .analysis.program import FunctionFacts


def assumed_float_checks(facts: FunctionFacts, filename: str) -> list[ir.Stmt]:
    """``_check_number(x, message)`` for each parameter taken for a float."""
    func = facts.func
    checks: list[ir.Stmt] = []
    for param in func.params:
        if param.name not in facts.types.assumed_floats:
            continue
        pos = param.pos
        where = f"{Path(pos.file or filename).name}:{pos.line}:{pos.col}"
        message = (f"{where}: nothing in '{func.name}' shows whether '{param.name}' is a number or an array, "
                   f"so adxform differentiated it as a number; to pass an array, annotate it "
                   f"`{param.name}: np.ndarray` or declare its type to numba")
        checks.append(ir.ExprStmt(ir.Call("module._check_number", [ir.Name(param.name), ir.Const(message)])))
    return checks
