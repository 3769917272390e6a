"""Second order: ``adxform hvp`` (forward over reverse) and generated
modules fed back to ``adxform forward``.

For each function: ``f_hvp`` against central differences of the gradient
along ``v``; the symmetry ``<w, H v> == <v, H w>``; ``f_hessian`` against
the finite-difference Hessian, column by column.  The corpus cases run
with ``--jit none``; one module per kind of code is compiled by numba.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import adxform
from cli import main
from corpus_inputs import INPUTS
from helpers import (CORPUS_DIR, GOLDEN_DIR, assert_close, copy_args, directional_difference, dot, flatten,
                     function_defs, load_module_from_text, rng_for)

# (module, function): loops, branches, while, in-place arrays, @, calls, checkpointed loops, tapes
CASES = [
    ("loops", "sum_range"), ("loops", "while_newton_sqrt"), ("loops", "nested_break_continue"),
    ("loops", "early_return_loop"), ("control", "piecewise_three"), ("control", "nested_if"),
    ("control", "cond_expr"), ("combined", "matmul_frobenius"), ("combined", "gauss_seidel"),
    ("combined", "strided_while"), ("combined", "softmax_dot"), ("combined", "interp_search"),
    ("arrays", "upwind_steps"), ("arrays", "matvec_norm"), ("calls", "chain_a"), ("calls", "tuple_caller"),
    ("checkpointed", "heat_steps"),
    ("checkpoint", "trajectory_cost"), ("heat_slices", "heat_slices"), ("mlp", "mlp_loss"),
    ("newton", "cube_root"), ("models", "lstm_loss"), ("nbody", "energy"),
    ("unannotated", "rows_of_a_matrix_reduced"), ("unannotated", "row_beside_an_unused_element"),
    ("unannotated", "row_shown_where_reverse_mode_folds"), ("unannotated", "rows_of_a_transpose_reduced"),
    ("unannotated", "damped_by_a_scaled_product"), ("unannotated", "product_or_constant"),
]
RTOL = 1e-7  # against Richardson-extrapolated differences


def _source(module: str) -> Path:
    path = CORPUS_DIR / f"{module}.py"
    return path if path.exists() else GOLDEN_DIR / module / f"{module}.py"


def _hvp_module(module: str, jit: str, tmp: Path):
    path = _source(module)
    text = adxform.transform(path.read_text(), "hvp", filename=path.name, jit=jit)
    return load_module_from_text(text, tmp / f"{module}_{jit}_hvp.py")


def _differentiable(args: list) -> list[int]:
    return [i for i, a in enumerate(args) if isinstance(a, float) or isinstance(a, np.ndarray) and a.dtype.kind == "f"]


def _random_direction(rng, args, indices):
    return [rng.standard_normal(args[i].shape) if isinstance(args[i], np.ndarray) else float(rng.standard_normal())
            for i in indices]


def _gradient_difference(gradient, args, indices, direction):
    """The derivative of ``gradient(*args)`` along ``direction``: central
    differences, Richardson-extrapolated (``adxform.testing``)."""
    return directional_difference(gradient, args, indices, direction)[0]


def _gradient(mod, name):
    return lambda *args: getattr(mod, f"{name}_value_and_grad")(*args)[1]


def _hv(mod, name, args, direction):
    result = getattr(mod, f"{name}_hvp")(*copy_args(args), *copy_args(direction))
    k = len(direction)
    assert len(result) == 1 + 2 * k, f"f_hvp returns (value, {k} gradients, {k} products)"
    return [np.asarray(h, dtype=float) for h in result[1 + k:]], [np.asarray(g) for g in result[1:1 + k]]


def check_second_order(mod, module: str, name: str, hessian: bool = True) -> None:
    key = f"{module}.{name}"
    rng = rng_for("hvp " + key)
    args = list(INPUTS[key](rng_for(key)))
    indices = _differentiable(args)
    v = _random_direction(rng, args, indices)
    w = _random_direction(rng, args, indices)
    hv, grad = _hv(mod, name, args, v)
    gradient = _gradient(mod, name)
    assert_close(grad, flatten(gradient(*copy_args(args))), 1e-12, f"{key}: gradient of f_hvp")
    fd = _gradient_difference(gradient, args, indices, v)
    assert_close(hv, fd, RTOL, f"{key}: H v against central differences of the gradient")
    hw, _ = _hv(mod, name, args, w)
    lhs, rhs = dot(w, hv), dot(v, hw)
    scale = max(abs(lhs), abs(rhs), 1e-300)
    assert abs(lhs - rhs) <= 1e-10 * scale, f"{key}: <w, Hv> = {lhs!r} but <v, Hw> = {rhs!r}"
    if hessian:
        matrix = getattr(mod, f"{name}_hessian")(*copy_args(args))
        sizes = [np.size(args[i]) for i in indices]
        columns = []
        for j in range(sum(sizes)):
            unit = np.zeros(sum(sizes))
            unit[j] = 1.0
            parts = np.split(unit, np.cumsum(sizes)[:-1])
            e = [p.reshape(np.shape(args[i])) if isinstance(args[i], np.ndarray) else float(p[0])
                 for p, i in zip(parts, indices)]
            columns.append(np.concatenate([d.ravel() for d in _gradient_difference(gradient, args, indices, e)]))
        assert_close([matrix], [np.stack(columns, axis=1)], RTOL, f"{key}: f_hessian against finite differences")


HESSIAN_SIZE = 12  # f_hessian is checked against differences where there are at most this many parameters


@pytest.mark.parametrize("module, name", CASES, ids=[f"{m}.{f}" for m, f in CASES])
def test_hvp_corpus(module, name, tmp_path):
    key = f"{module}.{name}"
    args = INPUTS[key](rng_for(key))
    size = sum(np.size(args[i]) for i in _differentiable(list(args)))
    check_second_order(_hvp_module(module, "none", tmp_path), module, name, hessian=size <= HESSIAN_SIZE)


def test_hvp_numba(tmp_path):
    """Compiled by numba: a checkpointed loop (tapes, the revolve schedule,
    snapshots and their tangents)."""
    check_second_order(_hvp_module("checkpointed", "numba", tmp_path), "checkpointed", "heat_steps")


def test_hvp_custom_rule(tmp_path):
    """A function with a custom g_vjp keeps its rule under hvp: the rule's
    own body is differentiated in forward mode."""
    source = '''import numpy as np


def g(x: float) -> float:
    return np.sin(x)


def g_vjp(x: float, y_bar: float):
    return np.sin(x), np.cos(x) * y_bar


def f(x: np.ndarray) -> float:
    s = 0.0
    for i in range(x.shape[0]):
        s += g(x[i]) * x[i]
    return s
'''
    mod = load_module_from_text(adxform.transform(source, "hvp", jit="none"), tmp_path / "custom_hvp.py")
    x = np.array([0.3, -0.7, 1.1])
    v = np.array([1.0, 2.0, -0.5])
    value, grad, hv = mod.f_hvp(x, v)
    assert_close([grad], [np.cos(x) * x + np.sin(x)], 1e-12, "gradient")
    assert_close([hv], [(2 * np.cos(x) - x * np.sin(x)) * v], 1e-12, "H v")
    assert_close([mod.f_hessian(x)], [np.diag(2 * np.cos(x) - x * np.sin(x))], 1e-12, "Hessian")


# -- a generated module fed back in --------------------------------------------------------------

FED_BACK = [("rosenbrock", "rosenbrock"), ("newton", "cube_root"), ("newton", "smooth_clip"), ("heat", "loss"),
            ("checkpoint", "trajectory_cost")]


FED_BACK_CASES = [(case, name, "none") for case, name in FED_BACK] + [("newton", "cube_root", "numba"),
                                                                     ("heat", "loss", "numba")]


@pytest.mark.parametrize("case, name, jit", FED_BACK_CASES, ids=[f"{c}.{n}-{j}" for c, n, j in FED_BACK_CASES])
def test_forward_over_golden_reverse(case, name, jit, tmp_path):
    """``adxform forward`` on a golden reverse module: ``f_grad_jvp`` gives
    the gradient and the Hessian times the tangent (one case compiled by
    numba, which costs seconds)."""
    reverse = GOLDEN_DIR / case / f"{case}_vjp.py"
    key = f"{case}.{name}"
    args = list(INPUTS[key](rng_for(key)))
    indices = _differentiable(args)
    params = list(function_defs((GOLDEN_DIR / case / f"{case}.py").read_text())[name].args.args)
    # the generated module has no annotations: name the parameters the source differentiates
    text = adxform.transform(reverse.read_text(), "forward", filename=reverse.name, functions=[f"{name}_grad"],
                             jit=jit, wrt=[params[i].arg for i in indices])
    mod = load_module_from_text(text, tmp_path / f"{case}_fwd_over_rev.py")
    rng = rng_for("fed back " + key)
    v = _random_direction(rng, args, indices)
    grad, grad_dot = getattr(mod, f"{name}_grad_jvp")(*copy_args(args), *copy_args(v))
    grads = grad if isinstance(grad, tuple) else (grad,)
    dots = grad_dot if isinstance(grad_dot, tuple) else (grad_dot,)
    source = load_module_from_text(reverse.read_text(), tmp_path / f"{case}_rev.py")

    gradient = getattr(source, f"{name}_grad")
    assert_close(list(grads), flatten(gradient(*copy_args(args))), 1e-12,
                 f"{key}: the gradient, through the fed-back module")
    fd = _gradient_difference(gradient, args, indices, v)
    assert_close(list(dots), fd, RTOL, f"{key}: H v from forward over the golden reverse module")


def test_a_users_function_named_like_a_helper_is_the_users(tmp_path):
    source = '''import numpy as np


def _check_ndim(x, n):
    return x * n


def f(x: float) -> float:
    return _check_ndim(x, 3.0) ** 2
'''
    mod = load_module_from_text(adxform.transform(source, "hvp", jit="none"), tmp_path / "own_hvp.py")
    assert mod.f_hvp(0.5, 1.0) == (2.25, 9.0, 18.0)


def test_hvp_command(tmp_path, capsys):
    out = tmp_path / "rosenbrock_hvp.py"
    assert main(["hvp", str(GOLDEN_DIR / "rosenbrock" / "rosenbrock.py"), "-o", str(out), "--jit", "none"]) == 0
    text = out.read_text()
    assert "def rosenbrock_hvp(x, x_v):" in text and "def rosenbrock_hessian(x):" in text
    assert "# rosenbrock.py:8" in text and "rosenbrock_vjp.py" not in text  # lines of the source
    assert "adxform hvp" in text.splitlines()[2]
    assert main(["hvp", "--help"]) == 0
    assert "forward over reverse" in capsys.readouterr().out
    assert main(["hvp", str(GOLDEN_DIR / "rosenbrock" / "rosenbrock.py"), "-o", str(out), "--jit", "none",
                 "--check"]) == 0
    assert main(["hvp", str(GOLDEN_DIR / "rosenbrock" / "rosenbrock.py"), "-o", str(out), "--instrument"]) == 2


def test_the_runtime_table_names_every_helper_and_constant():
    """analysis/runtime.py describes each helper and constant the template
    emits (the helpers only other helpers call have no entry)."""
    from adxform.analysis.runtime import HELPERS, RUNTIME_CONSTANTS
    from adxform.emit import runtime_texts

    texts = runtime_texts()
    internal = {"_as_matrix", "_add_product", "_reduce_axis"}  # called by helpers; _reduce_axis is read back as np.max
    assert set(HELPERS) == set(texts) - internal
    assert RUNTIME_CONSTANTS == {name for _, constants in texts.values() for name in constants}
