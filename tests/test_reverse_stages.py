"""The stages of reverse mode, one by one: ``--dump-after`` prints the
``_rev`` function after each, and each case checks the change one stage
makes between the dump of the stage before it and its own."""

from __future__ import annotations

import inspect
import re

import pytest
from adxform.diagnostics import UsageError
from adxform.pipeline import PASS_NAMES, Options, run_passes
from adxform.reverse import REVERSE_STAGES

from corpus import reverse_hard


def _dump(source: str, stage: str, mode: str = "reverse") -> list[str]:
    """The lines ``--dump-after stage`` prints, without their source comments."""
    texts: list[str] = []
    run_passes("import math\n\nimport numpy as np\n\n\n" + source, "m.py",
               Options(mode, jit="none", dump_after=stage, dump=texts.append))
    (text,) = texts
    return [line.split("  # m.py:")[0] for line in text.splitlines()]


def _reverse_start(lines: list[str]) -> int:
    """Where the reverse sweep starts: the zeroing of the first scalar adjoint."""
    return next(k for k, line in enumerate(lines) if re.fullmatch(r"    \w+_bar = 0\.0", line))


def _before_after(source: str, stage: str) -> tuple[list[str], list[str]]:
    before = PASS_NAMES[PASS_NAMES.index(stage) - 1]
    return _dump(source, before), _dump(source, stage)


def test_the_stages_run_inside_differentiate_in_order():
    assert PASS_NAMES == ["parse", "normalize", "analyse", "reverse.structure", "reverse.sweeps", "reverse.slicing",
                          "reverse.fusion", "reverse.merge", "differentiate"]
    assert list(REVERSE_STAGES) == PASS_NAMES[3:-1]


def test_a_reverse_stage_is_refused_in_forward_mode():
    with pytest.raises(UsageError, match="stage of reverse mode"):
        _dump("def f(x: float) -> float:\n    return x * x\n", "reverse.sweeps", mode="forward")


def test_a_reverse_stage_prints_in_hvp_mode_too():
    lines = _dump("def f(x: float) -> float:\n    return x * x\n", "reverse.merge", mode="hvp")
    assert lines[0] == "def f_rev(x, y_bar):" and "    x_bar += 2.0 * (y_bar * x)" in lines


EARLY_RETURN = """def f(x: np.ndarray, n: int) -> float:
    s = 0.0
    for i in range(n):
        s = s + math.sin(x[i])
        if s > 10.0:
            return s
    return s * s
"""


def test_structure_leaves_one_return_at_the_end():
    before, after = _before_after(EARLY_RETURN, "reverse.structure")
    assert [line for line in before if "return " in line] == ["            return s", "    return s * s"]
    assert [line for line in after if "return " in line] == ["    return result"]
    # the early return: its value, a flag, and a break out of the loop
    k = after.index("            result = s")
    assert after[k + 1:k + 3] == ["            returned = True", "            break"]


def test_sweeps_save_what_the_loop_overwrites_and_reverse_it():
    before, after = _before_after(EARLY_RETURN, "reverse.sweeps")
    assert before[0] == "def f(x, n):" and after[0] == "def f_rev(x, n, y_bar, x_bar):"
    assert not any("_tape_push" in line for line in before)
    # the old s is pushed before the loop body overwrites it, and popped back in the reversed loop
    assert after.index("        ftape, ftop = _tape_push(ftape, ftop, s)") + 1 == after.index(
        "        s = s + math.sin(x[i])")
    assert "        s = ftape[ftop]" in after
    # the loop may break: its trip count is recorded and the reverse sweep counts down
    assert "        n_iter += 1" in after and "    k = n_iter" in after


TRIANGLE = """def f(x: np.ndarray, w: np.ndarray) -> float:
    d = x.shape[0]
    q = np.zeros(d)
    for j in range(d):
        q[j] = w[j] * x[j]
    for j in range(d):
        for m in range(j + 1, d):
            q[m] += w[m] * x[j]
    s = 0.0
    for j in range(d):
        s += q[j] * q[j]
    return s
"""


