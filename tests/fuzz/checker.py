"""The differential checker: one generated program through adxform's
command line in both modes, its derivative functions against its primal,
finite differences and each other.

Outcomes (``Outcome.kind``):

* ``correct``: every check passed;
* ``refused``: adxform printed diagnostics (``codes`` holds their codes),
  or a derivative function raised one of the ``ValueError``s by which the
  docs say it refuses an argument the source did not let it expect: an
  array of more dimensions than the source reads (code
  ``runtime-ndim-check``), an array for a parameter taken for a number
  (``runtime-number-check``);
* ``tool-bug``: adxform raised, exited 2, or wrote a module that does not
  import, does not compile, or has the wrong functions, arity or shapes;
* ``wrong-derivative``: a derivative function ran but gave a value other
  than the primal's, a derivative other than finite differences or the
  other mode, or changed an argument it should have left alone;
* ``invalid``: the program itself failed (its primal raised or gave a
  non-finite value): a bug of the generator, not of adxform.

The checks at each input point: the values of ``f_jvp`` and ``f_vjp``
against the primal's, the arguments each call leaves against those the
primal leaves, the tangent and cotangent arrays the API does not declare
in/out against their copies, ``<jvp(v), w> == <v, vjp(w)>``, ``vjp(2w) ==
2 vjp(w)``, ``f_grad``/``f_value_and_grad`` against ``f_vjp(1.0)``, and the
tangent against central differences.  A differentiable parameter that
``f_jvp`` takes no tangent for (adxform passes through one the function
never reads) must leave the outputs unchanged when it moves.  A point where the differences
at two step sizes disagree lies near a kink, a branch switch or a change of
trip count: the checker draws another point instead of reporting it.

``extras`` checks more modules of the same program against the reverse
mode (``python -m tests.fuzz --also checkpoint,hvp``):

* ``checkpoint``: the program with ``# adxform: checkpoint(snapshots=2)``
  above each loop at the top of a function's body, reversed: its
  ``f_vjp`` must give the adjoints of the plain reverse mode;
* ``hvp``: ``adxform hvp`` of a function that returns a float: ``f_hvp``
  gives the value and the gradient, a symmetric ``<w, H v> == <v, H w>``,
  and ``H v`` equal to central differences of the gradient along ``v``
  where those are smooth.

Where adxform refuses an extra module, the program is checked without it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib.util
import inspect
import io
import itertools
import math
import re
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import numba
import numpy as np

from .generator import Program, build_inputs

VALUE_RTOL = 1e-10
DOT_RTOL = 1e-10
SCALE_RTOL = 1e-12
FD_RTOL = 1e-6
KINK_RTOL = 1e-7  # the two step sizes agree this well at a smooth point
FD_STEP = 1e-3
POINTS = 4  # input points tried before giving up on finite differences
# a value this large has derivatives that may overflow to inf or nan in one mode and not the other
# (u ends at -6e273 where an iteration squares it): a point of no use, not a wrong derivative
HUGE = 1e100
# derivatives this large in both modes (from inputs in [-1, 1] and a handful of operations) come from values
# that explode (an iteration that cubes them): rounding, amplified by cancellation, then decides how far the two
# modes agree, not adxform (fuzz seed 72226: both right at 0.01 times the inputs, 16% apart at 1 times)
BLOWN_UP = 1e12

CORRECT, REFUSED, TOOL_BUG, WRONG, INVALID = "correct", "refused", "tool-bug", "wrong-derivative", "invalid"
FAILURES = (TOOL_BUG, WRONG)
EXTRAS = ("checkpoint", "hvp")
CHECKPOINT = "# adxform: checkpoint(snapshots=2)"  # two snapshots: most iterations run again before their adjoint

Transform = Callable[[Path, str, Path, str], tuple[int, str]]
"""``transform(source, mode, output, jit) -> (exit code, stderr)``: adxform's
command line, or a fake one in the checker's self-test."""


