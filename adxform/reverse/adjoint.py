"""The adjoint of an expression: the increments it sends to its inputs.

``Adjoints.increments(e, seed)`` returns the statements that add
``seed * d e / d v`` to ``v_bar`` for every active variable or array
element ``v`` that ``e`` reads.  One small method per expression kind; the
partial derivatives of library calls come from the same rules table forward
mode reads.  A seed that several inputs receive is bound to a temporary
first, so no partial derivative is computed twice.

Broadcasting is undone on the way back: where an operation broadcast a
scalar against an array, the scalar's increment is summed over the array
(``np.sum``); where it combined two arrays, either may have been stretched
((n, 1) + (1, m), (n, m) + (m,)), so each array's increment goes through
the runtime helper ``_unbroadcast(seed, a.shape)``, which sums it over the
stretched and added axes.  A seed always has the shape of the expression it
seeds, except that a reduction's seed into a plain variable or element is
left to broadcast in the ``+=``.
"""

from __future__ import annotations

import copy

from .. import build, ir
from ..analysis.program import FunctionFacts
from ..diagnostics import Reporter
from ..naming import Namer
from ..rules import TABLE, instantiate
from ..rules.templates import axis_of, expand, reads_argument
from ..walk import expressions


class Adjoints:
    def __init__(self, facts: FunctionFacts, bar: Namer, reporter: Reporter):
        self.facts = facts
        self.bar = bar
        self.reporter = reporter
        # id(call) -> a variable that holds the call's value where its adjoint
        # runs, so partials in terms of the result (sqrt: 0.5 / y) read it
        self.results: dict[int, ir.Expr] = {}
        self.stretched = False  # whether the seed of the expression being differentiated is (see ``increments``)

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

    def increments(self, expr: ir.Expr, seed: ir.Expr, stretched: bool = False) -> list[ir.Stmt]:
        """The increments ``expr`` sends to its inputs.  ``stretched``: the
        seed may have more elements than ``expr``, which an elementwise
        operation broadcast against another array; the seed then travels
        down elementwise operations as it is (broadcasting commutes with
        them) and is summed down to size (``fit``) where it reaches a
        variable or any other operation."""
        if not self.is_active(expr):
            return []
        if stretched and not isinstance(expr, (ir.Name, ir.Subscript)) and not self.elementwise(expr):
            seed, stretched = self.fit(seed, expr), False
        outer, self.stretched = self.stretched, stretched
        try:
            return getattr(self, "_" + type(expr).__name__)(expr, seed)
        finally:
            self.stretched = outer

    def elementwise(self, expr: ir.Expr) -> bool:
        return self.operands(expr) is not None or isinstance(expr, ir.IfExp)

    @staticmethod
    def operands(expr: ir.Expr) -> list[ir.Expr] | None:
        """The operands of an elementwise operation, whose result has their
        broadcast shape; None for any other expression."""
        if isinstance(expr, ir.BinOp) and expr.op != "@":
            return [expr.left, expr.right]
        if isinstance(expr, ir.UnaryOp):
            return [expr.operand]
        if isinstance(expr, ir.Call) and getattr(TABLE.get(expr.func), "kind", "") == "elementwise":
            return list(expr.args)
        return None

    def fit(self, seed: ir.Expr, expr: ir.Expr) -> ir.Expr:
        """A stretched seed summed down to the shape of ``expr``."""
        if not self.type(expr).is_array:
            return build.call("numpy.sum", seed)
        return build.call("module._unbroadcast", seed, self.shape_of(expr))

    def shared(self, seed: ir.Expr, uses: int) -> tuple[list[ir.Stmt], ir.Expr]:
        """``seed`` bound to a temporary when ``uses`` inputs will read it."""
        if uses < 2 or isinstance(seed, (ir.Name, ir.Const)):
            return [], seed
        temp = ir.Name(self.bar.fresh("t_bar"))
        return [ir.Assign(temp, seed)], temp

    def shape_of(self, expr: ir.Expr) -> ir.Expr:
        """The shape of an array expression, from its arrays' shapes where it
        is elementwise (``np.broadcast_shapes``), so that no array is
        computed again for its shape alone."""
        arrays = [o for o in self.operands(expr) or [] if self.type(o).is_array]
        if not arrays:
            return ir.Attribute(copy.deepcopy(expr), "shape")
        shapes = [self.shape_of(a) for a in arrays]
        return shapes[0] if len(shapes) == 1 else ir.Call("numpy.broadcast_shapes", shapes)

    def _pair(self, expr: ir.Expr, parts: list[tuple[ir.Expr, ir.Expr | None]]) -> list[ir.Stmt]:
        """The increments of the operands of an elementwise operation, each
        given its seed; where two arrays meet, either may be broadcast."""
        on_arrays = self.type(expr).is_array
        stretched = on_arrays and (self.stretched or sum(self.type(o).is_array for o in self.operands(expr)) > 1)
        out: list[ir.Stmt] = []
        for operand, seed in parts:
            if seed is not None and self.is_active(operand):
                if on_arrays and not self.type(operand).is_array:
                    out += self.increments(operand, build.call("numpy.sum", seed))
                else:
                    out += self.increments(operand, seed, stretched)
        return out

    # -- leaves ----------------------------------------------------------------------

    def _Name(self, e: ir.Name, seed: ir.Expr) -> list[ir.Stmt]:
        if e.id not in self.facts.active:
            return []
        if self.type(e).kind == "tuple":
            return self.refuse(e, "a tuple-valued variable")
        if self.stretched:
            seed = self.fit(seed, e)
        return [ir.Assign(ir.Name(self.bar(e.id)), build.add(ir.Name(self.bar(e.id)), seed), e.pos, inplace=True)]

    def _Subscript(self, e: ir.Subscript, seed: ir.Expr) -> list[ir.Stmt]:
        if not isinstance(e.value, ir.Name):
            return self.refuse(e, "a subscript of an expression")
        if self.type(e.value).kind == "tuple":
            return self.refuse(e, "a subscript of a tuple")
        target = ir.Subscript(ir.Name(self.bar(e.value.id)), copy.deepcopy(e.index), e.pos)
        if self.stretched:
            seed = self.fit(seed, e)
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
        if e.op == "@":
            return pre + self.bilinear(e, [a, b], TABLE.get("numpy.matmul").transposes, seed)
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
        return self.increments(e.operand, build.neg(seed) if e.op == "-" else seed, self.stretched)

    def _IfExp(self, e: ir.IfExp, seed: ir.Expr) -> list[ir.Stmt]:
        pre, seed = self.shared(seed, 2)
        return pre + [ir.If(copy.deepcopy(e.test), self.increments(e.body, seed, self.stretched),
                            self.increments(e.orelse, copy.deepcopy(seed), self.stretched), e.pos)]

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
        if rule.kind == "reduction":
            return self.reduction(e, rule.partials[0], seed)
        if rule.kind == "linear":
            active = [i for i in rule.linear_args if self.is_active(e.args[i])]
            pre, seed = self.shared(seed, len(active))
            out = list(pre)
            for i, transpose in zip(rule.linear_args, rule.transposes):
                if i in active:
                    part = instantiate(transpose, list(e.args), e, on_arrays=True, math_style=False,
                                       seed=copy.deepcopy(seed))
                    out += self.increments(e.args[i], part)
            return out
        if rule.kind == "bilinear":
            pre, seed = self.shared(seed, sum(self.is_active(arg) for arg in e.args))
            return pre + self.bilinear(e, list(e.args), rule.transposes, seed)
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

    def reduction(self, e: ir.Call, partial: str, seed: ir.Expr) -> list[ir.Stmt]:
        """Each element of the argument receives ``g * partial``, ``g`` put
        back along the reduced axis.  Where that does not read the argument
        (sum, mean) it is the size of the result; a plain variable takes it
        as it is, broadcast by ``+=``, an expression gets it broadcast to its
        own shape first."""
        x = e.args[0]
        axis = axis_of(e)
        weight = instantiate(partial, [x], e, on_arrays=True, math_style=False, axis=axis)
        part = build.mul(expand(seed, axis), weight)
        if not reads_argument(partial) and not isinstance(x, (ir.Name, ir.Subscript)) and self.type(x).is_array:
            part = build.call("numpy.broadcast_to", part, self.shape_of(x))
        return self.increments(x, part)

    def bilinear(self, e: ir.Expr, operands: list[ir.Expr], transposes: tuple[str, ...],
                 seed: ir.Expr) -> list[ir.Stmt]:
        """``f(a, b)`` linear in each: each operand receives its transpose of the seed."""
        out: list[ir.Stmt] = []
        for operand, transpose in zip(operands, transposes):
            if self.is_active(operand):
                out += self.increments(operand, instantiate(transpose, operands, e, on_arrays=True, math_style=False,
                                                            seed=copy.deepcopy(seed)))
        return out
