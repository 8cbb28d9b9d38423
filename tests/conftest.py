"""The transformers release the suite runs against, whatever is really installed.

The HF5xx rules follow the target release, and without one they follow the installed ``transformers``. A suite that
took the installed release as given would start failing, with no code change, the day a newer release is
published and CI installs it. So:

* tests that mean a release say so (``Settings(target_transformers=TARGET)``, ``--target-transformers``,
  ``--hflint-target-transformers``), and
* the installed release is *reported* as ``--installed-transformers`` (or ``$HFLINT_TESTS_INSTALLED_TRANSFORMERS``,
  default ``TARGET``): in this process through ``hflint.knowledge.api.installed_version``, in every subprocess the
  suite starts (the CLI, flake8, pytest) through a ``transformers`` dist-info first on ``PYTHONPATH``, which is what
  package metadata, and so hflint, reads. The modules imported are still the installed ones.

``python -m pytest --installed-transformers 5.25`` runs the whole suite as if a release newer than the bundled
knowledge were installed.
"""
from __future__ import annotations

import os

import pytest
from release import TARGET, write_dist_info

_ENV = "HFLINT_TESTS_INSTALLED_TRANSFORMERS"


def pytest_addoption(parser) -> None:
    parser.addoption("--installed-transformers", default=os.environ.get(_ENV) or TARGET, metavar="X.Y",
                     help=f"report the installed transformers as this release (default ${_ENV} or {TARGET})")


def _parse(text: str) -> tuple:
    from hflint.knowledge.api import parse_version

    try:
        return parse_version(text)
    except ValueError:
        raise pytest.UsageError(f"--installed-transformers: expected a release such as 5.25, got {text!r}") from None


@pytest.fixture(scope="session", autouse=True)
def _private_knowledge_cache(tmp_path_factory):
    """Knowledge extracted from a release newer than the bundled tables is cached per release: the suite keeps its
    own cache (for this process and every subprocess) instead of writing into the user's."""
    old = os.environ.get("HFLINT_CACHE_DIR")
    os.environ["HFLINT_CACHE_DIR"] = str(tmp_path_factory.mktemp("hflint-cache"))
    yield
    if old is None:
        os.environ.pop("HFLINT_CACHE_DIR", None)
    else:
        os.environ["HFLINT_CACHE_DIR"] = old


@pytest.fixture(scope="session")
def installed_transformers(request, tmp_path_factory) -> tuple:
    """The ``(major, minor)`` release reported as installed; subprocesses see it through ``PYTHONPATH``."""
    version = _parse(request.config.getoption("installed_transformers"))
    folder = write_dist_info(tmp_path_factory.mktemp("installed-transformers"), version)
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [folder, old]))
    yield version
    if old is None:
        os.environ.pop("PYTHONPATH", None)
    else:
        os.environ["PYTHONPATH"] = old


@pytest.fixture(autouse=True)
def _report_installed_transformers(installed_transformers, monkeypatch):
    from hflint.knowledge import api

    real = api.installed_version

    def reported():
        real()  # keep what the real lookup does (and does not do: import transformers) part of every test
        return installed_transformers

    monkeypatch.setattr(api, "installed_version", reported)
