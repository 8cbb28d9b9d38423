"""Which files ``hflint check PATHS`` lints: ``.py`` and ``.ipynb`` under folders, minus VCS, virtualenv,
build and cache folders and whatever ``.gitignore`` files exclude. Paths named on the command line are
always linted. Symlinked folders are never entered (no loops); git does not follow them either.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Optional

SUFFIXES = (".py", ".ipynb")
SKIPPED_DIRS = frozenset({
    ".git", ".hg", ".svn", ".venv", "venv", "node_modules", "build", "dist", "__pycache__", ".tox", ".nox",
    ".mypy_cache", ".pytest_cache", ".ipynb_checkpoints", "site-packages",
})

OnError = Callable[[str, str], None]  # (path, message)


# ------------------------------------------------------------------ .gitignore

@dataclass(frozen=True)
class IgnorePattern:
    """One line of a .gitignore, compiled: matched against a '/'-separated path relative to its folder."""

    regex: re.Pattern
    negate: bool
    dir_only: bool

    def matches(self, rel: str, is_dir: bool) -> bool:
        return (is_dir or not self.dir_only) and self.regex.fullmatch(rel) is not None


def _char_class(body: str) -> str:
    """``[...]`` contents to a regex class; ``!``/``^`` negates, ``\\`` escapes, and no class matches ``/``."""
    negate = body[:1] in ("!", "^")
    start = i = 1 if negate else 0
    out = []
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            i += 1
            out.append(re.escape(body[i]))
        else:  # an unescaped '-' between two characters is a range
            out.append(c if c == "-" and start < i < len(body) - 1 else re.escape(c))
        i += 1
    return f"(?!/)[{'^' if negate else ''}{''.join(out)}]"


def _translate(glob: str) -> str:
    """A gitignore glob (already stripped of ``!``, a leading ``/`` and a trailing ``/``) to a regex."""
    out, i, n = [], 0, len(glob)
    while i < n:
        c = glob[i]
        if c == "*":
            if glob.startswith("**", i) and (i == 0 or glob[i - 1] == "/") and (i + 2 == n or glob[i + 2] == "/"):
                if i + 2 == n:
                    out.append(".*")  # trailing /**: everything inside
                    i += 2
                else:
                    out.append("(?:.*/)?")  # leading **/ or /**/: zero or more folders
                    i += 3
                continue
            while i < n and glob[i] == "*":  # any other run of stars is a single *
                i += 1
            out.append("[^/]*")
            continue
        if c == "?":
            out.append("[^/]")
        elif c == "[":
            j = i + 1
            if j < n and glob[j] in "!^":
                j += 1
            if j < n and glob[j] == "]":
                j += 1
            while j < n and glob[j] != "]":
                j += 2 if glob[j] == "\\" else 1
            if j >= n:  # no closing bracket: a literal [
                out.append(re.escape(c))
            else:
                out.append(_char_class(glob[i + 1:j]))
                i = j
        elif c == "\\" and i + 1 < n:
            i += 1
            out.append(re.escape(glob[i]))
        else:
            out.append(re.escape(c))
        i += 1
    return "".join(out)


def compile_pattern(line: str) -> Optional[IgnorePattern]:
    """A .gitignore line to a pattern; None for blank lines and comments."""
    line = line.rstrip("\r\n")
    stripped = line.rstrip(" ")
    if stripped.endswith("\\") and len(stripped) < len(line):
        stripped += " "  # "\ " keeps one trailing space
    line = stripped
    if not line or line.startswith("#"):
        return None
    negate = line.startswith("!")
    if negate:
        line = line[1:]
    dir_only = line.endswith("/") and not line.endswith("\\/")
    line = line.rstrip("/") if dir_only else line
    if not line:
        return None
    anchored = "/" in line
    body = _translate(line.lstrip("/") if anchored else line)
    if not anchored:
        body = "(?:.*/)?" + body
    return IgnorePattern(re.compile(body, re.DOTALL), negate, dir_only)


@dataclass(frozen=True)
class IgnoreFile:
    """The patterns of one ignore file and the folder they are relative to (an absolute path)."""

    base: str
    patterns: tuple[IgnorePattern, ...]

    @classmethod
    def parse(cls, base: str, text: str) -> "IgnoreFile":
        return cls(base, tuple(p for p in map(compile_pattern, text.splitlines()) if p is not None))

    @classmethod
    def load(cls, base: str, path: str) -> Optional["IgnoreFile"]:
        try:
            with open(path, encoding="utf-8", errors="replace") as fh:
                ignore = cls.parse(base, fh.read())
        except OSError:
            return None
        return ignore if ignore.patterns else None


def is_ignored(chain: Iterable[IgnoreFile], abs_path: str, is_dir: bool) -> bool:
    """Git's verdict for a path under every file of ``chain`` (outermost first): the last matching pattern wins."""
    verdict = False
    for ignore in chain:
        rel = os.path.relpath(abs_path, ignore.base).replace(os.sep, "/")
        if rel.startswith("../") or rel == "..":
            continue
        for pattern in ignore.patterns:
            if pattern.matches(rel, is_dir):
                verdict = not pattern.negate
    return verdict


