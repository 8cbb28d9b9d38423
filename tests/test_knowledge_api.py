"""The version and checkpoint knowledge the HF1xx/HF5xx rules query (hflint.knowledge.api)."""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hflint.knowledge import api, load

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def no_installed(monkeypatch):
    """Pretend no transformers is installed, so targets come from flags, configuration or the data."""
    monkeypatch.setattr(api, "installed_version", lambda: None)


# ---------------------------------------------------------------- data shape

def test_history_covers_at_least_fifteen_releases_from_4_30():
    versions = api.covered_versions()
    assert len(versions) >= 15
    assert versions[0] == (4, 30)
    assert versions == tuple(sorted(versions))
    assert "_source" in load("checkpoints")
    for table in ("exports", "keywords", "members", "tasks"):
        assert "_source" in api.bundled().table(table)


def test_owners_include_the_ones_the_rules_need():
    for owner in ("exports", "TrainingArguments", "Seq2SeqTrainingArguments", "Trainer", "Seq2SeqTrainer",
                  "from_pretrained.model", "from_pretrained.tokenizer", "from_pretrained.config", "pipeline",
                  "GenerationConfig", "tokenizer.__call__", "tokenizer.pad"):
        assert owner in api.owners()
    assert api.is_closed("TrainingArguments") and api.is_closed("Trainer")
    assert not api.is_closed("from_pretrained.model") and not api.is_closed("GenerationConfig")


# ---------------------------------------------------------------- targets

def test_explicit_target_beats_installed(monkeypatch):
    # SPEC HF5xx: flag > configuration > installed > declared dependency > newest known
    monkeypatch.setattr(api, "installed_version", lambda: (4, 46))
    assert api.target_version("4.40") == (4, 40)
    assert api.resolve_target(None, "4.40") == (4, 40)
    assert api.resolve_target("5.0", "4.40") == (5, 0)
    assert api.resolve_target(None, None) == (4, 46)
    chosen = api.choose_target(None)
    assert chosen == (4, 46) and chosen.origin == "installed"
    assert api.choose_target("5.0", "--target-transformers").origin == "--target-transformers"


def test_target_version_without_installed(no_installed):
    assert api.target_version("4.46.3") == (4, 46)
    assert api.target_version("5.0") == (5, 0)
    assert api.target_version(None) == api.newest_version()
    assert api.resolve_target(None, None) == api.newest_version()
    assert api.resolve_target(None, "4.40") == (4, 40)
    assert api.resolve_target("v4.41", "4.40") == (4, 41)
    assert api.choose_target(None).origin == "default"


def test_parse_version():
    assert api.parse_version("4.40.0.dev0") == (4, 40)
    assert api.parse_version("5") == (5, 0)
    assert api.parse_version("v5.2rc1") == (5, 2)
    with pytest.raises(ValueError):
        api.parse_version("latest")


def test_installed_version_reads_metadata_without_importing_transformers():
    before = "transformers" in sys.modules
    api.installed_version()
    assert ("transformers" in sys.modules) == before


# ---------------------------------------------------------------- parameters, both directions

def test_processing_class_follows_the_target():
    assert api.param_status("Trainer", "processing_class", (4, 40)).state == "not_yet"
    assert api.param_status("Trainer", "processing_class", (4, 46)).state == "ok"
    assert api.param_status("Trainer", "processing_class", (5, 0)).state == "ok"
    assert api.param_status("Trainer", "processing_class", (4, 40)).added == "4.46"


def test_trainer_tokenizer_deprecated_then_removed():
    assert api.param_status("Trainer", "tokenizer", (4, 40)).state == "ok"
    st = api.param_status("Trainer", "tokenizer", (4, 46))
    assert st.state == "deprecated"
    assert st.replacement == "processing_class"
    assert st.planned_removal == "5.0"
    assert api.param_status("Trainer", "tokenizer", (5, 0)).state == "removed"
    assert api.param_status("Seq2SeqTrainer", "tokenizer", (5, 0)).state == "removed"


def test_evaluation_strategy_as_the_releases_have_it():
    # eval_strategy appeared in 4.41 with evaluation_strategy deprecated ("will be removed in version 4.46"); the
    # field was actually dropped in 4.51.
    st = api.param_status("TrainingArguments", "evaluation_strategy", (4, 40))
    assert st.state == "ok"
    assert (st.deprecated, st.planned_removal, st.removed, st.replacement) == ("4.41", "4.46", "4.51", "eval_strategy")
    assert api.param_status("TrainingArguments", "evaluation_strategy", (4, 41)).state == "deprecated"
    assert api.param_status("TrainingArguments", "evaluation_strategy", (4, 50)).state == "deprecated"
    assert api.param_status("TrainingArguments", "evaluation_strategy", (4, 51)).state == "removed"
    assert api.param_status("TrainingArguments", "evaluation_strategy", (5, 0)).state == "removed"
    assert api.param_status("TrainingArguments", "eval_strategy", (4, 40)).state == "not_yet"
    assert api.param_status("TrainingArguments", "eval_strategy", (4, 41)).state == "ok"


