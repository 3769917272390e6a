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

An increment into a view of an adjoint array (``u_bar[2:]``), or one that
must be summed down first, is the runtime call ``_add_into(target,
seed)``: numba compiles ``u_bar[2:] += x`` as a read, an add and a write
back that copies the view onto itself.  The adjoints of ``@`` add into the
adjoint array they are meant for (their last argument; ``None`` makes a new
one), and a scalar that multiplied an array receives ``_sum_product(a,
b)``, which never makes ``a * b``.
"""

from __future__ import annotations

import copy

from .. import build, ir
from ..analysis.program import FunctionFacts
from ..analysis.types import consuming, report_bool_value
from ..diagnostics import InternalError, Reporter
from ..invariants import check_derivative
from ..naming import Namer
from ..rules import TABLE, instantiate
from ..targets import CPU, Target
from ..rules.templates import axis_of, expand, reads_argument
from ..walk import expressions

# runtime helpers that add into their last argument and return it (a new
# array where it is None): an adjoint that goes straight into an adjoint
# array passes that array instead
ACCUMULATING = {"module._matmul_bar_a", "module._matmul_bar_b"}


class Adjoints:
    def __init__(self, facts: FunctionFacts, bar: Namer, reporter: Reporter, target: Target = CPU):
        self.facts = facts
        self.target = target  # how an increment is written: ``+=`` on the CPU
        self.bar = bar
        self.reporter = reporter
        # id(call) -> a variable that holds the call's value where its adjoint
        # runs, so partials in terms of the result (sqrt: 0.5 / y) read it
        self.results: dict[int, ir.Expr] = {}
        self.stretched = False  # whether the seed of the expression being differentiated is (see ``increments``)
        self.item_bars: dict[tuple[str, int], str] = {}  # (tuple parameter, index) -> its item's adjoint

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
        variable or any other operation, or a scalar (``h[t] = k * x[t]``
        fills a row with the scalar: its seed is the row's sum)."""
        out = self.active_increments(expr, seed, stretched) if self.is_active(expr) else []
        check_derivative(self.reporter, expr, bool(out), self.facts.active, "adjoint")
        return out

    def active_increments(self, expr: ir.Expr, seed: ir.Expr, stretched: bool) -> list[ir.Stmt]:
        summed_here = not self.type(expr).is_array or not isinstance(expr, (ir.Name, ir.Subscript)) \
            and not self.elementwise(expr)  # a scalar was broadcast, or no operation carries the seed down
        if stretched and summed_here:
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
            return self.total(seed)
        return build.call("module._unbroadcast", seed, self.shape_of(expr))

    def total(self, seed: ir.Expr) -> ir.Expr:
        """The sum of an array seed's elements, for a scalar that the array
        was broadcast from; a product ``t_bar * e`` (the seed of ``k`` in
        ``k * e``) is summed without being made (``_sum_product``)."""
        if isinstance(seed, ir.BinOp) and seed.op == "*":
            return build.call("module._sum_product", seed.left, seed.right)
        return build.call("numpy.sum", seed)

    def shared(self, seed: ir.Expr, uses: int) -> tuple[list[ir.Stmt], ir.Expr]:
        """``seed`` bound to a temporary when ``uses`` inputs will read it."""
        if uses < 2 or isinstance(seed, (ir.Name, ir.Const)):
            return [], seed
        temp = ir.Name(self.bar.fresh("t_bar"))
        return [ir.Assign(temp, seed)], temp

    def shape_of(self, expr: ir.Expr) -> ir.Expr:
        """The shape of an array expression, from its arrays' shapes where it
        is elementwise (``np.broadcast_shapes``) or a product of vectors and
        matrices (``a.shape[:-1] + b.shape[1:]``), so that no array is
        computed again for its shape alone."""
        product = self.product_operands(expr)
        if product is not None:
            lead = ir.Subscript(self.shape_of(product[0]), [ir.Slice(None, ir.Const(-1), None)])
            trail = ir.Subscript(self.shape_of(product[1]), [ir.Slice(ir.Const(1), None, None)])
            return ir.BinOp("+", lead, trail)
        arrays = [o for o in self.operands(expr) or [] if self.type(o).is_array]
        if not arrays and isinstance(expr, ir.Subscript) and not self.type(expr).ndim:
            return build.call("numpy.shape", copy.deepcopy(expr))  # ``A[0, 0]`` may be a number, which numba gives no .shape
        if not arrays:
            return ir.Attribute(copy.deepcopy(expr), "shape")
        shapes = [self.shape_of(a) for a in arrays]
        return shapes[0] if len(shapes) == 1 else ir.Call("numpy.broadcast_shapes", shapes)

    def product_operands(self, expr: ir.Expr) -> list[ir.Expr] | None:
        """The two operands of ``a @ b``, ``np.matmul``, or ``np.dot`` and
        ``a.dot(b)`` of arrays; None for any other expression."""
        if isinstance(expr, ir.BinOp) and expr.op == "@" or isinstance(expr, ir.Call) and expr.func == "numpy.matmul":
            return list(expr.args) if isinstance(expr, ir.Call) else [expr.left, expr.right]  # arrays, or an error
        if isinstance(expr, ir.Call) and expr.func in ("numpy.dot", "method.dot") \
                and all(self.type(o).is_array for o in expr.args):  # np.dot(a, 2.0) scales
            return list(expr.args)
        return None

    def _pair(self, expr: ir.Expr, parts: list[tuple[ir.Expr, ir.Expr | None]]) -> list[ir.Stmt]:
        """The increments of the operands of an elementwise operation, each
        given its seed; where two arrays meet, either may be broadcast."""
        on_arrays = self.type(expr).is_array
        stretched = on_arrays and (self.stretched or sum(self.type(o).is_array for o in self.operands(expr)) > 1)
        out: list[ir.Stmt] = []
        for operand, seed in parts:
            if seed is not None and self.is_active(operand):
                if on_arrays and not self.type(operand).is_array:
                    out += self.increments(operand, self.total(seed))
                else:
                    out += self.increments(operand, seed, stretched)
        return out

    # -- leaves ----------------------------------------------------------------------

    def _Name(self, e: ir.Name, seed: ir.Expr) -> list[ir.Stmt]:
        if e.id not in self.facts.active:
            return []
        if self.type(e).kind == "tuple":
            return self.refuse(e, "a tuple-valued variable")
        return [self.add_to(ir.Name(self.bar(e.id), e.pos), e, seed)]

    def _Subscript(self, e: ir.Subscript, seed: ir.Expr) -> list[ir.Stmt]:
        if not isinstance(e.value, ir.Name):
            return self.refuse(e, "a subscript of an expression")
        if self.type(e.value).kind == "tuple":
            return self.tuple_item(e, seed)
        target = ir.Subscript(ir.Name(self.bar(e.value.id)), copy.deepcopy(e.index), e.pos)
        return [self.add_to(target, e, seed)]

    def tuple_item(self, e: ir.Subscript, seed: ir.Expr) -> list[ir.Stmt]:
        """``t[k]`` (or ``a, b = t``) of a tuple parameter ``t`` of scalars
        with a constant ``k``: its adjoint is the scalar ``item_bar(t, k)``
        (the adjoint of ``t`` is the tuple of them, see ``ReverseFunction.
        assemble``)."""
        name, items = e.value.id, self.type(e.value).items
        index = build.int_value(e.index[0]) if len(e.index) == 1 else None
        if name not in {p.name for p in self.facts.func.params}:
            return self.refuse(e, f"reading an item of the local tuple '{name}'")
        if index is None or not -len(items) <= index < len(items):
            return self.refuse(e, f"an item of the tuple '{name}' at an index that is not a constant")
        if items[index].is_array:
            return self.refuse(e, f"an array held in the tuple '{name}'")
        return [self.add_to(ir.Name(self.item_bar(name, index % len(items)), e.pos), e, seed)]

    def item_bar(self, name: str, index: int) -> str:
        """The adjoint of item ``index`` of the tuple parameter ``name``:
        ``t0_bar``, ``t1_bar`` …"""
        key = (name, index)
        if key not in self.item_bars:
            self.item_bars[key] = self.bar.fresh(f"{name}{index}_bar")
        return self.item_bars[key]

    def add_to(self, target: ir.Expr, leaf: ir.Expr, seed: ir.Expr) -> ir.Stmt:
        """The statement that adds ``seed`` into ``target``, the adjoint of
        the variable or subscript ``leaf``: a product's adjoint is computed
        straight into it (``ACCUMULATING``); a view of an array, or an
        array whose seed was stretched, goes through ``_add_into``."""
        on_array = self.type(leaf).is_array
        into = isinstance(leaf, ir.Name) or self.is_view(leaf)  # adding into ``target`` adds into the adjoint
        accumulating = isinstance(seed, ir.Call) and seed.func in ACCUMULATING \
            and isinstance(seed.args[-1], ir.Const) and seed.args[-1].value is None
        # an operand of @ is an array whatever its type says (``xs[t]`` of a parameter of unknown ndim)
        if accumulating and into and not self.stretched and (on_array or isinstance(leaf, ir.Subscript)):
            return ir.ExprStmt(ir.Call(seed.func, seed.args[:-1] + [target], [], seed.pos), leaf.pos)
        if on_array and not self.type(leaf).ndim and into and isinstance(leaf, ir.Subscript) \
                and not any(isinstance(i, ir.Slice) for i in leaf.index) and not self.is_row(leaf):
            # ``A[0, 0]`` of an ``A`` of unknown ndim: a number where A has as many dimensions as indices, and
            # then no view to add into; ``A_bar[0, 0] = A_bar[0, 0] + `` the seed summed to its shape serves
            # either way (numba has no ``+=`` of a 0-d array into a number)
            fitted = build.call("module._unbroadcast", seed, build.call("numpy.shape", copy.deepcopy(target)))
            return ir.Assign(target, ir.BinOp("+", copy.deepcopy(target), fitted), leaf.pos)
        if on_array and into and (self.stretched or isinstance(leaf, ir.Subscript)):
            seed, factor = _constant_factor(seed)
            return ir.ExprStmt(build.call("module._add_into", target, seed, *factor), leaf.pos)
        if self.stretched:
            seed = self.fit(seed, leaf)
        return self.target.accumulate(target, seed, leaf.pos)

    def is_row(self, expr: ir.Subscript) -> bool:
        """Whether the body shows ``expr``'s array to have more dimensions
        than the integer indices of ``expr`` take (``M[0]`` of an ``M`` a
        reduction shows to be a matrix), so that ``expr`` is a view whatever
        the array's ndim: its adjoint is added into through ``_add_into``,
        which also shows a reader of the reverse module (adxform hvp) that
        ``M_bar[0]`` is a row."""
        base = expr.value.id if isinstance(expr.value, ir.Name) else None
        return self.facts.types.least.get(base, 0) > len(consuming(expr.index))

    def is_view(self, expr: ir.Expr) -> bool:
        """Whether ``expr`` is a subscript that numba makes a view of (basic
        indexing: slices and integers), so that adding into it adds into
        the array; advanced indexing (an array of indices) makes a copy."""
        return isinstance(expr, ir.Subscript) and all(
            isinstance(i, ir.Slice) or self.type(i).kind == "int" for i in expr.index)

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
        a, b = e.left, e.right
        cp = copy.deepcopy
        if e.op == "/" and id(e) in self.results and self.is_active(b):
            # y = a / b with y at hand: b receives -(seed / b) * y, a the same seed / b, and no
            # second division (one of the costliest operations in a loop that is not vectorised)
            pre, over_b = self.shared(build.div(seed, cp(b)), 2 if both else 1)
            return pre + self._pair(e, [(a, over_b), (b, build.neg(build.mul(cp(over_b), cp(self.results[id(e)]))))])
        pre, seed = self.shared(seed, 2 if both else 1)
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

    _QualName = _Compare = _Slice = _Const

    def _BoolOp(self, e: ir.BoolOp, seed: ir.Expr) -> list[ir.Stmt]:
        if self.is_active(e):
            report_bool_value(self.reporter, e, self.facts.func.name)
        return []

    # -- calls -------------------------------------------------------------------------------

    def _Call(self, e: ir.Call, seed: ir.Expr) -> list[ir.Stmt]:
        if e.func.startswith("module."):
            raise InternalError(f"line {e.pos.line}:{e.pos.col}: internal error: the call of "
                                f"'{e.func[7:]}' was not hoisted out of its expression (normalize.py)")
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
        as it is, broadcast by ``+=``, an expression or a view gets it
        broadcast to its own shape first (``_add_into`` sums down, never
        up)."""
        x = e.args[0]
        axis = axis_of(e)
        weight = instantiate(partial, [x], e, on_arrays=True, math_style=False, axis=axis)
        part = build.mul(expand(seed, axis), weight)
        if not reads_argument(partial) and not isinstance(x, ir.Name) and self.type(x).is_array:
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


def _constant_factor(seed: ir.Expr) -> tuple[ir.Expr, list[ir.Const]]:
    """``seed`` as an expression and the constant it is scaled by, for
    ``_add_into`` to apply as it adds: ``-(2.0 * t)`` is ``t`` and -2.0,
    ``-t`` is ``t`` and -1.0; no factor (an empty list) for any other seed."""
    sign = 1.0
    if isinstance(seed, ir.UnaryOp) and seed.op == "-":
        sign, seed = -1.0, seed.operand
    if isinstance(seed, ir.BinOp) and seed.op == "*":
        for constant, other in ((seed.left, seed.right), (seed.right, seed.left)):
            if build.is_const(constant):
                return other, [ir.Const(sign * float(constant.value))]
    return seed, [] if sign == 1.0 else [ir.Const(sign)]
