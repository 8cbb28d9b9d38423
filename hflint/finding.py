"""The one record every front door reports: a finding at a place in a file, with the other places it involves."""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

DOCS_URL = "https://github.com/hflint/hflint/blob/main/docs/rules/{code}.md"


@dataclass(frozen=True)
class Edit:
    """Replace the text between two (line, column) points; columns are 0-based offsets."""

    line: int
    column: int
    end_line: int
    end_column: int
    content: str


@dataclass(frozen=True)
class Fix:
    applicability: str  # "safe" or "unsafe"
    edits: tuple[Edit, ...]
    message: str = ""


@dataclass(frozen=True)
class Related:
    """Another place a finding involves (the tokenizer's load for HF101, the add for HF301): ``line`` 1-based,
    ``column`` 0-based, ``cell`` set for notebooks (then ``line`` counts within that cell)."""

    line: int
    column: int
    note: str = ""
    cell: int | None = None

    def where(self, from_cell: int | None = None) -> str:
        """``line 4``; ``cell 3 line 4`` when the finding itself is in another cell."""
        return f"cell {self.cell} line {self.line}" if self.cell is not None and self.cell != from_cell \
            else f"line {self.line}"


_REF = re.compile(r"\{@(\d+)\}")


def render_message(template: str, related: tuple, cell: int | None = None) -> str:
    """A message with its ``{@k}`` references to ``related[k]`` written as ``line L`` / ``cell C line L``."""
    return _REF.sub(lambda m: related[int(m.group(1))].where(cell) if int(m.group(1)) < len(related)
                    else m.group(0), template)


@dataclass(frozen=True)
class Finding:
    """A rule's report. ``line`` is 1-based, ``column`` a 0-based offset (flake8's convention)."""

    filename: str
    line: int
    column: int
    code: str
    message: str
    name: str = ""
    end_line: int = 0
    end_column: int = 0
    cell: int | None = None
    fix: Fix | None = field(default=None, compare=False)
    # Structured facts behind the message (checkpoints, field names, ...) for runtime verification.
    data: dict = field(default_factory=dict, compare=False, hash=False)
    related: tuple[Related, ...] = field(default=(), compare=False)
    # The message with ``{@k}`` where it names ``related[k]`` (notebooks re-render it with cell numbers).
    template: str = field(default="", compare=False, repr=False)

    def relocated(self, related: tuple, **changes) -> "Finding":
        """This finding with its related places moved (to notebook cells) and the message written for them."""
        cell = changes.get("cell", self.cell)
        message = render_message(self.template, related, cell) if self.template else self.message
        return replace(self, related=related, message=message, **changes)

    @property
    def url(self) -> str:
        return DOCS_URL.format(code=self.code)

    def __str__(self) -> str:
        """``train.py:12: HF901 [embedding-index-out-of-range] message`` (a runtime finding may have no line)."""
        from .runtime.report import describe

        where = describe((self.filename, self.line)) if self.line else describe((self.filename, 0))
        if self.cell is not None:
            where = f"{self.filename}:cell {self.cell}:{self.line}"
        name = f" [{self.name}]" if self.name else ""
        return f"{where}: {self.code}{name} {self.message}"

    def __repr__(self) -> str:  # readable in lists, pytest assertions and the REPL (not the dataclass field dump)
        return f"<Finding {self}>"

    def sort_key(self) -> tuple:
        return (self.filename, self.cell or 0, self.line, self.column, self.code, self.message)
