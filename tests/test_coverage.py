"""Work arrays a callee fills before reading them are not saved around the
call in reverse mode, but for what the fill leaves (analysis/coverage.py,
analysis/extents.py, reverse/callees.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import adxform
from adxform import ir
from adxform.analysis.coverage import covered_extents
from adxform.analysis.extents import LeadingExtents
from adxform.diagnostics import Reporter
from adxform.emit.printer import ExprPrinter
from adxform.parse import parse_module
from helpers import load_module_from_text

FILL = """def fill(x, out):
    n = x.shape[0]
    for i in range(n):
        out[i] = 2.0 * x[i]
"""


def _covers(source: str, name: str = "f", callees: dict | None = None) -> dict[str, str]:
    reporter = Reporter("m.py", source)
    module = parse_module("import numpy as np\n\n\n" + source, "m.py", reporter)
    funcs = module.functions
    known = {}
    for callee in callees or []:
        params = [p.name for p in funcs[callee].params]
        known["module." + callee] = (params, covered_extents(funcs[callee].body, params, known))
    func = funcs[name]
    found = covered_extents(func.body, [p.name for p in func.params], known)
    return {k: ExprPrinter().text(v) for k, v in found.items()}


def test_a_loop_over_a_named_extent_covers_it() -> None:
    assert _covers(FILL, "fill") == {"out": "x.shape[0]"}


@pytest.mark.parametrize("body", [
    "for i in range(n):\n        out[i] = out[i] + x[i]",  # reads what out held
    "for i in range(1, n):\n        out[i] = x[i]",  # leaves out[0]
    "for i in range(n):\n        if x[i] > 0.0:\n            out[i] = x[i]",  # not on every iteration
    "for i in range(n):\n        out[i] = x[i]\n        if x[i] > 1.0:\n            break",  # may stop early
    "s = out[0]\n    for i in range(n):\n        out[i] = s * x[i]",  # read first
    "for i in range(n + 1):\n        out[i] = x[0]",  # an extent that is not a shape
])
def test_what_does_not_cover(body: str) -> None:
    assert _covers(f"def f(x, out):\n    n = x.shape[0]\n    {body}\n", "f") == {}


def test_a_call_covers_what_its_callee_covers_in_the_callers_terms() -> None:
    source = FILL + "\n\ndef f(u, k, w):\n    fill(u, k)\n    fill(k, w)\n    w[0] = k[0]\n"
    assert _covers(source, "f", ["fill"]) == {"k": "u.shape[0]", "w": "k.shape[0]"}


def test_an_array_passed_twice_is_not_covered() -> None:
    source = FILL + "\n\ndef f(k):\n    fill(k, k)\n"
    assert _covers(source, "f", ["fill"]) == {}


def _extents(source: str) -> LeadingExtents:
    reporter = Reporter("m.py", source)
    (func,) = parse_module("import numpy as np\n\n\n" + source, "m.py", reporter).functions.values()
    return LeadingExtents(func.body, [p.name for p in func.params])


def _tail(array: str, extent: str) -> ir.Expr:
    """``array[extent.shape[0]:]``"""
    return ir.Subscript(ir.Name(array), [ir.Slice(
        ir.Subscript(ir.Attribute(ir.Name(extent), "shape"), [ir.Const(0)]), None, None)])


def test_arrays_made_from_one_extent_share_it() -> None:
    extents = _extents("def f(x0, m):\n    n = x0.shape[0]\n    x = x0.copy()\n    k = np.zeros(n)\n"
                       "    w = np.zeros((len(x0), 3))\n    v = np.zeros(m)\n    u = np.zeros(n + 1)\n"
                       "    for t in range(2):\n        z = np.zeros(n)\n")
    assert extents.empty_tail(_tail("k", "x")) and extents.empty_tail(_tail("w", "k"))
    assert extents.empty_tail(_tail("x0", "x"))
    assert not extents.empty_tail(_tail("v", "x"))  # another extent
    assert not extents.empty_tail(_tail("u", "x"))  # n + 1 is not followed
    assert not extents.empty_tail(_tail("z", "x"))  # bound in a loop: its shape may change


LONGER_WORK_ARRAY = """import math

import numpy as np


def _fill_and_mix(x, out):
    n = x.shape[0]
    for i in range(n):
        out[i] = math.sin(x[i]) * x[i]
    out[0] = out[0] * out[-1]


def f(x):
    # k is one longer than x: _fill_and_mix leaves k[-1], which it reads, and which f writes
    n = x.shape[0]
    k = np.ones(n + 1)
    s = 0.0
    for t in range(3):
        _fill_and_mix(x, k)
        k[n] = k[0] + x[t]
        s += np.sum(k)
    return s
"""


def _check_gradient(source: str, args: list, jit: str, tmp_path: Path) -> str:
    """The reverse module of ``f`` in ``source``; its value and gradient
    (with respect to the first argument) match the primal and central
    differences."""
    text = adxform.transform(source, "reverse", filename="m.py", jit=jit)
    module = load_module_from_text(text, tmp_path / f"m_rev_{jit}.py")
    namespace: dict = {}
    exec(source, namespace)

    def primal(x: np.ndarray) -> float:
        return namespace["f"](x.copy(), *args[1:])

    x = args[0]
    value, grad = module.f_value_and_grad(*args)[:2]
    assert value == pytest.approx(primal(x), rel=1e-12)
    step = 1e-6
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = step
        assert grad[i] == pytest.approx((primal(x + e) - primal(x - e)) / (2 * step), rel=1e-6, abs=1e-8)
    return text[text.index("def f_rev"):]


@pytest.mark.parametrize("jit", ["none", "numba"])
def test_the_tail_a_callee_does_not_fill_is_saved(tmp_path: Path, jit: str) -> None:
    rev = _check_gradient(LONGER_WORK_ARRAY, [np.array([0.3, -0.7, 1.1, 0.4])], jit, tmp_path)
    assert "_tape_push_array(ftape, ftop, k[x.shape[0]:])" in rev  # only the tail


CALLERS_EXTENT = "import numpy as np\n\n\n" + FILL.replace("2.0 * x[i]", "x[i] * x[i]") + """

def f(x0, nsteps):
    n = x0.shape[0]
    x = x0.copy()
    k = np.zeros(n)
    for s in range(nsteps):
        fill(x, k)
        for i in range(n):
            x[i] = x[i] + 0.1 * k[i]
    return np.sum(x)
"""


@pytest.mark.parametrize("jit", ["none", "numba"])
def test_work_arrays_of_the_callers_extent_are_not_saved(tmp_path: Path, jit: str) -> None:
    rev = _check_gradient(CALLERS_EXTENT, [np.array([0.3, -0.7, 1.1, 0.4]), 3], jit, tmp_path)
    assert "fill_rev(x, k, x_bar, k_bar)" in rev and "_tape_push_array(ftape, ftop, k" not in rev
