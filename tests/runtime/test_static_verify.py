"""verify_static (``hflint check --verify``) and the local checkpoint readers: offline, json only."""
from __future__ import annotations

import json
import subprocess
import sys

from hflint.finding import Finding
from hflint.runtime import local_files, verify_static


def finding(code, **data):
    return Finding("train.py", 12, 4, code, f"{code} static message", data=data)


def test_reading_needs_no_transformers():
    code = ("import sys; from hflint.runtime import verify_static, local_files; "
            "verify_static([]); assert 'transformers' not in sys.modules and 'torch' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_resolve_folder_and_hub_cache(ckpts, hub_cache, tmp_path):
    assert local_files.resolve_checkpoint(str(ckpts["bert"])) == ckpts["bert"].resolve()
    assert local_files.resolve_checkpoint("acme/tiny-bert") is None
    snap = hub_cache("acme/tiny-bert", ckpts["bert"])
    assert local_files.resolve_checkpoint("acme/tiny-bert") == snap
    assert local_files.resolve_checkpoint("./not/here") is None and local_files.resolve_checkpoint("") is None


def test_vocab_readers(ckpts, tmp_path):
    vocab = local_files.read_vocab(ckpts["bert"])
    assert vocab["[PAD]"] == 0 and vocab["hello"] == 5
    (tmp_path / "vocab.txt").write_text("[PAD]\n[UNK]\nhello\n")
    (tmp_path / "added_tokens.json").write_text(json.dumps({"COVID": 3}))
    assert local_files.read_vocab(tmp_path) == {"[PAD]": 0, "[UNK]": 1, "hello": 2, "COVID": 3}
    assert local_files.read_pooling(ckpts["st_mean"])[0] == "mean"
    assert local_files.read_pooling(ckpts["st_cls"])[0] == "cls"
    assert local_files.read_pooling(ckpts["bert"]) is None


def test_hf101_withdrawn_when_vocabularies_are_identical(ckpts, hub_cache):
    hub_cache("acme/bert-a", ckpts["bert"])
    hub_cache("acme/bert-b", ckpts["st_mean"])  # another checkpoint, same tokenizer
    same = finding("HF101", tokenizer_checkpoint="acme/bert-a", model_checkpoint="acme/bert-b")
    differ = finding("HF101", tokenizer_checkpoint=str(ckpts["bert_other"]), model_checkpoint="acme/bert-a")
    absent = finding("HF101", tokenizer_checkpoint="acme/bert-a", model_checkpoint="org/private-model")
    kept, missing = verify_static([same, differ, absent])
    assert [f.data.get("tokenizer_checkpoint") for f in kept] == [str(ckpts["bert_other"]), "acme/bert-a"]
    assert "[verified:" in kept[0].message and "different vocabularies" in kept[0].message
    assert kept[1].message == absent.message
    assert missing == ["train.py:12: HF101 not verified: no tokenizer files for `org/private-model` in a local "
                       "folder or the local Hugging Face cache"]


def test_hf201_confirmed_only_when_the_field_differs(ckpts):
    ckpt = str(ckpts["bert"])
    changed = finding("HF201", checkpoint=ckpt, field="num_attention_heads", value=4)
    unchanged = finding("HF201", checkpoint=ckpt, field="num_attention_heads", value=2)
    gpt2_alias = finding("HF201", checkpoint=str(ckpts["gpt2"]), field="num_attention_heads", value=8)
    unknown_value = finding("HF201", checkpoint=ckpt, field="hidden_size")
    not_local = finding("HF201", checkpoint="org/private-model", field="hidden_size", value=64)
    kept, missing = verify_static([changed, unchanged, gpt2_alias, unknown_value, not_local])
    assert [f.data.get("value") for f in kept] == [4, 8, None, 64]
    assert "num_attention_heads=2" in kept[0].message and "config.json" in kept[0].message
    assert "n_head" in kept[1].message or "num_attention_heads=2" in kept[1].message
    assert len(missing) == 2 and "not known statically" in missing[0] and "org/private-model" in missing[1]


def test_hf401_withdrawn_for_cls_pooled_checkpoints(ckpts):
    cls = finding("HF401", checkpoint=str(ckpts["st_cls"]))
    mean = finding("HF401", checkpoint=str(ckpts["st_mean"]))
    plain = finding("HF401", checkpoint=str(ckpts["bert"]))
    remote = finding("HF401", checkpoint="org/private-model")
    other = finding("HF301")
    kept, missing = verify_static([cls, mean, plain, remote, other])
    assert [f.data.get("checkpoint") for f in kept] == [str(ckpts["st_mean"]), str(ckpts["bert"]),
                                                        "org/private-model", None]
    assert "mean pooling" in kept[0].message and "no sentence-transformers pooling config" in kept[1].message
    assert kept[3] is other
    assert len(missing) == 1 and "HF401 not verified" in missing[0]
