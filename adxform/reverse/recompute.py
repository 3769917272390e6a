"""Values the reverse sweep gets back without a tape.

Iteration-local values are recomputed (``recomputable``); partial sums of
an accumulation loop are never read back at all (``silent_accumulations``).

In ``for j ...: dx = p[i] - p[j]; r = sqrt(dx * dx + eps)`` the values of
``dx`` and ``r`` live for one iteration, and what they are computed from
does not change in the loop.  Recording them costs a push and a pop per
iteration; recomputing them at the start of the iteration's adjoint costs
the same arithmetic the primal did, and no memory.  This module finds such
values; the reverse transform then neither pushes nor pops them and puts
their defining statements at the head of the reversed loop body.

A variable qualifies when, in the loop body:
- it is assigned exactly once, by a plain statement at the top level of
  the body, from an expression with no call of a module function; or
  once on each path of a branch at the top level of the body whose
  paths hold only such statements (``if u[i] > 0: adv = ... else: adv =
  ...``: the whole branch is recomputed);
- it is a scalar, and nothing in the body reads it before that statement;
- it is assigned nowhere else in the function and read nowhere outside the
  loop body (its last value is then nobody else's business);
- what the expression reads is the loop variable, another such variable
  defined earlier in the body, or a variable (or array) the body does not
  write.  Writes after the loop are undone by the usual save and restore,
  since the recomputing statement reads them.
"""

from __future__ import annotations

from .. import ir
from ..walk import around_loop, expressions, flat_targets, names_read, statements, stmt_expressions, stmt_reads, target_names


def recomputable(loop: ir.For | ir.While, function_body: list[ir.Stmt], written_in_body: set[str],
                 types: dict[str, ir.Type]) -> list[ir.Assign | ir.If]:
    """The statements that define the loop's recomputable values, in order:
    assignments, and branches each of whose paths assigns the same values
    once (``if u[i] > 0: adv = ... else: adv = ...``)."""
    read_outside, assigned_outside = around_loop(loop, function_body)
    assignments: dict[str, int] = {}
    for stmt in statements(loop.body):
        if isinstance(stmt, ir.Assign):
            for name in target_names(stmt.target):
                assignments[name] = assignments.get(name, 0) + 1

    chosen: list[ir.Assign | ir.If] = []
    defined: set[str] = set()
    read_so_far: set[str] = set()
    stable = {loop.var} if isinstance(loop, ir.For) else set()
    for stmt in loop.body:
        names = defined_names(stmt)
        own = {n: sum(isinstance(s, ir.Assign) and n in target_names(s.target) for s in statements([stmt]))
               for n in names}
        if names and all(assignments.get(n) == own[n] and n not in assigned_outside and n not in read_outside
                         and n not in read_so_far and types.get(n, ir.NONE).kind in ("float", "int", "bool")
                         for n in names):
            reads = {n for s in statements([stmt]) for n in stmt_reads(s)}
            if isinstance(stmt, ir.If):  # its paths read what they assign only after assigning it
                reads -= names
            if all(n in stable or n in defined or n not in written_in_body for n in reads):
                chosen.append(stmt)
                defined |= names
        read_so_far |= {n for s in statements([stmt]) for n in stmt_reads(s)}
    return chosen


def defined_names(stmt: ir.Stmt) -> set[str]:
    """The scalar names a recomputable statement gives values: ``x = e``
    (no call of a module function), or a branch each of whose paths
    assigns the same names once each, by such statements, reading none of
    them before it assigns it.  Empty for any other statement."""
    if isinstance(stmt, ir.Assign):
        plain = isinstance(stmt.target, ir.Name) and not stmt.inplace and not any(
            isinstance(e, ir.Call) and e.func.startswith("module.") for e in expressions(stmt.value))
        return {stmt.target.id} if plain else set()
    if not isinstance(stmt, ir.If):
        return set()
    paths = _paths(stmt)
    if paths is None:
        return set()
    names = {target for path in paths for _, target in path if target}
    for path in paths:
        if sorted(target for _, target in path if target) != sorted(names):
            return set()  # a path that misses a name or assigns one twice
        seen: set[str] = set()
        for reads, target in path:
            if reads & (names - seen):
                return set()  # reads the value of another iteration
            seen.add(target)
    return names


def _paths(stmt: ir.If) -> list[list[tuple[set[str], str]]] | None:
    """Each path through ``stmt`` as (names read, name assigned) steps, a
    test's reads being a step that assigns nothing (""); None when a path
    holds anything but plain assignments and such branches."""
    out: list[list[tuple[set[str], str]]] = []
    for block in (stmt.body, stmt.orelse):
        paths: list[list[tuple[set[str], str]]] = [[(set(names_read(stmt.test)), "")]]
        for inner in block:
            if isinstance(inner, ir.If):
                inner_paths = _paths(inner)
                if inner_paths is None:
                    return None
                paths = [p + q for p in paths for q in inner_paths]
            elif defined_names(inner):
                paths = [p + [(set(names_read(inner.value)), inner.target.id)] for p in paths]
            else:
                return None
        out += paths
    return out


def silent_accumulations(body: list[ir.Stmt]) -> set[int]:
    """Accumulations ``v += e`` whose overwritten value nobody reads back.

    In ``acc = b[j]; for i in ...: acc += x[i] * w[i, j]`` no adjoint reads
    the partial sums, and the value ``acc`` must have again before the
    reverse sweep reaches ``acc = b[j]`` is the one after the loop, which
    later statements restore.  So the loop's accumulations need no save; the
    definition right before the loop still saves what came before it.
    Returns the ids of such statements: an ``inplace`` ``v = v + e`` or
    ``v = v - e`` on a scalar name in a loop whose block gives ``v`` its
    value in the statement just before the loop, where nothing else in the
    loop reads or writes ``v``.
    """
    found: set[int] = set()
    for block in _blocks(body):
        for before, loop in zip(block, block[1:]):
            if not (isinstance(loop, (ir.For, ir.While)) and isinstance(before, ir.Assign)
                    and isinstance(before.target, ir.Name) and before.target.id not in names_read(before.value)):
                continue
            found |= _accumulations_of(before.target.id, loop)
    return found


