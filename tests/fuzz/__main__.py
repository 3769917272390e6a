"""``python -m tests.fuzz --seeds 0:5000 [--jit none|numba] [--also checkpoint,hvp] [--out DIR]``:
check a range of fuzz seeds and print the outcome counts, the histogram of
refusals by diagnostic code and the failures (each saved under ``--out``)."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("NUMBA_CACHE_DIR", tempfile.mkdtemp(prefix="adxform-fuzz-numba-"))  # before numba is imported

from .checker import EXTRAS  # after NUMBA_CACHE_DIR is set
from .report import Tally
from .runner import Fuzzer


def _seed_range(text: str) -> range:
    start, _, stop = text.partition(":")
    return range(int(start), int(stop)) if stop else range(int(start), int(start) + 1)


def _extras(text: str) -> tuple[str, ...]:
    modes = tuple(mode for mode in text.split(",") if mode)
    unknown = [mode for mode in modes if mode not in EXTRAS]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown mode {', '.join(unknown)} (choose from {', '.join(EXTRAS)})")
    return modes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=_seed_range, default=range(0, 100), metavar="START:STOP")
    parser.add_argument("--jit", choices=("none", "numba"), default="none")
    parser.add_argument("--out", type=Path, default=Path("fuzz-failures"), metavar="DIR")
    parser.add_argument("--shrink-seconds", type=float, default=60.0, metavar="S",
                        help="time hypothesis may spend shrinking one failure (default 60)")
    parser.add_argument("--stop-after", type=float, default=None, metavar="S",
                        help="start no new seed after S seconds; report the seeds checked by then")
    parser.add_argument("--progress", type=int, default=100, metavar="N", help="print the counts every N seeds")
    parser.add_argument("--also", type=_extras, default=(), metavar="MODES",
                        help=f"check these modules too, against reverse mode: {','.join(EXTRAS)} (see checker.py)")
    args = parser.parse_args(argv)

    fuzzer = Fuzzer(args.jit, args.out, shrink_seconds=args.shrink_seconds, extras=args.also)
    tally = Tally()
    started = time.monotonic()
    for count, seed in enumerate(args.seeds, 1):
        if args.stop_after is not None and time.monotonic() - started > args.stop_after:
            print(f"stopped after {count - 1} seeds (--stop-after)")
            break
        tally.add(fuzzer.run_seed(seed))
        if count % args.progress == 0:
            print(f"[{count}/{len(args.seeds)} seeds, {time.monotonic() - started:.0f} s] {tally.counts_line()}",
                  flush=True)
    print(tally.render(time.monotonic() - started))
    return 1 if tally.failures else 0


if __name__ == "__main__":
    sys.exit(main())
