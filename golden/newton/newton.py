"""A Newton iteration with a data-dependent trip count, and branchy scalar code."""
import math

TOL = 1e-10


def cube_root(a: float) -> float:
    x = a if a > 1.0 else 1.0
    it = 0
    while it < 100:
        dx = (x * x * x - a) / (3.0 * x * x)
        x -= dx
        it += 1
        if abs(dx) < TOL * x:
            break
    return x


def smooth_clip(x: float, lo: float, hi: float) -> float:
    if x < lo:
        y = lo - math.log1p(lo - x)
    elif x > hi:
        y = hi + math.log1p(x - hi)
    else:
        y = x
    return y * y if y > 0.0 else -(y * y)
