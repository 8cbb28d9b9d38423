"""What one ``transformers`` release offers, read statically from its sources: exported names (and the retired names
its lazy module still resolves), keyword arguments of the main callables, public members of the main classes,
pipeline tasks, and the deprecations its own messages announce. Nothing is imported or run.

Two users: ``tools/gen_api_history.py`` runs it over the released wheels to write the bundled tables
(``hflint/knowledge/api/*.json``), and :mod:`hflint.knowledge.fresh` runs the same code over an installed release
newer than those tables, so a new release never turns valid code into findings.

``extract(source)`` gives one release's facts (plain data, JSON-serialisable); :mod:`hflint.knowledge.history` turns
the facts of several releases into the history tables.
"""
from __future__ import annotations

import ast
import bisect
import fnmatch
import os
import re
import zipfile
from typing import Optional

# ==================================================================================================== sources


class Source:
    """The Python files of one release: ``names`` (paths such as ``transformers/trainer.py``), their text and trees."""

    def __init__(self, version: str):
        self.version = version
        self.names: set = set()
        self._trees: dict = {}
        self._texts: dict = {}

    def read(self, path: str) -> Optional[str]:  # pragma: no cover - overridden
        raise NotImplementedError

    def source(self, path: str) -> Optional[str]:
        if path not in self.names:
            return None
        text = self._texts.get(path)
        if text is None:
            text = self._texts[path] = self.read(path)
        return text

    def tree(self, path: str):
        if path not in self._trees:
            src = self.source(path)
            try:
                self._trees[path] = ast.parse(src) if src is not None else None
            except SyntaxError:
                self._trees[path] = None
        return self._trees[path]

    def glob(self, pattern: str) -> list:
        return sorted(n for n in self.names if fnmatch.fnmatchcase(n, pattern))

    def close(self) -> None:
        pass


class WheelSource(Source):
    """A released wheel, read as a zip file."""

    def __init__(self, path: str, version: str):
        super().__init__(version)
        self.zip = zipfile.ZipFile(path)
        self.names = {n for n in self.zip.namelist() if n.startswith("transformers/") and n.endswith(".py")}

    def read(self, path: str) -> Optional[str]:
        return self.zip.read(path).decode("utf-8", errors="replace")

    def close(self) -> None:
        self.zip.close()


class InstalledSource(Source):
    """An installed ``transformers`` package: ``root`` is the folder that holds the ``transformers`` folder."""

    def __init__(self, root: str, version: str):
        super().__init__(version)
        self.root = root
        base = os.path.join(root, "transformers")
        for folder, dirs, files in os.walk(base, followlinks=True):
            dirs[:] = [d for d in dirs if d != "__pycache__"]
            rel = os.path.relpath(folder, root).replace(os.sep, "/")
            self.names.update(f"{rel}/{f}" for f in files if f.endswith(".py"))

    def read(self, path: str) -> Optional[str]:
        try:
            with open(os.path.join(self.root, *path.split("/")), encoding="utf-8", errors="replace") as fh:
                return fh.read()
        except OSError:
            return None


def minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


# ==================================================================================================== small ast helpers

