"""hflint never crashes its host: bad input gives one clear line and the run goes on; rule errors are contained."""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from hflint import engine
from hflint.config import Settings
from hflint.engine import lint_source
from hflint.rules import Report, Rule, all_rules

HF_HEADER = "from transformers import AutoModel, AutoTokenizer\n"
GOOD_BUG = HF_HEADER + (
    'tokenizer = AutoTokenizer.from_pretrained("bert-base-cased")\n'
    'model = AutoModel.from_pretrained("roberta-base")\n'
)


def _check(*paths, extra=()):
    proc = subprocess.run([sys.executable, "-m", "hflint", "check", "--no-config", "--format", "json", *extra,
                           *map(str, paths)], capture_output=True, text=True, timeout=600)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode in (0, 1), proc.stderr
    return proc, json.loads(proc.stdout or "[]")


def test_bad_inputs_each_give_one_line_and_the_run_continues(tmp_path):
    files = {
        "binary.py": bytes(random.Random(0).getrandbits(8) for _ in range(4096)),
        "nul.py": b"import transformers\nx = 1\x00\n",
        "latin1.py": "import transformers\nname = 'café'\n".encode("latin-1"),
        "bom.py": b"\xef\xbb\xbf" + GOOD_BUG.encode(),
        "crlf.py": GOOD_BUG.replace("\n", "\r\n").encode(),
        "mixed.py": (HF_HEADER + 'tok = AutoTokenizer.from_pretrained("gpt2")\r'
                     'm = AutoModel.from_pretrained("gpt2")\r\nx = 1\n').encode(),
        "tabs.py": (HF_HEADER + "def f():\n\ttok = AutoTokenizer.from_pretrained('x')\n\treturn tok\n").encode(),
        "deep.py": (HF_HEADER + "x = " + "(" * 1000 + "1" + ")" * 1000 + "\n").encode(),
        "deep_calls.py": (HF_HEADER + "x = " + "f(" * 1000 + "1" + ")" * 1000 + "\n").encode(),
        "py312.py": (HF_HEADER + "type Vec = list[float]\ndef first[T](xs: list[T]) -> T:\n    return xs[0]\n"
                     "match 1:\n    case 1:\n        pass\nx = f\"{f'{1}'}\"\n").encode(),
        "syntax_error.py": (HF_HEADER + "def broken(:\n").encode(),
        "empty.ipynb": b"",
        "invalid.ipynb": b"{not json",
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "pkg.py").mkdir()  # a directory named like a module
    (tmp_path / "pkg.py" / "inner.py").write_text(GOOD_BUG)
    os.symlink(tmp_path / "missing.py", tmp_path / "broken_link.py")
    unreadable = tmp_path / "unreadable.py"
    unreadable.write_text(GOOD_BUG)
    unreadable.chmod(0)
    good = tmp_path / "good.py"
    good.write_text(GOOD_BUG)

    proc, findings = _check(tmp_path)
    by_file: dict[str, list[dict]] = {}
    for f in findings:
        by_file.setdefault(Path(f["filename"]).name, []).append(f)
    # the real bug is still found, and the encodings did not hide the others
    for name in ("good.py", "bom.py", "crlf.py", "inner.py"):
        assert [f["code"] for f in by_file[name]] == ["HF101"], (name, by_file.get(name))
    assert by_file["crlf.py"][0]["location"]["row"] == 3
    # each broken file: exactly one HF000 line
    broken = ["binary.py", "nul.py", "syntax_error.py", "empty.ipynb", "invalid.ipynb", "broken_link.py"]
    if os.geteuid() != 0:  # root reads anything
        broken.append("unreadable.py")
    for name in broken:
        assert [f["code"] for f in by_file.get(name, [])] == ["HF000"], (name, by_file.get(name))
    for name in ("latin1.py", "tabs.py", "deep.py", "deep_calls.py", "py312.py", "mixed.py"):
        assert not [f for f in by_file.get(name, []) if "internal error" in f["message"]], by_file.get(name)


def test_a_20_mb_generated_file_is_reported_not_analysed(tmp_path):
    big = tmp_path / "generated.py"
    line = 'X_{i} = {{"a": [1, 2, 3], "b": "transformers"}}\n'
    with big.open("w") as fh:
        i = 0
        while fh.tell() < 20 * 1024 * 1024:
            fh.write(line.format(i=i))
            i += 1
        fh.write(GOOD_BUG)
    small = tmp_path / "small.py"
    small.write_text(GOOD_BUG)
    proc, findings = _check(big, small)
    assert [(Path(f["filename"]).name, f["code"]) for f in findings] == [("generated.py", "HF000"), ("small.py", "HF101")]
    assert "over the 4 MB limit" in findings[0]["message"]


class _Exploding(Rule):
    code = "HF999"
    name = "exploding-rule"
    message = "never"

    def check(self):
        raise RuntimeError("boom")


def test_a_rule_that_raises_is_contained_and_others_survive():
    rules = [*all_rules(), _Exploding]
    findings = lint_source(GOOD_BUG, "x.py", Settings(select=["ALL"]), rules=rules).findings
    codes = [f.code for f in findings]
    assert "HF101" in codes
    internal = [f for f in findings if f.code == "HF000"]
    assert len(internal) == 1 and "HF999 exploding-rule" in internal[0].message and "boom" in internal[0].message


