"""Overhead of ``hflint.watch`` on a forward loop: 200 passes of a tiny BERT with and without it.

    python benchmarks/runtime_overhead.py [--passes 200] [--rounds 7] [--threads 1]

Three measurements, the first being the one to quote (target <= 1.05):

1. interleaved: inside one ``watch``, each of the 200 passes runs once through the watched call and
   once through ``torch.nn.Module.__call__`` (the unwatched path), in alternating order, so load
   from other processes hits both sides alike; the median over rounds of watched / plain.
2. separate loops: 200 plain passes, then 200 passes inside ``with hflint.watch()``, alternating
   rounds, fastest round per side (noisy on a busy machine).
3. the hook's own cost per forward, on a model whose forward does nothing (20,000 calls per side),
   and the ratio it implies for the tiny BERT. The model and tokenizer are built in memory
and saved to a temporary folder, so the watched side also pays for its checkpoint checks.
"""
from __future__ import annotations

import argparse
import tempfile
import time
import warnings

import torch
import transformers
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors

import hflint

WORDS = ["hello", "world", "the", "a", "cat", "dog", "sat", "on", "mat", "is", "good", ".", "##s"]


def tiny_bert(folder: str):
    vocab = {t: i for i, t in enumerate(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + WORDS)}
    tk = Tokenizer(models.WordPiece(vocab, unk_token="[UNK]"))
    tk.normalizer = normalizers.BertNormalizer(lowercase=True)
    tk.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tk.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1", special_tokens=[("[CLS]", 2), ("[SEP]", 3)])
    tok = transformers.BertTokenizerFast(tokenizer_object=tk, unk_token="[UNK]", pad_token="[PAD]",
                                         cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]")
    config = transformers.BertConfig(hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                                     intermediate_size=37, vocab_size=len(tok))
    transformers.BertModel(config).save_pretrained(folder)
    tok.save_pretrained(folder)


def loop(model, batch, passes: int) -> float:
    start = time.perf_counter()
    with torch.no_grad():
        for _ in range(passes):
            model(**batch)
    return time.perf_counter() - start


def interleaved(model, batch, passes: int) -> float:
    """watched / plain time of the same passes, alternating the two paths pass by pass."""
    unwatched = torch.nn.Module.__call__  # the call PreTrainedModel.__call__ (patched by watch) wraps
    plain = watched = 0.0
    clock = time.perf_counter
    with torch.no_grad(), hflint.watch() as w:
        for i in range(passes):
            first, second = (unwatched, model.__call__) if i % 2 else (model.__call__, unwatched)
            t0 = clock()
            first(**batch) if first is not unwatched else unwatched(model, **batch)
            t1 = clock()
            second(**batch) if second is not unwatched else unwatched(model, **batch)
            t2 = clock()
            if first is unwatched:
                plain, watched = plain + (t1 - t0), watched + (t2 - t1)
            else:
                watched, plain = watched + (t1 - t0), plain + (t2 - t1)
    assert w.findings == [], w.findings
    return watched / plain


class _ProbeConfig(transformers.PretrainedConfig):
    model_type = "hflint-overhead-probe"


class _Probe(transformers.PreTrainedModel):
    """A model whose forward returns at once: calling it measures the watch's per-forward cost."""

    config_class = _ProbeConfig

    def __init__(self, config):
        super().__init__(config)
        self.embed_tokens = torch.nn.Embedding(64, 4)
        self.post_init()

    def forward(self, input_ids=None, attention_mask=None, token_type_ids=None):
        return input_ids


def hook_cost_us(batch, calls: int = 20000, rounds: int = 5) -> float:
    """Microseconds the watch adds to one forward call (fastest of ``rounds`` per side)."""
    probe = _Probe(_ProbeConfig()).eval()
    ids = batch["input_ids"] % 64

    def run() -> float:
        start = time.perf_counter()
        with torch.no_grad():
            for _ in range(calls):
                probe(input_ids=ids, attention_mask=batch["attention_mask"])
        return (time.perf_counter() - start) / calls * 1e6

    plain, watched = [], []
    for _ in range(rounds):
        plain.append(run())
        with hflint.watch():
            watched.append(run())
    return min(watched) - min(plain)


def main() -> float:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passes", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads (1 = least noise)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    transformers.logging.set_verbosity_error()

    with tempfile.TemporaryDirectory() as folder:
        tiny_bert(folder)
        model = transformers.AutoModel.from_pretrained(folder).eval()
        tok = transformers.AutoTokenizer.from_pretrained(folder)
        batch = tok(["the cat sat on the mat"] * 4 + ["hello world"] * 4, padding=True, return_tensors="pt")
        loop(model, batch, 20)  # warm up
        paired = sorted(interleaved(model, batch, args.passes) for _ in range(args.rounds))
        plain, watched = [], []
        for _ in range(args.rounds):
            plain.append(loop(model, batch, args.passes))
            with warnings.catch_warnings():
                warnings.simplefilter("error", hflint.HFLintWarning)  # a finding here would be a bug
                with hflint.watch() as w:
                    watched.append(loop(model, batch, args.passes))
            assert w.findings == [], w.findings

    best_plain, best_watched = min(plain), min(watched)
    ratios = sorted(w / p for p, w in zip(plain, watched))
    median = ratios[len(ratios) // 2]
    ratio = best_watched / best_plain
    per_pass = (best_watched - best_plain) / args.passes * 1e6
    print(f"forward loop, {args.passes} passes, batch {tuple(batch['input_ids'].shape)}, torch {torch.__version__}, "
          f"{args.threads} thread(s)")
    print(f"  interleaved ratio (median of {args.rounds} rounds): {paired[len(paired) // 2]:.3f} (target <= 1.05)")
    print(f"  without watch: {best_plain * 1e3 / args.passes:.3f} ms/pass")
    print(f"  with watch:    {best_watched * 1e3 / args.passes:.3f} ms/pass ({per_pass:+.1f} us/pass)")
    print(f"  separate loops ratio: {ratio:.3f} fastest rounds, {median:.3f} median of paired rounds")
    cost = hook_cost_us(batch)
    implied = 1 + cost / (best_plain * 1e6 / args.passes)
    print(f"hook cost per forward: {cost:.1f} us -> implied ratio for this model {implied:.3f}")
    return paired[len(paired) // 2]


if __name__ == "__main__":
    main()
