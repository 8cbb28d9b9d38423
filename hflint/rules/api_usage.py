"""HF504-HF506 — how transformers objects are used, checked against the target version: members the target's
classes no longer have, pipeline tasks it removed, keywords its tokenizer calls do not take.

The facts come from the API history (``hflint/knowledge/api/members.json``, ``tasks.json``, ``keywords.json``),
generated from the released wheels; the target is chosen as for HF501-HF503 (``rules/api.py``).
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable, Optional

from ..analysis.scopes import dotted_name
from ..analysis.values import UNKNOWN, ChatTemplate, ClassRef, Const, FuncRef, HFObject, Param, QName, Str
from ..knowledge import api, normalize_checkpoint
from ..lazy_libcst import cst
from .api import _ApiRule, _loaded_from_transformers, _names_in, drop_keyword, introduces_new_name, suggest, \
    target_of, user_defined_names, vtext
from .base import Invalid, Replacement, Report, Valid

# ==================================================================================================== HF504

_KIND_WORDS = {"tokenizer": "a transformers tokenizer", "model": "a transformers model",
               "config": "a transformers config", "processor": "a transformers processor",
               "image_processor": "a transformers image processor",
               "feature_extractor": "a transformers feature extractor", "trainer": "a transformers Trainer",
               "pipeline": "a transformers pipeline"}
# Kinds whose objects carry attributes no class declares (a tokenizer's special tokens, every field of a config's
# config.json, the settings 5.4+ image processors set from their keyword arguments, a processor's sub-processors):
# a removed member is reported there only when a release or the migration guide says what replaces it.
NEED_ADVICE = frozenset({"tokenizer", "config", "processor", "image_processor", "feature_extractor"})
# With an Auto class and no checkpoint to tell which class loads, a member some classes still define is reported
# only when they are this rare among the kind's classes (the layout tokenizers that keep `encode_plus`).
_RARE = 0.10
_SUFFIXES = re.compile(r"(TokenizerFast|Tokenizer|ImageProcessorFast|ImageProcessor|FeatureExtractor|Processor|"
                       r"Config|Pipeline|PreTrainedModel|Model|LMHeadModel|For\w+)$")


def object_kind(obj: HFObject) -> Optional[str]:
    """The member table a transformers object is checked against."""
    role, cls = obj.role, obj.cls or ""
    if role == "processor":
        if cls.endswith(("ImageProcessor", "ImageProcessorFast")) or cls == "AutoImageProcessor":
            return "image_processor"
        if cls.endswith("FeatureExtractor"):
            return "feature_extractor"
        return "processor"
    if role == "trainer":
        return "trainer" if cls in ("Trainer", "Seq2SeqTrainer") else None
    return role if role in ("tokenizer", "model", "config", "pipeline") else None


def _specific(cls: str, target) -> Optional[str]:
    """The class an object is known to be (`BertTokenizer`), following the aliases 5.x resolves retired names to;
    None for an Auto class or when unknown."""
    if not cls or cls.startswith("Auto") or cls == "pipeline":
        return None
    status = api.export_status(cls, target)
    return status.alias or cls


def _kind_of_class(cls: str, default: str) -> str:
    if cls.endswith(("ImageProcessor", "ImageProcessorFast")):
        return "image_processor"
    if cls.endswith("FeatureExtractor"):
        return "feature_extractor"
    if cls.endswith("Processor"):
        return "processor"
    return default


def _stem(cls: str) -> str:
    return _SUFFIXES.sub("", cls).lower().replace("_", "")


@lru_cache(maxsize=1024)
def _definers(kind: str, member: str, target: tuple) -> tuple:
    """The classes of a kind that still define ``member`` at ``target``."""
    k = api.knowledge_for(target)
    own = k.owner(f"classes.{kind}")
    if own is None:
        return ()
    t = k.clamp(target)
    suffix = "." + member
    return tuple(sorted(name[: -len(suffix)] for key, names in own.spans.items() if k.covers(key, t)
                        for name in names if name.endswith(suffix)))


@lru_cache(maxsize=1024)
def _class_removed(kind: str, member: str, target: tuple) -> Optional[str]:
    """The first release in which a class of the kind lost ``member`` (for the classes that had it), up to
    ``target``."""
    k = api.knowledge_for(target)
    own = k.owner(f"classes.{kind}")
    suffix = "." + member
    found = []
    for key, names in (own.spans.items() if own is not None else ()):
        for name in names:
            if name.endswith(suffix):
                st = k.status(f"classes.{kind}", name, target)
                if st.state == "removed" and st.removed:
                    found.append(api.parse_version(st.removed))
    return api.vtext(min(found)) if found else None


@lru_cache(maxsize=1024)
def _class_notes(kind: str, member: str) -> dict:
    """Notes any class of the kind gave the member (`CLIPProcessor.feature_extractor` -> `image_processor`)."""
    suffix = "." + member
    for key, note in sorted(api.notes(f"classes.{kind}").items()):
        if key.endswith(suffix) and note.get("replacement"):
            return note
    return {}


@lru_cache(maxsize=16)
def _removed_member_names(target: tuple) -> frozenset:
    """The member names HF504 could report at ``target``: names a kind's roots or one of its classes lost (for the
    kinds that need it, only those with an announced replacement). The prefilter's set: a superset."""
    k = api.knowledge_for(target)
    t = k.clamp(target)
    names = set()
    for kind in _KIND_WORDS:
        for prefix in ("members.", "classes."):
            own = k.owner(prefix + kind)
            if own is None:
                continue
            for key, members in own.spans.items():
                if k.covers(key, t):
                    continue
                for member in members:
                    if prefix == "classes." and "." not in member:
                        continue  # a class that is gone: HF501's business
                    if kind in NEED_ADVICE and not own.notes.get(member, {}).get("replacement"):
                        continue
                    names.add(member.rsplit(".", 1)[-1])
    return frozenset(names)


class Verdict:
    __slots__ = ("removed", "replacement", "since")

    def __init__(self, removed: Optional[str], replacement: Optional[str], since: Optional[str]):
        self.removed = removed
        self.replacement = replacement
        self.since = since


def removed_member(kind: str, cls: str, member: str, checkpoint: Optional[str], target) -> Optional[Verdict]:
    """Whether an object of ``kind`` (class ``cls``, loaded from ``checkpoint``) lacks ``member`` at ``target``
    although an earlier release had it; the verdict says when it went and what replaces it."""
    return _removed_member(kind, cls or "", member, checkpoint, tuple(target))


@lru_cache(maxsize=4096)
def _removed_member(kind: str, cls: str, member: str, checkpoint: Optional[str], target: tuple) -> Optional[Verdict]:
    roots = api.param_status(f"members.{kind}", member, target)
    if roots is None or roots.state in ("ok", "deprecated", "ignored"):
        return None
    specific = _specific(cls, target)
    note = _class_notes(kind, member)
    if specific is not None:
        unknown = api.Status("unknown")
        own = api.param_status(f"classes.{kind}", f"{specific}.{member}", target) or unknown
        exists = api.param_status(f"classes.{kind}", specific, target) or unknown
        if exists.state == "removed":
            # the class itself is gone (HF501 says so, and renames it): judge the member on its successor
            successors = _names_in(api.export_status(specific, target).replacement or "")
            if len(successors) == 1 and successors[0] != specific:
                return _removed_member(_kind_of_class(successors[0], kind), successors[0], member, checkpoint, target)
        if own.state in ("ok", "deprecated", "ignored"):
            return None
        if own.state == "removed" and exists.state == "ok":
            replacement = own.replacement or roots.replacement or note.get("replacement")
            return _advised(kind, Verdict(own.removed, replacement, own.removed))
        if roots.state != "removed":
            return None
        # the class never defined it itself: the roots' removal decides
        return _advised(kind, Verdict(roots.removed, roots.replacement or note.get("replacement"), roots.removed))
    if roots.state != "removed":
        # never a root member: a member only some classes had (`feature_extractor` of the vision processors)
        if not note:
            return None
        replacement, removed = note.get("replacement"), _class_removed(kind, member, tuple(target))
    else:
        replacement, removed = roots.replacement or note.get("replacement"), roots.removed
    verdict = _advised(kind, Verdict(removed, replacement, removed))
    if verdict is None:
        return None
    definers = _definers(kind, member, tuple(target))
    if not definers:
        return verdict
    if not verdict.replacement:
        return None
    if checkpoint:
        flat = re.sub(r"[-_./]", "", normalize_checkpoint(checkpoint))
        return None if any(_stem(d) and _stem(d) in flat for d in definers) else verdict
    count = api.class_count(kind, target)
    return verdict if count and len(definers) <= _RARE * count else None


