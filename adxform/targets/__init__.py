"""Targets: the one place that knows what the generated code runs on.

A transform says *what* it needs (a tape, an adjoint array of an array's
shape, an adjoint accumulated into an element); the function's ``Target``
says *how* that is written for the machine it runs on: the decorator, the
runtime template the module carries, the tape strategy and the way an
adjoint is accumulated.  numba's ``target_registry`` and mypyc's
``lower/registry.py`` are the models: a registry entry per target, looked
up by the ``target`` field of ``ir.Function``.

* ``cpu``: ``@numba.njit(cache=True)`` (or no decorator with ``--jit
  none``), growable numpy stacks as tapes (``reverse/tape.py``), ``+=``;
* ``python``: never compiled (``--instrument``'s wrappers), otherwise as cpu;
* ``cuda-kernel`` / ``cuda-device``: ``@numba.cuda.jit``, a fixed-size
  ``cuda.local.array`` tape per thread (``targets/cuda/tape.py``), and
  ``cuda.atomic.add`` or a plain store (``targets/cuda/accumulate.py``).
"""

from __future__ import annotations

from .base import Target
from .cpu import CPU, PYTHON
from .cuda import CUDA_DEVICE, CUDA_KERNEL

TARGETS: dict[str, Target] = {t.name: t for t in (CPU, PYTHON, CUDA_KERNEL, CUDA_DEVICE)}


def target_of(func) -> Target:
    """The target of an ``ir.Function`` (its ``target`` field)."""
    return TARGETS[func.target]


__all__ = ["CPU", "CUDA_DEVICE", "CUDA_KERNEL", "PYTHON", "TARGETS", "Target", "target_of"]