@dataclass
class Outcome:
    kind: str
    check: str = ""  # which check failed, or the mode that refused
    detail: str = ""
    codes: tuple[str, ...] = ()
    inputs: list = field(default_factory=list)  # the arguments at the failing point
    fd_checked: bool = False  # finite differences found a smooth point
    extras_refused: dict[str, tuple[str, ...]] = field(default_factory=dict)  # extra mode -> its diagnostic codes

    def headline(self) -> str:
        first = self.detail.strip().splitlines()[-1] if self.detail.strip() else ""
        return f"{self.kind} [{self.check}] {first}"


class Failed(Exception):
    """A check failed; ``kind`` is ``tool-bug`` or ``wrong-derivative``."""

    def __init__(self, kind: str, check: str, detail: str):
        super().__init__(f"{kind} [{check}]: {detail}")
        self.kind, self.check, self.detail = kind, check, detail


class Invalid(Exception):
    """The generated program itself is broken (a generator bug)."""


class RuntimeRefusal(Exception):
    """A derivative function refused its arguments as the docs say it does:
    an array whose elements the source reads (``a[i]``) has more dimensions
    than that read allows (``M[0]`` of a matrix read as a row where nothing
    else in the body shows that ``M`` is 2-D), or an array was passed for a
    parameter that only meets float arithmetic (taken for a number), or a
    product of arrays of dimensions the source does not show, which reverse
    mode took for an array, is a number.
    ``args[1]`` is the refusal's code."""


# what the message of each run-time refusal says -> its code in the histogram
RUNTIME_REFUSALS = {"adxform differentiates an element of": "runtime-ndim-check",
                    "this product is a number for vectors": "runtime-ndim-check",
                    "so adxform differentiated it as a number": "runtime-number-check",
                    "so adxform differentiated it as an array": "runtime-array-check",
                    "reverse mode cannot tell their adjoints apart": "runtime-overlap-check"}


# ------------------------------------------------------------------ running adxform

_CODE = re.compile(r": error: .*\[([\w-]+)\]\s*$")


def cli_transform(source: Path, mode: str, output: Path, jit: str) -> tuple[int, str]:
    """adxform's command line, called in-process (``cli.main``); the mode
    ``checkpoint`` is reverse mode (of a source with checkpoint directives)."""
    from adxform.cli import main

    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
        code = main(["reverse" if mode == "checkpoint" else mode, str(source), "-o", str(output), "--jit", jit])
    return code, stderr.getvalue()


def diagnostic_codes(stderr: str) -> tuple[str, ...]:
    return tuple(match.group(1) for line in stderr.splitlines() if (match := _CODE.search(line)))


_module_counter = itertools.count()


def import_file(path: Path) -> ModuleType:
    """Import ``path`` as a fresh module (not left in ``sys.modules``)."""
    name = f"_adxform_fuzz_{path.stem}_{next(_module_counter)}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[name]
    return module


def compiled_primal(path: Path, jit: str) -> ModuleType:
    """The program as a module; with numba, every function replaced by its
    ``numba.njit`` dispatcher (calls between them resolve through the
    module's globals, so they stay compiled)."""
    module = import_file(path)
    if jit == "numba":
        import numba

        for name, value in list(vars(module).items()):
            if callable(value) and getattr(value, "__module__", None) == module.__name__:
                setattr(module, name, numba.njit(value))
    return module


# ------------------------------------------------------------------ values


def copy_args(args: Sequence) -> list:
    return [a.copy() if isinstance(a, np.ndarray) else a for a in args]


def flatten(value: object) -> list[np.ndarray]:
    if isinstance(value, tuple):
        return [leaf for item in value for leaf in flatten(item)]
    return [np.array(value, dtype=np.float64)]


def dot(xs: Sequence, ys: Sequence) -> tuple[float, float]:
    """The sum of elementwise products of two lists of arrays, and the sum
    of their absolute values (the scale of its rounding error)."""
    if len(xs) != len(ys):
        raise Failed(TOOL_BUG, "arity", f"dot of {len(xs)} and {len(ys)} items")
    total, scale = 0.0, 0.0
    for x, y in zip(xs, ys):
        x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
        if x.shape != y.shape:
            raise Failed(TOOL_BUG, "shape", f"shapes {x.shape} and {y.shape}")
        total += float(np.sum(x * y))
        scale += float(np.sum(np.abs(x * y)))
    return total, scale


