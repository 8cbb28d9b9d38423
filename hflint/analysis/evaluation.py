"""Evaluating expressions to ``Value``s, small on purpose.

String literals and names bound to them resolve, so do literal lists, tuples and dicts and their constant
subscripts, imported names (``QName``), the file's own functions and classes, and whatever the Hugging Face
object layer (``hfobjects``) and the function summaries (``summaries``) make of calls. Anything else (``args.x``,
an f-string, a call hflint does not model, a parameter) is UNKNOWN, and rules stay silent about it.
"""
from __future__ import annotations

from typing import Any, Optional

from ..lazy_libcst import cst

from .scopes import CallSite, dotted_name
from .values import (UNKNOWN, VERSION, VERSION_TEST, ChatTemplate, ClassRef, Const, Dict, Encoding, Field, FuncRef, Hidden, HFObject,
                     Instance, Output, Param, QName, SelfRef, Seq, Str, Tracked, Value, VersionTest, VersionValue,
                     same_value)
from .contexts import VERSION_FLAG_NAME, VERSION_PARSERS


class Evaluator:
    """Mixin of ``Analyzer``: ``eval(node)`` and the per-node-type evaluation. Results are cached per node."""

    # ------------------------------------------------------------------ entry points
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

    def value_of(self, node: cst.CSTNode) -> Value:
        """The value computed for ``node`` during the traversal (UNKNOWN if it was never evaluated)."""
        return self.values.get(id(node), UNKNOWN)

    # ------------------------------------------------------------------ dispatch
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
        if isinstance(node, cst.UnaryOperation):
            v = self.eval(node.expression)
            if isinstance(node.operator, cst.Minus):
                return Const(-v.value) if isinstance(v, Const) and isinstance(v.value, (int, float)) else UNKNOWN
            if isinstance(node.operator, cst.Not) and isinstance(v, VersionTest):
                return v
            return UNKNOWN
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
        if isinstance(node, cst.Comparison):
            values = [self.eval(node.left)] + [self.eval(c.comparator) for c in node.comparisons]
            return VERSION_TEST if any(isinstance(v, (VersionValue, VersionTest)) for v in values) else UNKNOWN
        if isinstance(node, cst.BooleanOperation):
            left, right = self.eval(node.left), self.eval(node.right)
            if isinstance(left, VersionTest) or isinstance(right, VersionTest):
                return VERSION_TEST
            return left if same_value(left, right) else UNKNOWN
        if isinstance(node, cst.IfExp):
            with self.guarded(node if self._version_test(node.test) else None):
                values = [self.eval(node.body), self.eval(node.orelse)]
            return values[0] if same_value(values[0], values[1]) else UNKNOWN
        if isinstance(node, cst.NamedExpr):
            v = self.eval(node.value)
            if isinstance(node.target, cst.Name):
                self.bind(node.target.value, v, node)
            return v
        if isinstance(node, cst.DictComp):
            return self._eval_comprehension_passthrough(node)
        if isinstance(node, cst.Await):
            return self.eval(node.expression)
        if isinstance(node, cst.Lambda):
            return FuncRef(node, self.scope, "<lambda>")
        return UNKNOWN

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

    # ------------------------------------------------------------------ attributes and subscripts
    def _eval_attribute(self, node: cst.Attribute) -> Value:
        base = self.eval(node.value)
        attr = node.attr.value
        if isinstance(base, QName):
            if attr == "__version__":
                return VERSION
            return QName(base.qualname + "." + attr)
        if isinstance(base, VersionValue):
            return VERSION
        if isinstance(base, SelfRef):
            return self.self_attribute(base.class_scope, attr)
        if isinstance(base, ClassRef):
            return self.class_attribute(base.scope, attr)
        if isinstance(base, Param):
            return self.param_attribute(base, attr, node)
        if isinstance(base, HFObject):
            self._use(base, "attr_load", node, name=attr)
            return self.object_attribute(base, attr, node)
        if isinstance(base, Output):
            kind = {"last_hidden_state": "hidden", "pooler_output": "pooler", "hidden_states": "layers"}.get(attr)
            return self._hidden(node, kind, base) if kind else UNKNOWN
        if isinstance(base, Hidden):
            return base if attr in TENSOR_PASSTHROUGH else UNKNOWN
        if isinstance(base, Encoding):
            if attr == "data":
                return base
            if attr in ENCODING_KEYS:
                return self.field(node, base, attr)
        if isinstance(base, Field) and attr == "data":
            return base
        if isinstance(base, ChatTemplate):  # inputs.shape, inputs.input_ids
            self._use(base, "attr_load", node, name=attr)
        return UNKNOWN

    def self_attribute(self, class_scope, attr: str) -> Value:
        """``self.attr`` in a method of ``class_scope``: what methods assign to it, else the class attribute."""
        bindings = class_scope.self_attrs.get(attr)
        if bindings:
            return self._final(bindings)
        return self.class_attribute(class_scope, attr)

    def class_attribute(self, class_scope, attr: str) -> Value:
        """``Cls.attr``: the class body's binding, else a base class's defined in this file."""
        scope = class_scope
        seen = set()
        while scope is not None and id(scope) not in seen:
            seen.add(id(scope))
            cls_bindings = scope.bindings.get(attr)
            if cls_bindings:
                return self._final(cls_bindings)
            scope = next((v.scope for v in scope.base_values if isinstance(v, ClassRef)), None)
        return UNKNOWN

    def _eval_subscript(self, node: cst.Subscript) -> Value:
        base = self.eval(node.value)
        indices = [self._slice_value(el) for el in node.slice]
        if isinstance(base, Output):
            if len(indices) == 1:
                return self.output_item(base, indices[0], node)
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
            if len(indices) == 1 and isinstance(indices[0], Str):
                return self.field(node, base, indices[0].value)
            return base
        if isinstance(base, Field):
            return self._field_slice(node, base, indices)
        if isinstance(base, ChatTemplate):  # inputs["input_ids"] (a key) or inputs[:, n:] / inputs[0] (as a tensor)
            self._use(base, "subscript", node, name=indices[0].value if len(indices) == 1
                      and isinstance(indices[0], Str) else "")
            return UNKNOWN
        if isinstance(base, VersionValue):
            return VERSION
        if isinstance(base, (Dict, Seq)) and self._mutated(node):
            return UNKNOWN  # CFG["model"] = args.model somewhere: the literal is not what every read sees
        if isinstance(base, Dict) and len(indices) == 1 and isinstance(indices[0], Str):
            return base.get(indices[0].value) or UNKNOWN
        if isinstance(base, Seq) and len(indices) == 1 and isinstance(indices[0], Const) \
                and isinstance(indices[0].value, int) and -len(base.items) <= indices[0].value < len(base.items):
            return base.items[indices[0].value]
        return UNKNOWN

    def field(self, node: cst.CSTNode, encoding: Encoding, key: str, source: Optional[Field] = None, *,
              masked: bool = False, shifted: bool = False) -> Field:
        return self._track(Field(node, self._next(), self.scope, self.cond, self.context, encoding=encoding, key=key,
                                 source=source, masked=masked, shifted=shifted))

    def field_copy(self, node: cst.CSTNode, field: Field, *, masked: bool = False, shifted: bool = False) -> Field:
        """A tensor made from ``field`` (a copy, a masked or a shifted version of it)."""
        return self.field(node, field.encoding, field.key, field, masked=field.masked or masked,
                          shifted=field.shifted or shifted)

    def _field_slice(self, node: cst.Subscript, field: Field, indices: list) -> Value:
        """``ids[:, 1:]`` / ``ids[..., 1:]`` / ``ids[1:]`` drop the first position (shifted); other subscripts
        keep being that tensor (rows, ``ids[:, :-1]``)."""
        last = node.slice[-1].slice if node.slice else None
        if isinstance(last, cst.Slice) and last.upper is None and last.step is None and last.lower is not None \
                and isinstance(self.eval(last.lower), Const) and self.eval(last.lower).value == 1 \
                and all(i == "full" for i in indices[:-1]):
            return self.field_copy(node, field, shifted=True)
        return field

    def output_item(self, output: Output, index: Any, node: cst.CSTNode) -> Value:
        """``outputs[i]`` / ``outputs["key"]``, and the i-th name of ``a, b = model(...)``: for a base model,
        0 is the last hidden state and 1 the pooler output."""
        if isinstance(index, Const) and output.model.model_kind == "base":
            if index.value == 0:
                return self._hidden(node, "hidden", output)
            if index.value == 1:
                return self._hidden(node, "pooler", output)
        if isinstance(index, Str):
            kind = {"last_hidden_state": "hidden", "pooler_output": "pooler", "hidden_states": "layers"}.get(index.value)
            if kind:
                return self._hidden(node, kind, output)
        return UNKNOWN

    def _mutated(self, node: cst.Subscript) -> bool:
        root = node.value
        while isinstance(root, cst.Subscript):
            root = root.value
        return isinstance(root, cst.Name) and root.value in self.mutated

    def _slice_value(self, el: cst.SubscriptElement) -> Any:
        s = el.slice
        if isinstance(s, cst.Slice):
            if s.lower is None and s.upper is None and s.step is None:
                return "full"
            for bound in (s.lower, s.upper, s.step):  # out[0][ids.shape[-1]:] uses ids
                if bound is not None:
                    self.eval(bound)
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
            callee = self.eval(func) if isinstance(receiver, (QName, SelfRef, ClassRef, Param, VersionValue)) \
                else UNKNOWN
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
        self.scope.calls.append(CallSite(self._next(), last, callee_name, node, self.cond, receiver, self.context))
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

        if isinstance(callee, FuncRef):
            if method:
                self._use(receiver, "method", node, name=method, call=node)
            return self.call_function(node, callee, args, receiver if method else None)
        if isinstance(callee, ClassRef):
            return self.call_class(node, callee, args)
        if method and isinstance(receiver, ClassRef) and method in ("from_pretrained", "from_config"):
            return self.class_load(node, receiver, method, args)
        if method and isinstance(receiver, (Tracked, VersionValue)) and not isinstance(receiver, Param):
            if isinstance(receiver, VersionValue):
                return VERSION_TEST if method in ("startswith", "endswith") else VERSION
            self._use(receiver, "method", node, name=method, call=node)
            return self._method_result(node, receiver, method, args)
        if isinstance(receiver, Param):  # in a summary: what the function does to what it is given
            self._use(receiver, "method", node, name=method, call=node, value=args[0][1] if args else UNKNOWN)
            if method == "apply_chat_template":  # `self.tokenizer.apply_chat_template(...)`: made real at each call
                return self._chat_template(node, receiver, args)
            return UNKNOWN
        if isinstance(callee, Tracked):
            self._use(callee, "call", node, call=node)
            return self._call_result(node, callee, args)
        if isinstance(callee, QName):
            return self._qualified_call(node, callee.qualname, args)
        if isinstance(receiver, Instance):
            return self.instance_method(node, receiver, method, args)
        if isinstance(func, cst.Name) and func.value in ("hasattr", "getattr") and args:
            first = args[0][1]
            if isinstance(first, (QName, HFObject)):
                return VERSION_TEST
            return UNKNOWN
        if isinstance(func, cst.Name) and func.value == "int" and args and isinstance(args[0][1], VersionValue):
            return VERSION
        if isinstance(func, cst.Name) and func.value == "dict" and self._builtin("dict"):
            if all(a.keyword is not None for a, _ in args):  # dict(tok="...", lm="...")
                return Dict(tuple((a.keyword.value, v, a) for a, v in args), node)
        if method in ("append", "extend", "add") and isinstance(func, cst.Attribute) \
                and isinstance(func.value, cst.Name) and args:
            # embeddings.append(vec): the container now holds vec
            self._use(args[0][1], "append", node, name=func.value.value, call=node)
            if isinstance(args[0][1], (Hidden, ChatTemplate)):  # the list now holds such values
                self.bind(func.value.value, args[0][1], node)
        return UNKNOWN

    @staticmethod
    def _kwarg(args, name: str, index: int = -1) -> tuple[Value, Optional[cst.Arg]]:
        """The value and node of the argument passed as keyword ``name`` or at position ``index``."""
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

    def _version_call(self, qualname: str) -> Optional[Value]:
        if qualname in VERSION_PARSERS or qualname.endswith(".__version__"):
            return VERSION
        last = qualname.rsplit(".", 1)[-1]
        if last.startswith("is_") and VERSION_FLAG_NAME.search(last):
            return VERSION_TEST
        return None


# Attributes of a tokenizer's output that are one of its tensors.
ENCODING_KEYS = frozenset({"input_ids", "attention_mask", "token_type_ids", "labels", "pixel_values",
                           "decoder_input_ids", "decoder_attention_mask", "special_tokens_mask", "offset_mapping"})
# Tensor methods that copy a tensor of ids; and those that set positions to a value (masking when it is -100).
FIELD_COPIES = frozenset({"clone", "copy", "detach", "to", "cuda", "cpu", "long", "int", "contiguous", "tolist",
                          "numpy", "squeeze", "unsqueeze", "view", "reshape"})
FIELD_MASKS = frozenset({"masked_fill", "masked_fill_", "where", "masked_scatter", "index_fill"})
# Tensor methods/attributes that keep "what this tensor is" for our purposes.
TENSOR_PASSTHROUGH = frozenset({"detach", "cpu", "numpy", "to", "tolist", "squeeze", "float", "clone",
                                "contiguous", "half", "cuda", "double", "flatten", "view", "reshape", "T",
                                "data", "type", "astype"})
