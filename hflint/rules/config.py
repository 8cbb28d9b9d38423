"""HF2xx — configuration: editing what defines the architecture of a config that loads pretrained weights."""
from __future__ import annotations

import re
from typing import Iterable, Optional

from ..lazy_libcst import cst

from .. import knowledge
from ..analysis.scopes import dotted_name
from ..analysis.values import Const, Dict, HFObject
from .base import Invalid, Report, Rule, Valid

_CONSEQUENCES = {
    "size": "the pretrained weights no longer fit: loading fails with a size mismatch, or with "
            "ignore_mismatched_sizes=True they are silently re-initialised",
    "size-ignored": "the mismatched pretrained weights are silently re-initialised (ignore_mismatched_sizes=True)",
    "layers": "fewer layers silently drop the pretrained rest, extra layers start from random weights",
    "heads": "it loads without an error but splits the pretrained weights into a different number of heads: "
             "the model computes garbage",
    "activation": "it loads without an error but the weights were trained with another activation: "
                  "the model computes garbage",
    "vocab": "the embeddings fail to load (size mismatch) or, with ignore_mismatched_sizes=True, are "
             "re-initialised; load it unchanged and call `model.resize_token_embeddings(len(tokenizer))`",
}


def _checkpoint(load: HFObject) -> Optional[str]:
    return load.checkpoint or (load.config.checkpoint if isinstance(load.config, HFObject) else None)


class _ConfigChangeRule(Rule):
    category_filter: tuple = ()

    @staticmethod
    def may_match(features) -> bool:
        if not features.from_pretrained:
            return False
        fields = knowledge.architecture_fields().keys()
        return "setattr" in features.calls or bool(features.stored_attrs & fields) \
            or bool(features.load_keywords & fields) or ("update" in features.calls and bool(features.dict_keys & fields))

    def check(self) -> Iterable[Report]:
        facts = self.ctx.facts
        fields = knowledge.architecture_fields()
        for change in facts.config_changes():
            category = fields.get(change.field)
            if category not in self.category_filter:
                continue
            if category == "size":
                flag = change.load.kwargs.get("ignore_mismatched_sizes")
                if flag and isinstance(flag[0], Const) and flag[0].value is True:
                    category = "size-ignored"
            line = self.at(change.load.node, "the pretrained weights are loaded with this config here")
            ckpt = _checkpoint(change.load)
            yield self.report(change.node, self.message.format(how=change.how, field=change.field, line=line,
                                                               ckpt=f" from '{ckpt}'" if ckpt else "",
                                                               consequence=_CONSEQUENCES[category]),
                              data={"checkpoint": ckpt, "field": change.field, "value": change.value})


