"""adxform: ahead-of-time source-to-source automatic differentiation for numba-style Python.

The Python API (docs/command-line.md): ``transform(source, mode, ...) -> str`` and
``generate(path, mode, output, ...)``; bad input raises ``DiagnosticError``.
"""

from .diagnostics import Diagnostic, DiagnosticError, UsageError
from .pipeline import generate, transform
from .version import __version__

__all__ = ["Diagnostic", "DiagnosticError", "UsageError", "generate", "transform", "__version__"]
