import math

import numpy as np

# Written as numba users write them: no annotations. adxform types each
# parameter from how the body uses it and from the module's call sites.


def sum_all(x):
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


def entry(x, y, a, n):
    # n only bounds a while loop: an int, with no gradient
    k = 0
    s = 0.0
    while k < 2 * n:
        s = s + a * math.sin(x * y + k)
        k = k + 1
    return s


def _discount(rate, t):
    return math.exp(-rate * t)


def price(s0, sigma, r, k, barrier, z):
    # a Monte Carlo path pricer: s0 is only copied into the float s, barrier
    # only compared, r also passed on to a helper; all of them floats
    npaths = z.shape[0]
    nsteps = z.shape[1]
    dt = 1.0 / nsteps
    total = 0.0
    for p in range(npaths):
        s = s0
        for t in range(nsteps):
            s = s * math.exp((r - 0.5 * sigma * sigma) * dt + sigma * math.sqrt(dt) * z[p, t])
        if s < barrier:
            total += math.log(1.0 + math.exp(s - k))
    return _discount(r, 1.0) * total / npaths


def logits_product(W, X):
    # an MLP's logits read element by element: logits is a matrix
    logits = X @ W
    n = logits.shape[0]
    total = 0.0
    for r in range(n):
        total += logits[r, 0] * logits[r, 1]
    return total


def inner_products(x, A, n):
    # x @ x under math.tanh is a scalar, so x is a vector; A @ x a vector
    s = 0.0
    for k in range(n):
        s += math.tanh(0.05 * (x @ x)) * x[k]
    y = A @ x
    return s + np.sum(y * y)


def _sigmoid(z):
    # typed by its call sites: slices of the gates, arrays
    return 1.0 / (1.0 + np.exp(-z))


def lstm(wx, wh, xs, target):
    # an LSTM whose gates call a helper on slices
    hidden = wh.shape[1]
    h = np.zeros(hidden)
    c = np.zeros(hidden)
    for t in range(xs.shape[0]):
        g = wx @ xs[t] + wh @ h
        i = _sigmoid(g[0:hidden])
        f = _sigmoid(g[hidden:2 * hidden])
        o = _sigmoid(g[2 * hidden:3 * hidden])
        u = np.tanh(g[3 * hidden:4 * hidden])
        c = f * c + i * u
        h = o * np.tanh(c)
    s = 0.0
    for j in range(hidden):
        s += (h[j] - target[j]) ** 2
    return s


def mlp_loss(W1, W2, X, labels):
    # an MLP loss with @ and a log-sum-exp loop over logits[r, c]; labels index: an int array
    hidden = np.tanh(X @ W1)
    logits = hidden @ W2
    loss = 0.0
    for r in range(logits.shape[0]):
        m = logits[r, 0]
        for c in range(1, logits.shape[1]):
            m = max(m, logits[r, c])
        total = 0.0
        for c in range(logits.shape[1]):
            total += math.exp(logits[r, c] - m)
        loss += m + math.log(total) - logits[r, labels[r]]
    return loss / logits.shape[0]


def mixture_loglik(x, means, log_scales, weights):
    # a mixture model's log-likelihood with a triangular loop
    n = x.shape[0]
    k = means.shape[0]
    ll = 0.0
    for i in range(n):
        acc = 0.0
        for j in range(k):
            z = (x[i] - means[j]) * math.exp(-log_scales[j])
            acc += weights[j] * math.exp(-0.5 * z * z - log_scales[j])
        ll += math.log(acc)
    pairs = 0.0
    for j in range(k):
        for l in range(j + 1, k):
            pairs += (means[j] - means[l]) ** 2
    return ll - 0.01 * pairs


def offset_loss(w, b, c):
    # b and c meet only float arithmetic: numbers; w is what np.sum reduces, through z
    z = np.tanh(w)
    return np.sum(z * z) * c + 0.5 * b * c


def _outer_times(v, x):
    A = np.outer(v, v)
    return A @ v * x


def unused_helper_result(u, v):
    # the helper's array result is never used: no adjoint flows through the call
    total = 0.0
    for i in range(3):
        t = u[i]
        w = t * _outer_times(v, t)
        total += t * t
    return total + np.sum(u * v)


def scaled_matrix_entry(y, M):
    # A2 is subscripted, so M, its one source of unknown kind, is the array
    A2 = y * M
    return A2[0, 1] * A2[1, 0] + math.sin(y)


def return_in_while_of_branch(u, M, c):
    # the array result is first bound inside a while loop on one path only
    if c > 0.0:
        x = c
    else:
        k = 0
        while k < 3:
            k += 1
            if u[k] > 0.5:
                return M @ u * u[k]
        x = 1.0
    return M @ u * x


def pair_with_early_return(u, x):
    # two returns of a pair: one variable per item in reverse mode
    s = 0.0
    for i in range(u.shape[0]):
        s += u[i] * x
        if s > 2.0:
            return s * s, x * u[i]
    return math.sin(s), np.sum(u) * x