def const_str(node):
    """Text of a string-ish expression; f-string placeholders become ``{name}``; None if not string-ish."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        parts = []
        for v in node.values:
            if isinstance(v, ast.Constant):
                parts.append(str(v.value))
            elif isinstance(v, ast.FormattedValue):
                parts.append("{%s}" % (v.value.id if isinstance(v.value, ast.Name) else "?"))
        return "".join(parts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        left = const_str(node.left)
        right = const_str(node.right) if isinstance(node.op, ast.Add) else ""
        if left is not None and right is not None:
            return left + right
    return None


def str_list(node):
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    return []


def find_class(tree, names):
    names = (names,) if isinstance(names, str) else names
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name in names:
            return node
    return None


def find_function(body, name):
    """The last definition of ``name`` that is not an ``@overload`` stub."""
    found = None
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            if not any(getattr(d, "id", getattr(d, "attr", "")) == "overload" for d in node.decorator_list):
                found = node
    return found


def with_parents(root):
    """Yield (node, ancestors) for every node below root."""
    stack = [(root, ())]
    while stack:
        node, parents = stack.pop()
        yield node, parents
        for child in ast.iter_child_nodes(node):
            stack.append((child, parents + (node,)))


def base_name(node) -> Optional[str]:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Subscript):  # Generic[...]
        return base_name(node.value)
    return None


def public(name: str) -> bool:
    return bool(name) and not name.startswith("_") and name.isidentifier()


# ==================================================================================================== deprecation messages

_NAME_TICK = r"`(?:--)?{name}(?:=[^`]*)?`"
_SUBJECT = (
    r"(?:^|[^\w`]){tick}(?:\s+(?:argument|parameter|arg|kwarg|flag|keyword argument|attribute|option))?"
    r"(?:\s+directly)?(?:\s+(?:to|in|for|of)\s+`?[\w.()]+`?)?\s+(?:is|are|has been|was|will be)\s+(?:now\s+)?"
    r"(?:being\s+)?deprecated"
)
_REMOVED_IN = re.compile(
    r"remov\w*\s+(?:in|from|by|with|starting(?: from| with)?)\s+(?:[^\d.]{0,30}?)v?(\d+(?:\.\d+)?)", re.I)
_USE_INSTEAD = re.compile(r"(?:[Uu]se|in favou?r of|replaced by|[Pp]ass)\s+`(?:--)?([\w.]+)(?:=[^`]*)?`")
# "Please use pad instead", "use `image_processor` instead", "You should use Trainer.processing_class instead"
_USE_MEMBER = re.compile(r"(?:[Uu]se|in favou?r of|replaced by)\s+(?:the\s+)?`?([A-Za-z_][\w.]*)`?(?:\(\))?")


def removal_version(text: str):
    m = _REMOVED_IN.search(text)
    if not m:
        return None
    v = m.group(1)
    return v if "." in v else v + ".0"


def message_subjects(text: str, candidates) -> list:
    """Names among ``candidates`` that the message says are deprecated (not a value of them)."""
    found = []
    for name in re.findall(r"`(?:--)?([A-Za-z_]\w*)(?:=[^`]*)?`", text):
        if name in candidates and name not in found:
            for m in re.finditer(_SUBJECT.format(tick=_NAME_TICK.format(name=re.escape(name))), text):
                # "using `EvaluationStrategy` for `eval_strategy` is deprecated": a value of the name, not the name
                if not re.search(r"\b(for|of|in|with|to|on|from)\s*$", text[: m.start() + 1]):
                    found.append(name)
                    break
    # "The argument `x` is deprecated" / "Passing `x` is deprecated"
    for m in re.finditer(r"(?:argument|parameter|[Pp]assing|[Uu]sing|[Ss]etting)\s+`(?:--)?(\w+)`\s+"
                         r"(?:\w+\s+){0,4}?(?:is|has been)\s+(?:now\s+)?deprecated", text):
        if m.group(1) in candidates and m.group(1) not in found:
            found.append(m.group(1))
    return found


def help_says_deprecated(name: str, text: str) -> bool:
    t = text.strip()
    if re.match(r"^\W*(\[?deprecated|this (argument|arg|parameter|flag|option) is deprecated)", t, re.I):
        return True
    return bool(re.search(
        r"\b(this (argument|arg|parameter|flag|option|field)|it|`?%s`?)\s+(is|has been|will be|was)\s+(now\s+)?"
        r"deprecated" % re.escape(name), t, re.I))


def replacement_in(text: str, subject: str, known):
    for m in _USE_INSTEAD.finditer(text):
        cand = m.group(1)
        if cand != subject and (cand in known or "." in cand):
            return cand
    return None


def warning_messages(func):
    """(message text, enclosing-if names) for every warnings.warn / logger.warning* call in ``func``.

    f-string placeholders of a ``for old, new in ((..), ..)`` loop are expanded per tuple.
    """
    out = []
    for node, parents in with_parents(func):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        f = node.func
        fname = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
        if fname not in ("warn", "warning", "warning_once", "warning_advice", "warn_once"):
            continue
        text = const_str(node.args[0])
        if not text or "deprecat" not in text.lower():
            continue
        conds = set()
        for p in parents:
            if isinstance(p, (ast.If, ast.While)):
                for n in ast.walk(p.test):
                    if isinstance(n, ast.Name):
                        conds.add(n.id)
                    elif isinstance(n, ast.Attribute):
                        conds.add(n.attr)
                    elif isinstance(n, ast.Constant) and isinstance(n.value, str):
                        conds.add(n.value)
        texts = [text]
        for p in parents:
            if (isinstance(p, ast.For) and isinstance(p.target, (ast.Tuple, ast.Name))
                    and isinstance(p.iter, (ast.Tuple, ast.List)) and "{" in text):
                targets = ([t.id for t in p.target.elts if isinstance(t, ast.Name)]
                           if isinstance(p.target, ast.Tuple) else [p.target.id])
                texts = []
                for elt in p.iter.elts:
                    values = str_list(elt) if isinstance(elt, (ast.Tuple, ast.List)) else str_list(ast.List([elt]))
                    if len(values) == len(targets):
                        t = text
                        for k, v in zip(targets, values):
                            t = t.replace("{%s}" % k, v)
                        texts.append(t)
        out.extend((t, conds) for t in texts)
    return out


# ==================================================================================================== keyword arguments

# owner -> (module path inside the package, class name or None for a function, method name, closed)
# "closed": the callable rejects keywords it does not know (TypeError); open owners forward the rest
# (to the model config, the tokenizer's __init__, a pipeline class, or as generation attributes).
OWNERS = {
    "TrainingArguments": ("transformers/training_args.py", "TrainingArguments", None, True),
    "Seq2SeqTrainingArguments": ("transformers/training_args_seq2seq.py", "Seq2SeqTrainingArguments", None, True),
    "Trainer": ("transformers/trainer.py", "Trainer", "__init__", True),
    "Seq2SeqTrainer": ("transformers/trainer_seq2seq.py", "Seq2SeqTrainer", "__init__", True),
    "from_pretrained.model": ("transformers/modeling_utils.py", "PreTrainedModel", "from_pretrained", False),
    "from_pretrained.tokenizer": (
        "transformers/tokenization_utils_base.py", "PreTrainedTokenizerBase", "from_pretrained", False),
    "from_pretrained.config": (
        "transformers/configuration_utils.py", ("PreTrainedConfig", "PretrainedConfig"), "from_pretrained", False),
    "from_pretrained.processor": ("transformers/processing_utils.py", "ProcessorMixin", "from_pretrained", False),
    "pipeline": ("transformers/pipelines/__init__.py", None, "pipeline", False),
    "GenerationConfig": ("transformers/generation/configuration_utils.py", "GenerationConfig", "__init__", False),
}
# Where the class named in a base-class list lives, for inherited dataclass fields / forwarded **kwargs.
BASES = {
    "TrainingArguments": ("transformers/training_args.py", "TrainingArguments"),
    "Trainer": ("transformers/trainer.py", "Trainer"),
}
# Helpers that from_pretrained forwards **kwargs to and that pop loading options from them.
EXTRA_METHODS = {"from_pretrained.config": ("get_config_dict", "_get_config_dict")}
# The Auto classes' own from_pretrained: what `AutoModel.from_pretrained(...)` etc. pop before handing over.
AUTO_LOADERS = {
    "from_pretrained.model": ("transformers/models/auto/auto_factory.py", "_BaseAutoModelClass"),
    "from_pretrained.tokenizer": ("transformers/models/auto/tokenization_auto.py", "AutoTokenizer"),
    "from_pretrained.config": ("transformers/models/auto/configuration_auto.py", "AutoConfig"),
    "from_pretrained.processor": ("transformers/models/auto/processing_auto.py", "AutoProcessor"),
}
# Tokenizer calls: the keywords `tokenizer(...)`, `encode`, `encode_plus`, `batch_encode_plus` accept are the named
# parameters and popped keys of the methods the call runs through, on the tokenizer base classes.
TOKENIZER_CALL_METHODS = ("__call__", "encode", "encode_plus", "batch_encode_plus", "_call_one", "_encode_plus",
                          "_batch_encode_plus", "_get_padding_truncation_strategies", "prepare_for_model",
                          "_batch_prepare_for_model", "tokenize", "prepare_for_tokenization")
TOKENIZER_PAD_METHODS = ("pad", "_pad")
TOKENIZER_ROOTS = ("PreTrainedTokenizerBase", "PreTrainedTokenizer", "PreTrainedTokenizerFast", "PythonBackend",
                   "TokenizersBackend", "SentencePieceBackend")


class Params:
    """Accepted keyword names of one owner at one version, with detected deprecations and ignored keywords."""

    def __init__(self):
        self.names = set()
        self.deprecated = {}  # name -> {"removal": "5.0" | None, "replacement": str | None}
        self.ignored = set()  # accepted and thrown away (`_ = kwargs.pop("from_tf", None)`)

    def deprecate(self, name, removal=None, replacement=None):
        d = self.deprecated.setdefault(name, {"removal": None, "replacement": None})
        d["removal"] = d["removal"] or removal
        d["replacement"] = d["replacement"] or replacement

    def as_data(self) -> dict:
        return {"names": sorted(self.names), "deprecated": {k: self.deprecated[k] for k in sorted(self.deprecated)},
                "ignored": sorted(self.ignored)}


def dataclass_fields(src, path, cls_names, params: Params, depth=0):
    tree = src.tree(path)
    cls = tree and find_class(tree, cls_names)
    if cls is None:
        return None
    for base in cls.bases:
        bname = base.id if isinstance(base, ast.Name) else None
        if bname in BASES and depth < 3:
            dataclass_fields(src, *BASES[bname], params, depth + 1)
    helps = {}
    for node in cls.body:
        if not (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)):
            continue
        ann = ast.unparse(node.annotation)
        if "ClassVar" in ann:
            continue
        name = node.target.id
        init = True
        help_text = ""
        if isinstance(node.value, ast.Call) and getattr(node.value.func, "id", "") == "field":
            for kw in node.value.keywords:
                if kw.arg == "init" and isinstance(kw.value, ast.Constant) and kw.value.value is False:
                    init = False
                if kw.arg == "metadata" and isinstance(kw.value, ast.Dict):
                    for k, v in zip(kw.value.keys, kw.value.values):
                        if isinstance(k, ast.Constant) and k.value == "help":
                            help_text = const_str(v) or ""
        if init:
            params.names.add(name)
            params.deprecated.pop(name, None)  # a subclass may redefine a field
            helps[name] = help_text
    for name, text in helps.items():
        if text and help_says_deprecated(name, text):
            params.deprecate(name, removal_version(text), replacement_in(text, name, params.names))
    post = find_function(cls.body, "__post_init__")
    if post is not None:
        scan_warnings(post, params)
    return cls


def scan_warnings(func, params: Params):
    for text, conds in warning_messages(func):
        subjects = message_subjects(text, params.names)
        if len(subjects) > 1:
            subjects = [s for s in subjects if s in conds] or subjects[:1]
        for s in subjects:
            params.deprecate(s, removal_version(text), replacement_in(text, s, params.names))


def _discarded_pops(func, kwname: str) -> set:
    """Keys ``func`` pops from ``kwname`` and throws away (``_ = kwargs.pop("x")``, a bare ``kwargs.pop("x")``, or
    ``for name in [...]: kwargs.pop(name, None)``) in its own body, not in a branch, and mentions nowhere else:
    accepted, and without effect."""
    def is_pop(call) -> bool:
        return (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "pop"
                and isinstance(call.func.value, ast.Name) and call.func.value.id == kwname and bool(call.args))

    found = set()
    for node in func.body:  # top-level statements only: inside a branch, kwargs may have been handed on first
        value = None
        if isinstance(node, ast.Expr):
            value = node.value
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) \
                and node.targets[0].id == "_":
            value = node.value
        if value is not None and is_pop(value):
            key = const_str(value.args[0])
            if key:
                found.add(key)
        if isinstance(node, ast.For) and isinstance(node.target, ast.Name) and len(node.body) == 1:
            stmt = node.body[0]
            value = stmt.value if isinstance(stmt, (ast.Expr, ast.Assign)) else None
            if value is not None and is_pop(value) and isinstance(value.args[0], ast.Name) \
                    and value.args[0].id == node.target.id:
                found.update(str_list(node.iter))
    mentions: dict = {}
    for node in ast.walk(func):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            mentions[node.value] = mentions.get(node.value, 0) + 1
    loop_keys = set()
    for node in ast.walk(func):
        if isinstance(node, ast.For):
            loop_keys.update(str_list(node.iter))
    return {k for k in found if k.isidentifier() and (mentions.get(k, 0) == 1 or k in loop_keys)}


def signature_params(func, params: Params):
    a = func.args
    # positional-only parameters cannot be passed by keyword
    named = [x.arg for x in a.args + a.kwonlyargs]
    if named and named[0] in ("self", "cls"):
        named = named[1:]
    params.names.update(named)
    kwname = a.kwarg.arg if a.kwarg else None
    if kwname:
        for node in ast.walk(func):
            key = None
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("pop", "get") and isinstance(node.func.value, ast.Name)
                    and node.func.value.id == kwname and node.args):
                if isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                    key = node.args[0].value
            elif (isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], ast.In)
                  and isinstance(node.comparators[0], ast.Name) and node.comparators[0].id == kwname
                  and isinstance(node.left, ast.Constant) and isinstance(node.left.value, str)):
                key = node.left.value
            if key and key.isidentifier():
                params.names.add(key)
        ignored = _discarded_pops(func, kwname)
        params.names.update(ignored)
        params.ignored.update(ignored)
    for dec in func.decorator_list:
        if isinstance(dec, ast.Call) and getattr(dec.func, "id", getattr(dec.func, "attr", "")) == "deprecate_kwarg":
            old = const_str(dec.args[0]) if dec.args else None
            kws = {k.arg: const_str(k.value) for k in dec.keywords}
            if old:
                params.names.add(old)
                params.deprecate(old, kws.get("version"), kws.get("new_name"))
    return kwname


def kwargs_helpers(func, cls, kwname):
    """Methods of ``cls`` that ``func`` hands its ``**kwargs`` dict to (``cls._set_token_in_kwargs(kwargs)``)."""
    out = []
    for node in ast.walk(func):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name) and node.func.value.id in ("cls", "self")):
            continue
        passes = any(isinstance(a, ast.Name) and a.id == kwname for a in node.args) or any(
            isinstance(k.value, ast.Name) and k.value.id == kwname for k in node.keywords)
        helper = find_function(cls.body, node.func.attr) if passes else None
        if helper is not None and helper is not func and helper not in out:
            out.append(helper)
    return out


def helper_kwargs_pops(helper, params: Params):
    """Keys a helper pops from the dict it received (its ``**kwargs`` or a parameter named ``kwargs``)."""
    a = helper.args
    holders = {x.arg for x in a.args + a.kwonlyargs if x.arg.endswith("kwargs")}
    if a.kwarg:
        holders.add(a.kwarg.arg)
    for node in ast.walk(helper):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "pop"
                and isinstance(node.func.value, ast.Name) and node.func.value.id in holders and node.args
                and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
                and node.args[0].value.isidentifier()):
            params.names.add(node.args[0].value)
    scan_warnings(helper, params)


def forwards_kwargs_to_super(func, kwname) -> bool:
    for node in ast.walk(func):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "__init__"
                and isinstance(node.func.value, ast.Call) and getattr(node.func.value.func, "id", "") == "super"):
            return any(k.arg is None and isinstance(k.value, ast.Name) and k.value.id == kwname for k in node.keywords)
    return False


def method_params(src, owner, path, cls_names, method, params: Params, depth=0):
    tree = src.tree(path)
    if tree is None:
        return False
    if cls_names is None:
        func = find_function(tree.body, method)
        cls = None
    else:
        cls = find_class(tree, cls_names)
        if cls is None:
            return False
        func = find_function(cls.body, method)
    if func is None:
        # inherited method
        for base in (cls.bases if cls else []):
            bname = base.id if isinstance(base, ast.Name) else None
            if bname in BASES and depth < 3:
                return method_params(src, owner, *BASES[bname], method, params, depth + 1)
        return False
    kwname = signature_params(func, params)
    scan_warnings(func, params)
    if cls is not None:
        for extra in EXTRA_METHODS.get(owner, ()):
            helper = find_function(cls.body, extra)
            if helper is not None:
                signature_params(helper, params)
                scan_warnings(helper, params)
        if kwname:
            for helper in kwargs_helpers(func, cls, kwname):
                helper_kwargs_pops(helper, params)
    if kwname and cls is not None and forwards_kwargs_to_super(func, kwname):
        for base in cls.bases:
            bname = base.id if isinstance(base, ast.Name) else None
            if bname in BASES and depth < 3:
                method_params(src, owner, *BASES[bname], method, params, depth + 1)
    return True


def owner_params(src, owner) -> Optional[Params]:
    path, cls_names, method, _closed = OWNERS[owner]
    params = Params()
    if method is None:
        ok = dataclass_fields(src, path, cls_names, params) is not None
    else:
        ok = method_params(src, owner, path, cls_names, method, params)
    if not ok:
        return None
    if owner in AUTO_LOADERS:
        auto_path, auto_cls = AUTO_LOADERS[owner]
        method_params(src, owner, auto_path, auto_cls, "from_pretrained", params)
    return _public_params(params)


def _public_params(params: Params) -> Params:
    # private names (`_from_auto`, `_commit_hash`) are internal plumbing, not API
    params.names = {n for n in params.names if not n.startswith("_")}
    params.deprecated = {k: v for k, v in params.deprecated.items() if k in params.names}
    params.ignored = {n for n in params.ignored if n in params.names}
    return params


def tokenizer_params(src, index: "ClassIndex", methods) -> Optional[Params]:
    """Keywords of a tokenizer call, over the base classes' methods the call runs through."""
    params = Params()
    found = False
    for root in TOKENIZER_ROOTS:
        for cls in index.hierarchy(root):
            for method in methods:
                func = find_function(cls.body, method)
                if func is None:
                    continue
                found = True
                kwname = signature_params(func, params)
                scan_warnings(func, params)
                if kwname:
                    for helper in kwargs_helpers(func, cls, kwname):
                        helper_kwargs_pops(helper, params)
    if not found:
        return None
    # the positional text arguments are keywords too (`tok(text=...)`), but `self`-like plumbing is not
    params.names.discard("kwargs")
    return _public_params(params)


