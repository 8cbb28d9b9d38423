"""The analysis every rule shares, computed in the engine's single traversal.

``Analyzer`` is the first participant of the traversal (``analysis.walk``). Statement by statement it keeps,
for each scope, which names are bound to what, the Hugging Face objects made and every later use of them, the
calls in order, and for each of those the branches (``flow``) and the context (``contexts``) they run in.
Expressions are evaluated by ``evaluation``; calls that make or use Hugging Face objects are modelled by
``hfobjects``; calls of the file's own functions by ``summaries``. Function bodies are analysed after the
code around them (the walker defers them), so a function sees its module's names as they are once the script
has defined them. When the traversal ends, ``finish`` freezes everything; rules read it through ``Facts``.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import replace
from typing import Optional

from ..lazy_libcst import cst

from . import contexts
from .contexts import TOP, Context
from .evaluation import Evaluator
from .flow import Branch
from .hfobjects import HFObjects
from .scopes import Binding, Scope, dotted_name, final_value, target_names, value_at_point
from .summaries import Summaries
from .values import (UNKNOWN, ClassRef, Const, FuncRef, HFObject, Output, Param, QName, SelfRef, Seq, Str, Tracked,
                     Use, Value, VersionTest)
from .walk import DEFER


class Analyzer(Evaluator, HFObjects, Summaries):
    """See the module docstring. ``scratch=True`` makes the throw-away analyzer a function summary runs in:
    it records uses only on what it makes itself (and on its parameters); uses of outer objects are kept in
    ``outer_uses`` instead of being added to them."""

    def __init__(self, module: cst.Module, *, summaries: Optional[dict] = None, scratch: bool = False,
                 mutated: frozenset = frozenset()):
        self.module = module
        self.scratch = scratch
        self.mutated = mutated  # names of containers the file changes: their literal items are unknown
        self.seq = 0
        self.module_scope = Scope("module", "<module>", module, None)
        self.scope = self.module_scope
        self.scopes: list[Scope] = [] if scratch else [self.module_scope]
        self.objects: list[HFObject] = []
        self.tracked: list[Tracked] = []
        self.values: dict[int, Value] = {}
        self.cond: tuple = ()
        self.context: Context = TOP
        self.summaries: dict = summaries if summaries is not None else {}
        self.summarized_calls: set[int] = set()  # calls of the file's functions whose summary is known
        self.outer_uses: list[tuple[Tracked, Use]] = []  # scratch: uses of objects it did not make
        self._created: set[int] = set()
        self._param_paths: dict = {}
        self._branches: dict[int, Branch] = {}  # id(block) -> the branch entering that block starts
        self._block_contexts: dict[int, Context] = {}  # id(block) -> the context inside it (a try body)
        self._block_saved: dict[int, tuple] = {}  # id(block) -> (cond, context) to restore when leaving it
        self._context_saved: dict[int, Context] = {}  # id(with/if/loop) -> the context to restore
        self._saved: dict[int, tuple[Scope, Context]] = {}  # deferred functions: defining scope and context
        self._scope_stack: list[tuple[Scope, tuple, Context]] = []
        self._line_stack: list[cst.SimpleStatementLine] = []
        self._statement_of: dict[int, cst.SimpleStatementLine] = {}
        self._with_of: dict[int, cst.With] = {}  # id(with item expression) -> its With statement

    # ------------------------------------------------------------------ bookkeeping
    def _next(self) -> int:
        self.seq += 1
        return self.seq

    def owns(self, obj: Tracked) -> bool:
        return not self.scratch or id(obj) in self._created

    def _track(self, obj: Tracked) -> Tracked:
        self._created.add(id(obj))
        self.tracked.append(obj)
        obj.scope.tracked.append(obj)
        if isinstance(obj, HFObject):
            self.objects.append(obj)
            obj.scope.objects.append(obj)
        return obj

    def _use(self, target: Value, kind: str, node: cst.CSTNode, context: Optional[Context] = None, **kw) -> None:
        if not isinstance(target, Tracked):
            return
        use = Use(kind, node, self._next(), self.scope, self.cond, context or self.context, **kw)
        if self.owns(target):
            target.uses.append(use)
        else:
            self.outer_uses.append((target, use))

    def bind(self, name: str, value: Value, node: cst.CSTNode, scope: Optional[Scope] = None) -> None:
        scope = scope or self.scope
        scope.bindings.setdefault(name, []).append(Binding(name, self._next(), value, node, self.cond))
        if isinstance(value, Tracked) and name not in value.names and self.owns(value):
            value.names.append(name)

    def statement_of(self, call: cst.Call) -> Optional[cst.SimpleStatementLine]:
        """The statement line (on its own line) holding a call; None in a compound header or `if x: call()`."""
        return self._statement_of.get(id(call))

    @contextmanager
    def guarded(self, guard: Optional[cst.CSTNode]):
        """Evaluate under a version guard (``x if hasattr(transformers, "X") else y``)."""
        if guard is None:
            yield
            return
        saved = self.context
        self.context = replace(saved, version_guard=guard)
        try:
            yield
        finally:
            self.context = saved

    # ------------------------------------------------------------------ names
    def lookup(self, name: str) -> Value:
        scope = self.scope
        point = True
        while scope is not None:
            if scope.kind == "class" and scope is not self.scope:
                scope = scope.parent  # class bodies are not visible from their methods
                continue
            bindings = scope.bindings.get(name)
            if bindings:
                return value_at_point(bindings, self.cond) if point else final_value(bindings)
            if not scope.inline:
                point = False
            scope = scope.parent
        return UNKNOWN

    @staticmethod
    def _final(bindings) -> Value:
        return final_value(bindings)

    # ------------------------------------------------------------------ scopes
    def _enter_scope(self, kind: str, name: str, node: cst.CSTNode, parent: Optional[Scope] = None) -> Scope:
        scope = Scope(kind, name, node, parent or self.scope)
        self._scope_stack.append((self.scope, self.cond, self.context))
        self.scopes.append(scope)
        self.scope = scope
        if kind == "function":
            self.cond = ()
        return scope

    def _leave_scope(self) -> None:
        self.scope, self.cond, self.context = self._scope_stack.pop()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        values = [self.eval(b.value) for b in node.bases]
        resolved = [v.qualname if isinstance(v, QName) else dotted_name(b.value) for b, v in zip(node.bases, values)]
        scope = self._enter_scope("class", node.name.value, node)
        scope.bases = resolved
        scope.base_values = values
        self.bind(node.name.value, ClassRef(scope), node, scope=scope.parent)

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        self._leave_scope()

    def visit_FunctionDef(self, node: cst.FunctionDef):
        key = id(node)
        if key not in self._saved:
            # First encounter: bind the name; the walker brings the body back once the enclosing
            # code has been analysed, so module constants and objects are final by then.
            self.bind(node.name.value, FuncRef(node, self.scope, node.name.value), node)
            self._saved[key] = (self.scope, self.context)
            return DEFER
        outer, outer_context = self._saved[key]
        scope = self._enter_scope("function", node.name.value, node, parent=outer)
        scope.decorators = [dotted_name(d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator)
                            for d in node.decorators]
        grad = next((g for d in node.decorators
                     if (g := contexts.decorator_grad(d.decorator, self.eval(
                         d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator)))), "")
        # A function runs where it is called: only the version guard around its definition stays.
        self.context = Context(grad_off=grad, version_guard=outer_context.version_guard)
        if outer.kind == "class":
            scope.class_scope = outer
        params = node.params
        ordered = list(params.posonly_params) + list(params.params)
        for i, p in enumerate(ordered):
            if i == 0 and outer.kind == "class" and "staticmethod" not in scope.decorators:
                value = ClassRef(outer) if "classmethod" in scope.decorators else SelfRef(outer)
                self.bind(p.name.value, value, p)
            else:
                self.bind(p.name.value, UNKNOWN, p)
        for p in list(params.kwonly_params):
            self.bind(p.name.value, UNKNOWN, p)
        for p in (params.star_arg, params.star_kwarg):
            if isinstance(p, cst.Param):
                self.bind(p.name.value, UNKNOWN, p)
        return None

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._leave_scope()

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self._enter_scope("comprehension", "<lambda>", node)
        for p in node.params.params:
            self.bind(p.name.value, UNKNOWN, p)

    def leave_Lambda(self, node: cst.Lambda) -> None:
        self._leave_scope()

    def _comp_enter(self, node) -> None:
        self._enter_scope("comprehension", "<comprehension>", node)
        for_in = node.for_in
        while for_in is not None:
            self.eval(for_in.iter)
            for name in target_names(for_in.target):
                self.bind(name, UNKNOWN, for_in)
            for_in = for_in.inner_for_in

    def _comp_leave(self, node) -> None:
        self._leave_scope()

    visit_ListComp = visit_SetComp = visit_GeneratorExp = visit_DictComp = _comp_enter
    leave_ListComp = leave_SetComp = leave_GeneratorExp = leave_DictComp = _comp_leave

    # ------------------------------------------------------------------ control flow and contexts
    def _push(self, node: cst.CSTNode, context: Context) -> None:
        """Enter ``node`` (a with, a guarded if, a loop) with ``context``; ``_pop`` restores the outer one."""
        self._context_saved[id(node)] = self.context
        self.context = context

    def _pop(self, node: cst.CSTNode) -> None:
        saved = self._context_saved.pop(id(node), None)
        if saved is not None:
            self.context = saved

    def visit_If(self, node: cst.If) -> None:
        self._enter_block(node)
        if self._version_test(node.test):
            self._push(node, replace(self.context, version_guard=node))
        self._branches[id(node.body)] = Branch("if", node, "body")
        if node.orelse is not None:
            target = node.orelse if isinstance(node.orelse, cst.If) else node.orelse.body
            self._branches[id(target)] = Branch("if", node, "else")

    def leave_If(self, node: cst.If) -> None:
        self._pop(node)
        self._leave_block(node)

    def visit_IfExp(self, node: cst.IfExp) -> None:
        if self._version_test(node.test):
            self._push(node, replace(self.context, version_guard=node))

    def leave_IfExp(self, node: cst.IfExp) -> None:
        self._pop(node)

    def visit_While(self, node: cst.While) -> None:
        self.eval(node.test)
        self._push(node, replace(self.context, loops=self.context.loops + (contexts.Loop(node),)))
        self._branches[id(node.body)] = Branch("while", node, "body")
        if node.orelse is not None:
            self._branches[id(node.orelse.body)] = Branch("loop-else", node, "else")

    def leave_While(self, node: cst.While) -> None:
        self._pop(node)

    def visit_For(self, node: cst.For) -> None:
        self.eval(node.iter)
        for name in target_names(node.target):
            self.bind(name, UNKNOWN, node)
        self._push(node, replace(self.context, loops=self.context.loops + (contexts.for_loop(node),)))
        if node.orelse is not None:
            self._branches[id(node.orelse.body)] = Branch("loop-else", node, "else")

    def leave_For(self, node: cst.For) -> None:
        self._pop(node)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        self._branches[id(node.body)] = Branch("except", node)
        if node.name is not None and isinstance(node.name.name, cst.Name):
            self.bind(node.name.name.value, UNKNOWN, node)

    def visit_Try(self, node: cst.Try) -> None:
        if node.orelse is not None:
            self._branches[id(node.orelse.body)] = Branch("try-else", node)
        if contexts.catches_import_errors(node):
            self._block_contexts[id(node.body)] = replace(self.context, version_guard=node)

    def visit_MatchCase(self, node) -> None:
        self._branches[id(node.body)] = Branch("case", node)

    def visit_With(self, node: cst.With) -> None:
        context = self.context
        for item in node.items:
            self._with_of[id(item.item)] = node
            value = self.eval(item.item)
            func = item.item.func if isinstance(item.item, cst.Call) else item.item
            context = contexts.with_item_context(context, item.item, self.value_of(func))
            if item.asname is not None:
                self._assign(item.asname.name, value, item.item, item)
        self._push(node, context)

    def leave_With(self, node: cst.With) -> None:
        self._pop(node)

    def _version_test(self, test: cst.CSTNode) -> bool:
        """Whether an ``if`` runs its arms only on some releases (see ``contexts``)."""
        return isinstance(self.eval(test), VersionTest) or contexts.names_a_version_flag(test, self._from_elsewhere)

    def _builtin(self, name: str) -> bool:
        """``name`` is not bound anywhere the current scope can see: Python's builtin."""
        scope = self.scope
        while scope is not None:
            if name in scope.bindings:
                return False
            scope = scope.parent
        return True

    def _from_elsewhere(self, name: str) -> bool:
        """``name`` is imported (its value comes from another module) or not bound in the file at all."""
        scope = self.scope
        while scope is not None:
            bindings = scope.bindings.get(name)
            if bindings:
                return isinstance(bindings[-1].node, (cst.Import, cst.ImportFrom))
            scope = scope.parent
        return True

    def _enter_block(self, node: cst.CSTNode) -> None:
        branch = self._branches.pop(id(node), None)
        context = self._block_contexts.pop(id(node), None)
        if branch is not None or context is not None:
            self._block_saved[id(node)] = (self.cond, self.context)
            if branch is not None:
                self.cond = self.cond + (branch,)
            if context is not None:
                self.context = context

    def _leave_block(self, node: cst.CSTNode) -> None:
        saved = self._block_saved.pop(id(node), None)
        if saved is not None:
            self.cond, self.context = saved

    visit_IndentedBlock = visit_SimpleStatementSuite = _enter_block
    leave_IndentedBlock = leave_SimpleStatementSuite = _leave_block

    # ------------------------------------------------------------------ statements
    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        self._line_stack.append(node)

    def leave_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        self._line_stack.pop()

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            full = dotted_name(alias.name)
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self.bind(alias.asname.name.value, QName(full), node)
            else:
                top = full.split(".")[0]
                self.bind(top, QName(top), node)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if isinstance(node.names, cst.ImportStar):
            return
        if node.relative or node.module is None:
            for alias in node.names:
                name = alias.asname.name.value if alias.asname else dotted_name(alias.name)
                self.bind(name, UNKNOWN, node)
            return
        module = dotted_name(node.module)
        for alias in node.names:
            orig = dotted_name(alias.name)
            name = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else orig
            self.bind(name, QName(module + "." + orig), node)

    def visit_Assign(self, node: cst.Assign) -> None:
        value = self.eval(node.value)
        for t in node.targets:
            self._assign(t.target, value, node.value, node)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            value = self.eval(node.value)
            self._assign(node.target, value, node.value, node)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        value = self.eval(node.value)
        target = self.eval(node.target) if isinstance(node.target, cst.Name) else UNKNOWN
        if isinstance(node.target, cst.Name):
            new = UNKNOWN
            if isinstance(target, Str) and isinstance(value, Str) and isinstance(node.operator, cst.AddAssign):
                new = Str(target.value + value.value, node)
            self.bind(node.target.value, new, node)
        elif isinstance(node.target, cst.Attribute):
            base = self.eval(node.target.value)
            self._use(base, "attr_store", node.target, name=node.target.attr.value, value=UNKNOWN,
                      value_node=node.value)

    def _assign(self, target: cst.CSTNode, value: Value, value_node: cst.CSTNode, stmt: cst.CSTNode) -> None:
        if isinstance(target, cst.Name):
            self._use(value, "assign", stmt, name=target.value)
            self.bind(target.value, value, stmt)
        elif isinstance(target, (cst.Tuple, cst.List)):
            elements = target.elements
            if isinstance(value, Seq) and len(value.items) == len(elements):
                items = list(value.items)
            elif isinstance(value, Output) and not any(isinstance(e, cst.StarredElement) for e in elements):
                items = [self.output_item(value, Const(i), el.value) for i, el in enumerate(elements)]
            else:
                items = [UNKNOWN] * len(elements)
            for el, sub in zip(elements, items):
                self._assign(el.value, sub, value_node, stmt)
        elif isinstance(target, cst.Attribute):
            base = self.eval(target.value)
            attr = target.attr.value
            if isinstance(base, SelfRef):
                base.class_scope.self_attrs.setdefault(attr, []).append(
                    Binding(attr, self._next(), value, stmt, self.cond))
                if isinstance(value, Tracked) and self.owns(value):
                    value.names.append("self." + attr)
            else:
                self._use(base, "attr_store", target, name=attr, value=value, value_node=value_node)
        elif isinstance(target, cst.Subscript):
            container = dotted_name(target.value)
            self._use(value, "subscript_store", stmt, name=container)
            # enc["labels"] = ..., labels[labels == pad] = -100: the container is changed
            base = self.eval(target.value)
            key = self.eval(target.slice[0].slice.value) if len(target.slice) == 1 \
                and isinstance(target.slice[0].slice, cst.Index) else UNKNOWN
            self._use(base, "item_store", target, name=key.value if isinstance(key, Str) else "", value=value,
                      value_node=value_node)
        elif isinstance(target, cst.StarredElement):
            self._assign(target.value, UNKNOWN, value_node, stmt)

    def visit_Expr(self, node: cst.Expr) -> None:
        self.eval(node.value)

    def visit_Return(self, node: cst.Return) -> None:
        value = self.eval(node.value) if node.value is not None else UNKNOWN
        self.scope.returns.append((self._next(), node, value))
        self._use(value, "return", node, name=self.scope.name)
        if isinstance(value, Seq):
            for item in value.items:
                self._use(item, "return", node, name=self.scope.name)

    def visit_Call(self, node: cst.Call) -> None:
        self.eval(node)

    # ------------------------------------------------------------------ the end
    def finish(self) -> None:
        """Freeze every fact: from here on rules can only read them (through ``Facts``)."""
        for obj in self.tracked:
            obj.freeze()
        for scope in self.scopes:
            scope.freeze()


__all__ = ["Analyzer", "Param", "FuncRef"]