def test_sweeps_save_nothing_that_no_later_adjoint_reads():
    before, after = _before_after(TRIANGLE, "reverse.sweeps")
    assert not any("_tape_push" in line for line in before)
    # nothing is saved: only the adjoint of the last loop reads q, and it runs first, on q's final values
    # (the zeros the overwrite replaces and the partial sums the increments replace are read by no adjoint
    # that runs after theirs: reverse/tbr.py, analysis/increments.py)
    assert not any("ftape" in line for line in after)
    assert after.count("            q[m] += w[m] * x[j]") == 1


def test_slicing_drops_what_the_reverse_sweep_does_not_read_and_keeps_the_value():
    before, after = _before_after(EARLY_RETURN, "reverse.slicing")
    assert before[:_reverse_start(before)].count("        returned = True") == 1  # the last return's flag: unread
    assert after[:_reverse_start(after)].count("        returned = True") == 0
    assert before[-1] == "    return ()"
    # the value costs one statement: f_rev returns it
    assert "    value = result" in after and after[-1] == "    return (value,)"


ENERGY = """def energy(pos: np.ndarray, mass: np.ndarray, eps: float) -> float:
    n = pos.shape[0]
    e = 0.0
    for i in range(n):
        for j in range(i + 1, n):
            dx = pos[i, 0] - pos[j, 0]
            r = math.sqrt(dx * dx + eps * eps)
            e -= mass[i] * mass[j] / r
    return e
"""


def test_fusion_accumulates_the_value_in_the_reverse_loop():
    before, after = _before_after(ENERGY, "reverse.fusion")
    assert "            e -= mass[i] * mass[j] / r" not in before[_reverse_start(before):]
    assert before[-1] == "    return (eps_bar,)"
    # the sum, in the reverse loop that walks forwards, after the recomputed r; e starts at 0 after the forward sweep
    k = after.index("            e -= mass[i] * mass[j] / r")
    assert k > _reverse_start(after) and after[k - 1].startswith("            r = ")
    assert after[_reverse_start(after) - 1] == "    e = 0.0"
    assert after[-2:] == ["    value = e", "    return value, eps_bar"]


def test_merge_joins_the_increments_of_one_adjoint():
    source = "def f(x: np.ndarray, n: int) -> float:\n    s = 0.0\n    for i in range(n):\n" \
             "        s = s + x[i] * x[i]\n    return s\n"
    before, after = _before_after(source, "reverse.merge")
    assert [line for line in before if "x_bar[i]" in line] == ["        x_bar[i] += s_bar * x[i]",
                                                              "        x_bar[i] += x[i] * s_bar"]
    # the two partials of x[i] * x[i] are one product, doubled
    assert [line for line in after if "x_bar[i]" in line] == ["        x_bar[i] += 2.0 * (s_bar * x[i])"]
    assert after[1].startswith('    """Adjoint of f:')


WORK_ARRAY = """def f(x: np.ndarray, tmp: np.ndarray) -> float:
    s = 0.0
    for i in range(x.shape[0]):
        tmp[i] = 2.0 * x[i]
    for i in range(x.shape[0]):
        s += tmp[i] * tmp[i]
    for i in range(x.shape[0]):
        tmp[i] = x[i] * x[i]
    for i in range(x.shape[0]):
        s += tmp[i] * x[i]
    return s
"""


def test_a_work_array_is_saved_only_where_an_earlier_adjoint_reads_it():
    """The first fill of ``tmp`` replaces what no adjoint reads (those that
    read tmp run before it is undone), the second what the adjoint of the
    first sum reads: only the second saves (reverse/tbr.py)."""
    _, after = _before_after(WORK_ARRAY, "reverse.sweeps")
    fills = [k for k, line in enumerate(after) if line.startswith("        tmp[i] = ") and "ftape" not in line]
    assert len(fills) == 2
    assert after[fills[0] - 1] == "    for i in range(x.shape[0]):"
    assert after[fills[1] - 1] == "        ftop = _tape_put(ftape, ftop, tmp[i])"


TIME_LOOP = """def f(u0, c, nsteps):
    n = u0.shape[0]
    u = u0.copy()
    unew = np.zeros(n)
    for t in range(nsteps):
        for i in range(n):
            unew[i] = u[i] - c * u[i - 1]
        for i in range(n):
            u[i] = unew[i]
    return np.sum(u * u)
"""


