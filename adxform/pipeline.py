"""The compiler, as a readable list of passes.

    parse -> normalise -> analyse -> forward | reverse -> emit

``transform`` is the Python API and what the command line calls;
``generate`` adds reading the source and writing the output atomically.
``--dump-after PASS`` (``dump_after=``) prints the IR after a pass, for
debugging the compiler; the stages of reverse mode inside "differentiate"
(``reverse.structure``, ``reverse.sweeps``, ``reverse.slicing``,
``reverse.fusion``, ``reverse.merge``) print each ``_rev`` function as it
stands after that stage.
"""

from __future__ import annotations

import copy
import dataclasses
import os
import shlex
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import hvp, ir, nesting
from .analysis.program import Program, analyse
from .checkpoint import DEFAULT_SNAPSHOTS, LoopCounter
from .diagnostics import Reporter, UsageError
from .emit import ModuleText, function_text, render_module, runtime_texts
from .forward import forward_functions
from .reverse import REVERSE_STAGES, reverse_functions
from .targets.cuda.driver import as_device_functions, cuda_derivatives
from .fold import fold_constant_branches
from .normalize import hoist_module_calls
from .parse import merge_rules, parse_module
from .parse.encoding import decode_source

MODES = ("forward", "reverse", "hvp")
SUMMARIES = {
    "forward": "Tangent (forward-mode) derivatives",
    "reverse": "Adjoint (reverse-mode) derivatives",
    "hvp": "Hessian-vector products (forward over reverse)",
}
JITS = ("numba", "none")
TARGETS = ("cpu", "cuda")  # --target: cuda makes plain functions device functions, with batched gradient kernels


@dataclass
class Options:
    mode: str
    functions: list[str] | None = None
    wrt: list[str] | None = None
    jit: str = "numba"
    dump_after: str | None = None
    snapshots: int = DEFAULT_SNAPSHOTS  # for checkpointed loops whose directive names no count
    instrument: bool = False  # count what checkpointed loops do (adxform_stats)
    rules: tuple[str, str] | None = None  # --rules FILE: (its text, its name)
    command: str = ""
    target: str = "cpu"
    # the types of the leading parameters of functions, known from an earlier stage (adxform hvp): the
    # generated module it reads back carries no annotations
    param_types: dict[str, list[ir.Type]] | None = None
    least_hints: dict[str, dict[str, int]] | None = None  # of the same functions, from the same stage (hvp.py)
    nesting: tuple[str, ...] = ()  # the functions whose nested derivatives are being written (nesting.py)
    dump: Callable[[str], None] = field(default=lambda text: print(text, file=sys.stderr))

    def validate(self) -> None:
        if self.mode not in MODES:
            raise UsageError(f"unknown mode '{self.mode}' (choose from {', '.join(MODES)})")
        if self.jit not in JITS:
            raise UsageError(f"unknown --jit '{self.jit}' (choose from {', '.join(JITS)})")
        if self.target not in TARGETS:
            raise UsageError(f"unknown --target '{self.target}' (choose from {', '.join(TARGETS)})")
        if self.mode == "hvp" and self.instrument:
            raise UsageError("--instrument counts what the checkpointed loops of reverse mode do; hvp does not "
                             "take it")
        if self.snapshots < 1:
            raise UsageError(f"--snapshots must be a positive integer, not {self.snapshots}")
        if self.dump_after is not None and self.dump_after not in PASS_NAMES:
            raise UsageError(f"unknown pass '{self.dump_after}' (choose from {', '.join(PASS_NAMES)})")
        if self.mode == "forward" and self.dump_after in REVERSE_STAGES:
            raise UsageError(f"'{self.dump_after}' is a stage of reverse mode, which forward mode does not run")


def _pass_parse(state: "State") -> None:
    state.module = parse_module(state.source, state.filename, state.reporter, runtime=runtime_texts())
    if state.options.target == "cuda" and state.module is not None:
        as_device_functions(state.module)
    if state.options.rules is not None:
        text, filename = state.options.rules
        reporter = Reporter(filename, text)
        merge_rules(state.module, parse_module(text, filename, reporter, state.module), reporter)
        state.reporter.sources[filename] = text  # later passes may point into it
    _resolve_nesting(state)
    for name, types in (state.options.param_types or {}).items():
        func = state.module.functions.get(name)
        for param, vtype in zip(func.params if func else [], types):
            param.annotation = param.annotation or vtype
    for name, hints in (state.options.least_hints or {}).items():
        if name in state.module.functions:
            state.module.functions[name].least_hints = hints


def _resolve_nesting(state: "State") -> None:
    """The derivatives of module functions that the source calls
    (``g_grad``), written by running the passes for ``g`` alone, and read
    back into the module (``nesting.py``)."""
    options = state.options
    roots = options.functions or [name for name in state.module.functions if not name.startswith("_")]

    def derive(g: str, mode: str) -> tuple[str, dict[str, list[ir.Type]]]:
        inner = dataclasses.replace(options, mode=mode, functions=[g], wrt=None, jit="none", dump_after=None,
                                    instrument=False, param_types=None, least_hints=None,
                                    nesting=options.nesting + (g,))
        derived = run_passes(state.source, state.filename, inner)
        return emit(derived), hvp.parameter_types(derived.program)

    def parse(text: str, outer: ir.Module | None) -> ir.Module:
        return parse_module(text, state.filename, Reporter(state.filename, text), outer, runtime=runtime_texts())

    mode = "reverse" if options.mode == "hvp" else options.mode
    nesting.resolve(state.module, roots, mode, state.reporter, derive, parse, options.nesting)


