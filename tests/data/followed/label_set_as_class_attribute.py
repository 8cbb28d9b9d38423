# expect: HF204 line 12
from transformers import AutoModelForSequenceClassification, AutoTokenizer

MODEL_NAME = "microsoft/deberta-v3-base"


class TopicClassifier:
    TOPICS = ["world", "sports", "business", "science"]

    def __init__(self):
        self.tokenizer = AutoTokenizer.from_pretrained(MODEL_NAME)
        self.model = AutoModelForSequenceClassification.from_pretrained(MODEL_NAME)

    def predict(self, text):
        logits = self.model(**self.tokenizer(text, return_tensors="pt")).logits
        return self.TOPICS[int(logits.argmax())]
