"""What both modes know about one kernel or device function."""

from __future__ import annotations

from dataclasses import dataclass, field

from ... import ir
from ...diagnostics import Reporter
from ...emit.printer import qualname
from ...rules import TABLE
from ...walk import calls, statements
from .kinds import ARRAY, FLOAT, SHARED, kinds_of
from .partials import NotDifferentiable, partials


@dataclass
class Context:
    func: ir.Function
    module: dict[str, ir.Function]  # the module's CUDA functions
    reporter: Reporter
    # one thread per problem (``--target cuda``): the arrays a device function is given are the thread's own
    exclusive: bool = False
    contexts: dict[str, "Context"] = field(default_factory=dict)  # every function's, shared: each is checked once
    kinds: dict[str, str] = field(default_factory=dict)
    device_returns: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.contexts[self.func.name] = self
        self.device_returns = {name: FLOAT for name, f in self.module.items() if f.target == "cuda-device"}
        self.kinds = kinds_of(self.func, self.device_returns)
        self.refused: set[int] = set()  # id() of the calls refused here, not again when differentiated
        for call in calls(self.func.body):
            if not _allowed(call.func):
                self.refused.add(id(call))
                self.refuse(call.pos, f"calling '{qualname(call.func)}'",
                            note="a CUDA function may call math functions, abs/min/max/float/int/len, the device "
                                 "functions of the module, cuda.grid, cuda.gridsize, cuda.syncthreads, "
                                 "cuda.atomic.add and cuda.shared.array (see docs/gpu.md)")
            elif call.func == "numba.cuda.shared.array" and isinstance(call.args[0], ir.Tuple):
                self.refuse(call.pos, "a shared array of more than one dimension in reverse mode")
        last = self.func.body[-1] if self.func.body else None
        for stmt in statements(self.func.body):
            if isinstance(stmt, (ir.For, ir.While)) and stmt.directive is not None and stmt.directive.name != "bound":
                self.refuse(stmt.directive.pos, f"the '{stmt.directive.name}' directive")
            if isinstance(stmt, ir.Return) and (self.is_kernel or stmt is not last):
                self.refuse(stmt.pos, "a 'return'" if self.is_kernel else "a 'return' before the last statement",
                            note="put the rest of the body under the opposite test (`if i < x.size:`)")

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
            if id(err.node) in self.refused:
                return []
            self.refuse(err.node.pos if err.node.pos.line else expr.pos, err.what)
            return []

    def refuse(self, pos: ir.Pos, what: str, note: str = "") -> None:
        where = "a kernel" if self.is_kernel else "a device function"
        self.reporter.error(pos, f"{what} is not supported in {where} yet (in function '{self.func.name}')",
                            "unsupported-gpu", note=note)

    def callee_context(self, callee: ir.Function) -> "Context":
        return self.contexts.get(callee.name) or Context(callee, self.module, self.reporter, self.exclusive,
                                                         self.contexts)

    def callee(self, call: ir.Call) -> ir.Function | None:
        return self.module.get(call.func[7:]) if call.func.startswith("module.") else None


def statement_text(stmt: ir.Stmt) -> str:
    """How a diagnostic names a statement the CUDA transforms do not handle."""
    if isinstance(stmt, ir.ExprStmt) and isinstance(stmt.value, ir.Call):
        return f"a call of '{qualname(stmt.value.func)}' as a statement"
    return {"Break": "'break'", "Continue": "'continue'"}.get(type(stmt).__name__, "this statement")


CUDA_CALLS = ("numba.cuda.grid", "numba.cuda.gridsize", "numba.cuda.syncthreads", "numba.cuda.atomic.add",
              "numba.cuda.shared.array", "builtins.abs", "builtins.min", "builtins.max", "builtins.float",
              "builtins.int", "builtins.len", "builtins.range")


def _allowed(func: str) -> bool:
    """Whether a CUDA function may call ``func``: what numba.cuda compiles
    and the GPU transforms differentiate."""
    if func in CUDA_CALLS or func.startswith("module."):
        return True
    rule = TABLE.get(func)
    return func.startswith("math.") and rule is not None and rule.kind in ("elementwise", "constant")
