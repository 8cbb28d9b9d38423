"""The HF901–HF909 checks on live objects. Pure: they read models, tokenizers and local files, and return findings.

``verify`` runs every check its arguments allow; ``watch`` calls the single checks from its hooks.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Iterable, Optional, Sequence

from ..finding import Finding
from . import local_files, provenance
from .report import NOWHERE, Location, describe, format_ids, format_tokens, make_finding

DEFAULT_UNK_THRESHOLD = 0.05
_GENERIC_TOKENIZERS = {"PreTrainedTokenizerFast", "PreTrainedTokenizer", "PreTrainedTokenizerBase",
                       "TokenizersBackend", "PythonBackend", "SentencePieceBackend"}
POOLINGS = {"cls": "CLS", "mean": "mean", "max": "max", "pooler": "`pooler_output`",
            "lasttoken": "last-token", "weightedmean": "weighted-mean"}


# --- small readers --------------------------------------------------------------------------------

def embedding_rows(model) -> Optional[int]:
    """Rows of the model's input embedding matrix, or None when it has no plain embedding."""
    try:
        emb = model.get_input_embeddings()
    except (NotImplementedError, AttributeError):
        return None
    rows = getattr(emb, "num_embeddings", None)
    if rows is None:
        weight = getattr(emb, "weight", None)
        rows = weight.shape[0] if getattr(weight, "ndim", 0) == 2 else None
    return int(rows) if rows is not None else None


def checkpoint_of(obj) -> str:
    """The string an object was loaded from: ``config._name_or_path`` / ``tokenizer.name_or_path``."""
    config = getattr(obj, "config", obj)
    name = getattr(config, "_name_or_path", None) or getattr(obj, "name_or_path", None) or ""
    if not name:
        entry = provenance.origin(obj)
        name = entry.checkpoint if entry else ""
    return str(name)


def _file_of(checkpoint: str, path) -> str:
    """``/ckpt/config.json`` for a folder checkpoint, ``org/name's config.json`` for a cached hub id."""
    from pathlib import Path

    path = Path(path)
    if Path(checkpoint).expanduser().is_dir():
        return f"`{describe((str(path), 0))}`"
    return f"`{checkpoint}`'s {path.parent.name + '/' if path.parent.name.startswith('1_') else ''}{path.name}"


def _model_name(model) -> str:
    return type(model).__name__


def _ids_list(ids) -> list:
    """A flat list of ints from a tensor, a list of ids or a batch of lists."""
    if hasattr(ids, "tolist"):
        ids = ids.tolist()
    flat: list = []
    stack = [ids]
    while stack:
        item = stack.pop()
        if isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, int):
            flat.append(item)
    return flat


@lru_cache(maxsize=None)
def _arch_fields() -> dict:
    """Architecture field → category (size, layers, heads, activation), from hflint's knowledge data."""
    from ..knowledge import load

    categories = load("arch_fields")["categories"]
    return {name: cat for cat, names in categories.items() if cat != "vocab" for name in names}


_CONSEQUENCE = {
    "size": "the pretrained weights no longer fit: a load error, or silently re-initialised weights with "
            "`ignore_mismatched_sizes=True`",
    "layers": "fewer layers silently drop the rest, more are randomly initialised",
    "heads": "the weights load silently and compute garbage",
    "activation": "the weights load silently and compute garbage",
}


# --- HF901 ----------------------------------------------------------------------------------------

def out_of_range(model, bad_ids: Iterable[int], rows: int, tokenizer=None, where: Location = NOWHERE) -> Finding:
    """HF901 for ids that have no embedding row, naming their tokens and where they were added."""
    bad = sorted(set(bad_ids))
    candidates = ([tokenizer] if tokenizer is not None else []) + provenance.tracked_tokenizers()
    tokens, sites = provenance.where_added(candidates, bad)
    names = []
    for i in bad:
        token = tokens.get(i)
        if token is None and tokenizer is not None:
            try:
                token = tokenizer.convert_ids_to_tokens(i)
            except Exception:  # an id past the tokenizer too
                token = None
        if token is not None:
            names.append(str(token))
    one = len(bad) == 1
    text = f"token {'id' if one else 'ids'} {format_ids(bad)}"
    if names:
        text += f" ({format_tokens(names)})"
    if sites:
        text += " added at " + ", ".join(describe(s) for s in sites)
    text += f" {'has no embedding row' if one else 'have no embedding rows'} (`{_model_name(model)}` has {rows}"
    resized = provenance.origin(model)
    if resized is not None and resized.resized_at:
        text += f", resized at {describe(resized.resized_at)}"
    text += ")"
    if tokenizer is None or len(tokenizer) > rows or sites:
        text += "; call `model.resize_token_embeddings(len(tokenizer))`"
    else:
        text += f"; {'this id does' if one else 'these ids do'} not come from this model's tokenizer"
    return make_finding("HF901", text, sites[0] if sites else where, ids=bad, tokens=names, rows=rows)


