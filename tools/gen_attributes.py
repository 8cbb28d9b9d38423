"""Regenerate ``hflint/knowledge/attributes.json``: the attribute names that exist on transformers objects (HF304).

Reads the sources of the installed ``transformers`` and of two older wheels from the wheel cache (4.30.2 and
4.57.6, see ``tools/gen_api_history.py``) with ``ast``; nothing is imported. HF304 asks "is this attribute a near
miss of a real one", not "does the target have it" (HF5xx do that), so a name any covered release had is known.

Per kind, the names are every method, property, class-level assignment, dataclass field and ``self.x = ...`` target
of the kind's root classes, their base classes inside transformers (mixins included), and every class of the
per-model files of that kind (``models/*/modeling_*.py`` for models, so submodules such as ``model.bert`` and
model-specific methods count). torch's ``nn.Module`` API is listed by hand below (torch is not read).

    python tools/gen_attributes.py            # write the JSON
    python tools/gen_attributes.py --check    # exit 1 when the shipped JSON differs from a fresh run
"""
from __future__ import annotations

import argparse
import ast
import importlib.util
import json
import re
import sys
import zipfile
from pathlib import Path
from typing import Iterable, Iterator

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_api_history import wheel_path  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
OUTPUT = REPO / "hflint" / "knowledge" / "attributes.json"
LEGACY_WHEELS = ["4.30.2", "4.57.6"]

# kind -> (root files, root classes, per-model file pattern)
KINDS = {
    "model": (("modeling_utils.py",), ("PreTrainedModel",), r"models/[^/]+/modeling_(?!tf_|flax_)\w+\.py$"),
    "tokenizer": (("tokenization_utils_base.py", "tokenization_utils.py", "tokenization_utils_fast.py",
                   "tokenization_python.py", "tokenization_utils_tokenizers.py",
                   "tokenization_utils_sentencepiece.py", "tokenization_mistral_common.py"),
                  ("PreTrainedTokenizerBase", "PreTrainedTokenizer", "PreTrainedTokenizerFast", "PythonBackend",
                   "TokenizersBackend", "SentencePieceBackend", "MistralCommonBackend", "SpecialTokensMixin"),
                  r"models/[^/]+/tokenization_\w+\.py$"),
    "config": (("configuration_utils.py",), ("PretrainedConfig", "PreTrainedConfig"),
               r"models/[^/]+/configuration_\w+\.py$"),
    "output": (("modeling_outputs.py", "utils/generic.py"), ("ModelOutput",),
               r"(models/[^/]+/modeling_(?!tf_|flax_)\w+\.py|modeling_outputs\.py|generation/utils\.py)$"),
    "pipeline": (("pipelines/base.py",), ("Pipeline",), r"pipelines/\w+\.py$"),
}

# torch.nn.Module's public API (torch 2.x), which every PreTrainedModel inherits. Listed by hand: torch is not read.
NN_MODULE = """
T_destination add_module apply bfloat16 buffers call_super_init children compile cpu cuda double dump_patches eval
extra_repr float forward get_buffer get_extra_state get_parameter get_submodule half ipu load_state_dict modules mtia
named_buffers named_children named_modules named_parameters parameters register_backward_hook register_buffer
register_forward_hook register_forward_pre_hook register_full_backward_hook register_full_backward_pre_hook
register_load_state_dict_post_hook register_load_state_dict_pre_hook register_module register_parameter
register_state_dict_post_hook register_state_dict_pre_hook requires_grad_ set_extra_state set_submodule
share_memory state_dict to to_empty train training type xpu zero_grad
""".split()

# What wrappers of a model add and scripts read on "the model" (torch DataParallel/DistributedDataParallel,
# accelerate, deepspeed engines): ``model.module if hasattr(model, "module") else model``.
WRAPPERS = ["module"]

# What a ModelOutput inherits from OrderedDict/dict.
DICT_API = "clear copy fromkeys get items keys move_to_end pop popitem setdefault update values".split()

# Tokenizer attributes provided through __getattr__/properties from the special-token lists (read from the
# SPECIAL_TOKENS_ATTRIBUTES literal as well); spelled out so a release that computes them dynamically still counts.
SPECIAL_TOKEN_DERIVED = ("_id", "_ids")


