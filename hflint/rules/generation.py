"""HF6xx — generation and training: how a causal LM is padded, taught to stop, bounded and switched to eval mode."""
from __future__ import annotations

import re
from typing import Iterable, Optional

from ..lazy_libcst import cst

from .. import knowledge
from ..analysis.batches import is_batch, padding_label, pads, text_node
from ..analysis.flow import Branch, dominates, on_one_path, runs_whenever
from ..analysis.hfobjects import is_decoder_only
from ..analysis.scopes import CallSite, dotted_name
from ..analysis.values import ChatTemplate, Const, Dict, Encoding, Field, HFObject, QName, Seq, Str, Use, encoding_of
from .base import Invalid, Report, Rule, Valid

# Tokenizer classes whose ``padding_side`` class attribute is "left" (transformers' tokenization_*.py).
_LEFT_PADDING_TOKENIZER = re.compile(r"(Llama|CodeLlama|Gemma|Cohere|XLNet|CpmAnt|Siglip2)Tokenizer(Fast)?")
# Tokenizers known to pad on the right unless told otherwise: their class default, and their checkpoints'
# tokenizer_config.json does not override it. Anything else (Bloom, Llama 3, private checkpoints) is unknown.
_RIGHT_PADDING_TOKENIZER = re.compile(r"(GPT2|GPTNeoX|Qwen2|CodeGen)Tokenizer(Fast)?")
_RIGHT_PADDING_FAMILIES = frozenset({"gpt2", "gpt-neox", "qwen2"})
_RIGHT_PADDING_ARCHS = frozenset({"gpt2", "gptneo", "gptneox", "gptj", "qwen2", "codegen"})

# The padding side a tokenizer loaded from a local folder saved in its tokenizer_config.json: unknown statically.
_SAVED_SIDE = "`{tokenizer}` pads as '{checkpoint}' saved it: on the right"

# Callees a tokenizer or model can be handed to without its padding side or train/eval mode changing.
_HARMLESS_PREFIXES = ("transformers.", "trl.", "peft.", "torch.", "datasets.", "numpy.", "logging.", "logger.")
_HARMLESS_CALLEES = frozenset({"print", "len", "isinstance", "type", "id", "repr", "str", "getattr", "hasattr",
                               "logger.info", "logger.warning", "logging.info"})

def _short(module: cst.Module, node: cst.CSTNode, limit: int = 40) -> str:
    text = " ".join(module.code_for_node(node).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _handed_to_helper(use: Use) -> bool:
    """``prepare(tokenizer)``: a function we cannot see into may change the object."""
    if use.kind not in ("arg", "spread"):
        return False
    callee = use.callee or ""
    if not callee or callee in _HARMLESS_CALLEES or callee.startswith(_HARMLESS_PREFIXES):
        return False
    return True


# ---------------------------------------------------------------------------------------------- HF601


def _runs_before(earlier: tuple, later: tuple) -> bool:
    """Code at ``earlier`` runs on every path to ``later``, or is only skipped by ``if x.padding_side != ...``."""
    def excused(branch: Branch) -> bool:
        return branch.kind == "if" and "padding_side" in _names_in(branch.test)

    return runs_whenever(earlier, later, excused)


def _names_in(node: cst.CSTNode) -> set:
    found = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, cst.Name):
            found.add(n.value)
        elif isinstance(n, cst.Attribute):
            found.add(n.attr.value)
        stack.extend(n.children)
    return found


def _keyword(call: cst.Call, name: str) -> Optional[cst.Arg]:
    return next((a for a in call.args if a.keyword is not None and a.keyword.value == name), None)


class RightPaddingInBatchedGeneration(Rule):
    """A decoder-only model generates from a batch its tokenizer padded on the right.

    ## What it does
    Reports `model.generate(...)` on a decoder-only model (`AutoModelForCausalLM`, `*LMHeadModel`,
    `*ForCausalLM`) when its input comes from a tokenizer call that pads a batch (`padding=True`,
    `"longest"`, `"max_length"`) and the tokenizer pads on the right: `padding_side="right"` was set,
    or it was never set to `"left"` (at load, or by assignment before the tokenizer call on every
    path) and the tokenizer's default is known to be right (GPT-2, GPT-NeoX, Qwen2, ...). Stays
    silent when the padding side or the default is unknown, and for encoder-decoder models.

    ## Why is this bad?
    A decoder-only model continues from the last position of each row. With right padding, the
    shorter prompts end in pad tokens, so their continuation is generated after padding and is
    garbage (transformers warns "A decoder-only architecture is being used, but right-padding was
    detected!", which is easy to miss in logs).

    ## Example
    ```python
    tokenizer = AutoTokenizer.from_pretrained("gpt2")
    tokenizer.pad_token = tokenizer.eos_token
    model = AutoModelForCausalLM.from_pretrained("gpt2")
    inputs = tokenizer(prompts, padding=True, return_tensors="pt")
    outputs = model.generate(**inputs, max_new_tokens=20)
    ```

    ## Use instead
    ```python
    tokenizer = AutoTokenizer.from_pretrained("gpt2", padding_side="left")
    tokenizer.pad_token = tokenizer.eos_token
    model = AutoModelForCausalLM.from_pretrained("gpt2")
    inputs = tokenizer(prompts, padding=True, return_tensors="pt")
    outputs = model.generate(**inputs, max_new_tokens=20)
    ```
    """

    code = "HF601"
    name = "right-padding-in-batched-generation"
    message = "`{call}` on a batch padded on the right (`padding={padding}` at {line}; {why}): " \
              "a decoder-only model continues after the pad tokens; set `{tokenizer}.padding_side = \"left\"` " \
              "before tokenizing"

    VALID = [
        Valid("""
            from transformers import AutoModelForCausalLM, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("gpt2", padding_side="left")
            tokenizer.pad_token = tokenizer.eos_token
            model = AutoModelForCausalLM.from_pretrained("gpt2")
            inputs = tokenizer(["Hello, my dog", "Once upon a time there"], padding=True, return_tensors="pt")
            outputs = model.generate(**inputs, max_new_tokens=20)
        """),
        Valid("""
            from transformers import AutoModelForCausalLM, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("gpt2")
            tokenizer.padding_side = "left"
            tokenizer.pad_token = tokenizer.eos_token
            model = AutoModelForCausalLM.from_pretrained("gpt2")
            inputs = tokenizer(["a", "b c"], padding=True, return_tensors="pt")
            outputs = model.generate(**inputs, max_new_tokens=20)
        """),
        Valid("""
            # encoder-decoder models pad the encoder input; right padding is correct
            from transformers import AutoModelForSeq2SeqLM, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("t5-small")
            model = AutoModelForSeq2SeqLM.from_pretrained("t5-small")
            batch = tokenizer(["translate: a", "translate: b c d"], padding=True, return_tensors="pt")
            outputs = model.generate(**batch, max_new_tokens=20)
        """),
        Valid("""
            # a single prompt is not padded
            from transformers import AutoModelForCausalLM, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("gpt2")
            model = AutoModelForCausalLM.from_pretrained("gpt2")
            inputs = tokenizer("Hello, my dog is", padding=True, return_tensors="pt")
            outputs = model.generate(**inputs, max_new_tokens=20)
        """),
        Valid("""
            # the padding side comes from the command line: unknown
            import sys
            from transformers import AutoModelForCausalLM, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("gpt2")
            tokenizer.padding_side = sys.argv[1]
            model = AutoModelForCausalLM.from_pretrained("gpt2")
            inputs = tokenizer(["a", "b c"], padding=True, return_tensors="pt")
            outputs = model.generate(**inputs, max_new_tokens=20)
        """),
        Valid("""
            # Llama tokenizers pad on the left by default
            from transformers import AutoModelForCausalLM, AutoTokenizer
            name = "meta-llama/Llama-2-7b-hf"
            tokenizer = AutoTokenizer.from_pretrained(name)
            tokenizer.pad_token = tokenizer.unk_token
            model = AutoModelForCausalLM.from_pretrained(name)
            inputs = tokenizer(["a", "b c"], padding=True, return_tensors="pt")
            outputs = model.generate(**inputs, max_new_tokens=20)
        """),
        Valid("""
            # the checkpoint is unknown, so is its tokenizer's default padding side
            from transformers import AutoModelForCausalLM, AutoTokenizer
            def run(args, prompts):
                tokenizer = AutoTokenizer.from_pretrained(args.model)
                model = AutoModelForCausalLM.from_pretrained(args.model)
                inputs = tokenizer(prompts, padding=True, return_tensors="pt")
                return model.generate(**inputs, max_new_tokens=20)
        """),
        Valid("""
            # training data may be padded on the right; only generation needs the left
            from transformers import AutoModelForCausalLM, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("gpt2")
            tokenizer.pad_token = tokenizer.eos_token
            model = AutoModelForCausalLM.from_pretrained("gpt2")
            batch = tokenizer(["a", "b c"], padding=True, return_tensors="pt")
            loss = model(**batch, labels=batch["input_ids"]).loss
        """),
        Valid("""
            # a tokenizer saved in a local folder pads as its tokenizer_config.json says: `--verify` reads it
            from transformers import AutoModelForCausalLM, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("./outputs/sft-model")
            model = AutoModelForCausalLM.from_pretrained("./outputs/sft-model")
            batch = tokenizer(["a", "b c"], padding=True, return_tensors="pt")
            out = model.generate(**batch, max_new_tokens=8)
        """),
    ]
    INVALID = [
        Invalid("""
            from transformers import AutoModelForCausalLM, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("gpt2")
            tokenizer.pad_token = tokenizer.eos_token
            model = AutoModelForCausalLM.from_pretrained("gpt2")
            inputs = tokenizer(["Hello, my dog", "Once upon a time there"], padding=True, return_tensors="pt")
            outputs = model.generate(**inputs, max_new_tokens=20)
        """, line=6, message="`padding=True` at line 5; `tokenizer` pads on the right by default"),
        Invalid("""
            from transformers import AutoModelForCausalLM, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("gpt2", padding_side="right")
            tokenizer.pad_token = tokenizer.eos_token
            model = AutoModelForCausalLM.from_pretrained("gpt2")
            enc = tokenizer(["a", "b c"], padding="longest", return_tensors="pt")
            out = model.generate(enc.input_ids, attention_mask=enc.attention_mask, max_new_tokens=5)
        """, line=6, message='`padding_side="right"` at line 2'),
        Invalid("""
            from transformers import GPT2LMHeadModel, GPT2Tokenizer
            tokenizer = GPT2Tokenizer.from_pretrained("gpt2")
            tokenizer.pad_token = tokenizer.eos_token
            model = GPT2LMHeadModel.from_pretrained("gpt2")
            def complete(prompts):
                batch = tokenizer(prompts, padding=True, return_tensors="pt")
                return model.generate(**batch, max_new_tokens=32)
        """, line=7),
        Invalid("""
            from transformers import AutoModelForCausalLM, AutoTokenizer
            MODEL = "Qwen/Qwen2.5-0.5B-Instruct"
            class Generator:
                def __init__(self):
                    self.tokenizer = AutoTokenizer.from_pretrained(MODEL)
                    self.model = AutoModelForCausalLM.from_pretrained(MODEL)

                def __call__(self, questions):
                    inputs = self.tokenizer(questions, padding=True, return_tensors="pt").to("cuda")
                    return self.model.generate(**inputs, max_new_tokens=64)
        """, line=10, message='set `self.tokenizer.padding_side = "left"`'),
        Invalid("""
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("EleutherAI/pythia-160m")
            tokenizer.pad_token = tokenizer.eos_token
            model = AutoModelForCausalLM.from_pretrained("EleutherAI/pythia-160m")
            prompts = [f"Q: {q}\\nA:" for q in ["why?", "how so?"]]
            for i in range(0, len(prompts), 8):
                inputs = tokenizer(prompts[i:i + 8], padding=True, return_tensors="pt")
                with torch.no_grad():
                    outputs = model.generate(
                        input_ids=inputs["input_ids"],
                        attention_mask=inputs["attention_mask"],
                        max_new_tokens=16,
                    )
        """, line=10),
        Invalid("""
            import sys
            from transformers import AutoModelForCausalLM, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("gpt2")
            if len(sys.argv) > 2:
                tokenizer.padding_side = "left"
            tokenizer.pad_token = tokenizer.eos_token
            model = AutoModelForCausalLM.from_pretrained("gpt2")
            inputs = tokenizer(["a", "b c"], padding=True, return_tensors="pt")
            outputs = model.generate(**inputs, max_new_tokens=20)
        """, line=9, message="not on every path"),
    ]

    @staticmethod
    def may_match(features) -> bool:
        return features.may_hold_objects and "generate" in features.calls and "padding" in features.keywords

    def check(self) -> Iterable[Report]:
        facts = self.ctx.facts
        for scope in facts.scopes:
            for site in scope.calls:
                if site.name != "generate" or site.via or not isinstance(site.receiver, HFObject) \
                        or not is_decoder_only(site.receiver):
                    continue
                report = self._check_generate(site)
                if report is not None:
                    yield report

    def _check_generate(self, site: CallSite) -> Optional[Report]:
        facts = self.ctx.facts
        encodings = []
        for arg in site.node.args:
            if arg.keyword is not None and arg.keyword.value not in ("input_ids", "inputs"):
                continue
            value = encoding_of(facts.value_of(arg.value))
            if value is not None and value not in encodings:
                encodings.append(value)
        for enc in encodings:
            tok = enc.tokenizer
            if not isinstance(tok, HFObject) or tok.role != "tokenizer":
                continue
            padding = padding_label(enc.padding)
            if padding is None or not is_batch(enc):
                continue
            why = self._right_padded(tok, enc, site.receiver)
            if why is None:
                continue
            tok_label = dotted_name(enc.call.func) or tok.label()
            if isinstance(enc.call.func, cst.Attribute) and enc.call.func.attr.value in (
                    "__call__", "batch_encode_plus", "encode_plus", "pad"):
                tok_label = dotted_name(enc.call.func.value) or tok.label()
            call_text = f"{dotted_name(site.node.func) or 'generate'}(...)"
            saved = why == _SAVED_SIDE  # a local folder: its tokenizer_config.json decides (hflint check --verify)
            return self.report(site.node, self.message.format(
                call=call_text, padding=padding, line=self.at(enc.call, "the batch is padded here"),
                why=why.replace("{tokenizer}", tok_label).replace("{checkpoint}", tok.checkpoint or ""),
                tokenizer=tok_label), latent=saved,
                data={"tokenizer_checkpoint": tok.checkpoint, "model_checkpoint": site.receiver.checkpoint,
                      "padding_side": "saved" if saved else "right"})
        return None

    def _right_padded(self, tok: HFObject, enc: Encoding, model: HFObject) -> Optional[str]:
        """Why the batch is padded on the right, or None when it is not (or we cannot tell)."""
        facts = self.ctx.facts
        if any(a.star == "**" for a in enc.call.args) or any(a.star == "**" for a, _ in tok.args):
            return None
        at_call = _keyword(enc.call, "padding_side")
        if at_call is not None:
            value = facts.value_of(at_call.value)
            if isinstance(value, Str) and value.value == "right":
                return "`padding_side=\"right\"` in the call"
            return None
        loaded = tok.kwargs.get("padding_side")
        explicit_right: Optional[str] = None
        left_at_load = False
        if loaded is not None:
            if not isinstance(loaded[0], Str):
                return None
            if loaded[0].value == "right":
                explicit_right = f"`padding_side=\"right\"` at {self.at(loaded[1], 'padding_side is set to right here')}"
            else:
                left_at_load = True
        stores = [u for u in tok.uses if u.kind == "attr_store" and u.name == "padding_side"]
        if any(not isinstance(u.value, Str) for u in stores):
            return None
        if any(_handed_to_helper(u) and u.scope is enc.scope and u.seq < enc.seq for u in tok.uses):
            return None
        # Stores elsewhere (another function) run at a time we cannot order: a "left" there may well come first.
        if any(u.scope is not enc.scope and u.value.value == "left" for u in stores):
            return None
        before = [u for u in stores if u.scope is enc.scope and u.seq < enc.seq]
        dominating = [u for u in before if _runs_before(u.cond, enc.cond)]
        if dominating:
            last = dominating[-1]
            if last.value.value == "left":
                return None
            explicit_right = f"`padding_side = \"right\"` at {self.at(last.node, 'padding_side is set to right here')}"
        elif left_at_load:
            return None
        partial_left = [u for u in before if u.value.value == "left" and u not in dominating]
        if explicit_right:
            return explicit_right
        if partial_left:
            line = self.at(partial_left[-1].node, "padding_side is set to left here, on some paths only")
            return f"the `padding_side = \"left\"` at {line} is not on every path"
        side = self._default_side(tok, model)
        if side == "right":
            return "`{tokenizer}` pads on the right by default"
        return _SAVED_SIDE if side == "saved" else None

    @staticmethod
    def _default_side(tok: HFObject, model: HFObject) -> Optional[str]:
        if _LEFT_PADDING_TOKENIZER.fullmatch(tok.cls):
            return "left"
        if _RIGHT_PADDING_TOKENIZER.fullmatch(tok.cls):
            return "right"
        checkpoint = tok.checkpoint if tok.checkpoint is not None else model.checkpoint
        if checkpoint is not None:
            if knowledge.is_local_path(checkpoint):
                return "saved" if tok.checkpoint and tok.origin == "from_pretrained" else None
            family = knowledge.family_of(checkpoint)
            return "right" if family in _RIGHT_PADDING_FAMILIES else None
        return "right" if model.arch in _RIGHT_PADDING_ARCHS else None