def _pass_normalize(state: "State") -> None:
    fold_constant_branches(state.module)
    hoist_module_calls(state.module)


def _pass_analyse(state: "State") -> None:
    state.program = analyse(state.module, state.options.functions, state.options.wrt, state.reporter,
                            state.options.mode)


def _pass_differentiate(state: "State") -> None:
    options = state.options
    if options.instrument:
        state.loops = LoopCounter()
    if options.mode == "forward":
        state.derivatives = forward_functions(state.program, state.reporter)
    else:
        state.derivatives = reverse_functions(state.program, state.reporter, options.snapshots, state.loops,
                                              state.watch)
    state.derivatives.update(cuda_derivatives(state.module, state.program.cuda_roots, options.mode, state.reporter,
                                              batched=options.target == "cuda", wrt=options.wrt))
    _check_clashes(state)


def _check_clashes(state: "State") -> None:
    """A derivative adxform writes must not take the name of a function of
    the user's (``g_grad`` next to ``g``): in a module that defines ``g``,
    that name means the derivative (nesting.py)."""
    module = state.module
    for primal, functions in state.derivatives.items():
        for func in functions:
            own = module.functions.get(func.name)
            if own is not None and func.name not in module.derived:
                note = (f"this module, which adxform wrote, holds the derivatives of '{primal}' already: "
                        f"differentiate them (--func {primal}_grad)" if module.generated else
                        f"rename this function: in a module that defines '{primal}', '{func.name}' means the "
                        "derivative adxform writes")
                state.reporter.error(own.pos, f"'{func.name}' is the name adxform gives a derivative of "
                                     f"'{primal}', and this module defines a function of that name",
                                     "name-clash", note=note)


PASSES: list[tuple[str, Callable[["State"], None]]] = [
    ("parse", _pass_parse),
    ("normalize", _pass_normalize),
    ("analyse", _pass_analyse),
    ("differentiate", _pass_differentiate),
]
# the passes, with the stages of reverse mode where they run: inside "differentiate", before it ends
PASS_NAMES = [name for name, _ in PASSES[:-1]] + list(REVERSE_STAGES) + [PASSES[-1][0]]


@dataclass
class State:
    source: str
    filename: str
    options: Options
    reporter: Reporter
    module: ir.Module | None = None
    program: Program | None = None
    derivatives: dict[str, list[ir.Function]] = field(default_factory=dict)
    loops: LoopCounter | None = None  # --instrument: the checkpointed loops counted
    extra: list[str] = field(default_factory=list)  # text emitted after the functions (hvp.py's wrappers)
    staged: list[ir.Function] = field(default_factory=list)  # the functions after the stage --dump-after names

    def watch(self, stage: str, func: ir.Function) -> None:
        """Keep a copy of ``func`` as it stands after ``stage``, when that is
        the stage --dump-after names (later stages change it in place)."""
        if stage == self.options.dump_after:
            self.staged.append(copy.deepcopy(func))

    def dump(self) -> str:
        funcs = [f for fs in self.derivatives.values() for f in fs]
        funcs = funcs or list(self.module.functions.values() if self.module else [])
        if self.options.dump_after in REVERSE_STAGES:
            funcs = self.staged
        return "\n\n".join(function_text(f, self.filename, "none") for f in funcs)


def default_command(mode: str, source_name: str, output: str, options: Options) -> str:
    parts = ["adxform", mode, source_name, "-o", output]
    for name in options.functions or []:
        parts += ["--func", name]
    if options.wrt:
        parts += ["--wrt", ",".join(options.wrt)]
    if options.jit != "numba":
        parts += ["--jit", options.jit]
    if options.snapshots != DEFAULT_SNAPSHOTS:
        parts += ["--snapshots", str(options.snapshots)]
    if options.instrument:
        parts.append("--instrument")
    if options.target != "cpu":
        parts += ["--target", options.target]
    if options.rules is not None:
        parts += ["--rules", options.rules[1]]
    return shlex.join(parts)


def run_passes(source: str, filename: str, options: Options) -> State:
    options.validate()
    if options.mode == "hvp":
        return _run_hvp(source, filename, options)
    state = State(source, filename, options, Reporter(filename, source))
    for name, run in PASSES:
        run(state)
        state.reporter.check()
        if options.dump_after == name or name == "differentiate" and options.dump_after in REVERSE_STAGES:
            options.dump(state.dump())
    return state


