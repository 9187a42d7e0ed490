"""Activity file readers behind one entry point.

``read_activity_bytes(data, name)`` sniffs the format (FIT, GPX, TCX, each
optionally gzipped, names in any letter case) and returns a :class:`ReadResult`
holding normalised :class:`~loadwatch.model.ActivitySummary` objects. This
package never touches the database; the importer does that.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from loadwatch.errors import ActivityFileError, NotAnActivityFile, UnsupportedFormat
from loadwatch.ingest.limits import Limits, gunzip
from loadwatch.model import ActivitySummary

ACTIVITY_SUFFIXES = (".fit", ".gpx", ".tcx")


@dataclass(slots=True)
class ReadResult:
    """What one file gave: its format, its summaries and its content hash."""

    name: str
    format: str
    sha256: str
    summaries: list[ActivitySummary] = field(default_factory=list)
    #: non-fatal remarks (recovered data, ignored parts)
    notes: list[str] = field(default_factory=list)


def strip_gz(name: str) -> str:
    """``run.FIT.gz`` -> ``run.FIT``; other names unchanged."""
    return name[:-3] if name.lower().endswith(".gz") else name


def is_activity_name(name: str) -> bool:
    """True for names a reader handles (.fit/.gpx/.tcx, optionally .gz, any case)."""
    return strip_gz(name).lower().endswith(ACTIVITY_SUFFIXES)


def maybe_gunzip(data: bytes, name: str, limits: Limits | None = None) -> bytes:
    """Decompress gzip data (recognised by its magic bytes, whatever the name says).

    Inflated incrementally under ``limits`` (default: :meth:`Limits.from_env`),
    so a gzip bomb is refused by name instead of filling memory.
    """
    if data[:2] != b"\x1f\x8b":
        return data
    return gunzip(data, name, limits or Limits.from_env())


def sniff_format(data: bytes, name: str) -> str:
    """Return ``fit``, ``gpx`` or ``tcx`` for decompressed ``data``.

    The content decides; the file name is only a tie-breaker for XML whose
    root element is not recognisable in the first few kilobytes.
    """
    if not data:
        raise ActivityFileError(name, "the file is empty (0 bytes): download or copy it again")
    if len(data) >= 12 and data[8:12] == b".FIT":
        return "fit"
    head = data[:4096].lower()
    if _looks_like_html(head):
        raise ActivityFileError(
            name,
            "this is a web page (HTML), not an activity file: the browser saved the page "
            "instead of the file; download the activity again (e.g. the service's "
            "'Export original' link)",
        )
    if b"<gpx" in head:
        return "gpx"
    if b"<trainingcenterdatabase" in head:
        return "tcx"
    suffix = strip_gz(name).lower().rsplit(".", 1)[-1]
    if suffix == "fit":
        raise ActivityFileError(name, "not a FIT file: the header has no '.FIT' signature")
    if suffix in ("gpx", "tcx"):
        return suffix
    raise UnsupportedFormat(name, "not a FIT, GPX or TCX file")


def _looks_like_html(head: bytes) -> bool:
    """True for the start of an HTML page (lower-cased bytes), BOM and blanks allowed."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"<?xml"):  # XHTML still names its root after the declaration
        text = text[text.find(b"?>") + 2 :].lstrip()
    while text.startswith(b"<!--"):
        end = text.find(b"-->")
        if end < 0:
            return False
        text = text[end + 3 :].lstrip()
    return text.startswith((b"<!doctype html", b"<html", b"<head", b"<body"))


def check_times(summary: ActivitySummary) -> None:
    """Last line of the time-consistency pass, for every format: timer <= elapsed.

    Readers repair contradictions from their own evidence first; whatever
    still has a timer longer than the elapsed time (beyond 2 s of rounding)
    is capped, with a note.
    """
    if summary.timer_s <= summary.elapsed_s:
        return
    if summary.timer_s - summary.elapsed_s > 2.0:
        summary.notes.append(
            f"timer time {summary.timer_s:.0f} s is longer than elapsed time "
            f"{summary.elapsed_s:.0f} s: timer set to the elapsed time"
        )
    summary.timer_s = summary.elapsed_s


def read_activity_bytes(data: bytes, name: str, sha256: str | None = None) -> ReadResult:
    """Read one activity file given as bytes.

    ``sha256`` is the hex digest of the (un-gzipped) bytes when the caller has
    already computed it (the importer hashes every file once, to know it);
    otherwise it is computed here. Raises
    :class:`~loadwatch.errors.NotAnActivityFile` for readable files that hold
    no activity (skip them) and :class:`ActivityFileError` for files that
    cannot be read at all; both carry ``name`` and a human reason.
    """
    raw = maybe_gunzip(data, name)
    fmt = sniff_format(raw, name)
    sha = sha256 or hashlib.sha256(raw).hexdigest()
    if fmt == "fit":
        from loadwatch.ingest.fit import read_fit

        summaries = read_fit(raw, name)
    elif fmt == "gpx":
        from loadwatch.ingest.gpxstream import read_gpx_large

        summaries = read_gpx_large(raw, name)  # read_gpx, streamed when the file is large
    else:
        from loadwatch.ingest.tcx import read_tcx

        summaries = read_tcx(raw, name)
    if not summaries:
        raise NotAnActivityFile(name, "the file holds no activity")
    notes: list[str] = []
    for s in summaries:
        s.source_sha256 = sha
        s.source_format = fmt
        check_times(s)
        if s.avg_hr is not None and "hr" not in s.channels:
            s.channels = ("hr", *s.channels)
        notes.extend(n for n in s.notes if n not in notes)
    return ReadResult(name=name, format=fmt, sha256=sha, summaries=summaries, notes=notes)


def read_activity_file(path: str | Path) -> ReadResult:
    """Read one activity file from disk (see :func:`read_activity_bytes`)."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as e:
        raise ActivityFileError(str(p), f"cannot read the file ({e.strerror or e})") from e
    return read_activity_bytes(data, str(p))
