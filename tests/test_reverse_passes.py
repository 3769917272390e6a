"""Before/after cases of single passes of reverse mode, on hand-built IR."""

from __future__ import annotations

from adxform import ir
from adxform.emit.printer import StmtPrinter
from adxform.naming import fresh_name
from adxform.reverse.deadloads import drop_dead_loads
from adxform.reverse.loops import indexed_puts
from adxform.reverse.merge import hold_increments, merge_increments


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


def _held(stmts: list[ir.Stmt], primal: set[str]) -> list[str]:
    taken: set[str] = set()
    hold_increments(stmts, primal, lambda wanted: fresh_name(wanted, taken))
    return _text(stmts)


def test_increments_of_one_element_apart_are_held_in_a_local():
    """x_bar[i] is read and written once: the first increment's value is
    held, the statements between only add into adjoint arrays or bind
    temporaries, and the last increment adds what was held."""
    x_i, x_next = (ir.Subscript(ir.Name("x_bar"), [index]) for index in (ir.Name("i"),
                                                                      ir.BinOp("+", ir.Name("i"), ir.Const(1))))
    stmts = [_increment(x_i, "-", ir.Name("t2_bar")), ir.Assign(ir.Name("t2_bar"), ir.Const(0.0)),
             _increment(x_next, "+", ir.Name("t1_bar")), ir.Assign(ir.Name("t"), ir.Subscript(ir.Name("x"), [ir.Name("i")])),
             _increment(x_i, "+", ir.Name("t"))]
    assert _held(stmts, {"x", "i", "t"}) == ["t_held = -t2_bar", "t2_bar = 0.0", "x_bar[i + 1] += t1_bar",
                                             "t = x[i]", "x_bar[i] += t_held + t"]


def test_increments_stay_apart_where_something_between_reads_an_adjoint_array_or_moves_the_element():
    x_i = ir.Subscript(ir.Name("x_bar"), [ir.Name("i")])
    between = {
        "reads the array": ir.Assign(ir.Name("t_bar"), ir.Subscript(ir.Name("x_bar"), [ir.Name("j")])),
        "reads another adjoint array, maybe a view": ir.Assign(ir.Name("t_bar"), ir.Subscript(ir.Name("u_bar"), [ir.Name("j")])),
        "binds the index": ir.Assign(ir.Name("i"), ir.Const(0)),
        "calls": ir.ExprStmt(ir.Call("module._add_into", [ir.Name("u_bar"), ir.Name("a")])),
        "sets an element": ir.Assign(ir.Subscript(ir.Name("u_bar"), [ir.Name("j")]), ir.Const(0.0)),
    }
    for what, stmt in between.items():
        stmts = [_increment(x_i, "+", ir.Name("a")), stmt, _increment(x_i, "+", ir.Name("b"))]
        assert _held(stmts, {"i", "j"})[0] == "x_bar[i] += a", what


def test_two_products_of_the_same_factors_merge_doubled():
    """The partials of ``x * x`` (``s * x`` and ``x * s``), and of ``0.5 * x * x``."""
    x, s = ir.Name("x"), ir.Name("s_bar")
    square = [_increment(ir.Name("x_bar"), "+", ir.BinOp("*", s, x)), _increment(ir.Name("x_bar"), "+", ir.BinOp("*", x, s))]
    half = [_increment(ir.Name("x_bar"), "+", ir.BinOp("*", ir.Const(0.5), ir.BinOp("*", s, x))),
            _increment(ir.Name("x_bar"), "+", ir.BinOp("*", ir.BinOp("*", ir.Const(0.5), x), s))]
    different = [_increment(ir.Name("x_bar"), "+", ir.BinOp("*", s, x)), _increment(ir.Name("x_bar"), "+", ir.BinOp("*", s, s))]
    assert _text(merge_increments(square)) == ["x_bar += 2.0 * (s_bar * x)"]
    assert _text(merge_increments(half)) == ["x_bar += s_bar * x"]
    assert _text(merge_increments(different)) == ["x_bar += s_bar * x + s_bar * s_bar"]


