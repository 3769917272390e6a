"""Reverse mode of kernels and device functions: ``k_vjp`` and ``f_vjp``.

Each thread runs the primal forward (with its side effects), saving on its
own tape (``tape.py``) each value the reverse sweep reads and a later
statement overwrites, then runs the adjoint of each statement, last first.
A barrier's adjoint is a barrier, so the reverse of a barrier phase is a
barrier phase; a shared array's adjoint is a shared array of the same
shape.  Loops are reversed from the tape (``range`` loops by their index,
``while`` loops by a trip counter); loops are never recomputed.  Calls of
device functions are reversed jointly: ``f_vjp`` recomputes its own
forward sweep.  Conventions (docs/gpu.md)::

    k_vjp[grid](a1, …, an, b1, …, bk)   # array adjoints in/out; a scalar's is a 1-element array, added into
    f_vjp(a1, …, an, y_bar, B1, …, Bm) -> (y, b1, …, bk)   # B: array adjoints, added into (--target cuda)

A loop whose length only a ``bound(trips=N)`` directive knows is counted:
its pushes are guarded by ``trips < N``, so the tape is never overrun, it is
reversed ``min(trips, N)`` times, and a thread whose loop went past N adds
``past_bound`` (NaN then, 0.0 otherwise) into every adjoint it touches, so
its wrong adjoints show (``overrun_check``).

Restrictions, each a diagnostic: an array the kernel writes is not read by
it (so every thread's reverse sweep sees the inputs it read), shared-memory
values enter only linearly (their old values are never taped), and a
``return`` in a kernel's loop (``returns.py`` rewrites the others).
"""

from __future__ import annotations

import copy

from ... import build, ir
from ...naming import Namer
from ...walk import expressions, names_read, same, statements, stmt_expressions, stmt_reads
from .accumulate import atomic_reason, own_indices, plain_store_reason
from .. import target_of
from .context import Context, statement_text, written_elements
from .kinds import ARRAY, FLOAT, INT, SHARED
from .tape import counted

