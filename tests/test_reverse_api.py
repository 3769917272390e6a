"""The generated reverse-mode module as a user meets it (SPEC sections 3-4):
differentiable array arguments that overlap in memory are rejected with a
ValueError, the module imports only numpy, math and numba, and ``--jit
none`` writes plain Python without numba decorators."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import adxform
import generated
import numpy as np
import pytest
from adxform.cli import main
from adxform.testing import check_grads
from helpers import assert_close, corpus_modules, load_module_from_text

JITS = ["numba", "none"]

MODEL = '''\
"""Two float-array parameters, as a function and as a procedure."""

import math

import numpy as np


def weighted(a: np.ndarray, b: np.ndarray, x: float) -> float:
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i] * math.sin(b[i]) * x
    return s


def mix(u: np.ndarray, v: np.ndarray, c: float) -> None:
    for i in range(u.shape[0]):
        u[i] += c * v[i] * v[i]
        v[i] -= c * u[i]
'''

ALLOWED_IMPORTS = {"numpy", "math", "numba"}


@pytest.fixture(scope="module", params=JITS)
def model(request, tmp_path_factory) -> ModuleType:
    jit = request.param
    text = adxform.transform(MODEL, "reverse", filename="model.py", jit=jit)
    return load_module_from_text(text, tmp_path_factory.mktemp(f"reverse-api-{jit}") / "model_vjp.py")


def _vector() -> np.ndarray:
    return np.linspace(0.1, 1.0, 8)


def _matrix() -> np.ndarray:
    return np.linspace(0.1, 1.0, 16).reshape(4, 4)


def _pair(build: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]], base: Callable[[], np.ndarray]) -> Callable:
    return lambda: build(base())


# Each entry builds two same-shape views of one fresh buffer.
OVERLAPPING = {
    "same-array-twice": _pair(lambda a: (a, a), _vector),
    "a[1:]-a[:-1]": _pair(lambda a: (a[1:], a[:-1]), _vector),
    "a[:5]-a[3:]": _pair(lambda a: (a[:5], a[3:]), _vector),
    "row-and-column-sharing-m[0,0]": _pair(lambda m: (m[0, :], m[:, 0]), _matrix),
    "a[::2][:3]-a[2::2]": _pair(lambda a: (a[::2][:3], a[2::2]), _vector),
}
DISJOINT = {
    "a[:4]-a[4:]": _pair(lambda a: (a[:4], a[4:]), _vector),
    "a[::2]-a[1::2]": _pair(lambda a: (a[::2], a[1::2]), _vector),
    "columns-m[:,0]-m[:,1]": _pair(lambda m: (m[:, 0], m[:, 1]), _matrix),
    "rows-m[0]-m[1]": _pair(lambda m: (m[0], m[1]), _matrix),
}


def _owner(array: np.ndarray) -> np.ndarray:
    return array if array.base is None else array.base


@pytest.mark.parametrize("pair", list(OVERLAPPING))
def test_overlapping_arrays_rejected(model, pair):
    first, second = OVERLAPPING[pair]()
    before = _owner(first).copy()
    with pytest.raises(ValueError):
        model.weighted_vjp(first, second, 0.5, 1.0)
    with pytest.raises(ValueError):
        model.weighted_grad(first, second, 0.5)
    with pytest.raises(ValueError):
        model.weighted_value_and_grad(first, second, 0.5)
    with pytest.raises(ValueError):
        model.mix_vjp(first, second, 0.5, np.ones(first.shape), np.ones(second.shape))
    assert np.array_equal(_owner(first), before), "a rejected call wrote into its arguments"


@pytest.mark.parametrize("pair", list(DISJOINT))
def test_disjoint_views_accepted(model, pair):
    """Views of one buffer that share no element do not overlap: the results
    equal those on separate copies."""
    first, second = DISJOINT[pair]()
    expected = model.weighted_vjp(first.copy(), second.copy(), 0.5, 1.0)
    got = model.weighted_vjp(first, second, 0.5, 1.0)
    assert_close(list(got), list(expected), 1e-13, "weighted_vjp on views")

    bu, bv = np.ones(first.shape), np.linspace(-1.0, 1.0, second.shape[0])
    copies = [first.copy(), second.copy(), 0.5, bu.copy(), bv.copy()]
    expected_scalars = model.mix_vjp(*copies)
    views = [first, second, 0.5, bu.copy(), bv.copy()]
    got_scalars = model.mix_vjp(*views)
    assert_close(list(got_scalars), list(expected_scalars), 1e-13, "mix_vjp scalar adjoints on views")
    for k in (0, 1, 3, 4):
        assert_close([views[k]], [copies[k]], 1e-13, f"mix_vjp argument {k} on views")


# ---------------------------------------------------------------- the generated text


def _imported_modules(tree: ast.Module) -> set[str]:
    """The top-level names of every module the text imports, anywhere in it."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"relative import: {ast.unparse(node)}"
            assert node.module is not None
            names.add(node.module.split(".")[0])
    return names


