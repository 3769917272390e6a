"""Input builders for the functions of tests/corpus/.

``INPUTS["module.function"]`` is a function ``rng -> tuple of arguments``
(``rng`` a ``numpy.random.Generator``).  Every public corpus function needs
one.  The values are chosen where the function is smooth and well
conditioned: far from the branch switches, kinks and trip-count changes of
the function, so that a finite difference with a step of about 1e-3 along a
random direction never crosses one.  Float parameters get Python floats, int
parameters Python ints, float-array parameters fresh float64 arrays.

This file lives beside tests/corpus/ rather than in it, so that the corpus
directory holds only source modules to differentiate.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Builder = Callable[[np.random.Generator], tuple]


def _f(rng: np.random.Generator, lo: float, hi: float) -> float:
    return float(rng.uniform(lo, hi))


def _i(rng: np.random.Generator, lo: int, hi: int) -> int:
    """An int in [lo, hi] (both ends included)."""
    return int(rng.integers(lo, hi + 1))


def _v(rng: np.random.Generator, shape: int | tuple[int, ...], lo: float = -1.0, hi: float = 1.0) -> np.ndarray:
    return rng.uniform(lo, hi, shape)


def _crossing_step(rng: np.random.Generator, k: int, limit: float = 10.0) -> float:
    """A step x for which k*x stays below ``limit`` and (k+1)*x goes above it,
    each with a margin of at least 0.3*x: a running sum of x crosses the limit
    at step k+1, and no small change of x moves the crossing."""
    return limit / (k + _f(rng, 0.3, 0.7))


def _diag_dominant(rng: np.random.Generator, n: int) -> np.ndarray:
    return _v(rng, (n, n)) + n * np.eye(n)


def _knots(rng: np.random.Generator, n: int) -> np.ndarray:
    return np.cumsum(_v(rng, n, 0.5, 1.5)) - 0.5


def _interp_args(rng: np.random.Generator) -> tuple:
    n = _i(rng, 5, 8)
    knots = _knots(rng, n)
    i = _i(rng, 0, n - 2)
    x = knots[i] + _f(rng, 0.3, 0.7) * (knots[i + 1] - knots[i])
    return float(x), knots, _v(rng, n)


def _pair_positions(rng: np.random.Generator) -> np.ndarray:
    grid = np.array([[0.0, 0.0], [1.2, 0.0], [0.0, 1.2], [1.2, 1.2], [2.4, 0.6]])
    return grid + _v(rng, grid.shape, -0.05, 0.05)


def _n_vec(rng: np.random.Generator, lo: int = 5, hi: int = 9) -> int:
    return _i(rng, lo, hi)


def _away(rng: np.random.Generator, n: int, below: tuple[float, float], above: tuple[float, float]) -> np.ndarray:
    """n values, each drawn from ``below`` or from ``above`` with equal odds:
    no value lies near a threshold between the two ranges."""
    low = rng.uniform(below[0], below[1], n)
    high = rng.uniform(above[0], above[1], n)
    return np.where(rng.uniform(size=n) < 0.5, low, high)


def _jittered(rng: np.random.Generator, values: list[float], width: float = 0.01) -> np.ndarray:
    """``values`` each moved by at most ``width``: inputs picked by hand to
    keep a function's branch tests away from their thresholds."""
    return np.array(values) + _v(rng, len(values), -width, width)


def _one_large(rng: np.random.Generator) -> tuple:
    """An array whose elements stay below 0.6 except one, at least 0.9, in
    its middle; and a float."""
    n = _n_vec(rng, 6, 9)
    a = _v(rng, n, -1.0, 0.6)
    a[_i(rng, 2, n - 3)] = _f(rng, 0.9, 1.2)
    return a, _f(rng, 0.5, 1.0)


def _indices(rng: np.random.Generator, n: int, size: int) -> np.ndarray:
    """``size`` int64 indices into an axis of length n, with repeats."""
    idx = rng.integers(0, n, size).astype(np.int64)
    idx[-1] = idx[0]
    return idx