class PretrainedArchitectureConfigMutation(_ConfigChangeRule):
    """A field that defines the architecture is changed on a config that then loads pretrained weights.

    ## What it does
    Reports changes to architecture fields (`hidden_size`, `num_hidden_layers`, `num_attention_heads`,
    `intermediate_size`, `max_position_embeddings`, `hidden_act`, ... and per-family aliases such as
    `n_layer`, `d_model`, `num_heads`) through attribute assignment, `config.update({...})`,
    `setattr`, or keyword arguments of `AutoConfig.from_pretrained`/`Model.from_pretrained`, when that
    config loads pretrained weights (`from_pretrained(..., config=cfg)`). Safe fields (labels, dropout,
    `output_hidden_states`, `problem_type`, ...) and configs used to train from scratch
    (`from_config(cfg)`, `Model(cfg)`) are never reported.

    ## Why is this bad?
    The checkpoint's weights were trained for its own architecture. Other sizes fail to load (or,
    with `ignore_mismatched_sizes=True`, are silently re-initialised); fewer layers silently drop the
    rest; other head counts or activations load without an error and compute garbage.

    ## Example
    ```python
    config = AutoConfig.from_pretrained("bert-base-cased")
    config.hidden_size = 512
    model = AutoModel.from_pretrained("bert-base-cased", config=config)
    ```

    ## Use instead
    ```python
    config = AutoConfig.from_pretrained("bert-base-cased", hidden_dropout_prob=0.2, num_labels=3)
    model = AutoModelForSequenceClassification.from_pretrained("bert-base-cased", config=config)
    ```
    """

    code = "HF201"
    name = "pretrained-architecture-config-mutation"
    message = "{how} changes `{field}` of a config that loads pretrained weights{ckpt} at {line}: {consequence}"
    category_filter = ("size", "layers", "heads", "activation")

    VALID = [
        Valid("""
            from transformers import AutoConfig, AutoModelForSequenceClassification
            config = AutoConfig.from_pretrained("bert-base-cased", num_labels=3)
            config.hidden_dropout_prob = 0.2
            config.problem_type = "multi_label_classification"
            model = AutoModelForSequenceClassification.from_pretrained("bert-base-cased", config=config)
        """),
        Valid("""
            from transformers import AutoConfig, AutoModelForCausalLM
            config = AutoConfig.from_pretrained("gpt2")
            config.n_layer = 4
            config.n_embd = 256
            model = AutoModelForCausalLM.from_config(config)  # training from scratch
        """),
        Valid("""
            from transformers import BertConfig, BertModel
            config = BertConfig.from_pretrained("bert-base-uncased")
            config.num_hidden_layers = 6
            model = BertModel(config)
        """),
        Valid("""
            from transformers import AutoModel
            model = AutoModel.from_pretrained("roberta-base", output_hidden_states=True, attn_implementation="sdpa")
        """),
        Valid("""
            from transformers import AutoConfig
            config = AutoConfig.from_pretrained("t5-small")
            config.num_layers = 3
            config.save_pretrained("./tiny-t5-config")
        """),
        Valid("""
            from transformers import AutoConfig, AutoModelForSequenceClassification
            config = AutoConfig.from_pretrained("roberta-base")
            config.update({"problem_type": "single_label_classification", "id2label": {0: "neg", 1: "pos"}})
            model = AutoModelForSequenceClassification.from_pretrained("roberta-base", config=config)
        """),
        Valid("""
            from transformers import AutoConfig, AutoModel
            config = AutoConfig.from_pretrained("bert-base-cased")
            model = AutoModel.from_pretrained("bert-base-cased", config=config)
            config.num_hidden_layers = 6  # after loading: the model is already built
        """),
    ]
    INVALID = [
        Invalid("""
            from transformers import AutoConfig, AutoModel
            config = AutoConfig.from_pretrained("bert-base-cased")
            config.hidden_size = 512
            model = AutoModel.from_pretrained("bert-base-cased", config=config)
        """, line=3, message="`config.hidden_size = ...` changes `hidden_size` of a config that loads pretrained "
                             "weights from 'bert-base-cased' at line 4: the pretrained weights no longer fit"),
        Invalid("""
            from transformers import AutoConfig, AutoModelForSequenceClassification
            name = "roberta-base"
            config = AutoConfig.from_pretrained(name, num_hidden_layers=6, num_labels=2)
            model = AutoModelForSequenceClassification.from_pretrained(name, config=config)
        """, line=3, message="fewer layers silently drop"),
        Invalid("""
            from transformers import AutoModelForCausalLM
            model = AutoModelForCausalLM.from_pretrained("gpt2", activation_function="relu")
        """, line=2, message="another activation"),
        Invalid("""
            from transformers import AutoConfig, AutoModel
            def load(path):
                config = AutoConfig.from_pretrained(path)
                config.update({"num_attention_heads": 8})
                return AutoModel.from_pretrained(path, config=config)
        """, line=4, message="different number of heads"),
        Invalid("""
            from transformers import GPT2Config, GPT2LMHeadModel
            config = GPT2Config.from_pretrained("gpt2")
            setattr(config, "n_layer", 6)
            model = GPT2LMHeadModel.from_pretrained("gpt2", config=config)
        """, line=3),
        Invalid("""
            from transformers import AutoConfig, AutoModelForSequenceClassification
            config = AutoConfig.from_pretrained("bert-base-uncased")
            config.max_position_embeddings = 1024
            model = AutoModelForSequenceClassification.from_pretrained(
                "bert-base-uncased",
                config=config,
                ignore_mismatched_sizes=True,
            )
        """, line=3, message="silently re-initialised (ignore_mismatched_sizes=True)"),
        Invalid("""
            from transformers import AutoConfig, AutoModel
            config = AutoConfig.from_pretrained("distilbert-base-uncased")
            config.n_layers -= 3
            student = AutoModel.from_pretrained("distilbert-base-uncased", config=config)
        """, line=3),
    ]


