# expect: none (HF605 must stay silent)
import torch
from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

tokenizer = AutoTokenizer.from_pretrained("t5-base")
model = AutoModelForSeq2SeqLM.from_pretrained("t5-base")
sources = ["translate English to German: Hello", "translate English to German: How are you today?"]
targets = ["Hallo", "Wie geht es dir heute?"]
enc = tokenizer(sources, padding=True, return_tensors="pt")
tgt = tokenizer(targets, padding=True, return_tensors="pt")
labels = torch.where(tgt.attention_mask.bool(), tgt.input_ids, torch.full_like(tgt.input_ids, -100))
loss = model(**enc, labels=labels).loss