def norm(xs: Sequence) -> float:
    """The 2-norm of a list of arrays, as one vector."""
    return math.sqrt(sum(float(np.sum(np.asarray(x, dtype=np.float64) ** 2)) for x in xs))


def close(actual: Sequence, expected: Sequence, rtol: float) -> str:
    """'' when two lists of arrays agree to ``rtol`` relative to
    max(1, largest expected); else what differs."""
    if len(actual) != len(expected):
        return f"{len(actual)} items, expected {len(expected)}"
    for k, (a, e) in enumerate(zip(actual, expected)):
        a, e = np.asarray(a, dtype=np.float64), np.asarray(e, dtype=np.float64)
        if a.shape != e.shape:
            return f"item {k}: shape {a.shape}, expected {e.shape}"
        scale = max(1.0, float(np.max(np.abs(e), initial=0.0)))
        err = float(np.max(np.abs(a - e), initial=0.0)) if a.size else 0.0
        if not err <= rtol * scale:
            return f"item {k}: error {err:.3e} > {rtol:.0e} * {scale:.3g}\n  got      {a}\n  expected {e}"
    return ""


def expect(condition_message: str, kind: str, check: str) -> None:
    if condition_message:
        raise Failed(kind, check, condition_message)


# ------------------------------------------------------------------ the checks


@dataclass
class Subject:
    """A program with its primal and its two derivative modules."""

    program: Program
    primal: Callable
    forward: ModuleType
    reverse: ModuleType
    plain: Callable | None = None  # the primal as plain Python, run to see its values overflow
    extras: dict[str, ModuleType] = field(default_factory=dict)  # extra mode -> its module (``EXTRAS``)

    def generated(self, module: ModuleType, suffix: str) -> Callable:
        name = f"{self.program.entry}_{suffix}"
        func = getattr(module, name, None)
        if func is None:
            raise Failed(TOOL_BUG, "missing", f"the generated module has no {name}")
        return func

    def call(self, func: Callable, *args):
        """Call a generated function; an exception is adxform's bug, but for
        the documented run-time refusal of an array of the wrong ndim."""
        try:
            return func(*args)
        except Exception as err:  # a tool bug to report, but for the documented refusals
            for says, code in RUNTIME_REFUSALS.items():  # a ValueError, or numba's TypingError as it compiles
                if says in str(err) and isinstance(err, (ValueError, numba.core.errors.TypingError)):
                    raise RuntimeRefusal(str(err), code) from None
            raise Failed(TOOL_BUG, "raised", traceback.format_exc(limit=-3)) from None


def primal_outputs(subject: Subject, args: Sequence) -> tuple[list[np.ndarray], list]:
    """(the outputs, the arguments the primal left): the outputs are the
    flat value, or for a procedure the differentiable arrays it left."""
    work = copy_args(args)
    try:
        value = subject.primal(*work)
    except Exception as err:  # the program failed: the generator made a bad program
        raise Invalid(f"the primal raised {type(err).__name__}: {str(err)[:2000]}") from None
    outputs = _array_outputs(subject.program, work) if subject.program.procedure else flatten(value)
    if not all(np.all(np.isfinite(o)) for o in outputs):
        raise Invalid("the primal gave a non-finite value")
    largest = max((float(np.max(np.abs(o), initial=0.0)) for o in outputs), default=0.0)
    if largest > HUGE:
        raise Invalid(f"the primal's values blow up (|value| up to {largest:.1e}): derivatives overflow")
    if subject.plain is not None:
        try:
            with np.errstate(over="raise", invalid="raise", divide="raise"):
                subject.plain(*copy_args(args))
        except (FloatingPointError, OverflowError) as err:  # a nan or inf on the way, in a branch not returned
            raise Invalid(f"the primal overflows or makes a nan on the way ({err})") from None
    return outputs, work