def check_added_tokens(model, tokenizer, where: Location = NOWHERE) -> list[Finding]:
    """HF901: tokens added to the tokenizer whose ids have no embedding row (a missing resize).

    Only ids the tokenizer actually holds count; a larger embedding than ``len(tokenizer)`` is normal.
    """
    rows = embedding_rows(model)
    if rows is None:
        return []
    bad = [i for i in tokenizer.added_tokens_decoder if i >= rows]
    return [out_of_range(model, bad, rows, tokenizer, where)] if bad else []


# --- HF902 ----------------------------------------------------------------------------------------

def _as_set(value) -> set:
    if value is None:
        return set()
    if isinstance(value, (list, tuple, set)):
        return {v for v in value if v is not None}
    return {value}


def _family_mismatch(tokenizer, config, model_folder) -> Optional[str]:
    """Why the tokenizer's class belongs to another model family than ``config.model_type``, or None."""
    try:
        from transformers.models.auto.tokenization_auto import TOKENIZER_MAPPING_NAMES
    except ImportError:
        return None
    name = type(tokenizer).__name__
    norm = name[:-4] if name.endswith("Fast") else name
    model_type = getattr(config, "model_type", "") or ""
    if norm in _GENERIC_TOKENIZERS or not model_type:
        return None

    def names(value) -> set:
        return {(v[:-4] if v.endswith("Fast") else v) for v in _as_set(value) if isinstance(v, str)}

    expected = names(TOKENIZER_MAPPING_NAMES.get(model_type))
    saved = local_files.read_tokenizer_config(model_folder) or {}
    expected |= names(saved.get("tokenizer_class"))
    if norm in expected or not expected or expected <= _GENERIC_TOKENIZERS:
        return None
    flat_type = model_type.replace("-", "").replace("_", "").lower()
    if norm.lower().startswith(flat_type):  # BertJapaneseTokenizer for a bert model
        return None
    owners = [mt for mt, value in TOKENIZER_MAPPING_NAMES.items() if norm in names(value)]
    if not owners:
        return None  # a class hflint does not know: stay silent
    # the tokenizer's own checkpoint may say it belongs to this model type
    tok_config = local_files.read_config(local_files.resolve_checkpoint(getattr(tokenizer, "name_or_path", "")))
    if tok_config and tok_config.get("model_type") == model_type:
        return None
    own = [o for o in owners if norm.lower().startswith(o.replace("-", "").replace("_", "").lower())]
    family = max(own, key=len) if own else owners[0]
    return (f"`{name}` is a `{family}` tokenizer, but the model is `{model_type}` "
            f"(which uses `{sorted(expected)[0]}`): the tokenizer does not belong to this model")