# ---------------------------------------------------------------------------------------------- HF602

_EOS_ATTRS = {"pad_token": "eos_token", "pad_token_id": "eos_token_id"}


def _is_eos_ref(node: Optional[cst.CSTNode], attr: str = "eos_token") -> bool:
    return isinstance(node, cst.Attribute) and node.attr.value == attr


def _masking_collator(collator: HFObject, facts) -> bool:
    """transformers' ``DataCollatorForLanguageModeling(..., mlm=False)``: labels of pad ids become -100.

    Other collators leave labels alone (``DataCollatorWithPadding``), pad them with -100 without looking
    at their ids (``DataCollatorForSeq2Seq``, trl's ``DataCollatorForLanguageModeling``), or mask for MLM.
    """
    if collator.cls != "DataCollatorForLanguageModeling":
        return False
    callee = facts.value_of(collator.call.func)
    if not isinstance(callee, QName) or not callee.qualname.startswith("transformers."):
        return False
    mlm = collator.kwargs.get("mlm", (None,))[0]
    if mlm is None:
        positional = [v for a, v in collator.args if a.keyword is None and not a.star]
        if any(a.star for a, _ in collator.args):
            return False
        mlm = positional[1] if len(positional) > 1 else Const(True)
    return isinstance(mlm, Const) and mlm.value is False


def _collator_tokenizer_arg(collator: HFObject) -> Optional[tuple]:
    """(cst node, value) of the tokenizer a collator is built with."""
    for a, v in collator.args:
        if a.keyword is not None and a.keyword.value == "tokenizer":
            return a.value, v
    for a, v in collator.args:
        if a.keyword is None and not a.star:
            return a.value, v
    return None


