"""Limits on what one import may inflate, and the bounded inflater that enforces them.

Archives and gzip files from the outside world can be bombs: a 2 MB zip can
hold 2 GiB of zeros, a few kilobytes of nested zips can hold terabytes, and
a zip's directory can list the same bytes thousands of times. Every member is
therefore inflated incrementally with a running count and refused the moment
it crosses a limit, never inflated whole before checking.

All limits can be changed through environment variables (whole numbers):

| variable | default | what it bounds |
| --- | --- | --- |
| ``LOADWATCH_MAX_FILE_MB`` | 200 | inflated size of one activity file, MB (10^6 bytes) |
| ``LOADWATCH_MAX_ARCHIVE_MB`` | 50000 | inflated activity files of one archive, all levels, MB |
| ``LOADWATCH_MAX_RATIO`` | 100 | inflated / compressed size, once a member passes 8 MB |
| ``LOADWATCH_MAX_MEMBERS`` | 200000 | entries of one zip (nested zips count their own) |
| ``LOADWATCH_MAX_ZIP_DEPTH`` | 8 | zips inside zips |
| ``LOADWATCH_FILE_SECONDS`` | 1.5 | seconds to read one file (3 s per MB when larger) |
"""

from __future__ import annotations

import os
import zlib
from dataclasses import dataclass

from loadwatch.errors import ActivityFileError, ValidationError

MB = 1_000_000
#: Inflate in steps of this many output bytes: the most a bomb costs before it is stopped.
_STEP = 1 << 20
_IN_STEP = 1 << 16


@dataclass(frozen=True, slots=True)
class Limits:
    """What one import may inflate and spend per file (bytes, seconds)."""

    max_file_bytes: int = 200 * MB
    max_archive_bytes: int = 50_000 * MB
    max_ratio: int = 100
    #: the ratio limit applies only past this many inflated bytes (small files compress well)
    ratio_floor_bytes: int = 8 * MB
    max_members: int = 200_000
    max_zip_depth: int = 8
    #: time budget of one file of up to 0.5 MB, seconds
    file_seconds: float = 1.5
    #: extra seconds per MB for larger files (a long, genuine recording takes longer)
    seconds_per_mb: float = 3.0

    @classmethod
    def from_env(cls) -> Limits:
        """The defaults, overridden by the ``LOADWATCH_MAX_*`` environment variables."""
        base = cls()

        def number(var: str, default: float, scale: int = 1) -> float:
            raw = os.environ.get(var, "")
            try:
                value = float(raw) if raw.strip() else default
            except ValueError:
                value = -1.0
            if not value > 0:
                raise ValidationError(f"{var} must be a positive number (got {raw!r})")
            return value * scale

        return cls(
            max_file_bytes=int(number("LOADWATCH_MAX_FILE_MB", base.max_file_bytes / MB, MB)),
            max_archive_bytes=int(
                number("LOADWATCH_MAX_ARCHIVE_MB", base.max_archive_bytes / MB, MB)
            ),
            max_ratio=int(number("LOADWATCH_MAX_RATIO", base.max_ratio)),
            max_members=int(number("LOADWATCH_MAX_MEMBERS", base.max_members)),
            max_zip_depth=int(number("LOADWATCH_MAX_ZIP_DEPTH", base.max_zip_depth)),
            file_seconds=number("LOADWATCH_FILE_SECONDS", base.file_seconds),
        )

    def budget_for(self, size: int) -> float:
        """Seconds one file of ``size`` bytes may take to read."""
        return max(self.file_seconds, self.seconds_per_mb * size / MB)


def megabytes(n: int) -> str:
    """``2147483648`` -> ``"2,147 MB"`` (for messages)."""
    return f"{n / MB:,.0f} MB" if n >= MB else f"{n:,} bytes"


def file_too_large(display: str, limits: Limits) -> ActivityFileError:
    return ActivityFileError(
        display,
        f"refused: inflates to more than {megabytes(limits.max_file_bytes)}, the limit for one "
        "activity file (LOADWATCH_MAX_FILE_MB)",
    )


def ratio_too_high(display: str, limits: Limits, ratio: float) -> ActivityFileError:
    return ActivityFileError(
        display,
        f"refused: compressed {ratio:,.0f} to 1, over the limit of {limits.max_ratio} to 1 "
        "for large members (a zip or gzip bomb; LOADWATCH_MAX_RATIO)",
    )


def inflate(
    data: bytes,
    display: str,
    limits: Limits,
    *,
    wbits: int = -15,
    size_limit: int | None = None,
) -> bytes:
    """Inflate a deflate (``wbits=-15``) or gzip (``wbits=31``) stream under ``limits``.

    Output grows one step at a time; the stream is refused as soon as it passes
    ``size_limit`` (default: the per-file limit) or, past the ratio floor, the
    compression-ratio limit. Concatenated gzip members are joined, as gzip does.
    Raises :class:`ActivityFileError` naming ``display`` for damage and for limits.
    """
    cap = limits.max_file_bytes if size_limit is None else min(size_limit, limits.max_file_bytes)
    out = bytearray()
    view = memoryview(data)
    pos = 0
    inflater = zlib.decompressobj(wbits)
    what = "gzip data" if wbits > 15 else "archive member"
    try:
        while True:
            tail = inflater.unconsumed_tail
            if tail:
                chunk: bytes | memoryview = tail
            elif pos < len(view):
                chunk = view[pos : pos + _IN_STEP]
                pos += len(chunk)
            elif not inflater.eof:
                raise ActivityFileError(display, f"damaged {what} (the stream is cut short)")
            else:
                break
            out += inflater.decompress(chunk, _STEP)
            if len(out) > cap:
                if size_limit is not None and size_limit < limits.max_file_bytes:
                    raise ActivityFileError(
                        display, f"damaged {what} (it inflates past its declared size)"
                    )
                raise file_too_large(display, limits)
            consumed = pos - len(inflater.unconsumed_tail)
            if len(out) > limits.ratio_floor_bytes and len(out) > limits.max_ratio * consumed:
                raise ratio_too_high(display, limits, len(out) / max(consumed, 1))
            if inflater.eof:
                rest = inflater.unused_data + bytes(view[pos:])
                if wbits > 15 and rest.strip(b"\x00"):
                    if rest[:2] != b"\x1f\x8b":
                        raise ActivityFileError(
                            display, f"damaged {what} (trailing garbage after the stream)"
                        )
                    # another gzip member follows: continue with a fresh inflater
                    view, pos = memoryview(rest), 0
                    inflater = zlib.decompressobj(wbits)
                    continue
                break
    except zlib.error as e:
        raise ActivityFileError(display, f"damaged {what} ({e})") from e
    return bytes(out)


def gunzip(data: bytes, display: str, limits: Limits) -> bytes:
    """Decompress gzip ``data`` under ``limits`` (see :func:`inflate`)."""
    return inflate(data, display, limits, wbits=31)
