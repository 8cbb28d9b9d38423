# expect: HF101 line 8
from transformers import AutoModelForMaskedLM, AutoTokenizer


def load_tokenizer_and_model():
    return (
        AutoTokenizer.from_pretrained("albert-base-v2"),
        AutoModelForMaskedLM.from_pretrained("distilbert-base-uncased"),
    )


tokenizer, mlm = load_tokenizer_and_model()
inputs = tokenizer("Paris is the [MASK] of France.", return_tensors="pt")
logits = mlm(**inputs).logits
