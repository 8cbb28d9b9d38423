"""The history tables of the ``transformers`` API (``hflint/knowledge/api/*.json``), built from the facts that
:mod:`hflint.knowledge.extract` reads from several releases: per owner (``exports``, a callable's keywords, a
kind's members, pipeline tasks), which releases have each name, and notes (deprecation, removal announced,
replacement, alias, advice). ``dumps`` writes a table one name per line, so regenerations diff well.
"""
from __future__ import annotations

import json
import re
from .extract import KINDS, OWNERS, minor, resolve_alias

TF_FLAX_REPLACEMENT = "TensorFlow/Flax support was removed in v5"
_V5_GUIDE = "MIGRATION_GUIDE_V5.md (huggingface/transformers, commit 048bd927)"

# Facts the code does not state in a parseable way. Each cites where it comes from. Applied only to names that the
# extracted data contains; a curated "deprecated" never overrides a detected one.
CURATED = {
    "TrainingArguments": {
        # Field help "Deprecated. Use `eval_strategy` instead" and the __post_init__ FutureWarning (4.41).
        "evaluation_strategy": {"replacement": "eval_strategy"},
        # Field help of `no_cuda` (4.36+): "This argument is deprecated. It will be removed in version 5.0 of
        # Transformers." next to the new `use_cpu` field.
        "no_cuda": {"replacement": "use_cpu"},
        # `push_to_hub_token`/`push_to_hub_model_id`/`push_to_hub_organization` help texts: "Use `hub_token`/
        # `hub_model_id` instead" (the organization one: "use `hub_model_id` with the full repo name").
        "push_to_hub_token": {"replacement": "hub_token"},
        "push_to_hub_model_id": {"replacement": "hub_model_id"},
        "push_to_hub_organization": {"replacement": "hub_model_id"},
        # FutureWarning "`use_mps_device` is deprecated ... mps device will be used by default if available".
        "use_mps_device": {"replacement": "nothing (the mps device is used automatically)"},
        # 5.0 __post_init__ FutureWarning: "`logging_dir` is deprecated and will be removed in v5.2. Please set
        # `TENSORBOARD_LOGGING_DIR` instead."
        "logging_dir": {"replacement": "the TENSORBOARD_LOGGING_DIR environment variable"},
        # MIGRATION_GUIDE_V5.md, "Removing arguments ... in TrainingArguments".
        "per_gpu_train_batch_size": {"replacement": "per_device_train_batch_size"},
        "per_gpu_eval_batch_size": {"replacement": "per_device_eval_batch_size"},
        "tpu_metrics_debug": {"replacement": "debug"},
        "overwrite_output_dir": {"replacement": "nothing (resume with `resume_from_checkpoint`)"},
        "jit_mode_eval": {"replacement": "use_torch_compile"},
        "include_tokens_per_second": {"replacement": "include_num_input_tokens_seen"},
        "fsdp_min_num_params": {"replacement": "fsdp_config"},
        "fsdp_transformer_layer_cls_to_wrap": {"replacement": "fsdp_config"},
        "fp16_backend": {"replacement": "nothing (torch.amp is always used)", "exact": True},
        "half_precision_backend": {"replacement": "nothing (torch.amp is always used)"},
    },
    "Trainer": {
        # @deprecate_kwarg("tokenizer", new_name="processing_class", version="5.0.0") on Trainer.__init__ (4.46).
        "tokenizer": {"replacement": "processing_class"},
    },
    "exports": {
        # optimization.AdamW.__init__ FutureWarning: "This implementation of AdamW is deprecated and will be removed
        # in a future version. Use the PyTorch implementation torch.optim.AdamW instead".
        "AdamW": {"replacement": "torch.optim.AdamW", "deprecated": "first"},
        # AutoModelWithLMHead.from_pretrained FutureWarning: "The class `AutoModelWithLMHead` is deprecated and will
        # be removed in a future version. Please use `AutoModelForCausalLM` for causal language models,
        # `AutoModelForMaskedLM` for masked language models and `AutoModelForSeq2SeqLM` for encoder-decoder models."
        "AutoModelWithLMHead": {
            "replacement": "AutoModelForCausalLM / AutoModelForMaskedLM / AutoModelForSeq2SeqLM",
            "deprecated": "first",
        },
        # TFAutoModelWithLMHead's message names the TF classes, which v5 removed as well
        "TFAutoModelWithLMHead": {"replacement": TF_FLAX_REPLACEMENT},
        # MIGRATION_GUIDE_V5.md, "Environment variables": "Legacy environment variables like `TRANSFORMERS_CACHE`,
        # `PYTORCH_TRANSFORMERS_CACHE`, and `PYTORCH_PRETRAINED_BERT_CACHE` have been removed. Please use `HF_HOME`"
        "TRANSFORMERS_CACHE": {"replacement": "huggingface_hub.constants.HF_HUB_CACHE"},
        "PYTORCH_TRANSFORMERS_CACHE": {"replacement": "huggingface_hub.constants.HF_HUB_CACHE"},
        "PYTORCH_PRETRAINED_BERT_CACHE": {"replacement": "huggingface_hub.constants.HF_HUB_CACHE"},
        # MIGRATION_GUIDE_V5.md, "Generate": "Removed deprecated classes regarding decoding methods that were moved to
        # the Hub due to low usage (constraints and beam scores)".
        **{name: {"replacement": "nothing in transformers: constrained and scored beam search moved to custom "
                                 "`generate` code on the Hub"}
           for name in ("Constraint", "ConstraintListState", "DisjunctiveConstraint", "PhrasalConstraint",
                        "BeamScorer", "BeamSearchScorer", "ConstrainedBeamSearchScorer")},
        # MIGRATION_GUIDE_V5.md, "Tokenization": "MistralCommonBackend ... (Previously known as the
        # `MistralCommonTokenizer`)"; the tokenizer modules were renamed with the backends.
        "MistralCommonTokenizer": {"replacement": "MistralCommonBackend"},
        "tokenization_utils": {"replacement": "tokenization_python"},
        "tokenization_utils_fast": {"replacement": "tokenization_utils_tokenizers"},
        # pipelines/__init__.py REMOVED_TASKS (5.20+): the tasks' pipeline classes went with them, and what to use
        # instead is another pipeline with another model, not a rename.
        **{name: {"replacement": "the `text-generation` pipeline with a chat model (REMOVED_TASKS)"}
           for name in ("SummarizationPipeline", "TranslationPipeline", "Text2TextGenerationPipeline",
                        "QuestionAnsweringPipeline")},
        "VisualQuestionAnsweringPipeline": {"replacement": "the `image-text-to-text` pipeline with a vision-language "
                                                           "chat model (REMOVED_TASKS)"},
        # 5.x `_resolve_deprecated_task`: "The task `image-to-text` ... has been replaced by `image-text-to-text`".
        "ImageToTextPipeline": {"replacement": "the `image-text-to-text` pipeline"},
        # data/datasets/language_modeling.py DEPRECATION_WARNING (4.x): "This dataset will be removed from the
        # library soon, preprocessing should be handled with the 🤗 Datasets library."
        **{name: {"replacement": "the 🤗 Datasets library (`datasets.load_dataset` and `Dataset.map`)"}
           for name in ("TextDataset", "LineByLineTextDataset", "LineByLineWithRefDataset",
                        "LineByLineWithSOPTextDataset", "TextDatasetForNextSentencePrediction")},
    },
    # `use_auth_token` (FutureWarning in every from_pretrained since 4.34: "The `use_auth_token` argument is
    # deprecated and will be removed in v5 of Transformers. Please use `token` instead.")
    "from_pretrained.model": {
        "use_auth_token": {"replacement": "token"},
        # MIGRATION_GUIDE_V5.md, "Quantization changes": load_in_4bit/load_in_8bit dropped for quantization_config.
        "load_in_8bit": {"replacement": "quantization_config=BitsAndBytesConfig(load_in_8bit=True)"},
        "load_in_4bit": {"replacement": "quantization_config=BitsAndBytesConfig(load_in_4bit=True)"},
        # 4.36+ FutureWarning: "The model was loaded with use_flash_attention_2=True, which is deprecated and may be
        # removed in a future release. Please use `attn_implementation="flash_attention_2"` instead."
        "use_flash_attention_2": {"replacement": 'attn_implementation="flash_attention_2"'},
        # huggingface_hub's FutureWarning for resume_download: "Downloads always resume when possible."
        "resume_download": {"replacement": "nothing (downloads always resume)"},
        # 5.x `for name in ["mirror", "_fast_init", "low_cpu_mem_usage", "from_tf", "from_flax",
        # "offload_state_dict"]: _ = kwargs.pop(name, None)` ("Not used anymore"); v5 removed the TF/Flax loaders.
        "from_tf": {"replacement": "nothing (TensorFlow checkpoints cannot be loaded any more: convert the "
                                   "checkpoint with transformers 4.x and `save_pretrained`)"},
        "from_flax": {"replacement": "nothing (Flax checkpoints cannot be loaded any more: convert the checkpoint "
                                     "with transformers 4.x and `save_pretrained`)"},
        "low_cpu_mem_usage": {"replacement": "nothing (loading always uses little CPU memory)"},
        "offload_state_dict": {"replacement": "nothing (it has no effect)"},
        "mirror": {"replacement": "nothing (it has no effect)"},
    },
    "from_pretrained.tokenizer": {
        "use_auth_token": {"replacement": "token"},
        # tokenization_auto.py (5.0+): "V5: Always use fast tokenizers, ignore use_fast parameter".
        "use_fast": {"replacement": "nothing (the tokenizers backend is always used)"},
        "resume_download": {"replacement": "nothing (downloads always resume)"},
    },
    "from_pretrained.config": {"use_auth_token": {"replacement": "token"},
                               "resume_download": {"replacement": "nothing (downloads always resume)"}},
    "from_pretrained.processor": {"use_auth_token": {"replacement": "token"},
                                  "resume_download": {"replacement": "nothing (downloads always resume)"}},
    "pipeline": {"use_auth_token": {"replacement": "token"},
                 # MIGRATION_GUIDE_V5.md, "Removal of TensorFlow and Jax": torch is the only framework.
                 "framework": {"replacement": "nothing (PyTorch is the only framework)"}},
    "tokenizer.__call__": {
        # 4.x `_get_padding_truncation_strategies`: "The `pad_to_max_length` argument is deprecated ... use
        # `padding='max_length'` to pad to a max length" (only `True` means that).
        "pad_to_max_length": {"replacement": 'padding="max_length"', "exact": True},
        # 4.x: "The `truncation_strategy` argument is deprecated ... use `truncation=True` or ..."
        "truncation_strategy": {"replacement": "truncation"},
    },
    "members.tokenizer": {
        # MIGRATION_GUIDE_V5.md, "Unified encoding API": "`encode_plus` --> `__call__`".
        "encode_plus": {"replacement": "__call__"},
        "batch_encode_plus": {"replacement": "__call__"},
        # MIGRATION_GUIDE_V5.md: "`as_target_tokenizer()`: Removed ... Use `__call__()` with `text_target`".
        "as_target_tokenizer": {"replacement": "text_target="},
        "prepare_seq2seq_batch": {"replacement": "text_target="},
        "sanitize_special_tokens": {"replacement": "nothing (it had no effect since 4.x)"},
        "special_tokens_map_extended": {"replacement": "special_tokens_map"},
        # MIGRATION_GUIDE_V5.md, "Special Tokens Structure": "Use `extra_special_tokens` for additional special
        # tokens (formerly `additional_special_tokens`)".
        "additional_special_tokens": {"replacement": "extra_special_tokens"},
        "additional_special_tokens_ids": {"replacement": "extra_special_tokens_ids"},
        "all_special_tokens_extended": {"replacement": "all_special_tokens"},
    },
    "members.model": {
        # 5.0 replaced `tie_embeddings_and_encoder_decoder` (4.5x) by `tie_weights`, which ties both.
        "tie_embeddings_and_encoder_decoder": {"replacement": "tie_weights"},
    },
    "members.config": {
        # MIGRATION_GUIDE_V5.md, "Generate": "Generation parameters are no longer accessible via model's config ...
        # access or modify generation parameters only with `model.generation_config`".
        "*generation": {"replacement": "generation_config"},
    },
    "members.trainer": {"tokenizer": {"replacement": "processing_class"}},
    # 4.x processors: "`as_target_processor` is deprecated and will be removed in v5 of Transformers. You can process
    # your labels by using the argument `text` of the regular `__call__` method".
    "classes.processor": {"*.as_target_processor": {"replacement": "text="}},
}
CURATED["Seq2SeqTrainingArguments"] = CURATED["TrainingArguments"]
CURATED["Seq2SeqTrainer"] = CURATED["Trainer"]
# Generation settings that 4.x configs carried (PretrainedConfig._get_global_generation_defaults, 4.30's explicit
# `self.max_length = kwargs.pop("max_length", 20)` ...): their replacement is `model.generation_config.<name>`.
GENERATION_FIELDS = frozenset({
    "max_length", "min_length", "do_sample", "early_stopping", "num_beams", "num_beam_groups", "diversity_penalty",
    "temperature", "top_k", "top_p", "typical_p", "repetition_penalty", "length_penalty", "no_repeat_ngram_size",
    "encoder_no_repeat_ngram_size", "bad_words_ids", "num_return_sequences", "output_scores",
    "return_dict_in_generate", "forced_bos_token_id", "forced_eos_token_id", "remove_invalid_values",
    "exponential_decay_length_penalty", "suppress_tokens", "begin_suppress_tokens",
})

