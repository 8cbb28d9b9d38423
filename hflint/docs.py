"""A rule's documentation page (Markdown), built from its docstring and its own VALID/INVALID examples.

``hflint explain HF301`` prints it; the same text becomes ``docs/rules/HF301.md``.
"""
from __future__ import annotations

import textwrap

from .rules.base import Rule

SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead")
_CODE_SECTIONS = ("Example", "Use instead")
_FIX_SAFETY = {
    "safe": "The fix is safe: it keeps the program's meaning apart from removing the problem, and "
            "`hflint check --fix` applies it.",
    "unsafe": "The fix is unsafe: it may change what the program does, so it is applied only with "
              "`hflint check --fix --unsafe-fixes`. Review the change.",
}


def _fenced(text: str) -> str:
    return f"```python\n{text.rstrip()}\n```"


def _section(title: str, body: str) -> str:
    return f"## {title}\n\n{body.strip()}"


def _marked(source: str, line: int, code: str) -> str:
    """The example with ``# <- CODE`` appended to the line the rule reports (rendering only)."""
    lines = source.rstrip("\n").split("\n")
    if 0 < line <= len(lines):
        lines[line - 1] += f"  # <- {code}"
    return "\n".join(lines)


def _target_note(example) -> str:
    """Examples whose meaning depends on the transformers release say which one they were checked against."""
    target = getattr(example, "target", None)
    return f"With `--target-transformers {target}`:\n\n" if target else ""


def render_rule(rule: type[Rule]) -> str:
    """The Markdown page of one rule."""
    doc = rule.doc_sections()
    facts = ["enabled by default" if rule.default_enabled else
             f"off by default (enable with `--extend-select {rule.code}`)"]
    if rule.fixable:
        facts.append(f"{rule.fixable} fix available")
    parts = [f"# {rule.code} {rule.name}"]
    if doc.get("summary"):
        parts.append(doc["summary"])
    status = "; ".join(facts)
    status = f"*{status[0].upper()}{status[1:]}.*"
    parts.append(status)
    if getattr(rule, "message", ""):
        parts.append(f"**Message:** {rule.message}")  # templates already mark code with backticks
    extra = [t for t in doc if t not in (*SECTIONS, "summary", "Fix safety", "Options")]
    for title in (*SECTIONS, *extra):
        body = doc.get(title, "")
        if body:
            parts.append(_section(title, _fenced(body) if title in _CODE_SECTIONS and "```" not in body else body))
    if rule.fixable:
        parts.append(_section("Fix safety", doc.get("Fix safety") or _FIX_SAFETY.get(rule.fixable, "")))
    if rule.VALID or rule.INVALID:
        examples = ["## Examples"]
        if rule.VALID:
            examples.append("### Examples hflint stays silent on")
            examples.extend(_target_note(ex) + _fenced(ex.source()) for ex in rule.VALID)
        if rule.INVALID:
            examples.append("### Examples hflint reports")
            for ex in rule.INVALID:
                examples.append(_target_note(ex) + _fenced(_marked(ex.source(), ex.line, rule.code)))
                if ex.fixed is not None:
                    examples.append("After the fix:\n\n" + _fenced(textwrap.dedent(ex.fixed).strip("\n")))
        parts.append("\n\n".join(examples))
    if doc.get("Options"):
        parts.append(_section("Options", doc["Options"]))
    return "\n\n".join(parts) + "\n"
