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


def _check(tmp_path, heads, *flags):
    script = tmp_path / f"heads_{heads}.py"
    script.write_text(SCRIPT.format(heads=heads))
    proc = subprocess.run([sys.executable, "-m", "hflint", "check", "--no-config", "--format", "json", *flags,
                           str(script)], capture_output=True, text=True, timeout=120, env=dict(os.environ))
    assert "Traceback" not in proc.stderr, proc.stderr
    return json.loads(proc.stdout), proc.stderr


def test_verify_withdraws_an_edit_that_keeps_the_checkpoint_value(ckpts, hub_cache, tmp_path):
    saved = json.loads((ckpts["bert"] / "config.json").read_text())["num_attention_heads"]
    hub_cache("acme/tiny-bert", ckpts["bert"])
    static, _ = _check(tmp_path, saved)
    assert [f["code"] for f in static] == ["HF201"]
    verified, _ = _check(tmp_path, saved, "--verify")
    assert verified == []


def test_verify_confirms_a_real_change_and_says_what_it_could_not_check(ckpts, hub_cache, tmp_path):
    saved = json.loads((ckpts["bert"] / "config.json").read_text())["num_attention_heads"]
    hub_cache("acme/tiny-bert", ckpts["bert"])
    verified, _ = _check(tmp_path, saved * 2, "--verify")
    assert [f["code"] for f in verified] == ["HF201"] and "[verified" in verified[0]["message"]
    (tmp_path / "hub" / "models--acme--tiny-bert").rename(tmp_path / "hub" / "gone")
    kept, stderr = _check(tmp_path, saved * 2, "--verify")
    assert [f["code"] for f in kept] == ["HF201"] and "could not be verified" in stderr and "acme/tiny-bert" in stderr
