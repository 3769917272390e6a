"""Increments of one adjoint element in a loop, summed in a local.

The adjoint of a triangular loop (``qx[m] += icf[c, li] * xc[j]`` for m
past j) adds into ``xc_bar[j]`` once per iteration of the reversed inner
loop::

    while m > j + 1:                     xc_bar_sum = 0.0
        ...                              while m > j + 1:
        xc_bar[j] += icf[c, li] * t  ->      ...
                                             xc_bar_sum += icf[c, li] * t
                                         if xc_bar_sum != 0.0:
                                             xc_bar[j] += xc_bar_sum

Each increment of the element is a load and a store the next iteration
waits for (numba cannot keep the element in a register: for all it knows
``icf_bar`` is the same memory); the sum lives in a register.  On the
mixture model of benchmarks/ (d=64) that took the gradient from 4.8 to 2.8
primal runs.

It is exact where nothing else in the loop sees the element: every
occurrence of the array in the loop is an increment of that one element,
its index reads nothing the loop binds, and the array is *private*, made
by ``np.zeros_like`` or ``np.zeros`` and never bound to another name or
viewed, so that no other name in the loop is the same memory.  The sum is
added after the loop only where it is not zero, so a loop that never ran
never touches the element (its index may then be out of range); adding a
zero changes nothing.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

from .. import ir
from ..walk import changed_names, expressions, names_read, same, statements, stmt_expressions, sub_blocks

FRESH_ARRAYS = ("numpy.zeros_like", "numpy.zeros")


def accumulate_in_loops(stmts: list[ir.Stmt], function: list[ir.Stmt], primal: set[str],
                        fresh: Callable[[str], str]) -> None:
    """Increments of adjoint array elements summed in a local across the
    outermost loop they qualify in (module docstring), in every block of
    ``stmts`` (changed in place); ``function``: all the statements that may
    bind or view an array (``stmts`` among them); ``primal``: the primal's
    variables, left alone (an int array among them would not take a float
    sum); ``fresh`` names the locals."""
    _in_block(stmts, _private_arrays(function) - primal, fresh)


def _in_block(block: list[ir.Stmt], private: set[str], fresh: Callable[[str], str]) -> None:
    out: list[ir.Stmt] = []
    for stmt in block:
        if isinstance(stmt, (ir.For, ir.While)):
            before, after = _summed(stmt, private, fresh)
            out += before + [stmt] + after
        else:
            out.append(stmt)
        for inner in sub_blocks(stmt):
            _in_block(inner, private, fresh)
    block[:] = out


def _summed(loop: ir.For | ir.While, private: set[str], fresh: Callable[[str], str]) -> tuple[list, list]:
    """The statements before and after ``loop`` that sum the increments of
    each element that qualifies, the increments in the loop redirected to
    the sums (in place)."""
    body = list(statements(loop.body))
    if any(isinstance(s, ir.Return) for s in body):
        return [], []
    bound = {n for s in [loop] + body for n in changed_names(s)}  # a for loop's variable too
    before: list[ir.Stmt] = []
    after: list[ir.Stmt] = []
    header = {n for root in stmt_expressions(loop) for n in names_read(root)}  # read every trip: not held
    for array in sorted(private & {n for s in body for root in stmt_expressions(s) for n in names_read(root)}
                        - header):
        increments = [s for s in body if array in {n for root in stmt_expressions(s) for n in names_read(root)}]
        if not all(_increments(s, array) for s in increments):
            continue
        target = increments[0].target
        if not all(same(s.target, target) for s in increments) \
                or any(n in bound for i in target.index for n in names_read(i)):
            continue
        total = ir.Name(fresh(f"{array}_sum"))
        for s in increments:
            s.target = ir.Name(total.id)
            s.value.left = ir.Name(total.id)
        before.append(ir.Assign(ir.Name(total.id), ir.Const(0.0), loop.pos))
        after.append(ir.If(ir.Compare("!=", ir.Name(total.id), ir.Const(0.0)),
                           [ir.Assign(target, ir.BinOp("+", copy.deepcopy(target), ir.Name(total.id)), loop.pos,
                                      inplace=True)], [], loop.pos))
    return before, after


def _increments(stmt: ir.Stmt, array: str) -> bool:
    """``array[i] += e`` or ``-= e``, ``e`` not reading ``array``."""
    return (isinstance(stmt, ir.Assign) and stmt.inplace and isinstance(stmt.target, ir.Subscript)
            and isinstance(stmt.target.value, ir.Name) and stmt.target.value.id == array
            and isinstance(stmt.value, ir.BinOp) and stmt.value.op in "+-" and same(stmt.value.left, stmt.target)
            and array not in names_read(stmt.value.right)
            and not any(isinstance(i, ir.Slice) for i in stmt.target.index))


def _private_arrays(stmts: list[ir.Stmt]) -> set[str]:
    """The names bound only to new arrays of zeros and otherwise only
    subscripted, element by element or written into: no other name is ever
    their memory."""
    made: set[str] = set()
    other: set[str] = set()
    for stmt in statements(stmts):
        if isinstance(stmt, ir.Assign) and isinstance(stmt.target, ir.Name):
            value = stmt.value
            fresh = isinstance(value, ir.Call) and value.func in FRESH_ARRAYS
            (made if fresh else other).add(stmt.target.id)
        for root in stmt_expressions(stmt):
            elements = {id(e.value) for e in expressions(root) if isinstance(e, ir.Subscript)
                        and isinstance(e.value, ir.Name) and not any(isinstance(i, ir.Slice) for i in e.index)}
            written = {id(stmt.target.value)} if isinstance(stmt, ir.Assign) and root is stmt.target \
                and isinstance(stmt.target, ir.Subscript) else set()
            other |= {e.id for e in expressions(root) if isinstance(e, ir.Name) and id(e) not in elements | written
                      and not (isinstance(stmt, ir.Assign) and e is stmt.target)}
    return made - other

