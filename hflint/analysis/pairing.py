"""Which tokenizer feeds which model: the pairing HF101 and HF301 share (``Facts.pairs``).

Evidence, strongest first: the tokenizer's output is passed to the model (``model(**tok(...))``,
``enc = tok(...); model(**enc)``, ``model.generate(**enc)``); a ``Trainer``/``pipeline`` given both
(``processing_class=``/``tokenizer=``, or a ``DataCollator*(tokenizer)`` as ``data_collator=``; the model may be
the one its ``model_init`` function builds); or they are the only tokenizer and the only model loaded in one
scope.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..lazy_libcst import cst

from .values import Encoding, Field, HFObject, Output, encoding_of


@dataclass(frozen=True)
class Pair:
    tokenizer: HFObject
    model: HFObject
    how: str  # feeds | trainer | pipeline | collator | scope
    node: cst.CSTNode  # where the pairing is visible


def _kwarg(obj: HFObject, *names: str):
    for n in names:
        if n in obj.kwargs:
            return obj.kwargs[n][0]
    return None


def _is(obj, role: str) -> bool:
    return isinstance(obj, HFObject) and obj.role == role


def find_pairs(facts) -> tuple:
    found: dict[tuple[int, int], Pair] = {}

    def add(tok, model, how, node):
        key = (id(tok), id(model))
        if key not in found:
            found[key] = Pair(tok, model, how, node)

    for t in facts.tracked:
        if isinstance(t, Output):
            for enc in t.encodings:
                if _is(enc.tokenizer, "tokenizer"):
                    add(enc.tokenizer, t.model, "feeds", t.call)
        elif isinstance(t, (Encoding, Field)) and _is(encoding_of(t).tokenizer, "tokenizer"):
            for use in t.uses:
                if use.kind in ("spread", "arg") and use.call is not None \
                        and isinstance(use.call.func, cst.Attribute) and use.call.func.attr.value == "generate":
                    model = facts.value_of(use.call.func.value)
                    if _is(model, "model"):
                        add(encoding_of(t).tokenizer, model, "feeds", use.call)
    for obj in facts.objects:
        if obj.role == "trainer":
            model = _kwarg(obj, "model")
            if not _is(model, "model"):
                model = obj.model_init
            if not _is(model, "model"):
                continue
            tok = _kwarg(obj, "processing_class", "tokenizer")
            if _is(tok, "tokenizer"):
                add(tok, model, "trainer", obj.call)
            collator = _kwarg(obj, "data_collator")
            if _is(collator, "collator"):
                ctok = _kwarg(collator, "tokenizer")
                if ctok is None and collator.args:
                    first = collator.args[0]
                    ctok = first[1] if first[0].keyword is None and not first[0].star else None
                if _is(ctok, "tokenizer"):
                    add(ctok, model, "collator", obj.call)
        elif obj.role == "pipeline":
            model, tok = _kwarg(obj, "model"), _kwarg(obj, "tokenizer")
            if _is(model, "model") and _is(tok, "tokenizer"):
                add(tok, model, "pipeline", obj.call)
    for scope in facts.scopes:
        toks = [o for o in scope.objects if o.role == "tokenizer" and o.origin == "from_pretrained"]
        models = [o for o in scope.objects if o.role == "model" and o.origin == "from_pretrained"]
        if len(toks) == 1 and len(models) == 1:
            add(toks[0], models[0], "scope", scope.node)
    return tuple(found.values())
