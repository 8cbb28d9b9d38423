"""hflint.watch: findings as warnings (or errors before the failing call when strict), and exact unpatching."""
from __future__ import annotations

import inspect
import threading
import warnings

import pytest
import torch
import transformers
from transformers import PreTrainedModel
from transformers.generation.utils import GenerationMixin
from transformers.tokenization_utils_base import PreTrainedTokenizerBase

import hflint
from hflint.runtime import instrument as watch_module
from tiny_hf import bert_model, bert_tokenizer, gpt2_model, gpt2_tokenizer, roberta_model, roberta_tokenizer

ATTRS = [(PreTrainedModel, "from_pretrained"), (PreTrainedModel, "resize_token_embeddings"),
         (PreTrainedModel, "__call__"), (PreTrainedTokenizerBase, "from_pretrained"),
         (PreTrainedTokenizerBase, "add_tokens"), (PreTrainedTokenizerBase, "add_special_tokens"),
         (PreTrainedTokenizerBase, "__call__"), (transformers.PreTrainedConfig, "from_pretrained"),
         (GenerationMixin, "generate")]


def snapshot():
    return [(cls, name, cls.__dict__.get(name, None)) for cls, name in ATTRS]


def here() -> int:
    """The line after the caller's line."""
    return inspect.currentframe().f_back.f_lineno + 1


@pytest.fixture
def no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error", hflint.HFLintWarning)
        yield


# --- HF901 ----------------------------------------------------------------------------------------

def test_strict_hf901_raised_before_index_error_naming_tokens_and_line():
    tok = bert_tokenizer()
    model = bert_model(tok)
    with hflint.watch(strict=True):
        line = here()
        tok.add_tokens(["[S1]", "COVID"])
        batch = tok(["hello [S1] covid"], return_tensors="pt")
        with pytest.raises(hflint.HFLintError) as info:
            model(**batch)
    base = len(tok) - 2
    message = str(info.value)
    # the tokens as the code added them (the message), even though BERT lower-cases them
    assert message.startswith(f"HF901: token ids {base}\u2013{base + 1} (`[S1]`, `COVID`) added at ")
    assert f"test_watch.py:{line} have no embedding rows" in message
    assert "call `model.resize_token_embeddings(len(tokenizer))`" in message
    f = info.value.finding
    assert (f.code, f.line) == ("HF901", line) and f.filename.endswith("test_watch.py")


def test_warning_mode_warns_then_lets_the_error_happen():
    tok = bert_tokenizer()
    model = bert_model(tok)
    with hflint.watch() as w:
        tok.add_special_tokens({"additional_special_tokens": ["<e1>"]})
        batch = tok(["<e1> hello"], return_tensors="pt")
        with pytest.warns(hflint.HFLintWarning,
                          match=r"HF901: token id \d+ \(`<e1>`\) added at .*test_watch.py:\d+ has no embedding row \("):
            with pytest.raises(IndexError):
                model(**batch)
    assert [f.code for f in w.findings] == ["HF901"]


def test_hf901_silent_after_resize_and_with_padded_vocabulary(no_warnings):
    tok = bert_tokenizer()
    model = bert_model(tok, rows=len(tok) + 30)  # padded: more rows than tokens
    with hflint.watch(strict=True) as w:
        model(**tok(["hello world"], return_tensors="pt"))
        tok.add_tokens(["COVID"])
        small = bert_model(tok, rows=len(tok) - 1)
        small.resize_token_embeddings(len(tok))
        small(**tok(["hello covid"], return_tensors="pt"))
    assert w.findings == []


def test_resize_to_the_wrong_size_names_the_resize():
    tok = bert_tokenizer()
    model = bert_model(tok)
    with hflint.watch(strict=True):
        tok.add_tokens(["COVID", "SARS"])
        line = here()
        model.resize_token_embeddings(tok.vocab_size)  # vocab_size excludes added tokens (HF302)
        with pytest.raises(hflint.HFLintError, match=f"resized at .*test_watch.py:{line}"):
            model(**tok(["covid sars"], return_tensors="pt"))


def test_resize_invalidates_cached_row_count():
    tok = bert_tokenizer()
    model = bert_model(tok)
    with hflint.watch(strict=True):
        model(**tok(["hello"], return_tensors="pt"))  # caches the row count
        tok.add_tokens(["COVID"])
        model.resize_token_embeddings(len(tok))
        model(**tok(["covid"], return_tensors="pt"))
        model.set_input_embeddings(torch.nn.Embedding(len(tok) + 5, 32))  # bypasses resize: rechecked
        model(**tok(["covid"], return_tensors="pt"))


