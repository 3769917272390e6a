"""Run-time checks in the derivative functions, for what the types assumed.

An array of unknown ndim whose elements the body reads (``a[i]``) is taken
to have as many dimensions as the read has indices (``analysis/types.py``):
the derivative code treats ``a[i]`` as an element, so it checks where the
array gets its value (a parameter: on entry) that it has that many.

A parameter that nothing in the source shows to be a scalar or an array,
and that only meets float arithmetic (``0.1 * x``), is taken for a float
(``analysis/types.py``): numba users mostly mean a number there, and a
diagnostic would ask every one of them for an annotation.  An array passed
there would get a derivative written for a number, so the derivative
functions refuse it on entry with a message that says how to declare it.

A product of arrays of unknown ndim bound to a name (``t = np.dot(u, u)``)
is a number or an array depending on them; where nothing else tells, the
arrays are taken for vectors (``analysis/types.py``) and checked on entry.
Where the name is only read (``y = A @ x; np.sum(y * y)``, a matrix ``A``
as users mostly mean it) the types take the product for an array, and
reverse mode, whose adjoint code depends on it, checks where the name is
bound that it is one (``array_checks``).
"""

from __future__ import annotations

import copy
from pathlib import Path

from . import build, ir
from .analysis.program import FunctionFacts
from .walk import calls, statements


def where(pos: ir.Pos, filename: str) -> str:
    """``file:line:col`` of ``pos`` for a run-time check's message: the
    file's name only, as the message travels with the generated module."""
    return f"{Path(pos.file or filename).name}:{pos.line}:{pos.col}"


def assumed_float_checks(facts: FunctionFacts, filename: str) -> list[ir.Stmt]:
    """``_check_number(x, message)`` for each parameter taken for a float."""
    func = facts.func
    checks: list[ir.Stmt] = []
    for param in func.params:
        if param.name not in facts.types.assumed_floats:
            continue
        message = (f"{where(param.pos, filename)}: nothing in '{func.name}' shows whether '{param.name}' is a "
                   f"number or an array, so adxform differentiated it as a number; to pass an array, annotate it "
                   f"`{param.name}: np.ndarray` or declare its type to numba")
        checks.append(ir.ExprStmt(ir.Call("module._check_number", [ir.Name(param.name), ir.Const(message)])))
    return checks


def ndim_check(facts: FunctionFacts, target: ir.Expr, filename: str) -> list[ir.Stmt]:
    """``_check_ndim`` of the array ``target`` names, where it gets its value,
    when its dimensions were inferred from the element reads of the body."""
    if not isinstance(target, ir.Name) or target.id not in facts.types.elements:
        return []
    ndim, pos = facts.types.elements[target.id]
    message = f"{where(pos, filename)}: adxform differentiates an element of '{target.id}' here, so '{target.id}' " \
              f"must be a {ndim}-D array"
    return [ir.ExprStmt(ir.Call("module._check_ndim", [ir.Name(target.id), ir.Const(ndim), ir.Const(message)]))]


def assumed_vector_checks(facts: FunctionFacts, filename: str) -> list[ir.Stmt]:
    """``_check_ndim(u, 1, message)`` for each parameter taken for a vector
    because a product of it is bound to a name (``assume_vectors``)."""
    checks: list[ir.Stmt] = []
    for name, pos in facts.types.assumed_vectors.items():
        message = (f"{where(pos, filename)}: nothing in '{facts.func.name}' shows how many dimensions '{name}' has, "
                   f"and this product is a number for vectors but an array otherwise, so adxform differentiated "
                   f"'{name}' as a 1-D array; to pass a matrix, declare the types to numba (`f8[:, :]` in the "
                   f"signature)")
        checks.append(ir.ExprStmt(ir.Call("module._check_ndim", [ir.Name(name), ir.Const(1), ir.Const(message)])))
    return checks


def entry_checks(facts: FunctionFacts, filename: str) -> list[ir.Stmt]:
    """Every check of the parameters, on entry."""
    return assumed_float_checks(facts, filename) + assumed_vector_checks(facts, filename) + [
        s for p in facts.func.params for s in ndim_check(facts, ir.Name(p.name), filename)]


def array_checks(derivative: ir.Function, found: dict[str, ir.Pos], function: str, filename: str) -> None:
    """Every binding, in ``derivative``, of a name of ``found`` (variables
    that may hold a number though typed arrays, ``analysis/undecided.py``,
    or their tangents) goes through ``_as_array``, which refuses a number
    when it runs, naming the product at ``found[name]``."""
    if found:
        derivative.body = _through_as_array(derivative.body, found, function, filename)


def written_by_callees(facts: FunctionFacts, callee_writes: dict[str, set[int]], names: set[str]) -> set[str]:
    """Those of ``names`` passed to a module function that writes into its
    parameter there (``x *= c`` in the callee): forward mode updates the
    tangent in place, which a number cannot be."""
    return {arg.id for call in calls(facts.func.body) if call.func.startswith("module.")
            for k, arg in enumerate(call.args)
            if isinstance(arg, ir.Name) and arg.id in names and k in callee_writes.get(call.func[7:], set())}


def scaled_in_place(func: ir.Function, names: set[str]) -> set[str]:
    """Those of ``names`` that ``func`` updates in place other than by
    adding (``t *= c``): forward mode writes the new tangent into the
    tangent array (``t_dot[...] = ...``), which a number cannot be
    (``t += c`` adds into it, which a number can)."""
    return {s.target.id for s in statements(func.body) if isinstance(s, ir.Assign) and s.inplace
            and isinstance(s.target, ir.Name) and s.target.id in names
            and not (isinstance(s.value, ir.BinOp) and s.value.op in ("+", "-"))}


def _through_as_array(body: list[ir.Stmt], found: dict[str, ir.Pos], function: str, filename: str) -> list[ir.Stmt]:
    """``body`` with each binding of ``found`` wrapped; statements that hold
    blocks are copied, as the primal may share them."""
    out: list[ir.Stmt] = []
    for stmt in body:
        if isinstance(stmt, ir.Assign) and isinstance(stmt.target, ir.Name) and stmt.target.id in found \
                and not stmt.inplace:
            message = (f"{where(found[stmt.target.id], filename)}: nothing in '{function}' shows how many dimensions "
                       "the operands of the product computed here have, so adxform differentiated it as an array, "
                       "and it is a number here; declare the types to numba (`f8[:]` in the signature for a vector, "
                       "`f8[:, :]` for a matrix)")
            stmt = ir.Assign(stmt.target, build.call("module._as_array", stmt.value, ir.Const(message)), stmt.pos)
        elif isinstance(stmt, (ir.For, ir.While)):
            stmt = copy.copy(stmt)
            stmt.body = _through_as_array(stmt.body, found, function, filename)
        elif isinstance(stmt, ir.If):
            stmt = copy.copy(stmt)
            stmt.body = _through_as_array(stmt.body, found, function, filename)
            stmt.orelse = _through_as_array(stmt.orelse, found, function, filename)
        out.append(stmt)
    return out
