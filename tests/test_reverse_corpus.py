"""Reverse mode on the corpus: every public function of tests/corpus/ (and
of the golden cases), generated with and without numba, against the primal,
finite differences and forward mode (SPEC section 4).

For ``f(a1..an)`` returning y the generated ``f_vjp(a1..an, y_bar)``
returns ``(y, b1, ..., bk)``, the adjoints of the k differentiable
parameters in order; when y is a float, ``f_grad`` returns the gradient (b1
alone when k == 1) and ``f_value_and_grad`` returns ``(y, gradient)``.  For
a procedure ``p_vjp(a1..an, B1..Bm)`` takes one in/out adjoint array per
differentiable array parameter and returns the tuple of the adjoints of the
differentiable scalar parameters.

Checks, per case and ``jit``:

* the value and the side effects on the arguments are the primal's, and a
  function's ``f_vjp`` leaves its seed alone;
* the dot-product test against forward mode, ``<f_jvp(v), w> == <v,
  f_vjp(w)>``, for random tangents v and cotangents w;
* ``<v, f_vjp(w)>`` against ``<finite difference of f along v, w>``;
* for float-valued functions, ``f_grad`` against finite differences and
  ``f_value_and_grad`` and ``f_vjp(2.0)`` against ``f_grad``.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from corpus_inputs import INPUTS
from generated import corpus_derivative
from helpers import (
    abs_dot,
    assert_arguments_match,
    assert_close,
    assert_dot_close,
    assert_unchanged,
    call_jvp,
    central_difference,
    copy_args,
    copy_value,
    corpus_modules,
    differentiable_indices,
    dot,
    flatten,
    function_defs,
    import_path,
    is_procedure,
    param_kinds,
    public_functions,
    random_direction,
    random_like,
    rng_for,
)

VALUE_RTOL = 1e-10
DOT_RTOL = 1e-10
FD_RTOL = 1e-6
SAME_RTOL = 1e-12
DIRECTIONS = 2

JITS = ["numba", "none"]


def _returns_float(path: Path, name: str) -> bool:
    returns = function_defs(path.read_text())[name].returns
    return isinstance(returns, ast.Name) and returns.id == "float"


CASES = [
    pytest.param(path, name, id=f"{path.stem}.{name}") for path in corpus_modules() for name in public_functions(path)
]
SCALAR_CASES = [case for case in CASES if _returns_float(*case.values)]


@functools.cache
def _primal_module(path: Path) -> ModuleType:
    return import_path(path)


@dataclass
class Case:
    qualname: str
    name: str
    func: Callable
    args: tuple
    indices: tuple[int, ...]
    procedure: bool


def _case(path: Path, name: str) -> Case:
    qualname = f"{path.stem}.{name}"
    builder = INPUTS.get(qualname)
    assert builder is not None, f"no input builder for {qualname} in tests/corpus_inputs.py"
    fdef = function_defs(path.read_text())[name]
    args = builder(rng_for(qualname))
    return Case(
        qualname=qualname,
        name=name,
        func=getattr(_primal_module(path), name),
        args=args,
        indices=differentiable_indices(param_kinds(fdef, args)),
        procedure=is_procedure(fdef),
    )


def _generated(module: ModuleType, name: str) -> Callable:
    func = getattr(module, name, None)
    assert func is not None, f"the generated module has no {name}; it has {sorted(vars(module))}"
    return func


def _check_adjoint_kinds(case: Case, adjoints: list) -> None:
    """Each adjoint has its parameter's kind: a float for a float, an array
    of the same shape for an array."""
    for i, adjoint in zip(case.indices, adjoints, strict=True):
        arg = case.args[i]
        if isinstance(arg, np.ndarray):
            assert isinstance(adjoint, np.ndarray), f"adjoint of argument {i} is {adjoint!r}, not an array"
            assert adjoint.shape == arg.shape, f"adjoint of argument {i} has shape {adjoint.shape}, not {arg.shape}"
        else:
            assert np.ndim(adjoint) == 0, f"adjoint of scalar argument {i} is {adjoint!r}"


def _cotangent(case: Case, rng: np.random.Generator, value: object) -> object:
    """A random cotangent: for a function, of the structure of its value;
    for a procedure, one array per differentiable array argument."""
    if case.procedure:
        return [rng.standard_normal(case.args[i].shape) for i in case.indices if isinstance(case.args[i], np.ndarray)]
    return random_like(rng, value)


def _call_vjp(case: Case, f_vjp: Callable, args: list, cotangent: object) -> tuple[object, list]:
    """Call ``f_vjp`` on ``args`` (written in place) and a copy of
    ``cotangent``, which a function's ``f_vjp`` must leave alone (a
    procedure's adjoint arrays are in/out); return (the value, or None for a
    procedure; the adjoints of the differentiable parameters, in order)."""
    k = len(case.indices)
    if not case.procedure:
        seed = copy_value(cotangent)
        result = f_vjp(*args, seed)
        assert_unchanged(seed, cotangent, f"{case.qualname}: the seed of {case.name}_vjp")
        assert isinstance(result, tuple) and len(result) == 1 + k, (
            f"{case.qualname}: expected (y, b1..b{k}), got {result!r}"
        )
        adjoints = list(result[1:])
        _check_adjoint_kinds(case, adjoints)
        return result[0], adjoints
    arrays = copy_args(cotangent)
    returned = f_vjp(*args, *arrays)
    scalars = [i for i in case.indices if not isinstance(case.args[i], np.ndarray)]
    assert isinstance(returned, tuple) and len(returned) == len(scalars), (
        f"{case.qualname}: expected a tuple of {len(scalars)} scalar adjoints, got {returned!r}"
    )
    array_adjoints = iter(arrays)
    scalar_adjoints = iter(returned)
    adjoints = [
        next(array_adjoints) if isinstance(case.args[i], np.ndarray) else next(scalar_adjoints) for i in case.indices
    ]
    _check_adjoint_kinds(case, adjoints)
    return None, adjoints


def _gradient_list(case: Case, gradient: object) -> list:
    """The gradient returned by ``f_grad`` as a list: b1 alone when there is
    one differentiable parameter, else a tuple."""
    k = len(case.indices)
    if k == 1:
        return [gradient]
    assert isinstance(gradient, tuple) and len(gradient) == k, f"{case.qualname}: expected {k} adjoints, got {gradient!r}"
    return list(gradient)


@pytest.mark.parametrize("jit", JITS)
@pytest.mark.parametrize(("path", "name"), CASES)
def test_vjp_value_and_dot_product(path, name, jit):
    """Value and side effects of ``f_vjp``, and ``<f_jvp(v), w> == <v, f_vjp(w)>``."""
    case = _case(path, name)
    f_vjp = _generated(corpus_derivative(path, "reverse", jit), f"{name}_vjp")
    f_jvp = _generated(corpus_derivative(path, "forward", jit), f"{name}_jvp")

    primal_args = copy_args(case.args)
    value = case.func(*primal_args)

    rng = rng_for(f"{case.qualname}/reverse")
    for d in range(DIRECTIONS):
        v = random_direction(rng, case.args, case.indices)
        w = _cotangent(case, rng, value)

        vjp_args = copy_args(case.args)
        y, adjoints = _call_vjp(case, f_vjp, vjp_args, w)
        if not case.procedure:
            assert_close(flatten(y), flatten(value), VALUE_RTOL, f"{case.qualname} value of {name}_vjp")
        assert_arguments_match(vjp_args, primal_args, VALUE_RTOL, f"{case.qualname} {name}_vjp")

        _, tangents = call_jvp(f_jvp, copy_args(case.args), case.indices, v, case.procedure)
        outputs_bar = w if case.procedure else flatten(w)
        lhs = dot(tangents, outputs_bar)
        rhs = dot(v, adjoints)
        scale = max(abs_dot(tangents, outputs_bar), abs_dot(v, adjoints))
        assert_dot_close(lhs, rhs, scale, DOT_RTOL, f"{case.qualname} <jvp(v), w> vs <v, vjp(w)> (direction {d})")


@pytest.mark.parametrize("jit", JITS)
@pytest.mark.parametrize(("path", "name"), CASES)
def test_vjp_matches_finite_differences(path, name, jit):
    """``<v, f_vjp(w)>`` against the finite difference of the outputs along
    v (for a procedure: of the arrays it writes) dotted with w."""
    case = _case(path, name)
    f_vjp = _generated(corpus_derivative(path, "reverse", jit), f"{name}_vjp")
    value = case.func(*copy_args(case.args))

    rng = rng_for(f"{case.qualname}/reverse-fd")
    for d in range(DIRECTIONS):
        v = random_direction(rng, case.args, case.indices)
        w = _cotangent(case, rng, value)
        _, adjoints = _call_vjp(case, f_vjp, copy_args(case.args), w)
        reference = central_difference(case.func, case.args, case.indices, v)
        outputs_bar = w if case.procedure else flatten(w)
        expected = dot(reference, outputs_bar)
        got = dot(v, adjoints)
        scale = max(1.0, abs_dot(reference, outputs_bar), abs_dot(v, adjoints))
        assert_dot_close(got, expected, scale, FD_RTOL, f"{case.qualname} <v, vjp(w)> vs finite differences (direction {d})")


@pytest.mark.parametrize("jit", JITS)
@pytest.mark.parametrize(("path", "name"), SCALAR_CASES)
def test_grad_matches_finite_differences(path, name, jit):
    """``f_grad`` against finite differences; ``f_value_and_grad`` and
    ``f_vjp(..., 2.0)`` against ``f_grad``."""
    case = _case(path, name)
    module = corpus_derivative(path, "reverse", jit)
    f_grad = _generated(module, f"{name}_grad")
    f_value_and_grad = _generated(module, f"{name}_value_and_grad")
    f_vjp = _generated(module, f"{name}_vjp")

    primal_args = copy_args(case.args)
    value = case.func(*primal_args)
    assert np.ndim(value) == 0 and not isinstance(value, tuple), f"{case.qualname} returns {value!r}, not a float"

    grad_args = copy_args(case.args)
    gradient = _gradient_list(case, f_grad(*grad_args))
    _check_adjoint_kinds(case, gradient)
    assert_arguments_match(grad_args, primal_args, VALUE_RTOL, f"{case.qualname} {name}_grad")

    rng = rng_for(f"{case.qualname}/gradient")
    for d in range(DIRECTIONS):
        v = random_direction(rng, case.args, case.indices)
        reference = central_difference(case.func, case.args, case.indices, v)
        assert_close([dot(gradient, v)], reference, FD_RTOL, f"{case.qualname} <grad, v> (direction {d})")

    vg_args = copy_args(case.args)
    result = f_value_and_grad(*vg_args)
    assert isinstance(result, tuple) and len(result) == 2, f"expected (y, gradient), got {result!r}"
    assert_close([result[0]], [value], VALUE_RTOL, f"{case.qualname} value of {name}_value_and_grad")
    assert_close(_gradient_list(case, result[1]), gradient, SAME_RTOL, f"{case.qualname} {name}_value_and_grad")
    assert_arguments_match(vg_args, primal_args, VALUE_RTOL, f"{case.qualname} {name}_value_and_grad")

    y, adjoints = _call_vjp(case, f_vjp, copy_args(case.args), 2.0)
    assert_close([y], [value], VALUE_RTOL, f"{case.qualname} value of {name}_vjp")
    assert_close(adjoints, [2.0 * g for g in gradient], SAME_RTOL, f"{case.qualname} {name}_vjp(2.0) vs 2 {name}_grad")