class PadTokenIsEosWithLmCollator(Rule):
    """The pad token is the EOS token, and the language-modeling collator ignores pad labels.

    ## What it does
    Reports `tokenizer.pad_token = tokenizer.eos_token` (also `pad_token_id = eos_token_id` and
    `add_special_tokens({"pad_token": tokenizer.eos_token})`) when the same tokenizer builds a
    `DataCollatorForLanguageModeling(tokenizer, mlm=False)`. A distinct pad token, another collator
    (`DataCollatorForSeq2Seq`, `DataCollatorWithPadding`, trl's collators) or `mlm=True` are fine.

    ## Why is this bad?
    With `mlm=False` the collator copies `input_ids` into `labels` and sets every position equal to
    `pad_token_id` to -100. When the pad token is the EOS token, every EOS in the data is ignored by
    the loss too: the fine-tuned model never learns to end its answer and generates until
    `max_new_tokens`.

    ## Example
    ```python
    tokenizer.pad_token = tokenizer.eos_token
    collator = DataCollatorForLanguageModeling(tokenizer, mlm=False)
    ```

    ## Use instead
    ```python
    tokenizer.add_special_tokens({"pad_token": "<|pad|>"})
    model.resize_token_embeddings(len(tokenizer))
    collator = DataCollatorForLanguageModeling(tokenizer, mlm=False)
    ```
    """

    code = "HF602"
    name = "pad-token-is-eos-with-lm-collator"
    message = "`{assignment}` with `DataCollatorForLanguageModeling(..., mlm=False)` ({line}): the collator " \
              "sets the labels of pad tokens to -100, so every EOS is ignored by the loss and the model never " \
              "learns to stop; use a distinct pad token"

    VALID = [
        Valid("""
            from transformers import AutoModelForCausalLM, AutoTokenizer, DataCollatorForLanguageModeling
            tokenizer = AutoTokenizer.from_pretrained("gpt2")
            model = AutoModelForCausalLM.from_pretrained("gpt2")
            tokenizer.add_special_tokens({"pad_token": "<|pad|>"})
            model.resize_token_embeddings(len(tokenizer))
            collator = DataCollatorForLanguageModeling(tokenizer, mlm=False)
        """),
        Valid("""
            # DataCollatorForSeq2Seq pads labels with -100 but keeps the real EOS labels
            from transformers import AutoTokenizer, DataCollatorForSeq2Seq
            tokenizer = AutoTokenizer.from_pretrained("gpt2")
            tokenizer.pad_token = tokenizer.eos_token
            collator = DataCollatorForSeq2Seq(tokenizer, padding=True)
        """),
        Valid("""
            from transformers import AutoTokenizer, DataCollatorWithPadding
            tokenizer = AutoTokenizer.from_pretrained("gpt2")
            tokenizer.pad_token = tokenizer.eos_token
            collator = DataCollatorWithPadding(tokenizer)
        """),
        Valid("""
            # masked language modeling: labels are -100 except at masked positions anyway
            from transformers import AutoTokenizer, DataCollatorForLanguageModeling
            tokenizer = AutoTokenizer.from_pretrained("roberta-base")
            tokenizer.pad_token = tokenizer.eos_token
            collator = DataCollatorForLanguageModeling(tokenizer, mlm_probability=0.15)
        """),
        Valid("""
            from transformers import AutoTokenizer, DataCollatorForLanguageModeling
            tokenizer = AutoTokenizer.from_pretrained("meta-llama/Llama-2-7b-hf")
            tokenizer.pad_token = tokenizer.unk_token
            collator = DataCollatorForLanguageModeling(tokenizer=tokenizer, mlm=False)
        """),
        Valid("""
            # trl's collator pads labels with -100 and never looks at the pad id
            from transformers import AutoTokenizer
            from trl.trainer.sft_trainer import DataCollatorForLanguageModeling
            tokenizer = AutoTokenizer.from_pretrained("gpt2")
            tokenizer.pad_token = tokenizer.eos_token
            collator = DataCollatorForLanguageModeling(pad_token_id=tokenizer.pad_token_id)
        """),
        Valid("""
            # two tokenizers: the one padded with EOS is only used for generation
            from transformers import AutoTokenizer, DataCollatorForLanguageModeling
            gen_tokenizer = AutoTokenizer.from_pretrained("gpt2", padding_side="left")
            gen_tokenizer.pad_token = gen_tokenizer.eos_token
            train_tokenizer = AutoTokenizer.from_pretrained("gpt2")
            train_tokenizer.add_special_tokens({"pad_token": "[PAD]"})
            collator = DataCollatorForLanguageModeling(train_tokenizer, mlm=False)
        """),
        Valid("""
            import sys
            from transformers import AutoTokenizer, DataCollatorForLanguageModeling
            tokenizer = AutoTokenizer.from_pretrained("gpt2")
            tokenizer.pad_token = tokenizer.eos_token
            collator = DataCollatorForLanguageModeling(tokenizer, mlm=sys.argv[1] == "mlm")
        """),
    ]
    INVALID = [
        Invalid("""
            from transformers import AutoTokenizer, DataCollatorForLanguageModeling
            tokenizer = AutoTokenizer.from_pretrained("gpt2")
            tokenizer.pad_token = tokenizer.eos_token
            collator = DataCollatorForLanguageModeling(tokenizer, mlm=False)
        """, line=3, message="`tokenizer.pad_token = tokenizer.eos_token` with "
                             "`DataCollatorForLanguageModeling(..., mlm=False)` (line 4)"),
        Invalid("""
            from transformers import AutoTokenizer, DataCollatorForLanguageModeling
            tokenizer = AutoTokenizer.from_pretrained("meta-llama/Llama-2-7b-hf")
            if tokenizer.pad_token is None:
                tokenizer.pad_token = tokenizer.eos_token
            collator = DataCollatorForLanguageModeling(tokenizer=tokenizer, mlm=False)
        """, line=4),
        Invalid("""
            from transformers import AutoTokenizer, DataCollatorForLanguageModeling
            tok = AutoTokenizer.from_pretrained("EleutherAI/pythia-70m")
            tok.pad_token_id = tok.eos_token_id
            collator = DataCollatorForLanguageModeling(tok, False)
        """, line=3, message="`tok.pad_token_id = tok.eos_token_id`"),
        Invalid("""
            from transformers import AutoTokenizer, DataCollatorForLanguageModeling
            tokenizer = AutoTokenizer.from_pretrained("gpt2")
            tokenizer.add_special_tokens({"pad_token": tokenizer.eos_token})
            collator = DataCollatorForLanguageModeling(tokenizer, mlm=False)
        """, line=3, message="add_special_tokens"),
        Invalid("""
            from transformers import AutoModelForCausalLM, AutoTokenizer, DataCollatorForLanguageModeling, Trainer
            def main(args):
                tokenizer = AutoTokenizer.from_pretrained(args.model_name_or_path)
                model = AutoModelForCausalLM.from_pretrained(args.model_name_or_path)
                collator = DataCollatorForLanguageModeling(tokenizer, mlm=False)
                tokenizer.pad_token = tokenizer.eos_token
                Trainer(model=model, data_collator=collator).train()
        """, line=6, message="(line 5)"),
        Invalid("""
            import transformers
            def build_collator(tokenizer):
                tokenizer.pad_token = tokenizer.eos_token
                return transformers.DataCollatorForLanguageModeling(tokenizer=tokenizer, mlm=False)
        """, line=3),
    ]

    def __init__(self, ctx):
        super().__init__(ctx)
        self._unresolved: list[tuple] = []  # (scope, base text, is_eos, node, text) of pad assignments we saw

    @staticmethod
    def may_match(features) -> bool:
        return "DataCollatorForLanguageModeling" in features.calls and (
            "eos_token" in features.attrs or "eos_token_id" in features.attrs)

    def visit_Assign(self, node: cst.Assign) -> None:
        # Tokenizers that are parameters are not tracked by the analysis; match them by name in one scope.
        for target in node.targets:
            t = target.target
            if isinstance(t, cst.Attribute) and t.attr.value in _EOS_ATTRS \
                    and not isinstance(self.ctx.facts.value_of(t.value), HFObject):
                base = dotted_name(t.value)
                if base:
                    is_eos = _is_eos_ref(node.value, _EOS_ATTRS[t.attr.value]) \
                        and dotted_name(node.value.value) == base
                    self._unresolved.append((self.ctx.facts.current_scope, base, is_eos, t, node))

    def check(self) -> Iterable[Report]:
        facts = self.ctx.facts
        collators = [o for o in facts.objects if o.role == "collator" and _masking_collator(o, facts)]
        if not collators:
            return
        for tok in facts.objects:
            if tok.role != "tokenizer":
                continue
            using = [c for c in collators if (arg := _collator_tokenizer_arg(c)) is not None and arg[1] is tok]
            if not using:
                continue
            pads = self._pad_assignments(tok)
            if any(not is_eos for is_eos, _, _ in pads):
                continue  # a distinct pad token is set somewhere: which one wins is not ours to guess
            for _, node, text in pads:
                yield self._report(node, text, using[0])
        for scope, base, is_eos, node, stmt in self._unresolved:
            if not is_eos:
                continue
            same = [s for s in self._unresolved if s[0] is scope and s[1] == base]
            if any(not s[2] for s in same):
                continue
            using = [c for c in collators if c.scope is scope and (arg := _collator_tokenizer_arg(c)) is not None
                     and dotted_name(arg[0]) == base and not isinstance(arg[1], HFObject)]
            if using:
                yield self._report(node, _short(self.ctx.module, stmt, 80), using[0])

    def _pad_assignments(self, tok: HFObject) -> list[tuple[bool, cst.CSTNode, str]]:
        """(sets EOS as pad?, node to report, source text) of every pad-token assignment on ``tok``."""
        found = []
        for use in tok.uses:
            if use.kind == "attr_store" and use.name in _EOS_ATTRS:
                vnode = use.value_node
                is_eos = _is_eos_ref(vnode, _EOS_ATTRS[use.name]) \
                    and isinstance(self.ctx.facts.value_of(vnode.value), HFObject)
                text = f"{dotted_name(use.node) or use.name} = {_short(self.ctx.module, vnode) if vnode else '...'}"
                found.append((is_eos, use.node, text))
            elif use.kind == "method" and use.name == "add_special_tokens" and use.call.args:
                value = self.ctx.facts.value_of(use.call.args[0].value)
                if not isinstance(value, Dict):
                    continue
                for key, _, element in value.items:
                    if key == "pad_token":
                        found.append((_is_eos_ref(element.value), use.call, _short(self.ctx.module, use.call, 80)))
        return found

    def _report(self, node: cst.CSTNode, text: str, collator: HFObject) -> Report:
        line = self.at(collator.call, "the collator that masks pad labels is built here")
        return self.report(node, self.message.format(assignment=text, line=line))


# ---------------------------------------------------------------------------------------------- HF603

# Time-series models (TimeSeriesTransformer, Informer, Autoformer) generate `config.prediction_length` steps.
_FIXED_LENGTH_GENERATORS = ("ForPrediction",)
_LENGTH_KEYWORDS = frozenset({"max_new_tokens", "max_length", "generation_config", "max_time", "stopping_criteria"})


