"""``with hflint.watch():`` — instrument transformers at class level and report HF9xx findings as they happen.

Patched while at least one ``watch`` is active (a depth counter under a lock), restored exactly when
the last one exits: ``from_pretrained`` of models, tokenizers and configs, ``add_tokens`` /
``add_special_tokens``, ``resize_token_embeddings``, tokenizer ``__call__``, model ``__call__`` (the
pre-forward check, before the embedding lookup) and ``GenerationMixin.generate``.
"""
from __future__ import annotations

import contextlib
import functools
import threading
import warnings
import weakref
from typing import Callable

from ..finding import Finding
from . import checks, provenance
from .report import HFLintError, HFLintWarning, render, user_location

_MISSING = object()
_lock = threading.RLock()
_active: list["watch"] = []
_patches: list[tuple] = []  # (owner class, attribute name, original __dict__ entry or _MISSING)
# pytest (and IPython's %tb) hide frames whose globals set this: a strict finding's traceback ends at the user's
# line, not inside these wrappers.
__tracebackhide__ = True

_tls = threading.local()

# Per-activation caches, cleared when the last watch exits.
_rows: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()  # model -> embedding rows (-1: none)
_pairs_checked: set = set()  # (id(model), id(tokenizer)) already checked for HF902
_owners: dict = {}  # id(input_ids tensor) -> (weakref to tensor, weakref to the tokenizer that made it)


class watch(contextlib.ContextDecorator):
    """Report runtime findings while active: ``HFLintWarning``, or ``HFLintError`` before the failing call when strict.

    ``findings`` holds what this watch saw (each finding once). Nesting, re-entry and use from several
    threads are safe; instrumentation is process-wide while any watch is active.
    """

    def __init__(self, strict: bool = False, unk_threshold: float = checks.DEFAULT_UNK_THRESHOLD,
                 warn: bool = True):
        self.strict = strict
        self.unk_threshold = unk_threshold
        self.warn = warn
        self.findings: list[Finding] = []
        self._seen: set = set()

    def __enter__(self) -> "watch":
        with _lock:
            if not _active:
                _install()
            _active.append(self)
        return self

    def __exit__(self, *exc) -> bool:
        with _lock:
            # remove the most recent entry of this watch (a watch may be entered more than once)
            for i in range(len(_active) - 1, -1, -1):
                if _active[i] is self:
                    del _active[i]
                    break
            if not _active:
                _uninstall()
        return False


def active() -> bool:
    return bool(_active)


def emit(finding: Finding, key=None) -> None:
    """Hand a finding to every active watch; raise it when one of them is strict, else warn once."""
    key = key or (finding.code, finding.message)
    with _lock:
        watchers = list(_active)
        new = False
        for w in watchers:
            if key not in w._seen:
                w._seen.add(key)
                w.findings.append(finding)
                new = True
    if not watchers:
        return
    if any(w.strict for w in watchers):
        raise HFLintError(render(finding), finding)
    if new and any(w.warn for w in watchers):
        warnings.warn_explicit(HFLintWarning(render(finding), finding), HFLintWarning,
                               finding.filename, finding.line or 0)


def _emit_all(findings) -> None:
    for f in findings:
        emit(f)


@contextlib.contextmanager
def _guarded():
    """Run hflint's own bookkeeping and checks; a bug in them must never break the code being watched."""
    try:
        yield
    except (HFLintError, HFLintWarning):  # findings (a warning when the user's filters make it an error)
        raise
    except Exception:  # pragma: no cover - defensive
        pass


@contextlib.contextmanager
def _flag(name: str):
    previous = getattr(_tls, name, False)
    setattr(_tls, name, True)
    try:
        yield previous
    finally:
        setattr(_tls, name, previous)


def unobserved():
    """Tokenizer calls inside this block are not measured (hflint's own calls)."""
    return _flag("tokenizing")


def _tokenizer_of(ids):
    """The tokenizer whose ``__call__`` produced this ``input_ids`` tensor, if it is still alive."""
    entry = _owners.get(id(ids))
    if entry is None or entry[0]() is not ids:
        return None
    return entry[1]()


def _remember_owner(ids, tokenizer) -> None:
    key = id(ids)
    try:
        ref = weakref.ref(ids, lambda _r, key=key: _owners.pop(key, None))
        _owners[key] = (ref, weakref.ref(tokenizer))
    except TypeError:
        pass


# --- wrappers ------------------------------------------------------------------------------------

