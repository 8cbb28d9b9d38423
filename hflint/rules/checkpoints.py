"""HF1xx — checkpoints: what a tokenizer and a model are loaded from."""
from __future__ import annotations

import os
import re
from bisect import bisect_right
from functools import lru_cache
from typing import Iterable, Optional

from ..lazy_libcst import cst

from .. import knowledge
from ..analysis.values import HFObject, Seq, Str
from ..knowledge.api import closest_checkpoint, edit_distance
from .base import Invalid, Replacement, Report, Rule, Valid


def vocabulary_mismatch(a: str, b: str) -> Optional[tuple[str, str]]:
    """The two vocabulary families when checkpoints ``a`` and ``b`` are known to tokenize differently."""
    if knowledge.is_local_path(a) or knowledge.is_local_path(b):
        return None
    if knowledge.normalize_checkpoint(a) == knowledge.normalize_checkpoint(b):
        return None
    fa, fb = knowledge.family_of(a), knowledge.family_of(b)
    if fa is None or fb is None or knowledge.families_share_vocabulary(fa, fb):
        return None
    return fa, fb


def local_folders_differ(a: str, b: str) -> bool:
    """Two checkpoints, at least one a local folder, that are not the same folder: statically unknown."""
    if not (knowledge.is_local_path(a) or knowledge.is_local_path(b)):
        return False
    return os.path.normpath(os.path.expanduser(a)) != os.path.normpath(os.path.expanduser(b))


