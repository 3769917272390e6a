"""Custom rules (SPEC §4, issue 5): ``g_jvp`` / ``g_vjp`` in the source
module or in ``--rules FILE`` replace the differentiation of ``g``.

The rules here are exact derivatives, so the caller's derivatives must
match finite differences and each other (dot-product test); a second copy
of each rule is scaled by 3, so the caller's derivative must change by
exactly that: the rule, not adxform's own differentiation of ``g``, is
what runs.
"""

from __future__ import annotations

from pathlib import Path

import adxform
import numpy as np
import pytest
from adxform.cli import main
from helpers import load_module_from_text

MODEL = '''\
import math

import numpy as np


def logsumexp(x: np.ndarray) -> float:
    m = x[0]
    for i in range(x.shape[0]):
        if x[i] > m:
            m = x[i]
    s = 0.0
    for i in range(x.shape[0]):
        s += math.exp(x[i] - m)
    return m + math.log(s)


def relax(u: np.ndarray, c: float) -> None:
    for i in range(u.shape[0]):
        u[i] = u[i] + c * math.sin(u[i])


def loss(w: np.ndarray, c: float) -> float:
    z = np.zeros(w.shape[0])
    for i in range(w.shape[0]):
        z[i] = c * w[i] * w[i]
    relax(z, c)
    return logsumexp(z) * c
'''

RULES = '''\
import math

import numpy as np


def logsumexp_jvp(x: np.ndarray, x_dot: np.ndarray):
    y = logsumexp(x)
    d = 0.0
    for i in range(x.shape[0]):
        d += SCALE * math.exp(x[i] - y) * x_dot[i]
    return y, d


def logsumexp_vjp(x: np.ndarray, y_bar: float):
    y = logsumexp(x)
    g = np.zeros(x.shape[0])
    for i in range(x.shape[0]):
        g[i] = SCALE * y_bar * math.exp(x[i] - y)
    return y, g


def relax_jvp(u: np.ndarray, c: float, u_dot: np.ndarray, c_dot: float) -> None:
    for i in range(u.shape[0]):
        u_dot[i] = SCALE * ((1.0 + c * math.cos(u[i])) * u_dot[i] + math.sin(u[i]) * c_dot)
        u[i] = u[i] + c * math.sin(u[i])


def relax_vjp(u: np.ndarray, c: float, u_bar: np.ndarray):
    c_bar = 0.0
    for i in range(u.shape[0]):
        c_bar += SCALE * math.sin(u[i]) * u_bar[i]
        u_bar[i] = SCALE * (1.0 + c * math.cos(u[i])) * u_bar[i]
        u[i] = u[i] + c * math.sin(u[i])
    return (c_bar,)
'''

W, C = np.array([0.3, -0.5, 1.2, 0.1]), 0.7


def _modules(tmp_path: Path, scale: float, jit: str, as_file: bool):
    rules = f"SCALE = {scale}\n\n\n" + RULES
    out = []
    for mode in ("forward", "reverse"):
        if as_file:
            text = adxform.transform(MODEL, mode, filename="model.py", jit=jit, rules=rules, rules_filename="r.py")
        else:
            text = adxform.transform(MODEL + "\n\n" + rules.replace("import math\n\nimport numpy as np\n", ""),
                                     mode, filename="model.py", jit=jit)
        out.append(load_module_from_text(text, tmp_path / f"model_{mode}_{jit}_{int(scale)}_{as_file}.py"))
    return out


def _fd(primal, k: int) -> float:
    h = 1e-6
    if k < W.size:
        e = np.zeros_like(W)
        e[k] = h
        return (primal(W + e, C) - primal(W - e, C)) / (2 * h)
    return (primal(W, C + h) - primal(W, C - h)) / (2 * h)


@pytest.mark.parametrize("jit", ["none", "numba"])
@pytest.mark.parametrize("as_file", [False, True], ids=["in-source", "rules-file"])
def test_custom_rules_replace_differentiation(tmp_path: Path, jit: str, as_file: bool) -> None:
    fwd, rev = _modules(tmp_path, 1.0, jit, as_file)
    grad_w, grad_c = rev.loss_grad(W.copy(), C)
    fd = [_fd(rev.loss, k) for k in range(W.size + 1)]
    np.testing.assert_allclose(np.append(grad_w, grad_c), fd, rtol=1e-6)
    rng = np.random.default_rng(3)
    v_w, v_c = rng.standard_normal(W.size), float(rng.standard_normal())
    _, tangent = fwd.loss_jvp(W.copy(), C, v_w, v_c)
    assert tangent == pytest.approx(grad_w @ v_w + grad_c * v_c, rel=1e-10)  # <jvp(v), 1> == <v, grad>


