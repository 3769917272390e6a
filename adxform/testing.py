"""Checking a generated derivative module on your own inputs.

``adxform verify`` and ``check_grads`` run the same three checks, each
against the copy of the primal function that the generated module holds:

* **per parameter, a random direction**: the derivative along a random
  direction of that parameter alone (``<v, vjp(w)>`` in reverse mode,
  ``<jvp(v), w>`` in forward mode, for a random cotangent ``w`` of the
  outputs) against a finite difference of ``<f, w>``;
* **per parameter, its worst element**: each element (a sample of
  ``max_elements`` of a larger array, always with the largest derivative)
  against its own finite difference;
* **the dot-product test** when both modes are given: ``<jvp(v), w> ==
  <v, vjp(w)>`` for random ``v`` and ``w``.

The finite differences are fourth-order central differences at steps ``h``
and ``h/2``, Richardson-extrapolated (``(16 D(h/2) - D(h)) / 15``); the
distance between the extrapolated and the finer estimate, plus the rounding
error of the function values at that step, is the error allowed on top of
``rtol`` (so a function that is not smooth at the point fails rather than
passes).  A gradient wrong by 1e-6 relative fails at the default ``rtol``
of 1e-7 wherever the function is smooth.

The *outputs* of a call are its returned value flattened into float arrays
or, for a procedure (a function returning nothing), the differentiable
array arguments as the call leaves them.  The API of the generated
functions is described in the README ("The generated module").
"""

from __future__ import annotations

import importlib.util
import itertools
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import numpy as np

DEFAULT_RTOL = 1e-7
DOT_RTOL = 1e-10  # the dot-product test compares two exact computations: rounding only
MAX_ELEMENTS = 64
RELATIVE_STEP = 1e-3
EPS = float(np.finfo(np.float64).eps)


# -- loading --------------------------------------------------------------------------------------------

_module_counter = itertools.count()


def import_path(path: Path | str, name: str | None = None) -> ModuleType:
    """Import the file ``path`` (a generated module, or its source) as a
    fresh module under ``name``, by default a name unique in the process.
    It is registered in ``sys.modules``: numba's caching, the CUDA
    simulator and object-mode calls look modules up by name."""
    path = Path(path)
    name = name or f"_adxform_{path.stem}_{next(_module_counter)}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


# -- calling --------------------------------------------------------------------------------------------


def copy_args(args: Sequence) -> list:
    """A copy of an argument list in which every array is a fresh copy."""
    return [a.copy() if isinstance(a, np.ndarray) else a for a in args]


def flatten(value: object) -> list[np.ndarray]:
    """A value (a scalar, an array or a nested tuple of them) as a flat list
    of float64 arrays."""
    if isinstance(value, tuple):
        return [leaf for item in value for leaf in flatten(item)]
    return [np.array(value, dtype=np.float64)]


def call_outputs(func: Callable, args: Sequence, indices: Sequence[int]) -> list[np.ndarray]:
    """Call ``func`` on a copy of ``args`` and return its outputs (see the
    module docstring); ``indices`` are the differentiable parameters."""
    work = copy_args(args)
    result = func(*work)
    if result is None:
        return [np.array(work[i], dtype=np.float64) for i in indices if isinstance(work[i], np.ndarray)]
    return flatten(result)


def dot(xs: Sequence, ys: Sequence) -> float:
    """The sum of the elementwise products of two equally long lists of
    floats and arrays (pairs of equal shape)."""
    if len(xs) != len(ys):
        raise ValueError(f"dot of {len(xs)} and {len(ys)} items")
    total = 0.0
    for x, y in zip(xs, ys):
        x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
        if x.shape != y.shape:
            raise ValueError(f"dot of shapes {x.shape} and {y.shape}")
        total += float(np.sum(x * y))
    return total


def abs_dot(xs: Sequence, ys: Sequence) -> float:
    """``dot`` of the absolute values: the scale of the rounding error of ``dot``."""
    return dot([np.abs(np.asarray(x, dtype=np.float64)) for x in xs],
               [np.abs(np.asarray(y, dtype=np.float64)) for y in ys])


# -- finite differences ----------------------------------------------------------------------------------


def _shifted(args: Sequence, indices: Sequence[int], direction: Sequence, t: float) -> list:
    shifted = copy_args(args)
    for i, d in zip(indices, direction):
        shifted[i] = shifted[i] + t * d
    return shifted


