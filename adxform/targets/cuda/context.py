"""What both modes know about one kernel or device function."""

from __future__ import annotations

from dataclasses import dataclass, field

from ... import ir
from ...diagnostics import Reporter, UsageError
from ...emit.printer import qualname
from ...rules import TABLE
from ...walk import calls, statements
from .kinds import ARRAY, FLOAT, SHARED, kinds_of
from .partials import NotDifferentiable, partials
from .returns import without_early_returns


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
    # --wrt, for a function asked for that no other differentiated one calls: the parameters it is taken in
    wrt: frozenset[str] | None = None

    def __post_init__(self) -> None:
        self.contexts[self.func.name] = self
        self.device_returns = {name: FLOAT for name, f in self.module.items() if f.target == "cuda-device"}
        self.kinds = kinds_of(self.func, self.device_returns)
        if self.is_kernel:  # `if i >= x.size: return` becomes `if i < x.size:` over the rest
            self.func = without_early_returns(self.func, self.kinds)
        self.written = {t.value.id for s in statements(self.func.body) for t in written_elements(s)}
        self.constants = self.constants_of_wrt()
        self.refused: set[int] = set()  # id() of the calls refused here, not again when differentiated
        for call in calls(self.func.body):
            if not _allowed(call.func):
                self.refused.add(id(call))
                self.refuse(call.pos, f"calling '{qualname(call.func)}'",
                            note="a CUDA function may call math functions, abs/min/max/float/int/len, the device "
                                 "functions of the module, cuda.grid, cuda.gridsize, cuda.syncthreads, "
                                 "cuda.atomic.add and cuda.shared.array (see docs/gpu.md)")
            elif call.func == "numba.cuda.shared.array" and isinstance(call.args[0], ir.Tuple) and \
                    len(call.args[0].items) > 2:
                self.refuse(call.pos, "a shared array of more than two dimensions")
        last = self.func.body[-1] if self.func.body else None
        for stmt in statements(self.func.body):
            if isinstance(stmt, (ir.For, ir.While)) and stmt.directive is not None and stmt.directive.name != "bound":
                self.refuse(stmt.directive.pos, f"the '{stmt.directive.name}' directive")
            if isinstance(stmt, ir.Return) and (self.is_kernel or stmt is not last):
                self.refuse(stmt.pos, "a 'return' in a loop, or in a branch that goes on after it,"
                            if self.is_kernel else "a 'return' before the last statement",
                            note="a kernel may return early at the end of an `if` branch outside loops "
                                 "(`if i >= x.size: return`); in a loop, set a flag and test it instead"
                            if self.is_kernel else "put the rest of the body under the opposite test")

    @property
    def is_kernel(self) -> bool:
        return self.func.target == "cuda-kernel"

    def differentiable(self, name: str) -> bool:
        return self.kinds.get(name) in (FLOAT, ARRAY, SHARED)

    def diff_params(self) -> list[ir.Param]:
        return [p for p in self.func.params if self.kinds[p.name] in (FLOAT, ARRAY) and p.name not in self.constants]

    def constants_of_wrt(self) -> set[str]:
        """The float parameters ``--wrt`` leaves out: constants, with no
        tangent or adjoint.  An array the function writes keeps its tangent
        and adjoint whatever ``--wrt`` says: they carry the derivative of
        what the function leaves in it."""
        if self.wrt is None:
            return set()
        constants: set[str] = set()
        assigned = {t.id for s in statements(self.func.body) if isinstance(s, ir.Assign)
                    for t in (s.target.items if isinstance(s.target, ir.Tuple) else [s.target]) if isinstance(t, ir.Name)}
        for p in self.func.params:
            float_kind = self.kinds[p.name] in (FLOAT, ARRAY)
            if p.name in self.wrt and not float_kind:
                raise UsageError(f"--wrt names '{p.name}', which is not a float or float-array parameter of "
                                 f"'{self.func.name}'")
            elif float_kind and p.name not in self.wrt and p.name not in self.written:
                if p.name in assigned:
                    self.refuse(p.pos, f"leaving out with --wrt the parameter '{p.name}', which the body assigns,")
                constants.add(p.name)
        return constants

    def partials(self, expr: ir.Expr):
        try:
            terms = partials(expr, self.kinds, self.device_returns)
            return [(leaf, c) for leaf, c in terms
                    if (leaf.id if isinstance(leaf, ir.Name) else leaf.value.id) not in self.constants]
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
                                                         self.contexts)  # a callee: every float parameter

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


def written_elements(stmt: ir.Stmt) -> list[ir.Subscript]:
    """The array elements ``stmt`` writes: an element assigned, or added into atomically."""
    if isinstance(stmt, ir.Assign) and isinstance(stmt.target, ir.Subscript):
        return [stmt.target]
    if isinstance(stmt, ir.ExprStmt) and isinstance(stmt.value, ir.Call) and \
            stmt.value.func == "numba.cuda.atomic.add" and isinstance(stmt.value.args[0], ir.Name):
        return [ir.Subscript(stmt.value.args[0], [stmt.value.args[1]])]
    return []