def _array_outputs(program: Program, args: Sequence) -> list[np.ndarray]:
    return [np.array(args[i], dtype=np.float64) for i in program.differentiable if isinstance(args[i], np.ndarray)]


def random_like(rng: np.random.Generator, value) -> object:
    if isinstance(value, tuple):
        return tuple(random_like(rng, item) for item in value)
    if isinstance(value, np.ndarray) and value.ndim > 0:
        return rng.standard_normal(value.shape)
    return float(rng.standard_normal())


def check_unchanged(after: Sequence, before: Sequence, what: str) -> None:
    """Arrays the API does not declare in/out are left as they were."""
    for k, (a, b) in enumerate(zip(after, before)):
        if isinstance(b, np.ndarray) and not np.array_equal(a, b):
            raise Failed(WRONG, "wrote-argument", f"{what} {k} was written")


def run_jvp(subject: Subject, args: Sequence, direction: list, expected: list, left: list) -> list[np.ndarray]:
    """``f_jvp`` at ``args`` along ``direction``: checks its value and side
    effects; returns the output tangents (flat)."""
    program = subject.program
    work, tangents = copy_args(args), copy_args(direction)
    result = subject.call(subject.generated(subject.forward, "jvp"), *work, *tangents)
    expect(close(_outputs_left(program, work, result), expected, VALUE_RTOL), WRONG, "jvp-value")
    expect(close(_float_arrays(work), _float_arrays(left), VALUE_RTOL), WRONG, "jvp-arguments")
    if program.procedure:
        return [tangents[k] for k, i in enumerate(program.differentiable) if isinstance(args[i], np.ndarray)]
    check_unchanged(tangents, direction, "tangent argument")
    if not (isinstance(result, tuple) and len(result) == 2):
        raise Failed(TOOL_BUG, "arity", f"f_jvp returned {result!r}, not (y, y_dot)")
    return flatten(result[1])


def _outputs_left(program: Program, work: list, result) -> list[np.ndarray]:
    if program.procedure:
        return _array_outputs(program, work)
    if not (isinstance(result, tuple) and len(result) == 2):
        raise Failed(TOOL_BUG, "arity", f"returned {result!r}, not a pair")
    return flatten(result[0])


def _float_arrays(args: Sequence) -> list:
    return [a for a in args if isinstance(a, np.ndarray)]


def run_vjp(subject: Subject, args: Sequence, cotangent, expected: list, left: list) -> list:
    """``f_vjp`` at ``args`` for ``cotangent``: checks its value, side
    effects and arity; returns the adjoints of the differentiable
    parameters, in order."""
    program = subject.program
    f_vjp = subject.generated(subject.reverse, "vjp")
    work = copy_args(args)
    indices = program.differentiable
    if program.procedure:
        arrays = copy_args(cotangent)
        returned = subject.call(f_vjp, *work, *arrays)
        scalars = [i for i in indices if not isinstance(args[i], np.ndarray)]
        if not (isinstance(returned, tuple) and len(returned) == len(scalars)):
            raise Failed(TOOL_BUG, "arity", f"p_vjp returned {returned!r}, expected {len(scalars)} scalar adjoints")
        expect(close(_array_outputs(program, work), expected, VALUE_RTOL), WRONG, "vjp-value")
        array_iter, scalar_iter = iter(arrays), iter(returned)
        adjoints = [next(array_iter) if isinstance(args[i], np.ndarray) else next(scalar_iter) for i in indices]
    else:
        seed = _scaled(cotangent, 1.0)  # a copy, which f_vjp must leave as it is
        result = subject.call(f_vjp, *work, seed)
        if not (isinstance(result, tuple) and len(result) == 1 + len(indices)):
            raise Failed(TOOL_BUG, "arity", f"f_vjp returned {len(result) if isinstance(result, tuple) else result!r}"
                         f" items, expected 1 + {len(indices)}")
        expect(close(flatten(result[0]), expected, VALUE_RTOL), WRONG, "vjp-value")
        expect(close(flatten(seed), flatten(cotangent), 0.0), WRONG, "wrote-cotangent")
        adjoints = list(result[1:])
    expect(close(_float_arrays(work), _float_arrays(left), VALUE_RTOL), WRONG, "vjp-arguments")
    for i, adjoint in zip(indices, adjoints):
        if np.shape(adjoint) != np.shape(args[i]):
            raise Failed(TOOL_BUG, "shape", f"adjoint of argument {i} has shape {np.shape(adjoint)}, "
                         f"expected {np.shape(args[i])}")
    return adjoints


