"""Applying the rules' fixes: the engine side of ``hflint check --fix`` / ``--diff``.

Rules only describe edits (``Finding.fix``). Here the edits of the selected applicability are applied
bottom-up, skipping any that overlap an edit already taken; the result is re-linted and fixed again until
nothing changes (at most ``MAX_PASSES`` times). A pass whose result does not parse is narrowed to the
fixes that parse on their own, or dropped. Nothing outside the edits' spans is touched.

The loop (``fix_until_stable``) works on any state: a Python file's text here, a notebook's cell
sources in ``hflint.notebook``.
"""
from __future__ import annotations

import difflib
import io
import re
import tokenize
from dataclasses import dataclass, field
from typing import Callable, Generic, Optional, Sequence, TypeVar

from .config import Settings
from .engine import lint_source, too_large
from .finding import Edit, Finding

MAX_PASSES = 5
LINE_BREAK = re.compile(r"\r\n|\r|\n")

State = TypeVar("State")


def applicable(finding: Finding, unsafe: bool) -> bool:
    """Whether ``--fix`` applies this finding's fix (unsafe fixes only with ``--unsafe-fixes``)."""
    fix = finding.fix
    return fix is not None and bool(fix.edits) and (fix.applicability == "safe" or unsafe)


def hidden(finding: Finding, unsafe: bool) -> bool:
    """An unsafe fix that ``--unsafe-fixes`` would enable."""
    return finding.fix is not None and finding.fix.applicability == "unsafe" and not unsafe


# ------------------------------------------------------------------ edits on text

def newline_of(text: str) -> str:
    m = LINE_BREAK.search(text)
    return m.group() if m else "\n"


def _line_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in LINE_BREAK.finditer(text)]


def _offset(starts: list[int], text: str, line: int, column: int) -> int:
    """Character offset of a (1-based line, 0-based column) point; a line past the end is the end."""
    if line - 1 >= len(starts):
        return len(text)
    return min(starts[line - 1] + column, len(text))


def edit_spans(text: str, edits: Sequence[Edit]) -> list[tuple[int, int]]:
    starts = _line_starts(text)
    return [(_offset(starts, text, e.line, e.column), _offset(starts, text, e.end_line, e.end_column)) for e in edits]


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    # two insertions at one point conflict too: their order would be a guess
    return (a[0] < b[1] and b[0] < a[1]) or a[0] == b[0]


def select(text: str, findings: Sequence[Finding], unsafe: bool) -> list[Finding]:
    """The fixable findings whose edits overlap neither each other nor an earlier finding's, in order."""
    taken: list[tuple[int, int]] = []
    chosen = []
    for f in findings:
        if not applicable(f, unsafe):
            continue
        spans = edit_spans(text, f.fix.edits)
        if any(_overlaps(s, t) for s in spans for t in taken) or \
                any(_overlaps(s, t) for i, s in enumerate(spans) for t in spans[i + 1:]):
            continue
        taken.extend(spans)
        chosen.append(f)
    return chosen


def apply_edits(text: str, edits: Sequence[Edit]) -> str:
    """``text`` with non-overlapping ``edits`` applied, last first; new lines take the text's own newline."""
    newline = newline_of(text)
    spans = edit_spans(text, edits)
    for (start, end), edit in sorted(zip(spans, edits), key=lambda item: item[0], reverse=True):
        content = edit.content.replace("\n", newline) if newline != "\n" else edit.content
        if start == len(text) and text and not text.endswith(("\n", "\r")) and content.endswith(newline):
            content = newline + content[:-len(newline)]  # inserting a line after a last line with no newline
        text = text[:start] + content + text[end:]
    return text


def parses(text: str) -> bool:
    import libcst as cst

    try:
        cst.parse_module(text)
    except Exception:  # noqa: BLE001 - any failure means "do not write this"
        return False
    return True


def apply_checked(text: str, chosen: Sequence[Finding], valid: Callable[[str], bool] = parses) -> tuple[str, list[Finding]]:
    """Apply the chosen findings' edits; when the result is not valid, keep only the fixes valid on their own."""
    result = apply_edits(text, [e for f in chosen for e in f.fix.edits])
    if valid(result):
        return result, list(chosen)
    alone = [f for f in chosen if valid(apply_edits(text, f.fix.edits))]
    if not alone or len(alone) == len(chosen):
        return text, []
    result = apply_edits(text, [e for f in alone for e in f.fix.edits])
    return (result, alone) if valid(result) else (text, [])


# ------------------------------------------------------------------ the fix loop

@dataclass
class Pass(Generic[State]):
    """One round: the state it started from and the findings whose fixes it applied (in that state's coordinates)."""

    before: State
    applied: list[Finding]


