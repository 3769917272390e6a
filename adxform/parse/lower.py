"""Lower a libcst module into the IR, fencing off what is not in the subset.

One small method per libcst node kind, found by name (``_stmt_If``,
``_expr_Call`` …).  A node kind with no method is outside the subset: the
``UNSUPPORTED`` table gives its diagnostic code and wording.  Lowering goes
on after a diagnostic (a placeholder stands in for the bad node), so a user
sees every problem of a function at once.

Module level: imports set up the aliases of numpy, math and numba; number
constants become ``ir.Constant``; functions are lowered one by one, and a
function outside the subset is kept aside with its diagnostics in
``Module.rejected`` (it only matters if a differentiated function needs it).
Everything else at module level is left alone.
"""

from __future__ import annotations

import copy

import libcst as cst
import libcst.matchers as m
from libcst.metadata import MetadataWrapper, PositionProvider

from .. import ir
from ..diagnostics import Diagnostic, Reporter
from ..naming import fresh_name
from ..walk import bound_names, names_read, statements
from . import sugar
from .directives import find_directives, unclaimed
from .signature import SignatureError, parse_signature

BINARY_OPS = {
    "Add": "+", "Subtract": "-", "Multiply": "*", "Divide": "/", "FloorDivide": "//",
    "Modulo": "%", "Power": "**", "MatrixMultiply": "@",
}
UNARY_OPS = {"Minus": "-", "Plus": "+", "Not": "not"}
COMPARE_OPS = {
    "LessThan": "<", "LessThanEqual": "<=", "GreaterThan": ">", "GreaterThanEqual": ">=",
    "Equal": "==", "NotEqual": "!=",
}
BUILTINS = {"abs", "min", "max", "len", "range", "float", "int", "bool", "round", "sum", "pow"}
ARRAY_ATTRIBUTES = {"shape", "size", "ndim", "T"}

# libcst node kind -> (diagnostic code, what to call it in the message)
UNSUPPORTED = {
    "ClassDef": ("unsupported-class", "a class"),
    "FunctionDef": ("unsupported-closure", "a nested function"),
    "Lambda": ("unsupported-lambda", "a lambda"),
    "Yield": ("unsupported-generator", "'yield'"),
    "Await": ("unsupported-async", "'await'"),
    "ListComp": ("unsupported-comprehension", "a comprehension"),
    "SetComp": ("unsupported-comprehension", "a comprehension"),
    "DictComp": ("unsupported-comprehension", "a comprehension"),
    "GeneratorExp": ("unsupported-comprehension", "a generator expression"),
    "Try": ("unsupported-try", "'try'"),
    "TryStar": ("unsupported-try", "'try'"),
    "With": ("unsupported-with", "'with'"),
    "Global": ("unsupported-global", "'global'"),
    "Nonlocal": ("unsupported-global", "'nonlocal'"),
    "SimpleString": ("unsupported-string", "a string"),
    "ConcatenatedString": ("unsupported-string", "a string"),
    "FormattedString": ("unsupported-string", "a string"),
    "List": ("unsupported-container", "a list"),
    "Dict": ("unsupported-container", "a dict"),
    "Set": ("unsupported-container", "a set"),
    "Del": ("unsupported-statement", "'del'"),
    "Assert": ("unsupported-statement", "'assert'"),
    "Raise": ("unsupported-statement", "'raise'"),
    "Import": ("unsupported-statement", "an import inside a function"),
    "ImportFrom": ("unsupported-statement", "an import inside a function"),
    "Match": ("unsupported-statement", "'match'"),
    "NamedExpr": ("unsupported-expression", "an assignment expression"),
    "Imaginary": ("unsupported-expression", "a complex number"),
    "Starred": ("unsupported-expression", "a starred expression"),
    "StarredElement": ("unsupported-expression", "a starred expression"),
    "Ellipsis": ("unsupported-expression", "'...'"),
}


class Unsupported(Exception):
    """Raised inside a lowering method; caught per statement and reported."""

    def __init__(self, node: cst.CSTNode, message: str, code: str, note: str = ""):
        super().__init__(message)
        self.node = node
        self.message = message
        self.code = code
        self.note = note


class ModuleScope:
    """What a bare name at module level refers to."""

    def __init__(self) -> None:
        self.modules: dict[str, str] = {}  # alias -> "numpy" / "math" / "numba" / "numba.cuda" / "numpy.typing"
        self.imported: dict[str, str] = {}  # bare name -> "math.sin" (from math import sin)
        self.functions: set[str] = set()
        self.constants: set[str] = set()
        self.runtime: set[str] = set()  # the runtime helpers of a generated module read back (``runtime_helper``)


