"""Output formats for ``hflint check``: a registry of writers, one per ``--format`` value.

A writer takes the sorted findings, the output stream, ``quiet`` and the run's ``RunInfo`` (what
``--fix`` did, whether unsafe fixes are on); a new format is one more ``@writer("name")`` function.
"""
from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Optional, Sequence, TextIO
from urllib.parse import quote

from .finding import Edit, Finding


@dataclass(frozen=True)
class RunInfo:
    """What the writers need to know beyond the findings: ``fixed`` findings (with ``--fix``), the fix options."""

    fixed: int = 0
    fix_mode: bool = False
    unsafe_fixes: bool = False
    found: int = -1  # with --fix: the findings before fixing (-1: as many as fixed + remaining)
    unapplied: int = 0  # with --fix: fixes that could not be applied (each said on stderr)
    verify: bool = False  # --verify: findings carry data["verification"]; withdrawn ones do not count
    target: Optional[dict] = None  # the transformers target and why: {"version", "origin", "reason", "knowledge"}

    def target_line(self) -> str:
        t = self.target
        return f"Target: transformers {t['version']} ({t['reason']})" if t else ""


Writer = Callable[[Sequence[Finding], TextIO, bool, RunInfo], None]
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


def _plural(n: int, word: str, plural: str = "") -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


def summary(count: int) -> str:
    return "All checks passed!" if count == 0 else f"Found {_plural(count, 'finding')}."


def fix_summary(findings: Sequence[Finding], info: RunInfo) -> list[str]:
    """ruff's closing lines: what was found, fixed and remains, and which fixes ``--fix``/``--unsafe-fixes`` enable."""
    from .fixes import applicable, hidden

    n_hidden = sum(hidden(f, info.unsafe_fixes) for f in findings)
    hidden_text = f"{_plural(n_hidden, 'hidden fix', 'hidden fixes')} can be enabled with the `--unsafe-fixes` option"
    if info.fix_mode:
        total = info.fixed + len(findings)
        found = total if info.found < 0 else info.found
        if total == 0 and found == 0:
            lines = ["All checks passed!"]
        elif total > found:  # fixing a name or an attribute can make more of the code checkable
            lines = [f"Found {_plural(total, 'finding')} ({info.fixed} fixed, {len(findings)} remaining; "
                     f"{total - found} of them uncovered by the first fixes)."]
        elif total < found:
            lines = [f"Found {_plural(found, 'finding')} ({info.fixed} fixed, {len(findings)} remaining, "
                     f"{found - total} gone with the other fixes)."]
        elif info.fixed:
            lines = [f"Found {_plural(total, 'finding')} ({info.fixed} fixed, {len(findings)} remaining)."]
        else:
            lines = [summary(total)]
        if info.unapplied:
            lines.append(f"{_plural(info.unapplied, 'fix', 'fixes')} could not be applied (said above, with why).")
        return lines + ([hidden_text[0].upper() + hidden_text[1:] + "."] if n_hidden else [])
    if info.verify:
        return [verify_summary(findings)]
    lines = [summary(len(findings))]
    n_fixable = sum(applicable(f, info.unsafe_fixes) for f in findings)
    if n_fixable:
        lines.append(f"[*] {n_fixable} fixable with the `--fix` option" + (f" ({hidden_text})." if n_hidden else "."))
    elif n_hidden:
        lines.append(f"No fixes available ({hidden_text}).")
    return lines


def verify_summary(findings: Sequence[Finding]) -> str:
    """``--verify``'s closing line: findings counted by verdict; the withdrawn ones are listed but not found."""
    if not findings:
        return summary(0)
    status = Counter(f.data.get("verification", {}).get("status", "not verifiable") for f in findings)
    kept = status["confirmed"] + status["not verifiable"]
    head = summary(kept)[:-1] if kept else "No findings left"
    parts = [f"{status['confirmed']} confirmed", f"{status['not verifiable']} not verifiable"] if kept else []
    tail = f"{status['withdrawn']} withdrawn by --verify"
    return f"{head} ({', '.join(parts + [tail])})." if kept else f"{head} ({tail})."


