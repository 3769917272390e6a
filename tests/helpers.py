"""Shared test helpers: corpus discovery, module loading, finite differences.

Conventions used throughout:

* the *kinds* of a function's parameters come from their annotations, or
  for an unannotated parameter from the value its input builder passes:
  ``"float"``, ``"int"``, ``"bool"`` or ``"array"`` (a float64 array);
  the differentiable parameters are the float and array ones, in order;
* the *outputs* of a call are a flat list of float64 numpy arrays (0-d for
  scalars): the returned value, with tuples flattened, or, for a procedure
  (a function that returns None), the differentiable array arguments as
  the call left them.
"""

from __future__ import annotations

import ast
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType

import numpy as np
# the calling and finite-difference helpers are adxform.testing's; the test files import them from here too
from adxform.testing import abs_dot, call_outputs, copy_args, directional_difference, dot, flatten, import_path

CORPUS_DIR = Path(__file__).resolve().parent / "corpus"
GOLDEN_DIR = Path(__file__).resolve().parent.parent / "golden"

DIFFERENTIABLE_KINDS = ("float", "array")


# ---------------------------------------------------------------- discovery


def corpus_modules() -> list[Path]:
    """The source modules of the corpus, sorted by name: tests/corpus/*.py
    and the source module of each golden case, golden/<case>/<case>.py."""
    golden = [d / f"{d.name}.py" for d in GOLDEN_DIR.iterdir() if (d / f"{d.name}.py").is_file()]
    return sorted([p for p in CORPUS_DIR.glob("*.py") if not p.name.startswith("_")] + golden, key=lambda p: p.stem)


def function_defs(source: str) -> dict[str, ast.FunctionDef]:
    """The top-level function definitions of a module's source, by name."""
    tree = ast.parse(source)
    return {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}


def public_functions(path: Path) -> list[str]:
    """Names of the public (not ``_``-prefixed) top-level functions in ``path``."""
    return [name for name in function_defs(path.read_text()) if not name.startswith("_")]


def _annotation_kind(annotation: ast.expr | None, where: str) -> str:
    if isinstance(annotation, ast.Name) and annotation.id in ("float", "int", "bool"):
        return annotation.id
    text = ast.unparse(annotation) if annotation is not None else "<none>"
    if "NDArray[np.int" in text:
        return "intarray"
    if text.endswith("ndarray") or "NDArray" in text:
        return "array"
    raise ValueError(f"{where}: unsupported parameter annotation {text!r}")


def _value_kind(value: object) -> str:
    if isinstance(value, np.ndarray):
        return "array" if value.dtype.kind == "f" else "intarray"
    return type(value).__name__ if isinstance(value, (bool, int, float)) else "other"


def param_kinds(fdef: ast.FunctionDef, args: Sequence | None = None) -> tuple[str, ...]:
    """The kind of each parameter of ``fdef``: from its annotation, or, for
    a parameter written without one (as numba users write them), from the
    value its input builder passes (``args``)."""
    return tuple(_annotation_kind(arg.annotation, f"{fdef.name}({arg.arg})")
                 if arg.annotation is not None or args is None else _value_kind(args[i])
                 for i, arg in enumerate(fdef.args.args))


def differentiable_indices(kinds: Sequence[str]) -> tuple[int, ...]:
    """Positions of the differentiable (float and float-array) parameters."""
    return tuple(i for i, kind in enumerate(kinds) if kind in DIFFERENTIABLE_KINDS)


def is_procedure(fdef: ast.FunctionDef) -> bool:
    """True when ``fdef`` never returns a value."""
    return not any(isinstance(node, ast.Return) and node.value is not None for node in ast.walk(fdef))


def rng_for(label: str) -> np.random.Generator:
    """A random generator seeded deterministically from ``label``."""
    return np.random.default_rng(zlib.crc32(label.encode()))


# ---------------------------------------------------------------- modules


def load_module_from_text(text: str, path: Path) -> ModuleType:
    """Write ``text`` to ``path`` and import it as a fresh module."""
    path.write_text(text)
    return import_path(path)


def njit_module(module: ModuleType) -> ModuleType:
    """Replace every function defined in ``module`` by its ``numba.njit``
    dispatcher, so that calls between them stay compiled.  Returns ``module``."""
    import numba

    source = Path(module.__file__).read_text()
    for name in function_defs(source):
        setattr(module, name, numba.njit(getattr(module, name)))
    return module


# ---------------------------------------------------------------- calling


def copy_value(value: object) -> object:
    """A copy of a value (a scalar, an array or a nested tuple of them) in
    which every array is a fresh copy."""
    if isinstance(value, tuple):
        return tuple(copy_value(item) for item in value)
    return value.copy() if isinstance(value, np.ndarray) else value