INPUTS: dict[str, Builder] = {
    # scalars
    "scalars.poly": lambda rng: (_f(rng, 0.5, 1.5), _f(rng, 1.0, 2.0)),
    "scalars.swap_chain": lambda rng: (_f(rng, 0.5, 1.5), _f(rng, -1.0, 1.0)),
    "scalars.augmented": lambda rng: (_f(rng, 0.5, 2.0), _f(rng, 0.5, 2.0)),
    # x / y near -3.5 and x / 1.7 near -4.3: far from the jumps of // and %
    "scalars.floor_mod": lambda rng: (-7.3 + _f(rng, -0.05, 0.05), 2.1 + _f(rng, -0.05, 0.05)),
    "scalars.trig_mix": lambda rng: (_f(rng, 0.5, 1.5), _f(rng, 0.5, 1.5)),
    "scalars.exp_log_mix": lambda rng: (_f(rng, 0.5, 1.5), _f(rng, 0.5, 1.5)),
    "scalars.hyperbolic": lambda rng: (_f(rng, -1.5, 1.5),),
    "scalars.pow_hypot_fabs": lambda rng: (_f(rng, 1.2, 2.0), _f(rng, 0.8, 1.2)),
    "scalars.np_unary": lambda rng: (_f(rng, 0.5, 1.5), _f(rng, 0.5, 1.5)),
    # maximum picks x, minimum picks 1.0, y - x < 0
    "scalars.np_binary": lambda rng: (_f(rng, 1.8, 2.2), _f(rng, 0.6, 0.7)),
    # x > y, min picks y, max picks x * x
    "scalars.builtins_mix": lambda rng: (_f(rng, 1.5, 2.0), _f(rng, 0.5, 1.0), _i(rng, 2, 5)),
    "scalars.int_powers": lambda rng: (_f(rng, 0.8, 1.5), _i(rng, 2, 4)),
    "scalars.ignores_second": lambda rng: (_f(rng, -1.0, 1.0), _f(rng, -1.0, 1.0)),
    "scalars.int_passthrough": lambda rng: (_f(rng, -1.0, 1.0), _i(rng, 3, 7), _i(rng, 1, 5)),
    "scalars.no_rule_constant": lambda rng: (_f(rng, -1.0, 1.0), _i(rng, 2, 6)),
    # control
    "control.piecewise": lambda rng: (_f(rng, -3.0, -1.5),),
    # x - 3 < -1, -1 < x < 1, x + 3 > 1
    "control.piecewise_three": lambda rng: (_f(rng, -0.5, 0.5),),
    "control.cond_expr": lambda rng: (_f(rng, 1.0, 1.5), _f(rng, 0.2, 0.8)),
    "control.nested_cond_expr": lambda rng: (_f(rng, 0.5, 1.0), _f(rng, 1.2, 2.0)),
    "control.multi_return": lambda rng: (_f(rng, -0.5, 0.5), _f(rng, 1.0, 2.0)),
    "control.sign_switch": lambda rng: (_f(rng, -1.0, 1.0), True),
    "control.both_signs": lambda rng: (_f(rng, -1.0, 1.0),),
    "control.nested_if": lambda rng: (_f(rng, 0.5, 1.0), _f(rng, 2.0, 3.0)),
    "control.bool_locals": lambda rng: (_f(rng, 0.5, 2.0), _f(rng, 0.5, 2.0)),
    "control.chained_compare": lambda rng: (_f(rng, 0.2, 0.5), _f(rng, 1.0, 2.0)),
    "control.int_branch": lambda rng: (_f(rng, 0.5, 1.5), 7),
    # loops
    "loops.sum_range": lambda rng: (_f(rng, 0.5, 1.0), _i(rng, 5, 10)),
    "loops.product_start_stop": lambda rng: (_f(rng, 0.5, 1.0), _i(rng, 6, 10)),
    "loops.stepped_range": lambda rng: (_f(rng, -1.0, 1.0), _i(rng, 8, 14)),
    "loops.horner_negative_step": lambda rng: (_f(rng, 0.5, 0.9), _i(rng, 7, 11)),
    "loops.countdown_to_zero": lambda rng: (_f(rng, 0.5, 1.5), _i(rng, 4, 8)),
    "loops.strided_recurrence": lambda rng: (_f(rng, 0.5, 1.5), _i(rng, 8, 14)),
    "loops.tuple_recurrence": lambda rng: (_f(rng, 0.5, 1.5), _i(rng, 5, 9)),
    # the loop ends with y in [0.6, 0.9]
    "loops.while_halving": lambda rng: (2.0 ** _i(rng, 2, 5) * _f(rng, 1.2, 1.8),),
    "loops.while_newton_sqrt": lambda rng: (_f(rng, 0.5, 4.0),),
    "loops.while_true_break": lambda rng: (_crossing_step(rng, _i(rng, 3, 7)),),
    "loops.break_data": lambda rng: (_crossing_step(rng, 5), _i(rng, 8, 12)),
    "loops.continue_index": lambda rng: (_f(rng, 0.1, 0.5), _i(rng, 6, 10)),
    "loops.nested_break_continue": lambda rng: (_f(rng, 0.5, 1.0), _i(rng, 4, 6), _i(rng, 3, 5)),
    "loops.early_return_loop": lambda rng: (float(np.sqrt(_crossing_step(rng, 4))), _i(rng, 8, 12)),
    "loops.return_in_nested_loop": lambda rng: (_f(rng, 0.5, 1.0), _i(rng, 3, 5)),
    # arrays
    "arrays.dot_loop": lambda rng: (_v(rng, 7), _v(rng, 7)),
    "arrays.norm_len": lambda rng: (_v(rng, _n_vec(rng)),),
    "arrays.ends": lambda rng: (_v(rng, _n_vec(rng, 4, 8)),),
    "arrays.circular_diff": lambda rng: (_v(rng, _n_vec(rng)),),
    "arrays.prefix_sums": lambda rng: (_v(rng, _n_vec(rng)),),
    "arrays.ones_empty": lambda rng: (_v(rng, _n_vec(rng)), _f(rng, 0.5, 1.5)),
    "arrays.copies": lambda rng: (_v(rng, _n_vec(rng)), _f(rng, -1.0, 1.0)),
    # no element near 0, where np.signbit switches
    "arrays.no_rule_mask": lambda rng: (_away(rng, _n_vec(rng), (-1.0, -0.3), (0.3, 1.0)), _f(rng, 0.5, 1.5)),
    "arrays.product_returned_as_float": lambda rng: (_v(rng, 5), _f(rng, -1.0, 1.0)),
    "arrays.matvec_norm": lambda rng: (_v(rng, (4, 3)), _v(rng, 3)),
    "arrays.trace_corners": lambda rng: (_v(rng, (5, 5)),),
    "arrays.outer_local": lambda rng: (_v(rng, 4), _v(rng, 3)),
    "arrays.reverse_fill": lambda rng: (_v(rng, _n_vec(rng)),),
    "arrays.scale_inplace": lambda rng: (_v(rng, 6), _f(rng, 0.5, 1.5)),
    "arrays.axpy": lambda rng: (_v(rng, 6), _v(rng, 6), _f(rng, -1.0, 1.0)),
    "arrays.heat_step": lambda rng: (_v(rng, 8), _f(rng, 0.05, 0.2)),
    "arrays.laplace_2d": lambda rng: (_v(rng, (5, 6)), _v(rng, (5, 6)), _f(rng, 0.5, 1.0)),
    "arrays.periodic_shift": lambda rng: (_v(rng, 7), _f(rng, 0.2, 0.8)),
    # calls
    "spellings.pow_builtin": lambda rng: (_f(rng, 0.5, 1.5), _f(rng, 0.5, 1.5)),
    "spellings.numpy_operator_functions": lambda rng: (_v(rng, 5, -1.0, 1.0), _v(rng, 5, 0.5, 1.5),
                                                       _f(rng, 0.5, 1.5)),
    "spellings.max_min_of_many": lambda rng: (_f(rng, 0.5, 0.9), _f(rng, 1.1, 1.5), _f(rng, 1.6, 1.9)),
    "spellings.max_min_ties": lambda rng: (_f(rng, 0.5, 0.9), _f(rng, 1.1, 1.5)),
    "spellings.newaxis_outer": lambda rng: (_v(rng, 4), _v(rng, 3)),
    "spellings.loop_over_vector": lambda rng: (_v(rng, 6), _f(rng, 0.5, 1.5)),
    "spellings.loop_over_rows": lambda rng: (_v(rng, (4, 3)), _v(rng, 3)),
    "spellings.loop_over_views": lambda rng: (_v(rng, 5), _v(rng, (3, 4))),
    "spellings.enumerate_and_zip": lambda rng: (_v(rng, 5), _v(rng, 4)),
    "spellings.abs_float_int": lambda rng: (_f(rng, 1.2, 1.5), _away(rng, 5, (-1.0, -0.2), (0.2, 1.0))),
    "spellings.scalar_into_row": lambda rng: (_v(rng, 5),),
    "spellings.scalar_into_rows_of_view": lambda rng: (_v(rng, 4), _f(rng, 0.5, 1.5)),
    "calls.use_float_helper": lambda rng: (_f(rng, -1.0, 1.0), _f(rng, -1.0, 1.0)),
    "calls.use_tuple_helper": lambda rng: (_f(rng, 0.5, 2.0), _f(rng, 0.2, 2.8)),
    "calls.computed_array_arguments": lambda rng: (_v(rng, 4), _f(rng, 0.2, 0.5), _i(rng, 2, 4)),
    "calls.helper_in_loop": lambda rng: (_f(rng, 0.1, 0.5), _i(rng, 4, 8)),
    "calls.chain_c": lambda rng: (_f(rng, -2.0, 2.0),),
    "calls.chain_b": lambda rng: (_f(rng, -1.0, 1.0), _f(rng, -1.0, 1.0)),
    "calls.chain_a": lambda rng: (_f(rng, -1.0, 1.0), _f(rng, -1.0, 1.0)),
    "calls.tuple_result": lambda rng: (_f(rng, 0.5, 1.5), _f(rng, 0.5, 1.5)),
    "calls.tuple_caller": lambda rng: (_f(rng, 0.5, 1.5), _f(rng, 0.5, 1.5)),
    "calls.energy": lambda rng: (_v(rng, 6),),
    "calls.step": lambda rng: (_v(rng, 6), _f(rng, 0.05, 0.1)),
    "calls.integrate": lambda rng: (_v(rng, 6), _f(rng, 0.05, 0.1), _i(rng, 3, 6)),
    "calls.two_steps": lambda rng: (_v(rng, 5), _v(rng, 5), _f(rng, 0.05, 0.1)),
    "calls.helper_with_int": lambda rng: (_f(rng, 0.1, 0.5), _i(rng, 3, 7)),
    "calls.array_helper_on_local": lambda rng: (_v(rng, 6), _f(rng, -1.0, 1.0)),
    # combined
    "combined.logistic_map": lambda rng: (_f(rng, 2.5, 2.9), _f(rng, 0.2, 0.8), _i(rng, 10, 20)),
    "combined.oscillator_rk2": lambda rng: (
        _f(rng, -1.0, 1.0),
        _f(rng, -1.0, 1.0),
        _f(rng, 0.5, 2.0),
        _f(rng, 0.01, 0.05),
        _i(rng, 20, 40),
    ),
    "combined.heat_energy": lambda rng: (_v(rng, 8), _f(rng, 0.5, 1.0), _f(rng, 0.05, 0.2), _i(rng, 5, 10)),
    "combined.newton_cubic": lambda rng: (_f(rng, 0.5, 5.0),),
    "combined.softmax_dot": lambda rng: (_v(rng, 6, -2.0, 2.0), _v(rng, 6)),
    "combined.horner_eval": lambda rng: (_v(rng, _n_vec(rng)), _f(rng, -1.0, 1.0)),
    "combined.trapezoid": lambda rng: (_v(rng, _n_vec(rng)), _f(rng, 0.1, 0.5)),
    "combined.matmul_frobenius": lambda rng: (_v(rng, (3, 4)), _v(rng, (4, 2))),
    "combined.gauss_seidel": lambda rng: (_diag_dominant(rng, 4), _v(rng, 4), _i(rng, 5, 10)),
    "combined.interp_search": _interp_args,
    "combined.pair_energy": lambda rng: (_pair_positions(rng), _f(rng, 0.5, 1.5), _f(rng, 0.9, 1.1)),
    "combined.strided_while": lambda rng: (_v(rng, _n_vec(rng)), _f(rng, -0.5, 0.5)),
    # checkpointed
    "checkpointed.heat_steps": lambda rng: (_v(rng, 8), _f(rng, 0.1, 0.3), _i(rng, 5, 9)),
    "checkpointed.newton_root": lambda rng: (_f(rng, 2.0, 3.0), _f(rng, 1.2, 1.5)),
    "checkpointed.break_when_large": lambda rng: (np.array([_f(rng, 0.2, 0.3), _f(rng, 0.5, 1.0), _f(rng, 0.5, 1.0)]),
                                                  _f(rng, 2.6, 2.7)),
    "checkpointed.calls_checkpointed": lambda rng: (_v(rng, 5), _f(rng, 0.05, 0.1), _i(rng, 2, 4)),
    "checkpointed.inner_loop_body": lambda rng: (_v(rng, 6), _f(rng, 0.5, 1.0), _i(rng, 4, 7)),
    "checkpointed.early_return": lambda rng: (_f(rng, 1.0, 1.2), _f(rng, 1.3, 1.5), _i(rng, 10, 14)),
    "checkpointed.return_before_the_loop": lambda rng: (_v(rng, 3), _f(rng, 0.5, 1.0), _i(rng, 4, 7)),
    "checkpointed.strided_one_snapshot": lambda rng: (_v(rng, 4), _f(rng, 0.5, 1.0)),
    "checkpointed.mixed_state": lambda rng: (_v(rng, 4), _f(rng, 0.3, 0.6), _i(rng, 5, 9)),
    "checkpointed.steps_through_a_procedure": lambda rng: (_v(rng, 5), _f(rng, 0.05, 0.1), _i(rng, 6, 11)),
    "checkpointed.reads_then_steps": lambda rng: (_v(rng, 5), _f(rng, 0.05, 0.1), _i(rng, 6, 11)),
    "checkpointed.relaxes_until_small": lambda rng: (_v(rng, 4, 0.8, 1.0), _f(rng, 0.5, 0.6)),
    "checkpointed.work_array_with_a_carried_tail": lambda rng: (_v(rng, 5), _f(rng, 0.05, 0.1), _i(rng, 6, 11)),
    # models
    "models.lstm_loss": lambda rng: (0.5 * _v(rng, (12, 3)), 0.5 * _v(rng, (12, 3)), _v(rng, 12), _v(rng, (4, 3)),
                                     _v(rng, 3)),
    "models.lstm_matmul": lambda rng: (0.5 * _v(rng, (12, 3)), 0.5 * _v(rng, (12, 3)), _v(rng, 12), _v(rng, (4, 3)),
                                       _v(rng, 3)),
    "models.fresh_2d": lambda rng: (_v(rng, (3, 4), 0.2, 0.8), _f(rng, 0.6, 0.9), _i(rng, 2, 4)),
    "arrays.packed_triangle": lambda rng: (_v(rng, 5), _v(rng, 10)),
    # |u| stays away from 0 and 0.5 (the branch tests) over a few small steps
    "arrays.upwind_steps": lambda rng: (rng.choice([-0.8, -0.25, 0.3], 9) + _v(rng, 9, -0.1, 0.1),
                                        _f(rng, 0.05, 0.1), _f(rng, 0.01, 0.02), _i(rng, 2, 4)),
    # reverse_hard
    "reverse_hard.overwritten_in_loop": lambda rng: (_f(rng, 0.5, 1.5), _i(rng, 4, 8)),
    # y takes the values x, 1.5x + 0.1, ...: 8.9..9.3 then 13.4..14.1, far from 10
    "reverse_hard.while_data_trips": lambda rng: (_f(rng, 1.0, 1.05),),
    # the elements are below 0.6 or above 0.9: the break test never switches
    "reverse_hard.break_nested": lambda rng: (_away(rng, _n_vec(rng), (-1.0, 0.6), (0.9, 1.2)), _f(rng, 0.5, 1.0)),
    "reverse_hard.early_return_in_loop": _one_large,
    "reverse_hard.overwrite_twice": lambda rng: (_v(rng, 7), _f(rng, 0.5, 1.5)),
    "reverse_hard.overwrite_twice_local": lambda rng: (_v(rng, _n_vec(rng)), _f(rng, 0.5, 1.5)),
    "reverse_hard.evolve": lambda rng: (_v(rng, 6), _v(rng, 6), _f(rng, 0.05, 0.1), _i(rng, 3, 6)),
    "reverse_hard.evolve_local": lambda rng: (_v(rng, 6), _v(rng, 6), _f(rng, 0.05, 0.1), _i(rng, 3, 6)),
    "reverse_hard.rebind_array": lambda rng: (_v(rng, 6), _f(rng, 0.5, 1.5)),
    "reverse_hard.rebind_in_loop": lambda rng: (_v(rng, 5), _f(rng, 0.8, 1.0), _i(rng, 2, 5)),
    "reverse_hard.sin_self": lambda rng: (_f(rng, 0.5, 1.5), _i(rng, 5, 10)),
    # s starts below 1 (else branch), then stays above 1.29 (if branch)
    "reverse_hard.cond_reads_overwritten": lambda rng: (_f(rng, 0.3, 0.8), _i(rng, 4, 8)),
    "reverse_hard.cond_reads_overwritten_array": lambda rng: (_away(rng, 7, (-1.0, -0.2), (0.2, 1.0)),),
    "reverse_hard.continue_skips_update": lambda rng: (
        _away(rng, _n_vec(rng), (-1.0, -0.2), (0.2, 1.0)),
        _f(rng, 0.5, 1.0),
    ),
    "reverse_hard.mean_var": lambda rng: (_v(rng, _n_vec(rng)),),
    "reverse_hard.standardised_gap": lambda rng: (_v(rng, 6), _v(rng, 7, 0.0, 2.0)),
    "reverse_hard.gather_scatter": lambda rng: (_v(rng, 6), _indices(rng, 6, 9), _f(rng, 0.5, 1.0)),
    "reverse_hard.scatter_into": lambda rng: (_v(rng, 5), _v(rng, 7, -0.5, 0.5), _indices(rng, 5, 7)),
    "reverse_hard.overwritten_results": lambda rng: (_v(rng, 6), _v(rng, 4, 0.5, 1.0)),
    "reverse_hard.loop_variable_values": lambda rng: (_f(rng, 0.5, 0.9), _i(rng, 4, 7)),
    "reverse_hard.rows_of_matrix": lambda rng: (_v(rng, (4, 3)), _f(rng, 0.5, 0.9)),
    "reverse_hard.array_results": lambda rng: (_v(rng, 5), _f(rng, 0.5, 1.0), _i(rng, 2, 4)),
    "reverse_hard.row_views": lambda rng: (_v(rng, (3, 4)), _f(rng, 0.5, 1.0)),
    "reverse_hard.ignores_array": lambda rng: (_v(rng, 6), _v(rng, 4), _f(rng, 0.5, 1.5)),
    # branches on int counters: any values; the running sums t of the others
    # pass their thresholds (1.0, 1.5) with a margin of at least 0.15
    "reverse_hard.counter_in_branch_while": lambda rng: (_v(rng, _n_vec(rng)),),
    "reverse_hard.counter_in_branch_for": lambda rng: (_v(rng, _n_vec(rng)),),
    "reverse_hard.counter_in_nested_branches": lambda rng: (_v(rng, _n_vec(rng, 8, 12)),),
    "reverse_hard.counter_in_branch_break": lambda rng: (_v(rng, _n_vec(rng, 8, 12)),),
    "reverse_hard.int_array_in_branch": lambda rng: (_jittered(rng, [0.7, 0.6, 0.3, 0.9, 0.5, 0.8, 0.4]),),
    "reverse_hard.events_with_counter": lambda rng: (_jittered(rng, [0.7, 0.6, 0.3, 0.9, 0.5, 0.8, 0.4]),
                                                     _v(rng, 7)),
    "reverse_hard.array_in_branch": lambda rng: (_away(rng, 6, (-1.0, -0.2), (0.2, 1.0)), _v(rng, 6)),
    "reverse_hard.array_bound_twice_with_jumps": lambda rng: (_v(rng, 5, 0.2, 1.0), _v(rng, 5)),
    "reverse_hard.triangular_increments": lambda rng: (_v(rng, (3, 4)), _v(rng, 16)),
    "reverse_hard.increments_read_between": lambda rng: (_v(rng, (3, 4)), _v(rng, 16)),
    "reverse_hard.constant_branches": lambda rng: (_v(rng, 4), _f(rng, -1.0, 1.0)),
    "reverse_hard.constant_after_return": lambda rng: (_v(rng, 4), _f(rng, -1.0, 1.0)),
    "reverse_hard.nested_thresholds": lambda rng: (_jittered(rng, [0.7, 0.6, 0.2, 0.9, 0.5, 0.8, 0.1, 1.0, 0.3]),),
    "reverse_hard.scalar_restored_by_a_later_loop": lambda rng: (_f(rng, -1.0, 1.0), _f(rng, -1.0, 1.0)),
    "reverse_hard.triangular_accumulation": lambda rng: (_v(rng, 5), _v(rng, 10)),
    # copies
    "copies.copy_plus_zero": lambda rng: (_v(rng, _n_vec(rng)), _f(rng, 0.5, 1.5)),
    "copies.copy_times_one": lambda rng: (_v(rng, _n_vec(rng)), _f(rng, 0.5, 1.5)),
    "copies.copy_minus_zero": lambda rng: (_v(rng, _n_vec(rng)), _f(rng, 0.5, 1.5)),
    "copies.copy_double_negation": lambda rng: (_v(rng, _n_vec(rng)), _f(rng, 0.5, 1.5)),
    "copies.copy_from_callee": lambda rng: (_v(rng, _n_vec(rng)), _f(rng, 0.5, 1.5)),
    "copies.copy_in_branch": lambda rng: (_v(rng, _n_vec(rng)), _f(rng, 0.5, 1.5)),
    "copies.copy_returned": lambda rng: (_v(rng, _n_vec(rng)), _f(rng, 0.5, 1.5)),
    "copies.shifted_copy": lambda rng: (_v(rng, 7), _v(rng, 7)),
    "copies.scalar_plus_array": lambda rng: (_f(rng, 0.5, 1.5), _i(rng, 3, 6)),
    # x % (m + 4) with x in [0.5, 2.5] and m + 4 >= 3: no jump of %
    "copies.vector_minus_matrix": lambda rng: (_v(rng, 4, 0.5, 2.5), rng.integers(0, 3, (3, 4)).astype(np.int64)),
    "unannotated.sum_all": lambda rng: (_v(rng, 5),),
    "unannotated.average": lambda rng: (_v(rng, (3, 4)),),
    "unannotated.dense_tanh": lambda rng: (_v(rng, 4), _v(rng, (4, 3))),
    "unannotated.cubes": lambda rng: (_v(rng, 5),),
    "unannotated.mixed_squares": lambda rng: (_v(rng, 4), _f(rng, 0.3, 1.2)),
    "unannotated.entry": lambda rng: (_f(rng, 0.2, 0.8), _f(rng, 0.2, 0.8), _f(rng, 0.5, 1.5), _i(rng, 2, 4)),
    "unannotated.price": lambda rng: (_f(rng, 0.9, 1.1), _f(rng, 0.1, 0.3), _f(rng, 0.01, 0.05),
                                      _f(rng, 0.9, 1.1), 100.0, rng.standard_normal((6, 5))),
    "unannotated.logits_product": lambda rng: (_v(rng, (3, 2)), _v(rng, (5, 3))),
    "unannotated.inner_products": lambda rng: (_v(rng, 4), _v(rng, (3, 4)), _i(rng, 2, 4)),
    "unannotated.offset_loss": lambda rng: (_v(rng, 5), _f(rng, 0.5, 1.5), _f(rng, -1.0, -0.2)),
    "unannotated.unused_helper_result": lambda rng: (_v(rng, 4), _v(rng, 4)),
    "unannotated.scaled_matrix_entry": lambda rng: (_f(rng, 0.3, 1.2), _v(rng, (3, 3))),
    "unannotated.return_in_while_of_branch": lambda rng: (_v(rng, 4, 0.6, 1.0), _v(rng, (3, 4)), _f(rng, -1.0, -0.2)),
    "unannotated.pair_with_early_return": lambda rng: (_v(rng, 5, 0.5, 1.0), _f(rng, 1.0, 1.5)),
    "unannotated.early_array_return": lambda rng: (_v(rng, (3, 3)), _v(rng, 3, 0.2, 1.0), _f(rng, 0.55, 0.9)),
    "unannotated.lead_times_rest": lambda rng: (_v(rng, 5),),
    "unannotated.lstm": lambda rng: (0.5 * _v(rng, (12, 3)), 0.5 * _v(rng, (12, 3)), _v(rng, (4, 3)), _v(rng, 3)),
    "unannotated.mlp_loss": lambda rng: (0.3 * _v(rng, (5, 4)), 0.3 * _v(rng, (4, 3)), _v(rng, (6, 5)),
                                         rng.integers(0, 3, 6)),
    "unannotated.call_in_choice": lambda rng: (_v(rng, 4, 0.2, 0.6), _away(rng, 3, (-1.0, -0.4), (0.0, 1.0))),
    "unannotated.unused_alias": lambda rng: (_v(rng, 4), _v(rng, (4, 4))),
    "unannotated.outer_then_dot": lambda rng: (_v(rng, 5), _v(rng, 3), _i(rng, 1, 3)),
    "unannotated.scaled_product": lambda rng: (_v(rng, 3), _f(rng, -1.0, 1.0), _v(rng, 3), _v(rng, (3, 3))),
    "unannotated.zero_factors": lambda rng: (_f(rng, -1.0, 1.0), _f(rng, 0.5, 2.0)),
    "unannotated.pair_from_two_returns": lambda rng: (_v(rng, 4), _f(rng, -1.0, 1.0), _v(rng, (4, 4))),
    "unannotated.product_scaled_in_place": lambda rng: (_v(rng, 4), _f(rng, -1.0, 1.0)),
    "unannotated.product_of_unknown_rank": lambda rng: (_v(rng, 4), _v(rng, (4, 4))),
    "unannotated.element_times_row": lambda rng: (_v(rng, 4), _v(rng, (4, 4))),
    "unannotated.row_of_a_function_of_a_row": lambda rng: (_v(rng, 4), _v(rng, (3, 4))),
    "unannotated.time_steps_saving_two_arrays": lambda rng: (_v(rng, 5), _f(rng, 0.2, 0.4), 3),
    "unannotated.scalar_added_to_a_product_of_unknown_rank": lambda rng: (_v(rng, 3), _f(rng, -1.0, 1.0), _v(rng, (3, 3))),
    "unannotated.stacked_products_bound_in_a_loop": lambda rng: (_v(rng, 3), _v(rng, (3, 3, 3))),
    "unannotated.quadratic_form_of_a_transpose": lambda rng: (_v(rng, 3), _v(rng, (3, 3))),
    "unannotated.rows_of_a_matrix_reduced": lambda rng: (_v(rng, 3), _v(rng, (3, 3))),
    "unannotated.row_beside_an_unused_element": lambda rng: (_v(rng, 3), _v(rng, (3, 3))),
    "unannotated.row_shown_where_reverse_mode_folds": lambda rng: (_v(rng, 3), _v(rng, (3, 3))),
    "unannotated.rows_of_a_transpose_reduced": lambda rng: (_v(rng, 3), _v(rng, (3, 3))),
    "unannotated.damped_by_a_scaled_product": lambda rng: (_v(rng, 4), _v(rng, 4)),
    "unannotated.product_or_constant": lambda rng: (_v(rng, 4), 0.7),
    "unannotated.reduction_and_weighted_product": lambda rng: (_v(rng, 4), _v(rng, 4)),
    "unannotated.mixture_loglik": lambda rng: (_v(rng, 8), _v(rng, 3), _v(rng, 3, -0.3, 0.3), _v(rng, 3, 0.2, 0.5)),
    # golden cases (golden/<case>/<case>.py)
    "rosenbrock.rosenbrock": lambda rng: (_v(rng, 12, -1.5, 1.5),),
    "heat.step": lambda rng: (_v(rng, 10), _f(rng, 0.5, 1.0), _f(rng, 0.05, 0.2)),
    "heat.loss": lambda rng: (_v(rng, 10), _f(rng, 0.5, 1.0), _i(rng, 5, 10)),
    "checkpoint.trajectory_cost": lambda rng: (_v(rng, 2, -0.5, 0.5), _f(rng, 0.1, 0.3), _f(rng, 0.01, 0.05),
                                               _i(rng, 20, 40)),
    "checkpoint.fixed_point": lambda rng: (_f(rng, 0.3, 0.6),),
    "heat_slices.heat_slices": lambda rng: (_v(rng, 12), _f(rng, 0.1, 0.3), _i(rng, 3, 6)),
    "mlp_numpy.mlp_numpy_loss": lambda rng: (0.3 * _v(rng, (5, 4)), _v(rng, 4), 0.3 * _v(rng, (4, 3)), _v(rng, 3),
                                             _v(rng, (6, 5)), np.eye(3)[rng.integers(0, 3, 6)]),
    "lorenz96.rhs": lambda rng: (_v(rng, 8, -2.0, 2.0), np.zeros(8)),
    "lorenz96.rk4_step": lambda rng: (_v(rng, 8, -2.0, 2.0), _f(rng, 0.005, 0.02)),
    "lorenz96.final_energy": lambda rng: (_v(rng, 8, -2.0, 2.0), _f(rng, 0.005, 0.01), _i(rng, 10, 20)),
    "nbody.energy": lambda rng: (_v(rng, (6, 3), -2.0, 2.0), _v(rng, 6, 0.5, 1.5), _f(rng, 0.05, 0.2)),
    "newton.cube_root": lambda rng: (_f(rng, 0.5, 8.0),),
    "newton.smooth_clip": lambda rng: (_f(rng, -3.0, 3.0), -1.0, 1.0),
    "mlp.mlp_loss": lambda rng: (_v(rng, (3, 5)), _v(rng, 5), _v(rng, (5, 4)), _v(rng, (6, 3)),
                                 rng.integers(0, 4, 6)),
}
