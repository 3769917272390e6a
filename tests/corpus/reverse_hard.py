import math

import numpy as np
import numpy.typing as npt

# What reverse mode makes hard: values overwritten in loops and read later,
# data-dependent trip counts, break/continue/return inside loops, array
# elements overwritten twice, procedures called in a loop, conditions that
# read what their branch overwrites, tuple results, integer index arrays and
# parameters the result does not depend on.


def overwritten_in_loop(x: float, n: int) -> float:
    # t is overwritten every iteration; its last value is read after the loop
    s = 0.0
    t = 0.0
    for i in range(n):
        t = math.exp(-x * (i + 1)) + x * i
        s += t * math.sin(t)
    return s * t + t


def while_data_trips(x: float) -> float:
    # the trip count depends on x (constant near the inputs)
    y = x
    s = 0.0
    while y < 10.0:
        s += math.sqrt(y) * s + y
        y = y * 1.5 + 0.1
    return s / y


def break_nested(a: np.ndarray, x: float) -> float:
    # the inner loop breaks on the data
    n = a.shape[0]
    s = 0.0
    for i in range(n):
        p = 1.0
        for j in range(i, n):
            if a[j] > 0.8:
                break
            p = p * (x + a[j] * a[j])
        s += p * math.cos(a[i])
    return s


def early_return_in_loop(a: np.ndarray, x: float) -> float:
    # returns from inside the loop at the first large element
    s = 0.0
    for i in range(a.shape[0]):
        s = s * x + a[i] * a[i]
        if a[i] > 0.8:
            return s * math.exp(a[i]) + i
    return -s


def overwrite_twice(u: np.ndarray, c: float) -> None:
    # u[i] is written, then rewritten from its new value; u[i - 1] is the
    # new value for i > 0 and the old u[-1] for i == 0
    for i in range(u.shape[0]):
        u[i] = c * u[i] + 0.5 * u[i - 1]
        u[i] = math.sin(u[i]) * u[i]


def overwrite_twice_local(a: np.ndarray, x: float) -> float:
    b = a.copy()
    s = 0.0
    for i in range(b.shape[0]):
        b[i] = x * b[i] + 1.0
        b[i] = b[i] * math.exp(-b[i] * b[i])
        s += b[i] * a[i]
    return s + b[0] * b[-1]


def _kick(u: np.ndarray, v: np.ndarray, c: float) -> None:
    n = u.shape[0]
    for i in range(n):
        u[i] += c * v[i] * math.cos(u[i - 1])
    for i in range(n):
        v[i] -= c * math.sin(u[i])


def evolve(u: np.ndarray, v: np.ndarray, dt: float, nsteps: int) -> None:
    # a procedure called in a loop on the parameters themselves
    for k in range(nsteps):
        _kick(u, v, dt)


def evolve_local(u0: np.ndarray, v0: np.ndarray, dt: float, nsteps: int) -> float:
    # time stepping a local copy: the caller's arrays are not touched
    u = u0.copy()
    v = np.copy(v0)
    for k in range(nsteps):
        _kick(u, v, dt)
    s = 0.0
    for i in range(u.shape[0]):
        s += u[i] * u[i] + 0.5 * v[i] * v[i]
    return s


def sin_self(x: float, n: int) -> float:
    # a parameter reassigned with a nonlinear function of itself
    for k in range(n):
        x = math.sin(x) * x + 0.5
    return x


def cond_reads_overwritten(x: float, n: int) -> float:
    # the condition reads s, which the branch it picks overwrites
    s = x
    for i in range(n):
        if s > 1.0:
            s = 0.5 * s + math.sin(s)
        else:
            s = s * s + 1.2
    return s


def cond_reads_overwritten_array(a: np.ndarray) -> None:
    for i in range(a.shape[0]):
        if a[i] > 0.0:
            a[i] = math.sqrt(a[i]) * a[i - 1]
        else:
            a[i] = a[i] * a[i]


def continue_skips_update(a: np.ndarray, x: float) -> float:
    # continue skips a nonlinear update of the loop-carried s
    s = x
    for i in range(a.shape[0]):
        if a[i] < 0.0:
            continue
        s = s * math.cos(a[i]) + math.exp(-s * a[i])
    return s


def mean_var(a: np.ndarray) -> tuple[float, float]:
    n = a.shape[0]
    m = 0.0
    for i in range(n):
        m += a[i]
    m /= n
    v = 0.0
    for i in range(n):
        v += (a[i] - m) ** 2
    return m, v / n


def standardised_gap(a: np.ndarray, b: np.ndarray) -> float:
    # a caller of a tuple-returning function, also feeding one result back
    ma, va = mean_var(a)
    mb, vb = mean_var(b)
    return (ma - mb) / math.sqrt(va + vb) + va * mb


def gather_scatter(x: np.ndarray, idx: npt.NDArray[np.int64], w: float) -> float:
    # idx holds repeated indices: the scatter adds into one element twice
    n = idx.shape[0]
    y = np.zeros(x.shape[0])
    for k in range(n):
        y[idx[k]] += w * x[idx[n - 1 - k]] ** 2
    s = 0.0
    for i in range(y.shape[0]):
        s += math.sin(y[i]) + y[i] * x[i]
    return s