class TokenizerModelCheckpointMismatch(Rule):
    """A tokenizer and the model it feeds are loaded from checkpoints with different vocabularies.

    ## What it does
    Pairs each tokenizer with the model it feeds — its output passed to the model, both given to a
    `Trainer`/`pipeline`/data collator, or the only tokenizer and model loaded in one scope — and
    reports when their checkpoints resolve to different vocabularies. Aliases of one checkpoint
    (`bert-base-uncased` / `google-bert/bert-base-uncased`) and checkpoints known to share a
    vocabulary (`distilbert-base-uncased` with `bert-base-uncased`, `gpt2` sizes and `distilgpt2`)
    are fine; checkpoints hflint cannot resolve (`args.model_name`) are never reported. Two different local
    folders (or a folder and a hub id) may hold one vocabulary: `hflint check --verify` compares their
    tokenizer files and reports them only when they differ.

    ## Why is this bad?
    Token ids mean nothing outside their vocabulary: the model sees other words than the text
    says, or ids past its embedding matrix. It often runs without an error and trains on noise.

    ## Example
    ```python
    tokenizer = AutoTokenizer.from_pretrained("bert-base-cased")
    model = AutoModelForSequenceClassification.from_pretrained("roberta-base")
    ```

    ## Use instead
    ```python
    checkpoint = "roberta-base"
    tokenizer = AutoTokenizer.from_pretrained(checkpoint)
    model = AutoModelForSequenceClassification.from_pretrained(checkpoint)
    ```
    """

    code = "HF101"
    name = "tokenizer-model-checkpoint-mismatch"
    message = "tokenizer from '{tok}' ({tok_line}) feeds a model from '{model}' ({model_line}): " \
              "different vocabularies ({tok_family} vs {model_family}); load both from the same checkpoint"

    VALID = [
        Valid("""
            from transformers import AutoModel, AutoTokenizer
            checkpoint = "bert-base-cased"
            tokenizer = AutoTokenizer.from_pretrained(checkpoint)
            model = AutoModel.from_pretrained(checkpoint)
        """),
        Valid("""
            from transformers import AutoModel, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("bert-base-uncased")
            model = AutoModel.from_pretrained("google-bert/bert-base-uncased")
        """),
        Valid("""
            from transformers import AutoModelForSequenceClassification, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("bert-base-uncased")
            model = AutoModelForSequenceClassification.from_pretrained("distilbert-base-uncased")
        """),
        Valid("""
            from transformers import AutoModelForCausalLM, AutoTokenizer
            def main(args):
                tokenizer = AutoTokenizer.from_pretrained(args.tokenizer_name or args.model_name_or_path)
                model = AutoModelForCausalLM.from_pretrained(args.model_name_or_path)
        """),
        Valid("""
            from transformers import AutoModelForCausalLM, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("gpt2")
            model = AutoModelForCausalLM.from_pretrained("distilgpt2")
            print(model.generate(**tokenizer(["Hello"], return_tensors="pt")))
        """),
        Valid("""
            # two independent pairs in one scope, each consistent
            from transformers import AutoModel, AutoTokenizer
            tok_a = AutoTokenizer.from_pretrained("bert-base-cased")
            tok_b = AutoTokenizer.from_pretrained("roberta-base")
            model_a = AutoModel.from_pretrained("bert-base-cased")
            model_b = AutoModel.from_pretrained("roberta-base")
            out_a = model_a(**tok_a("x", return_tensors="pt"))
            out_b = model_b(**tok_b("x", return_tensors="pt"))
        """),
        Valid("""
            from transformers import AutoModel, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("bert-base-cased")
            model = AutoModel.from_pretrained("./checkpoints/my-finetuned-model")
        """),
        Valid("""
            from transformers import pipeline
            clf = pipeline("sentiment-analysis", model="distilbert-base-uncased-finetuned-sst-2-english",
                           tokenizer="distilbert-base-uncased")
        """),
        Valid("""
            # a function that returns what it loads: the same checkpoint as the tokenizer
            from transformers import AutoModel, AutoTokenizer
            def load_backbone():
                return AutoModel.from_pretrained("roberta-large")
            tokenizer = AutoTokenizer.from_pretrained("roberta-large")
            backbone = load_backbone()
            vectors = backbone(**tokenizer(["a", "b"], padding=True, return_tensors="pt"))
        """),
        Valid("""
            from transformers import AutoModelForCausalLM, AutoTokenizer
            def load(name="gpt2"):
                return AutoTokenizer.from_pretrained(name), AutoModelForCausalLM.from_pretrained(name)
            tokenizer, model = load("distilgpt2")
            out = model.generate(**tokenizer(["Hi"], return_tensors="pt"), max_new_tokens=5)
        """),
        Valid("""
            from transformers import AutoModel, AutoTokenizer
            tok_id, lm_id = "bert-base-cased", "bert-base-cased"
            tokenizer = AutoTokenizer.from_pretrained(tok_id)
            model = AutoModel.from_pretrained(lm_id)
        """),
        Valid("""
            from transformers import AutoModelForMaskedLM, AutoTokenizer
            CHECKPOINTS = {"tok": "roberta-base", "lm": "distilroberta-base"}
            MODELS = ["xlm-roberta-base", "bert-base-cased"]
            tokenizer = AutoTokenizer.from_pretrained(CHECKPOINTS["tok"])
            model = AutoModelForMaskedLM.from_pretrained(CHECKPOINTS["lm"])
            other = AutoTokenizer.from_pretrained(MODELS[0])
            other_model = AutoModelForMaskedLM.from_pretrained(MODELS[0])
            out = other_model(**other(["x"], return_tensors="pt"))
        """),
        Valid("""
            # two local folders may hold one vocabulary: only `hflint check --verify` compares their files
            from transformers import AutoModel, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("./tokenizer")
            model = AutoModel.from_pretrained("./checkpoints/step-1000")
            out = model(**tokenizer(["x"], return_tensors="pt"))
        """),
        Valid("""
            # a checkpoint that is a parameter of the function stays unknown when the call does not say it
            from transformers import AutoModel, AutoTokenizer
            def build(checkpoint):
                return AutoModel.from_pretrained(checkpoint)
            def main(args):
                tokenizer = AutoTokenizer.from_pretrained("bert-base-cased")
                model = build(args.model_name_or_path)
                return model(**tokenizer(["x"], return_tensors="pt"))
        """),
    ]
    INVALID = [
        Invalid("""
            from transformers import AutoModelForSequenceClassification, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("bert-base-cased")
            model = AutoModelForSequenceClassification.from_pretrained("roberta-base")
        """, line=3, message="tokenizer from 'bert-base-cased' (line 2) feeds a model from 'roberta-base' (line 3)"),
        Invalid("""
            from transformers import AutoModel, AutoTokenizer
            MODEL_NAME = "bert-base-uncased"
            TOKENIZER_NAME = "bert-base-cased"
            def embed(text):
                tokenizer = AutoTokenizer.from_pretrained(TOKENIZER_NAME)
                model = AutoModel.from_pretrained(MODEL_NAME)
                return model(**tokenizer(text, return_tensors="pt"))
        """, line=6, message="bert-cased vs bert-uncased"),
        Invalid("""
            from transformers import AutoModel, AutoTokenizer
            tok_a = AutoTokenizer.from_pretrained("bert-base-cased")
            tok_b = AutoTokenizer.from_pretrained("roberta-base")
            model = AutoModel.from_pretrained("roberta-base")
            enc = tok_a(["a", "b"], padding=True, return_tensors="pt")
            out = model(**enc)
        """, line=4, message="'bert-base-cased'"),
        Invalid("""
            from transformers import (AutoModelForSequenceClassification, AutoTokenizer, Trainer,
                                      TrainingArguments)
            tokenizer = AutoTokenizer.from_pretrained("xlm-roberta-base")
            model = AutoModelForSequenceClassification.from_pretrained("bert-base-multilingual-cased")
            other = AutoTokenizer.from_pretrained("bert-base-multilingual-cased")
            trainer = Trainer(model=model, args=TrainingArguments("out"), processing_class=tokenizer)
        """, line=4),
        Invalid("""
            from transformers import AutoModelForCausalLM, AutoTokenizer
            class Generator:
                def __init__(self):
                    self.tokenizer = AutoTokenizer.from_pretrained("gpt2")
                    self.model = AutoModelForCausalLM.from_pretrained("EleutherAI/pythia-160m")
        """, line=5),
        Invalid("""
            from transformers import pipeline
            ner = pipeline(
                "ner",
                model="bert-base-cased",
                tokenizer="roberta-base",
            )
        """, line=5, message="'roberta-base'"),
        Invalid("""
            from transformers import AutoModelForMaskedLM, AutoTokenizer, DataCollatorForLanguageModeling, Trainer
            tok = AutoTokenizer.from_pretrained("roberta-base")
            mlm = AutoModelForMaskedLM.from_pretrained("bert-base-uncased")
            extra = AutoTokenizer.from_pretrained("bert-base-uncased")
            collator = DataCollatorForLanguageModeling(tok, mlm_probability=0.15)
            trainer = Trainer(model=mlm, data_collator=collator)
        """, line=3),
        Invalid("""
            from transformers import AutoModel, AutoTokenizer
            def load_backbone():
                return AutoModel.from_pretrained("roberta-large")
            tokenizer = AutoTokenizer.from_pretrained("bert-large-cased")
            backbone = load_backbone()
            vectors = backbone(**tokenizer(["a", "b"], padding=True, return_tensors="pt"))
        """, line=5, message="tokenizer from 'bert-large-cased' (line 4) feeds a model from 'roberta-large' (line 5)"),
        Invalid("""
            from transformers import AutoModelForSequenceClassification, AutoTokenizer
            class Classifier:
                def build(self, checkpoint="roberta-base"):
                    model = AutoModelForSequenceClassification.from_pretrained(checkpoint, num_labels=3)
                    return AutoTokenizer.from_pretrained("bert-base-uncased"), model
            tokenizer, model = Classifier().build()
            print(model(**tokenizer(["x"], return_tensors="pt")).logits)
        """, line=6, message="'roberta-base'"),
        Invalid("""
            from transformers import AutoModel, AutoTokenizer
            tok_id, lm_id = "bert-base-cased", "gpt2"
            tokenizer = AutoTokenizer.from_pretrained(tok_id)
            model = AutoModel.from_pretrained(lm_id)
        """, line=4, message="'gpt2'"),
        Invalid("""
            from transformers import AutoModelForMaskedLM, AutoTokenizer
            CHECKPOINTS = {"tok": "bert-base-cased", "lm": "roberta-base"}
            tokenizer = AutoTokenizer.from_pretrained(CHECKPOINTS["tok"])
            model = AutoModelForMaskedLM.from_pretrained(CHECKPOINTS["lm"])
        """, line=4),
        Invalid("""
            from transformers import AutoModel, AutoTokenizer
            MODELS = ["bert-base-uncased", "xlm-roberta-base"]
            BASE = 1
            def embed(texts):
                tokenizer = AutoTokenizer.from_pretrained(MODELS[0])
                model = AutoModel.from_pretrained(MODELS[BASE])
                return model(**tokenizer(texts, padding=True, return_tensors="pt"))
        """, line=6, message="'xlm-roberta-base'"),
    ]

    @staticmethod
    def may_match(features) -> bool:
        return features.resolvable_loads >= 2

    def check(self) -> Iterable[Report]:
        facts = self.ctx.facts
        reported: set[int] = set()
        for pair in facts.pairs():
            tok, model = pair.tokenizer, pair.model
            if tok.checkpoint is None or model.checkpoint is None or model.origin != "from_pretrained":
                continue
            if tok.via and model.via and tok.node is model.node \
                    and not (tok.checkpoint_from_call or model.checkpoint_from_call):
                continue  # made together by one function with checkpoints of its own: reported inside it
            families = vocabulary_mismatch(tok.checkpoint, model.checkpoint)
            if families is None:
                if local_folders_differ(tok.checkpoint, model.checkpoint):
                    yield self._latent(tok, model)
                continue
            tok_line = self.ctx.position(tok.node).start.line
            model_line = self.ctx.position(model.node).start.line
            later = model if (model_line, model.seq) >= (tok_line, tok.seq) else tok
            if id(later) in reported:
                continue
            reported.add(id(later))
            yield self._report(later.node, tok.checkpoint, tok.node, model.checkpoint, model.node, families)
        for obj in facts.objects:
            if obj.role == "pipeline":
                yield from self._check_pipeline(obj)

    def _check_pipeline(self, obj: HFObject) -> Iterable[Report]:
        model = obj.kwargs.get("model")
        if model is None and len(obj.args) > 1 and obj.args[1][0].keyword is None and not obj.args[1][0].star:
            arg, value = obj.args[1]
            model = (value, arg)
        tok = obj.kwargs.get("tokenizer")
        if not model or not tok or not isinstance(model[0], Str) or not isinstance(tok[0], Str):
            return
        families = vocabulary_mismatch(tok[0].value, model[0].value)
        if families is None:
            return
        line_t = self.ctx.position(tok[1]).start.line
        line_m = self.ctx.position(model[1]).start.line
        later = tok[1] if line_t >= line_m else model[1]
        yield self._report(later, tok[0].value, tok[1], model[0].value, model[1], families)

    def _latent(self, tok: HFObject, model: HFObject) -> Report:
        """Two checkpoints of which at least one is a local folder: they may hold one vocabulary, so only
        ``hflint check --verify`` (which compares their tokenizer files) reports them."""
        later = model if model.seq >= tok.seq else tok
        message = (f"tokenizer from '{tok.checkpoint}' ({self.at(tok.node, 'the tokenizer is loaded here')}) feeds a "
                   f"model from '{model.checkpoint}' ({self.at(model.node, 'the model is loaded here')}): local "
                   "folders whose vocabularies differ; load both from the same checkpoint")
        return self.report(later.node, message, latent=True,
                           data={"tokenizer_checkpoint": tok.checkpoint, "model_checkpoint": model.checkpoint})

    def _report(self, node, tok_ckpt, tok_node, model_ckpt, model_node, families) -> Report:
        tok_line = self.at(tok_node, f"the tokenizer is loaded from '{tok_ckpt}' here")
        model_line = self.at(model_node, f"the model is loaded from '{model_ckpt}' here")
        return self.report(node, self.message.format(tok=tok_ckpt, tok_line=tok_line, model=model_ckpt,
                                                     model_line=model_line, tok_family=families[0],
                                                     model_family=families[1]),
                           data={"tokenizer_checkpoint": tok_ckpt, "model_checkpoint": model_ckpt})