def _load(name: str) -> ir.ExprStmt:
    return ir.ExprStmt(ir.Call("module._tape_load_array", [ir.Name(name), ir.Name("ftape"), ir.Name("ftop")]))


def test_loads_that_nothing_reads_before_the_next_load_are_dropped():
    """The load after a callee's adjoint, in a loop whose iterations start
    by loading the same array (the same statement object twice, as
    calls.py writes it): dropped; the one the call reads stays, as does a
    load of an array that may share memory with another (not in ``arrays``)."""
    load_x = _load("x")
    call = ir.ExprStmt(ir.Call("module.g_rev", [ir.Name("x"), ir.Name("x_bar")]))
    step = ir.Assign(ir.Name("ftop"), ir.BinOp("-", ir.Name("ftop"), ir.Attribute(ir.Name("x"), "size")), inplace=True)
    loop = ir.While(ir.Compare(">", ir.Name("s"), ir.Const(0)), [load_x, call, load_x, _load("v"), step])
    body = [loop, ir.Return(ir.Name("x_bar"))]
    drop_dead_loads(body, {"x"})
    assert _text(loop.body) == ["_tape_load_array(x, ftape, ftop)", "g_rev(x, x_bar)",
                                "_tape_load_array(v, ftape, ftop)", "ftop -= x.size"]


def test_a_load_read_after_the_loop_stays():
    load_x = _load("x")
    loop = ir.While(ir.Name("more"), [load_x, ir.ExprStmt(ir.Call("module.g_rev", [ir.Name("x")])), load_x])
    body = [loop, ir.Return(ir.BinOp("*", ir.Subscript(ir.Name("x"), [ir.Const(0)]), ir.Const(2.0)))]
    drop_dead_loads(body, {"x"})
    assert len(loop.body) == 3


TAPES = {"float": ("ftape", "ftop"), "int": ("itape", "itop")}


def _put(tape: str, top: str, value: ir.Expr) -> ir.Assign:
    return ir.Assign(ir.Name(top), ir.Call("module._tape_put", [ir.Name(tape), ir.Name(top), value]))


def _copy_loop(extra: list[ir.Stmt] = ()) -> ir.For:
    """``for i in range(1, n)``: put u[i] and k, then ``u[i] = w[i]``."""
    u_i = ir.Subscript(ir.Name("u"), [ir.Name("i")])
    return ir.For("i", ir.Const(1), ir.Name("n"), ir.Const(1), [
        _put("ftape", "ftop", u_i), _put("itape", "itop", ir.Name("k")), _put("ftape", "ftop", ir.Name("s")),
        ir.Assign(u_i, ir.Subscript(ir.Name("w"), [ir.Name("i")])), *extra])


def test_puts_of_every_iteration_are_written_at_their_place():
    """The loop writes each value where the puts would have put it and
    moves each top once, after the loop."""
    body = [_copy_loop()]
    indexed_puts(body, TAPES)
    assert _text(body) == ["for i in range(1, n):", "    ftape[ftop + 2 * (i - 1)] = u[i]",
                           "    itape[itop + (i - 1)] = k", "    ftape[ftop + 2 * (i - 1) + 1] = s",
                           "    u[i] = w[i]", "ftop += 2 * max(n - 1, 0)", "itop += max(n - 1, 0)"]


def test_puts_stay_where_an_iteration_may_jump_or_the_body_reads_the_top():
    """A break (fewer iterations than the range), or the top read elsewhere
    in the body (a nested loop's puts): the puts stay as they are."""
    jumps = _copy_loop([ir.If(ir.Name("done"), [ir.Break()], [])])
    reads = _copy_loop([ir.Assign(ir.Name("t"), ir.Name("ftop"))])
    for loop in (jumps, reads):
        body = [loop]
        indexed_puts(body, TAPES)
        assert len(body) == 1 and _text(body)[1] == "    ftop = _tape_put(ftape, ftop, u[i])"