_DEF_SIGNATURE = r"^\s+def\s+({names})\s*\((.*?)\)\s*(?:->[^:\n]*)?:"
_PARAM_NAME = re.compile(r"(?:^|,)\s*\**([A-Za-z_]\w*)")
_POPPED_KEY = re.compile(r"kwargs\.(?:pop|get)\(\s*[\"'](\w+)[\"']")


def tokenizer_any_params(src, methods) -> list:
    """Keywords some model-specific tokenizer's call methods name or pop (``boxes=``, ``add_prefix_space=``...):
    never reported as unknown."""
    pattern = re.compile(_DEF_SIGNATURE.format(names="|".join(map(re.escape, methods))), re.M | re.S)
    names = set()
    for path in src.glob("transformers/models/*/tokenization_*.py"):
        text = src.source(path) or ""
        for m in pattern.finditer(text):
            names.update(_PARAM_NAME.findall(m.group(2)))
        names.update(_POPPED_KEY.findall(text))
    return sorted(n for n in names if public(n) and n not in ("self", "cls", "kwargs"))


# ==================================================================================================== exports

_ALL_ASSIGN = re.compile(r"^__all__\s*=\s*(\[[^\]]*\]|\([^)]*\))", re.M)


def exported_names(src) -> set:
    tree = src.tree("transformers/__init__.py")
    names = {"__version__"}
    uses_models_structure = False
    literal_dicts = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) \
                and isinstance(node.value, ast.Dict):
            literal_dicts[node.targets[0].id] = [const_str(k) for k in node.value.keys if k is not None]
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            t = node.targets[0]
            if isinstance(t, ast.Name) and t.id == "_import_structure" and isinstance(node.value, ast.Dict):
                for k, v in zip(node.value.keys, node.value.values):
                    names.update(str_list(v))
                    key = const_str(k) if k is not None else None
                    if key and "." not in key:  # a top-level submodule: `from transformers import trainer_utils`
                        names.add(key)
            elif (isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name)
                  and t.value.id == "_import_structure"):
                names.update(str_list(node.value))
        elif (isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Subscript)
              and getattr(node.target.value, "id", "") == "_import_structure"):
            names.update(str_list(node.value))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            base = node.func.value
            if isinstance(base, ast.Call) and isinstance(base.func, ast.Attribute) and base.func.attr == "setdefault":
                base = base.func.value
            if isinstance(base, ast.Subscript) and getattr(base.value, "id", "") == "_import_structure":
                if node.func.attr == "extend" and node.args:
                    names.update(str_list(node.args[0]))
                elif node.func.attr == "append" and node.args:
                    s = const_str(node.args[0])
                    if s:
                        names.add(s)
            if getattr(node.func, "attr", "") == "define_import_structure":
                uses_models_structure = True
        elif isinstance(node, ast.For) and isinstance(node.target, ast.Name) and isinstance(node.iter, ast.Name):
            # `for _alias in _LEGACY_MODULE_ALIASES: _import_structure.setdefault(_alias, set())` (5.x)
            if any(isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "setdefault"
                   and getattr(n.func.value, "id", "") == "_import_structure" for n in ast.walk(node)):
                names.update(k for k in literal_dicts.get(node.iter.id, []) if k)
        # Relative imports are not counted: the module object is replaced by a lazy module built from
        # _import_structure, so names imported into __init__ (or only under TYPE_CHECKING) are not importable.
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "define_import_structure":
            uses_models_structure = True
    if uses_models_structure:
        for path in sorted(src.names):
            if not (path.startswith("transformers/models/") and path.endswith(".py")):
                continue
            base = path.rsplit("/", 1)[1]
            if base == "__init__.py" or base.startswith(("convert_", "modular_")):
                continue
            # a regex finds the module-level literal; parsing only it keeps 50 wheels x 1000 files fast
            text = src.source(path)
            for m in _ALL_ASSIGN.finditer(text):
                names.update(str_list(ast.parse(m.group(1), mode="eval").body))
    # `from transformers import trainer_utils` imports the submodule
    for path in src.names:
        parts = path.split("/")
        if len(parts) == 2 and parts[0] == "transformers" and parts[1].endswith(".py"):
            names.add(parts[1][:-3])
        elif len(parts) == 3 and parts[0] == "transformers" and parts[2] == "__init__.py":
            names.add(parts[1])
    return {n for n in names if n.isidentifier() and (not n.startswith("_") or n == "__version__")}


