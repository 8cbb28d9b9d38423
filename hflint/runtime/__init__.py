"""Runtime verification: ``verify`` checks live objects, ``watch`` instruments transformers while code runs.

Imported only when used (``hflint.verify`` / ``hflint.watch`` / ``pytest --hf-verify``); it imports
``transformers`` and ``torch`` lazily, inside the checks and when the first ``watch`` starts.
"""
from .checks import verify
from .report import RULE_NAMES, HFLintError, HFLintWarning
from .static_verify import verify_static
from .instrument import watch

__all__ = ["verify", "watch", "HFLintWarning", "HFLintError", "verify_static", "RULE_NAMES"]
