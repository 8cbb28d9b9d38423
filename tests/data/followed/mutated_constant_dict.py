# expect: none (HF101 must stay silent)
import argparse
from transformers import AutoModelForCausalLM, AutoTokenizer

CFG = {"tokenizer": "gpt2", "model": "EleutherAI/pythia-160m"}
parser = argparse.ArgumentParser()
parser.add_argument("--model", required=True)
args = parser.parse_args()
CFG["model"] = args.model
tokenizer = AutoTokenizer.from_pretrained(CFG["tokenizer"])
lm = AutoModelForCausalLM.from_pretrained(CFG["model"])
out = lm(**tokenizer("hi", return_tensors="pt"))
