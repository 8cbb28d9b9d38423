# expect: HF607 line 7
import torch
from transformers import AutoModelForCausalLM

model = AutoModelForCausalLM.from_pretrained("gpt2-large")
sequences = torch.randint(0, 50257, (4, 65))
inputs, labels = sequences[:, :-1], sequences[:, 1:]
loss = model(input_ids=inputs, labels=labels).loss
