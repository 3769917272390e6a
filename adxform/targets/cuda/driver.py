"""The derivatives of a module's CUDA functions, in one mode.

The kernels and device functions asked for, and every device function they
call, get ``_jvp`` (forward) or ``_vjp`` (reverse) derivatives; see
``forward.py`` and ``reverse.py`` for the conventions.
"""

from __future__ import annotations

from ... import ir
from ...diagnostics import Reporter
from ...walk import calls
from .batch import batch_kernel
from .context import Context
from .forward import Forward
from .reverse import Reverse


def as_device_functions(module: ir.Module) -> None:
    """``--target cuda``: the module's plain functions become device functions."""
    for func in module.functions.values():
        if func.target == "cpu":
            func.target = "cuda-device"


def cuda_derivatives(module: ir.Module, roots: list[str], mode: str, reporter: Reporter,
                     batched: bool = False, wrt: list[str] | None = None) -> dict[str, list[ir.Function]]:
    """``batched`` (``--target cuda``): the roots also get a batched
    gradient kernel in reverse mode (``batch.py``).  ``wrt`` narrows the
    roots that no other differentiated function calls, as on the CPU; a
    root none of whose parameters it names is not differentiated."""
    cuda = {name: f for name, f in module.functions.items() if f.target.startswith("cuda")}
    called = {callee for name in _closure(roots, cuda) for callee in _callees(cuda[name])}
    if wrt:
        roots = [name for name in roots if name in called or any(p.name in wrt for p in cuda[name].params)]
        called = {callee for name in _closure(roots, cuda) for callee in _callees(cuda[name])}
    wanted = _closure(roots, cuda)
    for name in wanted:
        for call in calls(cuda[name].body):
            callee = call.func[7:] if call.func.startswith("module.") else None
            if callee is not None and callee not in cuda:
                reporter.error(call.pos, f"a CUDA function calls '{callee}', which is not a CUDA device function "
                               f"(in function '{name}')", "unsupported-gpu")
    reporter.check()
    out: dict[str, list[ir.Function]] = {}
    contexts: dict[str, Context] = {}
    for name in cuda:  # source order
        if name in wanted:
            narrowed = frozenset(wrt) if wrt and name not in called else None
            ctx = contexts.get(name) or Context(cuda[name], cuda, reporter, batched, contexts, wrt=narrowed)
            out[name] = [Forward(ctx).function() if mode == "forward" else Reverse(ctx).function()]
            kernel = batch_kernel(ctx) if batched and mode == "reverse" and name in roots else None
            out[name] += [kernel] if kernel is not None else []
    reporter.check()
    return out


def _callees(func: ir.Function) -> list[str]:
    """The module functions ``func`` calls."""
    return [call.func[7:] for call in calls(func.body) if call.func.startswith("module.")]


def _closure(roots: list[str], cuda: dict[str, ir.Function]) -> list[str]:
    """The roots and the CUDA functions they call, directly or not."""
    wanted: list[str] = []
    pending = list(roots)
    while pending:
        name = pending.pop()
        if name not in wanted:
            wanted.append(name)
            pending += [callee for callee in _callees(cuda[name]) if callee in cuda]
    return wanted