# ---------------------------------------------------------------- HF102

def checkpoint_literals(facts) -> list[Str]:
    """Every checkpoint string the analysis resolves for a load: the first argument of ``from_pretrained`` and
    ``pipeline(model=..., tokenizer=...)`` (or its second positional argument), each string literal once even
    when a module constant feeds several loads."""
    found: dict[int, Str] = {}
    for obj in facts.objects:
        nodes = []
        if obj.origin == "from_pretrained" and obj.checkpoint_node is not None:
            nodes.append(obj.checkpoint_node)
        elif obj.role == "pipeline":
            for key in ("model", "tokenizer"):
                if key in obj.kwargs:
                    nodes.append(obj.kwargs[key][1].value)
            positional = [arg for arg, _ in obj.args if arg.keyword is None and not arg.star]
            if len(positional) > 1 and "model" not in obj.kwargs:
                nodes.append(positional[1].value)
        for node in nodes:
            value = facts.value_of(node)
            if isinstance(value, Str) and value.node is not None:
                found.setdefault(id(value.node), value)
    return list(found.values())


_DIGIT_RUNS = re.compile(r"\d+")
_SEGMENT_SEPARATORS = re.compile(r"[-_/.]")


def likely_typo(checkpoint: str, suggestion: str) -> bool:
    """Whether ``suggestion`` is what ``checkpoint`` was meant to be, rather than a sibling of a real id the
    bundled list lacks: ids of a known family's shape (``bigscience/bloomz-7b1``), other numbers (``gemma-3-12b``
    vs ``gemma-4-E2B``, ``DeepSeek-R1`` vs ``DeepSeek-V3``) and whole other words (``opus-mt-en-fr`` vs
    ``opus-mt-en-de``) are siblings."""
    if knowledge.family_of(checkpoint) is not None:
        return False
    a, b = checkpoint.lower(), suggestion.lower()
    if _DIGIT_RUNS.findall(a) != _DIGIT_RUNS.findall(b):
        return False
    sa, sb = _SEGMENT_SEPARATORS.split(a), _SEGMENT_SEPARATORS.split(b)
    if len(sa) == len(sb):
        for x, y in zip(sa, sb):
            if x != y and edit_distance(x, y, max(len(x), len(y))) >= max(len(x), len(y)):
                return False
    return True


