"""The differentiation corpus itself is sound, independently of adxform.

Every public function of tests/corpus/ has an input builder, its arguments
match its annotations, it gives the same result in plain Python and under
``numba.njit``, it only writes into its arguments when it is a procedure, and
it is smooth at its inputs (finite differences with two step sizes agree), so
that the derivative tests built on the corpus compare against a reliable
reference.
"""

from __future__ import annotations

import functools
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from corpus_inputs import INPUTS
from helpers import (
    assert_close,
    central_difference,
    copy_args,
    corpus_modules,
    differentiable_indices,
    flatten,
    function_defs,
    import_path,
    is_procedure,
    njit_module,
    param_kinds,
    public_functions,
    random_direction,
    rng_for,
)

CASES = [
    pytest.param(path, name, id=f"{path.stem}.{name}") for path in corpus_modules() for name in public_functions(path)
]

_ARG_TYPES = {"float": float, "int": int, "bool": bool, "array": np.ndarray, "intarray": np.ndarray}


@functools.cache
def _python_module(path: Path) -> ModuleType:
    return import_path(path)


@functools.cache
def _numba_module(path: Path) -> ModuleType:
    return njit_module(import_path(path))


def _build(path: Path, name: str) -> tuple:
    qualname = f"{path.stem}.{name}"
    builder = INPUTS.get(qualname)
    assert builder is not None, f"no input builder for {qualname} in tests/corpus_inputs.py"
    return builder(rng_for(qualname))


def test_corpus_is_big_enough():
    modules = corpus_modules()
    assert len(modules) >= 6
    assert sum(len(public_functions(path)) for path in modules) >= 48


def test_every_builder_has_a_function():
    known = {f"{path.stem}.{name}" for path in corpus_modules() for name in public_functions(path)}
    assert sorted(set(INPUTS) - known) == []


@pytest.mark.parametrize(("path", "name"), CASES)
def test_arguments_match_annotations(path, name):
    fdef = function_defs(path.read_text())[name]
    args = _build(path, name)
    kinds = param_kinds(fdef, args)
    assert len(args) == len(kinds)
    for arg, kind in zip(args, kinds, strict=True):
        assert isinstance(arg, _ARG_TYPES[kind]), f"{name}: {arg!r} is not a {kind}"
        if kind == "int":
            assert not isinstance(arg, bool)
        if kind == "array":
            assert arg.dtype == np.float64
    assert differentiable_indices(kinds), f"{name} has no differentiable parameter"


@pytest.mark.parametrize(("path", "name"), CASES)
def test_python_and_numba_agree(path, name):
    fdef = function_defs(path.read_text())[name]
    args = _build(path, name)

    py_args = copy_args(args)
    py_result = getattr(_python_module(path), name)(*py_args)
    nb_args = copy_args(args)
    nb_result = getattr(_numba_module(path), name)(*nb_args)

    assert (py_result is None) == is_procedure(fdef)
    assert (nb_result is None) == is_procedure(fdef)
    if py_result is not None:
        assert_close(flatten(nb_result), flatten(py_result), 1e-12, "numba value")
    # the same writes into the arguments (none at all for a non-procedure)
    for k, (before, py_after, nb_after) in enumerate(zip(args, py_args, nb_args, strict=True)):
        if isinstance(before, np.ndarray):
            assert_close([nb_after], [py_after], 1e-12, f"argument {k} after the call")
            if not is_procedure(fdef):
                assert np.array_equal(before, py_after), f"{name} writes into argument {k}"
    if is_procedure(fdef):
        assert any(
            isinstance(before, np.ndarray) and not np.array_equal(before, after)
            for before, after in zip(args, py_args, strict=True)
        ), f"procedure {name} writes nothing"


@pytest.mark.parametrize(("path", "name"), CASES)
def test_smooth_at_inputs(path, name):
    """Finite differences with steps h and h/2 agree closely: no branch
    switch, kink or trip-count change lies within the stencil."""
    fdef = function_defs(path.read_text())[name]
    args = _build(path, name)
    indices = differentiable_indices(param_kinds(fdef, args))
    func = getattr(_python_module(path), name)
    rng = rng_for(f"{path.stem}.{name}/smoothness")
    for _ in range(2):
        direction = random_direction(rng, args, indices)
        coarse = central_difference(func, args, indices, direction, h=1e-3)
        fine = central_difference(func, args, indices, direction, h=5e-4)
        assert_close(fine, coarse, 1e-8, "finite differences with h=5e-4 against h=1e-3")
        assert all(np.all(np.isfinite(d)) for d in coarse)