def assert_unchanged(after: object, before: object, what: str) -> None:
    """Assert that a value a call must leave alone (a tangent, a seed) holds
    exactly what it held before the call: a derivative function that writes
    into one shares memory with something it writes."""
    leaves = list(zip(flatten(after), flatten(before), strict=True))
    for k, (a, b) in enumerate(leaves):
        label = what if len(leaves) == 1 else f"{what} (item {k})"
        assert np.array_equal(a, b, equal_nan=True), f"{label} changed in the call:\n  now    {a}\n  before {b}"


# ---------------------------------------------------------------- derivatives


def random_direction(rng: np.random.Generator, args: Sequence, indices: Sequence[int]) -> list:
    """A random tangent for each differentiable argument: a float for a
    scalar, an array of the same shape for an array; standard normal entries."""
    return [
        rng.standard_normal(args[i].shape) if isinstance(args[i], np.ndarray) else float(rng.standard_normal())
        for i in indices
    ]


def central_difference(func: Callable, args: Sequence, indices: Sequence[int], direction: Sequence,
                       h: float = 1e-3) -> list[np.ndarray]:
    """Derivative of ``call_outputs(func, ...)`` along ``direction``
    (Richardson-extrapolated central differences, ``adxform.testing``)."""
    return directional_difference(func, args, indices, direction, h)[0]


def assert_close(actual: Sequence, expected: Sequence, rtol: float, what: str) -> None:
    """Assert that two output lists agree: for each pair, the largest
    absolute difference is at most ``rtol * max(1, largest |expected|)``."""
    assert len(actual) == len(expected), f"{what}: {len(actual)} outputs, expected {len(expected)}"
    for k, (a, e) in enumerate(zip(actual, expected, strict=True)):
        a = np.asarray(a, dtype=np.float64)
        e = np.asarray(e, dtype=np.float64)
        assert a.shape == e.shape, f"{what}[{k}]: shape {a.shape}, expected {e.shape}"
        err = float(np.max(np.abs(a - e), initial=0.0))
        scale = max(1.0, float(np.max(np.abs(e), initial=0.0)))
        assert err <= rtol * scale, (
            f"{what}[{k}]: error {err:.3e} > {rtol:.1e} * {scale:.3g}\n  got      {a}\n  expected {e}"
        )


# ---------------------------------------------------------------- generated modules and adjoints


def random_like(rng: np.random.Generator, value: object) -> object:
    """A random value with the structure of ``value`` (a float, an array, or
    a nested tuple of them), standard normal entries: a cotangent for it."""
    if isinstance(value, tuple):
        return tuple(random_like(rng, item) for item in value)
    if isinstance(value, np.ndarray):
        return rng.standard_normal(value.shape)
    return float(rng.standard_normal())


def assert_dot_close(lhs: float, rhs: float, scale: float, rtol: float, what: str) -> None:
    """Assert ``|lhs - rhs| <= rtol * scale``; ``scale`` is the size of the
    terms summed into the two sides (see ``abs_dot``), so that cancellation
    in the sums does not count as an error."""
    err = abs(lhs - rhs)
    assert err <= rtol * scale, f"{what}: {lhs!r} != {rhs!r} (error {err:.3e} > {rtol:.1e} * {scale:.3g})"


def assert_arguments_match(after: Sequence, expected: Sequence, rtol: float, what: str) -> None:
    """Assert that the array arguments left by a call equal those left by
    another (the primal's side effects, and no others)."""
    for k, (a, e) in enumerate(zip(after, expected, strict=True)):
        if isinstance(e, np.ndarray):
            assert_close([a], [e], rtol, f"{what}: argument {k} after the call")


def call_jvp(f_jvp: Callable, args: list, indices: Sequence[int], direction: Sequence, procedure: bool):
    """Call a generated ``f_jvp`` on ``args`` (written in place, as the
    primal writes them) and a copy of ``direction`` (SPEC section 4), and
    check that the tangent of each array argument the call leaves alone is
    left alone too (array tangents are in/out only where the primal writes
    into the array); return
    (outputs, output tangents) as flat lists: for a function its value and
    tangent, for a procedure its differentiable array arguments and their
    tangents as the call left them."""
    tangents = copy_args(direction)
    before = copy_args(args)
    result = f_jvp(*args, *tangents)
    for k, i in enumerate(indices):
        if isinstance(args[i], np.ndarray) and np.array_equal(args[i], before[i], equal_nan=True):
            assert_unchanged(tangents[k], direction[k], f"the tangent of argument {i} (an array the call leaves alone)")
    if procedure:
        arrays = [k for k, i in enumerate(indices) if isinstance(args[i], np.ndarray)]
        return [args[indices[k]] for k in arrays], [tangents[k] for k in arrays]
    assert isinstance(result, tuple) and len(result) == 2, f"expected (y, y_dot), got {result!r}"
    value, tangent = result
    return flatten(value), flatten(tangent)
