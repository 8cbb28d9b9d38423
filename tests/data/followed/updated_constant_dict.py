# expect: none (HF101 must stay silent)
import json
from transformers import AutoModelForCausalLM, AutoTokenizer

CFG = {"tokenizer": "gpt2", "model": "EleutherAI/pythia-160m"}
with open("overrides.json") as f:
    CFG.update(json.load(f))
tokenizer = AutoTokenizer.from_pretrained(CFG["tokenizer"])
lm = AutoModelForCausalLM.from_pretrained(CFG["model"])
out = lm(**tokenizer("hi", return_tensors="pt"))
