"""Fixes: applied by the engine side (hflint.fixes), never by the rules; `hflint check --fix/--unsafe-fixes/--diff`.

The acceptance test runs every golden fixture through --fix --unsafe-fixes (in memory and, through the CLI,
on a temporary copy): the result parses, a second run changes nothing, every fixed finding is gone, and
nothing outside the reported edits' spans changed.
"""
from __future__ import annotations

import difflib
import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from release import TARGET

from hflint.config import Settings
from hflint.engine import lint_source
from hflint.finding import Edit, Finding, Fix
from hflint.fixes import apply_edits, edit_spans, fix_text, parses, select

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = sorted((ROOT / "fixtures").rglob("*.py"))
SETTINGS = Settings(target_transformers=TARGET)

HF301_HF302 = '''from transformers import AutoModel, AutoTokenizer
tokenizer = AutoTokenizer.from_pretrained("bert-base-cased")
model = AutoModel.from_pretrained("bert-base-cased")
tokenizer.add_tokens(["COVID"])  # domain words
outputs = model(**tokenizer("COVID cases", return_tensors="pt"))

def grow(name):
    tok = AutoTokenizer.from_pretrained(name)
    lm = AutoModel.from_pretrained(name)
    tok.add_tokens(["<x>"])
    lm.resize_token_embeddings(tok.vocab_size)
    return lm
'''


def _hflint(*args, cwd=ROOT, stdin=None):
    return subprocess.run([sys.executable, "-m", "hflint", "check", "--no-config", *args], cwd=cwd, input=stdin,
                          capture_output=True, text=True, timeout=300)


# ------------------------------------------------------------------ the fix loop

def _assert_only_spans_changed(before: str, after: str, applied: list[Finding]) -> None:
    """Every changed hunk of the line diff lies within an applied edit's lines, and the text between the edits'
    spans is byte-for-byte what it was."""
    edits = [e for f in applied for e in f.fix.edits]
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    for tag, i1, i2, _, _ in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if i1 == i2:  # lines inserted before line i1 + 1
            assert any(e.line <= i1 + 1 <= e.end_line + 1 for e in edits), (tag, i1, edits)
        else:
            for line in range(i1 + 1, i2 + 1):
                assert any(e.line <= line <= e.end_line for e in edits), (tag, line, edits)
    spans = sorted(edit_spans(before, edits))
    kept, cursor = [], 0
    for start, end in spans:
        kept.append(re.escape(before[cursor:start]))
        cursor = end
    kept.append(re.escape(before[cursor:]))
    assert re.fullmatch("(.*?)".join(kept), after, re.DOTALL), "text outside the edits' spans changed"


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_golden_fixture_fixes_are_sound(path):
    source = path.read_text(encoding="utf-8")
    result = fix_text(source, path.name, SETTINGS, unsafe=True)
    assert parses(result.state)
    again = fix_text(result.state, path.name, SETTINGS, unsafe=True)
    assert again.state == result.state and not again.fixed  # idempotent
    original = lint_source(source, path.name, SETTINGS).findings
    # every fixed finding is gone and no new one appeared (a fix may also resolve another finding: the HF304
    # rename of `resize_token_embedding` makes the missing-resize HF301 go away)
    assert Counter(f.code for f in result.remaining) <= \
        Counter(f.code for f in original) - Counter(f.code for f in result.fixed)
    assert not any(f.fix is not None and f.fix.edits for f in result.remaining), result.remaining
    for step, after in zip(result.passes, [p.before for p in result.passes[1:]] + [result.state]):
        _assert_only_spans_changed(step.before, after, step.applied)


def test_golden_fixtures_have_fixes_to_apply():
    fixed = Counter(f.code for p in FIXTURES
                    for f in fix_text(p.read_text(encoding="utf-8"), p.name, SETTINGS, unsafe=True).fixed)
    assert fixed["HF301"] >= 2 and fixed["HF302"] >= 1, fixed