def test_sweeps_reserve_tape_room_once_for_a_loop_nest():
    """The time loop's steps each save ``u`` before the copy: room for all
    of them is reserved before the outer loop, from the bounds it does not
    change, and the inner loop puts without a test (a reservation per step
    rebinds the tape inside the nest: Burgers' forward sweep ran six primal
    runs slower)."""
    _, after = _before_after(TIME_LOOP, "reverse.sweeps")
    reserve = after.index("    ftape = _tape_reserve(ftape, ftop + max(n, 0) * nsteps)")
    assert after[reserve + 1] == "    for t in range(nsteps):"
    assert sum("_tape_reserve(" in line for line in after) == 1
    assert "            ftop = _tape_put(ftape, ftop, u[i])" in after


def test_sweeps_leave_a_nest_whose_inner_bounds_change_to_the_inner_loop():
    """A triangular nest (``range(t)``) or bounds the body changes: the
    outer loop cannot know its room on entry, the inner one reserves its own."""
    source = TIME_LOOP.replace("for i in range(n):\n            u[i]", "for i in range(t):\n            u[i]")
    _, after = _before_after(source, "reverse.sweeps")
    reserves = [k for k, line in enumerate(after) if "_tape_reserve(" in line]
    assert [after[k] for k in reserves] == ["        ftape = _tape_reserve(ftape, ftop + t)"]
    assert after[reserves[0] + 1] == "        for i in range(t):"


def test_a_quotient_at_hand_spares_the_adjoint_a_second_division():
    """``q = a / b`` with q held where its adjoint runs: b receives
    ``-(q_bar / b) * q``, computed from a's seed, one division in all."""
    _, after = _before_after("def f(a: float, b: float) -> float:\n    q = a / b\n    return q * q\n",
                             "reverse.sweeps")
    adjoint = after[_reverse_start(after):]
    divisions = [line for line in adjoint if "/" in line]
    assert divisions == ["    t_bar = q_bar / b"]
    assert "    b_bar -= t_bar * q" in adjoint and "    a_bar += t_bar" in adjoint


def test_sweeps_walk_a_loop_that_pops_the_same_values_each_iteration_forwards():
    """The copy loop saves ``u[i]`` in every iteration: its reverse reads
    each iteration's value at its own place on the tape and, as the
    iterations commute, walks forwards (numba vectorises the restore)."""
    _, after = _before_after(TIME_LOOP, "reverse.sweeps")
    restore = after.index("            u[i] = ftape[ftop + i]")
    assert after[restore - 2:restore] == ["        ftop -= max(n, 0)", "        for i in range(n):"]
    assert not any(line.strip() == "ftop -= 1" for line in after)


def test_sweeps_read_two_values_an_iteration_in_their_places_on_the_tape():
    source = """def f(u0, nsteps):
    n = u0.shape[0]
    u = u0.copy()
    v = 0.5 * u0
    for t in range(nsteps):
        for i in range(1, n):
            u[i] = u[i] * v[i]
            v[i] = math.sin(u[i])
    return np.sum(u * v)
"""
    _, after = _before_after(source, "reverse.sweeps")
    assert "        ftop -= 2 * max(n - 1, 0)" in after
    reads = [line.strip() for line in after if "= ftape[" in line]
    assert reads == ["v[i] = ftape[ftop + 2 * (i - 1) + 1]", "u[i] = ftape[ftop + 2 * (i - 1)]"]


def test_a_loop_that_restores_a_scalar_keeps_walking_backwards():
    """``s`` restored in every iteration must end with what the first
    iteration restores, which an earlier adjoint reads (fuzz seed 182781)."""
    source = inspect.getsource(reverse_hard.scalar_restored_by_a_later_loop)  # the corpus checks its gradient
    _, after = _before_after(source, "reverse.sweeps")
    restore = after.index("        s = ftape[ftop]")
    assert after[restore - 1] == "        ftop -= 1" and after[restore - 4:restore - 2] == ["    i = 3", "    while i > 0:"]


