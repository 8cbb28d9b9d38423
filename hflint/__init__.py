"""hflint: a linter for code that uses Hugging Face transformers.

Static linting lives in ``hflint.engine`` (front doors: ``hflint.cli``, ``hflint.flake8_plugin``);
runtime verification in ``hflint.runtime``, imported only when ``verify``/``watch`` are first used.
"""
__version__ = "0.1.0"

_RUNTIME = {"verify", "watch", "HFLintWarning", "HFLintError"}


def __getattr__(name):
    if name in _RUNTIME:
        from . import runtime

        return getattr(runtime, name)
    if name == "Finding":
        from .finding import Finding

        return Finding
    raise AttributeError(f"module 'hflint' has no attribute {name!r}")
