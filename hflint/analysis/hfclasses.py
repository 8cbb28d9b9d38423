"""What a name exported by ``transformers`` (or a library built on it) makes: a tokenizer, a model, ..."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple, Optional

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