# --- HF902 / HF903 --------------------------------------------------------------------------------

def test_hf902_tokenizer_from_another_checkpoint(ckpts):
    with hflint.watch() as w:
        model = transformers.AutoModel.from_pretrained(ckpts["bert"])
        wrong = transformers.AutoTokenizer.from_pretrained(ckpts["bert_other"])
        with pytest.warns(hflint.HFLintWarning, match="HF902: the tokenizer .* is not the one shipped"):
            line = here()
            model(**wrong(["the cat sat"], return_tensors="pt"))
    [f] = w.findings
    assert f.line == line
    with hflint.watch(strict=True) as w:
        right = transformers.AutoTokenizer.from_pretrained(ckpts["bert"])
        model(**right(["the cat sat"], return_tensors="pt"))
    assert w.findings == []


def test_hf903_silent_head_edit_reported_at_load(ckpts):
    with hflint.watch() as w:
        with pytest.warns(hflint.HFLintWarning, match="HF903: `num_attention_heads` is 4"):
            line = here()
            transformers.BertModel.from_pretrained(ckpts["bert"], num_attention_heads=4)
    [f] = w.findings
    assert f.line == line and f.data["field"] == "num_attention_heads"


def test_hf903_strict_raises_before_the_size_mismatch(ckpts):
    config = transformers.AutoConfig.from_pretrained(ckpts["bert"])
    config.hidden_size = 64
    with hflint.watch(strict=True):
        with pytest.raises(hflint.HFLintError, match="HF903: `hidden_size` is 64 .* no longer fit"):
            transformers.AutoModel.from_pretrained(ckpts["bert"], config=config)
        config.hidden_size = 32
        config.hidden_dropout_prob = 0.0  # safe field
        transformers.AutoModel.from_pretrained(ckpts["bert"], config=config)


# --- HF904 / HF905 --------------------------------------------------------------------------------

def test_hf904_on_tokenized_inputs_once_per_tokenizer():
    tok = bert_tokenizer()
    with hflint.watch() as w:
        with pytest.warns(hflint.HFLintWarning, match="HF904: .* became `\\[UNK\\]`.*`안녕하세요`"):
            tok(["안녕하세요 세계"])
        tok(["another zebra text"])
        tok("the cat sat")
    assert [f.code for f in w.findings] == ["HF904"]
    with hflint.watch(strict=True, unk_threshold=0.5) as w:
        tok("the cat sat on the zebra")
    assert w.findings == []


def test_hf905_verify_inside_watch_reports_there(ckpts):
    model = transformers.AutoModel.from_pretrained(ckpts["st_mean"])
    with hflint.watch() as w:
        with pytest.warns(hflint.HFLintWarning, match="HF905"):
            hflint.verify(model=model, pooling="cls")
        hflint.verify(model=model, pooling="mean")
    assert [f.code for f in w.findings] == ["HF905"]


# --- HF906 / HF907 --------------------------------------------------------------------------------

def test_hf906_right_padded_generate():
    tok = gpt2_tokenizer()
    tok.pad_token = tok.eos_token
    model = gpt2_model(tok)
    prompts = ["hello", "hello world, hello"]
    with hflint.watch(strict=True):
        batch = tok(prompts, return_tensors="pt", padding=True)
        with pytest.raises(hflint.HFLintError, match="HF906: `generate` on decoder-only `GPT2LMHeadModel`.*'right'"):
            model.generate(**batch, max_new_tokens=2, pad_token_id=tok.pad_token_id)
        tok.padding_side = "left"
        batch = tok(prompts, return_tensors="pt", padding=True)
        model.generate(**batch, max_new_tokens=2, pad_token_id=tok.pad_token_id)


def test_hf907_no_grad_forward_in_train_mode():
    tok = bert_tokenizer()
    model = bert_model(tok).train()
    batch = tok(["hello world"], return_tensors="pt")
    with hflint.watch() as w:
        model(**batch)  # training forward: fine
        with torch.no_grad(), pytest.warns(hflint.HFLintWarning, match="HF907"):
            line = here()
            model(**batch)
        model.eval()
        with torch.inference_mode():
            model(**batch)
    [f] = w.findings
    assert f.line == line


# --- patching --------------------------------------------------------------------------------------

def test_unpatching_is_exact_nested_and_after_errors():
    before = snapshot()
    assert "__call__" not in PreTrainedModel.__dict__
    with hflint.watch():
        assert PreTrainedModel.__dict__["__call__"] is not None
        with hflint.watch(strict=True):
            pass
        assert len(watch_module.patched()) == len(ATTRS)  # the outer watch is still on
    assert snapshot() == before and watch_module.patched() == []
    with pytest.raises(RuntimeError):
        with hflint.watch():
            raise RuntimeError("boom")
    assert snapshot() == before and "__call__" not in PreTrainedModel.__dict__