@writer("text")
def write_text(findings: Sequence[Finding], out: TextIO, quiet: bool, info: RunInfo = RunInfo()) -> None:
    from .fixes import applicable

    for f in findings:
        # after --fix, a finding left with an applicable fix is one whose fix failed: it is not "fixable"
        mark = "[*] " if applicable(f, info.unsafe_fixes) and not info.fix_mode else ""
        out.write(f"{f.filename}:{location(f)}: {f.code} {mark}{f.message}\n")
    if not quiet:
        out.write("\n".join(fix_summary(findings, info)) + "\n")


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
    if f.related:
        obj["related"] = [_related_json(r) for r in f.related]
    if "verification" in f.data:
        obj["verification"] = dict(f.data["verification"])
    return obj


def _related_json(r) -> dict:
    """Another place the finding involves: ``location`` (1-based column), ``message``, and ``cell`` in notebooks."""
    obj = {"location": _point(r.line, r.column), "message": r.note}
    if r.cell is not None:
        obj["cell"] = r.cell
    return obj


@writer("json")
def write_json(findings: Sequence[Finding], out: TextIO, quiet: bool, info: RunInfo = RunInfo()) -> None:
    json.dump([to_json(f) for f in findings], out, indent=2, ensure_ascii=False)
    out.write("\n")


# ------------------------------------------------------------------ SARIF 2.1.0

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def artifact_uri(filename: str) -> str:
    """The file as a URI reference relative to the current directory (absolute ``file:`` URI when it cannot be)."""
    try:
        rel = os.path.relpath(filename)
    except ValueError:  # another drive on Windows
        return Path(filename).resolve().as_uri()
    return quote(Path(rel).as_posix())


def _region(line: int, column: int, end_line: int, end_column: int) -> dict:
    return {"startLine": line, "startColumn": column + 1, "endLine": end_line, "endColumn": end_column + 1}


def _sarif_rule(code: str, name: str) -> dict:
    from .rules import rule_by_code

    rule = rule_by_code(code)
    if rule is None:  # a code no rule class documents
        return {"id": code, "name": name or "internal-error",
                "shortDescription": {"text": "hflint could not read, parse or analyse the file"},
                "defaultConfiguration": {"level": "warning"}}
    sections = rule.doc_sections()
    full = sections.get("What it does", "") or rule.summary()
    why = sections.get("Why is this bad?", "")
    entry = {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary()},
        "fullDescription": {"text": " ".join(full.split())},
        "help": {"text": " ".join(f"{full}\n\n{why}".split()) if why else " ".join(full.split()),
                 "markdown": f"{full}\n\n{why}".strip()},
        "helpUri": Finding("", 0, 0, rule.code, "").url,
        "defaultConfiguration": {"level": "warning"},
    }
    if rule.fixable:
        entry["properties"] = {"fixable": rule.fixable}
    return entry


def _notebook_line(filename: str, cell: int, line: int) -> int:
    """The line of the .ipynb file holding a cell's line (1 when the notebook cannot be read again)."""
    from .notebook import file_line

    text = _notebook_text(filename)
    found = file_line(text, cell, line) if text is not None else None
    return found or 1


@lru_cache(maxsize=8)
def _notebook_text(filename: str):
    try:
        with open(filename, encoding="utf-8-sig") as fh:
            return fh.read()
    except (OSError, UnicodeDecodeError):
        return None


def _sarif_result(f: Finding, rule_index: int) -> dict:
    uri = artifact_uri(f.filename)
    end_line, end_column = (f.end_line, f.end_column) if f.end_line else (f.line, f.column)
    if f.cell is None:
        region = _region(f.line, f.column, end_line, end_column)
    else:  # a region of the .ipynb file itself (the JSON line of the cell's source line); the cell in properties
        start = _notebook_line(f.filename, f.cell, f.line)
        region = {"startLine": start, "startColumn": 1,
                  "endLine": max(start, _notebook_line(f.filename, f.cell, end_line))}
    location = {"physicalLocation": {"artifactLocation": {"uri": uri}, "region": region}}
    result = {"ruleId": f.code, "ruleIndex": rule_index, "level": "warning",
              "message": {"text": f"{f.code} {f.message}"}, "locations": [location]}
    if f.cell is not None:
        location["logicalLocations"] = [{"name": f"cell {f.cell}", "kind": "module"}]
        result["properties"] = {"cell": f.cell, "lineInCell": f.line, "columnInCell": f.column + 1,
                                "endLineInCell": end_line, "endColumnInCell": end_column + 1}
    if f.fix is not None and f.fix.edits:
        if f.cell is None:  # a notebook fix's edits are cell coordinates: applied to the .ipynb they would break it
            result["fixes"] = [{
                "description": {"text": f.fix.message or f"{f.fix.applicability} fix"},
                "artifactChanges": [{"artifactLocation": {"uri": uri}, "replacements": [
                    {"deletedRegion": _region(e.line, e.column, e.end_line, e.end_column),
                     "insertedContent": {"text": e.content}} for e in f.fix.edits]}],
            }]
        result.setdefault("properties", {})["fixApplicability"] = f.fix.applicability
    if f.related:
        result["relatedLocations"] = [_sarif_related(f, r, k) for k, r in enumerate(f.related)]
    verification = f.data.get("verification")
    if verification:
        result.setdefault("properties", {})["verification"] = dict(verification)
        if verification.get("status") == "withdrawn":  # --verify: shown, and marked as not a finding
            result["suppressions"] = [{"kind": "external", "justification": verification.get("detail", "")}]
    return result