def early_array_return(A, v, y):
    # array results of two returns, one inside a while loop; the adjoint of tanh reads them
    if v[0] > 0.0:
        k = 0
        while k < 3:
            k += 1
            if y * k > 1.0:
                return np.tanh(np.sum(A, axis=0) * y)
    return np.tanh(A.T @ v * y)


def lead_times_rest(u):
    # u[0] is a number beside the slice u[1:], not a row (fuzz seed 7259)
    return np.sum(u[0] * u[1:]) + np.linalg.norm(0.5 + u[1:])


def _energy(u, x):
    return np.sum(u * u) * x


def call_in_choice(u, v):
    # a call in a branch of a conditional expression runs on its own branch only (fuzz seed 30116)
    s = 0.0
    k = 0
    while k < 3 and s < 2.0:
        k += 1
        s += min(s, u[0]) if v[2] < -0.2 else _energy(u, s + 1.0)
    return (_energy(u, 0.1) if v[0] > 0.0 else 1.5) + 0.1 * s


def unused_alias(u, M):
    # A is bound in the loop and never read: it needs no adjoint, though it shares M's memory (fuzz seed 30007)
    s = 0.0
    for i in range(u.shape[0]):
        s = s * np.cos(M[0, i]) + u[i]
        A = M
    return s + np.sum(M[-1])


def outer_then_dot(u, v, k):
    # v is a vector only through np.outer, which takes any ndim: np.dot(v, v) is returned as it is, not copied
    # as an array would be (fuzz seed 17)
    t = np.sum(u[2:])
    for i in range(k):
        A = np.outer(v, v)
    return np.dot(v, v) + 0.1 * t


def scaled_product(u, y, v, M):
    # M.T @ v is not a number while M and v are untyped: y * (M.T @ v) reduced does not make y the array
    # (y meets float arithmetic: a number, checked on entry; fuzz seed 40446)
    s = np.sum(y * (M.T @ v))
    return np.sum(np.sin(u)) * M[0, 0] + (0.1 * s + 0.1 * y) * v[0]


def zero_factors(x, y):
    # a product with a zero factor has no derivative, and gets none (it was an internal error in both modes)
    s = x * 0.0 + 0.0 / y
    return s + x * y


def pair_from_two_returns(u, x, M):
    # each item of `return a, b` is a binding of its own: the array-typed first item gets its adjoint on each
    # path; M is a matrix, as np.sum(M, axis=1) shows two dimensions and a product takes at most two
    # (fuzz seed 65275)
    t = np.min(u[:-1] / (1.0 + u[:-1] ** 2))
    if t - x <= -0.2:
        return np.dot(u, M @ (M @ u)), min(u[-1], u[1])
    return np.dot(np.sum(M, axis=1), np.arctan(u)) + 0.1 * x, u[-1]


def product_scaled_in_place(u, x):
    # np.dot(u, u) of a u that nothing shows the dimensions of is a number for a vector: u is taken for one,
    # and checked on entry, so that `t *= c` scales a number (fuzz seed 60905)
    A = np.outer(u, u)
    t = np.dot(u, u)
    t *= 1.0 + 0.5 * np.tanh(x)
    return t + 0.1 * np.sum(A)


def product_of_unknown_rank(v, M):
    # nothing shows v's dimensions: `v @ M[-1]` is a number for a vector, a vector for a matrix, and its
    # adjoint takes whichever seed the caller passes (fuzz seed 112082)
    s = np.min(v[:-1])
    return v @ M[-1] + np.dot(M, v) @ np.sum(M, axis=1) + 0.1 * s


def element_times_row(u, M):
    # the reduction shows that A has two dimensions at least (A[n - 1] or A[0, 0] is a row), so A[0, 0] is taken
    # for a number, checked where the derivatives run, and A[n - 1] for a row, whose adjoint is added into a view
    # of A_bar (fuzz seed 150536: added into a copy, and lost)
    A = np.sin(M)
    n = u.shape[0]
    return (A[0, 0] * A[n - 1]).sum() + np.sum(u * u)


def row_of_a_function_of_a_row(u, M):
    # M[0] alone reads as an element; the body slices what it computes from it (fuzz seeds 170168,
    # 171840, 171341: typed a number, the row's tangent was missing, an internal error)
    s = 0.5 * u[0]
    w = np.sin(M[0])
    r = s * M[1]
    return np.dot(u[1:], w[1:]) + r[0]


def time_steps_saving_two_arrays(u0, c, nsteps):
    # each step overwrites u and v from index 1 on: two saves per iteration, read back in place by the reverse
    # sweep walking the copy loop forwards; the reservation for the whole nest is made once
    n = u0.shape[0]
    u = u0.copy()
    v = 0.5 * u0
    w = np.zeros(n)
    for t in range(nsteps):
        for i in range(n):
            w[i] = u[i] * v[i] - c * u[i - 1]
        for i in range(1, n):
            u[i] = w[i] + 0.1 * v[i]
            v[i] = math.sin(w[i])
    return np.sum(u * v) + v[0]


