"""The transformers 5 migration benchmark (issue 11): how much of real v4-era code breaks on transformers 5, how much
of it hflint finds, and how much `hflint check --fix --unsafe-fixes --target-transformers 5.24` repairs.

    python benchmarks/v5_migration.py /work/.mirror/NielsRogge+transformers/repo=examples \\
        /work/.mirror/huggingface+notebooks/repo [--markdown benchmarks/v5_migration.md]

Each repository (a fetched git directory, never committed) is exported with ``benchmarks/realworld.py``'s
``export()``; notebooks become scripts (their code cells joined, IPython lines replaced, as hflint lints them).
Two copies are made under ``benchmarks/.work/v5/``: ``before`` is checked as it is, ``after`` is first fixed by the
hflint CLI. A checker that imports the installed transformers (never the checked code, which is only parsed) then
counts what breaks on it:

- ``import``: ``from transformers import X`` that raises ImportError (imports guarded by ``except ImportError``
  are not counted: the code handles them);
- ``keyword``: a literal keyword of ``TrainingArguments``, ``Seq2SeqTrainingArguments``, ``Trainer``,
  ``Seq2SeqTrainer``, ``X.from_pretrained`` or a tokenizer call that does not bind to the real signature
  (``inspect.signature(...).bind_partial``); callables taking ``**kwargs`` bind anything, so ``swallowed`` counts the
  keywords that bind only through ``**kwargs`` and that the release does not read (tokenizer calls: no tokenizer
  of the release takes them);
- ``method``: a method or attribute used on a tokenizer loaded with ``from_pretrained`` that its class lacks.

Each breakage is matched with the HF5xx findings hflint reports on the same line of ``before`` (recall), and each
breakage left in ``after`` is listed with the finding that explains why it has no mechanical fix (or "not found").
"""
from __future__ import annotations

import argparse
import ast
import inspect
import json
import shutil
import subprocess
import sys
import time
import warnings
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from realworld import export  # noqa: E402

WORK = HERE / ".work" / "v5"
TARGET = "5.24"
CALLABLES = {"TrainingArguments", "Seq2SeqTrainingArguments", "Trainer", "Seq2SeqTrainer"}
TOKENIZER_CALLS = {"__call__", "encode", "encode_plus", "batch_encode_plus", "pad"}


# ==================================================================================================== copies

def as_script(path: Path) -> None:
    """A notebook's code cells as a script beside it (``x.ipynb`` -> ``x.ipynb.py``), as hflint joins them."""
    from hflint.notebook import NotebookError, join, read_notebook

    try:
        nb = read_notebook(path.read_bytes())
    except (NotebookError, OSError):
        return
    text, _ = join([c.source for c in nb.cells], broken=[])
    path.with_name(path.name + ".py").write_text(text, encoding="utf-8")


def make_copies(spec: str) -> tuple[str, str, Path, Path]:
    repo, _, sub = spec.partition("=")
    name, commit, tree = export(Path(repo))
    base = WORK / name.replace("/", "+")
    before, after = base / "before", base / "after"
    for dest in (before, after):
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(tree / sub if sub else tree, dest, ignore=shutil.ignore_patterns(".commit"))
        for nb in list(dest.rglob("*.ipynb")):
            as_script(nb)
            nb.unlink()
    return name, commit, before, after


def hflint(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hflint", "check", "--no-config", *args], capture_output=True,
                          text=True)


def hf5_findings(root: Path) -> dict:
    """(relative path, line) -> [(code, message)] of the HF5xx findings."""
    proc = hflint("--exit-zero", "--format", "json", "--select", "HF5", "--target-transformers", TARGET, str(root))
    out: dict = {}
    for f in json.loads(proc.stdout or "[]"):
        rel = Path(f["filename"]).resolve().relative_to(root.resolve()).as_posix()
        out.setdefault((rel, f["location"]["row"]), []).append((f["code"], f["message"]))
    return out


# ==================================================================================================== the checker