def test_v5_training_arguments_removals():
    assert api.param_status("TrainingArguments", "overwrite_output_dir", (4, 57)).state == "ok"
    assert api.param_status("TrainingArguments", "overwrite_output_dir", (5, 0)).state == "removed"
    assert api.param_status("TrainingArguments", "no_cuda", (5, 0)).state == "removed"
    assert api.param_status("TrainingArguments", "no_cuda", (4, 40)).replacement == "use_cpu"
    # logging_dir: deprecated in 5.0 ("will be removed in v5.2"), still accepted until it disappeared in 5.15
    st = api.param_status("TrainingArguments", "logging_dir", (5, 0))
    assert st.state == "deprecated" and st.removed == "5.15"
    assert api.param_status("TrainingArguments", "logging_dir", (5, 15)).state == "removed"


def test_use_auth_token_removed_in_v5():
    for owner in ("from_pretrained.model", "from_pretrained.tokenizer", "from_pretrained.config"):
        assert api.param_status(owner, "use_auth_token", (4, 40)).state == "deprecated"
        st = api.param_status(owner, "use_auth_token", (5, 0))
        assert st.state == "removed" and st.replacement == "token"


def test_never_existing_keyword_is_unknown():
    st = api.param_status("TrainingArguments", "model_name", (5, 0))
    assert st.state == "unknown" and st.added is None
    assert api.param_status("NoSuchOwner", "x", (5, 0)) is None


def test_generation_config_and_pipeline_keywords():
    assert api.param_status("GenerationConfig", "max_new_tokens", (4, 30)).state == "ok"
    assert api.param_status("GenerationConfig", "min_p", (4, 40)).state == "not_yet"
    assert api.param_status("GenerationConfig", "min_p", (4, 41)).state == "ok"
    assert api.param_status("pipeline", "model", (5, 0)).state == "ok"


# ---------------------------------------------------------------- exports

def test_exports_removed_in_v5():
    for name in ("AutoModelWithLMHead", "TFAutoModel", "FlaxBertModel"):
        assert api.export_status(name, (4, 40)).state in ("ok", "deprecated")
        assert api.export_status(name, (5, 0)).state == "removed"
        assert name not in api.names_at("exports", (5, 0))
    assert "torch.optim.AdamW" == api.export_status("AdamW", (5, 0)).replacement
    assert api.export_status("AdamW", (5, 0)).state == "removed"
    assert "AutoModelForCausalLM" in api.export_status("AutoModelWithLMHead", (5, 0)).replacement
    assert "removed in v5" in api.export_status("TFAutoModel", (5, 0)).replacement


def test_misspelled_export_is_unknown_with_suggestion():
    st = api.export_status("AutoModelforQuestionAnswering", (5, 0))
    assert st.state == "unknown"
    assert api.closest("AutoModelforQuestionAnswering", api.names_at("exports", (5, 0))) == \
        "AutoModelForQuestionAnswering"


def test_exports_include_submodules_and_core_classes():
    names = api.names_at("exports", (4, 40))
    assert {"AutoModel", "AutoTokenizer", "Trainer", "TrainingArguments", "pipeline", "trainer_utils",
            "__version__"} <= names
    assert "PreTrainedConfig" in api.names_at("exports", (5, 0))
    assert api.export_status("PreTrainedConfig", (4, 40)).state == "not_yet"


def test_names_at_clamps_out_of_range_targets():
    assert api.names_at("Trainer", (3, 0)) == api.names_at("Trainer", api.covered_versions()[0])
    assert api.names_at("Trainer", (99, 0)) == api.names_at("Trainer", api.newest_version())
    assert "processing_class" in api.names_at("Trainer", "5.0")


# ---------------------------------------------------------------- closest

def test_closest():
    assert api.closest("learning_rte", ["learning_rate", "lr_scheduler_type"]) == "learning_rate"
    assert api.closest("num_train_epoch", ["num_train_epochs", "max_steps"]) == "num_train_epochs"
    assert api.closest("completely_different", ["learning_rate"]) is None
    assert api.closest("x", []) is None
    # a case-only difference is nearest; ties go to the smaller case-sensitive distance
    assert api.closest("autotokenizer", ["AutoTokenizer", "AutoTokenize"]) == "AutoTokenizer"
    assert api.closest("AutoTokenizer", ["AutoTokenizer"]) is None


@pytest.mark.parametrize("a,b,d", [
    ("abc", "abc", 0), ("abc", "acb", 1), ("abc", "ab", 1), ("abc", "xbc", 1), ("roberta-bsae", "roberta-base", 1),
    ("kitten", "sitting", 3), ("", "ab", 2), ("ca", "abc", 3),
])
def test_edit_distance(a, b, d):
    assert api.edit_distance(a, b, limit=5) == d
    assert api.edit_distance(a, b, limit=1) == min(d, 2)


