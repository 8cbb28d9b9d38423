"""Jupyter notebooks: code cells linted as one script (names flow across cells), IPython lines skipped, findings
located by cell, `--fix` rewriting only the changed cells' sources."""
from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hflint.config import Settings
from hflint.notebook import fix_notebook, lint_notebook, python_lines, source_spans
from release import TARGET

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "fixtures" / "notebooks" / "hf_workflow.ipynb"
SETTINGS = Settings()


def _hflint(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "hflint", "check", "--no-config", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def _notebook(*cells, as_list=True, indent=1) -> bytes:
    def cell(src):
        kind = "markdown" if src.startswith("# md") else "code"
        source = src.splitlines(keepends=True) if as_list else src
        extra = {"execution_count": None, "outputs": []} if kind == "code" else {}
        return {"cell_type": kind, **extra, "metadata": {}, "source": source}
    nb = {"cells": [cell(c) for c in cells], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    return (json.dumps(nb, indent=indent) + "\n").encode()


def _line(f) -> str:
    return f"cell {f.cell}:{f.line}:{f.column + 1}: {f.code} {f.message}"


def test_fixture_matches_its_expected_findings():
    found = lint_notebook(FIXTURE.read_bytes(), FIXTURE.name, SETTINGS)
    assert [_line(f) for f in found] == FIXTURE.with_suffix(".expected").read_text(encoding="utf-8").splitlines()
    assert {f.cell for f in found} >= {7, 8, 10}  # several cells; markdown and raw cells count in the numbering


def test_cli_text_and_json_locate_findings_by_cell():
    text = _hflint("fixtures/notebooks")
    assert text.returncode == 1
    assert text.stdout.splitlines()[0].startswith("fixtures/notebooks/hf_workflow.ipynb:cell 7:1:31: HF302 [*] ")
    found = json.loads(_hflint("--format", "json", "fixtures/notebooks").stdout)
    assert [(f["cell"], f["location"]["row"], f["code"]) for f in found] == \
        [(7, 1, "HF302"), (8, 5, "HF401"), (8, 7, "HF403"), (10, 5, "HF301")]
    # edits are relative to the cell too
    assert found[0]["fix"]["edits"][0]["location"] == {"row": 1, "column": 31}


def test_names_flow_across_cells_and_other_lines_are_named_by_cell():
    data = _notebook(
        "# md: notes\n",
        "from transformers import AutoModel, AutoTokenizer\ntokenizer = AutoTokenizer.from_pretrained('bert-base-cased')\n",
        "model = AutoModel.from_pretrained('bert-base-cased')\n",
        "tokenizer.add_tokens(['COVID'])\n",
        "out = model(**tokenizer('COVID', return_tensors='pt'))",
    )
    [f] = lint_notebook(data, "nb.ipynb", SETTINGS)
    assert (f.cell, f.line, f.code) == (4, 1, "HF301")
    assert "`model` (cell 3 line 1)" in f.message and "(cell 5 line 1)" in f.message


def test_magics_and_shell_lines_are_skipped_keeping_line_numbers():
    lines, replaced = python_lines("%matplotlib inline\nx = 1\n!pip install \\\n    transformers\nfiles = !ls\nmodel?\n"
                                   "if x:\n    %time y = 2\n")
    assert lines == ["pass", "x = 1", "pass", "", "pass", "pass", "if x:", "    pass"]
    assert replaced == {1, 3, 4, 5, 6, 8}
    assert python_lines("%%bash\necho hi\n") == (["", ""], {1, 2})
    # a valid Python cell is never touched, even with lines that start like magics
    assert python_lines("x = (1\n% 2)\n") == (["x = (1", "% 2)"], set())
    data = _notebook(
        "%%time\nthis is not python\n",
        "%pip install transformers\nfrom transformers import AutoModel, AutoTokenizer\n!nvidia-smi\n"
        "tokenizer = AutoTokenizer.from_pretrained('bert-base-cased')\nmodel = AutoModel.from_pretrained('bert-base-cased')\n"
        "tokenizer.add_tokens(['x'])\nmodel(**tokenizer('x', return_tensors='pt'))\n",
    )
    [f] = lint_notebook(data, "nb.ipynb", SETTINGS)
    assert (f.cell, f.line, f.code) == (2, 6, "HF301")


def test_fix_rewrites_only_the_changed_sources(tmp_path):
    copy = tmp_path / FIXTURE.name
    shutil.copy(FIXTURE, copy)
    proc = _hflint("--fix", "--unsafe-fixes", str(copy))
    assert proc.returncode == 1  # HF401 and HF403 have no fix
    assert "Found 4 findings (2 fixed, 2 remaining)." in proc.stdout
    before, after = FIXTURE.read_text(encoding="utf-8"), copy.read_text(encoding="utf-8")
    old, new = json.loads(before), json.loads(after)
    changed = [i for i, (a, b) in enumerate(zip(old["cells"], new["cells"])) if a != b]
    assert changed == [6, 9]
    assert new["cells"][6]["source"] == ["model.resize_token_embeddings(len(tokenizer))"]
    assert new["cells"][9]["source"][-2:] == [
        'lm_tokenizer.add_special_tokens({"pad_token": "[PAD]"})  # gpt2 has no pad token\n',
        "lm.resize_token_embeddings(len(lm_tokenizer))"]
    # every byte outside the edited sources is unchanged (outputs, metadata, layout, trailing newline)
    old_spans, new_spans = source_spans(before), source_spans(after)
    rebuilt = after
    for i in sorted(changed, reverse=True):
        rebuilt = rebuilt[:new_spans[i][0]] + before[old_spans[i][0]:old_spans[i][1]] + rebuilt[new_spans[i][1]:]
    assert rebuilt == before
    # and the new sources are laid out like their neighbours (one item per line, same indentation)
    assert '    "model.resize_token_embeddings(len(tokenizer))"\n   ]' in after
    # idempotent
    again = _hflint("--diff", "--unsafe-fixes", str(copy))
    assert (again.returncode, again.stdout) == (0, "")


def test_fix_keeps_string_sources_and_a_missing_final_newline():
    data = _notebook(
        "from transformers import AutoModel, AutoTokenizer\ntokenizer = AutoTokenizer.from_pretrained('bert-base-cased')\n"
        "model = AutoModel.from_pretrained('bert-base-cased')",
        "tokenizer.add_tokens(['é'])",
        "out = model(**tokenizer('é', return_tensors='pt'))\n",
        as_list=False, indent=2)
    result = fix_notebook(data, "nb.ipynb", SETTINGS, unsafe=True)
    nb = json.loads(result.new_data)
    assert nb["cells"][1]["source"] == "tokenizer.add_tokens(['é'])\nmodel.resize_token_embeddings(len(tokenizer))"
    assert nb["cells"][2] == json.loads(data)["cells"][2]
    assert result.new_data.decode().count("\\u00e9") == 2 and "é" not in result.new_data.decode()  # json.dumps's escaping kept
    assert result.fixed == 1 and result.remaining == []
    assert "--- nb.ipynb:cell 2\n+++ nb.ipynb:cell 2\n" in result.diff


@pytest.mark.parametrize("content,reason", [
    (b"", "the file is empty"),
    (b"{not json", "invalid JSON"),
    (b'{"worksheets": []}', "nbformat 3"),
    (b"[1, 2]", "no list of cells"),
])
def test_unreadable_notebook_is_one_hf000_and_the_run_goes_on(tmp_path, content, reason):
    (tmp_path / "broken.ipynb").write_bytes(content)
    (tmp_path / "ok.ipynb").write_bytes(_notebook(
        "from transformers import AutoModel, AutoTokenizer\ntok = AutoTokenizer.from_pretrained('gpt2')\n"
        "model = AutoModel.from_pretrained('gpt2')\ntok.add_tokens(['x'])\nmodel(**tok('x', return_tensors='pt'))\n"))
    proc = _hflint("--format", "json", ".", cwd=tmp_path)
    found = json.loads(proc.stdout)
    assert proc.returncode == 1
    assert [(Path(f["filename"]).name, f["code"]) for f in found] == [("broken.ipynb", "HF000"), ("ok.ipynb", "HF301")]
    assert reason in found[0]["message"] and found[0]["message"].startswith("cannot read notebook: ")
    fixed = _hflint("--fix", "--unsafe-fixes", ".", cwd=tmp_path)
    assert "Found 2 findings (1 fixed, 1 remaining)." in fixed.stdout
    assert (tmp_path / "broken.ipynb").read_bytes() == content


def test_notebooks_without_code_or_in_other_languages_are_clean():
    assert lint_notebook(_notebook(), "nb.ipynb", SETTINGS) == []
    r = json.loads(_notebook("from transformers import AutoModel\nAutoModel.from_pretrained('bert-base-case')\n"))
    r["metadata"] = {"kernelspec": {"language": "R", "name": "ir"}}
    assert lint_notebook(json.dumps(r).encode(), "nb.ipynb", SETTINGS) == []


def test_python_cell_magics_keep_their_body_other_cell_magics_are_left_out():
    from hflint.notebook import python_lines

    assert python_lines("%%time\nmodel = load()\n%pip install x\n") == (["pass", "model = load()", "pass"], {1, 3})
    assert python_lines("%%capture out\nx = 1") == (["pass", "x = 1"], {1})
    assert python_lines("%%bash\nls -l\n") == (["", ""], {1, 2})


def test_a_cell_that_is_not_python_is_reported_and_the_other_cells_still_linted(tmp_path):
    import json as _json

    from hflint.config import Settings
    from hflint.notebook import lint_notebook

    cells = [
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
         "source": ["from transformers import AutoModel, AutoTokenizer\n",
                    "tokenizer = AutoTokenizer.from_pretrained('bert-base-cased')\n"]},
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
         "source": ["broken = (1, 2))\n"]},
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
         "source": ["model = AutoModel.from_pretrained('roberta-base')\n"]},
    ]
    data = _json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}).encode()
    found = sorted((f.cell, f.line, f.code) for f in lint_notebook(data, "nb.ipynb", Settings()))
    assert found == [(2, 1, "HF000"), (3, 1, "HF101")]


