"""HF1xx — checkpoints: what a tokenizer and a model are loaded from."""
from __future__ import annotations

from typing import Iterable, Optional

from .. import knowledge
from ..analysis.pairing import pairs
from ..analysis.values import HFObject, Str
from .base import Invalid, Report, Rule, Valid


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


class TokenizerModelCheckpointMismatch(Rule):
    """A tokenizer and the model it feeds are loaded from checkpoints with different vocabularies.

    ## What it does
    Pairs each tokenizer with the model it feeds — its output passed to the model, both given to a
    `Trainer`/`pipeline`/data collator, or the only tokenizer and model loaded in one scope — and
    reports when their checkpoints resolve to different vocabularies. Aliases of one checkpoint
    (`bert-base-uncased` / `google-bert/bert-base-uncased`) and checkpoints known to share a
    vocabulary (`distilbert-base-uncased` with `bert-base-uncased`, `gpt2` sizes and `distilgpt2`)
    are fine; checkpoints hflint cannot resolve (`args.model_name`) are never reported.

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
    message = "tokenizer from '{tok}' (line {tok_line}) feeds a model from '{model}' (line {model_line}): " \
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
    ]

    @staticmethod
    def may_match(features) -> bool:
        return features.resolvable_loads >= 2

    def check(self) -> Iterable[Report]:
        facts = self.ctx.facts
        reported: set[int] = set()
        for pair in pairs(facts):
            tok, model = pair.tokenizer, pair.model
            if tok.checkpoint is None or model.checkpoint is None or model.origin != "from_pretrained":
                continue
            families = vocabulary_mismatch(tok.checkpoint, model.checkpoint)
            if families is None:
                continue
            tok_line = self.ctx.position(tok.node).start.line
            model_line = self.ctx.position(model.node).start.line
            later = model if (model_line, model.seq) >= (tok_line, tok.seq) else tok
            if id(later) in reported:
                continue
            reported.add(id(later))
            yield self._report(later.node, tok.checkpoint, tok_line, model.checkpoint, model_line, families)
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
        yield self._report(later, tok[0].value, line_t, model[0].value, line_m, families)

    def _report(self, node, tok_ckpt, tok_line, model_ckpt, model_line, families) -> Report:
        return self.report(node, self.message.format(tok=tok_ckpt, tok_line=tok_line, model=model_ckpt,
                                                     model_line=model_line, tok_family=families[0],
                                                     model_family=families[1]),
                           data={"tokenizer_checkpoint": tok_ckpt, "model_checkpoint": model_ckpt})
