"""Function summaries: what one of the file's own functions returns and what it does to what it is given.

A function (or lambda) is summarised once, on demand, the first time a call of it is evaluated: its body is
analysed by a scratch ``Analyzer`` in which each parameter is a ``Param`` (so its uses are recorded), reading
the enclosing scopes as they are at that call. The summary keeps

- ``returns``: what the function returns — an object it makes (``AutoModel.from_pretrained(NAME)``), one of its
  parameters (a helper that adds tokens to the tokenizer it is given and returns it), a tuple of those, or a
  string; anything else is UNKNOWN;
- ``effects``: what it does to values it did not make — its parameters and attributes of them
  (``self.encoder.resize_token_embeddings(n)``) and objects of the enclosing scopes.

At each call the summary is instantiated: a returned object becomes a new object made at the call (``via`` the
function, a checkpoint taken from a parameter resolved from the call's argument), and every effect becomes a
use of the argument it lands on (``Use.via``) and a ``CallSite`` at the call. Recursion and summaries that
cannot be decided are UNKNOWN: rules stay silent, they never guess.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Optional

from ..lazy_libcst import cst

from .contexts import Context, decorator_grad
from .scopes import CallSite, Scope
from .values import (UNKNOWN, ChatTemplate, ClassRef, Const, Dict, Encoding, Field, FuncRef, HFObject, Param, SelfRef,
                     Seq, Str, Tracked, Use, Value)

_IN_PROGRESS = object()


@dataclass(frozen=True)
class Effect:
    """A use, inside a summarised function, of a value the function did not make: ``target`` is a ``Param``
    (possibly an attribute path of one) or an object of an enclosing scope."""

    target: Value
    use: Use


@dataclass(frozen=True)
class Summary:
    name: str
    returns: Value
    effects: tuple
    self_param: bool  # the first parameter is bound to the receiver (methods, classmethods)
    params: tuple  # parameter names, positional order first
    defaults: tuple  # (name, value) of the parameters' default values


class Summaries:
    """Mixin of ``Analyzer``: summarising functions and instantiating summaries at calls."""

    def summary_of(self, ref: FuncRef) -> Optional[Summary]:
        key = id(ref.node)
        cached = self.summaries.get(key)
        if cached is _IN_PROGRESS:
            return None  # recursion: unknown
        if cached is not None or key in self.summaries:
            return cached
        self.summaries[key] = _IN_PROGRESS
        summary = None
        try:
            summary = self._summarise(ref)
        except RecursionError:
            summary = None
        finally:
            self.summaries[key] = summary
        return summary

    def _summarise(self, ref: FuncRef) -> Optional[Summary]:
        from .analyzer import Analyzer  # the same analysis, on a scratch copy

        scratch = Analyzer(self.module, summaries=self.summaries, scratch=True, mutated=self.mutated)
        node = ref.node
        owner: Scope = ref.scope
        scope = Scope("function", ref.name, node, owner, attach=False)
        scratch.scope = scope
        scratch.scopes.append(scope)
        for d in getattr(node, "decorators", ()):
            func = d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator
            grad = decorator_grad(d.decorator, scratch.eval(func))
            if grad:
                scratch.context = Context(grad_off=grad)
        method = owner.kind == "class" and isinstance(node, cst.FunctionDef)
        decorators = {d.decorator.value if isinstance(d.decorator, cst.Name) else "" for d in getattr(node, "decorators", ())}
        self_param = method and "staticmethod" not in decorators
        if method:
            scope.class_scope = owner
        params = node.params
        ordered = list(params.posonly_params) + list(params.params)
        names = []
        defaults = tuple((p.name.value, scratch.eval(p.default)) for p in [*ordered, *params.kwonly_params]
                         if p.default is not None)  # read in the defining scope, before any parameter is bound
        for i, p in enumerate(ordered):
            names.append(p.name.value)
            if i == 0 and self_param and "classmethod" in decorators:
                scratch.bind(p.name.value, ClassRef(owner), p)
                continue
            param = scratch._track(Param(p, scratch._next(), scope, (), scratch.context, index=i, name=p.name.value,
                                         self_ref=SelfRef(owner) if i == 0 and self_param else None))
            scratch.bind(p.name.value, param, p)
        for p in params.kwonly_params:
            names.append(p.name.value)
            param = scratch._track(Param(p, scratch._next(), scope, (), scratch.context, index=-1, name=p.name.value))
            scratch.bind(p.name.value, param, p)
        for p in (params.star_arg, params.star_kwarg):
            if isinstance(p, cst.Param):
                scratch.bind(p.name.value, UNKNOWN, p)
        if isinstance(node, cst.Lambda):
            returns = scratch.eval(node.body)
        else:
            from .walk import walk

            walk(node.body, [scratch])
            returns = _join([value for _, _, value in scope.returns]) if scope.returns else UNKNOWN
        effects = [Effect(t, u) for t in scratch.tracked if isinstance(t, Param) for u in t.uses]
        effects += [Effect(t, u) for t, u in scratch.outer_uses]
        effects.sort(key=lambda e: e.use.seq)
        return Summary(ref.name, returns, tuple(effects), self_param, tuple(names), defaults)

    # ------------------------------------------------------------------ calls
    def call_function(self, node: cst.Call, ref: FuncRef, args, receiver: Optional[Value]) -> Value:
        """The value of calling one of the file's functions, with its effects recorded at this call."""
        summary = self.summary_of(ref)
        if summary is None:
            return UNKNOWN
        self.summarized_calls.add(id(node))
        actuals = self._actuals(summary, args, receiver)
        for effect in summary.effects:
            target = self._resolve(effect.target, actuals)
            if isinstance(target, Tracked):
                self._effect(target, effect.use, node, summary.name, actuals)
        return self._instance(summary.returns, node, summary.name, actuals)

    def instantiate_result(self, value: Value, node: cst.CSTNode, call: cst.Call) -> Value:
        """What calling ``value`` with no arguments returns, made at ``node`` (``make_model`` in
        ``Trainer(model_init=make_model)``) by the call ``call`` that will call it."""
        if not isinstance(value, FuncRef):
            return UNKNOWN
        summary = self.summary_of(value)
        if summary is None:
            return UNKNOWN
        obj = self._instance(summary.returns, call, summary.name, self._actuals(summary, [], None))
        if isinstance(obj, HFObject) and obj.via:
            obj.node = node
        return obj

    @staticmethod
    def _actuals(summary: Summary, args, receiver: Optional[Value]) -> dict:
        """Parameter name -> the value passed for it at this call (or its default)."""
        actuals: dict[str, Value] = dict(summary.defaults)
        params = list(summary.params)
        if summary.self_param and params:
            if receiver is not None:
                actuals[params[0]] = receiver
            params = params[1:]
        pos = 0
        for a, v in args:
            if a.star:
                continue
            if a.keyword is not None:
                actuals[a.keyword.value] = v
            elif pos < len(params):
                actuals[params[pos]] = v
                pos += 1
        return actuals

    def _resolve(self, target: Value, actuals: dict) -> Value:
        """The value at this call that a summary's ``Param`` (or attribute path of one) stands for."""
        if not isinstance(target, Param):
            return target
        value = actuals.get(target.base.name, UNKNOWN)
        for attr in target.path:
            if isinstance(value, SelfRef):
                value = self.self_attribute(value.class_scope, attr)
            elif isinstance(value, Param):
                value = self.param_attribute(value, attr, target.node)
            elif isinstance(value, HFObject) and attr == "config" and value.role == "model":
                value = self._model_config(value, target.node)
            else:
                return UNKNOWN
        return value

    def _substitute(self, value: Value, actuals: dict) -> Value:
        """A value of the summary with its parameters replaced by what this call passes (in literals too)."""
        if isinstance(value, Param):
            return self._resolve(value, actuals)
        if isinstance(value, Seq):
            return Seq(tuple(self._substitute(v, actuals) for v in value.items), value.node)
        if isinstance(value, Dict):
            return Dict(tuple((k, self._substitute(v, actuals), el) for k, v, el in value.items), value.node)
        return value

    def _effect(self, target: Tracked, use: Use, node: cst.Call, via: str, actuals: dict) -> None:
        value = self._substitute(use.value, actuals)
        # the call runs where it is called, with gradients off if the function turns them off
        context = replace(self.context, grad_off=use.context.grad_off or self.context.grad_off)
        self._use(target, use.kind, node, context, name=use.name, call=use.call, callee=use.callee,
                  keyword=use.keyword, index=use.index, value=value, value_node=use.value_node, via=use.via or via,
                  inner=use.inner if use.via else use.node)
        if use.kind == "method" and use.call is not None:
            self.scope.calls.append(CallSite(self._next(), use.name, use.callee, node, self.cond, target,
                                             self.context, via=use.via or via))

    def _instance(self, template: Value, node: cst.CSTNode, via: str, actuals: dict) -> Value:
        if isinstance(template, Param):
            return self._resolve(template, actuals)
        if isinstance(template, (Str, Const)):
            return template
        if isinstance(template, Seq):
            return Seq(tuple(self._instance(item, node, via, actuals) for item in template.items), template.node)
        if isinstance(template, HFObject) and template.role != "config":
            return self._clone(template, node, via, actuals)
        if isinstance(template, Encoding):  # a helper that tokenizes and returns the batch
            return self._clone_encoding(template, node, via, actuals)
        if isinstance(template, Field):
            enc = self._clone_encoding(template.encoding, node, via, actuals)
            return self.field(node, enc, template.key, masked=template.masked, shifted=template.shifted)
        if isinstance(template, ChatTemplate):  # a helper that renders (or tokenizes) a chat
            tokenizer = self._substitute(template.tokenizer, actuals)
            return self._track(ChatTemplate(node, self._next(), self.scope, self.cond, self.context,
                                            tokenizer=tokenizer, call=template.call, tokenize=template.tokenize,
                                            return_dict=template.return_dict))
        return UNKNOWN

    def _clone_encoding(self, template: Encoding, node: cst.CSTNode, via: str, actuals: dict) -> Encoding:
        enc = Encoding(node, self._next(), self.scope, self.cond, self.context,
                       tokenizer=self._substitute(template.tokenizer, actuals), call=template.call,
                       padding=self._substitute(template.padding, actuals), text=self._substitute(template.text, actuals))
        enc.call_scope = template.call_scope
        enc.via = via
        self._track(enc)
        for use in template.uses:
            if use.kind == "item_store":  # enc["labels"] = ... before it is returned
                self._effect(enc, use, node, via, actuals)
        return enc

    def _clone(self, template: HFObject, node: cst.CSTNode, via: str, actuals: dict) -> HFObject:
        """A new object made at the call ``node``, like the one the function makes, with its uses in the function
        (a resize before it is returned) recorded at the call."""
        checkpoint, checkpoint_node = template.checkpoint, template.checkpoint_node
        from_call = False
        if template.checkpoint_param is not None:
            actual = self._resolve(template.checkpoint_param, actuals)
            if isinstance(actual, Str):
                checkpoint, checkpoint_node, from_call = actual.value, actual.node, True
        obj = HFObject(node, self._next(), self.scope, self.cond, self.context, role=template.role, cls=template.cls,
                       origin=template.origin, checkpoint=checkpoint, checkpoint_node=checkpoint_node,
                       call=template.call, model_kind=template.model_kind, config=template.config,
                       kwargs=dict(template.kwargs), arch=template.arch, args=list(template.args))
        obj.via = template.via or via
        obj.origin_node = template.origin_node or template.node
        obj.config_checkpoint = template.config_checkpoint
        obj.checkpoint_from_call = from_call or template.checkpoint_from_call
        obj.born_resized = template.born_resized or any(
            u.kind == "method" and u.name == "resize_token_embeddings" for u in template.uses)
        self._track(obj)
        for use in template.uses:
            if use.kind in ("method", "attr_store", "call", "attr_load"):
                self._effect(obj, use, node, via, actuals)
        return obj

    # ------------------------------------------------------------------ parameters inside a summary
    def param_attribute(self, param: Param, attr: str, node: cst.CSTNode) -> Value:
        """``self.x`` / ``tok.x`` inside a summarised function: the class's method, or a path of the parameter."""
        if param.self_ref is not None and not param.path:
            method = self.class_attribute(param.self_ref.class_scope, attr)
            if isinstance(method, FuncRef):
                return method
        key = (id(param), attr)
        found = self._param_paths.get(key)
        if found is None:
            found = self._track(Param(node, self._next(), self.scope, self.cond, self.context, index=param.index,
                                      name=param.name, path=param.path + (attr,), base=param.base))
            self._param_paths[key] = found
        return found

    @staticmethod
    def is_param(value: Value) -> bool:
        return isinstance(value, Param)


def _join(values: list) -> Value:
    first = values[0]
    if all(v is first for v in values[1:]):
        return first
    if isinstance(first, Str) and all(isinstance(v, Str) and v.value == first.value for v in values[1:]):
        return first
    if isinstance(first, HFObject) and all(isinstance(v, HFObject) and (v.role, v.cls, v.checkpoint) ==
                                           (first.role, first.cls, first.checkpoint) for v in values[1:]):
        return first
    return UNKNOWN


