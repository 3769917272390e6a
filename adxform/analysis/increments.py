"""Increments of array elements whose old values no adjoint reads.

Reverse mode saves an element before a statement overwrites it, so that
every adjoint run after that statement's sees the values of its own time.
An increment ``a[k] += e`` where ``e`` does not read ``a`` never needs the
old value for its own adjoint (``a_bar[k]`` is unchanged and ``e``
receives it); the old value matters only to an adjoint run later in the
reverse sweep that reads ``a``.  When a loop earlier in the same block
overwrites every element of ``a`` (``for j in range(d): a[j] = ...``, ``a``
made as ``np.zeros(d)``), the reverse of that loop brings all of ``a`` back
to what it held before it; if nothing between that loop and the increment
reads ``a``, no adjoint sees the values the skipped saves would have
restored.  Gaussian mixtures accumulate a triangular product this way
(``qx[m] += icf[c, li] * xc[j]``): taping each old value made its tape
grow with d * d per point and component, where the values read are only
the final ones.
"""

from __future__ import annotations

from collections import Counter

from .. import ir
from ..walk import bound_names, names_read, same, statements, stmt_reads, sub_blocks

MAKERS = ("numpy.zeros", "numpy.empty", "numpy.ones")  # a 1-D array of a given length


def unsaved_increments(body: list[ir.Stmt], params: list[str], aliased: set[str]) -> set[int]:
    """id() of the increments ``a[k] += e`` whose old value need not be
    saved (the module docstring says when)."""
    lengths = _array_lengths(body, params, aliased)
    out: set[int] = set()
    for block in [body] + [b for stmt in statements(body) for b in sub_blocks(stmt)]:
        for p, stmt in enumerate(block):
            name = _overwritten_whole(stmt, lengths)
            if name is None:
                continue
            for later in block[p + 1:]:
                inner = list(statements([later]))
                if any(name in stmt_reads(s) for s in inner if not _increment_of(s, name)):
                    break  # an adjoint here may read the values between the increments
                out |= {id(s) for s in inner if _increment_of(s, name)}
    return out


def _array_lengths(body: list[ir.Stmt], params: list[str], aliased: set[str]) -> dict[str, ir.Expr]:
    """Arrays bound once, at the top level, to a new 1-D array of a length
    whose names keep one value throughout: name -> the length."""
    bindings = Counter(n for stmt in statements(body) for n in bound_names(stmt))
    bindings.update(params)
    out: dict[str, ir.Expr] = {}
    for stmt in body:
        if not (isinstance(stmt, ir.Assign) and isinstance(stmt.target, ir.Name) and not stmt.inplace
                and isinstance(stmt.value, ir.Call) and stmt.value.func in MAKERS
                and len(stmt.value.args) == 1 and not stmt.value.kwargs):
            continue
        name, length = stmt.target.id, stmt.value.args[0]
        top_level = {n for s in body for n in bound_names(s)} | set(params)
        steady = all(bindings[n] == 1 and n in top_level for n in names_read(length))
        if bindings[name] == 1 and name not in aliased and steady and not isinstance(length, ir.Tuple):
            out[name] = length
    return out


def _overwritten_whole(stmt: ir.Stmt, lengths: dict[str, ir.Expr]) -> str | None:
    """The array of ``lengths`` a ``for j in range(n)`` loop overwrites
    element by element, ``a[j] = ...`` at the top of every iteration, its
    body reading ``a`` nowhere else, and not jumping out; else None."""
    if not (isinstance(stmt, ir.For) and _int_const(stmt.start) == 0 and _int_const(stmt.step) == 1):
        return None
    inner = list(statements(stmt.body))
    if any(isinstance(s, ir.Break) or stmt.var in bound_names(s) for s in inner):
        return None
    for s in stmt.body:
        if not (isinstance(s, ir.Assign) and not s.inplace and isinstance(s.target, ir.Subscript)
                and isinstance(s.target.value, ir.Name) and len(s.target.index) == 1
                and isinstance(s.target.index[0], ir.Name) and s.target.index[0].id == stmt.var):
            continue
        name = s.target.value.id
        if name in lengths and same(stmt.stop, lengths[name]) and not any(name in stmt_reads(t) for t in inner):
            return name
    return None


def _increment_of(stmt: ir.Stmt, name: str) -> bool:
    """``name[k] += e`` (``name[k] = name[k] ± e``), ``e`` not reading ``name``."""
    if not (isinstance(stmt, ir.Assign) and isinstance(stmt.target, ir.Subscript)
            and isinstance(stmt.target.value, ir.Name) and stmt.target.value.id == name):
        return False
    value = stmt.value
    return (isinstance(value, ir.BinOp) and value.op in "+-" and same(value.left, stmt.target)
            and name not in names_read(value.right)
            and not any(name in names_read(i) for i in stmt.target.index))


def _int_const(expr: ir.Expr) -> int | None:
    return expr.value if isinstance(expr, ir.Const) and type(expr.value) is int else None
