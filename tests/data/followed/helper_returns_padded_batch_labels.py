# expect: HF605 line 14
from transformers import AutoModelForCausalLM, AutoTokenizer

tokenizer = AutoTokenizer.from_pretrained("EleutherAI/pythia-70m")
tokenizer.pad_token = tokenizer.eos_token
model = AutoModelForCausalLM.from_pretrained("EleutherAI/pythia-70m")


def encode(texts):
    return tokenizer(texts, padding="max_length", max_length=64, truncation=True, return_tensors="pt")


enc = encode(["first example", "second, somewhat longer example"])
loss = model(**enc, labels=enc["input_ids"]).loss
