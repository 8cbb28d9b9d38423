"""``hflint check --verify``: confirm or withdraw static findings with checkpoint files found locally.

Offline and import-free: checkpoints resolve to a local folder or a snapshot already in the Hugging
Face cache, and only ``config.json``, tokenizer vocabulary files and ``1_Pooling/config.json`` are
read with ``json``. Never downloads, never runs checkpoint code.
"""
from __future__ import annotations

import dataclasses

from ..finding import Finding
from . import local_files

# Spellings of one architecture field across config classes (their attribute_map), so a static
# finding about ``num_attention_heads`` can be checked against a GPT-2 config.json that says ``n_head``.
_ALIASES = [
    {"hidden_size", "n_embd", "d_model", "dim", "embed_dim"},
    {"num_hidden_layers", "n_layer", "num_layers", "n_layers"},
    {"num_attention_heads", "n_head", "num_heads", "n_heads"},
    {"intermediate_size", "n_inner", "d_ff", "hidden_dim", "ffn_dim"},
    {"max_position_embeddings", "n_positions", "n_ctx"},
    {"hidden_act", "activation_function", "activation", "hidden_activation"},
]


def _saved_value(config: dict, field: str):
    if field in config:
        return True, config[field]
    for group in _ALIASES:
        if field in group:
            for alias in sorted(group):
                if alias in config:
                    return True, config[alias]
    return False, None


def _same(a, b) -> bool:
    return a == b or str(a).strip("'\"") == str(b)


def _where(f: Finding) -> str:
    cell = f"cell {f.cell}:" if f.cell else ""
    return f"{f.filename}:{cell}{f.line}"


CONFIRMED, WITHDRAWN, NOT_VERIFIABLE = "confirmed", "withdrawn", "not verifiable"
Verdict = tuple  # (status, detail)


def _vocab_summary(a: dict, b: dict) -> str:
    """How many (token, id) entries of the larger vocabulary the other lacks."""
    total = max(len(a), len(b))
    same = sum(1 for t, i in a.items() if b.get(t) == i)
    return f"{total - same} of {total} vocabulary entries differ"


def _verify_tokenizer_pair(f: Finding) -> Verdict:
    tok, model = f.data.get("tokenizer_checkpoint"), f.data.get("model_checkpoint")
    if not tok or not model:
        return NOT_VERIFIABLE, "the finding names no checkpoints"
    folders = {c: local_files.resolve_checkpoint(c) for c in (tok, model)}
    prints = {c: local_files.tokenizer_fingerprint(folders[c]) for c in (tok, model)}
    absent = [c for c in (tok, model) if prints[c] is None]
    if absent:
        return NOT_VERIFIABLE, ("no tokenizer files for " + " and ".join(f"`{c}`" for c in absent)
                                + " in a local folder or the local Hugging Face cache")
    if prints[tok] == prints[model]:
        return WITHDRAWN, f"`{tok}` and `{model}` have the same vocabulary"
    a, b = local_files.read_vocab(folders[tok]), local_files.read_vocab(folders[model])
    detail = _vocab_summary(a, b) if a is not None and b is not None else "their tokenizer files differ"
    return CONFIRMED, f"`{tok}` and `{model}` have different vocabularies, {detail}"


def _verify_config_field(f: Finding) -> Verdict:
    checkpoint, field = f.data.get("checkpoint"), f.data.get("field")
    config = local_files.read_config(local_files.resolve_checkpoint(checkpoint)) if checkpoint else None
    if config is None or not field:
        return NOT_VERIFIABLE, f"no local config.json for `{checkpoint}`"
    found, saved = _saved_value(config, field)
    if not found:
        return NOT_VERIFIABLE, f"`{checkpoint}`'s config.json has no `{field}`"
    if "value" not in f.data or f.data["value"] is None:
        return NOT_VERIFIABLE, f"the new value of `{field}` is not known statically (the checkpoint has {saved!r})"
    if _same(f.data["value"], saved):
        return WITHDRAWN, f"`{checkpoint}`'s config.json already has {field}={saved!r}"
    return CONFIRMED, f"`{checkpoint}`'s config.json has {field}={saved!r}"