class ManualVocabSizeEdit(_ConfigChangeRule):
    """`vocab_size` is changed on a config that loads pretrained weights.

    ## What it does
    Reports `config.vocab_size = ...`, `vocab_size=` keyword arguments, `config.update({"vocab_size": ...})`
    and `setattr(config, "vocab_size", ...)` on a config that then loads pretrained weights.

    ## Why is this bad?
    The checkpoint's embedding matrix has its own number of rows: loading fails with a size
    mismatch, or with `ignore_mismatched_sizes=True` the embeddings (and the tied output layer) are
    re-initialised. Growing the vocabulary is `model.resize_token_embeddings(len(tokenizer))`, after
    loading, which keeps the pretrained rows.

    ## Example
    ```python
    config = AutoConfig.from_pretrained("bert-base-cased")
    config.vocab_size = config.vocab_size + 2
    model = AutoModel.from_pretrained("bert-base-cased", config=config)
    ```

    ## Use instead
    ```python
    model = AutoModel.from_pretrained("bert-base-cased")
    model.resize_token_embeddings(len(tokenizer))
    ```
    """

    code = "HF202"
    name = "manual-vocab-size-edit"
    message = "{how} changes `vocab_size` of a config that loads pretrained weights{ckpt} at {line}: {consequence}"
    category_filter = ("vocab",)

    VALID = [
        Valid("""
            from transformers import AutoModel, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("bert-base-cased")
            tokenizer.add_tokens(["COVID"])
            model = AutoModel.from_pretrained("bert-base-cased")
            model.resize_token_embeddings(len(tokenizer))
        """),
        Valid("""
            from transformers import AutoConfig, AutoModelForMaskedLM
            config = AutoConfig.from_pretrained("bert-base-cased")
            config.vocab_size = 32000  # a new tokenizer, trained from scratch
            model = AutoModelForMaskedLM.from_config(config)
        """),
        Valid("""
            from transformers import AutoConfig, AutoModelForQuestionAnswering, AutoTokenizer
            config = AutoConfig.from_pretrained("bert-base-cased")
            tokenizer = AutoTokenizer.from_pretrained("bert-base-cased")
            model = AutoModelForQuestionAnswering.from_pretrained("bert-base-cased", config=config)
            tokenizer.add_tokens(["COVID"])
            config.vocab_size = len(tokenizer)
            model.resize_token_embeddings(len(tokenizer))
        """),
        Valid("""
            from transformers import GPT2Config, GPT2LMHeadModel
            config = GPT2Config(vocab_size=8000, n_layer=2)
            model = GPT2LMHeadModel(config)
        """),
        Valid("""
            from transformers import AutoConfig
            config = AutoConfig.from_pretrained("roberta-base")
            print(config.vocab_size)
        """),
        Valid("""
            from transformers import AutoConfig, AutoModel
            config = AutoConfig.from_pretrained("roberta-base")
            config.vocab_size = 50265
            model = AutoModel.from_config(config)
        """),
        Valid("""
            # a new CTC head on a checkpoint that has none: vocab_size sizes it
            from transformers import Wav2Vec2ForCTC, Wav2Vec2Processor
            processor = Wav2Vec2Processor.from_pretrained("./my-ctc-vocabulary")
            model = Wav2Vec2ForCTC.from_pretrained("facebook/wav2vec2-base", vocab_size=len(processor.tokenizer),
                                                   pad_token_id=processor.tokenizer.pad_token_id)
        """),
    ]
    INVALID = [
        Invalid("""
            from transformers import AutoConfig, AutoModelForQuestionAnswering
            model_name = "bert-base-cased"
            model_config = AutoConfig.from_pretrained(model_name)
            model_config.vocab_size = model_config.vocab_size + 2
            model = AutoModelForQuestionAnswering.from_pretrained(model_name, config=model_config)
        """, line=4, message="`model_config.vocab_size = ...` changes `vocab_size`"),
        Invalid("""
            from transformers import AutoConfig, AutoModelForQuestionAnswering
            model_name = "bert-base-cased"
            model_config = AutoConfig.from_pretrained(model_name, vocab_size=28998)
            model = AutoModelForQuestionAnswering.from_pretrained(model_name, config=model_config)
        """, line=3, message="resize_token_embeddings(len(tokenizer))"),
        Invalid("""
            from transformers import AutoModel, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("roberta-base")
            tokenizer.add_tokens(["<x>"])
            model = AutoModel.from_pretrained("roberta-base", vocab_size=len(tokenizer))
        """, line=4),
        Invalid("""
            from transformers import AutoConfig, AutoModel
            config = AutoConfig.from_pretrained("bert-base-uncased")
            config.update({"vocab_size": 30524})
            model = AutoModel.from_pretrained("bert-base-uncased", config=config)
        """, line=3),
        Invalid("""
            from transformers import AutoConfig, AutoModel
            config = AutoConfig.from_pretrained("bert-base-uncased")
            config.vocab_size += 2
            model = AutoModel.from_pretrained("bert-base-uncased", config=config)
        """, line=3),
        Invalid("""
            from transformers import GPT2Config, GPT2LMHeadModel
            config = GPT2Config.from_pretrained("gpt2")
            setattr(config, "vocab_size", 50260)
            model = GPT2LMHeadModel.from_pretrained("gpt2", config=config, ignore_mismatched_sizes=True)
        """, line=3),
    ]


