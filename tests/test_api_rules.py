"""HF304 and HF5xx against targets other than the installed transformers: the rules follow the target both ways.

The rules' own VALID/INVALID examples run against the default target (the installed transformers); these tests set
``target_transformers`` through Settings and through ``hflint check --target-transformers``.
"""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from hflint.config import Settings
from hflint.engine import lint_source
from hflint.knowledge import api

ROOT = Path(__file__).resolve().parent.parent


def lint(source: str, target: str | None = None, select=("HF5", "HF304")):
    settings = Settings(select=list(select), target_transformers=target)
    findings = lint_source(textwrap.dedent(source).lstrip("\n"), "x.py", settings).findings
    return [(f.line, f.code, f.message) for f in findings]


def codes(source: str, target: str | None = None):
    return [(line, code) for line, code, _ in lint(source, target)]


TRAINER_TOKENIZER = """
    from transformers import Trainer
    trainer = Trainer(model=model, args=args, tokenizer=tokenizer)
"""
TRAINER_PROCESSING_CLASS = """
    from transformers import Trainer
    trainer = Trainer(model=model, args=args, processing_class=tokenizer)
"""


# ---------------------------------------------------------------- Trainer(tokenizer=) / processing_class=

@pytest.mark.parametrize("target", ["5.0", "5.24"])
def test_trainer_tokenizer_is_an_error_on_v5(target):
    [(line, code, message)] = lint(TRAINER_TOKENIZER, target)
    assert (line, code) == (2, "HF502")
    assert message == (f"`tokenizer` is not an argument of `Trainer` in transformers {target}: removed in 5.0; "
                       "use `processing_class=`")


@pytest.mark.parametrize("target", ["4.46", "4.50", "4.57"])
def test_trainer_tokenizer_is_deprecated_from_4_46(target):
    [(line, code, message)] = lint(TRAINER_TOKENIZER, target)
    assert (line, code) == (2, "HF503")
    assert f"deprecated since 4.46 (target transformers {target}), removed in 5.0; use `processing_class=`" in message


@pytest.mark.parametrize("target", ["4.30", "4.40", "4.45"])
def test_trainer_tokenizer_is_fine_before_4_46(target):
    assert lint(TRAINER_TOKENIZER, target) == []


def test_processing_class_is_an_error_before_4_46():
    [(line, code, message)] = lint(TRAINER_PROCESSING_CLASS, "4.40")
    assert (line, code) == (2, "HF502")
    assert message == ("`processing_class` is not an argument of `Trainer` in transformers 4.40: added in 4.46; "
                       "use `tokenizer=`")


@pytest.mark.parametrize("target", ["4.46", "4.57", "5.0", None])
def test_processing_class_is_fine_from_4_46(target):
    assert lint(TRAINER_PROCESSING_CLASS, target) == []


def test_processing_class_fix_at_an_old_target_renames_back():
    from hflint.fixes import fix_text

    source = textwrap.dedent(TRAINER_PROCESSING_CLASS).lstrip("\n")
    result = fix_text(source, "x.py", Settings(select=["HF502"], target_transformers="4.40"))
    assert "tokenizer=tokenizer" in result.state and "processing_class" not in result.state


# ---------------------------------------------------------------- evaluation_strategy across releases

EVALUATION_STRATEGY = """
    from transformers import TrainingArguments
    args = TrainingArguments("out", evaluation_strategy="epoch")
"""
EVAL_STRATEGY = """
    from transformers import TrainingArguments
    args = TrainingArguments("out", eval_strategy="epoch")
"""


def test_evaluation_strategy_follows_the_target():
    assert lint(EVALUATION_STRATEGY, "4.40") == []
    [(_, code, message)] = lint(EVALUATION_STRATEGY, "4.45")
    assert code == "HF503" and "deprecated since 4.41" in message and "removed in 4.51" in message
    [(_, code, message)] = lint(EVALUATION_STRATEGY, "5.0")
    assert code == "HF502" and message.endswith("removed in 4.51; use `eval_strategy=`")
    [(_, code, message)] = lint(EVAL_STRATEGY, "4.40")
    assert code == "HF502" and message.endswith("added in 4.41; use `evaluation_strategy=`")
    assert lint(EVAL_STRATEGY, "4.41") == []


def test_never_existing_keyword_only_for_closed_owners():
    source = """
        from transformers import AutoModel, TrainingArguments
        args = TrainingArguments("out", model_name="bert")
        model = AutoModel.from_pretrained("bert-base-cased", model_name="bert")
    """
    assert codes(source, "4.40") == [(2, "HF502")]
    assert codes(source, "5.0") == [(2, "HF502")]


def test_kwargs_spreads_are_not_guessed_at():
    assert lint("""
        from transformers import TrainingArguments
        args = TrainingArguments("out", **{"evaluation_strategy": "epoch"})
    """, "5.0") == []


def test_pipeline_forwards_use_auth_token_to_the_model():
    source = """
        from transformers import pipeline
        pipe = pipeline("fill-mask", model="bert-base-cased", use_auth_token=True)
    """
    [(_, code, message)] = lint(source, "4.40")
    assert code == "HF503" and message.endswith("use `token=`")
    [(_, code, message)] = lint(source, "5.0")
    assert code == "HF502" and "removed in 5.0; use `token=`" in message


def test_removed_config_keyword_without_replacement_is_not_guessed():
    # the config's __init__ still takes attn_implementation through **kwargs
    assert lint("""
        from transformers import AutoConfig
        config = AutoConfig.from_pretrained("gpt2", attn_implementation="sdpa")
    """, "5.24") == []


