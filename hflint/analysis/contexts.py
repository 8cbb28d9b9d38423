"""The context a statement runs in, recorded once for every call, use and object: ``with`` regions (gradients
off, weights not materialised, autocast), code chosen by the installed version, and enclosing loops.

Rules read ``CallSite.context``, ``Use.context`` and ``Tracked.context`` (or ``Facts.context`` during the
traversal); none of them tracks ``with``, ``if`` or ``for`` statements itself.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Optional

from ..lazy_libcst import cst

from .scopes import dotted_name, target_names
from .values import QName, Value

# Context managers and decorators that turn gradients off (torch's own spellings).
NO_GRAD = frozenset({"torch.no_grad", "torch.inference_mode", "torch.autograd.no_grad",
                     "torch.autograd.grad_mode.no_grad", "torch.autograd.inference_mode",
                     "torch.autograd.grad_mode.inference_mode"})
SET_GRAD = frozenset({"torch.set_grad_enabled", "torch.autograd.set_grad_enabled",
                      "torch.autograd.grad_mode.set_grad_enabled"})
AUTOCAST = frozenset({"torch.autocast", "torch.cuda.amp.autocast", "torch.amp.autocast", "torch.cpu.amp.autocast"})
# Context managers under which a model is built without weights on purpose (accelerate, torch's meta device).
EMPTY_WEIGHTS = frozenset({"init_empty_weights", "init_on_device"})
# Functions whose result is a version number.
VERSION_PARSERS = frozenset({"packaging.version.parse", "packaging.version.Version", "pkg_resources.parse_version",
                             "importlib.metadata.version", "importlib_metadata.version",
                             "distutils.version.LooseVersion", "distutils.version.StrictVersion"})
# Called functions and names whose value cannot be read here (imported from another module) but whose name
# says what they test: `is_peft_available()`, `is_transformers_version(">=", "4.56")`, a flag
# `transformers_lt_4_56`, `IS_V5`, `TRANSFORMERS_VERSION_GE_4_40`.
VERSION_FLAG_NAME = re.compile(r"^_?is_\w+_(available|version)$|version|(^|_)v\d+($|_)|\d_\d|_(lt|le|gt|ge)_",
                               re.IGNORECASE)
# Exceptions a `try` catches when its body may not exist in every release.
IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "AttributeError", "Exception", "BaseException",
                           "TypeError"})


@dataclass(frozen=True)
class Loop:
    """An enclosing ``for``/``while`` loop: ``targets`` are the names a ``for`` binds, ``iter`` what it loops over."""

    node: cst.CSTNode
    targets: tuple = ()
    iter: Optional[cst.CSTNode] = None


@dataclass(frozen=True)
class Context:
    """Where a statement runs.

    ``grad_off``: how gradients were turned off, as written (``torch.no_grad()``, ``@torch.inference_mode()``,
    ``torch.set_grad_enabled(False)``), "" when they are on. ``empty_weights``: the context manager under which
    models are built without weights (``init_empty_weights()``), "". ``autocast``: the autocast context as
    written, "". ``version_guard``: the ``if``/``try`` that runs this code only on some releases (a version
    comparison, ``hasattr(transformers, ...)``, ``except ImportError``), None. ``loops``: enclosing loops,
    innermost last.
    """

    grad_off: str = ""
    empty_weights: str = ""
    autocast: str = ""
    version_guard: Optional[cst.CSTNode] = None
    loops: tuple = ()

    def loop_binding(self, name: str) -> Optional[Loop]:
        """The innermost ``for`` loop whose target binds ``name``."""
        for loop in reversed(self.loops):
            if name in loop.targets:
                return loop
        return None


TOP = Context()


def _qualified(expr: cst.CSTNode, value: Value) -> str:
    if isinstance(value, QName):
        return value.qualname
    return ""


def with_item_context(current: Context, item: cst.CSTNode, callee: Value) -> Context:
    """The context inside ``with item:``; ``callee`` is the evaluated callee of ``item`` (or ``item`` itself)."""
    call = item if isinstance(item, cst.Call) else None
    func = call.func if call is not None else item
    name = dotted_name(func)
    qualname = _qualified(func, callee)
    written = f"{name}()" if call is not None and name else name
    if qualname in NO_GRAD and name:
        return replace(current, grad_off=written)
    if qualname in SET_GRAD and call is not None and call.args:
        flag = call.args[0].value
        if isinstance(flag, cst.Name) and flag.value == "False":
            return replace(current, grad_off=f"{name}(False)")
        if isinstance(flag, cst.Name) and flag.value == "True":
            return replace(current, grad_off="")
    if qualname in AUTOCAST and name:
        return replace(current, autocast=written)
    last = name.rsplit(".", 1)[-1] if name else ""
    if last in EMPTY_WEIGHTS or (last == "device" and call is not None and any(
            isinstance(a.value, cst.SimpleString) and "meta" in a.value.value for a in call.args)):
        return replace(current, empty_weights=written or "init_empty_weights()")
    return current


def decorator_grad(decorator: cst.CSTNode, callee: Value) -> str:
    """``@torch.no_grad()`` (as written, with the ``@``) when a decorator turns gradients off, else ""."""
    func = decorator.func if isinstance(decorator, cst.Call) else decorator
    name = dotted_name(func)
    if name and _qualified(func, callee) in NO_GRAD:
        return f"@{name}()" if isinstance(decorator, cst.Call) else f"@{name}"
    return ""


def names_a_version_flag(test: cst.CSTNode, from_elsewhere) -> bool:
    """A condition that names what it tests although its value cannot be read here: a flag or availability check
    imported from another module (``if is_peft_available():``, ``if not transformers_lt_4_56:``).
    ``from_elsewhere(name)`` says whether a name is imported (or not bound in the file). Names the file binds
    itself are judged by their value, never by their name: ``use_v5 = len(sys.argv) > 1`` is no guard."""
    if isinstance(test, cst.UnaryOperation):
        return names_a_version_flag(test.expression, from_elsewhere)
    if isinstance(test, cst.BooleanOperation):
        return names_a_version_flag(test.left, from_elsewhere) or names_a_version_flag(test.right, from_elsewhere)
    node = test.func if isinstance(test, cst.Call) else test
    if isinstance(node, cst.Name):
        return from_elsewhere(node.value) and bool(VERSION_FLAG_NAME.search(node.value))
    if isinstance(node, cst.Attribute):  # utils.IS_V5, import_utils.is_peft_available()
        root = node
        while isinstance(root, cst.Attribute):
            root = root.value
        return isinstance(root, cst.Name) and from_elsewhere(root.value) \
            and bool(VERSION_FLAG_NAME.search(node.attr.value))
    return False


def for_loop(node: cst.For) -> Loop:
    return Loop(node, tuple(target_names(node.target)), node.iter)


def catches_import_errors(node: cst.Try) -> bool:
    """A ``try`` whose handlers catch what a missing name raises (ImportError, AttributeError, ...)."""
    for handler in node.handlers:
        caught = handler.type
        names = [dotted_name(e.value) for e in caught.elements] if isinstance(caught, cst.Tuple) \
            else [dotted_name(caught)] if caught is not None else ["Exception"]
        if any(n.rsplit(".", 1)[-1] in IMPORT_ERRORS for n in names):
            return True
    return False
