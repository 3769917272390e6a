import math

import numpy as np

# Builtins and other spellings of the subset's operations, as users write
# them: pow, numpy's operator functions, min/max of
# several scalars, np.newaxis, loops over the rows of arrays (enumerate and
# zip too), abs/float/int; and a scalar broadcast into the row of a matrix.


def pow_builtin(x: float, y: float) -> float:
    return pow(x, 2) + pow(x, y) - pow(y, 0.5) * pow(2.0, x)


def numpy_operator_functions(a: np.ndarray, b: np.ndarray, k: float) -> float:
    c = np.multiply(a, b) + np.add(a, k) - np.subtract(k, b) + np.divide(a, b)
    d = np.power(a, 2.0) + np.power(b, k) + np.negative(a) * np.true_divide(k, b)
    return np.sum(c * d)


def max_min_of_many(x: float, y: float, z: float) -> float:
    hi = max(x, y, z, 0.25)
    lo = min(x * y, y, z * z)
    return hi * lo + max(x, 2.0 * y) * min(z, x, y)


def max_min_ties(x: float, y: float) -> float:
    return max(x, x, y) * 3.0 + min(y, x, y)


def newaxis_outer(x: np.ndarray, y: np.ndarray) -> float:
    p = x[:, np.newaxis] * y[np.newaxis, :]
    return np.sum(np.tanh(p)) + np.sum(x[:, None] * p)


def loop_over_vector(x: np.ndarray, k: float) -> float:
    s = 0.0
    for a in x:
        s += math.sin(k * a) * a
    return s


def loop_over_rows(m: np.ndarray, w: np.ndarray) -> float:
    s = 0.0
    for row in m:
        s += np.sum(np.tanh(row * w)) * row[1]
    return s


def loop_over_views(x: np.ndarray, m: np.ndarray) -> float:
    s = 0.0
    for a in x[1:]:
        s += a * a * x[0]
    for col in m.T:
        s += np.sum(col * x[:3]) * col[0]
    return s


def enumerate_and_zip(x: np.ndarray, y: np.ndarray) -> float:
    s = 0.0
    for i, a in enumerate(x):
        s += (i + 1.0) * a * a
    for a, b in zip(x, y):
        for c in y:
            s += a * b * c
    return s


def abs_float_int(x: float, v: np.ndarray) -> float:
    n = int(3.7 * x)
    return abs(x) * float(n) + float(x) * np.sum(v * v) * float(v[1]) + abs(x - 5.0) * n + abs(n - 9)


def scalar_into_row(x: np.ndarray) -> float:
    h = np.zeros((len(x), 3))
    for t in range(len(x)):
        h[t] = x[t]
        h[t, 1] = h[t, 1] * x[t]
    return np.sum(h * h)


def scalar_into_rows_of_view(x: np.ndarray, k: float) -> float:
    h = np.zeros((2, len(x), 3))
    for t in range(len(x)):
        h[1, t] = k * x[t]
        h[0, t] += x[t]
    return np.sum(np.sin(h))