KEYWORD_OWNERS = tuple(OWNERS) + ("tokenizer.__call__", "tokenizer.pad")
CLOSED = {**{o: OWNERS[o][3] for o in OWNERS}, "tokenizer.__call__": False, "tokenizer.pad": False}


def _runs(flags: list) -> list:
    """Index ranges [a, b] where ``flags`` is true."""
    out, start = [], None
    for i, f in enumerate(flags + [False]):
        if f and start is None:
            start = i
        elif not f and start is not None:
            out.append((start, i - 1))
            start = None
    return out


def span_key(flags: list, minors: list) -> str:
    """``"4.30-"`` (from 4.30 through the newest release), ``"4.30-4.57"``, ``"4.35-4.40,4.45-"``."""
    parts = []
    for a, b in _runs(flags):
        parts.append(f"{minors[a]}-" if b == len(minors) - 1 else f"{minors[a]}-{minors[b]}")
    return ",".join(parts)


def _last_run_start(indices: list) -> int:
    """The first index of the last run of consecutive integers."""
    first = indices[0]
    for j in range(len(indices) - 1, 0, -1):
        if indices[j] - indices[j - 1] != 1:
            return indices[j]
    return first


class _Table:
    """Presence per release of the names of each owner, and notes (deprecations, replacements, ...)."""

    def __init__(self, minors):
        self.minors = minors
        self.presence: dict = {}  # owner -> name -> [bool]
        self.deprecations: dict = {}  # owner -> name -> [(index, removal, replacement)]
        self.ignored: dict = {}  # owner -> name -> [index]
        self.notes: dict = {}  # owner -> name -> {key: value}
        self.extra: dict = {}

    def add(self, owner, i, names, deprecated=None, ignored=()):
        own = self.presence.setdefault(owner, {})
        for name in names:
            own.setdefault(name, [False] * len(self.minors))[i] = True
        for name, d in (deprecated or {}).items():
            if d is None:
                continue
            self.deprecations.setdefault(owner, {}).setdefault(name, []).append(
                (i, d.get("removal"), d.get("replacement")))
        for name in ignored:
            self.ignored.setdefault(owner, {}).setdefault(name, []).append(i)

    def note(self, owner, name, **kw):
        self.notes.setdefault(owner, {}).setdefault(name, {}).update({k: v for k, v in kw.items() if v})

    def render(self, source: str, versions, owners=None) -> dict:
        out = {"_source": source, "versions": list(versions), "owners": {}}
        for owner in owners or sorted(self.presence):
            names = self.presence.get(owner, {})
            spans: dict = {}
            notes = {}
            for name in sorted(names):
                flags = names[name]
                idx = [i for i, f in enumerate(flags) if f]
                if not idx:
                    continue
                spans.setdefault(span_key(flags, self.minors), []).append(name)
                entry = {}
                deps = [d for d in self.deprecations.get(owner, {}).get(name, []) if flags[d[0]]]
                if deps:
                    last = [d for d in deps if d[0] <= idx[-1]]
                    run = _last_run_start([d[0] for d in last])
                    entry["deprecated"] = self.minors[run]
                    removal = next((d[1] for d in reversed(deps) if d[1]), None)
                    if removal:
                        entry["planned_removal"] = minor(removal)
                    repl = next((d[2] for d in reversed(deps) if d[2]), None)
                    if repl:
                        entry["replacement"] = repl
                ign = [i for i in self.ignored.get(owner, {}).get(name, []) if flags[i]]
                if ign and ign[-1] == idx[-1]:
                    entry["ignored"] = self.minors[_last_run_start(ign)]
                extra = self.notes.get(owner, {}).get(name, {})
                for k, v in extra.items():
                    if k == "exact":  # the curated replacement says more than the release's message
                        continue
                    if k == "deprecated" and "deprecated" in entry:
                        continue
                    if k == "replacement" and "replacement" in entry and not extra.get("exact"):
                        continue
                    entry[k] = self.minors[idx[0]] if (k == "deprecated" and v == "first") else v
                if entry:
                    notes[name] = entry
            out["owners"][owner] = {"spans": spans, "notes": notes}
        return out


