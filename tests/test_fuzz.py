"""The differential fuzzer (tests/fuzz/) on a fixed set of seeds, with
``--jit none`` (and two with numba): no seed may give a wrong derivative or
a tool bug.  A long run is ``python -m tests.fuzz --seeds 0:5000``.

Seeds that fail today because of adxform bugs are marked xfail(strict=True)
with the bug, as a temporary measure: each is to be removed when its bug is
fixed (strict: the test then fails until it is).
"""

from __future__ import annotations

import pytest
from fuzz.checker import FAILURES
from fuzz.runner import Fuzzer

# seed -> the adxform bug that fails it today; each seed listed is checked
# too, marked xfail(strict=True) until its bug is fixed
KNOWN_BUGS: dict[int, str] = {}

NONE_SEEDS = [pytest.param(seed, marks=pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[seed]))
              if seed in KNOWN_BUGS else seed for seed in list(range(100)) + sorted(KNOWN_BUGS)]
NUMBA_SEEDS = [1, 3]


@pytest.fixture(scope="module")
def fuzzers(tmp_path_factory):
    """One fuzzer per jit for the module (outcomes are memoised by program);
    failures are neither shrunk nor saved."""
    return {jit: Fuzzer(jit, None, shrinks_per_failure=0, workdir=tmp_path_factory.mktemp(f"fuzz-{jit}"))
            for jit in ("none", "numba")}


def _check(fuzzer: Fuzzer, seed: int) -> None:
    result = fuzzer.run_seed(seed)
    outcome = result.outcome
    assert outcome.kind not in FAILURES, (
        f"seed {seed}: {outcome.headline()}\n{outcome.detail}\n--- program:\n{result.program.source}\n"
        f"reproduce (and shrink) with: python -m tests.fuzz --seeds {seed}:{seed + 1} --jit {fuzzer.jit}"
    )


@pytest.mark.parametrize("seed", NONE_SEEDS)
def test_fuzz_seed(seed, fuzzers):
    _check(fuzzers["none"], seed)


@pytest.mark.parametrize("seed", NUMBA_SEEDS)
def test_fuzz_seed_numba(seed, fuzzers):
    _check(fuzzers["numba"], seed)
