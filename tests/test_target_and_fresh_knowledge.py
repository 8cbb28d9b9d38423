"""Which transformers release the HF5xx rules check against, how hflint says so, and what it knows about a release
newer than its tables: the installed sources are read (statically, never imported) and the extended tables cached."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from hflint.config import Settings
from hflint.engine import lint_source
from hflint.knowledge import api, fresh

pytest.importorskip("transformers")


def run_cli(*args, cwd, env=None):
    return subprocess.run([sys.executable, "-m", "hflint", *args], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, **(env or {})}, timeout=300)


# ---------------------------------------------------------------- saying which target was used and why

def test_verbose_statistics_and_sarif_say_the_target(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.hflint]\ntarget-transformers = "4.46"\n')
    (tmp_path / "train.py").write_text("from transformers import AdamW\n")
    proc = run_cli("check", "-v", "train.py", cwd=tmp_path)
    assert "target transformers 4.46 (from target-transformers in" in proc.stderr
    assert "API knowledge: hflint's tables (4.30-" in proc.stderr
    proc = run_cli("check", "--statistics", "--target-transformers", "5.0", "train.py", cwd=tmp_path)
    assert "Target: transformers 5.0 (from --target-transformers)" in proc.stdout
    assert "HF501" in proc.stdout
    proc = run_cli("check", "--format", "sarif", "train.py", cwd=tmp_path)
    props = json.loads(proc.stdout)["runs"][0]["properties"]["transformersTarget"]
    assert props["version"] == "4.46" and props["origin"].startswith("target-transformers in")


def test_installed_release_is_the_target_without_configuration(tmp_path, installed_transformers):
    (tmp_path / "a.py").write_text("import transformers\n")
    # what the subprocess sees: the release the suite reports as installed (tests/conftest.py), as package metadata
    # spells it
    from release import dist_info_version

    release = dist_info_version(installed_transformers)
    proc = run_cli("check", "-v", "a.py", cwd=tmp_path)
    assert f"target transformers {api.vtext(api.parse_version(release))} (the installed transformers {release})" \
        in proc.stderr


# ---------------------------------------------------------------- a release newer than the tables

def _fake_release(tmp_path: Path) -> Path:
    """A copy of the installed transformers package (its files linked, not copied) whose __init__ exports one more
    name, as the next release would."""
    root = Path(fresh.installed_root())
    site = tmp_path / "site"
    pkg = site / "transformers"
    pkg.mkdir(parents=True)
    for entry in (root / "transformers").iterdir():
        if entry.name in ("__init__.py", "__pycache__"):
            continue
        (pkg / entry.name).symlink_to(entry)
    init = (root / "transformers" / "__init__.py").read_text(encoding="utf-8")
    init = init.replace('_import_structure = {', '_import_structure = {\n    "brand_new": ["BrandNewThing"],', 1)
    (pkg / "__init__.py").write_text(init, encoding="utf-8")
    return site


@pytest.fixture
def newer_release(tmp_path, monkeypatch):
    newest = api.newest_version()
    newer = (newest[0], newest[1] + 1)
    release = f"{newer[0]}.{newer[1]}.0"
    site = _fake_release(tmp_path)
    monkeypatch.setenv("HFLINT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(api, "installed_version", lambda: newer)
    monkeypatch.setattr(api, "installed_release", lambda: release)
    monkeypatch.setattr(fresh, "installed_root", lambda: str(site))
    api._fresh_for.cache_clear()
    yield newer
    api._fresh_for.cache_clear()


def test_newer_installed_release_is_read_from_its_sources_and_cached(newer_release, tmp_path, monkeypatch):
    t = newer_release
    assert api.knows(t)
    assert api.export_status("BrandNewThing", t).state == "ok"
    assert api.export_status("BrandNewThing", api.newest_version()).state == "unknown"
    assert api.export_status("AutoModel", t).state == "ok"
    assert api.export_status("AdamW", t).state == "removed"
    assert api.param_status("TrainingArguments", "eval_strategy", t).state == "ok"
    folders = list((tmp_path / "cache" / "knowledge").iterdir())
    assert len(folders) == 1 and folders[0].name.startswith(f"transformers-{t[0]}.{t[1]}.0-")
    # valid code stays clean, and the new name is valid
    code = textwrap.dedent("""
        from transformers import AutoModel, AutoTokenizer, BrandNewThing, TrainingArguments
        tok = AutoTokenizer.from_pretrained("bert-base-cased")
        model = AutoModel.from_pretrained("bert-base-cased", dtype="auto")
        args = TrainingArguments("out", eval_strategy="epoch", per_device_train_batch_size=8)
        enc = tok(["a", "b c"], padding=True, truncation=True, return_tensors="pt")
        """)
    assert lint_source(code, "x.py", Settings(select=["HF5"])).findings == []
    # a second process reads the cache: extraction is not run again
    api._fresh_for.cache_clear()

    def boom(*a, **k):
        raise AssertionError("extracted twice")

    from hflint.knowledge import extract
    monkeypatch.setattr(extract, "extract", boom)
    assert api.export_status("BrandNewThing", t).state == "ok"


def test_unreadable_newer_release_leaves_unknown_names_alone(newer_release, monkeypatch):
    monkeypatch.setattr(fresh, "installed_root", lambda: None)
    t = newer_release
    assert not api.knows(t)
    code = "from transformers import SomethingOnlyTheNextReleaseHas, AutoModel\nfrom transformers import AdamW\n"
    found = lint_source(code, "x.py", Settings(select=["HF5"])).findings
    assert [(f.line, f.code) for f in found] == [(2, "HF501")]  # removed stays removed; the unknown is not guessed


def test_cache_write_failures_never_crash(newer_release, tmp_path, monkeypatch):
    blocker = tmp_path / "blocked"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("HFLINT_CACHE_DIR", str(blocker))
    assert fresh.extended_tables(api.installed_release()) is None
    assert fresh.last_error
    assert not api.knows(newer_release)


def test_a_newer_version_only_reported_is_not_extracted(monkeypatch, tmp_path):
    # what a suite does to pretend the next release is installed: no sources to read, so no extraction and no cache
    newest = api.newest_version()
    newer = (newest[0], newest[1] + 1)
    monkeypatch.setenv("HFLINT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(api, "installed_version", lambda: newer)
    api._fresh_for.cache_clear()
    try:
        assert not api.knows(newer)
        assert not (tmp_path / "cache").exists()
        code = "from transformers import AutoModel, NewInTheNextRelease\n"
        assert lint_source(code, "x.py", Settings(select=["HF5"])).findings == []
    finally:
        api._fresh_for.cache_clear()