def build(all_facts: list, source: str) -> dict:
    """The four history tables (``exports``, ``keywords``, ``members``, ``tasks``) from the facts of several
    releases, oldest first."""
    versions = [f["version"] for f in all_facts]
    minors = [minor(v) for v in versions]
    tables = _Tables(minors)
    every_export = set()
    for f in all_facts:
        every_export.update(f["exports"])
    for i, f in enumerate(all_facts):
        _add_release(tables, i, f, every_export)
    _member_tables(tables.members, all_facts)
    return _finish(tables, versions, source)


def extend(shipped: dict, facts: dict, source: str) -> dict:
    """The shipped tables (``{name: table}``) with one more release, newer than all of them, from its facts: how
    hflint learns a release published after it was built."""
    old = shipped["exports"]["versions"]
    versions = list(old) + [facts["version"]]
    minors = [minor(v) for v in versions]
    tables = _Tables(minors)
    for name in TABLES:
        _load(getattr(tables, name), shipped[name], [minor(v) for v in old])
    i = len(versions) - 1
    every_export = set(tables.exports.presence.get("exports", {})) | set(facts["exports"])
    _add_release(tables, i, facts, every_export)
    members = tables.members
    for kind in KINDS:
        m = facts["members"][kind]
        owner = f"members.{kind}"
        before = {n for n, flags in members.presence.get(owner, {}).items() if flags[i - 1]}
        members.add(owner, i, m["roots"], m["roots"])
        gone = before - set(m["roots"])
        classes = members.presence.setdefault(f"classes.{kind}", {})
        interesting = {key.split(".", 1)[1] for key in classes if "." in key} | gone
        interesting.update(key.split(".", 1)[1] for key in m["class_deprecations"])
        for cls, names in m["classes"].items():
            kept = [n for n in names if n in interesting]
            for n in kept:
                classes.setdefault(f"{cls}.{n}", [False] * len(minors))[i] = True
            if kept or cls in classes:
                classes.setdefault(cls, [False] * len(minors))[i] = True
        for key, dep in m["class_deprecations"].items():
            members.deprecations.setdefault(f"classes.{kind}", {}).setdefault(key, []).append(
                (i, dep.get("removal"), dep.get("replacement")))
    members.extra["counts"] = {kind: list(shipped["members"].get("counts", {}).get(kind, [0] * len(old)))
                               + [len(facts["members"][kind]["classes"])] for kind in KINDS}
    return _finish(tables, versions, source)


