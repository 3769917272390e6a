"""Spellings the IR does not keep: each becomes the construct it means.

Lowering rewrites these once, so that type inference, both modes and the
emitter see one form and need no rule of their own:

* numpy's operator functions and the builtin ``pow`` are their operators:
  ``np.multiply(a, b)`` is ``a * b``, ``pow(x, y)`` is ``x ** y``;
* ``max(a, b, c)`` is ``max(max(a, b), c)`` (and ``min`` alike): the
  two-argument rule gives the derivative to the first argument at a tie,
  so the folded call gives it to the first of the tied arguments, the one
  Python returns;
* ``np.newaxis`` is ``None``;
* a loop over the rows of arrays is a loop over an index::

      for a in x:                   for _k in range(x.shape[0]):
          ...                ->         a = x[_k]
                                        ...
      for i, a in enumerate(x)  ->  for i in range(x.shape[0]): a = x[i]
      for a, b in zip(x, y)     ->  for _k in range(min(x.shape[0], y.shape[0])): a = x[_k]; b = y[_k]

  ``a`` is ``x[_k]``: an element of a vector, a row (a view) of a matrix.
  An array that is not a variable (``x[1:]``, ``m.T``) is bound to a
  hidden name (``_rows``) before the loop.
"""

from __future__ import annotations

import copy
from functools import reduce

from .. import ir

# qualified call -> the binary operator it is
OPERATOR_CALLS = {
    "builtins.pow": "**", "numpy.add": "+", "numpy.subtract": "-", "numpy.multiply": "*", "numpy.divide": "/",
    "numpy.true_divide": "/",
}
# calls of any number (>= 2) of arguments, folded into calls of two
FOLDED_CALLS = {"builtins.max", "builtins.min"}
NONE_NAMES = {"numpy.newaxis"}
HIDDEN_INDEX = "_k"
HIDDEN_ARRAY = "_rows"  # an array iterated that is not a variable (``x[1:]``), bound before the loop


def operator_call(func: str, args: list[ir.Expr], pos: ir.Pos) -> ir.BinOp:
    """``np.multiply(a, b)`` as ``a * b``."""
    return ir.BinOp(OPERATOR_CALLS[func], args[0], args[1], pos)


def folded_call(func: str, args: list[ir.Expr], pos: ir.Pos) -> ir.Call:
    """``max(a, b, c)`` as ``max(max(a, b), c)``."""
    return reduce(lambda left, right: ir.Call(func, [left, right], [], pos), args[1:], args[0])


def length(array: ir.Expr, pos: ir.Pos) -> ir.Expr:
    """``x.shape[0]``: how many rows a loop over ``x`` visits."""
    return ir.Subscript(ir.Attribute(copy.deepcopy(array), "shape", pos), [ir.Const(0, pos)], pos)


def row_loop(index: str, targets: list[ir.Name], arrays: list[ir.Expr], body: list[ir.Stmt], pos: ir.Pos,
             directive: ir.Directive | None) -> ir.For:
    """``for index in range(n): t_k = arrays_k[index] ...; body``, where
    ``n`` is the fewest rows of ``arrays`` (``zip`` stops at the shortest)."""
    stop = folded_call("builtins.min", [length(a, pos) for a in arrays], pos)
    rows = [ir.Assign(target, ir.Subscript(copy.deepcopy(array), [ir.Name(index, target.pos)], target.pos), target.pos)
            for target, array in zip(targets, arrays)]
    return ir.For(index, ir.Const(0, pos), stop, ir.Const(1, pos), rows + body, pos, directive, over=arrays)
