"""The analysis layer as rules see it: read-only facts, contexts recorded once, function summaries."""
from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from hflint.analysis.analyzer import Analyzer
from hflint.analysis.facts import Facts
from hflint.analysis.flow import Branch
from hflint.analysis.values import HFObject, Str
from hflint.analysis.walk import walk

RULES = Path(__file__).resolve().parent.parent / "hflint" / "rules"


def analyse(code: str) -> Facts:
    import libcst as cst

    module = cst.parse_module(textwrap.dedent(code))
    analyzer = Analyzer(module)
    walk(module, [analyzer])
    analyzer.finish()
    return Facts(analyzer)


def calls(facts: Facts, name: str):
    return [site for scope in facts.scopes for site in scope.calls if site.name == name and not site.via]


# ---------------------------------------------------------------- read-only

def test_facts_and_what_they_hold_are_read_only():
    facts = analyse("""
        from transformers import AutoModel
        model = AutoModel.from_pretrained("bert-base-cased")
        model.eval()
    """)
    [model] = facts.objects
    with pytest.raises(AttributeError):
        facts.objects = ()
    with pytest.raises(AttributeError):
        model.checkpoint = "roberta-base"
    with pytest.raises(AttributeError):
        facts.module_scope.calls = []
    with pytest.raises(AttributeError):
        model.uses[0].name = "train"  # a frozen record
    assert isinstance(model.uses, tuple) and isinstance(facts.module_scope.calls, tuple)
    with pytest.raises(AttributeError):
        model.uses.append(model.uses[0])


def test_derived_facts_are_cached_inside_the_analysis():
    facts = analyse("""
        from transformers import AutoModel, AutoTokenizer
        tok = AutoTokenizer.from_pretrained("bert-base-cased")
        model = AutoModel.from_pretrained("bert-base-cased")
    """)
    assert facts.pairs() is facts.pairs()
    assert facts.config_changes() is facts.config_changes()


# The statements that make contexts: with regions, branches and version guards, loops, try/except.
_CONTEXT_STATEMENTS = {"With", "WithItem", "If", "IfExp", "For", "AsyncFor", "While", "Try", "TryStar",
                       "ExceptHandler", "Match", "MatchCase", "IndentedBlock"}