class _Tables:
    def __init__(self, minors):
        self.minors = minors
        self.exports = _Table(minors)
        self.keywords = _Table(minors)
        self.members = _Table(minors)
        self.tasks = _Table(minors)
        self.tf_flax: set = set()  # exports taken from TensorFlow/Keras/Flax modules in some release


def _add_release(tables: _Tables, i: int, f: dict, every_export: set) -> None:
    """Record one release's exports (with the retired names its lazy module still resolves), keywords and tasks."""
    own = set(f["exports"])
    aliased = {}
    for name in every_export - own:
        target = resolve_alias(name, own, f["aliases"])
        if target:
            aliased[name] = target
    tables.exports.add("exports", i, own | set(aliased))
    for name, target in aliased.items():
        tables.exports.note("exports", name, alias=target)
    for old, new in f["successors"].items():
        tables.exports.note("exports", old, successor=new)
    tables.tf_flax.update(f.get("tf_flax", ()))
    if i == len(tables.minors) - 1:  # what the newest release needs beyond torch (for the knowledge-vs-reality test)
        for name, backends in f.get("backends", {}).items():
            if set(backends) - {"torch"}:
                tables.exports.note("exports", name, needs=backends)
    for owner in KEYWORD_OWNERS:
        p = f["owners"].get(owner)
        if p is not None:
            tables.keywords.add(owner, i, p["names"], p["deprecated"], p["ignored"])
    tables.keywords.add("tokenizer.__call__.any", i, f["tokenizer_any"])
    t = f["tasks"]
    tables.tasks.add("pipeline.tasks", i, t["tasks"], {old: {"replacement": new} for old, new in t["redirects"].items()})
    for task, advice in t["advice"].items():
        tables.tasks.note("pipeline.tasks", task, advice=advice, advice_release=tables.minors[i])


