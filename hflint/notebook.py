"""Jupyter notebooks: lint the code cells as one script, report per cell, fix only the edited cells' sources.

The code cells are joined in order (one blank line between them) so names flow from cell to cell as
they do in a kernel. IPython syntax is not Python: a cell starting with a cell magic is left out,
unless the magic runs Python (``%%time``, ``%%capture``: only its first line is replaced), and line magics, shell escapes and help lines (``%pip install x``, ``!ls``, ``x = !ls``,
``?obj``) become ``pass`` at the same indentation, so line numbers and blocks stay intact. Findings
are mapped back to ``cell N`` (1-based, counting every cell) and the line within it.

``--fix`` rewrites only the ``source`` of cells that changed, in the notebook's own layout (a list of
lines or one string, its indentation and escaping); every other byte of the file stays as it was.
"""
from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, replace
from json.decoder import scanstring
from typing import Optional, Union

from .config import Settings
from .engine import INTERNAL, MAX_ANALYSED_BYTES, lint_source, reported_internal, source_size, too_large
from .finding import Edit, Finding, Fix
from .fixes import FileFix, apply_checked, apply_edits, fix_until_stable, parses, select, unapplied, unified_diff

# IPython line magics that automagic (on by default) runs without the `%`: `pip install x` is `%pip install x`.
_AUTOMAGIC = ("pip", "conda", "mamba", "micromamba", "uv", "cd", "pwd", "ls", "ll", "env", "set_env", "load_ext",
              "reload_ext", "unload_ext", "matplotlib", "time", "timeit", "run", "who", "whos", "reset", "history",
              "config", "autoreload", "aimport", "xmode", "pdb", "precision", "mkdir", "rmdir", "rm", "cp", "mv", "cat",
              "man", "clear", "alias", "unalias", "bookmark", "dhist", "pushd", "popd", "sx", "sc", "store", "tb",
              "killbgscripts", "lsmagic", "magic", "notebook", "page", "pinfo", "pinfo2", "psearch", "qtconsole",
              "prun", "debug", "doctest_mode", "gui", "colors", "system", "sh", "bash")
_IPYTHON_LINE = re.compile(
    r"^\s*(?:[%!?]|[\w.]+\s*=\s*[%!])|\?\s*$"
    # a bare magic name followed by an argument that cannot continue a Python expression (`pip install x`,
    # `cd data/`), never an assignment, call, attribute or subscript of a variable that happens to share the name
    r"|^\s*(?:" + "|".join(_AUTOMAGIC) + r")[ \t]+(?![=(\[.,:)\]}]|[-+*/%&|^<>!]=|(?:and|or|in|is|not|if|else|for)\b)"
    r"[\w\-'\"/~$.{]")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass
class Cell:
    """A code cell: ``index`` counts every cell from 0; ``source`` is its text as stored."""

    index: int
    source: str
    as_list: bool  # stored as a list of lines (nbformat's way) rather than one string


@dataclass
class Notebook:
    text: str  # the file, decoded
    cells: list[Cell]


class NotebookError(ValueError):
    pass


# ------------------------------------------------------------------ reading

def read_notebook(data: bytes) -> Notebook:
    """The notebook's code cells; ``NotebookError`` when the file is not a notebook hflint can read."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NotebookError(f"not UTF-8 ({exc.reason})") from None
    if not text.strip():
        raise NotebookError("the file is empty, not a notebook")
    try:
        nb = json.loads(text)
    except json.JSONDecodeError as exc:
        raise NotebookError(f"invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        if isinstance(nb, dict) and "worksheets" in nb:
            raise NotebookError("nbformat 3 notebooks are not supported (convert with `jupyter nbconvert --to notebook`)")
        raise NotebookError("not a Jupyter notebook (no list of cells)")
    cells = []
    for i, cell in enumerate(nb["cells"] if is_python(nb) else ()):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(s, str) for s in source):
            cells.append(Cell(i, "".join(source), True))
        elif isinstance(source, str):
            cells.append(Cell(i, source, False))
    return Notebook(text, cells)


def is_python(data: dict) -> bool:
    """Whether the notebook's kernel runs Python (R or Julia notebooks are not linted); unknown counts as Python."""
    metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    info = metadata.get("language_info") if isinstance(metadata.get("language_info"), dict) else {}
    kernel = metadata.get("kernelspec") if isinstance(metadata.get("kernelspec"), dict) else {}
    language = info.get("name") or kernel.get("language")
    return not language or str(language).lower() == "python"


# Cell magics whose body is Python run in the kernel's namespace: %%time x = f() binds x.
_PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug", "memit", "python", "python3"})


