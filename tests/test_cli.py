"""The ``hflint`` command end to end: the real CLI in a subprocess (``python -m hflint``).

Most tests run against a small fake rule catalog (installed through a ``sitecustomize`` on PYTHONPATH,
so it also reaches ``--jobs`` worker processes): they test the front door, not the rules.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from hflint.docs import render_rule
from hflint.rules import rule_by_code

FAKE_RULES = '''
import libcst as cst
from hflint.rules.base import Invalid, Replacement, Rule, Valid


class _MethodCall(Rule):
    method = ""

    def __init__(self, ctx):
        super().__init__(ctx)
        self.calls = []

    def visit_Call(self, node):
        if isinstance(node.func, cst.Attribute) and node.func.attr.value == self.method:
            self.calls.append(node)

    def check(self):
        return [self.report(call, f"`.{self.method}(...)` called") for call in self.calls]


class FakeAddTokens(_MethodCall):
    """Every call of add_tokens.

    ## What it does
    Reports `add_tokens`.

    ## Why is this bad?
    The test says so.

    ## Example
    tok.add_tokens(["x"])

    ## Use instead
    ```python
    tok.add_tokens(["x"])
    model.resize_token_embeddings(len(tok))
    ```
    """
    code, name, message, fixable = "HF301", "add-tokens-without-resize", "`.add_tokens` called", "unsafe"
    method = "add_tokens"
    VALID = [Valid("tok.add_special_tokens({'pad_token': tok.eos_token})")]
    INVALID = [Invalid("""
        import transformers
        tok.add_tokens(["x"])
    """, line=2)]


class FakeFromConfig(_MethodCall):
    """Every call of from_config."""
    code, name, message, method = "HF203", "from-config-discards-weights", "`.from_config` called", "from_config"
    default_enabled = False


class FakeVocabSize(Rule):
    """Every read of vocab_size."""
    code, name, message, fixable = "HF302", "resize-to-wrong-size", "`vocab_size` read", "safe"

    def __init__(self, ctx):
        super().__init__(ctx)
        self.nodes = []

    def visit_Attribute(self, node):
        if node.attr.value == "vocab_size":
            self.nodes.append(node)

    def check(self):
        for node in self.nodes:
            yield self.report(node, "`vocab_size` excludes added tokens",
                              replacements=[Replacement(node, "len(tok)")], fix_message="use len(tok)")
'''

SITECUSTOMIZE = f'''
import sys, types
import hflint.rules
_module = types.ModuleType("hflint.rules.fake")
exec(compile({FAKE_RULES!r}, "hflint/rules/fake.py", "exec"), _module.__dict__)
sys.modules["hflint.rules.fake"] = _module
hflint.rules._MODULES = ("fake",)
'''

ADD = 'from transformers import AutoTokenizer\ntok = AutoTokenizer.from_pretrained("gpt2")\ntok.add_tokens(["<x>"])\n'
FROM_CONFIG = "from transformers import AutoModel\nmodel = AutoModel.from_config(cfg)\n"
VOCAB = "import transformers\nmodel.resize_token_embeddings(tok.vocab_size)\n"
CLEAN = "import transformers\nprint(transformers.__version__)\n"


@pytest.fixture(scope="session")
def fakes(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("fake_catalog")
    (folder / "sitecustomize.py").write_text(SITECUSTOMIZE)
    return folder


def hflint(*args: str, cwd: Path, fakes: Path | None = None, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if fakes is not None:  # before the suite's own entries (conftest.py: the reported transformers release)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(fakes), env.get("PYTHONPATH")]))
    return subprocess.run([sys.executable, "-m", "hflint", *args], cwd=cwd, input=stdin, capture_output=True,
                          text=True, env=env, timeout=120)


def tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def codes(stdout: str) -> list[tuple[str, str]]:
    """(path, code) of every text-format finding line."""
    out = []
    for line in stdout.splitlines():
        if line.count(":") >= 3 and " HF" in line:
            path, rest = line.split(":", 1)
            out.append((path, rest.split(" ")[1]))
    return out


# ------------------------------------------------------------------ exit codes and text output

def test_findings_exit_1_with_ruff_style_lines_and_summary(tmp_path, fakes):
    tree(tmp_path, {"a.py": ADD, "b.py": CLEAN})
    r = hflint("check", ".", cwd=tmp_path, fakes=fakes)
    assert r.returncode == 1, r.stderr
    assert r.stdout.splitlines() == ["a.py:3:1: HF301 `.add_tokens(...)` called", "Found 1 finding."]


def test_clean_exit_0(tmp_path, fakes):
    tree(tmp_path, {"a.py": CLEAN})
    r = hflint("check", "a.py", cwd=tmp_path, fakes=fakes)
    assert (r.returncode, r.stdout.strip()) == (0, "All checks passed!")


def test_exit_zero_and_quiet(tmp_path, fakes):
    tree(tmp_path, {"a.py": ADD})
    r = hflint("check", "--exit-zero", "--quiet", ".", cwd=tmp_path, fakes=fakes)
    assert r.returncode == 0
    assert r.stdout.splitlines() == ["a.py:3:1: HF301 `.add_tokens(...)` called"]


@pytest.mark.parametrize("args", [
    ["check", "missing.py"],
    ["check", "--select", "E501", "."],
    ["check", "--jobs", "0", "."],
    ["check", "--target-transformers", "latest", "."],
    ["check", "--format", "xml", "."],
    ["check", "--no-such-flag"],
    ["explain", "HF999"],
    [],
])
def test_usage_errors_exit_2(tmp_path, args):
    tree(tmp_path, {"a.py": CLEAN})
    r = hflint(*args, cwd=tmp_path)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert r.stderr.strip() and not r.stdout


def test_missing_path_names_it(tmp_path):
    r = hflint("check", "nope/x.py", cwd=tmp_path)
    assert r.returncode == 2 and "nope/x.py" in r.stderr


def test_zero_files_is_clean_with_a_notice(tmp_path, fakes):
    tree(tmp_path, {"notes.txt": "hello"})
    r = hflint("check", ".", cwd=tmp_path, fakes=fakes)
    assert (r.returncode, r.stdout) == (0, "")
    assert "no Python files" in r.stderr


def test_unparsable_and_unreadable_files_are_findings_and_the_run_continues(tmp_path, fakes):
    tree(tmp_path, {"a.py": ADD, "bad.py": "import transformers\ndef (:\n"})
    if hasattr(os, "symlink"):
        (tmp_path / "dangling.py").symlink_to(tmp_path / "missing.py")
    r = hflint("check", ".", cwd=tmp_path, fakes=fakes)
    assert r.returncode == 1
    found = codes(r.stdout)
    assert ("a.py", "HF301") in found and ("bad.py", "HF000") in found
    if hasattr(os, "symlink"):
        assert ("dangling.py", "HF000") in found
        assert "dangling.py:1:1: HF000 cannot read" in r.stdout


def test_notebooks_are_found_but_not_yet_linted(tmp_path, fakes):
    tree(tmp_path, {"nb.ipynb": json.dumps({"cells": [], "nbformat": 4, "nbformat_minor": 5, "metadata": {}})})
    r = hflint("check", ".", cwd=tmp_path, fakes=fakes)
    assert r.returncode == 0, r.stdout + r.stderr


def test_stdin_with_stdin_filename(tmp_path, fakes):
    r = hflint("check", "-", "--stdin-filename", "pkg/train.py", cwd=tmp_path, fakes=fakes, stdin=ADD)
    assert r.returncode == 1
    assert r.stdout.splitlines()[0] == "pkg/train.py:3:1: HF301 `.add_tokens(...)` called"
    r = hflint("check", "-", cwd=tmp_path, fakes=fakes, stdin=ADD)
    assert r.stdout.startswith("-:3:1: HF301")


def test_jobs_give_the_same_output(tmp_path, fakes):
    tree(tmp_path, {f"m{i}/f{j}.py": ADD if j % 2 else VOCAB for i in range(3) for j in range(4)})
    one = hflint("check", ".", cwd=tmp_path, fakes=fakes)
    four = hflint("check", "--jobs", "4", ".", cwd=tmp_path, fakes=fakes)
    assert one.returncode == four.returncode == 1
    assert one.stdout == four.stdout and len(codes(one.stdout)) == 12


# ------------------------------------------------------------------ formats

def test_json_shape(tmp_path, fakes):
    tree(tmp_path, {"v.py": VOCAB})
    r = hflint("check", "--format", "json", "v.py", cwd=tmp_path, fakes=fakes)
    assert r.returncode == 1
    (item,) = json.loads(r.stdout)
    assert item == {
        "code": "HF302",
        "name": "resize-to-wrong-size",
        "message": "`vocab_size` excludes added tokens",
        "filename": "v.py",
        "location": {"row": 2, "column": 31},
        "end_location": {"row": 2, "column": 45},
        "fix": {"applicability": "safe", "message": "use len(tok)",
                "edits": [{"content": "len(tok)", "location": {"row": 2, "column": 31},
                           "end_location": {"row": 2, "column": 45}}]},
        "url": item["url"],
    }
    assert item["url"].endswith("HF302.md")


def test_json_clean_is_an_empty_array(tmp_path, fakes):
    tree(tmp_path, {"a.py": CLEAN})
    r = hflint("check", "--format", "json", ".", cwd=tmp_path, fakes=fakes)
    assert (r.returncode, json.loads(r.stdout)) == (0, [])


def test_statistics(tmp_path, fakes):
    tree(tmp_path, {"a.py": ADD + ADD.splitlines()[-1] + "\n", "b.py": VOCAB})
    r = hflint("check", "--statistics", ".", cwd=tmp_path, fakes=fakes)
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    assert lines[:-1] == ["2\tHF301\tadd-tokens-without-resize", "1\tHF302\t[*] resize-to-wrong-size",
                          "Found 3 findings."]
    assert lines[-1].startswith("Target: transformers ")  # which release the HF5xx rules checked against, and why
    r = hflint("check", "--statistics", "--format", "json", ".", cwd=tmp_path, fakes=fakes)
    assert json.loads(r.stdout) == [
        {"code": "HF301", "name": "add-tokens-without-resize", "count": 2, "fixable": False},
        {"code": "HF302", "name": "resize-to-wrong-size", "count": 1, "fixable": True},
    ]


# ------------------------------------------------------------------ selection and configuration

@pytest.mark.parametrize("flags, expected", [
    ([], {"HF301", "HF302"}),
    (["--select", "ALL"], {"HF203", "HF301", "HF302"}),
    (["--select", "HF3"], {"HF301", "HF302"}),
    (["--select", "HF301"], {"HF301"}),
    (["--extend-select", "HF203"], {"HF203", "HF301", "HF302"}),
    (["--ignore", "HF3"], set()),
    (["--ignore", "HF3", "--extend-select", "HF301"], {"HF301"}),
    (["--ignore", "HF301", "--ignore", "HF302"], set()),
    (["--select", "hf2,hf302"], {"HF203", "HF302"}),
])
def test_selection_flags(tmp_path, fakes, flags, expected):
    tree(tmp_path, {"a.py": ADD, "b.py": FROM_CONFIG, "c.py": VOCAB})
    r = hflint("check", *flags, ".", cwd=tmp_path, fakes=fakes)
    assert {c for _, c in codes(r.stdout)} == expected
    assert r.returncode == (1 if expected else 0)


def test_config_file_and_cli_precedence(tmp_path, fakes):
    tree(tmp_path, {"pyproject.toml": '[tool.hflint]\nignore = ["HF301"]\nextend-select = ["HF203"]\n',
                    "src/a.py": ADD, "src/b.py": FROM_CONFIG, "src/c.py": VOCAB})

    def seen(*flags):
        return {c for _, c in codes(hflint("check", *flags, cwd=tmp_path / "src", fakes=fakes).stdout)}

    assert seen(".") == {"HF203", "HF302"}  # found by walking up from the path
    assert seen("--ignore", "HF302", ".") == {"HF203"}  # --ignore adds
    assert seen("--extend-select", "HF301", ".") == {"HF203", "HF301", "HF302"}  # more specific than the ignore
    assert seen("--select", "HF301", ".") == {"HF301"}  # --select starts fresh, as in ruff
    assert seen("--no-config", ".") == {"HF301", "HF302"}
    other = tree(tmp_path / "other", {"pyproject.toml": '[tool.hflint]\nselect = ["HF302"]\n'})
    assert seen("--config", str(other / "pyproject.toml"), ".") == {"HF302"}


def test_per_file_ignores_relative_to_the_pyproject(tmp_path, fakes):
    tree(tmp_path, {"pyproject.toml": '[tool.hflint.per-file-ignores]\n"tests/*" = ["HF301"]\n"legacy.py" = ["HF3"]\n',
                    "tests/t.py": ADD, "src/s.py": ADD, "legacy.py": ADD + VOCAB})
    r = hflint("check", ".", cwd=tmp_path, fakes=fakes)
    assert codes(r.stdout) == [("src/s.py", "HF301")]
    r = hflint("check", "-", "--stdin-filename", "tests/t.py", cwd=tmp_path, fakes=fakes, stdin=ADD)
    assert r.returncode == 0, r.stdout


@pytest.mark.parametrize("table, fragment", [
    ("selct = ['HF1']", "selct"),
    ("ignore = 'HF301'", "ignore"),
    ("target-transformers = 4.46", "target-transformers"),
])
def test_bad_config_exits_2_naming_the_key(tmp_path, table, fragment):
    tree(tmp_path, {"pyproject.toml": f"[tool.hflint]\n{table}\n", "a.py": CLEAN})
    r = hflint("check", ".", cwd=tmp_path)
    assert r.returncode == 2 and fragment in r.stderr and "pyproject.toml" in r.stderr


def test_gitignore_is_honoured_but_explicit_paths_are_linted(tmp_path, fakes):
    tree(tmp_path, {".gitignore": "generated/\n", "generated/g.py": ADD, "src/a.py": ADD,
                    ".venv/lib/x.py": ADD, "venvlike/pyvenv.cfg": "", "venvlike/y.py": ADD})
    assert codes(hflint("check", ".", cwd=tmp_path, fakes=fakes).stdout) == [("src/a.py", "HF301")]
    r = hflint("check", "generated/g.py", cwd=tmp_path, fakes=fakes)
    assert codes(r.stdout) == [("generated/g.py", "HF301")]


# ------------------------------------------------------------------ rules and explain

def test_rules_table_and_json(tmp_path, fakes):
    r = hflint("rules", cwd=tmp_path, fakes=fakes)
    assert r.returncode == 0
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["code", "name", "default", "fix", "summary"]
    assert lines[1].split()[:4] == ["HF203", "from-config-discards-weights", "off", "-"]
    assert lines[2].split()[:4] == ["HF301", "add-tokens-without-resize", "on", "unsafe"]
    assert lines[2].endswith("Every call of add_tokens.")
    data = json.loads(hflint("rules", "--format", "json", cwd=tmp_path, fakes=fakes).stdout)
    assert [(d["code"], d["default_enabled"], d["fixable"]) for d in data] == [
        ("HF203", False, None), ("HF301", True, "unsafe"), ("HF302", True, "safe")]


def test_rules_with_the_real_catalog(tmp_path):
    r = hflint("rules", cwd=tmp_path)
    assert r.returncode == 0 and r.stdout.startswith("code")


@pytest.mark.parametrize("name", ["HF301", "hf301", "add-tokens-without-resize"])
def test_explain(tmp_path, fakes, name):
    r = hflint("explain", name, cwd=tmp_path, fakes=fakes)
    assert r.returncode == 0
    page = r.stdout
    assert page.startswith("# HF301 add-tokens-without-resize\n")
    headings = [line for line in page.splitlines() if line.startswith("#")]
    assert headings[1:] == ["## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Fix safety",
                            "## Examples", "### Examples hflint stays silent on", "### Examples hflint reports"]
    assert '```python\ntok.add_tokens(["x"])\n```' in page  # an unfenced Example gets a fence
    assert 'tok.add_tokens(["x"])  # <- HF301\n' in page
    assert "tok.add_special_tokens({'pad_token': tok.eos_token})\n" in page


def test_render_rule_of_every_real_rule():
    real = rule_by_code("HF301")
    if real is None:
        pytest.skip("HF301 not written yet")
    from hflint.rules import all_rules

    for rule in all_rules():
        page = render_rule(rule)
        assert page.startswith(f"# {rule.code} {rule.name}\n")
        assert page.count("```") % 2 == 0
        for example in rule.INVALID:
            assert f"  # <- {rule.code}" in page
        if rule.fixable:
            assert "## Fix safety" in page


def test_real_hf301_end_to_end(tmp_path):
    if rule_by_code("HF301") is None:
        pytest.skip("HF301 not written yet")
    tree(tmp_path, {"train.py": """
        from transformers import AutoModel, AutoTokenizer
        tokenizer = AutoTokenizer.from_pretrained("bert-base-cased")
        model = AutoModel.from_pretrained("bert-base-cased")
        tokenizer.add_tokens(["COVID"])
        outputs = model(**tokenizer("COVID cases", return_tensors="pt"))
    """})
    r = hflint("check", "--select", "HF301", "train.py", cwd=tmp_path)
    assert r.returncode == 1
    assert r.stdout.startswith("train.py:5:1: HF301 ")


# ------------------------------------------------------------------ usage that would silently do nothing

@pytest.mark.parametrize("args, words", [
    (["--select", "HF9"], ["'HF9' matches no static rule", "--verify", "pytest --hf-verify"]),
    (["--extend-select", "HF904"], ["'HF904' matches no static rule", "--verify"]),
    (["--select", "HF8"], ["'HF8' matches no static rule", "hflint rules"]),
    (["--target-transformers", "3.0"], ["3.0 is older than hflint's API knowledge, which starts at 4.30"]),
    (["--diff", "--format", "json"], ["--diff", "cannot be combined with --format json"]),
    (["--diff", "--format", "sarif"], ["cannot be combined with --format sarif"]),
])
def test_usage_that_would_do_nothing_is_an_error(tmp_path, args, words):
    tree(tmp_path, {"a.py": ADD})
    r = hflint("check", "--no-config", *args, "a.py", cwd=tmp_path)
    assert r.returncode == 2 and r.stdout == "", r.stdout + r.stderr
    for w in words:
        assert w in r.stderr, r.stderr


def test_a_configured_selector_or_target_is_checked_too(tmp_path):
    tree(tmp_path, {"pyproject.toml": '[tool.hflint]\nextend-select = ["HF905"]\n', "a.py": ADD})
    assert hflint("check", "a.py", cwd=tmp_path).returncode == 2
    tree(tmp_path, {"pyproject.toml": '[tool.hflint]\ntarget-transformers = "4.0"\n'})
    r = hflint("check", "a.py", cwd=tmp_path)
    assert r.returncode == 2 and "older than hflint's API knowledge" in r.stderr
