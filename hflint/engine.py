"""The one engine behind every front door: prefilter, one libcst parse, one traversal, every enabled rule.

``lint_source`` is what the CLI, the flake8 plugin and the tests call. It never raises for a file's
content: a file that cannot be parsed gives one HF000 finding (the CLI shows it; flake8 drops it and
reports E999 itself), and an exception inside a rule drops that rule's findings for the file and
reports HF000 naming the rule, while the other rules' findings survive.
"""
from __future__ import annotations

import ast
import io
import re
import time
import tokenize
import warnings
from dataclasses import dataclass, field
from typing import Iterable, Optional, Sequence

from . import noqa
from .config import Settings
from .finding import Edit, Finding, Fix, Related, render_message
from .prefilter import mentions_hugging_face, scan
from .rules import Rule, all_rules

INTERNAL = "HF000"
# Past this size a file is generated or data: libcst would need minutes and gigabytes for it.
MAX_ANALYSED_BYTES = 4 * 1024 * 1024
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class FileContext:
    """What a rule sees: the file's analysis facts, its settings, and positions on demand."""

    def __init__(self, filename: str, module, analyzer, settings: Settings):
        self.filename = filename
        self.module = module
        self.facts = analyzer
        self.settings = settings
        self.lines: list[str] = []  # the source's lines, without line endings (set by the engine)
        self._positions = None

    def position(self, node):
        """``Range(start=(line, column), end=...)`` of a node, as libcst's PositionProvider would give it.

        Computed only for files with findings, and only for the nodes rules can ask about (everything
        the analysis evaluated or recorded): PositionProvider's range for every node costs more than
        the parse itself. A node outside that set costs one more code generation pass.
        """
        from .analysis.positions import Position, Range, compute

        key = id(node)
        found = self._positions.get(key) if self._positions is not None else None
        if found is None:
            if self._positions is None:
                self._positions = compute(self.module, self._likely_targets() | {key})
            if key not in self._positions:  # an unusual node: record every node, so this happens once
                self._positions.update(compute(self.module, _all_node_ids(self.module)))
            found = self._positions[key]
        return Range(Position(*found[0]), Position(*found[1]))

    def _likely_targets(self) -> set[int]:
        facts = self.facts
        ids = set(facts.evaluated_node_ids())
        for t in facts.tracked:
            ids.add(id(t.node))
            for use in t.uses:
                ids.add(id(use.node))
        for scope in facts.scopes:
            for site in scope.calls:
                ids.add(id(site.node))
                ids.add(id(site.node.func))
                for arg in site.node.args:
                    ids.add(id(arg))
                    if arg.keyword is not None:
                        ids.add(id(arg.keyword))
                statement = facts.statement_of(site.node)
                if statement is not None:
                    ids.add(id(statement))
            for bindings in scope.bindings.values():
                for b in bindings:
                    ids.add(id(b.node))
                    for alias in getattr(b.node, "names", ()) or ():  # imported names (HF501 reports there)
                        if not isinstance(alias, str):
                            ids.add(id(alias))
                            ids.add(id(alias.name))
        return ids


def _all_node_ids(module) -> set[int]:
    """Every node of the tree, whitespace and punctuation included."""
    import dataclasses

    import libcst as cst

    ids: set[int] = set()
    stack = [module]
    while stack:
        node = stack.pop()
        ids.add(id(node))
        for f in dataclasses.fields(node):
            value = getattr(node, f.name)
            if isinstance(value, cst.CSTNode):
                stack.append(value)
            elif type(value) in (list, tuple):
                stack.extend(v for v in value if isinstance(v, cst.CSTNode))
    return ids


@dataclass
class Result:
    findings: list[Finding] = field(default_factory=list)
    parsed: bool = False  # libcst parsed the file (False when the prefilter skipped it)
    seconds: dict = field(default_factory=dict)  # CPU-cheap wall timings: "parse", "analysis", and per rule code


