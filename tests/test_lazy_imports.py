"""Static linting never imports transformers or torch, and imports libcst only when a file is parsed."""
import subprocess
import sys


def _modules_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys; print(' '.join(sys.modules))"],
                         capture_output=True, text=True, check=True, timeout=120).stdout
    return set(out.split())


def test_loading_the_rules_and_plugin_does_not_import_libcst():
    mods = _modules_after("import hflint.flake8_plugin, hflint.engine, hflint.cli, hflint.rules as r; r.all_rules()")
    assert "libcst" not in mods


def test_linting_a_file_without_hugging_face_code_does_not_import_libcst():
    mods = _modules_after("from hflint.engine import lint_source; lint_source('import os\\nprint(os.sep)\\n', 'x.py')")
    assert "libcst" not in mods


def test_static_linting_never_imports_transformers_or_torch():
    mods = _modules_after("from hflint.engine import lint_source\n"
                          "lint_source(open('fixtures/demo/train_qa.py').read(), 'x.py')")
    assert "libcst" in mods
    assert not {"transformers", "torch", "tokenizers"} & mods
