"""hflint.verify on live objects: each HF9xx fires on the bug and stays silent on the fix."""
from __future__ import annotations

import pytest
import torch
import transformers

import hflint
from tiny_hf import bert_model, bert_tokenizer, gpt2_model, gpt2_tokenizer, roberta_model, roberta_tokenizer


def codes(findings):
    return sorted(f.code for f in findings)


# --- HF901 ----------------------------------------------------------------------------------------

def test_hf901_added_tokens_without_resize():
    tok = bert_tokenizer()
    model = bert_model(tok)
    base = len(tok)
    tok.add_tokens(["[S1]", "COVID"])
    [f] = hflint.verify(model=model, tokenizer=tok)
    assert (f.code, f.name) == ("HF901", "embedding-index-out-of-range")
    assert f"token ids {base}\u2013{base + 1}" in f.message
    # BertNormalizer lower-cases added normal tokens (HF303), the message shows what the tokenizer holds
    assert "`[s1]`, `covid`" in f.message and "resize_token_embeddings(len(tokenizer))" in f.message
    assert (f.filename, f.line) == ("<runtime>", 0)
    assert f.data["ids"] == [base, base + 1]


def test_hf901_silent_after_resize():
    tok = bert_tokenizer()
    model = bert_model(tok)
    tok.add_tokens(["[S1]", "COVID"])
    model.resize_token_embeddings(len(tok))
    assert hflint.verify(model=model, tokenizer=tok, texts=["hello [S1] covid world"]) == []


@pytest.mark.parametrize("make_tok, make_model", [(bert_tokenizer, bert_model), (roberta_tokenizer, roberta_model),
                                                  (gpt2_tokenizer, gpt2_model)])
def test_padded_vocabulary_is_never_reported(make_tok, make_model):
    tok = make_tok()
    model = make_model(tok, rows=len(tok) + 64)  # embedding rows rounded up, as many checkpoints do
    texts = ["hello world", "the cat sat on the mat"]
    assert hflint.verify(model=model, tokenizer=tok, texts=texts) == []


def test_hf901_for_text_ids_past_the_embedding():
    tok = gpt2_tokenizer()
    model = gpt2_model(tok)
    tok.add_special_tokens({"additional_special_tokens": ["<|user|>"]})
    found = hflint.verify(model=model, tokenizer=tok, texts=["<|user|> hello"])
    assert codes(found) == ["HF901"]
    assert "`<|user|>`" in found[0].message


# --- HF902 ----------------------------------------------------------------------------------------

def test_hf902_vocabulary_differs_from_checkpoint(ckpts):
    model = transformers.BertModel.from_pretrained(ckpts["bert"])
    wrong = transformers.AutoTokenizer.from_pretrained(ckpts["bert_other"])
    assert len(wrong) == model.get_input_embeddings().num_embeddings  # ids stay in range: silent at run time
    found = hflint.verify(model=model, tokenizer=wrong, texts=["the cat sat"])
    assert codes(found) == ["HF902"]
    assert str(ckpts["bert"]) in found[0].message and "other ids" in found[0].message
    right = transformers.AutoTokenizer.from_pretrained(ckpts["bert"])
    assert hflint.verify(model=model, tokenizer=right, texts=["the cat sat"]) == []


def test_hf902_tokenizer_with_added_tokens_is_still_the_models(ckpts):
    model = transformers.BertModel.from_pretrained(ckpts["bert"])
    tok = bert_tokenizer()  # built again in memory: same vocabulary, no folder of its own
    tok.add_tokens(["COVID"])
    model.resize_token_embeddings(len(tok))
    assert hflint.verify(model=model, tokenizer=tok) == []