class GenerateWithoutLengthLimit(Rule):
    """`generate(...)` is called without a limit on how much it generates.

    ## What it does
    Reports `model.generate(...)` on a model the analysis knows when the call passes neither
    `max_new_tokens` nor `max_length` (nor a `generation_config`, nor a `**kwargs` spread that may
    hold them), and the model's `generation_config` is not touched in the file. Off by default.

    ## Why is this bad?
    The limit then comes from the checkpoint's `generation_config.json`, or is `max_length=20`
    *including the prompt*: most checkpoints silently cut answers after a few tokens (or return the
    prompt alone when it is longer than 20 tokens), others run to thousands of tokens. Either way
    the output length is an accident of the checkpoint, not a decision.

    ## Example
    ```python
    outputs = model.generate(**inputs)
    ```

    ## Use instead
    ```python
    outputs = model.generate(**inputs, max_new_tokens=128)
    ```
    """

    code = "HF603"
    name = "generate-without-length-limit"
    message = "`{call}` without `max_new_tokens` or `max_length`: the output length falls back to the " \
              "checkpoint's generation config (often `max_length=20`, prompt included); pass `max_new_tokens=`"
    default_enabled = False

    VALID = [
        Valid("""
            from transformers import AutoModelForCausalLM, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("gpt2")
            model = AutoModelForCausalLM.from_pretrained("gpt2")
            out = model.generate(**tokenizer("Hello", return_tensors="pt"), max_new_tokens=50)
        """),
        Valid("""
            from transformers import AutoModelForSeq2SeqLM, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("t5-small")
            model = AutoModelForSeq2SeqLM.from_pretrained("t5-small")
            out = model.generate(**tokenizer("translate: hi", return_tensors="pt"), max_length=64, num_beams=4)
        """),
        Valid("""
            from transformers import AutoModelForCausalLM, GenerationConfig
            model = AutoModelForCausalLM.from_pretrained("gpt2")
            config = GenerationConfig(max_new_tokens=40, do_sample=True)
            def complete(input_ids):
                return model.generate(input_ids, generation_config=config)
        """),
        Valid("""
            from transformers import AutoModelForCausalLM
            model = AutoModelForCausalLM.from_pretrained("gpt2")
            gen_kwargs = {"max_new_tokens": 32, "do_sample": False}
            def complete(input_ids):
                return model.generate(input_ids, **gen_kwargs)
        """),
        Valid("""
            from transformers import AutoModelForCausalLM
            model = AutoModelForCausalLM.from_pretrained("gpt2")
            model.generation_config.max_new_tokens = 64
            def complete(input_ids):
                return model.generate(input_ids)
        """),
        Valid("""
            # an object the analysis does not know (a user class, a peft wrapper) is left alone
            def complete(model, input_ids):
                import transformers
                return model.generate(input_ids)
        """),
    ]
    INVALID = [
        Invalid("""
            from transformers import AutoModelForCausalLM, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("gpt2")
            model = AutoModelForCausalLM.from_pretrained("gpt2")
            out = model.generate(**tokenizer("Hello", return_tensors="pt"))
        """, line=4, message="`model.generate(...)` without `max_new_tokens`"),
        Invalid("""
            from transformers import AutoModelForSeq2SeqLM, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("t5-small")
            model = AutoModelForSeq2SeqLM.from_pretrained("t5-small")
            batch = tokenizer(["summarize: a long text"], return_tensors="pt")
            summary_ids = model.generate(batch["input_ids"], num_beams=4, early_stopping=True)
        """, line=5),
        Invalid("""
            from transformers import GPT2LMHeadModel
            model = GPT2LMHeadModel.from_pretrained("gpt2")
            def sample(input_ids):
                return model.generate(input_ids, do_sample=True, top_p=0.9)
        """, line=4),
        Invalid("""
            from transformers import AutoModelForCausalLM
            class Bot:
                def __init__(self):
                    self.lm = AutoModelForCausalLM.from_pretrained("gpt2")

                def reply(self, ids):
                    return self.lm.generate(
                        ids,
                        do_sample=True,
                    )
        """, line=7, message="`self.lm.generate(...)`"),
        Invalid("""
            import transformers
            model = transformers.AutoModelForCausalLM.from_pretrained("gpt2")
            out = model.generate(input_ids=[[1, 2, 3]], min_new_tokens=5)
        """, line=3),
        Invalid("""
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("gpt2")
            model = AutoModelForCausalLM.from_pretrained("gpt2").to("cuda")
            with torch.no_grad():
                for prompt in ["a", "b"]:
                    ids = tokenizer(prompt, return_tensors="pt").input_ids.to("cuda")
                    print(tokenizer.decode(model.generate(ids)[0]))
        """, line=8),
    ]

    @staticmethod
    def may_match(features) -> bool:
        return "generate" in features.calls

    def check(self) -> Iterable[Report]:
        facts = self.ctx.facts
        for scope in facts.scopes:
            for site in scope.calls:
                model = site.receiver
                if site.name != "generate" or site.via or not isinstance(model, HFObject) or model.role != "model" \
                        or model.cls.endswith(_FIXED_LENGTH_GENERATORS):
                    continue
                if self._limited(site.node, model):
                    continue
                call = f"{dotted_name(site.node.func) or 'generate'}(...)"
                yield self.report(site.node, self.message.format(call=call))

    def _limited(self, call: cst.Call, model: HFObject) -> bool:
        facts = self.ctx.facts
        positional = 0
        for arg in call.args:
            if arg.star == "**":
                if not isinstance(facts.value_of(arg.value), Encoding):
                    return True  # **gen_kwargs may hold the limit
            elif arg.star:
                return True
            elif arg.keyword is None:
                positional += 1
            elif arg.keyword.value in _LENGTH_KEYWORDS:
                return True
        if positional > 1:
            return True  # generate(inputs, generation_config, ...)
        for use in model.uses:
            if use.kind == "attr_load" and use.name == "generation_config":
                return True  # model.generation_config.max_new_tokens = ...
        config = model.config_object
        if config is not None and any(u.kind == "attr_store" and u.name in ("max_length", "max_new_tokens")
                                      for u in config.uses):
            return True
        return False


# ---------------------------------------------------------------------------------------------- HF604

# Calls that may put a model back in eval mode without naming it (Trainer.evaluate/predict do).
_MAY_EVAL = frozenset({"evaluate", "predict", "evaluation_loop", "prediction_loop", "eval"})


