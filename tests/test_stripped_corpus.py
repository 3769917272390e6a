"""The corpus with every annotation removed, as numba users write it (issue 11).

A libcst pass strips the parameter and return annotations of each corpus
module.  Every function then either gets the same derivatives in forward
mode, and in reverse mode (functions, for one random cotangent), as its
annotated original (which the corpus tests check against finite
differences and the other mode, with and without numba), with and without
numba too, or, where the body alone cannot tell
whether a parameter is a scalar or an array, is refused with an
``ambiguous-type`` diagnostic; those are listed in ``NEEDS_ANNOTATION``.
"""

from __future__ import annotations

import functools
from pathlib import Path
from types import ModuleType

import adxform
import libcst as cst
import pytest
from adxform.diagnostics import DiagnosticError
from corpus_inputs import INPUTS
from helpers import (
    assert_close,
    call_jvp,
    copy_args,
    corpus_modules,
    differentiable_indices,
    flatten,
    function_defs,
    is_procedure,
    load_module_from_text,
    param_kinds,
    public_functions,
    random_direction,
    random_like,
    rng_for,
)

# Functions whose stripped body leaves a parameter's kind open: it is only
# ever in arithmetic or numpy's elementwise functions (``x * y``,
# ``np.exp(x)``), which take a scalar or an array alike, and never beside a
# float (``0.5 * x`` makes a float, checked on entry: test_unannotated.py),
# or it is one of several values a reduced expression is computed from.
NEEDS_ANNOTATION = {
    "arrays.no_rule_mask", "calls.tuple_caller", "calls.use_float_helper", "calls.use_tuple_helper",
    "combined.oscillator_rk2", "control.int_branch", "copies.copy_from_callee",
    "copies.scalar_plus_array", "copies.vector_minus_matrix", "heat_slices.heat_slices",
    "mlp_numpy.mlp_numpy_loss", "models.lstm_matmul", "reverse_hard.array_results", "reverse_hard.rebind_array",
    "reverse_hard.rebind_in_loop", "scalars.np_unary", "scalars.swap_chain", "spellings.loop_over_rows",
    "spellings.numpy_operator_functions",
    # np.sum(_sq(x) * x): x is an array if _sq returns a scalar, and _sq(a) returns what it is given
    "unannotated.cubes",
}
# Typed otherwise than annotated, and rightly so: the int ``n`` is passed to a
# helper that takes a float, or meets only float arithmetic (``x * k`` with a
# float ``x``), so stripped it is a float with a derivative of its own.
TYPED_AS_FLOAT = {"calls.helper_with_int", "scalars.int_passthrough", "scalars.int_powers"}
# Never read, so stripped it passes through with no derivative (``y`` of
# ``ignores_second``): the gradient is with respect to the others alone.
PASSED_THROUGH = {"scalars.ignores_second": "(x)"}
# Refused otherwise when stripped: the int ``k`` of ``math.lgamma(0.5 * k)``
# is then a float, and lgamma has no derivative rule.
REFUSED_WHEN_STRIPPED = {"scalars.no_rule_constant": "unknown-function"}

CASES = [(path, name) for path in corpus_modules() for name in public_functions(path)]


class _StripAnnotations(cst.CSTTransformer):
    def leave_Param(self, original: cst.Param, updated: cst.Param) -> cst.Param:
        return updated.with_changes(annotation=None)

    def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> cst.FunctionDef:
        return updated.with_changes(returns=None)


@functools.cache
def _stripped(path: Path) -> str:
    return cst.parse_module(path.read_text()).visit(_StripAnnotations()).code


def _module(text: str, folder: Path, stem: str) -> ModuleType:
    return load_module_from_text(text, folder / f"{stem}_{abs(hash(text))}.py")


def _without_header(text: str) -> str:
    """Generated text less its first line, which names the source's hash."""
    return text.split("\n", 1)[1]


