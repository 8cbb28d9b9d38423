"""flake8 front door: translate flake8's (tree, lines, filename) into the engine and back.

flake8 itself handles ``# noqa``, ``--select/--ignore``, ``per-file-ignores`` and ``--jobs``; rules that
are off by default go into flake8's extended default ignore list. A file libcst cannot parse yields
nothing here (flake8 reports E999 itself).
"""
from __future__ import annotations

import ast
from typing import Iterator

from . import __version__
from .config import Settings


class HFLintPlugin:
    name = "hflint"
    version = __version__
    _settings = Settings()

    def __init__(self, tree: ast.AST, lines: list[str], filename: str):
        self.tree = tree
        self.lines = lines
        self.filename = filename

    @classmethod
    def add_options(cls, manager) -> None:
        from .rules import all_rules  # rule modules only; libcst stays unimported until a file needs it

        manager.extend_default_ignore([r.code for r in all_rules() if not r.default_enabled])
        manager.add_option("--hflint-target-transformers", dest="hflint_target_transformers", default=None,
                           parse_from_config=True,
                           help="transformers version the HF5xx rules check against (default: the installed one)")
        manager.add_option("--hflint-known-checkpoints", dest="hflint_known_checkpoints", default="",
                           parse_from_config=True, comma_separated_list=True,
                           help="extra checkpoint ids hflint should treat as known")
        manager.add_option("--hflint-cls-pooled-checkpoints", dest="hflint_cls_pooled", default="",
                           parse_from_config=True, comma_separated_list=True,
                           help="regular expressions of checkpoints trained for CLS pooling")

    @classmethod
    def parse_options(cls, options) -> None:
        cls._settings = Settings(
            select=["ALL"],  # flake8 decides what is shown; the engine runs every rule
            target_transformers=getattr(options, "hflint_target_transformers", None),
            known_checkpoints=list(getattr(options, "hflint_known_checkpoints", []) or []),
            cls_pooled_checkpoints=list(getattr(options, "hflint_cls_pooled", []) or []),
        )

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        from .engine import lint_source

        source = "".join(self.lines)
        result = lint_source(source, self.filename, self._settings, tree=self.tree, apply_noqa=False,
                             report_parse_errors=False)
        for f in result.findings:
            if f.code == "HF000":
                continue
            yield f.line, f.column, f"{f.code} {f.message}", type(self)
