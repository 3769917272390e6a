"""Binomial checkpointing (SPEC §5, issue 4), measured with ``--instrument``.

The schedule is checked against the closed form of the revolve optimum,
t(l, s) = r*l - C(s + r, r - 1) with r the least integer such that
C(s + r, s) >= l, computed here from the formula (not from adxform), on a
grid of loop lengths l and snapshot counts s (s >= l included): the
iterations run without recording equal t(l, s), every iteration is
recorded once, never more than s snapshots are held, and the gradient
equals the one of the same loop reversed without checkpointing.  The
corpus (tests/corpus/checkpointed.py) checks checkpointed loops of every
kind against finite differences and forward mode.
"""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import adxform
import numpy as np
import pytest
from adxform.cli import main
from helpers import load_module_from_text

SNAPSHOTS = [1, 2, 3, 10, 30, 40]  # every s from 1 to 40: test_driver_is_the_revolve_optimum_on_the_whole_grid
LENGTHS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 15, 16, 20, 21, 33, 50, 64, 100, 101, 256, 500, 999, 1000, 2000]

# One function per snapshot count, and the same loop without the directive.
BODY = '''
def loss_{name}(x0: np.ndarray, a: float, n: int) -> float:
    x = x0.copy()
    e = 0.0
    {directive}
    for k in range(n):
        x[0] = x[0] + a * math.sin(x[1])
        x[1] = 0.99 * x[1] - a * math.cos(x[2]) * x[0]
        x[2] = 0.9 * x[2] + a * math.tanh(x[0] * x[1])
        e = e + x[2] * x[2] + a * k
    return e + x[0] * x[1]
'''
GRID_SOURCE = "import math\n\nimport numpy as np\n\n" + "\n".join(
    BODY.format(name=f"s{s}", directive=f"# adxform: checkpoint(snapshots={s})") for s in SNAPSHOTS
) + BODY.format(name="plain", directive="")


def revolve_optimum(length: int, snapshots: int) -> int:
    """SPEC §5: t(l, s) = r*l - C(s + r, r - 1), r least with C(s + r, s) >= l."""
    r = 0
    while math.comb(snapshots + r, snapshots) < length:
        r += 1
    return r * length - math.comb(snapshots + r, r - 1) if r > 0 else 0


def test_closed_form_matches_the_spec_examples() -> None:
    assert revolve_optimum(1000, 10) == 3636
    assert revolve_optimum(100000, 30) == 447640


@pytest.fixture(scope="module")
def grid_module(tmp_path_factory: pytest.TempPathFactory):
    text = adxform.transform(GRID_SOURCE, "reverse", filename="grid.py", instrument=True)
    return load_module_from_text(text, tmp_path_factory.mktemp("grid") / "grid_vjp.py")


def _stats(module, function: str, *args) -> tuple[tuple, dict]:
    module.adxform_stats_reset()
    grad = getattr(module, f"{function}_grad")(*args)
    (row,) = [v for label, v in module.adxform_stats().items() if label.startswith(f"{function}:")]
    return grad, row


@pytest.mark.parametrize("snapshots", SNAPSHOTS)
def test_schedule_is_the_revolve_optimum(grid_module, snapshots: int) -> None:
    x0 = np.array([0.3, -0.2, 0.5])
    for length in LENGTHS:
        grad, stats = _stats(grid_module, f"loss_s{snapshots}", x0.copy(), 0.05, length)
        where = f"l={length}, s={snapshots}"
        assert stats["iterations"] == length, where
        assert stats["advances"] == revolve_optimum(length, snapshots), where
        assert stats["recorded"] == length, where
        assert stats["peak_snapshots"] <= snapshots, where
        assert stats["snapshot_bytes"] == stats["peak_snapshots"] * (x0.nbytes + 8), where
        expected = grid_module.loss_plain_grad(x0.copy(), 0.05, length)
        np.testing.assert_allclose(grad[0], expected[0], rtol=1e-12, atol=1e-15, err_msg=where)
        assert grad[1] == pytest.approx(expected[1], rel=1e-12, abs=1e-15), where


def test_the_spec_example_at_length_100000(grid_module) -> None:
    _, stats = _stats(grid_module, "loss_s30", np.array([0.3, -0.2, 0.5]), 1e-4, 100000)
    assert (stats["advances"], stats["recorded"], stats["peak_snapshots"]) == (447640, 100000, 30)


