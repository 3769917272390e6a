import math

import numpy as np

# Calls between functions of one module: float and tuple helpers, a helper in
# a loop, a chain of three, procedures on parameters and on local arrays.


def _square_plus(x: float, y: float) -> float:
    return x * x + y


def _polar(r: float, t: float) -> tuple[float, float]:
    return r * math.cos(t), r * math.sin(t)


def _term(x: float, i: int) -> float:
    return math.exp(-x * i) / (i + 1.0)


def use_float_helper(x: float, y: float) -> float:
    return _square_plus(x, y) * _square_plus(y, x)


def use_tuple_helper(r: float, t: float) -> float:
    u, v = _polar(r, t)
    return math.hypot(u + 1.0, v)


def helper_in_loop(x: float, n: int) -> float:
    s = 0.0
    for i in range(n):
        s += _term(x, i)
    return s


def chain_c(x: float) -> float:
    return math.sin(x) * x


def chain_b(x: float, y: float) -> float:
    return chain_c(x * y) + y


def chain_a(x: float, y: float) -> float:
    return chain_b(x, y) * chain_b(y, 0.5) + x


def tuple_result(x: float, y: float) -> tuple[float, float]:
    return x * y, x / y + math.exp(y)


def tuple_caller(x: float, y: float) -> float:
    a, b = tuple_result(x, y)
    c, d = tuple_result(b, a)
    return a * d - b * c


def energy(u: np.ndarray) -> float:
    s = 0.0
    for i in range(u.shape[0]):
        s += 0.5 * u[i] * u[i]
    return s


def step(u: np.ndarray, dt: float) -> None:
    for i in range(u.shape[0]):
        u[i] += dt * (math.sin(u[i]) - 0.5 * u[i] ** 3)


def integrate(u0: np.ndarray, dt: float, nsteps: int) -> float:
    u = u0.copy()
    for k in range(nsteps):
        step(u, dt)
    return energy(u)


def two_steps(u: np.ndarray, v: np.ndarray, dt: float) -> None:
    # a procedure calling a procedure on its own parameters
    step(u, dt)
    step(v, 2.0 * dt)
    for i in range(len(u)):
        u[i] += v[i] * dt


def helper_with_int(x: float, n: int) -> float:
    return _term(x, n) + _term(2.0 * x, n // 2) * n


def array_helper_on_local(a: np.ndarray, x: float) -> float:
    b = np.zeros(a.shape[0])
    for i in range(a.shape[0]):
        b[i] = a[i] * x
    return energy(b) + energy(a) * x


def _weighted_square(v: np.ndarray, w: float) -> float:
    t = 0.0
    for i in range(v.shape[0]):
        t += v[i] * w * v[i]
    return t


def computed_array_arguments(a: np.ndarray, x: float, n: int) -> float:
    # module calls given arrays computed in the call, at the top and in a
    # loop (a new array each iteration), and a call in an argument
    s = _weighted_square(a * x, x)
    for k in range(n):
        s += _weighted_square(np.sin(a) + k * s, _weighted_square(a, 0.1))
    return s