_TF_FLAX_MODULE = re.compile(r"(^|[._])(tf|flax|keras)([._]|$)|_tf_|modeling_tf|tf_utils|_tf$")


def tf_flax_exports(src) -> list:
    """Exports that ``transformers/__init__.py`` takes from TensorFlow, Keras or Flax modules (``optimization_tf``,
    ``modeling_flax_utils``, ``models.bert.modeling_tf_bert``): v5 removed all of them with those backends."""
    tree = src.tree("transformers/__init__.py")
    out = set()
    for node in ast.walk(tree) if tree is not None else ():
        if isinstance(node, ast.Dict):
            pairs = zip(node.keys, node.values)
        elif isinstance(node, (ast.Assign, ast.AugAssign)) and isinstance(
                getattr(node, "target", None) or (node.targets[0] if getattr(node, "targets", None) else None),
                ast.Subscript):
            t = node.target if isinstance(node, ast.AugAssign) else node.targets[0]
            pairs = [(t.slice, node.value)]
        else:
            continue
        for k, v in pairs:
            key = const_str(k) if k is not None else None
            if key and _TF_FLAX_MODULE.search(key):
                out.update(str_list(v))
                if "." not in key:
                    out.add(key)  # the submodule itself (`keras_callbacks`, `optimization_tf`)
    return sorted(out)


