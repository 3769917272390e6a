"""The ``Target`` record: what a transform asks of the machine it writes for."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .. import ir


@dataclass(frozen=True)
class Target:
    """``decorators`` maps ``--jit`` to the decorator line (None: none);
    ``runtime`` names the template of runtime helpers the module carries;
    ``tape`` makes a function's tape (called with the function's ``Namer``);
    ``zeros_like`` builds the expression of a new adjoint array of an
    array's shape; ``accumulate(target, value, pos, exclusive)`` builds the
    statement that adds ``value`` into an adjoint (a name or an element),
    where ``exclusive`` says no other thread can touch that element.  The
    tape's interface is that of the transform that uses it: the CPU's
    ``reverse/`` or the GPU's ``targets/cuda/reverse.py``."""

    name: str
    decorators: dict[str, str | None]
    runtime: str
    tape: Callable
    zeros_like: Callable[[ir.Expr], ir.Expr] | None  # None: nothing is allocated (a kernel's adjoints are arguments)
    accumulate: Callable[..., ir.Stmt]

    def decorator(self, jit: str) -> str | None:
        return self.decorators[jit]
