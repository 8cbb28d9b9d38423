# expect: HF606 line 11
from transformers import AutoTokenizer

tokenizer = AutoTokenizer.from_pretrained("mistralai/Mistral-7B-Instruct-v0.3", padding_side="left")


def build_batch(conversations):
    prompts = []
    for conv in conversations:
        prompts.append(tokenizer.apply_chat_template(conv, tokenize=False, add_generation_prompt=True))
    return tokenizer(prompts, padding=True, return_tensors="pt")
