"""The GPU tests: they run in a process of their own, under the CUDA
simulator, started by ``tests/test_gpu.py`` (``NUMBA_ENABLE_CUDASIM=1`` must
be set before numba is imported)."""

import os
from pathlib import Path

import pytest

import adxform
from adxform.testing import import_path

HERE = Path(__file__).parent


@pytest.fixture(scope="session")
def simulator():
    if os.environ.get("NUMBA_ENABLE_CUDASIM") != "1":
        pytest.skip("the GPU tests run under the CUDA simulator (tests/test_gpu.py starts them)")


@pytest.fixture(scope="session")
def generated(simulator, tmp_path_factory):
    """The forward and reverse modules of the GPU corpus and of features.py, by source name."""
    folder = tmp_path_factory.mktemp("gpu")
    return {name: generate(folder, name) for name in ("kernels", "features")}


def generate(folder: Path, name: str = "kernels", **options) -> dict:
    """The forward and reverse modules of ``tests/gpu/<name>.py``, imported;
    ``options`` go to ``adxform.transform`` (``functions``, ``wrt``)."""
    source = (HERE / f"{name}.py").read_text()
    modules = {}
    for mode in ("forward", "reverse"):
        path = folder / f"{name}_{mode}.py"
        path.write_text(adxform.transform(source, mode, filename=f"{name}.py", **options))
        modules[mode] = import_path(path)
    return modules
