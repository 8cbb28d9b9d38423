"""Line and column of the nodes rules report, without libcst's PositionProvider.

PositionProvider builds a range for every node of the module (4.3 s for one 1,000-line file on a
loaded 2-core machine, more than parse and analysis together). Rules only ever ask for the nodes the
analysis evaluated and a few others, so one code generation pass records just those, with the same
semantics (syntactic positions, the ones PositionProvider gives). A node asked for later that was not
in the set costs one more pass.
"""
from __future__ import annotations

import re
from typing import Iterable, NamedTuple

_NEWLINE = re.compile(r"\r\n?|\n")


class _NoRecord:
    __slots__ = ()

    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


_NO_RECORD = _NoRecord()


class _Record:
    __slots__ = ("state", "node", "start_node", "end_node", "start")

    def __init__(self, state, node, start_node, end_node):
        self.state = state
        self.node = node
        self.start_node = start_node
        self.end_node = end_node

    def __enter__(self):
        self.start = (self.state.line, self.state.column)
        for other in (self.start_node, self.end_node):
            if other is not None:
                self.state.targets.add(id(other))

    def __exit__(self, *exc):
        state = self.state
        start, end = self.start, (state.line, state.column)
        if self.start_node is not None and id(self.start_node) in state.found:
            start = state.found[id(self.start_node)][0]
        if self.end_node is not None and id(self.end_node) in state.found:
            end = state.found[id(self.end_node)][1]
        state.found[id(self.node)] = (start, end)
        state.syntactic.add(id(self.node))
        return False


class Position(NamedTuple):
    line: int
    column: int


class Range(NamedTuple):
    start: Position
    end: Position


def compute(module, targets: Iterable[int]) -> dict[int, tuple[tuple[int, int], tuple[int, int]]]:
    """``{id(node): ((line, col), (end_line, end_col))}`` for the target node ids (1-based lines, 0-based cols)."""
    from libcst._nodes.internal import CodegenState as base  # the codegen hook PositionProvider itself uses

    class State(base):  # a plain subclass of libcst's dataclass; only what position tracking needs
        def __init__(self):
            super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
            self.line = 1
            self.column = 0
            self.targets = set(targets)
            self.found = {}
            self.syntactic = set()
            self.stack = []

        def add_indent_tokens(self):
            for token in self.indent_tokens:
                self.add_token(token)

        def add_token(self, value: str):
            self.tokens.append(value)
            if "\n" in value or "\r" in value:
                segments = _NEWLINE.split(value)
                self.line += len(segments) - 1
                self.column = len(segments[-1])
            else:
                self.column += len(value)

        def before_codegen(self, node):
            if id(node) in self.targets:
                self.stack.append((id(node), (self.line, self.column)))

        def after_codegen(self, node):
            key = id(node)
            if key in self.targets and self.stack and self.stack[-1][0] == key:
                _, start = self.stack.pop()
                if key not in self.syntactic:
                    self.found[key] = (start, (self.line, self.column))

        def record_syntactic_position(self, node, *, start_node=None, end_node=None):
            if id(node) not in self.targets:
                return _NO_RECORD
            return _Record(self, node, start_node, end_node)

    state = State()
    module._codegen(state)
    return state.found
