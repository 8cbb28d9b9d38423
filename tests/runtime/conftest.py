"""Fixtures for the runtime tests: checkpoint folders of tiny models and a local Hugging Face cache."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

if importlib.util.find_spec("transformers") is None or importlib.util.find_spec("torch") is None:
    collect_ignore_glob = ["test_*.py"]  # runtime verification needs them; the static engine does not


@pytest.fixture(scope="session")
def ckpts(tmp_path_factory):
    """Checkpoint folders: bert, bert_other (same sizes, other vocabulary), roberta, gpt2, st_mean, st_cls."""
    from tiny_hf import (WORDS, bert_model, bert_tokenizer, gpt2_model, gpt2_tokenizer, roberta_model,
                         roberta_tokenizer, save_checkpoint)

    root = tmp_path_factory.mktemp("ckpts")
    tok = bert_tokenizer()
    other = bert_tokenizer(list(reversed(WORDS[:-1])) + ["##s"])
    return {
        "bert": save_checkpoint(root / "bert", bert_model(tok), tok),
        "bert_other": save_checkpoint(root / "bert_other", bert_model(other), other),
        "roberta": save_checkpoint(root / "roberta", roberta_model(roberta_tokenizer()), roberta_tokenizer()),
        "gpt2": save_checkpoint(root / "gpt2", gpt2_model(gpt2_tokenizer()), gpt2_tokenizer()),
        "st_mean": save_checkpoint(root / "st_mean", bert_model(tok), tok, pooling="mean"),
        "st_cls": save_checkpoint(root / "st_cls", bert_model(tok), tok, pooling="cls"),
    }


@pytest.fixture
def hub_cache(tmp_path, monkeypatch):
    """An empty local Hugging Face cache; ``add(repo_id, folder)`` puts a snapshot of a folder in it."""
    import shutil

    cache = tmp_path / "hub"
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))

    def add(repo_id: str, folder: Path) -> Path:
        repo = cache / ("models--" + repo_id.replace("/", "--"))
        snap = repo / "snapshots" / "0123abcd"
        shutil.copytree(folder, snap)
        (repo / "refs").mkdir(parents=True, exist_ok=True)
        (repo / "refs" / "main").write_text("0123abcd")
        return snap

    add.path = cache
    return add
