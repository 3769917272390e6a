"""Which arrays and ints of a function share a first extent.

``n = x0.shape[0]``, ``x = x0.copy()`` and ``k = np.zeros(n)`` give ``x``
and ``k`` one first extent, ``x0.shape[0]``.  Reverse mode asks it of the
part of a work array that a callee does not fill (reverse/callees.py):
``k[x.shape[0]:]`` is empty here, so nothing is saved.

Only names whose shape never changes count: bound at most once, and not in
a loop (``reshaped``).  Each is followed to a parameter's extent, the
symbol ``x0.shape[0]``; what cannot be followed has none.
"""

from __future__ import annotations

from .. import ir
from ..walk import flat_targets, sub_blocks

CONSTRUCTORS = ("numpy.zeros", "numpy.ones", "numpy.empty", "numpy.full")  # the first argument is the shape
SAME_SHAPE = ("numpy.zeros_like", "numpy.ones_like", "numpy.empty_like", "numpy.full_like", "numpy.copy",
              "method.copy")


def reshaped(body: list[ir.Stmt]) -> set[str]:
    """Names whose shape may change: bound by more than one assignment
    (``x = …``, not ``x += …``), or by one in a loop."""
    counts: dict[str, int] = {}
    found: set[str] = set()

    def visit(block: list[ir.Stmt], looped: bool) -> None:
        for stmt in block:
            if isinstance(stmt, ir.Assign) and not stmt.inplace:
                for target in flat_targets(stmt.target):
                    if isinstance(target, ir.Name):
                        counts[target.id] = counts.get(target.id, 0) + 1
                        if looped or counts[target.id] > 1:
                            found.add(target.id)
            for sub in sub_blocks(stmt):
                visit(sub, looped or isinstance(stmt, (ir.For, ir.While)))

    visit(body, False)
    return found


class LeadingExtents:
    def __init__(self, body: list[ir.Stmt], params: list[str]):
        self.changing = reshaped(body)
        self.params = [p for p in params if p not in self.changing]
        self.of: dict[str, str] = {}  # an int bound to an extent, or an array -> the symbol of its first extent
        for stmt in body:
            if isinstance(stmt, ir.Assign) and isinstance(stmt.target, ir.Name) and not stmt.inplace \
                    and stmt.target.id not in self.changing:
                symbol = self._first_extent(stmt.value) or self.symbol(stmt.value)
                if symbol is not None:
                    self.of[stmt.target.id] = symbol

    def symbol(self, expr: ir.Expr) -> str | None:
        """The symbol of an int that is an extent: ``n``, ``x.shape[k]``, ``len(x)``."""
        if isinstance(expr, ir.Name):
            return expr.id if expr.id in self.params else self.of.get(expr.id)  # an int parameter is its own
        if isinstance(expr, ir.Call) and expr.func == "builtins.len" and len(expr.args) == 1:
            return self.array_extent(expr.args[0])
        if isinstance(expr, ir.Subscript) and isinstance(expr.value, ir.Attribute) and expr.value.attr == "shape" \
                and isinstance(expr.value.value, ir.Name) and len(expr.index) == 1 \
                and isinstance(expr.index[0], ir.Const) and type(expr.index[0].value) is int:
            name, axis = expr.value.value.id, expr.index[0].value
            if axis == 0:
                return self.array_extent(expr.value.value)
            return f"{name}.shape[{axis}]" if name in self.params else None
        return None

    def array_extent(self, expr: ir.Expr) -> str | None:
        """The symbol of an array's first extent."""
        if not isinstance(expr, ir.Name):
            return None
        if expr.id in self.params:
            return f"{expr.id}.shape[0]"
        return self.of.get(expr.id)

    def _first_extent(self, value: ir.Expr) -> str | None:
        """The first extent of the array a constructor or a copy makes."""
        if not isinstance(value, ir.Call) or not value.args:
            return None
        if value.func in CONSTRUCTORS:
            shape = value.args[0]
            return self.symbol(shape.items[0] if isinstance(shape, ir.Tuple) and shape.items else shape)
        if value.func in SAME_SHAPE:
            return self.array_extent(value.args[0])
        return None

    def empty_tail(self, view: ir.Expr) -> bool:
        """Whether ``k[e:]`` is empty: ``e`` is ``k``'s own first extent."""
        if not (isinstance(view, ir.Subscript) and len(view.index) == 1 and isinstance(view.index[0], ir.Slice)
                and view.index[0].upper is None and view.index[0].step is None and view.index[0].lower is not None):
            return False
        extent = self.array_extent(view.value)
        return extent is not None and extent == self.symbol(view.index[0].lower)