def run_grad(subject: Subject, args: Sequence, adjoints_of_one: list, value: list) -> None:
    """``f_grad`` and ``f_value_and_grad`` of a float function against
    ``f_vjp(..., 1.0)``."""
    k = len(subject.program.differentiable)
    gradient = subject.call(subject.generated(subject.reverse, "grad"), *copy_args(args))
    value_and_grad = subject.call(subject.generated(subject.reverse, "value_and_grad"), *copy_args(args))
    listed = [gradient] if k == 1 else list(gradient)
    expect(close(listed, adjoints_of_one, SCALE_RTOL), WRONG, "grad")
    expect(close(flatten(value_and_grad[0]), value, VALUE_RTOL), WRONG, "value-and-grad-value")
    listed = [value_and_grad[1]] if k == 1 else list(value_and_grad[1])
    expect(close(listed, adjoints_of_one, SCALE_RTOL), WRONG, "value-and-grad")


Outputs = Callable[[list], list[np.ndarray]]


def finite_difference(subject: Subject, args: Sequence, direction: list, h: float,
                      outputs: Outputs | None = None) -> list[np.ndarray]:
    """The fourth-order central difference along ``direction`` of the
    primal's outputs, or of ``outputs(args)`` (the gradient, for ``hvp``)."""
    def at(t: float) -> list[np.ndarray]:
        shifted = copy_args(args)
        for i, d in zip(subject.program.differentiable, direction):
            shifted[i] = shifted[i] + t * d
        return outputs(shifted) if outputs is not None else primal_outputs(subject, shifted)[0]

    m2, m1, p1, p2 = at(-2 * h), at(-h), at(h), at(2 * h)
    return [(a - 8.0 * b + 8.0 * c - d) / (12.0 * h) for a, b, c, d in zip(m2, m1, p1, p2)]


def smooth_difference(subject: Subject, args: Sequence, direction: list, step: float = FD_STEP,
                      outputs: Outputs | None = None) -> list[np.ndarray] | None:
    """The Richardson extrapolation of the differences at two step sizes,
    or None when the two disagree (a kink or jump nearby)."""
    coarse = finite_difference(subject, args, direction, step, outputs)
    fine = finite_difference(subject, args, direction, step / 2, outputs)
    if close(fine, coarse, KINK_RTOL):
        return None
    return [(16.0 * f - c) / 15.0 for f, c in zip(fine, coarse)]