def backend_exports(src) -> dict:
    """{export: [backend, ...]} for names ``transformers/__init__.py`` lists only when optional backends are
    installed (the ``else:`` of ``try: if not is_vision_available(): raise OptionalDependencyNotAvailable()``)."""
    tree = src.tree("transformers/__init__.py")
    out = {}
    for node in ast.walk(tree) if tree is not None else ():
        if not (isinstance(node, ast.Try) and node.orelse):
            continue
        backends = []
        for stmt in node.body:
            if isinstance(stmt, ast.If) and any(isinstance(n, ast.Raise) for n in stmt.body):
                for n in ast.walk(stmt.test):
                    if isinstance(n, ast.Call) and isinstance(n.func, ast.Name):
                        m = re.fullmatch(r"is_(\w+)_available", n.func.id)
                        if m:
                            backends.append(m.group(1))
        if not backends:
            continue
        for stmt in node.orelse:
            for n in ast.walk(stmt):
                value = n.value if isinstance(n, (ast.Assign, ast.AugAssign)) else None
                if value is not None:
                    for name in str_list(value):
                        out.setdefault(name, sorted(set(backends)))
                if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in ("extend", "append") \
                        and n.args:
                    for name in str_list(n.args[0]) or [const_str(n.args[0]) or ""]:
                        if name:
                            out.setdefault(name, sorted(set(backends)))
    return out


def alias_rules(src) -> dict:
    """How the release's lazy module resolves a name its export lists lack (``_LazyModule.__getattr__`` in
    ``utils/import_utils.py``): ``fast`` — ``XTokenizerFast`` falls back to ``XTokenizer`` (5.0); ``image_fast`` —
    ``XImageProcessorFast`` to ``XImageProcessor``; ``converters`` — a retired ``XTokenizer`` resolves to the tokenizer
    that shares its entry in ``convert_slow_tokenizer.SLOW_TO_FAST_CONVERTERS`` (``LayoutLMTokenizer`` ->
    ``BertTokenizer``), given as {tokenizer name: converter class name}."""
    text = src.source("transformers/utils/import_utils.py") or ""
    getattr_at = text.find("def __getattr__(self, name")
    body = text[getattr_at:] if getattr_at >= 0 else ""
    rules = {"fast": 'endswith("TokenizerFast")' in body, "image_fast": 'endswith("ImageProcessorFast")' in body,
             "converters": {}}
    if "SLOW_TO_FAST_CONVERTERS" in body:
        tree = src.tree("transformers/convert_slow_tokenizer.py")
        for node in tree.body if tree else ():
            if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "SLOW_TO_FAST_CONVERTERS"
                                                    for t in node.targets) and isinstance(node.value, ast.Dict):
                for k, v in zip(node.value.keys, node.value.values):
                    if isinstance(k, ast.Constant) and isinstance(v, ast.Name):
                        rules["converters"][k.value] = v.id
    return rules


def resolve_alias(name: str, exports, rules: dict) -> Optional[str]:
    """The exported name the lazy module returns for ``name`` (not itself exported), or None when it raises.
    Mirrors ``_LazyModule.__getattr__``: the ``*Fast`` fallbacks, then the converter table (the tokenizer named
    after the converter first, then the others sharing it, in table order)."""
    if name in exports:
        return None
    if rules.get("fast") and name.endswith("TokenizerFast") and name[:-4] in exports:
        return name[:-4]
    if rules.get("image_fast") and name.endswith("ImageProcessorFast") and name[:-4] in exports:
        return name[:-4]
    converters = rules.get("converters") or {}
    if name.endswith(("Tokenizer", "TokenizerFast")) and converters:
        lookup = name[:-4] if name.endswith("TokenizerFast") else name
        converter = converters.get(lookup)
        if converter:
            preferred = converter.replace("Converter", "") + "Tokenizer"
            candidates = [preferred] + [t for t, c in converters.items() if c == converter and t != lookup]
            for cand in candidates:
                if cand in exports:
                    return cand
    return None


_CLASS_DEPRECATED = re.compile(
    r"(?:[Tt]he\s+)?(?:class\s+|function\s+)?`?(?P<old>[A-Za-z_]\w+)`?\s+(?:class\s+)?(?:is|has been)\s+(?:now\s+)?"
    r"deprecated.*?(?:[Uu]se|in favou?r of|replaced by|should inherit)\s+(?:the\s+)?`?"
    r"(?P<new>(?:torch\.)?[A-Za-z_][\w.]*)`?", re.S)
