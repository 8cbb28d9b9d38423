"""HF3xx — vocabulary and embeddings: tokens added to a tokenizer must get embedding rows."""
from __future__ import annotations

import os
import re
from typing import Iterable, Optional

from ..lazy_libcst import cst

from .. import knowledge
from ..analysis.flow import Branch, runs_whenever
from ..analysis.scopes import Scope, dotted_name
from ..analysis.values import Const, Dict, HFObject, QName, Seq, Str, UNKNOWN, Use
from .base import Invalid, Replacement, Report, Rule, Valid

ADD_METHODS = ("add_tokens", "add_special_tokens")
# Handing the model to one of these is using it with the vocabulary it has.
_CONSUMER_SUFFIXES = ("Trainer", "pipeline", ".prepare")
_USE_METHODS = frozenset({"generate", "forward", "save_pretrained", "push_to_hub"})


def same_local_folder(a: Optional[str], b: Optional[str]) -> bool:
    """Two checkpoint strings naming the same local folder (``./out`` and ``out/``)."""
    if not a or not b or not knowledge.is_local_path(a) or not knowledge.is_local_path(b):
        return False
    return os.path.normpath(os.path.expanduser(a)) == os.path.normpath(os.path.expanduser(b))


def _existing_token_ref(node: cst.CSTNode, facts) -> bool:
    """``tok.eos_token`` and friends: a token the tokenizer already has."""
    return isinstance(node, cst.Attribute) and node.attr.value.endswith("_token") \
        and isinstance(facts.value_of(node.value), HFObject)


def added_strings(call: cst.Call, tokenizer: HFObject, facts, argument=UNKNOWN) -> Optional[list[str]]:
    """The new token strings an add call may add; [] when it adds nothing new; None when unknown. ``argument`` is the
    call's first argument as a helper's call site passed it (``Use.value`` of a use ``via`` a function)."""
    if not call.args:
        return []
    method = call.func.attr.value if isinstance(call.func, cst.Attribute) else ""
    arg = call.args[0]
    value = argument if argument is not UNKNOWN else facts.value_of(arg.value)
    if method == "add_tokens":
        if isinstance(value, Str):
            return [value.value]
        if isinstance(value, Seq):
            return [v.value if isinstance(v, Str) else "?" for v in value.items]
        return ["?"]  # add_tokens exists to add; an unresolved list still adds
    if not isinstance(value, Dict):
        return None
    family = knowledge.family_of(tokenizer.checkpoint) if tokenizer.checkpoint else None
    builtin = set(knowledge.family_info(family)["special_tokens"]) if family else set()
    new: list[str] = []
    for key, v, element in value.items:
        vnode = element.value
        if _existing_token_ref(vnode, facts):
            continue
        items = v.items if isinstance(v, Seq) else (v,)
        for item in items:
            if isinstance(item, Str):
                if item.value not in builtin:
                    new.append(item.value)
            else:
                return None
    return new


def _guard_mentions(test: cst.CSTNode, names: set[str]) -> bool:
    """Whether an ``if`` test refers to one of ``names`` or to ``len(...)``: a guard on what was added."""
    stack = [test]
    while stack:
        n = stack.pop()
        if isinstance(n, cst.Name) and (n.value in names or n.value == "len"):
            return True
        if isinstance(n, cst.Attribute) and n.attr.value in names:
            return True
        for attr in ("left", "right", "value", "expression", "func", "comparator", "test", "body", "orelse"):
            child = getattr(n, attr, None)
            if isinstance(child, cst.CSTNode):
                stack.append(child)
        for attr in ("comparisons", "args"):
            for child in getattr(n, attr, ()) or ():
                stack.append(child)
    return False


def resize_runs_after(resize_cond: tuple, add_cond: tuple, guard_names: set[str]) -> bool:
    """A resize at ``resize_cond`` runs whenever the add at ``add_cond`` did: on every path after it, or only
    skipped by an ``if`` on what was added (``if num_added > 0:``, ``if len(tokenizer) > ...:``)."""
    def excused(branch: Branch) -> bool:
        return branch.kind == "if" and branch.arm == "body" and _guard_mentions(branch.test, guard_names)

    return runs_whenever(resize_cond, add_cond, excused)


