"""Lorenz-96 with classical RK4 time stepping."""
import numpy as np

FORCING = 8.0


def rhs(x: np.ndarray, dxdt: np.ndarray) -> None:
    n = x.shape[0]
    for i in range(n):
        dxdt[i] = (x[(i + 1) % n] - x[i - 2]) * x[i - 1] - x[i] + FORCING


def rk4_step(x: np.ndarray, dt: float) -> None:
    n = x.shape[0]
    k1 = np.zeros(n)
    k2 = np.zeros(n)
    k3 = np.zeros(n)
    k4 = np.zeros(n)
    tmp = np.empty(n)
    rhs(x, k1)
    for i in range(n):
        tmp[i] = x[i] + 0.5 * dt * k1[i]
    rhs(tmp, k2)
    for i in range(n):
        tmp[i] = x[i] + 0.5 * dt * k2[i]
    rhs(tmp, k3)
    for i in range(n):
        tmp[i] = x[i] + dt * k3[i]
    rhs(tmp, k4)
    for i in range(n):
        x[i] += dt / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i])


def final_energy(x0: np.ndarray, dt: float, nsteps: int) -> float:
    x = x0.copy()
    for _ in range(nsteps):
        rk4_step(x, dt)
    e = 0.0
    for i in range(x.shape[0]):
        e += 0.5 * x[i] * x[i]
    return e