def _sarif_related(f: Finding, r, k: int) -> dict:
    """A related location of a result (SARIF 2.1.0 §3.27.22): a region of the file, in notebooks the line of the
    .ipynb with the cell and the line within it as properties."""
    if r.cell is None:
        region = {"startLine": r.line, "startColumn": r.column + 1}
    else:
        region = {"startLine": _notebook_line(f.filename, r.cell, r.line), "startColumn": 1}
    location = {"id": k, "physicalLocation": {"artifactLocation": {"uri": artifact_uri(f.filename)},
                                                "region": region},
                "message": {"text": r.note or f"related to {f.code}"}}
    if r.cell is not None:
        location["properties"] = {"cell": r.cell, "lineInCell": r.line, "columnInCell": r.column + 1}
    return location


@writer("sarif")
def write_sarif(findings: Sequence[Finding], out: TextIO, quiet: bool, info: RunInfo = RunInfo()) -> None:
    from . import __version__

    codes: dict[str, int] = {}
    rules = []
    for f in findings:
        if f.code not in codes:
            codes[f.code] = len(rules)
            rules.append(_sarif_rule(f.code, f.name))
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "hflint", "version": __version__,
                                "informationUri": "https://github.com/hflint/hflint", "rules": rules}},
            "results": [_sarif_result(f, codes[f.code]) for f in findings],
            "columnKind": "unicodeCodePoints",
        }],
    }
    if info.target:  # which transformers release the HF5xx rules checked against, and why
        log["runs"][0]["properties"] = {"transformersTarget": dict(info.target)}
    json.dump(log, out, indent=2, ensure_ascii=False)
    out.write("\n")


# ------------------------------------------------------------------ GitHub Actions workflow commands

def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


@writer("github")
def write_github(findings: Sequence[Finding], out: TextIO, quiet: bool, info: RunInfo = RunInfo()) -> None:
    """One ``::warning`` per finding. Notebook findings carry no line (it would point into the JSON), the
    message names the cell and line instead."""
    for f in findings:
        if f.data.get("verification", {}).get("status") == "withdrawn":
            continue  # --verify withdrew it: nothing to annotate
        props = [("file", f.filename)]
        if f.cell is None:
            props += [("line", f.line), ("col", f.column + 1)]
            if f.end_line:
                props += [("endLine", f.end_line), ("endColumn", f.end_column + 1)]
            where = ""
        else:
            where = f"cell {f.cell}, line {f.line}: "
        props.append(("title", f"{f.code} {f.name}" if f.name else f.code))
        head = ",".join(f"{key}={_escape_property(str(value))}" for key, value in props)
        out.write(f"::warning {head}::{_escape_data(f'{where}{f.code} {f.message}')}\n")


def write_statistics(findings: Sequence[Finding], out: TextIO, fmt: str, quiet: bool, unsafe_fixes: bool = False,
                     target: str = "") -> None:
    """``--statistics``: how many findings per code, most frequent first (ruff's table, or a JSON array). A code is
    marked fixable as ruff marks it: when ``--fix`` would fix some of its findings (unsafe fixes need ``--unsafe-fixes``).
    ``target`` (the transformers release checked against, and why) closes the table."""
    from .fixes import applicable

    counts = Counter(f.code for f in findings)
    names = {f.code: f.name for f in findings}
    fixable = {f.code for f in findings if applicable(f, unsafe_fixes)}
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
        if target:
            out.write(target + "\n")