class AddTokensWithoutResize(Rule):
    """Tokens are added to a tokenizer, but the model it feeds never gets embedding rows for them.

    ## What it does
    Reports `tokenizer.add_tokens(...)` or `tokenizer.add_special_tokens(...)` (when it can add a token)
    on a tokenizer paired with a model in the same scope, when no `model.resize_token_embeddings(...)`
    follows it on every path before the model is used, returned, saved or handed to a `Trainer`.

    ## Why is this bad?
    The new tokens get ids `len(tokenizer) - n ... len(tokenizer) - 1`, past the last row of the
    model's embedding matrix. On CPU the forward pass fails with `IndexError: index out of range in
    self`; on GPU with a device-side assert far from the cause.

    ## Example
    ```python
    tokenizer = AutoTokenizer.from_pretrained("bert-base-cased")
    model = AutoModel.from_pretrained("bert-base-cased")
    tokenizer.add_tokens(["COVID"])
    outputs = model(**tokenizer("COVID cases", return_tensors="pt"))
    ```

    ## Use instead
    ```python
    tokenizer = AutoTokenizer.from_pretrained("bert-base-cased")
    model = AutoModel.from_pretrained("bert-base-cased")
    tokenizer.add_tokens(["COVID"])
    model.resize_token_embeddings(len(tokenizer))
    outputs = model(**tokenizer("COVID cases", return_tensors="pt"))
    ```
    """

    code = "HF301"
    name = "add-tokens-without-resize"
    message = "`{tokenizer}.{method}(...)` adds tokens but `{model}` ({line}) is not resized {when}; " \
              "call `{model}.resize_token_embeddings(len({tokenizer}))`"
    # A tokenizer changed or a model made by one of the file's functions (`Use.via`, `HFObject.via`).
    message_via_add = "`{via}(...)` adds tokens to `{tokenizer}` (`{method}` at {inner}) but `{model}` " \
                      "({line}) is not resized {when}; call `{model}.resize_token_embeddings(len({tokenizer}))`"
    message_via_model = "`{tokenizer}.{method}(...)` adds tokens but the model `{via}()` builds ({line}) is " \
                        "not resized {when}; resize it in `{via}` before it is returned: " \
                        "`model.resize_token_embeddings(len({tokenizer}))`"
    fixable = "unsafe"

    VALID = [
        Valid("""
            from transformers import AutoModel, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("bert-base-cased")
            model = AutoModel.from_pretrained("bert-base-cased")
            tokenizer.add_tokens(["COVID"])
            model.resize_token_embeddings(len(tokenizer))
            outputs = model(**tokenizer("COVID cases", return_tensors="pt"))
        """),
        Valid("""
            from transformers import AutoModelForCausalLM, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("gpt2")
            model = AutoModelForCausalLM.from_pretrained("gpt2")
            tokenizer.add_special_tokens({"pad_token": tokenizer.eos_token})
            tokenizer.pad_token = tokenizer.eos_token
            out = model.generate(**tokenizer(["hi"], return_tensors="pt"))
        """),
        Valid("""
            # a tokenizer preparation script: no model in scope
            from transformers import AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("roberta-base")
            tokenizer.add_tokens(["<url>", "<user>"])
            tokenizer.save_pretrained("./tok")
        """),
        Valid("""
            from transformers import AutoModelForSequenceClassification, AutoTokenizer
            def load(name):
                tok = AutoTokenizer.from_pretrained(name)
                model = AutoModelForSequenceClassification.from_pretrained(name)
                num_added = tok.add_special_tokens({"additional_special_tokens": ["[E1]", "[/E1]"]})
                if num_added > 0:
                    model.resize_token_embeddings(len(tok))
                return model, tok
        """),
        Valid("""
            from transformers import BertModel, BertTokenizer
            tokenizer = BertTokenizer.from_pretrained("bert-base-uncased")
            tokenizer.add_special_tokens({"pad_token": "[PAD]"})  # BERT already has [PAD]
            model = BertModel.from_pretrained("bert-base-uncased")
            print(model(**tokenizer("hello", return_tensors="pt")))
        """),
        Valid("""
            from transformers import AutoModelForMaskedLM, AutoTokenizer, Trainer
            tokenizer = AutoTokenizer.from_pretrained("bert-base-cased")
            model = AutoModelForMaskedLM.from_pretrained("bert-base-cased")
            for word in ["COVID", "mRNA"]:
                tokenizer.add_tokens(word)
            model.resize_token_embeddings(len(tokenizer), pad_to_multiple_of=8)
            trainer = Trainer(model=model, processing_class=tokenizer)
        """),
        Valid("""
            from transformers import AutoModel, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("bert-base-cased")
            tokenizer.add_tokens(["COVID"])
            # the fine-tuned checkpoint was saved after resizing
            model = AutoModel.from_pretrained("./outputs/covid-bert")
            outputs = model(**tokenizer("COVID", return_tensors="pt"))
        """),
        Valid("""
            from transformers import AutoModel, AutoTokenizer
            def prepare(model, tokenizer):
                tokenizer.add_tokens(["<x>"])
                model.resize_token_embeddings(len(tokenizer))
            tokenizer = AutoTokenizer.from_pretrained("roberta-base")
            model = AutoModel.from_pretrained("roberta-base")
            tokenizer.add_tokens(["<y>"])
            prepare(model, tokenizer)
            model(**tokenizer("x <y>", return_tensors="pt"))
        """),
        Valid("""
            # model_init resizes the model it builds before returning it
            from transformers import AutoModelForTokenClassification, AutoTokenizer, Trainer, TrainingArguments
            NAME = "bert-base-cased"
            tok = AutoTokenizer.from_pretrained(NAME)
            tok.add_tokens(["[ENT]", "[/ENT]"])
            def make_model(trial=None):
                model = AutoModelForTokenClassification.from_pretrained(NAME, num_labels=5)
                model.resize_token_embeddings(len(tok))
                return model
            args = TrainingArguments("out")
            Trainer(model_init=make_model, args=args, processing_class=tok).hyperparameter_search()
        """),
        Valid("""
            # a method that resizes counts as the resize where it is called
            from transformers import AutoModel, AutoTokenizer
            class Encoder:
                def __init__(self):
                    self.tokenizer = AutoTokenizer.from_pretrained("bert-base-cased")
                    self.encoder = AutoModel.from_pretrained("bert-base-cased")
                    self.tokenizer.add_tokens(["[ENT]"])
                    self.grow(len(self.tokenizer))

                def grow(self, n):
                    self.encoder.resize_token_embeddings(n)

                def __call__(self, text):
                    return self.encoder(**self.tokenizer(text, return_tensors="pt"))
        """),
        Valid("""
            from transformers import AutoModelForCausalLM, AutoTokenizer
            def add_markers(tok, model):
                tok.add_special_tokens({"additional_special_tokens": ["<|user|>", "<|bot|>"]})
                model.resize_token_embeddings(len(tok))
            tokenizer = AutoTokenizer.from_pretrained("gpt2")
            model = AutoModelForCausalLM.from_pretrained("gpt2")
            add_markers(tokenizer, model)
            out = model.generate(**tokenizer(["<|user|> hi"], return_tensors="pt"), max_new_tokens=8)
        """),
        Valid("""
            # two different local folders: the saved model may already have the rows
            from transformers import AutoModelForSequenceClassification, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("./tokenizer-with-markers")
            tokenizer.add_tokens(["<x>"])
            model = AutoModelForSequenceClassification.from_pretrained("./finetuned-model")
            logits = model(**tokenizer("a <x>", return_tensors="pt")).logits
        """),
        Valid("""
            from transformers import AutoModelForSequenceClassification, AutoTokenizer
            OUTPUT_DIR = "./outputs/checkpoint-500"
            tokenizer = AutoTokenizer.from_pretrained(OUTPUT_DIR)
            model = AutoModelForSequenceClassification.from_pretrained(OUTPUT_DIR)
            tokenizer.add_tokens(["<x>"])
            model.resize_token_embeddings(len(tokenizer))
            logits = model(**tokenizer("a <x>", return_tensors="pt")).logits
        """),
        Valid("""
            import torch
            from transformers import AutoTokenizer, BertModel, BertPreTrainedModel
            class Tagger(BertPreTrainedModel):
                def __init__(self, config):
                    super().__init__(config)
                    self.bert = BertModel(config)
                    self.head = torch.nn.Linear(config.hidden_size, 9)
            tokenizer = AutoTokenizer.from_pretrained("bert-base-cased")
            tokenizer.add_tokens(["[E1]"])
            model = Tagger.from_pretrained("bert-base-cased")
            model.resize_token_embeddings(len(tokenizer))
            print(model(**tokenizer("x [E1]", return_tensors="pt")))
        """),
    ]
    INVALID = [
        Invalid("""
            from transformers import AutoModel, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("bert-base-cased")
            model = AutoModel.from_pretrained("bert-base-cased")
            tokenizer.add_tokens(["COVID"])
            outputs = model(**tokenizer("COVID cases", return_tensors="pt"))
        """, line=4, message="`tokenizer.add_tokens(...)` adds tokens but `model` (line 3)", fixed="""
            from transformers import AutoModel, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("bert-base-cased")
            model = AutoModel.from_pretrained("bert-base-cased")
            tokenizer.add_tokens(["COVID"])
            model.resize_token_embeddings(len(tokenizer))
            outputs = model(**tokenizer("COVID cases", return_tensors="pt"))
        """),
        Invalid("""
            from transformers import AutoConfig, AutoModelForQuestionAnswering, AutoTokenizer
            model_name = "bert-base-cased"
            tokenizer = AutoTokenizer.from_pretrained(model_name)
            model = AutoModelForQuestionAnswering.from_pretrained(model_name)
            special_tokens_dict = {"additional_special_tokens": ["[S1]", "[S2]", "[S3]"]}
            num_added_toks = tokenizer.add_special_tokens(special_tokens_dict)
            model.save_pretrained("./qa-model")
        """, line=6, message="before it is saved"),
        Invalid("""
            from transformers import AutoModelForCausalLM, AutoTokenizer, Trainer
            tokenizer = AutoTokenizer.from_pretrained("gpt2")
            model = AutoModelForCausalLM.from_pretrained("gpt2")
            tokenizer.add_special_tokens({"pad_token": "[PAD]"})
            trainer = Trainer(model=model, processing_class=tokenizer)
            trainer.train()
        """, line=4, message="handed to `Trainer`", fixed="""
            from transformers import AutoModelForCausalLM, AutoTokenizer, Trainer
            tokenizer = AutoTokenizer.from_pretrained("gpt2")
            model = AutoModelForCausalLM.from_pretrained("gpt2")
            tokenizer.add_special_tokens({"pad_token": "[PAD]"})
            model.resize_token_embeddings(len(tokenizer))
            trainer = Trainer(model=model, processing_class=tokenizer)
            trainer.train()
        """),
        Invalid("""
            from transformers import AutoModel, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("roberta-base")
            model = AutoModel.from_pretrained("roberta-base")
            model.resize_token_embeddings(len(tokenizer))
            tokenizer.add_tokens(["<url>"])
            out = model(**tokenizer("see <url>", return_tensors="pt"))
        """, line=5),
        Invalid("""
            from transformers import AutoModelForSequenceClassification, AutoTokenizer
            class Classifier:
                def __init__(self, name="bert-base-uncased"):
                    self.tokenizer = AutoTokenizer.from_pretrained(name)
                    self.model = AutoModelForSequenceClassification.from_pretrained(name)
                    self.tokenizer.add_tokens(["[URL]"])
                    if self.use_gpu:
                        self.model.resize_token_embeddings(len(self.tokenizer))
                    self.model.eval()

                def predict(self, text):
                    return self.model(**self.tokenizer(text, return_tensors="pt"))
        """, line=6, fixed="""
            from transformers import AutoModelForSequenceClassification, AutoTokenizer
            class Classifier:
                def __init__(self, name="bert-base-uncased"):
                    self.tokenizer = AutoTokenizer.from_pretrained(name)
                    self.model = AutoModelForSequenceClassification.from_pretrained(name)
                    self.tokenizer.add_tokens(["[URL]"])
                    self.model.resize_token_embeddings(len(self.tokenizer))
                    if self.use_gpu:
                        self.model.resize_token_embeddings(len(self.tokenizer))
                    self.model.eval()

                def predict(self, text):
                    return self.model(**self.tokenizer(text, return_tensors="pt"))
        """),
        Invalid("""
            from transformers import AutoModelForMaskedLM, AutoTokenizer
            def build():
                tok = AutoTokenizer.from_pretrained("distilbert-base-uncased")
                tok.add_tokens(["covid19"])
                model = AutoModelForMaskedLM.from_pretrained("distilbert-base-uncased")
                return model, tok
        """, line=4, message="before it is returned"),
        Invalid("""
            import transformers as tf
            tokenizer = tf.AutoTokenizer.from_pretrained("t5-small")
            model = tf.AutoModelForSeq2SeqLM.from_pretrained("t5-small")
            new_tokens = ["<sep>", "<hl>"]
            tokenizer.add_tokens(new_tokens)
            summary = model.generate(**tokenizer(["a <hl> b"], return_tensors="pt"))
        """, line=5),
        Invalid("""
            from transformers import AutoModelForTokenClassification, AutoTokenizer, Trainer, TrainingArguments
            NAME = "bert-base-cased"
            tok = AutoTokenizer.from_pretrained(NAME)
            tok.add_tokens(["[ENT]", "[/ENT]"])
            def make_model(trial=None):
                return AutoModelForTokenClassification.from_pretrained(NAME, num_labels=5)
            args = TrainingArguments("out")
            Trainer(model_init=make_model, args=args, processing_class=tok).hyperparameter_search()
        """, line=4, message="the model `make_model()` builds (line 8) is not resized before it is handed to `Trainer`"),
        Invalid("""
            from transformers import AutoModelForSequenceClassification, AutoTokenizer, Trainer
            checkpoint = "roberta-base"
            tokenizer = AutoTokenizer.from_pretrained(checkpoint)
            tokenizer.add_special_tokens({"additional_special_tokens": ["<e>", "</e>"]})
            trainer = Trainer(
                model_init=lambda: AutoModelForSequenceClassification.from_pretrained(checkpoint),
                processing_class=tokenizer,
            )
        """, line=4, message="`<lambda>()`"),
        Invalid("""
            from transformers import AutoModelForCausalLM, AutoTokenizer
            def with_markers(tok):
                tok.add_tokens(["<x>", "<y>"])
                return tok
            tokenizer = with_markers(AutoTokenizer.from_pretrained("gpt2"))
            model = AutoModelForCausalLM.from_pretrained("gpt2")
            out = model.generate(**tokenizer(["a <x>"], return_tensors="pt"), max_new_tokens=4)
        """, line=5, message="`with_markers(...)` adds tokens to `tokenizer` (`add_tokens` at line 3)"),
        Invalid("""
            from transformers import AutoModel, AutoTokenizer
            class Encoder:
                def __init__(self, name="bert-base-uncased"):
                    self.tokenizer = AutoTokenizer.from_pretrained(name)
                    self.model = AutoModel.from_pretrained(name)
                    self.add_entity_markers()

                def add_entity_markers(self):
                    self.tokenizer.add_special_tokens({"additional_special_tokens": ["[E1]", "[/E1]"]})

                def encode(self, text):
                    return self.model(**self.tokenizer(text, return_tensors="pt"))
        """, line=6, message="`add_entity_markers(...)` adds tokens to `self.tokenizer`"),
        Invalid("""
            from transformers import AutoModelForSequenceClassification, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("./outputs/my-model")
            model = AutoModelForSequenceClassification.from_pretrained("./outputs/my-model")
            tokenizer.add_tokens(["<x>"])
            logits = model(**tokenizer("a <x>", return_tensors="pt")).logits
        """, line=4),
        Invalid("""
            from transformers import AutoModelForCausalLM, AutoTokenizer
            OUTPUT_DIR = "/data/runs/sft/final"
            def load():
                tokenizer = AutoTokenizer.from_pretrained(OUTPUT_DIR)
                tokenizer.add_special_tokens({"pad_token": "<pad>"})
                model = AutoModelForCausalLM.from_pretrained(OUTPUT_DIR)
                return model, tokenizer
        """, line=5, message="before it is returned"),
        Invalid("""
            import torch
            from transformers import AutoTokenizer, BertModel, BertPreTrainedModel
            class Tagger(BertPreTrainedModel):
                def __init__(self, config):
                    super().__init__(config)
                    self.bert = BertModel(config)
                    self.head = torch.nn.Linear(config.hidden_size, 9)
            tokenizer = AutoTokenizer.from_pretrained("bert-base-cased")
            tokenizer.add_tokens(["[E1]"])
            model = Tagger.from_pretrained("bert-base-cased")
            print(model(**tokenizer("x [E1]", return_tensors="pt")))
        """, line=9),
    ]

    @staticmethod
    def may_match(features) -> bool:
        return "add_tokens" in features.calls or "add_special_tokens" in features.calls

    def check(self) -> Iterable[Report]:
        facts = self.ctx.facts
        for tok in facts.objects:
            if tok.role != "tokenizer":
                continue
            models = facts.models_paired_with(tok)
            if not models:
                continue
            for model in models:
                # one finding per missing resize: at the first add it misses, naming the later ones
                missed = [(use, report) for use in tok.uses
                          if use.kind == "method" and use.name in ADD_METHODS
                          and added_strings(use.call, tok, facts, use.value if use.via else UNKNOWN)
                          for report in [self._check_add(tok, model, use)] if report is not None]
                if missed:
                    report = missed[0][1]
                    if len(missed) > 1:
                        refs = []
                        for u, _ in missed[1:]:
                            refs.append(f"{{@{len(report.related)}}}")
                            report.related.append((u.site, "tokens are also added here"))
                        report.message += f" (tokens are also added at {', '.join(refs)})"
                    self._add_resize_fix(report, model, missed[-1][0])
                    yield report
                    break

    def _check_add(self, tok: HFObject, model: HFObject, add: Use) -> Optional[Report]:
        if model.origin != "from_pretrained":
            return None
        if model.born_resized and (model.scope is not add.scope or model.seq > add.seq):
            return None  # built after the add by a function that resizes it (a model_init)
        if model.checkpoint is not None and knowledge.is_local_path(model.checkpoint) \
                and not same_local_folder(model.checkpoint, tok.checkpoint):
            return None  # a fine-tune saved after resizing already has the rows for the tokenizer it was saved with
        scope: Scope = add.scope
        guard = {n.split(".")[-1] for n in tok.names}
        for name, bindings in scope.bindings.items():
            if any(isinstance(b.node, cst.Assign) and b.node.value is add.call for b in bindings):
                guard.add(name)
        first_use = self._first_use(model, tok, add, scope)
        if first_use == "may-resize":
            return None
        limit = first_use[0] if first_use else None
        for site in scope.calls:
            if site.seq <= add.seq or (limit is not None and site.seq >= limit):
                continue
            if site.name == "resize_token_embeddings" and resize_runs_after(site.cond, add.cond, guard):
                return None
        line = self.at(model.node, "the model is loaded here")
        if first_use is None:
            when = "afterwards"
        else:
            note = first_use[1].replace("it is", "the model is", 1) + " here"
            when = f"before {first_use[1]} ({self.at(first_use[2], note)})"
        tok_label = _label(add.call.func.value) if isinstance(add.call.func, cst.Attribute) and not add.via \
            else tok.label()
        model_label = model.names[0] if model.names else "model"
        fields = dict(tokenizer=tok_label, method=add.name, model=model_label, line=line, when=when)
        if model.via and not model.names:
            message = self.message_via_model.format(via=model.via, **fields)
        elif add.via:
            message = self.message_via_add.format(via=add.via, inner=self.at(add.call, "the tokens are added here"),
                                                  **fields)
        else:
            message = self.message.format(**fields)
        return self.report(add.site, message,
                           data={"tokenizer_checkpoint": tok.checkpoint, "model_checkpoint": model.checkpoint})

    def _add_resize_fix(self, report: Report, model: HFObject, last_add: Use) -> None:
        """Unsafe fix: a resize on its own line after the statement of the last add, when the model exists there."""
        if model.scope is not last_add.scope or model.seq >= last_add.seq or not model.names or last_add.via \
                or not isinstance(last_add.call.func, cst.Attribute):
            return
        stmt = self.ctx.facts.statement_of(last_add.call)
        if stmt is None or len(stmt.body) != 1 or type(stmt.body[0]).__name__ in _FLOW_STATEMENTS:
            return  # `if x: tok.add_tokens(...)`, `a(); b()`, `return tok.add_tokens(...)`: no clean place
        model_label, tok_label = model.names[0], _label(last_add.call.func.value)
        resize = f"{model_label}.resize_token_embeddings(len({tok_label}))"
        report.replacements.append(Replacement(stmt, resize, insert_after=True))
        report.fix_safe = False
        report.fix_message = f"Insert `{resize}`"

    def _first_use(self, model: HFObject, tok: HFObject, add: Use, scope: Scope):
        """(seq, description) of the model's first use after the add, "may-resize", or None. A helper of the file
        given both is followed through its summary (its resizes and uses are the model's uses at the call); any
        other function given both may resize."""
        tok_uses = {u.call for u in tok.uses if u.kind == "arg" and u.call is not None and u.scope is scope}
        for use in model.uses:
            if use.scope is not scope or use.seq <= add.seq:
                continue
            if use.kind == "call" or (use.kind == "method" and use.name in _USE_METHODS):
                verb = "it is saved" if use.name in ("save_pretrained", "push_to_hub") else "it is used"
                return use.seq, verb, use.node
            if use.kind == "return":
                return use.seq, "it is returned", use.node
            if use.kind == "arg" and use.callee:
                if use.callee.endswith(_CONSUMER_SUFFIXES) or use.callee.rsplit(".", 1)[-1].endswith("Trainer"):
                    return use.seq, f"it is handed to `{use.callee.rsplit('.', 1)[-1]}`", use.node
                if use.call in tok_uses and (use.via or not self.ctx.facts.is_summarized(use.call)):
                    return "may-resize"
        return None