@pytest.mark.parametrize("path", sorted(RULES.glob("*.py")), ids=lambda p: p.name)
def test_no_rule_walks_the_tree_for_contexts_or_writes_to_the_analysis(path):
    """Contexts (with regions, version guards, loops, branches) come from the analysis; rules only read it."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name.startswith(("visit_", "leave_")):
            assert node.name.split("_", 1)[1] not in _CONTEXT_STATEMENTS, f"{path.name}: {node.name}"
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                text = ast.unparse(target)
                if isinstance(target, (ast.Attribute, ast.Subscript)):
                    assert "facts." not in text and not text.startswith("facts"), f"{path.name}: writes {text}"
        if isinstance(node, ast.Call) and ast.unparse(node.func) == "setattr" and node.args:
            assert "facts" not in ast.unparse(node.args[0]), f"{path.name}: setattr on the analysis"


# ---------------------------------------------------------------- contexts

def test_contexts_record_gradients_weights_and_loops():
    facts = analyse("""
        import torch
        from accelerate import init_empty_weights
        from transformers import AutoConfig, AutoModel
        model = AutoModel.from_pretrained("bert-base-cased")
        with torch.no_grad():
            model.forward()
        with torch.inference_mode(), torch.autocast("cuda"):
            model.generate()
        with init_empty_weights():
            empty = AutoModel.from_config(AutoConfig.from_pretrained("gpt2"))
        for text in ["a", "b"]:
            model.to("cpu")
        @torch.no_grad()
        def predict(m):
            m.score()
    """)
    [forward] = calls(facts, "forward")
    [generate] = calls(facts, "generate")
    [to] = calls(facts, "to")
    [score] = calls(facts, "score")
    assert forward.context.grad_off == "torch.no_grad()"
    assert generate.context.grad_off == "torch.inference_mode()" and generate.context.autocast == "torch.autocast()"
    assert to.context.grad_off == "" and to.context.loop_binding("text") is not None
    assert score.context.grad_off == "@torch.no_grad()"
    empty = next(o for o in facts.objects if o.names == ("empty",))
    assert empty.context.empty_weights == "init_empty_weights()"


@pytest.mark.parametrize("test,guarded", [
    ('version.parse(transformers.__version__) >= version.parse("5.0")', True),
    ('transformers.__version__.startswith("4.")', True),
    ('hasattr(transformers, "HybridCache")', True),
    ('hasattr(model, "generation_config")', True),
    ('is_peft_available()', True),
    ('IS_V5', True),  # bound to a version comparison below
    ('not transformers_lt_4_56', True),  # imported from another module: known by its name
    ('getattr(args, "fp16")', False),
    ('use_v5', False),  # bound in the file to something that is not a version test
    ('len(sys.argv) > 2', False),
])
def test_version_guards_are_recognised_by_what_they_test(test, guarded):
    facts = analyse(f"""
        import sys
        import transformers
        from packaging import version
        from transformers import AutoModel
        from transformers.utils import is_peft_available
        from .compat import transformers_lt_4_56
        model = AutoModel.from_pretrained("bert-base-cased")
        IS_V5 = version.parse(transformers.__version__).major >= 5
        use_v5 = len(sys.argv) > 1
        if {test}:
            model.guarded_call()
        model.plain_call()
    """)
    [inside] = calls(facts, "guarded_call")
    [outside] = calls(facts, "plain_call")
    assert (inside.context.version_guard is not None) is guarded
    assert outside.context.version_guard is None


def test_try_import_error_guards_its_body_only():
    facts = analyse("""
        try:
            first()
        except ImportError:
            second()
        third()
    """)
    guards = {site.name: site.context.version_guard is not None for site in facts.module_scope.calls}
    assert guards == {"first": True, "second": False, "third": False}


def test_branches_are_typed_records():
    facts = analyse("""
        import sys
        if sys.argv:
            a()
        elif sys.path:
            b()
        else:
            c()
    """)
    conds = {site.name: site.cond for site in facts.module_scope.calls if site.name in "abc"}
    assert all(isinstance(b, Branch) for cond in conds.values() for b in cond)
    assert [(b.kind, b.arm) for b in conds["a"]] == [("if", "body")]
    assert [(b.kind, b.arm) for b in conds["b"]] == [("if", "else"), ("if", "body")]
    assert [(b.kind, b.arm) for b in conds["c"]] == [("if", "else"), ("if", "else")]
    assert conds["a"][0].test is not None


# ---------------------------------------------------------------- summaries

def test_a_function_returning_a_load_makes_an_object_at_each_call():
    facts = analyse("""
        from transformers import AutoModel
        def load(name="bert-base-cased"):
            return AutoModel.from_pretrained(name)
        first = load()
        second = load("roberta-base")
        third = load(CHECKPOINT_FROM_ELSEWHERE)
    """)
    made = {o.names[0]: o for o in facts.objects if o.names and o.via == "load"}
    assert made["first"].checkpoint == "bert-base-cased"
    assert made["second"].checkpoint == "roberta-base"
    assert made["third"].checkpoint is None  # unknown stays unknown


def test_effects_on_arguments_and_self_attributes_land_at_the_call():
    facts = analyse("""
        from transformers import AutoModel, AutoTokenizer
        def add_markers(tok):
            tok.add_tokens(["<x>"])
        class Encoder:
            def __init__(self):
                self.model = AutoModel.from_pretrained("bert-base-cased")
                self.grow(30000)
            def grow(self, n):
                self.model.resize_token_embeddings(n)
        tokenizer = AutoTokenizer.from_pretrained("bert-base-cased")
        add_markers(tokenizer)
    """)
    tokenizer = next(o for o in facts.objects if o.role == "tokenizer" and not o.via)
    [add] = [u for u in tokenizer.uses if u.via]
    assert (add.kind, add.name, add.via) == ("method", "add_tokens", "add_markers")
    model = next(o for o in facts.objects if o.role == "model" and "self.model" in o.names)
    assert [(u.name, u.via) for u in model.uses if u.via] == [("resize_token_embeddings", "grow")]


def test_recursion_and_unknown_calls_stay_unknown():
    facts = analyse("""
        from transformers import AutoModel
        def load(depth):
            if depth:
                return load(depth - 1)
            return AutoModel.from_pretrained("gpt2")
        model = load(3)
        other = make_model_elsewhere()
    """)
    assert not [o for o in facts.objects if o.via]


def test_a_function_is_summarised_once(monkeypatch):
    from hflint.analysis import summaries

    count = []
    original = summaries.Summaries._summarise

    def counting(self, ref):
        count.append(ref.name)
        return original(self, ref)

    monkeypatch.setattr(summaries.Summaries, "_summarise", counting)
    analyse("""
        from transformers import AutoTokenizer
        def load():
            return AutoTokenizer.from_pretrained("gpt2")
        a, b, c = load(), load(), load()
        def later():
            return load()
        d = later()
    """)
    assert sorted(count) == ["later", "load"]


def test_wrappers_return_the_model_they_are_given():
    facts = analyse("""
        import torch
        from accelerate import Accelerator
        from peft import LoraConfig, PeftModel, get_peft_model, prepare_model_for_kbit_training
        from transformers import AutoModelForCausalLM
        base = AutoModelForCausalLM.from_pretrained("gpt2")
        a = get_peft_model(prepare_model_for_kbit_training(base), LoraConfig())
        b = PeftModel.from_pretrained(base, "./adapter")
        c = torch.compile(base).to("cuda").half()
        d, optimizer = Accelerator().prepare(base, torch.optim.AdamW(base.parameters()))
    """)
    [base] = [o for o in facts.objects if o.role == "model"]
    assert set(base.names) == {"base", "a", "b", "c", "d"}


def test_unpacking_and_constant_containers():
    facts = analyse("""
        from transformers import AutoModel, AutoTokenizer
        NAMES = {"tok": "bert-base-cased"}
        MODELS = ["gpt2", "roberta-base"]
        IDX = 1
        tok_id, lm_id = NAMES["tok"], MODELS[IDX]
        tokenizer = AutoTokenizer.from_pretrained(tok_id)
        encoder = AutoModel.from_pretrained(lm_id)
        seq, pooled = encoder(**tokenizer("x", return_tensors="pt"), return_dict=False)
    """)
    assert {o.checkpoint for o in facts.objects} == {"bert-base-cased", "roberta-base"}
    kinds = {t.names[0]: t.kind for t in facts.tracked if getattr(t, "kind", None) and t.names}
    assert kinds == {"seq": "hidden", "pooled": "pooler"}


def test_subclasses_of_transformers_classes_make_what_their_base_makes():
    facts = analyse("""
        from transformers import BertPreTrainedModel, Trainer
        class Head(BertPreTrainedModel):
            pass
        class MyTrainer(Trainer):
            def __init__(self, *args, tokenizer=None, **kwargs):
                super().__init__(*args, **kwargs)
        head = Head.from_pretrained("bert-base-cased")
        trainer = MyTrainer(model=head)
    """)
    head = next(o for o in facts.objects if o.role == "model")
    assert (head.cls, head.checkpoint, head.origin) == ("Head", "bert-base-cased", "from_pretrained")
    trainer = next(o for o in facts.objects if o.role == "trainer")
    info = facts.user_class(facts.value_of(trainer.call.func))
    assert info.base == "transformers.Trainer" and "tokenizer" in info.init_params and info.init_kwargs
    assert isinstance(facts.value_of(head.checkpoint_node), Str) and isinstance(head, HFObject)