class Reverse:
    def __init__(self, ctx: Context):
        self.ctx = ctx
        func = ctx.func
        self.target = target_of(func)
        self.params = {p.name for p in func.params}
        self.base = Namer(func, "bar")
        self.own = own_indices(func)
        arrays = [n for n, k in ctx.kinds.items() if k in (ARRAY, SHARED)]
        self.plain = {a: plain_store_reason(func, a, ctx.kinds[a], self.own) for a in sorted(arrays)}
        if ctx.exclusive:  # --target cuda: a device function given the rows of one problem
            self.plain.update({a: f"one thread per problem: {a} is this thread's own" for a in arrays
                               if ctx.kinds[a] == ARRAY})
        self.written = ctx.written
        self.needed: set[str] = set()
        self.poison = False  # some loop may run past its bound: every increment adds past_bound (NaN then)
        self.check_written_not_read()

    def check_written_not_read(self) -> None:
        for stmt in statements(self.ctx.func.body):
            for name in sorted(_arrays_read(stmt) & self.written):
                if self.ctx.kinds.get(name) == ARRAY:
                    self.ctx.refuse(stmt.pos, f"reading the array '{name}', which the kernel also writes,",
                                    note="write the result into another array: each thread's adjoint needs the "
                                         "values the others read")

    # -- driver ------------------------------------------------------------------------

    def function(self) -> ir.Function:
        """Built until the values the reverse sweep reads are all saved where
        overwritten: each round adds at least one of the function's names, so
        the rounds end."""
        while True:
            self.reset()
            fwd, rev = self.block(self.ctx.func.body)
            reads = {n for s in statements(rev) for n in stmt_reads(s)} & set(self.ctx.kinds)
            if reads <= self.needed and self.poison == self.checked:
                return self.assemble(fwd, rev)
            self.needed |= reads
            self.poison = self.checked

    def reset(self) -> None:
        self.bar = copy.deepcopy(self.base)
        for p in self.ctx.diff_params():  # the parameters' adjoints get the plain ``x_bar``
            self.bar(p.name)
        self.thread_bar = {p.name: self.bar.fresh(f"{p.name}_bar_thread") for p in self.ctx.diff_params()
                           if self.ctx.kinds[p.name] == FLOAT and self.ctx.is_kernel}
        self.y_bar = self.bar.fresh("y_bar")
        self.result = self.bar.fresh("result")
        self.seed = self.bar.fresh("seed")
        self.tape = self.target.tape(self.bar)  # a cuda.local.array per thread (tape.py)
        self.pushed: set[str] = set()
        self.assigned: set[str] = set(self.params)  # names bound so far, in program order
        self.depth = 0  # loops around the statement being built
        self.counters = 0
        self.noted: set[str] = set()
        self.guards: list[ir.Expr] = []  # per loop around here that a directive bounds: its trips below the bound
        self.checked = False  # a loop checks its bound (overrun_check)
        self.past_bound = self.bar.fresh("past_bound")

    def assemble(self, fwd: list[ir.Stmt], rev: list[ir.Stmt]) -> ir.Function:
        ctx, func = self.ctx, self.ctx.func
        diff = ctx.diff_params()
        prologue = self.tape.setup()
        prologue += [ir.Assign(ir.Name(n), ir.Const(0.0 if ctx.kinds[n] == FLOAT else 0))
                     for n in sorted(self.pushed - self.params)]
        floats = sorted(n for n, k in ctx.kinds.items() if k == FLOAT and n not in ctx.constants)
        prologue += [ir.Assign(ir.Name(self.scalar_bar(n)), ir.Const(0.0)) for n in floats]
        prologue += self.shared_bars()
        if self.poison:
            prologue.append(ir.Assign(ir.Name(self.past_bound), ir.Const(0.0)))
        if ctx.is_kernel:
            bars = [ir.Param(self.bar(p.name), None, p.pos) for p in diff]
            epilogue = self.block_sums([p.name for p in diff if ctx.kinds[p.name] == FLOAT])
            doc = (f"Adjoint kernel of {func.name}, launched with its grid: ({', '.join(b.name for b in bars)}) "
                   "are in/out; a scalar's adjoint is a 1-element array, added into.")
            return ir.Function(f"{func.name}_vjp", list(func.params) + bars, prologue + fwd + rev + epilogue,
                               func.pos, doc + self.tape_note(), target=func.target)
        scalars = [p for p in diff if ctx.kinds[p.name] == FLOAT]
        arrays = [ir.Param(self.bar(p.name), None, p.pos) for p in diff if ctx.kinds[p.name] == ARRAY]
        out = ir.Return(ir.Tuple([ir.Name(self.result)] + [self.poisoned(ir.Name(self.scalar_bar(p.name)))
                                                           for p in scalars]))
        returned = f"({func.name}(...), the adjoints of ({', '.join(p.name for p in scalars)}))" if scalars \
            else f"({func.name}(...),)"
        added = f"; ({', '.join(a.name for a in arrays)}) are in/out, added into." if arrays else "."
        doc = f"Adjoint device function of {func.name}: returns {returned} for the cotangent {self.y_bar}{added}"
        return ir.Function(f"{func.name}_vjp", list(func.params) + [ir.Param(self.y_bar, None)] + arrays,
                           prologue + fwd + rev + [out], func.pos, doc + self.tape_note(), target=func.target)

    def block_sums(self, scalars: list[str]) -> list[ir.Stmt]:
        """The adjoints of a kernel's scalar parameters, of which every thread
        holds a part: the block adds its threads' parts in shared memory, and
        one thread adds the block's sum into the 1-element adjoint.  Atomic
        additions into one element of global memory run one after another:
        one per thread made the adjoint of an elementwise kernel with a
        scalar parameter cost 86 of its launches on an H200.  Every thread
        reaches the kernel's end (an early return became a guard), so the
        barriers are met by all."""
        if not scalars:
            return []
        sums = ir.Name(self.bar.fresh("block_sums"))
        first = ir.Compare("==", _thread_in_block(), ir.Const(0))

        def element(k: int) -> ir.Subscript:
            return ir.Subscript(copy.deepcopy(sums), [ir.Const(k)])

        def add(into: ir.Expr, k: int, amount: ir.Expr) -> ir.Stmt:
            return ir.ExprStmt(ir.Call("numba.cuda.atomic.add", [into, ir.Const(k), amount]))

        sync = ir.ExprStmt(ir.Call("numba.cuda.syncthreads", []))
        return [ir.Pass(note="the block adds up its threads' parts of the adjoints of the scalars "
                             f"({', '.join(scalars)}), then adds the sums into them once"),
                ir.Assign(copy.deepcopy(sums), ir.Call("numba.cuda.shared.array",
                                                       [ir.Const(len(scalars)), ir.QualName("numba.float64")])),
                ir.If(first, [ir.Assign(element(k), ir.Const(0.0)) for k in range(len(scalars))], []),
                copy.deepcopy(sync),
                *[add(copy.deepcopy(sums), k, self.poisoned(ir.Name(self.thread_bar[name])))
                  for k, name in enumerate(scalars)],
                sync,
                ir.If(copy.deepcopy(first), [add(ir.Name(self.bar(name)), 0, element(k))
                                             for k, name in enumerate(scalars)], [])]

    def tape_note(self) -> str:
        sizes = counted(self.tape.size)
        if not sizes:
            return " Nothing is taped."
        overrun = (" A thread whose loop runs past its bound(trips=N) stops taping it, and every adjoint it adds "
                   "into becomes NaN.") if self.poison else ""
        return (f" Tape: a cuda.local.array per thread ({', '.join(sizes)}), sized from the loop trip counts; "
                "nothing is recomputed." + overrun)

    def poisoned(self, amount: ir.Expr) -> ir.Expr:
        """``amount`` plus ``past_bound`` where a loop may overrun its tape: a
        thread's increments are NaN once its adjoint cannot be right."""
        return ir.BinOp("+", amount, ir.Name(self.past_bound)) if self.poison else amount

    def overrun_check(self, counter: str, bound: int) -> list[ir.Stmt]:
        """After a loop that a directive bounds: past the bound it was not
        taped (its pushes are guarded), so this thread's adjoints are wrong;
        they become NaN rather than silently wrong."""
        self.checked = True
        return [ir.Pass(note=f"past bound(trips={bound}) the loop was not taped: this thread's adjoints become NaN"),
                ir.If(ir.Compare(">", ir.Name(counter), ir.Const(bound)),
                      [ir.Assign(ir.Name(self.past_bound), ir.QualName("math.nan"))], [])]

    def shared_bars(self) -> list[ir.Stmt]:
        """A zeroed shared adjoint array per shared array, before any thread uses one."""
        out: list[ir.Stmt] = []
        for stmt in statements(self.ctx.func.body):
            if isinstance(stmt, ir.Assign) and isinstance(stmt.target, ir.Name) and \
                    self.ctx.kinds.get(stmt.target.id) == SHARED:
                name = stmt.target.id
                bar = ir.Name(self.bar(name))
                k = self.bar.fresh("k")
                out.append(ir.Assign(bar, copy.deepcopy(stmt.value), stmt.pos))
                shape = stmt.value.args[0]
                element = [ir.Name(k)] if not isinstance(shape, ir.Tuple) else [  # a 2-D array, row by row
                    ir.BinOp("//", ir.Name(k), _columns(bar)), ir.BinOp("%", ir.Name(k), _columns(bar))]
                out.append(ir.For(k, _thread_in_block(), ir.Attribute(copy.deepcopy(bar), "size"), _block_size(),
                                  [ir.Assign(ir.Subscript(copy.deepcopy(bar), element), ir.Const(0.0))]))
        if out:
            out.append(ir.ExprStmt(ir.Call("numba.cuda.syncthreads", [])))
        return out

    # -- names ---------------------------------------------------------------------------

    def scalar_bar(self, name: str) -> str:
        return self.thread_bar.get(name) or self.bar(name)

    def bar_of(self, leaf: ir.Expr) -> ir.Expr:
        if isinstance(leaf, ir.Name):
            return ir.Name(self.scalar_bar(leaf.id))
        return ir.Subscript(ir.Name(self.bar(leaf.value.id)), copy.deepcopy(leaf.index), leaf.pos)

    # -- adjoints ------------------------------------------------------------------------

    def increments(self, value: ir.Expr, seed: ir.Expr, pos: ir.Pos) -> list[ir.Stmt]:
        """``seed`` times each partial of ``value``, added into its leaf's
        adjoint, one increment per leaf (``u[i] * u[i]``: one atomic, not
        two); the note on how an array's adjoint is added goes above the
        first increment of that array in the statement."""
        merged: list[tuple[ir.Expr, ir.Expr]] = []
        for leaf, coefficient in self.ctx.partials(value):
            if any(self.ctx.kinds.get(n) == SHARED for n in names_read(coefficient)):
                self.ctx.refuse(pos, "a nonlinear use of shared memory in reverse mode")
            k = next((k for k, (seen, _) in enumerate(merged) if same(seen, leaf)), None)
            if k is None:
                merged.append((leaf, coefficient))
            else:
                merged[k] = (leaf, build.add(merged[k][1], coefficient))
        out: list[ir.Stmt] = []
        noted: set[str] = set()
        for leaf, coefficient in merged:
            amount = build.mul(coefficient, copy.deepcopy(seed))
            if amount is None:
                continue
            increment = self.add_into(leaf, amount, pos)
            if isinstance(increment[0], ir.Pass):  # the note of an array's increment
                if increment[0].note in noted:
                    increment = increment[1:]
                else:
                    noted.add(increment[0].note)
            out += increment
        return out

    def add_into(self, leaf: ir.Expr, amount: ir.Expr, pos: ir.Pos) -> list[ir.Stmt]:
        target = self.bar_of(leaf)
        if isinstance(leaf, ir.Name):
            return [self.target.accumulate(target, amount, pos)]
        array = leaf.value.id
        reason = self.plain[array]
        note = f"plain +=: {reason}" if reason else f"cuda.atomic.add: {atomic_reason(self.ctx.func, array)}"
        return [ir.Pass(pos, note=note), self.target.accumulate(target, self.poisoned(amount), pos,
                                                                exclusive=reason is not None)]

    # -- overwrites ----------------------------------------------------------------------

    def save(self, name: str, pos: ir.Pos) -> tuple[list[ir.Stmt], list[ir.Stmt]]:
        """(push, pop) of ``name`` before an assignment overwrites it."""
        overwrite = name in self.assigned or self.depth > 0
        self.assigned.add(name)
        if not overwrite or name not in self.needed:
            return [], []
        kind = "float" if self.ctx.kinds.get(name) == FLOAT else "int"
        push = self.tape.push(ir.Name(name), kind)
        if push is None:
            self.ctx.refuse(pos, f"overwriting '{name}' in a loop of unknown length",
                            note="put `# adxform: bound(trips=N)` on the line above the loop: the most iterations "
                                 "it makes sizes the thread's tape (see docs/gpu.md)")
            return [], []
        self.pushed.add(name)
        if self.guards:  # never past the tape's end: a loop past its bound is not taped (overrun_check)
            push = [ir.If(_all(self.guards), push, [])]
        return push, self.tape.pop(ir.Name(name), kind)

    # -- statements ----------------------------------------------------------------------

    def block(self, body: list[ir.Stmt]) -> tuple[list[ir.Stmt], list[ir.Stmt]]:
        fwd: list[ir.Stmt] = []
        revs: list[list[ir.Stmt]] = []
        for stmt in body:
            f, r = self.stmt(stmt)
            fwd += f
            revs.append(r)
        return fwd, [s for r in reversed(revs) for s in r]

    def stmt(self, stmt: ir.Stmt) -> tuple[list[ir.Stmt], list[ir.Stmt]]:
        if isinstance(stmt, ir.Assign):
            return self.assign(stmt)
        if isinstance(stmt, ir.ExprStmt) and isinstance(stmt.value, ir.Call):
            call = stmt.value
            if call.func == "numba.cuda.syncthreads":
                return [stmt], [copy.deepcopy(stmt)]
            if call.func == "numba.cuda.atomic.add" and isinstance(call.args[0], ir.Name):
                array, index, value = call.args
                if not self.ctx.differentiable(array.id):
                    return [stmt], []
                seed = ir.Subscript(ir.Name(self.bar(array.id)), [copy.deepcopy(index)])
                return [stmt], self.increments(value, seed, stmt.pos)
        if isinstance(stmt, ir.If):
            return self.branch(stmt)
        if isinstance(stmt, ir.For):
            return self.range_loop(stmt)
        if isinstance(stmt, ir.While):
            return self.while_loop(stmt)
        if isinstance(stmt, ir.Return) and not self.ctx.is_kernel and stmt.value is not None:
            fwd = [ir.Assign(ir.Name(self.result), stmt.value, stmt.pos)]
            return fwd, self.increments(stmt.value, ir.Name(self.y_bar), stmt.pos)
        if isinstance(stmt, ir.Pass) or isinstance(stmt, ir.Return) and self.ctx.is_kernel:  # Context refused it
            return [], []
        self.ctx.refuse(stmt.pos, statement_text(stmt))
        return [stmt], []

    def assign(self, stmt: ir.Assign) -> tuple[list[ir.Stmt], list[ir.Stmt]]:
        target, value = stmt.target, stmt.value
        if isinstance(target, ir.Tuple) or isinstance(target, ir.Name) and self.ctx.kinds.get(target.id) == INT:
            pushes, pops = [], []
            for t in target.items if isinstance(target, ir.Tuple) else [target]:
                if isinstance(t, ir.Name):
                    push, pop = self.save(t.id, stmt.pos)
                    pushes, pops = pushes + push, pop + pops
            return pushes + [stmt], pops
        if isinstance(target, ir.Name) and self.ctx.kinds.get(target.id) == SHARED:
            self.assigned.add(target.id)
            return [stmt], []
        if isinstance(target, ir.Subscript):
            if self.ctx.kinds.get(target.value.id) not in (ARRAY, SHARED):
                return [stmt], []
            seed = self.bar_of(target)
            if stmt.inplace and isinstance(value, ir.BinOp) and value.op == "+" and same(value.left, target):
                return [stmt], self.increments(value.right, seed, stmt.pos)
            return [stmt], [ir.Assign(ir.Name(self.seed), seed, stmt.pos),
                            ir.Assign(copy.deepcopy(seed), ir.Const(0.0), stmt.pos)] + \
                self.increments(value, ir.Name(self.seed), stmt.pos)
        overwrite = target.id in self.assigned or self.depth > 0
        push, pop = self.save(target.id, stmt.pos)
        bar = ir.Name(self.scalar_bar(target.id))
        callee = self.ctx.callee(value) if isinstance(value, ir.Call) else None
        if callee is None and isinstance(value, ir.BinOp) and value.op == "+" and same(value.left, target) \
                and target.id not in names_read(value.right):  # x += e: x_bar is unchanged, e receives it
            return push + [stmt], pop + self.increments(value.right, bar, stmt.pos)
        if callee is None and not self.ctx.partials(value):  # a constant: the adjoint of the old value is 0
            return push + [stmt], pop + ([ir.Assign(bar, ir.Const(0.0), stmt.pos)] if overwrite else [])
        capture = [ir.Assign(ir.Name(self.seed), bar, stmt.pos), ir.Assign(copy.deepcopy(bar), ir.Const(0.0), stmt.pos)]
        if callee is not None:
            return push + [stmt], pop + capture + self.call_adjoint(value, callee, stmt.pos)
        return push + [stmt], pop + capture + self.increments(value, ir.Name(self.seed), stmt.pos)

    def call_adjoint(self, call: ir.Call, callee: ir.Function, pos: ir.Pos) -> list[ir.Stmt]:
        """``y = f(…)``: ``f_vjp`` returns the adjoints of f's float
        parameters, and adds into those of the arrays it is given (only
        arrays that are the thread's own, under ``--target cuda``)."""
        callee_ctx = self.ctx.callee_context(callee)
        diff = callee_ctx.diff_params()
        scalars = [k for k, p in enumerate(callee.params) if p in diff and callee_ctx.kinds[p.name] == FLOAT]
        arrays = [k for k, p in enumerate(callee.params) if p in diff and callee_ctx.kinds[p.name] == ARRAY]
        array_bars: list[ir.Expr] = []
        for k in arrays:
            arg = call.args[k]
            if not (self.ctx.exclusive and isinstance(arg, ir.Name) and self.ctx.kinds.get(arg.id) == ARRAY):
                self.ctx.refuse(pos, f"passing an array to the device function '{callee.name}' in reverse mode")
                return []
            array_bars.append(ir.Name(self.bar(arg.id)))
        parts = [self.bar.fresh(f"{callee.name}_b") for _ in scalars]
        out: list[ir.Stmt] = [ir.Assign(ir.Tuple([ir.Name(self.bar.fresh("unused"))] + [ir.Name(p) for p in parts]),
                                        ir.Call(f"module.{callee.name}_vjp",
                                                copy.deepcopy(call.args) + [ir.Name(self.seed)] + array_bars), pos)]
        for k, part in zip(scalars, parts):
            out += self.increments(call.args[k], ir.Name(part), pos)
        return out

    def branch(self, stmt: ir.If) -> tuple[list[ir.Stmt], list[ir.Stmt]]:
        changed = {n for s in statements(stmt.body + stmt.orelse) for n in _bound(s)}
        test: ir.Expr = stmt.test
        fwd_head: list[ir.Stmt] = []
        if set(names_read(test)) & changed:  # the test cannot be evaluated again: record it
            flag = self.bar.fresh("branch")
            self.ctx.kinds[flag] = INT
            self.needed.add(flag)
            push, pop = self.save(flag, stmt.pos)
            fwd_head = push + [ir.Assign(ir.Name(flag), stmt.test, stmt.pos)]
            test = ir.Name(flag)
        else:
            pop = []
        body_f, body_r = self.block(stmt.body)
        else_f, else_r = self.block(stmt.orelse)
        fwd = fwd_head + [ir.If(copy.deepcopy(test), body_f, else_f, stmt.pos)]
        rev = [ir.If(copy.deepcopy(test), body_r, else_r, stmt.pos)] if body_r or else_r else []
        return fwd, rev + pop

    def loop_body(self, body: list[ir.Stmt], trips: int | None,
                  guard: ir.Expr | None = None) -> tuple[list[ir.Stmt], list[ir.Stmt], bool]:
        """(forward, reverse, whether the body pushes onto the tape); ``guard``
        (its trips below a directive's bound) guards the body's pushes."""
        outer, before = self.tape.multiplier, dict(self.tape.size)
        self.tape.multiplier = None if outer is None or trips is None else outer * trips
        self.depth += 1
        self.guards += [guard] if guard is not None else []
        fwd, rev = self.block(body)
        self.guards = self.guards[:-1] if guard is not None else self.guards
        self.depth -= 1
        self.tape.multiplier = outer
        return fwd, rev, self.tape.size != before

    def range_loop(self, stmt: ir.For) -> tuple[list[ir.Stmt], list[ir.Stmt]]:
        changed = {n for s in statements(stmt.body) for n in _bound(s)}
        bounds = {n for e in (stmt.start, stmt.stop, stmt.step) for n in names_read(e)}
        step = build.int_value(stmt.step)
        if bounds & changed or stmt.var in changed or step is None or step <= 0:
            self.ctx.refuse(stmt.pos, "a loop whose bounds or index the body changes, or whose step is not a "
                                      "positive constant,")
            return [stmt], []
        self.assigned.add(stmt.var)
        bound = _directive_trips(stmt)
        start, stop = build.int_value(stmt.start), build.int_value(stmt.stop)
        known = max(0, (stop - start + step - 1) // step) if start is not None and stop is not None else None
        if known is not None and bound is not None and known > bound:
            self.ctx.refuse(stmt.directive.pos, f"a bound(trips={bound}) on a loop of {known} trips")
        counter = self.bar.fresh("trips") if known is None and bound is not None else None
        guard = ir.Compare("<", ir.Name(counter), ir.Const(bound)) if counter is not None else None
        fwd_body, rev_body, taped = self.loop_body(stmt.body, known if known is not None else bound, guard)
        if counter is not None and taped:  # counted, and reversed only as far as it was taped
            self.ctx.kinds[counter] = INT
            self.needed.add(counter)
            push, pop = self.save(counter, stmt.pos)
            fwd = push + [ir.Assign(ir.Name(counter), ir.Const(0), stmt.pos),
                          ir.For(stmt.var, stmt.start, stmt.stop, stmt.step,
                                 fwd_body + [build.increment(ir.Name(counter))], stmt.pos)]
            return fwd + self.overrun_check(counter, bound), self.reversed_trips(stmt, counter, bound, rev_body) + pop
        fwd = [ir.For(stmt.var, stmt.start, stmt.stop, stmt.step, fwd_body, stmt.pos)]
        if not rev_body:
            return fwd, []
        if step == 1:  # the index itself counts down
            return fwd, [ir.For(stmt.var, build.sub(copy.deepcopy(stmt.stop), ir.Const(1)),
                                build.sub(copy.deepcopy(stmt.start), ir.Const(1)), ir.Const(-1), rev_body, stmt.pos)]
        count = ir.BinOp("//", ir.BinOp("+", ir.BinOp("-", copy.deepcopy(stmt.stop), copy.deepcopy(stmt.start)),
                                        ir.Const(step - 1)), ir.Const(step))
        return fwd, self.reversed_trips(stmt, count, None, rev_body)

    def reversed_trips(self, stmt: ir.For, count: str | ir.Expr, bound: int | None,
                       rev_body: list[ir.Stmt]) -> list[ir.Stmt]:
        """The reverse of a ``range`` loop by its trip number, last first:
        the first ``min(count, bound)`` trips where a bound caps the tape."""
        step = build.int_value(stmt.step)
        trips = ir.Name(count) if isinstance(count, str) else count
        if bound is not None:
            trips = ir.Call("builtins.min", [trips, ir.Const(bound)])
        r = self.bar.fresh("r")
        offset = build.mul(ir.Name(r), ir.Const(step))
        first = None if build.int_value(stmt.start) == 0 else copy.deepcopy(stmt.start)
        index = ir.Assign(ir.Name(stmt.var), build.add(first, offset), stmt.pos)
        return [ir.For(r, build.sub(trips, ir.Const(1)), ir.Const(-1), ir.Const(-1), [index] + rev_body, stmt.pos)]

    def while_loop(self, stmt: ir.While) -> tuple[list[ir.Stmt], list[ir.Stmt]]:
        counter = self.bar.fresh("trips")
        self.ctx.kinds[counter] = INT
        self.needed.add(counter)
        push, pop = self.save(counter, stmt.pos)
        bound = _directive_trips(stmt)
        guard = ir.Compare("<", ir.Name(counter), ir.Const(bound)) if bound is not None else None
        fwd_body, rev_body, taped = self.loop_body(stmt.body, bound, guard)
        fwd = push + [ir.Assign(ir.Name(counter), ir.Const(0), stmt.pos),
                      ir.While(stmt.test, fwd_body + [build.increment(ir.Name(counter))], stmt.pos)]
        trips: ir.Expr = ir.Name(counter)
        if taped and bound is not None:  # reversed only as far as it was taped
            fwd += self.overrun_check(counter, bound)
            trips = ir.Call("builtins.min", [trips, ir.Const(bound)])
        r = self.bar.fresh("r")
        return fwd, [ir.For(r, ir.Const(0), trips, ir.Const(1), rev_body, stmt.pos)] + pop


def _cuda(name: str) -> ir.QualName:
    return ir.QualName(f"numba.cuda.{name}")


def _thread_in_block() -> ir.Expr:
    """The thread's index in its block, flattened as CUDA numbers threads (x fastest)."""
    inner = ir.BinOp("+", _cuda("threadIdx.y"), ir.BinOp("*", _cuda("blockDim.y"), _cuda("threadIdx.z")))
    return ir.BinOp("+", _cuda("threadIdx.x"), ir.BinOp("*", _cuda("blockDim.x"), inner))


def _columns(array: ir.Name) -> ir.Expr:
    return ir.Subscript(ir.Attribute(copy.deepcopy(array), "shape"), [ir.Const(1)])


def _block_size() -> ir.Expr:
    return ir.BinOp("*", ir.BinOp("*", _cuda("blockDim.x"), _cuda("blockDim.y")), _cuda("blockDim.z"))


def _arrays_read(stmt: ir.Stmt) -> set[str]:
    """The arrays whose elements ``stmt`` reads (subscripted, or passed
    whole to a call), not the shape of."""
    found: set[str] = set()
    for root in _read_expressions(stmt):
        for expr in expressions(root):
            if isinstance(expr, ir.Subscript) and isinstance(expr.value, ir.Name):
                found.add(expr.value.id)
            elif isinstance(expr, ir.Call):
                found |= {a.id for a in expr.args if isinstance(a, ir.Name)}
    return found


def _read_expressions(stmt: ir.Stmt) -> list[ir.Expr]:
    """What ``stmt`` reads: not the array it writes an element of."""
    if isinstance(stmt, ir.Assign):
        return [stmt.value] + (list(stmt.target.index) if isinstance(stmt.target, ir.Subscript) else [])
    if isinstance(stmt, ir.ExprStmt) and written_elements(stmt):
        return stmt.value.args[1:]
    return stmt_expressions(stmt)


def _all(tests: list[ir.Expr]) -> ir.Expr:
    return tests[0] if len(tests) == 1 else ir.BoolOp("and", copy.deepcopy(tests))


def _directive_trips(loop: ir.For | ir.While) -> int | None:
    if loop.directive is not None and loop.directive.name == "bound":
        return loop.directive.options["trips"]
    return None


def _bound(stmt: ir.Stmt) -> set[str]:
    """The names ``stmt`` assigns or writes elements of."""
    if isinstance(stmt, ir.For):
        return {stmt.var}
    if not isinstance(stmt, ir.Assign):
        return {e.value.id for e in written_elements(stmt)}
    targets = stmt.target.items if isinstance(stmt.target, ir.Tuple) else [stmt.target]
    return {t.id if isinstance(t, ir.Name) else t.value.id for t in targets}