def check_point(subject: Subject, args: list, rng: np.random.Generator) -> bool:
    """All checks at one input point; True when finite differences were
    compared (the point was smooth)."""
    program = subject.program
    expected, left = primal_outputs(subject, args)
    for i in program.passed_through:  # no derivative: the outputs must not depend on it
        moved = copy_args(args)
        moved[i] = moved[i] + random_like(rng, moved[i])
        expect(close(primal_outputs(subject, moved)[0], expected, 0.0), WRONG, "passed-through")
    direction = [rng.standard_normal(args[i].shape) if isinstance(args[i], np.ndarray) else float(rng.standard_normal())
                 for i in program.differentiable]
    tangent = run_jvp(subject, args, direction, expected, left)

    if program.procedure:
        cotangent = [rng.standard_normal(args[i].shape) for i in program.differentiable
                     if isinstance(args[i], np.ndarray)]
        doubled = [2.0 * c for c in cotangent]
        flat_cotangent = cotangent
    else:
        value = subject.primal(*copy_args(args))
        cotangent = random_like(rng, value)
        doubled = _scaled(cotangent, 2.0)
        flat_cotangent = flatten(cotangent)
    adjoints = run_vjp(subject, args, cotangent, expected, left)
    if _blown_up(tangent) and _blown_up(adjoints):
        raise Invalid(f"the derivatives blow up in both modes (beyond {BLOWN_UP:.0e}, or not finite): rounding "
                      "decides there")

    lhs, lhs_scale = dot(tangent, flat_cotangent)
    rhs, rhs_scale = dot(direction, adjoints)
    # where the derivative cancels to zero (u / (1 + u**2) - u / (1 + u**2)), one mode may keep the rounding of
    # the terms that cancel: that is the scale of |v| |w| for a derivative of order one
    cancelled = norm(direction) * norm(flat_cotangent)
    if not abs(lhs - rhs) <= DOT_RTOL * max(lhs_scale, rhs_scale, cancelled, 1e-300):
        raise Failed(WRONG, "dot-product", f"<jvp(v), w> = {lhs!r} but <v, vjp(w)> = {rhs!r}")
    expect(close(run_vjp(subject, args, doubled, expected, left), [2.0 * np.asarray(a) for a in adjoints],
                 SCALE_RTOL), WRONG, "vjp-scaling")
    # f_grad is absent where adxform types the value as an array; f_hvp needs a float value too
    if hasattr(subject.reverse, f"{program.entry}_grad") or "hvp" in subject.extras:
        adjoints_of_one = run_vjp(subject, args, 1.0, expected, left)
    if hasattr(subject.reverse, f"{program.entry}_grad"):
        run_grad(subject, args, adjoints_of_one, expected)
    if "checkpoint" in subject.extras:
        checkpointed = dataclasses.replace(subject, reverse=subject.extras["checkpoint"])
        with _accepted_by_reverse("checkpoint"):
            expect(close(run_vjp(checkpointed, args, cotangent, expected, left), adjoints, VALUE_RTOL), WRONG,
                   "checkpoint-vjp")
    if "hvp" in subject.extras:
        with _accepted_by_reverse("hvp"):
            check_hvp(subject, args, direction, [random_like(rng, d) for d in direction], expected, adjoints_of_one)

    reference = smooth_difference(subject, args, direction)
    if reference is None:
        return False
    if close(tangent, reference, FD_RTOL):
        # the differences may be off where higher derivatives are large, or a jump lies within both stencils
        # alike (fuzz seed 102400: right to 1e-8 at steps of 1e-6, 4e-5 off at 1e-3): a step 100 times smaller
        # decides
        reference = smooth_difference(subject, args, direction, FD_STEP / 100)
        if reference is None:
            return False
        expect(close(tangent, reference, FD_RTOL), WRONG, "finite-differences")
    return True


@contextlib.contextmanager
def _accepted_by_reverse(mode: str):
    """An extra module's run-time refusal of arguments that reverse mode
    took is a tool bug, not a refusal."""
    try:
        yield
    except RuntimeRefusal as refusal:
        raise Failed(TOOL_BUG, f"{mode}-refused", f"reverse mode took these arguments: {refusal.args[0]}") from None