def _numba_decorators(tree: ast.Module) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for decorator in node.decorator_list:
                text = ast.unparse(decorator)
                if any(word in text for word in ("numba", "njit", "jit", "cuda")):
                    found.append(f"{node.name}: @{text}")
    return found


MODULES = [pytest.param(path, id=path.stem) for path in corpus_modules()]


@pytest.mark.parametrize("jit", JITS)
@pytest.mark.parametrize("path", MODULES)
def test_imports_only_numpy_math_numba(path, jit):
    text = generated.transform(path.read_text(), "reverse", filename=path.name, jit=jit)
    tree = ast.parse(text)
    imported = _imported_modules(tree)
    assert imported <= ALLOWED_IMPORTS, f"{path.name}: imports {sorted(imported - ALLOWED_IMPORTS)}"


@pytest.mark.parametrize("path", MODULES)
def test_jit_none_has_no_numba(path):
    text = generated.transform(path.read_text(), "reverse", filename=path.name, jit="none")
    tree = ast.parse(text)
    assert _numba_decorators(tree) == []
    assert "numba" not in _imported_modules(tree)


@pytest.mark.parametrize("path", MODULES)
def test_jit_numba_compiles_with_numba(path):
    """The counterpart of the test above: the default output is jitted."""
    text = generated.transform(path.read_text(), "reverse", filename=path.name, jit="numba")
    tree = ast.parse(text)
    assert _numba_decorators(tree), f"{path.name}: no numba decorator in the output"
    assert "numba" in _imported_modules(tree)


def test_cli_jit_none_runs_without_numba(tmp_path, monkeypatch, capsys):
    """``adxform reverse --jit none`` output has no numba decorators and runs
    where numba cannot be imported."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "model.py").write_text(MODEL)
    assert main(["reverse", "model.py", "-o", "-", "--jit", "none"]) == 0
    text = capsys.readouterr().out
    tree = ast.parse(text)
    assert _numba_decorators(tree) == []
    (tmp_path / "model_vjp.py").write_text(text)
    script = (
        "import sys\n"
        "sys.modules['numba'] = None\n"
        "import numpy as np\n"
        "import model_vjp\n"
        "a = np.linspace(0.1, 1.0, 5)\n"
        "b = np.linspace(-1.0, 1.0, 5)\n"
        "y, a_bar, b_bar, x_bar = model_vjp.weighted_vjp(a, b, 0.5, 1.0)\n"
        "assert np.allclose(a_bar, np.sin(b) * 0.5, rtol=1e-14, atol=0.0), a_bar\n"
        "assert np.allclose(b_bar, a * np.cos(b) * 0.5, rtol=1e-14, atol=0.0), b_bar\n"
        "assert abs(x_bar - float(np.sum(a * np.sin(b)))) < 1e-14, x_bar\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


def test_source_path_is_unchanged_by_cli(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "model.py").write_text(MODEL)
    assert main(["reverse", "model.py", "-o", "model_vjp.py", "--jit", "none"]) == 0
    assert (tmp_path / "model.py").read_text() == MODEL
    assert "def weighted_vjp(" in (tmp_path / "model_vjp.py").read_text()


REFUSED_IN_REVERSE = """import numpy as np


def view_rebound(a: np.ndarray, x: float) -> float:
    b = a * x
    c = b[1:]
    for k in range(2):
        b = b * x
    return b[0] + c[0]