def scatter_into(out: np.ndarray, x: np.ndarray, idx: npt.NDArray[np.int64]) -> None:
    for k in range(idx.shape[0]):
        out[idx[k]] += x[k] * out[idx[k]] + x[k - 1]


def ignores_array(a: np.ndarray, b: np.ndarray, x: float) -> float:
    # the result does not depend on b's values: only its length, and a
    # value computed from b that is never used
    n = b.shape[0]
    dead = b[0] * x
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i] * x / (n + i)
    return s * s


def rebind_array(a: np.ndarray, x: float) -> float:
    # an array name bound to a new array, twice, reading its old value
    b = a * x
    b = b * b + a
    c = np.zeros(3)
    c = b[:3] * 2.0
    s = 0.0
    for i in range(c.shape[0]):
        s += c[i] * b[i + 1]
    return s


def rebind_in_loop(a: np.ndarray, x: float, n: int) -> float:
    # a loop-carried array rebound every iteration, and a parameter rebound
    p = a.copy()
    for k in range(n):
        p = p * x + np.sin(p)
    a = a * p
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i] * p[i]
    return s


def overwritten_results(a: np.ndarray, w: np.ndarray) -> float:
    # elements and a slice overwritten by calls in a loop, where the adjoint
    # reads the new value (tanh: 1 - y*y) before the old one comes back
    h = np.zeros(a.shape[0])
    v = np.zeros(a.shape[0])
    total = 0.0
    for s in range(3):
        for j in range(a.shape[0]):
            h[j] = math.tanh(a[j] * w[s] + 0.5 * s)
        v[:] = np.sqrt(a * a + w[s] + s)
        for j in range(a.shape[0]):
            total += h[j] * w[j % w.shape[0]] + v[j] * h[j]
    return total


def loop_variable_values(x: float, n: int) -> float:
    # a loop variable given a value before its loop, read between two loops
    # over it and after them: each loop overwrites what the adjoints read
    i = 7
    y = math.sin(x * i)
    for i in range(n):
        y = y * x + i
    z = y * i
    for i in range(2, n):
        z += x * x * i
    return z * i


def rows_of_matrix(m: np.ndarray, x: float) -> float:
    # rows of a matrix (m.shape[1] says it is one) combined elementwise
    t = np.zeros(m.shape[1])
    for i in range(m.shape[0]):
        t = t * x + m[i] * m[i - 1]
    return np.sum(np.sqrt(t * t + 1.0))


def _smooth(a: np.ndarray, x: float) -> np.ndarray:
    return 0.5 * a + np.sin(a * x)


def array_results(a: np.ndarray, x: float, n: int) -> float:
    # module functions returning arrays: a first definition, an array
    # rebound to the call of its own value in a loop, and a slice assigned
    b = _smooth(a, x)
    h = b.copy()
    for k in range(n):
        h = _smooth(h, x)
    h[1:] = _smooth(h[:-1], 0.5)
    return np.sum(h * b)


def row_views(m: np.ndarray, c: float) -> float:
    # a row of a matrix (w[0, j] says w is one) bound to a name: a view, so
    # writes through it reach w and its adjoint is a row of w's
    w = m.copy()
    r = w[1]
    for j in range(r.shape[0]):
        r[j] = r[j] * c + w[0, j]
    _scale_row(w[2], c)
    return np.sum(w * w)


def _scale_row(row: np.ndarray, c: float) -> None:
    for j in range(row.shape[0]):
        row[j] = math.sin(row[j]) * c

def counter_in_branch_while(x: np.ndarray) -> float:
    # an int counter overwritten in a branch of a while loop: its records
    # and the branch taken are popped in the reverse of their push order
    n = x.shape[0]
    total = 0.0
    j = 0
    i = 0
    while i < n:
        if j < 2:
            j = j + 1
            total += x[j] * x[i]
        else:
            j = 0
        i += 1
    return total


def counter_in_branch_for(x: np.ndarray) -> float:
    n = x.shape[0]
    total = 0.0
    j = 0
    for i in range(n):
        if j < 2:
            j = j + 1
            total += x[j] * x[i]
        else:
            j = 0
    return total


def counter_in_nested_branches(x: np.ndarray) -> float:
    # two levels of branches, each overwriting an int counter
    n = x.shape[0]
    total = 0.0
    j = 0
    k = 0
    i = 0
    while i < n:
        if j < 2:
            j += 1
            if k < 3:
                k += j
                total += x[k % n] * x[i]
            else:
                k = 0
                total += math.sin(x[j]) * total
        else:
            j = 0
        i += 1
    return total


def counter_in_branch_break(x: np.ndarray) -> float:
    # the branch that overwrites the counter may leave the loop
    n = x.shape[0]
    total = 0.0
    j = 0
    i = 0
    while i < n:
        if j < 2:
            j = j + 1
            total += x[j] * x[i]
            if j * i > 6:
                break
        else:
            j = 0
        i += 1
    return total * total


