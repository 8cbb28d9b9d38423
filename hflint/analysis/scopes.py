"""Scopes and the names bound in them: modules, class bodies, functions, lambdas and comprehensions.

A name read at a point of the code sees the bindings that reach that point (``value_at_point``): the last
binding that dominates the point, joined with the bindings in branches after it. A name read from an enclosing
function or module sees the final value there (``final_value``): a function body runs later, when the script
has finished defining its module's names.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Optional

from ..lazy_libcst import cst

from .flow import Cond, dominates
from .values import UNKNOWN, Value, same_value


@dataclass(frozen=True, eq=False)
class Binding:
    name: str
    seq: int
    value: Value
    node: cst.CSTNode
    cond: Cond


@dataclass(frozen=True, eq=False)
class CallSite:
    """A call in a scope, in order: ``name`` is the method or function's last name.

    A call of one of the file's own functions also leaves the calls that function makes on what it is given
    (``grow(self)`` resizing ``self.encoder``): those have ``via`` set to the function's name and ``node`` is the
    call in the caller.
    """

    seq: int
    name: str
    callee: str
    node: cst.Call
    cond: Cond
    receiver: Value
    context: object = None  # contexts.Context
    via: str = ""


class Scope:
    """A module, class body, function, lambda or comprehension."""

    def __init__(self, kind: str, name: str, node: cst.CSTNode, parent: Optional["Scope"], *, attach: bool = True):
        self.kind = kind
        self.name = name
        self.node = node
        self.parent = parent
        self.bindings: dict[str, list[Binding]] = {}
        self.objects: list = []  # HFObject made here, in order
        self.tracked: list = []  # every Tracked made here, in order
        self.self_attrs: dict[str, list[Binding]] = {}  # class bodies: `self.x = ...` in any method
        self.bases: list[str] = []  # class bodies: qualified names of the bases
        self.base_values: list[Value] = []  # class bodies: the bases as evaluated (QName, ClassRef, ...)
        self.class_scope: Optional[Scope] = None  # methods: the class body
        self.returns: list[tuple[int, cst.Return, Value]] = []
        self.calls: list[CallSite] = []
        self.children: list[Scope] = []
        self.decorators: list[str] = []
        if parent is not None and attach:
            parent.children.append(self)

    @property
    def inline(self) -> bool:
        """Runs where it is defined (so reads of enclosing names see the value at that point)."""
        return self.kind in ("comprehension", "class")

    def function(self) -> Optional["Scope"]:
        """The innermost function scope containing this one (itself if it is one)."""
        scope: Optional[Scope] = self
        while scope is not None and scope.kind != "function":
            scope = scope.parent
        return scope

    def freeze(self) -> None:
        self.bindings = {k: tuple(v) for k, v in self.bindings.items()}
        self.self_attrs = {k: tuple(v) for k, v in self.self_attrs.items()}
        for name in ("objects", "tracked", "bases", "base_values", "returns", "calls", "children", "decorators"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        object.__setattr__(self, "_frozen", True)

    def __setattr__(self, key, value):
        if self.__dict__.get("_frozen"):
            raise AttributeError(f"analysis facts are read-only: cannot set Scope.{key}")
        object.__setattr__(self, key, value)

    def __repr__(self):
        return f"<Scope {self.kind} {self.name}>"


def value_at_point(bindings: Iterable[Binding], cond: Cond) -> Value:
    """The value of a name read at a point with conditions ``cond``: the last binding that dominates the point,
    joined with every later one (a later binding in a branch may or may not have run)."""
    candidates: list[Value] = []
    for b in reversed(list(bindings)):
        candidates.append(b.value)
        if dominates(b.cond, cond):
            break
    first = candidates[0]
    return first if all(same_value(first, c) for c in candidates[1:]) else UNKNOWN


def final_value(bindings: Iterable[Binding]) -> Value:
    """The value of a name read after the scope has finished: known only if every binding agrees."""
    bindings = list(bindings)
    first = bindings[0].value
    return first if all(same_value(first, b.value) for b in bindings[1:]) else UNKNOWN


def dotted_name(node: cst.CSTNode) -> str:
    """``a.b.c`` for a Name/Attribute chain, "" otherwise."""
    parts = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if isinstance(node, cst.Name):
        parts.append(node.value)
        return ".".join(reversed(parts))
    return ""


def target_names(target: cst.CSTNode) -> Iterable[str]:
    """The names an assignment or ``for`` target binds."""
    if isinstance(target, cst.Name):
        yield target.value
    elif isinstance(target, (cst.Tuple, cst.List)):
        for el in target.elements:
            yield from target_names(el.value)
    elif isinstance(target, cst.StarredElement):
        yield from target_names(target.value)
