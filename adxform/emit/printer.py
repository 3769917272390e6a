"""IR -> Python text: expressions with the fewest parentheses that keep their
meaning, statements with indentation and ``# model.py:12`` comments.

Qualified names are respelled for the generated module, which imports
``numpy as np``, ``math`` and ``numba`` only: "numpy.linalg.norm" prints as
``np.linalg.norm``, "module.helper" as ``helper``, "builtins.min" as ``min``
and "method.copy" as a method call on its first argument.
"""

from __future__ import annotations

from .. import ir

# binding strength: higher binds tighter (Python's grammar)
PRECEDENCE = {
    "ifexp": 1, "or": 2, "and": 3, "not": 4, "compare": 5,
    "+": 10, "-": 10, "*": 11, "/": 11, "//": 11, "%": 11, "@": 11,
    "unary": 12, "**": 13, "atom": 20,
}


def qualname(name: str) -> str:
    head, _, rest = name.partition(".")
    if head == "numpy":
        return "np." + rest
    if head in ("module", "builtins", "unknown"):
        return rest
    if head == "numba" and rest.startswith("cuda."):  # the simulator swaps the module's name ``cuda`` only
        return rest
    return name


def _number(value: float | int | bool | None) -> str:
    if value is Ellipsis:
        return "..."
    if isinstance(value, float):
        text = repr(value)
        return text if text not in ("inf", "-inf", "nan") else f"float('{text}')"
    return repr(value)


class ExprPrinter:
    """One method per expression kind; each returns (text, precedence)."""

    def text(self, node: ir.Expr) -> str:
        return self._print(node)[0]

    def _print(self, node: ir.Expr) -> tuple[str, int]:
        return getattr(self, "_" + type(node).__name__)(node)

    def _wrap(self, node: ir.Expr, minimum: int) -> str:
        text, prec = self._print(node)
        return f"({text})" if prec < minimum else text

    def _Name(self, node: ir.Name) -> tuple[str, int]:
        return node.id, PRECEDENCE["atom"]

    def _QualName(self, node: ir.QualName) -> tuple[str, int]:
        return qualname(node.qualname), PRECEDENCE["atom"]

    def _Const(self, node: ir.Const) -> tuple[str, int]:
        text = _number(node.value)
        negative = isinstance(node.value, (int, float)) and not isinstance(node.value, bool) and node.value < 0
        return text, PRECEDENCE["unary"] if negative else PRECEDENCE["atom"]

    def _BinOp(self, node: ir.BinOp) -> tuple[str, int]:
        prec = PRECEDENCE[node.op]
        if node.op == "**":  # right-associative, and binds tighter than a unary minus on its left
            left = self._wrap(node.left, prec + 1)
            right = self._wrap(node.right, PRECEDENCE["unary"])
        else:
            left = self._wrap(node.left, prec)
            right = self._wrap(node.right, prec + 1)
        return f"{left} {node.op} {right}", prec

    def _UnaryOp(self, node: ir.UnaryOp) -> tuple[str, int]:
        if node.op == "not":
            return f"not {self._wrap(node.operand, PRECEDENCE['not'])}", PRECEDENCE["not"]
        return f"{node.op}{self._wrap(node.operand, PRECEDENCE['unary'])}", PRECEDENCE["unary"]

    def _Compare(self, node: ir.Compare) -> tuple[str, int]:
        prec = PRECEDENCE["compare"]
        return f"{self._wrap(node.left, prec + 1)} {node.op} {self._wrap(node.right, prec + 1)}", prec

    def _BoolOp(self, node: ir.BoolOp) -> tuple[str, int]:
        prec = PRECEDENCE[node.op]
        return f" {node.op} ".join(self._wrap(v, prec + 1) for v in node.values), prec

    def _IfExp(self, node: ir.IfExp) -> tuple[str, int]:
        prec = PRECEDENCE["ifexp"]
        body = self._wrap(node.body, prec + 1)
        test = self._wrap(node.test, prec + 1)
        return f"{body} if {test} else {self._wrap(node.orelse, prec)}", prec

    def _Call(self, node: ir.Call) -> tuple[str, int]:
        args = [self.text(a) for a in node.args]
        if node.func.startswith("method."):
            receiver = self._wrap(node.args[0], PRECEDENCE["atom"])
            args = args[1:]
            func = f"{receiver}.{node.func.partition('.')[2]}"
        else:
            func = qualname(node.func)
        args += [f"{key}={self.text(value)}" for key, value in node.kwargs]
        return f"{func}({', '.join(args)})", PRECEDENCE["atom"]

    def _Subscript(self, node: ir.Subscript) -> tuple[str, int]:
        index = ", ".join(self.text(i) for i in node.index) or "()"
        return f"{self._wrap(node.value, PRECEDENCE['atom'])}[{index}]", PRECEDENCE["atom"]

    def _Slice(self, node: ir.Slice) -> tuple[str, int]:
        parts = [self.text(p) if p is not None else "" for p in (node.lower, node.upper)]
        text = ":".join(parts)
        if node.step is not None:
            text += ":" + self.text(node.step)
        return text, PRECEDENCE["atom"]

    def _Attribute(self, node: ir.Attribute) -> tuple[str, int]:
        return f"{self._wrap(node.value, PRECEDENCE['atom'])}.{node.attr}", PRECEDENCE["atom"]

    def _Tuple(self, node: ir.Tuple) -> tuple[str, int]:
        if len(node.items) == 1:
            return f"({self.text(node.items[0])},)", PRECEDENCE["atom"]
        return "(" + ", ".join(self.text(i) for i in node.items) + ")", PRECEDENCE["atom"]