def directional_difference(func: Callable, args: Sequence, indices: Sequence[int], direction: Sequence,
                           h: float = RELATIVE_STEP) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The derivative of ``call_outputs(func, ...)`` along ``direction``, and
    an estimate of its error, per output.

    The fourth-order central difference D(h) = (f(-2h) - 8f(-h) + 8f(h) -
    f(2h)) / 12h is taken at h and h/2 and Richardson-extrapolated,
    (16 D(h/2) - D(h)) / 15, which cancels the h**4 error term: for smooth f
    and h = 1e-3 both the truncation error (order h**6) and the rounding
    error (about eps * |f| / h) stay near 1e-12 relative, even for loops of
    tens of steps whose high derivatives are large.  The error estimate is
    |extrapolated - D(h/2)| plus that rounding error."""
    estimates, magnitude = {}, None
    for step in (h, h / 2.0):
        samples = {k: call_outputs(func, _shifted(args, indices, direction, k * step), indices) for k in (-2, -1, 1, 2)}
        estimates[step] = [(m2 - 8.0 * m1 + 8.0 * p1 - p2) / (12.0 * step)
                           for m2, m1, p1, p2 in zip(samples[-2], samples[-1], samples[1], samples[2])]
        if magnitude is None:
            magnitude = [np.maximum(np.abs(m2), np.abs(p2)) for m2, p2 in zip(samples[-2], samples[2])]
    coarse, fine = estimates[h], estimates[h / 2.0]
    extrapolated = [(16.0 * f - c) / 15.0 for f, c in zip(fine, coarse)]
    errors = [np.abs(e - f) + 100.0 * EPS * m / h for e, f, m in zip(extrapolated, fine, magnitude)]
    return extrapolated, errors


# -- the generated functions ---------------------------------------------------------------------------------


@dataclass
class Derivatives:
    """The generated functions of one function ``f``: its primal copy and
    ``f_vjp`` and/or ``f_jvp`` (None where that mode was not given)."""

    name: str
    primal: Callable
    vjp: Callable | None
    jvp: Callable | None

    @classmethod
    def find(cls, modules: ModuleType | Sequence[ModuleType], name: str) -> "Derivatives":
        modules = [modules] if isinstance(modules, ModuleType) else list(modules)
        found = {suffix: next((getattr(m, f"{name}_{suffix}") for m in modules if hasattr(m, f"{name}_{suffix}")),
                              None) for suffix in ("vjp", "jvp")}
        primal = next((getattr(m, name) for m in modules if hasattr(m, name)), None)
        if primal is None or found["vjp"] is None and found["jvp"] is None:
            raise ValueError(f"no generated derivative of '{name}' in the given modules")
        return cls(name, primal, found["vjp"], found["jvp"])


@dataclass
class Point:
    """The arguments, the differentiable ones among them, and the outputs."""

    args: list
    indices: list[int]  # positions of the differentiable parameters
    names: list[str]
    procedure: bool
    outputs: list[np.ndarray]
    structure: object  # the returned value, for the structure of y_bar

    def cotangent(self, rng: np.random.Generator) -> list[np.ndarray]:
        return [rng.standard_normal(o.shape) for o in self.outputs]

    def seed(self, w: list[np.ndarray]) -> object:
        """``w`` in the structure of the returned value (y_bar)."""
        leaves = iter(w)

        def build(value: object) -> object:
            if isinstance(value, tuple):
                return tuple(build(item) for item in value)
            leaf = next(leaves)
            return leaf.copy() if isinstance(value, np.ndarray) else float(leaf)

        return build(self.structure)


def reverse_gradient(derivs: Derivatives, point: Point, w: list[np.ndarray]) -> list:
    """``vjp(w)``: the adjoint of each differentiable parameter."""
    args = copy_args(point.args)
    if not point.procedure:
        result = derivs.vjp(*args, point.seed(w))
        adjoints = list(result[1:])
    else:
        arrays = [i for i in point.indices if isinstance(point.args[i], np.ndarray)]
        bars = [w[k].copy() for k in range(len(arrays))]
        scalars = iter(derivs.vjp(*args, *bars))
        by_array = dict(zip(arrays, bars))
        adjoints = [by_array[i] if i in by_array else next(scalars) for i in point.indices]
    if len(adjoints) != len(point.indices):
        raise ValueError(f"{derivs.name}_vjp returns {len(adjoints)} adjoints for {len(point.indices)} "
                         f"differentiable parameters ({', '.join(point.names)}): say which with wrt")
    return adjoints


def forward_tangent(derivs: Derivatives, point: Point, direction: list) -> list[np.ndarray]:
    """``jvp(direction)``: the tangents of the outputs."""
    args, tangents = copy_args(point.args), copy_args(direction)
    result = derivs.jvp(*args, *tangents)
    if point.procedure:
        return [np.array(t, dtype=np.float64) for t, i in zip(tangents, point.indices)
                if isinstance(point.args[i], np.ndarray)]
    return flatten(result[1])


# -- the checks ----------------------------------------------------------------------------------------------


@dataclass
class Comparison:
    """One derivative against its finite difference."""

    what: str
    mode: str
    derivative: float
    difference: float
    allowed: float  # the error allowed: rtol relative plus the finite difference's own error
    step: float
    fd_error: float

    @property
    def error(self) -> float:
        return abs(self.derivative - self.difference)

    @property
    def relative(self) -> float:
        return self.error / max(abs(self.difference), abs(self.derivative), np.finfo(np.float64).tiny)

    @property
    def passed(self) -> bool:
        return self.error <= self.allowed


@dataclass
class DotTest:
    lhs: float
    rhs: float
    scale: float

    @property
    def relative(self) -> float:
        return abs(self.lhs - self.rhs) / max(self.scale, np.finfo(np.float64).tiny)

    @property
    def passed(self) -> bool:
        return self.relative <= DOT_RTOL


@dataclass
class Report:
    func: str
    modes: list[str]
    rows: list[tuple[str, list[Comparison]]] = field(default_factory=list)  # per parameter, its comparisons
    dot_test: DotTest | None = None

    @property
    def passed(self) -> bool:
        comparisons = [c for _, row in self.rows for c in row]
        return all(c.passed for c in comparisons) and (self.dot_test is None or self.dot_test.passed)

    def format(self) -> str:
        lines = [f"{self.func}: {' and '.join(self.modes)} mode against central finite differences "
                 "(Richardson-extrapolated)",
                 f"  {'parameter':<12} {'check':<18} {'mode':<8} {'derivative':>13} {'finite diff.':>13} "
                 f"{'error':>9} {'rel. error':>10} {'step':>8} {'fd error':>9}  result"]
        for name, row in self.rows:
            for c in row:
                relative = f"{c.relative:.2e}" if c.error > c.fd_error else "-"  # within the difference's own error
                lines.append(f"  {name:<12} {c.what:<18} {c.mode:<8} {c.derivative:>13.6e} {c.difference:>13.6e} "
                             f"{c.error:>9.1e} {relative:>10} {c.step:>8.1e} {c.fd_error:>9.1e}  "
                             f"{'ok' if c.passed else 'FAILED'}")
        if self.dot_test is not None:
            t = self.dot_test
            lines.append(f"  dot-product test <jvp(v), w> = {t.lhs:.15e}, <v, vjp(w)> = {t.rhs:.15e}: "
                         f"rel. error {t.relative:.2e} (at most {DOT_RTOL:.0e}) {'ok' if t.passed else 'FAILED'}")
        lines.append(f"{self.func}: {'passed' if self.passed else 'FAILED'}")
        return "\n".join(lines)


def check(modules: ModuleType | Sequence[ModuleType], func: str, args: Sequence, *,
          wrt: Sequence[str] | None = None, rtol: float = DEFAULT_RTOL, seed: int = 0,
          max_elements: int = MAX_ELEMENTS) -> Report:
    """The report of the checks of the module docstring; ``wrt`` names the
    parameters the modules differentiate (default: every argument that is a
    float or a float array)."""
    derivs = Derivatives.find(modules, func)
    point = _point(derivs, list(args), wrt)
    rng = np.random.default_rng(seed)
    w = point.cotangent(rng)
    gradient = reverse_gradient(derivs, point, w) if derivs.vjp is not None else None
    report = Report(func, [m for m, f in (("reverse", derivs.vjp), ("forward", derivs.jvp)) if f is not None])
    for k, (index, name) in enumerate(zip(point.indices, point.names)):
        value = np.asarray(point.args[index], dtype=np.float64)
        if value.ndim == 0:  # a scalar: its derivative is its one element
            report.rows.append((name, [_compare(derivs, point, k, np.ones(()), w, gradient, _step(value), rtol,
                                                "derivative")]))
        elif value.size:
            v = rng.standard_normal(value.shape)
            direction = _compare(derivs, point, k, v, w, gradient, _step(value), rtol, "random direction")
            report.rows.append((name, [direction, _worst_element(derivs, point, k, name, w, gradient, rtol,
                                                                 max_elements, rng)]))
    if derivs.vjp is not None and derivs.jvp is not None and point.indices:
        v = [_random_like(rng, point.args[i]) for i in point.indices]
        tangent = forward_tangent(derivs, point, v)
        adjoint = reverse_gradient(derivs, point, w)
        report.dot_test = DotTest(dot(tangent, w), dot(v, adjoint), abs_dot(tangent, w) + abs_dot(v, adjoint))
    return report


def check_grads(modules: ModuleType | Sequence[ModuleType], func: str, args: Sequence, **options) -> Report:
    """Check the generated derivatives of ``func`` at ``args`` (``check``);
    raise ``AssertionError`` with the report when a check fails."""
    report = check(modules, func, args, **options)
    if not report.passed:
        raise AssertionError(report.format())
    return report


def _point(derivs: Derivatives, args: list, wrt: Sequence[str] | None) -> Point:
    names = list(derivs.primal.__code__.co_varnames[:derivs.primal.__code__.co_argcount]) \
        if hasattr(derivs.primal, "__code__") else _dispatcher_params(derivs.primal)
    if len(names) != len(args):
        raise ValueError(f"{derivs.name} takes {len(names)} arguments ({', '.join(names)}), {len(args)} given")
    if wrt is None:
        indices = [i for i, a in enumerate(args) if _differentiable(a)]
    else:
        unknown = sorted(set(wrt) - set(names))
        if unknown:
            raise ValueError(f"{derivs.name} has no parameter {', '.join(unknown)}")
        indices = [i for i, n in enumerate(names) if n in wrt]
    work = copy_args(args)
    result = derivs.primal(*work)
    procedure = result is None
    outputs = [np.array(work[i], dtype=np.float64) for i in indices if isinstance(work[i], np.ndarray)] \
        if procedure else flatten(result)
    return Point(args, indices, [names[i] for i in indices], procedure, outputs, result)


def _dispatcher_params(primal: Callable) -> list[str]:
    """The parameter names of a numba dispatcher's Python function."""
    code = primal.py_func.__code__
    return list(code.co_varnames[:code.co_argcount])