def _wrap_model_from_pretrained(func: Callable) -> Callable:
    @functools.wraps(func)
    def from_pretrained(cls, *args, **kwargs):
        if getattr(_tls, "loading", False):
            return func(cls, *args, **kwargs)
        where = user_location(2)
        checkpoint = args[0] if args else kwargs.get("pretrained_model_name_or_path")
        config = kwargs.get("config")
        if config is not None and hasattr(config, "to_dict"):
            # before loading: a changed hidden size fails inside from_pretrained, so report it first
            with _guarded():
                _emit_all(checks.check_config(config, checkpoint, where))
        with _flag("loading"):
            result = func(cls, *args, **kwargs)
        model = result[0] if isinstance(result, tuple) else result
        with _guarded():
            provenance.record_load(model, checkpoint, where)
            config = getattr(model, "config", None)
            if config is not None:
                _emit_all(checks.check_config(config, checkpoint, where))
        return result

    return from_pretrained


def _wrap_record_load(func: Callable) -> Callable:
    @functools.wraps(func)
    def from_pretrained(cls, *args, **kwargs):
        if getattr(_tls, "loading", False):
            return func(cls, *args, **kwargs)
        where = user_location(2)
        with _flag("loading"):
            result = func(cls, *args, **kwargs)
        obj = result[0] if isinstance(result, tuple) else result
        with _guarded():
            provenance.record_load(obj, args[0] if args else kwargs.get("pretrained_model_name_or_path"), where)
        return result

    return from_pretrained


def _wrap_add(func: Callable) -> Callable:
    @functools.wraps(func)
    def add(self, *args, **kwargs):
        if getattr(_tls, "adding", False):  # add_special_tokens calls add_tokens
            return func(self, *args, **kwargs)
        before = None
        with _guarded():
            before = set(self.added_tokens_decoder)
        with _flag("adding"):
            result = func(self, *args, **kwargs)
        with _guarded():
            if before is None:
                return result
            decoder = self.added_tokens_decoder
            new = sorted(set(decoder) - before)
            if new:
                provenance.record_added(self, new, [str(decoder[i]) for i in new], user_location(2))
        return result

    return add


def _wrap_resize(func: Callable) -> Callable:
    @functools.wraps(func)
    def resize_token_embeddings(self, *args, **kwargs):
        result = func(self, *args, **kwargs)
        _rows.pop(self, None)
        with _guarded():
            provenance.record_resize(self, user_location(2))
        return result

    return resize_token_embeddings


def _wrap_tokenizer_call(func: Callable) -> Callable:
    @functools.wraps(func)
    def __call__(self, *args, **kwargs):
        enc = func(self, *args, **kwargs)
        if getattr(_tls, "tokenizing", False) or not _active:
            return enc
        with _flag("tokenizing"), _guarded():
            _after_tokenize(self, enc, args, kwargs)
        return enc

    return __call__


def _after_tokenize(tokenizer, enc, args, kwargs) -> None:
    try:
        ids = enc["input_ids"]
    except (KeyError, TypeError):
        return
    if hasattr(ids, "dim"):
        _remember_owner(ids, tokenizer)
    for f in checks.check_double_bos(tokenizer, ids, enc.get("attention_mask"), tokenizer, user_location(3)):
        emit(f, key=("HF909", id(tokenizer)))
    texts = kwargs.get("text", args[0] if args else None)
    if isinstance(texts, str):
        texts = [texts]
    if not isinstance(texts, (list, tuple)) or not texts or not all(isinstance(t, str) for t in texts):
        return  # pre-tokenized input or text pairs in another shape: nothing to measure cheaply
    if kwargs.get("is_split_into_words"):
        return
    threshold = _active[-1].unk_threshold if _active else checks.DEFAULT_UNK_THRESHOLD
    for f in checks.check_unknown_rate(tokenizer, ids, enc.get("attention_mask"), texts, threshold,
                                       user_location(3)):
        emit(f, key=("HF904", id(tokenizer)))


def _make_model_call(original: Callable, tensor_type: type, grad_enabled: Callable) -> Callable:
    def __call__(self, *args, **kwargs):
        if getattr(_tls, "forward", False):  # a submodel called from its parent's forward
            return original(self, *args, **kwargs)
        _tls.forward = True
        try:
            ids = kwargs.get("input_ids")
            if ids is None and args:
                ids = args[0]
            try:
                if isinstance(ids, tensor_type) and not ids.is_floating_point() and ids.numel():
                    _check_ids(self, ids)
                    if not getattr(_tls, "generating", False) and (_tokenizer_of(ids) if _owners else None) is None:
                        # ids tokenized outside the watch (generate checks its own prompt)
                        _emit_all(checks.check_double_bos(self, ids, kwargs.get("attention_mask"), None,
                                                          user_location(2)))
                if self.training and not grad_enabled():
                    _emit_all(checks.check_train_mode(self, user_location(2)))
                labels = kwargs.get("labels")
                if isinstance(labels, tensor_type):
                    mask = kwargs.get("decoder_attention_mask") if kwargs.get("decoder_input_ids") is not None \
                        else kwargs.get("attention_mask")
                    owner = _tokenizer_of(ids) if _owners and isinstance(ids, tensor_type) else None
                    _emit_all(checks.check_loss_on_padding(self, labels, mask, owner, user_location(2)))
            except (HFLintError, HFLintWarning):
                raise
            except Exception:  # pragma: no cover - a bug in hflint must not break the forward pass
                pass
            return original(self, *args, **kwargs)
        finally:
            _tls.forward = False

    return __call__