def int_array_in_branch(x: np.ndarray) -> float:
    # an int array written in a branch picked by a loop-carried sum
    n = x.shape[0]
    hits = np.zeros(n, dtype=np.int64)
    s = 0.0
    t = 0.0
    i = 0
    while i < n:
        t += x[i]
        if t > 1.0:
            hits[i] = hits[i - 1] + 1
            s += t * x[hits[i] % n]
            t = 0.0
        else:
            hits[i] = hits[i - 1]
        i += 1
    return s + t


def events_with_counter(x: np.ndarray, c: np.ndarray) -> float:
    # a running sum reset at events, counted by an int that picks a weight
    s = 0.0
    t = 0.0
    j = 0
    for i in range(x.shape[0]):
        t += x[i]
        if t > 1.0:
            s += c[j] * t * t
            j += 1
            t = 0.0
    return s


def nested_thresholds(x: np.ndarray) -> float:
    # nested tests of a loop-carried value that both branches change
    s = 0.0
    t = 0.0
    for i in range(x.shape[0]):
        t += x[i]
        if t > 1.0:
            if t > 1.5:
                s += t * t
                t = 0.0
            else:
                s += 3.0 * t
            t = t * 0.5
    return s


def array_in_branch(u, v):
    # an array made afresh in a loop, in a branch: each binding keeps the array it replaces (fuzz seed 30041)
    s = 0.0
    for i in range(u.shape[0]):
        if u[i] > 0.0:
            A = np.outer(u, v)
            s += np.sum(np.sin(A)) * u[i]
        else:
            s = s * 0.5 + v[0]
    return s


def array_bound_twice_with_jumps(u, v):
    # bound twice in a while loop that breaks and continues; the second binding reads the first
    s = 0.0
    k = 0
    while k < 4 and s < 50.0:
        k += 1
        w = u[0] * u
        if np.sum(w * v) < -5.0:
            break
        w = np.tanh(w) + v
        s += np.sum(w * w)
        if s > 40.0:
            continue
        s += 0.1 * np.sum(w) + v[0]
    return s


def triangular_increments(x, w):
    # q is overwritten whole before its increments, and only its final values are read: the increments
    # save nothing (a Gaussian mixture's triangular product)
    n = x.shape[0]
    d = x.shape[1]
    q = np.zeros(d)
    s = 0.0
    for i in range(n):
        for j in range(d):
            q[j] = math.exp(w[j]) * x[i, j]
        for j in range(d):
            for m in range(j + 1, d):
                q[m] += w[j * d + m] * x[i, j]
        for j in range(d):
            s += q[j] * q[j]
    return s


def increments_read_between(x, w):
    # the adjoints of the loop of the increments read q's intermediate values: they are saved
    n = x.shape[0]
    d = x.shape[1]
    q = np.zeros(d)
    s = 0.0
    for i in range(n):
        for j in range(d):
            q[j] = math.exp(w[j]) * x[i, j]
        for j in range(d):
            for m in range(j + 1, d):
                q[m] += w[j * d + m] * x[i, j]
                s += math.sin(q[m]) * x[i, j]
        for j in range(d):
            s += q[j] * q[j]
    return s


def constant_branches(u, x):
    # branches decided by constants are folded: numba prunes them, and the reverse sweep read what they bind
    # (fuzz seeds 50106, 50034 under numba)
    s = 0.0
    c = 0
    if c > 1:
        A = np.outer(u, u)
        for i in range(u.shape[0]):
            s += A[0, i] * x
    else:
        s = np.sum(u * u) * x
    if 0.1 < -0.2:
        s = 2.0 * s
    return s + x * x


def constant_after_return(u, x):
    # `c += 1` of a constant is a constant (c < 1 is decided), and the statements after a branch that returns are
    # copied into its other side by the reverse sweep's lowering, where c is a constant of each side: all folded,
    # as numba prunes them (fuzz seed 80082 under numba)
    s = 0.0
    c = 0
    if u[0] > 0.0:
        c += 1
        if c < 1:
            return 0.5 * x
        c = 3
        if u[1] > 0.0:
            return x * u[0]
    for i in range(u.shape[0]):
        if c >= 2:
            s += u[i] * x
    return s + x * u[2]


def scalar_restored_by_a_later_loop(x, y):
    # the second loop overwrites s, which the first loop's adjoint reads with its value before both: the reverse
    # sweep must leave s as the first iteration restores it (fuzz seed 182781: walked forwards, it left the last)
    s = 0.0
    for i in range(3):
        x = math.sin(x + s + 0.1 * i)
    for i in range(3):
        s = s * 0.5 + 1.0
    return x * x + s * y


def triangular_accumulation(x, w):
    # each column j adds w[li] * xc[j] below the diagonal: the reversed inner loop adds into xc_bar[j] at every
    # step, which the reverse sweep sums in a local and adds once (reverse/accumulate.py); the last column's
    # inner loop never runs
    n = x.shape[0]
    xc = np.zeros(n)
    q = np.zeros(n)
    for j in range(n):
        xc[j] = math.sin(x[j])
    li = 0
    for j in range(n):
        for m in range(j + 1, n):
            q[m] += w[li] * xc[j]
            li += 1
    return np.sum(q * q) + q[n - 1] * xc[0]