def _label(node: cst.CSTNode) -> str:
    return dotted_name(node) or "tokenizer"


_FLOW_STATEMENTS = ("Return", "Raise", "Break", "Continue")  # names: libcst is imported only when a file is parsed


class ResizeToWrongSize(Rule):
    """The embedding matrix is resized to a size that leaves out the added tokens.

    ## What it does
    Reports `model.resize_token_embeddings(tokenizer.vocab_size)`, or an integer literal, after
    tokens were added to the tokenizer.

    ## Why is this bad?
    `tokenizer.vocab_size` is the size of the base vocabulary and does not count added tokens, so
    the new ids are still out of range (`IndexError: index out of range in self`). A hard-coded
    number goes stale as soon as the token list changes. `len(tokenizer)` counts everything.

    ## Example
    ```python
    tokenizer.add_tokens(["COVID"])
    model.resize_token_embeddings(tokenizer.vocab_size)
    ```

    ## Use instead
    ```python
    tokenizer.add_tokens(["COVID"])
    model.resize_token_embeddings(len(tokenizer))
    ```
    """

    code = "HF302"
    name = "resize-to-wrong-size"
    message = "`resize_token_embeddings({arg})` after tokens were added at {line}: {why}; use `len({tokenizer})`"
    fixable = "safe"

    VALID = [
        Valid("""
            from transformers import AutoModel, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("bert-base-cased")
            model = AutoModel.from_pretrained("bert-base-cased")
            tokenizer.add_tokens(["COVID"])
            model.resize_token_embeddings(len(tokenizer))
        """),
        Valid("""
            from transformers import AutoModel, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("bert-base-cased")
            model = AutoModel.from_pretrained("bert-base-cased")
            model.resize_token_embeddings(tokenizer.vocab_size)  # nothing was added
        """),
        Valid("""
            from transformers import AutoModel
            model = AutoModel.from_pretrained("gpt2")
            model.resize_token_embeddings(50304)  # pad the vocabulary for speed; no tokens added
        """),
        Valid("""
            from transformers import AutoModel, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("roberta-base")
            model = AutoModel.from_pretrained("roberta-base")
            tokenizer.add_tokens(["<x>"])
            model.resize_token_embeddings(len(tokenizer), pad_to_multiple_of=64)
        """),
        Valid("""
            from transformers import AutoModel, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("roberta-base")
            model = AutoModel.from_pretrained("roberta-base")
            tokenizer.add_tokens(["<x>"])
            new_size = len(tokenizer)
            model.resize_token_embeddings(new_size)
        """),
        Valid("""
            from transformers import AutoModel, AutoTokenizer
            def grow(model, tokenizer):
                model.resize_token_embeddings(tokenizer.vocab_size + 8)
            tokenizer = AutoTokenizer.from_pretrained("roberta-base")
            tokenizer.add_tokens(["<x>"])
        """),
    ]
    INVALID = [
        Invalid("""
            from transformers import AutoModel, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("bert-base-cased")
            model = AutoModel.from_pretrained("bert-base-cased")
            tokenizer.add_tokens(["COVID"])
            model.resize_token_embeddings(tokenizer.vocab_size)
        """, line=5, message="`vocab_size` excludes added tokens",
            fixed="""
            from transformers import AutoModel, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("bert-base-cased")
            model = AutoModel.from_pretrained("bert-base-cased")
            tokenizer.add_tokens(["COVID"])
            model.resize_token_embeddings(len(tokenizer))
        """),
        Invalid("""
            from transformers import AutoModel, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("bert-base-cased")
            model = AutoModel.from_pretrained("bert-base-cased")
            tokenizer.add_special_tokens({"additional_special_tokens": ["[S1]", "[S2]"]})
            model.resize_token_embeddings(28998)
        """, line=5, message="hard-coded size"),
        Invalid("""
            from transformers import GPT2LMHeadModel, GPT2Tokenizer
            tok = GPT2Tokenizer.from_pretrained("gpt2")
            lm = GPT2LMHeadModel.from_pretrained("gpt2")
            tok.add_special_tokens({"pad_token": "<pad>"})
            lm.resize_token_embeddings(tok.vocab_size)
        """, line=5),
        Invalid("""
            from transformers import AutoModelForSequenceClassification, AutoTokenizer
            def setup(name):
                tokenizer = AutoTokenizer.from_pretrained(name)
                model = AutoModelForSequenceClassification.from_pretrained(name)
                tokenizer.add_tokens(["[E1]", "[E2]"])
                model.resize_token_embeddings(
                    tokenizer.vocab_size,
                )
                return model
        """, line=7),
        Invalid("""
            from transformers import AutoModel, AutoTokenizer
            class Encoder:
                def __init__(self):
                    self.tok = AutoTokenizer.from_pretrained("roberta-base")
                    self.net = AutoModel.from_pretrained("roberta-base")
                    self.tok.add_tokens(["<num>"])
                    self.net.resize_token_embeddings(self.tok.vocab_size)
        """, line=7),
        Invalid("""
            import transformers
            tokenizer = transformers.AutoTokenizer.from_pretrained("xlm-roberta-base")
            model = transformers.AutoModel.from_pretrained("xlm-roberta-base")
            for t in ["<a>", "<b>"]:
                tokenizer.add_tokens(t)
            model.resize_token_embeddings(250004)
        """, line=6),
    ]

    @staticmethod
    def may_match(features) -> bool:
        return "resize_token_embeddings" in features.calls and (
            "add_tokens" in features.calls or "add_special_tokens" in features.calls)

    def check(self) -> Iterable[Report]:
        facts = self.ctx.facts
        for scope in facts.scopes:
            adds = self._adds(scope)
            if not adds:
                continue
            for site in scope.calls:
                if site.name != "resize_token_embeddings" or site.via or not site.node.args:
                    continue
                prior = [(use, tok) for use, tok in adds if use.seq < site.seq]
                if not prior:
                    continue
                arg = site.node.args[0]
                if arg.keyword is not None and arg.keyword.value != "new_num_tokens":
                    continue
                value = facts.value_of(arg.value)
                use, tok = prior[-1]
                if isinstance(arg.value, cst.Attribute) and arg.value.attr.value == "vocab_size" \
                        and isinstance(facts.value_of(arg.value.value), HFObject) \
                        and facts.value_of(arg.value.value).role == "tokenizer":
                    tok_text = self.ctx.module.code_for_node(arg.value.value)
                    yield self.report(
                        arg.value,
                        self.message.format(arg=self.ctx.module.code_for_node(arg.value),
                                            line=self.at(use.call, "the tokens are added here"),
                                            why="`vocab_size` excludes added tokens", tokenizer=tok_text),
                        replacements=[Replacement(arg.value, f"len({tok_text})")],
                        fix_message=f"Use `len({tok_text})`")
                elif isinstance(value, Const) and isinstance(value.value, int) and not isinstance(value.value, bool):
                    yield self.report(
                        arg.value,
                        self.message.format(arg=self.ctx.module.code_for_node(arg.value),
                                            line=self.at(use.call, "the tokens are added here"),
                                            why="a hard-coded size goes stale when tokens change",
                                            tokenizer=_label(use.call.func.value)))

    @staticmethod
    def _adds(scope: Scope):
        found = []
        for site in scope.calls:
            if site.name in ADD_METHODS and isinstance(site.receiver, HFObject) and site.receiver.role == "tokenizer":
                use = next((u for u in site.receiver.uses if u.call is site.node and u.kind == "method"), None)
                if use is not None:
                    found.append((use, site.receiver))
        return found


