"""``--wrt`` on kernels: tangents and adjoints for the named parameters and
for the arrays the kernel writes (they carry the derivative of what it
leaves there), none for the others; checked like the corpus (finite
differences, dot-product test) on the narrowed kernels."""

import inspect

import numpy as np
import pytest

from . import kernels
from .cases import CASES
from .conftest import generate
from .harness import Harness
from .test_kernels import assert_derivatives

CASE = {case.name: case for case in CASES}
NARROWED = [  # (kernel, --wrt, the parameters differentiated)
    ("scale_sin", ["a"], ["a", "b"]),  # the scalar s is left out
    ("stencil3", ["c"], ["c", "out"]),  # the array u is left out
    ("euler", ["k", "dt"], ["k", "dt", "x"]),  # x0 is left out, the device function keeps all its parameters
    ("dot", ["y"], ["y", "out"]),
]


@pytest.mark.parametrize("name, wrt, derived", NARROWED, ids=[n for n, _, _ in NARROWED])
def test_kernels_narrowed_by_wrt(name, wrt, derived, simulator, tmp_path):
    modules = generate(tmp_path, "kernels", functions=[name], wrt=wrt)
    rng = np.random.default_rng(11)
    harness = Harness(CASE[name], kernels, modules["forward"], modules["reverse"], CASE[name].args(rng, 100))
    assert harness.derived == derived
    params = list(inspect.signature(getattr(kernels, name).py_func).parameters)
    tangents = list(inspect.signature(getattr(modules["forward"], f"{name}_jvp").py_func).parameters)[len(params):]
    assert tangents == [f"{p}_dot" for p in derived]
    assert_derivatives(harness, rng)
