"""One increment where the adjoint adds into the same place twice in a row.

The adjoint of ``loss += r * r`` adds two partials into ``r_bar``, and that
of ``u[i] = u[i] + c * u[i]`` two into ``u_bar[i]``::

    r_bar += loss_bar * r              r_bar += 2.0 * (loss_bar * r)
    r_bar += r * loss_bar       ->

(two products of the same factors are one, doubled).
Each increment of an array element is a load and a store that the next
one must wait for, which stops numba vectorising the adjoint loop; one
increment of the sum is a single read-modify-write.  Two increments merge
when they are adjacent, into the same target, and the second does not
read the target (it would see the first's result).

Increments of one element that other statements separate are held in a
local instead (``hold_increments``)::

    x_bar[i] -= t2_bar                 t_held = -t2_bar
    t2_bar = 0.0                       t2_bar = 0.0
    x_bar[i + 1] += t1_bar      ->     x_bar[i + 1] += t1_bar
    t_bar = -t1_bar                    t_bar = -t1_bar
    x_bar[i] += t_bar * x[i]           x_bar[i] += t_held + t_bar * x[i]

so that the element is read and written once.  Each value is still
computed where it was; only the adding is put off.  That is exact when
nothing in between reads an adjoint array (which might see the element, or
a view of it) or calls a function, and what writes into one only adds: a
sum of increments does not depend on their order, even where ``x_bar[i +
1]`` and ``x_bar[i]`` are one element (a negative ``i`` that wraps).
"""

from __future__ import annotations

from collections.abc import Callable

from .. import build, ir
from ..walk import expressions, names_read, same, statements, sub_blocks


def merge_increments(stmts: list[ir.Stmt]) -> list[ir.Stmt]:
    """``stmts`` with adjacent increments of one target merged, in every
    nested block too (changed in place: loops keep their identity)."""
    out: list[ir.Stmt] = []
    for stmt in stmts:
        for block in sub_blocks(stmt):
            block[:] = merge_increments(block)
        previous = out[-1] if out else None
        if previous is not None and _increment(previous) and _increment(stmt) and same(previous.target, stmt.target):
            out[-1] = ir.Assign(previous.target, _combined(previous.value, stmt.value), previous.pos, inplace=True)
            continue
        out.append(stmt)
    return out


def _increment(stmt: ir.Stmt) -> bool:
    """``t += e`` or ``t -= e``, where ``e`` does not read ``t``'s base."""
    return (isinstance(stmt, ir.Assign) and stmt.inplace and isinstance(stmt.value, ir.BinOp)
            and stmt.value.op in "+-" and same(stmt.value.left, stmt.target) and not _reads_target(stmt))


def _reads_target(stmt: ir.Assign) -> bool:
    base = stmt.target.value if isinstance(stmt.target, ir.Subscript) else stmt.target
    return isinstance(base, ir.Name) and base.id in names_read(stmt.value.right)


def _combined(first: ir.BinOp, second: ir.BinOp) -> ir.BinOp:
    """``t + a`` and ``t - b`` -> ``t + (a - b)``; ``t - a`` and ``t - b`` -> ``t - (a + b)``;
    ``t + s * x`` and ``t + x * s`` (the two partials of ``x * x``) -> ``t + 2.0 * (s * x)``."""
    if first.op == second.op and _same_product(first.right, second.right):
        return ir.BinOp(first.op, first.left, _doubled(first.right))
    if first.op == "-":
        right = build.add(first.right, second.right) if second.op == "-" else build.sub(first.right, second.right)
        return ir.BinOp("-", first.left, right)
    right = build.add(first.right, second.right) if second.op == "+" else build.sub(first.right, second.right)
    return ir.BinOp("+", first.left, right)


def _same_product(a: ir.Expr, b: ir.Expr) -> bool:
    """Whether two products have the same factors, in any order and grouping."""
    left, right = _factors(a), _factors(b)
    if len(left) != len(right) or len(left) < 2:
        return False
    unmatched = list(right)
    for factor in left:
        match = next((k for k, other in enumerate(unmatched) if same(factor, other)), None)
        if match is None:
            return False
        unmatched.pop(match)
    return True


def _factors(expr: ir.Expr) -> list[ir.Expr]:
    if isinstance(expr, ir.BinOp) and expr.op == "*":
        return _factors(expr.left) + _factors(expr.right)
    return [expr]