class UnknownCheckpointId(Rule):
    """A checkpoint id that does not exist but is one or two typos away from one that does.

    ## What it does
    Checks every checkpoint string hflint can resolve for `from_pretrained(...)` and
    `pipeline(model=..., tokenizer=...)` — literals, and module or function constants used there —
    against the checkpoint ids it knows (harvested from the `transformers` sources, their legacy short
    aliases, the local Hugging Face cache and the `known-checkpoints` setting). An unknown id within a
    small edit distance of a known one is reported with the suggestion. Local paths and ids far from
    every known id (private or organisation models) are never reported.

    ## Why is this bad?
    The load fails only when the script runs — often after the dataset has been downloaded and
    preprocessed, or on a cluster node — with a 404 "is not a valid model identifier" error. Worse,
    a typo that happens to name another existing repository loads the wrong weights silently.

    ## Example
    ```python
    model_name = "bert-base-case"
    tokenizer = AutoTokenizer.from_pretrained(model_name)
    ```

    ## Use instead
    ```python
    model_name = "bert-base-cased"
    tokenizer = AutoTokenizer.from_pretrained(model_name)
    ```

    ## Fix safety
    The fix replaces the string with the suggestion. It is unsafe: the id may be a private model
    hflint does not know.
    """

    code = "HF102"
    name = "unknown-checkpoint-id"
    message = "'{checkpoint}' is not a known checkpoint; did you mean '{suggestion}'?"
    fixable = "unsafe"

    VALID = [
        Valid("""
            from transformers import AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("bert-base-cased")
        """),
        Valid("""
            from transformers import AutoModel
            model = AutoModel.from_pretrained("google-bert/bert-base-uncased")
        """),
        Valid("""
            # a local folder, however close its name is to a hub id
            from transformers import AutoModel
            model = AutoModel.from_pretrained("./bert-base-case")
        """),
        Valid("""
            # a private model: far from every known id
            from transformers import AutoModelForSequenceClassification
            model = AutoModelForSequenceClassification.from_pretrained("acme-corp/support-ticket-router-v3")
        """),
        Valid("""
            # another real size, not a typo
            from transformers import AutoModelForCausalLM
            model = AutoModelForCausalLM.from_pretrained("facebook/opt-2.7b")
        """),
        Valid("""
            # a string that is never used as a checkpoint
            import sys
            from transformers import AutoTokenizer
            OUTPUT_NAME = "bert-base-case"
            tokenizer = AutoTokenizer.from_pretrained(sys.argv[1])
            tokenizer.save_pretrained(OUTPUT_NAME)
        """),
        Valid("""
            from transformers import pipeline
            classifier = pipeline("sentiment-analysis", model="distilbert-base-uncased-finetuned-sst-2-english")
        """),
        Valid("""
            # siblings of known ids: another language pair, another model of a known family
            from transformers import AutoModelForCausalLM, AutoTokenizer, pipeline
            translator = pipeline("translation", model="Helsinki-NLP/opus-mt-en-fr")
            model = AutoModelForCausalLM.from_pretrained("bigscience/bloomz-7b1")
            tokenizer = AutoTokenizer.from_pretrained("deepseek-ai/DeepSeek-R1")
        """),
        Valid("""
            # case does not matter on the hub
            from transformers import AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("Bert-Base-Cased")
        """),
    ]
    INVALID = [
        Invalid("""
            from transformers import AutoTokenizer
            model_name = 'bert-base-case'
            tokenizer = AutoTokenizer.from_pretrained(model_name)
        """, line=2, message="'bert-base-case' is not a known checkpoint; did you mean 'bert-base-cased'?",
            fixed="""
            from transformers import AutoTokenizer
            model_name = 'bert-base-cased'
            tokenizer = AutoTokenizer.from_pretrained(model_name)
        """),
        Invalid("""
            from transformers import AutoModel
            model = AutoModel.from_pretrained("roberta-bsae")
        """, line=2, message="did you mean 'roberta-base'?",
            fixed="""
            from transformers import AutoModel
            model = AutoModel.from_pretrained("roberta-base")
        """),
        Invalid("""
            from transformers import AutoConfig, AutoModel, AutoTokenizer
            CHECKPOINT = "xlm-roberta-bas"
            def load():
                config = AutoConfig.from_pretrained(CHECKPOINT)
                tokenizer = AutoTokenizer.from_pretrained(CHECKPOINT)
                return AutoModel.from_pretrained(CHECKPOINT, config=config), tokenizer
        """, line=2, message="'xlm-roberta-base'"),
        Invalid("""
            from transformers import AutoModelForMaskedLM
            model = AutoModelForMaskedLM.from_pretrained(
                "distilbert/distilbert-base-uncase",
            )
        """, line=3, message="'distilbert/distilbert-base-uncased'"),
        Invalid("""
            from transformers import pipeline
            summarizer = pipeline("summarization", model="t5-smal")
        """, line=2, message="did you mean 't5-small'?"),
        Invalid("""
            from transformers import pipeline
            ner = pipeline("ner", "bert-base-cased", tokenizer="bert-base-cassed")
        """, line=2, message="'bert-base-cassed' is not a known checkpoint"),
        Invalid("""
            from transformers import GPT2LMHeadModel
            class Generator:
                checkpoint = "gtp2"
                def __init__(self):
                    self.model = GPT2LMHeadModel.from_pretrained(self.checkpoint)
        """, line=3, message="did you mean 'gpt2'?"),
    ]

    @staticmethod
    def may_match(features) -> bool:
        return features.resolvable_loads >= 1 or "pipeline" in features.calls

    def check(self) -> Iterable[Report]:
        extra = tuple(self.ctx.settings.known_checkpoints)
        for value in checkpoint_literals(self.ctx.facts):
            suggestion = closest_checkpoint(value.value, extra)
            if suggestion is None or not likely_typo(value.value, suggestion):
                continue
            node = value.node
            replacements = []
            if isinstance(node, cst.SimpleString) and not set(node.prefix.lower()) & {"f", "b"}:
                replacements.append(Replacement(node, f"{node.prefix}{node.quote}{suggestion}{node.quote}"))
            yield self.report(node, self.message.format(checkpoint=value.value, suggestion=suggestion),
                              replacements=replacements, fix_safe=False,
                              fix_message=f"Replace with '{suggestion}'",
                              data={"checkpoint": value.value, "suggestion": suggestion})


