"""The runtime helpers that generated modules carry (emit/templates/runtime.py.j2),
called directly, compiled by numba and as plain Python (``--jit none``),
against numpy: the adjoint increments into views (``_add_into``), the sum
of a product (``_sum_product``), the adjoints of ``@`` that add into their
target (``_matmul_bar_a``, ``_matmul_bar_b``), the array tapes and the
adjoints of their pushes and loads (reverse over reverse).

Each helper is met with the shapes the generated code hands it: seeds of
the target's shape and stretched ones, strided and 2-D views, vectors and
matrices, float32 targets (which must stay float32).
"""

from __future__ import annotations

from types import ModuleType

import numpy as np
import pytest
from adxform import ir
from adxform.emit import runtime_helpers
from helpers import load_module_from_text

HELPERS = ["_add_into", "_sum_product", "_matmul_bar_a", "_matmul_bar_b", "_tape_push_array", "_tape_load_array",
           "_tape_take_array", "_tape_give_array"]


@pytest.fixture(scope="module", params=["none", "numba"])
def rt(request, tmp_path_factory) -> ModuleType:
    """The helpers as a generated module defines them (a file, so that
    numba can cache them)."""
    uses = ir.Function("uses", [], [ir.ExprStmt(ir.Call(f"module.{name}", [])) for name in HELPERS])
    imports = "import numba\nimport numpy as np\n" if request.param == "numba" else "import numpy as np\n"
    text = imports + "\n\n" + "\n\n\n".join(runtime_helpers([uses], request.param)) + "\n"
    return load_module_from_text(text, tmp_path_factory.mktemp("runtime") / f"runtime_{request.param}.py")


def test_helpers_are_emitted_with_what_they_call():
    text = "\n".join(runtime_helpers([ir.Function("f", [], [ir.ExprStmt(ir.Call("module._add_into", []))])], "none"))
    assert "def _add_into(" in text and "def _unbroadcast(" in text
    assert "def _matmul_bar_a(" not in text


@pytest.mark.parametrize(("target_shape", "seed_shape"), [
    ((5,), (5,)),  # the seed of a view, of its shape
    ((4, 3), (4, 3)),
    ((3,), (4, 3)),  # stretched: summed over the added axis
    ((4, 1), (4, 3)),  # stretched along an axis of length 1
    ((1, 3), (2, 4, 3)),
])
def test_add_into_sums_a_stretched_seed_down(rt, target_shape, seed_shape):
    rng = np.random.default_rng(1)
    target = rng.standard_normal(target_shape)
    seed = rng.standard_normal(seed_shape)
    expected = target + _summed_to(seed, target_shape)
    rt._add_into(target, seed)
    np.testing.assert_allclose(target, expected, rtol=1e-14)


