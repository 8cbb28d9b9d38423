# expect: none (HF301 must stay silent)
from transformers import AutoModelForSequenceClassification, AutoTokenizer, Trainer, TrainingArguments


class Experiment:
    checkpoint = "roberta-base"

    def __init__(self):
        self.tokenizer = AutoTokenizer.from_pretrained(self.checkpoint)
        self.tokenizer.add_tokens(["@USER", "HTTPURL"])

    def model_init(self, trial=None):
        model = AutoModelForSequenceClassification.from_pretrained(self.checkpoint, num_labels=2)
        model.resize_token_embeddings(len(self.tokenizer))
        return model

    def search(self, train_ds):
        trainer = Trainer(model_init=self.model_init, args=TrainingArguments("hp"),
                          train_dataset=train_ds, processing_class=self.tokenizer)
        return trainer.hyperparameter_search(n_trials=6)
