"""The analysis every rule shares, computed in the engine's single traversal.

For each scope (module, class body, function) it records, in order: which names are bound to what
(string constants, imported modules, Hugging Face objects), which objects were loaded from which
checkpoint, and every later use of those objects (method calls, being passed to a call, called,
returned, attributes stored). Rules read these facts; they never walk the tree again.

The evaluation is deliberately small: string literals and names bound once to them resolve;
anything else (``args.x``, an f-string, a call we do not model, a parameter) is UNKNOWN and rules stay
silent about it. Function bodies are analysed after the module level (the walker defers them), so a
function sees the module's constants and objects as they are when the script has finished defining them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Optional

from ..lazy_libcst import cst

from .hfclasses import classify, export_name
from .values import (UNKNOWN, Const, Dict, Encoding, Hidden, HFObject, Output, Seq, Str, Tracked, Use, Value)
from .walk import DEFER

# Methods that return the object they are called on (``model = model.to(device)``).
_SAME_OBJECT_METHODS = frozenset({"to", "cuda", "cpu", "eval", "train", "half", "float", "double", "bfloat16",
                                  "requires_grad_", "share_memory"})
# Tensor methods/attributes that keep "what this tensor is" for our purposes.
_TENSOR_PASSTHROUGH = frozenset({"detach", "cpu", "numpy", "to", "tolist", "squeeze", "float", "clone",
                                 "contiguous", "half", "cuda", "double", "flatten", "view", "reshape", "T",
                                 "data", "type", "astype"})
_TENSOR_PASSTHROUGH_FUNCS = frozenset({"torch.nn.functional.normalize", "torch.cat", "torch.stack", "torch.vstack",
                                       "numpy.concatenate", "numpy.vstack", "numpy.stack", "numpy.array",
                                       "numpy.asarray", "torch.tensor", "torch.as_tensor", "torch.from_numpy",
                                       "sklearn.preprocessing.normalize"})
_MEAN_FUNCS = frozenset({"torch.mean", "numpy.mean"})


class SelfRef(Value):
    """The ``self`` parameter of a method: attribute reads resolve through the class's ``self.x = ...``."""

    def __init__(self, class_scope: "Scope"):
        self.class_scope = class_scope


class QName(Value):
    """A name bound by an import, or an attribute of one: ``transformers.AutoModel``."""

    __slots__ = ("qualname",)

    def __init__(self, qualname: str):
        self.qualname = qualname

    def __eq__(self, other):
        return isinstance(other, QName) and other.qualname == self.qualname

    def __hash__(self):
        return hash(self.qualname)

    def __repr__(self):
        return f"QName({self.qualname})"


class Instance(Value):
    """The result of calling something outside transformers by its qualified name: ``KMeans(5)``, ``faiss.IndexFlatIP(d)``."""

    __slots__ = ("qualname",)

    def __init__(self, qualname: str):
        self.qualname = qualname


@dataclass
class CallSite:
    """Every call in a scope, in order: ``name`` is the method or function's last name."""

    seq: int
    name: str
    callee: str
    node: cst.Call
    cond: tuple
    receiver: "Value"


class ClassRef(Value):
    """A class defined in this file."""

    def __init__(self, scope: "Scope"):
        self.scope = scope


@dataclass
class Binding:
    name: str
    seq: int
    value: Value
    node: cst.CSTNode
    cond: tuple


class Scope:
    """A module, class body, function, lambda or comprehension."""

    def __init__(self, kind: str, name: str, node: cst.CSTNode, parent: Optional["Scope"]):
        self.kind = kind
        self.name = name
        self.node = node
        self.parent = parent
        self.bindings: dict[str, list[Binding]] = {}
        self.objects: list[HFObject] = []
        self.tracked: list[Tracked] = []
        self.self_attrs: dict[str, list[Binding]] = {}
        self.bases: list[str] = []
        self.class_scope: Optional[Scope] = None
        self.returns: list[tuple[int, cst.Return, Value]] = []
        self.calls: list[CallSite] = []
        self.children: list[Scope] = []
        self.decorators: list[str] = []
        if parent is not None:
            parent.children.append(self)

    @property
    def inline(self) -> bool:
        """Runs where it is defined (so reads of enclosing names see the value at that point)."""
        return self.kind in ("comprehension", "class")

    def __repr__(self):
        return f"<Scope {self.kind} {self.name}>"