_MODULE_ALIAS = re.compile(r"^([A-Z]\w+)\s*=\s*([A-Z]\w+)\s*(?:#.*)?$", re.M)
_DEPRECATION_FILES = ("transformers/*.py", "transformers/generation/*.py", "transformers/models/auto/*.py",
                      "transformers/utils/import_utils.py",
                      "transformers/models/*/feature_extraction_*.py", "transformers/models/*/image_processing_*.py",
                      "transformers/models/*/processing_*.py", "transformers/pipelines/*.py",
                      "transformers/data/**.py", "transformers/models/*/tokenization_*.py")


def export_successors(src, exports) -> dict:
    """{old export: successor} that the release's code states: a class or function whose deprecation message says
    what to use (``The class ViTFeatureExtractor is deprecated ... Please use ViTImageProcessor instead``), and module-level
    aliases kept for old names (``GreedySearchDecoderOnlyOutput = GenerateDecoderOnlyOutput``)."""
    out = {}
    paths = set()
    for pattern in _DEPRECATION_FILES:
        paths.update(src.glob(pattern))
    for path in sorted(paths):
        text = src.source(path) or ""
        for m in _MODULE_ALIAS.finditer(text):
            old, new = m.group(1), m.group(2)
            if old in exports and new in exports and old != new:
                out.setdefault(old, new)
        if "deprecated" not in text:
            continue
        for m in re.finditer(r"^(?:class|def)\s+(\w+)", text, re.M):
            cls = m.group(1)
            if cls not in exports:
                continue
            end = re.compile(r"^\S", re.M).search(text, m.end() + 1)
            body = text[m.end(): end.start() if end else len(text)]
            if "deprecated" not in body:
                continue
            # join the string pieces of the message: the regex reads the prose, not the code
            prose = re.sub(r"[\"']\s*\n\s*(?:f?[\"'])", "", body)
            for dm in _CLASS_DEPRECATED.finditer(prose):
                new = dm.group("new").rstrip(".")
                if dm.group("old") == cls and new != cls and (new in exports or new.startswith("torch.")):
                    out.setdefault(cls, new)
                    break
    return out


# ==================================================================================================== members of classes

# kind -> (root classes, the per-model files whose classes are of that kind)
KINDS = {
    "tokenizer": (TOKENIZER_ROOTS + ("SpecialTokensMixin",), ("transformers/models/*/tokenization_*.py",)),
    "model": (("PreTrainedModel", "GenerationMixin"), ("transformers/models/*/modeling_*.py",)),
    "config": (("PretrainedConfig", "PreTrainedConfig"), ("transformers/models/*/configuration_*.py",)),
    "processor": (("ProcessorMixin",), ("transformers/models/*/processing_*.py",)),
    "image_processor": (("ImageProcessingMixin", "BaseImageProcessor", "BaseImageProcessorFast", "TorchvisionBackend",
                         "PilBackend"), ("transformers/models/*/image_processing_*.py",)),
    "feature_extractor": (("FeatureExtractionMixin", "SequenceFeatureExtractor"),
                          ("transformers/models/*/feature_extraction_*.py",)),
    "trainer": (("Trainer", "Seq2SeqTrainer"), ()),
    "pipeline": (("Pipeline",), ("transformers/pipelines/*.py",)),
}
# Folders outside models/ where the root classes and their mixins live.
_ROOT_FILES = ("transformers/*.py", "transformers/generation/*.py", "transformers/integrations/*.py",
               "transformers/utils/*.py", "transformers/pipelines/base.py")
_SKIP_MODEL_FILE = re.compile(r"/(?:modeling_(?:tf|flax)_|modular_|convert_)")


class ClassIndex:
    """Classes defined at module level in the files around the root classes, parsed on demand."""

    def __init__(self, src: Source):
        self.src = src
        self.where: dict = {}
        self._members: dict = {}
        for pattern in _ROOT_FILES:
            for path in src.glob(pattern):
                text = src.source(path) or ""
                for m in re.finditer(r"^(?:class|def)\s+(\w+)", text, re.M):
                    self.where.setdefault(m.group(1), path)

    def get(self, name: str):
        path = self.where.get(name)
        tree = self.src.tree(path) if path else None
        return find_class(tree, name) if tree is not None else None

    def members(self, cls) -> dict:
        key = id(cls)
        if key not in self._members:
            text = self.src.source(self.where[cls.name]) or ""
            self._members[key] = class_members(cls, text.splitlines())
        return self._members[key]

    def hierarchy(self, name: str) -> list:
        """The class and its bases inside transformers, nearest first."""
        out, todo, seen = [], [name], set()
        while todo:
            n = todo.pop(0)
            if n in seen:
                continue
            seen.add(n)
            cls = self.get(n)
            if cls is None:
                continue
            out.append(cls)
            todo.extend(b for b in (base_name(x) for x in cls.bases) if b)
        return out


def _self_targets(func) -> set:
    names = set()
    for node in ast.walk(func):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] \
            if isinstance(node, (ast.AnnAssign, ast.AugAssign)) else []
        for t in targets:
            for el in (t.elts if isinstance(t, ast.Tuple) else [t]):
                if isinstance(el, ast.Attribute) and isinstance(el.value, ast.Name) and el.value.id == "self":
                    names.add(el.attr)
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "setattr" and len(node.args) >= 2 \
                and isinstance(node.args[0], ast.Name) and node.args[0].id == "self":
            key = const_str(node.args[1])
            if key:
                names.add(key)
    return names


def _dict_keys_returned(func) -> set:
    keys = set()
    for node in ast.walk(func):
        if isinstance(node, ast.Return) and isinstance(node.value, ast.Dict):
            keys.update(k.value for k in node.value.keys if isinstance(k, ast.Constant) and isinstance(k.value, str))
    return keys


def _setattr_loops(func, cls) -> set:
    """``for name, default in self._get_global_generation_defaults().items(): setattr(self, name, ...)``: the keys
    of the dict that method returns become attributes."""
    names = set()
    for node in ast.walk(func):
        if not (isinstance(node, ast.For) and isinstance(node.iter, ast.Call)
                and isinstance(node.iter.func, ast.Attribute) and node.iter.func.attr == "items"):
            continue
        if not any(isinstance(n, ast.Call) and getattr(n.func, "id", "") == "setattr" for n in ast.walk(node)):
            continue
        source = node.iter.func.value
        if isinstance(source, ast.Call) and isinstance(source.func, ast.Attribute):
            helper = find_function(cls.body, source.func.attr)
            if helper is not None:
                names |= _dict_keys_returned(helper)
    return names