@dataclass
class Fixed(Generic[State]):
    state: State
    fixed: list[Finding] = field(default_factory=list)  # every finding whose fix was applied, over all passes
    remaining: list[Finding] = field(default_factory=list)  # the findings of the final state
    passes: list[Pass] = field(default_factory=list)
    initial: list[Finding] = field(default_factory=list)  # the findings of the state before any fix


def fix_until_stable(state: State, lint: Callable[[State], list[Finding]],
                     apply: Callable[[State, list[Finding]], tuple[State, list[Finding]]],
                     choose: Callable[[State, list[Finding]], list[Finding]]) -> Fixed[State]:
    """Lint, apply the chosen fixes, lint again, until no fix applies or ``MAX_PASSES`` rounds ran."""
    findings = lint(state)
    out = Fixed(state, initial=list(findings))
    for _ in range(MAX_PASSES):
        chosen = choose(state, findings)
        if not chosen:
            break
        new_state, applied = apply(state, chosen)
        if not applied or new_state == state:
            break
        out.passes.append(Pass(state, applied))
        out.fixed.extend(applied)
        state, findings = new_state, lint(new_state)
    out.state, out.remaining = state, findings
    return out


def fix_text(text: str, filename: str, settings: Optional[Settings] = None, unsafe: bool = False,
             rules: Optional[Sequence[type]] = None) -> Fixed[str]:
    """Fix a Python source text: ``.state`` is the fixed text, ``.remaining`` its findings."""
    settings = settings or Settings()
    return fix_until_stable(text, lambda t: lint_source(t, filename, settings, rules=rules).findings, apply_checked,
                            lambda t, found: select(t, found, unsafe))


def unapplied(result: Fixed, unsafe: bool, valid_alone: Callable[[Finding], bool]) -> list[tuple[Finding, str]]:
    """The findings left with a fix ``--fix`` would apply, each with why it was not: every such fix is said,
    never dropped silently. ``valid_alone(f)``: whether the final state with only ``f``'s fix applied is valid."""
    out = []
    for f in result.remaining:
        if not applicable(f, unsafe):
            continue
        if len(result.passes) >= MAX_PASSES:
            why = f"still reported after {MAX_PASSES} rounds of fixes"
        elif not valid_alone(f):
            why = "the fixed code would not parse"
        else:
            why = "its edits overlap another fix"
        out.append((f, why))
    return out


# ------------------------------------------------------------------ files

@dataclass
class FileFix:
    """What ``--fix``/``--diff`` does to one file: the new bytes (None when unchanged) and a diff of the change.

    ``found``: the findings of the file as it was (what ``hflint check`` reports). Fixing may uncover more (a
    corrected name makes its arguments checkable) or remove others, so ``fixed + len(remaining)`` can differ.
    ``unapplied``: the remaining findings whose fix could not be applied, and why.
    """

    new_data: Optional[bytes]
    fixed: int
    remaining: list[Finding]
    diff: str = ""
    found: int = -1  # -1: as many as fixed + remaining
    unapplied: list[tuple[Finding, str]] = field(default_factory=list)

    def __post_init__(self):
        if self.found < 0:
            self.found = self.fixed + len(self.remaining)


def _encoding(data: bytes) -> Optional[str]:
    """The encoding Python reads the file with (``utf-8-sig`` keeps a BOM), or None when it cannot be decoded."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError):
        return None
    return encoding


def unified_diff(before: str, after: str, name: str) -> str:
    lines = difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                 fromfile=name, tofile=name)
    return "".join(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n"
                   for line in lines)


def fix_python(data: bytes, filename: str, settings: Settings, unsafe: bool) -> FileFix:
    """Fix one Python file's bytes, keeping its encoding, BOM and newline style."""
    if too_large(len(data), filename) is not None:  # never decoded, let alone fixed
        return FileFix(None, 0, lint_source(data, filename, settings).findings)
    encoding = _encoding(data)
    if encoding is None:  # undecodable: report, never rewrite
        return FileFix(None, 0, lint_source(data, filename, settings).findings)
    text = data.decode(encoding)
    result = fix_text(text, filename, settings, unsafe)
    failed = unapplied(result, unsafe, lambda f: parses(apply_edits(result.state, f.fix.edits)))
    if result.state == text:
        return FileFix(None, len(result.fixed), result.remaining, found=len(result.initial), unapplied=failed)
    diff = unified_diff(text, result.state, filename)
    return FileFix(result.state.encode(encoding), len(result.fixed), result.remaining, diff,
                   found=len(result.initial), unapplied=failed)
