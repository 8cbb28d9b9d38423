"""The rule catalog. A new rule is a class in the module of its family, listed in ``_MODULES`` order."""
from __future__ import annotations

from functools import lru_cache
from importlib import import_module

from .base import Invalid, Replacement, Report, Rule, Valid

_MODULES = ("unanalysed", "checkpoints", "config", "vocab", "embeddings", "api", "api_usage", "generation",
            "training")

__all__ = ["Rule", "Valid", "Invalid", "Report", "Replacement", "all_rules", "rule_by_code"]


@lru_cache(maxsize=None)
def all_rules() -> tuple[type[Rule], ...]:
    rules: list[type[Rule]] = []
    for name in _MODULES:
        mod = import_module(f"{__name__}.{name}")
        for obj in vars(mod).values():
            if isinstance(obj, type) and issubclass(obj, Rule) and obj is not Rule and getattr(obj, "code", None) \
                    and obj.__module__ == mod.__name__:
                rules.append(obj)
    return tuple(sorted(rules, key=lambda r: r.code))


def rule_by_code(code: str) -> type[Rule] | None:
    code = code.upper()
    for r in all_rules():
        if r.code == code or r.name == code.lower():
            return r
    return None
