"""Tapes: the stacks that carry values from the forward to the reverse sweep.

A function's reverse code keeps at most two tapes, local variables of the
generated function: a float tape (overwritten floats, and the contents of
arrays a callee overwrites) and an int tape (overwritten ints, branch
flags, loop trip counts).  Each is a numpy array used as a stack with a
``top`` index; ``_tape_push`` (emitted into the generated module, see
``emit/templates/runtime.py.j2``) grows it geometrically, and a loop whose
trip count is known on entry reserves its room up front.  Nothing here is
a Python object numba cannot compile, and a GPU thread could hold the same
two arrays.
"""

from __future__ import annotations

import copy

from .. import ir
from ..naming import Namer

INITIAL_CAPACITY = 1024


class Tape:
    def __init__(self, namer: Namer):
        self.names = {
            "float": (namer.fresh("ftape"), namer.fresh("ftop")),
            "int": (namer.fresh("itape"), namer.fresh("itop")),
        }
        self.used: set[str] = set()

    @staticmethod
    def kind(vtype: ir.Type) -> str:
        if vtype.kind == "float" or vtype.is_array and vtype.dtype.startswith("float"):
            return "float"
        return "int"

    def _names(self, kind: str) -> tuple[ir.Name, ir.Name]:
        self.used.add(kind)
        tape, top = self.names[kind]
        return ir.Name(tape), ir.Name(top)

    def push(self, value: ir.Expr, vtype: ir.Type) -> ir.Stmt:
        tape, top = self._names(self.kind(vtype))
        return ir.Assign(ir.Tuple([tape, top]), ir.Call("module._tape_push", [tape, top, value]))

    def pop(self, target: ir.Expr, vtype: ir.Type) -> list[ir.Stmt]:
        tape, top = self._names(self.kind(vtype))
        return [ir.Assign(top, ir.BinOp("-", top, ir.Const(1)), inplace=True),
                ir.Assign(target, ir.Subscript(tape, [top]))]

    def push_array(self, array: ir.Expr) -> ir.Stmt:
        return _push_array(*self._names("float"), array)

    def load_array(self, array: ir.Expr, above: list[ir.Expr] = ()) -> ir.Stmt:
        """Copy an array pushed earlier back into ``array``, leaving it on the
        tape; ``above`` are the arrays pushed after it."""
        tape, top = self._names("float")
        end: ir.Expr = top
        for later in above:
            end = ir.BinOp("-", end, ir.Attribute(later, "size"))
        return _load_array(array, tape, end)

    def drop_array(self, array: ir.Expr) -> ir.Stmt:
        return _drop_array(self._names("float")[1], array)

    def reserve(self, kind: str, extra: ir.Expr) -> ir.Stmt:
        tape, top = self._names(kind)
        return ir.Assign(tape, ir.Call("module._tape_reserve", [tape, ir.BinOp("+", top, extra)]))

    def setup(self) -> list[ir.Stmt]:
        """Create the tapes this function used."""
        out: list[ir.Stmt] = []
        for kind in ("float", "int"):
            if kind in self.used:
                tape, top = self.names[kind]
                args: list[tuple[str, ir.Expr]] = [] if kind == "float" else [("dtype", ir.QualName("numpy.int64"))]
                out.append(ir.Assign(ir.Name(tape), ir.Call("numpy.empty", [ir.Const(INITIAL_CAPACITY)], args)))
                out.append(ir.Assign(ir.Name(top), ir.Const(0)))
        return out


class ArrayStack:
    """A stack of the successive arrays one name is bound to, one per loop
    iteration (an array made afresh in each iteration, say ``g = W @ h``):
    its own tape, so that its arrays come back at the head of each reversed
    iteration whatever the iteration pushed after them.  They come back
    into the array the name holds then, so they need one shape: ``check``
    compares an array's with the first one's (``_check_one_shape``, with
    ``message``), which ``w = x[:i] * 2.0`` would not keep."""

    def __init__(self, namer: Namer, name: str, message: str):
        self.tape, self.top = namer.fresh(f"{name}_tape"), namer.fresh(f"{name}_top")
        self.shape = namer.fresh(f"{name}_shape")
        self.message = message

    def check(self, array: ir.Name) -> ir.Stmt:
        shape = ir.Name(self.shape)
        return ir.Assign(shape, ir.Call("module._check_one_shape", [array, copy.deepcopy(shape),
                                                                    ir.Const(self.message)]))

    def push(self, array: ir.Name) -> ir.Stmt:
        return _push_array(ir.Name(self.tape), ir.Name(self.top), array)

    def pop(self, array: ir.Name) -> list[ir.Stmt]:
        """Copy the array pushed last into ``array`` (the last iteration's
        array, of the same shape) and drop it."""
        return [_load_array(array, ir.Name(self.tape), ir.Name(self.top)), _drop_array(ir.Name(self.top), array)]

    def setup(self) -> list[ir.Stmt]:
        """The tape, and no shape yet."""
        no_shape = ir.Call("numpy.empty", [ir.Const(0)], [("dtype", ir.QualName("numpy.int64"))])
        return [ir.Assign(ir.Name(self.tape), ir.Call("numpy.empty", [ir.Const(INITIAL_CAPACITY)])),
                ir.Assign(ir.Name(self.top), ir.Const(0)), ir.Assign(ir.Name(self.shape), no_shape)]


class KeptArray:
    """The names behind ``keep_array``: the stack of ``a``'s old contents
    and ``a_live``, 1 once ``a`` holds an array."""

    def __init__(self, namer: Namer, name: str, ndim: int, message: str):
        self.name, self.ndim = name, ndim
        self.stack = ArrayStack(namer, name, message)
        self.live = namer.fresh(f"{name}_live")

    def setup(self) -> list[ir.Stmt]:
        """The stack, ``a_live = 0``, and an empty ``a`` of its dimensions:
        numba types the push of ``a`` before its first binding from it."""
        empty = ir.Call("numpy.empty", [ir.Tuple([ir.Const(0)] * self.ndim)])
        return self.stack.setup() + [ir.Assign(ir.Name(self.live), ir.Const(0)), ir.Assign(ir.Name(self.name), empty)]

    def bound(self, stmt: ir.Stmt) -> list[ir.Stmt]:
        """After a binding of ``a``: its shape checked (every array ``a`` is
        bound to, the last one too, which is never pushed), ``a_live = 1``."""
        return [self.stack.check(ir.Name(self.name)), ir.Assign(ir.Name(self.live), ir.Const(1), stmt.pos)]


def _push_array(tape: ir.Name, top: ir.Name, array: ir.Expr) -> ir.Stmt:
    return ir.Assign(ir.Tuple([tape, top]), ir.Call("module._tape_push_array", [tape, top, array]))


def _load_array(array: ir.Expr, tape: ir.Name, end: ir.Expr) -> ir.Stmt:
    return ir.ExprStmt(ir.Call("module._tape_load_array", [array, tape, end]))


def _drop_array(top: ir.Name, array: ir.Expr) -> ir.Stmt:
    return ir.Assign(top, ir.BinOp("-", top, ir.Attribute(array, "size")), inplace=True)
