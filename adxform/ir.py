"""The one intermediate representation every pass speaks.

``parse`` lowers libcst into these nodes once; analyses read them and the
forward / reverse transforms build new trees of them; only ``emit`` turns
them back into text.  The node set is deliberately small: augmented
assignment is lowered to plain assignment, ``for`` only ranges over
``range``, chained comparisons become ``and`` of comparisons, and calls name
their callee by qualified name ("numpy.exp", "math.sin", "module.helper",
"builtins.min", "method.copy") so no pass ever needs to import user code.

Every node carries a ``Pos`` (1-based line and column of the source) so a
diagnostic or a ``# model.py:12`` comment can point at where it came from.
Nodes made by a transform copy the position of the source node they derive
from, or carry ``NOPOS``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union


@dataclass(frozen=True)
class Pos:
    line: int
    col: int
    end_line: int = 0
    end_col: int = 0
    file: str = ""  # set only for code from another file than the one compiled (--rules)


NOPOS = Pos(0, 0)


# --------------------------------------------------------------------------
# Types


@dataclass(frozen=True)
class Type:
    """A value's kind: a scalar, an array of scalars, a tuple, or nothing.

    ``kind`` is one of "float", "int", "bool", "array", "tuple", "none";
    arrays carry their element ``dtype`` ("float64", "float32", "int64",
    "bool") and ``ndim`` (0 when unknown); tuples carry their ``items``.
    """

    kind: str
    dtype: str = ""
    ndim: int = 0
    items: tuple["Type", ...] = ()

    @property
    def is_array(self) -> bool:
        return self.kind == "array"

    @property
    def is_differentiable(self) -> bool:
        """Float scalars, float arrays and tuples holding one of those."""
        if self.kind == "float":
            return True
        if self.kind == "array":
            return self.dtype.startswith("float")
        if self.kind == "tuple":
            return any(item.is_differentiable for item in self.items)
        return False

    def __str__(self) -> str:
        if self.kind == "array":
            return f"array({self.dtype}, {self.ndim}d)" if self.ndim else f"array({self.dtype})"
        if self.kind == "tuple":
            return "tuple(" + ", ".join(map(str, self.items)) + ")"
        return self.kind


FLOAT = Type("float")
INT = Type("int")
BOOL = Type("bool")
NONE = Type("none")


def float_array(ndim: int = 0, dtype: str = "float64") -> Type:
    return Type("array", dtype=dtype, ndim=ndim)


# --------------------------------------------------------------------------
# Expressions


@dataclass
class Name:
    id: str
    pos: Pos = NOPOS


@dataclass
class Const:
    value: Union[int, float, bool, str, None]  # str only in generated code: _reduce_axis(a, 0, "max")
    pos: Pos = NOPOS


@dataclass
class QualName:
    """A module-level name of numpy or math used as a value: "math.pi",
    "numpy.float32", or a constant of the module being differentiated
    ("module.TOL")."""

    qualname: str
    pos: Pos = NOPOS


@dataclass
class BinOp:
    op: str  # + - * / // % ** @
    left: "Expr"
    right: "Expr"
    pos: Pos = NOPOS


@dataclass
class UnaryOp:
    op: str  # - + not
    operand: "Expr"
    pos: Pos = NOPOS


@dataclass
class Compare:
    op: str  # < <= > >= == !=
    left: "Expr"
    right: "Expr"
    pos: Pos = NOPOS


@dataclass
class BoolOp:
    op: str  # and or
    values: list["Expr"]
    pos: Pos = NOPOS


@dataclass
class IfExp:
    test: "Expr"
    body: "Expr"
    orelse: "Expr"
    pos: Pos = NOPOS


@dataclass
class Call:
    """A call by qualified name: "math.sin", "numpy.zeros", "builtins.min",
    "module.helper" (a function of the module being differentiated), or
    "method.copy" (a method of the first argument, ``a.copy()``)."""

    func: str
    args: list["Expr"]
    kwargs: list[tuple[str, "Expr"]] = field(default_factory=list)
    pos: Pos = NOPOS


@dataclass
class Subscript:
    value: "Expr"
    index: list["Expr"]  # one entry per axis: expressions or Slice
    pos: Pos = NOPOS


@dataclass
class Slice:
    lower: "Expr | None"
    upper: "Expr | None"
    step: "Expr | None"
    pos: Pos = NOPOS


@dataclass
class Attribute:
    value: "Expr"
    attr: str  # shape size ndim T
    pos: Pos = NOPOS


@dataclass
class Tuple:
    items: list["Expr"]
    pos: Pos = NOPOS


Expr = Union[Name, Const, QualName, BinOp, UnaryOp, Compare, BoolOp, IfExp, Call, Subscript, Slice, Attribute, Tuple]


# --------------------------------------------------------------------------
# Statements


@dataclass
class Assign:
    """``target = value``; target is a Name, a Subscript or a Tuple of them.

    ``inplace`` marks ``x += e`` lowered to ``x = x + e``: the same for
    scalars and elements, but an update of the array object itself when
    ``x`` names an array, which aliases of ``x`` see."""

    target: Expr
    value: Expr
    pos: Pos = NOPOS
    inplace: bool = False


@dataclass
class ExprStmt:
    """An expression evaluated for its effect: a procedure call."""

    value: Expr
    pos: Pos = NOPOS


@dataclass
class For:
    """``for var in range(start, stop, step)``; ``over`` holds the arrays
    of a loop the user wrote over rows (``for a in x``, lowered to an index
    loop by ``parse/sugar.py``), which type inference checks are arrays."""

    var: str
    start: Expr
    stop: Expr
    step: Expr
    body: list["Stmt"]
    pos: Pos = NOPOS
    directive: "Directive | None" = None
    over: list[Expr] = field(default_factory=list)


@dataclass
class While:
    test: Expr
    body: list["Stmt"]
    pos: Pos = NOPOS
    directive: "Directive | None" = None


@dataclass
class If:
    test: Expr
    body: list["Stmt"]
    orelse: list["Stmt"]
    pos: Pos = NOPOS


@dataclass
class Return:
    value: Expr | None
    pos: Pos = NOPOS


@dataclass
class Break:
    pos: Pos = NOPOS


@dataclass
class Continue:
    pos: Pos = NOPOS


@dataclass
class Pass:
    """``pass``; with a ``note``, a comment line of the generated code
    instead (why a kernel's adjoint is added atomically, say)."""

    pos: Pos = NOPOS
    note: str = ""


Stmt = Union[Assign, ExprStmt, For, While, If, Return, Break, Continue, Pass]


@dataclass
class Directive:
    """An ``# adxform: name(key=value)`` comment above a loop."""

    name: str
    options: dict[str, int]
    pos: Pos = NOPOS


# --------------------------------------------------------------------------
# Functions and modules


@dataclass
class Param:
    name: str
    annotation: Type | None
    pos: Pos = NOPOS


@dataclass
class Function:
    name: str
    params: list[Param]
    body: list[Stmt]
    pos: Pos = NOPOS
    docstring: str | None = None
    returns: Type | None = None  # the annotation, if any
    target: str = "cpu"  # "cpu", "cuda-kernel", "cuda-device", "python" (never compiled: --instrument's wrappers)
    # array -> the fewest dimensions an earlier stage saw it has (adxform hvp reads the reverse module back, whose
    # code may no longer show them: a row reduced in a branch it leaves out); see types.least_ndim
    least_hints: dict[str, int] = field(default_factory=dict)


@dataclass
class Constant:
    """A module-level constant: a number or a tuple of numbers."""

    name: str
    value: Expr
    pos: Pos = NOPOS


@dataclass
class Module:
    filename: str
    source: str
    functions: dict[str, Function]
    constants: list[Constant]
    numpy_aliases: frozenset[str] = frozenset({"np", "numpy"})
    # Functions that are outside the subset: name -> diagnostics raised if a
    # differentiated function depends on them.
    rejected: dict[str, list] = field(default_factory=dict)
    # Functions adxform wrote and read back (the nested derivatives of nesting.py): never roots, and
    # a derivative generated under the same name takes their place
    derived: set[str] = field(default_factory=set)
    # whether adxform wrote this module (its header says so): its g_rev, g_vjp... are its own derivatives
    generated: bool = False
