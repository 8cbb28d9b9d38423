"""pytest plugin: ``--hf-verify[=strict]`` or ini ``hf_verify`` runs every test inside ``hflint.watch``.

Off (the default) it registers an option, an ini key and the ``hf_verify`` fixture, and nothing else:
``hflint.runtime``, ``transformers`` and ``torch`` are imported only once it is switched on.
"""
from __future__ import annotations

from typing import Optional

import pytest

_MODES = {"true": "on", "on": "on", "yes": "on", "1": "on", "strict": "strict",
          "false": None, "off": None, "no": None, "0": None, "": None}
_PLUGIN_NAME = "hflint-verify"


def pytest_addoption(parser) -> None:
    group = parser.getgroup("hflint", "hflint runtime verification")
    group.addoption("--hf-verify", nargs="?", const="true", default=None, dest="hf_verify", metavar="strict",
                    help="check transformers models and tokenizers while tests run (HF9xx); "
                         "=strict fails a test at the first finding")
    parser.addini("hf_verify", "hflint runtime verification around every test: true, false or strict",
                  default="false")


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(args) -> None:
    # A bare `--hf-verify tests/` must not take `tests/` as its value.
    for i, arg in enumerate(args[:-1]):
        if arg == "--hf-verify" and args[i + 1].lower() not in _MODES and not args[i + 1].startswith("-"):
            args[i] = "--hf-verify=true"


def _mode(config) -> Optional[str]:
    value = config.getoption("hf_verify", None)
    source = "--hf-verify"
    if value is None:
        value, source = config.getini("hf_verify"), "ini hf_verify"
    key = str(value).strip().lower()
    if key not in _MODES:
        raise pytest.UsageError(f"{source}: expected true, false or strict, got {value!r}")
    return _MODES[key]


def pytest_configure(config) -> None:
    mode = _mode(config)
    if mode:
        config.pluginmanager.register(_Verifier(strict=mode == "strict"), _PLUGIN_NAME)
        config.addinivalue_line("markers", "hf_verify_off: no hflint runtime verification for this test")


class _Verifier:
    """Active only with --hf-verify: one watch per test, findings in the report and the session summary."""

    def __init__(self, strict: bool):
        self.strict = strict
        self.watches: dict = {}  # nodeid -> watch of the running test
        self.reported: dict = {}  # nodeid -> findings already put in a report section
        self.results: list = []  # (nodeid, finding) for the summary

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item, nextitem):
        if item.get_closest_marker("hf_verify_off"):
            yield
            return
        from hflint.runtime import watch

        # warn=False: the plugin reports each finding itself, once (not again in pytest's warnings summary)
        w = self.watches[item.nodeid] = watch(strict=self.strict, warn=False)
        self.reported[item.nodeid] = 0
        with w:
            yield
        self.watches.pop(item.nodeid, None)
        self.reported.pop(item.nodeid, None)

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        yield
        w = self.watches.get(item.nodeid)
        if w is None:
            return
        new = w.findings[self.reported[item.nodeid]:]
        self.reported[item.nodeid] = len(w.findings)
        self.results.extend((item.nodeid, f) for f in new)  # printed once, in the session summary

    def pytest_terminal_summary(self, terminalreporter) -> None:
        mode = "strict" if self.strict else "on"
        if not self.results:
            terminalreporter.write_sep("=", f"hflint runtime verification ({mode}): no findings")
            return
        terminalreporter.write_sep("=", f"hflint runtime verification ({mode})")
        for nodeid, f in self.results:
            terminalreporter.write_line(f"{nodeid}: {_line(f)}")
        tests = len({nodeid for nodeid, _ in self.results})
        terminalreporter.write_line(f"{len(self.results)} runtime finding(s) in {tests} test(s)")


def _line(f) -> str:
    return str(f)


class HFVerify:
    """What the ``hf_verify`` fixture yields: the test's runtime findings so far, and ``verify``."""

    def __init__(self, watch=None, strict: bool = False):
        self._watch = watch
        self._own: list = []
        self.enabled = watch is not None
        self.strict = strict

    @property
    def findings(self) -> list:
        return list(self._watch.findings) if self._watch is not None else list(self._own)

    def verify(self, *args, **kwargs) -> list:
        """``hflint.verify``; with --hf-verify its findings join the test's (and fail it when strict)."""
        from hflint.runtime import verify

        found = verify(*args, **kwargs)
        if self._watch is None:
            self._own.extend(f for f in found if f not in self._own)
        return found


@pytest.fixture
def hf_verify(request) -> HFVerify:
    """The running test's hflint runtime findings and a ``verify`` callable."""
    verifier = request.config.pluginmanager.get_plugin(_PLUGIN_NAME)
    w = verifier.watches.get(request.node.nodeid) if verifier is not None else None
    return HFVerify(w, strict=bool(verifier and verifier.strict))