def test_cli_fixes_a_copy_of_the_fixtures(tmp_path):
    copy = tmp_path / "fixtures"
    shutil.copytree(ROOT / "fixtures", copy)
    proc = _hflint("--fix", "--unsafe-fixes", "--target-transformers", TARGET, "fixtures", cwd=tmp_path)
    assert "fixed" in proc.stdout, proc.stdout + proc.stderr
    for path in FIXTURES:
        fixed = (copy / path.relative_to(ROOT / "fixtures")).read_text(encoding="utf-8")
        assert fixed == fix_text(path.read_text(encoding="utf-8"), path.name, SETTINGS, unsafe=True).state
    second = _hflint("--diff", "--unsafe-fixes", "--target-transformers", TARGET, "fixtures", cwd=tmp_path)
    assert (second.returncode, second.stdout) == (0, "")
    assert (ROOT / "fixtures").exists() and not (ROOT / "fixtures" / "fixtures").exists()


def test_hf301_fix_inserts_the_resize_after_the_last_add_with_its_indentation():
    source = '''from transformers import AutoModel, AutoTokenizer
def f():
    tokenizer = AutoTokenizer.from_pretrained("bert-base-cased")
    model = AutoModel.from_pretrained("bert-base-cased")
    if True:
        tokenizer.add_tokens(["a"])  # first
        tokenizer.add_special_tokens(
            {"additional_special_tokens": ["[E1]"]}
        )
    return model'''
    result = fix_text(source, "x.py", SETTINGS, unsafe=True)
    assert result.state == source.replace('''        )
    return model''', '''        )
        model.resize_token_embeddings(len(tokenizer))
    return model''')
    assert [f.code for f in result.fixed] == ["HF301"] and result.remaining == []


def test_hf301_has_no_fix_when_the_model_is_loaded_after_the_add():
    source = '''from transformers import AutoModelForMaskedLM, AutoTokenizer
def build():
    tok = AutoTokenizer.from_pretrained("distilbert-base-uncased")
    tok.add_tokens(["covid19"])
    model = AutoModelForMaskedLM.from_pretrained("distilbert-base-uncased")
    return model, tok
'''
    [finding] = lint_source(source, "x.py", SETTINGS).findings
    assert finding.code == "HF301" and finding.fix is None


def test_hf301_fix_is_unsafe_and_only_applied_with_unsafe_fixes():
    safe = fix_text(HF301_HF302, "x.py", SETTINGS, unsafe=False)
    assert [f.code for f in safe.fixed] == ["HF302"] and [f.code for f in safe.remaining] == ["HF301"]
    assert safe.remaining[0].fix.applicability == "unsafe"
    both = fix_text(HF301_HF302, "x.py", SETTINGS, unsafe=True)
    assert sorted(f.code for f in both.fixed) == ["HF301", "HF302"] and both.remaining == []


def test_overlapping_edits_are_deferred_not_merged():
    text = "abcdef\n"
    a = Finding("x", 1, 0, "HF302", "a", fix=Fix("safe", (Edit(1, 0, 1, 3, "X"),)))
    b = Finding("x", 1, 2, "HF302", "b", fix=Fix("safe", (Edit(1, 2, 1, 5, "Y"),)))
    c = Finding("x", 1, 5, "HF302", "c", fix=Fix("unsafe", (Edit(1, 5, 1, 6, "Z"),)))
    assert select(text, [a, b, c], unsafe=False) == [a]
    assert select(text, [a, b, c], unsafe=True) == [a, c]
    assert apply_edits(text, [e for f in (a, c) for e in f.fix.edits]) == "XdeZ\n"


def test_edits_keep_crlf_and_insert_after_a_last_line_without_newline():
    assert apply_edits("a\r\nb", [Edit(3, 0, 3, 0, "c\n")]) == "a\r\nb\r\nc"
    assert apply_edits("a\r\nb\r\n", [Edit(2, 0, 2, 0, "x\n")]) == "a\r\nx\r\nb\r\n"


# ------------------------------------------------------------------ the command

