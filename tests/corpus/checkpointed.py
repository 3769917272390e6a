import math

import numpy as np

# Loops reversed with binomial checkpointing (SPEC §5): state arrays and
# scalars, unknown trip counts (while, break, early return), a checkpointed
# loop in a callee called from a loop, an ordinary loop inside the
# checkpointed body, strided ranges, one snapshot, bodies that end in a
# call (a turn leaves it out of the iteration it records: control.py).


def heat_steps(u0: np.ndarray, k: float, nsteps: int) -> float:
    # two state arrays swapped by copying, a scalar accumulated across steps
    n = u0.shape[0]
    u = u0.copy()
    v = np.zeros(n)
    e = 0.0
    # adxform: checkpoint(snapshots=3)
    for step in range(nsteps):
        for i in range(1, n - 1):
            v[i] = u[i] + k * (u[i - 1] - 2.0 * u[i] + u[i + 1]) - 0.1 * u[i] ** 3
        for i in range(1, n - 1):
            u[i] = v[i]
        e = e + u[n // 2] * u[n // 2]
    return e + u[1]


def newton_root(a: float, x0: float) -> float:
    # a while loop until convergence: the trip count is unknown on entry
    x = x0
    # adxform: checkpoint(snapshots=2)
    while abs(x * x * x - a) > 1e-13:
        x = x - (x * x * x - a) / (3.0 * x * x)
    return x * x + math.sin(x)


def break_when_large(x: np.ndarray, r: float) -> float:
    # a for loop that may break on the data
    v = x[0]
    s = 0.0
    # adxform: checkpoint(snapshots=2)
    for k in range(60):
        v = r * v * (1.0 - v) + 0.01 * x[1]
        s = s + v * v
        if s > 4.0:
            break
    return s * x[2] + v


def _advance(u: np.ndarray, dt: float, nsteps: int) -> None:
    n = u.shape[0]
    # adxform: checkpoint(snapshots=2)
    for step in range(nsteps):
        for i in range(n):
            u[i] = u[i] + dt * math.cos(u[(i + 1) % n]) * u[i]


def calls_checkpointed(u0: np.ndarray, dt: float, m: int) -> float:
    # a procedure with a checkpointed loop, called from an ordinary loop
    u = u0.copy()
    s = 0.0
    for j in range(m):
        _advance(u, dt, 4)
        s = s + u[0] * u[1]
    return s


def inner_loop_body(x: np.ndarray, c: float, nsteps: int) -> float:
    # the checkpointed body holds an ordinary loop with a branch
    y = x.copy()
    total = 0.0
    # adxform: checkpoint
    for t in range(nsteps):
        acc = 0.0
        for i in range(y.shape[0]):
            if y[i] > 0.0:
                acc = acc + y[i] * c
            else:
                acc = acc - y[i] * y[i]
        for i in range(y.shape[0]):
            y[i] = math.tanh(y[i] + 0.1 * acc)
        total = total + acc
    return total


def early_return(x: float, y: float, n: int) -> float:
    # return from inside a checkpointed loop
    s = x
    # adxform: checkpoint(snapshots=2)
    for i in range(n):
        s = s + y * math.cos(0.1 * s)
        if s > 5.7:
            return s * x
    return s * 2.0


def return_before_the_loop(x, a, n):
    # a return in a branch before the loop: on the path into the loop the
    # returned value is still unbound when the first snapshot copies it
    s = 0.0
    if a > 2.0:
        return a * x[0]
    # adxform: checkpoint(snapshots=2)
    for k in range(n):
        s = 0.9 * s + math.sin(a * x[k % 3])
        if s > 10.0:
            return s
    return s * x[1]


def strided_one_snapshot(a: np.ndarray, x: float) -> float:
    # a strided range, one snapshot, the loop variable read after the loop
    s = x
    # adxform: checkpoint(snapshots=1)
    for i in range(2, 17, 3):
        s = s * a[i % a.shape[0]] + math.cos(s)
    return s * i


def mixed_state(x: np.ndarray, c: float, n: int) -> float:
    # int and bool state, continue, a downward range inside a branch, and a
    # second checkpointed loop after the first
    s = 0.0
    count = 0
    flipped = False
    if c > 0.0:
        # adxform: checkpoint(snapshots=2)
        for i in range(n - 1, -1, -1):
            count += 1
            if i % 3 == 1:
                flipped = not flipped
                continue
            if flipped:
                s = s * c + x[i % x.shape[0]]
            else:
                s = s - c * math.sin(s) + x[0]
    t = s
    # adxform: checkpoint(snapshots=3)
    for k in range(count):
        t = t * 0.9 + c * math.cos(t)
    return t + s * count


def _rhs(x, out, c):
    n = x.shape[0]
    for i in range(n):
        out[i] = c * math.sin(x[(i + 1) % n]) - x[i] * x[i - 1]


def _midpoint_step(x, k, tmp, dt):
    # fills the work arrays k and tmp before reading them
    _rhs(x, k, 0.8)
    for i in range(x.shape[0]):
        tmp[i] = x[i] + 0.5 * dt * k[i]
    _rhs(tmp, k, 0.8)
    for i in range(x.shape[0]):
        x[i] += dt * k[i]


def steps_through_a_procedure(x0, dt, nsteps):
    # the body is one call, written as numba users write a time loop; the
    # work array k is read after the loop
    x = x0.copy()
    k = np.zeros(x.shape[0])
    tmp = np.zeros(x.shape[0])
    # adxform: checkpoint(snapshots=3)
    for s in range(nsteps):
        _midpoint_step(x, k, tmp, dt)
    return np.sum(x * x) + k[0] * dt


def reads_then_steps(x0, dt, nsteps):
    # a statement before the call reads the state the call changes
    x = x0.copy()
    k = np.zeros(x.shape[0])
    tmp = np.zeros(x.shape[0])
    e = 0.0
    # adxform: checkpoint(snapshots=2)
    for s in range(nsteps):
        e += x[0] * x[1] * dt
        _midpoint_step(x, k, tmp, dt)
    return e + x[2]


def _relax(x, memory, c):
    # reads memory's entry value before it writes it
    for i in range(x.shape[0]):
        memory[i] = 0.5 * memory[i] + c * x[i]
        x[i] = x[i] - 0.1 * memory[i] * x[i]


def relaxes_until_small(x0, c):
    # a while loop whose body is a call that reads and writes a second array
    x = x0.copy()
    memory = np.zeros(x.shape[0])
    # adxform: checkpoint(snapshots=2)
    while x[0] > 0.3:
        _relax(x, memory, c)
    return np.sum(x) + np.sum(memory * memory)



def _euler_step(x, work, dt):
    # fills work[:n] before reading it
    n = x.shape[0]
    for i in range(n):
        work[i] = math.sin(x[(i + 1) % n]) * dt
    for i in range(n):
        x[i] += work[i] * x[i - 1]


def work_array_with_a_carried_tail(x0, dt, nsteps):
    # the steps fill tmp[:n] before reading it, but tmp is one longer and its
    # last element carries a value from one iteration to the next: the
    # snapshots keep tmp (k, filled whole, they leave out)
    n = x0.shape[0]
    x = x0.copy()
    k = np.zeros(n)
    tmp = np.zeros(n + 1)
    e = 0.0
    # adxform: checkpoint(snapshots=2)
    for s in range(nsteps):
        _euler_step(x, k, dt)
        _euler_step(x, tmp, dt)
        e += tmp[n] * x[1]
        tmp[n] = x[0] + 0.5 * tmp[n]
    return e + x[2]
