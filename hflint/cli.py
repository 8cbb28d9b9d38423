"""The ``hflint`` command: ``check`` files, list the ``rules``, ``explain`` one. It translates; the engine decides.

Exit codes: 0 clean, 1 findings (an unreadable or unparsable file is a finding), 2 usage, configuration
or internal error.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import traceback
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path
from typing import Callable, Optional, Sequence

from . import __version__, rules
from .config import ConfigError, Settings, load_settings, parse_patterns, parse_selectors, parse_version
from .discovery import discover
from .engine import INTERNAL, MAX_ANALYSED_BYTES, lint_source, reported_internal, too_large
from .finding import Finding
from .fixes import FileFix, fix_python
from .notebook import fix_notebook, lint_notebook
from .output import WRITERS, RunInfo, location, write_statistics

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
STDIN = "-"


# ------------------------------------------------------------------ linting one file

def lint_python(data: bytes, filename: str, settings: Settings) -> list[Finding]:
    return lint_source(data, filename, settings).findings


# file suffix -> linter and fixer; anything else (including a file named on the command line) is read as Python
LINTERS: dict[str, Callable[[bytes, str, Settings], list[Finding]]] = {".ipynb": lint_notebook}
FIXERS: dict[str, Callable[[bytes, str, Settings, bool], FileFix]] = {".ipynb": fix_notebook}


def _suffix(filename: str) -> str:
    return os.path.splitext(filename)[1].lower()


def lint_bytes(data: bytes, filename: str, settings: Settings) -> list[Finding]:
    return LINTERS.get(_suffix(filename), lint_python)(data, filename, settings)


def fix_bytes(data: bytes, filename: str, settings: Settings, unsafe: bool) -> FileFix:
    return FIXERS.get(_suffix(filename), fix_python)(data, filename, settings, unsafe)


# Past this size a file is not even read: no noqa comment in it is looked for (exclude it, or ignore HF000 for it).
MAX_READ_BYTES = 64 * MAX_ANALYSED_BYTES


def read_file(path: str, settings: Settings) -> bytes | list[Finding]:
    """The file's bytes, or its HF000 findings when it cannot be read or is too large to read."""
    try:
        with open(path, "rb") as fh:
            large = too_large(os.fstat(fh.fileno()).st_size, path, MAX_READ_BYTES, "a file to read")
            if large is not None:
                return reported_internal([large], settings, path)
            return fh.read()
    except OSError as exc:
        return reported_internal([cannot_read(path, exc.strerror or str(exc))], settings, path)


def lint_file(path: str, settings: Settings) -> list[Finding]:
    """One file's findings; a file that cannot be read is one HF000 finding."""
    data = read_file(path, settings)
    return data if isinstance(data, list) else lint_bytes(data, path, settings)


def fix_file(path: str, settings: Settings, unsafe: bool) -> tuple[str, FileFix]:
    """One file fixed in memory (``--fix``/``--diff`` decide whether to write it)."""
    data = read_file(path, settings)
    return path, FileFix(None, 0, data) if isinstance(data, list) else fix_bytes(data, path, settings, unsafe)


def cannot_read(path: str, reason: str) -> Finding:
    return Finding(path, 1, 0, INTERNAL, f"cannot read: {reason}", name="io-error")


