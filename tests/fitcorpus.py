"""FIT test corpus helpers: where the files are, and what fitparse says about them.

Two sets of files: the shared real-world corpus beside the repository
(``../shared/realworld``, listed in its MANIFEST.tsv; located by :mod:`corpus`;
its tests form the ``corpus`` lane)
and the copied subset in ``tests/data/fit`` (always present). fitparse,
decoding with its CRC check on and no help from loadwatch, is the independent
reference for session values.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import corpus
import pytest
from corpus import REALWORLD, need_corpus

LOCAL = Path(__file__).resolve().parent / "data" / "fit"

#: Files whose reference decode takes several seconds (fitparse runs ~0.3 s per 100 KB).
SLOW_BYTES = 400_000


def manifest_rows() -> list[dict[str, str]]:
    """MANIFEST.tsv rows of the shared corpus's FIT files ([] when it is absent)."""
    return corpus.manifest_rows("fit/")


def corpus_params() -> list[Any]:
    """One corpus-marked param per shared FIT file (also slow-marked when large).

    When the corpus is absent: one corpus-marked placeholder, deselected with
    the rest of the lane.
    """
    params = []
    for row in manifest_rows():
        marks = [pytest.mark.corpus]
        if int(row["bytes"]) > SLOW_BYTES:
            marks.append(pytest.mark.slow)
        params.append(pytest.param(row["relpath"], id=row["relpath"], marks=marks))
    return params or [pytest.param(None, id="corpus-missing", marks=pytest.mark.corpus)]


def local_params() -> list[Any]:
    """One pytest param per copied FIT file."""
    return [pytest.param(p.name, id=p.name) for p in sorted(LOCAL.glob("*.fit"))]


def corpus_bytes(relpath: str | None) -> bytes:
    """Bytes of a shared corpus file (a test calling this must carry the ``corpus`` marker)."""
    need_corpus()
    assert relpath is not None
    return (REALWORLD / relpath).read_bytes()


def local_bytes(name: str) -> bytes:
    return (LOCAL / name).read_bytes()


@dataclass(frozen=True)
class RefSession:
    """Session values as fitparse decodes them (scaled, ``None`` when invalid)."""

    start_time: Any
    sport: Any
    total_distance: float | None
    total_timer_time: float | None
    total_elapsed_time: float | None


@dataclass(frozen=True)
class Reference:
    """fitparse's reading of a file: ``error`` is set when it could not decode it cleanly."""

    error: str | None
    file_types: tuple[Any, ...]
    sessions: tuple[RefSession, ...]
    activity_offsets: tuple[float, ...]


@lru_cache(maxsize=256)
def fitparse_reference(data: bytes) -> Reference:
    """Decode ``data`` with plain fitparse (CRC checked); never raises."""
    import fitparse
    import fitparse.records

    fitparse.records.DEV_TYPES.clear()  # fitparse shares these between files
    types: list[Any] = []
    sessions: list[RefSession] = []
    offsets: list[float] = []
    try:
        for m in fitparse.FitFile(data, check_crc=True).get_messages():
            if m.name == "file_id":
                types.append(m.get_value("type"))
            elif m.name == "session":
                sessions.append(
                    RefSession(
                        start_time=m.get_value("start_time"),
                        sport=m.get_value("sport"),
                        total_distance=m.get_value("total_distance"),
                        total_timer_time=m.get_value("total_timer_time"),
                        total_elapsed_time=m.get_value("total_elapsed_time"),
                    )
                )
            elif m.name == "activity":
                ts, local = m.get_value("timestamp"), m.get_value("local_timestamp")
                if hasattr(ts, "year") and hasattr(local, "year"):
                    offsets.append((local - ts).total_seconds())
    except Exception as e:  # the reference reports its failure instead of raising
        return Reference(f"{type(e).__name__}: {e}", tuple(types), tuple(sessions), ())
    return Reference(None, tuple(types), tuple(sessions), tuple(offsets))