class InferenceInTrainMode(Rule):
    """A model runs a no-grad forward pass while it is still in training mode.

    ## What it does
    Reports a forward pass (`model(...)`, `model.forward(...)`, `model.generate(...)`) inside
    `with torch.no_grad():` / `with torch.inference_mode():` (or a function decorated with them)
    after `model.train()`, or on a model built with `from_config(...)`/`Model(config)`, when no
    `model.eval()` runs in between on every path. `from_pretrained` already returns a model in eval
    mode, so a model that was only loaded is never reported.

    ## Why is this bad?
    `no_grad` only stops gradient tracking; it does not switch the model to inference behaviour.
    In training mode dropout is still active, so evaluation metrics are noisy and pessimistic and
    generated text is sampled from a perturbed model (and batch-norm layers update their statistics).

    ## Example
    ```python
    model.train()
    for batch in train_loader:
        ...
    with torch.no_grad():
        val_loss = model(**val_batch).loss
    ```

    ## Use instead
    ```python
    model.train()
    for batch in train_loader:
        ...
    model.eval()
    with torch.no_grad():
        val_loss = model(**val_batch).loss
    ```
    """

    code = "HF604"
    name = "inference-in-train-mode"
    message = "`{call}` runs under `{guard}` while `{model}` is in training mode ({why}): dropout is still " \
              "active; call `{model}.eval()` first"

    VALID = [
        Valid("""
            import torch
            from transformers import AutoModelForSequenceClassification
            model = AutoModelForSequenceClassification.from_pretrained("bert-base-uncased")
            with torch.no_grad():
                logits = model(input_ids=torch.tensor([[101, 102]])).logits
        """),
        Valid("""
            import torch
            from transformers import AutoModelForSequenceClassification
            model = AutoModelForSequenceClassification.from_pretrained("bert-base-uncased")
            model.train()
            for batch in []:
                model(**batch).loss.backward()
            model.eval()
            with torch.no_grad():
                logits = model(**batch).logits
        """),
        Valid("""
            # training mode without no_grad: a training step
            import torch
            from transformers import AutoModelForCausalLM
            model = AutoModelForCausalLM.from_pretrained("gpt2")
            model.train()
            loss = model(input_ids=torch.tensor([[1, 2]]), labels=torch.tensor([[1, 2]])).loss
        """),
        Valid("""
            import torch
            from transformers import BertConfig, BertForMaskedLM
            model = BertForMaskedLM(BertConfig())
            model.eval()
            with torch.inference_mode():
                out = model(input_ids=torch.tensor([[101, 102]]))
        """),
        Valid("""
            import torch
            from transformers import AutoModelForCausalLM
            model = AutoModelForCausalLM.from_pretrained("gpt2")
            model.train()
            def evaluate(model, batches):
                model.eval()
                with torch.no_grad():
                    return [model(**b).loss for b in batches]
            evaluate(model, [])
            with torch.no_grad():
                out = model.generate(torch.tensor([[1, 2]]), max_new_tokens=5)
        """),
        Valid("""
            import sys
            import torch
            from transformers import AutoModelForCausalLM
            model = AutoModelForCausalLM.from_pretrained("gpt2")
            model.train(mode=sys.argv[1] == "train")
            with torch.no_grad():
                out = model(torch.tensor([[1, 2]]))
        """),
        Valid("""
            # another branch: train() and the no-grad pass never run one after the other
            import sys
            import torch
            from transformers import AutoModelForCausalLM
            model = AutoModelForCausalLM.from_pretrained("gpt2")
            if sys.argv[1] == "train":
                model.train()
            else:
                with torch.no_grad():
                    out = model(torch.tensor([[1, 2]]))
        """),
        Valid("""
            import torch
            from transformers import AutoModelForCausalLM
            model = AutoModelForCausalLM.from_pretrained("gpt2")
            model.train()
            model.train(False)
            with torch.no_grad():
                out = model(torch.tensor([[1, 2]]))
        """),
        Valid("""
            # a composite built around pretrained parts: those parts stay in eval mode
            import torch
            from transformers import AutoModel, AutoModelForCausalLM, EncoderDecoderModel
            encoder = AutoModel.from_pretrained("bert-base-uncased")
            decoder = AutoModelForCausalLM.from_pretrained("gpt2")
            model = EncoderDecoderModel(encoder=encoder, decoder=decoder)
            with torch.no_grad():
                out = model(input_ids=torch.tensor([[101, 102]]), decoder_input_ids=torch.tensor([[1]]))
        """),
        Valid("""
            # dropout switched off by hand: training mode on purpose (e.g. masking only done in training)
            import torch
            from transformers import AutoModelForCausalLM
            model = AutoModelForCausalLM.from_pretrained("gpt2", resid_pdrop=0.0, attn_pdrop=0.0, embd_pdrop=0.0,
                                                         summary_first_dropout=0.0)
            model.train()
            with torch.no_grad():
                out = model(torch.tensor([[1, 2]]))
        """),
        Valid("""
            # eval() on the wrapper switches the wrapped model
            import torch
            from peft import LoraConfig, get_peft_model
            from transformers import AutoModelForCausalLM
            model = get_peft_model(AutoModelForCausalLM.from_pretrained("gpt2"), LoraConfig(lora_dropout=0.1))
            model.train()
            model.eval()
            with torch.no_grad():
                logits = model(input_ids=torch.tensor([[1, 2]])).logits
        """),
        Valid("""
            import torch
            from accelerate import Accelerator
            from transformers import AutoModelForSequenceClassification
            accelerator = Accelerator()
            model = AutoModelForSequenceClassification.from_pretrained("roberta-base")
            optimizer = torch.optim.AdamW(model.parameters())
            model, optimizer = accelerator.prepare(model, optimizer)
            model.train()
            for batch in []:
                accelerator.backward(model(**batch).loss)
            model.eval()
            with torch.no_grad():
                preds = model(**batch).logits.argmax(-1)
        """),
        Valid("""
            # a helper that switches the model to eval mode before the no-grad pass
            import torch
            from transformers import AutoModelForCausalLM
            def evaluate(model, batches):
                model.eval()
                with torch.no_grad():
                    return [model(**b).loss for b in batches]
            model = AutoModelForCausalLM.from_pretrained("gpt2")
            model.train()
            losses = evaluate(model, [])
        """),
        Valid("""
            # the epoch loop switches to eval mode before each validation pass
            import torch
            from transformers import AutoModelForSequenceClassification
            model = AutoModelForSequenceClassification.from_pretrained("bert-base-uncased", num_labels=2)
            batch = {"input_ids": torch.tensor([[101, 102]]), "labels": torch.tensor([1])}
            for epoch in range(3):
                model.eval()
                with torch.no_grad():
                    val_loss = model(**batch).loss
                model.train()
                model(**batch).loss.backward()
        """),
    ]
    INVALID = [
        Invalid("""
            # validation first, then training: from the second epoch on, validation runs in training mode
            import torch
            from transformers import AutoModelForSequenceClassification
            model = AutoModelForSequenceClassification.from_pretrained("bert-base-uncased", num_labels=2)
            batch = {"input_ids": torch.tensor([[101, 102]]), "labels": torch.tensor([1])}
            for epoch in range(3):
                with torch.no_grad():
                    val_loss = model(**batch).loss
                model.train()
                model(**batch).loss.backward()
        """, line=8, message="later in the loop, runs before this pass on the next iteration"),
        Invalid("""
            import torch
            from transformers import AutoModelForSequenceClassification
            model = AutoModelForSequenceClassification.from_pretrained("bert-base-uncased")
            model.train()
            for batch in []:
                model(**batch).loss.backward()
            with torch.no_grad():
                logits = model(**batch).logits
        """, line=8, message="`model(...)` runs under `torch.no_grad()` while `model` is in training mode "
                             "(`model.train()` at line 4"),
        Invalid("""
            import torch
            from transformers import AutoConfig, AutoModelForCausalLM
            config = AutoConfig.from_pretrained("gpt2", n_layer=2)
            model = AutoModelForCausalLM.from_config(config)
            with torch.no_grad():
                sample = model.generate(torch.tensor([[1, 2]]), max_new_tokens=5)
        """, line=6, message="built with `from_config(...)` at line 4"),
        Invalid("""
            import torch
            from transformers import BertConfig, BertForMaskedLM
            model = BertForMaskedLM(BertConfig())
            with torch.inference_mode():
                out = model(input_ids=torch.tensor([[101, 102]]))
        """, line=5, message="`torch.inference_mode()`"),
        Invalid("""
            import torch
            from transformers import AutoModelForCausalLM
            model = AutoModelForCausalLM.from_pretrained("gpt2")
            model.eval()
            model.train()
            with torch.no_grad():
                out = model.forward(torch.tensor([[1, 2]]))
        """, line=7),
        Invalid("""
            import torch
            from transformers import AutoModelForSequenceClassification
            class Runner:
                def __init__(self):
                    self.model = AutoModelForSequenceClassification.from_pretrained("roberta-base")

                @torch.no_grad()
                def validate(self, batch):
                    self.model.train()
                    return self.model(**batch).logits
        """, line=10, message="`@torch.no_grad()`"),
        Invalid("""
            import sys
            import torch
            from transformers import AutoModelForCausalLM
            model = AutoModelForCausalLM.from_pretrained("gpt2")
            model.train()
            if sys.argv[1] == "eval":
                model.eval()
            with torch.no_grad():
                out = model(torch.tensor([[1, 2]]))
        """, line=9),
        Invalid("""
            import torch
            from peft import LoraConfig, get_peft_model
            from transformers import AutoModelForCausalLM
            model = get_peft_model(AutoModelForCausalLM.from_pretrained("gpt2"), LoraConfig(lora_dropout=0.1))
            model.train()
            with torch.no_grad():
                logits = model(input_ids=torch.tensor([[1, 2]])).logits
        """, line=7, message="(`model.train()` at line 5"),
        Invalid("""
            import torch
            from accelerate import Accelerator
            from transformers import AutoModelForSequenceClassification
            accelerator = Accelerator()
            model = AutoModelForSequenceClassification.from_pretrained("roberta-base")
            optimizer = torch.optim.AdamW(model.parameters())
            model, optimizer = accelerator.prepare(model, optimizer)
            model.train()
            for batch in []:
                accelerator.backward(model(**batch).loss)
            with torch.no_grad():
                preds = model(**batch).logits.argmax(-1)
        """, line=12),
        Invalid("""
            # a helper that runs the model without grad, called while it is in training mode
            import torch
            from transformers import AutoModelForCausalLM
            @torch.no_grad()
            def sample(model, prompt_ids):
                return model.generate(prompt_ids, max_new_tokens=20)
            model = AutoModelForCausalLM.from_pretrained("gpt2")
            model.train()
            text = sample(model, torch.tensor([[1, 2]]))
        """, line=9, message="runs under `@torch.no_grad()`"),
        Invalid("""
            import torch
            from transformers import BertConfig, BertModel, BertPreTrainedModel
            class Scorer(BertPreTrainedModel):
                def __init__(self, config):
                    super().__init__(config)
                    self.bert = BertModel(config)
                    self.score = torch.nn.Linear(config.hidden_size, 1)
            model = Scorer(BertConfig())
            with torch.no_grad():
                out = model(input_ids=torch.tensor([[101, 102]]))
        """, line=10, message="built with `Scorer(config)`"),
    ]

    @staticmethod
    def may_match(features) -> bool:
        grad = features.calls | features.attrs | features.imported
        if not ({"no_grad", "inference_mode", "set_grad_enabled"} & grad):
            return False
        return "train" in features.calls or "from_config" in features.calls \
            or any(_MODEL_CLASS.fullmatch(c) for c in features.calls)

    def check(self) -> Iterable[Report]:
        facts = self.ctx.facts
        for model in facts.objects:
            if model.role != "model":
                continue
            reported: set = set()  # one finding per missing eval(): at the first no-grad pass it misses
            for use in model.uses:
                forward = use.kind == "call" or (use.kind == "method" and use.name in ("forward", "generate"))
                if not forward or not use.context.grad_off:
                    continue
                state = self._in_train_mode(model, use)
                if state is None or (id(use.scope), id(state[1])) in reported:
                    continue
                why = state[0]
                reported.add((id(use.scope), id(state[1])))
                func = use.call.func
                label = dotted_name(func.value if isinstance(func, cst.Attribute) and use.kind == "method" else func) \
                    or model.label()
                call = f"{dotted_name(func) or label}(...)"
                yield self.report(use.site, self.message.format(call=call, guard=use.context.grad_off, model=label,
                                                                why=why))

    @staticmethod
    def _last_train(events: list, forward: Use, order: list) -> Optional[tuple]:
        """The last event of ``order`` (the events that run before ``forward``, in the order they run) that puts
        the model in training mode on a path to it, unless an ``eval()`` that always runs, or a call that may
        switch modes, follows it."""
        starts = [i for i, e in enumerate(order) if e[2] in ("train", "built") and on_one_path(e[1], forward.cond)]
        if not starts:
            return None
        start = order[starts[-1]]
        for seq, cond, kind, _, _ in order[starts[-1] + 1:]:
            if kind == "unknown" and on_one_path(cond, forward.cond):
                return None
            if kind == "eval" and (dominates(cond, forward.cond) or dominates(cond, start[1])):
                return None
        return start

    def _in_train_mode(self, model: HFObject, forward: Use) -> Optional[tuple]:
        """(what left the model in training mode before ``forward``, the node that did), or None when it is in eval
        mode (or that is unknown)."""
        facts = self.ctx.facts
        scope = forward.scope
        if any("drop" in k for k, (v, _) in model.kwargs.items()
               if isinstance(v, Const) and v.value == 0):
            return None  # dropout switched off by hand: training mode is deliberate (e.g. to test masking)
        # (seq, cond, train|eval|unknown|built, node, enclosing loops)
        events: list[tuple[int, tuple, str, cst.CSTNode, tuple]] = []
        # Model(config, encoder=pretrained, ...) wraps parts that from_pretrained left in eval mode.
        if model.origin == "from_config" and model.scope is scope \
                and not any(isinstance(v, HFObject) and v.role == "model" for _, v in model.args):
            events.append((model.seq, model.cond, "built", model.node, ()))
        for use in model.uses:
            if use.scope is not scope or use is forward:
                continue
            loops = use.context.loops if use.context is not None else ()
            if use.kind == "method" and use.name == "eval":
                events.append((use.seq, use.cond, "eval", use.site, loops))
            elif use.kind == "method" and use.name == "train":
                events.append((use.seq, use.cond, _train_mode(use.call, facts), use.site, loops))
            elif _handed_to_helper(use) and not use.callee.endswith(".prepare") and not facts.is_summarized(use.call):
                events.append((use.seq, use.cond, "unknown", use.node, loops))
        for site in scope.calls:
            if site.name in _MAY_EVAL and site.receiver is not model \
                    and not (isinstance(site.receiver, HFObject) and site.receiver.role in ("model", "tokenizer")):
                events.append((site.seq, site.cond, "unknown", site.node,
                               site.context.loops if site.context is not None else ()))
        events.sort(key=lambda e: e[0])
        found = self._last_train(events, forward, [e for e in events if e[0] < forward.seq])
        looped = False
        for loop in reversed(forward.context.loops if forward.context is not None else ()):
            if found is not None:
                break
            # the loop comes back: what its body does after the forward pass happened before the next one
            body = [e for e in events if any(lp.node is loop.node for lp in e[4])]
            found = self._last_train(events, forward, [e for e in body if e[0] > forward.seq] +
                                     [e for e in body if e[0] < forward.seq])
            looped = found is not None
        if found is None:
            return None
        start = found
        line = self.at(start[3], "the model is put in training mode here" if start[2] == "train" else
                       "the model is built (in training mode) here")
        label = _receiver_text(start[3]) if start[2] == "train" else dotted_name(forward.call.func)
        if forward.kind == "method":
            label = _receiver_text(forward.call) if start[2] != "train" else label
        label = label or model.label()
        partial = [e for e in events if start[0] < e[0] < forward.seq and e[2] == "eval"]
        since = f"`{label}.eval()` at {self.at(partial[-1][3], 'eval() runs on some paths only')} does not run on " \
            "every path" \
            if partial else f"no `{label}.eval()` since"
        if looped:
            return f"`{label}.train()` at {line}, later in the loop, runs before this pass on the next iteration, " \
                   f"and no `{label}.eval()` in between", start[3]
        if start[2] == "train":
            return f"`{label}.train()` at {line}, {since}", start[3]
        how = "from_config(...)" if model.call is not None and isinstance(model.call.func, cst.Attribute) \
            and model.call.func.attr.value == "from_config" else f"{dotted_name(model.call.func)}(config)"
        return f"built with `{how}` at {line}, {since}", start[3]


