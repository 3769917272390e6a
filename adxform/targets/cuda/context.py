"""What both modes know about one kernel or device function."""

from __future__ import annotations

from dataclasses import dataclass, field

from ... import ir
from ...diagnostics import Reporter
from ...walk import statements
from .kinds import ARRAY, FLOAT, SHARED, kinds_of
from .partials import NotDifferentiable, partials


@dataclass
class Context:
    func: ir.Function
    module: dict[str, ir.Function]  # the module's CUDA functions
    reporter: Reporter
    kinds: dict[str, str] = field(default_factory=dict)
    device_returns: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.device_returns = {name: FLOAT for name, f in self.module.items() if f.target == "cuda-device"}
        self.kinds = kinds_of(self.func, self.device_returns)
        last = self.func.body[-1] if self.func.body else None
        for stmt in statements(self.func.body):
            if isinstance(stmt, ir.Return) and (self.is_kernel or stmt is not last):
                self.refuse(stmt.pos, "a 'return' " + ("in a kernel" if self.is_kernel else
                                                       "other than the last statement of a device function"))

    @property
    def is_kernel(self) -> bool:
        return self.func.target == "cuda-kernel"

    def differentiable(self, name: str) -> bool:
        return self.kinds.get(name) in (FLOAT, ARRAY, SHARED)

    def diff_params(self) -> list[ir.Param]:
        return [p for p in self.func.params if self.kinds[p.name] in (FLOAT, ARRAY)]

    def partials(self, expr: ir.Expr):
        try:
            return partials(expr, self.kinds, self.device_returns)
        except NotDifferentiable as err:
            self.refuse(err.node.pos if err.node.pos.line else expr.pos, err.what)
            return []

    def refuse(self, pos: ir.Pos, what: str) -> None:
        self.reporter.error(pos, f"{what} is not supported in a CUDA function yet (in function '{self.func.name}')",
                            "unsupported-gpu")

    def callee(self, call: ir.Call) -> ir.Function | None:
        return self.module.get(call.func[7:]) if call.func.startswith("module.") else None
