"""Bad input: every construct outside the subset of SPEC section 2 is a
diagnostic, printed as SPEC section 3 says, and never a traceback.

Each row of ``CASES`` is a small module, the code in brackets adxform must
report, and the line:col of the first diagnostic.  Columns count characters
from 1 (a tab counts as one character, as ``ast`` and libcst count it).
Every row is run through ``adxform.cli.main`` in-process, through
``adxform check``, and through the Python API ``adxform.transform``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import adxform
import pytest
from adxform.cli import main


@dataclass(frozen=True)
class Case:
    source: str
    code: str
    line: int
    col: int
    errors: int = 1  # how many diagnostics the file has in all
    note: str = ""  # a word the `note:` line of the first diagnostic must hold


def _def(body: str, params: str = "x: float") -> str:
    """A one-function module: ``def f(<params>) -> float:`` then ``body``
    (written unindented; every line is indented by four spaces)."""
    lines = body.splitlines()
    return f"def f({params}) -> float:\n" + "".join(f"    {line}\n" if line else "\n" for line in lines)


NP = "import numpy as np\n\n\n"  # the first three lines of a module that uses numpy

CASES: dict[str, Case] = {
    # -- classes, closures, lambdas, generators --------------------------------------
    "class-in-function": Case(_def("class Point:\n    pass\nreturn x"), "unsupported-class", 2, 5),
    "module-class-used": Case(
        "class Scale:\n    pass\n\n\ndef f(x: float) -> float:\n    return Scale(x)\n", "unknown-function", 6, 12),
    "nested-function": Case(_def("def g(y):\n    return y\nreturn g(x)"), "unsupported-closure", 2, 5),
    "closure": Case(_def("k = 2.0\n\ndef scale(y):\n    return k * y\n\nreturn scale(x)"), "unsupported-closure", 4, 5),
    "lambda": Case(_def("g = lambda y: y * 2.0\nreturn g(x)"), "unsupported-lambda", 2, 9),
    "yield": Case(_def("yield x"), "unsupported-generator", 2, 5),
    "yield-from": Case(_def("yield from range(3)"), "unsupported-generator", 2, 5),
    # -- comprehensions, each kind ----------------------------------------------------
    "list-comprehension": Case(_def("a = [x for i in range(3)]\nreturn x"), "unsupported-comprehension", 2, 9),
    "set-comprehension": Case(_def("a = {x for i in range(3)}\nreturn x"), "unsupported-comprehension", 2, 9),
    "dict-comprehension": Case(_def("a = {i: x for i in range(3)}\nreturn x"), "unsupported-comprehension", 2, 9),
    "generator-expression": Case(_def("return sum(x * i for i in range(3))"), "unsupported-comprehension", 2, 16),
    # -- statements --------------------------------------------------------------------
    "try": Case(_def("try:\n    y = x\nexcept ValueError:\n    y = 0.0\nreturn y"), "unsupported-try", 2, 5),
    "with": Case(_def("with open(x) as handle:\n    y = x\nreturn y"), "unsupported-with", 2, 5),
    "global": Case("S = 1.0\n\n\n" + _def("global S\nreturn x * S"), "unsupported-global", 5, 5),
    "nonlocal": Case(_def("nonlocal s\nreturn x"), "unsupported-global", 2, 5),
    "assert": Case(_def("assert x > 0.0\nreturn x"), "unsupported-statement", 2, 5),
    "raise": Case(_def("if x < 0.0:\n    raise ValueError\nreturn x"), "unsupported-statement", 3, 9),
    "import-in-function": Case(_def("import math\nreturn math.sin(x)"), "unsupported-statement", 2, 5),
    "list-literal": Case(_def("a = [x, x]\nreturn x"), "unsupported-container", 2, 9),
    "walrus": Case(_def("if (y := x * 2.0) > 1.0:\n    return y\nreturn x"), "unsupported-expression", 2, 9),
    "starred-target": Case(_def("a, *b = (x, x, x)\nreturn a"), "unsupported-expression", 2, 8),
    "async-function": Case("async def f(x: float) -> float:\n    return x\n", "unsupported-async", 1, 1),
    "unknown-decorator": Case(
        "import functools\n\n\n@functools.lru_cache\ndef f(x: float) -> float:\n    return x\n",
        "unsupported-decorator", 4, 1),
    # -- strings -------------------------------------------------------------------------
    "string-in-computation": Case(_def("y = x * 'a'\nreturn y"), "unsupported-string", 2, 13),
    "f-string": Case(_def("s = f'{x}'\nreturn x"), "unsupported-string", 2, 9),
    "string-after-tab": Case("def f(x: float) -> float:\n\ty = x * 'a'\n\treturn y\n", "unsupported-string", 2, 10),
    "string-after-non-ascii-name": Case(_def("é = x * 'a'\nreturn é"), "unsupported-string", 2, 13),
    "string-crlf-file": Case("def f(x: float) -> float:\r\n    y = x * 'a'\r\n    return y\r\n",
                             "unsupported-string", 2, 13),
    # -- calls -------------------------------------------------------------------------
    "no-rule-np-fft": Case("import numpy as np\n\n\ndef f(x: np.ndarray) -> float:\n    y = np.fft.fft(x)\n"
                           "    return y[0]\n", "unknown-function", 5, 9),
    "no-rule-foo": Case(_def("return foo(x)"), "unknown-function", 2, 12),
    # numpy and math functions without a rule: refused where an active value flows in, where adxform cannot
    # type the result (not a ufunc, two results), where numpy or math has no such function, with keywords
    "no-rule-active-argument": Case("import math\n\n\n" + _def("c = math.lgamma(2.0 * n)\nreturn math.lgamma(x) * c",
                                                                "x: float, n: int"),
                                    "unknown-function", 6, 12, note="ufuncs"),
    "no-rule-active-through-local": Case("import numpy as np\n\n\n" + _def("y = x * 2.0\nreturn np.spacing(y)"),
                                         "unknown-function", 6, 12),
    "no-rule-not-a-ufunc": Case("import numpy as np\n\n\n" + _def("return x * np.argsort(a)[0]",
                                                                    "x: float, a: np.ndarray"),
                                "unknown-function", 5, 16),
    "no-rule-two-results": Case("import math\n\n\n" + _def("return x * math.frexp(2.0)[0]"),
                                "unknown-function", 5, 16),
    "no-rule-no-such-function": Case("import math\n\n\n" + _def("return x * math.lgama(2.0)"),
                                     "unknown-function", 5, 16),
    "no-rule-no-loop-for-types": Case("import numpy as np\n\n\n" + _def("return x * np.gcd(2.0, 4.0)"),
                                      "unknown-function", 5, 16),
    "no-rule-keyword": Case("import numpy as np\n\n\n" + _def("np.spacing(a, out=b)\nreturn x * b[0]",
                                                                "x: float, a: np.ndarray, b: np.ndarray"),
                            "bad-call", 5, 5),
    "out-keyword": Case("import numpy as np\n\n\ndef f(a: np.ndarray, b: np.ndarray) -> float:\n"
                        "    np.exp(a, out=b)\n    return b[0]\n", "bad-call", 5, 5),
    "reshape-order": Case("import numpy as np\n\n\ndef f(a: np.ndarray) -> float:\n"
                          "    return np.sum(np.reshape(a, (2, 2), order=1))\n", "bad-call", 5, 19),
    "wrong-arity": Case("def g(x: float) -> float:\n    return x\n\n\n" + _def("return g(x, x)"), "bad-call", 6, 12),
    "recursion-direct": Case(_def("if x > 1.0:\n    return f(x - 1.0)\nreturn x"), "recursion", 3, 16),
    "recursion-mutual": Case(
        _def("return g(x)") + "\n\ndef g(x: float) -> float:\n    return f(x)\n", "recursion", 6, 12),
    # -- parameters --------------------------------------------------------------------
    "default-value": Case(_def("return x * y", "x: float, y: float = 1.0"), "unsupported-parameter", 1, 17),
    "star-args": Case(_def("return x", "x: float, *args"), "unsupported-parameter", 1, 17),
    "star-kwargs": Case(_def("return x", "x: float, **kwargs"), "unsupported-parameter", 1, 17),
    # beside an annotated one, its value returned through an elementwise function, which takes a scalar or an
    # array alike (one whose value nothing uses would pass through)
    "undecidable-parameter": Case(NP + "def f(x: float, flag):\n    y = np.exp(flag)\n    return y\n",
                                  "ambiguous-type", 4, 17, note="annotat"),
    # an elementwise use proves nothing: np.exp(x) takes a scalar or an array
    "scalar-or-array-parameter": Case("import numpy as np\n\n\ndef f(x):\n    return np.exp(x)\n",
                                      "ambiguous-type", 4, 7, note='@numba.njit("(f8[:],)")'),
    "array-passed-to-scalar-helper": Case("import math\n\n\ndef g(a):\n    return math.sin(a)\n\n\n"
                                          "def f(x):\n    return g(x) + x[0]\n", "type-change", 4, 7),
    # M is taken for a number (float arithmetic only), so the helper's result is one
    "subscripted-float-local": Case("def g(a):\n    return a * 2.0\n\n\ndef f(y, M):\n    A2 = g(M)\n"
                                    "    return A2[0] + 0.5 * M * y\n", "type-change", 7, 12,
                                    note="took 'y', 'M' for numbers"),
    "min-of-array": Case("import numpy as np\n\n\ndef f(x: np.ndarray, y: float) -> float:\n"
                         "    return min(y, x * 2.0)\n", "bad-call", 5, 12),
    "math-of-array": Case("import math\n\nimport numpy as np\n\n\ndef f(x: np.ndarray) -> float:\n"
                          "    return math.sin(x * 2.0)\n", "bad-call", 7, 12),
    "bad-numba-signature": Case("import numba\n\n\n@numba.njit(\"f8(f8[:], q8)\")\ndef f(x, n):\n    return x[n]\n",
                                "unsupported-annotation", 4, 13),
    "signature-arity": Case("import numba\n\n\n@numba.njit(\"f8(f8[:])\")\ndef f(x, n):\n    return x[n]\n",
                            "unsupported-annotation", 4, 1),
    "several-numba-signatures": Case("import numba\n\n\n@numba.njit([\"f8(f8)\", \"f4(f4)\"])\ndef f(x):\n"
                                     "    return x * 2.0\n", "unsupported-annotation", 4, 13),
    # -- loops -------------------------------------------------------------------------
    "for-over-tuple": Case(_def("s = 0.0\nfor v in t:\n    s += v * x\nreturn s", "x: float, t: tuple[float, float]"),
                           "unsupported-loop", 3, 14, note="range(len("),
    "for-over-tuple-display": Case(_def("s = 0.0\nfor v in (x, 2.0):\n    s += v\nreturn s"), "unsupported-loop", 3, 15),
    "for-unpacking-rows": Case(NP + _def("s = 0.0\nfor u, v in a:\n    s += u * v\nreturn s", "a: np.ndarray"),
                               "unsupported-loop", 6, 17, note="unpacking"),
    "for-over-call": Case(NP + _def("s = 0.0\nfor v in np.sin(a):\n    s += v\nreturn s", "a: np.ndarray"),
                          "unsupported-loop", 6, 14, note="name"),
    "for-rebinds-array": Case(NP + _def("s = 0.0\nfor v in a:\n    a = a * 2.0\n    s += v\nreturn s", "a: np.ndarray"),
                              "unsupported-loop", 6, 14),
    "zip-of-one-name": Case(NP + _def("s = 0.0\nfor v in zip(a, a):\n    s += v\nreturn s", "a: np.ndarray"),
                            "unsupported-loop", 6, 14),
    "range-keyword": Case(_def("for i in range(stop=3):\n    x = x * 2.0\nreturn x"), "unsupported-loop", 2, 14),
    "for-else": Case(_def("for i in range(3):\n    x = x * 2.0\nelse:\n    x = x + 1.0\nreturn x"),
                     "unsupported-loop-else", 4, 5),
    "while-else": Case(_def("while x < 3.0:\n    x = x * 2.0\nelse:\n    x = x + 1.0\nreturn x"),
                       "unsupported-loop-else", 4, 5),
    # -- types and names ---------------------------------------------------------------
    "float-becomes-array": Case("import numpy as np\n\n\n" + _def("y = 1.0\ny = np.zeros(3)\nreturn x * y[0]"),
                                "type-change", 6, 5, note="new name"),
    "subscripted-float": Case(_def("return x[0] * 2.0"), "type-change", 2, 12),
    # (beside a number, np.dot(v, v) would make v a vector: numba gives both branches one type)
    "number-or-array": Case("import numpy as np\n\n\ndef f(v: np.ndarray, c: float):\n"
                            "    return c * (c if c > 0.0 else 2.0 * v)\n", "type-change", 5, 17,
                            note="both branches"),
    "index-array": Case("import numpy as np\n\n\ndef f(a: np.ndarray, idx: np.ndarray) -> float:\n"
                        "    return np.sum(a[idx])\n", "unsupported-index", 5, 19, note="one element at a time"),
    "boolean-mask": Case("import numpy as np\n\n\ndef f(a: np.ndarray) -> float:\n"
                         "    return np.sum(a[a > 0.0])\n", "unsupported-index", 5, 19),
    "array-of-tuple": Case(NP + _def("return np.sum(np.array((x, x)))"), "bad-call", 5, 19),
    "asarray": Case(NP + _def("return np.sum(np.asarray(a))", "a: np.ndarray"), "unknown-function", 5, 19,
                    note="np.copy"),
    "pow-modulo": Case(_def("return pow(x, 2, 3)"), "bad-call", 2, 12),
    "multiply-out": Case(NP + _def("return np.sum(np.multiply(a, a, out=a))", "a: np.ndarray"),
                         "bad-call", 5, 19),
    "max-keyword": Case(_def("return max(x, 1.0, 2.0, key=x)"), "bad-call", 2, 12),
    "unknown-name": Case(_def("return x * undefined_thing"), "unknown-name", 2, 16),
    "unknown-name-in-callee": Case(
        "def g(x: float) -> float:\n    return x * zz\n\n\n" + _def("return g(x)"), "unknown-name", 2, 16),
    # -- unparsable input --------------------------------------------------------------
    "syntax-error": Case(_def("return x +"), "syntax-error", 2, 15),
    "syntax-error-after-non-ascii": Case(_def("é = x +\nreturn é"), "syntax-error", 2, 12),
    "twenty-thousand-terms": Case("x = " + "+".join(["1"] * 20000) + "\n", "nesting-too-deep", 1, 1),
    # the caret goes under the start of the expression that is too deep
    "deep-expression-in-function": Case(_def("return " + "-(" * 150 + "x" + ")" * 150), "nesting-too-deep", 2, 12),
    # -- GPU ---------------------------------------------------------------------------
    # an early return at the end of a branch is the guard it stands for; in a loop it stays out
    "cuda-kernel-return-in-a-loop": Case(
        "import numpy as np\nfrom numba import cuda\n\n\n@cuda.jit\ndef scale(a, b):\n    i = cuda.grid(1)\n"
        "    if i >= a.size:\n        return\n    for k in range(3):\n        if a[i] > k:\n            return\n"
        "        b[i] = 2.0 * b[i]\n", "unsupported-gpu", 12, 13, note="if i >= x.size: return"),
    "cuda-kernel-break": Case(
        "from numba import cuda\n\n\n@cuda.jit\ndef scale(a, b):\n    i = cuda.grid(1)\n"
        "    if i < a.size:\n        for k in range(3):\n            if a[i] > k:\n                break\n"
        "            b[i] = 2.0 * a[i]\n", "unsupported-gpu", 10, 17),
    "cuda-device-function-early-return": Case(
        "from numba import cuda\n\n\n@cuda.jit(device=True)\ndef f(x):\n    if x > 0.0:\n        return x * 2.0\n"
        "    return x\n", "unsupported-gpu", 7, 9),
    "cuda-checkpoint-directive": Case(
        "from numba import cuda\n\n\n@cuda.jit\ndef steps(u, dt):\n    i = cuda.grid(1)\n    if i < u.size:\n"
        "        # adxform: checkpoint\n        for k in range(10):\n            u[i] = u[i] * dt\n",
        "unsupported-gpu", 8, 9),
    "cuda-unknown-call": Case(
        "from numba import cuda, float64\n\n\n@cuda.jit\ndef scratch(u, out):\n    i = cuda.grid(1)\n"
        "    t = cuda.local.array(4, float64)\n    t[0] = u[i]\n    out[i] = t[0]\n", "unsupported-gpu", 7, 9),
    "directive-bound-on-cpu": Case(_def("# adxform: bound(trips=3)\nfor i in range(3):\n    x = x * 2.0\nreturn x"),
                                   "bad-directive", 2, 5),
    # -- operators outside the subset: each named as the source spells it --------------------
    "bitwise-and": Case(_def("return x & 2", "x: int"), "unsupported-operator", 2, 14),
    "bitwise-or": Case(_def("return x | 2", "x: int"), "unsupported-operator", 2, 14),
    "bitwise-xor": Case(_def("return x ^ 2", "x: int"), "unsupported-operator", 2, 14),
    "left-shift": Case(_def("return x << 2", "x: int"), "unsupported-operator", 2, 14),
    "invert": Case(_def("return ~x", "x: int"), "unsupported-operator", 2, 12),
    # `a and b or c` of numbers is one of them: differentiated as a bool it had no derivative at all
    "and-or-of-numbers": Case(_def("return x > 0.0 and x * x or 1.0 + x"), "unsupported-operator", 2, 12,
                              note="b if a else c"),
    # -- directives (SPEC §5) --------------------------------------------------------------
    "directive-above-no-loop": Case(_def("# adxform: checkpoint\ny = x\nreturn y"), "misplaced-directive", 2, 5),
    "directive-blank-line-before-loop": Case(_def("# adxform: checkpoint\n\nfor i in range(3):\n    x = x * 2.0\nreturn x"), "misplaced-directive", 2, 5),
    "directive-trailing-comment": Case(_def("y = x  # adxform: checkpoint\nreturn y"), "misplaced-directive", 2, 12),
    "directive-zero-snapshots": Case(_def("# adxform: checkpoint(snapshots=0)\nfor i in range(3):\n    x = x * 2.0\nreturn x"), "bad-directive", 2, 5),
    "directive-snapshots-not-a-number": Case(_def("# adxform: checkpoint(snapshots=many)\nfor i in range(3):\n    x = x * 2.0\nreturn x"), "bad-directive",
                                             2, 5),
    "directive-unknown-option": Case(_def("# adxform: checkpoint(every=3)\nfor i in range(3):\n    x = x * 2.0\nreturn x"), "bad-directive", 2, 5,
                                     note="snapshots"),
    "directive-unknown-name": Case(_def("# adxform: unroll(4)\nfor i in range(3):\n    x = x * 2.0\nreturn x"), "bad-directive", 2, 5, note="checkpoint"),
    # -- several problems: all reported, the first one first ---------------------------
    "two-errors": Case(_def("try:\n    y = x\nfinally:\n    pass\nreturn lambda: y"), "unsupported-try", 2, 5,
                       errors=2),
}

PARAMS = [pytest.param(case, id=name) for name, case in CASES.items()]

FILENAME = "model.py"


def _write_source(tmp_path: Path, case: Case) -> Path:
    src = tmp_path / FILENAME
    src.write_bytes(case.source.encode("utf-8"))
    return src


def _source_lines(case: Case) -> list[str]:
    return case.source.splitlines()


def _assert_report(err: str, src: Path, case: Case) -> None:
    """``err`` is the stderr of a run on ``case``: the SPEC section 3 format,
    the first diagnostic at the expected place, no traceback."""
    assert "Traceback" not in err, err
    lines = err.splitlines()
    assert len(lines) >= 4, err

    headline = re.fullmatch(r"(.+):(\d+):(\d+): error: (\S.*) \[([a-z-]+)\]", lines[0])
    assert headline is not None, f"first line {lines[0]!r} is not 'file:line:col: error: message [code]'"
    where, line, col, message, code = headline.groups()
    assert (where, int(line), int(col), code) == (str(src), case.line, case.col, case.code), message

    shown = re.fullmatch(r"(\s*" + str(case.line) + r" \| )(.*)", lines[1])
    assert shown, f"second line {lines[1]!r} is not the source line {case.line}"
    assert shown.group(2).rstrip() == _source_lines(case)[case.line - 1].expandtabs(1).rstrip()

    caret = re.fullmatch(r"(\s*\| )( *)\^~*", lines[2])
    assert caret, f"third line {lines[2]!r} is not a caret line"
    assert len(caret.group(1)) == len(shown.group(1)), "the caret line's gutter is not aligned with the source line's"
    assert len(caret.group(2)) + 1 == case.col, f"caret at column {len(caret.group(2)) + 1}, expected {case.col}"

    if case.note:
        notes = [line for line in lines if line.startswith(f"{src}:{case.line}:{case.col}: note: ")]
        assert notes and case.note in notes[0], f"no note about {case.note!r} in:\n{err}"

    headlines = [line for line in lines if re.match(re.escape(str(src)) + r":\d+:\d+: error: ", line)]
    assert len(headlines) == case.errors, err
    noun = "error" if case.errors == 1 else "errors"
    assert err.endswith(f"Found {case.errors} {noun} in 1 file\n"), err


@pytest.mark.parametrize("case", PARAMS)
def test_forward_reports_diagnostic(case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = _write_source(tmp_path, case)
    out = tmp_path / "model_jvp.py"

    code = main(["forward", str(src), "-o", str(out)])

    captured = capsys.readouterr()
    assert code == 1, captured.err
    _assert_report(captured.err, src, case)
    assert captured.out == ""
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [FILENAME], "a file was left behind"


@pytest.mark.parametrize("case", PARAMS)
def test_check_reports_the_same(case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = _write_source(tmp_path, case)

    code = main(["check", str(src)])

    captured = capsys.readouterr()
    assert code == 1, captured.err
    _assert_report(captured.err, src, case)
    assert captured.out == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == [FILENAME]


@pytest.mark.parametrize("case", PARAMS)
def test_api_raises_diagnostic_error(case: Case) -> None:
    with pytest.raises(adxform.DiagnosticError) as info:
        adxform.transform(case.source, "forward", filename=FILENAME, jit="none")

    diagnostics = info.value.diagnostics
    assert len(diagnostics) == case.errors, [d.code for d in diagnostics]
    first = diagnostics[0]
    assert (first.code, first.line, first.col) == (case.code, case.line, case.col)
    assert all(d.filename == FILENAME for d in diagnostics)
    assert f"{FILENAME}:{case.line}:{case.col}: error: " in str(info.value)


@pytest.mark.parametrize("name", ["try", "float-becomes-array", "syntax-error", "recursion-mutual"])
def test_existing_output_is_left_unchanged(name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = CASES[name]
    src = _write_source(tmp_path, case)
    out = tmp_path / "model_jvp.py"
    before = b"# an earlier output, not valid for this source\r\n\x00\xff\n"
    out.write_bytes(before)

    code = main(["forward", str(src), "-o", str(out), "--jit", "none"])

    err = capsys.readouterr().err
    assert code == 1, err
    assert f"[{case.code}]" in err.splitlines()[0]
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([FILENAME, out.name])


def test_stdout_output_gets_nothing_on_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = CASES["lambda"]
    src = _write_source(tmp_path, case)

    code = main(["forward", str(src), "-o", "-"])

    captured = capsys.readouterr()
    assert code == 1
    assert captured.out == ""
    _assert_report(captured.err, src, case)


def test_deep_parentheses_do_not_crash(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """150 redundant parentheses are valid Python (CPython allows 200) and
    make no nesting in the tree: the module-level number constant is copied
    through (SPEC section 2); above all the process survives."""
    src = tmp_path / FILENAME
    src.write_text("x = " + "(" * 150 + "1" + ")" * 150 + "\n\n\ndef f(v: float) -> float:\n    return v * x\n")
    out = tmp_path / "model_jvp.py"

    code = main(["forward", str(src), "-o", str(out), "--jit", "none"])

    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert code == 0, captured.err
    namespace: dict[str, object] = {}
    exec(compile(out.read_text(), str(out), "exec"), namespace)
    assert namespace["x"] == 1
    assert namespace["f_jvp"](2.0, 1.0) == (2.0, 1.0)


def test_every_diagnostic_code_of_the_fence_is_covered() -> None:
    """The table above reaches every code of the subset fence."""
    from adxform.parse.lower import UNSUPPORTED

    fence_codes = {code for code, _ in UNSUPPORTED.values()}
    covered = {case.code for case in CASES.values()}
    assert fence_codes <= covered, sorted(fence_codes - covered)


def test_reverse_refuses_and_or_of_numbers_too() -> None:
    """Reverse mode had no adjoint for `x > 0.0 and y or z`: a gradient of
    zero, silently (forward mode gave a tangent of zero)."""
    with pytest.raises(adxform.DiagnosticError) as info:
        adxform.transform(CASES["and-or-of-numbers"].source, "reverse", filename=FILENAME, jit="none")
    assert [(d.code, d.line, d.col) for d in info.value.diagnostics] == [("unsupported-operator", 2, 12)]


def test_and_of_conditions_is_differentiated() -> None:
    """`and` of comparisons stays a test: only its value as a number is refused."""
    source = _def("y = 0.0\nif x > 0.0 and x < 2.0:\n    y = x * x\nreturn y")
    for mode in ("forward", "reverse"):
        assert "def f_" in adxform.transform(source, mode, filename=FILENAME, jit="none")


def test_diagnostics_name_what_the_user_wrote_not_the_lowered_returns() -> None:
    """Several returns are lowered to one variable, ``result``, that the
    user never wrote: the refusals at the returns say what was returned."""
    source = (NP + "def f(u: np.ndarray, n: int) -> np.ndarray:\n    for i in range(n):\n        u = u * 1.5\n"
              "        if u[0] > 2.0:\n            return u * u\n    return u\n")
    with pytest.raises(adxform.DiagnosticError) as info:
        adxform.transform(source, "reverse", filename=FILENAME, jit="none")
    messages = {d.line: d.message for d in info.value.diagnostics}
    assert "returning, in several places, an array that shares memory" in messages[9]
    assert all("'result'" not in message for message in messages.values())