"""


def test_reverse_refuses_what_it_cannot_differentiate(tmp_path, capsys):
    """Rebinding an array that a view shares memory with is forward-only for
    now: reverse mode says so with a position and writes nothing, never a
    wrong gradient."""
    from adxform.cli import main

    src = tmp_path / "model.py"
    src.write_text(REFUSED_IN_REVERSE)
    out = tmp_path / "model_grad.py"
    assert main(["forward", str(src), "-o", str(tmp_path / "model_jvp.py")]) == 0
    capsys.readouterr()
    assert main(["reverse", str(src), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"{src}:8:9: error: ") and "[unsupported-reverse]" in err.splitlines()[0]
    assert "shares memory" in err.splitlines()[0]
    assert "Traceback" not in err
    assert not out.exists()


def test_array_made_afresh_in_a_loop(tmp_path):
    """A new array each iteration, of a dimension adxform does not know, is
    taped whole at the end of each iteration; one bound twice in an
    iteration is refused with a position."""
    source = ("import numpy as np\n\n\ndef f(a: np.ndarray, x: float) -> float:\n    s = a * x\n"
              "    for t in range(3):\n        q = np.sin(s) * x\n        s = q * q\n    return np.sum(s)\n")
    module = load_module_from_text(adxform.transform(source, "reverse", filename="m.py", jit="none"),
                                   tmp_path / "afresh_grad.py")
    a, x, h = np.array([[0.3, -0.2], [0.5, 0.1]]), 0.8, 1e-6
    grad_a, grad_x = module.f_grad(a.copy(), x)
    assert grad_x == pytest.approx((module.f(a, x + h) - module.f(a, x - h)) / (2 * h), rel=1e-6)
    e = np.zeros_like(a)
    e[1, 0] = h
    assert grad_a[1, 0] == pytest.approx((module.f(a + e, x) - module.f(a - e, x)) / (2 * h), rel=1e-6)
    twice = source.replace("        s = q * q\n", "        q = q * q\n        s = q * 1.0\n")
    with pytest.raises(adxform.DiagnosticError) as err:
        adxform.transform(twice, "reverse", filename="m.py")
    assert any((d.line, d.code) == (7, "unsupported-reverse") and "bound twice" in d.message
               for d in err.value.diagnostics)


ROWS = '''\
import numpy as np


def rows(m: np.ndarray, t: np.ndarray) -> float:
    s = t.copy()
    for i in range(3):
        s = s * 0.5 + m[i] * m[i]
    return np.sum(s)
'''


@pytest.mark.parametrize("jit", JITS)
def test_element_reads_check_the_dimensions(tmp_path, jit):
    """Nothing in ``rows`` says ``m`` is a matrix, so ``m[i]`` is taken to be
    an element and the gradient is that of a vector ``m``; a matrix is
    refused when the gradient runs, naming where the element is read,
    instead of giving the gradient of an element to a row."""
    module = load_module_from_text(adxform.transform(ROWS, "reverse", filename="m.py", jit=jit),
                                   tmp_path / f"rows_{jit}_grad.py")
    m, t, h = np.linspace(0.5, 1.5, 4), np.linspace(0.2, 0.4, 3), 1e-6
    grad_m, _ = module.rows_grad(m, t)
    e = np.zeros(4)
    e[1] = h
    assert grad_m[1] == pytest.approx((module.rows(m + e, t) - module.rows(m - e, t)) / (2 * h), rel=1e-6)
    with pytest.raises(ValueError, match=r"m\.py:7:23: .*element of 'm'.*'m' must be a 1-D array"):
        module.rows_grad(np.ones((3, 3)), t)


def test_matrix_evidence_makes_rows(tmp_path):
    """``m.shape[1]``, ``np.sum(m, axis=1)``, ``m[i, j]`` or ``m[t]`` as an
    operand of ``@`` show that ``m`` is a matrix: ``m[i]`` is then a row."""
    evidence = ["    n = m.shape[1]\n", "    r = np.sum(m, axis=1)\n", "    r = m[0, 0]\n", "    r = m[0] @ t\n"]
    for line in evidence:
        source = ROWS.replace("    s = t.copy()\n", line + "    s = t.copy()\n")
        module = load_module_from_text(adxform.transform(source, "reverse", filename="m.py", jit="none"),
                                       tmp_path / f"rows_{evidence.index(line)}_grad.py")
        m, t, h = np.linspace(0.5, 1.5, 9).reshape(3, 3), np.linspace(0.2, 0.4, 3), 1e-6
        grad_m, _ = module.rows_grad(m, t)
        e = np.zeros((3, 3))
        e[1, 2] = h
        assert grad_m[1, 2] == pytest.approx((module.rows(m + e, t) - module.rows(m - e, t)) / (2 * h), rel=1e-6)


def test_element_reads_of_a_local_check_its_dimensions(tmp_path):
    """A local array of unknown dimensions whose elements the body reads is
    checked where it gets its value: ``t = w.T`` of a matrix, then ``t[0]``
    read as a number, is refused rather than differentiated as one."""
    source = ("import numpy as np\n\n\ndef f(m: np.ndarray, c: float) -> float:\n    w = m.copy()\n"
              "    t = w.T\n    t[0] = t[1] * c\n    return np.sum(w * m)\n")
    module = load_module_from_text(adxform.transform(source, "reverse", filename="m.py", jit="none"),
                                   tmp_path / "local_grad.py")
    grad_m, grad_c = module.f_grad(np.linspace(0.5, 1.5, 4), 0.7)
    assert grad_c == pytest.approx(np.linspace(0.5, 1.5, 4)[1] * np.linspace(0.5, 1.5, 4)[0])
    with pytest.raises(ValueError, match=r"m\.py:7:5: .*element of 't'.*'t' must be a 1-D array"):
        module.f_grad(np.ones((3, 3)), 0.7)


def _gradient_check(module: ModuleType, name: str, args: list, h: float = 1e-6) -> None:
    """Every component of ``name_grad`` against central differences (the
    float parameters come first, the int ones, which have none, last)."""
    def fresh() -> list:
        return [a.copy() if isinstance(a, np.ndarray) else a for a in args]

    f, grads = getattr(module, name), getattr(module, f"{name}_grad")(*fresh())
    grads = grads if isinstance(grads, tuple) else (grads,)
    for k, (arg, grad) in enumerate(zip(args, grads)):
        for index in np.ndindex(np.shape(arg)):
            plus, minus = fresh(), fresh()
            if isinstance(arg, np.ndarray):
                plus[k][index] += h
                minus[k][index] -= h
            else:
                plus[k], minus[k] = arg + h, arg - h
            expected = (f(*plus) - f(*minus)) / (2 * h)
            assert np.asarray(grad)[index] == pytest.approx(expected, rel=1e-5, abs=1e-8), (k, index)


WHOLE_ARRAY = '''\
import math

import numpy as np


def stencil(u0: np.ndarray, k: float, n: int) -> float:
    u = u0.copy()
    for step in range(n):
        u[1:-1:2] = u[1:-1:2] + k * (u[2::2] - 2.0 * u[1:-1:2] + u[:-2:2])
    return np.sum(u * u)


def gates(w: np.ndarray, x: np.ndarray, m: int) -> float:
    s = np.zeros(w.shape[0])
    for outer in range(2):
        for t in range(m):
            g = w @ x[t] + s
            p = 1.0 / (1.0 + np.exp(-g))
            q = np.tanh(g)
            s = p * q + s
    return np.sum(s * s)


def guarded(x: float) -> float:
    return math.log(x) * math.log(x) if x > 0.0 else x * x
'''


@pytest.mark.parametrize("jit", JITS)
def test_whole_array_adjoints(tmp_path, jit):
    """Increments into strided views, a left operand that is the target
    (``u[s] = u[s] + e(u)``: no zeroing and adding back), arrays made
    afresh in nested loops (their adjoint arrays made once), calls a
    statement's adjoint repeats (bound once, except under a condition)."""
    text = adxform.transform(WHOLE_ARRAY, "reverse", filename="whole.py", jit=jit)
    module = load_module_from_text(text, tmp_path / f"whole_{jit}_grad.py")
    rng = np.random.default_rng(7)
    _gradient_check(module, "stencil", [rng.uniform(0.0, 1.0, 9), 0.2, 3])
    _gradient_check(module, "gates", [0.3 * rng.standard_normal((4, 3)), rng.standard_normal((3, 3)), 3])
    _gradient_check(module, "guarded", [0.7])
    _gradient_check(module, "guarded", [-0.7])  # the logarithm must not run
    assert "_add_into(u_bar[2::2]" in text and "u_bar[1:-1:2][...] = 0.0" not in text
    assert text.count("np.exp(-g)") == 3  # the primal, the forward sweep, the adjoint
    assert "if g_top == 0:" in text
    rev = text[text.index("def guarded_rev"):]
    assert rev.index("math.log(x)") > rev.index("if x > 0.0")