# ------------------------------------------------------------------ fixes: the same as for the same code in a .py

ISSUE_CELL = '''from transformers import AutoModel, AutoTokenizer, TrainingArguments
tok = AutoTokenizer.from_pretrained("bert-base-cased")
model = AutoModel.from_pretrained("bert-base-cased")
tok.add_tokens(["COVID"])
args = TrainingArguments("out", evaluation_strategy="epoch")
out = model(**tok("COVID", return_tensors="pt"))
'''
ISSUE_FIXED = ISSUE_CELL.replace('tok.add_tokens(["COVID"])\n',
                                 'tok.add_tokens(["COVID"])\nmodel.resize_token_embeddings(len(tok))\n') \
    .replace("evaluation_strategy=", "eval_strategy=")


def test_fixes_of_one_cell_are_applied_together(tmp_path):
    """Two fixes in one cell, the first inserting a line above the second: both applied, nothing said wrongly."""
    path = tmp_path / "nb.ipynb"
    path.write_bytes(_notebook(ISSUE_CELL))
    diff = _hflint("--target-transformers", TARGET, "--diff", "--unsafe-fixes", str(path))
    assert diff.returncode == 1, diff.stdout + diff.stderr
    assert diff.stdout.startswith(f"--- {path}:cell 1\n+++ {path}:cell 1\n")
    assert "+model.resize_token_embeddings(len(tok))\n" in diff.stdout
    assert '-args = TrainingArguments("out", evaluation_strategy="epoch")\n' in diff.stdout
    assert "Would fix 2 findings." in diff.stderr
    assert path.read_bytes() == _notebook(ISSUE_CELL)  # --diff writes nothing

    fixed = _hflint("--target-transformers", TARGET, "--fix", "--unsafe-fixes", str(path))
    assert (fixed.returncode, fixed.stdout.splitlines()[-1]) == (0, "Found 2 findings (2 fixed, 0 remaining)."), \
        fixed.stdout + fixed.stderr
    assert "".join(json.loads(path.read_text())["cells"][0]["source"]) == ISSUE_FIXED
    again = _hflint("--target-transformers", TARGET, "--diff", "--unsafe-fixes", str(path))
    assert (again.returncode, again.stdout, again.stderr) == (0, "", "")