class Checker:
    """Breakages of parsed code against the installed transformers (imported here; the checked code never is)."""

    def __init__(self):
        warnings.simplefilter("ignore")
        import transformers

        transformers.logging.set_verbosity_error()
        self.tf = transformers
        self._imports: dict = {}
        self._signatures: dict = {}
        self._tokenizers: dict = {}
        self._any_member = None
        from hflint.knowledge import api

        self.any_tokenizer_keyword = api.names_at("tokenizer.__call__.any", api.parse_version(TARGET)) | \
            api.names_at("tokenizer.__call__", api.parse_version(TARGET))

    def imports(self, name: str) -> bool:
        if name not in self._imports:
            try:
                exec(f"from transformers import {name}", {})
                self._imports[name] = True
            except ImportError:
                self._imports[name] = False
            except Exception:  # noqa: BLE001 - it imported, then failed on a missing backend
                self._imports[name] = True
        return self._imports[name]

    def any_tokenizer_member(self) -> set:
        if self._any_member is None:
            import re

            names = set()
            for name in dir(self.tf):
                if name.endswith("Tokenizer") and self.imports(name):
                    names.update(dir(getattr(self.tf, name, object)))
            root = Path(self.tf.__file__).parent
            for path in root.glob("models/*/tokenization_*.py"):
                text = path.read_text(encoding="utf-8", errors="replace")
                names.update(re.findall(r"self\.(\w+)\s*=", text))
                # methods, properties, class attributes
                names.update(re.findall(r"^    (?:def\s+)?(\w+)\b", text, re.M))
            self._any_member = names
        return self._any_member

    def tokenizer_like(self, export: str):
        """An object that answers ``hasattr`` as a loaded tokenizer of that class would: a blank instance (5.x
        tokenizers can be built without files), else a tiny BERT tokenizer (what AutoTokenizer gives for most
        checkpoints); None when the class does not import."""
        if export in self._tokenizers:
            return self._tokenizers[export]
        tiny = self.tf.BertTokenizer(vocab={"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "[MASK]": 4, "a": 5})
        found = tiny if export == "AutoTokenizer" else None
        cls = self.obj(export) if found is None else None
        if cls is not None and getattr(cls, "_backends", None) is not None:
            cls = None  # a placeholder: the backend it needs is not installed here
        if cls is not None:
            try:
                found = cls()
            except Exception:  # noqa: BLE001 - needs files or a backend: the class itself answers
                found = cls
        self._tokenizers[export] = found
        return found

    def obj(self, export: str):
        return getattr(self.tf, export, None) if self.imports(export) else None

    def signature(self, fn):
        # keyed by the function itself (bound methods are made afresh on each access, and their ids get reused)
        key = getattr(fn, "__func__", fn)
        try:
            if key in self._signatures:
                return self._signatures[key]
        except TypeError:  # unhashable
            key = None
        try:
            sig = inspect.signature(fn)
        except (TypeError, ValueError):
            sig = None
        if getattr(fn, "__func__", None) is not None and sig is not None:
            sig = inspect.signature(fn)  # the bound form (no self)
        if key is not None:
            self._signatures[key] = sig
        return sig

    def bind(self, fn, keyword: str) -> tuple:
        """(binds, named): whether ``keyword`` binds to ``fn``, and whether to a named parameter. Objects standing
        in for a backend this machine lacks (torchvision, PIL) are not checkable: they bind."""
        if getattr(fn, "_backends", None) is not None or getattr(getattr(fn, "__self__", None), "_backends", None):
            return True, True
        sig = self.signature(fn)
        if sig is None:
            return True, True
        try:
            sig.bind_partial(**{keyword: None})
        except TypeError:
            return False, False
        return True, keyword in sig.parameters

    def check(self, path: Path, rel: str) -> list:
        try:
            tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"))
        except (SyntaxError, ValueError, RecursionError):
            return []
        return FileChecker(self, rel).run(tree)


def _guarded(parents) -> bool:
    for node in parents:
        if isinstance(node, ast.Try):
            for handler in node.handlers:
                names = [ast.unparse(handler.type)] if handler.type is not None else ["Exception"]
                if any(n.split(".")[-1] in ("ImportError", "ModuleNotFoundError", "Exception", "BaseException")
                       or "ImportError" in n for n in names):
                    return True
    return False


class FileChecker:
    def __init__(self, checker: Checker, rel: str):
        self.c = checker
        self.rel = rel
        self.names: dict = {}  # local name -> transformers export
        self.modules: set = set()  # names bound to the transformers module
        self.tokenizers: dict = {}  # "tok" / "self.tok" -> object used to check
        self.specific: set = set()  # receivers loaded with a named tokenizer class (not AutoTokenizer)
        self.out: list = []

    def add(self, kind: str, node, what: str) -> None:
        self.out.append({"file": self.rel, "line": node.lineno, "kind": kind, "what": what})

    def run(self, tree) -> list:
        stack = [(tree, ())]
        nodes = []
        while stack:
            node, parents = stack.pop()
            nodes.append((node, parents))
            for child in ast.iter_child_nodes(node):
                stack.append((child, parents + (node,)))
        nodes.sort(key=lambda item: (getattr(item[0], "lineno", 0), getattr(item[0], "col_offset", 0)))
        for node, parents in nodes:
            if isinstance(node, ast.ImportFrom) and node.module == "transformers" and not node.level:
                for alias in node.names:
                    if alias.name == "*":
                        continue
                    self.names[alias.asname or alias.name] = alias.name
                    if not self.c.imports(alias.name) and not _guarded(parents):
                        self.add("import", alias, f"from transformers import {alias.name}")
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name == "transformers":
                        self.modules.add(alias.asname or "transformers")
        for node, parents in nodes:
            if isinstance(node, ast.Assign):
                cls = self.loaded_tokenizer(node.value) if isinstance(node.value, ast.Call) else None
                for t in node.targets:
                    name = ast.unparse(t)
                    self.tokenizers.pop(name, None)  # rebound: no longer the tokenizer it was
                    self.specific.discard(name)
                    if cls is not None:
                        self.tokenizers[name] = cls
                        if self.export_of(node.value.func.value) != "AutoTokenizer":
                            self.specific.add(name)
            try:
                if isinstance(node, ast.Call):
                    self.call(node)
                elif isinstance(node, ast.Attribute) and not isinstance(getattr(node, "ctx", None), ast.Store):
                    self.member(node, parents)
            except ImportError:  # a placeholder for a backend this machine lacks (sentencepiece, PIL): not checkable
                continue
        return self.out

    def export_of(self, node):
        if isinstance(node, ast.Name):
            return self.names.get(node.id)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in self.modules:
            return node.attr
        return None

    def loaded_tokenizer(self, call):
        f = call.func
        if isinstance(f, ast.Attribute) and f.attr == "from_pretrained":
            export = self.export_of(f.value)
            if export and export.endswith(("Tokenizer", "TokenizerFast")):
                if export == "AutoTokenizer":
                    return self.c.tokenizer_like("AutoTokenizer")
                return self.c.tokenizer_like(export)
        return None

    def call(self, node: ast.Call) -> None:
        f = node.func
        keywords = [k for k in node.keywords if k.arg]
        export = self.export_of(f)
        target = None
        if export in CALLABLES:
            target = self.c.obj(export)
            label = export
        elif isinstance(f, ast.Attribute) and f.attr == "from_pretrained":
            owner = self.export_of(f.value)
            if owner and self.c.obj(owner) is not None:
                try:
                    target = getattr(self.c.obj(owner), "from_pretrained", None)
                except Exception:  # noqa: BLE001 - a placeholder for a backend this machine lacks: not checkable
                    return
                label = f"{owner}.from_pretrained"
        else:
            receiver = ast.unparse(f.value) if isinstance(f, ast.Attribute) else ast.unparse(f)
            method = f.attr if isinstance(f, ast.Attribute) else "__call__"
            cls = self.tokenizers.get(receiver)
            if cls is not None and method in TOKENIZER_CALLS and hasattr(cls, method):
                target = getattr(cls, method)
                label = f"tokenizer.{method}"
                for kw in keywords:
                    binds, named = self.c.bind(target, kw.arg)
                    if not binds:
                        self.add("keyword", kw, f"{label}({kw.arg}=)")
                    elif not named and kw.arg not in self.c.any_tokenizer_keyword:
                        self.add("swallowed", kw, f"{label}({kw.arg}=)")
                return
        if target is None:
            return
        for kw in keywords:
            binds, _named = self.c.bind(target, kw.arg)
            if not binds:
                self.add("keyword", kw, f"{label}({kw.arg}=)")

    def member(self, node: ast.Attribute, parents) -> None:
        receiver = ast.unparse(node.value)
        obj = self.tokenizers.get(receiver)
        if obj is None or node.attr.startswith("_"):
            return
        if any(isinstance(p, ast.Call) and isinstance(p.func, ast.Name) and p.func.id in ("hasattr", "getattr")
               for p in parents[-2:]):
            return
        if hasattr(obj, node.attr):
            return
        # a blank or stand-in object lacks what only some checkpoints' classes set up: count a member as missing
        # only when no tokenizer class of the release has it (as a class member or a `self.x =` in its module)
        if (isinstance(obj, type) or receiver not in self.specific) and node.attr in self.c.any_tokenizer_member():
            return
        self.add("method", node, f"tokenizer.{node.attr}")


# ==================================================================================================== the run

def files_of(root: Path) -> list:
    return sorted(p for p in root.rglob("*.py") if p.is_file())


def run(specs: list) -> dict:
    checker = Checker()
    report = {"target": TARGET, "repositories": []}
    for spec in specs:
        name, commit, before, after = make_copies(spec)
        start = time.time()
        found = hf5_findings(before)
        fix = hflint("--fix", "--unsafe-fixes", "--exit-zero", "--target-transformers", TARGET, str(after))
        fix_seconds = time.time() - start
        remaining = hf5_findings(after)
        rows = {"before": [], "after": []}
        for label, root in (("before", before), ("after", after)):
            for path in files_of(root):
                rel = path.relative_to(root).as_posix()
                rows[label].extend(checker.check(path, rel))
        detected = sum(1 for b in rows["before"] if (b["file"], b["line"]) in found)
        for b in rows["after"]:
            b["why"] = [m for _, m in remaining.get((b["file"], b["line"]), [])]
        report["repositories"].append({
            "name": name, "commit": commit[:12], "files": len(files_of(before)),
            "findings_before": sum(len(v) for v in found.values()),
            "findings_after": sum(len(v) for v in remaining.values()),
            "breakages_before": Counter(b["kind"] for b in rows["before"]),
            "breakages_after": Counter(b["kind"] for b in rows["after"]),
            "detected": detected, "total_before": len(rows["before"]),
            "left": rows["after"], "missed": [b for b in rows["before"] if (b["file"], b["line"]) not in found],
            "seconds": round(fix_seconds, 1), "fix_summary": fix.stdout.strip().splitlines()[-1:] if fix.stdout else [],
        })
    return report


def markdown(report: dict) -> str:
    kinds = ("import", "keyword", "swallowed", "method")
    lines = ["| repository | commit | files | breakages before (import / keyword / swallowed / method) | reported by "
             "hflint | left after `--fix --unsafe-fixes` | HF5xx findings before → after | fix run |",
             "|---|---|---|---|---|---|---|---|"]
    for r in report["repositories"]:
        b, a = r["breakages_before"], r["breakages_after"]
        lines.append(f"| {r['name']} | {r['commit']} | {r['files']} | {sum(b.values())} "
                     f"({' / '.join(str(b.get(k, 0)) for k in kinds)}) | {r['detected']} of {r['total_before']} | "
                     f"{sum(a.values())} ({' / '.join(str(a.get(k, 0)) for k in kinds)}) | "
                     f"{r['findings_before']} → {r['findings_after']} | {r['seconds']} s |")
    for r in report["repositories"]:
        groups: dict = {}
        for b in r["left"]:
            why = "; ".join(sorted(set(m for m in b["why"] if b["what"].split()[-1].split("(")[0] in m
                                       or b["kind"] != "import"))) or "not reported by hflint"
            groups.setdefault((b["what"], why), []).append(f"{b['file']}:{b['line']}")
        lines += ["", f"### Left after the fix: {r['name']} ({len(r['left'])})", "",
                  "| breakage | count | why it has no mechanical fix (hflint's finding) | where |", "|---|---|---|---|"]
        for (what, why), where in sorted(groups.items(), key=lambda item: (-len(item[1]), item[0])):
            shown = ", ".join(where[:3]) + (f" and {len(where) - 3} more" if len(where) > 3 else "")
            lines.append(f"| `{what}` | {len(where)} | {why.replace('|', chr(92) + '|')} | {shown} |")
        if r["missed"]:
            lines += ["", f"### Breakages hflint did not report: {r['name']} ({len(r['missed'])})", "",
                      "| file:line | breakage |", "|---|---|"]
            for b in sorted(r["missed"], key=lambda x: (x["file"], x["line"])):
                lines.append(f"| {b['file']}:{b['line']} | `{b['what']}` |")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repos", nargs="+", help="git dir, optionally =subfolder")
    parser.add_argument("--json", type=Path, help="write the full report as JSON")
    parser.add_argument("--markdown", type=Path, help="write the tables as Markdown")
    args = parser.parse_args()
    report = run(args.repos)
    text = markdown(report)
    print(text)
    if args.markdown:
        args.markdown.write_text(text, encoding="utf-8")
    if args.json:
        args.json.write_text(json.dumps(report, indent=1, default=dict), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
