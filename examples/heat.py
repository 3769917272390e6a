"""A 1-D heat equation with a source term, written the numba way.

``simulate`` runs ``nsteps`` explicit Euler steps of u_t = k u_xx + s(u)
and returns the mean squared distance to a target profile; ``adxform``
differentiates it with respect to the initial state ``u0`` and the
diffusivity ``k``.
"""
import math

import numpy as np


def step(u: np.ndarray, k: float, dt: float) -> None:
    n = u.shape[0]
    old = u.copy()
    for i in range(1, n - 1):
        lap = old[i - 1] - 2.0 * old[i] + old[i + 1]
        u[i] = old[i] + dt * (k * lap + 0.1 * math.sin(old[i]))


def simulate(u0: np.ndarray, k: float, target: np.ndarray, nsteps: int) -> float:
    u = u0.copy()
    for _ in range(nsteps):
        step(u, k, 0.1)
    loss = 0.0
    for i in range(u.shape[0]):
        d = u[i] - target[i]
        loss += d * d
    return loss / u.shape[0]