def test_a_turn_records_an_iteration_without_the_call_its_adjoint_runs_again():
    """The reverse sweep's turn records the iteration right before its
    adjoint; ``_decay_rev`` runs ``_decay`` again from the saved ``x``, so the
    recorded iteration only saves ``x``.  The forward sweep's turn runs the
    call: the code after the loop reads its result."""
    source = """def _decay(x, c):
    for i in range(x.shape[0]):
        x[i] = x[i] - c * x[i] * x[i]


def f(x0, c, nsteps):
    x = x0.copy()
    # adxform: checkpoint(snapshots=2)
    for s in range(nsteps):
        _decay(x, c)
    return np.sum(x)
"""
    _, after = _before_after(source, "reverse.sweeps")
    rev = after.index("def f_rev(x0, c, nsteps, y_bar, x0_bar):")
    forward_turn = after.index("            break", rev) - 3
    assert after[forward_turn:forward_turn + 3] == ["            for s in range(lo, hi):",
                                                    "                ftape, ftop = _tape_push_array(ftape, ftop, x)",
                                                    "                _decay(x, c)"]
    reverse_turn = after.index("            if action == _YOUTURN:", rev)
    assert after[reverse_turn + 1:reverse_turn + 5] == ["                for s in range(lo, hi):",
                                                        "                    ftape, ftop = _tape_push_array(ftape, ftop, x)",
                                                        "            for s in range(lo, hi):",
                                                        "                _tape_load_array(x, ftape, ftop)"]


def test_sweeps_reverse_a_loop_over_an_arrays_length_that_writes_its_elements_by_its_bounds():
    """Writing ``x[i]`` keeps ``x.shape[0]``: the loop reserves its tape room
    once and its reverse evaluates the bound again, with no recorded trip
    count and no checked push."""
    source = """def f(x0, c):
    x = x0.copy()
    for i in range(len(x)):
        x[i] = x[i] - c * x[i] * x[i]
    return np.sum(x)
"""
    _, after = _before_after(source, "reverse.sweeps")
    loop = after.index("    for i in range(len(x)):")
    assert after[loop - 1:loop + 2] == ["    ftape = _tape_reserve(ftape, ftop + len(x))",
                                        "    for i in range(len(x)):",
                                        "        ftop = _tape_put(ftape, ftop, x[i])"]
    assert "    i = len(x)" in after and not any("n_iter" in line for line in after)


def test_snapshots_leave_out_a_work_array_every_iteration_fills_first():
    """``_scale`` fills ``work`` (as long as ``x``) before reading it, and
    outside the loop ``work`` is only made: re-running an iteration makes
    it again, so only ``x`` is snapshot (the corpus' checkpointed loops
    check the gradients, work_array_with_a_carried_tail one that must
    stay)."""
    source = """def _scale(x, work, c):
    for i in range(x.shape[0]):
        work[i] = c * x[i]
    for i in range(x.shape[0]):
        x[i] = x[i] - work[i] * x[i]


def f(x0, c, nsteps):
    x = x0.copy()
    work = np.zeros(x.shape[0])
    # adxform: checkpoint(snapshots=2)
    for s in range(nsteps):
        _scale(x, work, c)
    return np.sum(x)
"""
    _, after = _before_after(source, "reverse.sweeps")
    assert [line.strip() for line in after if "_snapshot_slots(" in line] == ["x_snaps = _snapshot_slots(x, 2)"]


COLUMNS_BELOW_THE_DIAGONAL = """def f(x, w):
    n = x.shape[0]
    xc = np.zeros(n)
    q = np.zeros(n)
    for j in range(n):
        xc[j] = 2.0 * x[j]
    li = 0
    for j in range(n):
        for m in range(j + 1, n):
            q[m] += w[li] * xc[j]
            li += 1
    return np.sum(q * q)
"""


def test_merge_sums_the_increments_of_one_element_across_a_loop_in_a_local():
    """``xc_bar[j]`` gets an increment per iteration of the reversed inner
    loop, ``j`` fixed there: summed in a local, added once after the loop;
    ``w_bar[li]``, whose index the loop steps, keeps its increments."""
    before, after = _before_after(COLUMNS_BELOW_THE_DIAGONAL, "reverse.merge")
    assert "            xc_bar[j] += w[li] * t_bar" in before
    inner = after.index("        while m > j + 1:")
    assert after[inner - 1] == "        xc_bar_sum = 0.0"
    assert after[inner + 1:inner + 8] == [
        "            m -= 1", "            li -= 1", "            t_bar = q_bar[m]",
        "            w_bar[li] += t_bar * xc[j]", "            xc_bar_sum += w[li] * t_bar",
        "        if xc_bar_sum != 0.0:", "            xc_bar[j] += xc_bar_sum"]