def scalar_added_to_a_product_of_unknown_rank(u, y, M):
    # nothing shows M's dimensions: u * M is a matrix for a matrix M, and u * M @ u a vector, to which 0.1 * y is
    # added elementwise; y's adjoint must be summed over it (fuzz seed 190778: u * M was typed a vector, the
    # product a number, and y's adjoint was an array)
    t = np.sum(M @ u) * u[0]
    return np.sin(u * M @ u) + (0.1 * y + 0.01 * t)


def quadratic_form_of_a_transpose(u, M):
    # u @ (M.T @ u) is a number: M.T, so M, is a matrix (its transpose hid it: bad-call on math.asinh)
    v = np.transpose(M) @ u
    return math.asinh(np.dot(u, M.T @ u)) + np.sum(v * v)


def _scale_first(out, x):
    out[0] = out[0] * 2.0
    x += x / (1.0 + out[0] ** 2)


def _product_of(a, b):
    return np.dot(a, b)


def stacked_products_bound_in_a_loop(u, M):
    # nothing shows M's dimensions beyond two: np.dot(M[i], u) is a vector for a stack of matrices and a number
    # for a matrix; reverse mode takes it for an array and checks so where it is bound, also where a helper
    # returns it (fuzz seed 96121: the product bound for _scale_first failed to type under numba; with --jit none
    # a tape loaded back into a number left the gradient silently wrong)
    s = 0.0
    for i in range(1, 3):
        y = np.dot(M[i], u)
        w = u * 1.0
        _scale_first(w, np.dot(M[i], w))
        z = _product_of(M[i, :], u)
        s += np.sum(y * y) + w[0] + 0.5 * np.sum(z * z)
    return s


def rows_of_a_matrix_reduced(u, M):
    # M[k] is reduced whole, so M has at least two dimensions and M[k] is a
    # row; nothing says how many: the adjoint of each row is added into a
    # view of M_bar, which adxform hvp reads back as a row too
    n = u.shape[0]
    p = np.prod(1.0 + 0.5 * np.tanh(M[n // 2]))
    return p + np.sin(np.linalg.norm(0.5 + M[n - 1])) + 0.1 * u[0] * p


def row_beside_an_unused_element(u, M):
    # only A[1, 1], for a value nothing uses, shows that A is a matrix: the
    # reverse module leaves it out, and adxform hvp learns A's dimensions from
    # what the reverse stage saw, not from A[n - 1], which alone would be an
    # element
    n = u.shape[0]
    A = M
    w = np.minimum(A[n - 1], np.sum(M, axis=1))
    t = A[1, 1] * 2.0
    return np.sum(u * w * w)


def row_shown_where_reverse_mode_folds(u, M):
    # only np.mean(M[n - 1]), in a branch that is never taken (1.5 >= 0.3),
    # shows that M has two dimensions at least; adxform hvp folds that branch
    # away in the reverse module it reads back, and learns it from the types
    # of the reverse stage, not from np.sum(u * M[n - 1]), which alone would
    # make M[n - 1] an element
    n = u.shape[0]
    t = np.sum(u * u)
    return (t if np.sum(u * M[n - 1]) > 0.3 else 2.0 * t) if 1.5 >= 0.3 else (t if np.mean(M[n - 1]) < 0.3 else 3.0 * t)


def rows_of_a_transpose_reduced(u, M):
    # A, a local of unknown ndim, has a row reduced: the reverse module reads
    # A[0] where no reduction shows it is a row (fuzz seed 230802), and adxform
    # hvp learns it from what the reverse stage saw
    A = M.T
    return np.sum(u * u) + np.sum(A[0] * A[0])


def damped_by_a_scaled_product(u, v):
    # t is a number, so the product that scales it is one, and its operands
    # are vectors: 0.1 * i * u is one only where u is (fuzz seed 239440; u
    # was left of unknown ndim, and t typed an array)
    n = v.shape[0]
    s = 0.0
    for i in range(n):
        t = v[n - 1] - s
        t *= 1.0 + 0.5 * np.tanh(np.dot(np.abs(v), 0.1 * i * u))
        s += 0.5 * t
    return s


def product_or_constant(u, y):
    # numba makes both branches of a conditional one type: beside a number,
    # np.dot(u, u) is one, so u is a vector (fuzz seed 238088)
    s = np.sum(u[:-1] * u[1:])
    return (0.25 * y if y <= 0.3 else np.dot(u, u)) + s


def reduction_and_weighted_product(u, v):
    # numba gives every return one type: the first returns a number second,
    # so the product returned second by the last is one, and v, an array
    # that it divides elementwise, is a vector (fuzz seed 238327)
    if u[0] > 2.0:
        return np.sum(u), 0.0
    return np.sum(u * u), (u * u) @ (v / np.sum(v * v))
