"""How long `adxform forward` takes on a module of about 300 lines.

The module is the corpus modules tests/corpus/arrays.py and combined.py
joined into one (their function names are distinct).  Prints a
table: the in-process time of `adxform.transform` (median of several runs,
after one warm-up that pays for imports and rule-template parsing) and the
wall time of one cold `python -m adxform forward` process, which includes
interpreter start-up and importing libcst, jinja2 and adxform.

    python benchmarks/compile_time.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import adxform

ROOT = Path(__file__).resolve().parent.parent
PARTS = ["arrays.py", "combined.py"]
RUNS = 7


def joined_module() -> str:
    """One module holding the functions of PARTS, imports stated once."""
    body = []
    for name in PARTS:
        for line in (ROOT / "tests" / "corpus" / name).read_text().splitlines():
            if not line.startswith(("import ", "from ")):
                body.append(line)
    return "import math\n\nimport numpy as np\n" + "\n".join(body) + "\n"


def main() -> None:
    source = joined_module()
    lines = source.count("\n")
    adxform.transform(source, "forward", filename="joined.py")  # warm-up
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        text = adxform.transform(source, "forward", filename="joined.py")
        times.append(time.perf_counter() - start)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "joined.py"
        src.write_text(source)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "adxform", "forward", str(src), "-o", str(Path(tmp) / "out.py")],
                       check=True)
        cold = time.perf_counter() - start
    print(f"{'case':<28} {'source lines':>12} {'output lines':>12} {'transform (s)':>14} {'cold CLI (s)':>13}")
    print(f"{'forward, joined corpus':<28} {lines:>12} {text.count(chr(10)):>12} "
          f"{statistics.median(times):>14.3f} {cold:>13.3f}")


if __name__ == "__main__":
    main()