def check_pairing(model, tokenizer, where: Location = NOWHERE) -> list[Finding]:
    """HF902: the tokenizer is not the model's (vocabulary, special-token ids, family, base vocabulary size)."""
    findings: list[Finding] = []
    config = getattr(model, "config", None)
    if config is None:
        return findings
    model_ckpt = checkpoint_of(model)
    tok_ckpt = str(getattr(tokenizer, "name_or_path", "") or "")
    tok_label = f"`{tok_ckpt}`" if tok_ckpt else f"`{type(tokenizer).__name__}`"
    data = {"model_checkpoint": model_ckpt, "tokenizer_checkpoint": tok_ckpt}

    rows = embedding_rows(model)
    base = getattr(tokenizer, "vocab_size", None)
    if rows is not None and isinstance(base, int) and base > rows:
        findings.append(make_finding(
            "HF902", f"the tokenizer {tok_label} has a base vocabulary of {base} tokens but `{_model_name(model)}` "
                     f"has only {rows} embedding rows: it is not this model's tokenizer", where, **data))

    folder = local_files.resolve_checkpoint(model_ckpt)
    compared = False
    if folder is not None and local_files.has_tokenizer(folder) \
            and local_files.resolve_checkpoint(tok_ckpt) != folder:
        theirs = local_files.read_vocab(folder)
        if theirs is not None:
            compared = True
            live = tokenizer.get_vocab()
            differ = [(t, i, live.get(t)) for t, i in theirs.items() if live.get(t) != i]
            if differ:
                differ.sort(key=lambda d: d[1])
                examples = "; ".join(
                    f"`{t}` is {i} there, " + (f"{j} here" if j is not None else "missing here")
                    for t, i, j in differ[:3])
                findings.append(make_finding(
                    "HF902", f"the tokenizer {tok_label} is not the one shipped with the model's checkpoint "
                             f"`{model_ckpt}`: {len(differ)} of its {len(theirs)} tokens have other ids ({examples}); "
                             f"load the tokenizer from `{model_ckpt}`", where, **data))

    for role in ("pad", "bos", "eos"):
        theirs_id = _as_set(getattr(config, f"{role}_token_id", None))
        mine = getattr(tokenizer, f"{role}_token_id", None)
        if theirs_id and mine is not None and mine not in theirs_id:
            shown = sorted(theirs_id)
            findings.append(make_finding(
                "HF902", f"the tokenizer's {role}_token_id is {mine} (`{getattr(tokenizer, role + '_token')}`) but "
                         f"the model config's {role}_token_id is {shown[0] if len(shown) == 1 else shown}: "
                         f"the tokenizer {tok_label} does not belong to `{model_ckpt or _model_name(model)}`",
                where, role=role, **data))
    start = getattr(config, "decoder_start_token_id", None)
    if getattr(config, "is_encoder_decoder", False) and isinstance(start, int):
        known = set(tokenizer.all_special_ids)
        known |= {getattr(tokenizer, f"{r}_token_id", None) for r in ("pad", "bos", "eos")}
        if start not in known:
            findings.append(make_finding(
                "HF902", f"the model config's decoder_start_token_id {start} is not a special token of the tokenizer "
                         f"{tok_label}: it is not this model's tokenizer", where, role="decoder_start", **data))

    if not compared:
        why = _family_mismatch(tokenizer, config, folder)
        if why:
            findings.append(make_finding("HF902", why, where, **data))
    return findings


# --- HF903 ----------------------------------------------------------------------------------------

def check_config(config, checkpoint=None, where: Location = NOWHERE) -> list[Finding]:
    """HF903: architecture fields of a live config that differ from the checkpoint's saved config.json."""
    checkpoint = str(checkpoint or getattr(config, "_name_or_path", "") or "")
    folder = local_files.resolve_checkpoint(checkpoint)
    saved = local_files.read_config(folder)
    if not saved:
        return []
    if saved.get("model_type") and getattr(config, "model_type", None) \
            and saved["model_type"] != config.model_type:
        return []  # another architecture altogether; from_pretrained says so itself
    fields = _arch_fields()
    findings = []
    for key, theirs in saved.items():
        category = fields.get(key)
        if category is None or theirs is None or isinstance(theirs, (dict, list)):
            continue
        mine = getattr(config, key, None)
        if mine is None or mine == theirs:
            continue
        findings.append(make_finding(
            "HF903", f"`{key}` is {mine!r} on the loaded config but {theirs!r} in "
                     f"{_file_of(checkpoint, folder / 'config.json')}: {_CONSEQUENCE[category]}", where,
            checkpoint=checkpoint, field=key, value=mine, saved=theirs))
    return findings


# --- HF904 ----------------------------------------------------------------------------------------

def _unk_examples(tokenizer, texts: Sequence[str], unk: int, limit: int = 5) -> list[str]:
    if not getattr(tokenizer, "is_fast", False):
        return []
    found: list[str] = []
    for text in texts[:50]:
        if not isinstance(text, str):
            continue
        try:
            enc = tokenizer(text, return_offsets_mapping=True, add_special_tokens=False)
        except Exception:
            return found
        for i, (start, end) in zip(enc["input_ids"], enc["offset_mapping"]):
            piece = text[start:end]
            if i == unk and piece and piece not in found:
                found.append(piece)
                if len(found) >= limit:
                    return found
    return found