def test_hf902_special_token_ids_contradict_config():
    model = roberta_model(roberta_tokenizer())
    tok = bert_tokenizer()  # pad 0 where RoBERTa pads with 1
    found = hflint.verify(model=model, tokenizer=tok)
    messages = " | ".join(f.message for f in found if f.code == "HF902")
    assert "pad_token_id is 0" in messages and "pad_token_id is 1" in messages
    assert "`BertTokenizer` is a `bert` tokenizer, but the model is `roberta`" in messages
    assert hflint.verify(model=model, tokenizer=roberta_tokenizer()) == []


def test_hf902_larger_embedding_is_not_a_mismatch(ckpts):
    tok = transformers.AutoTokenizer.from_pretrained(ckpts["gpt2"])
    model = gpt2_model(tok, rows=len(tok) + 100)
    assert hflint.verify(model=model, tokenizer=tok) == []


def test_hf902_base_vocabulary_larger_than_embedding():
    tok = gpt2_tokenizer()
    model = bert_model(bert_tokenizer())
    found = [f for f in hflint.verify(model=model, tokenizer=tok) if f.code == "HF902"]
    assert any("base vocabulary of 261 tokens" in f.message for f in found)


# --- HF903 ----------------------------------------------------------------------------------------

def test_hf903_silent_num_attention_heads_edit(ckpts):
    model = transformers.BertModel.from_pretrained(ckpts["bert"], num_attention_heads=4)  # loads without error
    [f] = hflint.verify(model=model)
    assert (f.code, f.name) == ("HF903", "config-differs-from-checkpoint")
    assert "`num_attention_heads` is 4" in f.message and "2 in" in f.message and "config.json" in f.message
    assert hflint.verify(model=transformers.BertModel.from_pretrained(ckpts["bert"])) == []


def test_hf903_config_alone_and_gpt2_alias(ckpts):
    config = transformers.AutoConfig.from_pretrained(ckpts["gpt2"])
    config.n_layer = 1
    [f] = hflint.verify(config=config)
    assert "`n_layer` is 1" in f.message and "drop the rest" in f.message
    config = transformers.AutoConfig.from_pretrained(ckpts["gpt2"], hidden_dropout_prob=0.3, num_labels=5)
    assert hflint.verify(config=config) == []


def test_hf903_from_the_local_hub_cache(ckpts, hub_cache):
    hub_cache("acme/tiny-bert", ckpts["bert"])
    config = transformers.BertConfig.from_pretrained(ckpts["bert"])
    config._name_or_path = "acme/tiny-bert"
    config.hidden_act = "relu"
    [f] = hflint.verify(config=config)
    assert "`hidden_act` is 'relu'" in f.message and "`acme/tiny-bert`'s config.json" in f.message


# --- HF904 ----------------------------------------------------------------------------------------

def test_hf904_unknown_rate_above_threshold():
    tok = bert_tokenizer()
    [f] = hflint.verify(tokenizer=tok, texts=["안녕하세요 세계", "the cat sat"])
    assert (f.code, f.name) == ("HF904", "high-unknown-token-rate")
    assert "`[UNK]`" in f.message and "`안녕하세요`" in f.message and "threshold 5%" in f.message
    assert hflint.verify(tokenizer=tok, texts=["the cat sat on the mat"]) == []


def test_hf904_threshold_is_configurable():
    tok = bert_tokenizer()
    texts = ["the cat sat on the mat zebra"]  # 1 of 7 tokens unknown
    assert codes(hflint.verify(tokenizer=tok, texts=texts)) == ["HF904"]
    assert hflint.verify(tokenizer=tok, texts=texts, unk_threshold=0.2) == []


def test_hf904_byte_level_tokenizer_has_no_unknowns():
    assert hflint.verify(tokenizer=gpt2_tokenizer(), texts=["안녕하세요 세계"]) == []


# --- HF905 ----------------------------------------------------------------------------------------