def test_room_for_array_pushes_of_a_fixed_size(tmp_path):
    """A loop that pushes a view of a fixed size reserves the tape's room up
    front; one whose view grows with the loop variable does not (and both
    differentiate right)."""
    source = ("import numpy as np\n\n\ndef f(a: np.ndarray, k: float, n: int) -> float:\n    u = a.copy()\n"
              "    for t in range(n):\n        u[1:-1] = u[1:-1] * np.sin(k * u[1:-1])\n"
              "    for t in range(n):\n        u[:t + 2] = u[:t + 2] * np.cos(k * u[:t + 2])\n    return np.sum(u)\n")
    text = adxform.transform(source, "reverse", filename="m.py", jit="none")
    assert text.count("ftape = _tape_reserve(ftape, ftop + n * u[1:-1].size)") == 1
    assert text.count("_tape_reserve(ftape") == 1
    module = load_module_from_text(text, tmp_path / "room_grad.py")
    _gradient_check(module, "f", [np.linspace(0.1, 0.9, 6), 0.7, 3])


def test_int_counters_are_counted_back_not_taped(tmp_path):
    # li += 1 in a triangular loop and j -= 2: the reverse sweep undoes the
    # increments, so nothing goes on an int tape; the gradient is exact
    source = '''
import math
import numpy as np

def f(x, p):
    d = x.shape[0]
    y = np.zeros(d)
    li = 0
    for j in range(d):
        for m in range(j + 1, d):
            y[m] += p[li] * x[j]
            li += 1
    k = d - 1
    s = 0.0
    while k >= 0:
        s += math.sin(y[k] * x[k])
        k -= 2
    return s
'''
    text = adxform.transform(source, "reverse", filename="m.py", jit="none")
    assert "itape" not in text and "li -= 1" in text and "k += 2" in text
    module = load_module_from_text(text, tmp_path / "counters_vjp.py")
    forward = load_module_from_text(adxform.transform(source, "forward", filename="m.py", jit="none"),
                                    tmp_path / "counters_jvp.py")
    rng = np.random.default_rng(1)
    check_grads([module, forward], "f", [rng.standard_normal(6), rng.standard_normal(15)])


