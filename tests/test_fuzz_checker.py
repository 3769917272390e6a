"""The fuzz checker's self-test: a fake adxform that writes the real
generated module with one small error injected must be flagged, for every
error it can inject.

Errors injected (``--jit none`` modules, so the text is plain Python):

* the sign of one adjoint increment flipped (``x_bar += e`` -> ``-=``);
* one tangent assignment scaled by 1.001;
* one tangent or adjoint statement dropped;
* a derivative function that writes into an argument, a tangent argument
  or a cotangent argument after computing its result (its results are
  right: only the checks of what a call leaves behind can see it).

Each injection site gives one mutant; every mutant must come out as a
failure, and the unmutated modules as ``correct``.  A last test checks the
finite differences' kink detection.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from fuzz.checker import (CORRECT, EXTRAS, FAILURES, Subject, check_program, checkpointed_source, cli_transform,
                          smooth_difference)
from fuzz.generator import FLOAT, VECTOR, Param, Program

FUNCTION = Program(
    source='''import math

import numpy as np


def _h(v, x):
    s = 0.0
    for i in range(v.shape[0]):
        s += math.sin(v[i] * x) + v[i - 1] * v[i]
    return s


def f(u, x):
    n = u.shape[0]
    w = np.tanh(u) * x
    t = _h(w, x)
    for i in range(1, n):
        w[i] = w[i] * w[i - 1] + math.exp(-t * t)
    return t * np.sum(w ** 2) + x * x
''', entry="f", params=(Param("u", VECTOR), Param("x", FLOAT)), returns="float", size=5, ints=(), input_seed=1)

PROCEDURE = Program(
    source='''import math

import numpy as np


def f(u, x):
    n = u.shape[0]
    for i in range(n):
        u[i] = math.sin(u[i]) * x + 0.5 * u[i - 1]
    u[1:] = u[1:] * np.cos(u[:-1])
''', entry="f", params=(Param("u", VECTOR), Param("x", FLOAT)), returns="none", size=4, ints=(), input_seed=2)

VECTOR_VALUED = Program(
    source='''import math

import numpy as np


def f(u, x):
    w = np.sin(u) * math.cos(x)
    return w + u[0]
''', entry="f", params=(Param("u", VECTOR), Param("x", FLOAT)), returns="vector", size=4, ints=(), input_seed=3)

PROGRAMS = {"function": FUNCTION, "procedure": PROCEDURE, "vector": VECTOR_VALUED}

Mutation = Callable[[str, str], list[str]]
"""``mutation(text, mode) -> mutants``: one mutated module text per place
the error can go (none when the mode has no such place)."""

_ADJOINT_INCREMENT = re.compile(r"^(\s+\w+_bar\d*(?:\[[^\]]*\])?) ([+-])= ", re.M)
_TANGENT_ASSIGNMENT = re.compile(r"^(\s+\w+_dot\d*(?:\[[^\]]*\])? [+-]?= )(.+?)(  # .*)?$", re.M)
_CONSTANT = re.compile(r"^[\d.]+$")


def _adjoint_sites(text: str) -> list[re.Match]:
    return list(_ADJOINT_INCREMENT.finditer(text))


def _tangent_sites(text: str) -> list[re.Match]:
    """Tangent assignments but those of a constant (``s_dot = 0.0``), which
    scaling leaves as they are."""
    return [m for m in _TANGENT_ASSIGNMENT.finditer(text) if not _CONSTANT.match(m.group(2).strip())]


def _flipped(text: str, site: re.Match) -> str:
    return text[:site.start(2)] + {"+": "-", "-": "+"}[site.group(2)] + text[site.end(2):]


def flip_adjoint_sign(text: str, mode: str) -> list[str]:
    if mode != "reverse":
        return []
    return [_flipped(text, m) for m in _adjoint_sites(text)]


def scale_tangent(text: str, mode: str) -> list[str]:
    if mode != "forward":
        return []
    return [text[:m.start(2)] + f"1.001 * ({m.group(2)})" + text[m.end(2):] for m in _tangent_sites(text)]


def drop_statement(text: str, mode: str) -> list[str]:
    mutants = []
    for m in _adjoint_sites(text) if mode == "reverse" else _tangent_sites(text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        line_end = text.find("\n", m.end())
        indent = re.match(r"\s*", text[line_start:]).group(0)
        mutants.append(text[:line_start] + indent + "pass" + text[line_end:])
    return mutants


def _wrapped(text: str, function: str, write: str) -> str:
    """``function`` replaced by a wrapper that calls it, then runs ``write``
    (which may read ``args``, the call's arguments)."""
    return text + (f"\n\n_unwrapped_{function} = {function}\n\n\ndef {function}(*args):\n"
                   f"    result = _unwrapped_{function}(*args)\n    {write}\n    return result\n")


def write_into_argument(text: str, mode: str) -> list[str]:
    """Two mutants: ``f_jvp``/``f_vjp`` writes into its first argument (the
    array ``u``); and into a derivative argument, the tangent ``u_dot`` in
    forward mode, in reverse mode the last argument where it is an array
    (a cotangent ``y_bar``, an in/out adjoint ``u_bar``), else ``u``."""
    if mode == "forward":
        return [_wrapped(text, "f_jvp", "args[0][0] += 1e-3"), _wrapped(text, "f_jvp", "args[2][0] += 1e-3")]
    target = "(args[-1] if isinstance(args[-1], np.ndarray) else args[0])"
    return [_wrapped(text, "f_vjp", "args[0][0] += 1e-3"), _wrapped(text, "f_vjp", f"{target}[0] += 1e-3")]


MUTATIONS = {"flip-adjoint-sign": flip_adjoint_sign, "scale-tangent": scale_tangent,
             "drop-statement": drop_statement, "write-into-argument": write_into_argument}


@cache
def _generated(source: str, mode: str, workdir: Path) -> str:
    """The real module adxform writes for ``source`` in ``mode``."""
    workdir.mkdir(parents=True, exist_ok=True)
    path, output = workdir / "program.py", workdir / f"program_{mode}.py"
    path.write_text(source)
    code, stderr = cli_transform(path, mode, output, "none")
    assert code == 0, stderr
    return output.read_text()


def fake_adxform(mutant_mode: str, mutant_text: str, cache_dir: Path):
    """A transform that writes the real module, except ``mutant_text`` for
    ``mutant_mode``."""
    def transform(source: Path, mode: str, output: Path, jit: str) -> tuple[int, str]:
        text = mutant_text if mode == mutant_mode else _generated(source.read_text(), mode, cache_dir / mode)
        output.write_text(text)
        return 0, ""

    return transform


def _mutants(program: Program, mutation: Mutation, cache_dir: Path) -> list[tuple[str, str]]:
    return [(mode, mutant) for mode in ("forward", "reverse")
            for mutant in mutation(_generated(program.source, mode, cache_dir / mode), mode)]


@pytest.mark.parametrize("program_name", sorted(PROGRAMS))
def test_unmutated_modules_are_correct(program_name, tmp_path):
    program = PROGRAMS[program_name]
    outcome = check_program(program, tmp_path / "check", "none")
    assert outcome.kind == CORRECT and outcome.fd_checked, outcome.headline() + "\n" + outcome.detail


@pytest.mark.parametrize("program_name", sorted(PROGRAMS))
@pytest.mark.parametrize("mutation_name", sorted(MUTATIONS))
def test_every_injected_error_is_flagged(program_name, mutation_name, tmp_path):
    program = PROGRAMS[program_name]
    mutants = _mutants(program, MUTATIONS[mutation_name], tmp_path / "real")
    assert mutants, f"{mutation_name} found no place to inject an error in {program_name}"
    _assert_flagged(program, mutants, tmp_path)


def _assert_flagged(program: Program, mutants: list[tuple[str, str]], tmp_path: Path,
                    extras: tuple[str, ...] = ()) -> None:
    """Every (mode, mutated module) checked with the other modules real comes out a failure."""
    missed = []
    for k, (mode, text) in enumerate(mutants):
        outcome = check_program(program, tmp_path / f"m{k}", "none", fake_adxform(mode, text, tmp_path / "real"),
                                extras=extras)
        if outcome.kind not in FAILURES:
            missed.append(f"--- {mode} mutant {k} ({outcome.kind}):\n{text[text.find('def f'):]}")
    assert not missed, f"{len(missed)} of {len(mutants)} injected errors not flagged:\n" + "\n".join(missed)


@pytest.mark.parametrize("mode", EXTRAS)
def test_every_error_injected_in_an_extra_module_is_flagged(mode, tmp_path):
    """``--also checkpoint,hvp``: the checkpointed reverse module and the
    hvp module, each with an adjoint increment's sign flipped, the other
    modules real.  The hvp module holds the reverse module it
    differentiates, which f_hvp does not call: only its tangents
    (``f_rev_jvp``) are mutated."""
    source = checkpointed_source(FUNCTION.source) if mode == "checkpoint" else FUNCTION.source
    real = _generated(source, mode, tmp_path / "real" / mode)
    mutants = [(mode, _flipped(real, m)) for m in _adjoint_sites(real)
               if mode == "checkpoint" or real[real.rfind("\ndef ", 0, m.start()):m.start()].split("(")[0].endswith("_jvp")]
    assert mutants
    _assert_flagged(FUNCTION, mutants, tmp_path, extras=(mode,))
    assert check_program(FUNCTION, tmp_path / "real-check", "none", extras=(mode,)).kind == CORRECT


@pytest.mark.parametrize(("point", "smooth"), [(0.5, True), (-0.5, True), (1e-4, False), (-1.2e-3, False)])
def test_finite_differences_see_a_kink(point, smooth):
    """Differences at two step sizes agree at a smooth point (and give the
    derivative) and disagree within two steps of a kink, where the checker
    draws another point instead of reporting a wrong derivative."""
    program = Program("", "f", (Param("x", FLOAT),), "float", 3, (), 0)
    subject = Subject(program, lambda x: abs(x) + x * x, None, None)
    difference = smooth_difference(subject, [point], [1.0])
    if smooth:
        assert difference is not None and abs(float(difference[0]) - (np.sign(point) + 2.0 * point)) < 1e-9
    else:
        assert difference is None


EXPLODING = '''import numpy as np


def f(u, x):
    n = u.shape[0]
    w = (u * x + 2.0) * SCALE
    for k in range(12):
        w = w * w * w
    if x > 10.0:
        return np.sum(w)
    return np.sum(np.tanh(u)) * x
'''


@pytest.mark.parametrize(("scale", "kind"), [(1.5, "invalid"), (1e-3, CORRECT)])
def test_a_point_where_values_explode_is_invalid(scale, kind, tmp_path):
    """Values that overflow in a branch not returned (``w`` cubed twelve
    times), or derivatives beyond 1e12 in both modes, make a point of no
    use where rounding decides (fuzz seeds 70891, 72226): invalid, not a
    wrong derivative.  Nothing explodes at a thousandth of the inputs."""
    source = EXPLODING.replace("SCALE", repr(scale))
    program = Program(source, "f", (Param("u", VECTOR), Param("x", FLOAT)), "float", 4, (), 3)
    assert check_program(program, tmp_path, "none").kind == kind