def _dotted(node: cst.BaseExpression) -> str | None:
    """``np.linalg.norm`` -> "np.linalg.norm"; None if not a dotted name."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


class Lowerer:
    def __init__(self, wrapper: MetadataWrapper, reporter: Reporter, directives: dict[int, ir.Directive],
                 file: str = "", runtime: RuntimeTexts | None = None):
        self.runtime = runtime or {}
        self.positions = wrapper.resolve(PositionProvider)
        self.reporter = reporter
        self.file = file  # stamped on positions when this is not the compiled file
        self.directives = directives  # line -> directive; loops take theirs, the rest are misplaced
        self.scope = ModuleScope()
        self.function = ""
        self.taken: set[str] = set()  # the names the function being lowered uses (``hidden``)

    # -- positions and errors ------------------------------------------------

    def pos(self, node: cst.CSTNode) -> ir.Pos:
        rng = self.positions.get(node)
        if rng is None:
            return ir.NOPOS
        return ir.Pos(rng.start.line, rng.start.column + 1, rng.end.line, rng.end.column + 1, self.file)

    def unsupported(self, node: cst.CSTNode) -> Unsupported:
        kind = type(node).__name__
        code, what = UNSUPPORTED.get(kind, ("unsupported-syntax", f"'{kind}'"))
        return Unsupported(node, f"{what} is not in the differentiable subset", code)

    # -- module ----------------------------------------------------------------

    def module(self, tree: cst.Module, filename: str, source: str) -> ir.Module:
        mod = ir.Module(filename=filename, source=source, functions={}, constants=[])
        helpers = [stmt for stmt in tree.body if isinstance(stmt, cst.FunctionDef) and self.runtime_helper(stmt)]
        for stmt in tree.body:
            if isinstance(stmt, cst.FunctionDef):
                self.scope.functions.add(stmt.name.value)
        for stmt in tree.body:
            if isinstance(stmt, cst.FunctionDef) and stmt not in helpers:
                self._module_function(stmt, mod)
            elif isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    self._module_small(small, mod)
        mod.numpy_aliases = frozenset(a for a, m in self.scope.modules.items() if m == "numpy")
        return mod

    def runtime_helper(self, node: cst.FunctionDef) -> bool:
        """Whether ``node`` is a runtime helper exactly as adxform emits it
        (a generated module fed back in).  It is not lowered: its calls stay
        calls of the helper, as the transforms wrote them, and the emitted
        module carries the helper again (``analysis/runtime.py`` and
        ``forward/runtime.py`` say how each one is differentiated).  A function of that name with another
        body is the user's own and is lowered like any other."""
        name = node.name.value
        text = cst.Module([]).code_for_node(node.with_changes(leading_lines=[])).strip()
        if text not in self.runtime.get(name, ((), ()))[0]:
            return False
        self.scope.runtime.add(name)
        self.scope.constants.update(self.runtime[name][1])
        return True

    def _module_small(self, node: cst.BaseSmallStatement, mod: ir.Module) -> None:
        if isinstance(node, cst.Import):
            for alias in node.names:
                full = _dotted(alias.name) or ""
                if alias.asname is not None:
                    self.scope.modules[_dotted(alias.asname.name) or full] = full
                else:
                    self.scope.modules[full.split(".")[0]] = full.split(".")[0]
                    if full == "numba.cuda":
                        self.scope.modules["numba"] = "numba"
        elif isinstance(node, cst.ImportFrom) and not isinstance(node.names, cst.ImportStar):
            base = _dotted(node.module) if node.module is not None else None
            for alias in node.names:
                name = alias.name.value if isinstance(alias.name, cst.Name) else ""
                local = alias.asname.name.value if alias.asname is not None else name
                full = f"{base}.{name}"
                if full in ("numba.cuda", "numpy.typing"):
                    self.scope.modules[local] = full
                elif base in ("math", "numpy", "numba"):
                    self.scope.imported[local] = full
        elif isinstance(node, cst.Assign) and len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
            name = node.targets[0].target.value
            try:
                value = self.expr(node.value)
            except Unsupported:
                return  # not a number constant: left alone
            if _is_number_constant(value):
                self.scope.constants.add(name)
                mod.constants.append(ir.Constant(name, value, self.pos(node)))

    def _module_function(self, node: cst.FunctionDef, mod: ir.Module) -> None:
        before = len(self.reporter.diagnostics)
        self.function = node.name.value
        func = self.function_def(node)
        errors: list[Diagnostic] = self.reporter.diagnostics[before:]
        del self.reporter.diagnostics[before:]
        if errors:
            mod.rejected[func.name] = errors
        else:
            mod.functions[func.name] = func

    def report(self, err: Unsupported) -> None:
        message = err.message
        if self.function:
            message += f" (in function '{self.function}')"
        self.reporter.error(self.pos(err.node), message, err.code, err.note)

    # -- functions ---------------------------------------------------------------

    def function_def(self, node: cst.FunctionDef) -> ir.Function:
        self.taken = {name.value for name in m.findall(node, m.Name())}
        target = "cpu"
        signature: tuple[list[ir.Type], ir.Type | None] | None = None
        for deco in node.decorators:
            try:
                target = self.decorator(deco)
                signature = self.signature(deco) if target == "cpu" else None
            except Unsupported as err:
                self.report(err)
        if node.asynchronous is not None:
            self.report(Unsupported(node, "an async function is not in the differentiable subset", "unsupported-async"))
        params = []
        p = node.params
        for bad in (p.star_arg, p.star_kwarg):
            if isinstance(bad, cst.Param):
                self.report(Unsupported(bad, "'*args' and '**kwargs' are not in the differentiable subset", "unsupported-parameter"))
        for param in list(p.posonly_params) + list(p.params) + list(p.kwonly_params):
            if param.default is not None:
                self.report(Unsupported(param, "a default parameter value is not in the differentiable subset", "unsupported-parameter"))
            ann = None
            if param.annotation is not None:
                try:
                    ann = self.annotation(param.annotation.annotation)
                except Unsupported as err:
                    self.report(err)
            params.append(ir.Param(param.name.value, ann, self.pos(param.name)))
        returns = None
        if node.returns is not None:
            try:
                returns = self.annotation(node.returns.annotation)
            except Unsupported as err:
                self.report(err)
        if signature is not None:
            try:
                returns = self.apply_signature(node, signature, params) or returns
            except Unsupported as err:
                self.report(err)
        body_nodes = list(node.body.body) if isinstance(node.body, cst.IndentedBlock) else [node.body]
        docstring = node.get_docstring(clean=False)
        if docstring is not None:
            body_nodes = body_nodes[1:]
        body = self.block(body_nodes)
        return ir.Function(node.name.value, params, body, self.pos(node.name), docstring, returns, target)

    def decorator(self, deco: cst.Decorator) -> str:
        expr = deco.decorator
        call_args: list[cst.Arg] = []
        if isinstance(expr, cst.Call):
            call_args = list(expr.args)
            expr = expr.func
        name = _dotted(expr) or ""
        head, _, rest = name.partition(".")
        full = self.scope.modules.get(head, self.scope.imported.get(head, head))
        full = f"{full}.{rest}" if rest else full
        if full in ("numba.njit", "numba.jit"):
            return "cpu"
        if full == "numba.cuda.jit":
            device = any(a.keyword is not None and a.keyword.value == "device" and _dotted(a.value) == "True" for a in call_args)
            return "cuda-device" if device else "cuda-kernel"
        raise Unsupported(deco, f"the decorator '{name}' is not in the differentiable subset", "unsupported-decorator",
                          note="adxform accepts numba.njit, numba.jit and numba.cuda.jit")

    def signature(self, deco: cst.Decorator) -> tuple[list[ir.Type], ir.Type | None] | None:
        """The types a numba signature on ``@njit(...)`` declares (``signature.py``), if it has one."""
        call = deco.decorator
        if not isinstance(call, cst.Call) or not call.args or call.args[0].keyword is not None:
            return None
        value = call.args[0].value
        if isinstance(value, (cst.List, cst.Tuple)):
            raise Unsupported(value, "a list of numba signatures asks for several specialisations, which one "
                              "derivative cannot serve", "unsupported-annotation", note="give one signature")
        text = value.evaluated_value if isinstance(value, cst.SimpleString) else cst.Module([]).code_for_node(value)
        try:
            return parse_signature(str(text))
        except SignatureError as err:
            raise Unsupported(value, str(err), "unsupported-annotation",
                              note='write it as numba does: "f8(f8[:], i8)" or float64(float64[:, :], int64)') from err

    def apply_signature(self, node: cst.FunctionDef, signature: tuple[list[ir.Type], ir.Type | None],
                        params: list[ir.Param]) -> ir.Type | None:
        """Gives ``params`` the types of the signature, which outrank their
        annotations; returns the declared return type (None: left out)."""
        types, returns = signature
        if len(types) != len(params):
            raise Unsupported(node.decorators[0], f"the numba signature declares {len(types)} parameters; the "
                              f"function has {len(params)}", "unsupported-annotation")
        for param, ptype in zip(params, types):
            param.annotation = ptype
        return returns

    def annotation(self, node: cst.BaseExpression) -> ir.Type | None:
        if isinstance(node, cst.Name):
            simple = {"float": ir.FLOAT, "int": ir.INT, "bool": ir.BOOL, "None": ir.NONE}
            if node.value in simple:
                return simple[node.value]
        if isinstance(node, cst.Subscript):
            base = self.qualify(_dotted(node.value) or "")
            items = [el.slice.value for el in node.slice if isinstance(el.slice, cst.Index)]
            if base in ("numpy.typing.NDArray", "numpy.ndarray") and items:
                dtype = self.qualify(_dotted(items[-1]) or "") if base.endswith("NDArray") else "numpy.float64"
                return ir.Type("array", dtype=DTYPES.get(dtype, "float64"))
            if base in ("builtins.tuple", "tuple"):  # an array in a tuple holds floats (no use shows otherwise)
                return ir.Type("tuple", items=tuple(_float_if_bare(self.annotation(i) or ir.FLOAT) for i in items))
        qual = self.qualify(_dotted(node) or "")
        if qual in ("numpy.ndarray", "numpy.typing.NDArray", "numpy.typing.ArrayLike"):
            return ir.Type("array", dtype="")  # element type from use (types.py)
        if qual in DTYPES:
            return ir.Type("float" if DTYPES[qual].startswith("float") else "int")
        raise Unsupported(node, "this annotation is not understood", "unsupported-annotation",
                          note="use float, int, bool, np.ndarray or npt.NDArray[np.float64]")

    def qualify(self, dotted: str) -> str:
        head, _, rest = dotted.partition(".")
        if head in self.scope.modules:
            full = self.scope.modules[head]
            return f"{full}.{rest}" if rest else full
        if head in self.scope.imported:
            return self.scope.imported[head] + (f".{rest}" if rest else "")
        return dotted

    # -- statements --------------------------------------------------------------

    def block(self, nodes) -> list[ir.Stmt]:
        out: list[ir.Stmt] = []
        for node in nodes:
            if isinstance(node, cst.SimpleStatementLine):
                for small in node.body:
                    self._lower_into(out, small, node)
            else:
                self._lower_into(out, node, node)
        return out

    def _lower_into(self, out: list[ir.Stmt], node: cst.CSTNode, line: cst.CSTNode) -> None:
        method = getattr(self, "_stmt_" + type(node).__name__, None)
        try:
            if method is None:
                raise self.unsupported(node)
            result = method(node)
        except Unsupported as err:
            self.report(err)
            return
        out.extend(result if isinstance(result, list) else [result])

    def _body(self, node: cst.BaseSuite) -> list[ir.Stmt]:
        if isinstance(node, cst.IndentedBlock):
            return self.block(node.body)
        return self.block([node])

    def _stmt_Pass(self, node: cst.Pass) -> ir.Stmt:
        return ir.Pass(self.pos(node))

    def _stmt_Break(self, node: cst.Break) -> ir.Stmt:
        return ir.Break(self.pos(node))

    def _stmt_Continue(self, node: cst.Continue) -> ir.Stmt:
        return ir.Continue(self.pos(node))

    def _stmt_Return(self, node: cst.Return) -> ir.Stmt:
        return ir.Return(self.expr(node.value) if node.value is not None else None, self.pos(node))

    def _stmt_Expr(self, node: cst.Expr) -> ir.Stmt:
        if isinstance(node.value, (cst.SimpleString, cst.ConcatenatedString)):
            return ir.Pass(self.pos(node))  # a string statement is a comment
        value = self.expr(node.value)
        if not isinstance(value, ir.Call):
            raise Unsupported(node, "an expression statement that is not a call has no effect", "unsupported-statement")
        return ir.ExprStmt(value, self.pos(node))

    def _stmt_Assign(self, node: cst.Assign) -> list[ir.Stmt]:
        value = self.expr(node.value)
        pos = self.pos(node)
        targets = [self.target(t.target) for t in node.targets]
        stmts: list[ir.Stmt] = [ir.Assign(targets[0], value, pos)]
        # a = b = e  ->  a = e; b = a   (Python binds left to right, one object)
        for target in targets[1:]:
            stmts.append(ir.Assign(target, _copy_target_as_expr(targets[0]), pos))
        return stmts

    def _stmt_AnnAssign(self, node: cst.AnnAssign) -> ir.Stmt:
        if node.value is None:
            return ir.Pass(self.pos(node))
        return ir.Assign(self.target(node.target), self.expr(node.value), self.pos(node))

    def _stmt_AugAssign(self, node: cst.AugAssign) -> ir.Stmt:
        op_name = type(node.operator).__name__.replace("Assign", "")
        if op_name not in BINARY_OPS:
            raise Unsupported(node.operator, f"the operator '{node.operator.operator}' is not in the differentiable subset",
                              "unsupported-operator")
        target = self.target(node.target)
        if isinstance(target, ir.Tuple):
            raise Unsupported(node, "augmented assignment to a tuple", "unsupported-statement")
        pos = self.pos(node)
        value = ir.BinOp(BINARY_OPS[op_name], _copy_target_as_expr(target), self.expr(node.value), pos)
        return ir.Assign(target, value, pos, inplace=True)

    def _stmt_If(self, node: cst.If) -> ir.Stmt:
        orelse: list[ir.Stmt] = []
        if isinstance(node.orelse, cst.If):
            orelse = [self._stmt_If(node.orelse)]
        elif isinstance(node.orelse, cst.Else):
            orelse = self._body(node.orelse.body)
        return ir.If(self.expr(node.test), self._body(node.body), orelse, self.pos(node))

    def directive(self, node: cst.CSTNode) -> ir.Directive | None:
        """The directive on the line directly above a loop."""
        return self.directives.pop(self.pos(node).line - 1, None)

    def _stmt_For(self, node: cst.For) -> ir.Stmt | list[ir.Stmt]:
        directive = self.directive(node)
        if node.orelse is not None:
            raise Unsupported(node.orelse, "'else' on a loop is not in the differentiable subset", "unsupported-loop-else")
        if node.asynchronous is not None:
            raise self.unsupported(node.asynchronous)
        it = node.iter
        if isinstance(it, cst.Call) and self.qualify(_dotted(it.func) or "") in ("range", "builtins.range"):
            return self._range_loop(node, it, directive)
        return self._row_loop(node, directive)

    def _range_loop(self, node: cst.For, it: cst.Call, directive: ir.Directive | None) -> ir.Stmt:
        if not isinstance(node.target, cst.Name):
            raise Unsupported(node.target, "the loop variable must be a single name", "unsupported-loop")
        if not (1 <= len(it.args) <= 3 and all(a.keyword is None and not a.star for a in it.args)):
            raise Unsupported(it, "range() takes one to three positional arguments here", "unsupported-loop")
        args = [self.expr(a.value) for a in it.args]
        start, stop, step = {1: lambda: (ir.Const(0), args[0], ir.Const(1)),
                             2: lambda: (args[0], args[1], ir.Const(1)),
                             3: lambda: tuple(args)}[len(args)]()
        return ir.For(node.target.value, start, stop, step, self._body(node.body), self.pos(node), directive)

    def _row_loop(self, node: cst.For, directive: ir.Directive | None) -> list[ir.Stmt]:
        """``for a in x``, ``for i, a in enumerate(x)``, ``for a, b in zip(x,
        y)`` over arrays: a loop over an index (``sugar.row_loop``)."""
        it, target = node.iter, node.target
        helper = self.qualify(_dotted(it.func) or "") if isinstance(it, cst.Call) else ""
        if helper == "enumerate" and len(it.args) == 1 and _names_of(target, 2):
            index, row = (self.target(el.value) for el in target.elements)
            arrays, rows, index_name = [it.args[0].value], [row], index.id
        elif helper == "zip" and len(it.args) >= 2 and _names_of(target, len(it.args)):
            arrays, rows = [a.value for a in it.args], [self.target(el.value) for el in target.elements]
            index_name = self.hidden(sugar.HIDDEN_INDEX)
        elif helper not in ("enumerate", "zip") and not isinstance(it, (cst.Tuple, cst.List)) \
                and isinstance(target, cst.Name):
            arrays, rows, index_name = [it], [self.target(target)], self.hidden(sugar.HIDDEN_INDEX)
        else:
            raise Unsupported(it, "a loop must run over range(…), an array, enumerate(array) or zip(arrays…), "
                              "with one name per item", "unsupported-loop",
                              note="iterating a tuple, or unpacking the rows of a matrix, is not in the subset")
        if any(a.keyword is not None or a.star for a in (it.args if helper else [])) or \
                any(m.findall(a, m.Call()) for a in arrays):
            raise Unsupported(it, "a loop runs over arrays held by variables, not over calls", "unsupported-loop",
                              note="bind the array to a name before the loop")
        over = [self.expr(a) for a in arrays]
        body = self._body(node.body)
        rebound = {n for stmt in statements(body) for n in bound_names(stmt)} & {n for a in over for n in names_read(a)}
        if rebound:
            raise Unsupported(it, f"the loop assigns '{sorted(rebound)[0]}', which it iterates over",
                              "unsupported-loop", note="iterate over a copy, or loop over range(len(…))")
        views = [ir.Assign(ir.Name(self.hidden(sugar.HIDDEN_ARRAY), a.pos), a, a.pos)
                 for a in over if not isinstance(a, ir.Name)]  # x[1:], m.T: bound once, before the loop
        named = iter(view.target for view in views)
        over = [a if isinstance(a, ir.Name) else next(named) for a in over]
        return views + [sugar.row_loop(index_name, rows, over, body, self.pos(node), directive)]

    def hidden(self, wanted: str) -> str:
        """A fresh hidden name of the function: ``_k``, ``_k2`` …"""
        return fresh_name(wanted, self.taken)

    def _stmt_While(self, node: cst.While) -> ir.Stmt:
        directive = self.directive(node)
        if node.orelse is not None:
            raise Unsupported(node.orelse, "'else' on a loop is not in the differentiable subset", "unsupported-loop-else")
        return ir.While(self.expr(node.test), self._body(node.body), self.pos(node), directive)

    # -- assignment targets ------------------------------------------------------------

    def target(self, node: cst.BaseExpression) -> ir.Expr:
        if isinstance(node, cst.Name):
            if node.value in self.scope.functions or node.value in self.scope.constants:
                raise Unsupported(node, f"assigning to the module-level name '{node.value}'", "unsupported-global")
            return ir.Name(node.value, self.pos(node))
        if isinstance(node, cst.Subscript):
            return self._expr_Subscript(node)
        if isinstance(node, (cst.Tuple, cst.List)):
            for el in node.elements:
                if isinstance(el, cst.StarredElement):
                    raise self.unsupported(el)
            return ir.Tuple([self.target(el.value) for el in node.elements], self.pos(node))
        raise Unsupported(node, "this assignment target is not in the differentiable subset", "unsupported-statement")

    # -- expressions -----------------------------------------------------------------

    def expr(self, node: cst.BaseExpression) -> ir.Expr:
        method = getattr(self, "_expr_" + type(node).__name__, None)
        if method is None:
            raise self.unsupported(node)
        return method(node)

    def _expr_Name(self, node: cst.Name) -> ir.Expr:
        pos = self.pos(node)
        constants = {"True": True, "False": False, "None": None}
        if node.value in constants:
            return ir.Const(constants[node.value], pos)
        if node.value in self.scope.constants:
            return ir.QualName("module." + node.value, pos)
        if node.value in self.scope.imported:
            return ir.QualName(self.scope.imported[node.value], pos)
        if node.value in self.scope.functions or node.value in self.scope.modules:
            raise Unsupported(node, f"'{node.value}' used as a value", "unsupported-expression")
        return ir.Name(node.value, pos)

    def _expr_Integer(self, node: cst.Integer) -> ir.Expr:
        return ir.Const(int(node.evaluated_value), self.pos(node))

    def _expr_Float(self, node: cst.Float) -> ir.Expr:
        return ir.Const(float(node.evaluated_value), self.pos(node))

    def _expr_BinaryOperation(self, node: cst.BinaryOperation) -> ir.Expr:
        op = BINARY_OPS.get(type(node.operator).__name__)
        if op is None:
            raise Unsupported(node.operator, f"the operator '{_operator_text(node.operator)}' is not in the "
                              "differentiable subset", "unsupported-operator")
        return ir.BinOp(op, self.expr(node.left), self.expr(node.right), self.pos(node))

    def _expr_UnaryOperation(self, node: cst.UnaryOperation) -> ir.Expr:
        op = UNARY_OPS.get(type(node.operator).__name__)
        if op is None:
            raise Unsupported(node.operator, f"the operator '{_operator_text(node.operator)}' is not in the "
                              "differentiable subset", "unsupported-operator")
        return ir.UnaryOp(op, self.expr(node.expression), self.pos(node))

    def _expr_BooleanOperation(self, node: cst.BooleanOperation) -> ir.Expr:
        op = "and" if isinstance(node.operator, cst.And) else "or"
        return ir.BoolOp(op, [self.expr(node.left), self.expr(node.right)], self.pos(node))

    def _expr_Comparison(self, node: cst.Comparison) -> ir.Expr:
        pos = self.pos(node)
        parts: list[ir.Expr] = []
        left = self.expr(node.left)
        for target in node.comparisons:
            op = COMPARE_OPS.get(type(target.operator).__name__)
            if op is None:
                raise Unsupported(target.operator, "only < <= > >= == != comparisons are in the differentiable subset",
                                  "unsupported-operator")
            right = self.expr(target.comparator)
            parts.append(ir.Compare(op, left, right, pos))
            left = right
        return parts[0] if len(parts) == 1 else ir.BoolOp("and", parts, pos)

    def _expr_IfExp(self, node: cst.IfExp) -> ir.Expr:
        return ir.IfExp(self.expr(node.test), self.expr(node.body), self.expr(node.orelse), self.pos(node))

    def _expr_Tuple(self, node: cst.Tuple) -> ir.Expr:
        return ir.Tuple([self.expr(el.value) if isinstance(el, cst.Element) else self.expr(el) for el in node.elements],
                        self.pos(node))

    def _expr_Attribute(self, node: cst.Attribute) -> ir.Expr:
        dotted = _dotted(node)
        if dotted is not None and dotted.split(".")[0] in self.scope.modules:
            if self.qualify(dotted) in sugar.NONE_NAMES:
                return ir.Const(None, self.pos(node))
            return ir.QualName(self.qualify(dotted), self.pos(node))
        if node.attr.value not in ARRAY_ATTRIBUTES:
            raise Unsupported(node.attr, f"the attribute '{node.attr.value}' is not in the differentiable subset",
                              "unsupported-attribute", note="arrays offer shape, size, ndim and T")
        return ir.Attribute(self.expr(node.value), node.attr.value, self.pos(node))

    def _expr_Subscript(self, node: cst.Subscript) -> ir.Expr:
        index: list[ir.Expr] = []
        for element in node.slice:
            sl = element.slice
            if isinstance(sl, cst.Index):
                if sl.star is not None:
                    raise self.unsupported(sl)
                if isinstance(sl.value, cst.Ellipsis) and len(node.slice) == 1:  # a[...], the whole of a
                    index.append(ir.Const(..., self.pos(sl.value)))
                else:
                    index.append(self.expr(sl.value))
            else:
                index.append(ir.Slice(*(self.expr(part) if part is not None else None
                                        for part in (sl.lower, sl.upper, sl.step)), pos=self.pos(sl)))
        if len(index) == 1 and isinstance(index[0], ir.Tuple):
            index = list(index[0].items)
        return ir.Subscript(self.expr(node.value), index, self.pos(node))

    def _expr_Call(self, node: cst.Call) -> ir.Expr:
        pos = self.pos(node)
        args: list[ir.Expr] = []
        kwargs: list[tuple[str, ir.Expr]] = []
        helper = isinstance(node.func, cst.Name) and node.func.value in self.scope.runtime
        for arg in node.args:
            if arg.star:
                raise Unsupported(arg, "a starred argument is not in the differentiable subset", "unsupported-expression")
            if helper and isinstance(arg.value, cst.SimpleString):  # a message, or how _reduce_axis reduces
                args.append(ir.Const(arg.value.evaluated_value, self.pos(arg.value)))
            elif arg.keyword is not None:
                kwargs.append((arg.keyword.value, self.expr(arg.value)))
            else:
                args.append(self.expr(arg.value))
        func = node.func
        dotted = _dotted(func)
        if isinstance(func, cst.Name):
            name = func.value
            if helper and name == "_reduce_axis" and len(args) == 3 and isinstance(args[2].value, str):
                # how the emitter spells np.max(a, axis=k) for numba (rules/spelling.py), read back
                return ir.Call(f"numpy.{args[2].value}", [args[0]], [("axis", args[1])], pos)
            if name in self.scope.functions:
                return ir.Call("module." + name, args, kwargs, pos)
            if name in self.scope.imported:
                return self._call(node, self.scope.imported[name], args, kwargs)
            if name in BUILTINS:
                return self._call(node, "builtins." + name, args, kwargs)
            return ir.Call("unknown." + name, args, kwargs, pos)
        if dotted is not None and dotted.split(".")[0] in self.scope.modules:
            return self._call(node, self.qualify(dotted), args, kwargs)
        if isinstance(func, cst.Attribute):
            receiver = self.expr(func.value)
            return ir.Call("method." + func.attr.value, [receiver] + args, kwargs, pos)
        raise Unsupported(func, "only calls of named functions are in the differentiable subset", "unsupported-expression")

    def _call(self, node: cst.Call, qualified: str, args: list[ir.Expr], kwargs: list[tuple[str, ir.Expr]]) -> ir.Expr:
        """A library call, or the operator it spells (``sugar.py``)."""
        pos = self.pos(node)
        shown = qualified.removeprefix("builtins.")
        if qualified in sugar.OPERATOR_CALLS or qualified in sugar.FOLDED_CALLS and len(args) > 2:
            if kwargs:
                raise Unsupported(node, f"'{shown}' is supported without the keyword argument '{kwargs[0][0]}'",
                                  "bad-call")
        if qualified in sugar.OPERATOR_CALLS:
            if len(args) != 2:
                raise Unsupported(node, f"'{shown}' is supported with 2 positional arguments", "bad-call")
            return sugar.operator_call(qualified, args, pos)
        if qualified in sugar.FOLDED_CALLS and len(args) > 2:
            return sugar.folded_call(qualified, args, pos)
        return ir.Call(qualified, args, kwargs, pos)


