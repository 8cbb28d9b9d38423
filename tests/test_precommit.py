"""The pre-commit hooks end to end: `pre-commit try-repo` installs hflint from this working tree into its own
environment (from PyPI: libcst, flake8) and runs the `hflint` hook in a scratch git repository.

try-repo reads a repository's committed tree plus its changes to tracked files, so the working tree
(tracked and untracked, minus .gitignore'd files) is first copied into a fresh, committed repository.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
PRE_COMMIT = [sys.executable, "-m", "pre_commit"]

BAD = '''from transformers import AutoModel, AutoTokenizer
tokenizer = AutoTokenizer.from_pretrained("bert-base-cased")
model = AutoModel.from_pretrained("bert-base-cased")
tokenizer.add_tokens(["COVID"])
outputs = model(**tokenizer("COVID cases", return_tensors="pt"))
'''
GOOD = BAD.replace('tokenizer.add_tokens(["COVID"])\n',
                   'tokenizer.add_tokens(["COVID"])\nmodel.resize_token_embeddings(len(tokenizer))\n')


def _git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t"}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


def test_hooks_file_declares_both_hooks():
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"hflint", "hflint-fix"}
    assert hooks["hflint"]["entry"] == "hflint check --force-exclude"  # pre-commit names files: excludes still apply
    assert hooks["hflint-fix"]["entry"] == "hflint check --force-exclude --fix"
    for hook in hooks.values():
        assert hook["types_or"] == ["python", "jupyter"] and hook["require_serial"] is True
        assert "--jobs" not in hook["entry"] and "-j" not in hook["entry"].split()


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory):
    """A committed copy of this working tree: what `pre-commit try-repo` installs hflint from."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path_factory.mktemp("hflint-repo")
    files = _git(ROOT, "ls-files", "--cached", "--others", "--exclude-standard", "-z").split("\0")
    for name in filter(None, files):
        src = ROOT / name
        if src.is_file() and not name.startswith("benchmarks/"):
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, repo / name)
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "snapshot")
    return repo


def _pre_commit(project: Path, home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    env.pop("VIRTUAL_ENV", None)
    return subprocess.run([*PRE_COMMIT, *args], cwd=project, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture
def project(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    (project / "bad.py").write_text(BAD)
    (project / "good.py").write_text(GOOD)
    (project / "README.md").write_text("no Python here\n")
    _git(project, "init", "-q")
    _git(project, "add", "bad.py", "good.py", "README.md")
    _git(project, "commit", "-q", "-m", "init")
    return project


def test_try_repo_hook_fails_on_a_bad_file(hook_repo, project, tmp_path):
    """`pre-commit try-repo` (a throwaway environment each time, hence one call)."""
    bad = _pre_commit(project, tmp_path / "home", "try-repo", str(hook_repo), "hflint", "--verbose", "--files", "bad.py")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "bad.py:4:1: HF301" in bad.stdout and "Failed" in bad.stdout


def test_hooks_pass_on_good_files_and_with_nothing_staged(hook_repo, project, tmp_path):
    """The same hooks from a .pre-commit-config.yaml (installed once, then reused)."""
    rev = _git(hook_repo, "rev-parse", "HEAD").strip()
    config = {"repos": [{"repo": str(hook_repo), "rev": rev, "hooks": [{"id": "hflint"}, {"id": "hflint-fix"}]}]}
    (project / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    home = tmp_path / "home"

    good = _pre_commit(project, home, "run", "hflint", "--verbose", "--files", "good.py")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Passed" in good.stdout

    # nothing staged: pre-commit skips the hooks; hflint never runs without file names (it would lint `.`)
    nothing = _pre_commit(project, home, "run")
    assert nothing.returncode == 0, nothing.stdout + nothing.stderr
    assert nothing.stdout.count("(no files to check)Skipped") == 2 and "HF301" not in nothing.stdout

    # a non-Python file only: filtered out by types_or
    other = _pre_commit(project, home, "run", "hflint", "--files", "README.md")
    assert other.returncode == 0 and "(no files to check)Skipped" in other.stdout, other.stdout + other.stderr

    # hflint-fix applies the safe fix (HF302) and fails, as pre-commit does when a hook changes files
    fixable = GOOD.replace("len(tokenizer)", "tokenizer.vocab_size")
    (project / "fixable.py").write_text(fixable)
    _git(project, "add", "fixable.py")
    fixed = _pre_commit(project, home, "run", "hflint-fix", "--files", "fixable.py")
    assert fixed.returncode == 1, fixed.stdout + fixed.stderr
    assert (project / "fixable.py").read_text() == GOOD
    again = _pre_commit(project, home, "run", "hflint-fix", "--files", "fixable.py")
    assert again.returncode == 0, again.stdout + again.stderr
