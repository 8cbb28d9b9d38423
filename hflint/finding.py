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

    def sort_key(self) -> tuple:
        return (self.filename, self.cell or 0, self.line, self.column, self.code, self.message)