def check_hvp(subject: Subject, args: Sequence, v: list, w: list, expected: list, gradient: list) -> None:
    """``f_hvp`` along ``v`` and ``w``: its value and ``gradient`` (reverse
    mode's, ``f_vjp(..., 1.0)``) against the primal's and reverse mode's,
    the symmetry of the Hessian, and ``H v`` against differences of the
    gradient where they are smooth."""
    f_hvp = subject.generated(subject.extras["hvp"], "hvp")
    k = len(subject.program.differentiable)

    def product(direction: list) -> list:
        result = subject.call(f_hvp, *copy_args(args), *copy_args(direction))
        if not (isinstance(result, tuple) and len(result) == 1 + 2 * k):
            raise Failed(TOOL_BUG, "hvp-arity", f"f_hvp returned {result!r}, expected 1 + 2 * {k} items")
        expect(close(flatten(result[0]), expected, VALUE_RTOL), WRONG, "hvp-value")
        expect(close(list(result[1:1 + k]), gradient, VALUE_RTOL), WRONG, "hvp-gradient")
        return list(result[1 + k:])

    hv, hw = product(v), product(w)
    (lhs, lhs_scale), (rhs, rhs_scale) = dot(w, hv), dot(v, hw)
    if not abs(lhs - rhs) <= DOT_RTOL * max(lhs_scale, rhs_scale, norm(v) * norm(w), 1e-300):
        raise Failed(WRONG, "hvp-symmetry", f"<w, H v> = {lhs!r} but <v, H w> = {rhs!r}")
    f_vjp = subject.generated(subject.reverse, "vjp")

    def gradient_at(point: list) -> list[np.ndarray]:
        return [np.asarray(g, dtype=np.float64) for g in subject.call(f_vjp, *copy_args(point), 1.0)[1:]]

    reference = smooth_difference(subject, args, v, outputs=gradient_at)
    if reference is not None:
        expect(close(hv, reference, FD_RTOL), WRONG, "hvp-finite-differences")


def _blown_up(values: Sequence) -> bool:
    """Whether derivatives are beyond ``BLOWN_UP`` or not finite: a point
    where the program's values explode (an iteration that squares them),
    and the two modes, each rounding its own way, may overflow apart."""
    arrays = [np.asarray(v, dtype=np.float64) for v in values]
    return any(not np.all(np.isfinite(a)) or float(np.max(np.abs(a), initial=0.0)) > BLOWN_UP for a in arrays)


def _scaled(value, factor: float):
    """``factor * value`` for a cotangent (a float, an array or a tuple):
    a new value, a copy for ``factor`` 1."""
    if isinstance(value, tuple):
        return tuple(_scaled(item, factor) for item in value)
    return factor * value


# ------------------------------------------------------------------ one program


def transform_both(program: Program, workdir: Path, jit: str, transform: Transform) -> dict[str, Path] | Outcome:
    """The derivative modules of ``program`` in both modes, or the outcome
    that stops the check (a refusal or a tool bug)."""
    source = workdir / "program.py"
    source.write_text(program.source)
    written: dict[str, Path] = {}
    codes: list[str] = []
    refused_in: list[str] = []
    diagnostics = ""  # what adxform printed where it refused
    for mode in ("forward", "reverse"):
        output = workdir / f"program_{mode}.py"
        try:
            code, stderr = transform(source, mode, output, jit)
        except Exception:  # adxform itself raised: an internal error
            return Outcome(TOOL_BUG, f"{mode}-crash", traceback.format_exc())
        if code == 1:
            found = diagnostic_codes(stderr)
            if not found:
                return Outcome(TOOL_BUG, f"{mode}-exit", f"exit 1 with no diagnostic code:\n{stderr}")
            codes += found
            refused_in.append(mode)
            diagnostics += stderr
        elif code != 0:
            return Outcome(TOOL_BUG, f"{mode}-exit", f"exit {code}:\n{stderr}")
        else:
            written[mode] = output
    if codes:
        return Outcome(REFUSED, "+".join(refused_in), diagnostics, tuple(sorted(set(codes))))
    return written


def checkpointed_source(source: str) -> str | None:
    """``source`` with ``CHECKPOINT`` above each loop at the top of a
    function's body (a checkpointed loop may not be inside another loop),
    or None where there is none."""
    lines = []
    for line in source.split("\n"):
        if re.match(r"    (for|while) ", line):
            lines.append("    " + CHECKPOINT)
        lines.append(line)
    return "\n".join(lines) if len(lines) > source.count("\n") + 1 else None


