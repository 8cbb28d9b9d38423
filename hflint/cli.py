"""The ``hflint`` command: ``check`` files, list the ``rules``, ``explain`` one. It translates; the engine decides.

Exit codes: 0 clean, 1 findings (an unreadable or unparsable file is a finding), 2 usage, configuration
or internal error.
"""
from __future__ import annotations

import argparse
import os
import sys
import traceback
from concurrent.futures import ProcessPoolExecutor
from itertools import repeat
from pathlib import Path
from typing import Callable, Optional, Sequence

from . import __version__, rules
from .config import ConfigError, Settings, load_settings, parse_selectors, parse_version
from .discovery import discover
from .engine import INTERNAL, lint_source
from .finding import Finding
from .output import WRITERS, write_statistics

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
STDIN = "-"


# ------------------------------------------------------------------ linting one file

def lint_python(data: bytes, filename: str, settings: Settings) -> list[Finding]:
    return lint_source(data, filename, settings).findings


def skip_notebook(data: bytes, filename: str, settings: Settings) -> list[Finding]:
    return []  # notebooks are discovered now; cell-by-cell linting plugs in here


# file suffix -> linter; anything else (including a file named on the command line) is read as Python
LINTERS: dict[str, Callable[[bytes, str, Settings], list[Finding]]] = {".ipynb": skip_notebook}


def lint_bytes(data: bytes, filename: str, settings: Settings) -> list[Finding]:
    return LINTERS.get(os.path.splitext(filename)[1].lower(), lint_python)(data, filename, settings)


def lint_file(path: str, settings: Settings) -> list[Finding]:
    """One file's findings; a file that cannot be read is one HF000 finding."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        return [cannot_read(path, exc.strerror or str(exc))]
    return lint_bytes(data, path, settings)


def cannot_read(path: str, reason: str) -> Finding:
    return Finding(path, 1, 0, INTERNAL, f"cannot read: {reason}", name="io-error")


def lint_files(files: Sequence[str], settings: Settings, jobs: int) -> list[Finding]:
    """Every file's findings, in a process pool when ``jobs > 1`` (the only pool: the engine never starts one)."""
    if jobs > 1 and len(files) > 1:
        with ProcessPoolExecutor(max_workers=min(jobs, len(files))) as pool:
            chunk = max(1, len(files) // (jobs * 4))
            results = list(pool.map(lint_file, files, repeat(settings), chunksize=chunk))
    else:
        results = [lint_file(f, settings) for f in files]
    return [finding for found in results for finding in found]


# ------------------------------------------------------------------ subcommands

def check(args: argparse.Namespace) -> int:
    """``hflint check PATHS``: lint, print in the chosen format, exit 0 (clean) or 1 (findings)."""
    paths = args.paths or ([STDIN] if args.stdin_filename else ["."])
    missing = [p for p in paths if p != STDIN and not os.path.lexists(p)]
    if missing:
        raise ConfigError(f"no such file or directory: {missing[0]}")
    first = next((p for p in paths if p != STDIN), args.stdin_filename or ".")
    settings = load_settings(Path(first), Path(args.config) if args.config else None, args.no_config)
    settings = settings.with_cli(args.select, args.extend_select, args.ignore, args.target_transformers)

    findings: list[Finding] = []
    files = discover([p for p in paths if p != STDIN],
                     on_error=lambda path, reason: findings.append(cannot_read(path, reason)))
    if STDIN in paths:
        findings += lint_bytes(sys.stdin.buffer.read(), args.stdin_filename or STDIN, settings)
    elif not files and not findings:
        if not args.quiet:
            print("hflint: no Python files found", file=sys.stderr)
        return EXIT_CLEAN
    findings += lint_files(files, settings, args.jobs)
    findings.sort(key=Finding.sort_key)

    if args.statistics:
        write_statistics(findings, sys.stdout, args.format, args.quiet)
    else:
        WRITERS[args.format](findings, sys.stdout, args.quiet)
    return EXIT_FINDINGS if findings and not args.exit_zero else EXIT_CLEAN


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
    c.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    c.add_argument("--statistics", action="store_true", help="print the number of findings per rule instead")
    c.add_argument("--config", metavar="PATH", help="the pyproject.toml to read [tool.hflint] from")
    c.add_argument("--no-config", action="store_true", help="ignore every pyproject.toml")
    c.add_argument("--jobs", "-j", type=_jobs, default=1, metavar="N", help="lint files in N processes (default: 1)")
    c.add_argument("--target-transformers", type=_checked(parse_version), metavar="X.Y",
                   help="transformers version the HF5xx rules check against")
    c.add_argument("--stdin-filename", metavar="NAME", help="the name to report (and configure) stdin as")
    c.add_argument("--quiet", "-q", action="store_true", help="print findings only, no summary or notices")

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