def python_lines(source: str) -> tuple[list[str], set[int]]:
    """The cell's lines as Python and the 1-based numbers of the IPython lines replaced: a line magic, shell
    escape or help line becomes ``pass`` at its indentation, its backslash continuations blank lines. A cell
    that is valid Python as it stands is left alone (``%`` may start a line inside brackets or strings)."""
    lines = _LINE_BREAK.split(source)
    if source.endswith(("\n", "\r")) or not source:
        lines.pop()
    if lines and lines[0].lstrip().startswith("%%"):
        magic = lines[0].lstrip()[2:].split(None, 1)[0] if lines[0].strip() != "%%" else ""
        if magic not in _PYTHON_CELL_MAGICS:  # %%bash, %%writefile, %%html...: not Python
            return [""] * len(lines), set(range(1, len(lines) + 1))
        body, replaced = python_lines("\n".join(lines[1:]) + "\n") if len(lines) > 1 else ([], set())
        return ["pass", *body], {1} | {n + 1 for n in replaced}
    try:
        ast.parse(source)
        return lines, set()
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        pass
    replaced: set[int] = set()
    continued = False
    for i, line in enumerate(lines):
        if continued:
            lines[i] = ""
        elif _IPYTHON_LINE.search(line):
            lines[i] = line[:len(line) - len(line.lstrip())] + "pass"
        else:
            continue
        replaced.add(i + 1)
        continued = line.endswith("\\")
    return lines, replaced


@dataclass
class Layout:
    """Where each code cell sits in the joined script: its first line and its number of lines."""

    starts: list[int]
    sizes: list[int]
    placeholders: list[set[int]]

    def cell_at(self, line: int) -> Optional[tuple[int, int]]:
        """(position in the code cells, 1-based line in the cell) of a joined line; the blank line after a cell
        counts as that cell's line ``size + 1`` (where an inserted line after its last statement lands)."""
        for k, (start, size) in enumerate(zip(self.starts, self.sizes)):
            if start <= line <= start + size:
                return k, line - start + 1
        return None


def join(sources: list[str], broken: Optional[list[tuple[int, int, str]]] = None) -> tuple[str, Layout]:
    """The code cells as one script, one blank line after each. A cell that is not valid Python on its own
    (a kernel would reject it too) is left blank so the others are still linted; ``broken`` receives
    ``(joined line, column, reason)`` for each such cell."""
    parts, starts, sizes, holders = [], [], [], []
    line = 1
    for source in sources:
        lines, replaced = python_lines(source)
        if broken is not None:
            try:
                ast.parse("\n".join(lines) + "\n")
            except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
                at = getattr(exc, "lineno", None) or 1
                broken.append((line + min(at, max(len(lines), 1)) - 1, max((getattr(exc, "offset", None) or 1) - 1, 0),
                               getattr(exc, "msg", None) or f"{type(exc).__name__}: {exc}"))
                lines = [""] * len(lines)
        starts.append(line)
        sizes.append(len(lines))
        holders.append(replaced)
        parts.extend(lines)
        parts.append("")
        line += len(lines) + 1
    return "".join(p + "\n" for p in parts), Layout(starts, sizes, holders)


# ------------------------------------------------------------------ mapping findings to cells

def _local_edit(layout: Layout, k: int, e: Edit) -> Optional[Edit]:
    start = layout.cell_at(e.line)
    end = layout.cell_at(e.end_line)
    if start is None or end is None or start[0] != k or end[0] != k:
        return None
    size = layout.sizes[k]
    if (start[1] > size and e.column) or (end[1] > size and e.end_column):
        return None  # only a new line may start on the blank line after the cell
    last = end[1] - 1 if end[1] > start[1] and e.end_column == 0 else end[1]
    if any(n in layout.placeholders[k] for n in range(start[1], last + 1)):
        return None
    return Edit(start[1], e.column, end[1], e.end_column, e.content)


def _cell_related(related: tuple, layout: Layout, cells: list[Cell]) -> tuple:
    """Related places of the joined script as places in cells (``cell`` set, ``line`` within the cell)."""
    out = []
    for r in related:
        where = layout.cell_at(r.line)
        out.append(replace(r, line=where[1], cell=cells[where[0]].index + 1) if where is not None else r)
    return tuple(out)


def to_cells(findings: list[Finding], layout: Layout, cells: list[Cell]) -> list[Finding]:
    """Joined-script findings as cell findings (``cell`` set, lines and fix edits relative to the cell)."""
    out = []
    for f in findings:
        where = layout.cell_at(f.line)
        if where is None:  # past the last cell (cannot happen for a rule's finding)
            k, line = len(cells) - 1, layout.sizes[-1] if layout.sizes else 1
        else:
            k, line = where
        end = layout.cell_at(f.end_line) if f.end_line else None
        end_line, end_column = (end[1], f.end_column) if end is not None and end[0] == k else (0, 0)
        fix = None
        if f.fix is not None:
            edits = [_local_edit(layout, k, e) for e in f.fix.edits]
            if edits and all(e is not None for e in edits):
                fix = Fix(f.fix.applicability, tuple(edits), f.fix.message)
        out.append(f.relocated(_cell_related(f.related, layout, cells), line=line, end_line=end_line,
                               end_column=end_column, cell=cells[k].index + 1, fix=fix))
    return out


