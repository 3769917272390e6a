import math

import numpy as np

# Written as numba users write them: no annotations. adxform types each
# parameter from how the body uses it and from the module's call sites.


def total(x):
    # np.sum reduces an array: x is one, its adjoint the seed spread over it
    return np.sum(x)


def average(x):
    return np.mean(x)


def dense_tanh(x, W):
    return np.sum(np.tanh(np.dot(x, W)))


def _sq(a):
    # typed by its call sites, not by `a * a` alone
    return a * a


def cubes(x: np.ndarray):
    return np.sum(_sq(x) * x)


def mixed_squares(x, s):
    # _sq is called with an array and with a scalar: one copy for each
    return np.sum(_sq(x) * x) * x[0] + _sq(s) * math.sin(s)
