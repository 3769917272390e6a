"""The adjoint of an expression: the increments it sends to its inputs.

``Adjoints.increments(e, seed)`` returns the statements that add
``seed * d e / d v`` to ``v_bar`` for every active variable or array
element ``v`` that ``e`` reads.  One small method per expression kind; the
partial derivatives of library calls come from the same rules table forward
mode reads.  A seed that several inputs receive is bound to a temporary
first, so no partial derivative is computed twice.  Where an operation
broadcast a scalar against an array, the scalar's increment is summed over
the array (``np.sum``).
"""

from __future__ import annotations

import copy

from .. import build, ir
from ..analysis.program import FunctionFacts
from ..diagnostics import Reporter
from ..naming import Namer
from ..rules import TABLE, instantiate
from ..walk import expressions


class Adjoints:
    def __init__(self, facts: FunctionFacts, bar: Namer, reporter: Reporter):
        self.facts = facts
        self.bar = bar
        self.reporter = reporter
        # id(call) -> a variable that holds the call's value where its adjoint
        # runs, so partials in terms of the result (sqrt: 0.5 / y) read it
        self.results: dict[int, ir.Expr] = {}

    def type(self, expr: ir.Expr) -> ir.Type:
        return self.facts.types.of(expr)

    def is_active(self, expr: ir.Expr) -> bool:
        """Whether ``expr`` is a float value that reads an active variable
        (and so has increments)."""
        if not self.type(expr).is_differentiable:
            return False
        return any(isinstance(e, ir.Name) and e.id in self.facts.active for e in expressions(expr))

    def refuse(self, expr: ir.Expr, what: str) -> list[ir.Stmt]:
        self.reporter.error(expr.pos, f"{what} is not supported in reverse mode yet (in function "
                            f"'{self.facts.func.name}')", "unsupported-reverse")
        return []

    def increments(self, expr: ir.Expr, seed: ir.Expr) -> list[ir.Stmt]:
        if not self.is_active(expr):
            return []
        return getattr(self, "_" + type(expr).__name__)(expr, seed)

    def shared(self, seed: ir.Expr, uses: int) -> tuple[list[ir.Stmt], ir.Expr]:
        """``seed`` bound to a temporary when ``uses`` inputs will read it."""
        if uses < 2 or isinstance(seed, (ir.Name, ir.Const)):
            return [], seed
        temp = ir.Name(self.bar.fresh("t_bar"))
        return [ir.Assign(temp, seed)], temp

    def for_operand(self, operand: ir.Expr, result: ir.Expr, seed: ir.Expr) -> ir.Expr | None:
        """The seed an operand receives, summed where it was broadcast."""
        if self.type(result).is_array and not self.type(operand).is_array:
            return build.call("numpy.sum", seed)
        if self.type(result).is_array and self.type(operand).ndim not in (0, self.type(result).ndim):
            self.refuse(operand, "broadcasting arrays of different dimensions")
            return None
        return seed

    def _pair(self, expr: ir.Expr, parts: list[tuple[ir.Expr, ir.Expr | None]]) -> list[ir.Stmt]:
        out: list[ir.Stmt] = []
        for operand, seed in parts:
            if seed is not None and self.is_active(operand):
                seed = self.for_operand(operand, expr, seed)
                if seed is not None:
                    out += self.increments(operand, seed)
        return out

    # -- leaves ----------------------------------------------------------------------

    def _Name(self, e: ir.Name, seed: ir.Expr) -> list[ir.Stmt]:
        if e.id not in self.facts.active:
            return []
        if self.type(e).kind == "tuple":
            return self.refuse(e, "a tuple-valued variable")
        return [ir.Assign(ir.Name(self.bar(e.id)), build.add(ir.Name(self.bar(e.id)), seed), e.pos, inplace=True)]

    def _Subscript(self, e: ir.Subscript, seed: ir.Expr) -> list[ir.Stmt]:
        if not isinstance(e.value, ir.Name):
            return self.refuse(e, "a subscript of an expression")
        if self.type(e.value).kind == "tuple":
            return self.refuse(e, "a subscript of a tuple")
        target = ir.Subscript(ir.Name(self.bar(e.value.id)), copy.deepcopy(e.index), e.pos)
        return [ir.Assign(target, build.add(copy.deepcopy(target), seed), e.pos, inplace=True)]

    def _Attribute(self, e: ir.Attribute, seed: ir.Expr) -> list[ir.Stmt]:
        if e.attr == "T":
            return self.increments(e.value, ir.Attribute(seed, "T"))
        return []

    def _Tuple(self, e: ir.Tuple, seed: ir.Expr) -> list[ir.Stmt]:
        out: list[ir.Stmt] = []
        for k, item in enumerate(e.items):
            part = seed.items[k] if isinstance(seed, ir.Tuple) else ir.Subscript(copy.deepcopy(seed), [ir.Const(k)])
            out += self.increments(item, part)
        return out

    # -- operators -----------------------------------------------------------------------

    def _BinOp(self, e: ir.BinOp, seed: ir.Expr) -> list[ir.Stmt]:
        both = self.is_active(e.left) and self.is_active(e.right)
        pre, seed = self.shared(seed, 2 if both else 1)
        a, b = e.left, e.right
        cp = copy.deepcopy
        if e.op == "+":
            parts = [(a, seed), (b, cp(seed))]
        elif e.op == "-":
            parts = [(a, seed), (b, build.neg(cp(seed)))]
        elif e.op == "*":
            parts = [(a, build.mul(seed, cp(b))), (b, build.mul(cp(a), cp(seed)))]
        elif e.op == "/":
            parts = [(a, build.div(seed, cp(b))),
                     (b, build.neg(build.div(build.mul(cp(seed), cp(a)), build.mul(cp(b), cp(b)))))]
        elif e.op == "**":
            log = "numpy.log" if self.type(e).is_array else "math.log"
            d_base = build.mul(cp(b), build.power(cp(a), build.sub(cp(b), ir.Const(1))))
            d_exp = build.mul(cp(e), build.call(log, cp(a)))
            parts = [(a, build.mul(seed, d_base)), (b, build.mul(cp(seed), d_exp))]
        elif e.op == "%":
            parts = [(a, seed), (b, build.neg(build.mul(build.call("numpy.floor", ir.BinOp("/", cp(a), cp(b))),
                                                       cp(seed))))]
        elif e.op == "//":
            return []
        else:
            return self.refuse(e, f"the operator '{e.op}'")
        return pre + self._pair(e, parts)

    def _UnaryOp(self, e: ir.UnaryOp, seed: ir.Expr) -> list[ir.Stmt]:
        if e.op == "not":
            return []
        return self.increments(e.operand, build.neg(seed) if e.op == "-" else seed)

    def _IfExp(self, e: ir.IfExp, seed: ir.Expr) -> list[ir.Stmt]:
        pre, seed = self.shared(seed, 2)
        return pre + [ir.If(copy.deepcopy(e.test), self.increments(e.body, seed),
                            self.increments(e.orelse, copy.deepcopy(seed)), e.pos)]

    def _Const(self, e: ir.Expr, seed: ir.Expr) -> list[ir.Stmt]:
        return []

    _QualName = _Compare = _BoolOp = _Slice = _Const

    # -- calls -------------------------------------------------------------------------------

    def _Call(self, e: ir.Call, seed: ir.Expr) -> list[ir.Stmt]:
        if e.func.startswith("module."):
            return self.refuse(e, f"a call to '{e.func[7:]}' inside a conditional expression or a boolean operation")
        rule = TABLE.get(e.func)
        if rule is None or rule.kind == "constant":
            return []
        if rule.kind == "linear":
            active = [i for i in rule.linear_args if self.is_active(e.args[i])]
            pre, seed = self.shared(seed, len(active))
            out = list(pre)
            for i in active:
                part = seed
                if e.func == "numpy.full":  # every element of the result is the argument
                    part = build.call("numpy.sum", copy.deepcopy(seed))
                out += self.increments(e.args[i], copy.deepcopy(part))
            return out
        active = [i for i, arg in enumerate(e.args) if self.is_active(arg)]
        pre, seed = self.shared(seed, len(active))
        on_arrays = any(self.type(arg).is_array for arg in e.args)
        math_style = e.func.startswith(("math.", "builtins.")) and not on_arrays
        parts = []
        for i in active:
            result = copy.deepcopy(self.results.get(id(e), e))
            partial = instantiate(rule.partials[i], list(e.args), result, on_arrays=on_arrays, math_style=math_style)
            parts.append((e.args[i], build.mul(copy.deepcopy(seed), partial)))
        return pre + self._pair(e, parts)