def decode(data: bytes) -> str:
    """Source bytes to text the way Python reads them (coding cookie, BOM), never raising."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError):
        text = data.decode("utf-8", errors="replace")
    return text[1:] if text.startswith("\ufeff") else text


def enabled_rules(settings: Settings, filename: Optional[str]) -> list[type[Rule]]:
    return [r for r in all_rules() if settings.is_enabled(r.code, r.default_enabled, filename)]


def lint_source(source: str | bytes, filename: str = "<stdin>", settings: Optional[Settings] = None, *,
                tree: Optional[ast.AST] = None, rules: Optional[Sequence[type[Rule]]] = None,
                apply_noqa: bool = True, report_parse_errors: bool = True) -> Result:
    settings = settings or Settings()
    large = too_large(source_size(source), filename)
    if large is not None:  # before decoding or parsing anything: a 20 MB file costs libcst minutes and gigabytes
        text = None
        if apply_noqa and (b"noqa" in source if isinstance(source, bytes) else "noqa" in source):
            text = decode(source) if isinstance(source, bytes) else source  # for a noqa comment: no parse
        return Result(findings=reported_internal([large], settings, filename, text))
    text = decode(source) if isinstance(source, bytes) else source
    result = _lint_text(text, filename, settings, tree, rules, apply_noqa, report_parse_errors)
    result.findings = reported_internal(result.findings, settings, filename, text if apply_noqa else None)
    return result


def source_size(source: str | bytes) -> int:
    """The size in bytes (UTF-8 for text; encoded only when the character count cannot decide)."""
    if isinstance(source, bytes) or len(source) > MAX_ANALYSED_BYTES or len(source) * 4 <= MAX_ANALYSED_BYTES:
        return len(source)
    return len(source.encode("utf-8", "surrogatepass"))


def too_large(size: int, filename: str, limit: int = MAX_ANALYSED_BYTES, what: str = "one file") -> Optional[Finding]:
    """HF000 for input over the size limit, saying what to do about it; None when it is within."""
    if size <= limit:
        return None
    return Finding(filename, 1, 0, INTERNAL,
                   f"not analysed: {size / 2**20:.1f} MB is over the {limit // 2**20} MB limit for {what} (generated "
                   "code or data?); exclude it: `extend-exclude = [\"<path or glob>\"]` in [tool.hflint], or "
                   "`--extend-exclude <path or glob>` (with `--force-exclude` for files named on the command line)",
                   name="file-too-large")


def reported_internal(findings: list[Finding], settings: Settings, filename: str,
                      text: Optional[str] = None) -> list[Finding]:
    """The findings without the HF000 ones that ``--ignore``, per-file ignores or a noqa comment in ``text`` (the
    file, when noqa applies) suppress: HF000 is silenced like any other code."""
    if not any(f.code == INTERNAL for f in findings):
        return findings
    if not settings.is_enabled(INTERNAL, True, filename):
        return [f for f in findings if f.code != INTERNAL]
    if text is None or "noqa" not in text:
        return findings
    exempt = noqa.file_exemption(text)
    if exempt is not None and (not exempt or INTERNAL.startswith(tuple(exempt))):
        return [f for f in findings if f.code != INTERNAL]
    lines = _LINE_BREAK.split(text)
    return [f for f in findings
            if f.code != INTERNAL or not (0 < f.line <= len(lines) and noqa.is_suppressed(f.code, lines[f.line - 1]))]


def _lint_text(text: str, filename: str, settings: Settings, tree: Optional[ast.AST],
               rules: Optional[Sequence[type[Rule]]], apply_noqa: bool, report_parse_errors: bool) -> Result:
    result = Result()
    relevant = mentions_hugging_face(text)
    if tree is None and (relevant or report_parse_errors):
        tree, error = _ast_tree(text, filename)
        if tree is None and report_parse_errors and _report_if_unparsable(text, filename, error, result).findings:
            return result  # every unparsable file is reported once, Hugging Face code or not
    if not relevant:
        return result
    exempt = noqa.file_exemption(text)
    if exempt is not None and not exempt:
        return result
    candidates = list(rules) if rules is not None else enabled_rules(settings, filename)
    if exempt:
        candidates = [r for r in candidates if not r.code.startswith(tuple(exempt))]
    if not candidates:
        return result
    features = None
    if tree is not None:
        try:
            features = scan(tree)
        except RecursionError:
            features = None
        if features is not None:
            features.target_transformers = settings.target_transformers
            features.target_origin = settings.target_origin
            features.filename = filename
            candidates = [r for r in candidates if r.may_match(features)]
            if not candidates:
                return result
    mutated = frozenset(features.mutated_names) if features is not None else frozenset()
    return _lint_parsed(text, filename, settings, candidates, apply_noqa, report_parse_errors, result, mutated)


def _ast_tree(text: str, filename: str) -> tuple[Optional[ast.AST], Optional[BaseException]]:
    """The cheap ``ast`` tree for the prefilter, or None and CPython's reason for rejecting the text."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(text, filename), None
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError) as exc:
        return None, exc


def _report_if_unparsable(text: str, filename: str, error: Optional[BaseException], result: Result) -> Result:
    """A file CPython rejects may still be newer syntax libcst reads: libcst has the last word.
    The location and wording come from CPython's parser, which users know (libcst's are coarser)."""
    import libcst as cst

    try:
        cst.parse_module(text)
        return result
    except Exception:  # noqa: BLE001 - RecursionError, MemoryError...: never crash the host
        pass
    line, col = 1, 0
    if isinstance(error, SyntaxError):
        line, col = error.lineno or 1, max((error.offset or 1) - 1, 0)
        why = error.msg
    else:
        why = f"{type(error).__name__}: {error}" if error is not None else "unknown syntax"
    result.findings.append(Finding(filename, line, col, INTERNAL, f"cannot parse: {why}", name="parse-error"))
    return result