def test_branch_temporaries_are_recomputed_not_taped():
    # adv is assigned on every path of a branch whose test the loop does not
    # change: the reverse sweep recomputes the branch instead of taping adv
    source = '''
def f(u, dt):
    s = 0.0
    for i in range(u.shape[0]):
        if u[i] > 0.0:
            adv = u[i] * u[i - 1]
        else:
            adv = u[i] * u[(i + 1) % u.shape[0]]
        s += dt * adv * adv
    return s
'''
    text = adxform.transform(source, "reverse", filename="m.py", jit="none")
    assert "_tape_push" not in text and "_tape_put" not in text


def test_tuples_from_several_returns_are_refused_with_their_position():
    # found by the fuzzer: the lowered result variable had no position (an
    # internal error in the reporter) and a message about a variable the
    # user never wrote.  Returns each written as a tuple are reversed
    # (corpus: unannotated.pair_with_early_return); a tuple from a call is not.
    source = ("def g(x: float, y: float):\n    return y, x\n\n\n"
              "def f(x: float, y: float):\n    if x > 0.0:\n        return x, y\n    return g(x, x * y)\n")
    with pytest.raises(adxform.DiagnosticError) as err:
        adxform.transform(source, "reverse", filename="m.py", functions=["f"], jit="none")
    diagnostic = err.value.diagnostics[0]  # (then the tuple the call gives, bound to a variable)
    assert (diagnostic.pos.line, diagnostic.pos.col, diagnostic.code) == (7, 9, "unsupported-reverse")
    assert "more than one return" in diagnostic.message


@pytest.mark.parametrize("body", [
    "    u[0] += u[:-2] @ u[:-2] + 0.1 * y\n    return np.sum(u * u)\n",
    "    a = np.outer(u, u)\n    t = u[0] + math.asinh(np.dot(u[2:], u[:-2]))\n"
    "    return np.sum(np.maximum(a[1], a[-1]) * t * np.sum(a, axis=0)) * math.cos(y)\n",
])
def test_slices_in_products_show_no_extra_dimension(tmp_path, body):
    # found by the fuzzer: u[:-2] @ u[:-2] made u look 2-D, so u[0] was a
    # row and its adjoint went into a copy (silently wrong gradients)
    source = f"import math\nimport numpy as np\n\n\ndef f(u, y):\n    u = u.copy()\n{body}"
    modules = [load_module_from_text(adxform.transform(source, mode, filename="m.py", jit="none"),
                                     tmp_path / f"slices_{mode}.py") for mode in ("reverse", "forward")]
    check_grads(modules, "f", [np.array([0.3, 0.5, 0.7, 0.2, 0.9]), 0.6])