def _map(fn: Callable, files: Sequence[str], jobs: int, *args) -> list:
    """``fn(file, *args)`` for every file, in a process pool when ``jobs > 1`` (the only pool: the engine never
    starts one, and ``--jobs`` defaults to 1, so under pre-commit, which runs its own processes, there is none)."""
    if jobs > 1 and len(files) > 1:
        with ProcessPoolExecutor(max_workers=min(jobs, len(files))) as pool:
            chunk = max(1, len(files) // (jobs * 4))
            return list(pool.map(fn, files, *(repeat(a) for a in args), chunksize=chunk))
    return [fn(f, *args) for f in files]


def lint_files(files: Sequence[str], settings: Settings, jobs: int) -> list[Finding]:
    """Every file's findings."""
    return [finding for found in _map(lint_file, files, jobs, settings) for finding in found]


@dataclass
class FixTotals:
    """What ``--fix``/``--diff`` did over every file."""

    found: int = 0  # findings before any fix (what `hflint check` reports)
    fixed: int = 0
    remaining: list[Finding] = field(default_factory=list)
    diffs: list[str] = field(default_factory=list)
    unapplied: list[tuple[Finding, str]] = field(default_factory=list)

    def add(self, outcome: FileFix) -> None:
        self.found += outcome.found
        self.fixed += outcome.fixed
        self.remaining += outcome.remaining
        self.unapplied += outcome.unapplied
        if outcome.new_data is not None:
            self.diffs.append(outcome.diff)


def fix_files(files: Sequence[str], settings: Settings, jobs: int, unsafe: bool, write: bool) -> FixTotals:
    """Fix every file; ``write`` saves the changed files."""
    totals = FixTotals()
    for path, outcome in _map(fix_file, files, jobs, settings, unsafe):
        totals.add(outcome)
        if outcome.new_data is not None and write:
            with open(path, "wb") as fh:
                fh.write(outcome.new_data)
    return totals


# ------------------------------------------------------------------ subcommands

def check(args: argparse.Namespace) -> int:
    """``hflint check PATHS``: lint, print in the chosen format, exit 0 (clean) or 1 (findings)."""
    paths = args.paths or ([STDIN] if args.stdin_filename else ["."])
    missing = [p for p in paths if p != STDIN and not os.path.lexists(p)]
    if missing:
        raise ConfigError(f"no such file or directory: {missing[0]}")
    first = next((p for p in paths if p != STDIN), args.stdin_filename or ".")
    settings = load_settings(Path(first), Path(args.config) if args.config else None, args.no_config)
    settings = settings.with_cli(args.select, args.extend_select, args.ignore, args.target_transformers,
                                 args.exclude, args.extend_exclude, args.force_exclude)
    if args.verify and not (args.fix or args.diff):
        settings = dataclasses.replace(settings, verify=True)
    check_usage(args, settings)

    info = RunInfo(unsafe_fixes=args.unsafe_fixes, target=describe_target(settings, first), verify=args.verify)
    if args.verbose:
        for line in verbose_lines(info.target):
            print(f"hflint: {line}", file=sys.stderr)
    findings: list[Finding] = []
    exclusion = settings.exclusion()
    files = discover([p for p in paths if p != STDIN],
                     on_error=lambda path, reason: findings.extend(
                         reported_internal([cannot_read(path, reason)], settings, path)),
                     exclusion=exclusion, force_exclude=settings.force_exclude)
    if STDIN in paths and settings.force_exclude and args.stdin_filename \
            and exclusion.covers(os.path.abspath(args.stdin_filename)):
        paths = [p for p in paths if p != STDIN]  # excluded: linted as nothing (and with --fix, echoed unchanged)
        if args.fix and not args.diff:
            sys.stdout.buffer.write(sys.stdin.buffer.read())
            sys.stdout.flush()
    if STDIN not in paths and not files and not findings:
        if not args.quiet:
            print("hflint: no Python files found", file=sys.stderr)
        return EXIT_CLEAN
    if args.fix or args.diff:
        return fix(args, settings, files, findings, stdin=STDIN in paths, target=info.target)
    if STDIN in paths:
        findings += lint_bytes(sys.stdin.buffer.read(), args.stdin_filename or STDIN, settings)
    findings += lint_files(files, settings, args.jobs)
    if args.verify:
        findings = verify_with_local_files(findings, args.quiet)
    return report(args, findings, info)


def check_usage(args: argparse.Namespace, settings: Settings) -> None:
    """Combinations and values that would silently do nothing (or the wrong thing): usage errors, exit 2."""
    if args.diff and args.format != "text":
        raise ConfigError(f"--diff prints a unified diff; it cannot be combined with --format {args.format} "
                          "(use --fix --format json to see what remains, or --diff alone)")
    static = [r.code for r in rules.all_rules()]
    for selector in [*(settings.select or []), *settings.extend_select]:
        if selector != "ALL" and not any(code.startswith(selector) for code in static):
            runtime = " HF9xx codes are runtime findings: `hflint check --verify` checks static findings " \
                      "against local checkpoint files, and `pytest --hf-verify` (or `hflint.watch()`) reports " \
                      "them while code runs." if selector.startswith("HF9") else ""
            raise ConfigError(f"selector {selector!r} matches no static rule (`hflint rules` lists them).{runtime}")
    if settings.target_transformers:
        from .knowledge import api

        oldest = api.covered_versions()[0]
        if api.parse_version(settings.target_transformers) < oldest:
            raise ConfigError(f"target transformers {settings.target_transformers} is older than hflint's API "
                              f"knowledge, which starts at {oldest[0]}.{oldest[1]}; the HF5xx rules cannot check it")


def describe_target(settings: Settings, start: str) -> dict:
    """The transformers release the HF5xx rules check against, why, and where hflint's knowledge of it comes from."""
    from .knowledge import api, fresh

    target = api.choose_target(settings.target_transformers, settings.target_origin or "configuration",
                               start=start if start not in (STDIN, "") and os.path.exists(start) else None)
    knowledge = api.knowledge_for(target)
    covered = f"{api.vtext(knowledge.versions[0])}-{api.vtext(knowledge.newest)}"
    if knowledge is api.bundled():
        where = f"hflint's tables ({covered})"
        if not api.knows(target):
            why = f": {fresh.last_error}" if fresh.last_error else ""
            where += (f"; {api.vtext(target)} is newer and its sources could not be read{why}; names hflint has "
                      "never seen are not reported")
    else:
        where = f"hflint's tables extended with the installed sources ({covered}), cached in {knowledge.folder}"
    return {"version": api.vtext(target), "origin": target.origin, "reason": target.reason, "knowledge": where}


def verbose_lines(target: dict) -> list:
    return [f"target transformers {target['version']} ({target['reason']})", f"API knowledge: {target['knowledge']}"]


def verify_with_local_files(findings: list[Finding], quiet: bool) -> list[Finding]:
    """``--verify``: mark every static finding confirmed, withdrawn or not verifiable from checkpoints' local files
    (offline). Withdrawn findings are still listed, marked, and count for nothing (neither the exit code nor "Found")."""
    from .runtime.static_verify import NOT_VERIFIABLE, classify

    marked = classify(findings)
    # Candidates only local files can decide (two local folders, a folder's saved padding side) are findings only
    # when confirmed; the ones that could not be verified are listed with the others, and dropped.
    undecided = [f for f in marked if f.data.get("latent") and f.data["verification"]["status"] == NOT_VERIFIABLE]
    marked = [f for f in marked if not f.data.get("latent") or f.data["verification"]["status"] == "confirmed"]
    if not quiet:
        counts = verification_counts(marked)
        unverified = [f for f in marked if f.data["verification"]["status"] == NOT_VERIFIABLE] + undecided
        print(f"hflint: --verify: {counts['confirmed']} confirmed, {counts['withdrawn']} withdrawn, "
              f"{len(unverified)} could not be verified" + (":" if unverified else ""), file=sys.stderr)
        for f in unverified:
            candidate = " (a candidate static analysis cannot decide)" if f.data.get("latent") else ""
            print(f"  {f.filename}:{location(f)}: {f.code}{candidate} {f.data['verification']['detail']}",
                  file=sys.stderr)
    return marked


def verification_counts(findings: list[Finding]) -> dict[str, int]:
    counts = {"confirmed": 0, "withdrawn": 0, "not verifiable": 0}
    for f in findings:
        status = f.data.get("verification", {}).get("status")
        if status in counts:
            counts[status] += 1
    return counts


def withdrawn(f: Finding) -> bool:
    return f.data.get("verification", {}).get("status") == "withdrawn"


def report(args: argparse.Namespace, findings: list[Finding], info: RunInfo, out=None) -> int:
    """Print the findings in the chosen format; exit 1 when there are any (0 with ``--exit-zero``). Findings that
    ``--verify`` withdrew are printed, marked, and do not count."""
    out = out or sys.stdout
    findings.sort(key=Finding.sort_key)
    counted = [f for f in findings if not withdrawn(f)]
    if args.statistics:
        write_statistics(counted, out, args.format, args.quiet, args.unsafe_fixes, info.target_line())
    else:
        WRITERS[args.format](findings, out, args.quiet, info)
    return EXIT_FINDINGS if counted and not args.exit_zero else EXIT_CLEAN


def fix(args: argparse.Namespace, settings: Settings, files: list[str], findings: list[Finding], stdin: bool,
        target: Optional[dict] = None) -> int:
    """``--fix`` writes the fixed files and reports what remains; ``--diff`` prints the changes and writes nothing
    (exit 1 when there would be any, or when a fix cannot be applied). Code read from stdin is written, fixed, to
    stdout, and its report to stderr. A fix that cannot be applied is always said, with why."""
    totals = fix_files(files, settings, args.jobs, args.unsafe_fixes, write=not args.diff)
    out = sys.stdout
    if stdin:
        data = sys.stdin.buffer.read()
        outcome = fix_bytes(data, args.stdin_filename or STDIN, settings, args.unsafe_fixes)
        totals.add(outcome)
        if not args.diff:
            sys.stdout.buffer.write(data if outcome.new_data is None else outcome.new_data)
            sys.stdout.flush()
            out = sys.stderr
    totals.found += len(findings)  # files that could not be read
    if args.diff:
        sys.stdout.write("".join(totals.diffs))
        sys.stdout.flush()
        _say_unapplied(totals.unapplied)
        if not args.quiet and totals.diffs:
            print(would_fix_summary(totals), file=sys.stderr)
        return EXIT_FINDINGS if totals.diffs or totals.unapplied else EXIT_CLEAN
    _say_unapplied(totals.unapplied)
    info = RunInfo(fixed=totals.fixed, fix_mode=True, unsafe_fixes=args.unsafe_fixes, found=totals.found,
                   unapplied=len(totals.unapplied), target=target)
    return report(args, findings + totals.remaining, info, out)


def _say_unapplied(unapplied: list[tuple[Finding, str]]) -> None:
    for f, why in unapplied:
        print(f"hflint: {f.filename}:{location(f)}: {f.code} fix not applied: {why}", file=sys.stderr)


def would_fix_summary(totals: FixTotals) -> str:
    """``--diff``'s closing line; it says why it differs from the count ``hflint check`` reports."""
    line = f"Would fix {totals.fixed} finding{'s' if totals.fixed != 1 else ''}"
    uncovered = totals.fixed + len(totals.remaining) - totals.found
    if uncovered > 0:
        line += (f" ({uncovered} of them {'appears' if uncovered == 1 else 'appear'} only once the first fixes are "
                 f"applied, so `hflint check` reports {totals.found} now)")
    return line + "."


def list_rules(args: argparse.Namespace) -> int:
    """``hflint rules``: the catalog as a table or JSON."""
    catalog = rules.all_rules()
    if args.format == "json":
        import json

        json.dump([{"code": r.code, "name": r.name, "default_enabled": r.default_enabled, "fixable": r.fixable or None,
                    "summary": r.summary(), "message": getattr(r, "message", "")} for r in catalog],
                  sys.stdout, indent=2)
        print()
        return EXIT_CLEAN
    rows = [("code", "name", "default", "fix", "summary")]
    rows += [(r.code, r.name, "on" if r.default_enabled else "off", r.fixable or "-", r.summary()) for r in catalog]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)) + "  " + row[4])
    return EXIT_CLEAN