# ---------------------------------------------------------------- HF501 across releases

def test_names_follow_the_target():
    source = """
        from transformers import AdamW, AutoModelForImageTextToText, TFAutoModel
    """
    old = lint(source, "4.40")
    assert [(c, m) for _, c, m in old] == [
        ("HF501", "`AutoModelForImageTextToText` is not exported by transformers 4.40: added in 4.46")]
    new = lint(source, "5.0")
    assert [m for _, _, m in new] == [
        "`AdamW` is not exported by transformers 5.0: removed in 4.50; use `torch.optim.AdamW`",
        "`TFAutoModel` is not exported by transformers 5.0: removed in 5.0 (TensorFlow/Flax support was removed "
        "in v5)",
    ]


def test_typo_in_attribute_access_of_an_aliased_module():
    [(line, code, message)] = lint("""
        import transformers as tf
        tok = tf.AutoTokenizr.from_pretrained("gpt2")
    """, "5.24")
    assert (line, code) == (2, "HF501") and message.endswith("did you mean `AutoTokenizer`?")


# ---------------------------------------------------------------- HF304 odds and ends

def test_hf304_is_silent_on_peft_and_trl_objects():
    assert lint("""
        from peft import PeftModel
        from trl import AutoModelForCausalLMWithValueHead
        model = PeftModel.from_pretrained(base, "adapter")
        model.print_trainable_parameter()
        vh = AutoModelForCausalLMWithValueHead.from_pretrained("gpt2")
        vh.pretrained_modle.generate()
    """) == []


def test_hf304_on_the_config_of_a_model():
    [(line, code, message)] = lint("""
        from transformers import AutoModel
        model = AutoModel.from_pretrained("bert-base-cased")
        print(model.config.num_hiden_layers)
    """)
    assert (line, code) == (3, "HF304") and "did you mean `num_hidden_layers`?" in message


def test_target_resolution_uses_the_cli_flag_first():
    assert api.resolve_target("4.40", None) == (4, 40)


# ---------------------------------------------------------------- the CLI, two targets, one file

CLI_FILE = """\
from transformers import AdamW, AutoModelForImageTextToText, Trainer, TrainingArguments

args = TrainingArguments("out", evaluation_strategy="epoch", no_cuda=True)
trainer = Trainer(model=model, args=args, tokenizer=tokenizer)
"""


def _cli(path: Path, target: str):
    proc = subprocess.run([sys.executable, "-m", "hflint", "check", "--no-config", "--select", "HF5", "--format",
                           "json", "--target-transformers", target, str(path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stderr
    return [(f["location"]["row"], f["code"], f["message"]) for f in json.loads(proc.stdout)]


def test_cli_target_flag_changes_the_findings(tmp_path):
    path = tmp_path / "train.py"
    path.write_text(CLI_FILE, encoding="utf-8")
    old = _cli(path, "4.40")
    new = _cli(path, "5.0")
    assert old == [
        (1, "HF501", "`AutoModelForImageTextToText` is not exported by transformers 4.40: added in 4.46"),
        (3, "HF503", "`no_cuda` of `TrainingArguments` is deprecated since 4.32 (target transformers 4.40), "
                     "removed in 5.0; use `use_cpu=`"),
    ]
    assert new == [
        (1, "HF501", "`AdamW` is not exported by transformers 5.0: removed in 4.50; use `torch.optim.AdamW`"),
        (3, "HF502", "`evaluation_strategy` is not an argument of `TrainingArguments` in transformers 5.0: "
                     "removed in 4.51; use `eval_strategy=`"),
        (3, "HF502", "`no_cuda` is not an argument of `TrainingArguments` in transformers 5.0: removed in 5.0; "
                     "use `use_cpu=`"),
        (4, "HF502", "`tokenizer` is not an argument of `Trainer` in transformers 5.0: removed in 5.0; "
                     "use `processing_class=`"),
    ]


# ---------------------------------------------------------------- code that chooses by version is left alone

def test_version_flag_guard_is_respected():
    assert lint("""
        import transformers
        from packaging import version
        transformers_lt_4_56 = version.parse(transformers.__version__) < version.parse("4.56")
        if transformers_lt_4_56:
            from transformers import HybridCache
    """, "5.24") == []


def test_version_flag_imported_from_another_module_is_respected():
    assert lint("""
        from .import_utils import is_transformers_version, transformers_lt_4_56
        if transformers_lt_4_56:
            from transformers import HybridCache
        if not is_transformers_version(">=", "5.0"):
            from transformers import AdamW
    """, "5.24") == []


def test_guards_are_recognised_by_what_they_test():
    """A flag bound in the file is judged by its value; getattr on an arguments object is no version check."""
    found = lint("""
        import sys
        from transformers import Trainer, TrainingArguments
        use_v5 = len(sys.argv) > 1
        if use_v5:
            from transformers import HybridCache
        if getattr(args, "fp16"):
            trainer = Trainer(model=model, args=TrainingArguments("out"), tokenizer=tok)
    """, "5.24")
    assert [(line, code) for line, code, _ in found] == [(5, "HF501"), (7, "HF502")]


def test_hasattr_conditional_expression_guards_hf304():
    assert lint("""
        from transformers import AutoModel
        model = AutoModel.from_pretrained("bert-base-cased")
        to_save = model.module if hasattr(model, "module") else model
        other = model.modle if hasattr(model, "modle") else model
    """) == []


def test_number_only_difference_is_not_a_typo():
    [(_, code, message)] = lint("""
        from transformers import GPT3ForSequenceClassification
    """, "5.24")
    assert code == "HF501" and "did you mean" not in message
