"""Which rules run on which file, from defaults, ``[tool.hflint]`` in pyproject.toml and command-line flags."""
from __future__ import annotations

import fnmatch
import re
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable, Optional

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ALL = "ALL"
INTERNAL = "HF000"  # a file hflint could not read, parse or analyse


class ConfigError(Exception):
    """A configuration or usage problem (exit code 2)."""


def _match_len(code: str, prefixes: Iterable[str]) -> int:
    best = -1
    for p in prefixes:
        if p == ALL:
            best = max(best, 0)
        elif code.startswith(p):
            best = max(best, len(p))
    return best


@dataclass
class Settings:
    select: Optional[list[str]] = None
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    target_transformers: Optional[str] = None
    target_origin: str = ""  # where target_transformers came from: "--target-transformers" or the config file
    known_checkpoints: list[str] = field(default_factory=list)
    cls_pooled_checkpoints: list[str] = field(default_factory=list)
    vocabulary_families: dict[str, list[str]] = field(default_factory=dict)
    runtime: dict = field(default_factory=dict)
    exclude: Optional[list[str]] = None  # None: discovery's DEFAULT_EXCLUDE
    extend_exclude: list[str] = field(default_factory=list)
    force_exclude: bool = False
    root: Optional[Path] = None  # the folder of the pyproject.toml the settings came from
    # `hflint check --verify`: also report the candidates that only local files can decide (Report.latent)
    verify: bool = False

    def is_enabled(self, code: str, default_enabled: bool, filename: Optional[str] = None) -> bool:
        """Whether ``code`` is reported for ``filename``. HF000 (a file that was not analysed) is reported whatever is
        selected, as ruff reports syntax errors: only an ignore or a per-file ignore that covers it turns it off."""
        positive = _match_len(code, (self.select or []) + self.extend_select)
        enabled = positive >= 0 or (self.select is None and default_enabled) or code == INTERNAL
        negative = _match_len(code, self.ignore + self._file_ignores(filename))
        if negative >= 0 and negative >= positive:
            return False
        return enabled

    def _file_ignores(self, filename: Optional[str]) -> list[str]:
        if not filename or not self.per_file_ignores:
            return []
        path = Path(filename)
        try:
            rel = path.resolve().relative_to(self.root.resolve()).as_posix() if self.root else path.as_posix()
        except ValueError:
            rel = path.as_posix()
        codes: list[str] = []
        for pattern, ignored in self.per_file_ignores.items():
            if fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(path.name, pattern) \
                    or fnmatch.fnmatch(path.as_posix(), pattern):
                codes.extend(ignored)
        return codes

    def with_cli(self, select: Optional[list[str]] = None, extend_select: Iterable[str] = (),
                 ignore: Iterable[str] = (), target_transformers: Optional[str] = None,
                 exclude: Optional[list[str]] = None, extend_exclude: Iterable[str] = (),
                 force_exclude: bool = False) -> "Settings":
        """These settings overridden by command-line flags, layered the way ruff layers them.

        ``--select`` starts a fresh selection (the file's select, extend-select and ignore are dropped).
        ``--extend-select`` and ``--ignore`` add to the file's lists, and win over the file's entries they
        cover: ``--extend-select HF3`` re-enables a configured ``ignore = ["HF301"]``, ``--ignore HF3``
        disables a configured ``select = ["HF301"]``. ``--exclude`` replaces the configured (or default)
        exclusions, ``--extend-exclude`` adds to them.
        """
        extend_select, ignore = list(extend_select), list(ignore)
        base = replace(self, select=select, extend_select=[], ignore=[]) if select is not None else self
        return replace(
            base,
            select=None if base.select is None else _uncovered(base.select, ignore),
            extend_select=_uncovered(base.extend_select, ignore) + extend_select,
            ignore=_uncovered(base.ignore, extend_select) + ignore,
            target_transformers=target_transformers or base.target_transformers,
            exclude=base.exclude if exclude is None else list(exclude),
            extend_exclude=base.extend_exclude + list(extend_exclude),
            force_exclude=force_exclude or base.force_exclude,
            target_origin="--target-transformers" if target_transformers else base.target_origin,
        )

    def exclusion(self):
        """The ``exclude`` + ``extend-exclude`` patterns, relative to the pyproject.toml's folder (else the current one)."""
        from .discovery import DEFAULT_EXCLUDE, Exclusion

        patterns = list(DEFAULT_EXCLUDE if self.exclude is None else self.exclude) + self.extend_exclude
        return Exclusion(patterns, str(self.root) if self.root else None)


def _uncovered(selectors: list[str], overriding: list[str]) -> list[str]:
    """``selectors`` minus those that one of ``overriding`` covers (is ALL or a prefix of)."""
    return [s for s in selectors if not any(o == ALL or s.startswith(o) for o in overriding)]


# ------------------------------------------------------------------ pyproject.toml

_SELECTOR = re.compile(r"HF\d{0,3}")
_VERSION = re.compile(r"\d+\.\d+(\.\d+)?([a-z]+\d*)?")


