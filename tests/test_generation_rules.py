"""Edges of the HF6xx rules that the in-rule examples do not pin down: hooks, prefilter, defaults."""
from __future__ import annotations

import ast
import textwrap

import pytest

from hflint.config import Settings
from hflint.engine import lint_source
from hflint.prefilter import scan
from hflint.rules import rule_by_code

ALL = Settings(select=["ALL"])


def _codes(source: str, code: str, settings: Settings = ALL) -> list[tuple[int, str]]:
    source = textwrap.dedent(source).strip("\n") + "\n"
    return [(f.line, f.code) for f in lint_source(source, "x.py", settings).findings if f.code == code]


@pytest.mark.parametrize("code", ["HF601", "HF602", "HF603", "HF604"])
def test_prefilter_keeps_every_invalid_example(code):
    rule = rule_by_code(code)
    for example in rule.INVALID:
        assert rule.may_match(scan(ast.parse(example.source()))), example.source()


def test_bare_no_grad_decorator_imported_from_torch():
    assert _codes("""
        from torch import no_grad
        from transformers import BertConfig, BertForSequenceClassification
        model = BertForSequenceClassification(BertConfig())

        @no_grad
        def predict(batch):
            return model(**batch).logits
    """, "HF604") == []  # the function body runs later, with no train() in its own scope
    assert _codes("""
        from torch import no_grad
        from transformers import BertConfig, BertForSequenceClassification

        @no_grad
        def predict(batch):
            model = BertForSequenceClassification(BertConfig())
            return model(**batch).logits
    """, "HF604") == [(7, "HF604")]


def test_one_finding_per_missing_eval():
    assert _codes("""
        import torch
        from transformers import AutoModelForCausalLM
        model = AutoModelForCausalLM.from_pretrained("gpt2")
        model.train()
        with torch.no_grad():
            a = model(torch.tensor([[1]]))
            b = model(torch.tensor([[2]]))
    """, "HF604") == [(6, "HF604")]


def test_set_grad_enabled_false_counts_as_no_grad():
    source = """
        import torch
        from transformers import AutoModelForCausalLM
        model = AutoModelForCausalLM.from_pretrained("gpt2")
        model.train()
        with torch.set_grad_enabled({flag}):
            out = model(torch.tensor([[1]]))
    """
    assert _codes(source.replace("{flag}", "False"), "HF604") == [(6, "HF604")]
    assert _codes(source.replace("{flag}", "True"), "HF604") == []


def test_model_handed_to_a_helper_may_be_put_in_eval_mode():
    assert _codes("""
        import torch
        from transformers import AutoModelForCausalLM
        model = AutoModelForCausalLM.from_pretrained("gpt2")
        model.train()
        prepare_for_eval(model)
        with torch.no_grad():
            out = model(torch.tensor([[1]]))
    """, "HF604") == []


def test_pad_token_on_a_parameter_tokenizer():
    source = """
        from transformers import DataCollatorForLanguageModeling
        def collator_for(tokenizer):
            tokenizer.pad_token = tokenizer.eos_token
            {extra}
            return DataCollatorForLanguageModeling(tokenizer, mlm=False)
    """
    assert _codes(source.replace("{extra}", "pass"), "HF602") == [(3, "HF602")]
    # a distinct pad token set on some path: which one wins is unknown
    assert _codes(source.replace("{extra}", "tokenizer.pad_token = '<pad>'"), "HF602") == []
    # another name is another tokenizer
    assert _codes(source.replace("{extra}", "pass").replace("(tokenizer, mlm", "(other, mlm"), "HF602") == []


def test_left_padding_set_in_another_function_is_trusted():
    assert _codes("""
        from transformers import AutoModelForCausalLM, AutoTokenizer
        tokenizer = AutoTokenizer.from_pretrained("gpt2")
        model = AutoModelForCausalLM.from_pretrained("gpt2")
        def setup():
            tokenizer.padding_side = "left"
            tokenizer.pad_token = tokenizer.eos_token
        setup()
        inputs = tokenizer(["a", "b c"], padding=True, return_tensors="pt")
        out = model.generate(**inputs, max_new_tokens=5)
    """, "HF601") == []


def test_padding_side_given_to_the_tokenizer_call():
    source = """
        from transformers import AutoModelForCausalLM, AutoTokenizer
        tokenizer = AutoTokenizer.from_pretrained("gpt2")
        model = AutoModelForCausalLM.from_pretrained("gpt2")
        inputs = tokenizer(["a", "b c"], padding=True, padding_side="{side}", return_tensors="pt")
        out = model.generate(**inputs, max_new_tokens=5)
    """
    assert _codes(source.replace("{side}", "left"), "HF601") == []
    assert _codes(source.replace("{side}", "right"), "HF601") == [(5, "HF601")]


def test_singular_prompt_name_is_not_a_batch():
    assert _codes("""
        from transformers import AutoModelForCausalLM, AutoTokenizer
        tokenizer = AutoTokenizer.from_pretrained("gpt2")
        model = AutoModelForCausalLM.from_pretrained("gpt2")
        def complete(prompt):
            inputs = tokenizer(prompt, padding=True, return_tensors="pt")
            return model.generate(**inputs, max_new_tokens=5)
    """, "HF601") == []


def test_generate_without_limit_is_off_by_default():
    source = """
        from transformers import AutoModelForCausalLM
        model = AutoModelForCausalLM.from_pretrained("gpt2")
        out = model.generate(input_ids=[[1, 2]])
    """
    assert _codes(source, "HF603") == [(3, "HF603")]
    assert _codes(source, "HF603", Settings()) == []
