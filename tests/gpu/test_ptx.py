"""Every generated kernel of the GPU corpus compiles to PTX for compute
capability 9.0, with numba-cuda's NVVM and no GPU or driver (run without
the simulator by ``tests/test_gpu.py``)."""

import inspect
import os

import numpy as np
import pytest

from . import features, kernels
from .batch import BATCHED
from .cases import CASES, FEATURE_CASES
from .harness import differentiable
from .test_wrt import NARROWED


def _numba_type(value):
    from numba import float64, typeof

    return typeof(value) if isinstance(value, (np.ndarray, int)) else float64


SOURCES = [(case, kernels) for case in CASES] + [(case, features) for case in FEATURE_CASES]


@pytest.mark.parametrize("case, source", SOURCES, ids=[case.name for case, _ in SOURCES])
def test_compiles_to_ptx(case, source, generated_for_ptx):
    modules = generated_for_ptx[source.__name__.rsplit(".", 1)[1]]
    _compile(case, source, modules)


@pytest.mark.parametrize("name, wrt, derived", NARROWED, ids=[n for n, _, _ in NARROWED])
def test_kernels_narrowed_by_wrt_compile_to_ptx(name, wrt, derived, generated_for_ptx, tmp_path):
    from .conftest import generate

    case = next(c for c in CASES if c.name == name)
    _compile(case, kernels, generate(tmp_path, "kernels", functions=[name], wrt=wrt))


def _compile(case, source, modules) -> None:
    """The kernel, its tangent and its adjoint kernels, to PTX for cc 9.0;
    the derivative kernels take a tangent and an adjoint for each argument
    their signature names (``x_bar`` for ``x``)."""
    from numba import void
    from numba.cuda import compile_ptx

    args = case.args(np.random.default_rng(0), 64)
    kernel = getattr(source, case.name)
    params = list(inspect.signature(kernel.py_func).parameters)
    k_jvp, k_vjp = getattr(modules["forward"], case.name + "_jvp"), getattr(modules["reverse"], case.name + "_vjp")
    derived = set(inspect.signature(k_vjp.py_func).parameters)
    diff = [a for a, name in zip(args, params) if differentiable(a) and f"{name}_bar" in derived]
    primal = [_numba_type(a) for a in args]
    tangents = [_numba_type(a) for a in diff]
    adjoints = [_numba_type(a if isinstance(a, np.ndarray) else np.zeros(1)) for a in diff]
    for compiled, types in [(kernel, primal), (k_jvp, primal + tangents), (k_vjp, primal + adjoints)]:
        ptx, _ = compile_ptx(compiled.py_func, void(*types), cc=(9, 0))
        assert ".target sm_90" in ptx and ".entry" in ptx, compiled.py_func.__name__


class _Hopper:
    """Stands for the current device, which numba-cuda asks for its compute
    capability when it compiles a device function that a kernel calls;
    there is none here."""

    compute_capability = (9, 0)


@pytest.fixture(scope="module")
def generated_for_ptx(tmp_path_factory):
    if os.environ.get("NUMBA_ENABLE_CUDASIM") == "1":
        pytest.skip("PTX is compiled without the simulator (tests/test_gpu.py starts this)")
    from numba.cuda import dispatcher

    from .conftest import generate

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(dispatcher, "get_current_device", _Hopper)
        folder = tmp_path_factory.mktemp("ptx")
        yield {name: generate(folder, name) for name in ("kernels", "features")}


@pytest.mark.parametrize("path, name, make_row, whole_row", BATCHED, ids=[b[1] for b in BATCHED])
def test_batched_gradient_compiles_to_ptx(path, name, make_row, whole_row, generated_for_ptx, tmp_path):
    from numba import float64, void
    from numba.cuda import compile_ptx

    import adxform

    from adxform.testing import import_path

    module_path = tmp_path / f"{name}_batch.py"
    module_path.write_text(adxform.transform(path.read_text(), "reverse", filename=path.name, functions=[name],
                                             target="cuda"))
    kernel = getattr(import_path(module_path), f"{name}_grad_batch")
    ptx, _ = compile_ptx(kernel.py_func, void(float64[:, :], float64[:, :]), cc=(9, 0))
    assert ".target sm_90" in ptx and ".entry" in ptx
