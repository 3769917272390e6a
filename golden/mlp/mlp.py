"""A one-hidden-layer MLP classifier loss, written with loops."""
import math

import numpy as np
import numpy.typing as npt


def mlp_loss(w1: np.ndarray, b1: np.ndarray, w2: np.ndarray, x: np.ndarray, labels: npt.NDArray[np.int64]) -> float:
    nsamples = x.shape[0]
    nin = x.shape[1]
    nhidden = w1.shape[1]
    nclass = w2.shape[1]
    h = np.zeros(nhidden)
    z = np.zeros(nclass)
    total = 0.0
    for s in range(nsamples):
        for j in range(nhidden):
            acc = b1[j]
            for i in range(nin):
                acc += x[s, i] * w1[i, j]
            h[j] = math.tanh(acc)
        zmax = -1e300
        for c in range(nclass):
            acc = 0.0
            for j in range(nhidden):
                acc += h[j] * w2[j, c]
            z[c] = acc
            zmax = max(zmax, acc)
        lse = 0.0
        for c in range(nclass):
            lse += math.exp(z[c] - zmax)
        total += zmax + math.log(lse) - z[labels[s]]
    return total / nsamples
