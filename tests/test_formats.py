"""`--format sarif` (valid against the official SARIF 2.1.0 schema, tests/data/) and `--format github`."""
from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import jsonschema

from hflint.finding import Edit, Finding, Fix
from hflint.output import write_github

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


def _hflint(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "hflint", "check", "--no-config", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def test_sarif_is_valid_and_has_one_rule_per_code():
    proc = _hflint("--format", "sarif", "fixtures")
    assert proc.returncode == 1, proc.stderr
    log = json.loads(proc.stdout)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    [run] = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    assert [r["id"] for r in rules] == list(dict.fromkeys(r["ruleId"] for r in results))  # one entry per code
    by_id = {r["id"]: r for r in rules}
    hf301 = by_id["HF301"]
    assert hf301["name"] == "add-tokens-without-resize"
    assert hf301["helpUri"].endswith("/docs/rules/HF301.md")
    assert hf301["shortDescription"]["text"] and hf301["fullDescription"]["text"] and hf301["help"]["text"]
    for result in results:
        assert result["level"] == "warning"
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        loc = result["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uri"].startswith("fixtures/")
        assert loc["region"]["startLine"] >= 1 and loc["region"]["startColumn"] >= 1


def test_sarif_carries_fixes_and_notebook_cells():
    log = json.loads(_hflint("--format", "sarif", "fixtures/notebooks").stdout)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    results = log["runs"][0]["results"]
    hf302 = next(r for r in results if r["ruleId"] == "HF302")
    # the physical location is a line of the .ipynb file: the one holding the cell's reported source line
    loc = hf302["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "fixtures/notebooks/hf_workflow.ipynb"
    notebook_lines = (ROOT / "fixtures/notebooks/hf_workflow.ipynb").read_text(encoding="utf-8").splitlines()
    assert "model.resize_token_embeddings(tokenizer.vocab_size)" in notebook_lines[loc["region"]["startLine"] - 1]
    # the cell and the place within it are result properties
    assert {k: hf302["properties"][k] for k in ("cell", "lineInCell", "columnInCell")} == \
        {"cell": 7, "lineInCell": 1, "columnInCell": 31}
    assert hf302["locations"][0]["logicalLocations"] == [{"name": "cell 7", "kind": "module"}]
    # cell-relative edits would corrupt the .ipynb if a SARIF tool applied them: no `fixes`, the applicability stays
    assert "fixes" not in hf302 and hf302["properties"]["fixApplicability"] == "safe"
    for r in results:
        line = notebook_lines[r["locations"][0]["physicalLocation"]["region"]["startLine"] - 1]
        assert line.strip().startswith('"'), line  # always a source line, never the JSON around it
    hf301 = next(r for r in results if r["ruleId"] == "HF301")
    assert hf301["properties"]["fixApplicability"] == "unsafe"


def test_sarif_for_a_clean_run_and_for_unreadable_files(tmp_path):
    (tmp_path / "bad.py").write_text("from transformers import AutoModel\ndef (:\n")
    log = json.loads(_hflint("--format", "sarif", "bad.py", cwd=tmp_path).stdout)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    assert [r["ruleId"] for r in log["runs"][0]["results"]] == ["HF000"]
    (tmp_path / "bad.py").write_text("x = 1\n")
    clean = json.loads(_hflint("--format", "sarif", "bad.py", cwd=tmp_path).stdout)
    jsonschema.Draft4Validator(SCHEMA).validate(clean)
    assert clean["runs"][0]["results"] == [] and clean["runs"][0]["tool"]["driver"]["rules"] == []


def test_github_annotations():
    proc = _hflint("--format", "github", "fixtures/demo/train_qa.py")
    first = proc.stdout.splitlines()[0]
    assert first.startswith("::warning file=fixtures/demo/train_qa.py,line=11,col=1,endLine=11,endColumn=")
    assert ",title=HF201 pretrained-architecture-config-mutation::HF201 `config.hidden_size = ...`" in first
    assert proc.returncode == 1


def test_github_escapes_workflow_command_syntax():
    out = io.StringIO()
    write_github([Finding("a,b:c%.py", 3, 4, "HF301", "50% done\r\nnext: a,b", name="add-tokens-without-resize",
                          end_line=3, end_column=9),
                  Finding("nb.ipynb", 2, 0, "HF302", "m", name="resize-to-wrong-size", cell=4,
                          fix=Fix("safe", (Edit(2, 0, 2, 1, "x"),)))], out, False)
    assert out.getvalue().splitlines() == [
        "::warning file=a%2Cb%3Ac%25.py,line=3,col=5,endLine=3,endColumn=10,title=HF301 add-tokens-without-resize"
        "::HF301 50%25 done%0D%0Anext: a,b",
        "::warning file=nb.ipynb,title=HF302 resize-to-wrong-size::cell 4, line 2: HF302 m",
    ]