# ---------------------------------------------------------------- HF203

_ARCHITECTURE_CATEGORIES = ("size", "layers", "heads", "activation")


def _architecture_changed(config: HFObject, facts) -> bool:
    """Whether the config's architecture is edited (``n_layer=6``, ``config.hidden_size = ...``): a deliberately
    different model, trained from scratch."""
    fields = knowledge.architecture_fields()

    def arch(name: str) -> bool:
        return fields.get(name) in _ARCHITECTURE_CATEGORIES

    if any(arch(key) or key.endswith("_config") for key in config.kwargs):
        return True  # text_config={...}, vision_config={...}: sub-configs resized
    for use in config.uses:
        if use.kind == "attr_store" and arch(use.name):
            return True
        if use.kind == "attr_load" and use.name.endswith("_config"):
            return True  # config.text_config.num_hidden_layers = 2, setattr(config.vision_config, ...)
        if use.kind == "method" and use.name == "update" and use.call.args:
            d = facts.value_of(use.call.args[0].value)
            if not isinstance(d, Dict) or any(arch(key) for key, _, _ in d.items):
                return True
        if use.kind == "arg" and use.callee == "setattr" and use.index == 0:
            return True
    return False


def _weights_loaded_later(model: HFObject) -> bool:
    """``model.load_state_dict(...)``, ``load_checkpoint_and_dispatch(model, ...)`` and the like fill the weights in."""
    for use in model.uses:
        if use.kind == "method" and "load" in use.name:
            return True
        if use.kind == "arg" and "load" in use.callee.rsplit(".", 1)[-1].lower():
            return True
    return False


