"""The recording policy: what the forward sweep saves before an overwrite,
and how the reverse sweep gets it back.

Only an overwrite of a *needed* variable (one the reverse sweep reads,
``ReverseBuilder.needed``) pushes the old value; a first definition
overwrites nothing.  The reverse sweep pops it back just before the
adjoint of the overwriting statement, so every adjoint sees the values of
its own time; an increment of an element whose old value no adjoint reads
saves nothing (``analysis/increments.py``).  Int counters stepped by a
literal are stepped back instead, and arrays made afresh in a loop are
taped whole, on a stack of their own.
"""

from __future__ import annotations

import copy

from .. import build, ir
from ..checks import where
from ..walk import same, statements
from .builder import ReverseBuilder, Sweeps
from .loops import own_statements
from .tape import ArrayStack, KeptArray


def save(builder: ReverseBuilder, stmt: ir.Stmt, target: ir.Expr) -> Sweeps:
    """Push what ``target`` holds before ``stmt`` overwrites it, when the
    reverse sweep reads it; returns (push, pop)."""
    if isinstance(target, ir.Name):
        name = target.id
        if (name not in builder.needed_after_undoing(stmt) or name in builder.recomputed or builder.is_first_def(stmt, name)
                or id(stmt) in builder.silent or name in builder.results):
            return Sweeps([], [])  # (a return's value is bound once: the function ends there)
        vtype = builder.facts.types.env[name]
        if id(stmt) in builder.row_views:  # bound again at the head of each reversed iteration (loop_body)
            return Sweeps([], [])
        if vtype.is_array:  # made afresh in a loop: taped after it is made (fresh_array)
            if may_rebind(builder, stmt, name) and builder.defined_before(stmt, name):
                return save_array(builder, target)
            return Sweeps([], [])
        if vtype.kind == "tuple":
            builder.refuse(stmt.pos, f"overwriting the tuple '{name}'")
            return Sweeps([], [])
        undo = undone_count(stmt, vtype)
        if undo is not None:
            return Sweeps([], [undo])
        if name not in builder.pushed_names:
            builder.pushed_names[name] = builder.order[id(stmt)]
        return Sweeps([builder.tape.push(ir.Name(name), vtype)], builder.tape.pop(ir.Name(name), vtype))
    if isinstance(target, ir.Subscript) and isinstance(target.value, ir.Name):
        base = target.value.id
        if base not in builder.needed_after_undoing(stmt) or id(stmt) in builder.unsaved:
            return Sweeps([], [])
        if builder.type(target).is_array:
            return save_array(builder, target)
        vtype = builder.type(target)
        return Sweeps([builder.tape.push(copy.deepcopy(target), vtype)],
                      builder.tape.pop(copy.deepcopy(target), vtype))
    return Sweeps([], [])


def save_targets(builder: ReverseBuilder, stmt: ir.Stmt, elements: list[ir.Expr]) -> Sweeps:
    """The saves of every element a statement binds: pushed in order, the
    last pushed popped first."""
    pushes: list[ir.Stmt] = []
    pops: list[ir.Stmt] = []
    for element in elements:
        push, pop = save(builder, stmt, element)
        pushes += push
        pops = pop + pops
    return Sweeps(pushes, pops)


def save_array(builder: ReverseBuilder, array: ir.Expr) -> Sweeps:
    tape = builder.tape
    return Sweeps([tape.push_array(copy.deepcopy(array))], [tape.load_array(copy.deepcopy(array)),
                                                             tape.drop_array(copy.deepcopy(array))])


def fresh_array(builder: ReverseBuilder, stmt: ir.Assign) -> Sweeps:
    """``a = <new array>`` in a loop, where ``a`` did not exist before the
    loop: there is no old array to save.  Where the loop binds ``a`` once,
    in its own body, and never jumps, what ``a`` holds at the end of each
    iteration is pushed, on a stack of its own, and put back into ``a``
    (the last iteration's array, of the same shape) at the head of each
    reversed iteration, before anything reads it (``loop_body`` places the
    pushes and loads).  Elsewhere (in a branch, bound twice, in a loop that
    jumps) the array is *kept* by the binding itself (``keep_array``).
    Either way writes into its elements are saved and restored as usual."""
    name = stmt.target.id
    if builder.is_first_def(stmt, name) or builder.defined_before(stmt, name) or not builder.loops \
            or id(stmt) in builder.row_views or name in builder.results:  # (a return's value is bound once)
        return Sweeps([], [])
    loop, fresh = builder.loops[-1]
    if name not in builder.needed or name in fresh:
        return Sweeps([], [])
    bindings = sum(isinstance(s, ir.Assign) and isinstance(s.target, ir.Name) and s.target.id == name
                   and not s.inplace for s in statements(loop.body))
    jumps = any(isinstance(s, (ir.Break, ir.Continue)) for s in own_statements(loop.body))
    vtype = builder.facts.types.env[name]
    what = f"an array '{name}' made afresh inside a loop"
    if vtype.dtype != "float64" or name in builder.aliased:
        builder.refuse(stmt.pos, f"{what}, of dtype {vtype.dtype} or sharing its memory")
    elif not any(s is stmt for s in loop.body) or bindings > 1 or jumps or name in builder.kept:
        if vtype.ndim:
            return keep_array(builder, stmt, name)
        builder.refuse(stmt.pos, f"{what}, of dimensions adxform does not know, in a branch, bound twice, or in a "
                       "loop that jumps")
    else:
        fresh.append(name)
        builder.fresh_stacks.setdefault(name, ArrayStack(builder.bar, name, one_shape(builder, stmt, name)))
    return Sweeps([], [])


