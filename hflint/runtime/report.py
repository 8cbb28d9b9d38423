"""Runtime findings: rule names, the warning/error types, and locating the user's line in the stack."""
from __future__ import annotations

import os
import sys
from typing import Optional

from ..finding import Finding

RUNTIME = "<runtime>"

RULE_NAMES = {
    "HF901": "embedding-index-out-of-range",
    "HF902": "tokenizer-model-mismatch",
    "HF903": "config-differs-from-checkpoint",
    "HF904": "high-unknown-token-rate",
    "HF905": "pooling-differs-from-checkpoint",
    "HF906": "right-padding-in-generate",
    "HF907": "no-grad-forward-in-train-mode",
    "HF908": "loss-on-padding",
    "HF909": "double-bos-token",
}


class HFLintWarning(UserWarning):
    """A runtime finding reported as a warning (``watch(strict=False)``)."""

    def __init__(self, message: str, finding: Optional[Finding] = None):
        super().__init__(message)
        self.finding = finding


class HFLintError(Exception):
    """A runtime finding raised before the operation it would break (``watch(strict=True)``)."""

    def __init__(self, message: str, finding: Optional[Finding] = None):
        super().__init__(message)
        self.finding = finding


Location = tuple  # (filename, line)
NOWHERE: Location = (RUNTIME, 0)


def make_finding(code: str, message: str, where: Location = NOWHERE, **data) -> Finding:
    filename, line = where or NOWHERE
    return Finding(filename=filename, line=line, column=0, code=code, message=message,
                   name=RULE_NAMES[code], data=data)


def render(finding: Finding) -> str:
    return f"{finding.code}: {finding.message}"


def short_path(filename: str) -> str:
    """``train.py`` for a file under the working directory, the full path otherwise."""
    if filename.startswith("<"):
        return filename
    try:
        rel = os.path.relpath(filename)
    except ValueError:
        return filename
    return filename if rel.startswith("..") else rel


def describe(where: Location) -> str:
    filename, line = where
    return f"{short_path(filename)}:{line}" if line else short_path(filename)


_skip_prefixes: Optional[tuple] = None


def _library_prefixes() -> tuple:
    global _skip_prefixes
    if _skip_prefixes is None:
        prefixes = [os.path.dirname(os.path.abspath(__file__)) + os.sep]
        for name in ("transformers", "torch", "tokenizers", "huggingface_hub", "accelerate",
                     "contextlib", "functools"):
            module = sys.modules.get(name)
            path = getattr(module, "__file__", None)
            if path:
                # a package's folder, or a stdlib module's own file
                base = os.path.dirname(path) + os.sep if path.endswith("__init__.py") else path
                prefixes.append(base)
        # keep the list only once the wrapped libraries are imported (the first finding may come earlier)
        _skip_prefixes = tuple(prefixes) if "transformers" in sys.modules and "torch" in sys.modules else None
        return tuple(prefixes)
    return _skip_prefixes


def user_location(skip: int = 1) -> Location:
    """The innermost stack frame outside hflint.runtime and the libraries it wraps."""
    prefixes = _library_prefixes()
    frame = sys._getframe(skip)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not filename.startswith(prefixes) and not filename.startswith("<frozen"):
            return (filename, frame.f_lineno)
        frame = frame.f_back
    return NOWHERE


def format_ids(ids: list[int]) -> str:
    """``30522–30523``, ``7, 9, 12–14``: sorted ids with consecutive runs collapsed."""
    ids = sorted(set(ids))
    parts: list[str] = []
    start = prev = None
    for i in ids + [None]:
        if start is not None and i == prev + 1:
            prev = i
            continue
        if start is not None:
            parts.append(str(start) if start == prev else f"{start}\u2013{prev}")
        start = prev = i
    if len(parts) > 6:
        parts = parts[:6] + ["\u2026"]
    return ", ".join(parts)


def format_tokens(tokens: list[str], limit: int = 8) -> str:
    shown = [f"`{t}`" for t in tokens[:limit]]
    if len(tokens) > limit:
        shown.append(f"\u2026 ({len(tokens) - limit} more)")
    return ", ".join(shown)
