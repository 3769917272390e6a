"""Source text -> IR: the guard against crashing input, then libcst lowering."""

from __future__ import annotations

from .. import ir
from ..diagnostics import Reporter
from .encoding import check_declared_encoding, strip_bom
from .guard import check_parsable
from .lower import RuntimeTexts, lower_module


def parse_module(source: str, filename: str, reporter: Reporter, outer: ir.Module | None = None,
                 runtime: RuntimeTexts | None = None) -> ir.Module:
    """Lower ``source`` to an ``ir.Module``; syntax problems raise
    DiagnosticError.  ``outer``: the module ``source`` holds rules for;
    ``runtime``: the runtime helpers as adxform emits them, recognised
    when a generated module comes back in."""
    check_declared_encoding(source, reporter)
    reporter.check()
    source = strip_bom(source)
    module = lower_module(source, filename, reporter, outer, runtime) if check_parsable(source, reporter) else None
    reporter.check()
    assert module is not None
    return module


def merge_rules(module: ir.Module, rules: ir.Module, reporter: Reporter) -> None:
    """Add the functions and constants of a ``--rules`` module to ``module``;
    ``reporter`` reports, in the rules file, a name both define."""
    for name, func in list(rules.functions.items()) + list(rules.rejected.items()):
        if name in module.functions or name in module.rejected:
            pos = func.pos if isinstance(func, ir.Function) else func[0].pos
            reporter.error(pos, f"'{name}' is defined both here and in {module.filename}", "duplicate-function")
    known = {c.name for c in module.constants}
    for constant in rules.constants:
        if constant.name in known:
            reporter.error(constant.pos, f"the constant '{constant.name}' is defined both here and in "
                           f"{module.filename}", "duplicate-function")
    reporter.check()
    module.functions.update(rules.functions)
    module.rejected.update(rules.rejected)
    module.constants.extend(rules.constants)
    module.numpy_aliases = module.numpy_aliases | rules.numpy_aliases
