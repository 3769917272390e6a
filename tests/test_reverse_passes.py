"""Before/after cases of single passes of reverse mode, on hand-built IR."""

from __future__ import annotations

from adxform import ir
from adxform.emit.printer import StmtPrinter
from adxform.reverse.merge import merge_increments


def _increment(target: ir.Expr, op: str, right: ir.Expr) -> ir.Assign:
    return ir.Assign(target, ir.BinOp(op, target, right), inplace=True)


def _text(stmts: list[ir.Stmt]) -> list[str]:
    return [line.split("  #")[0] for line in StmtPrinter("m.py").block(stmts, 0)]


def test_adjacent_increments_merge():
    x_i = ir.Subscript(ir.Name("x_bar"), [ir.Name("i")])
    a, b, c = ir.Name("a"), ir.Name("b"), ir.Name("c")
    stmts = [_increment(x_i, "+", a), _increment(x_i, "-", b), _increment(x_i, "+", c),
             _increment(ir.Name("s_bar"), "-", a), _increment(ir.Name("s_bar"), "-", b)]
    assert _text(merge_increments(stmts)) == ["x_bar[i] += a - b + c", "s_bar -= a + b"]


def test_increments_that_read_their_target_or_are_apart_stay():
    s = ir.Name("s_bar")
    reads = [_increment(s, "+", ir.Name("a")), _increment(s, "+", ir.BinOp("*", ir.Name("s_bar"), ir.Name("b")))]
    apart = [_increment(s, "+", ir.Name("a")), ir.Assign(ir.Name("t"), ir.Const(1.0)), _increment(s, "+", ir.Name("b"))]
    other = [_increment(ir.Subscript(ir.Name("x_bar"), [ir.Name("i")]), "+", ir.Name("a")),
             _increment(ir.Subscript(ir.Name("x_bar"), [ir.Name("j")]), "+", ir.Name("b"))]
    for stmts in (reads, apart, other):
        assert len(merge_increments(list(stmts))) == len(stmts)


def test_increments_merge_inside_loops():
    s = ir.Name("s_bar")
    loop = ir.For("i", ir.Const(0), ir.Name("n"), ir.Const(1), [_increment(s, "+", ir.Name("a")),
                                                               _increment(s, "+", ir.Name("b"))])
    merged = merge_increments([loop])
    assert merged[0] is loop and _text(loop.body) == ["s_bar += a + b"]