def test_counts_add_up_over_calls_until_reset(grid_module) -> None:
    x0 = np.array([0.3, -0.2, 0.5])
    grid_module.adxform_stats_reset()
    for _ in range(3):
        grid_module.loss_s3_grad(x0.copy(), 0.05, 20)
    (stats,) = [v for k, v in grid_module.adxform_stats().items() if k.startswith("loss_s3:")]
    assert stats["iterations"] == 60 and stats["advances"] == 3 * revolve_optimum(20, 3)
    grid_module.adxform_stats_reset()
    assert all(v == 0 for row in grid_module.adxform_stats().values() for v in row.values())


def test_plain_python_driver_gives_the_same_schedule(tmp_path: Path) -> None:
    text = adxform.transform(GRID_SOURCE, "reverse", filename="grid.py", instrument=True, jit="none",
                             functions=["loss_s3", "loss_plain"])
    module = load_module_from_text(text, tmp_path / "grid_none.py")
    for length in (1, 2, 9, 20, 57):
        grad, stats = _stats(module, "loss_s3", np.array([0.3, -0.2, 0.5]), 0.05, length)
        assert (stats["advances"], stats["recorded"]) == (revolve_optimum(length, 3), length)
        np.testing.assert_allclose(grad[0], module.loss_plain_grad(np.array([0.3, -0.2, 0.5]), 0.05, length)[0],
                                   rtol=1e-12)


# -- loops whose length is unknown on entry: counted first, then reversed offline ----------------

ONLINE = '''
import math

import numpy as np


def newton(a: float, x0: float) -> float:
    x = x0
    # adxform: checkpoint(snapshots=3)
    while abs(x * x * x - a) > 1e-13:
        x = x - (x * x * x - a) / (3.0 * x * x)
    return x


def orbit(x: np.ndarray, r: float, limit: float) -> float:
    v = x[0]
    s = 0.0
    # adxform: checkpoint(snapshots=2)
    for k in range(10000):
        v = r * v * (1.0 - v) + 0.001 * x[1]
        s = s + v * v
        if s > limit:
            break
    return s + v
'''


@pytest.fixture(scope="module")
def online_module(tmp_path_factory: pytest.TempPathFactory):
    text = adxform.transform(ONLINE, "reverse", filename="online.py", instrument=True)
    return load_module_from_text(text, tmp_path_factory.mktemp("online") / "online_vjp.py")


def test_while_loop_is_checkpointed_within_the_snapshots(online_module) -> None:
    a, x0 = 2.5, 7.0
    grad, stats = _stats(online_module, "newton", a, x0)
    exact = (1.0 / 3.0) * a ** (-2.0 / 3.0)  # d cbrt(a) / da at convergence
    assert grad[0] == pytest.approx(exact, rel=1e-9)
    length = stats["iterations"]
    assert length > 5 and stats["recorded"] == length and stats["peak_snapshots"] <= 3
    assert stats["advances"] == length + revolve_optimum(length, 3)  # the counting run, then the optimum


def test_for_loop_with_data_dependent_break(online_module) -> None:
    x, r, limit = np.array([0.2, 0.7]), 2.65, 30.0
    grad, stats = _stats(online_module, "orbit", x.copy(), r, limit)
    assert 50 < stats["iterations"] < 10000 and stats["peak_snapshots"] <= 2
    assert stats["advances"] == stats["iterations"] + revolve_optimum(stats["iterations"], 2)
    h = 1e-6
    fd_r = (online_module.orbit(x, r + h, limit) - online_module.orbit(x, r - h, limit)) / (2 * h)
    assert grad[1] == pytest.approx(fd_r, rel=1e-6)
    e = np.array([0.0, 1.0])
    fd_x1 = (online_module.orbit(x + h * e, r, limit) - online_module.orbit(x - h * e, r, limit)) / (2 * h)
    assert grad[0][1] == pytest.approx(fd_x1, rel=1e-6)


# -- nesting ----------------------------------------------------------------------------------

