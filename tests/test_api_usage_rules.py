"""HF504-HF506 and the v5 migration fixes of HF501/HF502 on the kinds of code the transformers 5 breaks come in:
each case is a small script like the ones in issue 11, checked against a pinned target."""
from __future__ import annotations

import textwrap

import pytest

from hflint.config import Settings
from hflint.engine import lint_source
from hflint.fixes import fix_text
from hflint.knowledge import api


def findings(code: str, target: str = "5.24", select=("HF5",)):
    settings = Settings(select=list(select), target_transformers=target)
    source = textwrap.dedent(code).lstrip("\n")
    return [(f.line, f.code, f.message) for f in lint_source(source, "x.py", settings).findings]


def fixed(code: str, target: str = "5.24", select=("HF5",), unsafe: bool = True) -> str:
    settings = Settings(select=list(select), target_transformers=target)
    return fix_text(textwrap.dedent(code), "x.py", settings, unsafe=unsafe).state


def codes(code: str, target: str = "5.24", select=("HF5",)):
    return [(line, c) for line, c, _ in findings(code, target, select)]


# ==================================================================================================== HF504

@pytest.mark.parametrize("code,line,message", [
    ("""
     import argparse
     from transformers import AutoTokenizer
     args = argparse.ArgumentParser().parse_args()
     tokenizer = AutoTokenizer.from_pretrained(args.model_name_or_path)
     def features(question, context):
         return tokenizer.encode_plus(question, context, max_length=384, truncation="only_second")
     """, 6, "call the tokenizer"),
    ("""
     from transformers import AutoTokenizer
     class Data:
         def __init__(self, name):
             self.tok = AutoTokenizer.from_pretrained(name)
         def encode(self, texts):
             return self.tok.batch_encode_plus(texts, padding="max_length", max_length=64, truncation=True)
     """, 6, "`self.tok.batch_encode_plus`"),
    ("""
     from transformers import AutoProcessor
     processor = AutoProcessor.from_pretrained("openai/clip-vit-base-patch32")
     mean = processor.feature_extractor.image_mean
     """, 3, "use `image_processor`"),
    ("""
     from transformers import AutoImageProcessor
     processor = AutoImageProcessor.from_pretrained("facebook/detr-resnet-50")
     def boxes(outputs):
         return processor.post_process(outputs, target_sizes=[(480, 640)])
     """, 4, "use `post_process_object_detection`"),
    ("""
     from transformers import DetrImageProcessor
     processor = DetrImageProcessor.from_pretrained("facebook/detr-resnet-50")
     def collate(pixel_values):
         return processor.pad_and_create_pixel_mask(pixel_values, return_tensors="pt")
     """, 4, "use `pad`"),
    ("""
     from transformers import Trainer, TrainingArguments
     def save(model):
         trainer = Trainer(model=model, args=TrainingArguments("out"))
         trainer.tokenizer.save_pretrained("out")
     """, 4, "use `processing_class`"),
    ("""
     from transformers import Wav2Vec2Processor
     processor = Wav2Vec2Processor.from_pretrained("facebook/wav2vec2-base-960h")
     def prepare(batch):
         with processor.as_target_processor():
             batch["labels"] = processor(batch["text"]).input_ids
         return batch
     """, 4, "use `text=`"),
    ("""
     from transformers import MarianTokenizer
     tok = MarianTokenizer.from_pretrained("Helsinki-NLP/opus-mt-en-de")
     batch = tok.prepare_seq2seq_batch(["hi"], ["hallo"], return_tensors="pt")
     """, 3, "text_target="),
    ("""
     from transformers import AutoTokenizer
     tok = AutoTokenizer.from_pretrained("bert-base-cased")
     specials = tok.additional_special_tokens
     """, 3, "use `extra_special_tokens`"),
    ("""
     from transformers import GPT2LMHeadModel
     model = GPT2LMHeadModel.from_pretrained("gpt2")
     if model.config.do_sample:
         print("sampling")
     """, 3, "use `generation_config.do_sample`"),
    ("""
     from transformers import AutoConfig
     config = AutoConfig.from_pretrained("facebook/bart-large-cnn")
     beams = config.num_beams
     """, 3, "use `generation_config.num_beams`"),
    ("""
     from transformers import AutoProcessor
     processor = AutoProcessor.from_pretrained("openai/clip-vit-base-patch32")
     def pixels(image):
         return processor.feature_extractor(images=image, return_tensors="pt").pixel_values
     """, 4, "use `image_processor`"),
    ("""
     from transformers import BertModel
     model = BertModel.from_pretrained("bert-base-uncased")
     model.prune_heads({0: [0, 1]})
     """, 3, "`model.prune_heads` does not exist on a transformers model in transformers 5.24: removed in 5.0"),
])