_MODEL_CLASS = re.compile(r"\w*(Model|LMHeadModel|For[A-Z]\w*)")


def _receiver_text(call: cst.CSTNode) -> str:
    """``model`` of ``model.train()``; "" for a call of a helper (``make_model()``)."""
    func = call.func if isinstance(call, cst.Call) else None
    return dotted_name(func.value) if isinstance(func, cst.Attribute) else ""


def _train_mode(call: cst.Call, facts) -> str:
    if not call.args:
        return "train"
    value = facts.value_of(call.args[0].value)
    if isinstance(value, Const) and isinstance(value.value, bool):
        return "train" if value.value else "eval"
    return "unknown"


# ---------------------------------------------------------------------------------------------- HF606

def _chat_text(facts, node: Optional[cst.CSTNode]) -> Optional[ChatTemplate]:
    """The ``apply_chat_template(..., tokenize=False)`` text a tokenizer is given: directly, in a literal list, or
    as the element of a comprehension (``[tok.apply_chat_template(m, tokenize=False) for m in batch]``)."""
    if node is None:
        return None
    value = facts.value_of(node)
    if isinstance(value, ChatTemplate) and value.text:
        return value
    if isinstance(value, Seq):
        return next((v for v in value.items if isinstance(v, ChatTemplate) and v.text), None)
    if isinstance(node, (cst.ListComp, cst.GeneratorExp)):
        return _chat_text(facts, node.elt)
    return None


class ChatTemplateSpecialTokensAddedTwice(Rule):
    """Text rendered by `apply_chat_template(..., tokenize=False)` is tokenized again with special tokens added.

    ## What it does
    Reports `tokenizer(text)`, `tokenizer([text, ...])` or `tokenizer.encode(text)` where `text` comes from
    `tokenizer.apply_chat_template(..., tokenize=False)`, unless the call passes `add_special_tokens=False`,
    for checkpoints whose chat template writes the BOS token itself (Llama 2 and 3, Mistral and Mixtral,
    Gemma; a bundled list with sources). Templates without a BOS (Zephyr, TinyLlama, ChatML/Qwen) and
    checkpoints hflint cannot resolve are not reported.

    ## Why is this bad?
    A chat template renders the special tokens itself: most templates start with the BOS token
    (`<s>`, `<bos>`, `<|begin_of_text|>`). Tokenizing that text with the default `add_special_tokens=True`
    adds another one, so the model sees two BOS tokens — an input it never saw in training, which quietly
    degrades generations and fine-tuning. `apply_chat_template(..., tokenize=True)` itself tokenizes with
    `add_special_tokens=False`.

    ## Example
    ```python
    text = tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    ids = tok(text, return_tensors="pt")
    ```

    ## Use instead
    ```python
    ids = tok.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt", return_dict=True)
    # or, to keep the text: tok(text, add_special_tokens=False, return_tensors="pt")
    ```
    """

    code = "HF606"
    name = "chat-template-special-tokens-added-twice"
    message = "`{call}` tokenizes the text `apply_chat_template(..., tokenize=False)` rendered at {line}, which " \
              "already holds the template's special tokens: a second BOS is added; pass `add_special_tokens=False` " \
              "(or let `apply_chat_template` tokenize)"

    VALID = [
        Valid("""
            from transformers import AutoTokenizer
            tok = AutoTokenizer.from_pretrained("meta-llama/Llama-3.1-8B-Instruct")
            messages = [{"role": "user", "content": "Hi"}]
            text = tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
            ids = tok(text, add_special_tokens=False, return_tensors="pt")
        """),
        Valid("""
            from transformers import AutoModelForCausalLM, AutoTokenizer
            tok = AutoTokenizer.from_pretrained("mistralai/Mistral-7B-Instruct-v0.2")
            model = AutoModelForCausalLM.from_pretrained("mistralai/Mistral-7B-Instruct-v0.2")
            messages = [{"role": "user", "content": "Hi"}]
            inputs = tok.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt",
                                             return_dict=True)
            out = model.generate(**inputs, max_new_tokens=20)
        """),
        Valid("""
            # Qwen2 tokenizers add no BOS token
            from transformers import AutoTokenizer
            tok = AutoTokenizer.from_pretrained("Qwen/Qwen2.5-7B-Instruct")
            text = tok.apply_chat_template([{"role": "user", "content": "Hi"}], tokenize=False)
            ids = tok(text, return_tensors="pt")
        """),
        Valid("""
            # rendered text only printed
            from transformers import AutoTokenizer
            tok = AutoTokenizer.from_pretrained("google/gemma-2-2b-it")
            print(tok.apply_chat_template([{"role": "user", "content": "Hi"}], tokenize=False))
            ids = tok("plain text", return_tensors="pt")
        """),
        Valid("""
            from transformers import AutoTokenizer
            tok = AutoTokenizer.from_pretrained("google/gemma-2-9b-it")
            def encode(conversations):
                texts = [tok.apply_chat_template(c, tokenize=False) for c in conversations]
                return tok(texts, padding=True, add_special_tokens=False, return_tensors="pt")
        """),
        Valid("""
            # Zephyr-style templates (TinyLlama) write no BOS: the tokenizer adds the only one
            from transformers import AutoTokenizer
            tok = AutoTokenizer.from_pretrained("TinyLlama/TinyLlama-1.1B-Chat-v1.0")
            text = tok.apply_chat_template([{"role": "user", "content": "Hi"}], tokenize=False)
            ids = tok(text, return_tensors="pt")
        """),
        Valid("""
            # a checkpoint from the command line: its template is unknown
            import sys
            from transformers import AutoTokenizer
            tok = AutoTokenizer.from_pretrained(sys.argv[1])
            text = tok.apply_chat_template([{"role": "user", "content": "Hi"}], tokenize=False)
            enc = tok(text=text, return_tensors="pt")
        """),
        Valid("""
            import sys
            from transformers import AutoTokenizer
            tok = AutoTokenizer.from_pretrained("meta-llama/Llama-2-7b-chat-hf")
            text = tok.apply_chat_template([{"role": "user", "content": "Hi"}], tokenize=sys.argv[1] == "t")
            ids = tok(text)
        """),
        Valid("""
            # a method renders the template; the tokenizer call leaves the special tokens to it
            from transformers import AutoModelForCausalLM, AutoTokenizer
            class ChatBot:
                def __init__(self):
                    self.tokenizer = AutoTokenizer.from_pretrained("meta-llama/Meta-Llama-3-8B-Instruct")
                    self.model = AutoModelForCausalLM.from_pretrained("meta-llama/Meta-Llama-3-8B-Instruct")
                def render(self, messages):
                    return self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
                def reply(self, messages):
                    inputs = self.tokenizer(self.render(messages), return_tensors="pt", add_special_tokens=False)
                    return self.model.generate(**inputs, max_new_tokens=256)
        """),
    ]
    INVALID = [
        Invalid("""
            from transformers import AutoModelForCausalLM, AutoTokenizer
            class ChatBot:
                def __init__(self):
                    self.tokenizer = AutoTokenizer.from_pretrained("meta-llama/Meta-Llama-3-8B-Instruct")
                    self.model = AutoModelForCausalLM.from_pretrained("meta-llama/Meta-Llama-3-8B-Instruct")
                def render(self, messages):
                    return self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
                def reply(self, messages):
                    inputs = self.tokenizer(self.render(messages), return_tensors="pt")
                    return self.model.generate(**inputs, max_new_tokens=256)
        """, line=9, message="rendered at line 7"),
        Invalid("""
            from transformers import AutoTokenizer
            tok = AutoTokenizer.from_pretrained("meta-llama/Llama-3.1-8B-Instruct")
            messages = [{"role": "user", "content": "Hi"}]
            text = tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
            ids = tok(text, return_tensors="pt")
        """, line=5, message="`tok(...)` tokenizes the text `apply_chat_template(..., tokenize=False)` rendered at "
                             "line 4"),
        Invalid("""
            from transformers import AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("google/gemma-2-2b-it")
            prompt = tokenizer.apply_chat_template([{"role": "user", "content": "Hi"}], tokenize=False,
                                                   add_generation_prompt=True)
            input_ids = tokenizer.encode(prompt, return_tensors="pt")
        """, line=5, message="`tokenizer.encode(...)`"),
        Invalid("""
            from transformers import AutoTokenizer
            tok = AutoTokenizer.from_pretrained("meta-llama/Llama-3.2-1B-Instruct")
            def encode(conversations):
                texts = [tok.apply_chat_template(c, tokenize=False) for c in conversations]
                return tok(texts, padding=True, return_tensors="pt")
        """, line=5),
        Invalid("""
            from transformers import AutoModelForCausalLM, AutoTokenizer
            MODEL = "mistralai/Mistral-7B-Instruct-v0.2"
            class Chat:
                def __init__(self):
                    self.tokenizer = AutoTokenizer.from_pretrained(MODEL)
                    self.model = AutoModelForCausalLM.from_pretrained(MODEL)

                def reply(self, messages):
                    text = self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
                    inputs = self.tokenizer(text, return_tensors="pt")
                    return self.model.generate(**inputs, max_new_tokens=64)
        """, line=10, message="`self.tokenizer(...)`"),
        Invalid("""
            from transformers import AutoTokenizer
            tok = AutoTokenizer.from_pretrained("meta-llama/Llama-2-7b-chat-hf")
            chat = [{"role": "user", "content": "Hi"}]
            batch = tok([tok.apply_chat_template(chat, tokenize=False)], return_tensors="pt")
        """, line=4),
        Invalid("""
            from transformers import AutoTokenizer
            tok = AutoTokenizer.from_pretrained("mistralai/Mixtral-8x7B-Instruct-v0.1")
            text = tok.apply_chat_template([{"role": "user", "content": "Hi"}], tokenize=False)
            enc = tok(text=text, return_tensors="pt")
        """, line=4),
    ]

    @staticmethod
    def may_match(features) -> bool:
        return features.may_hold_objects and "apply_chat_template" in features.calls and "tokenize" in features.keywords

    def check(self) -> Iterable[Report]:
        facts = self.ctx.facts
        for scope in facts.scopes:
            for site in scope.calls:
                if site.via:
                    continue
                tok = facts.value_of(site.node.func)  # tok(text), self.tokenizer(text)
                if not isinstance(tok, HFObject) and site.name in ("encode", "encode_plus", "__call__"):
                    tok = site.receiver  # tok.encode(text)
                if not isinstance(tok, HFObject) or tok.role != "tokenizer":
                    continue
                template = _chat_text(facts, text_node(site.node)) or self._bound_texts(site, scope)
                if template is None or self._no_special_tokens(site.node):
                    continue
                checkpoint = tok.checkpoint or (template.tokenizer.checkpoint
                                                if isinstance(template.tokenizer, HFObject) else None)
                if not checkpoint or not knowledge.template_renders_bos(checkpoint):
                    continue  # templates without BOS (Zephyr, TinyLlama, ChatML, Qwen) or unknown: one BOS is right
                call = f"{dotted_name(site.node.func) or 'tokenizer'}(...)"
                yield self.report(site.node, self.message.format(
                    call=call, line=self.at(template.call, "the chat template is rendered to text here")))

    def _bound_texts(self, site: CallSite, scope) -> Optional[ChatTemplate]:
        """``texts = [tok.apply_chat_template(..., tokenize=False) for ...]`` then ``tok(texts)``."""
        node = text_node(site.node)
        if not isinstance(node, cst.Name):
            return None
        while scope is not None:
            bindings = [b for b in scope.bindings.get(node.value, ()) if b.seq < site.seq or scope.kind != "function"]
            if bindings:
                bound = bindings[-1].node
                if isinstance(bound, cst.Assign) and isinstance(bound.value, (cst.ListComp, cst.GeneratorExp)):
                    return _chat_text(self.ctx.facts, bound.value)
                return None
            scope = scope.parent
        return None

    def _no_special_tokens(self, call: cst.Call) -> bool:
        arg = _keyword(call, "add_special_tokens")
        for spread in (a for a in call.args if a.star == "**"):
            value = self.ctx.facts.value_of(spread.value)
            if not isinstance(value, Dict) or value.get("add_special_tokens") is not None:
                return True  # **kwargs may say add_special_tokens=False: not guessed at
        if arg is None:
            return False
        value = self.ctx.facts.value_of(arg.value)
        return not (isinstance(value, Const) and value.value is True)  # False, or unknown: silent