def _differentiable(value: object) -> bool:
    if isinstance(value, np.ndarray):
        return value.dtype.kind == "f"
    return isinstance(value, (float, np.floating))


def _step(value: np.ndarray) -> float:
    """The finite-difference step for a change of ``value`` by a direction
    of unit entries: relative to its size, at least ``RELATIVE_STEP``."""
    return RELATIVE_STEP * max(1.0, float(np.sqrt(np.mean(value * value))))


def _random_like(rng: np.random.Generator, value: object) -> object:
    return rng.standard_normal(value.shape) if isinstance(value, np.ndarray) else float(rng.standard_normal())


def _along(point: Point, k: int, v: np.ndarray) -> list:
    """A direction of every differentiable parameter: ``v`` for the k-th, zero elsewhere."""
    direction = [np.zeros_like(point.args[i], dtype=np.float64) if isinstance(point.args[i], np.ndarray) else 0.0
                 for i in point.indices]
    direction[k] = v if isinstance(point.args[point.indices[k]], np.ndarray) else float(v)  # 0-d -> float
    return direction


def _compare(derivs: Derivatives, point: Point, k: int, v: np.ndarray, w: list[np.ndarray], gradient: list | None,
             h: float, rtol: float, what: str) -> Comparison:
    """``<d f(v), w>`` by the modes given (reverse first) against its finite difference."""
    direction = _along(point, k, v)
    estimate, errors = directional_difference(derivs.primal, point.args, point.indices, direction, h)
    difference = dot(estimate, w)
    fd_error = abs_dot(errors, w)
    if gradient is not None:
        mode, derivative = "reverse", dot([direction[k]], [gradient[k]])
    else:
        mode, derivative = "forward", dot(forward_tangent(derivs, point, direction), w)
    allowed = rtol * max(abs(difference), abs(derivative)) + fd_error
    return Comparison(what, mode, derivative, difference, allowed, h, fd_error)


def _worst_element(derivs: Derivatives, point: Point, k: int, name: str, w: list[np.ndarray], gradient: list | None,
                   rtol: float, max_elements: int, rng: np.random.Generator) -> Comparison:
    """The element of array parameter k whose derivative is furthest from its
    finite difference, relative to what is allowed."""
    value = np.asarray(point.args[point.indices[k]], dtype=np.float64)
    elements = list(itertools.product(*(range(n) for n in value.shape)))
    if len(elements) > max_elements:
        chosen = set(rng.choice(len(elements), max_elements - 1, replace=False).tolist())
        if gradient is not None:
            chosen.add(int(np.argmax(np.abs(np.asarray(gradient[k])))))
        elements = [elements[j] for j in sorted(chosen)]
    worst = None
    for element in elements:
        unit = np.zeros(value.shape)
        unit[element] = 1.0
        label = f"{name}[{', '.join(map(str, element))}]"
        comparison = _compare(derivs, point, k, unit, w, gradient, _step(value[element]), rtol, f"worst {label}")
        if worst is None or comparison.error / max(comparison.allowed, np.finfo(np.float64).tiny) > \
                worst.error / max(worst.allowed, np.finfo(np.float64).tiny):
            worst = comparison
    return worst
