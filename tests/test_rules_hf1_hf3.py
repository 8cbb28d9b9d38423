"""Edges of HF102, HF103, HF203 and HF303 that the rules' own examples do not show: settings, the prefilter,
interplay with other rules, and the small predicates they decide with."""
from __future__ import annotations

import ast
import textwrap

import pytest

from hflint.config import Settings
from hflint.engine import lint_source
from hflint.prefilter import scan
from hflint.rules import rule_by_code
from hflint.rules.checkpoints import foreign_scripts, likely_typo
from hflint.rules.vocab import is_special_token_shaped


def codes(source: str, settings: Settings = None, **kw) -> list[tuple[int, str]]:
    text = textwrap.dedent(source).lstrip("\n")
    return [(f.line, f.code) for f in lint_source(text, "x.py", settings or Settings(select=["ALL"]), **kw).findings]


@pytest.mark.parametrize("cid,suggestion,expected", [
    ("bert-base-case", "bert-base-cased", True),
    ("gtp2", "gpt2", True),
    ("Helsinki-NLP/opus-mt-en-fr", "Helsinki-NLP/opus-mt-en-de", False),  # another language pair
    ("google/gemma-3-12b-it", "google/gemma-4-E2B-it", False),  # other numbers: another model
    ("deepseek-ai/DeepSeek-R1", "deepseek-ai/DeepSeek-V3", False),
    ("bigscience/bloomz-7b1", "bigscience/bloom-7b1", False),  # matches a known family's pattern
])
def test_likely_typo(cid, suggestion, expected):
    assert likely_typo(cid, suggestion) is expected


@pytest.mark.parametrize("text,scripts", [
    ("나는 정말 열심히 노력하고 있다.", ["Hangul"]),
    ("Привет, мир", ["Cyrillic"]),
    ("Our colleague 김민수 joined the Seoul office today 🎉", []),  # a name in English text
    ("🎉🎉🎉 !!!", []),
    ("Café crème brûlée", []),
    ("中", []),  # a single character
])
def test_foreign_scripts(text, scripts):
    assert foreign_scripts(text, frozenset({"Latin"})) == scripts


@pytest.mark.parametrize("token,shaped", [
    ("[S1]", True), ("[SEP2]", True), ("<e1>", True), ("</e1>", True), ("<|user|>", True), ("<<SYS>>", True),
    ("[/E1]", True), ("<SEP>", True), ("</s>", True),
    ("COVID", False), ("mRNA", False), ("<3", False), ("<url>", False), ("<think>", False), ("<h1>", False),
    ("[ ]", False), ("_start_", False),
])
def test_special_token_shape(token, shaped):
    assert is_special_token_shaped(token) is shaped


def test_prefilter_sees_non_ascii_strings():
    assert scan(ast.parse("x = 'abc'")).non_ascii_strings is False
    assert scan(ast.parse("x = '나는'")).non_ascii_strings is True
    assert scan(ast.parse("x = '\\uac00'")).non_ascii_strings is True


def test_rules_skip_files_that_cannot_match():
    hf103 = rule_by_code("HF103")
    english = scan(ast.parse("from transformers import AutoTokenizer\n"
                             "tok = AutoTokenizer.from_pretrained('gpt2')\ntok('hello')\n"))
    assert not hf103.may_match(english)
    positional = scan(ast.parse("from transformers import pipeline\np = pipeline('ner', 'bert-base-cassed')\n"))
    assert rule_by_code("HF102").may_match(positional)


def test_typo_is_reported_once_per_literal_and_not_as_a_mismatch():
    source = """
        from transformers import AutoConfig, AutoModel, AutoTokenizer
        name = 'bert-base-case'
        config = AutoConfig.from_pretrained(name)
        tokenizer = AutoTokenizer.from_pretrained(name)
        model = AutoModel.from_pretrained('bert-base-cased')
        out = model(**tokenizer("hi", return_tensors="pt"))
    """
    assert codes(source) == [(2, "HF102")]


def test_known_checkpoints_setting_silences_hf102():
    source = """
        from transformers import AutoModel
        model = AutoModel.from_pretrained('bert-base-case')
    """
    assert codes(source, Settings(select=["HF102"], known_checkpoints=["bert-base-case"])) == []


def test_vocabulary_families_setting_silences_hf103():
    source = """
        from transformers import AutoTokenizer
        tok = AutoTokenizer.from_pretrained('roberta-base')
        tok('나는 정말 열심히 노력하고 있다.')
    """
    assert codes(source, Settings(select=["HF103"])) == [(3, "HF103")]
    assert codes(source, Settings(select=["HF103"], vocabulary_families={"mine": ["roberta-base"]})) == []


def test_hf203_is_off_by_default():
    source = """
        from transformers import AutoConfig, AutoModel, AutoTokenizer
        tokenizer = AutoTokenizer.from_pretrained('roberta-base')
        model = AutoModel.from_config(AutoConfig.from_pretrained('roberta-base'))
    """
    assert codes(source, Settings()) == []
    assert codes(source, Settings(extend_select=["HF203"])) == [(3, "HF203")]


def test_special_marker_added_without_resize_gives_hf301_and_hf303():
    source = """
        from transformers import AutoModel, AutoTokenizer
        tokenizer = AutoTokenizer.from_pretrained('bert-base-cased')
        model = AutoModel.from_pretrained('bert-base-cased')
        tokenizer.add_tokens(['[S1]'])
        out = model(**tokenizer('[S1] hi', return_tensors='pt'))
    """
    assert codes(source, Settings()) == [(4, "HF301"), (4, "HF303")]
