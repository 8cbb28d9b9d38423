"""Cheap facts about a file, taken before libcst is involved, that let rules say "cannot match here".

The text check costs nothing; the ``ast`` walk costs about half of pyflakes, and flake8 hands the
plugin its ``ast`` tree for free. Only files some enabled rule may match are parsed with libcst.
Every fact over-approximates what the analysis can resolve, so skipping a file never loses a finding.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field


def mentions_hugging_face(text: str) -> bool:
    return "transformers" in text


@dataclass
class Features:
    calls: set = field(default_factory=set)  # last name of every called function or method
    attrs: set = field(default_factory=set)  # every attribute name read or written
    stored_attrs: set = field(default_factory=set)  # attribute names assigned to
    keywords: set = field(default_factory=set)  # keyword argument names anywhere
    load_keywords: set = field(default_factory=set)  # keyword names of from_pretrained calls
    dict_keys: set = field(default_factory=set)  # string keys of dict literals and subscripts
    from_pretrained: int = 0
    resolvable_loads: int = 0  # from_pretrained/pipeline calls whose checkpoint may resolve to a string
    first_token_index: bool = False  # a subscript like x[:, 0] or x[:, 0, :]
    index_one: bool = False  # a subscript x[1] (a base model's pooler output)
    imported: set = field(default_factory=set)  # names bound by `from m import name` (e.g. a bare `no_grad`)
    hf_names: set = field(default_factory=set)  # names imported `from transformers import ...`
    hf_aliases: dict = field(default_factory=dict)  # `from transformers import X as Y`: Y -> X
    imports_hf_module: bool = False  # `import transformers [as tf]`: any attribute may be an export
    call_keywords: dict = field(default_factory=dict)  # last name of a call -> keyword names passed to it
    target_transformers: object = None  # set by the engine from the settings, for version-aware prefilters
    target_origin: str = ""  # where target_transformers came from (settings)
    filename: str = ""  # the file, for the target its project declares
    # Attribute reads as (last name of the receiver, attribute), and the names that may hold a Hugging Face
    # object: bound to a load (from_pretrained, from_config, pipeline) or to a call of such a name (outputs).
    receiver_attrs: set = field(default_factory=set)
    hf_receivers: set = field(default_factory=set)
    non_ascii_strings: bool = False  # a str constant with a non-ASCII character (text in another script)
    unpacks_call: bool = False  # `a, b = f(...)`: the second name may be a base model's pooler output
    class_bases: dict = field(default_factory=dict)  # the file's classes: name -> last names of their bases
    # Names of containers the file changes (`CFG["model"] = ...`, `CFG.update(...)`, `MODELS.append(...)`): their
    # literal contents are not what a later read sees.
    mutated_names: set = field(default_factory=set)

    @property
    def may_hold_objects(self) -> bool:
        """The analysis may find a transformers object here: something is loaded (``from_pretrained``,
        ``from_config``, ``pipeline``) or a name is imported from ``transformers`` (a class built directly, a
        subclass). The library's own sources (relative imports) and scripts without either hold none."""
        return bool(self.from_pretrained or self.hf_names or self.imports_hf_module
                    or {"from_config", "pipeline"} & self.calls)

    def base_names(self, name: str) -> list:
        """``name`` and, for a class of this file, the names of its bases, transitively (``FocalTrainer`` ->
        ``FocalTrainer``, ``Trainer``)."""
        found, todo = [], [name]
        while todo:
            n = todo.pop()
            if n not in found:
                found.append(n)
                todo.extend(self.class_bases.get(n, ()))
        return found


_MUTATING_METHODS = frozenset({"update", "append", "extend", "insert", "pop", "popitem", "setdefault", "clear",
                               "remove", "__setitem__", "__delitem__", "sort", "reverse"})


def _name_of(node: ast.AST):
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _stringy(node: ast.AST, names: set) -> bool:
    """Could this expression evaluate to a string the analysis resolves? ``names`` holds the names bound to
    strings, to containers of strings (``CKPT["lm"]``, ``MODELS[0]``) and to the file's functions (their
    summaries may return one)."""
    t = type(node)
    if t is ast.Constant:
        return isinstance(node.value, str)
    if t is ast.Name or t is ast.Attribute:
        return _name_of(node) in names
    if t is ast.Subscript:
        root = node.value
        while type(root) is ast.Subscript:
            root = root.value
        return _name_of(root) in names
    if t in (ast.List, ast.Tuple, ast.Set):
        return any(_stringy(e, names) for e in node.elts)
    if t is ast.Dict:
        return any(v is not None and _stringy(v, names) for v in node.values)
    if t is ast.Call:
        if _name_of(node.func) == "dict":
            return any(_stringy(k.value, names) for k in node.keywords)
        return _name_of(node.func) in names
    if t is ast.BoolOp:
        return all(_stringy(v, names) for v in node.values)
    if t is ast.IfExp:
        return _stringy(node.body, names) and _stringy(node.orelse, names)
    if t is ast.BinOp:
        return _stringy(node.left, names) and _stringy(node.right, names)
    return False


