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


def _deepest(tree: ast.AST) -> tuple[int, ast.AST]:
    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    deepest: tuple[int, ast.AST] = (0, tree)
    while stack:
        node, depth = stack.pop()
        if depth > deepest[0]:
            deepest = (depth, node)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest


def _node_pos(node: ast.AST) -> Pos:
    return Pos(getattr(node, "lineno", 1), getattr(node, "col_offset", 0) + 1)


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
    depth, node = _deepest(tree)
    if depth > MAX_DEPTH:
        reporter.error(
            _node_pos(node),
            f"expression nested {depth} levels deep (the limit is {MAX_DEPTH})",
            "nesting-too-deep",
            note="split the expression into several assignments",
        )
        return False
    return True
