"""Every rule example (VALID, INVALID and the fixed code) reads as runnable code: pyflakes finds no undefined name.

A reader copies examples from `hflint explain`; an example that calls an undefined `setup_embeddings` teaches
nothing. Names come from an import, an assignment, or a function's parameters. HF000's INVALID examples are
files that do not parse, by definition: they are only required not to parse.
"""
from __future__ import annotations

import ast
import textwrap

import pytest
from pyflakes import checker, messages

from hflint.rules import all_rules


def _examples():
    for rule in all_rules():
        for kind in ("VALID", "INVALID"):
            for i, example in enumerate(getattr(rule, kind)):
                yield pytest.param(rule.code, kind, example.source(), id=f"{rule.code}-{kind.lower()}-{i}")
                if getattr(example, "fixed", None) is not None:
                    fixed = textwrap.dedent(example.fixed).strip("\n") + "\n"
                    yield pytest.param(rule.code, "FIXED", fixed, id=f"{rule.code}-fixed-{i}")


def undefined_names(source: str) -> list[str]:
    tree = ast.parse(source)
    found = checker.Checker(tree, filename="example.py")
    return sorted({f"line {m.lineno}: {m.message_args[0]}" for m in found.messages
                   if isinstance(m, (messages.UndefinedName, messages.UndefinedLocal, messages.UndefinedExport))})


@pytest.mark.parametrize("code, kind, source", list(_examples()))
def test_example_defines_every_name_it_uses(code, kind, source):
    if code == "HF000" and kind == "INVALID":
        with pytest.raises(SyntaxError):
            ast.parse(source)
        return
    assert undefined_names(source) == []


def test_the_check_notices_an_undefined_name():
    assert undefined_names("model = setup_embeddings(tok)\n") == ["line 1: setup_embeddings", "line 1: tok"]
    assert undefined_names("def f(tok):\n    return tok\n") == []