# ---------------------------------------------------------------- checkpoints

def test_known_checkpoints_and_aliases():
    known = api.known_checkpoints()
    assert len(known) >= 500
    for short, namespaced in [("bert-base-cased", "google-bert/bert-base-cased"), ("gpt2", "openai-community/gpt2"),
                              ("roberta-base", "FacebookAI/roberta-base"),
                              ("distilbert-base-uncased", "distilbert/distilbert-base-uncased"),
                              ("t5-small", "google-t5/t5-small"),
                              ("xlm-roberta-base", "FacebookAI/xlm-roberta-base"),
                              ("albert-base-v2", "albert/albert-base-v2"),
                              ("xlnet-base-cased", "xlnet/xlnet-base-cased")]:
        assert short in known and namespaced in known
        assert api.checkpoint_aliases()[short] == namespaced
    assert "my-org/private-model" in api.known_checkpoints(extra=["my-org/private-model"])


def test_known_checkpoints_include_local_hf_cache(tmp_path, monkeypatch):
    (tmp_path / "models--acme--secret-bert").mkdir()
    (tmp_path / "models--tiny").mkdir()
    (tmp_path / "datasets--acme--data").mkdir()
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    known = api.known_checkpoints()
    assert "acme/secret-bert" in known and "tiny" in known
    assert "acme/data" not in known
    assert api.closest_checkpoint("acme/secret-bret") == "acme/secret-bert"
    monkeypatch.delenv("HF_HUB_CACHE")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "home"))
    assert api.hf_cache_dir() == tmp_path / "home" / "hub"


@pytest.mark.parametrize("typo,expected", [
    ("bert-base-case", "bert-base-cased"),
    ("roberta-bsae", "roberta-base"),
    ("xlm-roberta-bas", "xlm-roberta-base"),
    ("distilbert/distilbert-base-uncase", "distilbert/distilbert-base-uncased"),
    ("google-bert/bert-base-uncsed", "google-bert/bert-base-uncased"),
    ("t5-smal", "t5-small"),
])
def test_closest_checkpoint_finds_typos(typo, expected):
    assert api.closest_checkpoint(typo) == expected


@pytest.mark.parametrize("cid", [
    "bert-base-cased", "BERT-base-cased", "google-bert/bert-base-cased", "gpt2",  # known (any case)
    "./bert-base-case", "/models/bert-base-case", "~/bert-base-case", "../roberta-bsae",  # local paths
    "acme/completely-private-model",  # far from everything
    "gpt9",  # short ids get one edit at most and differ only in a number here
    "facebook/opt-9.9b",  # another size of a known family is not a typo
    "",
])
def test_closest_checkpoint_stays_silent(cid):
    assert api.closest_checkpoint(cid) is None


def test_closest_checkpoint_is_fast():
    ids = sorted(api.known_checkpoints())
    queries = []
    for i in range(1000):
        cid = ids[(i * 7919) % len(ids)]
        k = i % len(cid)
        queries.append(cid[:k] + cid[k + 1:] if i % 2 else f"someorg-{i}/model-{i}")
    api.closest_checkpoint("warm-up")
    api._closest_checkpoint.cache_clear()
    start = time.perf_counter()
    for q in queries:
        api.closest_checkpoint(q)
    elapsed = time.perf_counter() - start
    # ~40-180 ms on a loaded 2-core CI box; the bound leaves room for slower machines
    assert elapsed < 1.0, elapsed


# ---------------------------------------------------------------- the generators reproduce the shipped data

def _wheels_cached(versions) -> bool:
    sys.path.insert(0, str(REPO / "tools"))
    try:
        from gen_api_history import wheel_path
    finally:
        sys.path.pop(0)
    return all(wheel_path(v).exists() for v in versions)


def test_api_history_generator_reproduces_shipped_json():
    versions = api.bundled().table("exports")["versions"]
    if not _wheels_cached(versions):
        pytest.skip("transformers wheels not cached (set HFLINT_WHEEL_CACHE)")
    proc = subprocess.run([sys.executable, str(REPO / "tools" / "gen_api_history.py"), "--check", "--no-download"],
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_checkpoints_generator_reproduces_shipped_json():
    sys.path.insert(0, str(REPO / "tools"))
    try:
        from gen_checkpoints import WHEELS
    finally:
        sys.path.pop(0)
    if not _wheels_cached(WHEELS):
        pytest.skip("transformers wheels not cached (set HFLINT_WHEEL_CACHE)")
    proc = subprocess.run([sys.executable, str(REPO / "tools" / "gen_checkpoints.py"), "--check", "--no-download"],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_json_files_stay_compact():
    paths = [REPO / "hflint" / "knowledge" / "checkpoints.json"]
    paths += sorted((REPO / "hflint" / "knowledge" / "api").glob("*.json"))
    assert len(paths) == 5
    for path in paths:
        assert path.stat().st_size < 600_000
        json.loads(path.read_text(encoding="utf-8"))
