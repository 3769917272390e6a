"""The CUDA targets: ``@cuda.jit`` kernels and ``@cuda.jit(device=True)``
device functions (numba.cuda), and their derivatives.

A thread's tape is a ``cuda.local.array`` whose size the compiler bounds
(``tape.py``); an adjoint is accumulated with ``cuda.atomic.add`` unless
its index is provably the thread's own (``accumulate.py``).  ``kernel.py``
differentiates kernels and device functions in both modes.
"""

from __future__ import annotations

from ..base import Target
from .accumulate import atomic_accumulate
from .tape import LocalTape


CUDA_KERNEL = Target("cuda-kernel", {"numba": "@cuda.jit", "none": "@cuda.jit"}, "", LocalTape,
                     None, atomic_accumulate)
CUDA_DEVICE = Target("cuda-device", {"numba": "@cuda.jit(device=True)", "none": "@cuda.jit(device=True)"},
                     "", LocalTape, None, atomic_accumulate)