def _finish(tables: _Tables, versions: list, source: str) -> dict:
    minors = tables.minors
    exports = tables.exports
    _apply_curated(exports, tables.keywords, tables.members)
    _export_replacements(exports)
    for name, present in exports.presence.get("exports", {}).items():
        if not present[-1] and (re.match(r"(TF|Flax)[A-Z_0-9]|FLAX_|TF_|is_(tf|flax|keras|tensorflow)\w*_available$",
                                         name) or name in tables.tf_flax):
            notes = exports.notes.get("exports", {}).get(name, {})
            if "replacement" not in notes and any(present[i] for i, m in enumerate(minors) if m.startswith("4.")):
                exports.note("exports", name, replacement=TF_FLAX_REPLACEMENT)
    return {
        "exports": exports.render(source, versions, ["exports"]),
        "keywords": {**tables.keywords.render(source, versions, list(KEYWORD_OWNERS) + ["tokenizer.__call__.any"]),
                     "closed": CLOSED},
        "members": {**tables.members.render(source, versions), "counts": tables.members.extra.get("counts", {})},
        "tasks": tables.tasks.render(source, versions, ["pipeline.tasks"]),
    }


def decode(key: str, minors: list) -> list:
    """The per-release flags of a span key over ``minors`` (an open end runs through the last of them)."""
    order = [tuple(int(x) for x in m.split(".")) for m in minors]
    flags = [False] * len(minors)
    for part in key.split(","):
        a, _, b = part.partition("-")
        lo = tuple(int(x) for x in a.split("."))
        hi = tuple(int(x) for x in b.split(".")) if b else order[-1]
        for i, v in enumerate(order):
            if lo <= v <= hi:
                flags[i] = True
    return flags


