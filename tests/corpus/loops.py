import math

# Loops over scalars: every form of range, while loops with data-dependent
# trip counts, break/continue (also nested), early returns from a loop.


def sum_range(x: float, n: int) -> float:
    s = 0.0
    for i in range(n):
        s += math.sin(x * i) / (i + 1.0)
    return s


def product_start_stop(x: float, n: int) -> float:
    p = 1.0
    for i in range(2, n):
        p *= 1.0 + x / i
    return p


def stepped_range(x: float, n: int) -> float:
    s = 0.0
    for i in range(1, n, 3):
        s += x ** 2 / i - x * i
    return s


def horner_negative_step(x: float, n: int) -> float:
    s = 0.0
    for i in range(n, 0, -2):
        s = s * x + i
    return s


def countdown_to_zero(x: float, n: int) -> float:
    s = 1.0
    for i in range(n - 1, -1, -1):
        s = s * math.cos(x / (i + 1.0)) + 0.1 * i
    return s


def strided_recurrence(x: float, n: int) -> float:
    # a recurrence over a range with a step of 3 (reversed as a countdown by 3),
    # after a range that is empty for these inputs
    s = 0.5
    for i in range(n, 4):
        s = s * x
    for i in range(2, n, 3):
        s = s * math.sin(x + i) + x / i
    return s


def tuple_recurrence(x: float, n: int) -> float:
    a = 0.0
    b = 1.0
    for i in range(n):
        a, b = b, a * x + b
    return a / b


def while_halving(x: float) -> float:
    # trip count depends on x
    y = x
    k = 0
    while y > 1.0:
        y = y * 0.5
        k += 1
    return y * y + k


def while_newton_sqrt(a: float) -> float:
    x = a
    k = 0
    while abs(x * x - a) > 1e-13 * a and k < 100:
        x = 0.5 * (x + a / x)
        k += 1
    return x


def while_true_break(x: float) -> float:
    s = 0.0
    k = 0
    while True:
        s += x
        k += 1
        if s > 10.0:
            break
    return s * k


def break_data(x: float, n: int) -> float:
    s = 0.0
    t = 0.0
    for i in range(n):
        s += x
        if s > 10.0:
            break
        t += math.sqrt(s)
    return t + s


def continue_index(x: float, n: int) -> float:
    s = 0.0
    for i in range(n):
        if i % 3 == 1:
            continue
        s += math.exp(-x * i)
    return s


def nested_break_continue(x: float, n: int, m: int) -> float:
    s = 0.0
    for i in range(n):
        if i == 2:
            continue
        for j in range(m):
            if j > i:
                break
            if (i + j) % 2 == 1:
                continue
            s += x ** (j + 1) / (i + 1)
    return s


def early_return_loop(x: float, n: int) -> float:
    s = 0.0
    for i in range(n):
        s += x * x
        if s > 10.0:
            return s - 10.0 + i
    return -s


def return_in_nested_loop(x: float, n: int) -> float:
    s = 1.0
    for i in range(n):
        for j in range(n):
            s = s * x + 0.25
            if i * n + j == 7:
                return s
    return 0.0