def _doubled(product: ir.Expr) -> ir.Expr:
    """``2.0 * p``, the constant folded in where ``p`` starts with one."""
    if isinstance(product, ir.BinOp) and product.op == "*" and isinstance(product.left, ir.Const) \
            and isinstance(product.left.value, float):
        return build.mul(ir.Const(2.0 * product.left.value), product.right)
    return build.mul(ir.Const(2.0), product)


def hold_increments(stmts: list[ir.Stmt], primal: set[str], fresh: Callable[[str], str]) -> None:
    """Increments of one adjoint array element that other statements
    separate, held in a local and added once (module docstring), in every
    block of ``stmts`` (changed in place); ``primal``: the primal's
    variables (the rest are adjoints and temporaries), ``fresh`` names the
    locals."""
    arrays = _array_like(stmts, primal)
    emptied: set[int] = set()
    _hold_in(stmts, primal, arrays, fresh, emptied)
    _drop(stmts, emptied)


def _drop(block: list[ir.Stmt], emptied: set[int]) -> None:
    """The increments whose value, a name, the later one adds instead
    (``pass`` in their place until now), gone; ``pass`` stays where a block
    would be left empty."""
    for stmt in block:
        for inner in sub_blocks(stmt):
            _drop(inner, emptied)
    block[:] = [s for s in block if id(s) not in emptied] or block[:1]


def _hold_in(block: list[ir.Stmt], primal: set[str], arrays: set[str], fresh: Callable[[str], str],
             emptied: set[int]) -> None:
    for stmt in block:
        for inner in sub_blocks(stmt):
            _hold_in(inner, primal, arrays, fresh, emptied)
    for k, first in enumerate(block):
        if not _element_increment(first, primal):
            continue
        for later in range(k + 1, len(block)):
            second = block[later]
            if _element_increment(second, primal) and same(second.target, first.target):
                value = first.value.right if first.value.op == "+" else build.neg(first.value.right)
                between = {n for s in block[k + 1:later] if isinstance(s, ir.Assign) for n in names_read(s.target)}
                if isinstance(value, ir.Name) and value.id not in between:  # still holds it: no copy needed
                    held, block[k] = value, ir.Pass(first.pos)
                    emptied.add(id(block[k]))
                else:
                    held = ir.Name(fresh("t_held"))
                    block[k] = ir.Assign(held, value, first.pos)
                block[later] = ir.Assign(second.target, _combined(ir.BinOp("+", second.target, held),
                                                                  second.value), second.pos, inplace=True)
                break
            if not _leaves_alone(second, first, primal, arrays):
                break


def _element_increment(stmt: ir.Stmt, primal: set[str]) -> bool:
    """``a_bar[i] += e`` into an adjoint array, ``e`` not reading it."""
    return _increment(stmt) and isinstance(stmt.target, ir.Subscript) and isinstance(stmt.target.value, ir.Name) \
        and stmt.target.value.id not in primal


def _leaves_alone(stmt: ir.Stmt, held: ir.Assign, primal: set[str], arrays: set[str]) -> bool:
    """Whether ``stmt`` may run between an increment of ``held.target`` and
    the one it is added to: it reads no adjoint array and calls nothing,
    binds none of the names of the element's index, and writes into an
    adjoint array only by adding (module docstring)."""
    if not isinstance(stmt, ir.Assign) or any(isinstance(e, ir.Call) and e.func.startswith("module.")
                                              for e in expressions(stmt.value)):
        return False
    if isinstance(stmt.target, ir.Name):
        if stmt.target.id in names_read(held.target) or stmt.target.id in arrays:
            return False
        reads = set(names_read(stmt.value))
    elif _element_increment(stmt, primal):
        reads = set(names_read(stmt.value.right)) | {n for i in stmt.target.index for n in names_read(i)}
    else:
        return False
    return not reads & arrays


def _array_like(stmts: list[ir.Stmt], primal: set[str]) -> set[str]:
    """The names other than the primal's that may hold an array: those
    subscripted, or passed to or bound by a call, anywhere in ``stmts``."""
    found: set[str] = set()
    for stmt in statements(stmts):
        roots = [stmt.target, stmt.value] if isinstance(stmt, ir.Assign) else \
            [stmt.value] if isinstance(stmt, ir.ExprStmt) else []
        for root in roots:
            for e in expressions(root):
                if isinstance(e, ir.Subscript) and isinstance(e.value, ir.Name):
                    found.add(e.value.id)
                elif isinstance(e, ir.Call):
                    found |= {n for arg in e.args for n in names_read(arg)}
        if isinstance(stmt, ir.Assign) and isinstance(stmt.value, ir.Call):
            found |= set(names_read(stmt.target))
    return found - primal

