"""numpy and math functions without a derivative rule.

A call of one is accepted where nothing active flows into it
(``c = math.lgamma(0.5 * k)`` with an int ``k``): its result is a constant
of the derivative code, and the generated module calls it as the primal
does (``analysis/program.py`` refuses it where an argument is active).  It
must be a function numpy or math has, so that the generated module can run
it, and adxform must know its result's type, which comes from the function
itself: a math function returns a float except the few of ``MATH_RESULTS``;
a numpy ufunc with one output returns the dtype numpy resolves for its
arguments, an array where one of them is.  Other numpy functions
(``np.argsort``, ``np.linalg.det``) return values adxform cannot type
without a rule, and stay diagnostics.
"""

from __future__ import annotations

import math
from types import ModuleType

import numpy as np

from .. import ir

LIBRARIES: dict[str, ModuleType] = {"math": math, "numpy": np}

MATH_RESULTS = {name: ir.INT for name in ("comb", "factorial", "gcd", "isqrt", "lcm", "perm")} | {
    "isclose": ir.BOOL}
MATH_TUPLES = ("frexp", "modf")  # two results: not typed

_KINDS = {"f": "float", "i": "int", "u": "int", "b": "bool"}  # numpy dtype kind -> scalar kind


def library_function(qualname: str) -> object | None:
    """The function a qualified name ("math.lgamma", "numpy.linalg.det")
    names in numpy or math, or None where there is none."""
    library, _, path = qualname.partition(".")
    found: object | None = LIBRARIES.get(library)
    for part in path.split("."):
        found = getattr(found, part, None)
    return found if callable(found) else None


def is_typed(qualname: str) -> bool:
    """Whether a call of ``qualname`` without a rule has a result type adxform knows."""
    function = library_function(qualname)
    if function is None:
        return False
    if qualname.startswith("math."):
        return qualname[5:] not in MATH_TUPLES
    return isinstance(function, np.ufunc) and function.nout == 1


def result_type(qualname: str, args: list[ir.Type]) -> ir.Type | None:
    """The type of ``qualname(args)``; None where ``is_typed`` refuses
    ``qualname`` or numpy has no loop for these argument types."""
    if not is_typed(qualname):
        return None
    if qualname.startswith("math."):
        return MATH_RESULTS.get(qualname[5:], ir.FLOAT)
    ufunc = library_function(qualname)
    dtypes = [_dtype(arg) for arg in args]
    if len(args) != ufunc.nin or any(dtype is None for dtype in dtypes):
        return None
    try:
        out = ufunc.resolve_dtypes(tuple(dtypes) + (None,))[-1]
    except TypeError:  # numpy's UFuncTypeError: no loop for these dtypes
        return None
    arrays = [arg for arg in args if arg.is_array]
    if not arrays:
        return ir.Type(_KINDS[out.kind]) if out.kind in _KINDS else None
    ndim = max(arg.ndim for arg in arrays) if all(arg.ndim for arg in arrays) else 0
    return ir.Type("array", dtype=out.name, ndim=ndim)


def _dtype(vtype: ir.Type) -> np.dtype | None:
    if vtype.is_array:
        return np.dtype(vtype.dtype) if vtype.dtype else None
    return {"float": np.dtype("float64"), "int": np.dtype("int64"), "bool": np.dtype("bool")}.get(vtype.kind)