# ---------------------------------------------------------------- HF103

# Tokenizer methods that take text, and the arguments that carry it.
_TEXT_METHODS = frozenset({"tokenize", "encode", "encode_plus", "batch_encode_plus", "__call__",
                           "prepare_seq2seq_batch"})
_TEXT_KEYWORDS = ("text", "text_pair", "text_target", "text_pair_target", "batch_text_or_text_pairs", "src_texts",
                  "tgt_texts")
_MIN_SHARE = 0.3  # of a string's letters, in scripts the vocabulary lacks
_MIN_LETTERS = 2


@lru_cache(maxsize=None)
def _script_table() -> tuple:
    """``(start, end, script)`` code point ranges of the writing systems ``families.json`` names, sorted."""
    table = []
    for script, ranges in knowledge.load("families")["unicode_scripts"].items():
        for lo, hi in ranges:
            table.append((int(lo, 16), int(hi, 16), script))
    return tuple(sorted(table))


def _script_of(ch: str) -> Optional[str]:
    cp = ord(ch)
    table = _script_table()
    i = bisect_right(table, (cp, 0x10FFFF + 1, "")) - 1
    if i >= 0 and table[i][0] <= cp <= table[i][1]:
        return table[i][2]
    return None


def foreign_scripts(text: str, covered: frozenset) -> list[str]:
    """The scripts outside ``covered`` that make up a meaningful share of ``text``'s letters (most frequent first);
    [] for English with a foreign name in it, an emoji, or a stray symbol."""
    if text.isascii():
        return []
    letters = 0
    counts: dict[str, int] = {}
    for ch in text:
        if not ch.isalpha():
            continue
        letters += 1
        if ch.isascii():
            continue
        script = _script_of(ch)
        if script is not None and script not in covered:
            counts[script] = counts.get(script, 0) + 1
    foreign = sum(counts.values())
    if foreign < _MIN_LETTERS or foreign < _MIN_SHARE * letters:
        return []
    return sorted(counts, key=lambda s: -counts[s])


