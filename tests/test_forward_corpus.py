"""Forward mode on the corpus: every public function of tests/corpus/,
generated with and without numba, against the primal and finite differences.

For ``f(a1..an)`` returning y the generated ``f_jvp(a1..an, d1..dk)`` returns
``(y, y_dot)``; for a procedure ``p_jvp(a1..an, d1..dk)`` leaves the
tangents of its array outputs in the array tangents (SPEC section 4).  The
tangent of an array the call leaves alone must be left alone too
(``helpers.call_jvp``).
"""

from __future__ import annotations

import functools
from pathlib import Path
from types import ModuleType

import pytest
from corpus_inputs import INPUTS
from generated import corpus_derivative
from helpers import (
    assert_arguments_match,
    assert_close,
    call_jvp,
    call_outputs,
    central_difference,
    copy_args,
    corpus_modules,
    differentiable_indices,
    function_defs,
    import_path,
    is_procedure,
    param_kinds,
    public_functions,
    random_direction,
    rng_for,
)

VALUE_RTOL = 1e-10
TANGENT_RTOL = 1e-6
DIRECTIONS = 2

CASES = [
    pytest.param(path, name, id=f"{path.stem}.{name}") for path in corpus_modules() for name in public_functions(path)
]


@functools.cache
def _primal_module(path: Path) -> ModuleType:
    return import_path(path)


@pytest.mark.parametrize("jit", ["numba", "none"])
@pytest.mark.parametrize(("path", "name"), CASES)
def test_jvp_matches_finite_differences(path, name, jit):
    qualname = f"{path.stem}.{name}"
    builder = INPUTS.get(qualname)
    assert builder is not None, f"no input builder for {qualname} in tests/corpus_inputs.py"
    fdef = function_defs(path.read_text())[name]
    args = builder(rng_for(qualname))
    indices = differentiable_indices(param_kinds(fdef, args))
    procedure = is_procedure(fdef)

    f = getattr(_primal_module(path), name)
    f_jvp = getattr(corpus_derivative(path, "forward", jit), f"{name}_jvp")

    primal_args = copy_args(args)
    f(*primal_args)
    expected = call_outputs(f, args, indices)

    rng = rng_for(f"{qualname}/directions")
    for d in range(DIRECTIONS):
        direction = random_direction(rng, args, indices)
        jvp_args = copy_args(args)
        values, tangents = call_jvp(f_jvp, jvp_args, indices, direction, procedure)
        assert_close(values, expected, VALUE_RTOL, f"{qualname} value (direction {d})")
        assert_arguments_match(jvp_args, primal_args, VALUE_RTOL, f"{qualname} f_jvp")
        reference = central_difference(f, args, indices, direction)
        assert_close(tangents, reference, TANGENT_RTOL, f"{qualname} tangent (direction {d})")
