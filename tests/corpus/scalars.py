import math

import numpy as np

# Straight-line scalar code: arithmetic, assignment forms, math/numpy/builtin
# functions.  Every function is smooth at the inputs of tests/corpus_inputs.py.


def poly(x: float, y: float) -> float:
    t = x * y - 2.0 * x / y
    u = -t + x ** 3 - y ** 2
    return u * u / (1.0 + y * y) - -x


def swap_chain(x: float, y: float) -> float:
    a, b = x, y
    a, b = b, a * x
    a, b = b - a, a + b
    return a * b


def augmented(x: float, y: float) -> float:
    s = x
    s += y * y
    s -= 0.5 * x
    s *= y
    s /= 1.0 + x * x
    return s


def floor_mod(x: float, y: float) -> float:
    # x // y is piecewise constant; x % y has Python's sign convention
    q = x // y
    r = x % y
    w = x % 1.7
    return q * y + r * r + x * w


def trig_mix(x: float, y: float) -> float:
    return math.sin(x) * math.cos(y) + math.tan(0.3 * x) - math.atan(x * y) + math.atan2(y, x)


def exp_log_mix(x: float, y: float) -> float:
    return math.exp(0.5 * x) + math.log(y) + math.log1p(x * x) - math.expm1(-y) + math.sqrt(x + y)


def hyperbolic(x: float) -> float:
    return math.tanh(x) * math.sinh(0.5 * x) + math.cosh(x) / 3.0


def pow_hypot_fabs(x: float, y: float) -> float:
    return math.pow(x, y) + math.hypot(x, y) * math.fabs(x - 3.0 * y)


def np_unary(x: float, y: float) -> float:
    return np.sin(x) * np.exp(-y) + np.log(x * y) - np.sqrt(y) * np.tanh(x) + np.arctan2(x, y)


def np_binary(x: float, y: float) -> float:
    a = np.hypot(x, y) + np.power(x, 1.5) * np.abs(y - x)
    return a + np.maximum(x, 2.0 * y) - np.minimum(x * y, 1.0)


def builtins_mix(x: float, y: float, n: int) -> float:
    return abs(x - y) * min(x, y) + max(x * x, y) / float(n)


def int_powers(x: float, n: int) -> float:
    return x ** n + x ** -2 + 2.0 ** x + x ** 0.5


def ignores_second(x: float, y: float) -> float:
    # the result does not depend on y
    z = 3.0 * x * x
    return z + 1.0


def int_passthrough(x: float, n: int, m: int) -> float:
    k = n * m + n // 2 - m % 3
    return x * k + float(n) * math.sin(x)


def no_rule_constant(x: float, k: int) -> float:
    # lgamma and gamma have no derivative rule: fine, since only ints reach them
    c = math.lgamma(0.5 * k)
    return c * x * x + math.gamma(k + 0.5) * x
