"""libcst, imported on first attribute access.

Importing libcst costs 0.1–0.6 s. flake8 loads every plugin for every run, and most files never need
a libcst tree (they do not mention Hugging Face, or no rule can match them), so the modules that
refer to libcst do so through this proxy and the import happens only when a file is actually parsed.
"""
from __future__ import annotations

import importlib


class _LazyModule:
    def __init__(self, name: str):
        self.__name = name

    def __getattr__(self, attr: str):
        value = getattr(importlib.import_module(self.__name), attr)
        setattr(self, attr, value)  # later lookups are plain instance attributes
        return value


cst = _LazyModule("libcst")