def _load(table: _Table, data: dict, old_minors: list) -> None:
    """Read a rendered table back into ``table`` (which has one more release than ``old_minors``)."""
    extra = len(table.minors) - len(old_minors)
    for owner, own in data["owners"].items():
        presence = table.presence.setdefault(owner, {})
        for key, names in own["spans"].items():
            flags = decode(key, old_minors) + [False] * extra
            for name in names:
                presence[name] = list(flags)
        for name, note in own["notes"].items():
            flags = presence.get(name, [])
            rest = {k: v for k, v in note.items() if k not in ("deprecated", "planned_removal", "ignored")}
            if rest:
                table.note(owner, name, **rest)
            since = note.get("deprecated")
            if since:
                for i, m in enumerate(old_minors):
                    if flags and flags[i] and _mkey(m) >= _mkey(since):
                        table.deprecations.setdefault(owner, {}).setdefault(name, []).append(
                            (i, note.get("planned_removal"), note.get("replacement")))
            ignored = note.get("ignored")
            if ignored:
                for i, m in enumerate(old_minors):
                    if flags and flags[i] and _mkey(m) >= _mkey(ignored):
                        table.ignored.setdefault(owner, {}).setdefault(name, []).append(i)


def _mkey(m: str) -> tuple:
    return tuple(int(x) for x in m.split("."))


