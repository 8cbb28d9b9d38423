"""The ``transformers`` release a project declares it runs on: the lowest version its dependency specifier allows,
read from ``pyproject.toml`` (``[project] dependencies`` and ``optional-dependencies``, Poetry's
``[tool.poetry.dependencies]``), ``requirements*.txt`` and ``setup.cfg`` (``install_requires``, ``extras_require``),
in the nearest folder at or above the checked file that declares it. Specifiers are read with ``packaging``, as pip
reads them. Used for the target only when nothing is passed, configured or installed (SPEC HF5xx).
"""
from __future__ import annotations

import os
from functools import lru_cache
from typing import Iterable, Optional

_FILES = ("pyproject.toml", "setup.cfg")


def declared_target(start: str) -> Optional[tuple]:
    """``((major, minor), "where it was declared")`` for the nearest declaration above ``start``, or None."""
    folder = os.path.abspath(start)
    if not os.path.isdir(folder):
        folder = os.path.dirname(folder)
    return _search(folder)


@lru_cache(maxsize=256)
def _search(folder: str) -> Optional[tuple]:
    found = _in_folder(folder)
    if found is not None:
        return found
    parent = os.path.dirname(folder)
    if parent == folder or os.path.isdir(os.path.join(folder, ".git")):
        return None  # the repository's root (or the file system's) ends the search
    return _search(parent)


def _in_folder(folder: str) -> Optional[tuple]:
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return None
    candidates = [n for n in _FILES if n in names]
    candidates += [n for n in names if n.startswith("requirements") and n.endswith(".txt")]
    for name in candidates:
        path = os.path.join(folder, name)
        try:
            specs = list(_requirements(path))
        except Exception:  # noqa: BLE001 - a broken file is no declaration, never a crash
            continue
        for where, text in specs:
            version = lowest_allowed(text)
            if version is not None:
                return version, f"{name} declares ({where}: {text.strip()})"
    return None


def _requirements(path: str) -> Iterable[tuple]:
    """(section, requirement text) for every requirement naming transformers in one file."""
    base = os.path.basename(path)
    if base == "pyproject.toml":
        yield from _pyproject(path)
    elif base == "setup.cfg":
        yield from _setup_cfg(path)
    else:
        with open(path, encoding="utf-8", errors="replace") as fh:
            for line in fh:
                line = line.split("#", 1)[0].strip()
                if line and not line.startswith("-") and _names_transformers(line):
                    yield "requirements", line


def _pyproject(path: str) -> Iterable[tuple]:
    import sys

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    project = data.get("project") or {}
    for text in project.get("dependencies") or []:
        if isinstance(text, str) and _names_transformers(text):
            yield "[project] dependencies", text
    for extra, items in (project.get("optional-dependencies") or {}).items():
        for text in items or []:
            if isinstance(text, str) and _names_transformers(text):
                yield f"[project.optional-dependencies] {extra}", text
    poetry = ((data.get("tool") or {}).get("poetry") or {}).get("dependencies") or {}
    value = poetry.get("transformers")
    if isinstance(value, dict):
        value = value.get("version")
    if isinstance(value, str):
        yield "[tool.poetry.dependencies]", "transformers" + _poetry_specifier(value)


def _poetry_specifier(value: str) -> str:
    """Poetry's ``^4.46`` / ``~4.46`` / ``4.46.*`` in pip's words."""
    v = value.strip()
    if v.startswith("^"):
        parts = v[1:].split(".")
        major = int(parts[0]) if parts[0].isdigit() else 0
        return f">={v[1:]},<{major + 1}" if major else f">={v[1:]}"
    if v.startswith("~") and not v.startswith("~="):
        parts = v[1:].split(".")
        upper = f"{parts[0]}.{int(parts[1]) + 1}" if len(parts) > 1 and parts[1].isdigit() else f"{int(parts[0]) + 1}"
        return f">={v[1:]},<{upper}"
    if v and v[0].isdigit():
        return f"=={v}"
    return v if v != "*" else ""


def _setup_cfg(path: str) -> Iterable[tuple]:
    import configparser

    parser = configparser.ConfigParser()
    parser.read(path, encoding="utf-8")
    if parser.has_option("options", "install_requires"):
        for line in parser.get("options", "install_requires").splitlines():
            if _names_transformers(line):
                yield "[options] install_requires", line.strip()
    if parser.has_section("options.extras_require"):
        for extra, value in parser.items("options.extras_require"):
            for line in value.splitlines():
                if _names_transformers(line):
                    yield f"[options.extras_require] {extra}", line.strip()


def _names_transformers(text: str) -> bool:
    return "transformers" in text.lower()


def lowest_allowed(text: str) -> Optional[tuple]:
    """The lowest ``(major, minor)`` a requirement on transformers allows (``transformers>=4.46,<5`` -> (4, 46)),
    or None when it is another package, has no version bound, or cannot be read. Candidates are the versions the
    specifier names and the releases hflint knows; the lowest one the specifier contains wins."""
    try:
        from packaging.requirements import InvalidRequirement, Requirement
        from packaging.version import InvalidVersion, Version
    except ImportError:  # pragma: no cover - packaging is a dependency
        return None
    try:
        req = Requirement(text.strip())
    except InvalidRequirement:
        return None
    if req.name.lower().replace("_", "-") != "transformers" or not str(req.specifier):
        return None
    from . import api

    candidates = set()
    for spec in req.specifier:
        try:
            candidates.add(Version(spec.version.replace(".*", "")))
        except InvalidVersion:
            continue
    for major, minor_ in api.covered_versions():
        candidates.add(Version(f"{major}.{minor_}"))
        candidates.add(Version(f"{major}.{minor_}.99"))
    allowed = sorted(v for v in candidates if req.specifier.contains(v, prereleases=True))
    if not allowed:
        return None
    return allowed[0].major, allowed[0].minor
