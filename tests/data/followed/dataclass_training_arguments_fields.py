# expect: none (HF502 must stay silent)
from dataclasses import dataclass, field

from transformers import TrainingArguments


@dataclass
class MyTrainingArguments(TrainingArguments):
    lora_rank: int = field(default=8)


args = MyTrainingArguments(output_dir="lora-run", lora_rank=16, eval_strategy="steps", eval_steps=200)