def test_flake8_never_sees_hf000(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text(HF_HEADER + "def broken(:\n")
    proc = subprocess.run([sys.executable, "-m", "flake8", "--select=HF,E9", str(bad)], capture_output=True,
                          text=True, timeout=120)
    assert "HF000" not in proc.stdout and "E999" in proc.stdout and "Traceback" not in proc.stderr


# ---------------------------------------------------------------- generated programs
_NAMES = ["tok", "model", "cfg", "out", "enc", "emb", "x", "self.model", "self.tok", "args.name"]
_CKPTS = ['"bert-base-cased"', '"roberta-base"', '"gpt2"', "NAME", "args.model", 'f"{x}"', '"./local"',
          '"bert-base-case"']
_TEXTS = ["texts", '["a", "b"]', '"one"']
_PADDING = ["True", '"longest"', "False", "p"]
_ADDED = ['"[S1]"', '"COVID"', "w"]
_PAD_VALUES = ["tok.eos_token", '"[PAD]"', "v"]
_FIELDS = ["hidden_size", "vocab_size", "pad_token", "padding_side", "num_labels"]
_ASSIGNED = ["1", "tok.eos_token", '"left"', "len(tok)", "x + 2"]
_CLASSES = ["AutoTokenizer", "AutoModel", "AutoConfig", "AutoModelForCausalLM", "BertModel", "GPT2Tokenizer",
            "AutoModelForSequenceClassification", "Trainer", "pipeline", "DataCollatorForLanguageModeling"]


def _expr(rng: random.Random, depth: int) -> str:
    name = rng.choice(_NAMES)
    choices = [
        lambda: f"{rng.choice(_CLASSES)}.from_pretrained({rng.choice(_CKPTS)})",
        lambda: f"{rng.choice(_CLASSES)}({name}, config={rng.choice(_NAMES)})",
        lambda: f"{name}(**{rng.choice(_NAMES)})",
        lambda: f"{name}({rng.choice(_TEXTS)}, padding={rng.choice(_PADDING)})",
        lambda: f"{name}.last_hidden_state[:, 0]",
        lambda: f"{name}[0][:, 0, :]",
        lambda: f"{name}.pooler_output",
        lambda: f"{name}.hidden_states[-1].mean(dim=1)",
        lambda: f"torch.mean({name}, {rng.choice(['1', 'dim=1', '-1'])})",
        lambda: f"F.cosine_similarity({name}, {rng.choice(_NAMES)})",
        lambda: f"{name} @ {rng.choice(_NAMES)}.T",
        lambda: f"{name}.add_tokens([{rng.choice(_ADDED)}])",
        lambda: f"{name}.add_special_tokens({{'pad_token': {rng.choice(_PAD_VALUES)}}})",
        lambda: f"{name}.resize_token_embeddings({rng.choice(['len(tok)', 'tok.vocab_size', '30524', 'n'])})",
        lambda: f"{name}.generate(**{rng.choice(_NAMES)}, max_new_tokens=5)",
        lambda: f"{{k: v.to(d) for k, v in {name}.items()}}",
        lambda: f"lambda q: {name}(q)",
        lambda: f"{name} or {rng.choice(_CKPTS)}",
        lambda: f"[{name} for {name.split('.')[-1]} in range(3)]",
    ]
    text = rng.choice(choices)()
    if depth > 0 and rng.random() < 0.3:
        text = f"{text}.to({_expr(rng, depth - 1)})"
    return text


def _statement(rng: random.Random, indent: str, depth: int, in_function: bool = False) -> list[str]:
    target = rng.choice(_NAMES)
    kind = rng.random()
    if depth > 0 and kind < 0.12:
        body = [line for _ in range(rng.randint(1, 3))
                for line in _statement(rng, indent + "    ", depth - 1, in_function)]
        head = rng.choice(["if cond:", "for item in items:", "with torch.no_grad():", "while flag:", "try:"])
        tail = [f"{indent}except Exception:", f"{indent}    pass"] if head == "try:" else []
        return [indent + head, *body, *tail]
    if depth > 0 and kind < 0.2:
        body = [line for _ in range(rng.randint(1, 4)) for line in _statement(rng, indent + "    ", depth - 1, True)]
        return [f"{indent}def fn_{rng.randint(0, 99)}(self, a, b=1, *c, **d):", *body]
    if kind < 0.3:
        return [f"{indent}{target}.{rng.choice(_FIELDS)} = {rng.choice(_ASSIGNED)}"]
    if kind < 0.35 and in_function:
        return [f"{indent}return {_expr(rng, 2)}"]
    if kind < 0.4:
        return [f"{indent}{rng.choice(_NAMES)}.{rng.choice(['train', 'eval', 'update'])}()"]
    if "." in target or kind < 0.5:
        return [f"{indent}{_expr(rng, 2)}"]
    return [f"{indent}{target} = {_expr(rng, 2)}"]


def _program(seed: int) -> str:
    rng = random.Random(seed)
    lines = ["import torch", "import torch.nn.functional as F",
             "from transformers import " + ", ".join(c for c in _CLASSES), 'NAME = "bert-base-uncased"']
    if rng.random() < 0.4:
        lines.append("class Wrapper(torch.nn.Module):")
        for _ in range(rng.randint(1, 4)):
            lines += _statement(rng, "    ", 3)
    for _ in range(rng.randint(3, 25)):
        lines += _statement(rng, "", 3)
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("chunk", range(4))
def test_generated_programs_never_break_the_engine(chunk):
    """Hundreds of generated Hugging Face-flavoured programs through the engine and every rule."""
    settings = Settings(select=["ALL"])
    rules = list(all_rules())
    checked = 0
    for seed in range(chunk * 100, chunk * 100 + 100):
        source = _program(seed)
        try:
            compile(source, "gen.py", "exec")
        except SyntaxError:
            continue
        text = engine.decode(source.encode())
        result = engine._lint_parsed(text, "gen.py", settings, rules, True, True, engine.Result())
        internal = [f for f in result.findings if f.code == "HF000"]
        assert not internal, f"seed {seed}: {internal[0].message}\n{source}"
        checked += 1
    assert checked >= 80