# ---------------------------------------------------------------------------------------------- HF608

class GenerateWithoutAttentionMask(Rule):
    """`generate` is given the ids of a padded batch without its attention mask.

    ## What it does
    Reports `model.generate(enc["input_ids"])`, `model.generate(enc.input_ids, ...)` and
    `model.generate(input_ids=enc["input_ids"], ...)` when `enc` is a batch the tokenizer padded
    (`padding=True`/`"longest"` over several texts, or `padding="max_length"`) and the call passes no
    `attention_mask=` (nor `**enc`), and the pad token is the EOS token — set so in the file
    (`tokenizer.pad_token = tokenizer.eos_token`), or a decoder-only model's tokenizer with no distinct pad
    token set. Unpadded single prompts, and tokenizers with a pad token of their own (T5, BART, BERT),
    are fine: `generate` infers the mask from it.

    ## Why is this bad?
    Without the mask, `generate` infers one from `pad_token_id` — except when the pad token is the EOS
    token (the usual fix for GPT-2, Llama, Mistral, ...), which it cannot tell from real EOS tokens. Then it
    attends to the pad positions as if they were text, and outputs for the shorter prompts of the batch
    are garbage.

    ## Example
    ```python
    batch = tokenizer(prompts, padding=True, return_tensors="pt")
    out = model.generate(batch.input_ids, max_new_tokens=30)
    ```

    ## Use instead
    ```python
    batch = tokenizer(prompts, padding=True, return_tensors="pt")
    out = model.generate(**batch, max_new_tokens=30)
    ```
    """

    code = "HF608"
    name = "generate-without-attention-mask"
    message = "`{call}` gets the ids of a batch padded with `padding={padding}` ({line}) but no " \
              "`attention_mask`, and with the pad token equal to EOS it cannot be inferred: pad positions are " \
              "attended to; pass `attention_mask={mask}` or `**{enc}`"

    VALID = [
        Valid("""
            from transformers import AutoModelForCausalLM, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("gpt2", padding_side="left")
            tokenizer.pad_token = tokenizer.eos_token
            model = AutoModelForCausalLM.from_pretrained("gpt2")
            batch = tokenizer(["a", "b c"], padding=True, return_tensors="pt")
            out = model.generate(**batch, max_new_tokens=30)
        """),
        Valid("""
            from transformers import AutoModelForCausalLM, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("gpt2", padding_side="left")
            tokenizer.pad_token = tokenizer.eos_token
            model = AutoModelForCausalLM.from_pretrained("gpt2")
            batch = tokenizer(["a", "b c"], padding=True, return_tensors="pt")
            out = model.generate(batch.input_ids, attention_mask=batch.attention_mask, max_new_tokens=30)
        """),
        Valid("""
            # a single prompt is not padded
            from transformers import AutoModelForCausalLM, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("gpt2")
            model = AutoModelForCausalLM.from_pretrained("gpt2")
            ids = tokenizer("Once upon a time", return_tensors="pt").input_ids
            out = model.generate(ids, max_new_tokens=30)
        """),
        Valid("""
            from transformers import AutoModelForSeq2SeqLM, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("t5-small")
            model = AutoModelForSeq2SeqLM.from_pretrained("t5-small")
            enc = tokenizer(["translate: a", "translate: b c"], padding=False, return_tensors=None)
            out = model.generate(enc["input_ids"], max_new_tokens=20)
        """),
        Valid("""
            from transformers import AutoModelForCausalLM, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("gpt2", padding_side="left")
            model = AutoModelForCausalLM.from_pretrained("gpt2")
            enc = tokenizer(["a", "b c"], padding="longest", return_tensors="pt")
            out = model.generate(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"], max_new_tokens=9)
        """),
        Valid("""
            import torch
            from transformers import AutoModelForCausalLM
            model = AutoModelForCausalLM.from_pretrained("gpt2")
            out = model.generate(torch.tensor([[464, 2068]]), max_new_tokens=9)
        """),
        Valid("""
            # T5's pad token is not its EOS token: generate infers the mask
            from transformers import AutoModelForSeq2SeqLM, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("google/flan-t5-base")
            model = AutoModelForSeq2SeqLM.from_pretrained("google/flan-t5-base")
            enc = tokenizer(["short", "a longer question"], padding="max_length", max_length=32, return_tensors="pt")
            out = model.generate(enc["input_ids"], max_new_tokens=20)
        """),
        Valid("""
            from transformers import AutoModelForCausalLM, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("gpt2", padding_side="left")
            tokenizer.add_special_tokens({"pad_token": "[PAD]"})
            model = AutoModelForCausalLM.from_pretrained("gpt2")
            model.resize_token_embeddings(len(tokenizer))
            enc = tokenizer(["a", "b c"], padding=True, return_tensors="pt")
            out = model.generate(enc.input_ids, max_new_tokens=5)
        """),
    ]
    INVALID = [
        Invalid("""
            from transformers import AutoModelForCausalLM, AutoTokenizer
            tok = AutoTokenizer.from_pretrained("gpt2", padding_side="left")
            tok.pad_token = tok.eos_token
            model = AutoModelForCausalLM.from_pretrained("gpt2")
            batch = tok(["a prompt", "another, longer prompt"], padding=True, return_tensors="pt")
            out = model.generate(batch.input_ids, max_new_tokens=30)
        """, line=6, message="`model.generate(...)` gets the ids of a batch padded with `padding=True` (line 5) but "
                             "no `attention_mask`"),
        Invalid("""
            from transformers import AutoModelForCausalLM, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("meta-llama/Llama-2-7b-hf")
            tokenizer.pad_token = tokenizer.eos_token
            model = AutoModelForCausalLM.from_pretrained("meta-llama/Llama-2-7b-hf")
            enc = tokenizer(["q1", "a longer q2"], padding="longest", return_tensors="pt").to("cuda")
            out = model.generate(input_ids=enc["input_ids"], max_new_tokens=64)
        """, line=6),
        Invalid("""
            # Qwen2.5 base checkpoints pad with their EOS token
            from transformers import AutoModelForCausalLM, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("Qwen/Qwen2.5-0.5B", padding_side="left")
            model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B")
            enc = tokenizer(["short", "a longer question"], padding="max_length", max_length=32, return_tensors="pt")
            out = model.generate(enc["input_ids"].to("cuda"), max_new_tokens=20)
        """, line=6),
        Invalid("""
            from transformers import AutoModelForCausalLM, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("EleutherAI/pythia-160m", padding_side="left")
            tokenizer.pad_token = tokenizer.eos_token
            model = AutoModelForCausalLM.from_pretrained("EleutherAI/pythia-160m")
            def complete(prompts):
                ids = tokenizer(prompts, padding=True, return_tensors="pt").input_ids
                return model.generate(ids, max_new_tokens=32)
        """, line=7),
        Invalid("""
            from transformers import AutoModelForCausalLM, AutoTokenizer
            class Generator:
                def __init__(self):
                    self.tok = AutoTokenizer.from_pretrained("gpt2", padding_side="left")
                    self.tok.pad_token = self.tok.eos_token
                    self.lm = AutoModelForCausalLM.from_pretrained("gpt2")

                def __call__(self, questions):
                    batch = self.tok(questions, padding=True, return_tensors="pt")
                    return self.lm.generate(inputs=batch["input_ids"], do_sample=False, max_new_tokens=16)
        """, line=10),
        Invalid("""
            from transformers import AutoModelForCausalLM, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("gpt2", padding_side="left")
            tokenizer.pad_token = tokenizer.eos_token
            model = AutoModelForCausalLM.from_pretrained("gpt2")
            texts = ["a", "b c", "d e f"]
            for i in range(0, len(texts), 2):
                input_ids = tokenizer(texts[i:i + 2], padding=True, return_tensors="pt")["input_ids"]
                out = model.generate(input_ids, max_new_tokens=8)
        """, line=8),
    ]

    @staticmethod
    def may_match(features) -> bool:
        return features.may_hold_objects and "generate" in features.calls and "padding" in features.keywords

    def check(self) -> Iterable[Report]:
        facts = self.ctx.facts
        for scope in facts.scopes:
            for site in scope.calls:
                if site.name != "generate" or site.via or not isinstance(site.receiver, HFObject) \
                        or site.receiver.role != "model":
                    continue
                call = site.node
                if any(a.star for a in call.args) or _keyword(call, "attention_mask") is not None:
                    continue
                positional = [a for a in call.args if a.keyword is None]
                ids = positional[0] if positional else _keyword(call, "input_ids") or _keyword(call, "inputs")
                value = facts.value_of(ids.value) if ids is not None else None
                if not isinstance(value, Field) or value.key != "input_ids":
                    continue
                padding = pads(value.encoding)
                if padding is None or not self._mask_not_inferred(site.receiver, value.encoding.tokenizer):
                    continue
                enc = value.encoding.names[0] if value.encoding.names else "enc"
                yield self.report(call, self.message.format(
                    call=f"{dotted_name(call.func) or 'generate'}(...)", padding=padding,
                    line=self.at(value.encoding.call, "the batch is padded here"), enc=enc,
                    mask=f"{enc}[\"attention_mask\"]" if value.encoding.names else "..."))

    @staticmethod
    def _mask_not_inferred(model: HFObject, tokenizer) -> bool:
        """``generate`` infers the mask from the pad token unless the pad token is the EOS token
        (``GenerationMixin._prepare_attention_mask_for_generation``, transformers 5.24): the pad token was set to
        EOS, or a decoder-only model's tokenizer sets no distinct one (they have none of their own)."""
        if isinstance(tokenizer, HFObject):
            for use in reversed(tokenizer.uses):
                if use.kind == "attr_store" and use.name in ("pad_token", "pad_token_id"):
                    return isinstance(use.value_node, cst.Attribute) and use.value_node.attr.value.startswith("eos")
                if use.kind == "method" and use.name == "add_special_tokens" and use.call is not None and use.call.args:
                    text = cst.Module([]).code_for_node(use.call.args[0].value)
                    if "pad_token" in text:
                        return "eos" in text
        return is_decoder_only(model)