def test_removed_members_are_reported(code, line, message):
    found = [f for f in findings(code) if f[1] == "HF504"]
    assert len(found) == 1, found
    assert found[0][0] == line and message in found[0][2], found


def test_member_of_a_removed_class_is_judged_on_its_successor():
    code = """
        from transformers import DetrFeatureExtractor
        feature_extractor = DetrFeatureExtractor.from_pretrained("facebook/detr-resnet-50")
        def boxes(outputs, sizes):
            return feature_extractor.post_process(outputs, sizes)
        """
    assert [(line, c) for line, c, _ in findings(code)] == [(1, "HF501"), (4, "HF504")]
    assert "feature_extractor.post_process_object_detection(outputs, threshold=0.0, target_sizes=sizes)" in \
        fixed(code)


@pytest.mark.parametrize("code", [
    # the release before the removal
    """
    from transformers import AutoTokenizer
    tokenizer = AutoTokenizer.from_pretrained("bert-base-cased")
    enc = tokenizer.encode_plus("a", "b")
    """,
    # a processor of an audio model keeps its feature extractor
    """
    from transformers import AutoProcessor
    processor = AutoProcessor.from_pretrained("facebook/wav2vec2-base-960h")
    rate = processor.feature_extractor.sampling_rate
    """,
    # unknown checkpoint: many processors still have feature_extractor, so it may be one of them
    """
    import sys
    from transformers import AutoProcessor
    processor = AutoProcessor.from_pretrained(sys.argv[1])
    extractor = processor.feature_extractor
    """,
    # a user subclass defines the member
    """
    from transformers import BertTokenizer
    class MyTokenizer(BertTokenizer):
        def encode_plus(self, text, **kwargs):
            return self(text, **kwargs)
    tok = MyTokenizer.from_pretrained("bert-base-cased")
    tok.encode_plus("hello")
    """,
    # guarded
    """
    from transformers import AutoTokenizer
    tok = AutoTokenizer.from_pretrained("bert-base-cased")
    try:
        enc = tok.encode_plus("hello")
    except AttributeError:
        enc = tok("hello")
    """,
    # a config field the script sets itself, and one passed when loading
    """
    from transformers import AutoConfig, AutoModelForCausalLM
    config = AutoConfig.from_pretrained("gpt2", num_beams=4)
    model = AutoModelForCausalLM.from_pretrained("gpt2", config=config)
    model.config.max_length = 64
    print(config.num_beams, model.config.max_length)
    """,
    # members that exist
    """
    from transformers import AutoModelForCausalLM, AutoTokenizer
    tok = AutoTokenizer.from_pretrained("gpt2")
    model = AutoModelForCausalLM.from_pretrained("gpt2")
    ids = tok.encode("hi", return_tensors="pt")
    out = model.generate(ids, max_new_tokens=5, pad_token_id=tok.eos_token_id)
    print(tok.batch_decode(out), model.num_parameters(), tok.pad_token, model.config.vocab_size)
    """,
    # not a transformers object
    """
    from sentence_transformers import SentenceTransformer
    model = SentenceTransformer("all-MiniLM-L6-v2")
    enc = model.tokenizer.encode_plus("hello")
    """,
])
def test_members_that_exist_or_cannot_be_known_stay_silent(code):
    target = "4.46" if "encode_plus(\"a\", \"b\")" in code else "5.24"
    assert [f for f in findings(code, target) if f[1] == "HF504"] == []


def test_member_fixes():
    assert fixed("""
        from transformers import Wav2Vec2Processor
        processor = Wav2Vec2Processor.from_pretrained("facebook/wav2vec2-base-960h")
        def prepare(batch):
            with processor.as_target_processor():
                batch["labels"] = processor(batch["text"]).input_ids
            return batch
        """) == textwrap.dedent("""
        from transformers import Wav2Vec2Processor
        processor = Wav2Vec2Processor.from_pretrained("facebook/wav2vec2-base-960h")
        def prepare(batch):
            batch["labels"] = processor(text=batch["text"]).input_ids
            return batch
        """)
    # encode_plus with a third positional argument has no mechanical fix (the call takes text_target third)
    code = """
        from transformers import AutoTokenizer
        tok = AutoTokenizer.from_pretrained("bert-base-cased")
        enc = tok.encode_plus("a", "b", True)
        """
    assert fixed(code) == textwrap.dedent(code)


