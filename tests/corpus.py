"""The shared test files beside the repository (``../shared``, as laid out in CI).

Tests that read them call :func:`need_shared` (or :func:`need_corpus`) first:
when the folder is absent they skip with the reason, except under CI (the
environment variable ``CI`` set), where a missing folder is a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"
#: The real-world activity files; MANIFEST.tsv describes each one.
REALWORLD = SHARED / "realworld"


def need_shared(folder: Path, what: str) -> None:
    """Skip (or, under CI, fail) when ``folder`` is not there."""
    if folder.is_dir():
        return
    msg = f"{what} not found at {folder} (expected beside the repository)"
    if os.environ.get("CI"):
        pytest.fail(msg)
    pytest.skip(msg)


def need_corpus() -> None:
    """Skip (or, under CI, fail) when the real-world corpus is not beside the repository."""
    need_shared(REALWORLD, "real-world corpus")


def manifest_rows(prefix: str) -> list[dict[str, str]]:
    """MANIFEST.tsv rows whose ``relpath`` starts with ``prefix`` ([] when the corpus is absent)."""
    manifest = REALWORLD / "MANIFEST.tsv"
    if not manifest.is_file():
        return []
    lines = manifest.read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    rows = [dict(zip(header, line.split("\t"), strict=True)) for line in lines[1:] if line]
    return [r for r in rows if r["relpath"].startswith(prefix)]
