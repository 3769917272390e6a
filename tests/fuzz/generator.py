"""Random programs of adxform's subset, as hypothesis strategies.

``programs()`` draws a module: a few private helpers (scalar functions,
procedures that write into an array, helpers that fill one array from
another, now and then called with one array for both, vector functions)
and one entry
function ``f`` that calls them, written as numba users write code: most
functions carry no annotations, some do.  The bodies mix loops over
``range``, bounded ``while`` loops, ``break``/``continue``/early
``return``, int counters and int index arrays, branches on data,
loop-carried values, slices, reductions, elementwise numpy and ``math``
functions and ``@``/``np.dot``.

The generator knows the kind of every parameter it invents (``Param``), so
``build_inputs`` makes matching arguments without reading annotations.  Two
rules keep programs finite and numerically tame: every loop has a bound
fixed before it starts (``range`` over the array length or a small int,
``while`` with a counter and a constant bound), and every function that
could leave its domain or grow fast gets an argument that keeps it inside
(``log(1 + x**2)``, ``exp(sin(x))``, ``x / (1 + y**2)``).

Choices are drawn from hypothesis strategies whose simplest value comes
first, so that hypothesis shrinks a failing program towards a small one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from hypothesis import strategies as st

FLOAT, INT, VECTOR, MATRIX, INDEX = "float", "int", "vector", "matrix", "index"
"""Parameter kinds: a float scalar, a small positive int (a trip count), a
float vector of the program's length ``n``, an ``n x n`` float matrix, an
int vector of ``n`` indices into the vectors."""

DIFFERENTIABLE = (FLOAT, VECTOR, MATRIX)

ANNOTATIONS = {FLOAT: "float", INT: "int", VECTOR: "np.ndarray", MATRIX: "np.ndarray",
               INDEX: "npt.NDArray[np.int64]"}

RETURN_ANNOTATIONS = {"float": "float", "vector": "np.ndarray", "pair": "tuple[float, float]", "none": "None"}


@dataclass(frozen=True)
class Param:
    name: str
    kind: str


@dataclass(frozen=True)
class Program:
    """A generated module and what is needed to call its entry function."""

    source: str
    entry: str
    params: tuple[Param, ...]
    returns: str  # "float", "vector", "pair" or "none" (a procedure)
    size: int  # the length n of every vector
    ints: tuple[tuple[str, int], ...]  # the value of each int parameter
    input_seed: int
    # differentiable parameters that adxform passes through, with no derivative: unannotated, the function never
    # reads them (the checker learns them from f_jvp and checks that the outputs do not depend on them)
    passed_through: tuple[int, ...] = ()

    @property
    def procedure(self) -> bool:
        return self.returns == "none"

    @property
    def differentiable(self) -> tuple[int, ...]:
        """Positions of the differentiable parameters."""
        return tuple(k for k, p in enumerate(self.params) if p.kind in DIFFERENTIABLE and k not in self.passed_through)


def build_inputs(program: Program, rng: np.random.Generator) -> list:
    """Arguments for the entry function: floats in [-1, 1] (away from 0 by
    0.1, where ``abs`` and friends have kinks), vectors and matrices of
    entries in [-1, 1], index vectors of valid indices, ints as drawn."""
    n = program.size
    ints = dict(program.ints)

    def away_from_zero(shape) -> np.ndarray:
        magnitude = rng.uniform(0.1, 1.0, shape)
        return np.where(rng.uniform(size=shape) < 0.5, -magnitude, magnitude)

    makers: dict[str, Callable[[Param], object]] = {
        FLOAT: lambda p: float(away_from_zero(())),
        INT: lambda p: ints[p.name],
        VECTOR: lambda p: away_from_zero(n),
        MATRIX: lambda p: away_from_zero((n, n)) / n,
        INDEX: lambda p: rng.integers(0, n, n).astype(np.int64),
    }
    return [makers[p.kind](p) for p in program.params]


# ------------------------------------------------------------------ expression templates

# Elementwise functions that stay finite and smooth for any finite argument;
# ``{m}`` is the module (``math`` or ``np`` for scalars, ``np`` for arrays).
UNARY = (
    "{m}.sin({x})",
    "{m}.cos({x})",
    "{m}.tanh({x})",
    "{m}.exp({m}.sin({x}))",
    "{m}.sqrt(1.0 + ({x}) ** 2)",
    "{m}.log(1.0 + ({x}) ** 2)",
    "{m}.exp(-(({x}) ** 2))",
    "({x}) / (1.0 + ({x}) ** 2)",
    "{atan}({x})",
    "{m}.log1p(({x}) ** 2)",
    "{m}.expm1({m}.tanh({x}))",
    "{asinh}({x})",
    "{m}.hypot({x}, 0.5)",
    "{abs}({x})",
    "({x}) ** 2",
    "({x}) ** 3",
)
MATH_ONLY = ("math.erf({x})",)
SPELLINGS = {"math": {"atan": "math.atan", "asinh": "math.asinh", "atan2": "math.atan2", "abs": "abs"},
             "np": {"atan": "np.arctan", "asinh": "np.arcsinh", "atan2": "np.arctan2", "abs": "np.abs"}}

BINARY = (
    "{a} + {b}",
    "{a} * {b}",
    "{a} - {b}",
    "({a}) / (1.0 + ({b}) ** 2)",
    "({a}) / (2.0 + {m}.cos({b}))",
    "{maximum}({a}, {b})",
    "{minimum}({a}, {b})",
    "{atan2}({a}, 1.5 + {m}.sin({b}))",
)
SCALAR_BINARY_SPELLING = {"maximum": "max", "minimum": "min"}
ARRAY_BINARY_SPELLING = {"maximum": "np.maximum", "minimum": "np.minimum"}

# (a norm's argument is kept away from zero, where its derivative is nan by
# convention: ``w - w`` is a program the generator can write)
REDUCTIONS = ("np.sum({v})", "np.mean({v})", "np.max({v})", "np.min({v})", "({v}).sum()",
              "np.linalg.norm(0.5 + {v})", "np.prod(1.0 + 0.5 * np.tanh({v}))")

COMPARISONS = (">", "<", ">=", "<=")

# Slices of a vector of length n by the length they leave (n - 1, n - 2).
SLICES = {1: ("[1:]", "[:-1]"), 2: ("[2:]", "[:-2]", "[1:-1]")}


# ------------------------------------------------------------------ function bodies


@dataclass
class Helper:
    """A generated helper function, by what the entry function may call."""

    name: str
    # "scalar" (vector, float) -> float, "procedure" (vector, float), "vector" (vector, float) -> vector,
    # "fill" (vector, out, float): writes every element of out before anything reads it
    kind: str
    source: str


@dataclass
class Scope:
    """What a function body may read at the current point."""

    floats: list[str] = field(default_factory=list)
    vectors: list[str] = field(default_factory=list)  # length n
    matrices: list[str] = field(default_factory=list)
    indexes: list[str] = field(default_factory=list)  # int vectors of valid indices
    int_params: list[str] = field(default_factory=list)  # small positive ints (trip counts)
    counters: list[str] = field(default_factory=list)  # int locals
    loop_vars: list[str] = field(default_factory=list)  # ints in [0, n)
    writable: list[str] = field(default_factory=list)  # vectors the body may write into

    def copy(self) -> Scope:
        return Scope(*(list(getattr(self, f)) for f in self.__dataclass_fields__))


class Body:
    """Draws the statements of one function body."""

    def __init__(self, draw, helpers: list[Helper], max_depth: int = 2):
        self.draw = draw
        self.helpers = helpers
        self.max_depth = max_depth
        self.lines: list[str] = []
        self.fresh_counts: dict[str, int] = {}
        self.return_kind = "float"

    # -- drawing helpers

    def pick(self, options):
        return self.draw(st.sampled_from(list(options)))

    def chance(self, percent: int) -> bool:
        """True with about ``percent`` % odds; shrinks to False."""
        return self.draw(st.integers(0, 99)) >= 100 - percent

    def fresh(self, stem: str) -> str:
        self.fresh_counts[stem] = self.fresh_counts.get(stem, 0) + 1
        count = self.fresh_counts[stem]
        return stem if count == 1 else f"{stem}{count}"

    def emit(self, indent: int, text: str) -> None:
        self.lines.append("    " * indent + text)

    # -- expressions

    def module(self) -> str:
        return self.pick(["math", "np"])

    def index(self, scope: Scope) -> str:
        options = ["0", "-1", "n - 1", "n // 2"]
        for var in scope.loop_vars:
            options += [var, f"{var} - 1", f"n - 1 - {var}"]
            options += [f"{idx}[{var}]" for idx in scope.indexes]
        return self.pick(options)

    def scalar(self, scope: Scope, depth: int) -> str:
        leaves = ["const"]
        if scope.floats:
            leaves += ["float", "float"]
        if scope.vectors:
            leaves += ["element", "element"]
        if scope.matrices:
            leaves.append("matrix_element")
        if scope.loop_vars or scope.counters:
            leaves.append("int")
        kinds = list(leaves)
        if depth > 0:
            kinds += ["unary", "binary", "binary", "conditional"]
            if scope.vectors or scope.matrices:
                kinds += ["reduction", "dot"]
            if scope.vectors and any(h.kind == "scalar" for h in self.helpers):
                kinds.append("call")
        kind = self.pick(kinds)
        return getattr(self, f"_scalar_{kind}")(scope, depth)

    def _scalar_const(self, scope, depth):
        return self.pick(["0.5", "1.5", "0.25", "2.0", "0.1"])

    def _scalar_float(self, scope, depth):
        return self.pick(scope.floats)

    def _scalar_element(self, scope, depth):
        return f"{self.pick(scope.vectors)}[{self.index(scope)}]"

    def _scalar_matrix_element(self, scope, depth):
        return f"{self.pick(scope.matrices)}[{self.index(scope)}, {self.index(scope)}]"

    def _scalar_int(self, scope, depth):
        return f"0.1 * {self.pick(scope.loop_vars + scope.counters)}"

    def _scalar_unary(self, scope, depth):
        m = self.module()
        templates = UNARY + (MATH_ONLY if m == "math" else ())
        return self.pick(templates).format(m=m, x=self.scalar(scope, depth - 1), **SPELLINGS[m])

    def _scalar_binary(self, scope, depth):
        m = self.module()
        return self.pick(BINARY).format(a=self.scalar(scope, depth - 1), b=self.scalar(scope, depth - 1), m=m,
                                        **SCALAR_BINARY_SPELLING, **SPELLINGS[m])

    def _scalar_conditional(self, scope, depth):
        return f"({self.scalar(scope, depth - 1)} if {self.condition(scope)} else {self.scalar(scope, depth - 1)})"

    def _scalar_reduction(self, scope, depth):
        if scope.matrices and self.chance(30):
            return self.pick(["np.sum({v})", "np.max({v})", "np.mean({v})", "np.linalg.norm(0.5 + {v})"]).format(
                v=self.matrix(scope, depth - 1))
        return self.pick(REDUCTIONS).format(v=self.vector(scope, depth - 1, self.slice_length()))

    def _scalar_dot(self, scope, depth):
        length = self.slice_length()
        a, b = self.vector(scope, depth - 1, length), self.vector(scope, depth - 1, length)
        return self.pick(["np.dot({a}, {b})", "({a}) @ ({b})", "np.sum(({a}) * ({b}))"]).format(a=a, b=b)

    def _scalar_call(self, scope, depth):
        helper = self.pick([h for h in self.helpers if h.kind == "scalar"])
        return f"{helper.name}({self.pick(scope.vectors)}, {self.scalar(scope, depth - 1)})"

    def slice_length(self) -> int:
        return self.pick([0, 0, 1, 2])

    def vector(self, scope: Scope, depth: int, cut: int = 0) -> str:
        """A float vector of length n - cut."""
        kinds = ["leaf", "leaf"]
        if cut == 0 and scope.matrices:
            kinds += ["matvec", "row", "axis"]
        if depth > 0:
            kinds += ["unary", "binary", "binary", "scaled"]
            if cut == 0 and any(h.kind == "vector" for h in self.helpers):
                kinds.append("call")
        kind = self.pick(kinds)
        return getattr(self, f"_vector_{kind}")(scope, depth, cut)

    def fresh_vector(self, scope: Scope, depth: int) -> str:
        """A float vector of length n held in a new array (never a view of
        or an alias for an argument, which a caller could then write into)."""
        kinds = ["unary", "binary", "scaled"] + (["matvec", "axis"] if scope.matrices else [])
        return getattr(self, f"_vector_{self.pick(kinds)}")(scope, max(depth, 1), 0)

    def _vector_leaf(self, scope, depth, cut):
        name = self.pick(scope.vectors)
        return name if cut == 0 else name + self.pick(SLICES[cut])

    def _vector_matvec(self, scope, depth, cut):
        m = self.pick(scope.matrices)
        v = self.vector(scope, depth - 1) if depth > 0 else self.pick(scope.vectors)
        return self.pick(["{m} @ ({v})", "np.dot({m}, {v})", "{m}.T @ ({v})", "({v}) @ {m}"]).format(m=m, v=v)

    def _vector_row(self, scope, depth, cut):
        return f"{self.pick(scope.matrices)}[{self.index(scope)}]"

    def _vector_axis(self, scope, depth, cut):
        # numba compiles only np.sum with axis= (the primal must compile)
        return f"np.sum({self.pick(scope.matrices)}, axis={self.pick([0, 1])})"

    def _vector_unary(self, scope, depth, cut):
        return self.pick(UNARY).format(m="np", x=self.vector(scope, depth - 1, cut), **SPELLINGS["np"])

    def _vector_binary(self, scope, depth, cut):
        return self.pick(BINARY).format(a=self.vector(scope, depth - 1, cut), b=self.vector(scope, depth - 1, cut),
                                        m="np", **ARRAY_BINARY_SPELLING, **SPELLINGS["np"])

    def _vector_scaled(self, scope, depth, cut):
        return f"{self.scalar(scope, depth - 1)} * ({self.vector(scope, depth - 1, cut)})"

    def _vector_call(self, scope, depth, cut):
        helper = self.pick([h for h in self.helpers if h.kind == "vector"])
        return f"{helper.name}({self.pick(scope.vectors)}, {self.scalar(scope, depth - 1)})"

    def matrix(self, scope: Scope, depth: int) -> str:
        kinds = ["leaf"] if scope.matrices else ["outer"]
        if depth > 0 and scope.matrices:
            kinds += ["unary", "binary", "scaled", "transpose", "product"]
            if scope.vectors:
                kinds.append("outer")
        kind = self.pick(kinds)
        if kind == "leaf":
            return self.pick(scope.matrices)
        if kind == "outer":
            return f"np.outer({self.pick(scope.vectors)}, {self.pick(scope.vectors)})"
        if kind == "unary":
            return self.pick(UNARY).format(m="np", x=self.matrix(scope, depth - 1), **SPELLINGS["np"])
        if kind == "binary":
            return self.pick(BINARY[:3]).format(a=self.matrix(scope, depth - 1), b=self.matrix(scope, depth - 1))
        if kind == "scaled":
            return f"{self.scalar(scope, depth - 1)} * {self.matrix(scope, depth - 1)}"
        if kind == "transpose":
            return f"({self.matrix(scope, depth - 1)}).T"
        return f"({self.matrix(scope, depth - 1)}) @ ({self.matrix(scope, depth - 1)})"

    def condition(self, scope: Scope) -> str:
        options = ["data"]
        if scope.counters:
            options.append("counter")
        kind = self.pick(options)
        if kind == "counter":
            return f"{self.pick(scope.counters)} {self.pick(COMPARISONS)} {self.pick(['1', '2'])}"
        threshold = self.pick(["0.0", "0.3", "-0.2", "1.0"])
        return f"{self.scalar(scope, 1)} {self.pick(COMPARISONS)} {threshold}"

    def expression(self, scope: Scope, kind: str, depth: int = 2) -> str:
        """A value of a function's return kind."""
        if kind == "vector":
            return self.fresh_vector(scope, depth)
        if kind == "pair":
            return f"{self.scalar(scope, depth)}, {self.scalar(scope, depth)}"
        return self.scalar(scope, depth)

    # -- statements

    def block(self, scope: Scope, indent: int, depth: int, in_loop: bool, min_size: int = 1) -> None:
        """Draw statements into ``self.lines`` at ``indent``; ``scope`` grows
        with the names they bind (a nested block gets a copy, so that names
        bound there, perhaps not on every path, are not read after it)."""
        count = self.draw(st.integers(min_size, 4 if depth == 0 else 3))
        for _ in range(count):
            self.statement(scope, indent, depth, in_loop)

    def statement(self, scope: Scope, indent: int, depth: int, in_loop: bool) -> None:
        kinds = ["assign", "assign", "augment"]
        if scope.vectors:
            kinds += ["local_vector"]
        if scope.writable:
            kinds += ["element_write", "slice_write"]
        if scope.writable and any(h.kind == "procedure" for h in self.helpers):
            kinds.append("procedure_call")
        if scope.writable and any(h.kind == "fill" for h in self.helpers):
            kinds.append("fill_call")
        if scope.matrices or scope.vectors:
            kinds.append("local_matrix")
        if depth < self.max_depth:
            kinds += ["for", "for", "if", "while"]
        if depth == 0 and scope.vectors:
            kinds.append("index_array")
        if in_loop:
            kinds += ["carried", "jump"]
        if self.return_kind != "none":
            kinds.append("early_return")
        kind = self.pick(kinds)
        getattr(self, f"_stmt_{kind}")(scope, indent, depth, in_loop)

    def _stmt_assign(self, scope, indent, depth, in_loop):
        target = self.fresh("t")
        self.emit(indent, f"{target} = {self.scalar(scope, 2)}")
        scope.floats.append(target)

    def _stmt_augment(self, scope, indent, depth, in_loop):
        if not scope.floats:
            return self._stmt_assign(scope, indent, depth, in_loop)
        target = self.pick(scope.floats)
        op = self.pick(["+=", "-=", "*="])
        value = self.scalar(scope, 2)
        if op == "*=":
            value = f"(1.0 + 0.5 * np.tanh({value}))"
        self.emit(indent, f"{target} {op} {value}")

    def _stmt_carried(self, scope, indent, depth, in_loop):
        if not scope.floats:
            return self._stmt_assign(scope, indent, depth, in_loop)
        target = self.pick(scope.floats)
        template = self.pick(["0.5 * {s} + {e}", "{m}.tanh({s}) + {e}", "{s} * {m}.cos({e}) + 0.1",
                              "{m}.sin({s} + {e})"])
        self.emit(indent, f"{target} = " + template.format(s=target, e=self.scalar(scope, 1), m=self.module()))

    def _stmt_local_vector(self, scope, indent, depth, in_loop):
        target = self.fresh("w")
        source = self.pick(["{v}.copy()", "np.copy({v})", "{v} + 0.0", "np.zeros(n)", "np.zeros_like({v})",
                            "np.ones(n)", "fill", "expr"])
        if source == "expr":
            self.emit(indent, f"{target} = {self.fresh_vector(scope, 2)}")
        elif source == "fill":
            loop_var = self.fresh("i")
            self.emit(indent, f"{target} = np.empty(n)")
            self.emit(indent, f"for {loop_var} in range(n):")
            inner = scope.copy()
            inner.loop_vars.append(loop_var)
            self.emit(indent + 1, f"{target}[{loop_var}] = {self.scalar(inner, 2)}")
        else:
            self.emit(indent, f"{target} = " + source.format(v=self.pick(scope.vectors)))
        scope.vectors.append(target)
        scope.writable.append(target)

    def _stmt_local_matrix(self, scope, indent, depth, in_loop):
        target = self.fresh("A")
        self.emit(indent, f"{target} = {self.matrix(scope, 1)}")
        scope.matrices.append(target)

    def _stmt_element_write(self, scope, indent, depth, in_loop):
        target = self.pick(scope.writable)
        op = self.pick(["=", "+=", "-="])
        self.emit(indent, f"{target}[{self.index(scope)}] {op} {self.scalar(scope, 2)}")

    def _stmt_slice_write(self, scope, indent, depth, in_loop):
        """``u[1:] = ...`` from the old slice: a bounded increment or a
        contraction, as a loop may repeat it (``u[1:] = u[1:] + u[1:] *
        u[1:]`` eighteen times overflows)."""
        target = self.pick(scope.writable)
        cut = self.pick([1, 2])
        where = self.pick(SLICES[cut])
        update = self.pick(["{t} + 0.5 * np.tanh({v})", "0.5 * ({t} + np.sin({v}))"])
        self.emit(indent, f"{target}{where} = " + update.format(t=target + where, v=self.vector(scope, 1, cut)))

    def _stmt_procedure_call(self, scope, indent, depth, in_loop):
        helper = self.pick([h for h in self.helpers if h.kind == "procedure"])
        self.emit(indent, f"{helper.name}({self.pick(scope.writable)}, {self.scalar(scope, 1)})")

    def _stmt_fill_call(self, scope, indent, depth, in_loop):
        helper = self.pick([h for h in self.helpers if h.kind == "fill"])
        out = self.pick(scope.writable)
        others = [v for v in scope.vectors if v != out]
        source = self.pick([out] + others * (12 // len(others)) if others else [out])  # out: refused in reverse
        self.emit(indent, f"{helper.name}({source}, {out}, {self.scalar(scope, 1)})")

    def _stmt_for(self, scope, indent, depth, in_loop):
        loop_var = self.fresh("i")
        ranges = ["range(3)", "range(1, 3)", "range(n)", "range(n)", "range(1, n)", "range(n - 1, -1, -1)",
                  "range(0, n, 2)"] + [f"range({v})" for v in scope.loop_vars]
        ranges += [f"range({k})" for k in scope.int_params]
        self.emit(indent, f"for {loop_var} in {self.pick(ranges)}:")
        inner = scope.copy()
        inner.loop_vars.append(loop_var)
        self.block(inner, indent + 1, depth + 1, in_loop=True)

    def _stmt_while(self, scope, indent, depth, in_loop):
        counter = self.fresh("k")
        self.ensure_float(scope, indent)
        watched = self.pick(scope.floats)
        self.emit(indent, f"{counter} = 0")
        self.emit(indent, f"while {counter} < {self.pick(['3', '5'])} and {watched} < {self.pick(['2.0', '5.0'])}:")
        self.emit(indent + 1, f"{counter} += 1")
        inner = scope.copy()
        self.block(inner, indent + 1, depth + 1, in_loop=True)

    def _stmt_index_array(self, scope, indent, depth, in_loop):
        """A local int array of indices (a permutation), filled in a loop."""
        target = self.fresh("perm")
        loop_var = self.fresh("i")
        shift = self.pick(["1", "2", "n - 1"])
        self.emit(indent, f"{target} = np.zeros(n, dtype=np.int64)")
        self.emit(indent, f"for {loop_var} in range(n):")
        self.emit(indent + 1, f"{target}[{loop_var}] = ({loop_var} + {shift}) % n")
        scope.indexes.append(target)

    def _stmt_if(self, scope, indent, depth, in_loop):
        self.ensure_float(scope, indent)
        if self.chance(30):
            counter = self.fresh("c")
            self.emit(indent, f"{counter} = 0")
            scope.counters.append(counter)
            body_prefix = [f"{counter} += 1"]
        else:
            body_prefix = []
        self.emit(indent, f"if {self.condition(scope)}:")
        for line in body_prefix:
            self.emit(indent + 1, line)
        then = scope.copy()
        self.block(then, indent + 1, depth + 1, in_loop)
        if self.chance(50):
            self.emit(indent, "else:")
            other = scope.copy()
            self.block(other, indent + 1, depth + 1, in_loop)
    
    def _stmt_jump(self, scope, indent, depth, in_loop):
        self.emit(indent, f"if {self.condition(scope)}:")
        self.emit(indent + 1, self.pick(["break", "continue"]))

    def _stmt_early_return(self, scope, indent, depth, in_loop):
        self.emit(indent, f"if {self.condition(scope)}:")
        self.emit(indent + 1, f"return {self.expression(scope, self.return_kind)}")

    def ensure_float(self, scope: Scope, indent: int) -> None:
        """Bind a float local when there is none (a ``while`` watches one)."""
        if not scope.floats:
            self._stmt_assign(scope, indent, 0, False)


# ------------------------------------------------------------------ functions and modules


def _signature(name: str, params: list[Param], returns: str, annotated: bool) -> str:
    if not annotated:
        return f"def {name}({', '.join(p.name for p in params)}):"
    args = ", ".join(f"{p.name}: {ANNOTATIONS[p.kind]}" for p in params)
    return f"def {name}({args}) -> {RETURN_ANNOTATIONS[returns]}:"


def _used(name: str, lines: list[str]) -> bool:
    pattern = re.compile(rf"\b{re.escape(name)}\b")
    return any(pattern.search(line) for line in lines)


@st.composite
def helpers(draw) -> list[Helper]:
    """Zero to two helpers; the second may call the first."""
    made: list[Helper] = []
    for position in range(draw(st.integers(0, 2))):
        kind = draw(st.sampled_from(["scalar", "procedure", "vector", "fill"]))
        name = f"_{kind[0]}{position}"
        made.append(Helper(name, kind, _helper_source(draw, name, kind, list(made))))
    return made


def _helper_source(draw, name: str, kind: str, callable_helpers: list[Helper]) -> str:
    annotated = draw(st.integers(0, 99)) >= 80
    body = Body(draw, callable_helpers, max_depth=1)
    body.return_kind = {"scalar": "float", "vector": "vector", "procedure": "none", "fill": "none"}[kind]
    scope = Scope(floats=["x"], vectors=["v"], writable=["v"] if kind == "procedure" else [])
    params = [Param("v", VECTOR), Param("x", FLOAT)]
    if kind == "fill":  # out may be longer or shorter than v: v is read round
        params.insert(1, Param("out", VECTOR))
        scope.vectors.append("out")
        scope.writable.append("out")
        loop_var = body.fresh("i")
        body.emit(1, "n = out.shape[0]")
        body.emit(1, f"for {loop_var} in range(n):")
        inner = scope.copy()
        inner.loop_vars.append(loop_var)
        read = f"v[{loop_var} % v.shape[0]]"
        body.emit(2, f"out[{loop_var}] = {body.pick(['0.5 * {r}', 'np.tanh({r})', '{r} * {r}']).format(r=read)}"
                     f" + {body.scalar(inner, 2)}")
        body.block(scope, 1, 1, in_loop=False, min_size=0)
        if not _used("x", body.lines):
            body.emit(1, "out[0] += 0.1 * x")
        return "\n".join([_signature(name, params, body.return_kind, annotated)] + body.lines)
    body.emit(1, "n = v.shape[0]")
    if kind == "procedure":
        loop_var = body.fresh("i")
        body.emit(1, f"for {loop_var} in range(n):")
        inner = scope.copy()
        inner.loop_vars.append(loop_var)
        body.emit(2, f"v[{loop_var}] = {body.pick(['0.5 * v[{i}]', 'v[{i}]', 'np.tanh(v[{i}])']).format(i=loop_var)}"
                     f" + {body.scalar(inner, 2)}")
        body.block(scope, 1, 1, in_loop=False, min_size=0)
        if not _used("x", body.lines):
            body.emit(1, "v[0] += 0.1 * x")
    else:
        body.block(scope, 1, 1, in_loop=False, min_size=0)
        value = body.expression(scope, body.return_kind)
        body.emit(1, f"return {value}" + ("" if _used("x", body.lines + [value]) else " + 0.1 * x"))
    return "\n".join([_signature(name, params, body.return_kind, annotated)] + body.lines)


@st.composite
def programs(draw) -> Program:
    """A module with helpers and an entry function ``f``, and the facts
    needed to call ``f``."""
    made = draw(helpers())
    returns = draw(st.sampled_from(["float", "float", "float", "float", "vector", "pair", "none"]))
    pool = [Param("u", VECTOR), Param("x", FLOAT), Param("y", FLOAT), Param("v", VECTOR), Param("M", MATRIX),
            Param("K", INT), Param("idx", INDEX)]
    chosen = [p for p in pool if draw(st.booleans()) or p.name == "u"]
    body = Body(draw, made)
    body.return_kind = returns
    scope = Scope(
        floats=[p.name for p in chosen if p.kind == FLOAT],
        vectors=[p.name for p in chosen if p.kind == VECTOR],
        matrices=[p.name for p in chosen if p.kind == MATRIX],
        indexes=[p.name for p in chosen if p.kind == INDEX],
        int_params=[p.name for p in chosen if p.kind == INT],
        writable=["u"] if returns == "none" else [],
    )
    body.emit(1, body.pick(["n = u.shape[0]", "n = len(u)"]))
    if returns != "none":
        accumulator = body.fresh("s")
        body.emit(1, f"{accumulator} = 0.0")
        scope.floats.append(accumulator)
    body.block(scope, 1, 0, in_loop=False)
    if returns != "none":
        body.emit(1, f"return {_final_return(body, scope, returns)}")
    else:
        floats = "".join(f" + 0.1 * {name}" for name in ["x", "y"] if name in scope.floats)
        body.emit(1, f"u[0] += {body.scalar(scope, 1)}{floats}")
    params = [p for p in chosen if _used(p.name, body.lines)]
    annotated = draw(st.integers(0, 99)) >= 80
    lines = ["import math", "", "import numpy as np"]
    if annotated or any("npt." in h.source for h in made):
        lines.append("import numpy.typing as npt")
    text = "\n".join(lines) + "\n"
    for helper in made:
        text += "\n\n" + helper.source + "\n"
    text += "\n\n" + "\n".join([_signature("f", params, returns, annotated)] + body.lines) + "\n"
    ints = tuple((p.name, draw(st.integers(1, 3))) for p in params if p.kind == INT)
    return Program(text, "f", tuple(params), returns, draw(st.integers(3, 6)), ints, draw(st.integers(0, 2**16)))


def _final_return(body: Body, scope: Scope, returns: str) -> str:
    """The return value: it reads the accumulator ``s`` and every float
    parameter, as a user's function does (a parameter read only in dead
    code has no use that types it: adxform rightly asks for an annotation)."""
    extra = " + ".join(f"0.1 * {name}" for name in ["s", "x", "y"] if name in scope.floats)
    if returns == "float":
        return f"{body.scalar(scope, 2)} + {extra}"
    if returns == "pair":
        return f"{body.scalar(scope, 2)} + {extra}, {body.scalar(scope, 2)}"
    return f"{body.fresh_vector(scope, 2)} + ({extra})"