def test_hf905_pooling_against_sentence_transformers_config(ckpts):
    mean_model = transformers.AutoModel.from_pretrained(ckpts["st_mean"])
    [f] = hflint.verify(model=mean_model, pooling="cls")
    assert (f.code, f.name) == ("HF905", "pooling-differs-from-checkpoint")
    assert "pools with CLS" in f.message and "1_Pooling" in f.message and "mean pooling" in f.message
    assert hflint.verify(model=mean_model, pooling="mean") == []
    cls_model = transformers.AutoModel.from_pretrained(ckpts["st_cls"])
    assert codes(hflint.verify(model=cls_model, pooling="mean")) == ["HF905"]
    assert hflint.verify(model=cls_model, pooling="cls") == []
    # a plain encoder without a pooling config: nothing to compare with
    assert hflint.verify(model=transformers.AutoModel.from_pretrained(ckpts["bert"]), pooling="cls") == []


def test_hf905_unknown_pooling_name_is_an_error(ckpts):
    with pytest.raises(ValueError):
        hflint.verify(model=bert_model(bert_tokenizer()), pooling="median")


# --- HF906 / HF907 --------------------------------------------------------------------------------

def test_hf906_prompts_for_generate_right_padded():
    tok = gpt2_tokenizer()
    tok.pad_token = tok.eos_token
    model = gpt2_model(tok)
    prompts = ["hello", "hello world, hello"]
    [f] = hflint.verify(model=model, tokenizer=tok, texts=prompts, generate=True)
    assert (f.code, f.name) == ("HF906", "right-padding-in-generate")
    assert "row 0 of" in f.message and 'padding_side = "left"' in f.message
    tok.padding_side = "left"
    assert hflint.verify(model=model, tokenizer=tok, texts=prompts, generate=True) == []
    tok.padding_side = "right"
    assert hflint.verify(model=model, tokenizer=tok, texts=prompts) == []  # training batches pad right


def test_hf907_no_grad_in_train_mode():
    model = bert_model(bert_tokenizer()).train()
    with torch.no_grad():
        [f] = hflint.verify(model=model)
    assert (f.code, f.name) == ("HF907", "no-grad-forward-in-train-mode")
    assert "model.eval()" in f.message
    assert hflint.verify(model=model) == []  # gradients on: training
    with torch.inference_mode():
        assert hflint.verify(model=model.eval()) == []


# --- the three families ------------------------------------------------------------------------------

FAMILIES = [(bert_tokenizer, bert_model), (roberta_tokenizer, roberta_model), (gpt2_tokenizer, gpt2_model)]


@pytest.mark.parametrize("make_tok, make_model", FAMILIES, ids=["bert", "roberta", "gpt2"])
def test_each_family_missing_resize_then_fixed(make_tok, make_model):
    tok = make_tok()
    model = make_model(tok)
    assert hflint.verify(model=model, tokenizer=tok, texts=["hello world"]) == []
    tok.add_special_tokens({"additional_special_tokens": ["<e1>", "</e1>"]})
    found = hflint.verify(model=model, tokenizer=tok, texts=["<e1> hello </e1>"])
    assert codes(found) == ["HF901"] and "`<e1>`, `</e1>`" in found[0].message
    model.resize_token_embeddings(len(tok))
    assert hflint.verify(model=model, tokenizer=tok, texts=["<e1> hello </e1>"]) == []


@pytest.mark.parametrize("make_tok, make_model, wrong_tok", [
    (bert_tokenizer, bert_model, gpt2_tokenizer),
    (roberta_tokenizer, roberta_model, bert_tokenizer),
    (gpt2_tokenizer, gpt2_model, roberta_tokenizer),
], ids=["bert", "roberta", "gpt2"])
def test_each_family_with_another_familys_tokenizer(make_tok, make_model, wrong_tok):
    model = make_model(make_tok(), rows=300)  # rows enough for every tokenizer here: only HF902 can tell
    found = hflint.verify(model=model, tokenizer=wrong_tok())
    assert found and {f.code for f in found} == {"HF902"}
    assert hflint.verify(model=model, tokenizer=make_tok()) == []
