"""Checkpoint files read from a local folder or the local Hugging Face cache — offline, with ``json`` only.

Nothing here imports ``transformers`` or touches the network: a checkpoint id resolves to a folder
only when a snapshot of it is already in the cache.
"""
from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Optional

TOKENIZER_FILES = ("tokenizer.json", "vocab.txt", "vocab.json", "tokenizer.model", "spiece.model",
                   "sentencepiece.bpe.model")


def hub_cache_dir() -> Path:
    """The hub cache folder, following huggingface_hub's environment variables."""
    for var in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"):
        if os.environ.get(var):
            return Path(os.environ[var]).expanduser()
    if os.environ.get("HF_HOME"):
        return Path(os.environ["HF_HOME"]).expanduser() / "hub"
    xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join("~", ".cache")
    return Path(xdg).expanduser() / "huggingface" / "hub"


def resolve_checkpoint(name_or_path) -> Optional[Path]:
    """The local folder holding a checkpoint: the path itself, or its snapshot in the hub cache."""
    if not name_or_path:
        return None
    text = str(name_or_path)
    path = Path(text).expanduser()
    if path.is_dir():
        return path.resolve()
    if path.is_file():  # a single-file path (e.g. a config.json) stands for its folder
        return path.parent.resolve()
    if text.count("/") > 1 or text.startswith((".", "/", "~")):
        return None
    repo = hub_cache_dir() / ("models--" + text.replace("/", "--"))
    snapshots = repo / "snapshots"
    if not snapshots.is_dir():
        return None
    ref = repo / "refs" / "main"
    if ref.is_file():
        candidate = snapshots / ref.read_text().strip()
        if candidate.is_dir():
            return candidate
    folders = sorted((p for p in snapshots.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime)
    return folders[-1] if folders else None


def _read_json(path: Path) -> Optional[dict]:
    try:
        with open(path, encoding="utf-8") as f:
            value = json.load(f)
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def read_config(folder: Optional[Path]) -> Optional[dict]:
    """The checkpoint's saved ``config.json``."""
    return _read_json(folder / "config.json") if folder else None


def read_tokenizer_config(folder: Optional[Path]) -> Optional[dict]:
    return _read_json(folder / "tokenizer_config.json") if folder else None


def has_tokenizer(folder: Optional[Path]) -> bool:
    return bool(folder) and any((folder / name).is_file() for name in TOKENIZER_FILES)


def read_vocab(folder: Optional[Path]) -> Optional[dict]:
    """The checkpoint tokenizer's token → id map (base vocabulary and added tokens), or None.

    Read from ``tokenizer.json`` (WordPiece, BPE, WordLevel, Unigram), else ``vocab.txt`` /
    ``vocab.json``, plus ``added_tokens.json``. A sentencepiece-only tokenizer has no readable map.
    """
    if not folder:
        return None
    return _read_vocab_cached(str(folder), _mtime(folder / "tokenizer.json"), _mtime(folder / "vocab.txt"),
                              _mtime(folder / "vocab.json"))


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return -1.0


@lru_cache(maxsize=32)
def _read_vocab_cached(folder_text: str, *_mtimes) -> Optional[dict]:
    folder = Path(folder_text)
    vocab: Optional[dict] = None
    data = _read_json(folder / "tokenizer.json")
    if data is not None:
        model = data.get("model") or {}
        raw = model.get("vocab")
        if isinstance(raw, dict):
            vocab = {str(k): int(v) for k, v in raw.items()}
        elif isinstance(raw, list):  # Unigram: [[piece, score], ...], the id is the position
            vocab = {str(item[0]): i for i, item in enumerate(raw)}
        if vocab is not None:
            for added in data.get("added_tokens") or []:
                if isinstance(added, dict) and "content" in added and "id" in added:
                    vocab[str(added["content"])] = int(added["id"])
            return vocab
    if (folder / "vocab.txt").is_file():
        try:
            lines = (folder / "vocab.txt").read_text(encoding="utf-8").splitlines()
        except OSError:
            return None
        vocab = {}
        for i, token in enumerate(lines):
            vocab.setdefault(token, i)
    elif (folder / "vocab.json").is_file():
        raw = _read_json(folder / "vocab.json")
        if raw is None:
            return None
        vocab = {str(k): int(v) for k, v in raw.items()}
    if vocab is None:
        return None
    extra = _read_json(folder / "added_tokens.json") or {}
    for token, index in extra.items():
        vocab[str(token)] = int(index)
    return vocab


def tokenizer_fingerprint(folder: Optional[Path]) -> Optional[str]:
    """A digest of the tokenizer's vocabulary, or of its sentencepiece model when that is all there is."""
    vocab = read_vocab(folder)
    if vocab is not None:
        return hashlib.sha256(json.dumps(sorted(vocab.items())).encode()).hexdigest()
    for name in ("tokenizer.model", "spiece.model", "sentencepiece.bpe.model"):
        path = folder / name if folder else None
        if path is not None and path.is_file():
            return hashlib.sha256(path.read_bytes()).hexdigest()
    return None


POOLING_MODES = {
    "pooling_mode_cls_token": "cls",
    "pooling_mode_mean_tokens": "mean",
    "pooling_mode_max_tokens": "max",
    "pooling_mode_mean_sqrt_len_tokens": "mean",
    "pooling_mode_weightedmean_tokens": "weightedmean",
    "pooling_mode_lasttoken": "lasttoken",
}


def read_pooling(folder: Optional[Path]) -> Optional[tuple[str, Path]]:
    """The sentence-transformers pooling mode of a checkpoint and the file that says so, or None.

    The pooling module's folder comes from ``modules.json`` when present, else ``1_Pooling``.
    """
    if not folder:
        return None
    candidates = []
    modules = folder / "modules.json"
    if modules.is_file():
        try:
            entries = json.loads(modules.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            entries = []
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, dict) and str(entry.get("type", "")).endswith("Pooling") and entry.get("path"):
                candidates.append(folder / entry["path"] / "config.json")
    candidates.append(folder / "1_Pooling" / "config.json")
    for path in candidates:
        data = _read_json(path)
        if data is None:
            continue
        if isinstance(data.get("pooling_mode"), str):
            return data["pooling_mode"].lower(), path
        for key, mode in POOLING_MODES.items():
            if data.get(key):
                return mode, path
    return None