def sources(root: Path | None, wheel: Path | None) -> Iterator[tuple[str, str]]:
    """(path inside the package, text) of every .py file of an installed package or a wheel."""
    if root is not None:
        for path in sorted(root.rglob("*.py")):
            yield path.relative_to(root).as_posix(), path.read_text(encoding="utf-8", errors="replace")
    else:
        with zipfile.ZipFile(wheel) as zf:
            for name in sorted(zf.namelist()):
                if name.startswith("transformers/") and name.endswith(".py"):
                    yield name[len("transformers/"):], zf.read(name).decode("utf-8", errors="replace")


def public(name: str) -> bool:
    return not name.startswith("_")


def class_names(cls: ast.ClassDef) -> set:
    """Methods, class-level assignments and fields, and ``self.x = ...`` targets of one class."""
    names = set()
    for stmt in cls.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names.add(stmt.name)
            for node in ast.walk(stmt):
                targets = node.targets if isinstance(node, ast.Assign) else \
                    [node.target] if isinstance(node, (ast.AnnAssign, ast.AugAssign)) else []
                for t in targets:
                    for el in (t.elts if isinstance(t, ast.Tuple) else [t]):
                        if isinstance(el, ast.Attribute) and isinstance(el.value, ast.Name) and el.value.id == "self":
                            names.add(el.attr)
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "setattr" \
                        and len(node.args) >= 2 and isinstance(node.args[0], ast.Name) and node.args[0].id == "self" \
                        and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str):
                    names.add(node.args[1].value)
            if stmt.name == "__init__":  # config-style constructors: every parameter becomes an attribute
                names.update(a.arg for a in stmt.args.args[1:] + stmt.args.kwonlyargs)
        elif isinstance(stmt, ast.Assign):
            for t in stmt.targets:
                for el in (t.elts if isinstance(t, ast.Tuple) else [t]):
                    if isinstance(el, ast.Name):
                        names.add(el.id)
            if any(isinstance(t, ast.Name) and t.id == "attribute_map" for t in stmt.targets) \
                    and isinstance(stmt.value, ast.Dict):
                names.update(k.value for k in stmt.value.keys if isinstance(k, ast.Constant))
            if any(isinstance(t, ast.Name) and t.id == "SPECIAL_TOKENS_ATTRIBUTES" for t in stmt.targets) \
                    and isinstance(stmt.value, (ast.List, ast.Tuple)):
                for el in stmt.value.elts:
                    if isinstance(el, ast.Constant) and isinstance(el.value, str):
                        names.add(el.value)
                        names.update(el.value + s for s in SPECIAL_TOKEN_DERIVED)
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            names.add(stmt.target.id)
    return names


def collect(files: Iterable[tuple[str, str]]) -> dict:
    trees = {}
    for rel, text in files:
        try:
            trees[rel] = ast.parse(text)
        except SyntaxError:
            continue
    classes: dict[str, list[ast.ClassDef]] = {}
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                classes.setdefault(node.name, []).append(node)

    memo: dict[int, frozenset] = {}

    def with_bases(cls: ast.ClassDef, seen: set) -> frozenset:
        key = id(cls)
        if key in memo:
            return memo[key]
        memo[key] = frozenset()  # cycles (same-named classes in different files) end here
        names = class_names(cls)
        for base in cls.bases:
            bname = base.id if isinstance(base, ast.Name) else base.attr if isinstance(base, ast.Attribute) else None
            if bname and bname not in seen:
                for bcls in classes.get(bname, ()):
                    names |= with_bases(bcls, seen | {bname})
        memo[key] = frozenset(names)
        return memo[key]

    reach_memo: dict = {}

    def reaches(name: str, roots: tuple, depth: int = 0) -> bool:
        """Whether the class called ``name`` is, or inherits (by base-class names) from, one of ``roots``."""
        if name in roots:
            return True
        key = (name, roots)
        if key in reach_memo or depth > 30:
            return reach_memo.get(key, False)
        reach_memo[key] = False
        result = False
        for cls in classes.get(name, ()):
            for base in cls.bases:
                bname = base.id if isinstance(base, ast.Name) else base.attr if isinstance(base, ast.Attribute) \
                    else None
                if bname and bname != name and reaches(bname, roots, depth + 1):
                    result = True
        reach_memo[key] = result
        return result

    out = {}
    for kind, (root_files, roots, pattern) in KINDS.items():
        names: set = set()
        for rel in root_files:
            tree = trees.get(rel)
            if tree is None:
                continue
            for node in tree.body:
                if isinstance(node, ast.ClassDef) and reaches(node.name, roots):
                    names |= with_bases(node, {node.name})
        rx = re.compile(pattern)
        for rel, tree in trees.items():
            if not rx.search(rel):
                continue
            for node in tree.body:
                # only the kind's own classes: a tokenizer file's helper classes are not tokenizers
                if isinstance(node, ast.ClassDef) and reaches(node.name, roots):
                    names |= with_bases(node, {node.name})
        out[kind] = names
    # class-level access (``AutoModel.from_pretrained``): the Auto factories' own API
    auto: set = set()
    for rel, tree in trees.items():
        if rel.startswith("models/auto/"):
            for node in tree.body:
                if isinstance(node, ast.ClassDef) and node.name.startswith(("_BaseAuto", "Auto")):
                    auto |= with_bases(node, {node.name})
    out["auto"] = auto
    return out


