# expect: HF101 line 7
from transformers import AutoModelForMaskedLM, AutoTokenizer

PAIR = ("xlm-roberta-base", "bert-base-multilingual-cased")
tokenizer_name, model_name = PAIR
tokenizer = AutoTokenizer.from_pretrained(tokenizer_name)
model = AutoModelForMaskedLM.from_pretrained(model_name)
logits = model(**tokenizer("Berlin ist die <mask> von Deutschland.", return_tensors="pt")).logits