def test_the_rule_is_what_runs(tmp_path: Path) -> None:
    """With both rules scaled by 3, the loss (c * logsumexp(relax(z))) has
    its derivative through logsumexp scaled by 3 and through relax by 3 more."""
    fwd1, rev1 = _modules(tmp_path, 1.0, "none", True)
    fwd3, rev3 = _modules(tmp_path, 3.0, "none", True)
    # d loss / dw flows through relax and logsumexp: 9 times the exact one
    np.testing.assert_allclose(rev3.loss_grad(W.copy(), C)[0], 9.0 * rev1.loss_grad(W.copy(), C)[0], rtol=1e-12)
    e0 = np.eye(W.size)[0]
    assert fwd3.loss_jvp(W.copy(), C, e0, 0.0)[1] == pytest.approx(9.0 * fwd1.loss_jvp(W.copy(), C, e0, 0.0)[1],
                                                                      rel=1e-12)


def test_public_functions_of_a_function_with_a_rule(tmp_path: Path) -> None:
    _, rev = _modules(tmp_path, 1.0, "none", False)
    x = np.array([0.5, -1.0, 2.0])
    softmax = np.exp(x - x.max()) / np.exp(x - x.max()).sum()
    np.testing.assert_allclose(rev.logsumexp_grad(x), softmax, rtol=1e-12)
    value, grad = rev.logsumexp_value_and_grad(x)
    assert value == pytest.approx(np.log(np.exp(x).sum()), rel=1e-12)
    text = adxform.transform(MODEL + "\n\n" + RULES.replace("import math\n\nimport numpy as np\n", "SCALE = 1.0\n"),
                             "reverse", filename="model.py", jit="none")
    assert text.count("def logsumexp_vjp(") == 1  # the user's, not a generated one


def test_rules_file_on_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "model.py").write_text(MODEL)
    (tmp_path / "rules.py").write_text("SCALE = 1.0\n\n\n" + RULES)
    out = tmp_path / "model_grad.py"
    assert main(["reverse", str(tmp_path / "model.py"), "-o", str(out), "--rules", str(tmp_path / "rules.py")]) == 0
    text = out.read_text()
    assert f"--rules {tmp_path / 'rules.py'}" in text.splitlines()[2]
    assert "logsumexp_vjp(x, y_bar)" in text and "def relax_vjp(" in text


@pytest.mark.parametrize("rules, line, col, code, words", [
    pytest.param("import numpy as np\n\n\ndef logsumexp_vjp(x: np.ndarray, y_bar: float, extra: float):\n"
                 "    return logsumexp(x), x\n", 4, 5, "bad-custom-rule",
                 "takes 3 parameters; it should take 2", id="wrong-signature"),
    pytest.param("def loss(w, c):\n    return c\n", 1, 5, "duplicate-function", "defined both here", id="duplicate"),
    pytest.param("def logsumexp_vjp(x, y_bar):\n    return logsumexp(x), x +\n", 2, 29, "syntax-error", "invalid syntax",
                 id="syntax-error"),
])
def test_rules_file_diagnostics_point_into_it(tmp_path: Path, capsys: pytest.CaptureFixture[str], rules: str,
                                              line: int, col: int, code: str, words: str) -> None:
    (tmp_path / "model.py").write_text(MODEL)
    (tmp_path / "rules.py").write_text(rules)
    out = tmp_path / "model_grad.py"
    assert main(["reverse", str(tmp_path / "model.py"), "-o", str(out), "--rules", str(tmp_path / "rules.py")]) == 1
    err = capsys.readouterr().err
    assert f"rules.py:{line}:{col}: error:" in err and words in err and f"[{code}]" in err, err
    assert f"{line:>5} | " + rules.splitlines()[line - 1] in err  # the caret line comes from the rules file
    assert not out.exists()


def test_a_rule_lets_g_call_a_numpy_function_without_a_derivative_rule(tmp_path: Path) -> None:
    source = '''\
import numpy as np


def spectral_energy(x: np.ndarray) -> float:
    return float(np.sum(np.abs(np.fft.fft(x)) ** 2))


def spectral_energy_vjp(x: np.ndarray, y_bar: float):
    # Parseval: the energy is n * sum(x**2)
    return spectral_energy(x), y_bar * 2.0 * x.shape[0] * x


def loss(x: np.ndarray) -> float:
    return spectral_energy(x)
'''
    with pytest.raises(adxform.DiagnosticError) as err:
        adxform.transform(source.replace("spectral_energy_vjp", "other_name"), "reverse", filename="m.py")
    assert "numpy.fft.fft" in str(err.value)
    note = err.value.diagnostics[0].note
    assert "g_jvp / g_vjp" in note and "--rules" in note
    module = load_module_from_text(adxform.transform(source, "reverse", filename="m.py", jit="none"),
                                   tmp_path / "spectral_grad.py")
    x = np.array([0.3, -1.0, 0.25, 2.0, 0.5])
    h, e = 1e-6, np.eye(x.size)
    fd = [(module.loss(x + h * e[k]) - module.loss(x - h * e[k])) / (2 * h) for k in range(x.size)]
    np.testing.assert_allclose(module.loss_grad(x), fd, rtol=1e-6)
