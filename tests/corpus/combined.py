import math

import numpy as np

# Small models that mix the constructs of the other corpus modules.


def logistic_map(r: float, x0: float, n: int) -> float:
    x = x0
    s = 0.0
    for k in range(n):
        x = r * x * (1.0 - x)
        s += x / (k + 1)
    return s


def _accel(x: float, v: float, omega: float) -> float:
    return -omega * omega * x - 0.1 * v


def oscillator_rk2(x0: float, v0: float, omega: float, dt: float, n: int) -> tuple[float, float]:
    x, v = x0, v0
    for k in range(n):
        a = _accel(x, v, omega)
        xm, vm = x + 0.5 * dt * v, v + 0.5 * dt * a
        x, v = x + dt * vm, v + dt * _accel(xm, vm, omega)
    return x, v


def _diffuse(u: np.ndarray, c: float) -> None:
    n = u.shape[0]
    old = u.copy()
    for i in range(n):
        # periodic boundary: old[i - 1] wraps at i == 0, old[i + 1 - n] at i == n - 1
        u[i] = old[i] + c * (old[i - 1] - 2.0 * old[i] + old[i + 1 - n])


def heat_energy(u0: np.ndarray, kappa: float, dt: float, nsteps: int) -> float:
    u = np.copy(u0)
    for k in range(nsteps):
        _diffuse(u, kappa * dt)
    s = 0.0
    for i in range(len(u)):
        s += u[i] * u[i] * (1.0 + 0.1 * i)
    return s


def newton_cubic(c: float) -> float:
    # solves x**3 + x == c
    x = c / 2.0
    dx = 1.0
    while abs(dx) > 1e-14 * (1.0 + abs(x)):
        dx = (x ** 3 + x - c) / (3.0 * x * x + 1.0)
        x -= dx
    return x


def softmax_dot(a: np.ndarray, b: np.ndarray) -> float:
    n = a.shape[0]
    m = a[0]
    for i in range(1, n):
        if a[i] > m:
            m = a[i]
    w = np.empty(n)
    z = 0.0
    for i in range(n):
        w[i] = np.exp(a[i] - m)
        z += w[i]
    s = 0.0
    for i in range(n):
        s += w[i] / z * b[i]
    return s


def horner_eval(coef: np.ndarray, x: float) -> float:
    p = 0.0
    for i in range(len(coef) - 1, -1, -1):
        p = p * x + coef[i]
    return p


def trapezoid(y: np.ndarray, dx: float) -> float:
    n = y.shape[0]
    s = 0.5 * (y[0] + y[-1])
    for i in range(1, n - 1):
        s += y[i]
    return s * dx


def matmul_frobenius(a: np.ndarray, b: np.ndarray) -> float:
    n = a.shape[0]
    k = a.shape[1]
    m = b.shape[1]
    c = np.zeros((n, m))
    for i in range(n):
        for j in range(m):
            for p in range(k):
                c[i, j] += a[i, p] * b[p, j]
    s = 0.0
    for i in range(n):
        for j in range(m):
            s += c[i, j] * c[i, j]
    return math.sqrt(s)


def gauss_seidel(a: np.ndarray, b: np.ndarray, sweeps: int) -> float:
    n = b.shape[0]
    x = np.zeros(n)
    for sweep in range(sweeps):
        for i in range(n):
            r = b[i]
            for j in range(n):
                if j != i:
                    r -= a[i, j] * x[j]
            x[i] = r / a[i, i]
    s = 0.0
    for i in range(n):
        s += x[i] * b[i]
    return s


def interp_search(x: float, knots: np.ndarray, values: np.ndarray) -> float:
    n = knots.shape[0]
    i = 0
    while i < n - 2 and knots[i + 1] < x:
        i += 1
    t = (x - knots[i]) / (knots[i + 1] - knots[i])
    return (1.0 - t) * values[i] + t * values[i + 1]


def pair_energy(pos: np.ndarray, eps: float, sigma: float) -> float:
    n = pos.shape[0]
    e = 0.0
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            dx = pos[i, 0] - pos[j, 0]
            dy = pos[i, 1] - pos[j, 1]
            r2 = dx * dx + dy * dy
            sr6 = (sigma * sigma / r2) ** 3
            e += 2.0 * eps * (sr6 * sr6 - sr6)
    return e


def strided_while(a: np.ndarray, x: float) -> float:
    n = len(a)
    i = n - 1
    p = 1.0
    while i >= 0:
        p = p * (1.0 + x * a[i]) / (1.0 + a[i] * a[i])
        i -= 2
    return p