# ---------------------------------------------------------------- HF303

_SPECIAL_SHAPE = re.compile(r"""
    \[/?[A-Z][A-Z0-9_\-]*\]                 # BERT style: [S1] [SEP2] [E1] [/E1] [URL]
  | \[/?[A-Za-z_\-]*[A-Za-z]\d+\]           # numbered markers in any case: [e1] [unused7]
  | <\|[^<>|\s]+\|>                         # <|user|> <|im_start|> <|endoftext|>
  | <</?[A-Za-z_]+>>                        # <<SYS>> <</SYS>>
  | </?(?!h[1-6]>)[A-Za-z_\-]*\d[A-Za-z0-9_\-]*>   # numbered tags: <e1> </e1> <extra_id_0> (not HTML <h1>)
  | </?[A-Z][A-Z0-9_\-]+>                   # upper-case tags: <SEP> <EOS> <SYS>
  | </?(?:s|pad|unk|mask|sep|cls|bos|eos|eot|sos|eod|sys|inst)>   # the usual special-token names
""", re.VERBOSE)


def is_special_token_shaped(text: str) -> bool:
    """``[S1]``, ``<e1>``, ``</e1>``, ``<|user|>``, ``<<SYS>>``: a marker, not a word. Lower-case word tags such as
    ``<url>`` or ``<think>`` are placeholders that often belong in the decoded text, and are not counted."""
    return bool(_SPECIAL_SHAPE.fullmatch(text))


