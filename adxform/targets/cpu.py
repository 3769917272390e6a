"""The CPU target: numba's ``njit``, numpy stacks as tapes, ``+=``."""

from __future__ import annotations

import copy

from .. import build, ir
from .base import Target


def _tape(namer):
    """Growable numpy stacks (``reverse/tape.py``), imported here when a
    reverse function first asks: ``reverse`` imports this package."""
    from ..reverse.tape import Tape

    return Tape(namer)


def zeros_like(array: ir.Expr) -> ir.Expr:
    return build.call("numpy.zeros_like", array)


def accumulate(target: ir.Expr, value: ir.Expr, pos: ir.Pos, exclusive: bool = True) -> ir.Stmt:
    """``target += value``: one thread, nothing to race with."""
    return ir.Assign(target, build.add(copy.deepcopy(target), value), pos, inplace=True)


CPU = Target("cpu", {"numba": "@numba.njit(cache=True)", "none": None}, "runtime.py.j2", _tape, zeros_like,
             accumulate)
PYTHON = Target("python", {"numba": None, "none": None}, "runtime.py.j2", _tape, zeros_like, accumulate)
