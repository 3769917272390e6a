"""The Rosenbrock function, written as an element loop."""
import numpy as np


def rosenbrock(x: np.ndarray) -> float:
    s = 0.0
    for i in range(x.shape[0] - 1):
        s += 100.0 * (x[i + 1] - x[i] ** 2) ** 2 + (1.0 - x[i]) ** 2
    return s
