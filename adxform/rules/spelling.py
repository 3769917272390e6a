"""Calls numba does not compile, respelled for the generated module.

The IR keeps the user's spelling (``np.max(a, axis=0)``) through every
pass, so that types and rules see one name per function; only the text
written out changes.  Numba compiles ``np.sum(a, axis=k)`` but not
``np.mean``, ``np.prod``, ``np.max`` or ``np.min`` with ``axis=``: those
become the runtime helper ``_reduce_axis(a, k, "max")``, in the primal
copy and in the derivatives alike, so both compute the same values.
"""

from __future__ import annotations

import copy

from .. import ir
from ..walk import calls
from .table import TABLE
from .templates import axis_of


def respell_for_numba(func: ir.Function) -> ir.Function:
    """A copy of ``func`` whose calls numba lacks call runtime helpers."""
    out = copy.deepcopy(func)
    for call in calls(out.body):
        rule = TABLE.get(call.func)
        axis = axis_of(call)
        if rule is not None and rule.axis_reducer and axis is not None:
            call.func = "module._reduce_axis"
            call.args = [call.args[0], axis, ir.Const(rule.axis_reducer)]
            call.kwargs = []
    return out
