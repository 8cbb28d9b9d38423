# expect: none (HF101 must stay silent)
import sys
from transformers import AutoModelForCausalLM, AutoTokenizer

CKPT = {"tok": "gpt2", "lm": "EleutherAI/pythia-160m"}
if len(sys.argv) > 1:
    CKPT["lm"] = sys.argv[1]
else:
    CKPT["lm"] = "gpt2"
tokenizer = AutoTokenizer.from_pretrained(CKPT["tok"])
lm = AutoModelForCausalLM.from_pretrained(CKPT["lm"])
out = lm(**tokenizer("hi", return_tensors="pt"))
