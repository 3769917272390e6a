"""Each kernel of the GPU corpus in the CUDA simulator: the tangent kernel
against central finite differences, and the dot-product test between the
tangent and adjoint kernels."""

import numpy as np
import pytest

from . import kernels
from .cases import CASES
from .harness import Harness, inner


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_kernel_derivatives(case, generated):
    rng = np.random.default_rng(7)
    harness = Harness(case, kernels, generated["forward"], generated["reverse"], case.args(rng, 150))
    v = harness.direction(rng)
    h = 1e-6
    fd = (harness.primal(harness.shifted(v, h)) - harness.primal(harness.shifted(v, -h))) / (2 * h)
    tangent = harness.jvp(v)
    assert np.allclose(tangent, fd, rtol=1e-6, atol=1e-6 * np.abs(fd).max()), np.abs(tangent - fd).max()
    w = rng.standard_normal(tangent.size)
    left, right = float(tangent @ w), inner(v, harness.vjp(w))
    assert abs(left - right) <= 1e-10 * max(1.0, abs(left)), (left, right)