# ==================================================================================================== HF505

@pytest.mark.parametrize("code,line,message", [
    ('from transformers import pipeline\nsummarizer = pipeline("summarization")\n', 2, "removed in 5."),
    ('from transformers import pipeline\nt = pipeline("translation_de_to_en", model="t5-base")\n', 2,
     "Use the `text-generation` pipeline"),
    ('import transformers\nqa = transformers.pipeline(task="question-answering")\n', 2, "`question-answering`"),
    ('from transformers import pipeline\nTASK = "text2text-generation"\ndef load():\n    return pipeline(TASK)\n',
     4, "text2text-generation"),
    ('from transformers import pipeline\np = pipeline("image-to-image", model="caidas/swin2SR-classical-sr-x2-64")\n',
     2, "Diffusers"),
    ('from transformers import pipeline\nq = pipeline("vqa")\n', 2, "image-text-to-text"),
])
def test_removed_tasks_are_reported(code, line, message):
    found = findings(code)
    assert [(f[0], f[1]) for f in found] == [(line, "HF505")], found
    assert message in found[0][2]


@pytest.mark.parametrize("code,target", [
    ('from transformers import pipeline\np = pipeline("summarization")\n', "4.57"),
    ('from transformers import pipeline\np = pipeline("sentiment-analysis")\nq = pipeline("ner")\n', "5.24"),
    ('from transformers import pipeline\np = pipeline("text-to-speech", model="suno/bark-small")\n', "5.24"),
    ('from transformers import pipeline\np = pipeline("my-custom-task-for-the-registry")\n', "5.24"),
    ('from transformers import pipeline\nimport os\np = pipeline(os.environ["TASK"])\n', "5.24"),
    ('from transformers import pipeline\np = pipeline(model="gpt2")\n', "5.24"),
])
def test_tasks_that_exist_or_cannot_be_known_stay_silent(code, target):
    assert [f for f in findings(code, target) if f[1] == "HF505"] == []


# ==================================================================================================== HF506

@pytest.mark.parametrize("code,message", [
    ('tok = AutoTokenizer.from_pretrained("bert-base-cased")\nx = tok(texts, pad_to_max_length=True, max_length=8)\n',
     'use `padding="max_length"`'),
    ('tok = AutoTokenizer.from_pretrained("bert-base-cased")\nx = tok.encode_plus(t, return_tensor="pt")\n',
     "did you mean `return_tensors=`?"),
    ('tok = AutoTokenizer.from_pretrained("bert-base-cased")\nx = tok.encode(t, truncate=True)\n',
     "did you mean `truncation=`?"),
    ('tok = BertTokenizer.from_pretrained("bert-base-cased")\nx = tok(t, max_len=32, truncation=True)\n',
     "did you mean `max_length=`?"),
    ('tok = AutoTokenizer.from_pretrained("bert-base-cased")\nx = tok.__call__(t, return_attention_masks=True)\n',
     "did you mean `return_attention_mask=`?"),
    ('tok = AutoTokenizer.from_pretrained("bert-base-cased")\nx = tok.batch_encode_plus(t, pad_to_max_length=True)\n',
     "removed in 4.52"),
    ('tok = AutoTokenizer.from_pretrained("gpt2")\nx = tok(words, is_split_into_words=True, add_prefix_space=True)\n',
     "removed in 5.0 (some tokenizers took it before"),
])
def test_ignored_tokenizer_keywords_are_reported(code, message):
    code = "from transformers import AutoTokenizer, BertTokenizer\n" + code
    found = [f for f in findings(code) if f[1] == "HF506"]
    assert len(found) == 1 and found[0][0] == 3 and message in found[0][2], found


@pytest.mark.parametrize("code", [
    'tok = AutoTokenizer.from_pretrained("gpt2")\nx = tok(t, is_split_into_words=True, split_special_tokens=True)\n',
    'tok = AutoTokenizer.from_pretrained("bert-base-cased")\nx = tok(text=t, text_pair=p, stride=16)\n',
    'tok = AutoTokenizer.from_pretrained("bert-base-cased")\nkw = {"pad_to_max_length": True}\nx = tok(t, **kw)\n',
    'tok = AutoTokenizer.from_pretrained("bert-base-cased")\nx = tok.decode(ids, skip_special_tokens=True)\n',
    'proc = AutoProcessor.from_pretrained("openai/clip-vit-base-patch32")\nx = proc(text=t, images=i, padding=True)\n',
    'tok = AutoTokenizer.from_pretrained("google/tapas-base")\nx = tok(table=df, queries=["q"], padding="max_length")\n',
])
def test_keywords_some_tokenizer_takes_stay_silent(code):
    code = "from transformers import AutoProcessor, AutoTokenizer\n" + code
    assert [f for f in findings(code) if f[1] == "HF506"] == []


