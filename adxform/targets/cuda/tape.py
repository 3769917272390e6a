"""A thread's tape: ``cuda.local.array``s of a size fixed at compile time.

A kernel cannot grow an array, so the tape of a thread is sized from the
code: each push site counts once, times the trip count of every loop around
it (a ``range`` of constant length, or the ``# adxform: bound(trips=N)``
directive on a loop whose length is not known, whose pushes ``reverse.py``
guards by the loop's trip count).  A push that no bound covers is a
diagnostic.  Floats and ints have a tape each, as on the CPU.
"""

from __future__ import annotations

from ... import ir
from ...naming import Namer

DTYPES = {"float": "numba.float64", "int": "numba.int64"}


class LocalTape:
    def __init__(self, namer: Namer):
        self.names = {kind: (namer.fresh(f"{kind[0]}tape"), namer.fresh(f"{kind[0]}top")) for kind in DTYPES}
        self.size = {kind: 0 for kind in DTYPES}
        self.multiplier: int | None = 1  # the trips of the loops around the code being built; None: unbounded

    def push(self, value: ir.Expr, kind: str) -> list[ir.Stmt] | None:
        """The push of ``value``, or None where no bound covers it."""
        if self.multiplier is None:
            return None
        self.size[kind] += self.multiplier
        tape, top = self.names[kind]
        return [ir.Assign(ir.Subscript(ir.Name(tape), [ir.Name(top)]), value),
                ir.Assign(ir.Name(top), ir.BinOp("+", ir.Name(top), ir.Const(1)), inplace=True)]

    def pop(self, target: ir.Expr, kind: str) -> list[ir.Stmt]:
        tape, top = self.names[kind]
        return [ir.Assign(ir.Name(top), ir.BinOp("-", ir.Name(top), ir.Const(1)), inplace=True),
                ir.Assign(target, ir.Subscript(ir.Name(tape), [ir.Name(top)]))]

    def setup(self) -> list[ir.Stmt]:
        """The tapes, under a comment that says the strategy: taped, not recomputed."""
        sizes = counted(self.size)
        out: list[ir.Stmt] = [ir.Pass(note=f"this thread's tape ({', '.join(sizes)}): a cuda.local.array sized from "
                                           "the loops' trip counts; loops are reversed from it, not recomputed")
                              ] if sizes else []
        for kind, dtype in DTYPES.items():
            if self.size[kind]:
                tape, top = self.names[kind]
                out.append(ir.Assign(ir.Name(tape), ir.Call("numba.cuda.local.array",
                                                            [ir.Const(self.size[kind]), ir.QualName(dtype)])))
                out.append(ir.Assign(ir.Name(top), ir.Const(0)))
        return out


def counted(sizes: dict[str, int]) -> list[str]:
    """["200 floats", "1 int"]: the sizes of the tapes in use."""
    return [f"{size} {kind}" + ("s" if size != 1 else "") for kind, size in sizes.items() if size]