def _outer_ignores(root: str) -> list[IgnoreFile]:
    """Ignore files above ``root`` up to its repository's top (``.git/info/exclude`` first), outermost first."""
    folders = []
    folder = os.path.dirname(root)
    while True:
        if os.path.exists(os.path.join(root, ".git")):
            break  # root is the repository top: nothing above it applies
        folders.append(folder)
        if os.path.exists(os.path.join(folder, ".git")):
            break
        parent = os.path.dirname(folder)
        if parent == folder:
            return []  # not inside a repository: only the ignore files below root apply
        folder = parent
    top = folders[-1] if folders else root
    chain = [IgnoreFile.load(top, os.path.join(top, ".git", "info", "exclude"))]
    chain += [IgnoreFile.load(f, os.path.join(f, ".gitignore")) for f in reversed(folders)]
    return [i for i in chain if i is not None]


# ------------------------------------------------------------------ walking

def _is_virtualenv(path: str) -> bool:
    return os.path.isfile(os.path.join(path, "pyvenv.cfg"))


def _walk(display: str, absolute: str, chain: list[IgnoreFile], on_error: OnError) -> Iterator[str]:
    own = IgnoreFile.load(absolute, os.path.join(absolute, ".gitignore"))
    if own is not None:
        chain = [*chain, own]
    try:
        with os.scandir(absolute) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        on_error(display, f"cannot read directory: {exc.strerror or exc}")
        return
    for entry in entries:
        shown, abs_path = os.path.join(display, entry.name), os.path.join(absolute, entry.name)
        if entry.is_dir(follow_symlinks=False):
            if entry.name in SKIPPED_DIRS or _is_virtualenv(abs_path) or is_ignored(chain, abs_path, True):
                continue
            yield from _walk(shown, abs_path, chain, on_error)
        elif entry.name.endswith(SUFFIXES) and not is_ignored(chain, abs_path, False):
            try:
                regular = entry.is_file()  # follows symlinks: False for a broken link or a link to a folder
            except OSError:
                regular = False
            if regular or (entry.is_symlink() and not os.path.exists(abs_path)):
                yield os.path.normpath(shown)  # a broken link is yielded so that reading it reports why


def discover(paths: Iterable[str], on_error: OnError = lambda path, message: None) -> list[str]:
    """Every file to lint under ``paths``, each once, in sorted order within each given folder.

    A given file is linted whatever its name and whatever ignores it; a given folder is walked even if
    its name is in SKIPPED_DIRS, but ignore rules apply to everything found inside it.
    """
    seen: set[str] = set()
    found: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            absolute = os.path.abspath(path)
            files = _walk(path, absolute, _outer_ignores(absolute), on_error)
        else:
            files = iter([path])
        for f in files:
            key = os.path.abspath(f)
            if key not in seen:
                seen.add(key)
                found.append(f)
    return found
