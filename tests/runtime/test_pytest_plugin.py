"""The pytest plugin end to end: real ``pytest`` runs in subprocesses, off by default, on with --hf-verify."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

HERE = Path(__file__).parent


def start_pytest(folder: Path, *args: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", OMP_NUM_THREADS="1")
    env.pop("PYTEST_ADDOPTS", None)
    return subprocess.Popen([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:hypothesispytest",
                             *args], cwd=folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen, timeout: int = 120) -> subprocess.CompletedProcess:
    out, err = proc.communicate(timeout=timeout)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def run_pytest(folder: Path, *args: str) -> subprocess.CompletedProcess:
    return finish(start_pytest(folder, *args))


def project(tmp_path: Path, test_source: str, name: str = "test_models.py", ini: str = "") -> Path:
    """A throwaway test project with the tiny-model factories and checkpoint fixtures."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    shutil.copy(HERE / "tiny_hf.py", tmp_path / "tiny_hf.py")
    shutil.copy(HERE / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / name).write_text(textwrap.dedent(test_source))
    (tmp_path / "pytest.ini").write_text("[pytest]\n" + ini)
    return tmp_path


def test_importing_the_plugin_imports_nothing_heavy():
    code = ("import hflint.pytest_plugin, sys; "
            "heavy = {'transformers', 'torch', 'tokenizers', 'hflint.runtime'} & set(sys.modules); "
            "assert not heavy, heavy")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_off_by_default_has_no_effect(tmp_path):
    (tmp_path / "test_trivial.py").write_text(textwrap.dedent("""
        import sys

        def test_nothing_heavy_imported(request):
            assert request.config.pluginmanager.has_plugin("hflint")  # the entry point is loaded ...
            assert request.config.pluginmanager.get_plugin("hflint-verify") is None  # ... and idle
            assert "hflint.runtime" not in sys.modules
            assert "transformers" not in sys.modules and "torch" not in sys.modules

        def test_fixture_without_the_flag(hf_verify):
            assert hf_verify.enabled is False and hf_verify.findings == []
            assert "hflint.runtime" not in sys.modules
    """))
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    result = run_pytest(tmp_path, "-q")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "hflint runtime verification" not in result.stdout


BUGS_AND_FIXES = '''
import pytest
import torch
import transformers

from tiny_hf import bert_model, bert_tokenizer, gpt2_model, gpt2_tokenizer


def test_hf901_bug():
    tok = bert_tokenizer()
    model = bert_model(tok)
    tok.add_tokens(["COVID"])
    with pytest.raises(IndexError):
        model(**tok(["covid"], return_tensors="pt"))


def test_hf901_fix():
    tok = bert_tokenizer()
    model = bert_model(tok)
    tok.add_tokens(["COVID"])
    model.resize_token_embeddings(len(tok))
    model(**tok(["covid"], return_tensors="pt"))


def test_hf901_padded_vocabulary_fix():
    tok = bert_tokenizer()
    model = bert_model(tok, rows=len(tok) + 40)
    model(**tok(["hello world"], return_tensors="pt"))


def test_hf902_bug(ckpts):
    model = transformers.AutoModel.from_pretrained(ckpts["bert"])
    tok = transformers.AutoTokenizer.from_pretrained(ckpts["bert_other"])
    model(**tok(["the cat sat"], return_tensors="pt"))


def test_hf902_fix(ckpts):
    model = transformers.AutoModel.from_pretrained(ckpts["bert"])
    tok = transformers.AutoTokenizer.from_pretrained(ckpts["bert"])
    model(**tok(["the cat sat"], return_tensors="pt"))


def test_hf903_bug(ckpts):
    transformers.AutoModel.from_pretrained(ckpts["bert"], num_attention_heads=4)


def test_hf903_fix(ckpts):
    transformers.AutoModel.from_pretrained(ckpts["bert"], num_labels=3)


def test_hf904_bug():
    bert_tokenizer()(["안녕하세요 세계"])


def test_hf904_fix():
    bert_tokenizer()(["the cat sat on the mat"])


def test_hf905_bug(ckpts, hf_verify):
    model = transformers.AutoModel.from_pretrained(ckpts["st_mean"])
    hf_verify.verify(model=model, pooling="cls")
    assert [f.code for f in hf_verify.findings] == ["HF905"]


def test_hf905_fix(ckpts, hf_verify):
    model = transformers.AutoModel.from_pretrained(ckpts["st_mean"])
    assert hf_verify.verify(model=model, pooling="mean") == []
    assert hf_verify.enabled and hf_verify.findings == []


def _generate(side):
    tok = gpt2_tokenizer()
    tok.pad_token = tok.eos_token
    tok.padding_side = side
    model = gpt2_model(tok)
    batch = tok(["hello", "hello world, hello"], return_tensors="pt", padding=True)
    model.generate(**batch, max_new_tokens=2, pad_token_id=tok.pad_token_id)


def test_hf906_bug():
    _generate("right")


def test_hf906_fix():
    _generate("left")


def test_hf907_bug():
    tok = bert_tokenizer()
    model = bert_model(tok).train()
    with torch.no_grad():
        model(**tok(["hello"], return_tensors="pt"))


def test_hf907_fix():
    tok = bert_tokenizer()
    model = bert_model(tok).train()
    model.eval()
    with torch.inference_mode():
        model(**tok(["hello"], return_tensors="pt"))
'''


