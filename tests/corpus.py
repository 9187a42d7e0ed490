"""The shared test data beside the repository: the extended corpus lane.

``../shared/realworld`` (real-world activity files, described by its
MANIFEST.tsv) and ``../shared/reference`` (reference values from independent
implementations) are not part of the repository. ``LOADWATCH_SHARED`` names
another folder holding both.

Tests that read them carry the ``corpus`` marker (parametrised cases get it
from their params). When the folder is absent, ``tests/conftest.py``
deselects them and says so in one line; ``--require-corpus`` (passed by
``.ci/run``) turns the absence into an error instead.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED = Path(os.environ.get("LOADWATCH_SHARED") or Path(__file__).resolve().parents[2] / "shared")
#: The real-world activity files; MANIFEST.tsv describes each one.
REALWORLD = SHARED / "realworld"
#: Reference values computed by independent implementations.
REFERENCE = SHARED / "reference"

#: What the corpus lane needs, and how to tell it is there.
_NEEDED = (REALWORLD / "MANIFEST.tsv", REFERENCE / "acwr")


def missing() -> str | None:
    """Why the corpus lane cannot run (None when everything it needs is there)."""
    absent = [str(p) for p in _NEEDED if not p.exists()]
    if not absent:
        return None
    return "shared test data not found: " + ", ".join(absent)


def need_corpus() -> None:
    """Fail a test that reads the corpus without it (it lacks the ``corpus`` marker)."""
    reason = missing()
    if reason is not None:
        pytest.fail(f"{reason}; a test that reads it must carry @pytest.mark.corpus")


def need_shared(folder: Path, what: str) -> None:
    """Like :func:`need_corpus`, for one folder of the shared data."""
    if not folder.is_dir():
        pytest.fail(f"{what} not found at {folder}; the test must carry @pytest.mark.corpus")


def manifest_rows(prefix: str) -> list[dict[str, str]]:
    """MANIFEST.tsv rows whose ``relpath`` starts with ``prefix`` ([] when the corpus is absent)."""
    manifest = REALWORLD / "MANIFEST.tsv"
    if not manifest.is_file():
        return []
    lines = manifest.read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    rows = [dict(zip(header, line.split("\t"), strict=True)) for line in lines[1:] if line]
    return [r for r in rows if r["relpath"].startswith(prefix)]


def params(values: list[object], ids: list[str]) -> list[object]:
    """Corpus-marked pytest params, or one marked placeholder when the corpus is absent.

    The placeholder keeps the test visible in the collection (and deselected
    with the rest of the lane) instead of becoming an empty-parameter skip.
    """
    if not values:
        return [pytest.param(None, id="corpus-missing", marks=pytest.mark.corpus)]
    marked = pytest.mark.corpus
    return [pytest.param(v, id=i, marks=marked) for v, i in zip(values, ids, strict=True)]
