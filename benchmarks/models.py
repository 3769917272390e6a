"""Objectives written as users write them: no annotations, temporaries,
counters, work arrays and helpers kept.  benchmarks/reverse.py times their
gradients; tests/test_benchmark_models.py checks them at small sizes."""
import math

import numpy as np


def gmm_loglik(alphas, means, icf, x):
    # Gaussian-mixture log-likelihood (ADBench's objective without the prior):
    # each component's inverse Cholesky factor is packed in a row of icf,
    # d log-diagonal entries, then the strict lower triangle column by column
    n = x.shape[0]
    d = x.shape[1]
    k = alphas.shape[0]
    xc = np.zeros(d)
    qx = np.zeros(d)
    main = np.zeros(k)
    total = 0.0
    for i in range(n):
        for c in range(k):
            sumlog = 0.0
            for j in range(d):
                sumlog += icf[c, j]
                xc[j] = x[i, j] - means[c, j]
                qx[j] = math.exp(icf[c, j]) * xc[j]
            li = d
            for j in range(d):
                for m in range(j + 1, d):
                    qx[m] += icf[c, li] * xc[j]
                    li += 1
            sq = 0.0
            for j in range(d):
                sq += qx[j] * qx[j]
            main[c] = alphas[c] + sumlog - 0.5 * sq
        best = main[0]
        for c in range(1, k):
            if main[c] > best:
                best = main[c]
        s = 0.0
        for c in range(k):
            s += math.exp(main[c] - best)
        total += best + math.log(s)
    amax = alphas[0]
    for c in range(1, k):
        if alphas[c] > amax:
            amax = alphas[c]
    asum = 0.0
    for c in range(k):
        asum += math.exp(alphas[c] - amax)
    return total - n * (amax + math.log(asum))


def least_squares(a, x, b):
    m = a.shape[0]
    n = a.shape[1]
    loss = 0.0
    for i in range(m):
        r = 0.0
        for j in range(n):
            r += a[i, j] * x[j]
        r = r - b[i]
        loss += r * r
    return 0.5 * loss


def _stage(u, du, k_out, h, p):
    n = u.shape[0]
    for i in range(n):
        v = u[i] + h * du[i]
        k_out[i] = -p * v + math.sin(v) * 0.5
    return


def rk4_ode(u0, p, h, nsteps):
    n = u0.shape[0]
    u = u0.copy()
    k1 = np.zeros(n)
    k2 = np.zeros(n)
    k3 = np.zeros(n)
    k4 = np.zeros(n)
    zero = np.zeros(n)
    for s in range(nsteps):
        _stage(u, zero, k1, 0.0, p)
        _stage(u, k1, k2, 0.5 * h, p)
        _stage(u, k2, k3, 0.5 * h, p)
        _stage(u, k3, k4, h, p)
        for i in range(n):
            u[i] = u[i] + h / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i])
    total = 0.0
    for i in range(n):
        total += u[i] * u[i]
    return total


def burgers(u0, nu, dt, dx, nsteps):
    n = u0.shape[0]
    u = u0.copy()
    unew = np.zeros(n)
    for t in range(nsteps):
        for i in range(n):
            left = u[i - 1]
            right = u[(i + 1) % n]
            if u[i] > 0.0:
                adv = u[i] * (u[i] - left) / dx
            else:
                adv = u[i] * (right - u[i]) / dx
            diff = nu * (right - 2.0 * u[i] + left) / (dx * dx)
            unew[i] = u[i] - dt * adv + dt * diff
        for i in range(n):
            u[i] = unew[i]
    total = 0.0
    for i in range(n):
        total += u[i] * u[i]
    return total


def rosenbrock_temps(x):
    total = 0.0
    for i in range(x.shape[0] - 1):
        t1 = x[i + 1] - x[i] * x[i]
        t2 = 1.0 - x[i]
        total += 100.0 * t1 * t1 + t2 * t2
    return total


def _l96_rhs(x, dxdt, forcing):
    n = x.shape[0]
    for i in range(n):
        dxdt[i] = (x[(i + 1) % n] - x[i - 2]) * x[i - 1] - x[i] + forcing


def _l96_step(x, k1, k2, k3, k4, tmp, dt):
    n = x.shape[0]
    _l96_rhs(x, k1, 8.0)
    for i in range(n):
        tmp[i] = x[i] + 0.5 * dt * k1[i]
    _l96_rhs(tmp, k2, 8.0)
    for i in range(n):
        tmp[i] = x[i] + 0.5 * dt * k2[i]
    _l96_rhs(tmp, k3, 8.0)
    for i in range(n):
        tmp[i] = x[i] + dt * k3[i]
    _l96_rhs(tmp, k4, 8.0)
    for i in range(n):
        x[i] += dt / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i])


def lorenz96(x0, dt, nsteps):
    n = x0.shape[0]
    x = x0.copy()
    k1 = np.zeros(n)
    k2 = np.zeros(n)
    k3 = np.zeros(n)
    k4 = np.zeros(n)
    tmp = np.zeros(n)
    for s in range(nsteps):
        _l96_step(x, k1, k2, k3, k4, tmp, dt)
    e = 0.0
    for i in range(n):
        e += 0.5 * x[i] * x[i]
    return e


def lorenz96_checkpointed(x0, dt, nsteps):
    n = x0.shape[0]
    x = x0.copy()
    k1 = np.zeros(n)
    k2 = np.zeros(n)
    k3 = np.zeros(n)
    k4 = np.zeros(n)
    tmp = np.zeros(n)
    # adxform: checkpoint(snapshots=20)
    for s in range(nsteps):
        _l96_step(x, k1, k2, k3, k4, tmp, dt)
    e = 0.0
    for i in range(n):
        e += 0.5 * x[i] * x[i]
    return e