class FromConfigDiscardsWeights(Rule):
    """A model is built with `from_config` from a pretrained checkpoint's config, next to the tokenizer loaded from
    that checkpoint: its weights are random.

    ## What it does
    Reports `Model.from_config(AutoConfig.from_pretrained(X))` (directly or through a config variable; also
    `Model(config)`) when the same scope loads a tokenizer or processor from `X` with `from_pretrained`.
    Not reported: configs whose architecture is edited (`n_layer=6`, `text_config={...}`), models built
    under `init_empty_weights()`, models whose weights are loaded afterwards (`load_state_dict`,
    `load_checkpoint_and_dispatch`), and scopes that also load the pretrained *model* from `X` (a
    teacher and its randomly initialised student, a `from_pretrained`/`from_config` switch, a
    demonstration of both). Off by default: training from scratch is legitimate.

    ## Why is this bad?
    `from_config` only reads the architecture: every weight is randomly initialised. Code that takes the
    pretrained tokenizer and the pretrained config usually meant to fine-tune the pretrained model, and
    silently trains from scratch instead — the loss goes down, slowly, and the results are far worse.

    ## Example
    ```python
    config = AutoConfig.from_pretrained("bert-base-cased", num_labels=2)
    tokenizer = AutoTokenizer.from_pretrained("bert-base-cased")
    model = AutoModelForSequenceClassification.from_config(config)
    ```

    ## Use instead
    ```python
    config = AutoConfig.from_pretrained("bert-base-cased", num_labels=2)
    tokenizer = AutoTokenizer.from_pretrained("bert-base-cased")
    model = AutoModelForSequenceClassification.from_pretrained("bert-base-cased", config=config)
    ```
    """

    code = "HF203"
    name = "from-config-discards-weights"
    message = "`{call}` builds {model}with random weights from the config of '{checkpoint}', while `{other}` " \
              "({line}) is loaded from that checkpoint with `from_pretrained`; to start from the pretrained " \
              "weights use `{cls}.from_pretrained('{checkpoint}', config=...)`"
    default_enabled = False

    VALID = [
        Valid("""
            from transformers import AutoConfig, AutoModelForSequenceClassification, AutoTokenizer
            config = AutoConfig.from_pretrained("bert-base-cased", num_labels=2)
            tokenizer = AutoTokenizer.from_pretrained("bert-base-cased")
            model = AutoModelForSequenceClassification.from_pretrained("bert-base-cased", config=config)
        """),
        Valid("""
            # pretraining a smaller model from scratch with the pretrained tokenizer
            from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("gpt2")
            config = AutoConfig.from_pretrained("gpt2", n_layer=6, n_embd=512)
            model = AutoModelForCausalLM.from_config(config)
        """),
        Valid("""
            from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer
            def build(from_scratch):
                tokenizer = AutoTokenizer.from_pretrained("gpt2")
                config = AutoConfig.from_pretrained("gpt2")
                if from_scratch:
                    model = AutoModelForCausalLM.from_config(config)
                else:
                    model = AutoModelForCausalLM.from_pretrained("gpt2", config=config)
                return model, tokenizer
        """),
        Valid("""
            from accelerate import init_empty_weights, load_checkpoint_and_dispatch
            from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("facebook/opt-1.3b")
            config = AutoConfig.from_pretrained("facebook/opt-1.3b")
            with init_empty_weights():
                model = AutoModelForCausalLM.from_config(config)
            model = load_checkpoint_and_dispatch(model, "./opt-1.3b", device_map="auto")
        """),
        Valid("""
            import torch
            from transformers import AutoConfig, AutoModel, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("roberta-base")
            model = AutoModel.from_config(AutoConfig.from_pretrained("roberta-base"))
            model.load_state_dict(torch.load("finetuned.pt"))
        """),
        Valid("""
            # no tokenizer or model from the checkpoint: a config-only architecture template
            from transformers import AutoConfig, AutoModelForMaskedLM
            config = AutoConfig.from_pretrained("bert-base-uncased")
            model = AutoModelForMaskedLM.from_config(config)
        """),
        Valid("""
            from transformers import AutoConfig, AutoModelForMaskedLM, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("roberta-base")
            config = AutoConfig.from_pretrained("bert-base-uncased")
            model = AutoModelForMaskedLM.from_config(config)
        """),
        Valid("""
            from transformers import AutoConfig, AutoModel, AutoTokenizer
            def build(name):
                tokenizer = AutoTokenizer.from_pretrained(name)
                model = AutoModel.from_config(AutoConfig.from_pretrained(name))
                return model, tokenizer
        """),
        Valid("""
            # a test checkpoint whose weights are random anyway
            from transformers import BertConfig, BertModel, BertTokenizer
            model = BertModel(BertConfig.from_pretrained("hf-internal-testing/tiny-random-bert"))
            tokenizer = BertTokenizer.from_pretrained("hf-internal-testing/tiny-random-bert")
        """),
        Valid("""
            # distillation: a pretrained teacher and a student of the same shape, trained from scratch
            from transformers import AutoConfig, AutoModelForMaskedLM, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("distilroberta-base")
            teacher = AutoModelForMaskedLM.from_pretrained("distilroberta-base")
            student = AutoModelForMaskedLM.from_config(AutoConfig.from_pretrained("distilroberta-base"))
        """),
        Valid("""
            # a tiny random model for tests, shaped by sub-config overrides
            from transformers import AutoConfig, AutoProcessor, LlavaForConditionalGeneration
            processor = AutoProcessor.from_pretrained("llava-hf/llava-1.5-7b-hf")
            config = AutoConfig.from_pretrained("llava-hf/llava-1.5-7b-hf", text_config={"num_hidden_layers": 2})
            model = LlavaForConditionalGeneration(config)
        """),
    ]
    INVALID = [
        Invalid("""
            from transformers import AutoConfig, AutoModelForSequenceClassification, AutoTokenizer
            config = AutoConfig.from_pretrained("bert-base-cased", num_labels=2)
            tokenizer = AutoTokenizer.from_pretrained("bert-base-cased")
            model = AutoModelForSequenceClassification.from_config(config)
        """, line=4, message="`AutoModelForSequenceClassification.from_config(config)` builds `model` with random "
                             "weights from the config of 'bert-base-cased', while `tokenizer` (line 3)"),
        Invalid("""
            from transformers import AutoConfig, AutoModel, AutoTokenizer
            model_name = "roberta-base"
            tokenizer = AutoTokenizer.from_pretrained(model_name)
            model = AutoModel.from_config(AutoConfig.from_pretrained(model_name))
        """, line=4, message="`AutoModel.from_pretrained('roberta-base', config=...)`"),
        Invalid("""
            from transformers import AutoConfig, AutoModelForQuestionAnswering, AutoTokenizer
            def load():
                model_name = "bert-base-cased"
                config = AutoConfig.from_pretrained(model_name)
                tokenizer = AutoTokenizer.from_pretrained(model_name)
                model = AutoModelForQuestionAnswering.from_config(config)
                return tokenizer, model
        """, line=6),
        Invalid("""
            from transformers import BertConfig, BertModel, BertTokenizer
            tokenizer = BertTokenizer.from_pretrained("bert-base-uncased")
            config = BertConfig.from_pretrained("bert-base-uncased")
            encoder = BertModel(config)
        """, line=4, message="`BertModel(config)` builds `encoder`"),
        Invalid("""
            from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer
            class Generator:
                def __init__(self):
                    self.tokenizer = AutoTokenizer.from_pretrained("gpt2")
                    self.config = AutoConfig.from_pretrained("gpt2")
                    self.model = AutoModelForCausalLM.from_config(
                        self.config,
                    )
        """, line=6, message="`self.tokenizer` (line 4)"),
        Invalid("""
            from transformers import AutoConfig, AutoModelForMaskedLM, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("distilroberta-base")
            config = AutoConfig.from_pretrained("distilroberta-base")
            config.hidden_dropout_prob = 0.2
            mlm = AutoModelForMaskedLM.from_config(config)
        """, line=5, message="builds `mlm` with random weights"),
        Invalid("""
            from transformers import AutoConfig, AutoProcessor, LlavaForConditionalGeneration
            MODEL_ID = "llava-hf/llava-1.5-7b-hf"
            processor = AutoProcessor.from_pretrained(MODEL_ID)
            model = LlavaForConditionalGeneration(AutoConfig.from_pretrained(MODEL_ID))
        """, line=4, message="`processor` (line 3)"),
    ]

    @staticmethod
    def may_match(features) -> bool:
        return features.from_pretrained >= 2 and (
            "from_config" in features.calls or any("For" in c or c.endswith("Model") for c in features.calls))

    def check(self) -> Iterable[Report]:
        facts = self.ctx.facts
        for model in facts.objects:
            if model.role != "model" or model.origin != "from_config" or model.context.empty_weights:
                continue
            config = model.config
            if not isinstance(config, HFObject) or config.role != "config" or config.origin != "from_pretrained" \
                    or not config.checkpoint:
                continue
            checkpoint = knowledge.normalize_checkpoint(config.checkpoint)
            if "random" in checkpoint or _architecture_changed(config, facts) or _weights_loaded_later(model):
                continue  # (a tiny-random test checkpoint has no pretrained weights to lose)
            loaded = [o for scope in {id(model.scope): model.scope, id(config.scope): config.scope}.values()
                      for o in scope.objects
                      if o.origin == "from_pretrained" and o.role in ("tokenizer", "model", "processor")
                      and o.checkpoint and knowledge.normalize_checkpoint(o.checkpoint) == checkpoint]
            if any(o.role == "model" for o in loaded):
                continue  # the code loads the pretrained model too: a teacher, the other branch, a demonstration
            if not loaded:
                continue
            other = min(loaded, key=lambda o: (o.role != "tokenizer", o.seq))
            func = model.call.func
            from_config = isinstance(func, cst.Attribute) and func.attr.value == "from_config"
            cls_text = self.ctx.module.code_for_node(func.value if from_config else func)
            args = ", ".join(self.ctx.module.code_for_node(a.value) for a in model.call.args[:1])
            args = args if len(args) <= 30 else "..."
            call = f"{cls_text}.from_config({args})" if from_config else f"{cls_text}({args})"
            yield self.report(model.call, self.message.format(
                call=call, model=f"`{model.names[0]}` " if model.names else "", checkpoint=config.checkpoint,
                other=other.label(), line=self.at(other.node, f"`{other.label()}` is loaded from_pretrained here"),
                cls=cls_text),
                data={"checkpoint": config.checkpoint})


