"""HF605, HF607, HF609 — training mistakes that raise nothing: loss on padding, labels shifted twice, float16 on a
model pretrained in bfloat16."""
from __future__ import annotations

from typing import Iterable, Optional

from ..lazy_libcst import cst

from .. import knowledge
from ..analysis.batches import pads
from ..analysis.hfobjects import is_decoder_only
from ..analysis.scopes import dotted_name
from ..analysis.values import Const, Dict, Encoding, Field, HFObject, QName, Str, Use
from .base import Invalid, Report, Rule, Valid

# Collators that build labels from input ids and set pad positions to -100 (or pad labels with -100).
# Collators that rebuild `labels` with the pad positions at -100 (`DataCollatorForLanguageModeling.torch_call`:
# `labels[labels == pad_token_id] = -100`, 5.24; trl's completion-only collator extends it). DataCollatorForSeq2Seq
# and DataCollatorForTokenClassification pad labels with -100 only where they add the padding: labels the
# tokenizer already padded keep their pad ids (`DataCollatorForSeq2Seq.__call__`, 5.24).
MASKING_COLLATORS = frozenset({"DataCollatorForLanguageModeling", "DataCollatorForCompletionOnlyLM"})


def _short(module: cst.Module, node: cst.CSTNode, limit: int = 50) -> str:
    text = " ".join(module.code_for_node(node).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _model_call(facts, call: Optional[cst.Call]) -> Optional[HFObject]:
    """The model a call runs forward: ``model(...)``, ``model.forward(...)``; None for anything else."""
    if call is None:
        return None
    callee = facts.value_of(call.func)
    if isinstance(callee, HFObject) and callee.role == "model":
        return callee
    func = call.func
    if isinstance(func, cst.Attribute) and func.attr.value == "forward":
        receiver = facts.value_of(func.value)
        if isinstance(receiver, HFObject) and receiver.role == "model":
            return receiver
    return None


def _is_ignore_index(facts, node: cst.CSTNode) -> bool:
    value = facts.value_of(node)
    return isinstance(value, Const) and value.value == -100


def _masks(facts, use: Use) -> bool:
    """``labels[labels == pad] = -100``, ``labels.masked_fill_(mask, -100)``: a use that sets positions to -100."""
    if use.kind == "item_store":
        return isinstance(use.value, Const) and use.value.value == -100
    if use.kind == "method" and use.call is not None and use.name.endswith("_"):
        return any(_is_ignore_index(facts, a.value) for a in use.call.args)
    return False


# ---------------------------------------------------------------------------------------------- HF605


class LabelsIncludePadding(Rule):
    """Labels are the ids of a padded batch, with the pad positions left in the loss.

    ## What it does
    Reports labels made from the `input_ids` of a batch the tokenizer padded (`padding="max_length"`, or
    `padding=True`/`"longest"` over several texts) — `model(**enc, labels=enc["input_ids"])`,
    `labels = enc["input_ids"].clone()`, `enc["labels"] = enc["input_ids"].copy()`, a dict with
    `"labels": enc["input_ids"]`, or a tokenizer call with `text_target=` — when nothing sets the pad
    positions to -100 before the model sees them or the function returns them (`labels[labels ==
    tokenizer.pad_token_id] = -100`, `masked_fill(..., -100)`, `torch.where(..., -100)`), and no collator
    that rebuilds the labels with padding masked (`DataCollatorForLanguageModeling`) is used.
    `DataCollatorForSeq2Seq` does not count: it pads labels with -100 only where it adds the padding, so
    labels the tokenizer padded to `max_length` keep their pad ids.

    ## Why is this bad?
    The loss ignores only positions labelled -100. With pad ids as labels, every pad position is a
    training target: the model learns to predict padding, short sequences in a long batch are dominated
    by it, and the reported loss and perplexity are wrong. Nothing raises or warns.

    ## Example
    ```python
    enc = tokenizer(texts, padding="max_length", max_length=128, truncation=True, return_tensors="pt")
    loss = model(**enc, labels=enc["input_ids"]).loss
    ```

    ## Use instead
    ```python
    enc = tokenizer(texts, padding="max_length", max_length=128, truncation=True, return_tensors="pt")
    labels = enc["input_ids"].clone()
    labels[enc["attention_mask"] == 0] = -100
    loss = model(**enc, labels=labels).loss
    ```
    """

    code = "HF605"
    name = "labels-include-padding"
    message = "`{labels}` holds the ids of a batch padded with `padding={padding}` ({line}): the loss is " \
              "computed on every pad position; set them to -100 first ({fix})"

    VALID = [
        Valid("""
            from transformers import AutoModelForCausalLM, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("gpt2")
            tokenizer.pad_token = tokenizer.eos_token
            model = AutoModelForCausalLM.from_pretrained("gpt2")
            enc = tokenizer(["a", "b c"], padding="max_length", max_length=16, return_tensors="pt")
            labels = enc["input_ids"].clone()
            labels[enc["attention_mask"] == 0] = -100
            loss = model(**enc, labels=labels).loss
        """),
        Valid("""
            from transformers import AutoModelForCausalLM, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("EleutherAI/pythia-70m")
            model = AutoModelForCausalLM.from_pretrained("EleutherAI/pythia-70m")
            batch = tokenizer(["one", "two three"], padding=True, return_tensors="pt")
            labels = batch["input_ids"].masked_fill(batch["attention_mask"] == 0, -100)
            loss = model(**batch, labels=labels).loss
        """),
        Valid("""
            # a single unpadded text has no pad positions
            from transformers import AutoModelForCausalLM, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("gpt2")
            model = AutoModelForCausalLM.from_pretrained("gpt2")
            enc = tokenizer("The quick brown fox", return_tensors="pt")
            loss = model(**enc, labels=enc["input_ids"]).loss
        """),
        Valid("""
            # the collator builds the labels and masks the padding
            from transformers import (AutoModelForCausalLM, AutoTokenizer, DataCollatorForLanguageModeling, Trainer,
                                      TrainingArguments)
            tokenizer = AutoTokenizer.from_pretrained("gpt2")
            model = AutoModelForCausalLM.from_pretrained("gpt2")
            def tokenize(batch):
                out = tokenizer(batch["text"], padding="max_length", truncation=True, max_length=64)
                out["labels"] = out["input_ids"].copy()
                return out
            collator = DataCollatorForLanguageModeling(tokenizer, mlm=False)
            trainer = Trainer(model=model, args=TrainingArguments("out"), data_collator=collator)
        """),
        Valid("""
            import torch
            from transformers import AutoModelForSeq2SeqLM, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("t5-small")
            model = AutoModelForSeq2SeqLM.from_pretrained("t5-small")
            enc = tokenizer(["translate: a"], return_tensors="pt")
            targets = tokenizer(["a", "b c d"], padding=True, return_tensors="pt")
            labels = torch.where(targets["attention_mask"] == 1, targets["input_ids"], -100)
            loss = model(**enc, labels=labels).loss
        """),
        Valid("""
            IGNORE_INDEX = -100
            from transformers import AutoModelForCausalLM, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("gpt2")
            model = AutoModelForCausalLM.from_pretrained("gpt2")
            enc = tokenizer(["x", "y z"], padding="longest", return_tensors="pt")
            labels = enc.input_ids.clone()
            labels[labels == tokenizer.pad_token_id] = IGNORE_INDEX
            loss = model(input_ids=enc.input_ids, attention_mask=enc.attention_mask, labels=labels).loss
        """),
        Valid("""
            # padding is left to the collator, which pads labels with -100
            from transformers import AutoTokenizer, DataCollatorForSeq2Seq
            tokenizer = AutoTokenizer.from_pretrained("t5-small")
            def preprocess(batch):
                return tokenizer(batch["source"], text_target=batch["target"], truncation=True)
            collator = DataCollatorForSeq2Seq(tokenizer, label_pad_token_id=-100)
        """),
        Valid("""
            # padded to max_length, then the pad ids of the labels are replaced (as the summarization examples do)
            from transformers import AutoTokenizer, DataCollatorForSeq2Seq
            tokenizer = AutoTokenizer.from_pretrained("facebook/bart-base")
            def preprocess(batch):
                enc = tokenizer(batch["document"], text_target=batch["summary"], max_length=512,
                                padding="max_length", truncation=True)
                enc["labels"] = [[(t if t != tokenizer.pad_token_id else -100) for t in label]
                                 for label in enc["labels"]]
                return enc
            collator = DataCollatorForSeq2Seq(tokenizer, label_pad_token_id=-100)
        """),
    ]
    INVALID = [
        Invalid("""
            # the collator pads with -100 only what it pads itself: these labels are padded already
            from transformers import AutoTokenizer, DataCollatorForSeq2Seq
            tokenizer = AutoTokenizer.from_pretrained("facebook/bart-base")
            def preprocess(batch):
                return tokenizer(batch["document"], text_target=batch["summary"], max_length=512,
                                 padding="max_length", truncation=True)
            collator = DataCollatorForSeq2Seq(tokenizer, label_pad_token_id=-100)
        """, line=5),
        Invalid("""
            from transformers import AutoModelForCausalLM, AutoTokenizer
            tok = AutoTokenizer.from_pretrained("gpt2")
            tok.pad_token = tok.eos_token
            model = AutoModelForCausalLM.from_pretrained("gpt2")
            batch_texts = ["a short one", "a much longer text than the first"]
            enc = tok(batch_texts, padding="max_length", max_length=128, truncation=True, return_tensors="pt")
            out = model(**enc, labels=enc["input_ids"])
        """, line=7, message="`enc[\"input_ids\"]` holds the ids of a batch padded with `padding='max_length'` "
                             "(line 6)"),
        Invalid("""
            from transformers import AutoModelForCausalLM, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("EleutherAI/pythia-160m")
            model = AutoModelForCausalLM.from_pretrained("EleutherAI/pythia-160m")
            def step(texts):
                enc = tokenizer(texts, padding=True, truncation=True, return_tensors="pt")
                labels = enc["input_ids"].clone()
                return model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"], labels=labels).loss
        """, line=6),
        Invalid("""
            from transformers import AutoTokenizer, Trainer, TrainingArguments, AutoModelForCausalLM
            tokenizer = AutoTokenizer.from_pretrained("gpt2")
            tokenizer.pad_token = tokenizer.eos_token
            model = AutoModelForCausalLM.from_pretrained("gpt2")
            def tokenize(batch):
                out = tokenizer(batch["text"], padding="max_length", truncation=True, max_length=64)
                out["labels"] = out["input_ids"].copy()
                return out
            trainer = Trainer(model=model, args=TrainingArguments("out"))
        """, line=7, message="padding='max_length'"),
        Invalid("""
            from transformers import AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("google/flan-t5-base")
            def preprocess(examples):
                return tokenizer(examples["document"], text_target=examples["summary"], max_length=512,
                                 padding="max_length", truncation=True)
        """, line=4, message="labels `text_target=` makes hold the ids of a batch padded"),
        Invalid("""
            from transformers import AutoModelForMaskedLM, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("roberta-base")
            model = AutoModelForMaskedLM.from_pretrained("roberta-base")
            batch = tokenizer(["a", "b c"], padding=True, return_tensors="pt")
            loss = model(**batch, labels=batch.input_ids).loss
        """, line=5, message="`batch.input_ids`"),
        Invalid("""
            from transformers import AutoModelForCausalLM, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("gpt2")
            model = AutoModelForCausalLM.from_pretrained("gpt2")
            enc = tokenizer(["a", "b c"], padding="longest", return_tensors="pt")
            inputs = {"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"],
                      "labels": enc["input_ids"]}
            loss = model(**inputs).loss
        """, line=6),
        Invalid("""
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer
            class LM:
                def __init__(self):
                    self.tokenizer = AutoTokenizer.from_pretrained("gpt2")
                    self.model = AutoModelForCausalLM.from_pretrained("gpt2")

                def loss(self, texts):
                    enc = self.tokenizer(texts, padding=True, return_tensors="pt")
                    with torch.no_grad():
                        return self.model(**enc, labels=enc["input_ids"]).loss
        """, line=11),
    ]

    @staticmethod
    def may_match(features) -> bool:
        return features.may_hold_objects and "padding" in features.keywords and (
            "labels" in features.keywords or "labels" in features.dict_keys or "text_target" in features.keywords)

    def check(self) -> Iterable[Report]:
        facts = self.ctx.facts
        masking_collator = any(o.role == "collator" and o.cls in MASKING_COLLATORS for o in facts.objects)
        for value in facts.tracked:
            if isinstance(value, Field) and value.key == "input_ids" and not value.masked and not value.shifted:
                padding = pads(value.encoding)
                if padding is None:
                    continue
                for use in value.uses:
                    if use.kind == "arg" and use.keyword == "labels" and _model_call(facts, use.call) is not None \
                            and not self._masked(value, use.seq):
                        yield self._report(value.node, value, padding)
            elif isinstance(value, Encoding):
                yield from self._stored_labels(value, masking_collator)
        for scope in facts.scopes:
            for site in scope.calls:
                if site.via or _model_call(facts, site.node) is None:
                    continue
                for arg in site.node.args:
                    spread = facts.value_of(arg.value) if arg.star == "**" else None
                    if isinstance(spread, Dict):
                        labels = spread.get("labels")
                        if isinstance(labels, Field) and labels.key == "input_ids" and not labels.masked \
                                and not labels.shifted and pads(labels.encoding) and not self._masked(labels, site.seq):
                            element = next(el for k, _, el in spread.items if k == "labels")
                            yield self._report(element.value, labels, pads(labels.encoding))

    def _stored_labels(self, enc: Encoding, masking_collator: bool) -> Iterable[Report]:
        """``enc["labels"] = enc["input_ids"].copy()`` or ``tok(..., text_target=...)`` reaching a model (``**enc``)
        or returned (a dataset preprocessing function) without a masking collator."""
        facts = self.ctx.facts
        stores = [u for u in enc.uses if u.kind == "item_store" and u.name == "labels"]
        candidates = []
        for store in stores:
            value = store.value
            if isinstance(value, Field) and value.key == "input_ids" and not value.masked and not value.shifted \
                    and pads(value.encoding):
                candidates.append((store.seq, store.value_node, value, pads(value.encoding)))
        target = next((a for a in enc.call.args if a.keyword is not None and a.keyword.value == "text_target"), None)
        if target is not None and pads(enc) and not any(
                isinstance(u.value, (Field, Const)) or (u.value_node is not None
                                                         and facts.mentions_ignore_index(u.value_node))
                for u in stores):
            candidates.append((enc.seq, target, None, pads(enc)))
        for seq, node, value, padding in candidates:
            if self._labels_masked(enc, seq) or (value is not None and self._masked(value, seq)):
                continue
            for use in enc.uses:
                if use.seq <= seq:
                    continue
                seen = (use.kind == "spread" and _model_call(facts, use.call) is not None) or \
                       (use.kind == "return" and not masking_collator)
                if seen:
                    yield self._report(node, value, padding, enc)
                    break

    def _masked(self, field: Field, before: int) -> bool:
        """Whether something set positions of ``field`` (or what it was copied from) to -100 before ``before``."""
        facts = self.ctx.facts
        while field is not None:
            if field.masked or any(_masks(facts, u) and u.seq < before for u in field.uses):
                return True
            field = field.source
        return False

    def _labels_masked(self, enc: Encoding, after: int) -> bool:
        """``enc["labels"][...] = -100`` (or a masking method) on the encoding's labels after ``after``."""
        facts = self.ctx.facts
        return any(isinstance(t, Field) and t.encoding is enc and t.key == "labels" and t.seq > after
                   and any(_masks(facts, u) for u in t.uses) for t in facts.tracked)

    def _report(self, node: cst.CSTNode, field: Optional[Field], padding: str, enc: Optional[Encoding] = None) -> Report:
        module = self.ctx.module
        enc = enc if field is None else field.encoding
        labels = _short(module, field.node) if field is not None else "the labels `text_target=` makes"
        enc_name = enc.names[0] if enc.names else "enc"
        fix = f"`labels[{enc_name}[\"attention_mask\"] == 0] = -100`" if field is not None else \
            "replace `tokenizer.pad_token_id` by -100 in `labels`, or leave padding to `DataCollatorForSeq2Seq`"
        message = self.message.format(labels=labels, padding=padding, line=self.at(enc.call, "the batch is padded here"),
                                      fix=fix)
        if field is None:
            message = message.replace(f"`{labels}` holds", labels[0].upper() + labels[1:] + " hold", 1)
        return self.report(node, message)


# ---------------------------------------------------------------------------------------------- HF607

def shift_expression(facts, node: cst.CSTNode, scope, before: int) -> Optional[cst.CSTNode]:
    """The expression that drops the first position of a sequence of ids — ``ids[:, 1:]``, ``ids[..., 1:]``,
    ``ids[1:]``, ``torch.roll(ids, -1)`` (also followed by ``.contiguous()``/``.clone()``/``.to()``) — that ``node``
    is, or that the name ``node`` was last bound to before ``before``; None when it is not a shift."""
    from ..analysis.evaluation import FIELD_COPIES

    while isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value in FIELD_COPIES:
        node = node.func.value
    if isinstance(node, cst.Subscript) and node.slice:
        last = node.slice[-1].slice
        if isinstance(last, cst.Slice) and isinstance(last.lower, cst.Integer) and last.lower.value == "1" \
                and last.upper is None and last.step is None and all(_full(el.slice) for el in node.slice[:-1]):
            return node
        return None
    if isinstance(node, cst.Call):
        name = dotted_name(node.func).rsplit(".", 1)[-1]
        if name == "roll":
            shifts = next((a.value for a in node.args if a.keyword is not None and a.keyword.value == "shifts"), None)
            positional = [a.value for a in node.args if a.keyword is None]
            if shifts is None and isinstance(node.func, cst.Attribute) and positional and \
                    not isinstance(facts.value_of(node.func.value), QName):
                shifts = positional[0]  # ids.roll(-1, dims=1)
            elif shifts is None and len(positional) > 1:
                shifts = positional[1]  # torch.roll(ids, -1, 1)
            value = facts.value_of(shifts) if shifts is not None else None
            return node if isinstance(value, Const) and value.value == -1 else None
        return None
    if isinstance(node, (cst.ListComp, cst.GeneratorExp)):  # [ids[1:] for ids in blocks]
        return shift_expression(facts, node.elt, None, before)
    if isinstance(node, cst.Name):
        while scope is not None:
            bindings = [b for b in scope.bindings.get(node.value, ()) if b.seq < before]
            if bindings:
                value = _bound_expression(bindings[-1].node, node.value)
                return shift_expression(facts, value, None, before) if value is not None else None
            scope = scope.parent
    return None


def _bound_expression(statement: cst.CSTNode, name: str) -> Optional[cst.CSTNode]:
    """The expression ``name`` is bound to by an assignment: ``name = e``, or its place in
    ``a, name = e1, e2``."""
    if isinstance(statement, cst.AnnAssign):
        return statement.value if isinstance(statement.target, cst.Name) else None
    if not isinstance(statement, cst.Assign):
        return None
    for target in statement.targets:
        t = target.target
        if isinstance(t, cst.Name) and t.value == name:
            return statement.value
        if isinstance(t, (cst.Tuple, cst.List)) and isinstance(statement.value, (cst.Tuple, cst.List)) \
                and len(t.elements) == len(statement.value.elements):
            for el, value in zip(t.elements, statement.value.elements):
                if isinstance(el.value, cst.Name) and el.value.value == name:
                    return value.value
    return None


def _full(slice_) -> bool:
    return (isinstance(slice_, cst.Slice) and slice_.lower is None and slice_.upper is None and slice_.step is None) \
        or (isinstance(slice_, cst.Index) and isinstance(slice_.value, cst.Ellipsis))


class LabelsShiftedForCausalLm(Rule):
    """Labels shifted by hand are given to a causal language model, which shifts them again.

    ## What it does
    Reports `labels=` given to a causal LM (`*ForCausalLM`, `*LMHeadModel`, `AutoModelForCausalLM`, also
    wrapped by peft) that drop the first position — `input_ids[:, 1:]`, `input_ids[..., 1:]`,
    `torch.roll(input_ids, -1, ...)`, directly or through a variable — and, in a script whose `Trainer`
    trains a causal LM, datasets whose `"labels"` are built that way. Sequence-to-sequence models and
    hand-written losses (`F.cross_entropy(logits[:, :-1], ids[:, 1:])`) are not reported.

    ## Why is this bad?
    A causal LM's forward pass shifts `labels` itself: the logits at position *i* are scored against
    `labels[i + 1]`. Labels shifted by hand are shifted twice, so the model learns to predict the token
    two positions ahead. The loss still goes down and nothing warns; generation quality collapses.

    ## Example
    ```python
    out = model(input_ids=ids[:, :-1], labels=ids[:, 1:])
    ```

    ## Use instead
    ```python
    out = model(input_ids=ids, labels=ids)  # the model shifts the labels
    ```
    """

    code = "HF607"
    name = "labels-shifted-for-causal-lm"
    message = "`{shift}` shifts the labels by hand, but `{model}` ({kind}) shifts `labels` itself: it learns to " \
              "predict two tokens ahead; pass the unshifted ids as `labels`"

    VALID = [
        Valid("""
            import torch
            from transformers import AutoModelForCausalLM
            model = AutoModelForCausalLM.from_pretrained("gpt2")
            ids = torch.randint(0, 50000, (2, 16))
            out = model(input_ids=ids, labels=ids)
        """),
        Valid("""
            # a hand-written loss shifts, and the model is not given labels
            import torch
            import torch.nn.functional as F
            from transformers import AutoModelForCausalLM
            model = AutoModelForCausalLM.from_pretrained("gpt2")
            ids = torch.randint(0, 50000, (2, 16))
            logits = model(input_ids=ids).logits
            loss = F.cross_entropy(logits[:, :-1].reshape(-1, logits.size(-1)), ids[:, 1:].reshape(-1))
        """),
        Valid("""
            # sequence-to-sequence models do not shift labels against the inputs
            import torch
            from transformers import AutoModelForSeq2SeqLM
            model = AutoModelForSeq2SeqLM.from_pretrained("t5-small")
            target = torch.randint(0, 32000, (2, 8))
            out = model(input_ids=torch.randint(0, 32000, (2, 8)), labels=target[:, 1:])
        """),
        Valid("""
            import torch
            from transformers import AutoModelForMaskedLM
            model = AutoModelForMaskedLM.from_pretrained("bert-base-uncased")
            ids = torch.randint(0, 30000, (2, 16))
            out = model(input_ids=ids, labels=ids[:, 1:])
        """),
        Valid("""
            import torch
            from transformers import AutoModelForCausalLM
            model = AutoModelForCausalLM.from_pretrained("gpt2")
            ids = torch.randint(0, 50000, (2, 16))
            context, target = ids[:, :-1], ids[:, :-1].clone()
            out = model(input_ids=context, labels=target)
        """),
        Valid("""
            # a dataset for an encoder-decoder model may store shifted targets
            from transformers import AutoModelForSeq2SeqLM, AutoTokenizer, Trainer
            tokenizer = AutoTokenizer.from_pretrained("t5-small")
            model = AutoModelForSeq2SeqLM.from_pretrained("t5-small")
            def tokenize(example):
                ids = tokenizer(example["text"])["input_ids"]
                return {"input_ids": ids[:-1], "labels": ids[1:]}
            trainer = Trainer(model=model)
        """),
    ]
    INVALID = [
        Invalid("""
            import torch
            from transformers import AutoModelForCausalLM
            model = AutoModelForCausalLM.from_pretrained("gpt2")
            x = torch.randint(0, 50000, (4, 32))
            out = model(input_ids=x[:, :-1], labels=x[:, 1:])
        """, line=5, message="`x[:, 1:]` shifts the labels by hand, but `model` (a causal LM) shifts `labels` itself"),
        Invalid("""
            from transformers import GPT2LMHeadModel
            model = GPT2LMHeadModel.from_pretrained("gpt2")
            def training_step(batch):
                inputs = batch["input_ids"][..., :-1]
                labels = batch["input_ids"][..., 1:].contiguous()
                return model(input_ids=inputs, labels=labels).loss
        """, line=5, message="`batch[\"input_ids\"][..., 1:]`"),
        Invalid("""
            import torch
            from transformers import AutoModelForCausalLM
            model = AutoModelForCausalLM.from_pretrained("EleutherAI/pythia-70m")
            input_ids = torch.randint(0, 50000, (2, 8))
            labels = torch.roll(input_ids, shifts=-1, dims=1)
            loss = model(input_ids=input_ids, labels=labels).loss
        """, line=5),
        Invalid("""
            from transformers import AutoModelForCausalLM, AutoTokenizer, Trainer, TrainingArguments
            tokenizer = AutoTokenizer.from_pretrained("gpt2")
            model = AutoModelForCausalLM.from_pretrained("gpt2")
            def tokenize(example):
                ids = tokenizer(example["text"])["input_ids"]
                return {"input_ids": ids[:-1], "labels": ids[1:]}
            trainer = Trainer(model=model, args=TrainingArguments("out"))
        """, line=6, message="`ids[1:]`"),
        Invalid("""
            import torch
            from peft import LoraConfig, get_peft_model
            from transformers import AutoModelForCausalLM
            model = get_peft_model(AutoModelForCausalLM.from_pretrained("gpt2"), LoraConfig())
            for batch in []:
                ids = batch["input_ids"]
                loss = model(input_ids=ids[:, :-1], attention_mask=batch["attention_mask"][:, :-1],
                             labels=ids[:, 1:]).loss
        """, line=8),
        Invalid("""
            from transformers import AutoModelForCausalLM
            class Trainer:
                def __init__(self):
                    self.lm = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B")

                def step(self, ids):
                    return self.lm(ids[:, :-1], labels=ids[:, 1:]).loss
        """, line=7),
    ]

    @staticmethod
    def may_match(features) -> bool:
        return features.may_hold_objects and ("labels" in features.keywords or "labels" in features.dict_keys)

    def check(self) -> Iterable[Report]:
        facts = self.ctx.facts
        for scope in facts.scopes:
            for site in scope.calls:
                if site.via:
                    continue
                model = _model_call(facts, site.node)
                if model is None or not is_decoder_only(model):
                    continue
                labels = next((a for a in site.node.args if a.keyword is not None and a.keyword.value == "labels"),
                              None)
                shift = shift_expression(facts, labels.value, scope, site.seq) if labels is not None \
                    else self._spread_labels(site, scope)
                if shift is not None:
                    label = dotted_name(site.node.func.value if isinstance(site.node.func, cst.Attribute)
                                        and site.node.func.attr.value == "forward" else site.node.func) or "model"
                    yield self._report(shift, label)
        yield from self._datasets()

    def _spread_labels(self, site, scope) -> Optional[cst.CSTNode]:
        """The shift stored as ``labels`` in what a call spreads (``batch["labels"] = ids[:, 1:]``, then
        ``model(**batch)``; a dict literal ``{"labels": ids[:, 1:]}``)."""
        facts = self.ctx.facts
        for arg in site.node.args:
            if arg.star != "**":
                continue
            value = facts.value_of(arg.value)
            if isinstance(value, Dict):
                element = next((el for k, _, el in value.items if k == "labels"), None)
                if element is not None:
                    return shift_expression(facts, element.value, scope, site.seq)
            stores = [u for u in getattr(value, "uses", ()) if u.kind == "item_store" and u.name == "labels"
                      and u.seq < site.seq and u.value_node is not None]
            if stores:
                return shift_expression(facts, stores[-1].value_node, scope, site.seq)
        return None

    def _datasets(self) -> Iterable[Report]:
        """``{"labels": ids[1:]}`` / ``example["labels"] = ids[1:]`` in a script whose Trainer trains a causal LM
        (and no other kind of model)."""
        facts = self.ctx.facts
        models = [o for o in facts.objects if o.role == "model" and o.origin in ("from_pretrained", "from_config")]
        trained = [o.kwargs["model"][0] for o in facts.objects if o.role == "trainer" and "model" in o.kwargs]
        trained = [m for m in trained if isinstance(m, HFObject)]
        if not trained or not all(is_decoder_only(m) for m in trained) or not all(is_decoder_only(m) for m in models):
            return
        label = trained[0].names[0] if trained[0].names else "model"
        for scope in facts.scopes:
            if scope.kind != "function":
                continue
            for _, node, returned in scope.returns:
                if isinstance(returned, Dict):
                    labels = returned.get("labels")
                    element = next((el for k, _, el in returned.items if k == "labels"), None)
                    shift = shift_expression(facts, element.value, scope, 1 << 60) if element is not None else None
                    if shift is not None and labels is not None:
                        yield self._report(shift, label)

    def _report(self, shift: cst.CSTNode, model: str) -> Report:
        return self.report(shift, self.message.format(shift=_short(self.ctx.module, shift), model=model,
                                                      kind="a causal LM"))


# ---------------------------------------------------------------------------------------------- HF609

_FLOAT16 = frozenset({"torch.float16", "torch.half"})


class Fp16OnBf16PretrainedModel(Rule):
    """A model pretrained in bfloat16 is trained or run in float16, where its activations overflow.

    ## What it does
    Reports `TrainingArguments(fp16=True)` (and `Seq2SeqTrainingArguments`, trl's configs) used with a
    checkpoint from a family pretrained in bfloat16 whose activations are known to overflow float16 — T5
    v1.1, mT5, Flan-T5, ByT5, UL2, LongT5, T0 (a bundled list, each entry with its source) — and
    `model.half()` or `model.to(torch.float16)` on such a checkpoint. `from_pretrained(..., dtype=torch.float16)`
    is reported only for LongT5: the T5 and mT5 classes keep the layer that overflows (`wo`) in float32 when
    they are loaded in float16 (`_keep_in_fp32_modules`), which `.half()` and fp16 autocast do not.
    `bf16=True` and float32 are fine, and so is fp16 for BERT-style and other checkpoints.

    ## Why is this bad?
    These models were pretrained in bfloat16, whose range float16 does not have: activations in the
    feed-forward layers exceed 65504, become `inf`, and the loss turns `nan` after a few steps (or
    generation outputs nothing useful). Mixed precision does not help: the forward pass itself runs in
    float16.

    ## Example
    ```python
    args = Seq2SeqTrainingArguments("out", fp16=True)
    model = AutoModelForSeq2SeqLM.from_pretrained("google/mt5-small")
    ```

    ## Use instead
    ```python
    args = Seq2SeqTrainingArguments("out", bf16=True)  # or float32 where bf16 is not supported
    model = AutoModelForSeq2SeqLM.from_pretrained("google/mt5-small")
    ```
    """

    code = "HF609"
    name = "fp16-on-bf16-pretrained-model"
    message = "{setting} runs '{checkpoint}' in float16, but {family} was pretrained in bfloat16: its activations " \
              "overflow float16 (NaN losses, degraded or empty generations); use `bf16=True` or float32"

    VALID = [
        Valid("""
            from transformers import AutoModelForSeq2SeqLM, Seq2SeqTrainer, Seq2SeqTrainingArguments
            model = AutoModelForSeq2SeqLM.from_pretrained("google/mt5-small")
            args = Seq2SeqTrainingArguments("out", bf16=True)
            trainer = Seq2SeqTrainer(model=model, args=args)
        """),
        Valid("""
            from transformers import AutoModelForSequenceClassification, Trainer, TrainingArguments
            model = AutoModelForSequenceClassification.from_pretrained("bert-base-uncased", num_labels=2)
            args = TrainingArguments("out", fp16=True)
            trainer = Trainer(model=model, args=args)
        """),
        Valid("""
            from transformers import AutoModelForSeq2SeqLM, Seq2SeqTrainer, Seq2SeqTrainingArguments
            model = AutoModelForSeq2SeqLM.from_pretrained("google/flan-t5-base")
            args = Seq2SeqTrainingArguments("out", fp16=False)
            Seq2SeqTrainer(model=model, args=args).train()
        """),
        Valid("""
            import torch
            from transformers import AutoModelForSeq2SeqLM
            model = AutoModelForSeq2SeqLM.from_pretrained("google/flan-t5-large", dtype=torch.bfloat16)
        """),
        Valid("""
            import sys
            from transformers import AutoModelForSeq2SeqLM, Seq2SeqTrainer, Seq2SeqTrainingArguments
            model = AutoModelForSeq2SeqLM.from_pretrained(sys.argv[1])
            args = Seq2SeqTrainingArguments("out", fp16=True)
            Seq2SeqTrainer(model=model, args=args).train()
        """),
        Valid("""
            from transformers import AutoModelForCausalLM
            model = AutoModelForCausalLM.from_pretrained("gpt2").half()
        """),
        Valid("""
            # loaded in float16, T5 keeps its feed-forward output layer (`wo`) in float32
            import torch
            from transformers import T5ForConditionalGeneration
            model = T5ForConditionalGeneration.from_pretrained("google/flan-t5-large", device_map="auto",
                                                               dtype=torch.float16)
        """),
    ]
    INVALID = [
        Invalid("""
            from transformers import AutoModelForSeq2SeqLM, AutoTokenizer, Seq2SeqTrainer, Seq2SeqTrainingArguments
            tokenizer = AutoTokenizer.from_pretrained("google/mt5-small")
            model = AutoModelForSeq2SeqLM.from_pretrained("google/mt5-small")
            args = Seq2SeqTrainingArguments("out", per_device_train_batch_size=8, fp16=True)
            trainer = Seq2SeqTrainer(model=model, args=args, processing_class=tokenizer)
        """, line=4, message="`fp16=True` runs 'google/mt5-small' in float16, but mT5 was pretrained in bfloat16"),
        Invalid("""
            from transformers import T5ForConditionalGeneration
            model = T5ForConditionalGeneration.from_pretrained("google/flan-t5-xl").half()
        """, line=2, message="`.half()`"),
        Invalid("""
            import torch
            from transformers import AutoModelForSeq2SeqLM
            model = AutoModelForSeq2SeqLM.from_pretrained("google/long-t5-tglobal-base", torch_dtype=torch.float16)
        """, line=3, message="`torch_dtype=torch.float16`"),
        Invalid("""
            import torch
            from transformers import AutoModelForSeq2SeqLM
            model = AutoModelForSeq2SeqLM.from_pretrained("google/t5-v1_1-base", dtype=torch.float16)
            model = model.half()
        """, line=4, message="`.half()`"),
        Invalid("""
            from transformers import AutoModelForSeq2SeqLM, Trainer, TrainingArguments
            CHECKPOINT = "google/byt5-small"
            def main():
                model = AutoModelForSeq2SeqLM.from_pretrained(CHECKPOINT)
                training_args = TrainingArguments(output_dir="out", fp16=True, learning_rate=1e-4)
                Trainer(model=model, args=training_args).train()
        """, line=5),
        Invalid("""
            import torch
            from transformers import AutoModelForSeq2SeqLM
            model = AutoModelForSeq2SeqLM.from_pretrained("bigscience/T0_3B")
            model = model.to("cuda", dtype=torch.float16)
        """, line=4, message="T0"),
        Invalid("""
            from transformers import AutoModelForSeq2SeqLM, Seq2SeqTrainingArguments
            model = AutoModelForSeq2SeqLM.from_pretrained("google/mt5-base")
            args = Seq2SeqTrainingArguments("out", fp16=True, predict_with_generate=True)
        """, line=3),
    ]

    @staticmethod
    def may_match(features) -> bool:
        """A load whose checkpoint may resolve (the rule knows checkpoints, not classes) and a float16 setting."""
        return features.resolvable_loads > 0 and (bool({"fp16", "torch_dtype", "dtype"} & features.keywords)
                                                  or bool({"half", "to"} & features.calls))

    def check(self) -> Iterable[Report]:
        facts = self.ctx.facts
        models = [o for o in facts.objects if o.role == "model" and o.checkpoint and o.origin == "from_pretrained"]
        reported: set = set()
        for model in models:
            family = knowledge.bf16_pretrained(model.checkpoint)
            if family is None:
                continue
            for node, setting in self._float16_settings(model, family):
                if id(node) not in reported:
                    reported.add(id(node))
                    yield self._report(node, setting, model, family)
        for args in facts.objects:
            if args.role != "training_args":
                continue
            fp16 = args.kwargs.get("fp16")
            if fp16 is None or not (isinstance(fp16[0], Const) and fp16[0].value is True):
                continue
            model = self._trained_model(args, models)
            family = knowledge.bf16_pretrained(model.checkpoint) if model is not None else None
            if family is not None and id(fp16[1]) not in reported:
                reported.add(id(fp16[1]))
                yield self._report(fp16[1], "`fp16=True`", model, family)

    def _float16_settings(self, model: HFObject, family: dict) -> Iterable[tuple]:
        facts = self.ctx.facts
        for key in ("torch_dtype", "dtype"):
            if family.get("float16_load_keeps_float32"):
                break  # from_pretrained keeps the layer that overflows in float32 (the family's entry says why)
            if key in model.kwargs and self._float16(model.kwargs[key][0]):
                yield model.kwargs[key][1], f"`{key}={_short(self.ctx.module, model.kwargs[key][1].value)}`"
        for use in model.uses:
            if use.kind != "method" or use.via:
                continue
            if use.name == "half":
                yield use.call, "`.half()`"
            elif use.name == "to" and any(self._float16(facts.value_of(a.value)) for a in use.call.args):
                yield use.call, "`.to(torch.float16)`"

    @staticmethod
    def _float16(value) -> bool:
        return (isinstance(value, QName) and value.qualname in _FLOAT16) or \
            (isinstance(value, Str) and value.value in ("float16", "fp16", "half"))

    @staticmethod
    def _trained_model(args: HFObject, models: list) -> Optional[HFObject]:
        """The model a training-arguments object trains: the trainer's given both, else the only model loaded."""
        for use in args.uses:
            if use.kind == "arg" and use.keyword == "args" and use.call is not None:
                for other in models:
                    if any(u.kind == "arg" and u.keyword == "model" and u.call is use.call for u in other.uses):
                        return other
        candidates = {id(m): m for m in models}
        return next(iter(candidates.values())) if len(candidates) == 1 else None

    def _report(self, node: cst.CSTNode, setting: str, model: HFObject, family: dict) -> Report:
        return self.report(node, self.message.format(setting=setting, checkpoint=model.checkpoint,
                                                     family=family["name"]),
                           data={"checkpoint": model.checkpoint, "source": family["source"]})