DTYPES = {
    "numpy.float64": "float64", "numpy.float32": "float32", "numpy.int64": "int64", "numpy.int32": "int32",
    "numpy.intp": "int64", "numpy.bool_": "bool", "float": "float64", "int": "int64", "bool": "bool",
}


def _operator_text(node: cst.CSTNode) -> str:
    """How an operator node is spelled in the source (``&``, ``~``)."""
    return cst.Module([]).code_for_node(node).strip()


def _is_number_constant(expr: ir.Expr) -> bool:
    if isinstance(expr, ir.Const):
        return isinstance(expr.value, (int, float)) and not isinstance(expr.value, bool)
    if isinstance(expr, ir.UnaryOp) and expr.op in "-+":
        return _is_number_constant(expr.operand)
    if isinstance(expr, ir.Tuple):
        return all(_is_number_constant(item) for item in expr.items)
    return False


def _float_if_bare(annotation: ir.Type) -> ir.Type:
    """A bare ``np.ndarray`` annotation as a float64 array."""
    return ir.float_array() if annotation.is_array and not annotation.dtype else annotation


def _names_of(target: cst.BaseExpression, count: int) -> bool:
    """Whether a loop target is a tuple of ``count`` plain names."""
    return isinstance(target, (cst.Tuple, cst.List)) and len(target.elements) == count and all(
        isinstance(el, cst.Element) and isinstance(el.value, cst.Name) for el in target.elements)


