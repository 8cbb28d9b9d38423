"""The transformers release the tests mean (see conftest.py), and a way to make package metadata report another."""
from __future__ import annotations

import os

TARGET = "5.24"  # the release the expected messages of rule examples and golden files were written for


def dist_info_version(version: tuple) -> str:
    """How package metadata spells the release the suite reports as installed."""
    return f"{version[0]}.{version[1]}.0"


def write_dist_info(folder, version: tuple) -> str:
    """``folder`` with only a ``transformers-X.Y.0.dist-info`` in it: first on ``sys.path`` (``PYTHONPATH``) it makes
    package metadata, and so hflint, report that release as installed. Returns the folder."""
    dist = os.path.join(str(folder), f"transformers-{dist_info_version(version)}.dist-info")
    os.makedirs(dist, exist_ok=True)
    with open(os.path.join(dist, "METADATA"), "w", encoding="utf-8") as fh:
        fh.write(f"Metadata-Version: 2.1\nName: transformers\nVersion: {dist_info_version(version)}\n")
    return str(folder)
