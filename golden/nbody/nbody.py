"""Pairwise potential energy of point masses (softened gravity)."""
import math

import numpy as np


def energy(pos: np.ndarray, mass: np.ndarray, eps: float) -> float:
    n = pos.shape[0]
    e = 0.0
    for i in range(n):
        for j in range(i + 1, n):
            dx = pos[i, 0] - pos[j, 0]
            dy = pos[i, 1] - pos[j, 1]
            dz = pos[i, 2] - pos[j, 2]
            r = math.sqrt(dx * dx + dy * dy + dz * dz + eps * eps)
            e -= mass[i] * mass[j] / r
    return e
