"""A transformers release newer than hflint's bundled API knowledge is installed: valid code must stay clean.

The day a new release is published, users (and CI) install it before hflint's knowledge covers it. Nothing here
names a target: the rules take the installed release, reported as one minor release past the newest covered one.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hflint.config import Settings
from hflint.engine import lint_source
from hflint.knowledge import api
from hflint.rules import all_rules
from release import write_dist_info

ROOT = Path(__file__).resolve().parent.parent
CLEAN = ROOT / "fixtures" / "golden" / "clean_inference.py"


def _newer() -> tuple:
    newest = api.covered_versions()[-1]
    return newest[0], newest[1] + 1


@pytest.fixture
def newer_installed(monkeypatch) -> tuple:
    version = _newer()
    monkeypatch.setattr(api, "installed_version", lambda: version)
    return version


def _valid_examples():
    """The VALID examples that hold whatever the release (those pinned to one are checked at it elsewhere)."""
    for rule in all_rules():
        for i, example in enumerate(rule.VALID):
            if not example.target:
                yield pytest.param(rule, example, id=f"{rule.code}-valid-{i}")


def test_the_reported_release_is_newer_than_the_knowledge(newer_installed):
    assert newer_installed > api.covered_versions()[-1]
    from hflint.rules.api import target_of

    class Ctx:
        settings = Settings()
        filename = "example.py"

    assert target_of(Ctx()) == newer_installed  # no flag, no configuration: the installed release is the target


@pytest.mark.parametrize("rule,example", list(_valid_examples()))
def test_valid_examples_stay_clean(newer_installed, rule, example):
    findings = lint_source(example.source(), "example.py", Settings(select=["ALL"]), rules=[rule]).findings
    assert findings == [], "\n".join(f"{f.line}: {f.code} {f.message}" for f in findings)


def test_clean_golden_file_stays_clean_in_the_engine(newer_installed):
    assert CLEAN.with_suffix(".expected").read_text(encoding="utf-8").strip() == ""
    assert lint_source(CLEAN.read_bytes(), CLEAN.name, Settings(select=["ALL"])).findings == []


@pytest.mark.parametrize("front_door", ["hflint", "flake8"])
def test_clean_golden_file_stays_clean_through_the_front_doors(tmp_path, front_door):
    """A subprocess reads the installed release from package metadata: a newer dist-info first on PYTHONPATH."""
    folder = write_dist_info(tmp_path / "meta", _newer())
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [folder, os.environ.get("PYTHONPATH")])))
    probe = subprocess.run([sys.executable, "-c", "from hflint.knowledge import api; print(api.installed_version())"],
                           env=env, capture_output=True, text=True, timeout=60)
    assert probe.stdout.strip() == str(_newer()), probe.stderr
    if front_door == "hflint":
        args = ["-m", "hflint", "check", "--no-config", "--select", "ALL", "--format", "json", str(CLEAN)]
    else:
        args = ["-m", "flake8", "--isolated", "--select=HF", str(CLEAN)]
    proc = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    if front_door == "hflint":
        assert json.loads(proc.stdout) == []