def test_pad_to_max_length_fixes():
    head = 'from transformers import AutoTokenizer\ntok = AutoTokenizer.from_pretrained("bert-base-cased")\n'
    assert fixed(head + "x = tok(t, pad_to_max_length=True, max_length=8)\n", unsafe=False) == \
        head + 'x = tok(t, padding="max_length", max_length=8)\n'
    assert fixed(head + "x = tok(t, max_length=8, pad_to_max_length=False)\n", unsafe=False) == \
        head + "x = tok(t, max_length=8)\n"
    # already padding: only the finding, no guess
    code = head + 'x = tok(t, padding=True, pad_to_max_length=True)\n'
    assert fixed(code) == code and [c for _, c in codes(code)] == ["HF506"]


# ==================================================================================================== HF502 loader keywords

@pytest.mark.parametrize("code,message,after", [
    ('model = AutoModel.from_pretrained("bert-base-cased", from_tf=True)\n',
     "accepted but ignored since 5.0; drop it (TensorFlow checkpoints cannot be loaded",
     'model = AutoModel.from_pretrained("bert-base-cased")\n'),
    ('model = AutoModel.from_pretrained("bert-base-cased", low_cpu_mem_usage=True, output_hidden_states=True)\n',
     "ignored since 4.51", 'model = AutoModel.from_pretrained("bert-base-cased", output_hidden_states=True)\n'),
    ('tok = AutoTokenizer.from_pretrained("t5-small", use_fast=False)\n', "ignored since 5.0",
     'tok = AutoTokenizer.from_pretrained("t5-small")\n'),
    ('model = AutoModel.from_pretrained("bert-base-cased", resume_download=True)\n',
     "removed in 5.0; drop it (downloads always resume)", 'model = AutoModel.from_pretrained("bert-base-cased")\n'),
    ('model = AutoModel.from_pretrained("gpt2", use_flash_attention_2=True)\n',
     'use `attn_implementation="flash_attention_2"`',
     'model = AutoModel.from_pretrained("gpt2", attn_implementation="flash_attention_2")\n'),
])
def test_loader_keywords(code, message, after):
    head = "from transformers import AutoModel, AutoTokenizer\n"
    found = findings(head + code)
    assert [c for _, c, _ in found] == ["HF502"] and message in found[0][2], found
    assert fixed(head + code) == head + after


def test_load_in_8bit_becomes_a_quantization_config_with_its_import():
    code = 'from transformers import AutoModelForCausalLM\nm = AutoModelForCausalLM.from_pretrained("gpt2", ' \
           'load_in_8bit=True, device_map="auto")\n'
    assert fixed(code) == ('from transformers import AutoModelForCausalLM\n'
                           'from transformers import BitsAndBytesConfig\n'
                           'm = AutoModelForCausalLM.from_pretrained("gpt2", quantization_config=BitsAndBytesConfig('
                           'load_in_8bit=True), device_map="auto")\n')
    code = 'import transformers\nm = transformers.AutoModelForCausalLM.from_pretrained("gpt2", load_in_4bit=True)\n'
    assert fixed(code) == ('import transformers\nm = transformers.AutoModelForCausalLM.from_pretrained("gpt2", '
                           'quantization_config=transformers.BitsAndBytesConfig(load_in_4bit=True))\n')


# ==================================================================================================== HF501 fixes

def test_misspelled_import_is_renamed_at_every_use():
    code = """
        from transformers import AutoModelforQuestionAnswering
        def load(name):
            return AutoModelforQuestionAnswering.from_pretrained(name)
        MODELS = [AutoModelforQuestionAnswering]
        """
    assert fixed(code, select=("HF501",), unsafe=False) == textwrap.dedent("""
        from transformers import AutoModelForQuestionAnswering
        def load(name):
            return AutoModelForQuestionAnswering.from_pretrained(name)
        MODELS = [AutoModelForQuestionAnswering]
        """)


