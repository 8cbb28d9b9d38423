"""``Facts``: the read-only view of a file's analysis that rules are given (``ctx.facts``).

Rules read; they never add to or change what the analysis found. Objects, uses, scopes and call sites are
frozen when the traversal ends, and the view itself has no writable attributes. Facts derived from the
analysis that several rules share (which tokenizer feeds which model, the edits of pretrained configs) are
computed on first request and cached here, inside the analysis.

During the traversal (rules' ``visit_*`` hooks) ``context`` and ``current_scope`` describe the node being
visited; after it, rules read the context recorded on each call, use and object.
"""
from __future__ import annotations

from typing import Optional

from ..lazy_libcst import cst

from .contexts import Context
from .hfobjects import UserClass, user_class
from .scopes import Scope
from .values import ClassRef, HFObject, Value


class Facts:
    __slots__ = ("_analyzer", "_derived")

    def __init__(self, analyzer):
        object.__setattr__(self, "_analyzer", analyzer)
        object.__setattr__(self, "_derived", {})

    def __setattr__(self, key, value):
        raise AttributeError(f"analysis facts are read-only: cannot set Facts.{key}")

    # ------------------------------------------------------------------ what the traversal recorded
    @property
    def module(self) -> cst.Module:
        return self._analyzer.module

    @property
    def objects(self) -> tuple:
        """Every Hugging Face object (``HFObject``), in the order they were made."""
        return tuple(self._analyzer.objects)

    @property
    def tracked(self) -> tuple:
        """Every tracked value: objects, encodings, model outputs, hidden states."""
        return tuple(self._analyzer.tracked)

    @property
    def scopes(self) -> tuple:
        return tuple(self._analyzer.scopes)

    @property
    def module_scope(self) -> Scope:
        return self._analyzer.module_scope

    def value_of(self, node: cst.CSTNode) -> Value:
        """What ``node`` evaluated to (UNKNOWN when it was never evaluated or could not be)."""
        return self._analyzer.value_of(node)

    def mentions_ignore_index(self, node: cst.CSTNode) -> bool:
        """The expression holds -100, the label the loss ignores (``-100``, ``IGNORE_INDEX``,
        ``[t if t != pad else -100 for t in ids]``)."""
        return self._analyzer.mentions_ignore_index(node)

    def statement_of(self, call: cst.Call) -> Optional[cst.SimpleStatementLine]:
        """The statement line (on its own line) holding a call; None in a compound header or `if x: call()`."""
        return self._analyzer.statement_of(call)

    def evaluated_node_ids(self):
        """The ids of every node the analysis evaluated (the nodes rules may report at)."""
        return self._analyzer.values.keys()

    def with_statement_of(self, item: cst.CSTNode) -> Optional[cst.With]:
        """The ``with`` statement whose item ``item`` is (``with tok.as_target_tokenizer():``), or None."""
        return self._analyzer._with_of.get(id(item))

    def is_summarized(self, call: cst.Call) -> bool:
        """Whether ``call`` calls one of the file's functions whose summary is known: what it does to its
        arguments is recorded as their uses (``Use.via``), so handing an object to it hides nothing."""
        return id(call) in self._analyzer.summarized_calls

    @staticmethod
    def user_class(ref: ClassRef) -> Optional[UserClass]:
        """The transformers class a class of this file derives from (see ``hfobjects.UserClass``)."""
        return user_class(ref)

    # ------------------------------------------------------------------ during the traversal
    @property
    def context(self) -> Context:
        """The context of the node being visited (for rules' ``visit_*`` hooks)."""
        return self._analyzer.context

    @property
    def current_scope(self) -> Scope:
        return self._analyzer.scope

    # ------------------------------------------------------------------ derived facts, cached
    def _cached(self, key: str, compute):
        if key not in self._derived:
            self._derived[key] = compute(self)
        return self._derived[key]

    def pairs(self) -> tuple:
        """Which tokenizer feeds which model (``pairing.Pair``), strongest evidence first."""
        from .pairing import find_pairs

        return self._cached("pairs", find_pairs)

    def models_paired_with(self, tokenizer: HFObject) -> list:
        return [p.model for p in self.pairs() if p.tokenizer is tokenizer]

    def config_changes(self) -> tuple:
        """Every field change on a config that loads pretrained weights (``configs.Change``)."""
        from .configs import find_config_changes

        return self._cached("config_changes", find_config_changes)
