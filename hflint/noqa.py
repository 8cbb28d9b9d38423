"""``# noqa`` (flake8's semantics) and file-level ``# hflint: noqa[: codes]``."""
from __future__ import annotations

import re
from typing import Optional

# flake8's own pattern (flake8/defaults.py), so both front doors read comments alike.
NOQA_INLINE = re.compile(r"# noqa(?::[\s]?(?P<codes>([A-Z]+[0-9]+(?:[,\s]+)?)+))?", re.IGNORECASE)
NOQA_FILE = re.compile(r"#\s*hflint\s*:\s*noqa(?::[\s]?(?P<codes>([A-Z]+[0-9]+(?:[,\s]+)?)+))?", re.IGNORECASE)
_SPLIT = re.compile(r"[,\s]+")


def _codes(raw: Optional[str]) -> Optional[frozenset[str]]:
    if not raw:
        return None
    return frozenset(c.upper() for c in _SPLIT.split(raw.strip()) if c)


def file_exemption(text: str) -> Optional[frozenset[str]]:
    """None: no file-level comment; empty set: the whole file is exempt; else the exempt code prefixes."""
    if "hflint" not in text:
        return None
    result: Optional[set[str]] = None
    for m in NOQA_FILE.finditer(text):
        codes = _codes(m.group("codes"))
        if codes is None:
            return frozenset()
        result = (result or set()) | codes
    return frozenset(result) if result is not None else None


def is_suppressed(code: str, line_text: str) -> bool:
    m = NOQA_INLINE.search(line_text)
    if not m:
        return False
    codes = _codes(m.group("codes"))
    return codes is None or code in codes or code.startswith(tuple(codes))
