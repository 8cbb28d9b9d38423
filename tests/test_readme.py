"""The README's quick start is what CI runs, and its other promises (pre-commit, flake8, installs) work as written."""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


def _quick_start_commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return [block.split("\n", 1)[1].strip() for block in section.split("```sh")[1:]]


def test_quick_start_has_two_commands():
    commands = [c.split("```")[0].strip() for c in _quick_start_commands()]
    assert len(commands) == 2
    assert "hflint check fixtures/demo" in commands[0]
    assert "pip install torch==2.13.0" in commands[1] and "pytest" in commands[1]


def test_ci_runs_the_readme_test_command_unchanged():
    test_command = _quick_start_commands()[1].split("```")[0].strip()
    assert test_command in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()


# ------------------------------------------------------------------ what the README promises works as written

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _section(start: str) -> str:
    return README.split(start, 1)[1].split("\n**", 1)[0]


def _blocks(text: str, lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", text, flags=re.S)


BAD = ('from transformers import AutoModel, AutoTokenizer\ntokenizer = AutoTokenizer.from_pretrained("bert-base-cased")\n'
       'model = AutoModel.from_pretrained("bert-base-cased")\ntokenizer.add_tokens(["COVID"])\n'
       'outputs = model(**tokenizer("COVID cases", return_tensors="pt"))\n')
GOOD = BAD.replace('tokenizer.add_tokens(["COVID"])\n',
                   'tokenizer.add_tokens(["COVID"])\nmodel.resize_token_embeddings(len(tokenizer))\n')


def _git(cwd, *args):
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t"}
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def test_readme_precommit_local_hook_runs_as_written(tmp_path):
    """The README's first pre-commit snippet, copied as is into a project, fails on a bug and passes on the fix."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    snippet = _blocks(_section("**pre-commit**"), "yaml")[0]
    assert "repo: local" in snippet and "rev:" not in snippet
    (tmp_path / ".pre-commit-config.yaml").write_text(snippet)
    (tmp_path / "bad.py").write_text(BAD)
    (tmp_path / "good.py").write_text(GOOD)
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", "-A")
    # `language: system` runs the hflint of the environment you commit from: this one
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / ".cache"), "PRE_COMMIT_COLOR": "never",
           "PATH": os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])}
    run = lambda *files: subprocess.run([sys.executable, "-m", "pre_commit", "run", "--files", *files],  # noqa: E731
                                        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    bad = run("bad.py")
    assert bad.returncode == 1 and "bad.py:4:1: HF301" in bad.stdout, bad.stdout + bad.stderr
    good = run("good.py")
    assert good.returncode == 0 and "Passed" in good.stdout, good.stdout + good.stderr


def test_readme_precommit_clone_snippet_names_the_clones_hooks():
    snippet = _blocks(_section("**pre-commit**"), "yaml")[1]
    config = yaml.safe_load(snippet.replace("0123abc...", "ab" * 20))
    [repo] = config["repos"]
    assert repo["rev"] == "ab" * 20 and not repo["repo"].startswith("http")
    hooks = {h["id"] for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert {h["id"] for h in repo["hooks"]} <= hooks
    # the published form is only mentioned as not published yet
    assert "rev: v0.1.0" not in "".join(_blocks(README, "yaml"))
    assert "*Not published yet:*" in README


def test_readme_installs_from_the_clone():
    assert "pip install '.[runtime]'" in README
    assert re.search(r"(?<!\.\[)pip install 'hflint\[runtime\]'", README.split("once hflint\nis published on PyPI")[0]) \
        is None  # the PyPI form only where it is marked as not published


def test_readme_flake8_examples_do_what_they_say(tmp_path):
    """Plain flake8 runs the default HF rules; --extend-select adds an off-by-default one; a prefix select turns on
    every rule it covers."""
    (tmp_path / "train.py").write_text(
        "from transformers import AutoConfig, AutoModel, AutoTokenizer\n"
        "tokenizer = AutoTokenizer.from_pretrained('roberta-base')\n"
        "model = AutoModel.from_config(AutoConfig.from_pretrained('roberta-base'))  # HF203, off by default\n\n"
        "def grow():\n"
        "    tok = AutoTokenizer.from_pretrained('bert-base-cased')\n"
        "    lm = AutoModel.from_pretrained('bert-base-cased')\n"
        "    tok.add_tokens(['COVID'])  # HF301\n"
        "    return lm(**tok('COVID', return_tensors='pt'))\n")
    commands = [c.strip() for c in _blocks(_section("**flake8**"), "sh")[0].splitlines() if c.strip()]

    def codes(command: str) -> set:
        args = command.split("#")[0].split()[1:]
        args = [a if a != "src/" else "train.py" for a in args]
        proc = subprocess.run([sys.executable, "-m", "flake8", "--isolated", *args], cwd=tmp_path,
                              capture_output=True, text=True, timeout=120)
        return {line.split()[1] for line in proc.stdout.splitlines() if " HF" in line}

    plain, extended, prefix = (codes(c) for c in commands)
    assert "HF301" in plain and "HF203" not in plain
    assert {"HF301", "HF203"} <= extended
    assert {"HF301", "HF203"} <= prefix
