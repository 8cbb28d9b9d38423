"""What an expression evaluates to, as far as the rules care: a string, a name from a library, a Hugging Face
object, one of the file's own functions or classes, or unknown.

Every value the analysis hands to rules is read-only once the file is analysed: ``Tracked`` values (objects,
encodings, model outputs, hidden states) are frozen by ``Tracked.freeze`` and their ``uses`` and ``names``
become tuples; every other value is an immutable record.
"""
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
    """A list/tuple/set literal whose elements were evaluated (or a tuple a call returns)."""

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


@dataclass(frozen=True)
class QName(Value):
    """A name bound by an import, or an attribute of one: ``transformers.AutoModel``."""

    qualname: str


@dataclass(frozen=True)
class Instance(Value):
    """The result of calling something outside transformers by its qualified name: ``KMeans(5)``,
    ``faiss.IndexFlatIP(d)``, ``accelerate.Accelerator()``."""

    qualname: str


@dataclass(frozen=True, eq=False)
class SelfRef(Value):
    """The ``self`` parameter of a method: attribute reads resolve through the class's ``self.x = ...``."""

    class_scope: Any  # scopes.Scope


@dataclass(frozen=True, eq=False)
class ClassRef(Value):
    """A class defined in this file; ``scope`` is its body."""

    scope: Any  # scopes.Scope


@dataclass(frozen=True, eq=False)
class FuncRef(Value):
    """A function, method or lambda defined in this file, with the scope it was defined in."""

    node: Any  # cst.FunctionDef | cst.Lambda
    scope: Any  # scopes.Scope
    name: str


class VersionValue(Value):
    """A version number: ``transformers.__version__``, ``version.parse(...)``, ``importlib.metadata.version(...)``."""

    __slots__ = ()


class VersionTest(Value):
    """A condition computed from what is installed: a comparison with a version, ``hasattr(transformers, "X")``,
    ``is_peft_available()``. Code under it was written for some releases only."""

    __slots__ = ()


VERSION = VersionValue()
VERSION_TEST = VersionTest()


@dataclass(frozen=True, eq=False)
class Use:
    """One place a tracked value is used. ``kind`` is one of:

    ``method`` (``x.name(...)``), ``call`` (``x(...)``), ``arg`` (passed to a call as ``keyword`` or
    positional ``index``), ``spread`` (``**x``), ``attr_load`` (``x.name`` read), ``attr_store``
    (``x.name = value``), ``return``, ``binop`` (``name`` is the operator class), ``assign`` (bound to
    ``name``), ``append`` (added to the container bound to ``name``), ``subscript_store`` (``name[...] = x``),
    ``item_store`` (``x[name] = value``, ``name`` "" when the key is not a string), ``subscript`` (``x[name]`` read;
    ``name`` "" when the index is not a string: ``x[0]``, ``x[:, 1:]``),
    ``wrap`` (returned, wrapped, by ``name``: ``peft.get_peft_model``, ``torch.compile``,
    ``accelerate.Accelerator.prepare``; the wrapper is the same model for the analysis, but may have other
    attributes).

    A use that happens inside one of the file's functions, seen at a call of that function, has ``via`` set
    to the function's name: ``node`` is then the call in the caller, ``inner`` the use's node in the function,
    and ``call``/``value_node`` the nodes inside the function (where the arguments of the real call are).
    """

    kind: str
    node: cst.CSTNode
    seq: int
    scope: Any
    cond: tuple
    context: Any = None  # contexts.Context at the use
    name: str = ""
    call: Optional[cst.Call] = None
    callee: str = ""  # qualified or dotted name of the called function, "" when unknown
    keyword: str = ""
    index: int = -1
    value: Value = UNKNOWN
    value_node: Optional[cst.CSTNode] = None
    via: str = ""  # the file's function this use happened in, seen from its call site
    inner: Optional[cst.CSTNode] = None  # with ``via``: the use's own node, in the function's body

    @property
    def here(self) -> cst.CSTNode:
        """The use's own node (``x.shape``, the argument ``x``), in the helper's body for a use ``via`` one."""
        return self.inner if self.via and self.inner is not None else self.node

    @property
    def site(self) -> cst.CSTNode:
        """Where to report the use: the call itself, or the call of the helper it happened in."""
        return self.node if self.via or self.call is None else self.call


class Tracked(Value):
    """A value whose later uses are recorded (objects, model outputs, encodings, pooled vectors, parameters)."""

    def __init__(self, node: cst.CSTNode, seq: int, scope: Any, cond: tuple, context: Any = None):
        self.node = node
        self.seq = seq
        self.scope = scope
        self.cond = cond
        self.context = context
        self.uses: list[Use] = []
        self.names: list[str] = []  # variable names it was bound to, in order
        self.via = ""  # made by a call of this file's function `via` (node is that call)
        self.origin_node: Optional[cst.CSTNode] = None  # with `via`: where inside the function it was made

    def __setattr__(self, key, value):
        if self.__dict__.get("_frozen"):
            raise AttributeError(f"analysis facts are read-only: cannot set {type(self).__name__}.{key}")
        object.__setattr__(self, key, value)

    def freeze(self) -> None:
        self.uses = tuple(self.uses)
        self.names = tuple(self.names)
        object.__setattr__(self, "_frozen", True)

    def label(self) -> str:
        return self.names[0] if self.names else "<expr>"


