"""``--target cuda``: the batched gradient kernel ``f_grad_batch[grid](X,
out)`` of two corpus functions, row by row against their CPU ``f_grad``."""

import numpy as np
import pytest

import adxform
from adxform.testing import import_path

from .batch import BATCHED, rows


@pytest.mark.parametrize("path, name, make_row, whole_row", BATCHED, ids=[b[1] for b in BATCHED])
def test_batched_gradient_matches_the_cpu_gradient_row_by_row(path, name, make_row, whole_row, simulator, tmp_path):
    source = path.read_text()
    gpu_path, cpu_path = tmp_path / f"{name}_cuda.py", tmp_path / f"{name}_cpu.py"
    gpu_path.write_text(adxform.transform(source, "reverse", filename=path.name, functions=[name], target="cuda"))
    cpu_path.write_text(adxform.transform(source, "reverse", filename=path.name, functions=[name], jit="none"))
    gpu, cpu = import_path(gpu_path), import_path(cpu_path)
    X = rows(make_row, 37, np.random.default_rng(3))
    out = np.full_like(X, np.nan)
    getattr(gpu, f"{name}_grad_batch")[(X.shape[0] + 15) // 16, 16](X, out)
    for x, gradient in zip(X, out):
        expected = np.array(getattr(cpu, f"{name}_grad")(*([x] if whole_row else x)))
        assert np.allclose(gradient, expected, rtol=1e-13, atol=1e-13), (x, gradient, expected)


def test_a_batched_gradient_narrowed_by_wrt_has_a_column_per_parameter_named(simulator, tmp_path):
    path, name, make_row, _ = next(b for b in BATCHED if b[1] == "trig_mix")
    source = path.read_text()
    gpu_path, cpu_path = tmp_path / "narrowed_cuda.py", tmp_path / "narrowed_cpu.py"
    gpu_path.write_text(adxform.transform(source, "reverse", filename=path.name, functions=[name], wrt=["y"],
                                          target="cuda"))
    cpu_path.write_text(adxform.transform(source, "reverse", filename=path.name, functions=[name], wrt=["y"],
                                          jit="none"))
    gpu, cpu = import_path(gpu_path), import_path(cpu_path)
    X = rows(make_row, 21, np.random.default_rng(4))
    out = np.full((X.shape[0], 1), np.nan)
    getattr(gpu, f"{name}_grad_batch")[(X.shape[0] + 15) // 16, 16](X, out)
    expected = np.array([getattr(cpu, f"{name}_grad")(*x) for x in X])
    assert np.allclose(out[:, 0], expected, rtol=1e-13, atol=1e-13)
