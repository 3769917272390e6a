"""GPU kernels: the generated code's atomic-or-store decisions, checked here
on the text; the simulator tests and the PTX compilation of ``tests/gpu/``
each in a process of their own (the simulator must be chosen before numba
is imported, and the PTX compiler must not have it)."""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

import adxform

ROOT = Path(__file__).resolve().parents[1]
KERNELS = (ROOT / "tests" / "gpu" / "kernels.py").read_text()
HAS_NUMBA_CUDA = importlib.util.find_spec("numba_cuda") is not None
needs_gpu_extra = pytest.mark.skipif(not HAS_NUMBA_CUDA, reason="the gpu extra is not installed "
                                                                 "(pip install -e '.[gpu]')")


def _function(text: str, name: str) -> str:
    start = text.index(f"def {name}(")
    end = text.find("\n\n\n", start)
    return text[start:end if end != -1 else None]


def test_atomic_where_threads_share_an_element_and_plain_where_the_index_is_the_threads_own():
    text = adxform.transform(KERNELS, "reverse", filename="kernels.py")
    stencil = _function(text, "stencil3_vjp")
    assert "cuda.atomic.add(u_bar, i - 1, c * seed)" in stencil
    assert "cuda.atomic.add(u_bar, i + 1, c * seed)" in stencil
    assert "# cuda.atomic.add: other threads may add into the same element: u is accessed as" in stencil
    assert "out_bar[i] = 0.0" in stencil  # the thread's own output element
    dot = _function(text, "dot_vjp")
    assert "x_bar[i] += y[i] * out_bar[0]" in dot
    assert "# plain +=: i = cuda.grid(1) is this thread's own element, and x is accessed nowhere else" in dot
    assert "cuda.atomic.add(x_bar" not in dot
    grid2 = _function(text, "stencil2d_vjp")
    assert "cuda.atomic.add(u_bar, (i - 1, j), 0.25 * seed)" in grid2
    euler = _function(text, "euler_vjp")
    assert "k_bar[i] += " in euler and "cuda.atomic.add(k_bar" not in euler
    assert "cuda.local.array(200, numba.float64)" in euler  # v and rate_val, 100 steps
    # a scalar's adjoint: every thread's part added up in the block, the block's sum added once
    assert "cuda.atomic.add(block_sums, 0, dt_bar_thread)" in euler and "cuda.atomic.add(dt_bar, 0, block_sums[0])" \
        in euler
    block = _function(text, "block_sumsq_vjp")
    assert "cuda.atomic.add(s_bar, tid + stride, s_bar[tid] + past_bound)" in block  # another thread's element
    assert block.count("cuda.syncthreads()") == 5  # two in the primal, their two adjoints, the zeroed s_bar


def test_a_2d_shared_array_at_the_threads_own_element_is_a_plain_store_and_a_column_shared_is_atomic():
    source = ("from numba import cuda, float64\n\n\n@cuda.jit\ndef squares(u, out):\n"
              "    t = cuda.shared.array((8, 8), float64)\n    tx = cuda.threadIdx.x\n    ty = cuda.threadIdx.y\n"
              "    i, j = cuda.grid(2)\n    t[ty, tx] = u[i, j] * u[i, j]\n    cuda.syncthreads()\n"
              "    out[i, j] = 2.0 * t[ty, tx]\n\n\n@cuda.jit\ndef rows(u, out):\n"
              "    s = cuda.shared.array(8, float64)\n    tx = cuda.threadIdx.x\n    i, j = cuda.grid(2)\n"
              "    if cuda.threadIdx.y == 0:\n        s[tx] = u[i, j]\n    cuda.syncthreads()\n"
              "    out[i, j] = 3.0 * s[tx]\n")
    text = adxform.transform(source, "reverse", filename="tiles.py")
    squares = _function(text, "squares_vjp")
    assert "# plain +=: tx, ty = cuda.threadIdx.x, cuda.threadIdx.y is this thread's own element" in squares
    assert "t_bar[ty, tx] += 2.0 * seed" in squares
    assert "t_bar[k // t_bar.shape[1], k % t_bar.shape[1]] = 0.0" in squares
    rows = _function(text, "rows_vjp")  # s[tx] is shared by the threads of a column of a 2-D block
    assert "cuda.atomic.add(s_bar, tx, 3.0 * seed)" in rows


def test_an_early_return_becomes_the_guard_it_stands_for_in_both_modes():
    features = (ROOT / "tests" / "gpu" / "features.py").read_text()
    for mode, suffix in (("forward", "jvp"), ("reverse", "vjp")):
        guarded = _function(adxform.transform(features, mode, filename="features.py"), f"guarded_{suffix}")
        assert "    if i < x.size and i != 0:  # features.py:" in guarded  # int tests: the opposite comparison
        assert "        if not v > 2.0:  # features.py:" in guarded  # a float test: `not`, right for NaN too
        assert "return" not in guarded


def test_returns_at_the_end_of_elif_and_else_branches_leave_the_rest_to_the_other_branches():
    source = ("from numba import cuda\n\n\n@cuda.jit\ndef k(x, out):\n    i = cuda.grid(1)\n"
              "    if i >= x.size:\n        return\n    elif i == 0:\n        out[i] = x[i]\n        return\n"
              "    if x[i] > 0.0:\n        out[i] = 2.0 * x[i]\n        return\n    else:\n"
              "        out[i] = 3.0 * x[i]\n        return\n    out[i] = 5.0\n")
    body = _function(adxform.transform(source, "forward", filename="ret.py"), "k_jvp").split('"""')[2]
    assert [line.split("  #")[0].strip() for line in body.strip().splitlines() if "_dot" not in line] == [
        "i = cuda.grid(1)", "if i < x.size:", "if i == 0:", "out[i] = x[i]", "elif x[i] > 0.0:",
        "out[i] = 2.0 * x[i]", "else:", "out[i] = 3.0 * x[i]"]  # out[i] = 5.0 is never reached