def unknown_rate(tokenizer, input_ids, attention_mask=None) -> Optional[tuple[int, int]]:
    """(unknown tokens, real tokens) of an encoding; special and padding positions are not counted."""
    unk = getattr(tokenizer, "unk_token_id", None)
    if unk is None:
        return None
    others = {getattr(tokenizer, f"{r}_token_id", None) for r in ("pad", "bos", "eos", "cls", "sep", "mask")}
    if unk in others:  # byte-level vocabularies reuse <|endoftext|> as unk: nothing to measure
        return None
    specials = set(tokenizer.all_special_ids) - {unk}
    if hasattr(input_ids, "dim"):
        import torch

        mask = attention_mask.bool() if attention_mask is not None and hasattr(attention_mask, "bool") \
            else torch.ones_like(input_ids, dtype=torch.bool)
        special = torch.isin(input_ids, torch.tensor(sorted(specials), dtype=input_ids.dtype)) if specials \
            else torch.zeros_like(mask)
        real = mask & ~special
        return int(((input_ids == unk) & real).sum()), int(real.sum())
    ids = _ids_list(input_ids)
    mask = _ids_list(attention_mask) if attention_mask is not None else [1] * len(ids)
    real = [i for i, m in zip(ids, mask) if m and i not in specials]
    return sum(1 for i in real if i == unk), len(real)


def check_unknown_rate(tokenizer, input_ids, attention_mask=None, texts: Sequence[str] = (),
                       threshold: float = DEFAULT_UNK_THRESHOLD, where: Location = NOWHERE) -> list[Finding]:
    """HF904: the share of ``[UNK]`` tokens among the real tokens of an encoding is above ``threshold``."""
    counts = unknown_rate(tokenizer, input_ids, attention_mask)
    if not counts or not counts[1]:
        return []
    unknown, total = counts
    rate = unknown / total
    if rate <= threshold:
        return []
    examples = _unk_examples(tokenizer, list(texts), tokenizer.unk_token_id)
    name = getattr(tokenizer, "name_or_path", "") or type(tokenizer).__name__
    text = (f"{rate:.0%} of {total} tokens became `{tokenizer.unk_token}` (threshold {threshold:.0%})"
            + (f", e.g. {format_tokens(examples)}" if examples else "")
            + f": the vocabulary of `{name}` does not cover this text; use a checkpoint whose vocabulary does")
    return [make_finding("HF904", text, where, rate=rate, unknown=unknown, total=total, examples=examples)]


# --- HF905 ----------------------------------------------------------------------------------------

def check_pooling(model_or_checkpoint, pooling: str, where: Location = NOWHERE) -> list[Finding]:
    """HF905: ``pooling`` (what the code does: cls, mean, max, pooler, lasttoken) is not how the checkpoint pools."""
    mine = str(pooling).lower().replace("_", "").replace("-", "")
    mine = {"first": "cls", "cls_token": "cls", "clstoken": "cls", "average": "mean", "avg": "mean",
            "pooleroutput": "pooler", "last": "lasttoken"}.get(mine, mine)
    if mine not in POOLINGS:
        raise ValueError(f"unknown pooling {pooling!r}; expected one of {', '.join(sorted(POOLINGS))}")
    checkpoint = model_or_checkpoint if isinstance(model_or_checkpoint, str) else checkpoint_of(model_or_checkpoint)
    found = local_files.read_pooling(local_files.resolve_checkpoint(checkpoint))
    if not found:
        return []
    theirs, path = found
    if theirs == mine:
        return []
    advice = {"mean": "average the token states with the attention mask (or use sentence-transformers)",
              "cls": "take the first token's hidden state (`last_hidden_state[:, 0]`)"}.get(
        theirs, "pool the way the checkpoint's sentence-transformers config says (or use sentence-transformers)")
    return [make_finding(
        "HF905", f"the code pools with {POOLINGS[mine]} but {_file_of(checkpoint, path)} says "
                 f"{POOLINGS.get(theirs, theirs)} pooling: {advice}", where,
        checkpoint=checkpoint, pooling=mine, checkpoint_pooling=theirs)]


# --- HF906 / HF907 --------------------------------------------------------------------------------

def is_decoder_only(model) -> bool:
    config = getattr(model, "config", None)
    return config is not None and not getattr(config, "is_encoder_decoder", False)


