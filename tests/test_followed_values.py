"""Values followed through the user's own code (issue 10's kinds, issue 12's rules): whole small scripts under
tests/data/followed/, each saying on its first line what hflint must report (`# expect: HF607 line 7`) or that
it must stay silent (`# expect: none (HF502 must stay silent)`). Written to probe the analysis the way unseen code
does (dataclass fields, mutated constants, tuple unpacking, helpers that return batches, ...)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from hflint.config import Settings
from hflint.engine import lint_source
from release import TARGET

CASES = sorted((Path(__file__).resolve().parent / "data" / "followed").glob("*.py"))
_EXPECT = re.compile(r"# expect: (?:(HF\d{3}) line (\d+)|none \((HF\d{3}) must stay silent\))")


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_followed_value(path):
    source = path.read_text(encoding="utf-8")
    m = _EXPECT.match(source.splitlines()[0])
    assert m, f"{path.name}: first line must say what is expected"
    code = m.group(1) or m.group(3)
    findings = [f for f in lint_source(source, path.name, Settings(select=["ALL"], target_transformers=TARGET)).findings
                if f.code == code]
    if m.group(1):
        assert [f.line for f in findings] == [int(m.group(2))], "\n".join(str(f) for f in findings) or "silent"
    else:
        assert findings == [], "\n".join(str(f) for f in findings)


def test_there_are_cases_of_both_kinds():
    heads = [p.read_text(encoding="utf-8").splitlines()[0] for p in CASES]
    assert sum("none (" in h for h in heads) >= 5 and sum(" line " in h for h in heads) >= 10