@pytest.mark.parametrize(("path", "name"), CASES, ids=[f"{p.stem}.{n}" for p, n in CASES])
def test_stripped_function(path, name, tmp_path):
    qualname = f"{path.stem}.{name}"
    if qualname in NEEDS_ANNOTATION:
        with pytest.raises(DiagnosticError, match=r"\[ambiguous-type\]"):
            adxform.transform(_stripped(path), "reverse", filename=path.name, functions=[name], jit="none")
        return
    if qualname in REFUSED_WHEN_STRIPPED:
        with pytest.raises(DiagnosticError, match=rf"\[{REFUSED_WHEN_STRIPPED[qualname]}\]"):
            adxform.transform(_stripped(path), "reverse", filename=path.name, functions=[name], jit="none")
        return
    if qualname in PASSED_THROUGH:
        text = adxform.transform(_stripped(path), "reverse", filename=path.name, functions=[name], jit="none")
        assert f"The gradient of {name} with respect to {PASSED_THROUGH[qualname]}." in text
        return
    if qualname in TYPED_AS_FLOAT:
        adxform.transform(_stripped(path), "reverse", filename=path.name, functions=[name], jit="none")
        return
    fdef = function_defs(path.read_text())[name]
    args = INPUTS[qualname](rng_for(qualname))
    indices = differentiable_indices(param_kinds(fdef, args))
    direction = random_direction(rng_for(f"{qualname}/stripped"), args, indices)
    modes = ["forward"] if is_procedure(fdef) else ["forward", "reverse"]  # reverse: f_vjp of a random cotangent
    for mode in modes:
        rtol = 1e-15 if mode == "forward" else 1e-13
        annotated, stripped = (adxform.transform(source, mode, filename=path.name, functions=[name], jit="none")
                               for source in (path.read_text(), _stripped(path)))
        expected = _derivatives(_module(annotated, tmp_path, name), mode, qualname, fdef, args, indices, direction)
        got = _derivatives(_module(stripped, tmp_path, name), mode, qualname, fdef, args, indices, direction)
        assert_close(got, expected, rtol, f"{qualname} stripped, {mode} mode")
        # --jit changes only the decorators and helpers emitted: code the same as the annotated function's is
        # the code the corpus tests compile with numba; other code is compiled here.
        if _without_header(stripped) != _without_header(annotated):
            stripped = adxform.transform(_stripped(path), mode, filename=path.name, functions=[name], jit="numba")
            got = _derivatives(_module(stripped, tmp_path, name), mode, qualname, fdef, args, indices, direction)
            assert_close(got, expected, rtol, f"{qualname} stripped, {mode} mode, numba")


def _derivatives(module: ModuleType, mode: str, qualname: str, fdef, args, indices, direction) -> list:
    """Forward mode: the values and tangents along ``direction``; reverse mode:
    the value and adjoints of a random cotangent."""
    name = qualname.split(".")[1]
    if mode == "forward":
        values, tangents = call_jvp(getattr(module, f"{name}_jvp"), copy_args(args), indices, direction,
                                    is_procedure(fdef))
        return values + tangents
    cotangent = random_like(rng_for(f"{qualname}/stripped cotangent"), getattr(module, name)(*copy_args(args)))
    return flatten(getattr(module, f"{name}_vjp")(*copy_args(args), cotangent))


def test_the_reverse_mode_of_stripped_functions_agrees(tmp_path):
    """The reverse mode of one stripped module that needs no annotation, in full."""
    path = next(p for p in corpus_modules() if p.stem == "models")
    names = [n for n in public_functions(path) if f"models.{n}" not in NEEDS_ANNOTATION]
    modules = [load_module_from_text(adxform.transform(source, "reverse", filename=path.name, functions=names,
                                                       jit="none"), tmp_path / f"m{k}.py")
               for k, source in enumerate((path.read_text(), _stripped(path)))]
    for name in names:
        args = INPUTS[f"models.{name}"](rng_for(f"models.{name}"))
        expected, got = (getattr(m, f"{name}_grad")(*copy_args(args)) for m in modules)
        expected, got = (list(g) if isinstance(g, tuple) else [g] for g in (expected, got))
        assert_close(got, expected, 1e-15, f"models.{name} stripped gradient")
