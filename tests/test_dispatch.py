"""Every dispatcher over IR nodes handles every node of its kind, so that a
node added to ``adxform/ir.py`` fails here rather than in a user's hands
(``getattr(self, "_" + type(node).__name__)`` only fails when it runs)."""

from __future__ import annotations

import typing

import pytest
from adxform import ir
from adxform.analysis.types import ExprTyper, FunctionTyper
from adxform.diagnostics import InternalError
from adxform.emit.printer import ExprPrinter, StmtPrinter
from adxform.forward import ForwardFunction
from adxform.forward.tangent import Tangents
from adxform.reverse.adjoint import Adjoints
from adxform.reverse.control import transform_lowered
from adxform.reverse.function import STATEMENT_TRANSFORMS
from adxform.reverse.slicing import Slicer

STATEMENTS = {node.__name__ for node in typing.get_args(ir.Stmt)}
EXPRESSIONS = {node.__name__ for node in typing.get_args(ir.Expr)}
# nodes a dispatcher never sees, and why
NEVER_SEEN = {
    Slicer: {"Return"},  # it cuts the forward sweep, which single_exit left without a return
}


def test_the_reverse_statement_table_covers_every_statement():
    assert {node.__name__ for node in STATEMENT_TRANSFORMS} == STATEMENTS


@pytest.mark.parametrize("dispatcher, nodes", [
    (FunctionTyper, STATEMENTS), (ForwardFunction, STATEMENTS), (StmtPrinter, STATEMENTS), (Slicer, STATEMENTS),
    (ExprTyper, EXPRESSIONS), (Tangents, EXPRESSIONS), (ExprPrinter, EXPRESSIONS), (Adjoints, EXPRESSIONS),
], ids=lambda value: value.__name__ if isinstance(value, type) else "")
def test_every_dispatcher_has_a_method_per_node(dispatcher, nodes):
    handled = {node for node in nodes if callable(getattr(dispatcher, "_" + node, None))}
    assert handled == nodes - NEVER_SEEN.get(dispatcher, set())


def test_a_jump_left_for_the_sweeps_is_an_internal_error():
    """``return`` and ``continue`` are lowered before the sweeps are built;
    one that got through is adxform's bug, said as such."""
    with pytest.raises(InternalError, match="a continue statement reached"):
        transform_lowered(None, ir.Continue(ir.Pos(3, 8)), 0)
