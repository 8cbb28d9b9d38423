"""Tiny BERT, RoBERTa-style and GPT-2 models and tokenizers built in memory (no hub), and checkpoint folders."""
from __future__ import annotations

import json
import warnings
from pathlib import Path

import torch
import transformers
from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

transformers.logging.set_verbosity_error()
warnings.filterwarnings("ignore", message=".*(bos|eos|pad)_token_id must be.*")

WORDS = ["hello", "world", "the", "a", "cat", "dog", "sat", "on", "mat", "is", "good", ".", "##s"]
BERT_SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
ROBERTA_SPECIALS = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]


def bert_tokenizer(words=WORDS):
    vocab = {t: i for i, t in enumerate(BERT_SPECIALS + list(words))}
    tk = Tokenizer(models.WordPiece(vocab, unk_token="[UNK]"))
    tk.normalizer = normalizers.BertNormalizer(lowercase=True)
    tk.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tk.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1", special_tokens=[("[CLS]", 2), ("[SEP]", 3)])
    tk.decoder = decoders.WordPiece()
    return transformers.BertTokenizerFast(tokenizer_object=tk, unk_token="[UNK]", pad_token="[PAD]",
                                          cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]")


def roberta_tokenizer(words=WORDS):
    vocab = {t: i for i, t in enumerate(ROBERTA_SPECIALS + [w for w in words if not w.startswith("##")])}
    tk = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tk.pre_tokenizer = pre_tokenizers.Whitespace()
    tk.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>", special_tokens=[("<s>", 0), ("</s>", 2)])
    return transformers.RobertaTokenizerFast(
        tokenizer_object=tk, bos_token="<s>", eos_token="</s>", sep_token="</s>", cls_token="<s>",
        unk_token="<unk>", pad_token="<pad>", mask_token="<mask>")


def gpt2_tokenizer():
    vocab = {c: i for i, c in enumerate(sorted(pre_tokenizers.ByteLevel.alphabet()))}
    merges = [("h", "e"), ("he", "l"), ("hel", "l"), ("hell", "o")]
    for a, b in merges:
        vocab[a + b] = len(vocab)
    vocab["<|endoftext|>"] = len(vocab)
    tk = Tokenizer(models.BPE(vocab, merges))
    tk.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tk.decoder = decoders.ByteLevel()
    return transformers.GPT2TokenizerFast(tokenizer_object=tk, bos_token="<|endoftext|>",
                                          eos_token="<|endoftext|>", unk_token="<|endoftext|>")


def bert_model(tokenizer, cls=None, rows=None, **overrides):
    config = transformers.BertConfig(hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                                     intermediate_size=37, max_position_embeddings=64,
                                     vocab_size=rows or len(tokenizer), **overrides)
    torch.manual_seed(0)
    return (cls or transformers.BertModel)(config).eval()


def roberta_model(tokenizer, rows=None):
    config = transformers.RobertaConfig(hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                                        intermediate_size=37, max_position_embeddings=70,
                                        vocab_size=rows or len(tokenizer), pad_token_id=1, bos_token_id=0,
                                        eos_token_id=2)
    torch.manual_seed(0)
    return transformers.RobertaModel(config).eval()


def gpt2_model(tokenizer, rows=None):
    eos = tokenizer.eos_token_id
    config = transformers.GPT2Config(n_embd=32, n_layer=2, n_head=2, n_positions=64,
                                     vocab_size=rows or len(tokenizer), bos_token_id=eos, eos_token_id=eos)
    torch.manual_seed(0)
    return transformers.GPT2LMHeadModel(config).eval()


def save_checkpoint(folder: Path, model, tokenizer, pooling: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    if pooling:
        (folder / "1_Pooling").mkdir(exist_ok=True)
        (folder / "1_Pooling" / "config.json").write_text(json.dumps({
            "word_embedding_dimension": 32,
            "pooling_mode_cls_token": pooling == "cls",
            "pooling_mode_mean_tokens": pooling == "mean",
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
        }))
        (folder / "modules.json").write_text(json.dumps([
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        ]))
    return folder
