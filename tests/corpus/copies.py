import numpy as np
import numpy.typing as npt

# Operations that leave the values of an array alone (+ 0.0, * 1.0, - 0.0,
# / 1.0, -(-y)) still make a new array: writing into it later must reach
# neither the argument nor, in the derivatives, the argument's tangent or
# the caller's seed.  And a scalar, or an array broadcast against a larger
# one, takes the larger shape in the tangent too.


def copy_plus_zero(y: np.ndarray, a: float) -> float:
    w = y[1:] + 0.0
    w[0] = a * a
    return np.sum(w)


def copy_times_one(y: np.ndarray, a: float) -> float:
    w = 1.0 * y[1:]
    w[0] = a * a
    return np.sum(w * w)


def copy_minus_zero(y: np.ndarray, a: float) -> float:
    w = y[1:] - 0.0
    w[1] = a * w[0]
    return np.sum(w * y[:-1])


def copy_double_negation(y: np.ndarray, a: float) -> np.ndarray:
    w = -(-y)
    w[0] = a * w[1]
    return w


def _divided_by_one(y: np.ndarray) -> np.ndarray:
    return y / 1.0


def copy_from_callee(y: np.ndarray, a: float) -> float:
    w = _divided_by_one(y)
    w[0] = a
    return np.sum(w * w)


def copy_in_branch(y: np.ndarray, a: float) -> float:
    w = y * 1.0 if a > 0.0 else y * 2.0
    w[0] = a
    return np.sum(w * w)


def copy_returned(y: np.ndarray, a: float) -> tuple[np.ndarray, float]:
    w = y[::2] + 0.0
    return w, a * np.sum(y)


def shifted_copy(u: np.ndarray, y: np.ndarray) -> None:
    w = y[1:] * 1.0
    w[0] = u[0] * w[1]
    u[1:] = w


def scalar_plus_array(a: float, n: int) -> float:
    w = a + np.zeros(n)
    w[0] = a * a
    return np.sum(w * w)


def vector_minus_matrix(x: np.ndarray, m: npt.NDArray[np.int64]) -> float:
    return np.sum(x - m) + np.sum(x % (m + 4))