def test_array_results_of_several_returns(tmp_path):
    # found by the fuzzer: the returned array is first defined on each path,
    # but only the first path gave it an adjoint array (UnboundLocalError)
    source = ("import math\nimport numpy as np\n\n\ndef f(u, x):\n    if u[0] > 0.0:\n        return np.sin(u)\n"
              "    return np.sin(u) + 0.1 * math.cos(x)\n")
    modules = [load_module_from_text(adxform.transform(source, mode, filename="m.py", jit="none"),
                                     tmp_path / f"returns_{mode}.py") for mode in ("reverse", "forward")]
    for u in ([0.3, 0.5, 0.7], [-0.3, 0.5, 0.7]):
        check_grads(modules, "f", [np.array(u), 0.4])


def test_a_loop_carried_adjoint_is_walked_backwards(tmp_path):
    # found by the fuzzer: y_bar carries a value from one reversed iteration
    # to the next (t_bar = y_bar; y_bar = 0.0), so the iterations' adjoints
    # do not commute; the loop was walked forwards (wrong gradient of u)
    source = "def f(u, y):\n    for i in range(3):\n        y = 0.5 * y + u[i]\n    return 0.1 * math.cos(y)\n"
    source = "import math\n\n\n" + source
    modules = [load_module_from_text(adxform.transform(source, mode, filename="m.py", jit="none"),
                                     tmp_path / f"carried_{mode}.py") for mode in ("reverse", "forward")]
    check_grads(modules, "f", [np.array([0.3, 0.5, 0.7, 0.4]), 0.4])


def test_a_value_first_bound_in_a_branch_and_taped_later(tmp_path):
    # found by the fuzzer: the returned value is bound in a branch that may
    # not run, then saved on the tape in a loop (UnboundLocalError)
    source = ("import math\n\n\ndef f(u, y):\n    if y > 1.0:\n        if u[0] > 0.3:\n"
              "            return math.tanh(u[1])\n    t = y\n    for i in range(u.shape[0]):\n"
              "        t = t * math.cos(u[i]) + 0.1\n        if t < -5.0:\n            return 0.1 * i\n    return t\n")
    modules = [load_module_from_text(adxform.transform(source, mode, filename="m.py", jit="none"),
                                     tmp_path / f"branch_bound_{mode}.py") for mode in ("reverse", "forward")]
    for y in (0.5, 1.5):
        check_grads(modules, "f", [np.array([0.2, 0.5, 0.7]), y])


@pytest.mark.parametrize("view", ["np.transpose(m)", "m.transpose()"])
def test_writes_through_a_transpose_reach_its_base(tmp_path, view):
    # a transpose is a view: writing into it writes into m (both modes gave
    # a zero derivative of a)
    source = (f"import numpy as np\n\n\ndef f(m: np.ndarray, a: float) -> float:\n    w = {view}\n"
              "    w[0, 1] = a * w[1, 0]\n    return np.sum(m * m)\n")
    modules = [load_module_from_text(adxform.transform(source, mode, filename="m.py", jit="none"),
                                     tmp_path / f"transpose_{mode}_{len(view)}.py") for mode in ("reverse", "forward")]
    check_grads(modules, "f", [np.array([[1.0, 2.0], [3.0, 4.0]]), 0.7])


def test_grad_runs_the_primal_only_for_side_effects(tmp_path):
    # f_rev does not return f's value here (the value costs a pass of its own), and f_grad gives none, so it calls
    # f_rev alone; a function that writes into its argument still runs the primal for that, as f_vjp does
    source = ("import numpy as np\n\n\ndef f(x):\n    total = 0.0\n    for i in range(x.shape[0] - 1):\n"
              "        t = x[i + 1] - x[i] * x[i]\n        total += t * t\n    return total\n\n\n"
              "def g(x):\n    x[0] = x[0] * x[1]\n    return np.sum(x * x)\n")
    text = adxform.transform(source, "reverse", filename="m.py", jit="none")
    module = load_module_from_text(text, tmp_path / "m_grad.py")
    f_grad = text[text.index("def f_grad"):text.index("def f_value_and_grad")]
    assert "f_rev(x, 1.0, x_bar)" in f_grad and "f_vjp" not in f_grad
    x = np.array([0.5, -1.2, 0.8, 2.0])
    np.testing.assert_allclose(module.f_grad(x), module.f_vjp(x, 1.0)[1], rtol=1e-15)
    y = x.copy()
    grad = module.g_grad(y)
    np.testing.assert_allclose(grad, module.g_vjp(x.copy(), 1.0)[1], rtol=1e-15)
    assert y[0] == x[0] * x[1]  # g's side effect, as calling g leaves it