def class_members(cls, lines=None) -> dict:
    """Public members one class body defines: {name: deprecation or None}. Methods and properties, class-level
    assignments (not bare annotations: those declare attributes an instance may lack), ``self.x`` assignments,
    ``attributes = [...]`` of processors, and attributes set in a loop over a dict a method returns."""
    members = {}
    for node in cls.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if node.name == "__getattr__":
                for name in _dynamic_members(node, cls):
                    members.setdefault(name, None)
            text = "\n".join(lines[node.lineno - 1: node.end_lineno]) if lines is not None else "deprecat"
            members.setdefault(node.name, _member_deprecation(node, node.name) if "deprecat" in text else None)
            for name in _self_targets(node) | _setattr_loops(node, cls):
                members.setdefault(name, None)
        elif isinstance(node, ast.Assign):
            for t in node.targets:
                if isinstance(t, ast.Name):
                    members.setdefault(t.id, None)
                    if t.id == "attributes":
                        for name in str_list(node.value):
                            members.setdefault(name, None)
        elif isinstance(node, ast.AnnAssign) and node.value is not None and isinstance(node.target, ast.Name):
            members.setdefault(node.target.id, None)
    return {k: v for k, v in members.items() if public(k)}


def _dynamic_members(getattr_func, cls) -> set:
    """Names a ``__getattr__`` serves: the strings it compares the key with, the entries of the upper-case class
    lists it consults (``SPECIAL_TOKENS_ATTRIBUTES``), and their ``_id``/``_ids`` forms when it strips those."""
    lists = {}
    for node in cls.body:
        if isinstance(node, ast.Assign):
            for t in node.targets:
                if isinstance(t, ast.Name) and t.id.isupper():
                    lists[t.id] = str_list(node.value)
    names = set()
    strings = set()
    for node in ast.walk(getattr_func):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            strings.add(node.value)
        elif isinstance(node, ast.Attribute) and node.attr in lists:
            names.update(lists[node.attr])
    names.update(s for s in strings if s.isidentifier() and "_" in s and not s.startswith("_"))
    if "_id" in strings or "_ids" in strings:
        names |= {n + suffix for n in list(names) for suffix in ("_id", "_ids")}
    return names


def _member_deprecation(func, name: str) -> Optional[dict]:
    """The member's own deprecation (a warning in its body that says the member is deprecated)."""
    said = re.compile(r"(?:`%s(?:\(\))?`|\b%s\b(?:\(\))?)\s+(?:(?:method|property|attribute)\s+)?(?:is|are|has been|"
                      r"will be)\s+(?:now\s+)?deprecated" % (re.escape(name), re.escape(name)))
    for text, _conds in warning_messages(func):
        m = said.search(text)
        if m and re.search(r"\b(to|in|for|of|with|on|from)\s*$", text[: m.start()]):
            m = None  # "Passing `tp_plan` directly to `from_pretrained` is deprecated": not the member
        if not (m or re.match(r"\s*(this|the) (method|function|property|attribute) (is|has been) "
                                              r"(now )?deprecated", text, re.I)):
            continue
        replacement = None
        for m in _USE_MEMBER.finditer(text):
            cand = m.group(1).rstrip(".").rsplit(".", 1)[-1]
            if cand != name and public(cand) and cand not in ("the", "it", "this", "a", "an"):
                replacement = cand
                break
        return {"removal": removal_version(text), "replacement": replacement}
    return None


def root_members(index: ClassIndex, roots) -> dict:
    members = {}
    for root in roots:
        for cls in index.hierarchy(root):
            for name, dep in index.members(cls).items():
                if dep is not None or name not in members:
                    members[name] = dep if dep is not None else members.get(name)
    return members


# Specific classes are read with regular expressions (a few thousand files per release: parsing them all would take
# minutes). transformers' code is black-formatted: a class body is indented 4 spaces, methods at 4, their code at 8+.
_CLASS_HEADER = re.compile(r"^class\s+(\w+)\s*(?:\(([^)]*)\))?\s*:", re.M | re.S)
_TOP_LEVEL = re.compile(r"^(?=[^\s#)\]}])", re.M)
_METHOD = re.compile(r"^    (?:async\s+)?def\s+(\w+)\s*\(", re.M)
_CLASS_ATTR = re.compile(r"^    (\w+)\s*(?::[^\n=]*)?=(?!=)", re.M)
_CLASS_ANNOT = re.compile(r"^    (\w+)\s*:\s*[^\n=]+$", re.M)
_SELF_ATTR = re.compile(r"^\s{8,}self\.(\w+)\s*(?::[^\n=]*)?=(?!=)", re.M)
_SETATTR = re.compile(r"setattr\(\s*self\s*,\s*[\"'](\w+)[\"']")
_ATTRIBUTES_LIST = re.compile(r"^    attributes\s*=\s*\[([^\]]*)\]", re.M)
_ATTRIBUTE_MAP = re.compile(r"^    attribute_map\s*=\s*\{([^}]*)\}", re.M)
_INIT_PARAMS = re.compile(r"^    def\s+__init__\s*\((.*?)\)\s*(?:->[^:\n]*)?:", re.M | re.S)
_SUBPROCESSOR = re.compile(r"(tokenizer|processor|extractor)$")


def scan_classes(src, patterns) -> dict:
    """{class name: (kind-file pattern index, bases, {member: deprecation or None})} for the classes of some files."""
    out = {}
    for pattern in patterns:
        for path in src.glob(pattern):
            if _SKIP_MODEL_FILE.search(path):
                continue
            text = src.source(path) or ""
            headers = list(_CLASS_HEADER.finditer(text))
            if not headers:
                continue
            spans = []
            for m in headers:
                nxt = _TOP_LEVEL.search(text, m.end() + 1)
                spans.append((m.end(), nxt.start() if nxt else len(text)))
            starts = [a for a, _ in spans]
            found = [dict() for _ in headers]
            for rx in (_METHOD, _CLASS_ATTR, _CLASS_ANNOT, _SELF_ATTR, _SETATTR):
                for hit in rx.finditer(text, spans[0][0]):
                    i = bisect.bisect_right(starts, hit.start()) - 1
                    if i >= 0 and hit.start() < spans[i][1]:
                        found[i].setdefault(hit.group(1), None)
            for i, m in enumerate(headers):
                body = text[spans[i][0]: spans[i][1]]
                bases = [b.strip().split("[", 1)[0].rsplit(".", 1)[-1] for b in (m.group(2) or "").split(",")]
                members = found[i]
                for lst in _ATTRIBUTES_LIST.findall(body):
                    for name in re.findall(r"[\"'](\w+)[\"']", lst):
                        members.setdefault(name, None)
                for mp in _ATTRIBUTE_MAP.findall(body):
                    for name in re.findall(r"[\"'](\w+)[\"']\s*:", mp):
                        members.setdefault(name, None)
                for sig in _INIT_PARAMS.findall(body):
                    for name in _PARAM_NAME.findall(sig):
                        if _SUBPROCESSOR.search(name):
                            members.setdefault(name, None)
                if "deprecat" in body:
                    for name, dep in _deprecated_methods(body).items():
                        members[name] = dep
                out.setdefault(m.group(1), ([b for b in bases if b], {k: v for k, v in members.items() if public(k)}))
    return out