def _member_tables(table: _Table, all_facts: list) -> None:
    """``members.<kind>``: members of the kind's root classes. ``classes.<kind>``: ``Class.member`` entries of the
    specific classes, for the members that matter: those the roots had at some release, and those a class lost while
    it still existed (or announced as deprecated)."""
    counts = {}
    for kind in KINDS:
        for i, f in enumerate(all_facts):
            m = f["members"][kind]
            table.add(f"members.{kind}", i, m["roots"], m["roots"])
            counts.setdefault(kind, []).append(len(m["classes"]))
        # per-class presence
        pairs: dict = {}
        class_seen: dict = {}
        deprecated_pairs: dict = {}
        for i, f in enumerate(all_facts):
            m = f["members"][kind]
            for cls, names in m["classes"].items():
                class_seen.setdefault(cls, set()).add(i)
                for n in names:
                    pairs.setdefault((cls, n), set()).add(i)
            for key, dep in m["class_deprecations"].items():
                deprecated_pairs.setdefault(key, []).append((i, dep))
        # a root member some release dropped: which classes still define it decides whether an object may have it
        roots_flags = table.presence.get(f"members.{kind}", {})
        interesting = {n for n, flags in roots_flags.items()
                       if any(flags[i] and not any(flags[i + 1:]) for i in range(len(flags) - 1))
                       or any(flags[i] and not flags[i + 1] for i in range(len(flags) - 1))}
        # and a member some class announced as deprecated (`CLIPProcessor.feature_extractor`); members a class merely
        # lost in a refactor are left out: most moved to a base class, and the roots answer for those
        interesting.update(key.split(".", 1)[1] for key in deprecated_pairs)
        owner = f"classes.{kind}"
        for (cls, n), seen in sorted(pairs.items()):
            if n not in interesting:
                continue
            flags = [i in seen for i in range(len(all_facts))]
            table.presence.setdefault(owner, {})[f"{cls}.{n}"] = flags
            for i, dep in deprecated_pairs.get(f"{cls}.{n}", []):
                table.deprecations.setdefault(owner, {}).setdefault(f"{cls}.{n}", []).append(
                    (i, dep.get("removal"), dep.get("replacement")))
        # which classes existed per release, so "this class is gone" is not read as "this member is gone"
        stored = {key.split(".", 1)[0] for key in table.presence.get(owner, {})}
        for cls, seen in sorted(class_seen.items()):
            if cls in stored:
                table.presence[owner][cls] = [i in seen for i in range(len(all_facts))]
    table.extra["counts"] = counts


