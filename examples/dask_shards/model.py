"""A regression loss written the numba way: a one-hidden-layer perceptron
(tanh) fitted to targets ``y`` by least squares.  The loss is a sum over
samples, so the loss of a data set is the sum of the losses of its shards,
and so is its gradient."""
import math

import numpy as np


def shard_loss(w1, b1, w2, b2, x, y):
    n = x.shape[0]
    d = x.shape[1]
    h = w1.shape[1]
    hidden = np.zeros(h)
    total = 0.0
    for i in range(n):
        for k in range(h):
            z = b1[k]
            for j in range(d):
                z += x[i, j] * w1[j, k]
            hidden[k] = math.tanh(z)
        out = b2
        for k in range(h):
            out += w2[k] * hidden[k]
        r = out - y[i]
        total += r * r
    return 0.5 * total