def check_right_padding(model, attention_mask, tokenizer=None, where: Location = NOWHERE) -> list[Finding]:
    """HF906: a decoder-only model generates from a batch whose attention mask ends in padding."""
    if attention_mask is None or not is_decoder_only(model):
        return []
    if hasattr(attention_mask, "dim"):
        if attention_mask.dim() != 2 or attention_mask.shape[1] == 0:
            return []
        rows = (attention_mask[:, -1] == 0).nonzero().flatten().tolist()
    else:
        batch = attention_mask if attention_mask and isinstance(attention_mask[0], (list, tuple)) else [attention_mask]
        rows = [r for r, row in enumerate(batch) if row and row[-1] == 0]
    if not rows:
        return []
    side = f" (its padding_side is {tokenizer.padding_side!r})" if tokenizer is not None else ""
    return [make_finding(
        "HF906", f"`generate` on decoder-only `{_model_name(model)}` got right-padded prompts: "
                 f"{_rows(rows)} of "
                 f"`attention_mask` {'ends' if len(rows) == 1 else 'end'} in padding, so new tokens follow pad "
                 f"tokens; set "
                 f"`tokenizer.padding_side = \"left\"`{side} before tokenizing the prompts", where, rows=rows)]


def check_train_mode(model, where: Location = NOWHERE) -> list[Finding]:
    """HF907: a forward pass with gradients off while the model is in training mode (dropout on)."""
    import torch

    if torch.is_grad_enabled() or not getattr(model, "training", False):
        return []
    return [make_finding(
        "HF907", f"`{_model_name(model)}` runs a forward pass under `no_grad`/`inference_mode` while in training "
                 f"mode, so dropout is on and outputs are random; call `model.eval()` first", where)]


def _rows(rows: list) -> str:
    """``row 3`` or ``rows 0, 2, 5`` (the first eight, then an ellipsis): the batch rows a finding is about."""
    shown = ", ".join(map(str, rows[:8])) + (", \u2026" if len(rows) > 8 else "")
    return f"{'row' if len(rows) == 1 else 'rows'} {shown}"


def check_generate_without_mask(model, input_ids, attention_mask, tokenizer=None,
                                where: Location = NOWHERE, pad_token_id=None) -> list[Finding]:
    """HF906 (padded batch, no mask): ``generate`` gets padded rows and no ``attention_mask``, and cannot infer one
    because the pad token is the EOS token (``_prepare_attention_mask_for_generation``, transformers 5.24)."""
    if attention_mask is not None or not hasattr(input_ids, "dim") or input_ids.dim() != 2 or input_ids.shape[0] < 2:
        return []
    pad = pad_token_id if pad_token_id is not None else _special_id(model, tokenizer, "pad_token_id")
    eos = _special_id(model, tokenizer, "eos_token_id")
    if pad is None or (eos is not None and pad != eos and not isinstance(eos, (list, tuple))):
        return []  # generate infers the mask from a pad token of its own
    if isinstance(eos, (list, tuple)) and pad not in eos:
        return []
    edges = (input_ids[:, 0] == pad) | (input_ids[:, -1] == pad)
    rows = edges.nonzero().flatten().tolist()
    if not rows:
        return []
    return [make_finding(
        "HF906", f"`generate` on `{_model_name(model)}` got a padded batch ({_rows(rows)} "
                 f"start or end with pad id {pad}) and no `attention_mask`; the pad token is the EOS token, so "
                 f"the mask cannot be inferred and pad positions are attended to: pass `attention_mask=` (or "
                 f"`**batch`)", where, rows=rows)]


# --- HF908 / HF909 --------------------------------------------------------------------------------

IGNORE_INDEX = -100


def _special_id(model, tokenizer, name: str):
    """A special token id from the tokenizer, else the model's generation config, else its config."""
    for source in (tokenizer, getattr(model, "generation_config", None), getattr(model, "config", None)):
        value = getattr(source, name, None) if source is not None else None
        if value is not None:
            return value
    return None


def check_loss_on_padding(model, labels, attention_mask, tokenizer=None, where: Location = NOWHERE) -> list[Finding]:
    """HF908: a forward pass computes a loss whose labels are not -100 where ``attention_mask`` is 0 (pad positions
    are trained on)."""
    if labels is None or attention_mask is None or not hasattr(labels, "shape") \
            or not hasattr(attention_mask, "shape") or labels.shape != attention_mask.shape:
        return []
    on_padding = (attention_mask == 0) & (labels != IGNORE_INDEX)
    count = int(on_padding.sum())
    if not count:
        return []
    pad = _special_id(model, tokenizer, "pad_token_id")
    values = labels[on_padding].unique().tolist()
    what = f"the pad id {pad}" if pad is not None and values == [pad] else \
        f"ids {format_ids(values[:5])}{'…' if len(values) > 5 else ''}"
    return [make_finding(
        "HF908", f"`{_model_name(model)}` computes its loss on padding: {count} position"
                 f"{'s' if count != 1 else ''} where `attention_mask` is 0 {'have' if count != 1 else 'has'} label "
                 f"{what}, not -100; set `labels[attention_mask == 0] = -100` (or use a collator that does)", where,
        positions=count, pad_token_id=pad)]