class StmtPrinter:
    """Statements to indented lines; ``origin`` names the source file in the
    ``# file:line`` comment of each statement that comes from a source line."""

    def __init__(self, origin: str, indent: str = "    "):
        self.origin = origin
        self.indent = indent
        self.expr = ExprPrinter()

    def block(self, stmts: list[ir.Stmt], depth: int) -> list[str]:
        lines: list[str] = []
        for stmt in stmts:
            lines.extend(getattr(self, "_" + type(stmt).__name__)(stmt, depth))
        return lines or [self.indent * depth + "pass"]

    def _line(self, text: str, depth: int, pos: ir.Pos) -> str:
        comment = f"  # {self.origin}:{pos.line}" if pos.line else ""
        return f"{self.indent * depth}{text}{comment}"

    def _target(self, node: ir.Expr) -> str:
        if isinstance(node, ir.Tuple) and len(node.items) == 1:
            return self._target(node.items[0]) + ","
        if isinstance(node, ir.Tuple):
            return ", ".join(self._target(i) if not isinstance(i, ir.Tuple) else f"({self._target(i)})"
                             for i in node.items)
        return self.expr.text(node)

    def _Assign(self, stmt: ir.Assign, depth: int) -> list[str]:
        value = stmt.value
        if stmt.inplace and isinstance(value, ir.BinOp) and self.expr.text(value.left) == self.expr.text(stmt.target):
            right = self.expr.text(value.right)
            return [self._line(f"{self._target(stmt.target)} {value.op}= {right}", depth, stmt.pos)]
        text = self.expr.text(value)
        if isinstance(value, ir.Tuple) and isinstance(stmt.target, ir.Tuple) and len(value.items) > 1:
            text = text[1:-1]  # a, b = b, a
        return [self._line(f"{self._target(stmt.target)} = {text}", depth, stmt.pos)]

    def _ExprStmt(self, stmt: ir.ExprStmt, depth: int) -> list[str]:
        return [self._line(self.expr.text(stmt.value), depth, stmt.pos)]

    def _Return(self, stmt: ir.Return, depth: int) -> list[str]:
        if stmt.value is None:
            return [self._line("return", depth, stmt.pos)]
        text = self.expr.text(stmt.value)
        if isinstance(stmt.value, ir.Tuple) and len(stmt.value.items) > 1:
            text = text[1:-1]
        return [self._line(f"return {text}", depth, stmt.pos)]

    def _Break(self, stmt: ir.Break, depth: int) -> list[str]:
        return [self._line("break", depth, stmt.pos)]

    def _Continue(self, stmt: ir.Continue, depth: int) -> list[str]:
        return [self._line("continue", depth, stmt.pos)]

    def _Pass(self, stmt: ir.Pass, depth: int) -> list[str]:
        if stmt.note:
            return [self.indent * depth + "# " + stmt.note]
        return [self._line("pass", depth, stmt.pos)]

    def _For(self, stmt: ir.For, depth: int) -> list[str]:
        args = [stmt.start, stmt.stop, stmt.step]
        if _is_const(stmt.step, 1):
            args = [stmt.stop] if _is_const(stmt.start, 0) else [stmt.start, stmt.stop]
        text = f"for {stmt.var} in range({', '.join(self.expr.text(a) for a in args)}):"
        return [self._line(text, depth, stmt.pos)] + self.block(stmt.body, depth + 1)

    def _While(self, stmt: ir.While, depth: int) -> list[str]:
        head = self._line(f"while {self.expr.text(stmt.test)}:", depth, stmt.pos)
        return [head] + self.block(stmt.body, depth + 1)

    def _If(self, stmt: ir.If, depth: int, keyword: str = "if") -> list[str]:
        lines = [self._line(f"{keyword} {self.expr.text(stmt.test)}:", depth, stmt.pos)]
        lines += self.block(stmt.body, depth + 1)
        if len(stmt.orelse) == 1 and isinstance(stmt.orelse[0], ir.If):
            lines += self._If(stmt.orelse[0], depth, "elif")
        elif stmt.orelse:
            lines.append(self.indent * depth + "else:")
            lines += self.block(stmt.orelse, depth + 1)
        return lines


def _is_const(node: ir.Expr, value: int) -> bool:
    return isinstance(node, ir.Const) and node.value == value and not isinstance(node.value, bool)