def _summed_to(seed: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """numpy's reference for undoing broadcasting."""
    added = seed.ndim - len(shape)
    out = seed.sum(axis=tuple(range(added)))
    return out.sum(axis=tuple(k for k, n in enumerate(shape) if n == 1 and out.shape[k] != 1), keepdims=True)


def test_add_into_views_with_steps_and_2d(rt):
    """The add lands in the array the view belongs to, and only there."""
    rng = np.random.default_rng(2)
    u_bar = np.zeros(12)
    seed = rng.standard_normal(5)
    rt._add_into(u_bar[1:11:2], seed)
    rt._add_into(u_bar[1:11:2], seed)
    np.testing.assert_array_equal(u_bar[1:11:2], 2 * seed)
    assert not u_bar[0::2].any() and u_bar[11] == 0.0
    m_bar = np.zeros((4, 6))
    block = rng.standard_normal((2, 3))
    rt._add_into(m_bar[1:3, ::2], block)
    np.testing.assert_array_equal(m_bar[1:3, ::2], block)
    assert np.count_nonzero(m_bar) == 6
    row = rng.standard_normal((3, 6))  # stretched into one row of a matrix
    rt._add_into(m_bar[0], row)
    np.testing.assert_allclose(m_bar[0], row.sum(axis=0), rtol=1e-14)


def test_add_into_keeps_float32(rt):
    target = np.zeros(4, dtype=np.float32)
    rt._add_into(target[::1], np.ones((2, 4)))
    assert target.dtype == np.float32
    np.testing.assert_array_equal(target, 2.0)


@pytest.mark.parametrize(("a_shape", "b_shape"), [
    ((7,), (7,)), ((16,), (16,)), ((3, 5), (3, 5)), ((6,), (2, 6)), ((0,), (0,)),
])
def test_sum_product(rt, a_shape, b_shape):
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal(a_shape), rng.standard_normal(b_shape)
    assert rt._sum_product(a, b) == pytest.approx(np.sum(a * b), rel=1e-12, abs=1e-12)
    assert rt._sum_product(a, 2.0) == pytest.approx(np.sum(a * 2.0), rel=1e-12, abs=1e-12)  # a scalar factor
    strided = rng.standard_normal(40)[::3][:7]  # a view with a step
    assert rt._sum_product(strided, strided) == pytest.approx(np.sum(strided * strided), rel=1e-12)


@pytest.mark.parametrize(("a_shape", "b_shape"), [
    ((128, 16), (16,)),  # matrix @ vector: an outer product and a transposed product
    ((16,), (16, 8)),
    ((5, 4), (4, 3)),  # matrix @ matrix: BLAS
    ((4,), (4,)),
    ((3, 1), (1, 5)),
])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_matmul_adjoints_add_into_their_target(rt, a_shape, b_shape, dtype):
    rng = np.random.default_rng(4)
    a, b = rng.standard_normal(a_shape).astype(dtype), rng.standard_normal(b_shape).astype(dtype)
    g = rng.standard_normal(np.shape(a @ b))
    g = float(g) if g.ndim == 0 else g
    a2, b2 = a.reshape(-1, a.shape[-1]), b.reshape(b.shape[0], -1)
    g2 = np.reshape(g, (a2.shape[0], b2.shape[1]))
    want_a, want_b = (g2 @ b2.T).reshape(a.shape), (a2.T @ g2).reshape(b.shape)
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(rt._matmul_bar_a(g, a, b, None), want_a, rtol=rtol, atol=rtol)
    np.testing.assert_allclose(rt._matmul_bar_b(g, a, b, None), want_b, rtol=rtol, atol=rtol)
    # into a view with a step, twice: the adds accumulate, in the target's dtype
    for shape, helper, want in ((a.shape, rt._matmul_bar_a, want_a), (b.shape, rt._matmul_bar_b, want_b)):
        whole = np.zeros((2 * shape[0],) + shape[1:], dtype=dtype)
        helper(g, a, b, whole[::2])
        returned = helper(g, a, b, whole[::2])
        assert returned.dtype == dtype
        np.testing.assert_allclose(whole[::2], 2 * want, rtol=rtol, atol=rtol)
        assert not whole[1::2].any()


@pytest.mark.parametrize("shape", [(5,), (3, 4), (2, 3, 2)])
def test_array_tape_round_trip(rt, shape):
    """Views with steps go on the tape in C order and come back into place;
    the tape grows as it must."""
    rng = np.random.default_rng(5)
    base = rng.standard_normal(tuple(2 * n for n in shape))
    before = base.copy()
    view = base[tuple(slice(None, None, 2) for _ in shape)]
    tape, top = rt._tape_push_array(np.empty(2), 0, np.ones(1))
    tape, top = rt._tape_push_array(tape, top, view)
    np.testing.assert_array_equal(tape[1:top], view.ravel())
    saved = view.copy()
    view[...] = 0.0
    rt._tape_load_array(view, tape, top)
    np.testing.assert_array_equal(view, saved)
    np.testing.assert_array_equal(base, before)  # nothing outside the view moved


@pytest.mark.parametrize("shape", [(5,), (3, 4)])
def test_tape_adjoints_of_array_pushes_and_loads(rt, shape):
    """``_tape_take_array`` adds the slots from ``top`` into an adjoint array
    (C order) and clears them; ``_tape_give_array`` adds an adjoint array
    into the slots that end at ``top`` and clears it.  Views with steps
    too; nothing else moves."""
    rng = np.random.default_rng(6)
    size = int(np.prod(shape))
    tape_bar = rng.standard_normal(size + 5)
    before = tape_bar.copy()
    base = rng.standard_normal(tuple(2 * n for n in shape))
    base_before = base.copy()
    every_other = tuple(slice(None, None, 2) for _ in shape)
    view = base[every_other]
    start = view.copy()
    rt._tape_take_array(view, tape_bar, 2)
    np.testing.assert_allclose(view, start + before[2:2 + size].reshape(shape), rtol=1e-15)
    assert not tape_bar[2:2 + size].any()
    np.testing.assert_array_equal(np.delete(tape_bar, range(2, 2 + size)), np.delete(before, range(2, 2 + size)))

    given = view.copy()
    rt._tape_give_array(view, tape_bar, 2 + size)
    np.testing.assert_allclose(tape_bar[2:2 + size], given.ravel(), rtol=1e-15)
    assert not view.any()
    outside = np.ones(base.shape, dtype=bool)
    outside[every_other] = False
    np.testing.assert_array_equal(base[outside], base_before[outside])


@pytest.mark.parametrize(("a_shape", "b_shape"), [((6, 4), (4,)), ((4,), (4, 3)), ((5, 4), (4, 3))])
def test_matmul_adjoints_of_mixed_precision(rt, a_shape, b_shape):
    """A float32 operand times a float64 one: each adjoint keeps its
    operand's dtype (numba multiplies matrices of one type only)."""
    rng = np.random.default_rng(6)
    a, b = rng.standard_normal(a_shape).astype(np.float32), rng.standard_normal(b_shape)
    g = rng.standard_normal(np.shape(a @ b))
    a_bar, b_bar = np.zeros_like(a), np.zeros_like(b)
    rt._matmul_bar_a(g, a, b, a_bar)
    rt._matmul_bar_b(g, a, b, b_bar)
    assert (a_bar.dtype, b_bar.dtype) == (np.float32, np.float64)
    a2, b2 = a.reshape(-1, a.shape[-1]), b.reshape(b.shape[0], -1)
    g2 = np.reshape(g, (a2.shape[0], b2.shape[1]))
    np.testing.assert_allclose(a_bar, (g2 @ b2.T).reshape(a.shape), rtol=1e-5)
    np.testing.assert_allclose(b_bar, (a2.T.astype(np.float64) @ g2).reshape(b.shape), rtol=1e-5)


@pytest.mark.parametrize(("target_shape", "seed_shape"), [((5,), (5,)), ((3, 4), (3, 4)), ((3,), (2, 3))])
def test_add_into_scales_by_a_constant(rt, target_shape, seed_shape):
    """``_add_into(t, s, -2.0)`` is the increment ``-(2.0 * s)``, into
    strided views too, and leaves the seed as it was."""
    rng = np.random.default_rng(8)
    whole = rng.standard_normal(tuple(2 * n for n in target_shape))
    before = whole.copy()
    view = whole[tuple(slice(None, None, 2) for _ in target_shape)]
    seed = rng.standard_normal(seed_shape)
    kept = seed.copy()
    expected = view + _summed_to(-2.0 * seed, target_shape)
    rt._add_into(view, seed, -2.0)
    np.testing.assert_allclose(view, expected, rtol=1e-14)
    np.testing.assert_array_equal(seed, kept)
    untouched = np.ones(whole.shape, dtype=bool)
    untouched[tuple(slice(None, None, 2) for _ in target_shape)] = False
    np.testing.assert_array_equal(whole[untouched], before[untouched])
