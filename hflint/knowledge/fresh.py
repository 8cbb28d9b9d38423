"""Knowledge of a ``transformers`` release newer than hflint's tables: read from the installed sources with the
generator's own code (:mod:`hflint.knowledge.extract`, statically — nothing is imported), merged into the shipped
tables (:func:`hflint.knowledge.history.extend`) and cached per release in the user cache folder, so that a release
published after hflint never turns valid code into findings.

The cache folder is ``$HFLINT_CACHE_DIR``, else platformdirs' user cache folder for ``hflint`` (``$XDG_CACHE_HOME/
hflint`` or ``~/.cache/hflint`` on Linux). An entry is named after the release and a digest of the shipped tables
and of the extractor, so a new hflint never reads an old entry. Entries are written to a temporary folder and renamed,
so parallel processes (``flake8 --jobs``) never read half a table. Any failure leaves hflint on its shipped tables.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from typing import Optional

from . import HERE

# The reason the last extraction failed (shown by `hflint check --verbose`), or None.
last_error: Optional[str] = None


def cache_root() -> str:
    explicit = os.environ.get("HFLINT_CACHE_DIR")
    if explicit:
        return explicit
    try:
        import platformdirs

        return platformdirs.user_cache_dir("hflint", appauthor=False)
    except ImportError:  # pragma: no cover - platformdirs is a dependency; XDG's rule as a fallback
        return os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "hflint")


def _digest() -> str:
    h = hashlib.sha256()
    for name in ("exports", "keywords", "members", "tasks"):
        with open(os.path.join(HERE, "api", name + ".json"), "rb") as fh:
            h.update(fh.read())
    for module in ("extract.py", "history.py"):
        with open(os.path.join(HERE, module), "rb") as fh:
            h.update(fh.read())
    return h.hexdigest()[:16]


def installed_root() -> Optional[str]:
    """The folder holding the installed ``transformers`` package, found without importing it."""
    import importlib.util

    spec = importlib.util.find_spec("transformers")
    if spec is None or not spec.submodule_search_locations:
        return None
    return os.path.dirname(os.path.abspath(list(spec.submodule_search_locations)[0]))


def extended_tables(release: Optional[str], root: Optional[str] = None) -> Optional[str]:
    """The folder of tables covering ``release`` (the installed one, read from ``root``), extracting and caching it
    when needed; None when that is impossible (then the shipped tables answer, and unknown names stay silent)."""
    global last_error
    if not release:
        return None
    folder = os.path.join(cache_root(), "knowledge", f"transformers-{release}-{_digest()}")
    if all(os.path.exists(os.path.join(folder, f"{n}.json")) for n in ("exports", "keywords", "members", "tasks")):
        return folder
    try:
        root = root or installed_root()
        if root is None:
            last_error = "transformers is not installed"
            return None
        from . import extract, history

        facts = extract.extract(extract.InstalledSource(root, release))
        shipped = {}
        for name in history.TABLES:
            with open(os.path.join(HERE, "api", name + ".json"), "rb") as fh:
                shipped[name] = json.loads(fh.read())
        source = (f"Extracted by hflint from the installed transformers {release} ({root}) and merged into hflint's "
                  f"shipped tables. " + shipped["exports"]["_source"])
        tables = history.extend(shipped, facts, source)
        os.makedirs(os.path.dirname(folder), exist_ok=True)
        tmp = tempfile.mkdtemp(prefix=".tmp-", dir=os.path.dirname(folder))
        for name, table in tables.items():
            with open(os.path.join(tmp, f"{name}.json"), "w", encoding="utf-8") as fh:
                fh.write(history.dumps(table))
        try:
            os.rename(tmp, folder)
        except OSError:  # another process won the race: its folder is as good as ours
            shutil.rmtree(tmp, ignore_errors=True)
    except Exception as exc:  # noqa: BLE001 - odd sources, a read-only cache: never crash the host
        last_error = f"{type(exc).__name__}: {exc}"
        return None
    return folder
