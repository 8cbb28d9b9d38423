"""Every rule's own VALID and INVALID examples are tests: silent on the first, one report at the right line on the second."""
from __future__ import annotations

import textwrap

import pytest

from dataclasses import replace

from hflint.config import Settings
from hflint.engine import lint_source
from hflint.rules import all_rules
from release import TARGET

SETTINGS = Settings(select=["ALL"], target_transformers=TARGET)  # the release the examples' messages name


def _cases(kind: str):
    for rule in all_rules():
        for i, example in enumerate(getattr(rule, kind)):
            yield pytest.param(rule, example, id=f"{rule.code}-{kind.lower()}-{i}")


def _settings(example) -> Settings:
    """Examples whose meaning depends on the transformers release say which one (``target=``)."""
    return replace(SETTINGS, target_transformers=example.target) if example.target else SETTINGS


def _findings(rule, example):
    return [f for f in lint_source(example.source(), "example.py", _settings(example), rules=[rule]).findings]


@pytest.mark.parametrize("rule,example", list(_cases("VALID")))
def test_valid_example_is_silent(rule, example):
    findings = _findings(rule, example)
    assert findings == [], "\n".join(f"{f.line}: {f.code} {f.message}" for f in findings)


@pytest.mark.parametrize("rule,example", list(_cases("INVALID")))
def test_invalid_example_is_reported(rule, example):
    findings = _findings(rule, example)
    assert [f.code for f in findings] == [rule.code] * example.count, \
        "\n".join(f"{f.line}: {f.code} {f.message}" for f in findings) or "no findings"
    assert findings[0].line == example.line, f"reported at line {findings[0].line}: {findings[0].message}"
    assert example.message in findings[0].message


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_rule_has_enough_examples_and_docs(rule):
    assert len(rule.VALID) >= 6 and len(rule.INVALID) >= 6
    assert len(rule.VALID) >= len(rule.INVALID)
    sections = rule.doc_sections()
    for heading in ("What it does", "Why is this bad?", "Example", "Use instead"):
        assert sections.get(heading), f"{rule.code} docstring lacks '## {heading}'"


def _fixed_cases():
    for rule in all_rules():
        for i, example in enumerate(rule.INVALID):
            if example.fixed is not None:
                yield pytest.param(rule, example, id=f"{rule.code}-fixed-{i}")


@pytest.mark.parametrize("rule,example", list(_fixed_cases()))
def test_invalid_example_fix_gives_fixed(rule, example):
    """Applying the rule's fixes (unsafe ones too) turns the example into exactly its ``fixed`` code."""
    from hflint.fixes import fix_text

    result = fix_text(example.source(), "example.py", _settings(example), unsafe=True, rules=[rule])
    assert result.state == textwrap.dedent(example.fixed).strip("\n") + "\n"
    assert rule.fixable, f"{rule.code} has fixed= examples but fixable is empty"
