"""Related locations: the other half of a finding as data (JSON `related`, SARIF `relatedLocations`, notebook
cells), written into the message from that data instead of being rewritten in the message text."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import jsonschema

from hflint.config import Settings
from hflint.engine import lint_source
from hflint.notebook import lint_notebook
from release import TARGET

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
SETTINGS = Settings(target_transformers=TARGET)

SCRIPT = textwrap.dedent("""\
    from transformers import AutoModel, AutoTokenizer
    tokenizer = AutoTokenizer.from_pretrained("bert-base-cased")
    model = AutoModel.from_pretrained("bert-base-cased")
    tokenizer.add_tokens(["COVID"])
    tokenizer.add_tokens(["mRNA"])
    outputs = model(**tokenizer("COVID cases", return_tensors="pt"))
""")


def test_related_locations_are_data_and_the_message_names_their_lines():
    [f] = lint_source(SCRIPT, "x.py", SETTINGS).findings
    assert f.code == "HF301" and f.line == 4
    assert [(r.line, r.column, r.note) for r in f.related] == [
        (3, 8, "the model is loaded here"), (6, 10, "the model is used here"), (5, 0, "tokens are also added here")]
    assert "`model` (line 3)" in f.message and "(line 6)" in f.message and "added at line 5" in f.message
    assert "{@" not in f.message


def test_json_and_sarif_carry_the_related_locations(tmp_path):
    path = tmp_path / "train.py"
    path.write_text(SCRIPT, encoding="utf-8")
    run = [sys.executable, "-m", "hflint", "check", "--no-config", "--target-transformers", TARGET]
    [finding] = json.loads(subprocess.run(run + ["--format", "json", str(path)], capture_output=True,
                                          text=True).stdout)
    assert finding["related"][0] == {"location": {"row": 3, "column": 9}, "message": "the model is loaded here"}
    log = json.loads(subprocess.run(run + ["--format", "sarif", str(path)], capture_output=True, text=True).stdout)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    [result] = log["runs"][0]["results"]
    related = result["relatedLocations"]
    assert [r["id"] for r in related] == [0, 1, 2]
    assert related[0]["physicalLocation"]["region"] == {"startLine": 3, "startColumn": 9}
    assert related[0]["message"]["text"] == "the model is loaded here"


def _notebook(*cells) -> bytes:
    nb = {"cells": [{"cell_type": "code", "execution_count": None, "outputs": [], "metadata": {},
                     "source": c.splitlines(keepends=True)} for c in cells],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(nb, indent=1).encode()


def test_notebook_related_locations_are_in_cells_and_the_message_names_the_cell():
    data = _notebook(
        "from transformers import AutoModel, AutoTokenizer\ntokenizer = AutoTokenizer.from_pretrained('bert-base-cased')\n",
        "model = AutoModel.from_pretrained('bert-base-cased')\n",
        "x = 1\ntokenizer.add_tokens(['COVID'])\nmodel.train()\n",
        "out = model(**tokenizer('COVID', return_tensors='pt'))\n",
    )
    [f] = lint_notebook(data, "nb.ipynb", SETTINGS)
    assert (f.cell, f.line) == (3, 2)
    assert [(r.cell, r.line) for r in f.related] == [(2, 1), (4, 1)]
    assert "`model` (cell 2 line 1)" in f.message and "(cell 4 line 1)" in f.message


def test_a_reference_in_the_same_cell_is_a_plain_line():
    data = _notebook(
        "from transformers import AutoModel, AutoTokenizer\n"
        "tokenizer = AutoTokenizer.from_pretrained('bert-base-cased')\n"
        "model = AutoModel.from_pretrained('bert-base-cased')\n"
        "tokenizer.add_tokens(['COVID'])\n"
        "out = model(**tokenizer('COVID', return_tensors='pt'))\n")
    [f] = lint_notebook(data, "nb.ipynb", SETTINGS)
    assert "`model` (line 3)" in f.message and "(line 5)" in f.message
    assert [(r.cell, r.line) for r in f.related] == [(1, 3), (1, 5)]


def test_no_notebook_code_rewrites_messages_with_a_pattern():
    source = (ROOT / "hflint" / "notebook.py").read_text(encoding="utf-8")
    assert "_LINE_REFERENCE" not in source and "line (\\d+" not in source