def _deprecated_methods(body: str) -> dict:
    """Deprecations of the methods in a class body (parsed one method at a time: only bodies that mention it)."""
    out = {}
    starts = [m for m in _METHOD.finditer(body)]
    for i, m in enumerate(starts):
        # include decorators: they are at 4 spaces right above the def
        end = starts[i + 1].start() if i + 1 < len(starts) else len(body)
        chunk = re.sub(r"(\n    @[^\n]*)+\s*$", "\n", body[m.start(): end])  # the next method's decorators
        if "deprecat" not in chunk:
            continue
        try:
            tree = ast.parse("class _C:\n" + chunk)
        except SyntaxError:
            continue
        func = find_function(tree.body[0].body, m.group(1)) if tree.body else None
        if func is not None:
            dep = _member_deprecation(func, m.group(1))
            if dep is not None:
                out[m.group(1)] = dep
    return out


def kind_members(src, index: ClassIndex, exports) -> dict:
    """Per kind: ``roots`` {member: deprecation} of the root classes, and ``classes`` {exported class: sorted
    members} of the model-specific classes of that kind (their own and those inherited from other specific
    classes; the roots' members are not repeated)."""
    out = {}
    scanned = {}
    for kind, (_roots, patterns) in KINDS.items():
        scanned[kind] = scan_classes(src, patterns)
    every = {}
    for classes in scanned.values():
        for name, value in classes.items():
            every.setdefault(name, value)

    def resolved(name, seen=()):
        if name not in every or name in seen:
            return {}
        bases, own = every[name]
        members = dict(own)
        for b in bases:
            for k, v in resolved(b, seen + (name,)).items():
                members.setdefault(k, v)
        return members

    for kind, (roots, _patterns) in KINDS.items():
        classes = {}
        for name in scanned[kind]:
            if name in exports and name not in roots:
                classes[name] = resolved(name)
        root = root_members(index, roots)
        for members in [root] + list(classes.values()):
            known = set(root) | set(members)
            for name, dep in members.items():
                # "Please use the equivalent ...": a replacement is a member, or it is no replacement
                if dep is not None and dep.get("replacement") not in known:
                    members[name] = dict(dep, replacement=None)
        out[kind] = {"roots": root, "classes": classes}
    return out


# ==================================================================================================== pipeline tasks

def pipeline_tasks(src) -> dict:
    """``tasks``: task names ``pipeline(...)`` accepts (``SUPPORTED_TASKS`` and ``TASK_ALIASES`` keys, plus the
    ``translation_XX_to_YY`` form while ``translation`` is a task); ``redirects``: names it maps to another task
    with a deprecation warning; ``advice``: what ``REMOVED_TASKS`` says to use instead."""
    tree = src.tree("transformers/pipelines/__init__.py")
    out = {"tasks": set(), "redirects": {}, "advice": {}}
    if tree is None:
        return out
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) \
                and isinstance(node.value, ast.Dict):
            keys = [k.value for k in node.value.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)]
            if node.targets[0].id in ("SUPPORTED_TASKS", "TASK_ALIASES"):
                out["tasks"].update(keys)
            elif node.targets[0].id == "REMOVED_TASKS":
                for k, v in zip(node.value.keys, node.value.values):
                    if isinstance(k, ast.Constant):
                        out["advice"][k.value] = const_str(v) or ""
        elif isinstance(node, ast.FunctionDef) and "deprecated" in node.name:
            # `if task == "image-to-text": logger.warning(...); return "image-text-to-text"`
            for sub in ast.walk(node):
                if isinstance(sub, ast.If) and isinstance(sub.test, ast.Compare) and len(sub.test.ops) == 1 \
                        and isinstance(sub.test.ops[0], ast.Eq):
                    old = const_str(sub.test.comparators[0])
                    ret = next((s.value for s in sub.body if isinstance(s, ast.Return)), None)
                    new = const_str(ret) if ret is not None else None
                    if old and new:
                        out["redirects"][old] = new
    if "translation" in out["tasks"]:
        out["tasks"].add("translation_XX_to_YY")
    out["tasks"].update(out["redirects"])
    out["tasks"] = sorted(out["tasks"])
    return out


# ==================================================================================================== one release

def extract(src: Source) -> dict:
    """Every fact the tables record, for one release (JSON-serialisable)."""
    exports = exported_names(src)
    index = ClassIndex(src)
    facts = {"version": src.version, "exports": sorted(exports), "aliases": alias_rules(src),
             "backends": {k: v for k, v in sorted(backend_exports(src).items()) if k in exports},
             "tf_flax": [n for n in tf_flax_exports(src) if n in exports],
             "successors": export_successors(src, exports), "owners": {}}
    for owner in OWNERS:
        p = owner_params(src, owner)
        facts["owners"][owner] = p.as_data() if p is not None else None
    for owner, methods in (("tokenizer.__call__", TOKENIZER_CALL_METHODS), ("tokenizer.pad", TOKENIZER_PAD_METHODS)):
        p = tokenizer_params(src, index, methods)
        facts["owners"][owner] = p.as_data() if p is not None else None
    facts["tokenizer_any"] = tokenizer_any_params(src, TOKENIZER_CALL_METHODS + TOKENIZER_PAD_METHODS)
    facts["members"] = {kind: {"roots": data["roots"], "classes": {c: sorted(m) for c, m in data["classes"].items()},
                               "class_deprecations": {f"{c}.{n}": d for c, m in data["classes"].items()
                                                      for n, d in m.items() if d is not None}}
                        for kind, data in kind_members(src, index, exports).items()}
    facts["tasks"] = pipeline_tasks(src)
    src.close()
    return facts


def extract_wheel(path: str, version: str) -> dict:
    return extract(WheelSource(path, version))