def _check_ids(model, ids) -> None:
    """The pre-forward check: one ``max()`` against the cached embedding row count."""
    rows = _rows.get(model)
    if rows is None:
        rows = checks.embedding_rows(model)
        rows = _rows[model] = -1 if rows is None else rows
    tokenizer = _tokenizer_of(ids) if _owners else None
    if tokenizer is not None and (id(model), id(tokenizer)) not in _pairs_checked:
        _pairs_checked.add((id(model), id(tokenizer)))
        _emit_all(checks.check_pairing(model, tokenizer, user_location(3)))
    if rows < 0 or int(ids.max()) < rows:
        return
    rows = checks.embedding_rows(model)  # the cache may predate a set_input_embeddings
    _rows[model] = rows
    if rows is not None and int(ids.max()) >= rows:
        bad = ids[ids >= rows].unique().tolist()
        emit(checks.out_of_range(model, bad, rows, tokenizer, user_location(3)))


def _wrap_generate(func: Callable) -> Callable:
    @functools.wraps(func)
    def generate(self, *args, **kwargs):
        if _active and not getattr(_tls, "forward", False):
            with _guarded():
                ids = kwargs.get("input_ids", kwargs.get("inputs", args[0] if args else None))
                tokenizer = _tokenizer_of(ids) if ids is not None else None
                _emit_all(checks.check_right_padding(self, kwargs.get("attention_mask"), tokenizer,
                                                     user_location(2)))
                _emit_all(checks.check_generate_without_mask(self, ids, kwargs.get("attention_mask"), tokenizer,
                                                             user_location(2), kwargs.get("pad_token_id")))
                if tokenizer is None and hasattr(ids, "dim"):
                    _emit_all(checks.check_double_bos(self, ids, kwargs.get("attention_mask"), None,
                                                      user_location(2), kwargs.get("pad_token_id")))
        with _flag("generating"):
            return func(self, *args, **kwargs)

    return generate


# --- install / uninstall -------------------------------------------------------------------------

def _patch(owner: type, name: str, make: Callable) -> None:
    original = owner.__dict__.get(name, _MISSING)
    if isinstance(original, classmethod):
        replacement = classmethod(make(original.__func__))
    elif original is _MISSING:
        replacement = make(getattr(owner, name))
    else:
        replacement = make(original)
    setattr(owner, name, replacement)
    _patches.append((owner, name, original))


def _config_base() -> type:
    import transformers

    return getattr(transformers, "PreTrainedConfig", None) or transformers.PretrainedConfig


def _install() -> None:
    import torch
    from transformers import PreTrainedModel
    from transformers.generation.utils import GenerationMixin
    from transformers.tokenization_utils_base import PreTrainedTokenizerBase

    try:
        _patch(PreTrainedModel, "from_pretrained", _wrap_model_from_pretrained)
        _patch(PreTrainedTokenizerBase, "from_pretrained", _wrap_record_load)
        _patch(_config_base(), "from_pretrained", _wrap_record_load)
        _patch(PreTrainedTokenizerBase, "add_tokens", _wrap_add)
        _patch(PreTrainedTokenizerBase, "add_special_tokens", _wrap_add)
        _patch(PreTrainedTokenizerBase, "__call__", _wrap_tokenizer_call)
        _patch(PreTrainedModel, "resize_token_embeddings", _wrap_resize)
        _patch(PreTrainedModel, "__call__",
               lambda original: _make_model_call(original, torch.Tensor, torch.is_grad_enabled))
        _patch(GenerationMixin, "generate", _wrap_generate)
    except BaseException:
        _uninstall()
        raise


def _uninstall() -> None:
    while _patches:
        owner, name, original = _patches.pop()
        if original is _MISSING:
            delattr(owner, name)
        else:
            setattr(owner, name, original)
    _rows.clear()
    _pairs_checked.clear()
    _owners.clear()


def patched() -> list[tuple[str, str]]:
    """The (class, attribute) pairs currently instrumented — empty when no watch is active."""
    with _lock:
        return [(owner.__name__, name) for owner, name, _ in _patches]
