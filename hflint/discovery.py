"""Which files ``hflint check PATHS`` lints: ``.py`` and ``.ipynb`` under folders, minus what the ``exclude`` /
``extend-exclude`` patterns name (by default VCS, build and cache folders), virtualenvs and whatever
``.gitignore`` files exclude. Paths named on the command line are linted whatever excludes them, unless
``force-exclude`` is set (as ruff does; pre-commit names every file, so its hooks pass ``--force-exclude``).
Symlinked folders are never entered (no loops); git does not follow them either.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Optional, Sequence

SUFFIXES = (".py", ".ipynb")
# ruff's default ``exclude`` where it applies to Python projects; ``exclude`` replaces it, ``extend-exclude`` adds.
DEFAULT_EXCLUDE = (
    ".bzr", ".direnv", ".eggs", ".git", ".git-rewrite", ".hg", ".ipynb_checkpoints", ".mypy_cache", ".nox",
    ".pants.d", ".pyenv", ".pytest_cache", ".pytype", ".ruff_cache", ".svn", ".tox", ".venv", ".vscode",
    "__pycache__", "__pypackages__", "_build", "buck-out", "build", "dist", "node_modules", "site-packages", "venv",
)

OnError = Callable[[str, str], None]  # (path, message)


# ------------------------------------------------------------------ exclude / extend-exclude

_GLOB = re.compile(r"[*?\[\]!\\/]")


class Exclusion:
    """Exclude patterns, matched as ruff describes them: a pattern without a ``/`` (``generated``, ``*_pb2.py``)
    matches a file or folder name anywhere; one with a ``/`` (``src/legacy/*.py``) matches the path relative to
    ``root`` (the folder of the pyproject.toml, else the current one). Globs follow .gitignore lines (pathspec's
    gitignore style): ``*`` stays within a folder, ``**`` spans folders, ``!`` re-includes. An excluded folder
    excludes everything in it. Plain names are a set lookup; pathspec is imported only for real globs."""

    def __init__(self, patterns: Sequence[str], root: Optional[str] = None):
        self.root = os.path.abspath(root or os.curdir)
        self.names = frozenset(p for p in patterns if not _GLOB.search(p))
        globs = [p for p in patterns if _GLOB.search(p)]
        self._spec = None
        if globs:
            from pathspec import GitIgnoreSpec

            self._spec = GitIgnoreSpec.from_lines(globs)

    def matches(self, abs_path: str, is_dir: bool) -> bool:
        """Whether this file or folder itself is excluded (the walk never enters an excluded folder)."""
        if os.path.basename(abs_path) in self.names:
            return True
        if self._spec is None:
            return False
        rel = os.path.relpath(abs_path, self.root).replace(os.sep, "/")
        if rel == ".." or rel.startswith("../"):
            rel = os.path.basename(abs_path)  # outside the root: only name patterns can match
        return self._spec.match_file(rel + "/" if is_dir else rel)

    def covers(self, abs_path: str) -> bool:
        """Whether the path or one of its folders (up to the root) is excluded: ``force-exclude`` for named paths."""
        if self.matches(abs_path, os.path.isdir(abs_path)):
            return True
        folder = os.path.dirname(abs_path)
        while folder != os.path.dirname(folder):
            if self.matches(folder, True):
                return True
            if folder == self.root:
                break
            folder = os.path.dirname(folder)
        return False


DEFAULT_EXCLUSION = Exclusion(DEFAULT_EXCLUDE)


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


def _walk(display: str, absolute: str, chain: list[IgnoreFile], exclusion: Exclusion, on_error: OnError) -> Iterator[str]:
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
            if exclusion.matches(abs_path, True) or _is_virtualenv(abs_path) or is_ignored(chain, abs_path, True):
                continue
            yield from _walk(shown, abs_path, chain, exclusion, on_error)
        elif entry.name.endswith(SUFFIXES) and not exclusion.matches(abs_path, False) \
                and not is_ignored(chain, abs_path, False):
            try:
                regular = entry.is_file()  # follows symlinks: False for a broken link or a link to a folder
            except OSError:
                regular = False
            if regular or (entry.is_symlink() and not os.path.exists(abs_path)):
                yield os.path.normpath(shown)  # a broken link is yielded so that reading it reports why


def discover(paths: Iterable[str], on_error: OnError = lambda path, message: None,
             exclusion: Exclusion = DEFAULT_EXCLUSION, force_exclude: bool = False) -> list[str]:
    """Every file to lint under ``paths``, each once, in sorted order within each given folder.

    A given file is linted whatever its name and whatever excludes or ignores it, and a given folder is walked
    even if it is excluded (exclusions and ignore rules apply to everything found inside it) -- unless
    ``force_exclude``, which drops a given path that an exclude pattern covers.
    """
    seen: set[str] = set()
    found: list[str] = []
    for path in paths:
        if force_exclude and exclusion.covers(os.path.abspath(path)):
            continue
        if os.path.isdir(path):
            absolute = os.path.abspath(path)
            files = _walk(path, absolute, _outer_ignores(absolute), exclusion, on_error)
        else:
            files = iter([path])
        for f in files:
            key = os.path.abspath(f)
            if key not in seen:
                seen.add(key)
                found.append(f)
    return found
