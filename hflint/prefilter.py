"""Cheap facts about a file, taken before libcst is involved, that let rules say "cannot match here".

The text check costs nothing; the ``ast`` walk costs about half of pyflakes, and flake8 hands the
plugin its ``ast`` tree for free. Only files some enabled rule may match are parsed with libcst.
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
    keywords: set = field(default_factory=set)  # keyword argument names and string dict keys
    from_pretrained: int = 0
    first_token_index: bool = False  # a subscript like x[:, 0] or x[:, 0, :]
    index_one: bool = False  # a subscript x[1] (a base model's pooler output)


def scan(tree: ast.AST) -> Features:
    f = Features()
    calls, attrs, stored, keywords = f.calls, f.attrs, f.stored_attrs, f.keywords
    for node in ast.walk(tree):
        t = type(node)
        if t is ast.Call:
            fn = node.func
            if type(fn) is ast.Attribute:
                calls.add(fn.attr)
                if fn.attr == "from_pretrained":
                    f.from_pretrained += 1
            elif type(fn) is ast.Name:
                calls.add(fn.id)
            for kw in node.keywords:
                if kw.arg:
                    keywords.add(kw.arg)
        elif t is ast.Attribute:
            attrs.add(node.attr)
            if type(node.ctx) is ast.Store:
                stored.add(node.attr)
        elif t is ast.Subscript:
            s = node.slice
            if type(s) is ast.Tuple and len(s.elts) >= 2:
                a, b = s.elts[0], s.elts[1]
                if type(a) is ast.Slice and a.lower is None and a.upper is None and type(b) is ast.Constant \
                        and b.value == 0:
                    f.first_token_index = True
            elif type(s) is ast.Constant:
                if isinstance(s.value, str):
                    keywords.add(s.value)
                elif s.value == 1:
                    f.index_one = True
        elif t is ast.Dict:
            for k in node.keys:
                if type(k) is ast.Constant and isinstance(k.value, str):
                    keywords.add(k.value)
    return f
