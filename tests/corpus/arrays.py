import math

import numpy as np

# Float arrays: 1-D and 2-D subscripts (negative indices too), in-place
# updates, local array constructors, shape/len, procedures writing into their
# array parameters.


def dot_loop(a: np.ndarray, b: np.ndarray) -> float:
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i] * b[i]
    return s


def norm_len(a: np.ndarray) -> float:
    s = 0.0
    for i in range(len(a)):
        s += a[i] * a[i]
    return math.sqrt(s)


def ends(a: np.ndarray) -> float:
    return a[-1] - a[0] + a[-2] * a[1]


def circular_diff(a: np.ndarray) -> float:
    # a[i - 1] and a[i - n] wrap around like Python lists
    n = a.shape[0]
    s = 0.0
    for i in range(n):
        d = a[i] - a[i - 1]
        s += d * d + a[i - n] * a[n - 1 - i]
    return s


def prefix_sums(a: np.ndarray) -> float:
    n = len(a)
    c = np.zeros(n)
    c[0] = a[0]
    for i in range(1, n):
        c[i] = c[i - 1] + a[i]
    s = 0.0
    for i in range(n):
        s += c[i] * c[i] / (i + 1)
    return s


def ones_empty(a: np.ndarray, x: float) -> float:
    n = a.shape[0]
    w = np.ones(n)
    e = np.empty(n)
    for i in range(n):
        w[i] *= x + i
        e[i] = a[i] / w[i]
    s = 0.0
    for i in range(n):
        s += e[i] * w[n - 1 - i]
    return s


def copies(a: np.ndarray, x: float) -> float:
    b = np.zeros_like(a)
    c = a.copy()
    d = np.copy(a)
    n = len(a)
    for i in range(n):
        b[i] = x * a[i]
        c[i] += b[i] * b[i]
        d[i] -= c[i] * x
        d[i] /= 1.0 + c[i] * c[i]
    return c[0] * d[-1] + b[n - 1] - d[0]


def matvec_norm(m: np.ndarray, v: np.ndarray) -> float:
    rows = m.shape[0]
    cols = m.shape[1]
    y = np.zeros(rows)
    for i in range(rows):
        for j in range(cols):
            y[i] += m[i, j] * v[j]
    s = 0.0
    for i in range(rows):
        s += y[i] * y[i]
    return s


def trace_corners(m: np.ndarray) -> float:
    n = m.shape[0]
    t = 0.0
    for i in range(n):
        t += m[i, i] * m[i, n - 1 - i]
    return t + m[-1, -1] * m[0, -1] - m[-2, 1]


def outer_local(a: np.ndarray, b: np.ndarray) -> float:
    n = a.shape[0]
    k = b.shape[0]
    o = np.zeros((n, k))
    for i in range(n):
        for j in range(k):
            o[i, j] = a[i] * b[j]
            o[i, j] += math.sin(o[i, j])
    s = 0.0
    for i in range(n):
        for j in range(k):
            s += o[i, j] * o[i - 1, j - 1]
    return s


def reverse_fill(a: np.ndarray) -> float:
    n = len(a)
    r = np.empty(n)
    for i in range(n - 1, -1, -1):
        r[n - 1 - i] = a[i] * (i + 1)
    s = 0.0
    for i in range(0, n, 2):
        s += r[i] * a[i]
    return s


def scale_inplace(u: np.ndarray, c: float) -> None:
    for i in range(u.shape[0]):
        u[i] *= c
        u[i] += c * c


def axpy(y: np.ndarray, x: np.ndarray, alpha: float) -> None:
    # x is only read
    for i in range(len(y)):
        y[i] += alpha * x[i]


def heat_step(u: np.ndarray, dt: float) -> None:
    n = u.shape[0]
    old = u.copy()
    for i in range(1, n - 1):
        u[i] = old[i] + dt * (old[i - 1] - 2.0 * old[i] + old[i + 1])


def laplace_2d(u: np.ndarray, out: np.ndarray, h: float) -> None:
    # interior of out is overwritten, its boundary is left as it was
    n = u.shape[0]
    m = u.shape[1]
    for i in range(1, n - 1):
        for j in range(1, m - 1):
            out[i, j] = (u[i - 1, j] + u[i + 1, j] + u[i, j - 1] + u[i, j + 1] - 4.0 * u[i, j]) / (h * h)


def periodic_shift(u: np.ndarray, c: float) -> None:
    # reads with wrap-around through a copy, writes with a negative index
    n = len(u)
    old = np.copy(u)
    for i in range(n):
        u[i - n] = old[i - 1] * c + old[i] * (1.0 - c)


def packed_triangle(x: np.ndarray, p: np.ndarray) -> float:
    # a lower triangle packed column by column, walked with an int counter
    # (the reverse sweep counts li back down instead of taping it)
    d = x.shape[0]
    y = np.zeros(d)
    li = 0
    for j in range(d):
        for m in range(j + 1, d):
            y[m] += p[li] * x[j]
            li += 1
    s = 0.0
    for j in range(d):
        s += math.sin(y[j] + x[j]) * y[j]
    return s


def upwind_steps(u0: np.ndarray, nu: float, dt: float, nsteps: int) -> float:
    # a temporary every branch assigns (adv), recomputed in the reverse
    # sweep with its branch instead of taped
    n = u0.shape[0]
    u = u0.copy()
    unew = np.zeros(n)
    for t in range(nsteps):
        for i in range(n):
            left = u[i - 1]
            right = u[(i + 1) % n]
            if u[i] > 0.0:
                adv = u[i] * (u[i] - left)
                scale = 1.0
            elif u[i] < -0.5:
                scale = 0.5
                adv = scale * u[i] * (right - u[i])
            else:
                adv = u[i] * (right - u[i])
                scale = 2.0
            unew[i] = u[i] - dt * adv * scale + dt * nu * (right - 2.0 * u[i] + left)
        for i in range(n):
            u[i] = unew[i]
    total = 0.0
    for i in range(n):
        total += u[i] * u[i]
    return total

def no_rule_mask(v: np.ndarray, a: float) -> float:
    # np.signbit has no derivative rule, but returns bools: nothing to differentiate
    s = np.signbit(v)
    w = np.where(s, a * v, v * v)
    return np.sum(w)


def product_returned_as_float(u: np.ndarray, x: float) -> float:
    # np.ndarray says nothing of u's dimensions, and `@` of vectors is a number, of matrices an array: the
    # declared float return makes it a number, u a vector, checked on entry (fuzz seed 130636)
    return (u / (1.0 + u ** 2)) @ np.sin(u) + 0.1 * x