def keep_array(builder: ReverseBuilder, stmt: ir.Assign, name: str) -> Sweeps:
    """A binding of an array made afresh in a loop, in a branch or bound
    twice or in a loop that jumps: the binding pushes the old contents of
    ``a``, where it held an array already (``a_live``, pushed on the int
    tape: the first binding finds none), and the reverse sweep loads them
    back into ``a`` after the binding's adjoint, under the same control
    flow.  Like the arrays of ``fresh_array``, all have one shape."""
    kept = builder.kept.setdefault(name, KeptArray(builder.bar, name, builder.facts.types.env[name].ndim,
                                                   one_shape(builder, stmt, name)))
    live = ir.Name(kept.live)
    push = ir.If(ir.Compare("==", copy.deepcopy(live), ir.Const(1)), [kept.stack.push(ir.Name(name))], [], stmt.pos)
    load = ir.If(ir.Compare("==", copy.deepcopy(live), ir.Const(1)), kept.stack.pop(ir.Name(name)), [], stmt.pos)
    return Sweeps([push, builder.tape.push(copy.deepcopy(live), ir.INT)],
                  builder.tape.pop(copy.deepcopy(live), ir.INT) + [load])


def one_shape(builder: ReverseBuilder, stmt: ir.Assign, name: str) -> str:
    """The message of the check that the arrays made afresh here, which the
    reverse sweep loads back into one array, all have one shape."""
    return (f"{where(stmt.pos, builder.reporter.filename)}: '{name}' is bound here, in a loop, to arrays of "
            f"different shapes; reverse mode puts each back into the one array '{name}' holds, so they need one "
            "shape (or compute it in a function that the loop calls)")


def may_rebind(builder: ReverseBuilder, stmt: ir.Assign, name: str) -> bool:
    """Whether ``name = <array>`` after the array's first definition can be
    reversed.  An array that existed before (a parameter or one defined
    earlier) has its old contents restored into the new one, whose
    adjoint array it reuses; one made afresh in each iteration of a loop
    is taped whole (``fresh_array``), and one adjoint array serves every
    iteration.  Either way the array keeps its shape from one binding to
    the next and shares memory with no other name."""
    vtype = builder.facts.types.env[name]
    returned = name in builder.results  # the variable several returns are lowered to, which the user never wrote
    if name in builder.aliased:
        builder.refuse(stmt.pos, "returning, in several places, an array that shares memory with another name "
                       "(return a copy)" if returned else
                       f"rebinding the array '{name}', which shares memory with another name")
    elif builder.type(stmt.value).ndim and vtype.ndim and builder.type(stmt.value).ndim != vtype.ndim:  # 0: unknown
        builder.refuse(stmt.pos, "returning arrays of different ndims in several places" if returned else
                       f"rebinding the array '{name}' to an array of another ndim")
    else:
        return True
    return False


def shape_kept(builder: ReverseBuilder, stmt: ir.Stmt, name: str) -> tuple[list[ir.Stmt], list[ir.Stmt]]:
    """Around ``name = <array>`` whose old contents are saved: the reverse
    sweep loads them back into the new array (``may_rebind``), so the
    forward sweep takes the old shape before ``stmt`` and checks the new
    array's after it.  Of another shape, the contents would not fit, or
    fill it with the wrong values (``x = np.ones(3)`` after a loop over
    ``len(x)``, whose reverse reads ``len(x)`` again)."""
    shape = ir.Name(builder.bar.fresh(f"{name}_shape"))
    message = (f"{where(stmt.pos, builder.reporter.filename)}: '{name}' is bound here to an array of another shape "
               f"than the one it held; reverse mode puts the old values back into the new array, so it needs the same "
               f"shape (bind the new array to a new name)")
    return ([ir.Assign(copy.deepcopy(shape), ir.Attribute(ir.Name(name), "shape"), stmt.pos)],
            [ir.ExprStmt(ir.Call("module._check_shape_kept", [ir.Name(name), shape, ir.Const(message)]), stmt.pos)])


def undone_count(stmt: ir.Stmt, vtype: ir.Type) -> ir.Stmt | None:
    """``n = n + 3`` (``n += 3``, ``n -= 1``) of an int by a literal: the
    reverse sweep takes the literal off again where it would pop the old
    value, so counters (``li += 1`` in a triangular loop) use no tape."""
    if not (isinstance(stmt, ir.Assign) and isinstance(stmt.target, ir.Name) and vtype.kind == "int"):
        return None
    value = stmt.value
    if not (isinstance(value, ir.BinOp) and value.op in "+-" and same(value.left, stmt.target)
            and build.int_value(value.right) is not None):
        return None
    inverse = ir.BinOp("-" if value.op == "+" else "+", copy.deepcopy(stmt.target), copy.deepcopy(value.right))
    return ir.Assign(copy.deepcopy(stmt.target), inverse, stmt.pos, inplace=True)


def recorded(builder: ReverseBuilder, name: ir.Name, value: ir.Expr, depth: int) -> list[ir.Stmt]:
    """A control-flow fact (a branch taken, a trip count): a variable at the
    top level, a push inside a loop."""
    if depth == 0:
        return [ir.Assign(copy.deepcopy(name), value)]
    return [builder.tape.push(value, ir.INT)]


def recall(builder: ReverseBuilder, name: ir.Name, vtype: ir.Type, depth: int) -> list[ir.Stmt]:
    """The reverse sweep's side of ``recorded``."""
    return [] if depth == 0 else builder.tape.pop(copy.deepcopy(name), vtype)
