"""Where live objects came from: which call site loaded a checkpoint, added tokens or resized embeddings.

Filled in by ``watch``; read by the checks to name the user's line in a message. Keyed weakly, so
it never keeps a model or tokenizer alive.
"""
from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass, field

from .report import Location


@dataclass
class Added:
    ids: list[int]
    tokens: list[str]
    where: Location


@dataclass
class Origin:
    checkpoint: str = ""
    loaded_at: Location | None = None
    added: list[Added] = field(default_factory=list)
    resized_at: Location | None = None


_origins: "weakref.WeakKeyDictionary[object, Origin]" = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def origin(obj) -> Origin | None:
    try:
        return _origins.get(obj)
    except TypeError:  # not weak-referenceable
        return None


def _origin_for(obj) -> Origin:
    with _lock:
        found = _origins.get(obj)
        if found is None:
            found = _origins[obj] = Origin()
        return found


def record_load(obj, checkpoint, where: Location) -> None:
    entry = _origin_for(obj)
    entry.checkpoint = str(checkpoint) if checkpoint is not None else ""
    entry.loaded_at = where


def record_added(tokenizer, ids: list[int], tokens: list[str], where: Location) -> None:
    _origin_for(tokenizer).added.append(Added(list(ids), list(tokens), where))


def record_resize(model, where: Location) -> None:
    _origin_for(model).resized_at = where


def where_added(tokenizer_candidates, ids) -> tuple[dict, list[Location]]:
    """For ids, the token each was added as and the call sites that added them (first seen first)."""
    wanted = set(ids)
    tokens: dict[int, str] = {}
    sites: list[Location] = []
    for tok in tokenizer_candidates:
        entry = origin(tok)
        if entry is None:
            continue
        for added in entry.added:
            hit = False
            for i, t in zip(added.ids, added.tokens):
                if i in wanted and i not in tokens:
                    tokens[i] = t
                    hit = True
            if hit and added.where not in sites:
                sites.append(added.where)
    return tokens, sites


def tracked_tokenizers() -> list:
    """Tokenizers that had tokens added while watched, most recent additions last."""
    with _lock:
        return [obj for obj, entry in list(_origins.items()) if entry.added]