def _lint_parsed(text, filename, settings, rule_classes, apply_noqa, report_parse_errors, result,
                 mutated: frozenset = frozenset()) -> Result:
    import libcst as cst

    from .analysis.analyzer import Analyzer
    from .analysis.facts import Facts
    from .analysis.walk import walk

    start = time.perf_counter()
    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError as exc:
        if report_parse_errors:
            result.findings.append(Finding(filename, exc.raw_line or 1, max(exc.raw_column, 0), INTERNAL,
                                           f"cannot parse: {exc.message}", name="parse-error"))
        return result
    except (RecursionError, MemoryError, Exception) as exc:  # noqa: BLE001 - a host must never crash
        if report_parse_errors:
            result.findings.append(Finding(filename, 1, 0, INTERNAL, f"cannot parse: {type(exc).__name__}: {exc}",
                                           name="parse-error"))
        return result
    result.parsed = True
    result.seconds["parse"] = time.perf_counter() - start
    analyzer = Analyzer(module, mutated=mutated)
    ctx = FileContext(filename, module, Facts(analyzer), settings)
    ctx.lines = _LINE_BREAK.split(text)
    rules = [cls(ctx) for cls in rule_classes]
    hooked = [r for r in rules if any(n.startswith(("visit_", "leave_")) for n in dir(type(r)))]
    start = time.perf_counter()
    try:
        walk(module, [analyzer, *hooked])
    except RecursionError:
        result.findings.append(Finding(filename, 1, 0, INTERNAL, "file too deeply nested to analyse",
                                       name="internal-error"))
        return result
    except Exception as exc:  # noqa: BLE001
        result.findings.append(Finding(filename, 1, 0, INTERNAL,
                                       f"internal error in analysis: {type(exc).__name__}: {exc}",
                                       name="internal-error"))
        return result
    analyzer.finish()
    result.seconds["analysis"] = time.perf_counter() - start
    lines = ctx.lines
    findings: list[Finding] = []
    for rule in rules:
        start = time.perf_counter()
        try:
            produced = [_to_finding(ctx, rule, rep) for rep in rule.check() if settings.verify or not rep.latent]
            result.seconds[rule.code] = time.perf_counter() - start
        except Exception as exc:  # noqa: BLE001 - contain the rule, keep the others
            findings.append(Finding(filename, 1, 0, INTERNAL,
                                    f"internal error in rule {rule.code} {rule.name}: {type(exc).__name__}: {exc}",
                                    name="internal-error"))
            continue
        findings.extend(produced)
    if apply_noqa:
        findings = [f for f in findings
                    if f.code == INTERNAL or not (0 < f.line <= len(lines) and noqa.is_suppressed(f.code, lines[f.line - 1]))]
    result.findings = dedupe(findings)
    return result


def _to_finding(ctx: FileContext, rule: Rule, report) -> Finding:
    rng = ctx.position(report.node)
    fix = None
    if report.replacements:
        edits = []
        for rep in report.replacements:
            r = ctx.position(rep.node)
            if rep.insert_after:
                # a new line after the node's last line, indented like the node's first line
                indent = ctx.lines[r.start.line - 1][:r.start.column] if r.start.line <= len(ctx.lines) else ""
                indent = indent if not indent.strip() else ""
                edits.append(Edit(r.end.line + 1, 0, r.end.line + 1, 0, f"{indent}{rep.code}\n"))
            else:
                edits.append(Edit(r.start.line, r.start.column, r.end.line, r.end.column, rep.code))
        fix = Fix("safe" if report.fix_safe else "unsafe", tuple(edits), report.fix_message)
    related = tuple(Related(r.start.line, r.start.column, note)
                    for node, note in report.related for r in [ctx.position(node)])
    message = render_message(report.message, related)
    data = {**report.data, "latent": True} if report.latent else report.data
    return Finding(ctx.filename, rng.start.line, rng.start.column, rule.code, message, name=rule.name,
                   end_line=rng.end.line, end_column=rng.end.column, fix=fix, data=data, related=related,
                   template=report.message if related else "")


def dedupe(findings: Iterable[Finding]) -> list[Finding]:
    seen = set()
    out = []
    for f in sorted(findings, key=Finding.sort_key):
        key = (f.filename, f.cell, f.line, f.column, f.code, f.message)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out