NESTED = '''
import math

import numpy as np


def _relax(u: np.ndarray, c: float, nsteps: int) -> None:
    n = u.shape[0]
    # adxform: checkpoint(snapshots=2)
    for step in range(nsteps):
        for i in range(n):
            u[i] = u[i] + c * math.sin(u[(i + 1) % n])


def outer(u0: np.ndarray, c: float, m: int) -> float:
    u = u0.copy()
    s = 0.0
    for j in range(m):
        _relax(u, c, 6)
        s = s + u[0] * u[-1]
    return s
'''


def test_checkpointed_loop_in_a_callee_called_from_a_loop(tmp_path: Path) -> None:
    text = adxform.transform(NESTED, "reverse", filename="nested.py", instrument=True)
    module = load_module_from_text(text, tmp_path / "nested_vjp.py")
    plain = load_module_from_text(adxform.transform(NESTED.replace("# adxform: checkpoint(snapshots=2)", ""),
                                                    "reverse", filename="nested.py"), tmp_path / "nested_plain.py")
    u0 = np.array([0.1, 0.4, -0.3, 0.2])
    module.adxform_stats_reset()
    grad = module.outer_grad(u0.copy(), 0.1, 3)
    stats = module.adxform_stats()["_relax:10"]
    # the caller's forward sweep runs the primal _relax; each _relax_rev reverses its loop once
    assert stats["recorded"] == 3 * 6 and stats["peak_snapshots"] <= 2
    assert stats["advances"] == 3 * revolve_optimum(6, 2)
    expected = plain.outer_grad(u0.copy(), 0.1, 3)
    np.testing.assert_allclose(grad[0], expected[0], rtol=1e-12)
    assert grad[1] == pytest.approx(expected[1], rel=1e-12)


