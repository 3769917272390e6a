"""One fuzz seed: draw its program with hypothesis, check it, and when it
fails let hypothesis shrink it and save a reproducer.

Seed ``s`` is the second example hypothesis draws under ``@seed(s)`` (the
first is always the simplest program, the same for every seed, and is
checked once per process: outcomes are memoised by program).  A failing
check raises an exception whose class names the outcome and the check that
failed; when shrinking, only the failure of the seed's program raises, so
that hypothesis shrinks towards a program with that failure and not
towards another one.
"""

from __future__ import annotations

import contextlib
import json
import shlex
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis.internal.conjecture import engine

from .checker import FAILURES, Outcome, Transform, check_program, cli_transform
from .generator import Program, programs

SHRINK_SECONDS = 120.0


class FuzzFailure(Exception):
    """A program failed a check; subclasses per (kind, check) are made by
    ``failure_class``."""

    def __init__(self, program: Program, outcome: Outcome):
        super().__init__(outcome.headline())
        self.program, self.outcome = program, outcome


_failure_classes: dict[tuple[str, str], type[FuzzFailure]] = {}


def failure_class(outcome: Outcome) -> type[FuzzFailure]:
    key = (outcome.kind, outcome.check)
    if key not in _failure_classes:
        name = "".join(part.capitalize() for part in f"{outcome.kind}-{outcome.check}".split("-"))
        _failure_classes[key] = type(name, (FuzzFailure,), {})
    return _failure_classes[key]


@dataclass
class SeedResult:
    seed: int
    program: Program
    outcome: Outcome
    shrunk: Program | None = None  # the minimal failing program
    shrunk_outcome: Outcome | None = None
    reproducer: Path | None = None


class Fuzzer:
    """Checks seeds; remembers outcomes by program across seeds."""

    def __init__(self, jit: str = "none", out: Path | None = None, transform: Transform = cli_transform,
                 shrink_seconds: float = SHRINK_SECONDS, shrinks_per_failure: int = 3, workdir: Path | None = None,
                 extras: tuple[str, ...] = ()):
        self.jit, self.out, self.transform, self.shrink_seconds = jit, out, transform, shrink_seconds
        self.extras = extras  # the extra modules checked (checker.EXTRAS)
        self.shrinks_per_failure = shrinks_per_failure
        self.shrunk_counts: Counter = Counter()
        self.workdir = workdir or Path(tempfile.mkdtemp(prefix="adxform-fuzz-"))
        self.memo: dict[tuple[str, int], Outcome] = {}
        self._checks = 0

    def check(self, program: Program) -> Outcome:
        key = (program.source, program.input_seed)
        if key not in self.memo:
            self._checks += 1
            self.memo[key] = check_program(program, self.workdir / f"p{self._checks}", self.jit, self.transform,
                                           self.extras)
        return self.memo[key]

    def run_seed(self, seed: int) -> SeedResult:
        """Check seed ``seed``; a failure of a (kind, check) shrunk fewer
        than ``shrinks_per_failure`` times in this run is run again with
        shrinking (the seed draws the same program again)."""
        result = self._run_hypothesis(seed, None)
        if result.outcome.kind in FAILURES:
            key = (result.outcome.kind, result.outcome.check)
            if self.shrunk_counts[key] < self.shrinks_per_failure:
                self.shrunk_counts[key] += 1
                result = self._run_hypothesis(seed, key)
            if self.out is not None:
                result.reproducer = save_reproducer(result, self.out, self.jit, self.extras)
        return result

    def _run_hypothesis(self, seed: int, shrink_to: tuple[str, str] | None) -> SeedResult:
        """Run hypothesis on seed ``seed``; with ``shrink_to``, a (kind,
        check), shrink to a program that fails that check (a program that
        fails another one counts as passing, so that shrinking does not
        wander off to another bug)."""
        calls: list[tuple[Program, Outcome]] = []
        shrink = shrink_to is not None

        @hypothesis_seed(seed)
        @settings(max_examples=2, database=None, phases=[Phase.generate] + ([Phase.shrink] if shrink else []),
                  deadline=None, suppress_health_check=list(HealthCheck), report_multiple_bugs=False,
                  verbosity=Verbosity.quiet)
        @given(programs())
        def fuzz(program: Program) -> None:
            outcome = self.check(program)
            calls.append((program, outcome))
            if outcome.kind in FAILURES and shrink_to in (None, (outcome.kind, outcome.check)):
                raise failure_class(outcome)(program, outcome)

        try:
            with _shrinking_limited_to(self.shrink_seconds):
                fuzz()
        except FuzzFailure as failure:
            first_failing = next(pair for pair in calls if pair[1].kind in FAILURES)
            return SeedResult(seed, *first_failing, failure.program if shrink else None,
                              failure.outcome if shrink else None)
        program, outcome = calls[-1]
        return SeedResult(seed, program, outcome)


@contextlib.contextmanager
def _shrinking_limited_to(seconds: float):
    """Hypothesis gives up shrinking after ``engine.MAX_SHRINKING_SECONDS``
    (five minutes; no setting reaches it): a check takes a fraction of a
    second, so that is too long for a run of thousands of seeds."""
    saved = engine.MAX_SHRINKING_SECONDS
    engine.MAX_SHRINKING_SECONDS = seconds
    try:
        yield
    finally:
        engine.MAX_SHRINKING_SECONDS = saved


def save_reproducer(result: SeedResult, out: Path, jit: str, extras: tuple[str, ...] = ()) -> Path:
    """Write the shrunk program, its generated modules, the inputs of the
    failing point and the commands that reproduce it under ``out``."""
    failure = result.shrunk_outcome or result.outcome
    directory = out / f"seed{result.seed}-{failure.kind}-{failure.check}"
    directory.mkdir(parents=True, exist_ok=True)
    program = result.shrunk or result.program
    (directory / "program.py").write_text(program.source)
    (directory / "original.py").write_text(result.program.source)
    outcome = check_program(program, directory / "generated", jit, extras=extras)
    inputs = {f"arg{k}_{p.name}": np.asarray(value) for k, (p, value) in
              enumerate(zip(program.params, outcome.inputs or failure.inputs))}
    if inputs:
        np.savez(directory / "inputs.npz", **inputs)
    commands = [
        f"adxform forward program.py -o program_jvp.py --jit {jit}",
        f"adxform reverse program.py -o program_vjp.py --jit {jit}",
        f"python -m tests.fuzz --seeds {result.seed}:{result.seed + 1} --jit {jit}"
        + (f" --also {','.join(extras)}" if extras else "") + "  # from the repository root",
    ]
    (directory / "reproduce.sh").write_text("cd " + shlex.quote(str(directory)) + "\n" + "\n".join(commands) + "\n")
    (directory / "outcome.json").write_text(json.dumps({
        "seed": result.seed,
        "kind": outcome.kind,
        "check": outcome.check,
        "detail": outcome.detail,
        "entry": program.entry,
        "params": [[p.name, p.kind] for p in program.params],
        "returns": program.returns,
        "size": program.size,
        "ints": dict(program.ints),
        "input_seed": program.input_seed,
    }, indent=2) + "\n")
    return directory