def check_double_bos(model_or_tokenizer, input_ids, attention_mask=None, tokenizer=None,
                     where: Location = NOWHERE, pad_token_id=None) -> list[Finding]:
    """HF909: input ids whose first real tokens are the BOS token twice (a chat template's BOS plus the
    tokenizer's)."""
    if input_ids is None:
        return []
    bos = _special_id(model_or_tokenizer, tokenizer, "bos_token_id")
    pad = pad_token_id if pad_token_id is not None else _special_id(model_or_tokenizer, tokenizer, "pad_token_id")
    if bos is None or isinstance(bos, (list, tuple)) or bos == pad:
        return []  # (a pad token that is the BOS token, as GPT-2's, makes left padding look like it)
    rows = input_ids.tolist() if hasattr(input_ids, "tolist") else input_ids
    if rows and not isinstance(rows[0], (list, tuple)):
        rows = [rows]
    masks = attention_mask.tolist() if hasattr(attention_mask, "tolist") else attention_mask
    if masks and not isinstance(masks[0], (list, tuple)):
        masks = [masks]
    doubled = []
    for r, row in enumerate(rows or []):
        mask = masks[r] if masks and r < len(masks) else [1] * len(row)
        real = [t for t, m in zip(row, mask) if m]
        if len(real) >= 2 and real[0] == bos and real[1] == bos:
            doubled.append(r)
    if not doubled:
        return []
    return [make_finding(
        "HF909", f"input ids start with the BOS token ({bos}) twice ({_rows(doubled)}): text rendered by `apply_chat_template(..., tokenize=False)` was tokenized with special "
                 f"tokens again; pass `add_special_tokens=False` (or let `apply_chat_template` tokenize)", where,
        rows=doubled, bos_token_id=bos)]


# --- everything at once ---------------------------------------------------------------------------

def verify(model=None, tokenizer=None, texts=None, config=None, *, pooling: Optional[str] = None,
           generate: bool = False, unk_threshold: float = DEFAULT_UNK_THRESHOLD) -> list[Finding]:
    """Check live objects against each other and their local checkpoint files; return HF9xx findings.

    ``texts`` are real inputs (HF901 ids, HF904 unknown rate; with ``generate=True`` they are prompts
    for ``model.generate``, HF906). ``pooling`` is how the code pools sentence vectors (HF905).
    Called under ``torch.no_grad()`` with a model in training mode, it reports HF907. Inside an
    active ``watch`` the findings are also reported there (a strict watch raises the first one).
    """
    findings: list[Finding] = []
    if isinstance(texts, str):
        texts = [texts]
    texts = list(texts) if texts else []
    if config is None and model is not None:
        config = getattr(model, "config", None)
    if config is not None:
        findings += check_config(config)
    reported: set = set()
    if model is not None and tokenizer is not None:
        for finding in check_added_tokens(model, tokenizer):
            reported |= set(finding.data["ids"])
            findings.append(finding)
        findings += check_pairing(model, tokenizer)
    if tokenizer is not None and texts:
        padded = getattr(tokenizer, "pad_token", None) is not None
        from .instrument import unobserved

        with unobserved():  # verify measures these inputs itself
            enc = tokenizer(texts, padding=padded)
        if model is not None:
            rows = embedding_rows(model)
            if rows is not None:
                bad = [i for i in _ids_list(enc["input_ids"]) if i >= rows and i not in reported]
                if bad:
                    findings.append(out_of_range(model, bad, rows, tokenizer))
            if generate and padded:
                findings += check_right_padding(model, enc.get("attention_mask"), tokenizer)
        findings += check_unknown_rate(tokenizer, enc["input_ids"], enc.get("attention_mask"), texts, unk_threshold)
        findings += check_double_bos(tokenizer, enc["input_ids"], enc.get("attention_mask"), tokenizer)
    if pooling is not None and model is not None:
        findings += check_pooling(model, pooling)
    if model is not None:
        findings += check_train_mode(model)
    unique: list[Finding] = []
    for f in findings:
        if all((f.code, f.message) != (g.code, g.message) for g in unique):
            unique.append(f)
    from . import instrument  # inside a watch (or under pytest --hf-verify) the findings are reported there too

    if instrument.active():
        for f in unique:
            instrument.emit(f)
    return unique