def _copy_target_as_expr(target: ir.Expr) -> ir.Expr:
    """A target read back as a value (``x += 1`` reads ``x``)."""
    return copy.deepcopy(target)


# helper name -> (the texts adxform emits it as, the module constants emitted with it)
RuntimeTexts = dict[str, tuple[tuple[str, ...], tuple[str, ...]]]


def lower_module(source: str, filename: str, reporter: Reporter, outer: ir.Module | None = None,
                 runtime: RuntimeTexts | None = None) -> ir.Module | None:
    """The IR of ``source``; with ``outer``, ``source`` is a --rules module
    for ``outer``: its positions name its own file and the functions of
    ``outer`` are module functions there too (however it imports them)."""
    try:
        tree = cst.parse_module(source)
    except cst.ParserSyntaxError as err:
        reporter.error(ir.Pos(err.raw_line, err.raw_column + 1), f"invalid syntax: {err.message}", "syntax-error")
        return None
    wrapper = MetadataWrapper(tree)  # positions are keyed on the wrapper's copy of the tree
    directives = find_directives(source, reporter)
    lowerer = Lowerer(wrapper, reporter, directives, filename if outer is not None else "", runtime)
    if outer is not None:
        lowerer.scope.functions |= set(outer.functions) | set(outer.rejected)
    module = lowerer.module(wrapper.module, filename, source)
    unclaimed(directives, reporter)
    return module
