"""Forward mode of kernels and device functions: ``k_jvp`` and ``f_jvp``.

Each float statement gets its tangent statement just before it (the
tangent reads the values the statement reads); shared arrays get a shared
tangent array; barriers, branches and loops keep their place, so the
tangent kernel runs with the primal's grid and does the primal's work too:

    k_jvp[grid](a1, …, an, d1, …, dk)      # d: in/out tangents, scalars as floats
    f_jvp(a1, …, an, d1, …, dk) -> (y, y_dot)
"""

from __future__ import annotations

import copy

from ... import build, ir
from ...naming import Namer
from .context import Context, statement_text
from .kinds import ARRAY, FLOAT, SHARED


class Forward:
    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.dot = Namer(ctx.func, "dot")

    def function(self) -> ir.Function:
        func = self.ctx.func
        dots = [ir.Param(self.dot(p.name), None, p.pos) for p in self.ctx.diff_params()]
        kind = "kernel" if self.ctx.is_kernel else "device function"
        doc = (f"Tangent {kind} of {func.name}: the tangents ({', '.join(d.name for d in dots)}) follow the "
               f"arguments" + ("; array tangents are in/out." if self.ctx.is_kernel else "; returns (value, tangent)."))
        init = [ir.Assign(ir.Name(self.dot(name)), ir.Const(0.0)) for name in sorted(self.ctx.kinds)
                if self.ctx.kinds[name] == FLOAT and name not in {p.name for p in func.params}]
        return ir.Function(f"{func.name}_jvp", list(func.params) + dots, init + self.block(func.body), func.pos, doc,
                           target=func.target)

    def leaf_dot(self, leaf: ir.Expr) -> ir.Expr:
        if isinstance(leaf, ir.Name):
            return ir.Name(self.dot(leaf.id))
        return ir.Subscript(ir.Name(self.dot(leaf.value.id)), copy.deepcopy(leaf.index))

    def tangent(self, expr: ir.Expr) -> ir.Expr:
        total = None
        for leaf, coefficient in self.ctx.partials(expr):
            total = build.add(total, build.mul(coefficient, self.leaf_dot(leaf)))
        return total if total is not None else ir.Const(0.0)

    def block(self, body: list[ir.Stmt]) -> list[ir.Stmt]:
        return [s for stmt in body for s in self.stmt(stmt)]

    def stmt(self, stmt: ir.Stmt) -> list[ir.Stmt]:
        if isinstance(stmt, ir.Assign):
            return self.assign(stmt)
        if isinstance(stmt, ir.ExprStmt) and isinstance(stmt.value, ir.Call):
            call = stmt.value
            if call.func == "numba.cuda.atomic.add" and isinstance(call.args[0], ir.Name):
                array, index, value = call.args
                if not self.ctx.differentiable(array.id):  # an int counter
                    return [stmt]
                tangent = ir.Call(call.func, [ir.Name(self.dot(array.id)), copy.deepcopy(index), self.tangent(value)])
                return [ir.ExprStmt(tangent, stmt.pos), stmt]
            if call.func == "numba.cuda.syncthreads":
                return [stmt]
        if isinstance(stmt, ir.If):
            return [ir.If(stmt.test, self.block(stmt.body), self.block(stmt.orelse), stmt.pos)]
        if isinstance(stmt, ir.For):
            return [ir.For(stmt.var, stmt.start, stmt.stop, stmt.step, self.block(stmt.body), stmt.pos)]
        if isinstance(stmt, ir.While):
            return [ir.While(stmt.test, self.block(stmt.body), stmt.pos)]
        if isinstance(stmt, ir.Return) and not self.ctx.is_kernel and stmt.value is not None:
            return [ir.Return(ir.Tuple([stmt.value, self.tangent(stmt.value)]), stmt.pos)]
        if isinstance(stmt, ir.Pass) or isinstance(stmt, ir.Return) and self.ctx.is_kernel:  # Context refused it
            return [stmt]
        self.ctx.refuse(stmt.pos, statement_text(stmt))
        return [stmt]

    def assign(self, stmt: ir.Assign) -> list[ir.Stmt]:
        target, value = stmt.target, stmt.value
        if isinstance(target, ir.Tuple) or isinstance(target, ir.Name) and self.ctx.kinds.get(target.id) not in (
                FLOAT, SHARED):
            if any(isinstance(t, ir.Name) and self.ctx.kinds.get(t.id) == FLOAT
                   for t in (target.items if isinstance(target, ir.Tuple) else [target])):
                self.ctx.refuse(stmt.pos, "unpacking into floats")
            return [stmt]
        if isinstance(target, ir.Name) and self.ctx.kinds[target.id] == SHARED:
            return [stmt, ir.Assign(ir.Name(self.dot(target.id)), copy.deepcopy(value), stmt.pos)]
        if isinstance(target, ir.Subscript) and self.ctx.kinds.get(target.value.id) not in (ARRAY, SHARED):
            return [stmt]
        callee = self.ctx.callee(value) if isinstance(value, ir.Call) else None
        if callee is not None:
            return [ir.Assign(ir.Tuple([copy.deepcopy(target), self.leaf_dot(target)]),
                              ir.Call(f"module.{callee.name}_jvp", value.args + self.argument_dots(value, callee)),
                              stmt.pos)]
        return [ir.Assign(self.leaf_dot(target), self.tangent(value), stmt.pos), stmt]

    def argument_dots(self, call: ir.Call, callee: ir.Function) -> list[ir.Expr]:
        """The tangents of the arguments a device function differentiates."""
        callee_ctx = self.ctx.callee_context(callee)
        wanted = {p.name for p in callee_ctx.diff_params()}
        return [self.tangent(arg) for arg, p in zip(call.args, callee.params) if p.name in wanted]
