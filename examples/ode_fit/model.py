"""Lotka-Volterra predator-prey model integrated with RK4, written the
numba way: no annotations, work arrays, a right-hand side helper.

``misfit`` integrates from ``u0`` with parameters ``theta`` (alpha, beta,
gamma, delta) and sums the squared distance to the observations ``data``,
one row every ``substeps`` steps of length ``dt``.  ``trajectory`` writes
the state after every step; the fit's figure draws it.
"""
import numpy as np


def rhs(u, du, theta):
    du[0] = theta[0] * u[0] - theta[1] * u[0] * u[1]
    du[1] = theta[3] * u[0] * u[1] - theta[2] * u[1]


def rk4_step(u, k1, k2, k3, k4, tmp, theta, dt):
    rhs(u, k1, theta)
    for i in range(2):
        tmp[i] = u[i] + 0.5 * dt * k1[i]
    rhs(tmp, k2, theta)
    for i in range(2):
        tmp[i] = u[i] + 0.5 * dt * k2[i]
    rhs(tmp, k3, theta)
    for i in range(2):
        tmp[i] = u[i] + dt * k3[i]
    rhs(tmp, k4, theta)
    for i in range(2):
        u[i] += dt / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i])


def misfit(theta, u0, data, dt, substeps):
    u = u0.copy()
    k1 = np.zeros(2)
    k2 = np.zeros(2)
    k3 = np.zeros(2)
    k4 = np.zeros(2)
    tmp = np.zeros(2)
    loss = 0.0
    for j in range(data.shape[0]):
        for s in range(substeps):
            rk4_step(u, k1, k2, k3, k4, tmp, theta, dt)
        for i in range(2):
            r = u[i] - data[j, i]
            loss += r * r
    return 0.5 * loss


def trajectory(theta, u0, dt, out):
    u = u0.copy()
    k1 = np.zeros(2)
    k2 = np.zeros(2)
    k3 = np.zeros(2)
    k4 = np.zeros(2)
    tmp = np.zeros(2)
    out[0, 0] = u[0]
    out[0, 1] = u[1]
    for t in range(1, out.shape[0]):
        rk4_step(u, k1, k2, k3, k4, tmp, theta, dt)
        out[t, 0] = u[0]
        out[t, 1] = u[1]