def test_a_kernel_that_reads_what_it_writes_is_refused():
    source = ("from numba import cuda\n\n\n@cuda.jit\ndef shift(u):\n    i = cuda.grid(1)\n"
              "    if i < u.size - 1:\n        u[i] = u[i + 1] * u[i + 1]\n")
    with pytest.raises(adxform.DiagnosticError) as err:
        adxform.transform(source, "reverse", filename="shift.py")
    assert "[unsupported-gpu]" in str(err.value) and "shift.py:8:" in str(err.value)


def test_a_while_loop_that_overwrites_needs_a_bound_on_its_trips():
    source = ("import math\nfrom numba import cuda\n\n\n@cuda.jit\ndef halve(u, out):\n    i = cuda.grid(1)\n"
              "    if i < u.size:\n        v = u[i]\n        while v > 1.0:\n            v = math.sqrt(v) * 0.9\n"
              "        out[i] = v\n")
    with pytest.raises(adxform.DiagnosticError) as err:
        adxform.transform(source, "reverse", filename="halve.py")
    assert "halve.py:11:13: error: overwriting 'v' in a loop of unknown length" in str(err.value)
    bounded = source.replace("        while", "        # adxform: bound(trips=64)\n        while")
    assert "cuda.local.array(64, numba.float64)" in adxform.transform(bounded, "reverse", filename="halve.py")


def test_a_bound_smaller_than_a_loops_constant_length_is_refused():
    source = ("import math\nfrom numba import cuda\n\n\n@cuda.jit\ndef steps(u, out):\n    i = cuda.grid(1)\n"
              "    if i < u.size:\n        v = u[i]\n        # adxform: bound(trips=16)\n"
              "        for k in range(20):\n            v = math.sin(v)\n        out[i] = v\n")
    with pytest.raises(adxform.DiagnosticError) as err:
        adxform.transform(source, "reverse", filename="steps.py")
    assert "steps.py:10:" in str(err.value) and "a bound(trips=16) on a loop of 20 trips" in str(err.value)
    assert "cuda.local.array(20, numba.float64)" in adxform.transform(source.replace("16", "20"), "reverse",
                                                                       filename="steps.py")


def test_wrt_naming_an_int_parameter_of_a_kernel_is_refused():
    source = ("from numba import cuda\n\n\n@cuda.jit\ndef scale(x, n: int, out):\n    i = cuda.grid(1)\n"
              "    if i < n:\n        out[i] = 2.0 * x[i]\n")
    with pytest.raises(adxform.UsageError, match="--wrt names 'n', which is not a float or float-array parameter "
                                                 "of 'scale'"):
        adxform.transform(source, "reverse", filename="scale.py", wrt=["n"])
    with pytest.raises(adxform.UsageError, match="--wrt names no float parameter"):
        adxform.transform(source, "reverse", filename="scale.py", wrt=["y"])


def test_wrt_leaving_out_a_parameter_the_kernel_assigns_is_refused():
    source = ("from numba import cuda\n\n\n@cuda.jit\ndef scale(x, s, out):\n    i = cuda.grid(1)\n"
              "    s = s * s\n    out[i] = s * x[i]\n")
    with pytest.raises(adxform.DiagnosticError) as err:
        adxform.transform(source, "forward", filename="scale.py", wrt=["x"])
    assert "scale.py:5:" in str(err.value) and "leaving out with --wrt the parameter 's', which the body assigns" \
        in str(err.value)
    assert "def scale_jvp(x, s, out, x_dot, s_dot, out_dot):" in adxform.transform(source, "forward",
                                                                                   filename="scale.py")


def test_wrt_narrows_a_device_function_asked_for_but_not_one_a_kernel_calls():
    alone = adxform.transform(KERNELS, "reverse", filename="kernels.py", functions=["rate"], wrt=["x"])
    assert "def rate_vjp(x, k, y_bar):" in alone and "return result, x_bar\n" in alone
    called = adxform.transform(KERNELS, "reverse", filename="kernels.py", functions=["rate", "euler"], wrt=["x"])
    assert "return result, x_bar, k_bar\n" in called and "def euler_vjp(x0, k, dt, x, x_bar):" in called


def _pytest(path: str, simulator: bool) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_ENABLE_CUDASIM"}
    if simulator:
        env["NUMBA_ENABLE_CUDASIM"] = "1"
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-n", "0", "-p", "no:cacheprovider", *path.split()],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


@needs_gpu_extra
def test_kernels_in_the_simulator():
    run = _pytest("tests/gpu/test_kernels.py tests/gpu/test_batch.py tests/gpu/test_bounds.py tests/gpu/test_wrt.py", simulator=True)
    assert run.returncode == 0 and " passed" in run.stdout and "skipped" not in run.stdout, run.stdout + run.stderr


@needs_gpu_extra
def test_kernels_compile_to_ptx():
    run = _pytest("tests/gpu/test_ptx.py", simulator=False)
    assert run.returncode == 0 and " passed" in run.stdout and "skipped" not in run.stdout, run.stdout + run.stderr