# ---------------------------------------------------------------- HF204

# Names of a label set: a word for labels, classes, tags, ... alone or with a prefix (ner_, all_, unique_) or a
# suffix (_list, _names, _set, _map): LABELS, label_list, labels_list, TAGS, CLASS_NAMES, topics, ENTITY_TYPES.
_LABEL_SET_NAME = re.compile(
    r"(?i)^(\w+_)?(labels?|tags?|classes|class_names|categories|topics|emotions|genres|intents|sentiments|"
    r"entity_types|target_names|id2label|label2id)(_(list|names|set|map|vocab))?$")
_CLASSIFICATION_HEADS = ("ForSequenceClassification", "ForTokenClassification")
_LABEL_KEYWORDS = frozenset({"num_labels", "id2label", "label2id", "config"})
# Words in a checkpoint id that say it was fine-tuned for some task: its head already has that task's labels.
_FINE_TUNED = re.compile(r"(?i)finetuned|fine-tuned|sst|mnli|snli|nli|squad|ner|conll|sentiment|emotion|imdb|cola|"
                         r"qnli|rte|mrpc|stsb|qqp|boolq|toxic|review|classif|offensive|hate|intent|topic|pos\b|"
                         r"ontonotes|wnut|tweet|emoji|irony|stance|paws|yelp|amazon|ag_?news|banking|clinc")


