"""Explicit Euler steps of a 1-D heat equation, and a loss on the final state."""
import numpy as np


def step(u: np.ndarray, k: float, dt: float) -> None:
    n = u.shape[0]
    old = u.copy()
    for i in range(1, n - 1):
        u[i] = old[i] + dt * k * (old[i - 1] - 2.0 * old[i] + old[i + 1])


def loss(u0: np.ndarray, k: float, nsteps: int) -> float:
    u = u0.copy()
    for _ in range(nsteps):
        step(u, k, 0.1)
    total = 0.0
    for i in range(u.shape[0]):
        total += u[i] * u[i]
    return total
