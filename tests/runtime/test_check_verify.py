"""`hflint check --verify` end to end: static findings confirmed or withdrawn from the local Hugging Face cache."""
from __future__ import annotations

import json
import os
import subprocess
import sys

SCRIPT = '''from transformers import AutoConfig, AutoModel
config = AutoConfig.from_pretrained("acme/tiny-bert")
config.num_attention_heads = {heads}
model = AutoModel.from_pretrained("acme/tiny-bert", config=config)
'''


def _run(tmp_path, heads, *flags, fmt="json"):
    script = tmp_path / f"heads_{heads}.py"
    script.write_text(SCRIPT.format(heads=heads))
    proc = subprocess.run([sys.executable, "-m", "hflint", "check", "--no-config", "--format", fmt, *flags,
                           str(script)], capture_output=True, text=True, timeout=120, env=dict(os.environ))
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def _check(tmp_path, heads, *flags):
    proc = _run(tmp_path, heads, *flags)
    return json.loads(proc.stdout), proc.stderr


def test_verify_withdraws_an_edit_that_keeps_the_checkpoint_value(ckpts, hub_cache, tmp_path):
    saved = json.loads((ckpts["bert"] / "config.json").read_text())["num_attention_heads"]
    hub_cache("acme/tiny-bert", ckpts["bert"])
    static, _ = _check(tmp_path, saved)
    assert [f["code"] for f in static] == ["HF201"]
    verified, _ = _check(tmp_path, saved, "--verify")
    assert [(f["code"], f["verification"]["status"]) for f in verified] == [("HF201", "withdrawn")]
    assert "already has num_attention_heads" in verified[0]["verification"]["detail"]
    text = _run(tmp_path, saved, "--verify", fmt="text")
    assert text.returncode == 0, text.stdout  # a withdrawn finding is listed, marked, and does not count
    assert "HF201" in text.stdout and "[withdrawn: " in text.stdout
    assert text.stdout.splitlines()[-1] == "No findings left (1 withdrawn by --verify)."


def test_verify_marks_every_finding_and_counts_them(ckpts, hub_cache, tmp_path):
    saved = json.loads((ckpts["bert"] / "config.json").read_text())["num_attention_heads"]
    hub_cache("acme/tiny-bert", ckpts["bert"])
    script = tmp_path / "three.py"
    script.write_text(SCRIPT.format(heads=saved * 2) + "from transformers import AdamW\n"
                      'other = AutoConfig.from_pretrained("acme/not-here")\nother.hidden_size = 8\n'
                      'AutoModel.from_pretrained("acme/not-here", config=other)\n')
    proc = subprocess.run([sys.executable, "-m", "hflint", "check", "--no-config", "--target-transformers", "5.0",
                           "--verify", str(script)], capture_output=True, text=True, timeout=120)
    lines = proc.stdout.splitlines()
    assert proc.returncode == 1
    assert [line.split(" [")[-1].split(":")[0] for line in lines[:-1]] == \
        ["verified", "not verifiable", "not verifiable"], proc.stdout  # HF201, HF501 (no check), HF201 (no files)
    assert lines[-1] == "Found 3 findings (1 confirmed, 2 not verifiable, 0 withdrawn by --verify)."
    assert "hflint: --verify: 1 confirmed, 0 withdrawn, 2 could not be verified:" in proc.stderr


def test_verify_confirms_a_real_change_and_says_what_it_could_not_check(ckpts, hub_cache, tmp_path):
    saved = json.loads((ckpts["bert"] / "config.json").read_text())["num_attention_heads"]
    hub_cache("acme/tiny-bert", ckpts["bert"])
    verified, _ = _check(tmp_path, saved * 2, "--verify")
    assert [f["code"] for f in verified] == ["HF201"] and "[verified" in verified[0]["message"]
    (tmp_path / "hub" / "models--acme--tiny-bert").rename(tmp_path / "hub" / "gone")
    kept, stderr = _check(tmp_path, saved * 2, "--verify")
    assert [f["code"] for f in kept] == ["HF201"] and "could not be verified" in stderr and "acme/tiny-bert" in stderr


# --- candidates only local files can decide (two local folders, a folder's saved padding side) --------

PAIR = '''from transformers import AutoModel, AutoTokenizer
tokenizer = AutoTokenizer.from_pretrained("{tok}")
model = AutoModel.from_pretrained("{model}")
out = model(**tokenizer(["hello world"], return_tensors="pt"))
'''


def _pair(tmp_path, tok, model, *flags):
    script = tmp_path / "pair.py"
    script.write_text(PAIR.format(tok=tok, model=model))
    proc = subprocess.run([sys.executable, "-m", "hflint", "check", "--no-config", "--format", "json", *flags,
                           str(script)], capture_output=True, text=True, timeout=120)
    assert "Traceback" not in proc.stderr, proc.stderr
    return json.loads(proc.stdout), proc.stderr


def test_two_local_folders_are_silent_statically_and_compared_by_verify(ckpts, tmp_path):
    same, other = ckpts["bert"], ckpts["roberta"]
    assert _pair(tmp_path, same, other)[0] == []  # statically: the folders may hold one vocabulary
    [finding], _ = _pair(tmp_path, same, other, "--verify")
    assert finding["code"] == "HF101" and finding["verification"]["status"] == "confirmed"
    assert "different vocabularies" in finding["verification"]["detail"]
    copy = tmp_path / "bert-copy"
    import shutil

    shutil.copytree(same, copy)
    assert _pair(tmp_path, same, copy, "--verify")[0] == []  # identical vocabularies: nothing to report
    findings, stderr = _pair(tmp_path, same, tmp_path / "missing-folder", "--verify")
    assert findings == [] and "1 could not be verified" in stderr and "HF101 (a candidate" in stderr


GENERATE = '''from transformers import AutoModelForCausalLM, AutoTokenizer
tokenizer = AutoTokenizer.from_pretrained("{folder}")
tokenizer.pad_token = tokenizer.eos_token
model = AutoModelForCausalLM.from_pretrained("{folder}")
batch = tokenizer(["hello", "hello world"], padding=True, return_tensors="pt")
out = model.generate(**batch, max_new_tokens=5)
'''


def test_a_local_folders_saved_padding_side_is_read_by_verify(ckpts, tmp_path):
    import shutil

    for side, expected in (("right", ["HF601"]), ("left", [])):
        folder = tmp_path / f"gpt2-{side}"
        shutil.copytree(ckpts["gpt2"], folder)
        config_path = folder / "tokenizer_config.json"
        config = json.loads(config_path.read_text())
        config["padding_side"] = side
        config_path.write_text(json.dumps(config))
        script = tmp_path / f"gen_{side}.py"
        script.write_text(GENERATE.format(folder=folder))
        run = [sys.executable, "-m", "hflint", "check", "--no-config", "--format", "json", str(script)]
        static = json.loads(subprocess.run(run, capture_output=True, text=True, timeout=120).stdout)
        assert [f["code"] for f in static] == []  # the saved side is unknown statically
        verified = json.loads(subprocess.run(run + ["--verify"], capture_output=True, text=True, timeout=120).stdout)
        assert [f["code"] for f in verified] == expected