def _error(filename: str, message: str) -> Finding:
    return Finding(filename, 1, 0, INTERNAL, f"cannot read notebook: {message}", name="notebook-error")


# ------------------------------------------------------------------ linting and fixing

def _lint_cells(sources: list[str], cells: list[Cell], filename: str, settings: Settings) -> list[Finding]:
    if not sources:
        return []
    broken: list[tuple[int, int, str]] = []
    script, layout = join(sources, broken)
    large = too_large(source_size(script), filename, what="the code cells of one notebook")
    if large is not None:
        return reported_internal([large], settings, filename)
    findings = lint_source(script, filename, settings).findings
    if broken:  # blanked in `script`: their noqa comments are read from the cells as written
        errors = [Finding(filename, line, col, INTERNAL, f"cannot parse this cell: {why}", name="parse-error")
                  for line, col, why in broken]
        findings += reported_internal(errors, settings, filename, join(sources)[0])
    return to_cells(findings, layout, cells)


# A notebook's outputs (images, tables) may be large; its JSON is decoded only up to this size.
MAX_NOTEBOOK_BYTES = 16 * MAX_ANALYSED_BYTES


def _load(data: bytes, filename: str, settings: Settings) -> Union[Notebook, list[Finding]]:
    large = too_large(len(data), filename, MAX_NOTEBOOK_BYTES, "one notebook")
    if large is not None:
        return reported_internal([large], settings, filename)
    try:
        nb = read_notebook(data)
    except NotebookError as exc:
        return reported_internal([_error(filename, str(exc))], settings, filename)
    return nb


def lint_notebook(data: bytes, filename: str, settings: Settings) -> list[Finding]:
    """A notebook's findings, located by cell; an unreadable notebook is one HF000 finding."""
    nb = _load(data, filename, settings)
    if isinstance(nb, list):
        return nb
    return _lint_cells([c.source for c in nb.cells], nb.cells, filename, settings)


def _cell_text(source: str) -> str:
    return source if not source or source.endswith(("\n", "\r")) else source + "\n"


def _cell_parses(source: str) -> bool:
    """Whether a cell is still Python once its IPython lines are set aside (what ``join`` gives the engine)."""
    lines, _ = python_lines(source)
    return parses("".join(line + "\n" for line in lines))


def _apply(cells: list[Cell]):
    """Apply the chosen fixes cell by cell: all edits of one cell at once (bottom-up, so an inserted line does not
    move the later edits), kept only if the cell still parses, else narrowed to the fixes that parse on their own."""
    by_position = {c.index + 1: k for k, c in enumerate(cells)}

    def apply(sources: tuple[str, ...], chosen: list[Finding]) -> tuple[tuple[str, ...], list[Finding]]:
        groups: dict[int, list[Finding]] = {}
        for f in chosen:
            groups.setdefault(by_position[f.cell], []).append(f)
        new = list(sources)
        applied = []
        for k, group in sorted(groups.items()):
            text = _cell_text(new[k])
            fixed, taken = apply_checked(text, group, _cell_parses)
            if taken and fixed != text:
                # keep a cell without a final newline without one
                new[k] = fixed[:-1] if not new[k].endswith(("\n", "\r")) and fixed.endswith("\n") else fixed
                applied.extend(taken)
        return tuple(new), applied
    return apply


def fix_notebook(data: bytes, filename: str, settings: Settings, unsafe: bool) -> FileFix:
    """Fix a notebook's code cells and rewrite only the changed sources in place."""
    nb = _load(data, filename, settings)
    if isinstance(nb, list):
        return FileFix(None, 0, nb)
    cells = nb.cells
    positions = {c.index + 1: k for k, c in enumerate(cells)}

    def choose(sources, findings):
        chosen = []
        for cell in sorted({f.cell for f in findings if f.fix is not None}):
            k = positions[cell]
            chosen += select(_cell_text(sources[k]), [f for f in findings if f.cell == cell], unsafe)
        return chosen

    result = fix_until_stable(tuple(c.source for c in cells),
                              lambda sources: _lint_cells(list(sources), cells, filename, settings),
                              _apply(cells), choose)

    def valid_alone(f: Finding) -> bool:
        source = _cell_text(result.state[positions[f.cell]])
        return _cell_parses(apply_edits(source, f.fix.edits))

    failed = unapplied(result, unsafe, valid_alone)
    changed = {k: new for k, (new, cell) in enumerate(zip(result.state, cells)) if new != cell.source}
    if not changed:
        return FileFix(None, len(result.fixed), result.remaining, found=len(result.initial), unapplied=failed)
    text = rewrite_sources(nb, {cells[k].index: new for k, new in changed.items()})
    diff = "".join(unified_diff(cells[k].source, new, f"{filename}:cell {cells[k].index + 1}")
                   for k, new in sorted(changed.items()))
    bom = "\ufeff" if data.startswith(b"\xef\xbb\xbf") else ""
    return FileFix((bom + text).encode("utf-8"), len(result.fixed), result.remaining, diff,
                   found=len(result.initial), unapplied=failed)