def generate() -> dict:
    spec = importlib.util.find_spec("transformers")  # finds the package without running it
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("transformers is not installed next to this Python")
    root = Path(list(spec.submodule_search_locations)[0])
    version = "?"
    try:
        from importlib.metadata import version as dist_version
        version = dist_version("transformers")
    except Exception:  # noqa: BLE001
        pass
    merged: dict[str, set] = {}
    for src_root, wheel in [(root, None)] + [(None, wheel_path(v)) for v in LEGACY_WHEELS]:
        if wheel is not None and not wheel.exists():
            raise SystemExit(f"missing {wheel}: run tools/gen_api_history.py once to download the wheels")
        for kind, names in collect(sources(src_root, wheel)).items():
            merged.setdefault(kind, set()).update(names)
    merged["model"].update(NN_MODULE + WRAPPERS)
    merged["output"].update(DICT_API)
    return {
        "_source": f"Generated by tools/gen_attributes.py from the installed transformers {version} and the "
                   f"{', '.join(LEGACY_WHEELS)} wheels, parsed with ast, never imported: methods, properties, "
                   "class-level names, dataclass fields and self.x assignments of PreTrainedModel (+ mixins, + "
                   "every class in models/*/modeling_*.py, + torch nn.Module's API and wrappers' `module` listed by "
                   "hand), the tokenizer "
                   "bases (+ SPECIAL_TOKENS_ATTRIBUTES and their _id/_ids forms, + models/*/tokenization_*.py), "
                   "PretrainedConfig/PreTrainedConfig (+ models/*/configuration_*.py, attribute_map keys, __init__ "
                   "parameters), ModelOutput fields (modeling_outputs.py and every *Output* class of the modeling "
                   "files), Pipeline classes, and the Auto factories (class-level access). Private names dropped.",
        **{kind: sorted(n for n in names if public(n)) for kind, names in sorted(merged.items())},
    }


def render(data: dict) -> str:
    lines = ["{", f' "_source": {json.dumps(data["_source"])},']
    kinds = [k for k in data if k != "_source"]
    for i, kind in enumerate(kinds):
        comma = "," if i < len(kinds) - 1 else ""
        lines.append(f' "{kind}": {json.dumps(data[kind])}{comma}')
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when the shipped JSON is out of date")
    args = parser.parse_args(argv)
    text = render(generate())
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            print(f"{OUTPUT.relative_to(REPO)} is out of date: run python tools/gen_attributes.py", file=sys.stderr)
            return 1
        print(f"{OUTPUT.relative_to(REPO)} is up to date")
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(REPO)}: " + ", ".join(f"{k} {len(v)}" for k, v in text_counts(text).items()))
    return 0


def text_counts(text: str) -> dict:
    data = json.loads(text)
    return {k: v for k, v in data.items() if k != "_source"}


if __name__ == "__main__":
    sys.exit(main())
