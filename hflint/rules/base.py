"""The rule API: one class per rule, with its code, name, message and its own VALID/INVALID examples.

A rule reads the shared analysis (``hflint.analysis``) in ``check`` and yields ``Report``s; it may also
define ``visit_<Node>`` hooks, which the engine calls during its single traversal (after the analysis
has seen the node). Rules never apply fixes: a report carries replacement edits and the engine applies them.
"""
from __future__ import annotations

import inspect
import re
import textwrap
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Iterable, Optional

from ..lazy_libcst import cst

if TYPE_CHECKING:  # pragma: no cover
    from ..engine import FileContext
    from ..prefilter import Features


@dataclass(frozen=True)
class Valid:
    """Code the rule must stay silent on (checked against ``target``, a transformers version, when the example's
    meaning depends on it)."""

    code: str
    target: Optional[str] = None

    def source(self) -> str:
        return textwrap.dedent(self.code).strip("\n") + "\n"


@dataclass(frozen=True)
class Invalid:
    """Code the rule must report, once, at ``line`` (1-based, within the dedented example)."""

    code: str
    line: int
    message: str = ""  # a substring the message must contain
    fixed: Optional[str] = None  # the code after applying the fix (safe or unsafe)
    count: int = 1  # how many findings of this rule
    target: Optional[str] = None  # the transformers version the example is checked against, when it matters

    def source(self) -> str:
        return textwrap.dedent(self.code).strip("\n") + "\n"


@dataclass
class Replacement:
    """Replace ``node`` (its whole source span) with ``code``; or insert ``code`` as new lines after ``node``."""

    node: cst.CSTNode
    code: str
    insert_after: bool = False


@dataclass
class Report:
    node: cst.CSTNode
    message: str
    replacements: list[Replacement] = field(default_factory=list)
    fix_safe: bool = True
    fix_message: str = ""
    data: dict = field(default_factory=dict)  # structured facts for `hflint check --verify`


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    message: ClassVar[str]  # the template, shown in docs; reports fill it in
    default_enabled: ClassVar[bool] = True
    fixable: ClassVar[str] = ""  # "", "safe" or "unsafe"
    VALID: ClassVar[list[Valid]] = []
    INVALID: ClassVar[list[Invalid]] = []

    def __init__(self, ctx: "FileContext"):
        self.ctx = ctx

    @staticmethod
    def may_match(features: "Features") -> bool:
        """Whether a file with these cheap features could hold a finding; True by default."""
        return True

    def check(self) -> Iterable[Report]:
        return ()

    def report(self, node: cst.CSTNode, message: str, **kw) -> Report:
        return Report(node, message, **kw)

    # ---------------------------------------------------------------- documentation
    @classmethod
    def doc_sections(cls) -> dict[str, str]:
        """The docstring split on ``## Heading`` lines (What it does / Why is this bad? / Example / Use instead)."""
        doc = inspect.cleandoc(cls.__doc__ or "")
        sections: dict[str, str] = {}
        current = "summary"
        lines: list[str] = []
        for line in doc.splitlines():
            m = re.match(r"^##\s+(.*)$", line)
            if m:
                sections[current] = "\n".join(lines).strip()
                current, lines = m.group(1).strip(), []
            else:
                lines.append(line)
        sections[current] = "\n".join(lines).strip()
        return sections

    @classmethod
    def summary(cls) -> str:
        return cls.doc_sections().get("summary", "").split("\n\n")[0].replace("\n", " ")