# ---------------------------------------------------------------------------------------------- HF610

class ChatModelPromptWithoutTemplate(Rule):
    """A chat or instruction-tuned checkpoint generates from raw text, without its chat template.

    ## What it does
    Reports `model.generate(...)` on a model loaded from a chat/instruct checkpoint (`*-Instruct`,
    `*-chat`, `*-it`, a bundled list) when its input is a tokenizer call on plain text and the file never
    calls `apply_chat_template`. Off by default: base-style prompting of an instruct model is sometimes
    intended (completion benchmarks, prompt formats written by hand).

    ## Why is this bad?
    Chat models are fine-tuned on conversations wrapped in role markers and special tokens. Raw text
    is out of distribution: answers ramble, ignore the instruction, or never stop.

    ## Example
    ```python
    inputs = tokenizer("What is the capital of France?", return_tensors="pt")
    out = model.generate(**inputs, max_new_tokens=50)
    ```

    ## Use instead
    ```python
    messages = [{"role": "user", "content": "What is the capital of France?"}]
    inputs = tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt",
                                           return_dict=True)
    out = model.generate(**inputs, max_new_tokens=50)
    ```
    """

    code = "HF610"
    name = "chat-model-prompt-without-template"
    message = "`{call}` runs the chat model '{checkpoint}' on raw text ({line}) without its chat template; " \
              "format the prompt with `tokenizer.apply_chat_template(messages, add_generation_prompt=True)`"
    default_enabled = False

    VALID = [
        Valid("""
            from transformers import AutoModelForCausalLM, AutoTokenizer
            tok = AutoTokenizer.from_pretrained("Qwen/Qwen2.5-0.5B-Instruct")
            model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B-Instruct")
            messages = [{"role": "user", "content": "Hi"}]
            inputs = tok.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt",
                                             return_dict=True)
            out = model.generate(**inputs, max_new_tokens=20)
        """),
        Valid("""
            # a base model completes raw text
            from transformers import AutoModelForCausalLM, AutoTokenizer
            tok = AutoTokenizer.from_pretrained("Qwen/Qwen2.5-0.5B")
            model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B")
            out = model.generate(**tok("The capital of France is", return_tensors="pt"), max_new_tokens=5)
        """),
        Valid("""
            from transformers import AutoModelForCausalLM, AutoTokenizer
            tok = AutoTokenizer.from_pretrained("meta-llama/Llama-2-7b-chat-hf")
            model = AutoModelForCausalLM.from_pretrained("meta-llama/Llama-2-7b-chat-hf")
            text = tok.apply_chat_template([{"role": "user", "content": "Hi"}], tokenize=False)
            out = model.generate(**tok(text, add_special_tokens=False, return_tensors="pt"), max_new_tokens=20)
        """),
        Valid("""
            import sys
            from transformers import AutoModelForCausalLM, AutoTokenizer
            tok = AutoTokenizer.from_pretrained(sys.argv[1])
            model = AutoModelForCausalLM.from_pretrained(sys.argv[1])
            out = model.generate(**tok("Hello", return_tensors="pt"), max_new_tokens=5)
        """),
        Valid("""
            from transformers import AutoModelForCausalLM, AutoTokenizer
            tok = AutoTokenizer.from_pretrained("google/gemma-2-2b-it")
            model = AutoModelForCausalLM.from_pretrained("google/gemma-2-2b-it")
            def chat(messages):
                prompt = tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
                return model.generate(**tok(prompt, add_special_tokens=False, return_tensors="pt"),
                                      max_new_tokens=64)
        """),
        Valid("""
            # a prompt format written by hand
            from transformers import AutoModelForCausalLM, AutoTokenizer
            tok = AutoTokenizer.from_pretrained("mistralai/Mistral-7B-Instruct-v0.2")
            model = AutoModelForCausalLM.from_pretrained("mistralai/Mistral-7B-Instruct-v0.2")
            out = model.generate(**tok("[INST] Hi [/INST]", return_tensors="pt"), max_new_tokens=20)
        """),
    ]
    INVALID = [
        Invalid("""
            from transformers import AutoModelForCausalLM, AutoTokenizer
            tok = AutoTokenizer.from_pretrained("Qwen/Qwen2.5-0.5B-Instruct")
            model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B-Instruct")
            inputs = tok("What is the capital of France?", return_tensors="pt")
            out = model.generate(**inputs, max_new_tokens=50)
        """, line=5, message="runs the chat model 'Qwen/Qwen2.5-0.5B-Instruct' on raw text (line 4)"),
        Invalid("""
            from transformers import AutoModelForCausalLM, AutoTokenizer
            MODEL = "meta-llama/Llama-2-7b-chat-hf"
            tokenizer = AutoTokenizer.from_pretrained(MODEL)
            model = AutoModelForCausalLM.from_pretrained(MODEL)
            def answer(question):
                ids = tokenizer(f"Question: {question}\\nAnswer:", return_tensors="pt").input_ids
                return model.generate(ids, max_new_tokens=64)
        """, line=7),
        Invalid("""
            from transformers import AutoModelForCausalLM, AutoTokenizer
            tok = AutoTokenizer.from_pretrained("google/gemma-2-2b-it")
            model = AutoModelForCausalLM.from_pretrained("google/gemma-2-2b-it")
            prompts = ["Tell me a joke", "Write a haiku"]
            batch = tok(prompts, padding=True, return_tensors="pt")
            out = model.generate(**batch, max_new_tokens=40)
        """, line=6),
        Invalid("""
            from transformers import AutoModelForCausalLM, AutoTokenizer
            tok = AutoTokenizer.from_pretrained("HuggingFaceH4/zephyr-7b-beta")
            model = AutoModelForCausalLM.from_pretrained("HuggingFaceH4/zephyr-7b-beta")
            out = model.generate(**tok("Summarize: the cat sat", return_tensors="pt"), max_new_tokens=40)
        """, line=4),
        Invalid("""
            from transformers import AutoModelForCausalLM, AutoTokenizer
            class Bot:
                def __init__(self):
                    self.tokenizer = AutoTokenizer.from_pretrained("microsoft/Phi-3-mini-4k-instruct")
                    self.model = AutoModelForCausalLM.from_pretrained("microsoft/Phi-3-mini-4k-instruct")

                def reply(self, text):
                    inputs = self.tokenizer(text, return_tensors="pt")
                    return self.model.generate(**inputs, max_new_tokens=100)
        """, line=9),
        Invalid("""
            from transformers import AutoModelForCausalLM, AutoTokenizer
            tok = AutoTokenizer.from_pretrained("TinyLlama/TinyLlama-1.1B-Chat-v1.0")
            model = AutoModelForCausalLM.from_pretrained("TinyLlama/TinyLlama-1.1B-Chat-v1.0")
            enc = tok(["Hi there"], return_tensors="pt")
            out = model.generate(enc["input_ids"], attention_mask=enc["attention_mask"], max_new_tokens=20)
        """, line=5),
    ]

    @staticmethod
    def may_match(features) -> bool:
        return features.may_hold_objects and "generate" in features.calls \
            and "apply_chat_template" not in features.calls

    def check(self) -> Iterable[Report]:
        facts = self.ctx.facts
        for scope in facts.scopes:
            for site in scope.calls:
                model = site.receiver
                if site.name != "generate" or site.via or not isinstance(model, HFObject) or model.role != "model":
                    continue
                encodings = [enc for a in site.node.args if (enc := encoding_of(facts.value_of(a.value)))]
                for enc in encodings[:1]:
                    tok = enc.tokenizer
                    if not isinstance(tok, HFObject) or tok.role != "tokenizer":
                        continue  # processors build multimodal prompts their own way
                    checkpoint = model.checkpoint or (tok.checkpoint if isinstance(tok, HFObject) else None)
                    if not checkpoint or not knowledge.is_chat_checkpoint(checkpoint) or self._templated(enc):
                        continue
                    yield self.report(site.node, self.message.format(
                        call=f"{dotted_name(site.node.func) or 'generate'}(...)", checkpoint=checkpoint,
                        line=self.at(enc.call, "the raw text is tokenized here")))

    def _templated(self, enc) -> bool:
        """The text carries a prompt format: rendered by a template, or written by hand with role markers (in the
        argument or in what the name it is was bound to)."""
        if isinstance(enc.text, ChatTemplate):
            return True
        node = text_node(enc.call)
        if node is None:
            return True  # nothing to look at: do not guess
        sources = [self.ctx.module.code_for_node(node)]
        if isinstance(node, cst.Name):
            for scope in self.ctx.facts.scopes:
                for binding in scope.bindings.get(node.value, ()):
                    if isinstance(binding.node, (cst.Assign, cst.AnnAssign)) and binding.node.value is not None:
                        sources.append(self.ctx.module.code_for_node(binding.node.value))
        return any(marker in text for text in sources for marker in _PROMPT_FORMAT_MARKERS)


# Role markers of hand-written prompt formats (Llama 2, ChatML, Zephyr, Gemma, Llama 3, Alpaca, Vicuna, IDEFICS).
_PROMPT_FORMAT_MARKERS = ("[INST]", "<|im_start|>", "<|user|>", "<|assistant|>", "<start_of_turn>", "<|system|>",
                          "<|start_header_id|>", "### Instruction", "### Response", "### Human", "Human:", "User:",
                          "USER:", "Assistant:", "ASSISTANT:", "<end_of_utterance>")
