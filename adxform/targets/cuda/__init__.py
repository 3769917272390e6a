"""The CUDA targets: ``@cuda.jit`` kernels and ``@cuda.jit(device=True)``
device functions (numba.cuda), and their derivatives.

A thread's tape is a ``cuda.local.array`` whose size the compiler bounds
(``tape.py``); an adjoint is accumulated with ``cuda.atomic.add`` unless
its index is provably the thread's own (``accumulate.py``).  The modules
carry no runtime helpers.  ``driver.py`` differentiates a module's kernels
and device functions: ``forward.py`` and ``reverse.py`` per function, over
what ``context.py`` knows of it (``kinds.py``, ``partials.py``; ``returns.py``
rewrites early returns), and ``batch.py`` for ``--target cuda``.
"""

from __future__ import annotations

from ..base import Target
from .accumulate import accumulate
from .tape import LocalTape


CUDA_KERNEL = Target("cuda-kernel", {"numba": "@cuda.jit", "none": "@cuda.jit"}, "", LocalTape,
                     None, accumulate)
CUDA_DEVICE = Target("cuda-device", {"numba": "@cuda.jit(device=True)", "none": "@cuda.jit(device=True)"},
                     "", LocalTape, None, accumulate)
