"""File discovery: which files ``hflint check`` reads, and a gitignore matcher that agrees with git."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from hflint.discovery import IgnoreFile, compile_pattern, discover, is_ignored

# (pattern, path relative to the .gitignore's folder, path is a folder, ignored)
GITIGNORE_CASES = [
    ("*.py", "a.py", False, True),
    ("*.py", "deep/er/a.py", False, True),
    ("*.py", "a.pyc", False, False),
    ("*", "anything/at/all", False, True),
    ("/top.py", "top.py", False, True),
    ("/top.py", "sub/top.py", False, False),
    ("sub/top.py", "sub/top.py", False, True),  # a slash in the middle anchors too
    ("sub/top.py", "x/sub/top.py", False, False),
    ("data/*.py", "data/a.py", False, True),
    ("data/*.py", "data/inner/a.py", False, False),  # * never crosses a /
    ("foo*bar", "foo/bar", False, False),
    ("build/", "build", True, True),
    ("build/", "build", False, False),  # trailing / matches folders only
    ("build/", "src/build", True, True),
    ("a?c.py", "abc.py", False, True),
    ("a?c.py", "a/c.py", False, False),
    ("[abc].py", "b.py", False, True),
    ("[abc].py", "d.py", False, False),
    ("[a-c].py", "c.py", False, True),
    ("[!a-c].py", "d.py", False, True),
    ("[!a-c].py", "a.py", False, False),
    ("[^a-c].py", "a.py", False, False),
    ("x[!a]y", "x/y", False, False),  # no class matches a /
    ("**/gen", "gen", True, True),
    ("**/gen", "a/b/gen", True, True),
    ("a/**/b.py", "a/b.py", False, True),
    ("a/**/b.py", "a/x/y/b.py", False, True),
    ("a/**/b.py", "z/a/b.py", False, False),
    ("out/**", "out/x/y.py", False, True),
    ("out/**", "out", True, False),  # everything inside, not the folder itself
    ("foo**bar.py", "fooXbar.py", False, True),  # ** not between slashes is a plain *
    ("foo**bar.py", "foo/bar.py", False, False),
    ("\\#notes.py", "#notes.py", False, True),
    ("\\!bang.py", "!bang.py", False, True),
    ("*.py   ", "a.py", False, True),  # trailing spaces are dropped
    ("name\\ ", "name ", False, True),  # unless escaped
    ("\\*.py", "*.py", False, True),
    ("\\*.py", "a.py", False, False),
    ("[ab", "[ab", False, True),  # an unclosed [ is literal
]


@pytest.mark.parametrize("pattern, path, is_dir, expected", GITIGNORE_CASES)
def test_gitignore_pattern(pattern, path, is_dir, expected):
    compiled = compile_pattern(pattern)
    assert compiled is not None
    assert compiled.matches(path, is_dir) is expected


@pytest.mark.parametrize("line", ["", "   ", "# a comment", "#*.py", "/"])
def test_gitignore_lines_without_pattern(line):
    assert compile_pattern(line) is None


def test_negation_and_last_match_wins():
    ignore = IgnoreFile.parse("/repo", "*.py\n!keep.py\n")
    assert is_ignored([ignore], "/repo/other.py", False)
    assert not is_ignored([ignore], "/repo/keep.py", False)
    assert not is_ignored([ignore], "/repo/sub/keep.py", False)
    reignored = IgnoreFile.parse("/repo", "*.py\n!keep.py\nkeep.py\n")
    assert is_ignored([reignored], "/repo/keep.py", False)


def test_deeper_ignore_file_overrides_outer_and_applies_only_below_itself():
    outer = IgnoreFile.parse("/repo", "secret_*.py\n")
    inner = IgnoreFile.parse("/repo/sub", "!secret_keep.py\nlocal.py\n")
    chain = [outer, inner]
    assert not is_ignored(chain, "/repo/sub/secret_keep.py", False)
    assert is_ignored(chain, "/repo/sub/secret_other.py", False)
    assert is_ignored(chain, "/repo/sub/local.py", False)
    assert not is_ignored(chain, "/repo/local.py", False)


# ------------------------------------------------------------------ walking


def make(root: Path, *files: str, content: str = "import transformers\n") -> None:
    for name in files:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)


def found(root: Path, *paths: Path, errors: list | None = None) -> list[str]:
    on_error = (lambda p, m: errors.append((p, m))) if errors is not None else (lambda p, m: None)
    files = discover([str(p) for p in (paths or (root,))], on_error)
    return [Path(f).relative_to(root).as_posix() if Path(f).is_absolute() else f for f in files]


def test_walk_finds_python_and_notebooks_sorted_and_skips_tool_folders(tmp_path):
    make(tmp_path, "b.py", "a.py", "nb.ipynb", "notes.txt", "pkg/z.py", "pkg/sub/y.py",
         ".git/hooks/x.py", ".hg/x.py", ".svn/x.py", "node_modules/m/m.py", "build/lib/b.py", "dist/d.py",
         "__pycache__/c.py", ".tox/t.py", ".nox/n.py", ".mypy_cache/m.py", ".pytest_cache/p.py",
         ".ipynb_checkpoints/nb-checkpoint.ipynb", "lib/site-packages/s.py", ".venv/v.py", "venv/v.py",
         "env/pyvenv.cfg", "env/lib/e.py", "myenv/pyvenv.cfg", "myenv/e.py", "tools/env/kept.py")
    assert found(tmp_path) == ["a.py", "b.py", "nb.ipynb", "pkg/sub/y.py", "pkg/z.py", "tools/env/kept.py"]


def test_gitignore_files_are_honoured_at_every_level(tmp_path):
    (tmp_path / ".gitignore").write_text("# generated code\ngenerated/\n/top.py\nsecret_*.py\ndata/**/*.py\n")
    make(tmp_path, "top.py", "keep.py", "local.py", "generated/g.py", "secret_a.py", "data/readme.py",
         "data/x/y.py", "sub/top.py", "sub/secret_b.py", "sub/secret_keep.py", "sub/local.py")
    (tmp_path / "sub" / ".gitignore").write_text("!secret_keep.py\nlocal.py\n")
    assert found(tmp_path) == ["keep.py", "local.py", "sub/secret_keep.py", "sub/top.py"]


def test_parent_gitignore_up_to_the_repository_top_applies_to_a_subfolder(tmp_path):
    (tmp_path / ".git" / "info").mkdir(parents=True)
    (tmp_path / ".git" / "info" / "exclude").write_text("excluded.py\n")
    (tmp_path / ".gitignore").write_text("ignored_dir/\n")
    make(tmp_path, "src/ok.py", "src/excluded.py", "src/ignored_dir/x.py")
    assert found(tmp_path, tmp_path / "src") == ["src/ok.py"]


def test_explicit_paths_are_linted_even_when_ignored(tmp_path):
    (tmp_path / ".gitignore").write_text("generated/\n*.py\n")
    make(tmp_path, "generated/g.py", "script")
    assert found(tmp_path) == []
    assert found(tmp_path, tmp_path / "generated" / "g.py", tmp_path / "script") == ["generated/g.py", "script"]
    # a folder named on the command line is walked even if its name is skipped by default
    make(tmp_path, "build/b.py")
    (tmp_path / ".gitignore").write_text("")
    assert found(tmp_path, tmp_path / "build") == ["build/b.py"]


def test_each_file_once_and_relative_paths_kept(tmp_path, monkeypatch):
    make(tmp_path, "pkg/a.py")
    monkeypatch.chdir(tmp_path)
    assert discover(["pkg", "pkg/a.py", "."]) == ["pkg/a.py"]
    assert discover(["."]) == ["pkg/a.py"]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_symlinked_folders_are_not_entered_and_broken_links_are_reported_later(tmp_path):
    make(tmp_path, "pkg/a.py")
    (tmp_path / "pkg" / "loop").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "dir_link.py").symlink_to(tmp_path / "pkg", target_is_directory=True)
    (tmp_path / "dangling.py").symlink_to(tmp_path / "missing.py")
    (tmp_path / "alias.py").symlink_to(tmp_path / "pkg" / "a.py")
    assert found(tmp_path) == ["alias.py", "dangling.py", "pkg/a.py"]


def test_folder_named_like_a_python_file_is_walked(tmp_path):
    make(tmp_path, "x.py/inner.py")
    assert found(tmp_path) == ["x.py/inner.py"]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs POSIX permissions and a non-root user")
def test_unreadable_folder_is_reported_and_the_walk_continues(tmp_path):
    make(tmp_path, "a.py", "locked/b.py")
    (tmp_path / "locked").chmod(0)
    errors: list = []
    try:
        assert found(tmp_path, errors=errors) == ["a.py"]
    finally:
        (tmp_path / "locked").chmod(0o755)
    assert len(errors) == 1 and "locked" in errors[0][0]