def scan(tree: ast.AST) -> Features:
    f = Features()
    calls, attrs, stored, keywords, dict_keys = f.calls, f.attrs, f.stored_attrs, f.keywords, f.dict_keys
    loads: list[ast.AST] = []  # checkpoint argument of each load
    call_bindings: list[tuple[str, str]] = []  # (bound name, last name of the called function)
    assigned: list[tuple[str, ast.AST]] = []  # (name, value) of simple assignments
    functions: list[str] = []  # the file's own functions: a call of one may return a checkpoint or a load
    params: dict[str, list[str]] = {}  # function name -> its parameter names
    called_with_str: set = set()  # functions called with a string argument: their parameters may be checkpoints
    for node in ast.walk(tree):
        t = type(node)
        if t is ast.Call:
            fn = node.func
            if type(fn) is ast.Attribute:
                calls.add(fn.attr)
                if fn.attr in _MUTATING_METHODS and type(fn.value) is ast.Name:
                    f.mutated_names.add(fn.value.id)
                if fn.attr == "from_pretrained":
                    f.from_pretrained += 1
                    arg = node.args[0] if node.args else next(
                        (k.value for k in node.keywords if k.arg == "pretrained_model_name_or_path"), None)
                    if arg is not None:
                        loads.append(arg)
                    f.load_keywords.update(k.arg for k in node.keywords if k.arg)
            elif type(fn) is ast.Name:
                calls.add(fn.id)
            if type(fn) is ast.Name and any(type(a) is ast.Constant and type(a.value) is str
                                            for a in [*node.args, *(k.value for k in node.keywords)]):
                called_with_str.add(fn.id)
            if node.keywords:
                last = fn.attr if type(fn) is ast.Attribute else fn.id if type(fn) is ast.Name else ""
                kws = f.call_keywords.setdefault(last, set())
            for kw in node.keywords:
                if kw.arg:
                    keywords.add(kw.arg)
                    kws.add(kw.arg)
                    if kw.arg in ("model", "tokenizer") and _name_of(fn) == "pipeline":
                        loads.append(kw.value)
        elif t is ast.Attribute:
            attrs.add(node.attr)
            base = node.value
            if type(base) is ast.Call:
                base = base.func
            base_name = _name_of(base)
            if base_name:
                f.receiver_attrs.add((base_name, node.attr))
            if type(node.ctx) is ast.Store:
                stored.add(node.attr)
        elif t is ast.Assign or t is ast.AnnAssign:
            targets = node.targets if t is ast.Assign else [node.target]
            if node.value is not None:
                for target in targets:
                    if type(target) in (ast.Tuple, ast.List) and type(node.value) is ast.Call:
                        f.unpacks_call = True
                    if type(target) in (ast.Tuple, ast.List) and type(node.value) in (ast.Tuple, ast.List) \
                            and len(target.elts) == len(node.value.elts):
                        assigned.extend((_name_of(a), b) for a, b in zip(target.elts, node.value.elts) if _name_of(a))
                    elif type(target) in (ast.Tuple, ast.List):  # a, b = PAIR: each may be one of its strings
                        assigned.extend((_name_of(a), node.value) for a in target.elts if _name_of(a))
                    name = _name_of(target)
                    if name:
                        assigned.append((name, node.value))
                        if type(node.value) is ast.Call:
                            called = _name_of(node.value.func)
                            if called:
                                call_bindings.append((name, called))
        elif t is ast.Subscript:
            if type(node.ctx) is not ast.Load:
                root = node.value
                while type(root) is ast.Subscript:
                    root = root.value
                if type(root) is ast.Name:
                    f.mutated_names.add(root.id)
            s = node.slice
            if type(s) is ast.Tuple and len(s.elts) >= 2:
                a, b = s.elts[0], s.elts[1]
                if type(a) is ast.Slice and a.lower is None and a.upper is None and type(b) is ast.Constant \
                        and b.value == 0:
                    f.first_token_index = True
            elif type(s) is ast.Constant:
                if isinstance(s.value, str):
                    dict_keys.add(s.value)
                elif s.value == 1:
                    f.index_one = True
        elif t is ast.ClassDef:
            f.class_bases[node.name] = [n for b in node.bases if (n := _name_of(b))]
        elif t is ast.FunctionDef or t is ast.AsyncFunctionDef:
            functions.append(node.name)
            a = node.args
            params[node.name] = [p.arg for p in a.posonlyargs + a.args + a.kwonlyargs]
            positional = a.posonlyargs + a.args
            defaults = list(zip(positional[len(positional) - len(a.defaults):], a.defaults))
            defaults += [(p, d) for p, d in zip(a.kwonlyargs, a.kw_defaults) if d is not None]
            assigned.extend((p.arg, d) for p, d in defaults)  # a default checkpoint string
        elif t is ast.ImportFrom:
            f.imported.update(alias.name for alias in node.names)
            if node.module == "transformers" and not node.level:
                for alias in node.names:
                    f.hf_names.add(alias.name)
                    if alias.asname:
                        f.hf_aliases[alias.asname] = alias.name
        elif t is ast.Import:
            if any(alias.name == "transformers" or alias.name.startswith("transformers.") for alias in node.names):
                f.imports_hf_module = True
        elif t is ast.Dict:
            for k in node.keys:
                if type(k) is ast.Constant and isinstance(k.value, str):
                    dict_keys.add(k.value)
        elif t is ast.Constant:
            if type(node.value) is str and not node.value.isascii():
                f.non_ascii_strings = True
    receivers = {"from_pretrained", "from_config", "pipeline"} | f.hf_names
    grown = True
    while grown:  # x = model(...) makes x an output when model is a load; model = model.to(d) stays one
        grown = False
        for name, called in call_bindings:
            if called in receivers and name not in receivers:
                receivers.add(name)
                grown = True
        for base, attr in f.receiver_attrs:  # model.config.x: an attribute of an object may be one too
            if base in receivers and attr not in receivers:
                receivers.add(attr)
                grown = True
    f.hf_receivers = receivers
    if loads:
        names: set = set(functions)
        for fn in called_with_str:
            names.update(params.get(fn, ()))
        changed = True
        while changed:  # names bound to strings, through chains of names
            changed = False
            for name, value in assigned:
                if name not in names and _stringy(value, names):
                    names.add(name)
                    changed = True
        f.resolvable_loads = sum(1 for arg in loads if _stringy(arg, names))
    return f
