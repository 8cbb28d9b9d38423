"""HF000, a file hflint did not analyse: a documented code silenced like any other, refused early when a file is too
large (bytes, before decoding or parsing), and avoided with ruff's `exclude` / `extend-exclude` / `force-exclude`."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from hflint import engine
from hflint.config import Settings

ROOT = Path(__file__).resolve().parent.parent
BROKEN = "from transformers import AutoModel\nprint 'python 2'\n"
BUG = ('from transformers import AutoModel, AutoTokenizer\ntok = AutoTokenizer.from_pretrained("bert-base-cased")\n'
       'model = AutoModel.from_pretrained("roberta-base")\nout = model(**tok("x", return_tensors="pt"))\n')


def hflint(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hflint", *args], cwd=cwd, input=stdin, capture_output=True,
                          text=True, timeout=300)


def tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def found(proc: subprocess.CompletedProcess) -> list[tuple[str, str]]:
    return sorted((Path(f["filename"]).as_posix(), f["code"]) for f in json.loads(proc.stdout))


# ------------------------------------------------------------------ a documented code

def test_explain_hf000_and_the_rules_table(tmp_path):
    page = hflint("explain", "HF000", cwd=tmp_path)
    assert page.returncode == 0, page.stderr
    assert page.stdout.startswith("# HF000 file-not-analysed\n")
    for words in ("--ignore HF000", "per-file-ignores", "# noqa: HF000", "extend-exclude", "--force-exclude"):
        assert words in page.stdout, words
    assert hflint("rules", cwd=tmp_path).stdout.splitlines()[1].split()[:3] == ["HF000", "file-not-analysed", "on"]
    assert (ROOT / "docs" / "rules" / "HF000.md").is_file()


# ------------------------------------------------------------------ silenced like any other code

@pytest.mark.parametrize("flags", [["--ignore", "HF000"], ["--ignore", "HF0"], ["--ignore", "HF"]])
def test_ignore_silences_hf000(tmp_path, flags):
    tree(tmp_path, {"broken.py": BROKEN, "bug.py": BUG})
    assert found(hflint("check", "--no-config", "--format", "json", ".", cwd=tmp_path)) == \
        [("broken.py", "HF000"), ("bug.py", "HF101")]
    quiet = hflint("check", "--no-config", "--format", "json", *flags, ".", cwd=tmp_path)
    assert found(quiet) == ([] if flags[1] == "HF" else [("bug.py", "HF101")])


@pytest.mark.parametrize("codes", ['["HF000"]', '["HF"]', '["HF0", "HF3"]'])
def test_per_file_ignores_silence_hf000(tmp_path, codes):
    tree(tmp_path, {"pyproject.toml": f'[tool.hflint]\nper-file-ignores = {{ "bad_inputs/*" = {codes} }}\n',
                    "bad_inputs/broken.py": BROKEN, "src/broken.py": BROKEN})
    proc = hflint("check", "--format", "json", ".", cwd=tmp_path)
    assert found(proc) == [("src/broken.py", "HF000")]


def test_hf000_stays_on_whatever_is_selected(tmp_path):
    tree(tmp_path, {"broken.py": BROKEN})
    proc = hflint("check", "--no-config", "--format", "json", "--select", "HF3", ".", cwd=tmp_path)
    assert found(proc) == [("broken.py", "HF000")]


def test_an_unreadable_path_is_silenced_too(tmp_path):
    (tmp_path / "dangling.py").symlink_to(tmp_path / "missing.py")
    assert found(hflint("check", "--no-config", "--format", "json", ".", cwd=tmp_path)) == [("dangling.py", "HF000")]
    assert hflint("check", "--no-config", "--ignore", "HF000", ".", cwd=tmp_path).returncode == 0


def test_notebook_cells_that_do_not_parse_are_silenced_like_lines(tmp_path):
    def notebook(*sources):
        cells = [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": s}
                 for s in sources]
        return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})

    tree(tmp_path, {"a.ipynb": notebook("import transformers\n", "print 'x'  # noqa: HF000\n"),
                    "b.ipynb": notebook("import transformers\n", "print 'x'\n"),
                    "c.ipynb": "{not json"})
    proc = hflint("check", "--no-config", "--format", "json", ".", cwd=tmp_path)
    assert found(proc) == [("b.ipynb", "HF000"), ("c.ipynb", "HF000")]
    assert hflint("check", "--no-config", "--ignore", "HF000", ".", cwd=tmp_path).returncode == 0


# ------------------------------------------------------------------ too large: refused before any decoding or parsing

def _generated(size: int) -> bytes:
    line = b'X = {"a": [1, 2, 3], "b": "transformers"}\n'
    return line * (size // len(line) + 1)


@pytest.fixture
def nothing_parsed(monkeypatch):
    """Decoding or parsing anything fails the test."""
    def refuse(*args, **kwargs):
        raise AssertionError("decoded or parsed a file over the size limit")

    import libcst

    from hflint import fixes, notebook
    for target, name in ((engine, "decode"), (engine, "_ast_tree"), (libcst, "parse_module"),
                         (fixes, "_encoding"), (notebook, "read_notebook")):
        monkeypatch.setattr(target, name, refuse)


def test_a_large_file_is_refused_before_decoding_or_parsing(nothing_parsed, tmp_path):
    from hflint.cli import fix_file, lint_file

    path = tmp_path / "generated.py"
    path.write_bytes(_generated(engine.MAX_ANALYSED_BYTES + 1))
    [finding] = lint_file(str(path), Settings())
    assert finding.code == "HF000" and "over the 4 MB limit" in finding.message
    assert "extend-exclude" in finding.message and "--force-exclude" in finding.message  # says what to do
    _, fixed = fix_file(str(path), Settings(), unsafe=True)
    assert fixed.new_data is None and [f.code for f in fixed.remaining] == ["HF000"]
    assert engine.lint_source(path.read_text(), "g.py").findings[0].code == "HF000"  # text too: sized, not parsed


def test_a_notebook_is_sized_by_its_file_and_by_its_code(nothing_parsed, tmp_path):
    from hflint.cli import lint_file
    from hflint.notebook import MAX_NOTEBOOK_BYTES

    path = tmp_path / "huge.ipynb"
    path.write_bytes(b" " * (MAX_NOTEBOOK_BYTES + 1))
    [finding] = lint_file(str(path), Settings())
    assert finding.code == "HF000" and "limit for one notebook" in finding.message


def test_a_notebook_with_large_outputs_but_little_code_is_linted(tmp_path):
    from hflint.notebook import lint_notebook

    image = "iVBORw0KGgo" * (engine.MAX_ANALYSED_BYTES // 8)  # a 5 MB output, as plots are stored
    cells = [{"cell_type": "code", "metadata": {}, "execution_count": 1, "source": BUG,
              "outputs": [{"output_type": "display_data", "metadata": {}, "data": {"image/png": image}}]}]
    data = json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}).encode()
    assert len(data) > engine.MAX_ANALYSED_BYTES
    assert [f.code for f in lint_notebook(data, "plots.ipynb", Settings())] == ["HF101"]
    code = [{"cell_type": "code", "metadata": {}, "execution_count": 1, "outputs": [],
             "source": _generated(engine.MAX_ANALYSED_BYTES).decode()}]
    data = json.dumps({"cells": code, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}).encode()
    [finding] = lint_notebook(data, "generated.ipynb", Settings())
    assert "limit for the code cells of one notebook" in finding.message


def test_a_large_file_can_be_silenced_by_noqa_on_its_first_line():
    data = b"# noqa: HF000\n" + _generated(engine.MAX_ANALYSED_BYTES)
    assert engine.lint_source(data, "g.py").findings == []
    assert engine.lint_source(data, "g.py", Settings(ignore=["HF000"])).findings == []
    assert [f.code for f in engine.lint_source(data[len(b"# noqa: HF000\n"):], "g.py").findings] == ["HF000"]


# ------------------------------------------------------------------ exclude, extend-exclude, force-exclude (ruff's)

PROJECT = {
    "src/train.py": BUG,
    "src/generated/big.py": BUG,
    "src/legacy/old_pb2.py": BUG,
    "templates/job.py": BROKEN,
    "build/out.py": BUG,
}


def _lint(tmp_path, *args, config: str = "") -> list[tuple[str, str]]:
    if config:
        (tmp_path / "pyproject.toml").write_text(f"[tool.hflint]\n{config}\n", encoding="utf-8")
    proc = hflint("check", "--format", "json", *args, cwd=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    return found(proc)


def test_default_exclusions(tmp_path):
    tree(tmp_path, PROJECT)
    assert _lint(tmp_path, ".") == [("src/generated/big.py", "HF101"), ("src/legacy/old_pb2.py", "HF101"),
                                    ("src/train.py", "HF101"), ("templates/job.py", "HF000")]


def test_extend_exclude_adds_names_paths_and_globs(tmp_path):
    tree(tmp_path, PROJECT)
    config = 'extend-exclude = ["generated", "templates/", "src/legacy/*_pb2.py"]'
    assert _lint(tmp_path, ".", config=config) == [("src/train.py", "HF101")]
    # on the command line, the same (comma-separated), added to the configured ones
    (tmp_path / "pyproject.toml").unlink()
    assert _lint(tmp_path, "--extend-exclude", "generated,templates", "--extend-exclude", "*_pb2.py", ".") == \
        [("src/train.py", "HF101")]


def test_exclude_replaces_the_defaults(tmp_path):
    tree(tmp_path, PROJECT)
    assert _lint(tmp_path, ".", config='exclude = ["templates"]') == [
        ("build/out.py", "HF101"), ("src/generated/big.py", "HF101"), ("src/legacy/old_pb2.py", "HF101"),
        ("src/train.py", "HF101")]
    assert _lint(tmp_path, "--exclude", "src", ".") == [("build/out.py", "HF101"), ("templates/job.py", "HF000")]


def test_named_files_are_linted_unless_force_exclude(tmp_path):
    """pre-commit names every staged file: its hooks pass --force-exclude, as ruff's do."""
    tree(tmp_path, PROJECT)
    config = 'extend-exclude = ["generated", "templates"]'
    named = ["src/generated/big.py", "templates/job.py", "src/train.py"]
    assert _lint(tmp_path, *named, config=config) == [
        ("src/generated/big.py", "HF101"), ("src/train.py", "HF101"), ("templates/job.py", "HF000")]
    assert _lint(tmp_path, "--force-exclude", *named) == [("src/train.py", "HF101")]
    assert _lint(tmp_path, *named, config=config + "\nforce-exclude = true") == [("src/train.py", "HF101")]
    stdin = hflint("check", "--force-exclude", "-", "--stdin-filename", "templates/job.py", cwd=tmp_path, stdin=BROKEN)
    assert stdin.returncode == 0, stdin.stdout


@pytest.mark.parametrize("table, fragment", [
    ("exclude = 'generated'", "exclude"),
    ('extend-exclude = [""]', "extend-exclude"),
    ('force-exclude = "yes"', "force-exclude"),
])
def test_bad_exclude_settings_exit_2(tmp_path, table, fragment):
    tree(tmp_path, {"pyproject.toml": f"[tool.hflint]\n{table}\n", "a.py": BUG})
    proc = hflint("check", ".", cwd=tmp_path)
    assert proc.returncode == 2 and fragment in proc.stderr
