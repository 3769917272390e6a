"""The analyses reverse mode stands on (adxform/analysis/bindings.py,
sharing.py, cost.py, increments.py), each on a small function whose answer is worked out
by hand from the source."""

from __future__ import annotations

from adxform import ir
from adxform.analysis.bindings import (base_name, bound_on_every_path, first_definitions, loop_vars_read_outside,
                                       written_names)
from adxform.analysis.cost import work
from adxform.analysis.increments import unsaved_increments
from adxform.analysis.program import FunctionFacts, Program, analyse
from adxform.analysis.sharing import aliased_arrays, rows_bound_in_loops
from adxform.diagnostics import Reporter
from adxform.parse import parse_module
from adxform.walk import statements


def _analysed(source: str, name: str = "f") -> tuple[FunctionFacts, Program]:
    reporter = Reporter("m.py", source)
    module = parse_module("import numpy as np\n\n\n" + source, "m.py", reporter)
    program = analyse(module, [name], None, reporter, "reverse")
    return program.facts[name], program


def _line(func: ir.Function, line: int) -> ir.Stmt:
    """The statement at ``line`` of the source given to ``_analysed`` (its first line is 1)."""
    (stmt,) = [s for s in statements(func.body) if s.pos.line == line + 3]
    return stmt


ASSIGNMENTS = """def f(x: float, n: int) -> float:
    a = x
    a = a * 2.0
    if x > 0.0:
        b = x
    else:
        b = -x
    for i in range(n):
        c = a * b
        a = c
    return a
"""


def test_first_definitions_are_outside_loops_with_no_earlier_assignment():
    facts, _ = _analysed(ASSIGNMENTS)
    func = facts.func
    found = first_definitions(func.body, {"x", "n"})
    assert found == {(id(_line(func, 2)), "a"), (id(_line(func, 5)), "b"), (id(_line(func, 7)), "b")}


def test_bound_on_every_path_meets_branches_and_forgets_loop_bodies():
    facts, _ = _analysed(ASSIGNMENTS)
    func = facts.func
    bound = bound_on_every_path(func.body, {"x", "n"})
    assert bound[id(_line(func, 4))] == {"x", "n", "a"}  # the if: before either branch binds b
    assert bound[id(_line(func, 9))] == {"x", "n", "a", "b", "i"}  # in the loop: its variable too
    assert bound[id(_line(func, 10))] == {"x", "n", "a", "b", "i", "c"}
    assert bound[id(_line(func, 11))] == {"x", "n", "a", "b"}  # after the loop: c may be unbound


def test_written_names_follow_calls_into_the_arguments_they_write():
    source = ("def fill(v: np.ndarray, t: float):\n    v[0] = t\n\n\n"
              "def f(x: np.ndarray, t: float) -> float:\n    w = x * 1.0\n    fill(w, t)\n"
              "    for k in range(3):\n        w[k] = t\n    return w[0]\n")
    facts, program = _analysed(source)
    func = facts.func
    assert written_names(_line(func, 6), program) == {"w"}
    assert written_names(_line(func, 7), program) == {"w"}  # the call writes its first argument
    assert written_names(_line(func, 8), program) == {"k"}  # a loop writes its variable, not its body's names
    assert base_name(ir.Subscript(ir.Name("w"), [ir.Name("k")])) == "w"
    assert base_name(ir.Call("numpy.sum", [ir.Name("w")])) is None


def test_loop_vars_read_outside_their_loops():
    source = ("def f(x: float, n: int) -> float:\n    i = 7\n    y = x * i\n    for i in range(n):\n"
              "        y = y * x\n    for j in range(n):\n        y = y + x * j\n    return y\n")
    facts, _ = _analysed(source)
    assert loop_vars_read_outside(facts.func.body) == {"i"}  # j is read only inside its loop


def test_aliased_arrays_are_both_names_of_a_view():
    source = ("def f(x: np.ndarray) -> float:\n    a = x * 2.0\n    b = a[1:]\n    c = a * 3.0\n"
              "    d = c.T\n    return np.sum(b) + np.sum(d)\n")
    facts, _ = _analysed(source)
    assert aliased_arrays(facts.func.body, facts.types) == {"a", "b", "c", "d"}


def test_rows_bound_at_the_head_of_a_loop_that_rebinds_nothing_they_read():
    source = ("def f(m: np.ndarray, n: int) -> float:\n    s = 0.0 * m.shape[1]\n    for k in range(n):\n        row = m[k]\n"
              "        s = s + np.sum(row)\n    for k in range(n):\n        other = m[k]\n        m = m * 2.0\n"
              "        s = s + np.sum(other)\n    return s\n")
    facts, _ = _analysed(source)
    func = facts.func
    assert rows_bound_in_loops(func.body, facts.types, facts.flow.written) == {id(_line(func, 4))}
    # written into: the row shares the argument's memory, which the forward sweep leaves as it is
    assert rows_bound_in_loops(func.body, facts.types, facts.flow.written | {"row"}) == set()


INCREMENTS = """def f(x: np.ndarray, w: np.ndarray) -> float:
    d = x.shape[0]
    q = np.zeros(d)
    r = np.zeros(d + 1)
    s = 0.0
    for j in range(d):
        q[j] = w[j] * x[j]
        r[j] = x[j]
    for j in range(d):
        q[j] += w[j] * x[j]
        r[j] += w[j] * x[j]
    for j in range(d):
        q[j] += q[j] * w[j]
    s += q[0] + r[0]
    for j in range(d):
        q[j] += w[j]
    return s
"""


def test_unsaved_increments_follow_a_whole_overwrite_up_to_a_read():
    facts, _ = _analysed(INCREMENTS)
    func = facts.func
    got = unsaved_increments(func.body, [p.name for p in func.params], aliased_arrays(func.body, facts.types))
    # q[j] += ... on line 10 follows the loop of line 6, which overwrites all of q; r is one longer than that loop.
    # Line 13's increment reads q, and stops the run: line 16 comes after a read of q
    assert got == {id(_line(func, 10))}
    # a view of q: nothing is sure of its elements
    assert unsaved_increments(func.body, [p.name for p in func.params], {"q"}) == set()


def test_work_weighs_a_statement_ten_per_loop_and_a_call_one_loop_more():
    source = ("def g(x: float) -> float:\n    return x * x\n\n\n"
              "def f(x: float, n: int) -> float:\n    s = 0.0\n    for i in range(n):\n        s = s + g(x)\n"
              "        if s > 1.0:\n            s = s * 0.5\n    return s\n")
    facts, _ = _analysed(source)
    # s = 0.0: 1; the loop: 1; its body: 10 + 100 (the call), the if 10, its branch 10; return: 1
    assert work(facts.func.body) == 1 + 1 + 110 + 10 + 10 + 1
