"""IR -> the text of the generated module, through one jinja2 template.

The template holds the module's layout (header, imports, constants,
functions); ``printer`` turns each function into text.  Output is a pure
function of its inputs: no dates, no absolute paths beyond what the caller
passes in, no set iteration orders.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import jinja2

from .. import ir
from ..naming import fresh_name
from ..parse.encoding import source_bytes
from ..rules.spelling import respell_for_numba
from ..targets import CPU, target_of
from ..version import __version__
from ..walk import calls
from .printer import ExprPrinter, StmtPrinter

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("adxform.emit", "templates"),
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
    autoescape=False,
)

@dataclass
class ModuleText:
    """What the header needs to say where the module comes from."""

    source: str
    source_name: str
    command: str
    summary: str
    jit: str
    instrumented: list[str] | None = None  # --instrument: the labels of the checkpointed loops


def function_text(func: ir.Function, origin: str, jit: str) -> str:
    printer = StmtPrinter(origin)
    lines = []
    decorator = target_of(func).decorator(jit)
    if decorator:
        lines.append(decorator)
    params = ", ".join(p.name for p in func.params)
    lines.append(f"def {func.name}({params}):")
    if func.docstring:
        lines.append(f'    """{func.docstring.strip()}"""')
    lines.extend(printer.block(func.body, 1))
    return "\n".join(lines)


# runtime helper -> the helpers it calls
RUNTIME_DEPENDENCIES = {
    "_tape_reserve": [], "_tape_push": ["_tape_reserve"], "_tape_put": [], "_tape_push_array": ["_tape_reserve"],
    "_tape_load_array": [], "_tape_take_array": [], "_tape_give_array": [], "_trip_count": [],
    "_memory_bounds": [], "_element_addresses": [],
    "_check_disjoint": ["_memory_bounds", "_element_addresses"], "_check_ndim": [], "_check_shape_kept": [], "_check_one_shape": [],
    "_check_number": [], "_as_array": [],
    "_revolve_plan": [], "_revolve_split": [], "_revolve_next": ["_revolve_plan", "_revolve_split"],
    "_snapshot_slots": [],
}
# whole-array numpy (issue 5)
RUNTIME_DEPENDENCIES.update({"_unbroadcast": [], "_add_into": ["_unbroadcast"], "_sum_product": [],
                             "_check_matmul_operands": [], "_as_matrix": [], "_add_product": [],
                             "_matmul_bar_a": ["_check_matmul_operands", "_as_matrix", "_add_product"],
                             "_matmul_bar_b": ["_check_matmul_operands", "_as_matrix", "_add_product"],
                             "_reduce_axis": []})


def runtime_helpers(functions: list[ir.Function], jit: str) -> list[str]:
    """The text of each runtime helper (runtime.py.j2) the functions call,
    with what those call, in the template's order."""
    called = {call.func[7:] for f in functions for call in calls(f.body) if call.func[7:] in RUNTIME_DEPENDENCIES}
    wanted = set()
    while called:
        name = called.pop()
        wanted.add(name)
        called |= set(RUNTIME_DEPENDENCIES[name]) - wanted
    return [preamble + chunk for name, (preamble, chunk) in runtime_chunks(jit).items() if name in wanted]


def runtime_chunks(jit: str) -> dict[str, tuple[str, str]]:
    """Each runtime helper of the template, in its order: name -> (the
    module constants that go out before it, its definition).  The parser
    reads a generated module's helpers back by comparing them with these."""
    text = _ENV.get_template(CPU.runtime).render(jit=jit)  # the kernels of a module call no helper
    out: dict[str, tuple[str, str]] = {}
    preamble = ""  # module constants go out with the helper after them
    for chunk in (c.strip("\n") for c in text.split("\n\n\n")):
        defined = re.search(r"^def (\w+)", chunk, re.M)
        if defined is None:
            preamble += chunk + "\n\n\n"
        else:
            out[defined.group(1)] = (preamble, chunk)
            preamble = ""
    return out


def runtime_texts() -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """What the parser recognises as a runtime helper of a generated module:
    name -> (its text under each --jit, the module constants emitted with it)."""
    out: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    for jit in CPU.decorators:  # every --jit
        for name, (preamble, chunk) in runtime_chunks(jit).items():
            texts, _ = out.get(name, ((), ()))
            constants = tuple(n.strip() for line in re.findall(r"^([\w, ]+) = ", preamble, re.M)
                              for n in line.split(","))
            out[name] = (texts + (chunk,), constants)
    return out


def printable(text: str) -> str:
    """``text`` (a file name, a command) for a comment of the generated
    module: what is not printable (a newline; a surrogate, which stands for
    a byte of a file name that is not UTF-8) as its escape, so that the
    module stays valid UTF-8 Python whatever the source is called."""
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


def docstring_text(text: str) -> str:
    """``printable`` text that a triple-quoted docstring holds as it is."""
    return printable(text).replace("\\", "\\\\").replace('"', '\\"')


def render_hvp(**values) -> str:
    """``f_hvp`` and ``f_hessian`` (``adxform hvp``; the names in ``values``)."""
    return _ENV.get_template("hvp.py.j2").render(**values).strip("\n")


def render_nested_rule(called: str, suffix: str, jvp: str, params: list[str], floats: int) -> str:
    """The custom rule ``g_grad_vjp`` (or ``g_value_and_grad_vjp``) of a
    nested derivative (``nesting.py``), through ``jvp``, forward over
    reverse of ``g_value_and_grad``."""
    taken = set(params)

    def fresh(base: str) -> str:
        return fresh_name(base, taken)

    g = called[:-len(suffix)]
    return _ENV.get_template("nested_rule.py.j2").render(
        called=called, g=g, jvp=jvp, params=params, k=floats, with_value=suffix == "_value_and_grad",
        y_bar=fresh("y_bar"), value_bar=fresh("value_bar"), grad_bar=fresh("grad_bar"), value=fresh("value"),
        grads=[fresh(f"grad{i}") for i in range(floats)], hvs=[fresh(f"hv{i}") for i in range(floats)],
        cs=[fresh(f"grad_bar{i}") for i in range(floats)])


def render_module(meta: ModuleText, constants: list[ir.Constant], functions: list[ir.Function],
                  extra: list[str] = ()) -> str:
    origin = printable(meta.source_name.replace("\\", "/").rsplit("/", 1)[-1])
    functions = [respell_for_numba(f) if f.target in ("cpu", "python") else f for f in functions]  # numba.cuda: as written
    printer = ExprPrinter()
    return _ENV.get_template("module.py.j2").render(
        version=__version__,
        source_name=printable(meta.source_name),
        sha256=hashlib.sha256(source_bytes(meta.source)).hexdigest(),
        command=printable(meta.command),
        summary=docstring_text(meta.summary),
        jit=meta.jit,
        cuda=any(f.target.startswith("cuda") for f in functions),
        constants=[f"{c.name} = {printer.text(c.value)}" for c in constants],
        functions=runtime_helpers(functions, meta.jit) + _instrumentation(meta)
        + [function_text(f, origin, meta.jit) for f in functions] + list(extra),
    )


def _instrumentation(meta: ModuleText) -> list[str]:
    """The counters and ``adxform_stats()`` of ``--instrument``."""
    if meta.instrumented is None:
        return []
    return [_ENV.get_template("instrument.py.j2").render(labels=meta.instrumented, jit=meta.jit).strip("\n")]