@pytest.mark.parametrize("jit", ["numba", "none"])
@pytest.mark.parametrize("registered", [False, True])
def test_counts_do_not_depend_on_the_module_name(jit: str, registered: bool, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A module loaded by ``spec_from_file_location`` and ``exec_module``,
    in ``sys.modules`` under another name or not at all (pytest's importlib
    mode, plugin loaders), counts as one imported normally: the counts reach
    a checkpointed loop in a callee through the ``_rev`` functions."""
    path = tmp_path / f"nested_{jit}_vjp.py"
    path.write_text(adxform.transform(NESTED, "reverse", filename="nested.py", instrument=True, jit=jit))
    spec = importlib.util.spec_from_file_location(f"some.other.name_{jit}", path)
    module = importlib.util.module_from_spec(spec)
    if registered:
        monkeypatch.setitem(sys.modules, spec.name, module)
    spec.loader.exec_module(module)
    module.adxform_stats_reset()
    module.outer_grad(np.array([0.1, 0.4, -0.3, 0.2]), 0.1, 3)
    stats = module.adxform_stats()["_relax:10"]
    assert (stats["iterations"], stats["recorded"]) == (18, 18)
    assert stats["advances"] == 3 * revolve_optimum(6, 2)


def test_instrumented_wrappers_are_python_and_pass_the_counts() -> None:
    """Compiled code cannot write into a module-level array (numba freezes
    it): the public wrappers are plain Python and pass it to ``_rev``."""
    text = adxform.transform(NESTED, "reverse", filename="nested.py", instrument=True)
    assert "objmode" not in text
    for wrapper in ("outer_vjp", "outer_grad", "outer_value_and_grad"):
        assert f"\ndef {wrapper}(" in text and f"@numba.njit(cache=True)\ndef {wrapper}(" not in text
    assert "outer_rev(u0, c, m, y_bar, u0_bar, _CHECKPOINT_COUNTS)" in text
    assert "@numba.njit(cache=True)\ndef outer_rev(u0, c, m, y_bar, u0_bar, checkpoint_counts):" in text


# -- what the flag and the directive change in the text ------------------------------------------

def test_no_counting_code_without_instrument() -> None:
    text = adxform.transform(NESTED, "reverse", filename="nested.py")
    for word in ("adxform_stats", "_count_checkpoints", "n_advanced", "n_recorded", "n_held", "objmode"):
        assert word not in text
    assert "_revolve_next" in text


def test_bare_directive_takes_snapshots_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "model.py"
    src.write_text(NESTED.replace("checkpoint(snapshots=2)", "checkpoint"))
    assert main(["reverse", str(src), "-o", "-", "--snapshots", "7"]) == 0
    out = capsys.readouterr().out
    assert "_revolve_plan(n_iter, 7)" in out and "--snapshots 7" in out.splitlines()[2]
    assert main(["reverse", str(src), "-o", "-"]) == 0
    assert "_revolve_plan(n_iter, 20)" in capsys.readouterr().out  # the default
    assert main(["reverse", str(src), "-o", "-", "--snapshots", "0"]) == 2
    assert "positive integer" in capsys.readouterr().err


def test_forward_mode_ignores_the_directive() -> None:
    text = adxform.transform(NESTED, "forward", filename="nested.py")
    assert "_revolve" not in text


@pytest.mark.parametrize("source, line, col, words", [
    pytest.param("def f(x: float, n: int) -> float:\n    for j in range(n):\n        # adxform: checkpoint\n"
                 "        for i in range(n):\n            x = x * 1.5\n    return x\n", 4, 9, "inside another loop",
                 id="inside-another-loop"),
    pytest.param("import numpy as np\n\n\ndef f(x: float, n: int) -> float:\n    # adxform: checkpoint\n"
                 "    for i in range(n):\n        a = np.zeros(3)\n        a[0] = x\n        x = x * a[0]\n"
                 "    return x * a[0]\n", 6, 5, "creates the array 'a'", id="array-created-in-the-body"),
    pytest.param("def f(x: float, n: int) -> float:\n    # adxform: checkpoint\n    for i in range(n):\n"
                 "        x = x * 1.5\n        n = n - 1\n    return x\n", 3, 5, "bounds", id="bounds-changed"),
    # the message names what the user wrote, not the variable the returns are lowered to
    pytest.param("import numpy as np\n\n\ndef f(x: float, n: int) -> np.ndarray:\n    # adxform: checkpoint\n"
                 "    for i in range(n):\n        x = x * 1.5\n        if x > 2.0:\n            return np.ones(3) * x\n"
                 "    return np.ones(3) * x\n", 6, 5, "returns an array from inside it", id="array-returned-inside"),
])
def test_unsupported_checkpointed_loops_are_diagnosed(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                       source: str, line: int, col: int, words: str) -> None:
    src = tmp_path / "model.py"
    src.write_text(source)
    out = tmp_path / "model_vjp.py"
    assert main(["reverse", str(src), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"model.py:{line}:{col}: error:" in err and words in err and "[unsupported-checkpoint]" in err
    assert not out.exists()


# -- the driver alone, on the whole grid -------------------------------------------------------

def _simulator(module):
    """A compiled walk through the schedule of the generated driver that
    tracks which iteration the state stands at and checks every action."""
    import numba

    revolve_plan, revolve_next = module._revolve_plan, module._revolve_next
    codes = (module._TERMINATE, module._ADVANCE, module._TAKESHOT, module._RESTORE, module._FIRSTURN, module._YOUTURN)

    @numba.njit
    def simulate(length, snapshots):
        terminate, advance, takeshot, restore, firsturn, youturn = codes
        plan = revolve_plan(length, snapshots)
        held = np.full(max(snapshots, 1), -1)
        at, advances, recorded, peak, expected = 0, 0, 0, 0, length - 1
        while True:
            action, lo, hi = revolve_next(plan)
            if action == terminate:
                return advances, recorded, peak, expected == -1
            if action == advance:
                if lo != at or hi <= lo:
                    return -1, 0, 0, False
                advances += hi - lo
                at = hi
            elif action == takeshot:
                held[lo] = at
                peak = max(peak, lo + 1)
            elif action == restore:
                at = held[lo]
            else:  # a turn must record the last iteration not yet reversed, from its own state
                if lo != at or lo != expected or (action == firsturn) != (recorded == 0):
                    return -2, 0, 0, False
                recorded += 1
                expected -= 1
                at = -1  # the adjoint leaves the state undefined until a restore

    return simulate


def test_driver_is_the_revolve_optimum_on_the_whole_grid(grid_module) -> None:
    simulate = _simulator(grid_module)
    for snapshots in range(1, 41):
        top = 300 if snapshots == 1 else 2000  # one snapshot costs l^2 / 2 advances
        for length in range(0, top + 1):
            advances, recorded, peak, in_order = simulate(length, snapshots)
            assert (advances, recorded, in_order) == (revolve_optimum(length, snapshots), length, True), \
                (length, snapshots)
            assert peak <= snapshots