# ------------------------------------------------------------------ rewriting sources in place

_WS = re.compile(r"[ \t\n\r]*")


def _skip(s: str, i: int) -> int:
    return _WS.match(s, i).end()


def _value_end(s: str, i: int) -> int:
    """The end of the JSON value starting at ``s[i]`` (the text is known to be valid JSON)."""
    c = s[i]
    if c == '"':
        return scanstring(s, i + 1)[1]
    if c in "{[":
        close = "}" if c == "{" else "]"
        i = _skip(s, i + 1)
        if s[i] == close:
            return i + 1
        while True:
            if c == "{":
                i = _skip(s, scanstring(s, i + 1)[1])
                i = _skip(s, i + 1)  # the colon
            i = _skip(s, _value_end(s, i))
            if s[i] == close:
                return i + 1
            i = _skip(s, i + 1)  # the comma
    m = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null").match(s, i)
    return m.end()


def _members(s: str, i: int):
    """(key, value start, value end) of the object at ``s[i]``."""
    i = _skip(s, i + 1)
    while s[i] != "}":
        key, i = scanstring(s, i + 1)
        i = _skip(s, _skip(s, i) + 1)
        end = _value_end(s, i)
        yield key, i, end
        i = _skip(s, end)
        if s[i] == ",":
            i = _skip(s, i + 1)


def _elements(s: str, i: int):
    """(start, end) of each element of the array at ``s[i]``."""
    i = _skip(s, i + 1)
    while s[i] != "]":
        end = _value_end(s, i)
        yield i, end
        i = _skip(s, end)
        if s[i] == ",":
            i = _skip(s, i + 1)


def source_spans(text: str) -> dict[int, tuple[int, int]]:
    """Cell index -> (start, end) of its ``source`` value in the notebook text."""
    start = _skip(text, 0)
    cells = next((b for key, b, _ in _members(text, start) if key == "cells"), None)
    spans = {}
    for index, (cb, _) in enumerate(_elements(text, cells)):
        for key, b, e in _members(text, cb):
            if key == "source":
                spans[index] = (b, e)
    return spans


def _serialise(raw: str, new: str) -> str:
    """``new`` as a JSON source value in the layout of the ``raw`` value it replaces."""
    ensure_ascii = "\\u" in raw  # the notebook escapes non-ASCII text (nbformat itself writes it as is)
    if raw.startswith('"'):
        return json.dumps(new, ensure_ascii=ensure_ascii)
    items = list(_elements(raw, 0))
    lines = new.splitlines(keepends=True)
    if not items:
        return json.dumps(lines, ensure_ascii=ensure_ascii)
    opening = raw[1:items[0][0]]
    closing = raw[items[-1][1]:-1]
    separator = raw[items[0][1]:items[1][0]] if len(items) > 1 else "," + (opening or " ")
    return "[" + opening + separator.join(json.dumps(line, ensure_ascii=ensure_ascii) for line in lines) \
        + closing + "]" if lines else "[]"


def file_line(text: str, cell: int, line: int) -> Optional[int]:
    """The 1-based line of the notebook file that holds line ``line`` of cell ``cell`` (1-based, counting every
    cell): where its item of the ``source`` list starts, or the line of a one-string source. None if unknown."""
    try:
        span = source_spans(text).get(cell - 1)
    except (StopIteration, IndexError, KeyError, ValueError, TypeError, AttributeError):
        return None
    if span is None:
        return None
    start, end = span
    if text[start] == "[":
        items = list(_elements(text[start:end], 0))
        if items:
            start += items[min(max(line, 1), len(items)) - 1][0]
    return text.count("\n", 0, start) + 1


def rewrite_sources(nb: Notebook, sources: dict[int, str]) -> str:
    """The notebook text with the given cells' sources replaced, every other byte unchanged."""
    text = nb.text
    spans = source_spans(text)
    for index in sorted(sources, reverse=True):
        start, end = spans[index]
        text = text[:start] + _serialise(text[start:end], sources[index]) + text[end:]
    return text
