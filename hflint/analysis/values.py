"""What an expression evaluates to, as far as the rules care: a string, a Hugging Face object, or unknown."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from ..lazy_libcst import cst


class Value:
    """Base of everything the evaluator can say about an expression."""

    __slots__ = ()


class _Unknown(Value):
    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()


@dataclass(frozen=True, eq=True)
class Str(Value):
    value: str
    node: Optional[cst.CSTNode] = field(default=None, compare=False)


@dataclass(frozen=True)
class Const(Value):
    """A non-string literal (int, float, bool, None)."""

    value: Any


@dataclass(frozen=True)
class Seq(Value):
    """A list/tuple/set literal whose elements were evaluated."""

    items: tuple[Value, ...]
    node: Optional[cst.CSTNode] = field(default=None, compare=False)


@dataclass(frozen=True)
class Dict(Value):
    """A dict literal with string keys."""

    items: tuple[tuple[str, Value, cst.CSTNode], ...]
    node: Optional[cst.CSTNode] = field(default=None, compare=False)

    def get(self, key: str) -> Optional[Value]:
        for k, v, _ in self.items:
            if k == key:
                return v
        return None


@dataclass(eq=False)
class Use:
    """One place a tracked value is used. ``kind`` is one of:

    ``method`` (``x.name(...)``), ``call`` (``x(...)``), ``arg`` (passed to a call as ``keyword`` or
    positional ``index``), ``spread`` (``**x``), ``attr_store`` (``x.name = value``), ``return``,
    ``binop`` (``name`` is the operator class), ``assign`` (bound to ``name``), ``append`` (added to the
    container bound to ``name``), ``subscript_store`` (``name[...] = x``).
    """

    kind: str
    node: cst.CSTNode
    seq: int
    scope: Any
    cond: tuple
    name: str = ""
    call: Optional[cst.Call] = None
    callee: str = ""  # qualified or dotted name of the called function, "" when unknown
    keyword: str = ""
    index: int = -1
    value: Value = UNKNOWN
    value_node: Optional[cst.CSTNode] = None


class Tracked(Value):
    """A value whose later uses are recorded (objects, model outputs, encodings, pooled vectors)."""

    def __init__(self, node: cst.CSTNode, seq: int, scope: Any, cond: tuple):
        self.node = node
        self.seq = seq
        self.scope = scope
        self.cond = cond
        self.uses: list[Use] = []
        self.names: list[str] = []  # variable names it was bound to, in order

    def label(self) -> str:
        return self.names[0] if self.names else "<expr>"


class HFObject(Tracked):
    """A tokenizer, model, config, pipeline, processor, collator, trainer or training arguments.

    ``role``: tokenizer | model | config | pipeline | processor | collator | trainer | training_args.
    ``model_kind`` (models): base | head | decoder | seq2seq | unknown.
    ``origin``: from_pretrained | from_config | constructor | pipeline | attribute.
    ``checkpoint``: the resolved checkpoint string, or None when it could not be resolved.
    """

    def __init__(self, node, seq, scope, cond, *, role: str, cls: str, origin: str,
                 checkpoint: Optional[str] = None, checkpoint_node: Optional[cst.CSTNode] = None,
                 call: Optional[cst.Call] = None, model_kind: str = "", config: Optional[Value] = None,
                 kwargs: Optional[dict] = None, parent: Optional["HFObject"] = None, arch: str = "",
                 args: Optional[list] = None):
        super().__init__(node, seq, scope, cond)
        self.role = role
        self.cls = cls
        self.origin = origin
        self.checkpoint = checkpoint
        self.checkpoint_node = checkpoint_node
        self.call = call
        self.model_kind = model_kind
        self.config = config
        self.kwargs: dict[str, tuple[Value, cst.Arg]] = kwargs or {}
        self.parent = parent
        self.arch = arch
        self.args: list = args or []  # [(cst.Arg, Value)] of the creating call
        self.config_checkpoint: Optional[str] = None  # from_config(AutoConfig.from_pretrained(X)): X

    def __repr__(self) -> str:
        return f"<{self.role} {self.cls} {self.checkpoint!r} @{self.seq}>"


class Encoding(Tracked):
    """The result of calling a tokenizer: ``tok(texts, padding=...)``."""

    def __init__(self, node, seq, scope, cond, *, tokenizer: Value, call: cst.Call, padding: Value,
                 text: Value):
        super().__init__(node, seq, scope, cond)
        self.tokenizer = tokenizer
        self.call = call
        self.padding = padding
        self.text = text


class Output(Tracked):
    """The result of a model's forward pass."""

    def __init__(self, node, seq, scope, cond, *, model: HFObject, call: cst.Call,
                 encodings: tuple[Encoding, ...]):
        super().__init__(node, seq, scope, cond)
        self.model = model
        self.call = call
        self.encodings = encodings


class Hidden(Tracked):
    """A hidden-state tensor of a model output, or something derived from one.

    ``kind``: ``hidden`` (batch x seq x dim), ``first_token`` (``[:, 0]``), ``pooler``
    (``pooler_output``), ``mean`` (``.mean(dim=1)``).
    """

    def __init__(self, node, seq, scope, cond, *, kind: str, output: Output,
                 source: Optional["Hidden"] = None):
        super().__init__(node, seq, scope, cond)
        self.kind = kind
        self.output = output
        self.source = source
