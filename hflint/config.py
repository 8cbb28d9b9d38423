"""Which rules run on which file, from defaults, ``[tool.hflint]`` in pyproject.toml and command-line flags."""
from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

ALL = "ALL"


class ConfigError(Exception):
    """A configuration or usage problem (exit code 2)."""


def _match_len(code: str, prefixes: Iterable[str]) -> int:
    best = -1
    for p in prefixes:
        if p == ALL:
            best = max(best, 0)
        elif code.startswith(p):
            best = max(best, len(p))
    return best


@dataclass
class Settings:
    select: Optional[list[str]] = None
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    target_transformers: Optional[str] = None
    known_checkpoints: list[str] = field(default_factory=list)
    cls_pooled_checkpoints: list[str] = field(default_factory=list)
    vocabulary_families: dict[str, list[str]] = field(default_factory=dict)
    runtime: dict = field(default_factory=dict)
    root: Optional[Path] = None  # the folder of the pyproject.toml the settings came from

    def is_enabled(self, code: str, default_enabled: bool, filename: Optional[str] = None) -> bool:
        positive = _match_len(code, (self.select or []) + self.extend_select)
        enabled = positive >= 0 or (self.select is None and default_enabled)
        negative = _match_len(code, self.ignore + self._file_ignores(filename))
        if negative >= 0 and negative >= positive:
            return False
        return enabled

    def _file_ignores(self, filename: Optional[str]) -> list[str]:
        if not filename or not self.per_file_ignores:
            return []
        path = Path(filename)
        try:
            rel = path.resolve().relative_to(self.root.resolve()).as_posix() if self.root else path.as_posix()
        except ValueError:
            rel = path.as_posix()
        codes: list[str] = []
        for pattern, ignored in self.per_file_ignores.items():
            if fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(path.name, pattern) \
                    or fnmatch.fnmatch(path.as_posix(), pattern):
                codes.extend(ignored)
        return codes
