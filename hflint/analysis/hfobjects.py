"""Hugging Face objects: what a name exported by ``transformers`` (or a library built on it) makes, and the
objects the analysis tracks — tokenizers, models, configs, pipelines, processors, collators, trainers — with
what their calls return (encodings, model outputs, hidden states).

Also here: wrappers that return the model they are given (``get_peft_model``, ``accelerator.prepare``,
``torch.compile``, ``.to(...)``), and the file's own subclasses of transformers classes
(``class FocalTrainer(Trainer)``, ``class Head(BertPreTrainedModel)``), which make the objects their base makes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple, Optional

from ..lazy_libcst import cst

from .scopes import dotted_name
from .values import (UNKNOWN, VERSION, ChatTemplate, ClassRef, Const, Encoding, Field, HFObject, Hidden, Instance,
                     Output, QName, SelfRef, Seq, Str, Tracked, Value, encoding_of)

# Libraries whose objects play the same roles as transformers' own (trainers and collators taking a
# model and a tokenizer). Qualified names from these count like ``transformers.X``.
HF_PACKAGES = ("transformers", "trl", "peft", "setfit")

ENCODER_ARCHS = frozenset({
    "bert", "roberta", "xlmroberta", "distilbert", "albert", "electra", "mpnet", "deberta", "debertav2",
    "camembert", "longformer", "bigbird", "ernie", "modernbert", "xlmrobertaxl", "rembert", "megatronbert",
    "mobilebert", "squeezebert", "funnel", "convbert", "luke", "nezha", "roformer", "flaubert", "xlm",
})
DECODER_ARCHS = frozenset({
    "gpt2", "gptneo", "gptneox", "gptj", "llama", "mistral", "mixtral", "qwen2", "qwen3", "gemma", "gemma2",
    "gemma3", "phi", "phi3", "falcon", "bloom", "opt", "codegen", "openaigpt", "ctrl", "biogpt", "xglm",
    "mpt", "olmo", "starcoder2", "gptbigcode", "stablelm", "cohere", "persimmon", "rwkv", "mamba",
})
_NOT_MODEL_CONFIGS = ("GenerationConfig", "QuantizationConfig", "BitsAndBytesConfig", "GPTQConfig", "AwqConfig",
                      "WatermarkingConfig", "CompileConfig", "CacheConfig", "LoraConfig", "PeftConfig",
                      "PromptTuningConfig", "PrefixTuningConfig", "SFTConfig", "DPOConfig", "GRPOConfig",
                      "PPOConfig", "RewardConfig", "KTOConfig", "ORPOConfig", "CPOConfig")
# trl's trainer configurations subclass TrainingArguments.
_TRAINER_CONFIGS = frozenset({"SFTConfig", "DPOConfig", "GRPOConfig", "PPOConfig", "RewardConfig", "KTOConfig",
                              "ORPOConfig", "CPOConfig"})

# Methods of a model that return the model itself (``model = model.to(device)``).
SAME_OBJECT_METHODS = frozenset({"to", "cuda", "cpu", "eval", "train", "half", "float", "double", "bfloat16",
                                 "requires_grad_", "share_memory", "to_empty"})
# Functions that return the model they are given, by the position (or keyword) of that model.
# peft: get_peft_model(model, peft_config), PeftModel.from_pretrained(model, model_id),
# prepare_model_for_kbit_training(model); torch.compile(model); torch's data-parallel wrappers forward to
# `.module` and follow train()/eval() of the wrapper.
MODEL_WRAPPERS = {
    "peft.get_peft_model": (0, "model"),
    "peft.mapping.get_peft_model": (0, "model"),
    "peft.mapping_func.get_peft_model": (0, "model"),
    "peft.prepare_model_for_kbit_training": (0, "model"),
    "peft.prepare_model_for_int8_training": (0, "model"),
    "peft.utils.prepare_model_for_kbit_training": (0, "model"),
    "torch.compile": (0, "model"),
    "torch.nn.DataParallel": (0, "module"),
    "torch.nn.parallel.DataParallel": (0, "module"),
    "torch.nn.parallel.DistributedDataParallel": (0, "module"),
}
_PEFT_MODEL_CLASS = re.compile(r"peft\.(\w+\.)*Peft(Mixed)?Model\w*")
# Methods of these instances that return what they are given, in order (accelerate's Accelerator.prepare).
PREPARE_METHODS = {("accelerate.Accelerator", "prepare"), ("accelerate.Accelerator", "prepare_model")}
_TENSOR_PASSTHROUGH_FUNCS = frozenset({"torch.nn.functional.normalize", "torch.cat", "torch.stack", "torch.vstack",
                                       "numpy.concatenate", "numpy.vstack", "numpy.stack", "numpy.array",
                                       "numpy.asarray", "torch.tensor", "torch.as_tensor", "torch.from_numpy",
                                       "sklearn.preprocessing.normalize"})
_MEAN_FUNCS = frozenset({"torch.mean", "numpy.mean"})


class Kind(NamedTuple):
    role: str  # tokenizer | model | config | pipeline | processor | collator | trainer | training_args | other
    model_kind: str = ""  # base | head | decoder | seq2seq | unknown (models only)
    arch: str = ""  # lower-cased architecture prefix (BertModel -> bert), "" for Auto classes


def export_name(qualname: str) -> Optional[str]:
    """``transformers.models.bert.modeling_bert.BertModel`` -> ``BertModel``; None outside transformers & co."""
    head, _, rest = qualname.partition(".")
    if head not in HF_PACKAGES or not rest:
        return None
    return rest.rsplit(".", 1)[-1]


@lru_cache(maxsize=2048)
def classify(name: str) -> Kind:
    """Role of an exported class or function name (``AutoTokenizer`` -> tokenizer, ``GPT2LMHeadModel`` -> decoder model)."""
    if name == "pipeline":
        return Kind("pipeline")
    if name.startswith("DataCollator"):
        return Kind("collator")
    if name.endswith("TrainingArguments") or name in _TRAINER_CONFIGS:
        return Kind("training_args")
    if name.endswith("Trainer"):
        return Kind("trainer")
    if re.search(r"Tokenizer(Fast)?$", name):
        return Kind("tokenizer")
    if name.endswith(("Processor", "FeatureExtractor", "ImageProcessorFast")):
        return Kind("processor")
    if name.endswith("Config"):
        if name.endswith(_NOT_MODEL_CONFIGS):
            return Kind("other")
        return Kind("config")
    if name.endswith("PreTrainedModel"):  # the base of custom heads: BertPreTrainedModel
        return Kind("model", "unknown", name[:-len("PreTrainedModel")].lower())
    name_ = re.sub(r"^(TF|Flax)", "", name)
    if name_ in ("AutoModel", "AutoModelWithLMHead"):
        return Kind("model", "base" if name_ == "AutoModel" else "unknown", "")
    m = re.fullmatch(r"AutoModelFor(\w+)", name_)
    if m:
        return Kind("model", _head_kind(m.group(1)), "")
    m = re.fullmatch(r"([A-Z]\w*?)(LMHeadModel|For\w+|Model)", name_)
    if m and m.group(1) not in ("PreTrained", "Auto"):
        arch = m.group(1).lower()
        tail = m.group(2)
        if tail == "LMHeadModel":
            return Kind("model", "decoder", arch)
        if tail == "Model":
            return Kind("model", "base", arch)
        return Kind("model", _head_kind(tail[3:]), arch)
    return Kind("other")


def _head_kind(task: str) -> str:
    if task in ("CausalLM",):
        return "decoder"
    if task in ("Seq2SeqLM", "ConditionalGeneration", "SpeechSeq2Seq", "Vision2Seq", "ImageTextToText"):
        return "seq2seq"
    return "head"


def is_encoder_arch(arch: str) -> bool:
    return arch in ENCODER_ARCHS


def is_decoder_arch(arch: str) -> bool:
    return arch in DECODER_ARCHS


def is_decoder_only(model: HFObject) -> bool:
    """A model whose ``generate`` continues the input sequence itself (no encoder)."""
    if model.role != "model":
        return False
    if model.model_kind == "decoder":
        return True
    if model.model_kind != "unknown":
        return False  # heads and encoder-decoders; base models (GPT2Model) cannot generate at all
    # AutoModelWithLMHead and friends: the architecture or the checkpoint decides
    if model.arch:
        return is_decoder_arch(model.arch)
    from .. import knowledge

    family = knowledge.family_of(model.checkpoint) if model.checkpoint else None
    return family is not None and knowledge.family_info(family)["architecture"] == "decoder"


@dataclass(frozen=True)
class UserClass:
    """A class defined in the file that derives from a transformers class (directly or through the file's own
    classes): ``base`` is that class's qualified name (``transformers.Trainer``), ``init_params`` the keyword
    names its own ``__init__`` accepts (None when it defines none), ``init_kwargs`` whether that ``__init__``
    takes ``**kwargs``."""

    name: str
    base: str
    init_params: Optional[frozenset]
    init_kwargs: bool

    @property
    def export(self) -> str:
        return self.base.rsplit(".", 1)[-1]


def user_class(ref: ClassRef) -> Optional[UserClass]:
    """The transformers class a class of this file derives from, or None (see ``UserClass``). Fields the classes on
    the way declare (``lora_rank: int = 8`` in a ``@dataclass`` subclass of ``TrainingArguments``) are accepted
    keywords too."""
    scope, seen = ref.scope, set()
    init: Optional[cst.FunctionDef] = None
    fields: set = set()
    while scope is not None and id(scope) not in seen:
        seen.add(id(scope))
        if init is None:
            init = next((b.node for b in scope.bindings.get("__init__", ()) if isinstance(b.node, cst.FunctionDef)),
                        None)
        fields.update(name for name, bindings in scope.bindings.items()
                      if any(isinstance(b.node, cst.AnnAssign) for b in bindings))
        nxt = None
        for value in scope.base_values:
            export = export_name(value.qualname) if isinstance(value, QName) else None
            if export and classify(export).role != "other":
                params, kwargs = _init_signature(init)
                if init is None and fields:  # a dataclass: the generated __init__ takes the fields and the base's
                    params, kwargs = frozenset(fields), True
                return UserClass(ref.scope.name, value.qualname, params, kwargs)
            if isinstance(value, ClassRef) and nxt is None:
                nxt = value.scope
            elif nxt is None:
                return None  # a mixin from elsewhere comes first in the MRO: its __init__ may be anything
        scope = nxt
    return None


def _init_signature(init: Optional[cst.FunctionDef]) -> tuple[Optional[frozenset], bool]:
    if init is None:
        return None, False
    p = init.params
    names = [q.name.value for q in list(p.posonly_params) + list(p.params) + list(p.kwonly_params)]
    return frozenset(names[1:] if names and names[0] == "self" else names), isinstance(p.star_kwarg, cst.Param)


class HFObjects:
    """Mixin of ``Analyzer``: calls that make or use Hugging Face objects."""

    def _qualified_call(self, node: cst.Call, qualname: str, args) -> Value:
        version = self._version_call(qualname)
        if version is not None:
            return version
        if qualname in MODEL_WRAPPERS or (_PEFT_MODEL_CLASS.fullmatch(qualname.rsplit(".", 1)[0])
                                          and qualname.endswith(".from_pretrained")):
            index, keyword = MODEL_WRAPPERS.get(qualname, (0, "model"))
            wrapped, _ = self._kwarg(args, keyword, index)
            if isinstance(wrapped, HFObject) and wrapped.role == "model":
                self._use(wrapped, "wrap", node, name=qualname, call=node)
                return wrapped
            return UNKNOWN
        head, _, last = qualname.rpartition(".")
        if last in ("from_pretrained", "from_config"):
            cls_export = export_name(head)
            return self._load(node, head, cls_export, last, args) if cls_export else UNKNOWN
        export = export_name(qualname)
        if export is None:
            result = self._tensor_function(node, qualname, args)
            return Instance(qualname) if result is UNKNOWN else result
        return self._construct(node, export, args)

    def _construct(self, node: cst.Call, export: str, args, cls: str = "") -> Value:
        """``Export(...)``: a pipeline, trainer, collator, training arguments, or a model built from a config."""
        kind = classify(export)
        cls = cls or export
        kwargs = {a.keyword.value: (v, a) for a, v in args if a.keyword is not None}
        if kind.role == "pipeline":
            return self._pipeline(node, args)
        if kind.role in ("trainer", "collator", "training_args"):
            obj = self._track(HFObject(node, self._next(), self.scope, self.cond, self.context, role=kind.role,
                                       cls=cls, origin="constructor", call=node, kwargs=kwargs, args=args))
            if kind.role == "trainer":
                self._model_init(obj)
            return obj
        if kind.role == "model":
            cfg, _ = self._kwarg(args, "config", 0)
            return self._track(HFObject(node, self._next(), self.scope, self.cond, self.context, role="model",
                                        cls=cls, origin="from_config", call=node, model_kind=kind.model_kind,
                                        config=cfg, arch=kind.arch, args=args))
        if kind.role == "config":
            return self._track(HFObject(node, self._next(), self.scope, self.cond, self.context, role="config",
                                        cls=cls, origin="constructor", call=node, kwargs=kwargs))
        if kind.role in ("tokenizer", "processor"):
            return self._track(HFObject(node, self._next(), self.scope, self.cond, self.context, role=kind.role,
                                        cls=cls, origin="constructor", call=node))
        return UNKNOWN

    def _model_init(self, trainer: HFObject) -> None:
        """``Trainer(model_init=make_model)``: the trainer builds its model by calling the function (summarised)."""
        value, arg = trainer.kwargs.get("model_init", (None, None))
        given = trainer.kwargs.get("model", (None, None))[0]
        if arg is None or (given is not None and not (isinstance(given, Const) and given.value is None)):
            return  # Trainer(model=..., model_init=...): the model it is given (model=None is common)
        model = self.instantiate_result(value, arg.value, trainer.call)
        if isinstance(model, HFObject) and model.role == "model":
            trainer.model_init = model
            callee = self.value_of(trainer.call.func)
            self._use(model, "arg", arg, call=trainer.call, keyword="model",
                      callee=callee.qualname if isinstance(callee, QName) else dotted_name(trainer.call.func))

    def _load(self, node: cst.Call, cls_qualname: str, export: str, how: str, args, cls: str = "") -> Value:
        kind = classify(export)
        if kind.role not in ("tokenizer", "model", "config", "processor"):
            return UNKNOWN
        kwargs = {a.keyword.value: (v, a) for a, v in args if a.keyword is not None}
        cls = cls or export
        if how == "from_pretrained":
            ckpt, ckpt_arg = self._kwarg(args, "pretrained_model_name_or_path", 0)
            checkpoint = ckpt.value if isinstance(ckpt, Str) else None
            cfg = kwargs.get("config", (UNKNOWN, None))[0]
            obj = HFObject(node, self._next(), self.scope, self.cond, self.context, role=kind.role, cls=cls,
                           origin="from_pretrained", checkpoint=checkpoint,
                           checkpoint_node=ckpt_arg.value if ckpt_arg is not None else None, call=node,
                           model_kind=kind.model_kind, config=cfg, kwargs=kwargs, arch=kind.arch, args=args)
            if self.is_param(ckpt):
                obj.checkpoint_param = ckpt
        else:
            cfg, _ = self._kwarg(args, "config", 0)
            checkpoint = cfg.checkpoint if isinstance(cfg, HFObject) else None
            obj = HFObject(node, self._next(), self.scope, self.cond, self.context, role=kind.role, cls=cls,
                           origin="from_config", checkpoint=None, call=node, model_kind=kind.model_kind,
                           config=cfg, kwargs=kwargs, arch=kind.arch, args=args)
            obj.config_checkpoint = checkpoint
        return self._track(obj)

    def _pipeline(self, node: cst.Call, args) -> Value:
        kwargs = {a.keyword.value: (v, a) for a, v in args if a.keyword is not None}
        model_v, model_arg = self._kwarg(args, "model", 1)
        checkpoint = model_v.value if isinstance(model_v, Str) else None
        obj = HFObject(node, self._next(), self.scope, self.cond, self.context, role="pipeline", cls="pipeline",
                       origin="pipeline", checkpoint=checkpoint,
                       checkpoint_node=model_arg.value if model_arg is not None else None, call=node,
                       kwargs=kwargs, args=args)
        return self._track(obj)

    # ------------------------------------------------------------------ the file's own subclasses
    def call_class(self, node: cst.Call, ref: ClassRef, args) -> Value:
        """``MyTrainer(...)`` / ``Head(config)``: what the transformers base class would make."""
        info = user_class(ref)
        if info is None:
            # An instance: its methods and the attributes they set are the class's. Arguments may set attributes
            # in ways only an __init__ of the file shows (a dataclass field, a NamedTuple): then it is unknown.
            if args and not ref.scope.bindings.get("__init__"):
                return UNKNOWN
            return SelfRef(ref.scope)
        return self._construct(node, info.export, args, cls=info.export if classify(info.export).role != "model"
                               else ref.scope.name)

    def class_load(self, node: cst.Call, ref: ClassRef, how: str, args) -> Value:
        """``Head.from_pretrained("bert-base-uncased")`` for a class deriving from a transformers model."""
        info = user_class(ref)
        if info is None:
            return UNKNOWN
        return self._load(node, info.base, info.export, how, args, cls=ref.scope.name)

    # ------------------------------------------------------------------ methods and attributes of objects
    def instance_method(self, node: cst.Call, receiver: Instance, method: str, args) -> Value:
        """``accelerator.prepare(model, optimizer, ...)`` returns what it is given, in order."""
        if (receiver.qualname, method) in PREPARE_METHODS:
            values = [v for a, v in args if a.keyword is None and not a.star]
            for value in values:
                self._use(value, "wrap", node, name=f"{receiver.qualname}.{method}", call=node)
            if len(values) == 1:
                return values[0] if isinstance(values[0], Tracked) else UNKNOWN
            return Seq(tuple(values), node)
        return UNKNOWN

    def object_attribute(self, obj: HFObject, attr: str, node: cst.CSTNode) -> Value:
        if attr == "config" and obj.role == "model":
            return self._model_config(obj, node)
        if attr == "module" and obj.role == "model":
            return obj  # DataParallel(model).module is the model
        return UNKNOWN

    def _model_config(self, model: HFObject, node: cst.CSTNode) -> HFObject:
        if model.config_object is not None:
            return model.config_object
        config = HFObject(node, self._next(), self.scope, self.cond, self.context, role="config", cls="",
                          origin="attribute", checkpoint=model.checkpoint, parent=model)
        self._track(config)
        if self.owns(model):
            model.config_object = config
        return config

    def _hidden(self, node: cst.CSTNode, kind: str, output: Output, source: Optional[Hidden] = None) -> Hidden:
        return self._track(Hidden(node, self._next(), self.scope, self.cond, self.context, kind=kind, output=output,
                                  source=source))

    def _tensor_function(self, node: cst.Call, qualname: str, args) -> Value:
        if not args:
            return UNKNOWN
        first = args[0][1]
        fields = [v for _, v in args if isinstance(v, Field)]
        if fields:
            last = qualname.rsplit(".", 1)[-1]
            if last in ("where", "masked_fill", "full_like") or qualname in _TENSOR_PASSTHROUGH_FUNCS \
                    or qualname in ("copy.copy", "copy.deepcopy", "torch.clone", "numpy.copy"):
                return self.field_copy(node, fields[0], masked=any(self.mentions_ignore_index(a.value) for a, _ in args))
            if last == "roll":  # torch.roll(ids, shifts=-1, dims=-1): the next token at each position
                shifts, _ = self._kwarg(args, "shifts", 1)
                if isinstance(shifts, Const) and shifts.value == -1:
                    return self.field_copy(node, fields[0], shifted=True)
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
        from .evaluation import TENSOR_PASSTHROUGH

        if isinstance(receiver, HFObject):
            if receiver.role == "model":
                if method in SAME_OBJECT_METHODS:
                    return receiver
                if method == "forward":
                    return self._call_result(node, receiver, args)
                return UNKNOWN
            if receiver.role in ("tokenizer", "processor"):
                if method in ("__call__", "encode_plus", "batch_encode_plus", "pad"):
                    return self._call_result(node, receiver, args)
                if method == "apply_chat_template":
                    return self._chat_template(node, receiver, args)
                return UNKNOWN
            return UNKNOWN
        if isinstance(receiver, ChatTemplate):
            return receiver if method in ("to", "cuda", "cpu") else UNKNOWN
        if isinstance(receiver, Field):
            from .evaluation import FIELD_COPIES, FIELD_MASKS

            if method in FIELD_COPIES:
                return self.field_copy(node, receiver)
            if method in FIELD_MASKS:
                return self.field_copy(node, receiver, masked=any(self.mentions_ignore_index(a.value) for a, _ in args))
            return UNKNOWN
        if isinstance(receiver, Encoding):
            if method in ("to", "cuda", "cpu", "copy"):
                return receiver
            return UNKNOWN
        if isinstance(receiver, Hidden):
            if method in TENSOR_PASSTHROUGH:
                return receiver
            if method == "mean" and receiver.kind == "hidden":
                dim, _ = self._kwarg(args, "dim", 0)
                if not isinstance(dim, Const):
                    dim, _ = self._kwarg(args, "axis", 0)
                if isinstance(dim, Const) and dim.value == 1:
                    return self._hidden(node, "mean", receiver.output, receiver)
            return UNKNOWN
        return UNKNOWN

    def mentions_ignore_index(self, node: cst.CSTNode) -> bool:
        """The expression holds -100, the label the loss ignores: ``-100``, ``IGNORE_INDEX``,
        ``torch.full_like(ids, -100)``."""
        stack = [node]
        while stack:
            n = stack.pop()
            if _is_ignore_index(self.value_of(n)):
                return True
            if isinstance(n, cst.UnaryOperation) and isinstance(n.operator, cst.Minus) \
                    and isinstance(n.expression, cst.Integer) and n.expression.value == "100":
                return True
            stack.extend(n.children)
        return False

    def _chat_template(self, node: cst.Call, tokenizer: HFObject, args) -> Value:
        tokenize, _ = self._kwarg(args, "tokenize")
        return_dict, _ = self._kwarg(args, "return_dict")
        return self._track(ChatTemplate(node, self._next(), self.scope, self.cond, self.context, tokenizer=tokenizer,
                                        call=node, tokenize=tokenize, return_dict=return_dict))

    def _call_result(self, node: cst.Call, callee: Tracked, args) -> Value:
        if isinstance(callee, HFObject):
            if callee.role == "model":
                encs = []
                for a, v in args:
                    enc = encoding_of(v)
                    if enc is not None and enc not in encs:
                        encs.append(enc)
                return self._track(Output(node, self._next(), self.scope, self.cond, self.context, model=callee,
                                          call=node, encodings=tuple(encs)))
            if callee.role in ("tokenizer", "processor"):
                padding, _ = self._kwarg(args, "padding")
                text, _ = self._kwarg(args, "text", 0)
                return self._track(Encoding(node, self._next(), self.scope, self.cond, self.context,
                                            tokenizer=callee, call=node, padding=padding, text=text))
        return UNKNOWN


def _is_ignore_index(value: Value) -> bool:
    """-100, the label the loss ignores (``IGNORE_INDEX = -100`` resolves to it too)."""
    return isinstance(value, Const) and value.value == -100


__all__ = ["HF_PACKAGES", "Kind", "UserClass", "classify", "export_name", "is_decoder_arch", "is_encoder_arch",
           "user_class", "HFObjects", "VERSION"]
