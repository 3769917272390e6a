"""The differential fuzzer (tests/fuzz/) on a fixed set of seeds, with
``--jit none`` (and two with numba, and some with the checkpointed and hvp
modules checked too): no seed may give a wrong derivative or a tool bug.  A long run is ``python -m tests.fuzz --seeds 0:5000``.

Seeds that fail today because of adxform bugs are marked xfail(strict=True)
with the bug, as a temporary measure: each is to be removed when its bug is
fixed (strict: the test then fails until it is).
"""

from __future__ import annotations

import pytest
from fuzz.checker import EXTRAS, FAILURES
from fuzz.runner import Fuzzer

# seed -> the adxform bug that fails it today; each seed listed is checked
# too, marked xfail(strict=True) until its bug is fixed
KNOWN_BUGS: dict[int, str] = {}

NONE_SEEDS = [pytest.param(seed, marks=pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[seed]))
              if seed in KNOWN_BUGS else seed for seed in list(range(100)) + sorted(KNOWN_BUGS)]
NUMBA_SEEDS = [1, 3]
# checked with the checkpointed reverse module and the hvp module too (--also checkpoint,hvp): the first seeds,
# and those that found a bug (a checkpointed loop after a return in a branch: 1265; hvp read rows of an array of
# unknown ndim as elements: 5222, 6422, 8744, 230802)
EXTRA_SEEDS = list(range(20)) + [1265, 5222, 6422, 8744, 230802]


@pytest.fixture(scope="module")
def fuzzers(tmp_path_factory):
    """One fuzzer per jit for the module (outcomes are memoised by program);
    failures are neither shrunk nor saved."""
    fuzzers = {jit: Fuzzer(jit, None, shrinks_per_failure=0, workdir=tmp_path_factory.mktemp(f"fuzz-{jit}"))
               for jit in ("none", "numba")}
    fuzzers["extras"] = Fuzzer("none", None, shrinks_per_failure=0, workdir=tmp_path_factory.mktemp("fuzz-extras"),
                               extras=EXTRAS)
    return fuzzers


def _check(fuzzer: Fuzzer, seed: int) -> None:
    result = fuzzer.run_seed(seed)
    outcome = result.outcome
    also = f" --also {','.join(fuzzer.extras)}" if fuzzer.extras else ""
    assert outcome.kind not in FAILURES, (
        f"seed {seed}: {outcome.headline()}\n{outcome.detail}\n--- program:\n{result.program.source}\n"
        f"reproduce (and shrink) with: python -m tests.fuzz --seeds {seed}:{seed + 1} --jit {fuzzer.jit}{also}"
    )


@pytest.mark.parametrize("seed", NONE_SEEDS)
def test_fuzz_seed(seed, fuzzers):
    _check(fuzzers["none"], seed)


@pytest.mark.parametrize("seed", NUMBA_SEEDS)
def test_fuzz_seed_numba(seed, fuzzers):
    _check(fuzzers["numba"], seed)


@pytest.mark.parametrize("seed", EXTRA_SEEDS)
def test_fuzz_seed_with_extra_modules(seed, fuzzers):
    _check(fuzzers["extras"], seed)