def _apply_curated(exports: _Table, keywords: _Table, members: _Table) -> None:
    for owner, entries in CURATED.items():
        table = exports if owner == "exports" else members if owner.startswith(("members.", "classes.")) \
            else keywords
        present = table.presence.get(owner, {})
        for name, cur in entries.items():
            if name.startswith("*."):
                for key in sorted(k for k in present if k.endswith(name[1:])):
                    table.note(owner, key, **cur)
                continue
            if name == "*generation":
                for field in sorted(GENERATION_FIELDS & set(present)):
                    table.note(owner, field, replacement=f"{cur['replacement']}.{field}")
                continue
            if name in present:
                table.note(owner, name, **cur)


def _export_replacements(exports: _Table) -> None:
    """Successors for removed exports: what the release's own code named (deprecation messages, aliases), and the
    vision ``XFeatureExtractor`` -> ``XImageProcessor`` rename of v5 (MIGRATION_GUIDE_V5.md, "Processing classes")."""
    present = exports.presence["exports"]
    newest = {n for n, flags in present.items() if flags[-1]}
    notes = exports.notes.setdefault("exports", {})
    for name, flags in present.items():
        if flags[-1]:
            continue
        entry = notes.setdefault(name, {})
        successor = entry.pop("successor", None)
        if "replacement" in entry:
            continue
        if successor and (successor in newest or successor.startswith("torch.")):
            entry["replacement"] = successor
        elif name.endswith("FeatureExtractor") and name[: -len("FeatureExtractor")] + "ImageProcessor" in newest:
            entry["replacement"] = name[: -len("FeatureExtractor")] + "ImageProcessor"
    for name in list(notes):
        notes[name].pop("successor", None)
        if not notes[name]:
            del notes[name]


def dumps(table: dict) -> str:
    """One name per line: small diffs, still compact."""
    lines = ["{"]
    lines.append(f' "_source": {json.dumps(table["_source"])},')
    lines.append(f' "versions": {json.dumps(table["versions"])},')
    for key in sorted(k for k in table if k not in ("_source", "versions", "owners")):
        lines.append(f' {json.dumps(key)}: {json.dumps(table[key], sort_keys=True)},')
    lines.append(' "owners": {')
    owners = list(table["owners"])
    for oi, owner in enumerate(owners):
        data = table["owners"][owner]
        lines.append(f'  {json.dumps(owner)}: {{')
        lines.append('   "spans": {')
        keys = sorted(data["spans"], key=_span_sort_key)
        for ki, key in enumerate(keys):
            names = data["spans"][key]
            lines.append(f'    {json.dumps(key)}: [')
            for ni, name in enumerate(names):
                lines.append(f'     {json.dumps(name)}' + ("," if ni + 1 < len(names) else ""))
            lines.append("    ]" + ("," if ki + 1 < len(keys) else ""))
        lines.append("   },")
        lines.append('   "notes": {')
        items = sorted(data["notes"].items())
        for ni, (name, entry) in enumerate(items):
            sep = "," if ni + 1 < len(items) else ""
            lines.append(f'    {json.dumps(name)}: '
                         f'{json.dumps(entry, sort_keys=True, ensure_ascii=False, separators=(",", ":"))}{sep}')
        lines.append("   }")
        lines.append("  }" + ("," if oi + 1 < len(owners) else ""))
    lines.append(" }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _span_sort_key(key: str):
    out = []
    for part in key.split(","):
        a, _, b = part.partition("-")
        out.append(tuple(int(x) for x in a.split(".")) + ((999, 999) if not b else tuple(int(x) for x in b.split("."))))
    return out


TABLES = ("exports", "keywords", "members", "tasks")