class HFObject(Tracked):
    """A tokenizer, model, config, pipeline, processor, collator, trainer or training arguments.

    ``role``: tokenizer | model | config | pipeline | processor | collator | trainer | training_args.
    ``model_kind`` (models): base | head | decoder | seq2seq | unknown.
    ``origin``: from_pretrained | from_config | constructor | pipeline | attribute.
    ``checkpoint``: the resolved checkpoint string, or None when it could not be resolved.
    """

    def __init__(self, node, seq, scope, cond, context=None, *, role: str, cls: str, origin: str,
                 checkpoint: Optional[str] = None, checkpoint_node: Optional[cst.CSTNode] = None,
                 call: Optional[cst.Call] = None, model_kind: str = "", config: Optional[Value] = None,
                 kwargs: Optional[dict] = None, parent: Optional["HFObject"] = None, arch: str = "",
                 args: Optional[list] = None):
        super().__init__(node, seq, scope, cond, context)
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
        self.config_object: Optional["HFObject"] = None  # model.config, made on first read
        self.checkpoint_param: Optional["Param"] = None  # in a summary: the parameter the checkpoint comes from
        self.model_init: Optional["HFObject"] = None  # a Trainer's model built by its model_init function
        self.born_resized = False  # made by a function that resizes its embeddings before returning it
        self.checkpoint_from_call = False  # made by a function, with the checkpoint its call passed

    def freeze(self) -> None:
        self.args = tuple(self.args)
        super().freeze()

    def __repr__(self) -> str:
        return f"<{self.role} {self.cls} {self.checkpoint!r} @{self.seq}>"


class Encoding(Tracked):
    """The result of calling a tokenizer: ``tok(texts, padding=...)``."""

    def __init__(self, node, seq, scope, cond, context=None, *, tokenizer: Value, call: cst.Call, padding: Value,
                 text: Value):
        super().__init__(node, seq, scope, cond, context)
        self.tokenizer = tokenizer
        self.call = call
        self.padding = padding
        self.text = text
        self.call_scope = scope  # where `call` is (a function's, for a batch a helper made and returned)


class Output(Tracked):
    """The result of a model's forward pass."""

    def __init__(self, node, seq, scope, cond, context=None, *, model: HFObject, call: cst.Call,
                 encodings: tuple[Encoding, ...]):
        super().__init__(node, seq, scope, cond, context)
        self.model = model
        self.call = call
        self.encodings = encodings


class Field(Tracked):
    """One tensor of a tokenizer's output: ``enc["input_ids"]``, ``enc.attention_mask``, or a copy of one
    (``.clone()``, ``.to(device)``). ``masked``: some positions were set to -100 (``masked_fill``,
    ``labels[labels == pad] = -100``, ``torch.where(mask, labels, -100)``) on the way; ``shifted``: sliced to
    drop the first position (``ids[:, 1:]``, ``torch.roll(ids, -1)``)."""

    def __init__(self, node, seq, scope, cond, context=None, *, encoding: "Encoding", key: str,
                 source: Optional["Field"] = None, masked: bool = False, shifted: bool = False):
        super().__init__(node, seq, scope, cond, context)
        self.encoding = encoding
        self.key = key
        self.source = source
        self.masked = masked
        self.shifted = shifted


class ChatTemplate(Tracked):
    """The result of ``tokenizer.apply_chat_template(...)``: the rendered text (``tokenize=False``) or its
    tokens. ``tokenize``/``return_dict`` are the call's arguments as evaluated (None when not given)."""

    def __init__(self, node, seq, scope, cond, context=None, *, tokenizer: Value, call: cst.Call,
                 tokenize: Value, return_dict: Value):
        super().__init__(node, seq, scope, cond, context)
        self.tokenizer = tokenizer
        self.call = call
        self.tokenize = tokenize
        self.return_dict = return_dict

    @property
    def text(self) -> bool:
        """The template was rendered to text, not tokenized."""
        return isinstance(self.tokenize, Const) and self.tokenize.value is False


def encoding_of(value: Value) -> Optional["Encoding"]:
    """The tokenizer output a value is, or is a tensor of."""
    if isinstance(value, Encoding):
        return value
    if isinstance(value, Field):
        return value.encoding
    return None


class Hidden(Tracked):
    """A hidden-state tensor of a model output, or something derived from one.

    ``kind``: ``hidden`` (batch x seq x dim), ``layers`` (``hidden_states``), ``first_token`` (``[:, 0]``),
    ``pooler`` (``pooler_output``), ``mean`` (``.mean(dim=1)``).
    """

    def __init__(self, node, seq, scope, cond, context=None, *, kind: str, output: Output,
                 source: Optional["Hidden"] = None):
        super().__init__(node, seq, scope, cond, context)
        self.kind = kind
        self.output = output
        self.source = source


class Param(Tracked):
    """A parameter of a function being summarised (``analysis.summaries``), or an attribute path read from
    one (``self.encoder`` is ``Param(self).path == ("encoder",)``). Exists only inside summaries."""

    def __init__(self, node, seq, scope, cond, context=None, *, index: int, name: str, path: tuple = (),
                 base: Optional["Param"] = None, self_ref: Optional[SelfRef] = None):
        super().__init__(node, seq, scope, cond, context)
        self.index = index
        self.name = name
        self.path = path
        self.base = base or self
        self.self_ref = self_ref  # for `self`: the class, to read attributes that are already known


def same_value(a: Value, b: Value) -> bool:
    """Whether two evaluations denote the same thing (for joins of branches and re-bindings)."""
    if a is b:
        return True
    if isinstance(a, (Str, Const)) and type(a) is type(b):
        return a.value == b.value
    if isinstance(a, QName) and isinstance(b, QName):
        return a.qualname == b.qualname
    return False