def _top_level_cells(source: str) -> list[str]:
    """``source`` split into cells at single blank lines before top-level statements: joined with one blank line
    between them (what the notebook linter does) they are ``source`` again."""
    tree = ast.parse(source)
    starts = {min([n.lineno] + [d.lineno for d in getattr(n, "decorator_list", [])]) for n in tree.body}
    lines = source.splitlines()
    cells, current = [], []
    for number, line in enumerate(lines, 1):
        if not line.strip() and number + 1 in starts and current and current[-1].strip():
            cells.append("\n".join(current) + "\n")
            current = []
        else:
            current.append(line)
    cells.append("\n".join(current) + "\n")
    return cells


def _fixable_sources():
    from hflint.rules import all_rules

    for rule in all_rules():
        for i, example in enumerate(rule.INVALID):
            if example.fixed is not None:
                yield pytest.param(example.source(), [rule.code], id=f"{rule.code}-fixed-{i}")
    for path in sorted((ROOT / "fixtures").rglob("*.py")):
        yield pytest.param(path.read_text(encoding="utf-8"), ["ALL"], id=path.stem)
    yield pytest.param(ISSUE_CELL, ["ALL"], id="issue-9")


@pytest.mark.parametrize("source,select", list(_fixable_sources()))
@pytest.mark.parametrize("split", [False, True], ids=["one-cell", "cells"])
def test_notebook_fixes_match_the_py_fixes(source, select, split):
    """The kind, not one input: every fixable rule example, every fixture and the issue's cell, as one cell and
    split into cells, gets the same fixes, counts and remaining findings as the same code in a .py file."""
    from hflint.fixes import fix_python

    settings = Settings(select=select, target_transformers=TARGET)
    cells = _top_level_cells(source) if split else [source]
    py_source = "\n".join(cells)  # what the notebook linter sees: cells joined with one blank line
    py = fix_python(py_source.encode(), "x.py", settings, unsafe=True)
    nb = fix_notebook(_notebook(*cells), "x.ipynb", settings, unsafe=True)
    assert (nb.found, nb.fixed) == (py.found, py.fixed)
    assert sorted(f.code for f in nb.remaining) == sorted(f.code for f in py.remaining)
    assert nb.unapplied == [] and py.unapplied == []
    expected = py_source if py.new_data is None else py.new_data.decode()
    if nb.new_data is None:
        assert py.new_data is None
    else:
        got = ["".join(c["source"]) for c in json.loads(nb.new_data)["cells"]]
        assert "\n".join(got) == expected