def transform_extras(program: Program, workdir: Path, jit: str, transform: Transform, extras: Sequence[str],
                     refused: dict[str, tuple[str, ...]]) -> dict[str, Path] | Outcome:
    """The modules of the ``extras`` that apply to ``program`` and that
    adxform writes, or the outcome of a tool bug; the codes of those it
    refuses go into ``refused``."""
    sources = {"checkpoint": checkpointed_source(program.source),
               "hvp": program.source if program.returns == "float" else None}
    written: dict[str, Path] = {}
    for mode in extras:
        if sources[mode] is None:
            continue
        source, output = workdir / f"program_{mode}_source.py", workdir / f"program_{mode}.py"
        source.write_text(sources[mode])
        try:
            code, stderr = transform(source, mode, output, jit)
        except Exception:  # adxform itself raised: an internal error
            return Outcome(TOOL_BUG, f"{mode}-crash", traceback.format_exc())
        if code not in (0, 1) or code == 1 and not diagnostic_codes(stderr):
            return Outcome(TOOL_BUG, f"{mode}-exit", f"exit {code}:\n{stderr}")
        if code == 0:
            written[mode] = output
        else:  # refused: the program is checked without this module
            refused[mode] = diagnostic_codes(stderr)
    return written


def check_program(program: Program, workdir: Path, jit: str = "none",
                  transform: Transform = cli_transform, extras: Sequence[str] = ()) -> Outcome:
    """Run ``program`` through ``transform`` in both modes (and the
    ``extras``) and check the derivative functions; see the module
    docstring."""
    workdir.mkdir(parents=True, exist_ok=True)
    written = transform_both(program, workdir, jit, transform)
    if isinstance(written, Outcome):
        return written
    refused: dict[str, tuple[str, ...]] = {}
    more = transform_extras(program, workdir, jit, transform, extras, refused)
    if isinstance(more, Outcome):
        return more
    try:
        primal = getattr(compiled_primal(workdir / "program.py", jit), program.entry)
    except Exception as err:  # the generated program does not import: a generator bug
        return Outcome(INVALID, "import", f"{type(err).__name__}: {err}")
    modules = {}
    for mode, path in {**written, **more}.items():
        try:
            modules[mode] = import_file(path)
        except Exception:  # the generated module does not import
            return Outcome(TOOL_BUG, f"{mode}-import", traceback.format_exc(limit=-3))
    plain = getattr(import_file(workdir / "program.py"), program.entry)
    program = dataclasses.replace(program, passed_through=passed_through(program, modules["forward"]))
    subject = Subject(program, primal, modules["forward"], modules["reverse"], plain,
                      {mode: modules[mode] for mode in more})
    return dataclasses.replace(check_points(subject), extras_refused=refused)


def passed_through(program: Program, forward: ModuleType) -> tuple[int, ...]:
    """The differentiable parameters ``f_jvp`` takes no tangent for: those
    adxform passes through, as the function never reads them."""
    f_jvp = getattr(forward, f"{program.entry}_jvp", None)
    if f_jvp is None:
        return ()
    tangents = list(inspect.signature(getattr(f_jvp, "py_func", f_jvp)).parameters)[len(program.params):]
    return tuple(i for i in program.differentiable
                 if not any(t.startswith(f"{program.params[i].name}_dot") for t in tangents))


def check_points(subject: Subject) -> Outcome:
    """The checks at up to ``POINTS`` input points, until one is smooth."""
    program = subject.program
    args: list = []
    with np.errstate(all="ignore"):  # a nan or overflow is reported by the checks, not as a warning
        try:
            for attempt in range(POINTS):
                rng = np.random.default_rng([program.input_seed, attempt])
                args = build_inputs(program, rng)
                if check_point(subject, args, rng):
                    return Outcome(CORRECT, fd_checked=True)
        except Failed as failure:
            return Outcome(failure.kind, failure.check, failure.detail, inputs=args)
        except Invalid as err:
            return Outcome(INVALID, "primal", str(err), inputs=args)
        except RuntimeRefusal as err:
            return Outcome(REFUSED, "run-time", err.args[0], (err.args[1],), inputs=args)
    return Outcome(CORRECT)
