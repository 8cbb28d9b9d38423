"""Batches a tokenizer makes: whether a tokenizer call pads, and whether it encodes several texts.

A batch is padded when the call pads to a fixed length (``padding="max_length"``) or pads to the longest
text (``padding=True``/``"longest"``) of several texts. Shared by the rules about padding (HF403, HF601,
HF605, HF608).
"""
from __future__ import annotations

import re
from typing import Optional

from ..lazy_libcst import cst

from .scopes import Scope, dotted_name
from .values import Const, Encoding, QName, Seq, Str

_PLURAL_NAME = re.compile(r"(?i)(batch|list|chunk|texts|prompts|sentences|inputs|questions|queries|docs|"
                          r"documents|messages|conversations|samples|examples|lines)")
_SINGULAR_NAME = re.compile(r"(?i)^(text|prompt|sentence|query|question|input_text|message|line|doc|sample|"
                            r"example|s|x|t)$")


def padding_label(value) -> Optional[str]:
    """How a ``padding=`` argument pads a batch, as the user wrote it; None when it does not (or is unknown)."""
    if isinstance(value, Const) and value.value is True:
        return "True"
    if isinstance(value, Str) and value.value in ("longest", "max_length"):
        return repr(value.value)
    if isinstance(value, QName) and value.qualname.endswith(("PaddingStrategy.LONGEST", "PaddingStrategy.MAX_LENGTH")):
        return ".".join(value.qualname.rsplit(".", 2)[-2:])
    return None


def is_batch(enc: Encoding) -> bool:
    """The tokenizer call encodes several texts: a literal list, a slice, a comprehension, or a plural name."""
    text = enc.text
    if isinstance(text, Str):
        return False
    if isinstance(text, Seq):
        return len(text.items) != 1
    node = text_node(enc.call)
    if node is None:
        return False
    if isinstance(node, (cst.ListComp, cst.List, cst.Tuple, cst.GeneratorExp)):
        return len(node.elements) != 1 if isinstance(node, (cst.List, cst.Tuple)) else True
    if isinstance(node, cst.Subscript):
        if any(isinstance(el.slice, cst.Slice) for el in node.slice):
            return True  # texts[i:i + batch_size]
        base = dotted_name(node.value).rsplit(".", 1)[-1]
        return bool(base) and bool(re.search(r"(?i)(batch|examples)", base))  # batch["text"] in datasets.map
    if isinstance(node, (cst.Name, cst.Attribute)):
        name = node.value if isinstance(node, cst.Name) else node.attr.value
        if _SINGULAR_NAME.match(name):
            return False
        for binding in _bindings(enc.call_scope, name) if isinstance(node, cst.Name) else ():
            value = getattr(binding.node, "value", None)
            if isinstance(value, (cst.ListComp, cst.List)):
                return len(value.elements) != 1 if isinstance(value, cst.List) else True
        return bool(_PLURAL_NAME.search(name)) or (name.endswith("s") and not name.endswith("ss"))
    return False


def pads(enc: Encoding) -> Optional[str]:
    """How the call pads its batch (``padding="max_length"``, or ``True``/``"longest"`` over several texts), as
    written; None when its rows are not padded (or it cannot be told)."""
    label = padding_label(enc.padding)
    if label is None:
        return None
    if "max_length" in label.lower() or is_batch(enc):
        return label
    return None


def _bindings(scope: Scope, name: str):
    while scope is not None:
        if name in scope.bindings:
            return scope.bindings[name]
        scope = scope.parent
    return []


def text_node(call: cst.Call) -> Optional[cst.CSTNode]:
    """The text argument of a tokenizer call."""
    positional = [a for a in call.args if a.keyword is None and not a.star]
    for a in call.args:
        if a.keyword is not None and a.keyword.value in ("text", "batch_text_or_text_pairs"):
            return a.value
    return positional[0].value if positional else None
