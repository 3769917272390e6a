import math

# Branching: if/elif/else, conditional expressions, comparisons with
# and/or/not, several return statements, bool parameters.


def piecewise(x: float) -> float:
    if x < -1.0:
        y = -x * x
    elif x < 1.0:
        y = x * x * x
    else:
        y = 2.0 * x - 1.0
    return y


def piecewise_three(x: float) -> float:
    # one call per branch of piecewise
    return piecewise(x - 3.0) + 2.0 * piecewise(x) + 3.0 * piecewise(x + 3.0)


def cond_expr(x: float, y: float) -> float:
    a = x * x if x > y else y * y
    b = math.sin(x) if (x > 0.0 and y > 0.0) or not x < y else math.cos(y)
    return a + b


def nested_cond_expr(x: float, y: float) -> float:
    return (x * y if x > 0.0 else -x) if y > 1.0 else (y / x if x > 2.0 else x - y)


def multi_return(x: float, y: float) -> float:
    if x > y:
        return x * y
    if x < -y:
        return x - y
    return x * x + y


def sign_switch(x: float, flag: bool) -> float:
    if flag:
        return math.exp(x)
    else:
        return -math.exp(-x)


def both_signs(x: float) -> float:
    return sign_switch(x, True) * sign_switch(0.5 * x, False)


def nested_if(x: float, y: float) -> float:
    r = 0.0
    if x > 0.0:
        if y > x or y < -x:
            r = x / y
        else:
            r = y / x
    else:
        if not (y > 0.0):
            r = x * y
        elif y > 2.0 and x > -1.0:
            r = x + y * y
        else:
            r = x - y
    return r


def bool_locals(x: float, y: float) -> float:
    ok = x > 0.0 and y > 0.0
    big = x > 10.0 or y > 10.0
    if ok and not big:
        return math.sqrt(x * y)
    return x + y


def chained_compare(x: float, y: float) -> float:
    if 0.0 < x < y:
        return y - x * x
    return x * y


def int_branch(x: float, n: int) -> float:
    if n % 2 == 0:
        s = x * n
    elif n > 10:
        s = x / n
    else:
        s = x ** 2 + n
    return s * x