@pytest.mark.parametrize("line", [
    "pip install transformers", "pip install -q 'transformers>=4.46' datasets", "conda install -y pytorch",
    "cd data/", "load_ext autoreload", "matplotlib inline", "time model = load()", "env HF_HOME=/tmp/hf",
])
def test_bare_line_magics_are_treated_like_percent_magics(line):
    """IPython's automagic runs `pip install x` as `%pip install x`: skipped like it, not a cell that cannot parse."""
    cell = f"{line}\n" + ISSUE_CELL
    found = lint_notebook(_notebook(cell), "nb.ipynb", Settings(target_transformers=TARGET))
    percent = lint_notebook(_notebook(f"%{line}\n" + ISSUE_CELL), "nb.ipynb", Settings(target_transformers=TARGET))
    assert [(f.line, f.code) for f in found] == [(f.line, f.code) for f in percent] == [(5, "HF301"), (6, "HF502")]


def test_python_that_shares_a_magic_name_is_left_alone():
    lines, replaced = python_lines("pip install x\ntime = 3\nenv.update(a=1)\nls = [1]\ncd(path)\nrun -= 1\n")
    assert lines == ["pass", "time = 3", "env.update(a=1)", "ls = [1]", "cd(path)", "run -= 1"] and replaced == {1}
