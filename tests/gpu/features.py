"""Kernels for the constructs the corpus (``kernels.py``) does not reach:
branches whose test the branch changes, a bounded ``while`` loop that
overwrites a float, conditional expressions, abs/min/max, powers and
quotients, an int atomic counter.  Checked like the corpus in the simulator
(``test_kernels.py``)."""

import math

import numpy as np
import numpy.typing as npt
from numba import cuda


@cuda.jit
def clipped(x, lo, out, hits: npt.NDArray[np.int64]):
    """A branch whose test reads what the branch changes, and an int counter
    (annotated: nothing says it is not a float array)."""
    i = cuda.grid(1)
    if i < x.size:
        v = x[i] * x[i]
        if v > lo:
            v = lo + math.log(1.0 + v - lo)
            cuda.atomic.add(hits, 0, 1)
        out[i] = v if v > 0.5 else 0.1 * v + 0.45


@cuda.jit
def shrink(x, out):
    """A while loop whose length depends on the data, overwriting a float."""
    i = cuda.grid(1)
    if i < x.size:
        v = abs(x[i]) + 2.0
        # adxform: bound(trips=64)
        while v > 1.5:
            v = math.sqrt(v) * 0.9
        out[i] = v


@cuda.jit
def mixed(x, y, out):
    """Quotients, powers, min/max and tanh on two inputs."""
    i = cuda.grid(1)
    if i < x.size:
        a = max(x[i], y[i]) / (1.0 + min(x[i], y[i]) ** 2)
        out[i] = math.tanh(a) + x[i] ** 3 - 2.0 ** y[i]


@cuda.jit
def capped(x, steps: int, out):
    """Loops whose length the data decide, under bounds: a while loop and a
    range loop of a length passed in.  Past a bound the adjoint of a thread
    is NaN (``test_bounds.py``)."""
    i = cuda.grid(1)
    if i < x.size:
        v = abs(x[i]) + 2.0
        # adxform: bound(trips=8)
        while v > 1.5:
            v = math.sqrt(v) * 0.9
        # adxform: bound(trips=4)
        for k in range(steps):
            v = v * math.cos(v) + 0.5
        out[i] = v


@cuda.jit
def nested(x, out):
    """A bounded while loop inside a range loop: the tape holds its bound
    times the range's length, and the counter of each run of the while."""
    i = cuda.grid(1)
    if i < x.size:
        v = abs(x[i]) + 2.0
        for k in range(3):
            # adxform: bound(trips=8)
            while v > 1.5:
                v = math.sqrt(v) * 0.9
            v = v * (2.0 + k) + 0.1 * x[i]
        out[i] = v


@cuda.jit
def guarded(x, c, out):
    """Early returns, the usual numba.cuda guard first: a thread past the end
    (or the first) does nothing, and one whose value is large leaves its
    element of out untouched."""
    i = cuda.grid(1)
    if i >= x.size or i == 0:
        return
    v = c * x[i]
    if v > 2.0:
        return
    if v < 0.0:
        out[i] = v * v
        return
    out[i] = math.exp(-v) + x[i - 1]