ONE_ARRAY_TWICE = """import math

import numpy as np


def _fill(x, out):
    for i in range(x.shape[0]):
        out[i] = math.sin(x[i]) * x[i]


def f(u):
    k = u.copy()
    w = k[1:]
    s = 0.0
    for t in range(3):
        _fill(k, k)
        _fill(w, k[:-1])
        s += np.sum(k)
    return s
"""


def test_one_array_passed_to_a_parameter_a_callee_writes_and_to_another_is_refused(tmp_path):
    # _fill_rev would add into x_bar and clear out_bar, one array: the gradient was silently zero. Forward mode
    # is right (each element is read before it is written), and so is reverse mode on a copy
    with pytest.raises(adxform.DiagnosticError) as info:
        adxform.transform(ONE_ARRAY_TWICE, "reverse", filename="m.py", jit="none")
    # (`_fill(w, k[:-1])`, two views of k, is checked when the gradient runs: see the rows test below)
    assert [(d.code, d.line, d.col) for d in info.value.diagnostics] == [("unsupported-reverse", 16, 9)]
    assert all("passing one array to two parameters of '_fill'" in d.message for d in info.value.diagnostics)
    copied = ONE_ARRAY_TWICE.replace("_fill(k, k)", "k_in = k.copy()\n        _fill(k_in, k)").replace(
        "_fill(w, k[:-1])", "w_in = w.copy()\n        _fill(w_in, k[:-1])")
    module = load_module_from_text(adxform.transform(copied, "reverse", filename="m.py", jit="none"),
                                   tmp_path / "copied_grad.py")
    namespace: dict = {}
    exec(copied, namespace)
    u = np.array([0.3, -0.7, 1.1, 0.4])
    differences = [(namespace["f"](u + e) - namespace["f"](u - e)) / 2e-6 for e in np.eye(4) * 1e-6]
    assert_close(module.f_grad(u), np.array(differences), 1e-6, "the gradient through copies")


ROWS_OF_ONE_ARRAY = """import math

import numpy as np


def _step(x, out):
    for i in range(x.shape[0]):
        out[i] = x[i] + 0.1 * math.sin(x[i])


def f(u0, nsteps, j):
    U = np.zeros((nsteps + 1, u0.shape[0]))
    U[0] = u0
    for t in range(nsteps):
        _step(U[t], U[min(t + 1, j)])
    return np.sum(U[nsteps] * U[nsteps])
"""


@pytest.mark.parametrize("jit", ["none", "numba"])
def test_rows_of_one_array_passed_to_a_callee_are_checked_apart_when_the_gradient_runs(tmp_path, jit):
    # U[t] and U[t + 1] are apart, and a time loop writes them so; where the rows are one (j == t), the
    # gradient raises, naming the call, rather than adding into and clearing one adjoint row as two
    module = load_module_from_text(adxform.transform(ROWS_OF_ONE_ARRAY, "reverse", filename="m.py", jit=jit),
                                   tmp_path / f"rows_of_one_{jit}_grad.py")
    namespace: dict = {}
    exec(ROWS_OF_ONE_ARRAY, namespace)
    u = np.array([0.3, -0.7, 1.1])
    differences = [(namespace["f"](u + e, 3, 3) - namespace["f"](u - e, 3, 3)) / 2e-6 for e in np.eye(3) * 1e-6]
    assert_close([module.f_vjp(u, 3, 3, 1.0)[1]], [np.array(differences)], 1e-6, "the gradient through rows apart")
    with pytest.raises(ValueError, match=r"m\.py:15:9: the arrays passed to '_step' here overlap in memory"):
        module.f_grad(u, 3, 1)


REBOUND = """import numpy as np


def _tail(v):
    return v[1:] * 2.0


def f(x0, c, m):
    x = x0.copy()
    for i in range(len(x)):
        x[i] = x[i] - c * x[i] * x[i]
    y = np.sum(x)
    x = np.ones(m)
    return y * x[0]


def g(x0, c):
    x = np.sin(x0)
    y = np.sum(x * x) * c
    x = _tail(x0)
    return y + np.sum(x * x)
"""


@pytest.mark.parametrize("jit", JITS)
def test_an_array_bound_again_to_another_shape_is_refused_at_run_time(tmp_path, jit):
    """The reverse sweep puts an array's old values back into the array its
    name is bound to again, so the new one must have the old shape: with
    another, ``f``'s reverse loop would read ``len(x)`` of the new array and
    ``g``'s load would not fit.  The same shape gets its gradient."""
    module = load_module_from_text(adxform.transform(REBOUND, "reverse", filename="m.py", jit=jit),
                                   tmp_path / f"rebound_{jit}_grad.py")
    x0 = np.linspace(0.1, 0.5, 5)
    with pytest.raises(ValueError, match=r"m\.py:13:5: 'x' is bound here to an array of another shape"):
        module.f_grad(x0, 0.7, 3)
    with pytest.raises(ValueError, match=r"m\.py:20:5: 'x' is bound here to an array of another shape"):
        module.g_grad(x0, 0.7)
    _gradient_check(module, "f", [x0, 0.7, 5])


