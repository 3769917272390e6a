"""The GPU corpus: kernels as numba.cuda users write them.

Each is differentiated by ``adxform forward`` and ``adxform reverse`` and
checked in the CUDA simulator (``tests/gpu/test_kernels.py``), compiled to
PTX (``tests/gpu/ptx_check.py``) and run on a real GPU by
``benchmarks/gpu.py``.  Launch configurations are in ``tests/gpu/cases.py``.
"""

import math

from numba import cuda, float64

BLOCK = 64


@cuda.jit
def scale_sin(a, s, b):
    """Elementwise with a float scalar parameter."""
    i = cuda.grid(1)
    if i < a.size:
        b[i] = s * math.sin(a[i]) + a[i] * a[i]


@cuda.jit
def stencil3(u, c, out):
    """A 3-point stencil; the boundary entries of out are left untouched."""
    i = cuda.grid(1)
    if i >= 1 and i < u.size - 1:
        out[i] = u[i] + c * (u[i - 1] - 2.0 * u[i] + u[i + 1])


@cuda.jit
def dot(x, y, out):
    """An atomic dot product."""
    i = cuda.grid(1)
    if i < x.size:
        cuda.atomic.add(out, 0, x[i] * y[i])


@cuda.jit
def stencil2d(u, out):
    """A 5-point stencil on a 2-D grid, interior points only."""
    i, j = cuda.grid(2)
    if i >= 1 and i < u.shape[0] - 1 and j >= 1 and j < u.shape[1] - 1:
        out[i, j] = u[i, j] * u[i, j] + 0.25 * (u[i - 1, j] + u[i + 1, j] + u[i, j - 1] + u[i, j + 1])


@cuda.jit(device=True)
def rate(x, k):
    """The right-hand side of dx/dt = -k x + sin(x)."""
    return -k * x + math.sin(x)


@cuda.jit
def euler(x0, k, dt, x):
    """100 explicit-Euler steps per thread, calling a device function."""
    i = cuda.grid(1)
    if i < x0.size:
        v = x0[i]
        for step in range(100):
            v = v + dt * rate(v, k[i])
        x[i] = v


@cuda.jit
def block_sumsq(x, out):
    """The sum of squares of x: a shared-memory tree per block, then atomics."""
    s = cuda.shared.array(BLOCK, float64)
    tid = cuda.threadIdx.x
    i = cuda.grid(1)
    v = 0.0
    if i < x.size:
        v = x[i]
    s[tid] = v * v
    cuda.syncthreads()
    stride = cuda.blockDim.x // 2
    # adxform: bound(trips=16)
    while stride > 0:
        if tid < stride:
            s[tid] += s[tid + stride]
        cuda.syncthreads()
        stride //= 2
    if tid == 0:
        cuda.atomic.add(out, 0, s[0])


TILE = 8


@cuda.jit
def tiled_stencil2d(u, out):
    """A 5-point stencil on a 2-D grid through a shared tile of sin(u): each
    block of TILE x TILE threads loads a tile with a one-point halo, and the
    threads inside the halo write the interior points they cover, so
    neighbouring tiles overlap on their halos."""
    tile = cuda.shared.array((TILE, TILE), float64)
    tx = cuda.threadIdx.x
    ty = cuda.threadIdx.y
    i = cuda.blockIdx.x * (TILE - 2) + tx - 1
    j = cuda.blockIdx.y * (TILE - 2) + ty - 1
    v = 0.0
    if i >= 0 and i < u.shape[0] and j >= 0 and j < u.shape[1]:
        v = math.sin(u[i, j])
    tile[tx, ty] = v
    cuda.syncthreads()
    if tx >= 1 and tx < TILE - 1 and ty >= 1 and ty < TILE - 1 and i >= 1 and i < u.shape[0] - 1 and j >= 1 \
            and j < u.shape[1] - 1:
        out[i, j] = 0.5 * tile[tx, ty] + 0.125 * (tile[tx - 1, ty] + tile[tx + 1, ty] + tile[tx, ty - 1]
                                                  + tile[tx, ty + 1])
