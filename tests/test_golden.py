"""Golden tests: each golden/<case>/ holds a source module <case>.py and the
modules adxform generates from it; regenerating must give the same bytes.

Refresh after an intended change with

    python -m pytest tests/test_golden.py --update-golden

and review the diff of golden/ line by line, as code.  The golden sources
are also part of the corpus, so their derivatives are checked against
finite differences by test_forward_corpus.py.
"""

from __future__ import annotations

from pathlib import Path

import adxform
import pytest

GOLDEN = Path(__file__).resolve().parent.parent / "golden"
# mode -> suffix of the generated module
OUTPUTS = {"forward": "_jvp", "reverse": "_vjp"}
CASES = sorted(d.name for d in GOLDEN.iterdir() if (d / f"{d.name}.py").is_file())


def generate(case: str, mode: str) -> tuple[Path, str]:
    source = GOLDEN / case / f"{case}.py"
    output = source.with_name(f"{case}{OUTPUTS[mode]}.py")
    command = f"adxform {mode} {source.name} -o {output.name}"
    text = adxform.transform(source.read_text(), mode, filename=source.name, command=command)
    return output, text


def test_there_are_golden_cases():
    assert len(CASES) >= 6


@pytest.mark.parametrize("mode", sorted(OUTPUTS))
@pytest.mark.parametrize("case", CASES)
def test_golden(case, mode, request):
    output, text = generate(case, mode)
    if request.config.getoption("--update-golden"):
        output.write_text(text)
        return
    assert output.is_file(), f"{output} is missing: run pytest tests/test_golden.py --update-golden"
    expected = output.read_text()
    assert text == expected, (
        f"{output} differs from what adxform generates now; if the change is intended, "
        "refresh with: python -m pytest tests/test_golden.py --update-golden (and review the diff)"
    )


@pytest.mark.parametrize("mode", sorted(OUTPUTS))
@pytest.mark.parametrize("case", CASES)
def test_generation_is_deterministic(case, mode):
    _, first = generate(case, mode)
    _, second = generate(case, mode)
    assert first == second


# GPU golden files (golden/gpu/): (source, mode, target, output), paths from the repository's root
ROOT = GOLDEN.parent
GPU_CASES = [
    ("tests/gpu/kernels.py", "forward", "cpu", "golden/gpu/kernels_jvp.py"),
    ("tests/gpu/kernels.py", "reverse", "cpu", "golden/gpu/kernels_vjp.py"),
    ("golden/rosenbrock/rosenbrock.py", "reverse", "cuda", "golden/gpu/rosenbrock_cuda_vjp.py"),
]


@pytest.mark.parametrize("source, mode, target, output", GPU_CASES, ids=[c[3].rsplit("/", 1)[1] for c in GPU_CASES])
def test_gpu_golden(source, mode, target, output, request):
    command = f"adxform {mode} {source} -o {output}" + (f" --target {target}" if target != "cpu" else "")
    text = adxform.transform((ROOT / source).read_text(), mode, filename=source, command=command, target=target)
    path = ROOT / output
    if request.config.getoption("--update-golden"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
        return
    assert path.is_file(), f"{path} is missing: run pytest tests/test_golden.py --update-golden"
    assert text == path.read_text(), (
        f"{path} differs from what adxform generates now; if the change is intended, "
        "refresh with: python -m pytest tests/test_golden.py --update-golden (and review the diff)"
    )


def test_rosenbrock_gradient_needs_no_tape():
    """x is never overwritten, so nothing is recorded (issue: reverse mode)."""
    _, text = generate("rosenbrock", "reverse")
    assert "tape" not in text
