"""``# adxform: …`` directive comments (docs/checkpointing.md).

libcst keeps comments as trivia scattered over the tree, so directives are
found from the token stream instead: every comment that starts with
``adxform:`` is parsed here, keyed by its line.  The lowering of a loop
takes the directive on the line directly above it; whatever no loop took is
misplaced, and reported as such (``unclaimed``).
"""

from __future__ import annotations

import io
import re
import tokenize

from .. import ir
from ..diagnostics import Reporter

PREFIX = re.compile(r"#\s*adxform\s*:\s*(?P<body>.*?)\s*$")
CALL = re.compile(r"(?P<name>[A-Za-z_]\w*)\s*(?:\((?P<args>.*)\))?$")
OPTION = re.compile(r"\s*(?P<key>[A-Za-z_]\w*)\s*=\s*(?P<value>\S+?)\s*$")

# directive name -> its options, each with a check of its value
DIRECTIVES = {
    "checkpoint": {"snapshots": ("a positive integer", lambda v: v.isdigit() and int(v) > 0)},
    # the most iterations a loop of a CUDA function makes: the size of a thread's tape (docs/gpu.md)
    "bound": {"trips": ("a positive integer", lambda v: v.isdigit() and int(v) > 0)},
}


def find_directives(source: str, reporter: Reporter) -> dict[int, ir.Directive]:
    """The well-formed directives of ``source`` by line; malformed ones are
    reported with the reason."""
    found: dict[int, ir.Directive] = {}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type != tokenize.COMMENT:
            continue
        match = PREFIX.match(token.string)
        if match is None:
            continue
        pos = ir.Pos(token.start[0], token.start[1] + 1, token.end[0], token.end[1] + 1)
        directive = _parse(match.group("body"), pos, reporter)
        if directive is not None:
            found[pos.line] = directive
    return found


def _parse(body: str, pos: ir.Pos, reporter: Reporter) -> ir.Directive | None:
    call = CALL.match(body)
    if call is None or call.group("name") not in DIRECTIVES:
        known = ", ".join(f"'{name}'" for name in DIRECTIVES)
        reporter.error(pos, f"unknown adxform directive '{body}'", "bad-directive", note=f"known directives: {known}")
        return None
    name, spec = call.group("name"), DIRECTIVES[call.group("name")]
    options: dict[str, int] = {}
    for item in filter(str.strip, (call.group("args") or "").split(",")):
        option = OPTION.match(item)
        key = option.group("key") if option else item.strip()
        if option is None or key not in spec:
            reporter.error(pos, f"'{name}' has no option '{key}'", "bad-directive",
                           note=f"options: {', '.join(f'{k}=<{what}>' for k, (what, _) in spec.items())}")
            return None
        what, valid = spec[key]
        if not valid(option.group("value")):
            reporter.error(pos, f"'{name}({key}=…)' must be {what}, not '{option.group('value')}'", "bad-directive")
            return None
        options[key] = int(option.group("value"))
    return ir.Directive(name, options, pos)


def unclaimed(directives: dict[int, ir.Directive], reporter: Reporter) -> None:
    """Directives that are not on the line directly above a loop."""
    for directive in directives.values():
        reporter.error(directive.pos, f"the '{directive.name}' directive must be on the line directly above a "
                       "'for' or 'while' loop", "misplaced-directive")
