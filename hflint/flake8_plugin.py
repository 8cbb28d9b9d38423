"""flake8 front door: translate flake8's (tree, lines, filename) into the engine and back.

flake8 itself handles ``# noqa``, ``--select/--ignore``, ``per-file-ignores`` and ``--jobs``; rules that
are off by default go into flake8's extended default ignore list. The knowledge settings of ``[tool.hflint]``
(target release, known checkpoints, vocabulary families, CLS-pooled checkpoints, runtime thresholds) come
from the nearest pyproject.toml above each file, as for ``hflint check``, so the editor and CI agree;
``--hflint-*`` options (command line or flake8 configuration) override them. Selection stays flake8's.

A file libcst cannot parse yields nothing here (flake8 reports E999 itself). When flake8's selection
leaves no HF code (``--select=E,F,W,C``), the plugin returns before any work: nothing beyond this module
is imported, at start-up or per file.
"""
from __future__ import annotations

import ast
import os
from typing import Iterator, Optional

from . import __version__

# Rule codes that are off by default (`Rule.default_enabled = False`), listed here so that flake8's start-up
# imports no rule module; tests/test_flake8_plugin.py checks it against the rule classes.
OFF_BY_DEFAULT = ("HF203", "HF603", "HF610")


def _may_select_hf(options) -> bool:
    """Whether flake8's selection can show any HF code: some selected prefix is a prefix of ``HF...`` or
    starts with ``HF`` (flake8 selects by prefix; with no ``--select`` its defaults include every plugin's)."""
    select = getattr(options, "select", None)
    prefixes = list(select) if select is not None else list(getattr(options, "extended_default_select", None) or ())
    prefixes += list(getattr(options, "extend_select", None) or ())
    return any(p.startswith("HF") or "HF".startswith(p) for p in prefixes)


class HFLintPlugin:
    name = "hflint"
    version = __version__
    _options = None
    _enabled = True  # False: flake8 shows no HF code, so run() returns at once
    _rules: Optional[tuple] = None  # the rule classes flake8 will show (None: not decided yet)
    _settings_by_folder: dict = {}

    def __init__(self, tree: ast.AST, lines: list[str], filename: str):
        self.tree = tree
        self.lines = lines
        self.filename = filename

    @classmethod
    def add_options(cls, manager) -> None:
        manager.extend_default_ignore(list(OFF_BY_DEFAULT))
        manager.add_option("--hflint-target-transformers", dest="hflint_target_transformers", default=None,
                           parse_from_config=True,
                           help="transformers version the HF5xx rules check against (default: target-transformers "
                                "in [tool.hflint], else the installed one)")
        manager.add_option("--hflint-known-checkpoints", dest="hflint_known_checkpoints", default="",
                           parse_from_config=True, comma_separated_list=True,
                           help="extra checkpoint ids hflint should treat as known (default: known-checkpoints "
                                "in [tool.hflint])")
        manager.add_option("--hflint-cls-pooled-checkpoints", dest="hflint_cls_pooled", default="",
                           parse_from_config=True, comma_separated_list=True,
                           help="regular expressions of checkpoints trained for CLS pooling (default: "
                                "cls-pooled-checkpoints in [tool.hflint])")

    @classmethod
    def parse_options(cls, options) -> None:
        cls._options = options
        cls._enabled = _may_select_hf(options)
        cls._rules = None
        cls._settings_by_folder = {}

    # ---------------------------------------------------------------- per file

    @classmethod
    def _shown_rules(cls) -> tuple:
        """The rule classes whose code flake8's selection shows (per-file ignores aside): the others need not run."""
        if cls._rules is None:
            from .rules import all_rules

            rules = all_rules()
            try:
                from flake8.style_guide import Decision, DecisionEngine

                decide = DecisionEngine(cls._options).decision_for
                rules = tuple(r for r in rules if decide(r.code) is Decision.Selected)
            except Exception:  # noqa: BLE001 - another flake8: run every rule, flake8 still filters
                pass
            cls._rules = rules
        return cls._rules

    @classmethod
    def _settings_for(cls, filename: str):
        """``[tool.hflint]`` of the nearest pyproject.toml above the file, with the ``--hflint-*`` options over it;
        or a ConfigError for an invalid table (reported on the file, since flake8 cannot exit 2 for it)."""
        from dataclasses import replace
        from pathlib import Path

        from .config import ConfigError, load_settings

        folder = os.path.dirname(os.path.abspath(filename))
        found = cls._settings_by_folder.get(folder)
        if found is None:
            try:
                settings = load_settings(Path(folder))
            except ConfigError as exc:
                found = cls._settings_by_folder[folder] = exc
                return found
            options = cls._options
            overrides = {}
            if getattr(options, "hflint_target_transformers", None):
                overrides["target_transformers"] = options.hflint_target_transformers
            if getattr(options, "hflint_known_checkpoints", None):
                overrides["known_checkpoints"] = list(options.hflint_known_checkpoints)
            if getattr(options, "hflint_cls_pooled", None):
                overrides["cls_pooled_checkpoints"] = list(options.hflint_cls_pooled)
            found = cls._settings_by_folder[folder] = replace(
                settings, select=["ALL"], extend_select=[], ignore=[], per_file_ignores={}, **overrides)
        return found

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        if not self._enabled:
            return
        rules = self._shown_rules()
        if not rules:
            return
        settings = self._settings_for(self.filename)
        if isinstance(settings, Exception):
            yield 1, 0, f"HF000 hflint configuration error: {settings}", type(self)
            return
        from .engine import lint_source

        source = "".join(self.lines)
        result = lint_source(source, self.filename, settings, tree=self.tree, rules=rules, apply_noqa=False,
                             report_parse_errors=False)
        for f in result.findings:
            if f.code == "HF000":
                continue
            yield f.line, f.column, f"{f.code} {f.message}", type(self)
