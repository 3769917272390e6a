"""How to run each kernel of the GPU corpus (``kernels.py``) and of
``features.py``: its arguments and launch configuration, shared by the
simulator tests, the PTX check and ``benchmarks/gpu.py`` (the corpus)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from . import kernels


@dataclass
class Case:
    name: str
    args: Callable[[np.random.Generator, int], list]  # (rng, n) -> the arguments (arrays of about n elements, floats)
    grid: Callable[[list], tuple]  # arguments -> (blocks, threads)


def _blocks(n: int, threads: int) -> int:
    return (n + threads - 1) // threads


def _side(n: int) -> int:
    """The side of a square grid of about n points."""
    return int(n ** 0.5)


def _grid1(n_of, threads=32):
    return lambda args: (_blocks(n_of(args), threads), threads)


CASES = [
    Case("scale_sin", lambda rng, n: [rng.standard_normal(n), 1.3, rng.standard_normal(n)],
         _grid1(lambda a: a[0].size)),
    Case("stencil3", lambda rng, n: [rng.standard_normal(n), 0.2, rng.standard_normal(n)],
         _grid1(lambda a: a[0].size)),
    Case("dot", lambda rng, n: [rng.standard_normal(n), rng.standard_normal(n), rng.standard_normal(1)],
         _grid1(lambda a: a[0].size)),
    Case("stencil2d", lambda rng, n: [rng.standard_normal((_side(n), _side(n) + 3)),
                                      rng.standard_normal((_side(n), _side(n) + 3))],
         lambda a: ((_blocks(a[0].shape[0], 8), _blocks(a[0].shape[1], 8)), (8, 8))),
    Case("euler", lambda rng, n: [rng.standard_normal(n), rng.uniform(0.5, 1.5, n), 0.01, rng.standard_normal(n)],
         _grid1(lambda a: a[0].size)),
    Case("block_sumsq", lambda rng, n: [rng.standard_normal(n), rng.standard_normal(1)],
         _grid1(lambda a: a[0].size, kernels.BLOCK)),
    Case("tiled_stencil2d", lambda rng, n: [rng.standard_normal((_side(n), _side(n) + 3)),
                                            rng.standard_normal((_side(n), _side(n) + 3))],
         lambda a: ((_blocks(a[0].shape[0] - 2, kernels.TILE - 2), _blocks(a[0].shape[1] - 2, kernels.TILE - 2)),
                    (kernels.TILE, kernels.TILE))),
]

# the kernels of features.py
FEATURE_CASES = [
    Case("clipped", lambda rng, n: [rng.uniform(-2.0, 2.0, n), 1.2, rng.standard_normal(n), np.zeros(1, np.int64)],
         _grid1(lambda a: a[0].size)),
    Case("shrink", lambda rng, n: [rng.uniform(-3.0, 3.0, n), rng.standard_normal(n)], _grid1(lambda a: a[0].size)),
    Case("mixed", lambda rng, n: [rng.uniform(0.2, 1.5, n), rng.uniform(0.2, 1.5, n), rng.standard_normal(n)],
         _grid1(lambda a: a[0].size)),
    Case("capped", lambda rng, n: [rng.uniform(-3.0, 3.0, n), 3, rng.standard_normal(n)], _grid1(lambda a: a[0].size)),
    Case("nested", lambda rng, n: [rng.uniform(-3.0, 3.0, n), rng.standard_normal(n)], _grid1(lambda a: a[0].size)),
    Case("guarded", lambda rng, n: [rng.standard_normal(n), 1.2, rng.standard_normal(n)], _grid1(lambda a: a[0].size)),
]