def _strings(value, depth: int = 0) -> Iterable[Str]:
    if isinstance(value, Str):
        yield value
    elif isinstance(value, Seq) and depth < 3:
        for item in value.items:
            yield from _strings(item, depth + 1)


def _text_arguments(call: cst.Call, method: str) -> list[cst.Arg]:
    positional = [a for a in call.args if a.keyword is None and not a.star]
    args = positional[:2] if method in ("__call__", "encode", "encode_plus", "prepare_seq2seq_batch") \
        else positional[:1]
    return args + [a for a in call.args if a.keyword is not None and a.keyword.value in _TEXT_KEYWORDS]


class TextOutsideTokenizerLanguage(Rule):
    """Text in a script the tokenizer's vocabulary was never built for (Korean text into `bert-base-cased`).

    ## What it does
    Looks at the string literals passed to a tokenizer — `tokenizer(...)`, `tokenize`, `encode`,
    `encode_plus`, `batch_encode_plus`, directly or through a name, list or tuple bound to them — and
    reports when a meaningful share of their letters (30% or more) is in a writing system (Hangul,
    Japanese kana, CJK ideographs, Cyrillic, Arabic, Devanagari, Thai, Hebrew, Greek, ...) that the
    checkpoint's vocabulary does not cover: English-only checkpoints such as `bert-base-cased`,
    `roberta-base`, `gpt2` or `t5-small`. Multilingual and language-specific checkpoints
    (`bert-base-multilingual-cased`, `xlm-roberta-*`, `klue/*`), checkpoints hflint does not know, and
    English text with a foreign name or an emoji in it are never reported.

    ## Why is this bad?
    A WordPiece or SentencePiece vocabulary built from English text turns most of the words into
    `[UNK]`; a byte-level BPE one into several meaningless byte pieces per character. The model then
    trains or predicts on almost no information, without any error.

    ## Example
    ```python
    tokenizer = AutoTokenizer.from_pretrained("bert-base-cased")
    tokens = tokenizer.tokenize("나는 정말 열심히 노력하고 있다.")
    ```

    ## Use instead
    ```python
    tokenizer = AutoTokenizer.from_pretrained("klue/bert-base")  # or "bert-base-multilingual-cased"
    tokens = tokenizer.tokenize("나는 정말 열심히 노력하고 있다.")
    ```
    """

    code = "HF103"
    name = "text-outside-tokenizer-language"
    message = "{script} text ({text}) goes to `{tokenizer}`, loaded from '{checkpoint}'{guess} whose vocabulary " \
              "covers only {covered} script: most of it becomes [UNK] or byte pieces; use a checkpoint trained " \
              "on that language or a multilingual one (e.g. 'bert-base-multilingual-cased', 'xlm-roberta-base')"

    VALID = [
        Valid("""
            from transformers import AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("bert-base-multilingual-cased")
            tokens = tokenizer.tokenize("나는 정말 열심히 노력하고 있다.")
        """),
        Valid("""
            from transformers import AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("klue/bert-base")
            enc = tokenizer("나는 정말 열심히 노력하고 있다.", return_tensors="pt")
        """),
        Valid("""
            from transformers import AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("xlm-roberta-base")
            batch = tokenizer(["Привет, мир", "こんにちは世界"], padding=True)
        """),
        Valid("""
            # English with a foreign name and an emoji: mostly Latin letters
            from transformers import AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("bert-base-cased")
            enc = tokenizer("Our new colleague 김민수 joined the Seoul office today 🎉")
        """),
        Valid("""
            # a checkpoint hflint cannot resolve
            from transformers import AutoTokenizer
            def encode(name):
                tokenizer = AutoTokenizer.from_pretrained(name)
                return tokenizer("東京は日本の首都です")
        """),
        Valid("""
            # accented Latin is the vocabulary's own script
            from transformers import AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("roberta-base")
            ids = tokenizer.encode("Café crème brûlée, señor, naïve façade")
        """),
        Valid("""
            # text that is not a string literal: unknown
            from transformers import AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("gpt2")
            with open("ko.txt") as fh:
                ids = tokenizer(fh.read())
        """),
        Valid("""
            from transformers import AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("bert-base-chinese")
            tokens = tokenizer.tokenize("今天天气很好")
        """),
    ]
    INVALID = [
        Invalid("""
            from transformers import AutoTokenizer
            example = '나는 정말 열심히 노력하고 있다.'
            tokenizer = AutoTokenizer.from_pretrained("bert-base-cased")
            tokens = tokenizer.tokenize(example)
        """, line=4, message="Hangul text ('나는 정말 열심히 노력하고 있다.', line 2) goes to `tokenizer`, loaded "
                             "from 'bert-base-cased' whose vocabulary covers only Latin script"),
        Invalid("""
            from transformers import AutoTokenizer
            tok = AutoTokenizer.from_pretrained("roberta-base")
            enc = tok(["東京は日本の首都です", "大阪"], padding=True, return_tensors="pt")
        """, line=3, message="CJK/Japanese kana text"),
        Invalid("""
            from transformers import GPT2Tokenizer
            tokenizer = GPT2Tokenizer.from_pretrained("gpt2")
            ids = tokenizer.encode("Привет, как дела?")
        """, line=3, message="Cyrillic text"),
        Invalid("""
            from transformers import AutoModelForSequenceClassification, AutoTokenizer
            CHECKPOINT = "bert-base-uncased"
            SAMPLES = ("مرحبا بالعالم", "hello world")
            def predict():
                tokenizer = AutoTokenizer.from_pretrained(CHECKPOINT)
                model = AutoModelForSequenceClassification.from_pretrained(CHECKPOINT)
                return model(**tokenizer(
                    SAMPLES,
                    padding=True,
                ))
        """, line=7, message="Arabic text ('مرحبا بالعالم', line 3)"),
        Invalid("""
            from transformers import AutoTokenizer
            class Encoder:
                def __init__(self):
                    self.tokenizer = AutoTokenizer.from_pretrained("t5-small")
                def encode(self):
                    return self.tokenizer.batch_encode_plus(["नमस्ते दुनिया"])
        """, line=6, message="Devanagari text"),
        Invalid("""
            from transformers import AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("distilroberta-base")
            enc = tokenizer(text="Ελληνικά κείμενα", text_pair="and English")
        """, line=3, message="Greek text"),
        Invalid("""
            from transformers import AutoTokenizer
            model_name = 'bert-base-case'
            tokenizer = AutoTokenizer.from_pretrained(model_name)
            tokens = tokenizer.tokenize('나는 정말 열심히 노력하고 있다.')
        """, line=4, message="loaded from 'bert-base-case' (probably 'bert-base-cased')"),
    ]

    @staticmethod
    def may_match(features) -> bool:
        return features.non_ascii_strings and features.resolvable_loads >= 1

    def check(self) -> Iterable[Report]:
        facts = self.ctx.facts
        user_checkpoints = {knowledge.normalize_checkpoint(c)
                            for ids in self.ctx.settings.vocabulary_families.values() for c in ids}
        for tok in facts.objects:
            if tok.role != "tokenizer" or tok.checkpoint is None:
                continue
            coverage = self._coverage(tok.checkpoint, user_checkpoints)
            if coverage is None:
                continue
            covered, guess = coverage
            for use in tok.uses:
                if use.kind == "call":
                    method = "__call__"
                elif use.kind == "method" and use.name in _TEXT_METHODS:
                    method = use.name
                else:
                    continue
                report = self._check_call(use.call, method, tok, covered, guess)
                if report is not None:
                    yield report

    def _coverage(self, checkpoint: str, user_checkpoints: set) -> Optional[tuple[frozenset, str]]:
        """The scripts the checkpoint's vocabulary covers, when hflint knows them, and the id it guessed for a typo."""
        if knowledge.is_local_path(checkpoint) or knowledge.normalize_checkpoint(checkpoint) in user_checkpoints:
            return None
        guess = ""
        family = knowledge.family_of(checkpoint)
        if family is None:
            suggestion = closest_checkpoint(checkpoint, tuple(self.ctx.settings.known_checkpoints))
            if suggestion is None or not likely_typo(checkpoint, suggestion):
                return None
            family, guess = knowledge.family_of(suggestion), suggestion
        if family is None:
            return None
        scripts = knowledge.family_info(family).get("scripts")
        return (frozenset(scripts), guess) if scripts else None

    def _check_call(self, call: cst.Call, method: str, tok: HFObject, covered: frozenset,
                    guess: str) -> Optional[Report]:
        facts = self.ctx.facts
        for arg in _text_arguments(call, method):
            for value in _strings(facts.value_of(arg.value)):
                scripts = foreign_scripts(value.value, covered)
                if not scripts:
                    continue
                text = value.value if len(value.value) <= 40 else value.value[:37] + "..."
                where = ""
                if value.node is not None and not _within(value.node, arg.value, self.ctx):
                    where = f", {self.at(value.node, 'the text is written here')}"
                func = call.func
                label = self.ctx.module.code_for_node(func.value if isinstance(func, cst.Attribute) else func)
                return self.report(call, self.message.format(
                    script="/".join(scripts[:2]), text=f"{text!r}{where}", tokenizer=label,
                    checkpoint=tok.checkpoint, guess=f" (probably '{guess}')" if guess else "",
                    covered="/".join(sorted(covered))),
                    data={"checkpoint": tok.checkpoint, "scripts": scripts})
        return None


def _within(node: cst.CSTNode, container: cst.CSTNode, ctx) -> bool:
    inner, outer = ctx.position(node), ctx.position(container)
    return (outer.start.line, outer.start.column) <= (inner.start.line, inner.start.column) \
        and (inner.end.line, inner.end.column) <= (outer.end.line, outer.end.column)