def explain(args: argparse.Namespace) -> int:
    """``hflint explain CODE``: the rule's documentation page."""
    from .docs import render_rule

    rule = rules.rule_by_code(args.rule)
    if rule is None:
        raise ConfigError(f"unknown rule {args.rule!r} (`hflint rules` lists them)")
    sys.stdout.write(render_rule(rule))
    return EXIT_CLEAN


# ------------------------------------------------------------------ argument parsing

def _checked(parse: Callable[[str], object]) -> Callable[[str], object]:
    """An argparse ``type`` from a parser that raises ConfigError (argparse turns the error into exit 2)."""
    def convert(value: str) -> object:
        try:
            return parse(value)
        except ConfigError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
    return convert


def _jobs(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive number of processes, got {value!r}")
    return int(value)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hflint", description="Find misuse of the Hugging Face transformers API.")
    parser.add_argument("--version", action="version", version=f"hflint {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    c = commands.add_parser("check", help="lint files and folders (.py, .ipynb)")
    c.set_defaults(run=check)
    c.add_argument("paths", nargs="*", metavar="PATH", help="files or folders to lint, - for stdin (default: .)")
    selectors = _checked(parse_selectors)
    c.add_argument("--select", type=selectors, metavar="CODES",
                   help="rule codes or prefixes to enable, comma-separated, or ALL (replaces the configured selection)")
    c.add_argument("--extend-select", type=selectors, action="extend", default=[], metavar="CODES",
                   help="rule codes or prefixes to enable in addition (e.g. off-by-default rules)")
    c.add_argument("--ignore", type=selectors, action="extend", default=[], metavar="CODES",
                   help="rule codes or prefixes to disable")
    c.add_argument("--format", choices=sorted(WRITERS), default="text", help="output format (default: text)")
    c.add_argument("--fix", action="store_true", help="apply safe fixes to the files (unsafe ones too with --unsafe-fixes)")
    c.add_argument("--unsafe-fixes", action="store_true", help="include fixes that may change behaviour")
    c.add_argument("--diff", action="store_true",
                   help="print the fixes as a unified diff instead of writing them; exit 1 when there are any")
    c.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    c.add_argument("--verify", action="store_true",
                   help="check static findings against the checkpoints' files in local folders or the local "
                        "Hugging Face cache (offline)")
    c.add_argument("--statistics", action="store_true", help="print the number of findings per rule instead")
    c.add_argument("--config", metavar="PATH", help="the pyproject.toml to read [tool.hflint] from")
    c.add_argument("--no-config", action="store_true", help="ignore every pyproject.toml")
    c.add_argument("--jobs", "-j", type=_jobs, default=1, metavar="N", help="lint files in N processes (default: 1)")
    c.add_argument("--target-transformers", type=_checked(parse_version), metavar="X.Y",
                   help="transformers version the HF5xx rules check against")
    patterns = _checked(parse_patterns)
    c.add_argument("--exclude", type=patterns, metavar="PATTERNS",
                   help="glob patterns of files and folders to skip, comma-separated (replaces the configured or "
                        "default list: .git, .venv, build, ...)")
    c.add_argument("--extend-exclude", type=patterns, action="extend", default=[], metavar="PATTERNS",
                   help="glob patterns to skip in addition to the configured or default ones")
    c.add_argument("--force-exclude", action="store_true",
                   help="apply the exclusions to paths named on the command line too (pre-commit names every file)")
    c.add_argument("--stdin-filename", metavar="NAME", help="the name to report (and configure) stdin as")
    c.add_argument("--quiet", "-q", action="store_true", help="print findings only, no summary or notices")
    c.add_argument("--verbose", "-v", action="store_true",
                   help="say which transformers release the HF5xx rules check against, why, and where hflint's "
                        "knowledge of it comes from")

    r = commands.add_parser("rules", help="list every rule")
    r.set_defaults(run=list_rules)
    r.add_argument("--format", choices=("text", "json"), default="text")

    e = commands.add_parser("explain", help="show a rule's documentation")
    e.set_defaults(run=explain)
    e.add_argument("rule", metavar="CODE", help="a rule code (HF301) or name (add-tokens-without-resize)")
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = build_parser().parse_args(argv)  # a usage error exits 2 here
    try:
        return args.run(args)
    except ConfigError as exc:
        print(f"hflint: error: {exc}", file=sys.stderr)
    except BrokenPipeError:  # `hflint check . | head`: stop quietly, and keep Python from complaining at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FINDINGS
    except Exception:  # noqa: BLE001 - report, never a bare traceback with exit 1
        traceback.print_exc()
        print("hflint: internal error (please report it with the traceback above)", file=sys.stderr)
    return EXIT_ERROR
