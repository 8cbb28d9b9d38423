# expect: HF606 line 11
from transformers import AutoTokenizer

tokenizer = AutoTokenizer.from_pretrained("meta-llama/Llama-3.1-8B-Instruct")


def render(messages):
    return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)


ids = tokenizer(render([{"role": "user", "content": "Hi"}]), return_tensors="pt")
