"""Diagnostics: what adxform says about the user's code.

A diagnostic is a position, a message and a short code in brackets, printed
the way mypy and ruff print theirs::

    model.py:12:9: error: 'try' is not in the differentiable subset (in function 'step') [unsupported-try]
       12 |         try:
          |         ^~~
    Found 1 error in 1 file

Passes collect diagnostics instead of raising on the first one, so a user
sees every problem of a file in one run; ``DiagnosticError`` carries them
out of the pipeline to the API and the command line.
"""

from __future__ import annotations

from dataclasses import dataclass

from .ir import Pos


@dataclass(frozen=True)
class Diagnostic:
    filename: str
    pos: Pos
    message: str
    code: str
    note: str = ""

    @property
    def line(self) -> int:
        return self.pos.line

    @property
    def col(self) -> int:
        return self.pos.col

    def headline(self) -> str:
        return f"{self.filename}:{self.pos.line}:{self.pos.col}: error: {self.message} [{self.code}]"

    def render(self, source_lines: list[str]) -> str:
        """The headline, the source line with a caret under the span, and the note."""
        out = [self.headline()]
        if 1 <= self.pos.line <= len(source_lines):
            text = source_lines[self.pos.line - 1].rstrip("\n").expandtabs(1)
            gutter = f"{self.pos.line:>5} | "
            out.append(gutter + text)
            start = max(self.pos.col - 1, 0)
            if self.pos.end_line == self.pos.line and self.pos.end_col > self.pos.col:
                width = self.pos.end_col - self.pos.col
            else:
                width = max(len(text.rstrip()) - start, 1)
            out.append(" " * (len(gutter) - 2) + "| " + " " * start + "^" + "~" * (width - 1))
        if self.note:
            out.append(f"{self.filename}:{self.pos.line}:{self.pos.col}: note: {self.note}")
        return "\n".join(out)


class DiagnosticError(Exception):
    """Raised by the pipeline when the user's code has errors."""

    def __init__(self, diagnostics: list[Diagnostic], sources: dict[str, str] | None = None):
        self.diagnostics = sorted(diagnostics, key=lambda d: (d.filename, d.pos.line, d.pos.col, d.code))
        self.sources = sources or {}  # filename -> text, for the source lines under the headlines
        super().__init__("\n".join(d.headline() for d in self.diagnostics))

    def render(self) -> str:
        lines = {name: text.splitlines() for name, text in self.sources.items()}
        body = "\n".join(d.render(lines.get(d.filename, [])) for d in self.diagnostics)
        count = len(self.diagnostics)
        files = len({d.filename for d in self.diagnostics})
        noun = "error" if count == 1 else "errors"
        return f"{body}\nFound {count} {noun} in {files} file{'s' if files != 1 else ''}"


class InternalError(Exception):
    """A bug of adxform, not a problem of the user's code: a transform broke
    one of its invariants (``analysis/invariants.py``).  Raised, not
    reported, so that nothing is written from a transform that went wrong."""


class UsageError(Exception):
    """A problem with how adxform was called, not with the user's code
    (an unknown --func name, say): exit code 2 on the command line."""


class Reporter:
    """Collects the diagnostics of one compilation; ``check()`` raises if
    any.  A position from another file (``Pos.file``: a --rules module)
    is reported in that file."""

    def __init__(self, filename: str, source: str):
        self.filename = filename
        self.sources = {filename: source}
        self.diagnostics: list[Diagnostic] = []

    def error(self, pos: Pos, message: str, code: str, note: str = "") -> None:
        """Record a diagnostic.  Every one points into the source: a position
        of 0 means a pass built a node without one, a bug to fix there."""
        assert pos.line > 0, f"a diagnostic without a position: {message}"
        diag = Diagnostic(pos.file or self.filename, pos, message, code, note)
        if diag not in self.diagnostics:
            self.diagnostics.append(diag)

    def check(self) -> None:
        if self.diagnostics:
            raise DiagnosticError(self.diagnostics, self.sources)
