"""HF304 and HF5xx — names and arguments of the transformers API, checked against the target version.

The target is ``--target-transformers`` when given, else the installed ``transformers``, else the newest release
in the API history (``hflint.knowledge.api.resolve_target``). Code that chooses between API generations itself
(``try: from transformers import X / except ImportError``, ``if version.parse(transformers.__version__) ...``,
``if hasattr(model, ...)``) is left alone: it already knows the names may not exist.
"""
from __future__ import annotations

import os
import re
from functools import lru_cache
from typing import Iterable, Optional

from ..lazy_libcst import cst

from ..analysis.hfobjects import classify, export_name
from ..analysis.scopes import dotted_name
from ..analysis.values import ClassRef, HFObject, Output, QName
from ..knowledge import api, load
from .base import Invalid, Replacement, Report, Rule, Valid

# Owners of keyword checks, by the exported name of the callee.
_CALL_OWNERS = ("TrainingArguments", "Seq2SeqTrainingArguments", "Trainer", "Seq2SeqTrainer", "GenerationConfig",
                "pipeline")
_LOAD_ROLES = ("model", "tokenizer", "config", "processor")
# An open owner hands keywords it does not know to another one: pipeline(...) loads the model with them.
_FORWARDS_TO = {"pipeline": "from_pretrained.model"}
# Open owners pass unknown keywords on, so a keyword that left their signature may still be handled further down
# (the config's __init__ still pops `attn_implementation`). A removed keyword is reported there only when the
# release says what replaced it, or when the owner hands leftovers to a constructor that rejects them: since 5.0 a
# model's from_pretrained gives keywords its config does not take to the model's __init__ (TypeError).
_LEFTOVERS_RAISE = {"from_pretrained.model": (5, 0)}
# Renames whose value changes meaning or type: say so, but no automatic rename.
_VALUE_CHANGES = frozenset({"include_inputs_for_metrics", "push_to_hub_model_id", "push_to_hub_organization",
                            "warmup_ratio", "sharded_ddp", "fsdp_min_num_params",
                            "fsdp_transformer_layer_cls_to_wrap", "tpu_metrics_debug", "fp16_backend"})
_IDENT = re.compile(r"[A-Za-z_][\w.]*")
_REPORTABLE = frozenset({"deprecated", "ignored", "removed", "not_yet"})


def _target(explicit, origin: str, filename: str) -> "api.Target":
    start = filename if filename and os.path.exists(filename) else None
    return api.choose_target(explicit, origin or "configuration", start=start)


def _prefilter_target(features) -> "api.Target":
    return _target(features.target_transformers, getattr(features, "target_origin", ""),
                   getattr(features, "filename", ""))


def target_of(ctx) -> "api.Target":
    """The target version for this file, with where it came from (SPEC HF5xx: flag > configuration > installed >
    declared dependency > newest known release)."""
    cached = getattr(ctx, "_hf_target", None)
    if cached is None:
        cached = ctx._hf_target = _target(ctx.settings.target_transformers, ctx.settings.target_origin, ctx.filename)
    return cached


def introduces_new_name(target, added: Optional[str]) -> bool:
    """A fix that writes a name older releases lack is unsafe when the target is only hflint's default guess
    (nothing installed, declared or configured): the code may still run on one of those older releases."""
    return getattr(target, "origin", "") == "default" and bool(added) and \
        api.parse_version(added) > api.covered_versions()[0]


def vtext(version: tuple) -> str:
    return f"{version[0]}.{version[1]}"


def _names_in(replacement: str) -> list:
    """``"AutoModelForCausalLM / AutoModelForMaskedLM"`` -> both names; [] when it is a sentence."""
    parts = [p.strip() for p in re.split(r"\s*/\s*|\s+or\s+|,\s*", replacement)]
    return parts if parts and all(_IDENT.fullmatch(p) for p in parts) else []


def _use_text(replacement: str, suffix: str = "") -> str:
    if re.match(r"^[A-Za-z_]\w*=\S", replacement):  # a keyword expression: `attn_implementation="sdpa"`
        return f"; use `{replacement}`"
    names = _names_in(replacement)
    if not names:
        if replacement.startswith("nothing "):
            return f"; drop it {replacement[len('nothing '):]}"
        return f" ({replacement})"
    quoted = [f"`{n}{suffix}`" for n in names]
    return "; use " + (quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1])


def _fraction(node) -> bool:
    """A literal number between 0 and 1 (a ratio)."""
    try:
        value = float(node.value) if isinstance(node, (cst.Float, cst.Integer)) else None
    except ValueError:
        return False
    return value is not None and 0 <= value < 1


def suggest(name: str, candidates) -> Optional[str]:
    """``api.closest``, except a candidate that differs only in its numbers (`GPT3...` vs `GPT2...`): another
    model or size, not a typo."""
    near = api.closest(name, candidates)
    if near and near.lower() != name.lower() and _DIGITS.sub("#", near.lower()) == _DIGITS.sub("#", name.lower()):
        return None
    return near


_DIGITS = re.compile(r"\d+")


def _from_transformers(qualname: str) -> bool:
    return qualname.split(".", 1)[0] == "transformers"


class _ApiRule(Rule):
    """Shared by the HF5xx rules and HF304: they collect during the traversal, outside version-guarded code
    (``Context.version_guard``: the analysis recognises version comparisons, ``hasattr(transformers, ...)``,
    availability checks and ``try: ... except ImportError``)."""

    def __init__(self, ctx):
        super().__init__(ctx)
        self._found: list = []

    @property
    def _guard(self) -> bool:
        return self.ctx.facts.context.version_guard is not None

    def check(self) -> Iterable[Report]:
        return list(self._found)


# ==================================================================================================== HF501