GROWING = """import numpy as np


def f(x, n):
    s = 0.0
    for i in range(1, 4):
        w = x[:n] * 2.0 if n > 0 else x[:i] * 2.0
        s += np.sum(w * w) * x[i]
    return s


def _term(x, i):
    w = x[:i] * 2.0
    return np.sum(w * w) * x[i]


def g(x):
    s = 0.0
    for i in range(1, 4):
        s += _term(x, i)
    return s


def h(x, m):
    s = 0.0
    for i in range(1, 4):
        if i < 3:
            w = x[:2] * 2.0
        else:
            w = x[:m] * 2.0
        s += np.sum(w * w) * x[i]
    return s
"""


@pytest.mark.parametrize("jit", JITS)
def test_arrays_of_different_shapes_made_in_a_loop_are_refused_at_run_time(tmp_path, jit):
    """An array made afresh in each iteration comes back, in the reverse
    sweep, into the one array the name holds: ``w = x[:i] * 2.0`` has
    another shape in each, and its gradient was silently wrong (garbage from
    outside the tape, under numba).  Refused where it is bound; one shape in
    every iteration (``n`` > 0) gets its gradient, and so does the same
    computation in a function the loop calls, as the message advises.  A
    name bound in a branch keeps its old arrays: the last one is checked
    too, though never pushed (``h``: two of one shape, then another)."""
    module = load_module_from_text(adxform.transform(GROWING, "reverse", filename="m.py", jit=jit),
                                   tmp_path / f"growing_{jit}_grad.py")
    x = np.array([0.3, -0.7, 1.1, 0.5])
    with pytest.raises(ValueError, match=r"m\.py:7:9: 'w' is bound here, in a loop, to arrays of different shapes.*"
                                         r"in a function that the loop calls"):
        module.f_grad(x, 0)
    _gradient_check(module, "f", [x, 2])
    _gradient_check(module, "g", [x])
    # bound in a branch, its old arrays kept: the last one, never pushed, is checked where it is bound
    with pytest.raises(ValueError, match=r"m\.py:28:13: 'w' is bound here, in a loop, to arrays of different"):
        module.h_grad(x, 3)
    _gradient_check(module, "h", [x, 2])


LAYOUTS = """import numpy as np


def f(u, x, y, M, K, idx):
    n = u.shape[0]
    s = 0.0
    A = (M).T
    t = (0.25 if x < 0.0 else (u[1:]) @ (u[:-1]))
    if np.linalg.norm(0.5 + M[n // 2]) < 1.0:
        for i in range(n):
            A2 = np.exp(-((A) ** 2))
            if np.sum((u[1:-1]) * (u[2:])) <= 0.3:
                return (0.1 * i if 0.5 < 0.3 else (A2[idx[i]]) @ (A[-1]))
            A3 = M
        if A[0, n - 1] > -0.2:
            A4 = M - M
            w = u + 0.0
    for i2 in range(K):
        if u[0] < -0.2:
            return M[n - 1, 0]
    return (2.0) ** 2 + 0.1 * s + 0.1 * x + 0.1 * y
"""


@pytest.mark.parametrize("jit", JITS)
def test_an_array_bound_to_arrays_of_two_layouts_is_saved(tmp_path, jit):
    """``A2`` is bound before the loop to an empty C-ordered array and in it
    to ``np.exp`` of the transpose ``A``: the pushes of ``A2`` compiled for
    both layouts (fuzz seed 96246: numba could not unify the two ``.flat``
    iterators of the inlined ``_tape_push_array``)."""
    module = load_module_from_text(adxform.transform(LAYOUTS, "reverse", filename="m.py", jit=jit),
                                   tmp_path / f"layouts_{jit}_grad.py")
    u = np.array([-0.82, -0.83, -0.56])
    M = 0.3 * np.array([[-0.23, 0.10, -0.16], [0.33, -0.30, 0.29], [0.15, -0.18, 0.24]])
    _gradient_check(module, "f", [u, -0.47, 0.14, M, 1, np.array([2, 2, 0])])
