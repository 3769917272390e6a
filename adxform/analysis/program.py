"""The analyses of a whole module, run in callee-first order.

``analyse`` picks the functions to differentiate (``--func``, or every
public function with a differentiable parameter), follows their calls into
the module's other functions, refuses recursion and calls with no rule
(but for numpy and math functions that nothing active flows into), then
types every function, finds which array parameters each one writes, and
which variables are active.  Transforms read the resulting ``Program``
and recompute none of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import ir
from ..diagnostics import Reporter, UsageError
from ..rules import TABLE, library
from ..walk import calls, names_read, statements
from .activity import active_variables
from .custom import RULE_SUFFIXES, custom_rules, expected_params, rule_functions
from .dataflow import DataFlow, data_flow
from .module_types import type_module
from .runtime import RUNTIME_WRITES, helper_of
from .types import ExprTyper, FunctionTypes


@dataclass
class FunctionFacts:
    func: ir.Function
    types: FunctionTypes
    flow: DataFlow
    writes: set[int]  # positions of the array parameters it writes into
    wrt: list[str] = field(default_factory=list)  # differentiated parameters
    active: set[str] = field(default_factory=set)
    rev_name: str = ""  # its reverse function, f_rev (reverse/names.py picks another beside a generated one)

    def __post_init__(self) -> None:
        self.rev_name = self.rev_name or f"{self.func.name}_rev"

    @property
    def is_procedure(self) -> bool:
        return self.types.returns.kind == "none"

    @property
    def differentiable_params(self) -> list[str]:
        return [p.name for p in self.func.params if self.types.env[p.name].is_differentiable]


@dataclass
class Program:
    module: ir.Module
    roots: list[str]  # the functions asked for, in source order
    order: list[str]  # every function involved, callees first
    facts: dict[str, FunctionFacts]
    constants: dict[str, ir.Type]
    custom: dict[str, str] = field(default_factory=dict)  # g -> its custom rule in this mode (custom.py)
    cuda_roots: list[str] = field(default_factory=list)  # the CUDA functions asked for (targets/cuda)

    def needs_derivative(self, name: str) -> bool:
        return bool(self.facts[name].wrt)


def _constant_types(module: ir.Module) -> dict[str, ir.Type]:
    typer = ExprTyper({}, {}, {})
    return {c.name: typer.type(c.value) for c in module.constants}


UNKNOWN_FUNCTION_NOTE = ("supported: the numpy and math functions that `adxform rules` lists and the functions of "
                         "this module, and other math functions and numpy ufuncs where nothing differentiated flows "
                         "into them; to supply a rule, call it from a function g of this module and define g_jvp / "
                         "g_vjp here or in a --rules FILE (see docs/custom-rules.md)")
# functions refused on purpose, with what to write instead
NO_RULE_ADVICE = {
    "numpy.asarray": "np.asarray may return its argument itself, an alias adxform does not follow: use the array "
                     "itself, or np.copy(a) for a copy",
}


class CallGraph:
    """Follows module calls from the roots; reports recursion and unknown callees."""

    def __init__(self, module: ir.Module, reporter: Reporter, underived: set[str] = frozenset()):
        self.module = module
        self.reporter = reporter
        self.underived = underived  # never differentiated (custom rules and their functions): any numpy call goes
        self.order: list[str] = []
        self.state: dict[str, str] = {}  # "visiting" / "done"

    def visit(self, name: str, path: list[str]) -> None:
        if self.state.get(name) == "done":
            return
        if name in self.module.rejected:
            self.reporter.diagnostics.extend(self.module.rejected[name])
            self.state[name] = "done"
            return
        func = self.module.functions[name]
        self.state[name] = "visiting"
        if func.target.startswith("cuda"):  # reached from CPU code (roots that are CUDA functions are not visited)
            self.reporter.error(func.pos, f"a CPU function calls the CUDA function '{func.name}'", "unsupported-gpu",
                                note="CUDA functions are differentiated on their own, as kernels and device functions"
                                     " (see docs/gpu.md)")
            self.state[name] = "done"
            return
        for call in calls(func.body):
            self.check_call(func, call, path + [name])
        for loop in statements(func.body):
            if isinstance(loop, (ir.For, ir.While)) and loop.directive is not None and loop.directive.name == "bound":
                self.reporter.error(loop.directive.pos, "the 'bound' directive sizes the tape of a loop of a CUDA "
                                    f"function; '{func.name}' runs on the CPU, whose tapes grow", "bad-directive")
        self.state[name] = "done"
        self.order.append(name)

    def check_call(self, func: ir.Function, call: ir.Call, path: list[str]) -> None:
        where = f" (in function '{func.name}')"
        if call.func.startswith("module."):
            callee = call.func[7:]
            if helper_of(call, self.module) is not None and callee not in self.module.rejected:
                return  # a runtime helper of a generated module: differentiated by forward/ and reverse/runtime.py
            if self.state.get(callee) == "visiting":
                cycle = " -> ".join(path[path.index(callee):] + [callee])
                self.reporter.error(call.pos, f"recursion is not in the differentiable subset: {cycle}{where}",
                                    "recursion")
                return
            target = self.module.functions.get(callee)
            if target is not None and (len(call.args) != len(target.params) or call.kwargs):
                self.reporter.error(call.pos, f"'{callee}' takes {len(target.params) if target else '?'} positional "
                                    f"arguments{where}", "bad-call")
            self.visit(callee, path)
            return
        rule = TABLE.get(call.func)
        shown = call.func.split(".", 1)[1] if call.func.startswith(("unknown.", "builtins.", "method.")) else call.func
        if rule is None and func.name in self.underived and call.func.startswith(("numpy.", "math.")):
            return
        if rule is None and not library.is_typed(call.func):
            self.reporter.error(call.pos, f"adxform has no derivative rule for '{shown}'{where}", "unknown-function",
                                note=NO_RULE_ADVICE.get(call.func, UNKNOWN_FUNCTION_NOTE))
        elif rule is None:  # without a rule, where nothing active flows in (_check_calls_without_rule)
            if call.kwargs:
                self.reporter.error(call.pos, f"'{shown}' is supported without keyword arguments{where}", "bad-call")
        elif not rule.nargs[0] <= len(call.args) <= rule.nargs[1]:
            self.reporter.error(call.pos, f"'{shown}' is supported with {rule.nargs[0]}"
                                + (f" to {rule.nargs[1]}" if rule.nargs[1] != rule.nargs[0] else "")
                                + f" positional arguments{where}", "bad-call")
        elif rule.keywords is not None and any(key not in rule.keywords for key, _ in call.kwargs):
            key = next(key for key, _ in call.kwargs if key not in rule.keywords)
            self.reporter.error(call.pos, f"'{shown}' is supported without the keyword argument '{key}'{where}",
                                "bad-call")
        elif any(key == "axis" and not _is_int_constant(value) for key, value in call.kwargs):
            self.reporter.error(call.pos, f"the axis of '{shown}' must be an integer constant{where}", "bad-call")


def _check_calls_without_rule(program: Program, reporter: Reporter) -> None:
    """A numpy or math function without a derivative rule (``library``) may
    be called where nothing active flows into it, or where its result is an
    int or a bool (``np.signbit``, ``math.isqrt``: no derivative to lose),
    and nowhere else; nor where numpy has no loop for its arguments' types,
    which leaves its result untyped."""
    for name in program.order:
        facts = program.facts[name]
        if not facts.wrt or name in program.custom:
            continue
        for call in calls(facts.func.body):
            if call.func.startswith("module.") or call.func in TABLE:
                continue
            result = facts.types.of(call)
            if result.kind == "unknown":
                reporter.error(call.pos, f"adxform cannot tell what '{call.func}' returns for these arguments "
                               f"(in function '{name}')", "unknown-function", note=UNKNOWN_FUNCTION_NOTE)
                continue
            if not result.is_differentiable:
                continue
            active = sorted({n for arg in call.args for n in names_read(arg)} & facts.active)
            if active:
                reporter.error(call.pos, f"adxform has no derivative rule for '{call.func}', and its argument "
                               f"depends on the differentiated parameters through '{active[0]}' (in function "
                               f"'{name}')",
                               "unknown-function", note=UNKNOWN_FUNCTION_NOTE)
    reporter.check()


def _is_int_constant(expr: ir.Expr) -> bool:
    if isinstance(expr, ir.UnaryOp) and expr.op == "-":
        expr = expr.operand
    return isinstance(expr, ir.Const) and isinstance(expr.value, int) and not isinstance(expr.value, bool)


def analyse(module: ir.Module, functions: list[str] | None, wrt: list[str] | None, reporter: Reporter,
            mode: str = "forward") -> Program:
    known = list(module.functions) + list(module.rejected)
    rules = rule_functions(module)
    if functions:
        for name in functions:
            if name not in known:
                raise UsageError(f"no function '{name}' in {module.filename}")
            if name in rules:
                raise UsageError(f"'{name}' is the custom rule of '{rules[name]}', not a function to differentiate")
        roots = [name for name in known if name in functions]
    else:
        roots = [name for name in known if not name.startswith("_") and name not in rules
                 and name not in module.derived and not _reversed_already(module, name, mode)]

    cuda_roots = [name for name in roots if name in module.functions and module.functions[name].target.startswith("cuda")]
    roots = [name for name in roots if name not in cuda_roots]  # targets/cuda differentiates them
    custom = custom_rules(module, mode)
    graph = CallGraph(module, reporter, set(custom) | set(rules))
    for name in roots:
        graph.visit(name, [])
    for name in graph.order:  # grows while it is walked: the rules of the functions met, and their callees
        if name in custom:
            graph.visit(custom[name], [])
    reporter.check()

    constants = _constant_types(module)
    # a public function asked for by --func keeps its own copy when its callers get specialised ones
    typed, graph.order = type_module(module, graph.order, set(functions or ()), constants, reporter)
    roots = [name for name in roots if name in typed]
    facts: dict[str, FunctionFacts] = {}
    callee_writes: dict[str, set[int]] = dict(RUNTIME_WRITES)
    for name in graph.order:
        func, types = module.functions[name], typed[name]
        flow = data_flow(func, types, callee_writes)
        writes = {i for i, p in enumerate(func.params) if p.name in flow.written}
        callee_writes[name] = writes
        facts[name] = FunctionFacts(func, types, flow, writes)
    reporter.check()

    program = Program(module, [], graph.order, facts, constants, {g: r for g, r in custom.items() if g in facts})
    _check_rules(program, reporter)
    program.roots = _pick_roots(program, roots, explicit=bool(functions), reporter=reporter, others=cuda_roots)
    program.cuda_roots = cuda_roots
    _assign_wrt(program, wrt, {p.name for name in cuda_roots for p in module.functions[name].params})
    _check_calls_without_rule(program, reporter)
    return program


def _reversed_already(module: ir.Module, name: str, mode: str) -> bool:
    """Whether ``name`` is a function of a generated reverse module that the
    module already holds the reverse mode of (``g`` beside ``g_vjp``): by
    default reverse mode over the module differentiates its derivatives
    (``g_grad``), not ``g`` again, whose ``g_vjp`` and ``g_grad`` it would
    write anew."""
    return mode == "reverse" and module.generated and f"{name}{RULE_SUFFIXES[mode]}" in module.functions


def _check_rules(program: Program, reporter: Reporter) -> None:
    """A custom rule must have the signature of the derivative it stands for
    (the calling conventions of the generated module)."""
    for g, rule in program.custom.items():
        facts, func = program.facts[g], program.facts[rule].func
        env = facts.types.env
        differentiable = facts.differentiable_params
        arrays = [p for p in differentiable if env[p].is_array]
        expected = expected_params(rule, len(facts.func.params), len(differentiable), len(arrays),
                                   facts.is_procedure)
        if len(func.params) != expected:
            reporter.error(func.pos, f"the custom rule '{rule}' of '{g}' takes {len(func.params)} parameters; "
                           f"it should take {expected}", "bad-custom-rule",
                           note=f"'{g}' has {len(facts.func.params)} parameters, {len(differentiable)} of them "
                                "float or float arrays (see docs/custom-rules.md)")
        elif rule.endswith("_vjp") and not facts.is_procedure and facts.writes:
            reporter.error(func.pos, f"a custom '{rule}' for '{g}', a function that also writes into its array "
                           "arguments, is not supported", "bad-custom-rule",
                           note="make it a procedure (no return value) or stop writing into the arguments")
    reporter.check()


def _pick_roots(program: Program, roots: list[str], explicit: bool, reporter: Reporter,
                others: list[str] = ()) -> list[str]:
    """The roots with something to differentiate; ``others`` are the CUDA
    functions asked for, differentiated apart."""
    picked = []
    for name in roots:
        facts = program.facts[name]
        if facts.differentiable_params:
            picked.append(name)
        elif explicit:
            reporter.error(facts.func.pos, f"function '{name}' has no float or float-array parameter to "
                           "differentiate", "nothing-to-differentiate")
    if not picked and not others and not reporter.diagnostics:
        reporter.error(ir.Pos(1, 1), "no function of this module has a float or float-array parameter to "
                       "differentiate", "nothing-to-differentiate")
    reporter.check()
    return picked


def _assign_wrt(program: Program, wrt: list[str] | None, cuda_params: set[str] = frozenset()) -> None:
    """The differentiated parameters of every function.

    ``--wrt`` restricts the roots that no other differentiated function
    calls; every other function with a derivative (a callee, or a root that
    is also a callee) is differentiated in all its float parameters, since
    one ``g_jvp`` serves every caller.  ``cuda_params``: the parameters of
    the CUDA functions asked for, which ``targets/cuda`` restricts."""
    rules = set(program.custom.values())
    called = {call.func[7:] for name in program.order if name not in rules
              for call in calls(program.facts[name].func.body) if call.func.startswith("module.")}
    if wrt:
        top = [name for name in program.roots if name not in called]
        everything = {p for name in top for p in program.facts[name].differentiable_params}
        unknown = [w for w in wrt if w not in everything and w not in cuda_params]
        if unknown:
            raise UsageError(f"--wrt names no float parameter of the differentiated functions: {', '.join(unknown)}")
    for name in program.roots:
        facts = program.facts[name]
        restricted = wrt and name not in called and name not in program.custom
        facts.wrt = [p for p in facts.differentiable_params if not restricted or p in wrt]
    for name in reversed(program.order):  # callers before callees
        facts = program.facts[name]
        if not facts.wrt:
            continue
        facts.active = active_variables(facts.func, facts.types, facts.flow, facts.wrt)
        if name in program.custom:
            continue  # its rule stands for its body: the callees need no derivative for it
        for call in calls(facts.func.body):
            if call.func.startswith("module.") and call.func[7:] in program.facts and _call_is_active(call, facts):
                callee = program.facts[call.func[7:]]
                if not callee.wrt:
                    callee.wrt = callee.differentiable_params
                    callee.active = active_variables(callee.func, callee.types, callee.flow, callee.wrt)


def _call_is_active(call: ir.Call, facts: FunctionFacts) -> bool:
    return any(n in facts.active for arg in call.args for n in names_read(arg))