class NumLabelsMismatch(Rule):
    """A classification head is loaded with the default number of labels while the script defines more.

    ## What it does
    Reports `*ForSequenceClassification.from_pretrained(x)` / `*ForTokenClassification.from_pretrained(x)`
    from a base checkpoint (no task fine-tuning in its name) without `num_labels`, `id2label`, `label2id`
    or a `config=`, when the same scope (or an enclosing one) defines the label set literally — a list
    of label names (`LABELS`, `TAGS`, `label_list`, `classes`, ...) or a `label2id`/`id2label` dict — with
    more than the 2 labels the new head gets by default.

    ## Why is this bad?
    The head is built with `config.num_labels`, 2 unless told otherwise. With more classes, training fails
    with `IndexError: Target 4 is out of bounds` (or a CUDA device-side assert) — or, worse, with labels
    that fit by chance, the model silently learns to predict only two of them and `id2label` prints
    `LABEL_0`/`LABEL_1`.

    ## Example
    ```python
    TAGS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]
    model = AutoModelForTokenClassification.from_pretrained("bert-base-cased")
    ```

    ## Use instead
    ```python
    TAGS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]
    model = AutoModelForTokenClassification.from_pretrained(
        "bert-base-cased", num_labels=len(TAGS),
        id2label=dict(enumerate(TAGS)), label2id={t: i for i, t in enumerate(TAGS)})
    ```
    """

    code = "HF204"
    name = "num-labels-mismatch"
    message = "`{call}` builds a head of {head} labels, but `{labels}` ({line}) has {n}: training fails with " \
              "`Target {last} is out of bounds` or learns the wrong classes; pass `num_labels=len({labels})` " \
              "(and `id2label`/`label2id`)"

    VALID = [
        Valid("""
            from transformers import AutoModelForTokenClassification
            TAGS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]
            model = AutoModelForTokenClassification.from_pretrained("bert-base-cased", num_labels=len(TAGS))
        """),
        Valid("""
            from transformers import AutoModelForSequenceClassification
            id2label = {0: "negative", 1: "neutral", 2: "positive"}
            label2id = {v: k for k, v in id2label.items()}
            model = AutoModelForSequenceClassification.from_pretrained("roberta-base", id2label=id2label,
                                                                       label2id=label2id)
        """),
        Valid("""
            from transformers import AutoConfig, AutoModelForSequenceClassification
            LABELS = ["sports", "politics", "tech"]
            config = AutoConfig.from_pretrained("bert-base-uncased", num_labels=len(LABELS))
            model = AutoModelForSequenceClassification.from_pretrained("bert-base-uncased", config=config)
        """),
        Valid("""
            # a fine-tuned checkpoint already has its task's head
            from transformers import AutoModelForSequenceClassification
            labels = ["negative", "neutral", "positive"]
            model = AutoModelForSequenceClassification.from_pretrained("cardiffnlp/twitter-roberta-base-sentiment")
        """),
        Valid("""
            # two labels: the default head fits
            from transformers import AutoModelForSequenceClassification
            LABELS = ["negative", "positive"]
            model = AutoModelForSequenceClassification.from_pretrained("distilbert-base-uncased")
        """),
        Valid("""
            import datasets
            from transformers import AutoModelForTokenClassification
            ds = datasets.load_dataset("conll2003")
            label_list = ds["train"].features["ner_tags"].feature.names
            model = AutoModelForTokenClassification.from_pretrained("bert-base-cased", num_labels=len(label_list))
        """),
        Valid("""
            # the label set belongs to another function
            from transformers import AutoModelForSequenceClassification
            def report():
                classes = ["a", "b", "c", "d"]
                return classes
            def load():
                return AutoModelForSequenceClassification.from_pretrained("bert-base-uncased")
        """),
    ]
    INVALID = [
        Invalid("""
            from transformers import AutoModelForTokenClassification
            TAGS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]
            model = AutoModelForTokenClassification.from_pretrained("bert-base-cased")
        """, line=3, message="builds a head of 2 labels, but `TAGS` (line 2) has 5"),
        Invalid("""
            from transformers import AutoModelForSequenceClassification, AutoTokenizer
            label2id = {"negative": 0, "neutral": 1, "positive": 2}
            tokenizer = AutoTokenizer.from_pretrained("roberta-base")
            model = AutoModelForSequenceClassification.from_pretrained("roberta-base")
        """, line=4, message="`label2id` (line 2) has 3"),
        Invalid("""
            from transformers import AutoModelForSequenceClassification
            id2label = {0: "world", 1: "sports", 2: "business", 3: "sci/tech"}
            def build():
                return AutoModelForSequenceClassification.from_pretrained("distilbert-base-uncased")
        """, line=4),
        Invalid("""
            from transformers import BertForSequenceClassification
            def main():
                classes = ("spam", "ham", "promo")
                model = BertForSequenceClassification.from_pretrained("bert-base-uncased",
                                                                      output_hidden_states=False)
                return model, classes
        """, line=4, message="`Target 2 is out of bounds`"),
        Invalid("""
            from transformers import AutoModelForTokenClassification, Trainer
            NER_LABELS = ["O", "B-ORG", "I-ORG", "B-MISC", "I-MISC", "B-PER", "I-PER", "B-LOC", "I-LOC"]
            model = AutoModelForTokenClassification.from_pretrained("xlm-roberta-base")
            trainer = Trainer(model=model)
        """, line=3, message="has 9"),
        Invalid("""
            from transformers import AutoModelForSequenceClassification
            CHECKPOINT = "microsoft/deberta-v3-base"
            class IntentClassifier:
                intents = ["greet", "bye", "order", "cancel"]
                def __init__(self):
                    self.model = AutoModelForSequenceClassification.from_pretrained(CHECKPOINT)
        """, line=6, message="`intents` (line 4) has 4"),
    ]

    @staticmethod
    def may_match(features) -> bool:
        return features.from_pretrained > 0 and any(c.endswith(_CLASSIFICATION_HEADS) for c in features.hf_names
                                                    | set(features.hf_aliases)) \
            or any("ForSequenceClassification" in c or "ForTokenClassification" in c for c in features.attrs)

    def check(self) -> Iterable[Report]:
        facts = self.ctx.facts
        for model in facts.objects:
            if model.role != "model" or model.origin != "from_pretrained" or not model.cls.endswith(
                    _CLASSIFICATION_HEADS) or not model.checkpoint or model.via:
                continue
            if _LABEL_KEYWORDS & set(model.kwargs) or any(a.star for a, _ in model.args):
                continue
            ckpt = model.checkpoint
            if knowledge.is_local_path(ckpt) or knowledge.family_of(ckpt) is None or _FINE_TUNED.search(ckpt):
                continue
            label_sets = self._label_sets(model.scope)
            sizes = {n for _, n, _ in label_sets}
            if len(sizes) != 1 or sizes == {2} or sizes == {1}:
                continue
            name, n, node = label_sets[-1]
            func = model.call.func
            call = f"{dotted_name(func) or model.cls}('{ckpt}')"
            yield self.report(model.call, self.message.format(call=call, head=2, labels=name, n=n, last=n - 1,
                                                              line=self.at(node, f"the {n} labels are defined here")),
                              data={"checkpoint": ckpt, "labels": n})

    def _label_sets(self, scope) -> list:
        """(name, size, node) of the label sets the scope and its enclosing scopes define literally."""
        found = []
        while scope is not None:
            for name, bindings in scope.bindings.items():
                if not _LABEL_SET_NAME.search(name):
                    continue
                binding = bindings[-1]
                value = binding.node.value if isinstance(binding.node, (cst.Assign, cst.AnnAssign)) else None
                size = _literal_size(value)
                if size is not None:
                    found.append((name, size, binding.node))
            scope = scope.parent
        return found


def _literal_size(node) -> Optional[int]:
    """How many labels a literal list/tuple of strings, or a dict of strings to ints (or ints to strings), holds."""
    if isinstance(node, (cst.List, cst.Tuple)) and node.elements:
        if all(isinstance(e.value, (cst.SimpleString, cst.ConcatenatedString)) for e in node.elements):
            return len(node.elements)
        return None
    if isinstance(node, cst.Dict) and node.elements:
        kinds = {(type(e.key).__name__, type(e.value).__name__) for e in node.elements if isinstance(e, cst.DictElement)}
        if len(kinds) == 1 and kinds <= {("SimpleString", "Integer"), ("Integer", "SimpleString")} \
                and all(isinstance(e, cst.DictElement) for e in node.elements):
            return len(node.elements)
    return None
