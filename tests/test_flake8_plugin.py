"""The flake8 front door: the same [tool.hflint] knowledge settings as `hflint check` (the editor and CI agree),
flake8's own selection, and no work at all when flake8 shows no HF code."""
from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from hflint.flake8_plugin import OFF_BY_DEFAULT
from hflint.rules import all_rules

APP = '''\
import torch.nn.functional as F
from transformers import AutoModel, AutoTokenizer, BertModel, Trainer

tok = AutoTokenizer.from_pretrained("roberta-base")
print(tok("나는 정말 열심히 노력하고 있다."))
clf = AutoModel.from_pretrained("my-org/sentiment-bret")

retriever_tok = AutoTokenizer.from_pretrained("my-org/retriever-bert-base")
retriever = BertModel.from_pretrained("my-org/retriever-bert-base")


def embed(texts):
    out = retriever(**retriever_tok(texts, padding=True, return_tensors="pt"))
    cls = out.last_hidden_state[:, 0]
    return F.normalize(cls, dim=-1)


def train(model, args, tokenizer):
    return Trainer(model=model, args=args, tokenizer=tokenizer)
'''
# every knowledge setting changes what is reported in APP
CONFIG = '''\
[tool.hflint]
target-transformers = "4.46"                       # Trainer(tokenizer=): HF503, not HF502
known-checkpoints = ["my-org/sentiment-bert"]      # 'my-org/sentiment-bret' becomes a typo (HF102)
cls-pooled-checkpoints = ["^my-org/retriever-"]    # its [CLS] vector is fine (no HF401)
vocabulary-families = { mine = ["roberta-base"] }  # this roberta-base covers Hangul (no HF103)
runtime = { unk-threshold = 0.2 }
ignore = ["HF102"]                                 # selection: hflint check's only; flake8 keeps its own
'''


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def flake8(cwd: Path, *args: str) -> list[tuple]:
    proc = run(["flake8", "--select=HF", "--format=%(path)s|%(row)d|%(col)d|%(code)s %(text)s", *args], cwd)
    assert proc.returncode in (0, 1), proc.stderr
    found = []
    for line in proc.stdout.splitlines():
        path, row, col, text = line.split("|", 3)
        found.append((Path(path).as_posix(), int(row), int(col), text))
    return sorted(found)


def hflint(cwd: Path, *args: str) -> list[tuple]:
    proc = run(["hflint", "check", "--format", "json", *args], cwd)
    assert proc.returncode in (0, 1), proc.stderr
    return sorted((Path(f["filename"]).as_posix(), f["location"]["row"], f["location"]["column"],
                   f"{f['code']} {f['message']}") for f in json.loads(proc.stdout))


@pytest.fixture
def project(tmp_path) -> Path:
    (tmp_path / "pyproject.toml").write_text(CONFIG, encoding="utf-8")
    for name in ("src/app.py", "src/deep/er/app.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(APP, encoding="utf-8")
    return tmp_path


def test_both_front_doors_read_the_same_settings(project):
    codes = lambda found: sorted({(path, text.split()[0]) for path, _, _, text in found})  # noqa: E731
    cli = hflint(project, "--extend-select", "HF102", "src")  # the configured ignore aside, as flake8 selects
    assert codes(cli) == [("src/app.py", "HF102"), ("src/app.py", "HF503"),
                          ("src/deep/er/app.py", "HF102"), ("src/deep/er/app.py", "HF503")]
    assert flake8(project, "src") == cli
    # found by walking up from each file, wherever flake8 runs from
    assert flake8(project / "src" / "deep", ".") == [
        (p.replace("src/deep/", ""), r, c, t) for p, r, c, t in cli if p.startswith("src/deep/")]
    # without the table both see the defaults, and the same
    (project / "pyproject.toml").unlink()
    bare = hflint(project, "--target-transformers", "5.24", "src")
    assert {t.split()[0] for _, _, _, t in bare} == {"HF103", "HF401", "HF502"}
    assert flake8(project, "--hflint-target-transformers=5.24", "src") == bare


def test_flake8_options_override_the_table(project):
    found = flake8(project, "--hflint-target-transformers=5.0", "--hflint-cls-pooled-checkpoints=^nothing$", "src")
    assert {text.split()[0] for _, _, _, text in found} == {"HF102", "HF401", "HF502"}


def test_selection_stays_flake8s(project):
    assert {t.split()[0] for _, _, _, t in flake8(project, "src")} == {"HF102", "HF503"}  # the table's ignore: no
    assert {t.split()[0] for _, _, _, t in flake8(project, "--extend-ignore=HF5", "src")} == {"HF102"}


def test_an_invalid_table_is_reported_by_flake8_not_raised(project):
    (project / "pyproject.toml").write_text("[tool.hflint]\nselct = ['HF1']\n", encoding="utf-8")
    found = flake8(project, "src/app.py")
    assert [(r, t.split()[0]) for _, r, _, t in found] == [(1, "HF000")]
    assert "unknown key 'selct'" in found[0][3]


def test_off_by_default_codes_match_the_rules():
    assert set(OFF_BY_DEFAULT) == {r.code for r in all_rules() if not r.default_enabled}


PROBE = textwrap.dedent('''
    import sys
    from flake8.main.cli import main
    status = main(sys.argv[1:])
    loaded = sorted(m for m in sys.modules if m.startswith(("hflint.", "libcst")) and m != "hflint.flake8_plugin")
    print("LOADED", loaded)
''')


@pytest.mark.parametrize("select, works", [
    ("--select=E,F,W,C", False), ("--select=E9", False), ("--extend-ignore=HF", None), ("--select=HF301", True),
    ("--select=H", True),
])
def test_no_hf_code_selected_means_no_work(project, select, works):
    """flake8 with hflint installed but no HF code selected imports nothing of hflint past the plugin module."""
    proc = subprocess.run([sys.executable, "-c", PROBE, "--jobs=1", select, "src/app.py"], cwd=project,
                          capture_output=True, text=True, timeout=300)
    loaded = ast.literal_eval(proc.stdout.rsplit("LOADED ", 1)[1].strip())
    if works is False:
        assert loaded == [], loaded  # not even the rule modules
        assert " HF" not in proc.stdout
    elif works is None:  # every HF code ignored: the rules are listed, no file is parsed
        assert "hflint.engine" not in loaded and "libcst" not in loaded, loaded
    else:
        assert "hflint.engine" in loaded and "hflint.rules" in loaded
