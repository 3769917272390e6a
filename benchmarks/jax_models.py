"""The cases of benchmarks/reverse.py written as JAX users write them:
whole-array ``jax.numpy`` in place of element loops, ``lax.scan`` for time
loops.  Each takes the arguments of its case and computes the same value
(tests/test_benchmark_jax.py checks values and gradients against the
adxform modules at small sizes); ``jit_grad`` differentiates it with
respect to the same arguments adxform does, the float ones.

Importing this module turns on JAX's float64 mode, as the numba code
computes in float64.
"""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

jax.config.update("jax_enable_x64", True)


def rosenbrock(x):
    return jnp.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def nbody_energy(pos, mass, eps):
    d = pos[:, None, :] - pos[None, :, :]
    r = jnp.sqrt(jnp.sum(d * d, axis=-1) + eps * eps)
    return -jnp.sum(jnp.triu(mass[:, None] * mass[None, :] / r, k=1))


def _l96_rhs(x):
    return (jnp.roll(x, -1) - jnp.roll(x, 2)) * jnp.roll(x, 1) - x + 8.0


def _rk4(f, x, dt):
    k1 = f(x)
    k2 = f(x + 0.5 * dt * k1)
    k3 = f(x + 0.5 * dt * k2)
    k4 = f(x + dt * k3)
    return x + dt / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)


def _steps(step, x, nsteps: int, remat: bool = False):
    body = jax.checkpoint(step) if remat else step
    x, _ = lax.scan(lambda carry, _: (body(carry), None), x, None, length=nsteps)
    return x


def lorenz96(x0, dt, nsteps):
    x = _steps(lambda x: _rk4(_l96_rhs, x, dt), x0, nsteps)
    return 0.5 * jnp.sum(x * x)


def lorenz96_remat(x0, dt, nsteps):
    """JAX's own answer to a long loop's memory: ``jax.checkpoint`` on the
    step keeps only the state per step and recomputes the step's insides
    (not a binomial schedule)."""
    x = _steps(lambda x: _rk4(_l96_rhs, x, dt), x0, nsteps, remat=True)
    return 0.5 * jnp.sum(x * x)


def mlp(w1, b1, w2, x, labels):
    z = jnp.tanh(x @ w1 + b1) @ w2
    zmax = jnp.max(z, axis=1)
    lse = zmax + jnp.log(jnp.sum(jnp.exp(z - zmax[:, None]), axis=1))
    return jnp.mean(lse - jnp.take_along_axis(z, labels[:, None], axis=1)[:, 0])


def heat_slices(u0, k, nsteps):
    def step(u):
        return u.at[1:-1].set(u[1:-1] + k * (u[2:] - 2.0 * u[1:-1] + u[:-2]))
    u = _steps(step, u0, nsteps)
    return jnp.sum(u * u)


def mlp_numpy(w1, b1, w2, b2, x, onehot):
    z = jnp.tanh(x @ w1 + b1) @ w2 + b2
    m = jnp.max(z)
    lse = m + jnp.log(jnp.sum(jnp.exp(z - m), axis=1))
    return jnp.mean(lse - jnp.sum(z * onehot, axis=1))


def lstm(wx, wh, b, xs, target):
    hidden = wh.shape[1]

    def step(carry, x):
        h, c = carry
        g = wx @ x + wh @ h + b
        i, f, o = (jax.nn.sigmoid(g[k * hidden:(k + 1) * hidden]) for k in range(3))
        c = f * c + i * jnp.tanh(g[3 * hidden:])
        return (o * jnp.tanh(c), c), None

    (h, _), _ = lax.scan(step, (jnp.zeros(hidden), jnp.zeros(hidden)), xs)
    d = h - target
    return jnp.sum(d * d)


def gmm(alphas, means, icf, x):
    n, d = x.shape
    rows, cols = np.tril_indices(d, -1)
    order = np.lexsort((rows, cols))  # the packing: the strict lower triangle column by column
    lower = jnp.zeros((alphas.shape[0], d, d)).at[:, rows[order], cols[order]].set(icf[:, d:])
    q = lower + jax.vmap(jnp.diag)(jnp.exp(icf[:, :d]))
    qx = jnp.einsum("kmj,nkj->nkm", q, x[:, None, :] - means[None, :, :])
    main = alphas + jnp.sum(icf[:, :d], axis=1) - 0.5 * jnp.sum(qx * qx, axis=2)
    return jnp.sum(jax.nn.logsumexp(main, axis=1)) - n * jax.nn.logsumexp(alphas)


def least_squares(a, x, b):
    r = a @ x - b
    return 0.5 * jnp.sum(r * r)


def rk4_ode(u0, p, h, nsteps):
    u = _steps(lambda u: _rk4(lambda v: -p * v + 0.5 * jnp.sin(v), u, h), u0, nsteps)
    return jnp.sum(u * u)


def burgers(u0, nu, dt, dx, nsteps):
    def step(u):
        left, right = jnp.roll(u, 1), jnp.roll(u, -1)
        adv = jnp.where(u > 0.0, u * (u - left) / dx, u * (right - u) / dx)
        return u - dt * adv + dt * nu * (right - 2.0 * u + left) / (dx * dx)
    u = _steps(step, u0, nsteps)
    return jnp.sum(u * u)


# the case of benchmarks/reverse.py -> its JAX function
MODELS: dict[str, Callable] = {
    "rosenbrock": rosenbrock,
    "nbody": nbody_energy,
    "lorenz96": lorenz96,
    "mlp": mlp,
    "heat_slices": heat_slices,
    "mlp_numpy": mlp_numpy,
    "lstm": lstm,
    "gmm_small": gmm,
    "gmm_large": gmm,
    "least_squares": least_squares,
    "rk4_small": rk4_ode,
    "rk4_large": rk4_ode,
    "burgers": burgers,
    "rosenbrock_temps": rosenbrock,
    "lorenz96_user": lorenz96,
    "lorenz96_ckpt": lorenz96_remat,
}


def _is_float(value: object) -> bool:
    return isinstance(value, float) or (isinstance(value, np.ndarray) and value.dtype.kind == "f")


def jit_grad(case: str, args: tuple) -> Callable:
    """``jax.jit(jax.grad(f))`` of the case's function, with respect to its
    float arguments (as adxform's default ``--wrt``), the others static or
    traced as JAX needs: ints that set a loop's length are static."""
    floats = tuple(k for k, a in enumerate(args) if _is_float(a))
    static = tuple(k for k, a in enumerate(args) if isinstance(a, int))
    return jax.jit(jax.grad(MODELS[case], argnums=floats), static_argnums=static)


def jit_value(case: str, args: tuple) -> Callable:
    """``jax.jit(f)`` of the case's function."""
    return jax.jit(MODELS[case], static_argnums=tuple(k for k, a in enumerate(args) if isinstance(a, int)))