def test_rename_keeps_other_bindings_of_the_old_name():
    code = """
        from transformers import AutoModelforQuestionAnswering
        def load(AutoModelforQuestionAnswering=None):
            return AutoModelforQuestionAnswering
        """
    assert "import AutoModelForQuestionAnswering as AutoModelforQuestionAnswering" in \
        fixed(code, select=("HF501",), unsafe=False)


def test_adamw_moves_to_torch_optim_as_an_unsafe_fix():
    code = "from transformers import AdamW\noptimizer_cls = AdamW\n"
    assert fixed(code, select=("HF501",), unsafe=False) == code  # unsafe: the defaults differ
    assert fixed(code, select=("HF501",)) == "from torch.optim import AdamW\noptimizer_cls = AdamW\n"
    code = "from transformers import (\n    AdamW,\n    get_scheduler,\n)\n"
    assert fixed(code, select=("HF501",)) == "from transformers import (\n    get_scheduler,\n)\n" \
                                             "from torch.optim import AdamW\n"


def test_fixes_introducing_newer_names_are_unsafe_on_the_default_target(monkeypatch):
    monkeypatch.setattr(api, "installed_version", lambda: None)
    code = 'from transformers import TrainingArguments\nargs = TrainingArguments("out", evaluation_strategy="epoch")\n'
    settings = Settings(select=["HF502"])
    [finding] = lint_source(code, "x.py", settings).findings
    assert finding.fix.applicability == "unsafe"  # eval_strategy needs 4.41: the target is only a guess
    settings = Settings(select=["HF502"], target_transformers="5.0")
    [finding] = lint_source(code, "x.py", settings).findings
    assert finding.fix.applicability == "safe"


# ==================================================================================================== targets

def test_declared_dependency_sets_the_target_when_nothing_is_installed(tmp_path, monkeypatch):
    monkeypatch.setattr(api, "installed_version", lambda: None)
    (tmp_path / "requirements.txt").write_text("torch\ntransformers[torch]>=4.40,<4.47  # pinned for CUDA 11\n")
    script = tmp_path / "train.py"
    script.write_text('from transformers import Trainer\ntrainer = Trainer(model=None, processing_class=None)\n')
    target = api.choose_target(None, start=str(script))
    assert target == (4, 40) and target.origin == "declared" and "requirements.txt" in target.reason
    found = lint_source(script.read_text(), str(script), Settings(select=["HF502"])).findings
    assert [f.code for f in found] == ["HF502"] and "added in 4.46" in found[0].message


@pytest.mark.parametrize("text,expected", [
    ("transformers>=4.46,<5", (4, 46)), ("transformers==4.41.2", (4, 41)), ("transformers>4.45", (4, 45)),
    ("transformers~=4.38.0", (4, 38)), ("transformers<5", (4, 30)), ("transformers", None), ("torch>=2", None),
    ("transformers @ git+https://github.com/huggingface/transformers", None), ("not a requirement !!", None),
])
def test_lowest_version_a_specifier_allows(text, expected):
    from hflint.knowledge.declared import lowest_allowed

    assert lowest_allowed(text) == expected


def test_pyproject_and_setup_cfg_declarations(tmp_path):
    from hflint.knowledge import declared

    (tmp_path / ".git").mkdir()
    sub = tmp_path / "pkg"
    sub.mkdir()
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\ndependencies = ["numpy"]\n'
                                             '[project.optional-dependencies]\nhf = ["transformers>=4.44"]\n')
    assert declared.declared_target(str(sub / "a.py"))[0] == (4, 44)
    other = tmp_path / "other"
    other.mkdir()
    (other / "setup.cfg").write_text("[options]\ninstall_requires =\n    requests\n    transformers>=4.36.0\n")
    declared._search.cache_clear()
    assert declared.declared_target(str(other / "b.py"))[0] == (4, 36)
    poetry = tmp_path / "poetry"
    poetry.mkdir()
    (poetry / "pyproject.toml").write_text('[tool.poetry.dependencies]\ntransformers = "^4.50"\n')
    assert declared.declared_target(str(poetry))[0] == (4, 50)


def test_a_name_every_branch_binds_to_a_tokenizer_is_a_tokenizer():
    code = """
        import sys
        from transformers import AutoTokenizer
        if len(sys.argv) > 2:
            tokenizer = AutoTokenizer.from_pretrained(sys.argv[2], use_fast=True)
        else:
            tokenizer = AutoTokenizer.from_pretrained(sys.argv[1])
        def preprocess(targets):
            with tokenizer.as_target_tokenizer():
                labels = tokenizer(targets, max_length=128, pad_to_max_length=True)
            return labels
        """
    found = [(line, c) for line, c, _ in findings(code) if c in ("HF504", "HF506")]
    assert found == [(8, "HF504"), (9, "HF506")], found
    # a name bound to a tokenizer in one branch and to something else in the other stays unknown
    other = code.replace("tokenizer = AutoTokenizer.from_pretrained(sys.argv[1])", "tokenizer = None")
    assert [c for _, c, _ in findings(other) if c in ("HF504", "HF506")] == []


