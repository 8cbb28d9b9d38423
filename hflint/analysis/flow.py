"""Control flow as the rules need it: under which branches a statement runs.

Every binding, call, use and object records its ``Cond``: the branches it sits in, outermost first, each a
``Branch`` record (the ``if`` and which arm, an ``except`` handler, ...). A loop body is not a branch (it
runs, for the purpose of ordering, where it stands); a loop's ``else`` is.

Two questions come up in many rules, with arguments always in the order (earlier, later) or (the code that
must run, the code it must run for):

- ``dominates(outer, inner)``: code at ``outer`` runs on every path to code at ``inner``.
- ``runs_whenever(a, b, excuse)``: code at ``a`` runs whenever code at ``b`` does, except where the branches
  ``a`` is in and ``b`` is not are excused (e.g. ``if num_added > 0:`` around a resize).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

from ..lazy_libcst import cst

BRANCH_KINDS = ("if", "while", "loop-else", "except", "try-else", "case")


@dataclass(frozen=True)
class Branch:
    """One arm of a statement that may or may not run: ``kind`` is one of ``BRANCH_KINDS``; ``node`` the
    If/While/For/Try/ExceptHandler/MatchCase; ``arm`` is ``body`` or ``else`` (for ``if``/``while``)."""

    kind: str
    node: cst.CSTNode
    arm: str = "body"

    @property
    def test(self) -> Optional[cst.CSTNode]:
        """The condition of an ``if``/``while`` arm."""
        return self.node.test if self.kind in ("if", "while") else None


Cond = tuple  # tuple[Branch, ...], outermost first


def dominates(outer: Cond, inner: Cond) -> bool:
    """Code at ``outer`` runs on every path that reaches code at ``inner`` (given it comes first)."""
    return outer == inner[:len(outer)]


def on_one_path(a: Cond, b: Cond) -> bool:
    """Code at ``a`` and at ``b`` can both run in one execution: one's branches contain the other's."""
    n = min(len(a), len(b))
    return a[:n] == b[:n]


def shared(a: Cond, b: Cond) -> int:
    """How many outer branches ``a`` and ``b`` have in common."""
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def runs_whenever(a: Cond, b: Cond, excuse: Callable[[Branch], bool] = lambda branch: False) -> bool:
    """Code at ``a`` runs whenever code at ``b`` runs: every branch ``a`` sits in that ``b`` does not is excused
    (``excuse(branch)`` says the branch is taken whenever it matters)."""
    return all(excuse(branch) for branch in a[shared(a, b):])
