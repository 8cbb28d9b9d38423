"""Edits of configs that load pretrained weights (``Facts.config_changes``), shared by HF201 and HF202.

A change is a field set on a config before a ``from_pretrained(..., config=cfg)`` uses it (attribute
assignment, ``config.update({...})``, ``setattr(config, "f", v)``), a field keyword of
``AutoConfig.from_pretrained`` whose config then loads weights, or a field keyword of a model's
``from_pretrained`` itself.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from ..lazy_libcst import cst

from .values import Const, Dict, HFObject, Str

# Heads whose vocabulary the checkpoint does not have yet: wav2vec2-style CTC models are fine-tuned
# from checkpoints without an output layer, and `vocab_size=len(processor.tokenizer)` sizes the new one.
NEW_VOCAB_HEADS = ("ForCTC",)


@dataclass(frozen=True)
class Change:
    node: cst.CSTNode  # where to report
    field: str
    how: str  # text naming the change, e.g. "`config.hidden_size = ...`"
    value: object  # the new value when it is a literal, else None
    load: HFObject  # the from_pretrained that uses it


def _literal(value) -> object:
    return value.value if isinstance(value, (Const, Str)) else None


def find_config_changes(facts) -> tuple:
    module = facts.module
    changes: list[Change] = []
    for obj in facts.objects:
        if obj.role == "model" and obj.origin == "from_pretrained" and not obj.via:
            for key, (value, arg) in obj.kwargs.items():
                if key == "vocab_size" and obj.cls.endswith(NEW_VOCAB_HEADS):
                    continue
                changes.append(Change(arg, key, f"`{key}=` in `{obj.cls}.from_pretrained`", _literal(value), obj))
        if obj.role != "config" or obj.origin not in ("from_pretrained", "attribute"):
            continue
        loads = [(use.seq, facts.value_of(use.call)) for use in obj.uses
                 if use.kind == "arg" and use.keyword == "config" and use.callee.endswith(".from_pretrained")]
        loads = [(seq, load) for seq, load in loads
                 if isinstance(load, HFObject) and load.role == "model" and load.origin == "from_pretrained"]
        if not loads:
            continue

        def load_after(seq: int) -> Optional[HFObject]:
            return next((load for s, load in loads if s > seq), None)

        for key, (value, arg) in obj.kwargs.items():
            if key == "vocab_size" and loads[0][1].cls.endswith(NEW_VOCAB_HEADS):
                continue
            changes.append(Change(arg, key, f"`{key}=` in `{obj.cls}.from_pretrained`", _literal(value), loads[0][1]))
        for use in obj.uses:
            load = load_after(use.seq)
            if load is None or use.via:
                continue
            if use.name == "vocab_size" and load.cls.endswith(NEW_VOCAB_HEADS):
                continue
            if use.kind == "attr_store":
                target = module.code_for_node(use.node)
                changes.append(Change(use.node, use.name, f"`{target} = ...`", _literal(use.value), load))
            elif use.kind == "method" and use.name == "update" and use.call.args:
                d = facts.value_of(use.call.args[0].value)
                if isinstance(d, Dict):
                    for key, value, element in d.items:
                        changes.append(Change(element, key, f"`update({{'{key}': ...}})`", _literal(value), load))
            elif use.kind == "arg" and use.callee == "setattr" and use.index == 0 and len(use.call.args) >= 2:
                key = facts.value_of(use.call.args[1].value)
                if isinstance(key, Str):
                    value = facts.value_of(use.call.args[2].value) if len(use.call.args) > 2 else None
                    changes.append(Change(use.call.args[1], key.value, f"`setattr(..., '{key.value}', ...)`",
                                          _literal(value), load))
    return tuple(changes)