def test_same_watch_reentered_and_inner_strict_wins():
    tok = bert_tokenizer()
    model = bert_model(tok)
    tok.add_tokens(["COVID"])
    batch = tok(["covid"], return_tensors="pt")
    outer = hflint.watch()
    with outer:
        with outer:
            with hflint.watch(strict=True):
                with pytest.raises(hflint.HFLintError):
                    model(**batch)
        with warnings.catch_warnings():
            warnings.simplefilter("error", hflint.HFLintWarning)  # already reported once: no second warning
            with pytest.raises(IndexError):  # non-strict again: the call goes ahead
                model(**batch)
    assert watch_module.patched() == []
    assert [f.code for f in outer.findings] == ["HF901"]


def test_threads_enter_and_exit_concurrently():
    before = snapshot()
    errors = []

    def worker():
        try:
            for _ in range(50):
                with hflint.watch():
                    with hflint.watch():
                        pass
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and snapshot() == before and watch_module.patched() == []


def test_decorator_form():
    @hflint.watch(strict=True)
    def run():
        return len(watch_module.patched())

    assert run() == len(ATTRS) and watch_module.patched() == []


# --- HF906 (no mask), HF908, HF909 ----------------------------------------------------------------

def test_hf906_padded_batch_without_attention_mask_when_pad_is_eos():
    tok = gpt2_tokenizer()
    tok.pad_token = tok.eos_token
    tok.padding_side = "left"
    model = gpt2_model(tok)
    with hflint.watch() as w:
        batch = tok(["hello", "hello world, hello"], return_tensors="pt", padding=True)
        with pytest.warns(hflint.HFLintWarning, match="HF906.*no `attention_mask`"):
            model.generate(batch["input_ids"], max_new_tokens=2, pad_token_id=tok.pad_token_id)
        model.generate(**batch, max_new_tokens=2, pad_token_id=tok.pad_token_id)  # the mask: fine
        single = tok(["hello world"], return_tensors="pt")
        model.generate(single["input_ids"], max_new_tokens=2, pad_token_id=tok.pad_token_id)  # one row: fine
    assert [f.code for f in w.findings] == ["HF906"]


def test_hf906_silent_when_the_pad_token_is_not_eos():
    tok = gpt2_tokenizer()
    tok.add_special_tokens({"pad_token": "<pad>"})
    tok.padding_side = "left"
    model = gpt2_model(tok)
    batch = tok(["hello", "hello world, hello"], return_tensors="pt", padding=True)
    with hflint.watch(strict=True) as w:
        model.generate(batch["input_ids"], max_new_tokens=2, pad_token_id=tok.pad_token_id)
    assert w.findings == []


def test_hf908_loss_on_padding_and_its_masked_twin():
    tok = gpt2_tokenizer()
    tok.pad_token = tok.eos_token
    model = gpt2_model(tok)
    with hflint.watch() as w:
        batch = tok(["hello", "hello world, hello"], return_tensors="pt", padding=True)
        with pytest.warns(hflint.HFLintWarning, match="HF908.*loss on padding.*the pad id"):
            line = here()
            model(**batch, labels=batch["input_ids"])
        labels = batch["input_ids"].clone()
        labels[batch["attention_mask"] == 0] = -100
        model(**batch, labels=labels)  # masked: fine
    [f] = w.findings
    assert (f.code, f.line) == ("HF908", line)


def test_hf909_double_bos_from_a_rendered_template():
    tok = roberta_tokenizer()
    with hflint.watch() as w:
        with pytest.warns(hflint.HFLintWarning, match="HF909.*BOS token \\(0\\) twice"):
            tok("<s> hello world", return_tensors="pt")  # the template's <s> plus the tokenizer's
        tok("<s> hello world", add_special_tokens=False, return_tensors="pt")  # fine
        tok("hello world", return_tensors="pt")  # fine
    assert [f.code for f in w.findings] == ["HF909"]


def test_hf909_in_a_forward_pass_of_ids_made_elsewhere():
    tok = roberta_tokenizer()
    model = roberta_model(tok)
    with hflint.watch() as w:
        with pytest.warns(hflint.HFLintWarning, match="HF909"):
            model(input_ids=torch.tensor([[0, 0, 5, 2]]))
        model(input_ids=torch.tensor([[0, 5, 2]]))
    assert [f.code for f in w.findings] == ["HF909"]
