"""Reshape control flow so that the reverse sweep can mirror it.

The reverse sweep runs the adjoints of the statements a path executed, in
the opposite order.  ``break``, ``continue`` and ``return`` make "which
statements ran" depend on jumps, so before reversing, jumps are pushed to
the ends of branches and the statements they skip move into the branch
that falls through::

    for i in range(n):                 for i in range(n):
        a()                                a()
        if c:                              if c:
            continue          ->               pass
        b()                                else:
                                               b()

After this pass a ``continue`` is always the last statement of its path,
so it is dropped; a ``break`` is the last statement of a branch, so a
recorded iteration count tells the reverse sweep everything.  ``return``
is lowered first: the value goes into a result variable, a flag records
that the function returned, loops are left with ``break`` and the flag is
tested after each loop the return was in.  The function then has a single
exit, its value being the result variable.
"""

from __future__ import annotations

import copy

from .. import ir
from ..naming import Namer
from ..walk import statements

JUMPS = (ir.Break, ir.Continue, ir.Return)


def _may_jump(stmt: ir.Stmt) -> bool:
    """True if a jump inside ``stmt`` leaves ``stmt``'s enclosing block."""
    if isinstance(stmt, JUMPS):
        return True
    if isinstance(stmt, ir.If):
        return any(_may_jump(s) for s in stmt.body + stmt.orelse)
    if isinstance(stmt, (ir.For, ir.While)):
        return any(isinstance(s, ir.Return) for s in statements(stmt.body))
    return False


def _append_rest(branch: list[ir.Stmt], rest: list[ir.Stmt]) -> list[ir.Stmt]:
    """``branch`` followed by ``rest`` on every path that falls through."""
    if not rest:
        return branch
    if branch and isinstance(branch[-1], JUMPS):
        return branch
    if branch and isinstance(branch[-1], ir.If) and _may_jump(branch[-1]):
        last = branch[-1]
        last.body = _append_rest(last.body, copy.deepcopy(rest))
        last.orelse = _append_rest(last.orelse, copy.deepcopy(rest))
        return branch
    return branch + copy.deepcopy(rest)


def at_path_ends(block: list[ir.Stmt], tail: list[ir.Stmt]) -> list[ir.Stmt]:
    """``block`` with ``tail`` run last on each of its paths: before the
    ``break`` that ends a path (after restructuring nothing follows one), and
    at the end of every path through a trailing branch that may jump.  A
    record pushed there (the branch a block took) is then above everything
    the block pushed, so the reverse sweep pops it first."""
    if block and isinstance(block[-1], ir.Break):
        return block[:-1] + copy.deepcopy(tail) + block[-1:]
    if block and isinstance(block[-1], ir.If) and _may_jump(block[-1]):
        last = block[-1]
        last.body = at_path_ends(last.body, tail)
        last.orelse = at_path_ends(last.orelse, tail)
        return block
    return block + copy.deepcopy(tail)


def _restructure(block: list[ir.Stmt]) -> list[ir.Stmt]:
    out: list[ir.Stmt] = []
    for k, stmt in enumerate(block):
        if isinstance(stmt, (ir.For, ir.While)):
            stmt.body = _drop_trailing(_restructure(stmt.body), ir.Continue)
        elif isinstance(stmt, ir.If):
            stmt.body = _restructure(stmt.body)
            stmt.orelse = _restructure(stmt.orelse)
        out.append(stmt)
        if isinstance(stmt, JUMPS):
            return out  # what follows a jump never runs
        if isinstance(stmt, ir.If) and _may_jump(stmt):
            rest = _restructure(block[k + 1:])
            stmt.body = _append_rest(stmt.body, rest)
            stmt.orelse = _append_rest(stmt.orelse, rest)
            return out
    return out


def _drop_trailing(block: list[ir.Stmt], kind: type) -> list[ir.Stmt]:
    """Remove the jumps of ``kind`` that end the paths of ``block``."""
    if block and isinstance(block[-1], kind):
        return block[:-1]
    if block and isinstance(block[-1], ir.If):
        block[-1].body = _drop_trailing(block[-1].body, kind)
        block[-1].orelse = _drop_trailing(block[-1].orelse, kind)
    return block


