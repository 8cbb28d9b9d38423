# expect: HF607 line 8
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

tokenizer = AutoTokenizer.from_pretrained("gpt2")
model = AutoModelForCausalLM.from_pretrained("gpt2")
batch = tokenizer(["some training text for the model"], return_tensors="pt")
batch["labels"] = batch["input_ids"][:, 1:]
batch["input_ids"] = batch["input_ids"][:, :-1]
batch["attention_mask"] = batch["attention_mask"][:, :-1]
loss = model(**batch).loss