def _quoted(strings: list[str], limit: int = 3) -> str:
    shown = ", ".join(f"'{s}'" for s in strings[:limit])
    return shown + (f" and {len(strings) - limit} more" if len(strings) > limit else "")


class SpecialTokenAddedAsNormalToken(Rule):
    """Strings shaped like special tokens (`[S1]`, `<e1>`, `<|user|>`) are added with `add_tokens`.

    ## What it does
    Reports `tokenizer.add_tokens(...)` when the tokens it adds — a literal, a name bound to a list, or
    the items of a literal list the call loops over — look like special-token markers: `[S1]`,
    `[SEP2]`, `[/E1]`, `<e1>`, `</e1>`, `<|user|>`, `<<SYS>>`, `<SEP>`. Plain words (`COVID`, `mRNA`),
    lower-case placeholders (`<url>`, `<think>`) and `add_tokens(..., special_tokens=True)` are fine.

    ## Why is this bad?
    `add_tokens` adds ordinary vocabulary: the token goes through the tokenizer's normalisation like
    any text (an uncased tokenizer lower-cases it), can be split off with the surrounding whitespace,
    and `decode(..., skip_special_tokens=True)` keeps it in the output. Markers for speakers, entities
    or turns belong in `additional_special_tokens`, which is also what `tokenizer.all_special_tokens`
    and the data collators see.

    ## Example
    ```python
    tokenizer.add_tokens(["[S1]", "[S2]", "[S3]"])
    ```

    ## Use instead
    ```python
    tokenizer.add_special_tokens({"additional_special_tokens": ["[S1]", "[S2]", "[S3]"]})
    ```

    ## Fix safety
    Unsafe: `add_special_tokens` with `additional_special_tokens` replaces the tokenizer's previous
    additional special tokens in older `transformers` releases, and decoding changes.
    """

    code = "HF303"
    name = "special-token-added-as-normal-token"
    message = "`{tokenizer}.add_tokens(...)` adds {tokens} as {what}: {pronoun} normalised like text and " \
              "kept by `skip_special_tokens=True`; use `{replacement}`"
    fixable = "unsafe"

    VALID = [
        Valid("""
            from transformers import AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("bert-base-cased")
            new_tokens = ['COVID']
            num_added_toks = tokenizer.add_tokens(new_tokens)
        """),
        Valid("""
            from transformers import AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("bert-base-cased")
            special_tokens_dict = {'additional_special_tokens': ['[S1]', '[S2]', '[S3]']}
            num_added_toks = tokenizer.add_special_tokens(special_tokens_dict)
        """),
        Valid("""
            from transformers import AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("roberta-base")
            tokenizer.add_tokens(["<e1>", "</e1>"], special_tokens=True)
        """),
        Valid("""
            # placeholders that should survive decoding
            from transformers import AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("roberta-base")
            tokenizer.add_tokens(["<url>", "<user>", "<3"])
        """),
        Valid("""
            from transformers import AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("Qwen/Qwen2.5-0.5B")
            tokenizer.add_tokens(["<think>", "</think>"])
        """),
        Valid("""
            # tokens computed at run time: unknown
            from transformers import AutoTokenizer
            def load_domain_terms():
                with open("terms.txt") as fh:
                    return fh.read().split()
            tokenizer = AutoTokenizer.from_pretrained("bert-base-cased")
            tokenizer.add_tokens([f"[S{i}]" for i in range(3)], special_tokens=True)
            tokenizer.add_tokens(load_domain_terms())
        """),
        Valid("""
            # the tokenizers library's Tokenizer has its own add_special_tokens(list)
            from tokenizers import Tokenizer
            from transformers import PreTrainedTokenizerFast
            raw = Tokenizer.from_file("tokenizer.json")
            raw.add_tokens(["[S1]"])
        """),
        Valid("""
            from transformers import AddedToken, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("gpt2")
            tokenizer.add_tokens([AddedToken("<|user|>", special=True)])
        """),
    ]
    INVALID = [
        Invalid("""
            from transformers import AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("bert-base-cased")
            num_added_toks = tokenizer.add_tokens(['[S1]', '[S2]', '[S3]'])
        """, line=3, message="`tokenizer.add_tokens(...)` adds '[S1]', '[S2]', '[S3]' as normal tokens",
            fixed="""
            from transformers import AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("bert-base-cased")
            num_added_toks = tokenizer.add_special_tokens({"additional_special_tokens": ['[S1]', '[S2]', '[S3]']})
        """),
        Invalid("""
            from transformers import AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("bert-base-uncased")
            ENTITY_MARKERS = ["<e1>", "</e1>", "<e2>", "</e2>"]
            tokenizer.add_tokens(ENTITY_MARKERS)
        """, line=4, message="'<e1>', '</e1>', '<e2>' and 1 more",
            fixed="""
            from transformers import AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("bert-base-uncased")
            ENTITY_MARKERS = ["<e1>", "</e1>", "<e2>", "</e2>"]
            tokenizer.add_special_tokens({"additional_special_tokens": ENTITY_MARKERS})
        """),
        Invalid("""
            from transformers import AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("gpt2")
            for marker in ["<|user|>", "<|assistant|>"]:
                tokenizer.add_tokens(marker)
        """, line=4, message="'<|user|>', '<|assistant|>'"),
        Invalid("""
            from transformers import AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("meta-llama/Llama-2-7b-hf")
            tokenizer.add_tokens("<<SYS>>")
        """, line=3, message="adds '<<SYS>>' as a normal token: it is normalised"),
        Invalid("""
            from transformers import AutoTokenizer
            class Reader:
                def __init__(self):
                    self.tok = AutoTokenizer.from_pretrained("roberta-base")
                    self.tok.add_tokens(["[SEP2]", "COVID"], special_tokens=False)
        """, line=5, message="adds '[SEP2]' as a normal token"),
        Invalid("""
            from transformers import AutoProcessor
            processor = AutoProcessor.from_pretrained("openai/whisper-small")
            processor.tokenizer.add_tokens(
                ["[SPEAKER_1]", "[SPEAKER_2]"],
            )
        """, line=3, message="`processor.tokenizer.add_tokens(...)`"),
    ]

    @staticmethod
    def may_match(features) -> bool:
        return "add_tokens" in features.calls

    def check(self) -> Iterable[Report]:
        facts = self.ctx.facts
        uses_tokenizers_library = any(
            isinstance(b.value, QName) and b.value.qualname.split(".")[0] == "tokenizers"
            for bindings in facts.module_scope.bindings.values() for b in bindings)
        for scope in facts.scopes:
            for site in scope.calls:
                if site.name != "add_tokens" or site.via or not isinstance(site.node.func, cst.Attribute):
                    continue
                receiver = site.receiver
                if isinstance(receiver, HFObject):
                    if receiver.role not in ("tokenizer", "processor"):
                        continue
                elif receiver is not UNKNOWN or uses_tokenizers_library:
                    continue
                report = self._check_call(site.node, site.context)
                if report is not None:
                    yield report

    def _check_call(self, call: cst.Call, context) -> Optional[Report]:
        facts = self.ctx.facts
        positional = [a for a in call.args if a.keyword is None and not a.star]
        keywords = {a.keyword.value: a for a in call.args if a.keyword is not None}
        if any(a.star for a in call.args):
            return None
        special = keywords.get("special_tokens") or (positional[1] if len(positional) > 1 else None)
        if special is not None:
            flag = facts.value_of(special.value)
            if not (isinstance(flag, Const) and flag.value is False):
                return None
        arg = positional[0] if positional else keywords.get("new_tokens")
        if arg is None:
            return None
        value = facts.value_of(arg.value)
        # `for marker in [...]: tok.add_tokens(marker)` adds every element of the loop
        loop = context.loop_binding(arg.value.value) if isinstance(arg.value, cst.Name) else None
        loop = loop if loop is not None and loop.targets == (arg.value.value,) else None
        if value is UNKNOWN and loop is not None:
            value = facts.value_of(loop.iter)
        items = [value] if isinstance(value, Str) else list(value.items) if isinstance(value, Seq) else []
        strings = [v.value for v in items if isinstance(v, Str)]
        shaped = [s for s in strings if is_special_token_shaped(s)]
        if not shaped:
            return None
        receiver = self.ctx.module.code_for_node(call.func.value)
        many = len(shaped) > 1
        suggested = f'{receiver}.add_special_tokens({{"additional_special_tokens": [...]}})'
        message = self.message.format(tokenizer=receiver, tokens=_quoted(shaped), replacement=suggested,
                                      what="normal tokens" if many else "a normal token",
                                      pronoun="they are" if many else "it is")
        replacements = []
        fixable_arg = isinstance(arg.value, cst.List) or (isinstance(arg.value, cst.Name) and isinstance(value, Seq)
                                                          and loop is None)
        if fixable_arg and len(call.args) == 1 and len(shaped) == len(items):
            replacements.append(Replacement(call, f"{receiver}.add_special_tokens("
                                                  f"{{\"additional_special_tokens\": "
                                                  f"{self.ctx.module.code_for_node(arg.value)}}})"))
        return self.report(call, message, replacements=replacements, fix_safe=False,
                           fix_message="Use `add_special_tokens({\"additional_special_tokens\": [...]})`",
                           data={"tokens": shaped})
