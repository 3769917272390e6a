"""The ``adxform`` command (docs/command-line.md): a thin layer over ``adxform.pipeline``.

``main(argv) -> int`` never raises for bad input: diagnostics in the user's
code print as ``file:line:col: error: message [code]`` with the source line
and a caret, and exit 1; a usage or I/O problem prints one line and exits 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from adxform.checkpoint import DEFAULT_SNAPSHOTS
from adxform.version import __version__
from adxform.diagnostics import DiagnosticError, UsageError
from adxform.cli import verify
from adxform.parse.encoding import decode_source
from adxform.rules import TABLE, listing
from adxform.pipeline import (
    JITS,
    PASS_NAMES,
    TARGETS,
    Options,
    default_command,
    emit,
    read_source,
    run_passes,
    write_atomically,
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="adxform", description="Source-to-source automatic differentiation of numba-style Python.")
    parser.add_argument("--version", action="version", version=f"adxform {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="{forward,reverse,hvp,check,verify,rules}")

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("source", metavar="SRC", help="the module to differentiate; - reads standard input")
        p.add_argument("--func", action="append", metavar="NAME",
                       help="a function to differentiate (repeatable; default: every public function)")
        p.add_argument("--wrt", metavar="NAME[,NAME]", help="the parameters to differentiate with respect to")
        p.add_argument("--rules", metavar="FILE", help="a module of custom rules g_jvp / g_vjp for functions of SRC")

    for mode, what in (("forward", "write f_jvp tangent functions"),
                       ("reverse", "write f_vjp / f_grad / f_value_and_grad adjoint functions"),
                       ("hvp", "write f_hvp Hessian-vector products and f_hessian (forward over reverse)")):
        generate = sub.add_parser(mode, help=what, description=what[0].upper() + what[1:] + ".")
        common(generate)
        generate.add_argument("-o", "--output", required=True, metavar="OUT", help="the module to write; - for stdout")
        generate.add_argument("--jit", choices=JITS, default="numba", help="numba (default) or none for plain Python")
        generate.add_argument("--target", choices=TARGETS, default="cpu",
                              help="cpu (default), or cuda: plain functions become CUDA device functions, and "
                                   "reverse mode adds a batched gradient kernel f_grad_batch[grid](X, out)")
        generate.add_argument("--snapshots", type=_positive, default=DEFAULT_SNAPSHOTS, metavar="N",
                              help=f"snapshots of a checkpointed loop whose directive names none "
                              f"(default {DEFAULT_SNAPSHOTS})")
        generate.add_argument("--instrument", action="store_true",
                              help="count what checkpointed loops do; adxform_stats() returns the counts")
        generate.add_argument("--check", action="store_true", help="write nothing; exit 1 if OUT is not up to date")
        generate.add_argument("--dump-after", choices=PASS_NAMES, metavar="PASS",
                              help=f"print the IR after a pass ({', '.join(PASS_NAMES)}) to stderr")
    check = sub.add_parser("check", help="report diagnostics only; write nothing")
    common(check)
    verify.add_parser(sub)
    rules = sub.add_parser("rules", help="print the derivative-rule table: the functions adxform differentiates")
    rules.add_argument("--json", action="store_true", help="print it as a JSON list of rows")
    return parser


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, not '{text}'")
    return int(text)


def _read_source(name: str) -> str:
    """The text of a source file or of standard input (``-``), decoded as
    Python decodes a module: a bad encoding is a diagnostic (exit 1)."""
    if name == "-":
        return decode_source(sys.stdin.buffer.read(), "<stdin>")
    try:
        return read_source(Path(name))
    except OSError as err:
        raise UsageError(f"cannot read {name}: {err.strerror or err}") from err


def _print_rules(args: argparse.Namespace) -> int:
    sys.stdout.write(listing.as_json(TABLE) if args.json else listing.as_text(TABLE))
    return 0


def _run(args: argparse.Namespace) -> int:
    if args.command == "verify":
        return verify.run_verify(args, _read_source)
    if args.command == "rules":
        return _print_rules(args)
    mode = "forward" if args.command == "check" else args.command
    wrt = [w.strip() for w in args.wrt.split(",") if w.strip()] if args.wrt else None
    rules = (_read_source(args.rules), args.rules) if args.rules else None
    options = Options(mode, args.func, wrt, getattr(args, "jit", "numba"), getattr(args, "dump_after", None),
                      getattr(args, "snapshots", DEFAULT_SNAPSHOTS), getattr(args, "instrument", False), rules,
                      target=getattr(args, "target", "cpu"))
    output = getattr(args, "output", None)
    if output not in (None, "-") and args.source != "-" and Path(output).resolve() == Path(args.source).resolve():
        raise UsageError(f"refusing to write the output over the source {args.source}")
    source = _read_source(args.source)
    filename = "<stdin>" if args.source == "-" else args.source
    options.command = default_command(mode, args.source, output or "OUT", options)
    state = run_passes(source, filename, options)
    if args.command == "check":
        return 0
    text = emit(state)
    if args.check:
        try:
            current = Path(output).read_bytes()  # bytes: an output that is not UTF-8 is simply not up to date
        except OSError:
            current = None
        if current != text.encode("utf-8"):
            print(f"{output} is not up to date with {args.source}; regenerate with: {options.command}",
                  file=sys.stderr)
            return 1
        return 0
    if output == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(text.encode("utf-8"))  # as the file would be, whatever the locale's encoding
        sys.stdout.buffer.flush()
    else:
        try:
            write_atomically(Path(output), text)
        except OSError as err:
            raise UsageError(f"cannot write {output}: {err.strerror or err}") from err
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    try:
        return _run(args)
    except DiagnosticError as err:
        print(err.render(), file=sys.stderr)
        return 1
    except UsageError as err:
        print(f"adxform: error: {err}", file=sys.stderr)
        return 2


def run() -> None:
    """The console-script entry point."""
    sys.exit(main())
