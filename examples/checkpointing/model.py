"""The Lorenz-96 model integrated with RK4 over a long time loop, written
the numba way, its loop marked for checkpointing.  The directive gives no
count: the snapshot count comes from the command (``--snapshots N``), so
one source serves every point of the trade-off."""
import numpy as np


def rhs(x, dxdt, forcing):
    n = x.shape[0]
    for i in range(n):
        dxdt[i] = (x[(i + 1) % n] - x[i - 2]) * x[i - 1] - x[i] + forcing


def rk4_step(x, k1, k2, k3, k4, tmp, dt):
    n = x.shape[0]
    rhs(x, k1, 8.0)
    for i in range(n):
        tmp[i] = x[i] + 0.5 * dt * k1[i]
    rhs(tmp, k2, 8.0)
    for i in range(n):
        tmp[i] = x[i] + 0.5 * dt * k2[i]
    rhs(tmp, k3, 8.0)
    for i in range(n):
        tmp[i] = x[i] + dt * k3[i]
    rhs(tmp, k4, 8.0)
    for i in range(n):
        x[i] += dt / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i])


def final_energy(x0, dt, nsteps):
    n = x0.shape[0]
    x = x0.copy()
    k1 = np.zeros(n)
    k2 = np.zeros(n)
    k3 = np.zeros(n)
    k4 = np.zeros(n)
    tmp = np.zeros(n)
    # adxform: checkpoint
    for s in range(nsteps):
        rk4_step(x, k1, k2, k3, k4, tmp, dt)
    e = 0.0
    for i in range(n):
        e += 0.5 * x[i] * x[i]
    return e
