"""HF000: a file hflint did not analyse. The engine and the front doors report it; this class documents the code."""
from __future__ import annotations

from .base import Invalid, Rule, Valid


class FileNotAnalysed(Rule):
    """A file or notebook cell that hflint could not read, could not parse, or will not analyse.

    ## What it does
    Reports, once per file (or notebook cell), why hflint checked none of its code: it cannot be read (permissions,
    a broken link, a notebook that is not JSON), it is not Python that CPython or libcst can parse (a syntax error,
    Python 2, a template, merge-conflict markers), it is over the size limit (4 MB of code; generated code or data),
    or hflint itself failed on it (an internal error: please report it). The message says which, and where.

    HF000 is reported whatever `select` enables, as ruff reports syntax errors. flake8 reports an unparsable
    file as its own E999 and never shows HF000.

    ## Why is this bad?
    A file hflint skipped can hold every bug the other rules look for, and a run that said nothing about it would
    read as "all checks passed".

    ## Example
    ```python
    print "loading", checkpoint  # Python 2
    ```

    ## Use instead
    Fix the file, or tell hflint it is not meant to be checked: exclude it (`extend-exclude = ["templates/"]`
    in `[tool.hflint]`, or `--extend-exclude`, with `--force-exclude` for paths named on the command line, as
    the pre-commit hooks do), ignore the code for it (`per-file-ignores = { "tests/bad_inputs/*" = ["HF000"] }`,
    or `--ignore HF000`), or put `# noqa: HF000` on the reported line or `# hflint: noqa: HF000` anywhere in it.
    """

    code = "HF000"
    name = "file-not-analysed"
    message = "cannot parse: {reason} / not analysed: {size} MB is over the 4 MB limit for one file ..."

    @staticmethod
    def may_match(features) -> bool:
        return False  # the engine reports HF000 itself, before and around the rules

    VALID = [
        Valid("""
            from transformers import AutoModel
            model = AutoModel.from_pretrained("bert-base-cased")
        """),
        Valid("""
            def describe(command):
                match command:
                    case {"model": name}:
                        return f"load {name}"
                    case _:
                        return "nothing"
        """),
        Valid("""
            def first_long(lines):
                if (n := len(lines)) > 10:
                    return lines[0], n
                return None, n
        """),
        Valid("""
            async def embed_all(encoder, batches):
                return [await encoder(batch) async for batch in batches]
        """),
        Valid("""
            def parse_version(text: str) -> tuple[int, ...]:
                return tuple(int(part) for part in text.split("."))
        """),
        Valid("""
            print("loading", "bert-base-cased")  # the Python 3 spelling
        """),
        Valid("""
            TEMPLATE = "{% for name in checkpoints %}{{ name }}{% endfor %}"  # a template inside a string
        """),
    ]
    INVALID = [
        Invalid("""
            checkpoint = "bert-base-cased"
            print "loading", checkpoint
        """, line=2, message="cannot parse"),
        Invalid("""
            def train(model, :
                return model
        """, line=1, message="cannot parse"),
        Invalid("""
            from transformers import AutoModel
            {% for name in checkpoints %}
            model = AutoModel.from_pretrained("{{ name }}")
            {% endfor %}
        """, line=2, message="cannot parse"),
        Invalid("""
            from transformers import AutoModel
            <<<<<<< HEAD
            model = AutoModel.from_pretrained("bert-base-cased")
            =======
            model = AutoModel.from_pretrained("roberta-base")
            >>>>>>> other
        """, line=2, message="cannot parse"),
        Invalid("""
            from transformers import AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("gpt2")
            if tokenizer.pad_token is None:
                raise ValueError, "gpt2 has no pad token"
        """, line=4, message="cannot parse"),
        Invalid("""
            from transformers import pipeline
            classify = pipeline("text-classification"
            print(classify("good"))
        """, line=2, message="cannot parse"),
    ]
