import numpy as np

# Whole models written with whole-array numpy inside time loops: arrays made
# afresh in every iteration, arrays rebound across iterations, slices.


def lstm_loss(wx: np.ndarray, wh: np.ndarray, b: np.ndarray, xs: np.ndarray, target: np.ndarray) -> float:
    # an LSTM cell unrolled over the sequence xs (gates i, f, o, u)
    hidden = wh.shape[1]
    h = np.zeros(hidden)
    c = np.zeros(hidden)
    for t in range(xs.shape[0]):
        g = np.zeros(4 * hidden)
        for r in range(4 * hidden):
            acc = b[r]
            for k in range(xs.shape[1]):
                acc += wx[r, k] * xs[t, k]
            for k in range(hidden):
                acc += wh[r, k] * h[k]
            g[r] = acc
        i = 1.0 / (1.0 + np.exp(-g[0:hidden]))
        f = 1.0 / (1.0 + np.exp(-g[hidden:2 * hidden]))
        o = 1.0 / (1.0 + np.exp(-g[2 * hidden:3 * hidden]))
        u = np.tanh(g[3 * hidden:4 * hidden])
        c = f * c + i * u
        h = o * np.tanh(c)
    s = 0.0
    for j in range(hidden):
        s += (h[j] - target[j]) ** 2
    return s


def lstm_matmul(wx: np.ndarray, wh: np.ndarray, b: np.ndarray, xs: np.ndarray, target: np.ndarray) -> float:
    # the same LSTM with @ and whole-array gates
    hidden = wh.shape[1]
    h = np.zeros(hidden)
    c = np.zeros(hidden)
    for t in range(xs.shape[0]):
        g = wx @ xs[t] + wh @ h + b
        i = 1.0 / (1.0 + np.exp(-g[0:hidden]))
        f = 1.0 / (1.0 + np.exp(-g[hidden:2 * hidden]))
        o = 1.0 / (1.0 + np.exp(-g[2 * hidden:3 * hidden]))
        u = np.tanh(g[3 * hidden:4 * hidden])
        c = f * c + i * u
        h = o * np.tanh(c)
    d = h - target
    return np.sum(d * d)


def fresh_2d(a: np.ndarray, x: float, n: int) -> float:
    # a 2-D array made afresh each iteration from the previous state
    state = np.zeros((a.shape[0], a.shape[1])) + a * x
    for t in range(n):
        nxt = np.sin(state) * x + state * 0.5
        state = nxt * nxt
    s = 0.0
    for i in range(state.shape[0]):
        for j in range(state.shape[1]):
            s += state[i, j]
    return s