def _run_hvp(source: str, filename: str, options: Options) -> State:
    """Forward over reverse (``hvp.py``): the passes over the source in
    reverse mode, then over the reverse module in forward mode, for the
    ``f_value_and_grad`` of each function that returns a float (and ``f``
    itself, so that the module holds the primal; it gets its ``f_jvp``)."""
    stage = options.dump_after if options.dump_after in REVERSE_STAGES else None  # the reverse pass runs them
    first = run_passes(source, filename, dataclasses.replace(options, mode="reverse", jit="none", dump_after=stage,
                                                             instrument=False))
    program = first.program
    roots = [name for name in program.roots if program.facts[name].types.returns.kind == "float"]
    if not roots:
        first.reporter.error(program.facts[program.roots[0]].func.pos, "no function asked for returns a float, "
                             "so none has a Hessian", "nothing-to-differentiate")
        first.reporter.check()
    wrt = list(dict.fromkeys(p for name in roots for p in program.facts[name].wrt))
    reverse_text = emit(first)
    second = run_passes(reverse_text, filename, dataclasses.replace(
        options, mode="forward", functions=[f for name in roots for f in (name, f"{name}_value_and_grad")], wrt=wrt,
        rules=None, dump_after=None if stage else options.dump_after,
        param_types=hvp.parameter_types(program), least_hints=hvp.least_hints(program)))
    lines = hvp.source_lines(reverse_text)
    hvp.map_positions([[f.func for f in second.program.facts.values()], list(second.derivatives.values())], lines)
    second.source, second.options = source, options
    second.extra = hvp.wrappers(program, roots, options.jit)
    return second


def emit(state: State) -> str:
    program = state.program
    functions: list[ir.Function] = []
    generated = {f.name for fs in state.derivatives.values() for f in fs}
    for name, func in state.module.functions.items():  # source order
        if name in program.facts:
            if name not in generated:  # a nested derivative read back that the mode writes anew
                functions.append(_primal_copy(program.facts[name].func))
            functions += state.derivatives.get(name, [])
        elif func.target.startswith("cuda") and name in state.derivatives:
            functions.append(_primal_copy(func))
            functions += state.derivatives[name]
    summary = SUMMARIES[state.options.mode]
    meta = ModuleText(state.source, state.filename, state.options.command,
                      f"{summary} of {Path(state.filename).name}.", state.options.jit,
                      state.loops.labels if state.loops is not None else None)
    return render_module(meta, state.module.constants, functions, state.extra)


def _primal_copy(func: ir.Function) -> ir.Function:
    """The primal as the generated module holds it: the derivative functions
    call it, and the generated module never imports the source."""
    primal = copy.copy(func)
    primal.docstring = None
    return primal


def transform(source: str, mode: str, *, filename: str = "<string>", functions: list[str] | None = None,
              wrt: list[str] | None = None, jit: str = "numba", command: str | None = None,
              dump_after: str | None = None, snapshots: int = DEFAULT_SNAPSHOTS, instrument: bool = False,
              rules: str | None = None, rules_filename: str = "<rules>", target: str = "cpu") -> str:
    """The text of the derivative module of ``source``; ``rules``
    is the text of a module of custom rules (``--rules``); ``target="cuda"``
    (``--target cuda``) makes its plain functions CUDA device functions,
    with a batched gradient kernel each in reverse mode.

    Raises ``DiagnosticError`` for problems in the source and ``UsageError``
    for bad options."""
    options = Options(mode, functions, wrt, jit, dump_after, snapshots, instrument,
                      (rules, rules_filename) if rules is not None else None, target=target)
    options.command = command or default_command(mode, filename, "OUT", options)
    return emit(run_passes(source, filename, options))


def generate(path: str | os.PathLike, mode: str, output: str | os.PathLike, *, functions: list[str] | None = None,
             wrt: list[str] | None = None, jit: str = "numba", command: str | None = None,
             snapshots: int = DEFAULT_SNAPSHOTS, instrument: bool = False,
             rules: str | os.PathLike | None = None, target: str = "cpu") -> str:
    """Read ``path`` (and the custom rules module ``rules``), write the
    derivative module to ``output`` atomically (never over the source), and
    return the text."""
    path, output = Path(path), Path(output)
    if output.resolve() == path.resolve():
        raise UsageError(f"refusing to write the output over the source {path}")
    source = read_source(path)
    rules_text = read_source(Path(rules)) if rules is not None else None
    if command is None:
        command = default_command(mode, str(path), str(output), Options(
            mode, functions, wrt, jit, snapshots=snapshots, instrument=instrument,
            rules=(rules_text, str(rules)) if rules is not None else None, target=target))
    text = transform(source, mode, filename=str(path), functions=functions, wrt=wrt, jit=jit, command=command,
                     snapshots=snapshots, instrument=instrument, rules=rules_text,
                     rules_filename=str(rules) if rules is not None else "<rules>", target=target)
    write_atomically(output, text)
    return text


def read_source(path: Path) -> str:
    """The text of ``path`` with its newlines as they are, so that the
    header's sha256 is the file's own, decoded as Python decodes a module
    (a bad encoding raises DiagnosticError)."""
    return decode_source(path.read_bytes(), str(path))


def write_atomically(output: Path, text: str) -> None:
    """A temporary file in the output's folder, then a rename: the output is
    either the old file or the whole new one, never half of it."""
    fd, tmp = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".tmp", dir=output.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, output)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
