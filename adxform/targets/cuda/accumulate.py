"""Adding into an adjoint array from many threads at once.

Reverse mode turns every read of an array element into an increment of the
adjoint element: ``u[i - 1]`` read by thread ``i`` becomes
``u_bar[i - 1] += …``, which thread ``i - 2`` also does to the same element
through its ``u[i + 1]``.  Such increments must be ``cuda.atomic.add``.  A
plain ``+=`` is kept only where it is provably safe: every access of the
array in the kernel (reads and writes, so every increment of its adjoint)
is at the thread's own element, the index bound once to ``cuda.grid(1)``
(``i, j = cuda.grid(2)`` for 2-D arrays; ``cuda.threadIdx.x``, and
``.y`` in a 2-D block, for a shared array), so no two threads ever touch
one adjoint element.  The choice and its reason are written as a comment
above each increment.
"""

from __future__ import annotations

import copy

from ... import build, ir
from ...emit.printer import ExprPrinter
from ...walk import expressions, statements, stmt_expressions
from .kinds import SHARED

BLOCK_AXES = ("numba.cuda.threadIdx.x", "numba.cuda.threadIdx.y")


def own_indices(func: ir.Function) -> dict[str, tuple[str, ...]]:
    """"global" / "block" -> the names that hold the thread's own index
    (one per axis), bound once and never changed: ``i, j = cuda.grid(2)``;
    ``tx = cuda.threadIdx.x`` and, in a 2-D block, ``ty =
    cuda.threadIdx.y``.  A block whose axes are not all held so (a kernel
    that reads ``cuda.threadIdx.y`` where no such name holds it, or
    ``cuda.threadIdx.z``) has no own index: ``s[tx]`` is then shared by the
    threads of a column."""
    bound: dict[str, int] = {}
    for stmt in statements(func.body):
        targets = []
        if isinstance(stmt, ir.Assign):
            targets = stmt.target.items if isinstance(stmt.target, ir.Tuple) else [stmt.target]
        elif isinstance(stmt, ir.For):
            targets = [ir.Name(stmt.var)]
        for t in targets:
            if isinstance(t, ir.Name):
                bound[t.id] = bound.get(t.id, 0) + 1
    own: dict[str, tuple[str, ...]] = {}
    axes: dict[str, str] = {}  # threadIdx.x / .y -> the name that holds it
    for stmt in func.body:  # top level only: bound before anything can branch
        if not isinstance(stmt, ir.Assign):
            continue
        value, target = stmt.value, stmt.target
        names = tuple(t.id for t in (target.items if isinstance(target, ir.Tuple) else [target])
                      if isinstance(t, ir.Name))
        if any(bound.get(n) != 1 for n in names):
            continue
        if isinstance(value, ir.Call) and value.func == "numba.cuda.grid":
            own["global"] = names
        elif isinstance(value, ir.QualName) and value.qualname in BLOCK_AXES:
            axes[value.qualname] = names[0]
    used = {e.qualname for stmt in statements(func.body) for root in stmt_expressions(stmt)
            for e in expressions(root) if isinstance(e, ir.QualName) and e.qualname.startswith("numba.cuda.threadIdx.")}
    if BLOCK_AXES[0] in axes and used <= set(axes):
        own["block"] = tuple(axes[axis] for axis in BLOCK_AXES if axis in axes)
    return own


def accesses(func: ir.Function, array: str) -> list[ir.Subscript]:
    """Every subscript of ``array`` in ``func``, read or written."""
    return [e for stmt in statements(func.body) for root in stmt_expressions(stmt) for e in expressions(root)
            if isinstance(e, ir.Subscript) and isinstance(e.value, ir.Name) and e.value.id == array]


def plain_store_reason(func: ir.Function, array: str, kind: str, own: dict[str, tuple[str, ...]]) -> str | None:
    """Why increments of ``array``'s adjoint may be plain stores, or None
    when they must be atomic."""
    names = own.get("block" if kind == SHARED else "global")
    indices = {tuple(i.id if isinstance(i, ir.Name) else None for i in sub.index) for sub in accesses(func, array)}
    if not names or len(indices) != 1 or sorted(next(iter(indices)), key=str) != sorted(names):
        return None  # every access at one same index, each axis of the thread's once (s[ty, tx] as well)
    source = ", ".join(BLOCK_AXES[:len(names)]).replace("numba.", "") if kind == SHARED \
        else f"cuda.grid({len(names)})"
    return f"{', '.join(names)} = {source} is this thread's own element, and {array} is accessed nowhere else"


def atomic_reason(func: ir.Function, array: str) -> str:
    printer = ExprPrinter()
    shown = ", ".join(sorted({printer.text(s) for s in accesses(func, array)}))
    return f"other threads may add into the same element: {array} is accessed as {shown}"


def _atomic(target: ir.Expr, value: ir.Expr, pos: ir.Pos) -> ir.Stmt:
    """``cuda.atomic.add(array, index, value)`` for ``array[index] += value``."""
    assert isinstance(target, ir.Subscript)
    index = target.index[0] if len(target.index) == 1 else ir.Tuple(copy.deepcopy(target.index))
    return ir.ExprStmt(ir.Call("numba.cuda.atomic.add", [copy.deepcopy(target.value), copy.deepcopy(index), value]),
                       pos)


def accumulate(target: ir.Expr, value: ir.Expr, pos: ir.Pos, exclusive: bool = False) -> ir.Stmt:
    """``+=`` into a thread's own variable or an element no other thread
    touches (``exclusive``); ``cuda.atomic.add`` otherwise."""
    if exclusive or isinstance(target, ir.Name):
        return ir.Assign(target, build.add(copy.deepcopy(target), value), pos, inplace=True)
    return _atomic(target, value, pos)
