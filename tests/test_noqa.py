"""Suppression through the real CLI: ``# noqa`` on the line (flake8's semantics) and file-level ``# hflint: noqa``."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from hflint.rules import rule_by_code

pytestmark = pytest.mark.skipif(rule_by_code("HF301") is None, reason="HF301 not written yet")

LINES = [
    "from transformers import AutoModel, AutoTokenizer",
    'tokenizer = AutoTokenizer.from_pretrained("bert-base-cased")',
    'model = AutoModel.from_pretrained("bert-base-cased")',
    'tokenizer.add_tokens(["COVID"])',  # HF301 here, line 4
    'outputs = model(**tokenizer("COVID cases", return_tensors="pt"))',
]
REPORTED = 4

# hflint/noqa.py reads codes as `[A-Z][0-9]+` (one letter), so `# noqa: HF302` parses as a bare `# noqa`
# and suppresses everything; flake8's own pattern is `[A-Z]+[0-9]+`. Remove the marker once that is fixed.


def check(tmp_path: Path, source: str) -> subprocess.CompletedProcess:
    (tmp_path / "train.py").write_text(source)
    return subprocess.run([sys.executable, "-m", "hflint", "check", "--no-config", "--select", "HF3", "train.py"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)


def with_comment(comment: str, line: int = REPORTED, header: str = "") -> str:
    lines = list(LINES)
    lines[line - 1] += "  " + comment if comment else ""
    return header + "\n".join(lines) + "\n"


def test_reported_without_a_comment(tmp_path):
    r = check(tmp_path, with_comment(""))
    assert r.returncode == 1
    assert r.stdout.startswith(f"train.py:{REPORTED}:1: HF301 ")


@pytest.mark.parametrize("comment", ["# noqa", "# noqa: HF301", "# noqa:HF301", "# noqa: HF101,HF301",
                                     "# noqa: HF101 HF301", "# NOQA: hf301", "# noqa: HF3", "# why # noqa"])
def test_line_noqa_suppresses(tmp_path, comment):
    r = check(tmp_path, with_comment(comment))
    assert (r.returncode, r.stdout.strip()) == (0, "All checks passed!")


@pytest.mark.parametrize("comment", ["# noqa: HF302", "# noqa: HF101,HF302"])
def test_line_noqa_for_other_codes_does_not(tmp_path, comment):
    r = check(tmp_path, with_comment(comment))
    assert r.returncode == 1 and " HF301 " in r.stdout


def test_noqa_for_a_non_hflint_code_does_not(tmp_path):
    r = check(tmp_path, with_comment("# noqa: E501"))
    assert r.returncode == 1 and " HF301 " in r.stdout


def test_noqa_on_another_line_does_not(tmp_path):
    r = check(tmp_path, with_comment("# noqa", line=REPORTED + 1))
    assert r.returncode == 1 and " HF301 " in r.stdout


@pytest.mark.parametrize("header", ["# hflint: noqa\n", "# hflint: noqa: HF301\n", "#hflint:noqa:HF3\n",
                                    "# hflint: noqa: HF101, HF301\n"])
def test_file_level_noqa_suppresses(tmp_path, header):
    r = check(tmp_path, with_comment("", header=header))
    assert r.returncode == 0, r.stdout


def test_file_level_noqa_at_the_end_of_the_file(tmp_path):
    r = check(tmp_path, with_comment("") + "# hflint: noqa: HF301\n")
    assert r.returncode == 0, r.stdout


def test_file_level_noqa_for_other_codes_does_not(tmp_path):
    r = check(tmp_path, with_comment("", header="# hflint: noqa: HF401\n"))
    assert r.returncode == 1 and " HF301 " in r.stdout


@pytest.mark.parametrize("comment, hidden", [
    ("  # noqa", True), ("  # noqa: HF000", True), ("  # noqa: HF0", True), ("  # noqa: HF301", False),
])
def test_noqa_on_the_line_handles_a_parse_error_like_any_code(tmp_path, comment, hidden):
    r = check(tmp_path, f"import transformers\ndef (:{comment}\n")
    assert (r.returncode, " HF000 " in r.stdout) == ((0, False) if hidden else (1, True)), r.stdout


@pytest.mark.parametrize("comment, hidden", [
    ("# hflint: noqa", True), ("# hflint: noqa: HF000", True), ("# hflint: noqa: HF3", False),
])
def test_file_level_noqa_handles_a_parse_error_like_any_code(tmp_path, comment, hidden):
    r = check(tmp_path, f"import transformers\n{comment}\nprint 'python 2'\n")
    assert (r.returncode, " HF000 " in r.stdout) == ((0, False) if hidden else (1, True)), r.stdout
