# expect: HF301 line 13
from transformers import AutoModelForSeq2SeqLM, AutoTokenizer


def extend_tokenizer(tok, extra):
    tok.add_special_tokens({"additional_special_tokens": extra})
    return tok


def main():
    tok = AutoTokenizer.from_pretrained("facebook/bart-base")
    model = AutoModelForSeq2SeqLM.from_pretrained("facebook/bart-base")
    tok = extend_tokenizer(tok, ["<title>", "<body>"])
    enc = tok(["<title> A <body> B"], return_tensors="pt")
    return model.generate(**enc, max_new_tokens=32)
