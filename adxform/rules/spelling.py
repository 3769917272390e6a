"""Calls numba does not compile, respelled for the generated module.

The IR keeps the user's spelling (``np.max(a, axis=0)``) through every
pass, so that types and rules see one name per function; only the text
written out changes.  Numba compiles ``np.sum(a, axis=k)`` but not
``np.mean``, ``np.prod``, ``np.max`` or ``np.min`` with ``axis=``: those
become the runtime helper ``_reduce_axis(a, k, "max")``, in the primal
copy and in the derivatives alike, so both compute the same values.  Two calls numba lacks for some
arguments are respelled as equivalents it has, always: builtin ``abs``
(numba has it for scalars only) is ``np.abs``, and ``np.array`` of an array
(which numba refuses) is ``np.copy`` (the rules accept no other argument).
"""

from __future__ import annotations

import copy

from .. import ir
from ..walk import calls
from .table import TABLE
from .templates import axis_of

RESPELLED = {"builtins.abs": "numpy.abs", "numpy.array": "numpy.copy"}


def respell_for_numba(func: ir.Function) -> ir.Function:
    """A copy of ``func`` whose calls numba lacks call runtime helpers or
    equivalents numba has."""
    out = copy.deepcopy(func)
    for call in calls(out.body):
        rule = TABLE.get(call.func)
        axis = axis_of(call)
        call.func = RESPELLED.get(call.func, call.func)
        if rule is not None and rule.axis_reducer and axis is not None:
            call.func = "module._reduce_axis"
            call.args = [call.args[0], axis, ir.Const(rule.axis_reducer)]
            call.kwargs = []
    return out
