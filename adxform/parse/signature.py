"""numba signatures on the decorator: the first source of parameter types.

``@numba.njit("f8(f8[:], i8)")`` and ``@njit(float64(float64[:, :],
int64))`` declare the types ahead of time, the ecosystem's own way; they
outrank annotations and inference (SPEC §2), and give arrays their exact
number of dimensions (one ``:`` per axis).  The return type may be left
out (``"(f8[:],)"``).  Only one signature is understood: a list of them
asks numba for several specialisations, which one derivative cannot serve.
"""

from __future__ import annotations

import re

from .. import ir

SCALARS = {
    "f8": "float64", "float64": "float64", "double": "float64", "f4": "float32", "float32": "float32",
    "i8": "int64", "int64": "int64", "intp": "int64", "int_": "int64", "i4": "int32", "int32": "int32",
    "b1": "bool", "boolean": "bool", "bool_": "bool",
}
ARRAY = re.compile(r"^(?P<dtype>[A-Za-z_][\w.]*)\[(?P<axes>[:\s,1]*)\]$")


class SignatureError(ValueError):
    """The text is not a numba signature adxform understands."""


def parse_signature(text: str) -> tuple[list[ir.Type], ir.Type | None]:
    """The parameter types and the return type (None: left out) of ``text``."""
    text = text.strip()
    opening = text.find("(")
    if opening < 0 or not text.endswith(")"):
        raise SignatureError(f"'{text}' is not a signature 'return(param, ...)'")
    returns = _type(text[:opening]) if text[:opening].strip() else None
    inner = text[opening + 1:-1]
    params = [_type(item) for item in _split(inner) if item.strip()]
    return params, returns


def _split(text: str) -> list[str]:
    """Splits at the commas outside brackets."""
    items, depth, start = [], 0, 0
    for i, char in enumerate(text):
        depth += {"[": 1, "(": 1, "]": -1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            items.append(text[start:i])
            start = i + 1
    items.append(text[start:])
    return items


def _type(text: str) -> ir.Type:
    text = text.strip()
    if text in ("void", "none"):
        return ir.NONE
    match = ARRAY.match(text)
    if match:
        dtype = SCALARS.get(match["dtype"].rsplit(".", 1)[-1])
        axes = [a for a in match["axes"].split(",")]
        if dtype is None or not all(a.strip() in (":", "::1") for a in axes):
            raise SignatureError(f"'{text}' is not an array type of numba's signatures")
        return ir.Type("array", dtype=dtype, ndim=len(axes))
    dtype = SCALARS.get(text.rsplit(".", 1)[-1])
    if dtype is None:
        raise SignatureError(f"'{text}' is not a type of numba's signatures adxform knows")
    return ir.FLOAT if dtype.startswith("float") else ir.BOOL if dtype == "bool" else ir.INT
