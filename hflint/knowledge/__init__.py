"""Knowledge shipped as data (``*.json`` beside this file), loaded on first use and cached.

Where each file's facts came from is written in its ``_source`` field.
"""
from __future__ import annotations

import json
import os
import re
from functools import lru_cache
from typing import Optional

HERE = os.path.dirname(os.path.abspath(__file__))


@lru_cache(maxsize=None)
def load(name: str) -> dict:
    """``<name>.json`` beside this file (package data, shipped as plain files)."""
    with open(os.path.join(HERE, name + ".json"), "rb") as fh:
        return json.loads(fh.read())


def normalize_checkpoint(checkpoint: str) -> str:
    """Map legacy short aliases and namespaced ids to one spelling: ``google-bert/bert-base-uncased`` -> ``bert-base-uncased``."""
    cid = checkpoint.strip().rstrip("/").lower()
    org, _, name = cid.rpartition("/")
    if org and org in _alias_orgs() and name:
        return name
    return cid


@lru_cache(maxsize=None)
def _alias_orgs() -> frozenset:
    return frozenset(load("families")["alias_orgs"])


def is_local_path(checkpoint: str) -> bool:
    """Paths, not hub ids: ``./x``, ``/x``, ``~/x``, ``../x``, ``C:\\x``, and anything with two slashes or a backslash."""
    c = checkpoint.strip()
    if not c:
        return True
    if c.startswith((".", "/", "~", "\\")) or re.match(r"^[A-Za-z]:[\\/]", c) or "\\" in c:
        return True
    if c.count("/") > 1 or c.endswith((".bin", ".safetensors", ".json", ".pt", ".ckpt")):
        return True
    return not re.fullmatch(r"[A-Za-z0-9][\w.\-]*(/[\w.\-]+)?", c)


@lru_cache(maxsize=4096)
def family_of(checkpoint: str) -> Optional[str]:
    """The vocabulary family of a checkpoint id, or None when hflint does not know it."""
    cid = normalize_checkpoint(checkpoint)
    for fam in load("families")["families"]:
        for pattern in fam["patterns"]:
            if re.fullmatch(pattern, cid):
                return fam["name"]
    return None


@lru_cache(maxsize=None)
def _families() -> dict:
    return {f["name"]: f for f in load("families")["families"]}


def family_info(name: str) -> dict:
    return _families()[name]


def families_share_vocabulary(a: str, b: str) -> bool:
    if a == b:
        return True
    for group in load("families")["compatible"]:
        if a in group and b in group:
            return True
    return False


@lru_cache(maxsize=4096)
def is_cls_pooled(checkpoint: str, extra: tuple = ()) -> bool:
    cid = normalize_checkpoint(checkpoint)
    for pattern in tuple(load("cls_pooled")["patterns"]) + tuple(extra):
        if re.search(pattern, cid):
            return True
    return False


@lru_cache(maxsize=None)
def architecture_fields() -> dict[str, str]:
    """Field name -> category (size, layers, heads, activation, vocab)."""
    data = load("arch_fields")
    return {name: cat for cat, names in data["categories"].items() for name in names}


@lru_cache(maxsize=4096)
def bf16_pretrained(checkpoint: str) -> Optional[dict]:
    """The family (``name``, ``source``) of a checkpoint pretrained in bfloat16 whose activations overflow float16,
    or None (``bf16_pretrained.json``)."""
    cid = checkpoint.strip().rstrip("/").lower()
    for family in load("bf16_pretrained")["families"]:
        if any(re.fullmatch(p, cid) for p in family["patterns"]):
            return family
    return None


@lru_cache(maxsize=4096)
def is_chat_checkpoint(checkpoint: str) -> bool:
    """A checkpoint tuned to follow a chat template (``chat_checkpoints.json``)."""
    cid = checkpoint.strip().rstrip("/").lower()
    return any(re.fullmatch(p, cid) for p in load("chat_checkpoints")["patterns"])


@lru_cache(maxsize=4096)
def template_renders_bos(checkpoint: str) -> bool:
    """The checkpoint's chat template itself writes the BOS token (``chat_checkpoints.json`` ``bos_in_template``)."""
    cid = checkpoint.strip().rstrip("/").lower()
    return any(re.fullmatch(p, cid) for entry in load("chat_checkpoints")["bos_in_template"] for p in entry["patterns"])