def _same(a: Value, b: Value) -> bool:
    if a is b:
        return True
    if isinstance(a, (Str, Const)) and type(a) is type(b):
        return a.value == b.value
    if isinstance(a, QName) and isinstance(b, QName):
        return a.qualname == b.qualname
    return False


def dotted_name(node: cst.CSTNode) -> str:
    """``a.b.c`` for a Name/Attribute chain, "" otherwise."""
    parts = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if isinstance(node, cst.Name):
        parts.append(node.value)
        return ".".join(reversed(parts))
    return ""


class Analyzer:
    """The first participant of the engine's traversal. See the module docstring."""

    def __init__(self, module: cst.Module):
        self.module = module
        self.seq = 0
        self.module_scope = Scope("module", "<module>", module, None)
        self.scope = self.module_scope
        self.scopes: list[Scope] = [self.module_scope]
        self.objects: list[HFObject] = []
        self.tracked: list[Tracked] = []
        self.values: dict[int, Value] = {}
        self.cond: tuple = ()
        self._branches: dict[int, tuple] = {}
        self.branch_nodes: dict[int, cst.CSTNode] = {}  # id -> the If/While/... a cond marker names
        self._pushed_branches: set[int] = set()
        self._saved: dict[int, Scope] = {}
        self._scope_stack: list[tuple[Scope, tuple]] = []
        self._line_stack: list[cst.SimpleStatementLine] = []
        self._statement_of: dict[int, cst.SimpleStatementLine] = {}

    # ------------------------------------------------------------------ helpers
    def _next(self) -> int:
        self.seq += 1
        return self.seq

    def _track(self, obj: Tracked) -> Tracked:
        self.tracked.append(obj)
        obj.scope.tracked.append(obj)
        if isinstance(obj, HFObject):
            self.objects.append(obj)
            obj.scope.objects.append(obj)
        return obj

    def value_of(self, node: cst.CSTNode) -> Value:
        """The value computed for ``node`` during the traversal (UNKNOWN if it was never evaluated)."""
        return self.values.get(id(node), UNKNOWN)

    def statement_of(self, call: cst.Call) -> Optional[cst.SimpleStatementLine]:
        """The statement line (on its own line) holding a call; None in a compound header or `if x: call()`."""
        return self._statement_of.get(id(call))

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        self._line_stack.append(node)

    def leave_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        self._line_stack.pop()

    def bind(self, name: str, value: Value, node: cst.CSTNode, scope: Optional[Scope] = None) -> None:
        scope = scope or self.scope
        scope.bindings.setdefault(name, []).append(Binding(name, self._next(), value, node, self.cond))
        if isinstance(value, Tracked) and name not in value.names:
            value.names.append(name)

    def _use(self, target: Value, kind: str, node: cst.CSTNode, **kw) -> None:
        if isinstance(target, Tracked):
            target.uses.append(Use(kind, node, self._next(), self.scope, self.cond, **kw))

    # ------------------------------------------------------------------ lookup
    def lookup(self, name: str) -> Value:
        scope = self.scope
        point = True
        while scope is not None:
            if scope.kind == "class" and scope is not self.scope:
                scope = scope.parent  # class bodies are not visible from their methods
                continue
            bindings = scope.bindings.get(name)
            if bindings:
                return self._at_point(bindings) if point else self._final(bindings)
            if not scope.inline:
                point = False
            scope = scope.parent
        return UNKNOWN

    def _at_point(self, bindings: list[Binding]) -> Value:
        cond = self.cond
        candidates: list[Value] = []
        for b in reversed(bindings):
            candidates.append(b.value)
            if b.cond == cond[:len(b.cond)]:  # the binding dominates this point
                break
        first = candidates[0]
        return first if all(_same(first, c) for c in candidates[1:]) else UNKNOWN

    @staticmethod
    def _final(bindings: list[Binding]) -> Value:
        first = bindings[0].value
        return first if all(_same(first, b.value) for b in bindings[1:]) else UNKNOWN

    # ------------------------------------------------------------------ evaluation
    def eval(self, node: Optional[cst.CSTNode]) -> Value:
        if node is None:
            return UNKNOWN
        key = id(node)
        cached = self.values.get(key)
        if cached is not None:
            return cached
        self.values[key] = UNKNOWN  # guards against cycles
        value = self._eval(node)
        self.values[key] = value
        return value

    def _eval(self, node: cst.CSTNode) -> Value:
        if isinstance(node, cst.Name):
            if node.value in ("True", "False", "None"):
                return Const({"True": True, "False": False, "None": None}[node.value])
            return self.lookup(node.value)
        if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
            try:
                v = node.evaluated_value
            except Exception:  # pragma: no cover - libcst raises on odd prefixes
                return UNKNOWN
            return Str(v, node) if isinstance(v, str) else UNKNOWN
        if isinstance(node, (cst.Integer, cst.Float)):
            try:
                return Const(int(node.value.replace("_", ""), 0) if isinstance(node, cst.Integer)
                             else float(node.value.replace("_", "")))
            except ValueError:
                return UNKNOWN
        if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
            v = self.eval(node.expression)
            return Const(-v.value) if isinstance(v, Const) and isinstance(v.value, (int, float)) else UNKNOWN
        if isinstance(node, cst.Attribute):
            return self._eval_attribute(node)
        if isinstance(node, cst.Subscript):
            return self._eval_subscript(node)
        if isinstance(node, cst.Call):
            return self._eval_call(node)
        if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
            items = []
            for el in node.elements:
                v = self.eval(el.value)
                items.append(UNKNOWN if isinstance(el, cst.StarredElement) else v)
            return Seq(tuple(items), node)
        if isinstance(node, cst.Dict):
            return self._eval_dict(node)
        if isinstance(node, cst.BinaryOperation):
            left, right = self.eval(node.left), self.eval(node.right)
            op = type(node.operator).__name__
            self._use(left, "binop", node, name=op, value=right, value_node=node.right)
            self._use(right, "binop", node, name=op, value=left, value_node=node.left)
            if op == "Add" and isinstance(left, Str) and isinstance(right, Str):
                return Str(left.value + right.value, node)
            return UNKNOWN
        if isinstance(node, cst.BooleanOperation):
            return self._join(node, [node.left, node.right])
        if isinstance(node, cst.IfExp):
            self.eval(node.test)
            return self._join(node, [node.body, node.orelse])
        if isinstance(node, cst.NamedExpr):
            v = self.eval(node.value)
            if isinstance(node.target, cst.Name):
                self.bind(node.target.value, v, node)
            return v
        if isinstance(node, cst.DictComp):
            return self._eval_comprehension_passthrough(node)
        if isinstance(node, cst.Await):
            return self.eval(node.expression)
        return UNKNOWN

    def _join(self, node: cst.CSTNode, parts: list[cst.CSTNode]) -> Value:
        values = [self.eval(p) for p in parts]
        first = values[0]
        return first if all(_same(first, v) for v in values[1:]) else UNKNOWN

    def _eval_dict(self, node: cst.Dict) -> Value:
        items = []
        ok = True
        for el in node.elements:
            if isinstance(el, cst.StarredDictElement):
                self.eval(el.value)
                ok = False
                continue
            k = self.eval(el.key)
            v = self.eval(el.value)
            if isinstance(k, Str):
                items.append((k.value, v, el))
            else:
                ok = False
        return Dict(tuple(items), node) if ok else UNKNOWN

    def _eval_comprehension_passthrough(self, node: cst.DictComp) -> Value:
        # {k: v.to(device) for k, v in enc.items()} keeps being the encoding.
        it = node.for_in.iter
        if isinstance(it, cst.Call) and isinstance(it.func, cst.Attribute) and it.func.attr.value == "items":
            base = self.eval(it.func.value)
            if isinstance(base, Encoding):
                return base
        return UNKNOWN

    def _eval_attribute(self, node: cst.Attribute) -> Value:
        base = self.eval(node.value)
        attr = node.attr.value
        if isinstance(base, QName):
            return QName(base.qualname + "." + attr)
        if isinstance(base, SelfRef):
            bindings = base.class_scope.self_attrs.get(attr)
            if bindings:
                return self._final(bindings)
            cls_bindings = base.class_scope.bindings.get(attr)
            return self._final(cls_bindings) if cls_bindings else UNKNOWN
        if isinstance(base, ClassRef):
            cls_bindings = base.scope.bindings.get(attr)
            return self._final(cls_bindings) if cls_bindings else UNKNOWN
        if isinstance(base, HFObject):
            self._use(base, "attr_load", node, name=attr)
            if attr == "config" and base.role == "model":
                return self._model_config(base, node)
            return UNKNOWN
        if isinstance(base, Output):
            if attr == "last_hidden_state":
                return self._hidden(node, "hidden", base)
            if attr == "pooler_output":
                return self._hidden(node, "pooler", base)
            if attr == "hidden_states":
                return self._hidden(node, "layers", base)
            return UNKNOWN
        if isinstance(base, Hidden):
            if attr in _TENSOR_PASSTHROUGH:
                return base
            return UNKNOWN
        if isinstance(base, Encoding):
            if attr in ("input_ids", "data"):
                return base
        return UNKNOWN

    def _model_config(self, model: HFObject, node: cst.CSTNode) -> HFObject:
        cached = getattr(model, "_config_obj", None)
        if cached is None:
            cached = HFObject(node, self._next(), self.scope, self.cond, role="config", cls="", origin="attribute",
                              checkpoint=model.checkpoint, parent=model)
            model._config_obj = cached
            self._track(cached)
        return cached

    def _hidden(self, node: cst.CSTNode, kind: str, output: Output, source: Optional[Hidden] = None) -> Hidden:
        return self._track(Hidden(node, self._next(), self.scope, self.cond, kind=kind, output=output,
                                  source=source))

    def _eval_subscript(self, node: cst.Subscript) -> Value:
        base = self.eval(node.value)
        indices = [self._slice_value(el) for el in node.slice]
        if isinstance(base, Output):
            if len(indices) == 1:
                idx = indices[0]
                if isinstance(idx, Const) and base.model.model_kind == "base":
                    if idx.value == 0:
                        return self._hidden(node, "hidden", base)
                    if idx.value == 1:
                        return self._hidden(node, "pooler", base)
                if isinstance(idx, Str):
                    kind = {"last_hidden_state": "hidden", "pooler_output": "pooler",
                            "hidden_states": "layers"}.get(idx.value)
                    if kind:
                        return self._hidden(node, kind, base)
            return UNKNOWN
        if isinstance(base, Hidden):
            if base.kind in ("first_token", "pooler", "mean"):
                return base  # rows or slices of a batch of vectors are still those vectors
            if base.kind == "layers" and len(indices) == 1 and isinstance(indices[0], Const):
                return self._hidden(node, "hidden", base.output, base)
            if base.kind == "hidden" and len(indices) >= 2 and indices[0] == "full" \
                    and isinstance(indices[1], Const) and indices[1].value == 0 \
                    and all(i == "full" for i in indices[2:]):
                return self._hidden(node, "first_token", base.output, base)
            return UNKNOWN
        if isinstance(base, Encoding):
            return base
        if isinstance(base, Dict) and len(indices) == 1 and isinstance(indices[0], Str):
            return base.get(indices[0].value) or UNKNOWN
        if isinstance(base, Seq) and len(indices) == 1 and isinstance(indices[0], Const) \
                and isinstance(indices[0].value, int) and -len(base.items) <= indices[0].value < len(base.items):
            return base.items[indices[0].value]
        return UNKNOWN

    def _slice_value(self, el: cst.SubscriptElement) -> Any:
        s = el.slice
        if isinstance(s, cst.Slice):
            if s.lower is None and s.upper is None and s.step is None:
                return "full"
            return "slice"
        if isinstance(s, cst.Index):
            if isinstance(s.value, cst.Ellipsis):
                return "full"
            return self.eval(s.value)
        return UNKNOWN

    # ------------------------------------------------------------------ calls
    def _eval_call(self, node: cst.Call) -> Value:
        func = node.func
        receiver: Value = UNKNOWN
        method = ""
        if isinstance(func, cst.Attribute):
            receiver = self.eval(func.value)
            method = func.attr.value
            callee = self.eval(func) if isinstance(receiver, (QName, SelfRef, ClassRef)) else UNKNOWN
        else:
            callee = self.eval(func)
        args = [(a, self.eval(a.value)) for a in node.args]
        if isinstance(callee, QName):
            callee_name = callee.qualname
        elif isinstance(callee, Instance):  # cos = nn.CosineSimilarity(); cos(a, b)
            callee_name = callee.qualname + "()"
        elif isinstance(receiver, Instance):
            callee_name = receiver.qualname + "." + method
        elif isinstance(func, cst.Call):  # nn.CosineSimilarity()(a, b)
            inner = self.eval(func.func)
            callee_name = (inner.qualname if isinstance(inner, QName) else dotted_name(func.func)) + "()"
        else:
            callee_name = dotted_name(func)

        last = method or (func.value if isinstance(func, cst.Name) else "")
        if self._line_stack:
            self._statement_of[id(node)] = self._line_stack[-1]
        self.scope.calls.append(CallSite(self._next(), last, callee_name, node, self.cond, receiver))
        # record the uses of every tracked argument
        pos = 0
        for a, v in args:
            if a.star == "**":
                self._use(v, "spread", a, call=node, callee=callee_name)
            elif a.keyword is not None:
                self._use(v, "arg", a, call=node, callee=callee_name, keyword=a.keyword.value)
            else:
                self._use(v, "arg", a, call=node, callee=callee_name, index=pos)
                pos += 1
                if isinstance(v, Seq):
                    for item in v.items:
                        self._use(item, "arg", a, call=node, callee=callee_name, index=pos - 1)

        if method and isinstance(receiver, Tracked):
            self._use(receiver, "method", node, name=method, call=node)
            return self._method_result(node, receiver, method, args)
        if isinstance(callee, Tracked):
            self._use(callee, "call", node, call=node)
            return self._call_result(node, callee, args)
        if isinstance(callee, QName):
            return self._qualified_call(node, callee.qualname, args)
        if method in ("append", "extend", "add") and isinstance(func, cst.Attribute) \
                and isinstance(func.value, cst.Name) and args:
            # embeddings.append(vec): the container now holds vec
            self._use(args[0][1], "append", node, name=func.value.value, call=node)
            if isinstance(args[0][1], Hidden):
                self.bind(func.value.value, args[0][1], node)
        return UNKNOWN

    @staticmethod
    def _kwarg(args, name: str, index: int = -1) -> tuple[Value, Optional[cst.Arg]]:
        pos = 0
        for a, v in args:
            if a.keyword is not None:
                if a.keyword.value == name:
                    return v, a
            elif not a.star:
                if pos == index:
                    return v, a
                pos += 1
        return UNKNOWN, None

    def _qualified_call(self, node: cst.Call, qualname: str, args) -> Value:
        head, _, last = qualname.rpartition(".")
        if last in ("from_pretrained", "from_config"):
            cls_export = export_name(head)
            return self._load(node, head, cls_export, last, args) if cls_export else UNKNOWN
        export = export_name(qualname)
        if export is None:
            result = self._tensor_function(node, qualname, args)
            return Instance(qualname) if result is UNKNOWN else result
        kind = classify(export)
        if kind.role == "pipeline":
            return self._pipeline(node, qualname, args)
        if kind.role in ("trainer", "collator", "training_args"):
            kwargs = {a.keyword.value: (v, a) for a, v in args if a.keyword is not None}
            return self._track(HFObject(node, self._next(), self.scope, self.cond, role=kind.role, cls=export,
                                        origin="constructor", call=node, kwargs=kwargs, args=args))
        if kind.role == "model":
            cfg, cfg_arg = self._kwarg(args, "config", 0)
            return self._track(HFObject(node, self._next(), self.scope, self.cond, role="model", cls=export,
                                        origin="from_config", call=node, model_kind=kind.model_kind, config=cfg,
                                        arch=kind.arch, args=args))
        if kind.role == "config":
            kwargs = {a.keyword.value: (v, a) for a, v in args if a.keyword is not None}
            return self._track(HFObject(node, self._next(), self.scope, self.cond, role="config", cls=export,
                                        origin="constructor", call=node, kwargs=kwargs))
        if kind.role in ("tokenizer", "processor"):
            return self._track(HFObject(node, self._next(), self.scope, self.cond, role=kind.role, cls=export,
                                        origin="constructor", call=node))
        return UNKNOWN

    def _load(self, node: cst.Call, cls_qualname: str, export: str, how: str, args) -> Value:
        kind = classify(export)
        if kind.role not in ("tokenizer", "model", "config", "processor"):
            return UNKNOWN
        kwargs = {a.keyword.value: (v, a) for a, v in args if a.keyword is not None}
        if how == "from_pretrained":
            ckpt, ckpt_arg = self._kwarg(args, "pretrained_model_name_or_path", 0)
            checkpoint = ckpt.value if isinstance(ckpt, Str) else None
            cfg = kwargs.get("config", (UNKNOWN, None))[0]
            obj = HFObject(node, self._next(), self.scope, self.cond, role=kind.role, cls=export,
                           origin="from_pretrained", checkpoint=checkpoint,
                           checkpoint_node=ckpt_arg.value if ckpt_arg is not None else None, call=node,
                           model_kind=kind.model_kind, config=cfg, kwargs=kwargs, arch=kind.arch, args=args)
        else:
            cfg, _ = self._kwarg(args, "config", 0)
            checkpoint = cfg.checkpoint if isinstance(cfg, HFObject) else None
            obj = HFObject(node, self._next(), self.scope, self.cond, role=kind.role, cls=export,
                           origin="from_config", checkpoint=None, call=node, model_kind=kind.model_kind,
                           config=cfg, kwargs=kwargs, arch=kind.arch, args=args)
            obj.config_checkpoint = checkpoint
        return self._track(obj)

    def _pipeline(self, node: cst.Call, qualname: str, args) -> Value:
        kwargs = {a.keyword.value: (v, a) for a, v in args if a.keyword is not None}
        model_v, model_arg = self._kwarg(args, "model", 1)
        checkpoint = model_v.value if isinstance(model_v, Str) else None
        obj = HFObject(node, self._next(), self.scope, self.cond, role="pipeline", cls="pipeline",
                       origin="pipeline", checkpoint=checkpoint,
                       checkpoint_node=model_arg.value if model_arg is not None else None, call=node,
                       kwargs=kwargs, args=args)
        return self._track(obj)

    def _tensor_function(self, node: cst.Call, qualname: str, args) -> Value:
        if not args:
            return UNKNOWN
        first = args[0][1]
        if qualname in _TENSOR_PASSTHROUGH_FUNCS:
            if isinstance(first, Hidden):
                return first
            if isinstance(first, Seq):
                hs = [v for v in first.items if isinstance(v, Hidden)]
                if hs and len(hs) == len(first.items):
                    return hs[0]
        if qualname in _MEAN_FUNCS and isinstance(first, Hidden) and first.kind == "hidden":
            dim, _ = self._kwarg(args, "dim" if qualname.startswith("torch") else "axis", 1)
            if isinstance(dim, Const) and dim.value == 1:
                return self._hidden(node, "mean", first.output, first)
        return UNKNOWN

    def _method_result(self, node: cst.Call, receiver: Tracked, method: str, args) -> Value:
        if isinstance(receiver, HFObject):
            if receiver.role == "model":
                if method in _SAME_OBJECT_METHODS:
                    return receiver
                if method == "forward":
                    return self._call_result(node, receiver, args)
                return UNKNOWN
            if receiver.role == "tokenizer":
                if method in ("__call__", "encode_plus", "batch_encode_plus", "pad"):
                    return self._call_result(node, receiver, args)
                return UNKNOWN
            if receiver.role in ("config", "processor"):
                return UNKNOWN
            return UNKNOWN
        if isinstance(receiver, Encoding):
            if method in ("to", "cuda", "cpu"):
                return receiver
            return UNKNOWN
        if isinstance(receiver, Hidden):
            if method in _TENSOR_PASSTHROUGH:
                return receiver
            if method == "mean" and receiver.kind == "hidden":
                dim, _ = self._kwarg(args, "dim", 0)
                if not isinstance(dim, Const):
                    dim, _ = self._kwarg(args, "axis", 0)
                if isinstance(dim, Const) and dim.value == 1:
                    return self._hidden(node, "mean", receiver.output, receiver)
            return UNKNOWN
        return UNKNOWN

    def _call_result(self, node: cst.Call, callee: Tracked, args) -> Value:
        if isinstance(callee, HFObject):
            if callee.role == "model":
                encs = []
                for a, v in args:
                    if isinstance(v, Encoding) and v not in encs:
                        encs.append(v)
                return self._track(Output(node, self._next(), self.scope, self.cond, model=callee, call=node,
                                          encodings=tuple(encs)))
            if callee.role in ("tokenizer", "processor"):
                padding, _ = self._kwarg(args, "padding")
                text, _ = self._kwarg(args, "text", 0)
                return self._track(Encoding(node, self._next(), self.scope, self.cond, tokenizer=callee, call=node,
                                            padding=padding, text=text))
        return UNKNOWN

    # ------------------------------------------------------------------ traversal: scopes
    def _enter_scope(self, kind: str, name: str, node: cst.CSTNode, parent: Optional[Scope] = None) -> Scope:
        scope = Scope(kind, name, node, parent or self.scope)
        self._scope_stack.append((self.scope, self.cond))
        self.scopes.append(scope)
        self.scope = scope
        if kind == "function":
            self.cond = ()
        return scope

    def _leave_scope(self) -> None:
        self.scope, self.cond = self._scope_stack.pop()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        bases = [dotted_name(b.value) for b in node.bases]
        resolved = []
        for b in node.bases:
            v = self.eval(b.value)
            resolved.append(v.qualname if isinstance(v, QName) else dotted_name(b.value))
        self.bind(node.name.value, UNKNOWN, node)
        scope = self._enter_scope("class", node.name.value, node)
        scope.bases = resolved or bases
        self.scope.parent.bindings[node.name.value][-1].value = ClassRef(scope)

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        self._leave_scope()

    def visit_FunctionDef(self, node: cst.FunctionDef):
        key = id(node)
        if key not in self._saved:
            # First encounter: bind the name; the walker brings the body back once the enclosing
            # code has been analysed, so module constants and objects are final by then.
            self.bind(node.name.value, UNKNOWN, node)
            self._saved[key] = self.scope
            return DEFER
        outer = self._saved[key]
        scope = self._enter_scope("function", node.name.value, node, parent=outer)
        scope.decorators = [dotted_name(d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator)
                            for d in node.decorators]
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
            for name in _target_names(for_in.target):
                self.bind(name, UNKNOWN, for_in)
            for_in = for_in.inner_for_in

    def _comp_leave(self, node) -> None:
        self._leave_scope()

    visit_ListComp = visit_SetComp = visit_GeneratorExp = visit_DictComp = _comp_enter
    leave_ListComp = leave_SetComp = leave_GeneratorExp = leave_DictComp = _comp_leave

    # ------------------------------------------------------------------ traversal: control flow
    def _branch(self, block: cst.CSTNode, marker: tuple) -> None:
        self._branches[id(block)] = marker

    def visit_If(self, node: cst.If) -> None:
        self._enter_branch(node)
        self.branch_nodes[id(node)] = node
        self.eval(node.test)
        self._branch(node.body, ("if", id(node), "body"))
        if node.orelse is not None:
            target = node.orelse if isinstance(node.orelse, cst.If) else node.orelse.body
            self._branch(target, ("if", id(node), "else"))

    def leave_If(self, node: cst.If) -> None:
        self._leave_branch(node)

    def visit_While(self, node: cst.While) -> None:
        self.branch_nodes[id(node)] = node
        self.eval(node.test)
        self._branch(node.body, ("while", id(node), "body"))
        if node.orelse is not None:
            self._branch(node.orelse.body, ("while", id(node), "else"))

    def visit_For(self, node: cst.For) -> None:
        self.eval(node.iter)
        for name in _target_names(node.target):
            self.bind(name, UNKNOWN, node)
        if node.orelse is not None:
            self._branch(node.orelse.body, ("for", id(node), "else"))

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        self._branch(node.body, ("except", id(node)))
        if node.name is not None and isinstance(node.name.name, cst.Name):
            self.bind(node.name.name.value, UNKNOWN, node)

    def visit_Try(self, node: cst.Try) -> None:
        if node.orelse is not None:
            self._branch(node.orelse.body, ("tryelse", id(node)))

    def visit_MatchCase(self, node) -> None:
        self._branch(node.body, ("case", id(node)))

    def _enter_branch(self, node: cst.CSTNode) -> None:
        marker = self._branches.pop(id(node), None)
        if marker is not None:
            self.cond = self.cond + (marker,)
            self._pushed_branches.add(id(node))

    def _leave_branch(self, node: cst.CSTNode) -> None:
        if id(node) in self._pushed_branches:
            self._pushed_branches.discard(id(node))
            self.cond = self.cond[:-1]

    visit_IndentedBlock = visit_SimpleStatementSuite = _enter_branch
    leave_IndentedBlock = leave_SimpleStatementSuite = _leave_branch

    # ------------------------------------------------------------------ traversal: statements
    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            full = dotted_name(alias.name)
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self.bind(alias.asname.name.value, QName(full), node)
            else:
                top = full.split(".")[0]
                self.bind(top, QName(top), node)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if node.relative or node.module is None:
            if isinstance(node.names, cst.ImportStar):
                return
            for alias in node.names:
                name = alias.asname.name.value if alias.asname else dotted_name(alias.name)
                self.bind(name, UNKNOWN, node)
            return
        module = dotted_name(node.module)
        if isinstance(node.names, cst.ImportStar):
            return
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
            items = value.items if isinstance(value, Seq) and len(value.items) == len(target.elements) else None
            for i, el in enumerate(target.elements):
                sub = items[i] if items is not None else UNKNOWN
                self._assign(el.value, sub, value_node, stmt)
        elif isinstance(target, cst.Attribute):
            base = self.eval(target.value)
            attr = target.attr.value
            if isinstance(base, SelfRef):
                base.class_scope.self_attrs.setdefault(attr, []).append(
                    Binding(attr, self._next(), value, stmt, self.cond))
                if isinstance(value, Tracked):
                    value.names.append("self." + attr)
            else:
                self._use(base, "attr_store", target, name=attr, value=value, value_node=value_node)
        elif isinstance(target, cst.Subscript):
            container = dotted_name(target.value)
            self._use(value, "subscript_store", stmt, name=container)
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

    def visit_WithItem(self, node: cst.WithItem) -> None:
        value = self.eval(node.item)
        if node.asname is not None:
            self._assign(node.asname.name, value, node.item, node)


def _target_names(target: cst.CSTNode) -> Iterable[str]:
    if isinstance(target, cst.Name):
        yield target.value
    elif isinstance(target, (cst.Tuple, cst.List)):
        for el in target.elements:
            yield from _target_names(el.value)
    elif isinstance(target, cst.StarredElement):
        yield from _target_names(target.value)
