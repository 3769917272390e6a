"""Source text -> IR: the guard against crashing input, then libcst lowering."""

from __future__ import annotations

from .. import ir
from ..diagnostics import Reporter
from .guard import check_parsable
from .lower import lower_module


def parse_module(source: str, filename: str, reporter: Reporter) -> ir.Module:
    """Lower ``source`` to an ``ir.Module``; syntax problems raise DiagnosticError."""
    module = lower_module(source, filename, reporter) if check_parsable(source, reporter) else None
    reporter.check()
    assert module is not None
    return module