def _accumulations_of(name: str, loop: ir.For | ir.While) -> set[int]:
    accumulations = [s for s in statements(loop.body) if _accumulates(s, name)]
    others = [s for s in statements(loop.body) if not _accumulates(s, name)]
    touched = any(name in stmt_reads(s) or name in _written(s) for s in others)
    if isinstance(loop, ir.While) and name in names_read(loop.test) or isinstance(loop, ir.For) and loop.var == name:
        touched = True
    return set() if touched else {id(s) for s in accumulations}


def _accumulates(stmt: ir.Stmt, name: str) -> bool:
    return (isinstance(stmt, ir.Assign) and stmt.inplace and isinstance(stmt.target, ir.Name)
            and stmt.target.id == name and isinstance(stmt.value, ir.BinOp) and stmt.value.op in "+-"
            and isinstance(stmt.value.left, ir.Name) and stmt.value.left.id == name
            and name not in names_read(stmt.value.right))


def _written(stmt: ir.Stmt) -> set[str]:
    if isinstance(stmt, ir.Assign):
        return set(target_names(stmt.target))
    if isinstance(stmt, ir.For):
        return {stmt.var}
    return set()


def _blocks(body: list[ir.Stmt]):
    yield body
    for stmt in statements(body):
        if isinstance(stmt, (ir.For, ir.While)):
            yield stmt.body
        elif isinstance(stmt, ir.If):
            yield stmt.body
            yield stmt.orelse


def iterations_commute(body: list[ir.Stmt], var: str, private_scalars: set[str]) -> bool:
    """Whether the adjoints of a loop's iterations may run in any order.

    They may when each iteration only adds into adjoints (``a_bar[k] += e``,
    and addition commutes), and everything else it assigns or adds into is
    its own: a temporary it assigns before reading, one of
    ``private_scalars`` (the adjoints of recomputed values, zero again at
    the end of each iteration), or an element indexed by the loop variable
    (a distinct element per iteration).  Nothing it reads may be written
    by another iteration.  The reverse sweep then walks such a loop
    forwards, which is what the hardware prefetches best.
    """
    local = _assigned_before_read(body) | private_scalars
    private_arrays: set[str] = set()
    shared_writes: set[str] = set()
    own_adds: set[str] = set()
    for stmt in statements(body):
        if isinstance(stmt, ir.ExprStmt):
            return False
        if isinstance(stmt, ir.For):
            local.add(stmt.var)
        if not isinstance(stmt, ir.Assign):
            continue
        for target in (t for t in flat_targets(stmt.target) if isinstance(t, ir.Subscript)):
            if stmt.inplace and stmt.value.op in "+-":
                (own_adds if _indexed_by(target, var) else shared_writes).add(target.value.id)
            elif _indexed_by(target, var):
                private_arrays.add(target.value.id)
            else:
                return False
        if isinstance(stmt.target, ir.Name) and stmt.target.id not in local:
            if not (stmt.inplace and stmt.value.op in "+-"):
                return False
            shared_writes.add(stmt.target.id)
    # ``v_bar[i] = 0.0`` then ``v_bar[i] += …``: adds into the iteration's own element of its own array
    shared_writes |= own_adds - private_arrays
    if private_arrays & shared_writes:
        return False
    for stmt in statements(body):
        reads = list(stmt_reads(stmt))
        if isinstance(stmt, ir.Assign) and stmt.inplace:
            reads = names_read(stmt.value.right) + [n for t in (t for t in flat_targets(stmt.target) if isinstance(t, ir.Subscript)) for i in t.index
                                                     for n in names_read(i)]
        if set(reads) & shared_writes:
            return False
        for sub in (e for x in stmt_expressions(stmt) for e in expressions(x) if isinstance(e, ir.Subscript)):
            if isinstance(sub.value, ir.Name) and sub.value.id in private_arrays and not _indexed_by(sub, var):
                return False
    return True


def _assigned_before_read(body: list[ir.Stmt]) -> set[str]:
    """The names a loop body binds (``t = ...``) on every path before
    anything in it reads them: each iteration's own.  ``y_bar`` in ``t_bar =
    y_bar; y_bar = 0.0`` carries a value from one iteration to the next."""
    read: set[str] = set()
    assigned: set[str] = set()

    def walk(block: list[ir.Stmt], bound: set[str]) -> set[str]:
        for stmt in block:
            read.update(set(stmt_reads(stmt)) - bound)
            if isinstance(stmt, ir.Assign) and isinstance(stmt.target, ir.Name) and not stmt.inplace:
                bound = bound | {stmt.target.id}
                assigned.add(stmt.target.id)
            elif isinstance(stmt, ir.If):
                bound = walk(stmt.body, bound) & walk(stmt.orelse, bound)
            elif isinstance(stmt, (ir.For, ir.While)):
                walk(stmt.body, bound | ({stmt.var} if isinstance(stmt, ir.For) else set()))
        return bound

    walk(body, set())
    return assigned - read


def _indexed_by(sub: ir.Subscript, var: str) -> bool:
    return isinstance(sub.value, ir.Name) and isinstance(sub.index[0], ir.Name) and sub.index[0].id == var