STRICT = '''
from tiny_hf import bert_model, bert_tokenizer


def test_adds_tokens_without_resize():
    tok = bert_tokenizer()
    model = bert_model(tok)
    tok.add_tokens(["[S1]", "COVID"])
    model(**tok(["hello [S1] covid"], return_tensors="pt"))


def test_adds_tokens_and_resizes():
    tok = bert_tokenizer()
    model = bert_model(tok)
    tok.add_tokens(["[S1]", "COVID"])
    model.resize_token_embeddings(len(tok))
    model(**tok(["hello [S1] covid"], return_tensors="pt"))
'''


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The two heavy pytest runs (each imports transformers), started at once so they overlap."""
    root = tmp_path_factory.mktemp("plugin")
    # a bare flag followed by a path: the path is still a path
    verify = start_pytest(project(root / "on", BUGS_AND_FIXES), "--hf-verify", "test_models.py", "-q", "-rA")
    strict = start_pytest(project(root / "strict", STRICT, "test_train.py"), "--hf-verify=strict", "-q", "--tb=short")
    yield {"on": verify, "strict": strict}
    for proc in (verify, strict):
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def test_hf_verify_reports_each_bug_and_no_fix(runs):
    result = finish(runs["on"])
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert "hflint runtime verification (on)" in out
    summary = out.split("hflint runtime verification (on)")[1]
    for code in ("HF901", "HF902", "HF903", "HF904", "HF905", "HF906", "HF907"):
        assert f"test_models.py::test_{code.lower()}_bug: " in summary and f"{code} [" in summary, code
    assert "_fix: " not in summary
    assert "7 runtime finding(s) in 7 test(s)" in summary
    # each finding is printed once: not again in a per-test section (-rA) or in pytest's warnings summary
    for line in summary.splitlines():
        if " HF9" in line:
            message = line.split("] ", 1)[1]
            assert out.count(message) == 1, message
    assert "HFLintWarning" not in out and "hflint runtime findings" not in out
    # readable, not a dataclass dump; one-row and one-id grammar
    assert "Finding(" not in out
    assert "row 0 of `attention_mask` ends in padding" in summary


def test_strict_fails_the_test_before_index_error(runs):
    result = finish(runs["strict"])
    out = result.stdout
    assert result.returncode == 1, out + result.stderr
    assert "1 failed, 1 passed" in out
    assert ("HFLintError: HF901: token ids 18\u201319 (`[S1]`, `COVID`) added at test_train.py:8 "
            "have no embedding rows") in out
    # the traceback ends at the user's line: hflint's wrappers are hidden
    failure = out.split("test_adds_tokens_without_resize ____", 1)[1].split("hflint runtime verification", 1)[0]
    assert "hflint/runtime" not in failure and "instrument.py" not in failure, failure
    assert 'model(**tok(["hello [S1] covid"], return_tensors="pt"))' in failure
    assert "IndexError" not in out
    assert "hflint runtime verification (strict)" in out


def test_ini_switches_it_on(tmp_path):
    (tmp_path / "pytest.ini").write_text("[pytest]\nhf_verify = strict\n")
    (tmp_path / "test_x.py").write_text(textwrap.dedent("""
        import pytest

        @pytest.mark.hf_verify_off
        def test_plugin_is_strict(request):
            assert request.config.pluginmanager.get_plugin("hflint-verify").strict
    """))
    result = run_pytest(tmp_path, "-q")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "hflint runtime verification (strict): no findings" in result.stdout


def test_invalid_mode_is_a_usage_error(tmp_path):
    (tmp_path / "pytest.ini").write_text("[pytest]\nhf_verify = maybe\n")
    (tmp_path / "test_x.py").write_text("def test_x():\n    pass\n")
    result = run_pytest(tmp_path, "-q")
    assert result.returncode == 4 and "ini hf_verify: expected true, false or strict" in result.stderr
