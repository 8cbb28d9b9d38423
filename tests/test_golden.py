"""Golden fixtures: whole scripts under fixtures/ with their expected findings in a sibling .expected file,
checked through the engine, the real `hflint` CLI and a real `flake8` subprocess."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from hflint.config import Settings
from hflint.engine import lint_source
from release import TARGET  # the release the .expected messages name

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = sorted((ROOT / "fixtures").rglob("*.py"))


def expected(path: Path) -> list[str]:
    return path.with_suffix(".expected").read_text(encoding="utf-8").splitlines()


def test_fixtures_exist():
    assert len(FIXTURES) >= 7
    for path in FIXTURES:
        assert path.with_suffix(".expected").exists(), path


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_engine_matches_golden(path):
    findings = lint_source(path.read_bytes(), path.name, Settings(target_transformers=TARGET)).findings
    assert [f"{f.line}:{f.column + 1}: {f.code} {f.message}" for f in findings] == expected(path)


def _run(args, cwd=ROOT):
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=300)


def test_cli_matches_golden():
    proc = _run([sys.executable, "-m", "hflint", "check", "--format", "json", "--no-config", "--target-transformers", TARGET,
                 "fixtures"])
    assert proc.returncode == 1, proc.stderr
    got: dict[str, list[str]] = {}
    for f in json.loads(proc.stdout):
        got.setdefault(Path(f["filename"]).resolve().as_posix(), []).append(
            f"{f['location']['row']}:{f['location']['column']}: {f['code']} {f['message']}")
    for path in FIXTURES:
        assert got.get(path.resolve().as_posix(), []) == expected(path), path.name


def test_flake8_matches_golden():
    proc = _run([sys.executable, "-m", "flake8", "--select=HF", f"--hflint-target-transformers={TARGET}",
                 "--format=%(path)s|%(row)d:%(col)d: %(code)s %(text)s",
                 "fixtures"])
    assert proc.returncode == 1, proc.stderr
    got: dict[str, list[str]] = {}
    for line in proc.stdout.splitlines():
        path, _, rest = line.partition("|")
        got.setdefault((ROOT / path).resolve().as_posix(), []).append(rest)
    for path in FIXTURES:
        assert got.get(path.resolve().as_posix(), []) == expected(path), path.name


def test_demo_shows_all_core_codes():
    codes = {line.split()[1] for p in FIXTURES if p.parent.name == "demo" for line in expected(p)}
    assert codes == {"HF101", "HF201", "HF202", "HF301", "HF302", "HF401", "HF402", "HF403"}
