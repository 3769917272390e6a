"""A loop that runs past its ``bound(trips=N)`` in a thread: the adjoint
kernel stops taping it (its tape has room for N trips) and the adjoints that
thread adds into become NaN, never a silently wrong gradient.  The other
threads' adjoints stay right, and the primal's outputs too."""

import numpy as np
import pytest

from . import features
from .cases import FEATURE_CASES
from .harness import Harness

CASES = {case.name: case for case in FEATURE_CASES}
# (kernel, its arguments but x, the threads past a bound: x is 1e200 there, or None: all of them)
RUNS = [
    ("capped", [3], [4, 33, 70]),  # the while loop: about ten square roots from 1e200 to under 1.5, bound 8
    ("capped", [6], None),  # range(steps) under bound(trips=4)
    ("capped", [3], []),
    ("nested", [], [0, 41, 95]),  # the while loop inside range(3), its first run past the bound
    ("nested", [], []),
]


def _harness(generated, name, x, rest):
    modules = generated["features"]
    return Harness(CASES[name], features, modules["forward"], modules["reverse"], [x] + rest + [np.zeros_like(x)])


@pytest.mark.parametrize("name, rest, huge", RUNS, ids=[f"{r[0]}-{k}" for k, r in enumerate(RUNS)])
def test_a_thread_past_its_bound_gets_nan_adjoints_and_the_others_stay_right(name, rest, huge, generated):
    x = np.random.default_rng(5).uniform(-3.0, 3.0, 96)
    overrun = np.ones(x.size, bool) if huge is None else np.isin(np.arange(x.size), huge)
    x[huge or []] = 1e200
    harness = _harness(generated, name, x, rest)
    # the kernel is elementwise: the diagonal of its Jacobian, from the tangent kernel
    diagonal = harness.jvp([np.ones_like(x), np.zeros_like(x)])[x.size:]
    x_bar, out_bar = harness.vjp(np.concatenate([np.zeros_like(x), np.ones_like(x)]))
    assert np.isnan(x_bar[overrun]).all() and np.isfinite(x_bar[~overrun]).all()
    assert np.allclose(x_bar[~overrun], diagonal[~overrun], rtol=1e-13, atol=1e-13)
    assert np.array_equal(out_bar, np.zeros_like(x))  # out is overwritten: its old value has no adjoint


@pytest.mark.parametrize("name, rest", [("capped", [6]), ("nested", [])])
def test_the_adjoint_kernel_past_its_bound_still_computes_the_primal(name, rest, generated):
    x = np.random.default_rng(6).uniform(-3.0, 3.0, 64)
    x[[0, 9]] = 1e200
    harness = _harness(generated, name, x, rest)
    expected = harness.primal()[x.size:]
    out = np.zeros_like(x)
    harness.k_vjp[harness.grid](x, *rest, out, np.zeros_like(x), np.ones_like(x))
    assert np.array_equal(out, expected)