def test_as_target_tokenizer_block_rewrites_every_call_and_keeps_decodes():
    code = """
        from transformers import AutoTokenizer
        tokenizer = AutoTokenizer.from_pretrained("t5-small")
        with tokenizer.as_target_tokenizer():
            print(tokenizer(["Hallo"]))
            print(tokenizer.decode([0, 1]))
        """
    assert fixed(code) == textwrap.dedent("""
        from transformers import AutoTokenizer
        tokenizer = AutoTokenizer.from_pretrained("t5-small")
        print(tokenizer(text_target=["Hallo"]))
        print(tokenizer.decode([0, 1]))
        """)


def test_warmup_ratio_becomes_a_fractional_warmup_steps():
    code = 'from transformers import TrainingArguments\nargs = TrainingArguments("out", warmup_ratio=0.1)\n'
    assert fixed(code, unsafe=False) == 'from transformers import TrainingArguments\n' \
                                        'args = TrainingArguments("out", warmup_steps=0.1)\n'
    assert fixed(code, target="4.46") == code  # still a valid keyword there


V4_SCRIPT = '''
import argparse
from transformers import (
    AdamW,
    AutoModelForSeq2SeqLM,
    AutoTokenizer,
    Seq2SeqTrainer,
    Seq2SeqTrainingArguments,
    ViTFeatureExtractor,
    get_linear_schedule_with_warmup,
    pipeline,
)

parser = argparse.ArgumentParser()
args = parser.parse_args()
tokenizer = AutoTokenizer.from_pretrained("t5-small", use_fast=False, use_auth_token=True)
model = AutoModelForSeq2SeqLM.from_pretrained("t5-small", from_tf=False, low_cpu_mem_usage=True)
extractor = ViTFeatureExtractor.from_pretrained("google/vit-base-patch16-224")


def preprocess(examples):
    inputs = tokenizer.batch_encode_plus(examples["src"], max_length=128, pad_to_max_length=True, truncation=True)
    with tokenizer.as_target_tokenizer():
        labels = tokenizer(examples["tgt"], max_length=64, pad_to_max_length=True, truncation=True)
    inputs["labels"] = labels["input_ids"]
    return inputs


enc = tokenizer.encode_plus("hello", "world", return_tensor="pt")
optimizer = AdamW(model.parameters(), lr=1e-4)
scheduler = get_linear_schedule_with_warmup(optimizer, 0, 100)
training_args = Seq2SeqTrainingArguments(
    "out",
    evaluation_strategy="epoch",
    per_gpu_train_batch_size=8,
    warmup_ratio=0.1,
    overwrite_output_dir=True,
    predict_with_generate=True,
)
trainer = Seq2SeqTrainer(model=model, args=training_args, tokenizer=tokenizer)
summarizer = pipeline("summarization", model="t5-small")
print(model.config.num_beams)
'''


def test_a_v4_script_is_fixed_for_v5_except_what_has_no_mechanical_fix():
    before = findings(V4_SCRIPT)
    assert sorted({c for _, c, _ in before}) == ["HF501", "HF502", "HF504", "HF505", "HF506"] and len(before) == 19
    after = fixed(V4_SCRIPT, select=("ALL",))
    left = findings(after)
    assert [(c, "summarization" in m) for _, c, m in left] == [("HF505", True)]  # another model, not a rename
    for expected in ("from torch.optim import AdamW", "ViTImageProcessor.from_pretrained", 'token=True)',
                     "inputs = tokenizer(examples[\"src\"], max_length=128, padding=\"max_length\"",
                     "labels = tokenizer(text_target=examples[\"tgt\"]", 'enc = tokenizer("hello", "world", '
                     'return_tensors="pt")', "eval_strategy=", "per_device_train_batch_size=", "warmup_steps=0.1",
                     "processing_class=tokenizer", "model.generation_config.num_beams"):
        assert expected in after, expected
    for gone in ("use_fast", "from_tf", "low_cpu_mem_usage", "overwrite_output_dir", "as_target_tokenizer"):
        assert gone not in after, gone