def _advised(kind: str, verdict: Verdict) -> Optional[Verdict]:
    if kind in NEED_ADVICE and not verdict.replacement:
        return None
    return verdict


class RemovedTransformersAttribute(_ApiRule):
    """A method or attribute of a transformers object that the target version's class no longer has.

    ## What it does
    Checks the members used on tokenizers, models, configs, processors, image processors, feature
    extractors, `Trainer`s and pipelines loaded from `transformers` against the members their classes have
    in the target release (from the released wheels): `tokenizer.encode_plus(...)` and
    `batch_encode_plus(...)` (call the tokenizer), `as_target_tokenizer()` (`text_target=`),
    `processor.feature_extractor` (`processor.image_processor`), an image processor's `post_process(...)`
    (`post_process_object_detection`), `pad_and_create_pixel_mask(...)` (`pad`),
    `model.tie_embeddings_and_encoder_decoder()` (`tie_weights`), generation settings read from
    `model.config` (`model.generation_config`), `trainer.tokenizer` (`processing_class`). Names the file's
    own classes define or assign, objects loaded with `trust_remote_code=True`, and code guarded by
    `hasattr`/version checks are never reported; nor is a member some classes still have when the
    checkpoint or class says the object is one of them (`encode_plus` on a LayoutLMv3 tokenizer).

    ## Why is this bad?
    The line raises `AttributeError` — after the model has loaded, or at the end of a training run when the
    evaluation code first calls it.

    ## Example
    ```python
    enc = tokenizer.encode_plus(question, context, truncation=True)
    with tokenizer.as_target_tokenizer():
        labels = tokenizer(targets, max_length=128)
    ```

    ## Use instead
    ```python
    enc = tokenizer(question, context, truncation=True)
    labels = tokenizer(text_target=targets, max_length=128)
    ```

    ## Fix safety
    Calling the tokenizer instead of `encode_plus` (two positional arguments at most) or
    `batch_encode_plus` (one), and the renames `feature_extractor` → `image_processor`,
    `trainer.tokenizer` → `trainer.processing_class`, `model.config.X` → `model.generation_config.X` and
    `post_process(outputs, sizes)` → `post_process_object_detection(outputs, threshold=0.0,
    target_sizes=sizes)` (the threshold its deprecation message gives for equal results) are safe. The
    `as_target_tokenizer()` block rewrite and other renames the releases announce are unsafe.
    """

    code = "HF504"
    name = "removed-transformers-attribute"
    message = "`{expr}.{member}` does not exist on {what} in transformers {target}: removed in {removed}{advice}"
    fixable = "safe"

    VALID = [
        Valid("""
            from transformers import AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("bert-base-cased")
            enc = tokenizer("How old are you?", "I am six.", truncation=True, return_tensors="pt")
            labels = tokenizer(text_target=["Ich bin sechs."], max_length=32)
        """, target="5.24"),
        Valid("""
            # 4.46 still has encode_plus and as_target_tokenizer
            from transformers import AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("t5-small")
            enc = tokenizer.encode_plus("translate English to German: hi", truncation=True)
            with tokenizer.as_target_tokenizer():
                labels = tokenizer(["hallo"])
        """, target="4.46"),
        Valid("""
            # the layout tokenizers keep encode_plus in 5.x
            from transformers import LayoutLMv3Tokenizer
            tokenizer = LayoutLMv3Tokenizer.from_pretrained("microsoft/layoutlmv3-base")
            enc = tokenizer.encode_plus(["hello", "world"], boxes=[[0, 0, 1, 1], [1, 1, 2, 2]])
        """, target="5.24"),
        Valid("""
            # an audio processor has a feature extractor
            from transformers import AutoProcessor
            processor = AutoProcessor.from_pretrained("openai/whisper-small")
            features = processor.feature_extractor
        """, target="5.24"),
        Valid("""
            from transformers import AutoModelForCausalLM
            model = AutoModelForCausalLM.from_pretrained("gpt2")
            print(model.generation_config.max_length, model.config.hidden_size)
            model.tie_weights()
        """, target="5.24"),
        Valid("""
            from transformers import AutoTokenizer
            class Encoder:
                def __init__(self):
                    self.tokenizer = AutoTokenizer.from_pretrained("bert-base-cased")
                def encode(self, text):
                    if hasattr(self.tokenizer, "encode_plus"):
                        return self.tokenizer.encode_plus(text)
                    return self.tokenizer(text)
        """, target="5.24"),
        Valid("""
            from transformers import AutoModel
            model = AutoModel.from_pretrained("my-org/custom-model", trust_remote_code=True)
            model.get_head_mask(None, 12)
        """, target="5.24"),
        Valid("""
            # a helper given the tokenizer uses only what 5.x has
            from transformers import AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("bert-base-cased")

            def encode(tokenizer, question, context):
                return tokenizer(question, context, truncation=True)

            enc = encode(tokenizer, "How old are you?", "I am six.")
        """, target="5.24"),
    ]
    INVALID = [
        Invalid("""
            from transformers import AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("bert-base-cased")

            def encode(tokenizer, question, context):
                return tokenizer.encode_plus(question, context, truncation=True)

            enc = encode(tokenizer, "How old are you?", "I am six.")
        """, line=5, target="5.24", message="`tokenizer.encode_plus` does not exist on a transformers tokenizer"),
        Invalid("""
            from transformers import AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("bert-base-cased")
            enc = tokenizer.encode_plus("How old are you?", "I am six.", truncation=True)
        """, line=3, target="5.24", message="`tokenizer.encode_plus` does not exist on a transformers tokenizer in "
                                          "transformers 5.24: removed in 5.0; call the tokenizer",
                fixed="""
            from transformers import AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("bert-base-cased")
            enc = tokenizer("How old are you?", "I am six.", truncation=True)
        """),
        Invalid("""
            from transformers import BertTokenizerFast
            tok = BertTokenizerFast.from_pretrained("bert-base-uncased")
            batch = tok.batch_encode_plus(["a b", "c"], padding=True, return_tensors="pt")
        """, line=3, target="5.24", message="removed in 5.0; call the tokenizer", fixed="""
            from transformers import BertTokenizerFast
            tok = BertTokenizerFast.from_pretrained("bert-base-uncased")
            batch = tok(["a b", "c"], padding=True, return_tensors="pt")
        """),
        Invalid("""
            from transformers import AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("t5-small")
            with tokenizer.as_target_tokenizer():
                labels = tokenizer(["Ich bin sechs."], max_length=32, truncation=True)
        """, line=3, target="5.24", message="use `text_target=`", fixed="""
            from transformers import AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("t5-small")
            labels = tokenizer(text_target=["Ich bin sechs."], max_length=32, truncation=True)
        """),
        Invalid("""
            from transformers import CLIPProcessor
            processor = CLIPProcessor.from_pretrained("openai/clip-vit-base-patch32")
            size = processor.feature_extractor.size
        """, line=3, target="5.24", message="use `image_processor`", fixed="""
            from transformers import CLIPProcessor
            processor = CLIPProcessor.from_pretrained("openai/clip-vit-base-patch32")
            size = processor.image_processor.size
        """),
        Invalid("""
            from transformers import DetrImageProcessor
            processor = DetrImageProcessor.from_pretrained("facebook/detr-resnet-50")
            def detect(outputs, sizes):
                return processor.post_process(outputs, sizes)
        """, line=4, target="5.24", message="use `post_process_object_detection`", fixed="""
            from transformers import DetrImageProcessor
            processor = DetrImageProcessor.from_pretrained("facebook/detr-resnet-50")
            def detect(outputs, sizes):
                return processor.post_process_object_detection(outputs, threshold=0.0, target_sizes=sizes)
        """),
        Invalid("""
            from transformers import AutoModelForSeq2SeqLM
            model = AutoModelForSeq2SeqLM.from_pretrained("t5-small")
            print(model.config.num_beams, model.config.max_length)
        """, line=3, count=2, target="5.24", message="use `generation_config.num_beams`", fixed="""
            from transformers import AutoModelForSeq2SeqLM
            model = AutoModelForSeq2SeqLM.from_pretrained("t5-small")
            print(model.generation_config.num_beams, model.generation_config.max_length)
        """),
        Invalid("""
            from transformers import AutoModelForCausalLM
            model = AutoModelForCausalLM.from_pretrained("gpt2")
            model.tie_embeddings_and_encoder_decoder()
        """, line=3, target="5.24", message="removed in 5.0; use `tie_weights`"),
    ]

    @staticmethod
    def may_match(features) -> bool:
        """Only files that read, on a name bound to a load (or its attributes), a member some release removed."""
        from .api import _prefilter_target

        removed = _removed_member_names(tuple(_prefilter_target(features)))
        if not features.attrs & removed:
            return False
        receivers = features.hf_receivers
        return any(base in receivers and attr in removed for base, attr in features.receiver_attrs)

    def __init__(self, ctx):
        super().__init__(ctx)
        self._guarded: set = set()

    def visit_Attribute(self, node) -> None:
        if self._guard:
            self._guarded.add(id(node))

    def visit_Call(self, node) -> None:
        if self._guard:
            self._guarded.add(id(node))

    def check(self) -> Iterable[Report]:
        facts = self.ctx.facts
        if not facts.objects:
            return
        target = target_of(self.ctx)
        defined = None
        seen: set = set()
        for obj in list(facts.objects) + joined_objects(self.ctx):
            kind = object_kind(obj)
            if kind is None or not obj.uses or not _loaded_from_transformers(facts, obj):
                continue
            for use in obj.uses:
                if use.kind == "method":
                    # seen at a call of a helper (`via`): the member is used on the helper's parameter, in its body
                    call = use.call if use.via else use.node
                    attr_node = call.func if isinstance(call, cst.Call) else None
                elif use.kind == "attr_load":
                    attr_node = use.here
                else:
                    continue
                if not isinstance(attr_node, cst.Attribute) or id(attr_node) in seen \
                        or id(use.node) in self._guarded or id(attr_node) in self._guarded:
                    continue
                seen.add(id(attr_node))
                member = attr_node.attr.value
                if member.startswith("_"):
                    continue
                verdict = removed_member(kind, obj.cls, member, obj.checkpoint, target)
                if verdict is None:
                    continue
                if defined is None:
                    defined = user_defined_names(self.ctx)
                if member in defined or (kind == "config" and member in obj.kwargs):
                    continue
                yield self._report(obj, kind, use, attr_node, member, verdict, target)

    def _report(self, obj, kind, use, attr_node, member, verdict: Verdict, target) -> Report:
        module = self.ctx.module
        expr = module.code_for_node(attr_node.value)
        if len(expr) > 40 or "\n" in expr:
            expr = "..."
        advice, replacements, safe = self._advice(obj, kind, use, attr_node, member, verdict)
        message = self.message.format(expr=expr, member=member, what=_KIND_WORDS[kind], target=vtext(target),
                                      removed=verdict.removed or "an earlier release", advice=advice)
        return self.report(attr_node.attr, message, replacements=replacements, fix_safe=safe,
                           data={"member": member, "kind": kind, "target": vtext(target),
                                 "replacement": verdict.replacement})

    def _advice(self, obj, kind, use, attr_node, member, verdict: Verdict) -> tuple:
        """(message tail, replacements, safe)."""
        repl = verdict.replacement
        call = (use.call if use.via else use.node) if use.kind == "method" else None
        if not repl:
            return "", [], True
        if repl.startswith("nothing"):
            return f"; {repl[len('nothing'):].strip(' ()') or 'drop it'}", [], True
        if repl == "__call__":
            return "; call the tokenizer: `" + self.ctx.module.code_for_node(attr_node.value) + "(...)`", \
                self._call_instead(attr_node, call, member), True
        if repl.endswith("="):
            fix = self._target_block(obj, call, repl)
            return f"; use `{repl}`", fix, False
        if repl.startswith("generation_config."):
            return f"; use `{repl}`", self._generation_config(obj, attr_node, repl), True
        if re.fullmatch(r"[A-Za-z_]\w*", repl):
            replacements = [Replacement(attr_node.attr, repl)]
            if member == "post_process" and repl == "post_process_object_detection":
                return f"; use `{repl}`", self._post_process(attr_node, call), True
            safe = (member, repl) in _SAFE_RENAMES and not introduces_new_name(target_of(self.ctx), None)
            return f"; use `{repl}`", replacements, safe
        return f" ({repl})", [], True

    def _call_instead(self, attr_node, call, member: str) -> list:
        """`tok.encode_plus(a, b, **kw)` -> `tok(a, b, **kw)`: the same positional meaning for the first two (the
        call takes `text_target` third), one for `batch_encode_plus`."""
        if call is None:
            return []
        positional = [a for a in call.args if a.keyword is None and not a.star]
        if any(a.star == "*" for a in call.args) or len(positional) > (1 if member == "batch_encode_plus" else 2):
            return []
        if member == "batch_encode_plus" and any(a.keyword is not None and a.keyword.value == "batch_text_or_text_pairs"
                                                 for a in call.args):
            return []
        return [Replacement(attr_node, self.ctx.module.code_for_node(attr_node.value))]

    def _target_block(self, obj, call, keyword: str) -> list:
        """``with tok.as_target_tokenizer():``: drop the block, and pass the first positional argument of each call of
        the same object inside it as ``text_target=`` (``text=`` for processors); other statements (a `decode`) stay.
        Only for a block of simple statements."""
        if call is None:
            return []
        block = self.ctx.facts.with_statement_of(call)
        if block is None or len(block.items) != 1 or block.items[0].asname is not None:
            return []
        body = block.body
        if not isinstance(body, cst.IndentedBlock):
            return []
        receiver = self.ctx.module.code_for_node(call.func.value)
        module = self.ctx.module
        name = keyword[:-1]
        new_lines = []
        for stmt in body.body:
            if not isinstance(stmt, cst.SimpleStatementLine):
                return []
            calls = [c for c in _calls_in(stmt) if module.code_for_node(c.func) == receiver]
            for inner in calls:
                if any(a.keyword is not None and a.keyword.value == name for a in inner.args):
                    return []
            replaced = stmt
            for inner in calls:
                positional = [a for a in inner.args if a.keyword is None and not a.star]
                if not positional:
                    continue
                first = positional[0]
                new_arg = first.with_changes(keyword=cst.Name(name), equal=cst.AssignEqual(
                    whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")))
                replaced = replaced.deep_replace(inner, inner.with_changes(
                    args=[new_arg if a is first else a for a in inner.args]))
            new_lines.append(module.code_for_node(replaced).strip("\n"))
        if not new_lines:
            return []
        return [Replacement(block, "\n".join(_reindent(line, block, self.ctx) for line in new_lines).lstrip())]

    def _generation_config(self, obj, attr_node, repl: str) -> list:
        """`model.config.max_length` -> `model.generation_config.max_length` (only for a model's own config)."""
        base = attr_node.value
        if obj.origin != "attribute" or not isinstance(base, cst.Attribute) or base.attr.value != "config":
            return []
        return [Replacement(base.attr, "generation_config")]

    def _post_process(self, attr_node, call) -> list:
        """`post_process(outputs, sizes)` -> `post_process_object_detection(outputs, threshold=0.0,
        target_sizes=sizes)`: the new method takes the threshold second."""
        if call is None or any(a.star for a in call.args):
            return []
        positional = [a for a in call.args if a.keyword is None]
        keywords = [a for a in call.args if a.keyword is not None]
        if len(positional) > 2 or any(a.keyword.value not in ("outputs", "target_sizes") for a in keywords):
            return []
        module = self.ctx.module
        parts = [module.code_for_node(positional[0].value)] if positional else []
        parts.append("threshold=0.0")
        if len(positional) == 2:
            parts.append("target_sizes=" + module.code_for_node(positional[1].value))
        parts += [f"{a.keyword.value}={module.code_for_node(a.value)}" for a in keywords]
        func = module.code_for_node(attr_node.value) + ".post_process_object_detection"
        return [Replacement(call, f"{func}({', '.join(parts)})")]


class _Joined:
    """Stands for the objects a name may hold when every assignment to it loads the same kind of object
    (``if args.tokenizer_name: tok = AutoTokenizer.from_pretrained(a) else: tok = AutoTokenizer.from_pretrained(b)``):
    the analysis keeps such a name unknown, but a member no object of that kind has is missing either way."""

    def __init__(self, first: HFObject, objects: list, uses: list):
        self.role = first.role
        classes = {o.cls for o in objects}
        self.cls = first.cls if len(classes) == 1 else ""
        checkpoints = {o.checkpoint for o in objects}
        self.checkpoint = first.checkpoint if len(checkpoints) == 1 else None
        self.kwargs = {}
        self.origin = first.origin
        self.call = first.call
        self.parent = None
        self.objects = objects
        self.uses = uses


class _Use:
    """A call on a joined name, shaped like the analysis's `Use` of kind ``method`` or ``call`` (never ``via``)."""

    __slots__ = ("kind", "node", "name", "call")
    via = ""

    def __init__(self, node):
        method = isinstance(node.func, cst.Attribute)
        self.kind, self.node, self.name = ("method", node, node.func.attr.value) if method else ("call", node, "")
        self.call = node

    @property
    def here(self):
        return self.node


def joined_objects(ctx) -> list:
    """Method calls on names whose every binding (in the scope that defines them) is a transformers object of one
    role: one stand-in object per such name, carrying those calls as its uses."""
    facts = ctx.facts
    joined: dict = {}
    for scope in facts.scopes:
        for site in scope.calls:
            func = site.node.func
            if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) \
                    and not isinstance(site.receiver, HFObject):
                name = func.value.value
            elif isinstance(func, cst.Name) and not isinstance(facts.value_of(func), HFObject):
                name = func.value
            else:
                continue
            owner = scope
            while owner is not None and (name not in owner.bindings or owner.kind == "class" and owner is not scope):
                owner = owner.parent
            if owner is None:
                continue
            values = [b.value for b in owner.bindings[name]]
            if len(values) < 2 or not all(isinstance(v, HFObject) for v in values) \
                    or len({v.role for v in values}) != 1 or not all(_loaded_from_transformers(facts, v) for v in values):
                continue
            key = (id(owner), name)
            if key not in joined:
                joined[key] = _Joined(values[0], values, [])
            joined[key].uses.append(_Use(site.node))
    return [j for j in joined.values()]


# Renames whose new member takes the same arguments and returns the same thing.
_SAFE_RENAMES = frozenset({("feature_extractor", "image_processor"), ("tokenizer", "processing_class"),
                           ("pad_and_create_pixel_mask", "pad"),
                           ("additional_special_tokens", "extra_special_tokens"),
                           ("additional_special_tokens_ids", "extra_special_tokens_ids")})


def _calls_in(node) -> list:
    """Every call inside a statement, outermost first."""
    found = []

    class Finder(cst.CSTVisitor):
        def visit_Call(self, call) -> None:
            found.append(call)

    node.visit(Finder())
    return found


def _reindent(line: str, block, ctx) -> str:
    """A body line moved out of its ``with``: at the ``with``'s own indentation."""
    indent = ctx.lines[ctx.position(block).start.line - 1][: ctx.position(block).start.column]
    indent = indent if not indent.strip() else ""
    stripped = line.lstrip()
    return indent + stripped


# ==================================================================================================== HF505

_TRANSLATION = re.compile(r"translation_[A-Za-z]{2,3}_to_[A-Za-z]{2,3}")


class RemovedPipelineTask(_ApiRule):
    """`pipeline(...)` with a task the target release removed.

    ## What it does
    Checks the task string of `pipeline("...")` / `pipeline(task="...")` against the tasks the target
    `transformers` release knows (its `SUPPORTED_TASKS` and `TASK_ALIASES`): `summarization`,
    `translation` and every `translation_xx_to_yy`, `text2text-generation`, `question-answering`,
    `visual-question-answering` ... were removed in 5.x. The message gives the release's own advice
    (`REMOVED_TASKS`). Aliases that still work (`sentiment-analysis`, `ner`) and tasks the release
    redirects (`image-to-text`) are never reported; a task one typo away from a real one gets a
    "did you mean".

    ## Why is this bad?
    `pipeline` raises `KeyError: "Unknown task ..."` (or "The task ... has been removed") when the script
    starts, after the imports and often after a long model download.

    ## Example
    ```python
    summarizer = pipeline("summarization", model="facebook/bart-large-cnn")
    ```

    ## Use instead
    ```python
    chat = pipeline("text-generation", model="Qwen/Qwen2.5-1.5B-Instruct")
    summary = chat([{"role": "user", "content": f"Summarize: {article}"}])
    ```
    """

    code = "HF505"
    name = "removed-pipeline-task"
    message = "`pipeline(\"{task}\")`: transformers {target} has no task `{task}`: {why}"

    VALID = [
        Valid("""
            from transformers import pipeline
            classifier = pipeline("sentiment-analysis")
            tagger = pipeline("ner", aggregation_strategy="simple")
        """, target="5.24"),
        Valid("""
            from transformers import pipeline
            generator = pipeline("text-generation", model="gpt2")
            vlm = pipeline(task="image-text-to-text", model="llava-hf/llava-1.5-7b-hf")
        """, target="5.24"),
        Valid("""
            # 4.46 still has these tasks
            from transformers import pipeline
            summarizer = pipeline("summarization", model="facebook/bart-large-cnn")
            translator = pipeline("translation_en_to_fr", model="t5-small")
        """, target="4.46"),
        Valid("""
            # redirected to image-text-to-text with a warning: it still runs
            from transformers import pipeline
            captioner = pipeline("image-to-text", model="Salesforce/blip-image-captioning-base")
        """, target="5.24"),
        Valid("""
            from transformers import pipeline
            def make(task):
                return pipeline(task, model="gpt2")
        """, target="5.24"),
        Valid("""
            from transformers import pipeline
            task = "zero-shot-classification"
            classifier = pipeline(task, model="facebook/bart-large-mnli")
        """, target="5.24"),
    ]
    INVALID = [
        Invalid("""
            from transformers import pipeline
            summarizer = pipeline("summarization", model="facebook/bart-large-cnn")
        """, line=2, target="5.24", message="Use the `text-generation` pipeline with a chat model instead"),
        Invalid("""
            from transformers import pipeline
            translator = pipeline("translation_en_to_fr", model="t5-small")
        """, line=2, target="5.24", message="no task `translation_en_to_fr`: removed in 5."),
        Invalid("""
            from transformers import pipeline
            qa = pipeline(task="question-answering", model="distilbert-base-cased-distilled-squad")
        """, line=2, target="5.24", message="removed in 5.3"),
        Invalid("""
            import transformers
            t2t = transformers.pipeline("text2text-generation", model="google/flan-t5-base")
        """, line=2, target="5.24", message="`text2text-generation`"),
        Invalid("""
            from transformers import pipeline
            TASK = "visual-question-answering"
            vqa = pipeline(TASK, model="dandelin/vilt-b32-finetuned-vqa")
        """, line=3, target="5.24", message="image-text-to-text"),
        Invalid("""
            from transformers import pipeline
            classifier = pipeline("text-clasification", model="distilbert-base-uncased-finetuned-sst-2-english")
        """, line=2, target="5.24", message="did you mean `text-classification`?"),
    ]

    @staticmethod
    def may_match(features) -> bool:
        return "pipeline" in features.calls

    def visit_Call(self, node) -> None:
        if self._guard or not node.args:
            return
        callee = self.ctx.facts.value_of(node.func)
        if not isinstance(callee, QName) or callee.qualname not in ("transformers.pipeline",
                                                                    "transformers.pipelines.pipeline"):
            return
        arg = next((a for a in node.args if a.keyword is not None and a.keyword.value == "task"), None)
        if arg is None:
            first = node.args[0]
            arg = first if first.keyword is None and not first.star else None
        if arg is None:
            return
        value = self.ctx.facts.value_of(arg.value)
        if not isinstance(value, Str):
            return
        report = self._task(value.value, arg)
        if report is not None:
            self._found.append(report)

    def _task(self, task: str, arg) -> Optional[Report]:
        target = target_of(self.ctx)
        key = "translation_XX_to_YY" if _TRANSLATION.fullmatch(task) else task
        status = api.param_status("pipeline.tasks", key, target)
        if status is None or status.state in ("ok", "deprecated", "ignored"):
            return None
        if status.state == "removed":
            advice = status
            if key == "translation_XX_to_YY":
                advice = api.param_status("pipeline.tasks", "translation", target)
            why = f"removed in {status.removed}"
            if advice.advice:
                why += f". {advice.advice.rstrip('.')}. (transformers {advice.advice_release}'s advice)"
        elif status.state == "not_yet":
            why = f"added in {status.added}"
        else:
            if not api.knows(target):
                return None
            near = suggest(task, api.names_at("pipeline.tasks", target))
            if not near:
                return None
            why = f"did you mean `{near}`?"
        return self.report(arg.value, self.message.format(task=task, target=vtext(target), why=why),
                           data={"task": task, "state": status.state, "target": vtext(target)})


# ==================================================================================================== HF506

_TOKENIZER_CALLS = {"__call__": "tokenizer.__call__", "encode": "tokenizer.__call__",
                    "encode_plus": "tokenizer.__call__", "batch_encode_plus": "tokenizer.__call__",
                    "pad": "tokenizer.pad"}


class IgnoredTokenizerArgument(_ApiRule):
    """A keyword to a tokenizer call that the target version does not accept, and silently ignores.

    ## What it does
    Checks the keywords of `tokenizer(...)`, `tokenizer.__call__`, `encode`, `encode_plus`,
    `batch_encode_plus` and `pad` on tokenizers loaded from `transformers` against the keywords the target
    release's tokenizer classes take (their call chain, from the released wheels, and the extra keywords of
    model-specific tokenizers such as `boxes=`): removed ones (`pad_to_max_length=True` →
    `padding="max_length"`) and ones that never existed (`return_tensor="pt"`, `truncate=True`,
    `max_len=`), with a "did you mean".

    ## Why is this bad?
    The tokenizer swallows keywords it does not know: in 5.x without a word, in 4.x with a log line that
    scrolls by. Measured on 5.24 with a local fast tokenizer: `tok(["a", "a b c d"],
    pad_to_max_length=True, max_length=10)` returns unpadded rows of 3 and 6 ids, and
    `return_tensor="pt"` returns Python lists — the batch is silently not padded, not truncated, not a
    tensor.

    ## Example
    ```python
    enc = tokenizer(texts, pad_to_max_length=True, max_length=128, return_tensor="pt")
    ```

    ## Use instead
    ```python
    enc = tokenizer(texts, padding="max_length", truncation=True, max_length=128, return_tensors="pt")
    ```

    ## Fix safety
    `pad_to_max_length=True` becomes `padding="max_length"` and `pad_to_max_length=False` is dropped (both
    mean what the keyword meant), unless the call already passes `padding=`. A "did you mean" fix guesses
    what was meant: unsafe.
    """

    code = "HF506"
    name = "ignored-tokenizer-argument"
    message = "`{keyword}` is not an argument of a tokenizer call in transformers {target}: {why}; the tokenizer " \
              "ignores it"
    fixable = "safe"

    VALID = [
        Valid("""
            from transformers import AutoTokenizer
            tok = AutoTokenizer.from_pretrained("bert-base-cased")
            enc = tok(["a", "a b c d"], padding="max_length", truncation=True, max_length=10, return_tensors="pt")
        """, target="5.24"),
        Valid("""
            # 4.46 still took pad_to_max_length (with a deprecation warning: HF506 reports ignored keywords only)
            from transformers import AutoTokenizer
            tok = AutoTokenizer.from_pretrained("bert-base-cased")
            enc = tok(["a", "b c"], pad_to_max_length=True, max_length=8)
        """, target="4.46"),
        Valid("""
            # LayoutLMv3's tokenizer takes boxes
            from transformers import AutoTokenizer
            tok = AutoTokenizer.from_pretrained("microsoft/layoutlmv3-base")
            enc = tok(["hello"], boxes=[[0, 0, 1, 1]], return_tensors="pt")
        """, target="5.24"),
        Valid("""
            from transformers import AutoTokenizer
            tok = AutoTokenizer.from_pretrained("gpt2")
            options = {"return_tensor": "pt"}
            ids = tok.encode("hello", add_special_tokens=False, **options)
        """, target="5.24"),
        Valid("""
            from transformers import AutoTokenizer
            tok = AutoTokenizer.from_pretrained("bert-base-cased")
            batch = tok.pad({"input_ids": [[1, 2], [3]]}, padding=True, return_tensors="pt")
            text = tok.decode(batch["input_ids"][0], skip_special_tokens=True)
        """, target="5.24"),
        Valid("""
            def encode(tokenizer, texts):
                # not known to be a transformers tokenizer
                return tokenizer(texts, pad_to_max_length=True)
        """, target="5.24"),
        Valid("""
            # the keywords go to the helper, not to the tokenizer it is given
            from transformers import AutoModelForCausalLM, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("gpt2")
            model = AutoModelForCausalLM.from_pretrained("gpt2")

            def measure(model, tokenizer, prompts, max_new_tokens=20, num_runs=3):
                batch = tokenizer(prompts, return_tensors="pt")
                return [model.generate(**batch, max_new_tokens=max_new_tokens) for _ in range(num_runs)]

            measure(model, tokenizer, ["Hello"], max_new_tokens=8, num_runs=2)
        """, target="5.24"),
    ]
    INVALID = [
        Invalid("""
            from transformers import AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("bert-base-cased")

            def encode(tokenizer, texts, max_length=128):
                return tokenizer(texts, truncate=True, max_length=max_length)

            batch = encode(tokenizer, ["a", "b c"], max_length=64)
        """, line=5, target="5.24", message="did you mean `truncation=`?"),
        Invalid("""
            from transformers import AutoTokenizer
            tok = AutoTokenizer.from_pretrained("bert-base-cased")
            enc = tok(["a", "a b c d"], pad_to_max_length=True, max_length=10)
        """, line=3, target="5.24", message='removed in 4.52; use `padding="max_length"`', fixed="""
            from transformers import AutoTokenizer
            tok = AutoTokenizer.from_pretrained("bert-base-cased")
            enc = tok(["a", "a b c d"], padding="max_length", max_length=10)
        """),
        Invalid("""
            from transformers import AutoTokenizer
            tok = AutoTokenizer.from_pretrained("bert-base-cased")
            enc = tok("hello world", return_tensor="pt")
        """, line=3, target="5.24", message="did you mean `return_tensors=`?", fixed="""
            from transformers import AutoTokenizer
            tok = AutoTokenizer.from_pretrained("bert-base-cased")
            enc = tok("hello world", return_tensors="pt")
        """),
        Invalid("""
            from transformers import AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("roberta-base")
            ids = tokenizer.encode("a long text", truncate=True, max_length=4)
        """, line=3, target="5.24", message="did you mean `truncation=`?"),
        Invalid("""
            from transformers import AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("roberta-base")
            ids = tokenizer("a long text", truncation=True, max_len=4)
        """, line=3, target="5.24", message="did you mean `max_length=`?"),
        Invalid("""
            from transformers import AutoTokenizer
            class Dataset:
                def __init__(self, texts):
                    self.tokenizer = AutoTokenizer.from_pretrained("bert-base-uncased")
                    self.enc = self.tokenizer(texts, pad_to_max_length=False, truncation=True)
        """, line=5, target="5.24", message="`pad_to_max_length`", fixed="""
            from transformers import AutoTokenizer
            class Dataset:
                def __init__(self, texts):
                    self.tokenizer = AutoTokenizer.from_pretrained("bert-base-uncased")
                    self.enc = self.tokenizer(texts, truncation=True)
        """),
        Invalid("""
            from transformers import AutoTokenizer
            tok = AutoTokenizer.from_pretrained("bert-base-cased")
            batch = tok.pad({"input_ids": [[1, 2], [3]]}, pad_to_multiple=8, return_tensors="pt")
        """, line=3, target="5.24", message="did you mean `pad_to_multiple_of=`?"),
    ]

    @staticmethod
    def may_match(features) -> bool:
        """Only files that pass a keyword the target's tokenizer calls do not take, to a call of a name bound to a
        load or to one of the tokenizer methods."""
        if not features.from_pretrained:
            return False
        from .api import _prefilter_target

        valid = _tokenizer_keywords(tuple(_prefilter_target(features)))
        calls = features.hf_receivers | set(_TOKENIZER_CALLS)
        return any(kw not in valid for last, kws in features.call_keywords.items() if last in calls for kw in kws)

    def check(self) -> Iterable[Report]:
        facts = self.ctx.facts
        if not facts.objects:
            return
        target = target_of(self.ctx)
        seen: set = set()
        for obj in list(facts.objects) + joined_objects(self.ctx):
            if obj.role != "tokenizer" or not obj.uses or not _loaded_from_transformers(facts, obj):
                continue
            for use in obj.uses:
                if use.kind == "call":
                    owner = "tokenizer.__call__"
                elif use.kind == "method" and use.name in _TOKENIZER_CALLS:
                    owner = _TOKENIZER_CALLS[use.name]
                else:
                    continue
                # seen at a call of a helper (`via`), the tokenizer call is the one in the helper's body
                call = use.call if use.via else use.node
                if not isinstance(call, cst.Call) or id(call) in seen:
                    continue
                seen.add(id(call))
                for arg in call.args:
                    if arg.keyword is None or arg.star:
                        continue
                    report = self._keyword(owner, arg, call, target)
                    if report is not None:
                        yield report

    def _keyword(self, owner: str, arg, call, target) -> Optional[Report]:
        kw = arg.keyword.value
        status = api.param_status(owner, kw, target)
        if status is None or status.state in ("ok", "deprecated", "ignored", "not_yet"):
            return None
        if status.state == "unknown":
            anywhere = api.param_status("tokenizer.__call__.any", kw, target)
            if anywhere is not None and anywhere.state in ("ok", "deprecated"):
                return None  # a model-specific tokenizer takes it
            if not api.knows(target):
                return None
            near = _near_keyword(kw, api.names_at(owner, target))
            if near:
                why = f"did you mean `{near}=`?"
            elif anywhere is not None and anywhere.state == "removed":
                why = f"removed in {anywhere.removed} (some tokenizers took it before; set it when loading the " \
                      f"tokenizer if it is an option of its class)"
            else:
                why = "no tokenizer of any release from 4.30 on takes it"
            replacements = [Replacement(arg.keyword, near)] if near else []
            return self._emit(kw, why, arg, target, replacements, safe=False)
        why = f"removed in {status.removed}"
        replacements = []
        if status.replacement:
            why += f"; use `{status.replacement}`" if "=" in status.replacement else f"; use `{status.replacement}=`"
            replacements = self._fix(kw, arg, call, status.replacement)
        return self._emit(kw, why, arg, target, replacements, safe=True)

    def _fix(self, kw: str, arg, call, replacement: str) -> list:
        if kw != "pad_to_max_length":
            new = replacement.split("=", 1)[0]
            if "=" not in replacement and re.fullmatch(r"[A-Za-z_]\w*", new) and \
                    not any(a.keyword is not None and a.keyword.value == new for a in call.args):
                return [Replacement(arg.keyword, new)]
            return []
        if any(a.keyword is not None and a.keyword.value == "padding" for a in call.args):
            return []
        value = arg.value
        if isinstance(value, cst.Name) and value.value == "True":
            return [Replacement(arg, replacement)]
        if isinstance(value, cst.Name) and value.value == "False":
            return [drop_keyword(self.ctx.module, call, arg)]
        return []

    def _emit(self, kw, why, arg, target, replacements, safe) -> Report:
        return self.report(arg.keyword, self.message.format(keyword=kw, target=vtext(target), why=why),
                           replacements=replacements, fix_safe=safe, data={"keyword": kw, "target": vtext(target)})


@lru_cache(maxsize=16)
def _tokenizer_keywords(target: tuple) -> frozenset:
    """Keywords some tokenizer call of the release takes (current, deprecated or model-specific)."""
    return api.names_at("tokenizer.__call__", target) | api.names_at("tokenizer.pad", target) | \
        api.names_at("tokenizer.__call__.any", target)


def _near_keyword(kw: str, valid) -> Optional[str]:
    """A typo (within two edits) or a cut-short spelling (`max_len`, `truncate`) of exactly one valid keyword."""
    near = suggest(kw, valid)
    if near:
        return near
    if len(kw) >= 5:
        stem = kw[:-1]
        matches = sorted(v for v in valid if v.startswith(stem) and len(kw) < len(v) <= len(kw) + 3)
        if len(matches) == 1:
            return matches[0]
    return None


# ==================================================================================================== HF507

# transformers 5.0 changed the default of `apply_chat_template(..., return_dict=...)` from False to True
# (tokenization_utils_base.py and processing_utils.py of the 5.0.0 wheel; 4.57 still returned the ids).
_CHAT_DICT_SINCE = (5, 0)
_FORWARDS = ("generate", "forward")


class ChatTemplateResultUsedAsIds(_ApiRule):
    """The result of `apply_chat_template(..., tokenize=True)` is used as a tensor of ids, but it is a `BatchEncoding`.

    ## What it does
    For a target release in which `tokenizer.apply_chat_template(...)` returns a `BatchEncoding` when it
    tokenizes — `return_dict` defaults to `True` since transformers 5.0 (a processor's still defaults to
    `False`, so a processor's result counts only with `return_dict=True`) — reports its
    result passed positionally (or as `input_ids=`) to `generate` or a forward pass, or used as a tensor:
    `.shape`, `len(...)`, indexed or sliced. `**inputs`, `inputs["input_ids"]`, `inputs.input_ids`,
    `tokenize=False` and `return_dict=False` are fine.

    ## Why is this bad?
    Code written for 4.x, where the call returned the ids, breaks on 5.x: `model.generate(inputs)` passes a
    dict where a tensor is expected (`AttributeError: 'BatchEncoding' object has no attribute 'shape'` deep
    inside `generate`), `inputs.shape[1]` fails, and `len(inputs)` counts keys, not tokens, so slicing the
    prompt off the output silently keeps or drops the wrong part.

    ## Example
    ```python
    inputs = tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt")
    out = model.generate(inputs, max_new_tokens=64)
    ```

    ## Use instead
    ```python
    inputs = tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt")
    out = model.generate(**inputs, max_new_tokens=64)
    ```
    """

    code = "HF507"
    name = "chat-template-result-used-as-ids"
    message = "{use} uses the result of `apply_chat_template(...)` ({line}) as a tensor of ids, but in transformers " \
              "{target} it returns a `BatchEncoding` (`return_dict` defaults to True since 5.0); use `**{name}` or " \
              "`{name}[\"input_ids\"]` (or pass `return_dict=False`)"

    VALID = [
        Valid("""
            from transformers import AutoModelForCausalLM, AutoTokenizer
            class Assistant:
                def __init__(self, name="Qwen/Qwen2.5-0.5B-Instruct"):
                    self.tokenizer = AutoTokenizer.from_pretrained(name)
                    self.model = AutoModelForCausalLM.from_pretrained(name)
                def encode_chat(self, messages):
                    return self.tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt")
                def reply(self, messages):
                    inputs = self.encode_chat(messages)
                    return self.model.generate(**inputs, max_new_tokens=64)
        """, target="5.24"),
        Valid("""
            # a processor's apply_chat_template still returns the ids unless return_dict=True (5.24)
            from transformers import AutoProcessor
            processor = AutoProcessor.from_pretrained("llava-hf/llava-1.5-7b-hf")
            inputs = processor.apply_chat_template([{"role": "user", "content": "Hi"}], tokenize=True,
                                                   return_tensors="pt")
            prompt_tokens = inputs[0]
        """, target="5.24"),
        Valid("""
            from transformers import AutoModelForCausalLM, AutoTokenizer
            tok = AutoTokenizer.from_pretrained("Qwen/Qwen2.5-0.5B-Instruct")
            model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B-Instruct")
            inputs = tok.apply_chat_template([{"role": "user", "content": "Hi"}], add_generation_prompt=True,
                                             return_tensors="pt")
            out = model.generate(**inputs, max_new_tokens=20)
        """, target="5.24"),
        Valid("""
            from transformers import AutoModelForCausalLM, AutoTokenizer
            tok = AutoTokenizer.from_pretrained("Qwen/Qwen2.5-0.5B-Instruct")
            model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B-Instruct")
            inputs = tok.apply_chat_template([{"role": "user", "content": "Hi"}], return_tensors="pt")
            out = model.generate(inputs["input_ids"], attention_mask=inputs["attention_mask"], max_new_tokens=20)
            print(out[0][inputs["input_ids"].shape[1]:])
        """, target="5.24"),
        Valid("""
            # the ids, asked for explicitly
            from transformers import AutoModelForCausalLM, AutoTokenizer
            tok = AutoTokenizer.from_pretrained("Qwen/Qwen2.5-0.5B-Instruct")
            model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B-Instruct")
            ids = tok.apply_chat_template([{"role": "user", "content": "Hi"}], return_tensors="pt", return_dict=False)
            out = model.generate(ids, max_new_tokens=20)
            print(out[0][ids.shape[1]:])
        """, target="5.24"),
        Valid("""
            from transformers import AutoTokenizer
            tok = AutoTokenizer.from_pretrained("Qwen/Qwen2.5-0.5B-Instruct")
            text = tok.apply_chat_template([{"role": "user", "content": "Hi"}], tokenize=False)
            print(len(text), text[:20])
        """, target="5.24"),
        Valid("""
            # transformers 4.x returned the ids
            from transformers import AutoModelForCausalLM, AutoTokenizer
            tok = AutoTokenizer.from_pretrained("Qwen/Qwen2.5-0.5B-Instruct")
            model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B-Instruct")
            inputs = tok.apply_chat_template([{"role": "user", "content": "Hi"}], return_tensors="pt")
            out = model.generate(inputs, max_new_tokens=20)
        """, target="4.57"),
        Valid("""
            from transformers import AutoModelForCausalLM, AutoTokenizer
            tok = AutoTokenizer.from_pretrained("Qwen/Qwen2.5-0.5B-Instruct")
            model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B-Instruct")
            inputs = tok.apply_chat_template([{"role": "user", "content": "Hi"}], return_tensors="pt").to("cuda")
            out = model.generate(input_ids=inputs.input_ids, attention_mask=inputs.attention_mask, max_new_tokens=9)
        """, target="5.24"),
        Valid("""
            # the file's own generate() takes the BatchEncoding and spreads it
            from transformers import AutoModelForCausalLM, AutoTokenizer
            tok = AutoTokenizer.from_pretrained("Qwen/Qwen2.5-0.5B-Instruct")
            model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B-Instruct")

            def generate(inputs, n=20):
                return model.generate(**inputs, max_new_tokens=n)

            inputs = tok.apply_chat_template([{"role": "user", "content": "Hi"}], return_tensors="pt")
            print(generate(inputs))
        """, target="5.24"),
    ]
    INVALID = [
        Invalid("""
            from transformers import AutoModelForCausalLM, AutoTokenizer
            tok = AutoTokenizer.from_pretrained("Qwen/Qwen2.5-0.5B-Instruct")
            model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B-Instruct")

            def generate(ids, n=20):
                return model.generate(ids, max_new_tokens=n)

            ids = tok.apply_chat_template([{"role": "user", "content": "Hi"}], return_tensors="pt")
            print(generate(ids))
        """, line=6, target="5.24", message="`model.generate(ids)`"),
        Invalid("""
            from transformers import AutoModelForCausalLM, AutoTokenizer
            class Assistant:
                def __init__(self, name="Qwen/Qwen2.5-0.5B-Instruct"):
                    self.tokenizer = AutoTokenizer.from_pretrained(name)
                    self.model = AutoModelForCausalLM.from_pretrained(name)
                def encode_chat(self, messages):
                    return self.tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt")
                def reply(self, messages):
                    ids = self.encode_chat(messages)
                    return self.model.generate(ids, max_new_tokens=64)
        """, line=10, target="5.24", message="`self.model.generate(ids)`"),
        Invalid("""
            from transformers import AutoModelForCausalLM, AutoTokenizer
            tok = AutoTokenizer.from_pretrained("Qwen/Qwen2.5-0.5B-Instruct")
            model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B-Instruct")
            inputs = tok.apply_chat_template([{"role": "user", "content": "Hi"}], add_generation_prompt=True,
                                             return_tensors="pt")
            out = model.generate(inputs, max_new_tokens=20)
        """, line=6, target="5.24", message="`model.generate(inputs)` uses the result of `apply_chat_template(...)` "
                                            "(line 4) as a tensor of ids, but in transformers 5.24 it returns a "
                                            "`BatchEncoding`"),
        Invalid("""
            from transformers import AutoModelForCausalLM, AutoTokenizer
            tok = AutoTokenizer.from_pretrained("meta-llama/Llama-3.1-8B-Instruct")
            model = AutoModelForCausalLM.from_pretrained("meta-llama/Llama-3.1-8B-Instruct")
            input_ids = tok.apply_chat_template([{"role": "user", "content": "Hi"}], return_tensors="pt")
            out = model.generate(input_ids, max_new_tokens=20)
            answer = tok.decode(out[0][input_ids.shape[-1]:], skip_special_tokens=True)
        """, line=5, target="5.24", count=2),
        Invalid("""
            from transformers import AutoModelForCausalLM, AutoTokenizer
            tok = AutoTokenizer.from_pretrained("Qwen/Qwen2.5-0.5B-Instruct")
            model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B-Instruct")
            prompt = tok.apply_chat_template([{"role": "user", "content": "Hi"}], tokenize=True)
            print(f"{len(prompt)} prompt tokens")
        """, line=5, target="5.24", message="`len(prompt)`"),
        Invalid("""
            from transformers import AutoModelForCausalLM, AutoTokenizer
            class Chat:
                def __init__(self, name="Qwen/Qwen2.5-0.5B-Instruct"):
                    self.tokenizer = AutoTokenizer.from_pretrained(name)
                    self.model = AutoModelForCausalLM.from_pretrained(name)

                def reply(self, messages):
                    ids = self.tokenizer.apply_chat_template(messages, add_generation_prompt=True,
                                                             return_tensors="pt").to(self.model.device)
                    out = self.model.generate(input_ids=ids, max_new_tokens=64)
                    return out
        """, line=10, target="5.24", message="`input_ids=ids`"),
        Invalid("""
            from transformers import AutoModelForCausalLM, AutoTokenizer
            tok = AutoTokenizer.from_pretrained("Qwen/Qwen2.5-0.5B-Instruct")
            model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B-Instruct")
            chat = tok.apply_chat_template([{"role": "user", "content": "Hi"}], return_tensors="pt")
            logits = model(chat).logits
        """, line=5, target="5.24"),
        Invalid("""
            from transformers import AutoModelForCausalLM, AutoTokenizer
            tok = AutoTokenizer.from_pretrained("Qwen/Qwen2.5-0.5B-Instruct")
            model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B-Instruct")
            conversation = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]
            ids = tok.apply_chat_template(conversation, return_tensors="pt")
            loss = model(input_ids=ids[:, :-1], labels=ids[:, 1:]).loss
        """, line=6, target="5.24", count=2, message="`ids[:, :-1]`"),
        Invalid("""
            from transformers import AutoModelForCausalLM, AutoTokenizer
            tok = AutoTokenizer.from_pretrained("Qwen/Qwen2.5-0.5B-Instruct")
            model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B-Instruct")

            def encode(messages):
                return tok.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt")

            prompt = encode([{"role": "user", "content": "Hi"}]).to(model.device)
            out = model.generate(prompt, max_new_tokens=32)
        """, line=9, target="5.24", message="`model.generate(prompt)`"),
    ]

    @staticmethod
    def may_match(features) -> bool:
        return features.may_hold_objects and "apply_chat_template" in features.calls

    def check(self) -> Iterable[Report]:
        target = target_of(self.ctx)
        for value in self.ctx.facts.tracked:
            if not isinstance(value, ChatTemplate) or not self._returns_dict(value, target):
                continue
            name = value.names[0] if value.names else "inputs"
            seen: set = set()
            for use in value.uses:
                what = self._as_ids(use)
                if what is None:
                    continue
                if id(use.here) in seen:
                    continue
                seen.add(id(use.here))
                yield self.report(use.here, self.message.format(
                    use=what, line=self.at(value.call, "the chat template is tokenized here"), target=vtext(target),
                    name=name), data={"target": vtext(target)})

    @staticmethod
    def _returns_dict(value: ChatTemplate, target) -> bool:
        """Tokenized, with ``return_dict`` True or left to a release whose default is True.

        Only a tokenizer's method changed its default (``PreTrainedTokenizerBase.apply_chat_template``:
        ``return_dict=True`` since 5.0.0); ``ProcessorMixin.apply_chat_template`` keeps ``return_dict=False``
        (read in the 5.24.0 wheel), so a processor's result is left alone unless the call asks for a dict.
        """
        if not (isinstance(value.tokenizer, HFObject) and value.tokenizer.role == "tokenizer") \
                and not (isinstance(value.return_dict, Const) and value.return_dict.value is True):
            return False  # a processor, or a tokenizer the analysis does not know
        if isinstance(value.tokenize, Const) and value.tokenize.value is False:
            return False
        if value.tokenize is not UNKNOWN and not isinstance(value.tokenize, Const):
            return False  # tokenize=some_flag: not guessed at
        if isinstance(value.return_dict, Const):
            return value.return_dict.value is True
        return value.return_dict is UNKNOWN and value.call is not None \
            and not any(a.keyword is not None and a.keyword.value == "return_dict" for a in value.call.args) \
            and tuple(target) >= _CHAT_DICT_SINCE

    def _model_like(self, receiver: cst.BaseExpression) -> bool:
        """`model.generate`: a model the analysis knows, or one it cannot resolve that is named like one
        (`self.model`, `policy_model`); never one of the file's own classes or functions."""
        value = self.ctx.facts.value_of(receiver)
        if isinstance(value, HFObject):
            return value.role == "model"
        if value is not UNKNOWN and not isinstance(value, (Param,)):
            return False
        name = dotted_name(receiver) or ""
        return name.rsplit(".", 1)[-1].lower().endswith("model")

    def _as_ids(self, use) -> Optional[str]:
        """How a use takes the result for a tensor of ids, as written; None when it does not."""
        module = self.ctx.module
        node = use.here
        if use.kind == "arg" and use.call is not None and isinstance(node, cst.Arg):
            func = use.call.func
            last = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) \
                else ""
            callee = self.ctx.facts.value_of(func)
            if isinstance(callee, (FuncRef, ClassRef)):
                return None  # the file's own `generate(ids)`: what it does with them is followed into its body
            forward = (isinstance(callee, HFObject) and callee.role == "model") or \
                (last in _FORWARDS and isinstance(func, cst.Attribute) and self._model_like(func.value))
            if forward and (use.index == 0 or use.keyword in ("input_ids", "inputs")):
                if use.keyword:
                    return f"`{use.keyword}={module.code_for_node(node.value)}`"
                return f"`{dotted_name(func) or last}({module.code_for_node(node.value)})`"
            if last == "len" and use.index == 0:
                return f"`len({module.code_for_node(node.value)})`"
            return None
        if use.kind == "attr_load" and use.name in ("shape", "size", "dim", "numel", "tolist", "ndim", "device"):
            return f"`{module.code_for_node(node)}`"
        if use.kind == "subscript" and not use.name:
            text = " ".join(module.code_for_node(node).split())
            return f"`{text if len(text) <= 40 else text[:37] + '...'}`"
        return None
