# expect: HF101 line 10
from transformers import AutoModelForSequenceClassification, AutoTokenizer

CONFIG = {
    "model": {"name": "microsoft/deberta-v3-small", "num_labels": 2},
    "tokenizer": {"name": "bert-base-uncased"},
}

tokenizer = AutoTokenizer.from_pretrained(CONFIG["tokenizer"]["name"])
model = AutoModelForSequenceClassification.from_pretrained(CONFIG["model"]["name"], num_labels=2)
logits = model(**tokenizer(["ok"], return_tensors="pt")).logits