class UnknownTransformersName(_ApiRule):
    """A name imported from (or accessed on) `transformers` that the target version does not export.

    ## What it does
    Checks `from transformers import X` and `transformers.X` (also through `import transformers as tf`)
    against the names the target `transformers` release exports, including the retired names its lazy
    module still resolves (`LayoutLMTokenizer`, `BertTokenizerFast` and the other aliases of 5.x). Typos
    get a "did you mean" (`AutoModelforQuestionAnswering` → `AutoModelForQuestionAnswering`); removed
    names get what replaced them (`AdamW` → `torch.optim.AdamW`, `AutoModelForVision2Seq` →
    `AutoModelForImageTextToText`, `ViTFeatureExtractor` → `ViTImageProcessor`, `TFAutoModel` →
    TensorFlow support was removed in v5); names added after an older target say when they were added.
    Imports inside `try: ... except ImportError:` and version checks are left alone. Submodule imports
    (`from transformers.x import y`) are not checked.

    ## Why is this bad?
    The import fails with `ImportError` when the script starts, or — worse, in a notebook or behind a lazy
    import — halfway through a run.

    ## Example
    ```python
    from transformers import AdamW, AutoModelforQuestionAnswering
    ```

    ## Use instead
    ```python
    from torch.optim import AdamW
    from transformers import AutoModelForQuestionAnswering
    ```

    ## Fix safety
    A typo or a renamed class is renamed at the import and at every use in the file (when the file also
    binds the old name elsewhere, the import brings the new name in under the old one instead). A name that
    moved out of `transformers` (`AdamW`) is imported from its new home: an unsafe fix, because the
    replacement's defaults differ (`torch.optim.AdamW` decays weights by 0.01 by default). A fix that writes
    a name older releases lack is unsafe when the target is only hflint's default guess.
    """

    code = "HF501"
    name = "unknown-transformers-name"
    message = "`{name}` is not exported by transformers {target}: {why}"
    fixable = "safe"

    VALID = [
        Valid("""
            from transformers import AutoModelForQuestionAnswering, AutoTokenizer, Trainer, TrainingArguments
        """, target="5.24"),
        Valid("""
            import transformers
            model = transformers.AutoModel.from_pretrained("bert-base-cased")
            transformers.logging.set_verbosity_error()
        """, target="5.24"),
        Valid("""
            try:
                from transformers import AdamW
            except ImportError:
                from torch.optim import AdamW
        """, target="5.24"),
        Valid("""
            # submodule imports are not checked
            from transformers.models.bert.modeling_bert import BertSelfAttention
            from transformers.trainer_utils import get_last_checkpoint
        """, target="5.24"),
        Valid("""
            from packaging import version
            import transformers
            if version.parse(transformers.__version__) < version.parse("4.50"):
                from transformers import AdamW
            else:
                from torch.optim import AdamW
        """, target="5.24"),
        Valid("""
            from transformers import pipeline, get_linear_schedule_with_warmup, set_seed
            from transformers import AutoModelForImageTextToText as Vlm
            from transformers import BertTokenizerFast  # v5 resolves it to BertTokenizer
        """, target="5.24"),
        Valid("""
            # 5.x still resolves these retired tokenizers to BertTokenizer / RobertaTokenizer
            from transformers import ElectraTokenizer, LayoutLMTokenizer, LongformerTokenizer
            tok = LayoutLMTokenizer.from_pretrained("microsoft/layoutlm-base-uncased")
        """, target="5.24"),
        Valid("""
            import transformers as tf
            config = tf.AutoConfig.from_pretrained("gpt2")
            print(tf.__version__)
        """, target="5.24"),
        Valid("""
            # still exported by 4.46
            from transformers import AdamW, AutoModelForVision2Seq, ViTFeatureExtractor
        """, target="4.46"),
    ]
    INVALID = [
        Invalid("""
            from transformers import AutoConfig, AutoModelforQuestionAnswering
            model = AutoModelforQuestionAnswering.from_pretrained("bert-base-cased")
        """, line=1, message="did you mean `AutoModelForQuestionAnswering`?",
                fixed="""
            from transformers import AutoConfig, AutoModelForQuestionAnswering
            model = AutoModelForQuestionAnswering.from_pretrained("bert-base-cased")
        """, target="5.24"),
        Invalid("""
            from transformers import AdamW, get_linear_schedule_with_warmup
            def optimizer_for(model):
                return AdamW(model.parameters(), lr=5e-5)
        """, line=1, target="5.24",
                message="`AdamW` is not exported by transformers 5.24: removed in 4.50; use `torch.optim.AdamW`",
                fixed="""
            from transformers import get_linear_schedule_with_warmup
            from torch.optim import AdamW
            def optimizer_for(model):
                return AdamW(model.parameters(), lr=5e-5)
        """),
        Invalid("""
            from transformers import TFAutoModel
            model = TFAutoModel.from_pretrained("bert-base-cased")
        """, line=1, message="TensorFlow/Flax support was removed in v5", target="5.24"),
        Invalid("""
            from transformers import AutoModelWithLMHead
        """, line=1, message="`AutoModelForCausalLM`, `AutoModelForMaskedLM` or `AutoModelForSeq2SeqLM`",
                target="5.24"),
        Invalid("""
            import transformers as tf
            model = tf.AutoModelForSequenceClasification.from_pretrained("roberta-base")
        """, line=2, message="did you mean `AutoModelForSequenceClassification`?",
                fixed="""
            import transformers as tf
            model = tf.AutoModelForSequenceClassification.from_pretrained("roberta-base")
        """, target="5.24"),
        Invalid("""
            from transformers import (
                AutoTokenizer,
                DataCollatorWithPadding,
                get_linear_schedule_with_warmpu,
            )
            def schedule(optimizer):
                return get_linear_schedule_with_warmpu(optimizer, 0, 1000)
        """, line=4, message="did you mean `get_linear_schedule_with_warmup`?", fixed="""
            from transformers import (
                AutoTokenizer,
                DataCollatorWithPadding,
                get_linear_schedule_with_warmup,
            )
            def schedule(optimizer):
                return get_linear_schedule_with_warmup(optimizer, 0, 1000)
        """, target="5.24"),
        Invalid("""
            from transformers import AutoModelForVision2Seq, AutoProcessor
            model = AutoModelForVision2Seq.from_pretrained("Salesforce/blip2-opt-2.7b")
            assert isinstance(model, AutoModelForVision2Seq.__mro__[0])
        """, line=1, target="5.24", message="removed in 5.0; use `AutoModelForImageTextToText`", fixed="""
            from transformers import AutoModelForImageTextToText, AutoProcessor
            model = AutoModelForImageTextToText.from_pretrained("Salesforce/blip2-opt-2.7b")
            assert isinstance(model, AutoModelForImageTextToText.__mro__[0])
        """),
        Invalid("""
            from transformers import ViTFeatureExtractor
            extractor = ViTFeatureExtractor.from_pretrained("google/vit-base-patch16-224")
        """, line=1, target="5.24", message="use `ViTImageProcessor`", fixed="""
            from transformers import ViTImageProcessor
            extractor = ViTImageProcessor.from_pretrained("google/vit-base-patch16-224")
        """),
    ]

    @staticmethod
    def may_match(features) -> bool:
        if features.imports_hf_module:
            return True  # transformers.X may be any name
        exports = api.names_at("exports", _prefilter_target(features))
        return any(name not in exports for name in features.hf_names)

    def __init__(self, ctx):
        super().__init__(ctx)
        self._target = target_of(ctx)
        self._exports = api.names_at("exports", self._target)
        self._imports: list = []  # (alias Name node, name, bound name or None, ImportFrom node, ImportAlias node)
        self._attrs: list = []  # (attr Name node, name)
        self._store_targets: set = set()
        self._names_seen: dict = {}  # name -> Name nodes that read or bind it (not attributes, keywords, ...)
        self._not_uses: set = set()  # ids of Name nodes that are attribute names, keywords, definitions

    def visit_ImportFrom(self, node) -> None:
        if isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            self._not_uses.add(id(alias.name))
            if alias.asname is not None:
                self._not_uses.add(id(alias.asname.name))
        if node.relative or node.module is None or self._guard:
            return
        if dotted_name(node.module) != "transformers":
            return
        for alias in node.names:
            if not isinstance(alias.name, cst.Name):
                continue
            asname = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else None
            self._imports.append((alias.name, alias.name.value, asname, node, alias))

    def visit_AssignTarget(self, node) -> None:
        self._store_targets.add(id(node.target))

    def visit_Arg(self, node) -> None:
        if node.keyword is not None:
            self._not_uses.add(id(node.keyword))

    def visit_FunctionDef(self, node) -> None:
        self._not_uses.add(id(node.name))

    def visit_ClassDef(self, node) -> None:
        self._not_uses.add(id(node.name))

    def visit_Name(self, node) -> None:
        if id(node) not in self._not_uses:
            self._names_seen.setdefault(node.value, []).append(node)

    def visit_Attribute(self, node) -> None:
        self._not_uses.add(id(node.attr))
        if self._guard or id(node) in self._store_targets:
            return
        base = self.ctx.facts.value_of(node.value)
        if isinstance(base, QName) and base.qualname == "transformers":
            self._attrs.append((node.attr, node.attr.value))

    def check(self) -> Iterable[Report]:
        for name_node, name, asname, stmt, alias in self._imports:
            report = self._check_name(name_node, name, (asname, stmt, alias))
            if report:
                yield report
        for name_node, name in self._attrs:
            report = self._check_name(name_node, name, None)
            if report:
                yield report

    def _check_name(self, node, name: str, imported: Optional[tuple]) -> Optional[Report]:
        if name.startswith("_") or name in self._exports:
            return None
        status = api.export_status(name, self._target)
        if status.state == "unknown" and not api.knows(self._target):
            return None  # a release newer than hflint's knowledge may export it
        target = vtext(self._target)
        new = external = None
        if status.state == "removed":
            why = f"removed in {status.removed}"
            if status.replacement:
                why += _use_text(status.replacement)
                names = _names_in(status.replacement)
                if len(names) == 1 and names[0] in self._exports:
                    new = names[0]
                elif len(names) == 1 and "." in names[0] and not _from_transformers(names[0]):
                    external = names[0]
        elif status.state == "not_yet":
            why = f"added in {status.added}"
        else:
            new = suggest(name, self._exports)
            why = f"did you mean `{new}`?" if new else "no release from 4.30 on exports it"
        replacements, safe = [], True
        if new:
            replacements = self._rename(node, name, new, imported)
            safe = not introduces_new_name(self._target, api.export_status(new, self._target).added)
        elif external and imported is not None:
            # `from transformers import AdamW` -> `from torch.optim import AdamW`: other defaults, so unsafe
            replacements, safe = self._import_from_elsewhere(name, external, imported), False
        return self.report(node, self.message.format(name=name, target=target, why=why),
                           replacements=replacements, fix_safe=safe,
                           data={"name": name, "state": status.state, "target": target,
                                 "replacement": new or external})

    def _rename(self, node, name: str, new: str, imported: Optional[tuple]) -> list:
        """Rename the import and every use of the name in the file, as a person would. When the file binds the name
        anywhere else too (a parameter, an assignment, another import), renaming could change what those mean: the
        import then brings the new name in under the old one."""
        if imported is None or imported[0] is not None:  # `transformers.X`, or `import X as Y` (uses say Y)
            return [Replacement(node, new)]
        uses = [n for n in self._names_seen.get(name, ()) if n is not node]
        bindings = sum(len(scope.bindings.get(name, ())) for scope in self.ctx.facts.scopes)
        if bindings > 1 or any(id(n) in self._store_targets for n in uses):
            return [Replacement(node, f"{new} as {name}")]
        return [Replacement(node, new)] + [Replacement(n, new) for n in uses]

    def _import_from_elsewhere(self, name: str, dotted: str, imported: tuple) -> list:
        asname, stmt, alias = imported
        module, _, obj = dotted.rpartition(".")
        bound = asname or name
        line = f"from {module} import {obj}" + (f" as {bound}" if bound != obj else "")
        if len(stmt.names) == 1:
            return [Replacement(stmt, line)]
        rest = [a for a in stmt.names if a is not alias]
        if stmt.lpar is None:  # no trailing comma outside parentheses
            rest[-1] = rest[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        kept = self.ctx.module.code_for_node(stmt.with_changes(names=rest))
        return [Replacement(stmt, kept), Replacement(stmt, line, insert_after=True)]


# ==================================================================================================== HF502/HF503

def call_owner(callee: str) -> Optional[tuple]:
    """(owner in the API history, label for messages) of a call to a transformers callable, or None."""
    if not _from_transformers(callee):
        return None
    head, _, last = callee.rpartition(".")
    if last == "from_pretrained":
        cls = export_name(head)
        if not cls or not cls[:1].isupper():
            return None
        role = classify(cls).role
        return (f"from_pretrained.{role}", f"{cls}.from_pretrained") if role in _LOAD_ROLES else None
    export = export_name(callee)
    if export in _CALL_OWNERS:
        return export, export
    return None


class _KeywordRule(_ApiRule):
    states: tuple = ()

    @staticmethod
    def may_match(features) -> bool:
        """Only files passing an owner a keyword that is not plainly valid at the target can match."""
        target = _prefilter_target(features)
        for last, keywords in features.call_keywords.items():
            owner = next((features.hf_aliases.get(n, n) for n in features.base_names(last)
                          if features.hf_aliases.get(n, n) in _CALL_OWNERS), features.hf_aliases.get(last, last))
            if owner == "from_pretrained":
                tables = tuple(f"from_pretrained.{role}" for role in _LOAD_ROLES)
            elif owner in _CALL_OWNERS:
                tables = (owner, _FORWARDS_TO[owner]) if owner in _FORWARDS_TO else (owner,)
            else:
                continue
            for keyword in keywords:
                for table in tables:
                    status = api.param_status(table, keyword, target)
                    if status is None or status.state in _REPORTABLE or (
                            status.state == "unknown" and api.is_closed(table)):
                        return True
        return False

    def __init__(self, ctx):
        super().__init__(ctx)
        self._target = target_of(ctx)

    def visit_Call(self, node) -> None:
        if self._guard or not node.args:
            return
        facts = self.ctx.facts
        callee = facts.value_of(node.func)
        accepted: frozenset = frozenset()
        if isinstance(callee, ClassRef):  # class FocalTrainer(Trainer): accepts what Trainer accepts
            info = facts.user_class(callee)
            if info is None or (info.init_params is not None and not info.init_kwargs):
                return  # its own __init__ decides what it accepts
            accepted = info.init_params or frozenset()
            owner = call_owner(info.base)
            owner = (owner[0], f"{callee.scope.name}({owner[1]})") if owner else None
        elif isinstance(callee, QName):
            owner = call_owner(callee.qualname)
        else:
            return
        if owner is None:
            return
        for arg in node.args:
            if arg.keyword is None or arg.star or arg.keyword.value in accepted:
                continue
            finding = self._keyword(owner, arg, node)
            if finding is not None:
                self._found.append(finding)

    def _keyword(self, owner: tuple, arg, call) -> Optional[Report]:
        table, label = owner
        kw = arg.keyword.value
        target = self._target
        status = api.param_status(table, kw, target)
        if status is None:
            return None
        closed = api.is_closed(table)
        forward = _FORWARDS_TO.get(table)
        if forward and status.state in ("removed", "unknown", "not_yet"):
            forwarded = api.param_status(forward, kw, target)
            if forwarded is not None and forwarded.state != "unknown":
                status = forwarded
                table = forward
        state = status.state
        if state == "ok":
            return None
        if state == "deprecated":
            return self._deprecated(label, table, kw, status, arg) if "deprecated" in self.states else None
        if "error" not in self.states:
            return None
        if state == "ignored":
            why = f"accepted but ignored since {status.ignored}" + _use_text(status.replacement or "nothing", "=")
            return self._error(label, kw, why, arg, status.replacement, table, call=call)
        if state == "removed":
            raises = _LEFTOVERS_RAISE.get(table)
            if not closed and not status.replacement and not (raises and target >= raises):
                return None
            why = f"removed in {status.removed}"
            if status.replacement:
                why += _use_text(status.replacement, "=")
            elif raises:
                why += " (a TypeError: the model's __init__ receives it)"
            return self._error(label, kw, why, arg, status.replacement, table, call=call)
        if state == "not_yet":
            old = self._old_spelling(table, kw)
            if not closed and not old:
                return None
            why = f"added in {status.added}" + (f"; use `{old}=`" if old else "")
            return self._error(label, kw, why, arg, old, table)
        # unknown: never in any covered release
        if not closed or not api.knows(target):
            return None
        near = suggest(kw, api.names_at(table, target))
        why = f"did you mean `{near}=`?" if near else "no release from 4.30 on has it"
        return self._error(label, kw, why, arg, None, table, near=near)

    def _old_spelling(self, table: str, kw: str) -> Optional[str]:
        for name in sorted(api.all_names(table)):
            st = api.param_status(table, name, self._target)
            if st.replacement == kw and st.state in ("ok", "deprecated"):
                return name
        return None

    def _rename(self, arg, new: Optional[str], table: str, kw: str, call=None) -> tuple:
        """(replacements, safe) for a keyword whose replacement is known: a rename, a keyword expression
        (`load_in_8bit=True` -> `quantization_config=BitsAndBytesConfig(load_in_8bit=True)`), or dropping a keyword
        that does nothing."""
        if not new:
            return [], True
        if new.startswith("nothing"):
            return ([drop_keyword(self.ctx.module, call, arg)], True) if call is not None else ([], True)
        if kw in _VALUE_CHANGES and not (kw == "warmup_ratio" and new == "warmup_steps" and _fraction(arg.value)):
            return [], True  # (5.x `warmup_steps` takes a float below 1 as the ratio of the training steps)
        if "=" in new:
            return self._keyword_expression(arg, new, call)
        if not _IDENT.fullmatch(new) or "." in new:
            return [], True
        status = api.param_status(table, new, self._target)
        if status.state not in ("ok", "deprecated"):
            return [], True
        return [Replacement(arg.keyword, new)], not introduces_new_name(self._target, status.added)

    def _keyword_expression(self, arg, expression: str, call) -> tuple:
        """`load_in_8bit=True` -> `quantization_config=BitsAndBytesConfig(load_in_8bit=True)` (importing the config
        class), `use_flash_attention_2=True` -> `attn_implementation="flash_attention_2"`: only for a literal True,
        and only when the call does not already pass the new keyword."""
        new_kw = expression.split("=", 1)[0]
        value = arg.value
        if not (isinstance(value, cst.Name) and value.value == "True") or call is None or any(
                a.keyword is not None and a.keyword.value == new_kw for a in call.args):
            return [], True
        m = re.search(r"=\s*([A-Z]\w*)\(", expression)
        if not m:
            return [Replacement(arg, expression)], True
        cls = m.group(1)
        bound = self._bound_name_of(cls)
        if bound is None:
            anchor = self._transformers_import()
            if anchor is None:
                return [], True
            return [Replacement(arg, expression),
                    Replacement(anchor, f"from transformers import {cls}", insert_after=True)], True
        return [Replacement(arg, expression.replace(cls + "(", bound + "(", 1))], True

    def _bound_name_of(self, cls: str) -> Optional[str]:
        """How the file can spell ``transformers.<cls>``: its own module-level import of it, or ``tf.<cls>`` through
        ``import transformers as tf``; None when it has neither."""
        module = next((sc for sc in self.ctx.facts.scopes if sc.kind == "module"), None)
        if module is None:
            return None
        spelled = None
        for name, bindings in module.bindings.items():
            values = {b.value.qualname for b in bindings if isinstance(b.value, QName)}
            if len(values) != 1 or len(bindings) != 1:
                continue
            if values == {f"transformers.{cls}"}:
                return name
            if values == {"transformers"}:
                spelled = f"{name}.{cls}"
        return spelled

    def _transformers_import(self):
        """The first module-level `from transformers import ...` statement."""
        for stmt in self.ctx.module.body:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if isinstance(small, cst.ImportFrom) and small.module is not None and not small.relative \
                            and dotted_name(small.module) == "transformers":
                        return stmt
        return None

    def _error(self, label, kw, why, arg, new, table, near=None, call=None) -> Report:
        target = vtext(self._target)
        replacements, safe = self._rename(arg, new, table, kw, call)
        if not replacements and near:  # a typo fix guesses what was meant: unsafe
            replacements, safe = [Replacement(arg.keyword, near)], False
        return self.report(arg.keyword,
                           f"`{kw}` is not an argument of `{label}` in transformers {target}: {why}"
                           if "ignored" not in why else
                           f"`{kw}` of `{label}` is {why} (target transformers {target})",
                           replacements=replacements, fix_safe=safe,
                           data={"owner": table, "keyword": kw, "target": target})

    def _deprecated(self, label, table, kw, status, arg) -> Report:
        target = vtext(self._target)
        if status.removed:
            removal = f"removed in {status.removed}"
        elif status.planned_removal and api.parse_version(status.planned_removal) <= self._target:
            removal = f"announced for removal in {status.planned_removal} but still accepted"
        elif status.planned_removal:
            removal = f"to be removed in {status.planned_removal}"
        else:
            removal = "no removal release announced yet"
        use = _use_text(status.replacement, "=") if status.replacement else ""
        replacements, safe = self._rename(arg, status.replacement, table, kw)
        return self.report(arg.keyword,
                           f"`{kw}` of `{label}` is deprecated since {status.deprecated} (target transformers "
                           f"{target}), {removal}{use}",
                           replacements=replacements, fix_safe=safe,
                           data={"keyword": kw, "target": target})


class RemovedOrUnknownArgument(_KeywordRule):
    """A keyword the target version's `TrainingArguments`, `Trainer`, `from_pretrained`, `pipeline` ... does not accept.

    ## What it does
    Checks the keywords of `TrainingArguments`, `Seq2SeqTrainingArguments`, `Trainer`, `Seq2SeqTrainer`,
    `*.from_pretrained` (models, tokenizers, configs, processors), `pipeline` and `GenerationConfig` against
    the target `transformers` release: renamed keywords (`evaluation_strategy` → `eval_strategy`,
    `Trainer(tokenizer=)` → `processing_class=`, `use_auth_token` → `token`, `no_cuda` → `use_cpu`),
    removed ones (`overwrite_output_dir` in v5), keywords that only exist in later releases than the
    target (`processing_class` before 4.46), and — for callables that reject unknown keywords — names
    that never existed (`TrainingArguments(model_name=...)`). `**kwargs` spreads are not guessed at.

    ## Why is this bad?
    `TrainingArguments` and `Trainer` raise `TypeError: __init__() got an unexpected keyword argument`
    at startup; `from_pretrained` and `pipeline` pass unknown keywords on, where they are ignored and the
    option silently does nothing.

    ## Example
    ```python
    args = TrainingArguments("out", evaluation_strategy="epoch")
    trainer = Trainer(model=model, args=args, tokenizer=tokenizer)
    ```

    ## Use instead
    ```python
    args = TrainingArguments("out", eval_strategy="epoch")
    trainer = Trainer(model=model, args=args, processing_class=tokenizer)
    ```

    ## Fix safety
    Renamed keywords are renamed when the new name exists at the target and means the same
    (`include_inputs_for_metrics` → `include_for_metrics` takes a list, so it is not renamed). A
    "did you mean" for a keyword that never existed is an unsafe fix.
    """

    code = "HF502"
    name = "removed-or-unknown-argument"
    message = "`{keyword}` is not an argument of `{owner}` in transformers {target}: {why}"
    fixable = "safe"
    states = ("error",)

    VALID = [
        Valid("""
            from transformers import Trainer, TrainingArguments
            def make_trainer(model, tokenizer):
                args = TrainingArguments(output_dir="out", eval_strategy="epoch", learning_rate=5e-5)
                return Trainer(model=model, args=args, processing_class=tokenizer)
        """, target="5.24"),
        Valid("""
            from transformers import AutoModel
            model = AutoModel.from_pretrained("bert-base-cased", token=True, output_hidden_states=True)
        """, target="5.24"),
        Valid("""
            # from_pretrained passes unknown keywords on to the config: not an error
            from transformers import AutoModelForSequenceClassification
            model = AutoModelForSequenceClassification.from_pretrained("roberta-base", num_labels=3, my_flag=1)
        """, target="5.24"),
        Valid("""
            from transformers import TrainingArguments
            settings = {"evaluation_strategy": "epoch"}
            args = TrainingArguments("out", **settings)
        """, target="5.24"),
        Valid("""
            # a user subclass may take its own keywords
            from transformers import Trainer
            class MyTrainer(Trainer):
                def __init__(self, *args, alpha=0.5, **kwargs):
                    super().__init__(*args, **kwargs)
            def make_trainer(model, tok):
                return MyTrainer(model=model, alpha=0.1, processing_class=tok)
        """, target="5.24"),
        Valid("""
            from trl import SFTConfig
            config = SFTConfig(output_dir="out", max_seq_length=512, packing=True)
        """, target="5.24"),
        Valid("""
            import transformers
            from packaging import version
            def make_trainer(model, tok):
                if version.parse(transformers.__version__) < version.parse("4.46"):
                    return transformers.Trainer(model=model, tokenizer=tok)
                return transformers.Trainer(model=model, processing_class=tok)
        """, target="5.24"),
    ]
    INVALID = [
        Invalid("""
            from transformers import TrainingArguments
            args = TrainingArguments(
                output_dir="out",
                evaluation_strategy="epoch",
            )
        """, line=4, message="`evaluation_strategy` is not an argument of `TrainingArguments` in transformers "
                             "5.24: removed in 4.51; use `eval_strategy=`",
                fixed="""
            from transformers import TrainingArguments
            args = TrainingArguments(
                output_dir="out",
                eval_strategy="epoch",
            )
        """, target="5.24"),
        Invalid("""
            from transformers import Trainer
            def make_trainer(model, args, tokenizer):
                return Trainer(model=model, args=args, tokenizer=tokenizer)
        """, line=3, message="removed in 5.0; use `processing_class=`",
                fixed="""
            from transformers import Trainer
            def make_trainer(model, args, tokenizer):
                return Trainer(model=model, args=args, processing_class=tokenizer)
        """, target="5.24"),
        Invalid("""
            from transformers import TrainingArguments
            args = TrainingArguments(model_name="bert-base-cased", output_dir="out")
        """, line=2, message="`model_name` is not an argument of `TrainingArguments` in transformers 5.24", target="5.24"),
        Invalid("""
            from transformers import AutoTokenizer
            tok = AutoTokenizer.from_pretrained("meta-llama/Llama-2-7b-hf", use_auth_token=True)
        """, line=2, message="`use_auth_token` is not an argument of `AutoTokenizer.from_pretrained` in "
                             "transformers 5.24: removed in 5.0; use `token=`", target="5.24"),
        Invalid("""
            import transformers
            args = transformers.TrainingArguments("out", no_cuda=True, overwrite_output_dir=True)
        """, line=2, count=2, message="`no_cuda` is not an argument of `TrainingArguments` in transformers 5.24: "
                                      "removed in 5.0; use `use_cpu=`", target="5.24"),
        Invalid("""
            from transformers import AutoModelForCausalLM
            model = AutoModelForCausalLM.from_pretrained("gpt2", load_in_8bit=True)
        """, line=2, message="use `quantization_config=BitsAndBytesConfig(load_in_8bit=True)`", target="5.24"),
        Invalid("""
            from transformers import Seq2SeqTrainingArguments
            args = Seq2SeqTrainingArguments("out", predict_with_generat=True)
        """, line=2, message="did you mean `predict_with_generate=`?", target="5.24"),
    ]


class DeprecatedArgument(_KeywordRule):
    """A keyword the target version still accepts but has deprecated.

    ## What it does
    Reports keywords of `TrainingArguments`, `Trainer`, `from_pretrained`, `pipeline`, ... that the target
    `transformers` release accepts with a deprecation warning, naming the release that removes them (as
    announced, or as it really happened) and the new spelling. The rule follows the target: against an
    older release the new spelling is the error (HF502) and the old one is fine.

    ## Why is this bad?
    The next upgrade turns the warning into a `TypeError` (for `TrainingArguments`/`Trainer`) or into an
    option that silently does nothing (for `from_pretrained`).

    ## Example
    ```python
    model = AutoModelForCausalLM.from_pretrained("gpt2", torch_dtype=torch.bfloat16)
    ```

    ## Use instead
    ```python
    model = AutoModelForCausalLM.from_pretrained("gpt2", dtype=torch.bfloat16)
    ```

    ## Fix safety
    The rename is safe when the new keyword exists at the target and takes the same values.
    """

    code = "HF503"
    name = "deprecated-argument"
    message = "`{keyword}` of `{owner}` is deprecated since {deprecated} (target transformers {target}), " \
              "{removal}; use `{replacement}=`"
    fixable = "safe"
    states = ("deprecated",)

    VALID = [
        Valid("""
            import torch
            from transformers import AutoModelForCausalLM
            model = AutoModelForCausalLM.from_pretrained("gpt2", dtype=torch.bfloat16)
        """, target="5.24"),
        Valid("""
            from transformers import TrainingArguments
            args = TrainingArguments("out", activation_checkpointing=True, warmup_steps=0.1)
        """, target="5.24"),
        Valid("""
            from transformers import pipeline
            pipe = pipeline("text-generation", model="gpt2", dtype="auto", device_map="auto")
        """, target="5.24"),
        Valid("""
            from transformers import Trainer
            def make_trainer(model, tokenizer):
                return Trainer(model=model, processing_class=tokenizer)
        """, target="5.24"),
        Valid("""
            from transformers import AutoModel
            kwargs = {"torch_dtype": "auto"}
            model = AutoModel.from_pretrained("bert-base-cased", **kwargs)
        """, target="5.24"),
        Valid("""
            from transformers import AutoModel
            def load(name, torch_dtype):
                return AutoModel.from_pretrained(name, dtype=torch_dtype)
        """, target="5.24"),
        Valid("""
            from transformers import AutoModel
            try:
                model = AutoModel.from_pretrained("bert-base-cased", torch_dtype="auto")
            except TypeError:
                model = AutoModel.from_pretrained("bert-base-cased", dtype="auto")
        """, target="5.24"),
    ]
    INVALID = [
        Invalid("""
            import torch
            from transformers import AutoModelForCausalLM
            model = AutoModelForCausalLM.from_pretrained("gpt2", torch_dtype=torch.bfloat16)
        """, line=3, message="`torch_dtype` of `AutoModelForCausalLM.from_pretrained` is deprecated since 4.56 "
                             "(target transformers 5.24), no removal release announced yet; use `dtype=`",
                fixed="""
            import torch
            from transformers import AutoModelForCausalLM
            model = AutoModelForCausalLM.from_pretrained("gpt2", dtype=torch.bfloat16)
        """, target="5.24"),
        Invalid("""
            from transformers import TrainingArguments
            args = TrainingArguments("out", gradient_checkpointing=True)
        """, line=2, message="deprecated since 5.23 (target transformers 5.24), to be removed in 6.0; "
                             "use `activation_checkpointing=`", target="5.24"),
        Invalid("""
            from transformers import AutoModelForCausalLM
            model = AutoModelForCausalLM.from_pretrained(
                "meta-llama/Llama-3.1-8B",
                tp_plan="auto",
            )
        """, line=4, message="announced for removal in 5.18 but still accepted", target="5.24"),
        Invalid("""
            from transformers import pipeline
            pipe = pipeline("text-generation", model="gpt2", torch_dtype="auto")
        """, line=2, message="`torch_dtype` of `pipeline` is deprecated since 4.56", target="5.24"),
        Invalid("""
            from transformers import Seq2SeqTrainingArguments
            args = Seq2SeqTrainingArguments("out", gradient_checkpointing=True, predict_with_generate=True)
        """, line=2, message="deprecated since 5.23", target="5.24"),
        Invalid("""
            from transformers import Seq2SeqTrainingArguments
            args = Seq2SeqTrainingArguments("out", gradient_checkpointing_kwargs={"use_reentrant": False})
        """, line=2, message="use `activation_checkpointing_kwargs=`", target="5.24"),
    ]


# ==================================================================================================== HF304

@lru_cache(maxsize=None)
def known_attributes() -> dict:
    """kind -> frozenset of attribute names (``attributes.json``, generated by ``tools/gen_attributes.py``)."""
    data = load("attributes")
    return {k: frozenset(v) for k, v in data.items() if k != "_source"}


@lru_cache(maxsize=None)
def _all_known() -> frozenset:
    return frozenset().union(*known_attributes().values())


@lru_cache(maxsize=None)
def _by_head() -> dict:
    """(first letter, length) -> known attribute names: the only candidates a near miss is compared with."""
    index: dict = {}
    for name in _all_known():
        index.setdefault((name[:1], len(name)), []).append(name)
    return index


@lru_cache(maxsize=65536)
def has_near_miss(name: str) -> bool:
    """Whether ``name`` could misspell some known attribute: cheap enough for the prefilter, and the same
    candidates ``near_miss`` considers (typos keep the first letter; a wrong first letter is not looked for)."""
    if len(name) < 4 or name.startswith("_") or name in _all_known():
        return False
    limit = 1 if len(name) < 8 else 2
    index = _by_head()
    return any(api.edit_distance(name, cand, limit) <= limit
               for length in range(len(name) - limit, len(name) + limit + 1)
               for cand in index.get((name[:1], length), ()))


def near_miss(name: str, kinds: tuple) -> Optional[str]:
    """The known attribute of ``kinds`` that ``name`` misspells, or None: when ``name`` exists on any transformers
    object, is short, private, or has no single nearest candidate within 2 edits (1 for names under 8 characters)
    that starts with the same letter."""
    if not has_near_miss(name):
        return None
    limit = 1 if len(name) < 8 else 2
    best, best_d, tie = None, limit + 1, False
    for kind in kinds:
        for cand in known_attributes()[kind]:
            if abs(len(cand) - len(name)) > limit or cand[:1] != name[:1]:
                continue
            d = api.edit_distance(name, cand, limit)
            if d < best_d:
                best, best_d, tie = cand, d, False
            elif d == best_d and d <= limit and cand != best:
                tie = True
    if best is None or tie or _DIGITS.sub("#", best) == _DIGITS.sub("#", name):
        return None
    return best


_ROLE_KINDS = {"model": "model", "tokenizer": "tokenizer", "config": "config", "pipeline": "pipeline"}
_KIND_WORDS = {"model": "a transformers model", "tokenizer": "a transformers tokenizer",
               "config": "a transformers config", "pipeline": "a transformers pipeline",
               "output": "a transformers model output"}


class MisspelledHfAttribute(_ApiRule):
    """An attribute that does not exist on the transformers object it is used on, a small typo away from one that does.

    ## What it does
    Reports attribute reads and method calls on objects the analysis knows — tokenizers, models, configs and
    pipelines loaded from `transformers`, the outputs of a model's forward pass, and classes imported from
    `transformers` — when the name exists on no transformers object and exactly one real attribute of that
    kind is within a small edit distance (`resize_token_embedding` → `resize_token_embeddings`,
    `from_pretrain` → `from_pretrained`, `pooler_ouput` → `pooler_output`). Names the file defines itself
    (its classes' methods and attributes, attributes it assigns), objects loaded with
    `trust_remote_code=True`, and code guarded by `hasattr`/`getattr` are never reported.

    ## Why is this bad?
    The line fails with `AttributeError` — often after the model has loaded, or in an evaluation step at the
    end of a long training run. On a config, a misspelled field is silently created and the real one keeps
    its value.

    ## Example
    ```python
    model.resize_token_embedding(len(tokenizer))
    cls = outputs.pooler_ouput
    ```

    ## Use instead
    ```python
    model.resize_token_embeddings(len(tokenizer))
    cls = outputs.pooler_output
    ```
    """

    code = "HF304"
    name = "misspelled-hf-attribute"
    message = "`{expr}.{attr}` does not exist on {what}; did you mean `{suggestion}`?"
    fixable = "safe"

    VALID = [
        Valid("""
            from transformers import AutoModel, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("bert-base-cased")
            model = AutoModel.from_pretrained("bert-base-cased")
            tokenizer.add_special_tokens({"additional_special_tokens": ["[E1]"]})
            model.resize_token_embeddings(len(tokenizer))
            outputs = model(**tokenizer("hi", return_tensors="pt"))
            vec = outputs.pooler_output
        """),
        Valid("""
            # configs take arbitrary fields: an unknown name that is near nothing is fine
            from transformers import AutoConfig
            config = AutoConfig.from_pretrained("bert-base-cased")
            config.my_custom_dropout = 0.3
            print(config.my_custom_dropout, config.hidden_size)
        """),
        Valid("""
            from transformers import BertPreTrainedModel, BertModel
            class Scorer(BertPreTrainedModel):
                def __init__(self, config):
                    super().__init__(config)
                    self.bert = BertModel(config)
                def resize_token_embedding(self, n):
                    return self.bert.resize_token_embeddings(n)
            model = Scorer.from_pretrained("bert-base-cased")
            model.resize_token_embedding(30000)
        """),
        Valid("""
            from transformers import AutoModel
            model = AutoModel.from_pretrained("jinaai/jina-embeddings-v2-base-en", trust_remote_code=True)
            emb = model.encode(["hello"])
        """),
        Valid("""
            from transformers import AutoModelForCausalLM
            model = AutoModelForCausalLM.from_pretrained("gpt2")
            if hasattr(model, "enable_input_require_grad"):
                model.enable_input_require_grad()
        """),
        Valid("""
            from transformers import AutoTokenizer
            tok = AutoTokenizer.from_pretrained("gpt2")
            tok.pad_token = tok.eos_token
            ids = tok.convert_tokens_to_ids(tok.tokenize("hello"))
            print(tok.vocab_size, tok.model_max_length, tok.all_special_ids)
        """),
        Valid("""
            from transformers import AutoModel
            model = AutoModel.from_pretrained("bert-base-cased")
            model.tokenizer_name = "bert-base-cased"  # the script attaches its own attribute
            print(model.tokenizer_name)
        """),
    ]
    INVALID = [
        Invalid("""
            from transformers import AutoModelForQuestionAnswering
            model = AutoModelForQuestionAnswering.from_pretrained("bert-base-cased")
            model.resize_token_embedding(30000)
        """, line=3, message="`model.resize_token_embedding` does not exist on a transformers model; did you mean "
                             "`resize_token_embeddings`?",
                fixed="""
            from transformers import AutoModelForQuestionAnswering
            model = AutoModelForQuestionAnswering.from_pretrained("bert-base-cased")
            model.resize_token_embeddings(30000)
        """),
        Invalid("""
            from transformers import AutoModel
            model = AutoModel.from_pretrain("bert-base-cased")
        """, line=2, message="did you mean `from_pretrained`?"),
        Invalid("""
            from transformers import AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("bert-base-cased")
            tokenizer.add_special_token({"additional_special_tokens": ["[S1]"]})
        """, line=3, message="did you mean `add_special_tokens`?"),
        Invalid("""
            from transformers import AutoModel, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("bert-base-cased")
            model = AutoModel.from_pretrained("bert-base-cased")
            outputs = model(**tokenizer("What can I do for you?!", return_tensors="pt"))
            cls_output = outputs.pooler_ouput
        """, line=5, message="`outputs.pooler_ouput` does not exist on a transformers model output"),
        Invalid("""
            from transformers import AutoConfig
            config = AutoConfig.from_pretrained("bert-base-cased")
            print(config.hidden_szie)
        """, line=3, message="did you mean `hidden_size`?"),
        Invalid("""
            from transformers import AutoModelForCausalLM
            class Generator:
                def __init__(self):
                    self.model = AutoModelForCausalLM.from_pretrained("gpt2")
                def run(self, ids):
                    return self.model.generat(ids, max_new_tokens=20)
        """, line=6, message="`self.model.generat` does not exist on a transformers model; did you mean "
                             "`generate`?"),
    ]

    @staticmethod
    def may_match(features) -> bool:
        # a receiver the analysis knows comes from a load, a pipeline or a class imported from transformers
        if features.imports_hf_module:  # transformers.AutoModel.from_pretrain: any receiver
            return any(has_near_miss(name) for name in features.attrs)
        receivers = features.hf_receivers
        return any(base in receivers and has_near_miss(attr) for base, attr in features.receiver_attrs)

    def __init__(self, ctx):
        super().__init__(ctx)
        self._stored: set = set()
        self._candidates: list = []  # (Attribute node, kind)

    def visit_AssignTarget(self, node) -> None:
        if isinstance(node.target, cst.Attribute):
            self._stored.add(node.target.attr.value)

    def visit_Attribute(self, node) -> None:
        if self._guard:
            return
        kind = self._kind_of(self.ctx.facts.value_of(node.value))
        if kind:
            self._candidates.append((node, kind))

    def _kind_of(self, base) -> Optional[str]:
        if isinstance(base, HFObject):
            kind = _ROLE_KINDS.get(base.role)
            return kind if kind and _loaded_from_transformers(self.ctx.facts, base) else None
        if isinstance(base, Output):
            return "output" if _loaded_from_transformers(self.ctx.facts, base.model) else None
        if isinstance(base, QName) and _from_transformers(base.qualname):
            export = export_name(base.qualname)
            if not export or not export[:1].isupper() or export.isupper():
                return None
            role = classify(export).role
            if role in ("model", "tokenizer", "config") and api.export_status(export, target_of(self.ctx)).state \
                    in ("ok", "deprecated"):
                return "class:" + role
        return None

    def check(self) -> Iterable[Report]:
        if not self._candidates:
            return
        defined = self._user_names()
        module = self.ctx.module
        for node, kind in self._candidates:
            attr = node.attr.value
            if attr in defined:
                continue
            is_class = kind.startswith("class:")
            role = kind.split(":", 1)[-1]
            suggestion = near_miss(attr, (role, "auto") if is_class else (role,))
            if not suggestion:
                continue
            expr = module.code_for_node(node.value)
            if len(expr) > 40 or "\n" in expr:
                expr = "..."
            what = "a transformers class" if is_class else _KIND_WORDS[role]
            yield self.report(node.attr, self.message.format(expr=expr, attr=attr, what=what, suggestion=suggestion),
                              replacements=[Replacement(node.attr, suggestion)],
                              data={"attribute": attr, "suggestion": suggestion, "kind": role})

    def _user_names(self) -> set:
        return user_defined_names(self.ctx) | self._stored


def user_defined_names(ctx) -> set:
    """Names this file defines: its classes' bindings and self attributes, functions, attributes it assigns on
    tracked objects. A member with one of these names may be the file's own."""
    names = set()
    for scope in ctx.facts.scopes:
        if scope.kind == "class":
            names.update(scope.bindings)
            names.update(scope.self_attrs)
        elif scope.kind == "function":
            names.add(scope.name)
    for obj in ctx.facts.objects:
        names.update(u.name for u in obj.uses if u.kind == "attr_store")
    return names


def _loaded_from_transformers(facts, obj: HFObject) -> bool:
    """Made by transformers itself (not trl/peft), and not from remote code that may define anything."""
    while obj.origin == "attribute" and isinstance(obj.parent, HFObject):
        obj = obj.parent
    if obj.call is None or any(use.kind == "wrap" for use in obj.uses):
        return False  # a peft model, a compiled or distributed wrapper has attributes of its own
    callee = facts.value_of(obj.call.func)
    if not isinstance(callee, QName) or not _from_transformers(callee.qualname):
        return False
    remote = obj.kwargs.get("trust_remote_code")
    return not remote or getattr(remote[0], "value", None) is False


def drop_keyword(module, call, arg) -> Replacement:
    """A replacement of ``call`` without the keyword argument ``arg`` (a keyword that does nothing), keeping the
    comma style of what is left."""
    args = list(call.args)
    i = next(j for j, a in enumerate(args) if a is arg)
    del args[i]
    if i == len(args) and args and isinstance(arg.comma, cst.MaybeSentinel):
        args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return Replacement(call, module.code_for_node(call.with_changes(args=args)))