def _verify_pooling(f: Finding) -> Verdict:
    checkpoint = f.data.get("checkpoint")
    folder = local_files.resolve_checkpoint(checkpoint) if checkpoint else None
    if folder is None:
        return NOT_VERIFIABLE, f"`{checkpoint}` is not in a local folder or the local Hugging Face cache"
    pooling = local_files.read_pooling(folder)
    if pooling is None:
        return CONFIRMED, f"`{checkpoint}` has no sentence-transformers pooling config"
    mode, _path = pooling
    if mode == "cls" and f.code == "HF401":
        return WITHDRAWN, f"`{checkpoint}` was trained for CLS pooling (its pooling config)"
    return CONFIRMED, f"`{checkpoint}`'s pooling config says {mode} pooling"


def _verify_padding_side(f: Finding) -> Verdict:
    """HF601 for a tokenizer loaded from a local folder: the ``padding_side`` its tokenizer_config.json saved."""
    if f.data.get("padding_side") != "saved":
        return NOT_VERIFIABLE, "no local-file check exists for this HF601 finding"
    checkpoint = f.data.get("tokenizer_checkpoint")
    folder = local_files.resolve_checkpoint(checkpoint) if checkpoint else None
    config = local_files.read_tokenizer_config(folder)
    if config is None:
        return NOT_VERIFIABLE, f"no tokenizer_config.json for `{checkpoint}` in a local folder or the local cache"
    side = config.get("padding_side")
    if side == "left":
        return WITHDRAWN, f"`{checkpoint}`'s tokenizer_config.json sets padding_side='left'"
    if side == "right":
        return CONFIRMED, f"`{checkpoint}`'s tokenizer_config.json sets padding_side='right'"
    return NOT_VERIFIABLE, f"`{checkpoint}`'s tokenizer_config.json does not say its padding side"


_VERIFIERS = {
    "HF601": _verify_padding_side,
    "HF101": _verify_tokenizer_pair,
    "HF201": _verify_config_field,
    "HF202": _verify_config_field,
    "HF401": _verify_pooling,
    "HF402": _verify_pooling,
}


def verdict(f: Finding) -> Verdict:
    """What the local files say about one static finding: (status, detail)."""
    verifier = _VERIFIERS.get(f.code)
    if verifier is None:
        return NOT_VERIFIABLE, f"no local-file check exists for {f.code}"
    return verifier(f)


def mark(f: Finding, status: str, detail: str) -> Finding:
    """The finding marked with its verdict: in the message (``[verified: ...]``, ``[withdrawn: ...]``,
    ``[not verifiable: ...]``) and as ``data["verification"]`` (JSON's ``verification`` field)."""
    label = "verified" if status == CONFIRMED else status
    return dataclasses.replace(f, message=f"{f.message} [{label}: {detail}]",
                               data={**f.data, "verification": {"status": status, "detail": detail}})


def classify(findings: list[Finding]) -> list[Finding]:
    """Every finding, marked confirmed, withdrawn or not verifiable (``hflint check --verify``)."""
    return [mark(f, *verdict(f)) for f in findings]


def verify_static(findings: list[Finding]) -> tuple[list[Finding], list[str]]:
    """Kept findings (a verification note appended where confirmed) and lines for those left unverified."""
    kept: list[Finding] = []
    missing: list[str] = []
    for f in findings:
        if f.code not in _VERIFIERS:
            kept.append(f)
            continue
        status, detail = verdict(f)
        if status == CONFIRMED:
            kept.append(dataclasses.replace(f, message=f"{f.message} [verified: {detail}]"))
        elif status == NOT_VERIFIABLE:
            kept.append(f)
            missing.append(f"{_where(f)}: {f.code} not verified: {detail}")
    return kept, missing
