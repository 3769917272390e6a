"""Runs a GPU kernel and its derivative kernels on flat vectors, for the
checks of ``test_kernels.py`` and ``benchmarks/gpu.py``.

A kernel is a map from its differentiable arguments on entry (floats, and
float arrays, outputs included: an output a kernel leaves partly untouched
keeps its entries) to its float arrays on exit.  ``primal``, ``jvp`` and
``vjp`` evaluate that map, its tangent and its adjoint with the generated
kernels, launched with the primal's grid; other arguments (int arrays,
and those that ``--wrt`` leaves out) pass through.  Which arguments the
derivative kernels take tangents and adjoints for, they say themselves:
``x_bar`` follows the arguments for each such ``x``.
"""

from __future__ import annotations

import inspect

import numpy as np


def differentiable(value) -> bool:
    return isinstance(value, float) or isinstance(value, np.ndarray) and value.dtype.kind == "f"


class Harness:
    def __init__(self, case, primal_module, forward_module, reverse_module, args, to_device=np.asarray,
                 to_host=np.asarray):
        self.case = case
        self.kernel = getattr(primal_module, case.name)
        self.k_jvp = getattr(forward_module, case.name + "_jvp")
        self.k_vjp = getattr(reverse_module, case.name + "_vjp")
        self.args = args
        params = list(inspect.signature(self.kernel.py_func).parameters)
        adjoints = list(inspect.signature(self.k_vjp.py_func).parameters)[len(params):]
        self.derived = [name for name in params if f"{name}_bar" in adjoints]  # the parameters differentiated
        self.is_diff = [differentiable(a) and name in self.derived for a, name in zip(args, params)]
        self.diff = [a for a, d in zip(args, self.is_diff) if d]
        self.grid = case.grid(args)
        self.to_device, self.to_host = to_device, to_host

    def _launch(self, kernel, values):
        device = [self.to_device(np.array(v)) if isinstance(v, np.ndarray) else v for v in values]
        kernel[self.grid](*device)
        return [self.to_host(d) if isinstance(v, np.ndarray) else v for v, d in zip(values, device)]

    def primal(self, args=None):
        out = self._launch(self.kernel, list(self.args if args is None else args))
        return np.concatenate([np.ravel(v) for v, d in zip(out, self.is_diff) if d and isinstance(v, np.ndarray)])

    def shifted(self, direction, h):
        """The arguments moved by ``h`` times ``direction`` (one entry per differentiable argument)."""
        moves = iter(direction)
        return [a + h * next(moves) if d else a for a, d in zip(self.args, self.is_diff)]

    def jvp(self, direction):
        out = self._launch(self.k_jvp, list(self.args) + list(direction))
        dots = out[len(self.args):]
        return np.concatenate([np.ravel(d) for d, a in zip(dots, self.diff) if isinstance(a, np.ndarray)])

    def vjp(self, weights):
        """The adjoints of the differentiable arguments on entry, for ``weights`` on the float arrays on exit."""
        bars, k = [], 0
        for a in self.diff:
            if isinstance(a, np.ndarray):
                bars.append(weights[k:k + a.size].reshape(a.shape).copy())
                k += a.size
            else:
                bars.append(np.zeros(1))
        out = self._launch(self.k_vjp, list(self.args) + bars)
        return [b if isinstance(a, np.ndarray) else b[0] for a, b in zip(self.diff, out[len(self.args):])]

    def direction(self, rng):
        return [rng.standard_normal(a.shape) if isinstance(a, np.ndarray) else float(rng.standard_normal())
                for a in self.diff]


def inner(direction, adjoints) -> float:
    return float(sum(np.sum(np.asarray(d) * np.asarray(b)) for d, b in zip(direction, adjoints)))