class ReturnLowering:
    """``return e`` -> ``result = e; returned = True`` + leave the loops.
    Where every return gives a tuple of ``width`` values (``return a, b``),
    one variable per item: ``result, result2 = a, b``."""

    def __init__(self, namer: Namer, has_value: bool, width: int = 0):
        self.results = [namer.fresh("result") for _ in range(max(width, 1))] if has_value else []
        self.width = width
        self.flag = namer.fresh("returned")

    @property
    def result(self) -> str | None:
        return self.results[0] if self.results else None

    def output(self, pos: ir.Pos) -> ir.Expr | None:
        """What the lowered body returns."""
        if self.width:
            return ir.Tuple([ir.Name(name, pos) for name in self.results], pos)
        return ir.Name(self.result, pos) if self.result else None

    def target(self, pos: ir.Pos) -> ir.Expr:
        output = self.output(pos)
        assert output is not None
        return output

    def bind(self, value: ir.Expr, pos: ir.Pos) -> list[ir.Stmt]:
        """``result = e``; ``return a, b`` binds one item a statement,
        ``result = a; result2 = b`` (``a`` and ``b`` cannot read the fresh
        names), so that each item is a binding of its own: an array item
        gets its adjoint array like any other array binding."""
        if self.width and isinstance(value, ir.Tuple) and len(value.items) == self.width:
            return [ir.Assign(ir.Name(name, pos), item, pos) for name, item in zip(self.results, value.items)]
        return [ir.Assign(self.target(pos), value, pos)]

    def block(self, body: list[ir.Stmt], in_loop: bool) -> list[ir.Stmt]:
        out: list[ir.Stmt] = []
        for stmt in body:
            if isinstance(stmt, ir.Return):
                if self.result is not None and stmt.value is not None:
                    out += self.bind(stmt.value, stmt.pos)
                out.append(ir.Assign(ir.Name(self.flag), ir.Const(True), stmt.pos))
                out.append(ir.Break(stmt.pos) if in_loop else ir.Return(None, stmt.pos))
                continue
            if isinstance(stmt, ir.If):
                stmt.body = self.block(stmt.body, in_loop)
                stmt.orelse = self.block(stmt.orelse, in_loop)
            out.append(stmt)
            if isinstance(stmt, (ir.For, ir.While)):
                returns = any(isinstance(s, ir.Return) for s in statements(stmt.body))
                stmt.body = self.block(stmt.body, True)
                if returns:
                    leave = ir.Break(stmt.pos) if in_loop else ir.Return(None, stmt.pos)
                    out.append(ir.If(ir.Name(self.flag), [leave], [], stmt.pos))
        return out


def single_exit(func: ir.Function, namer: Namer) -> tuple[list[ir.Stmt], ir.Expr | None, list[str]]:
    """The body restructured for reversal, the expression of the returned
    value (None for a procedure), and the variables lowering introduced."""
    body = copy.deepcopy(func.body)
    returns = [s for s in statements(body) if isinstance(s, ir.Return)]
    last = body[-1] if body else None
    if len(returns) == 1 and returns[0] is last:
        body = body[:-1]
        output = last.value
        introduced: list[str] = []
    elif not returns:
        output, introduced = None, []
    else:
        has_value = any(r.value is not None for r in returns)
        widths = {len(r.value.items) if isinstance(r.value, ir.Tuple) else 0 for r in returns}
        lowering = ReturnLowering(namer, has_value, widths.pop() if len(widths) == 1 else 0)
        body = [ir.Assign(ir.Name(lowering.flag), ir.Const(False), func.pos)] + lowering.block(body, False)
        first = next((r for r in returns if r.value is not None), returns[0])
        output = lowering.output(first.pos)
        introduced = lowering.results + [lowering.flag]
    body = _drop_trailing(_restructure(body), ir.Return)
    _check_no_jump_left(body)
    return body, output, introduced


def _check_no_jump_left(body: list[ir.Stmt]) -> None:
    for stmt in statements(body):
        assert not isinstance(stmt, (ir.Return, ir.Continue)), "restructuring left a jump"
