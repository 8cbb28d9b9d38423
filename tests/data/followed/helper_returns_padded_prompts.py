# expect: HF608 line 14
from transformers import AutoModelForCausalLM, AutoTokenizer

tokenizer = AutoTokenizer.from_pretrained("gpt2", padding_side="left")
tokenizer.pad_token = tokenizer.eos_token
model = AutoModelForCausalLM.from_pretrained("gpt2")


def encode(prompts):
    return tokenizer(prompts, padding=True, return_tensors="pt")


batch = encode(["Hello", "The quick brown fox"])
out = model.generate(batch["input_ids"], max_new_tokens=20)
