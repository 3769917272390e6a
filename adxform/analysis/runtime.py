"""The runtime helpers of a generated module, as the analyses see them when
that module comes back in (``adxform forward m_grad.py``, ``adxform hvp``).

The parser recognises a helper by its exact text (``parse/lower.py``,
``runtime_helper``) and leaves its calls as the transforms wrote them,
``module._tape_push(...)``: the helpers are not lowered and differentiated
as module functions, because their bodies are written for numba (growing
arrays, ``.flat``, addresses, raising) and their derivatives are simple to
state once: each helper is linear or bilinear in the float data it moves,
or moves only integers.  This table gives the analyses what a signature
would (the result's type, the arrays written); ``forward/runtime.py``
gives each helper's tangent.  (``_reduce_axis(a, k, "max")``, numba's
spelling of ``np.max(a, axis=k)``, is read back as that call.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .. import ir

Types = list[ir.Type]


@dataclass(frozen=True)
class Helper:
    result: Callable[[Types], ir.Type]
    writes: frozenset[int] = frozenset()  # positions of the array arguments it writes into
    params: str = ""  # what it demands of each argument, for types from use: i(nt), a(rray), - (nothing)

    @property
    def param_types(self) -> list[ir.Type | None]:
        kinds = {"i": ir.INT, "a": ir.float_array(), "-": None}
        return [kinds[k] for k in self.params]


def _same(position: int) -> Callable[[Types], ir.Type]:
    return lambda args: args[position] if position < len(args) else ir.NONE


def _fixed(vtype: ir.Type) -> Callable[[Types], ir.Type]:
    return lambda args: vtype


def _with_top(args: Types) -> ir.Type:
    return ir.Type("tuple", items=(args[0], ir.INT))


def _stacked(args: Types) -> ir.Type:
    return ir.Type("array", dtype=args[0].dtype, ndim=args[0].ndim + 1 if args[0].ndim else 0)


def _unbroadcast(args: Types) -> ir.Type:
    shape = args[1] if len(args) > 1 else ir.NONE
    return ir.Type("array", dtype=args[0].dtype, ndim=len(shape.items) if shape.kind == "tuple" else 0)


INT_ARRAY = ir.Type("array", dtype="int64", ndim=1)
HELPERS: dict[str, Helper] = {
    "_tape_reserve": Helper(_same(0), params="-i"),
    "_tape_push": Helper(_with_top, frozenset({0}), params="-i-"),
    "_tape_put": Helper(_fixed(ir.INT), frozenset({0}), params="-i-"),
    "_tape_push_array": Helper(_with_top, frozenset({0}), params="-i-"),
    "_tape_load_array": Helper(_fixed(ir.NONE), frozenset({0}), params="--i"),
    "_tape_take_array": Helper(_fixed(ir.NONE), frozenset({0, 1}), params="--i"),
    "_tape_give_array": Helper(_fixed(ir.NONE), frozenset({0, 1}), params="--i"),
    "_trip_count": Helper(_fixed(ir.INT), params="iii"),
    "_memory_bounds": Helper(_fixed(ir.Type("tuple", items=(ir.INT, ir.INT))), params="a"),
    "_element_addresses": Helper(_fixed(INT_ARRAY), params="a"),
    "_check_disjoint": Helper(_fixed(ir.NONE), params="aa-"),
    "_check_ndim": Helper(_fixed(ir.NONE), params="ai-"),
    "_check_shape_kept": Helper(_fixed(ir.NONE), params="a--"),
    "_check_one_shape": Helper(_fixed(INT_ARRAY), params="a--"),
    "_check_number": Helper(_fixed(ir.NONE), params="--"),
    "_as_array": Helper(_same(0), params="--"),
    "_check_matmul_operands": Helper(_fixed(ir.NONE), params="aa"),
    "_revolve_plan": Helper(_fixed(INT_ARRAY), params="ii"),
    "_revolve_split": Helper(_fixed(ir.INT), params="ii"),
    "_revolve_next": Helper(_fixed(ir.Type("tuple", items=(ir.INT, ir.INT, ir.INT))), frozenset({0}), params="-"),
    "_snapshot_slots": Helper(_stacked, params="-i"),
    "_unbroadcast": Helper(_unbroadcast, params="--"),
    "_add_into": Helper(_fixed(ir.NONE), frozenset({0}), params="---"),
    "_sum_product": Helper(_fixed(ir.FLOAT), params="--"),
    "_matmul_bar_a": Helper(_same(1), frozenset({3}), params="-aa-"),
    "_matmul_bar_b": Helper(_same(2), frozenset({3}), params="-aa-"),
}
# the module constants emitted with the revolve helpers (the actions of _revolve_next, the fields of a plan)
RUNTIME_CONSTANTS = frozenset({"_TERMINATE", "_ADVANCE", "_TAKESHOT", "_RESTORE", "_FIRSTURN", "_YOUTURN",
                               "_CAPO", "_FINE", "_SNAPS", "_CHECK", "_VALID", "_TURNS"})
RUNTIME_WRITES = {name: set(helper.writes) for name, helper in HELPERS.items()}


def helper_of(call: ir.Call, module: ir.Module) -> str | None:
    """The runtime helper ``call`` calls, if it is one (a module function of
    the same name is the user's own)."""
    if not call.func.startswith("module."):
        return None
    name = call.func[7:]
    return name if name in HELPERS and name not in module.functions else None
