"""Each kernel of the GPU corpus (and of features.py) in the CUDA simulator:
the tangent kernel against central finite differences, and the dot-product
test between the tangent and adjoint kernels."""

import numpy as np
import pytest

from . import features, kernels
from .cases import CASES, FEATURE_CASES
from .harness import Harness, inner

SOURCES = [(case, kernels) for case in CASES] + [(case, features) for case in FEATURE_CASES]


@pytest.mark.parametrize("case, source", SOURCES, ids=[case.name for case, _ in SOURCES])
def test_kernel_derivatives(case, source, generated):
    rng = np.random.default_rng(7)
    modules = generated[source.__name__.rsplit(".", 1)[1]]
    assert_derivatives(Harness(case, source, modules["forward"], modules["reverse"], case.args(rng, 150)), rng)


def assert_derivatives(harness: Harness, rng: np.random.Generator) -> None:
    """The tangent kernel against central finite differences, and the dot-product test."""
    v = harness.direction(rng)
    h = 1e-6
    fd = (harness.primal(harness.shifted(v, h)) - harness.primal(harness.shifted(v, -h))) / (2 * h)
    tangent = harness.jvp(v)
    assert np.allclose(tangent, fd, rtol=1e-6, atol=1e-6 * np.abs(fd).max()), np.abs(tangent - fd).max()
    w = rng.standard_normal(tangent.size)
    left, right = float(tangent @ w), inner(v, harness.vjp(w))
    assert abs(left - right) <= 1e-10 * max(1.0, abs(left)), (left, right)
