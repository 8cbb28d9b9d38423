"""Output formats for ``hflint check``: a registry of writers, one per ``--format`` value.

A writer takes the sorted findings, the output stream and ``quiet``; a new format (``sarif``,
``github``) is one more ``@writer("name")`` function.
"""
from __future__ import annotations

import json
from collections import Counter
from typing import Callable, Sequence, TextIO

from .finding import Edit, Finding

Writer = Callable[[Sequence[Finding], TextIO, bool], None]
WRITERS: dict[str, Writer] = {}


def writer(name: str) -> Callable[[Writer], Writer]:
    def register(fn: Writer) -> Writer:
        WRITERS[name] = fn
        return fn
    return register


def location(f: Finding) -> str:
    """``line:col`` (column 1-based), prefixed with ``cell N:`` for a notebook cell."""
    where = f"{f.line}:{f.column + 1}"
    return f"cell {f.cell}:{where}" if f.cell is not None else where


def summary(count: int) -> str:
    return "All checks passed!" if count == 0 else f"Found {count} finding{'s' if count != 1 else ''}."


@writer("text")
def write_text(findings: Sequence[Finding], out: TextIO, quiet: bool) -> None:
    for f in findings:
        out.write(f"{f.filename}:{location(f)}: {f.code} {f.message}\n")
    if not quiet:
        out.write(summary(len(findings)) + "\n")


def _point(line: int, column: int) -> dict:
    return {"row": line, "column": column + 1}


def _edit(e: Edit) -> dict:
    return {"content": e.content, "location": _point(e.line, e.column),
            "end_location": _point(e.end_line, e.end_column)}


def to_json(f: Finding) -> dict:
    """A finding as ruff shapes it in JSON: 1-based columns, ``end_location`` equal to ``location`` when unknown."""
    obj = {
        "code": f.code,
        "name": f.name,
        "message": f.message,
        "filename": f.filename,
        "location": _point(f.line, f.column),
        "end_location": _point(f.end_line, f.end_column) if f.end_line else _point(f.line, f.column),
        "fix": None if f.fix is None else {
            "applicability": f.fix.applicability,
            "message": f.fix.message or None,
            "edits": [_edit(e) for e in f.fix.edits],
        },
        "url": f.url,
    }
    if f.cell is not None:
        obj["cell"] = f.cell
    return obj


@writer("json")
def write_json(findings: Sequence[Finding], out: TextIO, quiet: bool) -> None:
    json.dump([to_json(f) for f in findings], out, indent=2, ensure_ascii=False)
    out.write("\n")


def write_statistics(findings: Sequence[Finding], out: TextIO, fmt: str, quiet: bool) -> None:
    """``--statistics``: how many findings per code, most frequent first (ruff's table, or a JSON array)."""
    counts = Counter(f.code for f in findings)
    names = {f.code: f.name for f in findings}
    fixable = {f.code for f in findings if f.fix is not None}
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    if fmt == "json":
        json.dump([{"code": c, "name": names[c], "count": n, "fixable": c in fixable} for c, n in rows], out, indent=2)
        out.write("\n")
        return
    width = max((len(str(n)) for _, n in rows), default=1)
    for code, n in rows:
        out.write(f"{n:>{width}}\t{code}\t{'[*] ' if code in fixable else ''}{names[code]}\n")
    if not quiet:
        out.write(summary(len(findings)) + "\n")