def parse_selectors(value: str | Iterable[str], where: str = "") -> list[str]:
    """``"HF3, HF101"`` or a list of codes to upper-case selectors; only ``ALL`` and ``HF`` + digits are valid."""
    items = value.split(",") if isinstance(value, str) else list(value)
    out = []
    for item in items:
        if not isinstance(item, str):
            raise ConfigError(f"{where}expected rule codes, got {item!r}")
        code = item.strip().upper()
        if not code:
            continue
        if code != ALL and not _SELECTOR.fullmatch(code):
            raise ConfigError(f"{where}unknown rule selector {item.strip()!r} "
                              "(expected ALL or a code prefix such as HF3 or HF301)")
        out.append(code)
    return out


def parse_version(value: object, where: str = "") -> str:
    if not isinstance(value, str) or not _VERSION.fullmatch(value.strip()):
        raise ConfigError(f"{where}expected a transformers version string such as \"4.46\", got {value!r}")
    return value.strip()


def _str_list(value: object, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: expected a list of strings, got {value!r}")
    return list(value)


def parse_patterns(value: str | list, where: str = "") -> list[str]:
    """``"generated,*_pb2.py"`` or a list to exclude patterns (see ``discovery.Exclusion``)."""
    items = [p for p in value.split(",") if p.strip()] if isinstance(value, str) else list(value)
    for p in items:
        if not p.strip():
            raise ConfigError(f"{where}an empty pattern would match nothing")
    return [p.strip() for p in items]


def _bool(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{where}: expected true or false, got {value!r}")
    return value


def _table(value: object, where: str) -> dict:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: expected a table, got {value!r}")
    return value


def _runtime(value: object, where: str) -> dict:
    table = _table(value, where)
    for key, v in table.items():
        if not isinstance(v, (int, float, str, bool)):
            raise ConfigError(f"{where}.{key}: expected a number, string or boolean, got {v!r}")
    return dict(table)


# key -> (Settings field, converter)
_KEYS = {
    "select": ("select", lambda v, w: parse_selectors(_str_list(v, w), w + ": ")),
    "extend-select": ("extend_select", lambda v, w: parse_selectors(_str_list(v, w), w + ": ")),
    "ignore": ("ignore", lambda v, w: parse_selectors(_str_list(v, w), w + ": ")),
    "per-file-ignores": ("per_file_ignores",
                         lambda v, w: {k: parse_selectors(_str_list(c, f"{w}.{k!r}"), f"{w}.{k!r}: ")
                                       for k, c in _table(v, w).items()}),
    "target-transformers": ("target_transformers", lambda v, w: parse_version(v, w + ": ")),
    "known-checkpoints": ("known_checkpoints", _str_list),
    "cls-pooled-checkpoints": ("cls_pooled_checkpoints", _str_list),
    "vocabulary-families": ("vocabulary_families",
                            lambda v, w: {k: _str_list(c, f"{w}.{k}") for k, c in _table(v, w).items()}),
    "runtime": ("runtime", _runtime),
    "exclude": ("exclude", lambda v, w: parse_patterns(_str_list(v, w), w + ": ")),
    "extend-exclude": ("extend_exclude", lambda v, w: parse_patterns(_str_list(v, w), w + ": ")),
    "force-exclude": ("force_exclude", _bool),
}


def _read_toml(path: Path) -> dict:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None


def _hflint_table(path: Path) -> Optional[dict]:
    tool = _read_toml(path).get("tool")
    table = tool.get("hflint") if isinstance(tool, dict) else None
    if table is not None and not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.hflint] must be a table")
    return table


def settings_from_table(table: dict, path: Path) -> Settings:
    """Validate a ``[tool.hflint]`` table; an unknown key or a wrong type is a ConfigError naming it."""
    values = {}
    for key, value in table.items():
        if key not in _KEYS:
            raise ConfigError(f"{path}: unknown key {key!r} in [tool.hflint] (known keys: {', '.join(sorted(_KEYS))})")
        name, convert = _KEYS[key]
        values[name] = convert(value, f"{path}: [tool.hflint] {key}")
    if "target_transformers" in values:
        values["target_origin"] = f"target-transformers in {path}"
    return Settings(root=path.parent.resolve(), **values)


def find_pyproject(start: Path) -> Optional[Path]:
    """The nearest ``pyproject.toml`` with a ``[tool.hflint]`` table, walking up from ``start``."""
    start = start.resolve()
    for folder in [start, *start.parents] if start.is_dir() else start.parents:
        candidate = folder / "pyproject.toml"
        if candidate.is_file() and _hflint_table(candidate) is not None:
            return candidate
    return None


def load_settings(start: Path, config: Optional[Path] = None, no_config: bool = False) -> Settings:
    """Settings from ``config`` (an explicit pyproject.toml), else the nearest one above ``start``, else defaults."""
    if no_config:
        return Settings()
    path = config if config is not None else find_pyproject(start)
    if path is None:
        return Settings()
    if not path.is_file():
        raise ConfigError(f"config file not found: {path}")
    return settings_from_table(_hflint_table(path) or {}, path)
