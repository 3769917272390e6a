"""A loop that runs past its ``bound(trips=N)`` in a thread: the adjoint
kernel stops taping it (its tape has room for N trips) and the adjoints that
thread adds into become NaN, never a silently wrong gradient.  The other
threads' adjoints stay right, and the primal's outputs too."""

import numpy as np
import pytest

from . import features
from .cases import FEATURE_CASES
from .harness import Harness

CAPPED = next(case for case in FEATURE_CASES if case.name == "capped")


def _harness(generated, x, steps):
    modules = generated["features"]
    return Harness(CAPPED, features, modules["forward"], modules["reverse"], [x, steps, np.zeros_like(x)])


@pytest.mark.parametrize("steps, huge", [(3, [4, 33, 70]), (6, []), (3, [])],
                         ids=["while-past-its-bound", "range-past-its-bound", "within-bounds"])
def test_a_thread_past_its_bound_gets_nan_adjoints_and_the_others_stay_right(steps, huge, generated):
    x = np.random.default_rng(5).uniform(-3.0, 3.0, 96)
    x[huge] = 1e200  # about ten square roots to fall under 1.5: past bound(trips=8)
    harness = _harness(generated, x, steps)
    overrun = np.zeros(x.size, bool)
    overrun[huge] = True
    overrun |= steps > 4  # range(steps) under bound(trips=4)
    # the kernel is elementwise: the diagonal of its Jacobian, from the tangent kernel
    diagonal = harness.jvp([np.ones_like(x), np.zeros_like(x)])[x.size:]
    x_bar, out_bar = harness.vjp(np.concatenate([np.zeros_like(x), np.ones_like(x)]))
    assert np.isnan(x_bar[overrun]).all() and np.isfinite(x_bar[~overrun]).all()
    assert np.allclose(x_bar[~overrun], diagonal[~overrun], rtol=1e-13, atol=1e-13)
    assert np.array_equal(out_bar, np.zeros_like(x))  # out is overwritten: its old value has no adjoint


def test_the_adjoint_kernel_past_its_bound_still_computes_the_primal(generated):
    x = np.random.default_rng(6).uniform(-3.0, 3.0, 64)
    x[[0, 9]] = 1e200
    harness = _harness(generated, x, 6)
    expected = harness.primal()[x.size:]
    out = np.zeros_like(x)
    harness.k_vjp[harness.grid](x, 6, out, np.zeros_like(x), np.ones_like(x))
    assert np.array_equal(out, expected)
