"""The summary of a fuzz run: outcome counts, refusals by diagnostic code
(with the smallest refused program for each), failures."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .checker import FAILURES, REFUSED
from .runner import SeedResult


@dataclass
class Tally:
    counts: Counter = field(default_factory=Counter)
    refusals: Counter = field(default_factory=Counter)
    smallest_refused: dict[str, SeedResult] = field(default_factory=dict)
    failures: list[SeedResult] = field(default_factory=list)
    invalid: list[SeedResult] = field(default_factory=list)
    fd_unchecked: int = 0
    extras_refused: Counter = field(default_factory=Counter)  # (extra mode, code) -> programs (--also)

    def add(self, result: SeedResult) -> None:
        outcome = result.outcome
        self.counts[outcome.kind] += 1
        self.extras_refused.update((mode, code) for mode, codes in outcome.extras_refused.items()
                                   for code in set(codes))
        if outcome.kind == REFUSED:
            for code in outcome.codes:
                self.refusals[code] += 1
                best = self.smallest_refused.get(code)
                if best is None or len(result.program.source) < len(best.program.source):
                    self.smallest_refused[code] = result
        elif outcome.kind in FAILURES:
            self.failures.append(result)
        elif outcome.kind == "invalid":
            self.invalid.append(result)
        elif not outcome.fd_checked:
            self.fd_unchecked += 1

    def counts_line(self) -> str:
        return ", ".join(f"{kind} {n}" for kind, n in sorted(self.counts.items()))

    def render(self, seconds: float) -> str:
        total = sum(self.counts.values())
        lines = [f"{total} programs in {seconds:.0f} s: {self.counts_line()}",
                 f"  (correct without a smooth point for finite differences: {self.fd_unchecked})"]
        if self.refusals:
            lines.append("refused, by diagnostic code:")
            for code, n in self.refusals.most_common():
                lines.append(f"  {code:32s} {n:6d}   e.g. seed {self.smallest_refused[code].seed}")
        if self.extras_refused:
            lines.append("extra modules refused (the programs checked without them), by diagnostic code:")
            for (mode, code), n in self.extras_refused.most_common():
                lines.append(f"  {mode:10s} {code:21s} {n:6d}")
        for result in self.invalid:
            lines.append(f"invalid program (generator bug), seed {result.seed}: {result.outcome.headline()}")
        for result in self.failures:
            shrunk = result.shrunk_outcome or result.outcome
            lines.append(f"FAILURE seed {result.seed}: {shrunk.headline()}")
            if result.reproducer is not None:
                lines.append(f"  reproducer: {result.reproducer}")
            if result.shrunk is not None:
                lines.append("  " + result.shrunk.source.replace("\n", "\n  "))
        return "\n".join(lines)
