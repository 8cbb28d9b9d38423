# expect: none (HF606 must stay silent)
from transformers import AutoTokenizer

TOKENIZE_KW = {"add_special_tokens": False, "return_tensors": "pt"}
tok = AutoTokenizer.from_pretrained("meta-llama/Llama-3.1-8B-Instruct")
text = tok.apply_chat_template([{"role": "user", "content": "Hi"}], tokenize=False, add_generation_prompt=True)
ids = tok(text, **TOKENIZE_KW)
