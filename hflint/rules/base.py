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


_REF = re.compile(r"\{@(\d+)\}")


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
    message: str  # may name related places as {@k}: the engine writes them as "line L"
    replacements: list[Replacement] = field(default_factory=list)
    fix_safe: bool = True
    fix_message: str = ""
    data: dict = field(default_factory=dict)  # structured facts for `hflint check --verify`
    related: list = field(default_factory=list)  # [(node, note)], the places {@k} refers to
    # A candidate static analysis cannot decide (two local folders that may hold one vocabulary): reported only by
    # `hflint check --verify`, which keeps it when the local files confirm it.
    latent: bool = False


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

    def at(self, node: cst.CSTNode, note: str = "") -> str:
        """A reference to another place the finding involves, for its message: ``"line 12"`` once rendered (``cell 3
        line 4`` in a notebook), and a related location in JSON and SARIF. Use it in the message of a ``report``."""
        refs = self.__dict__.setdefault("_refs", {})
        key = len(refs)
        refs[key] = (node, note)
        return f"{{@{key}}}"

    def report(self, node: cst.CSTNode, message: str, **kw) -> Report:
        """A finding at ``node``; the places its message names with ``self.at(...)`` become its related locations."""
        refs = self.__dict__.get("_refs", {})
        related: list = list(kw.pop("related", ()))
        order: dict = {}

        def renumber(m) -> str:
            key = int(m.group(1))
            if key not in order:
                order[key] = len(related)
                related.append(refs[key])
            return f"{{@{order[key]}}}"

        message = _REF.sub(renumber, message) if refs else message
        return Report(node, message, related=related, **kw)

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
