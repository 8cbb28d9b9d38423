# expect: HF607 line 13
from datasets import load_dataset
from transformers import AutoModelForCausalLM, AutoTokenizer, Trainer, TrainingArguments

tokenizer = AutoTokenizer.from_pretrained("EleutherAI/pythia-160m")
model = AutoModelForCausalLM.from_pretrained("EleutherAI/pythia-160m")
BLOCK = 256


def group_texts(examples):
    ids = sum(examples["input_ids"], [])
    blocks = [ids[i:i + BLOCK + 1] for i in range(0, len(ids) - BLOCK, BLOCK)]
    return {"input_ids": [b[:-1] for b in blocks], "labels": [b[1:] for b in blocks]}


ds = load_dataset("wikitext", "wikitext-2-raw-v1", split="train").map(
    lambda e: tokenizer(e["text"]), batched=True).map(group_texts, batched=True)
Trainer(model=model, args=TrainingArguments("clm"), train_dataset=ds).train()
