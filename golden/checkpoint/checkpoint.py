"""Time loops reversed with binomial checkpointing (docs/checkpointing.md)."""
import math

import numpy as np


def trajectory_cost(q0: np.ndarray, damping: float, dt: float, nsteps: int) -> float:
    # a damped pendulum: the state is the array q and the running cost
    q = q0.copy()
    cost = 0.0
    # adxform: checkpoint(snapshots=8)
    for step in range(nsteps):
        accel = -math.sin(q[0]) - damping * q[1]
        q[1] = q[1] + dt * accel
        q[0] = q[0] + dt * q[1]
        cost = cost + dt * q[0] * q[0]
    return cost


def fixed_point(a: float) -> float:
    # iterate until converged: the trip count is known only at the end
    x = 0.0
    step = 1.0
    # adxform: checkpoint(snapshots=4)
    while abs(step) > 1e-14:
        x_new = a * math.cos(x)
        step = x_new - x
        x = x_new
    return x * x
