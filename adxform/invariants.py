"""The invariant both transforms keep: every active assignment gets its derivative.

An expression of an active assignment that reads an active variable
through operations that have a derivative must get a tangent (forward
mode) or adjoint increments (reverse mode).  The transforms decide that from types: a subscript of a
value typed as a scalar, or an expression of unknown type, has no
derivative there.  So a wrong type would silently drop a derivative (issue
11: ``logits[r, 0]`` of a ``logits`` typed as a float gave a loop with no
tangent and no adjoint, and a gradient of zero).  ``carries_derivative``
decides the same question from the structure of the expression alone, with
no types, and ``check_derivative`` turns a disagreement into an internal
error naming the expression and its position, never a silent drop.  Both
``Tangents.of`` and ``Adjoints.increments`` check every expression they
differentiate, so a drop inside a larger expression (``total + logits[r,
0]``, whose tangent is still ``total_dot``) is caught where it happens.
"""

from __future__ import annotations

from . import ir
from .diagnostics import InternalError, Reporter
from .emit.printer import ExprPrinter
from .rules import TABLE


def carries_derivative(expr: ir.Expr, active: set[str]) -> bool:
    """Whether ``expr`` has a derivative with respect to the ``active``
    variables by its operations alone: not through comparisons, ``//``,
    ``not``, piecewise constant functions (``floor``, ``int``, ``len``),
    shapes, indices or calls of module functions (whose derivative the
    call statement gives, and which an expression may not hold)."""
    if isinstance(expr, ir.Name):
        return expr.id in active
    if isinstance(expr, ir.BinOp):
        return expr.op != "//" and (carries_derivative(expr.left, active) or carries_derivative(expr.right, active))
    if isinstance(expr, ir.UnaryOp):
        return expr.op != "not" and carries_derivative(expr.operand, active)
    if isinstance(expr, ir.IfExp):
        return carries_derivative(expr.body, active) or carries_derivative(expr.orelse, active)
    if isinstance(expr, ir.Subscript):
        return carries_derivative(expr.value, active)
    if isinstance(expr, ir.Attribute):
        return expr.attr == "T" and carries_derivative(expr.value, active)
    if isinstance(expr, ir.Tuple):
        return any(carries_derivative(item, active) for item in expr.items)
    if isinstance(expr, ir.Call):
        return any(carries_derivative(expr.args[i], active) for i in _differentiable_arguments(expr))
    if isinstance(expr, ir.BoolOp):  # its value is an operand: a number where the operands are numbers
        return any(carries_derivative(value, active) for value in expr.values)
    return False  # constants, comparisons, slices


def _differentiable_arguments(call: ir.Call) -> range | tuple[int, ...]:
    rule = TABLE.get(call.func)
    if rule is None or rule.kind == "constant" or call.func.startswith("module."):
        return ()
    if rule.kind == "linear":
        return tuple(i for i in rule.linear_args if i < len(call.args))
    return range(len(call.args))


def check_derivative(reporter: Reporter, expr: ir.Expr, derivative_found: bool, active: set[str], what: str) -> None:
    """Raises an internal error when ``expr`` carries a derivative and the
    transform found none for it (``what``: "tangent" or "adjoint"), unless
    a diagnostic was reported: then nothing is written (a refusal is
    reported once, where it is first met, not at every expression it
    touches)."""
    if derivative_found or reporter.diagnostics or not carries_derivative(expr, active):
        return
    where = f"{reporter.filename}:{expr.pos.line}:{expr.pos.col}"
    raise InternalError(f"{where}: internal error: '{ExprPrinter().text(expr)}' carries a derivative but got no "
                        f"{what}: adxform would drop it silently")
