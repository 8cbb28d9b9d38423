"""The one record every front door reports: a finding at a place in a file."""
from __future__ import annotations

from dataclasses import dataclass, field

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
