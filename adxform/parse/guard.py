"""Refuse input that would crash the parser before libcst ever sees it.

libcst's native parser can take the whole process down on very deeply
nested input (thousands of nested parentheses or terms), and ``ast.parse``
raises RecursionError there.  ``ast`` is run first, inside a guard, and the
depth of its tree is measured without recursion; anything deeper than
``MAX_DEPTH`` is a diagnostic, so the recursive passes after it stay far
from Python's recursion limit.
"""

from __future__ import annotations

import ast

from ..diagnostics import Reporter
from ..ir import Pos

MAX_DEPTH = 100


def _deepest(tree: ast.AST) -> tuple[int, Pos]:
    """The depth of the deepest node, and the position of the outermost
    expression on its path (where the nesting starts)."""
    stack: list[tuple[ast.AST, int, Pos | None]] = [(tree, 0, None)]
    deepest: tuple[int, Pos] = (0, Pos(1, 1))
    while stack:
        node, depth, start = stack.pop()
        if start is None and isinstance(node, ast.expr):
            start = Pos(node.lineno, node.col_offset + 1)
        if depth > deepest[0]:
            deepest = (depth, start or Pos(1, 1))
        stack.extend((child, depth + 1, start) for child in ast.iter_child_nodes(node))
    return deepest


def check_parsable(source: str, reporter: Reporter) -> bool:
    """True when ``source`` is valid Python that is safe to hand to libcst."""
    try:
        tree = ast.parse(source)
    except SyntaxError as err:
        reporter.error(Pos(err.lineno or 1, err.offset or 1), f"invalid syntax: {err.msg}", "syntax-error")
        return False
    except (RecursionError, MemoryError):
        reporter.error(Pos(1, 1), "the source is nested too deeply to parse", "nesting-too-deep")
        return False
    depth, pos = _deepest(tree)
    if depth > MAX_DEPTH:
        reporter.error(
            pos,
            f"expression nested {depth} levels deep (the limit is {MAX_DEPTH})",
            "nesting-too-deep",
            note="split the expression into several assignments",
        )
        return False
    return True