def test_fix_writes_only_changed_files_and_keeps_newlines_and_encoding(tmp_path):
    crlf = tmp_path / "crlf.py"
    crlf.write_bytes(HF301_HF302.replace("\n", "\r\n").encode())
    latin = tmp_path / "latin.py"
    latin.write_bytes(("# -*- coding: latin-1 -*-\n# café\n" + HF301_HF302).encode("latin-1"))
    bom = tmp_path / "bom.py"
    bom.write_bytes(b"\xef\xbb\xbf" + HF301_HF302.encode())
    clean = tmp_path / "clean.py"
    clean.write_text("from transformers import AutoModel\nmodel = AutoModel.from_pretrained('gpt2')\n")
    clean_mtime = clean.stat().st_mtime_ns
    proc = _hflint("--fix", "--unsafe-fixes", ".", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "Found 6 findings (6 fixed, 0 remaining)."
    expected = fix_text(HF301_HF302, "x.py", SETTINGS, unsafe=True).state
    assert crlf.read_bytes() == expected.replace("\n", "\r\n").encode()
    assert latin.read_bytes() == ("# -*- coding: latin-1 -*-\n# café\n" + expected).encode("latin-1")
    assert bom.read_bytes() == b"\xef\xbb\xbf" + expected.encode()
    assert clean.stat().st_mtime_ns == clean_mtime


def test_fix_reports_remaining_and_hidden_fixes_like_ruff(tmp_path):
    (tmp_path / "a.py").write_text(HF301_HF302)
    check = _hflint("a.py", cwd=tmp_path)
    assert check.returncode == 1
    lines = check.stdout.splitlines()
    assert lines[0].startswith("a.py:4:1: HF301 `tokenizer.add_tokens")  # unsafe: no [*] without --unsafe-fixes
    assert lines[1].startswith("a.py:11:32: HF302 [*] `resize_token_embeddings")
    assert lines[2:] == ["Found 2 findings.", "[*] 1 fixable with the `--fix` option "
                         "(1 hidden fix can be enabled with the `--unsafe-fixes` option)."]
    marked = _hflint("--unsafe-fixes", "a.py", cwd=tmp_path)
    assert marked.stdout.splitlines()[0].startswith("a.py:4:1: HF301 [*] ")
    assert marked.stdout.splitlines()[-1] == "[*] 2 fixable with the `--fix` option."

    fixed = _hflint("--fix", "a.py", cwd=tmp_path)
    assert fixed.returncode == 1  # findings remain
    assert fixed.stdout.splitlines()[-2:] == ["Found 2 findings (1 fixed, 1 remaining).",
                                             "1 hidden fix can be enabled with the `--unsafe-fixes` option."]
    rest = _hflint("--fix", "--unsafe-fixes", "a.py", cwd=tmp_path)
    assert (rest.returncode, rest.stdout.splitlines()[-1]) == (0, "Found 1 finding (1 fixed, 0 remaining).")
    assert _hflint("--fix", "a.py", cwd=tmp_path).stdout.strip() == "All checks passed!"


def test_diff_prints_the_change_and_writes_nothing(tmp_path):
    path = tmp_path / "a.py"
    path.write_text(HF301_HF302)
    proc = _hflint("--diff", "--unsafe-fixes", "a.py", cwd=tmp_path)
    assert proc.returncode == 1
    assert path.read_text() == HF301_HF302
    assert proc.stdout.startswith("--- a.py\n+++ a.py\n@@")
    assert "+model.resize_token_embeddings(len(tokenizer))\n" in proc.stdout
    assert "-    lm.resize_token_embeddings(tok.vocab_size)\n+    lm.resize_token_embeddings(len(tok))\n" in proc.stdout
    assert "Would fix 2 findings." in proc.stderr
    nothing = _hflint("--diff", "a.py", "--select", "HF4", cwd=tmp_path)
    assert (nothing.returncode, nothing.stdout) == (0, "")


def test_fix_from_stdin_writes_the_fixed_code_to_stdout(tmp_path):
    proc = _hflint("--fix", "-", "--stdin-filename", "train.py", stdin=HF301_HF302, cwd=tmp_path)
    assert proc.stdout == fix_text(HF301_HF302, "x.py", SETTINGS).state
    assert "Found 2 findings (1 fixed, 1 remaining)." in proc.stderr and proc.returncode == 1


def test_fix_never_writes_code_that_does_not_parse(tmp_path):
    """A fix whose result would not parse is dropped (here: a rule-less edit made up to break the file)."""
    bad = Finding("x", 1, 0, "HF302", "m", fix=Fix("safe", (Edit(1, 0, 1, 0, "(\n"),)))
    from hflint.fixes import apply_checked

    assert apply_checked("x = 1\n", [bad]) == ("x = 1\n", [])


# ------------------------------------------------------------------ what --fix says: failures, counts, statistics

class _BreaksTheCode:
    """A made-up rule whose fix never parses: reports every name `broken_here` and replaces it with `(`."""

    @staticmethod
    def rule():
        from hflint.rules.base import Replacement, Rule

        class BreaksTheCode(Rule):
            code, name, message, fixable = "HF302", "resize-to-wrong-size", "m", "safe"

            def __init__(self, ctx):
                super().__init__(ctx)
                self.names = []

            def visit_Name(self, node):
                if node.value == "broken_here":
                    self.names.append(node)

            def check(self):
                for node in self.names:
                    yield self.report(node, "made up", replacements=[Replacement(node, "(")])
        return BreaksTheCode


@pytest.mark.parametrize("suffix", [".py", ".ipynb"])
@pytest.mark.parametrize("mode", ["--fix", "--diff"])
def test_a_fix_that_cannot_be_applied_is_said_never_dropped(tmp_path, monkeypatch, capsys, suffix, mode):
    from hflint import cli, engine

    monkeypatch.setattr(engine, "all_rules", lambda: (_BreaksTheCode.rule(),))
    code = "import transformers\nbroken_here = 1\n"
    path = tmp_path / f"x{suffix}"
    if suffix == ".py":
        path.write_text(code)
    else:
        path.write_text(json.dumps({"cells": [{"cell_type": "code", "metadata": {}, "outputs": [],
                                               "execution_count": None, "source": code}],
                                    "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    before = path.read_bytes()
    status = cli.main(["check", "--no-config", mode, str(path)])
    out, err = capsys.readouterr()
    assert status == 1 and path.read_bytes() == before
    where = f"{path}:2:1" if suffix == ".py" else f"{path}:cell 1:2:1"
    assert f"hflint: {where}: HF302 fix not applied: the fixed code would not parse" in err
    if mode == "--fix":
        assert f"{where}: HF302 made up" in out  # reported, without the [*] of a fixable finding
        assert "Found 1 finding." in out and "1 fix could not be applied" in out


def test_statistics_mark_a_code_fixable_only_when_fix_would_fix_it(tmp_path):
    (tmp_path / "a.py").write_text(HF301_HF302)
    plain = _hflint("--statistics", "a.py", cwd=tmp_path)
    assert plain.stdout.splitlines()[:2] == ["1\tHF301\tadd-tokens-without-resize",
                                             "1\tHF302\t[*] resize-to-wrong-size"]
    unsafe = _hflint("--statistics", "--unsafe-fixes", "a.py", cwd=tmp_path)
    assert unsafe.stdout.splitlines()[:2] == ["1\tHF301\t[*] add-tokens-without-resize",
                                              "1\tHF302\t[*] resize-to-wrong-size"]
    as_json = json.loads(_hflint("--statistics", "--format", "json", "a.py", cwd=tmp_path).stdout)
    assert [(row["code"], row["fixable"]) for row in as_json] == [("HF301", False), ("HF302", True)]


CHAIN = 'from transformers import AutoModel\nmodel = AutoModel.from_pretrain("bert-base-cased", use_auth_token=True)\n'


def test_counts_agree_when_fixes_uncover_more_findings(tmp_path):
    """Fixing `from_pretrain` makes its keywords checkable: `check` finds 1, the fixes fix 2, and both say why."""
    path = tmp_path / "chain.py"
    path.write_text(CHAIN)
    target = ("--target-transformers", "5.0")
    check = _hflint(*target, "chain.py", cwd=tmp_path)
    assert "Found 1 finding." in check.stdout
    diff = _hflint(*target, "--diff", "chain.py", cwd=tmp_path)
    assert diff.returncode == 1 and "+model = AutoModel.from_pretrained(\"bert-base-cased\", token=True)\n" in diff.stdout
    assert diff.stderr.strip() == ("Would fix 2 findings (1 of them appears only once the first fixes are applied, "
                                   "so `hflint check` reports 1 now).")
    fixed = _hflint(*target, "--fix", "chain.py", cwd=tmp_path)
    assert fixed.returncode == 0
    assert fixed.stdout.strip() == "Found 2 findings (2 fixed, 0 remaining; 1 of them uncovered by the first fixes)."
