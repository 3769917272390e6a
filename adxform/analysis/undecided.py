"""Variables that may hold a number where the types made them arrays.

``y = np.dot(M[i], u)``, where nothing in the function shows how many
dimensions ``M`` and ``u`` have, is a number for a matrix and a vector and
an array otherwise.  The types take such a product for an array of unknown
ndim (``rules/registry.matmul_type``: a guess of a number would spread), and
so does everything computed elementwise from it.  A tangent serves both
kinds, unless it is scaled in place (``x *= c``, by the function or by a
helper on its parameter);
an adjoint does not (an array adjoint accumulates in place, a number's is
rebound, and a tape saves them differently).  So reverse mode needs these
variables to be arrays when it runs, and forward mode those it scales in
place or passes to such helpers: ``checks.array_checks`` makes each of
their bindings refuse a number, with a message that says how to declare
the dimensions.
"""

from __future__ import annotations

from .. import ir
from ..walk import statements, stmt_reads
from .types import NUMBER_PRODUCTS, FunctionTypes, consuming, product_operands


def undecided(func: ir.Function, types: FunctionTypes) -> dict[str, ir.Pos]:
    """The locals typed arrays of unknown ndim that some binding may make a
    number, each with the product that may be one.  A local the body
    subscripts is an array for sure (``y[0]``), and is left out; so is one
    the body never reads, whose kind no derivative code depends on."""
    params = {p.name for p in func.params}
    read = {n for stmt in statements(func.body) for n in stmt_reads(stmt)}
    found: dict[str, ir.Pos] = {}
    changed = True
    while changed:  # ``z = 2.0 * y`` after ``y = np.dot(M[i], u)``: a binding may come before what it reads
        changed = False
        for stmt in statements(func.body):
            if not (isinstance(stmt, ir.Assign) and isinstance(stmt.target, ir.Name) and not stmt.inplace):
                continue
            name = stmt.target.id
            vtype = types.env.get(name)
            if name in found or name in params or name in types.least or name not in read or vtype is None \
                    or not vtype.is_array or vtype.ndim:
                continue
            product = _number_source(stmt.value, types, found)
            if product is not None:
                found[name] = product
                changed = True
    return found


def _number_source(expr: ir.Expr, types: FunctionTypes, found: dict[str, ir.Pos]) -> ir.Pos | None:
    """Where ``expr``, typed an array of unknown ndim, may become a number:
    the product of two arrays that may both be vectors, a call of a module
    function that returns such a value, or a value computed from such values
    and numbers alone; None where it is an array for sure."""
    etype = types.of(expr)
    if not etype.is_array or etype.ndim:
        return None
    if isinstance(expr, ir.Name):
        return found.get(expr.id)
    operands = product_operands(expr, NUMBER_PRODUCTS)
    if operands:
        return expr.pos if all(_may_be_vector(o, types) for o in operands) else None
    if isinstance(expr, ir.Call) and expr.func.startswith("module."):
        return expr.pos  # what it returns is typed as its own body types it (a product there, say)
    if isinstance(expr, ir.BinOp):
        parts = [expr.left, expr.right]
    elif isinstance(expr, ir.UnaryOp):
        parts = [expr.operand]
    elif isinstance(expr, ir.IfExp):
        parts = [expr.body, expr.orelse]
    elif isinstance(expr, ir.Call):
        parts = list(expr.args)
    else:
        return None
    arrays = [part for part in parts if types.of(part).is_array]
    sources = [_number_source(part, types, found) for part in arrays]
    return sources[0] if sources and all(s is not None for s in sources) else None


def _may_be_vector(operand: ir.Expr, types: FunctionTypes) -> bool:
    """Whether a product's operand may be a 1-D array: one typed so, or of
    unknown ndim where the body shows no more dimensions (``M[i]`` of an
    ``M`` the body shows to have two at least is one; of three, not)."""
    otype = types.of(operand)
    if not otype.is_array or otype.ndim > 1:
        return False
    if isinstance(operand, ir.Name):
        return types.least.get(operand.id, 0) <= 1
    if isinstance(operand, ir.Subscript) and isinstance(operand.value, ir.Name) \
            and not any(isinstance(i, ir.Slice) for i in operand.index):
        return types.least.get(operand.value.id, 0) - len(consuming(operand.index)) <= 1
    return True
