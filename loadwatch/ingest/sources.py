"""Find activity files in what the user hands over: files, folders and archives.

Archives are read in place: members are streamed out of the zip one at a
time (nested zips included, at any depth), never unpacked whole to disk or
memory. Each member becomes a :class:`Member` whose bytes are read only when
the importer asks for them, so memory stays flat however large the archive.

The layout of an export is detected, not flagged:

- Garmin Connect "export your data": ``DI_CONNECT/.../UploadedFiles_*.zip``
  (nested zips of the uploaded files) and ``*_summarizedActivities.json``;
- Strava bulk export: ``activities.csv`` and ``activities/<id>.fit.gz`` etc.;
- anything else: every activity file inside.
"""

from __future__ import annotations

import bisect
import csv
import io
import json
import os
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import IO, Any, cast

from loadwatch.errors import ActivityFileError
from loadwatch.ingest import is_activity_name
from loadwatch.ingest.limits import Limits, file_too_large, inflate, megabytes, ratio_too_high
from loadwatch.ingest.strava_columns import match_columns, parse_rpe
from loadwatch.ingest.wellness import wellness_kind
from loadwatch.model import normalise_sport

#: A zip inside a zip deeper than this is refused (a zip bomb, not an export).
MAX_ZIP_DEPTH = Limits().max_zip_depth


@dataclass(slots=True)
class Hint:
    """What an export's own index says about one of its files."""

    name: str | None = None
    sport: str | None = None
    sub_sport: str | None = None
    rpe: float | None = None  # Strava's Perceived Exertion (CR-10, 1-10)


@dataclass(frozen=True, slots=True)
class Payload:
    """A file's bytes as stored: plain, or a zip member still compressed.

    Shipping members compressed lets the worker processes, not the process
    walking the archive, pay for inflating them. ``size`` is the inflated size
    the archive declares (None for plain files).
    """

    data: bytes
    method: int = zipfile.ZIP_STORED
    crc: int | None = None
    size: int | None = None

    def inflate(self, display: str, limits: Limits | None = None) -> bytes:
        """The member's bytes, CRC-checked; ActivityFileError when damaged or over a limit."""
        limits = limits or Limits.from_env()
        data = self.data
        if self.method == zipfile.ZIP_DEFLATED:
            data = inflate(data, display, limits, size_limit=self.size)
        elif len(data) > limits.max_file_bytes:
            raise file_too_large(display, limits)
        if self.size is not None and len(data) != self.size:
            raise ActivityFileError(display, "damaged archive member (size differs from header)")
        if self.crc is not None and zlib.crc32(data) != self.crc:
            raise ActivityFileError(display, "damaged archive member (CRC mismatch)")
        return data


@dataclass(slots=True)
class Member:
    """One activity file: a path on disk or a member of a (nested) archive."""

    display: str  # how the user knows it, e.g. "export.zip!DI_CONNECT/.../123.fit"
    size: int
    fetch: Callable[[], Payload]
    hint: Hint | None = None

    def read(self, limits: Limits | None = None) -> bytes:
        """The file's bytes (inflated)."""
        return self.fetch().inflate(self.display, limits)


@dataclass(slots=True)
class ExpectedActivity:
    """An activity an export's index lists; used to report what no file provided."""

    source: str  # "garmin summary" | "strava csv"
    ident: str
    start_utc: datetime | None
    distance_m: float | None
    name: str | None
    sport: str | None
    reason: str = ""


@dataclass(slots=True)
class ArchiveScan:
    """The activity files found in one archive, and what its index expected."""

    path: Path
    layout: str  # garmin | strava | generic
    members: list[Member] = field(default_factory=list)
    expected: list[ExpectedActivity] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (display, reason)
    #: Garmin wellness JSON files (sleep, daily summaries, health status), any folder
    wellness: list[Member] = field(default_factory=list)
    #: Strava activities.csv: canonical column -> header text it was recognised by
    columns: dict[str, str] = field(default_factory=dict)
    #: inflated bytes of the members accepted so far (declared sizes)
    declared_bytes: int = 0
    _handles: list[zipfile.ZipFile] = field(default_factory=list, repr=False)

    def close(self) -> None:
        for zf in reversed(self._handles):
            zf.close()
        self._handles.clear()


def is_zip_name(name: str) -> bool:
    return name.lower().endswith(".zip")


def iter_paths(paths: list[Path]) -> Iterator[Path]:
    """Every file under ``paths`` (folders walked recursively, sorted, hidden files skipped)."""
    for p in paths:
        if p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for f in sorted(files):
                    if not f.startswith("."):
                        yield Path(root) / f
        else:
            yield p


def file_member(path: Path, limits: Limits | None = None) -> Member:
    """A plain file on disk as a member (refused unread when over the per-file limit)."""

    def fetch() -> Payload:
        lim = limits or Limits.from_env()
        try:
            if path.stat().st_size > lim.max_file_bytes:
                raise file_too_large(str(path), lim)
            return Payload(path.read_bytes())
        except OSError as e:
            raise ActivityFileError(str(path), f"cannot read the file ({e.strerror or e})") from e

    try:
        size = path.stat().st_size
    except OSError:
        size = 0
    return Member(str(path), size, fetch)


def _unreadable_zip_reason(path: Path, error: Exception) -> str:
    """Why a zip cannot be read, in the user's terms: an empty file, a cut-off download
    (local headers but no central directory at the end), or not a zip at all."""
    try:
        with path.open("rb") as fh:
            head = fh.read(4)
    except OSError:
        head = b""
    if head == b"":
        return "the file is empty (0 bytes)"
    if head == b"PK\x03\x04" and isinstance(error, zipfile.BadZipFile):
        return (
            "the archive is incomplete (no central directory at its end): the download "
            "was probably cut off; download it again"
        )
    return f"not a readable zip archive ({error})"


def scan_archive(path: Path, limits: Limits | None = None) -> ArchiveScan:
    """List the activity files of a zip (nested zips included) and its export index.

    Raises :class:`ActivityFileError` when the file is not a readable zip, or
    when its entries break a limit (too many, overlapping bytes). Problems with
    single members (a damaged nested zip, an unreadable index, a member over a
    limit) are collected in ``problems`` and do not stop the scan; nothing of a
    refused member is inflated.
    """
    limits = limits or Limits.from_env()
    try:
        outer = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as e:
        raise ActivityFileError(str(path), _unreadable_zip_reason(path, e)) from e
    problem = entry_problem(outer, limits)
    if problem is not None:
        outer.close()
        raise ActivityFileError(str(path), problem)
    names = outer.namelist()
    scan = ArchiveScan(path=path, layout=detect_layout(names))
    scan._handles.append(outer)
    hints: dict[str, Hint] = {}
    if scan.layout == "strava":
        hints, scan.expected, scan.columns = _strava_index(outer, names, str(path), scan.problems)
    elif scan.layout == "garmin":
        scan.expected = _garmin_index(outer, names, str(path), scan.problems)
    _collect(outer, str(path), scan, hints, 1, limits)
    if scan.layout == "strava":
        present = {m.display.split("!", 1)[1] for m in scan.members}
        for exp in scan.expected:
            if exp.reason == "" and exp.ident not in present:
                exp.reason = f"activities.csv names {exp.ident}, which is not in the archive"
    return scan


def detect_layout(names: list[str]) -> str:
    lowered = [n.lower() for n in names]
    if any("di_connect/" in n or n.endswith("summarizedactivities.json") for n in lowered):
        return "garmin"
    if any(n == "activities.csv" or n.endswith("/activities.csv") for n in lowered) and any(
        "activities/" in n for n in lowered
    ):
        return "strava"
    return "generic"


def entry_problem(zf: zipfile.ZipFile, limits: Limits) -> str | None:
    """Why a zip's directory is refused as a whole (too many or overlapping entries), or None.

    Every entry owns the bytes from its local header to the end of its data;
    honest zip writers never let two entries share bytes, zip bombs do (the
    same compressed block listed thousands of times).
    """
    infos = zf.infolist()
    if len(infos) > limits.max_members:
        return (
            f"refused: {len(infos):,} entries, over the limit of {limits.max_members:,} "
            "(LOADWATCH_MAX_MEMBERS)"
        )
    spans = sorted(
        (i.header_offset, i.header_offset + _LOCAL_HEADER.size + len(i.filename) + i.compress_size)
        for i in infos
    )
    overlapping = sum(1 for (_, end), (start, _) in pairwise(spans) if start < end)
    if overlapping:
        return (
            f"refused: {overlapping + 1:,} entries share the same bytes "
            "(overlapping entries: a zip bomb, not an export)"
        )
    return None


def _member_problem(info: zipfile.ZipInfo, limits: Limits, room: int) -> str | None:
    """Why one member is refused before anything of it is inflated, or None."""
    size, packed = info.file_size, info.compress_size
    if size > limits.max_file_bytes and not is_zip_name(info.filename):
        return (
            f"refused: {megabytes(size)} inflated, over the limit of "
            f"{megabytes(limits.max_file_bytes)} for one activity file (LOADWATCH_MAX_FILE_MB)"
        )
    if size > room:
        return (
            f"refused: the archive's activity files pass {megabytes(limits.max_archive_bytes)} "
            "inflated (LOADWATCH_MAX_ARCHIVE_MB)"
        )
    if size > limits.ratio_floor_bytes and size > limits.max_ratio * max(packed, 1):
        return ratio_too_high("", limits, size / max(packed, 1)).reason
    return None


def _collect(
    zf: zipfile.ZipFile,
    prefix: str,
    scan: ArchiveScan,
    hints: dict[str, Hint],
    depth: int,
    limits: Limits,
) -> None:
    for info in zf.infolist():
        if info.is_dir():
            continue
        name = info.filename
        display = f"{prefix}!{name}"
        base = name.rsplit("/", 1)[-1]
        if base.startswith(".") or "__MACOSX/" in name:
            continue
        nested = is_zip_name(name)
        activity = not nested and is_activity_name(name)
        wellness = not nested and not activity and wellness_kind(base) is not None
        if not (nested or activity or wellness):
            continue
        problem = _member_problem(info, limits, limits.max_archive_bytes - scan.declared_bytes)
        if problem is not None:
            scan.problems.append((display, problem))
            continue
        if nested:
            if depth >= limits.max_zip_depth:
                scan.problems.append(
                    (display, f"zip nested deeper than {limits.max_zip_depth} levels")
                )
                continue
            try:
                # the nested zip is read in place: its directory first, then each
                # member on demand (see NestedZipStream)
                inner = zipfile.ZipFile(_open_nested(zf, info))
            except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError) as e:
                scan.problems.append((display, f"damaged nested zip ({e})"))
                continue
            except zlib.error as e:
                scan.problems.append((display, f"damaged nested zip ({e})"))
                continue
            problem = entry_problem(inner, limits)
            if problem is not None:
                scan.problems.append((display, problem))
                inner.close()
                continue
            scan._handles.append(inner)
            _collect(inner, display, scan, hints, depth + 1, limits)
        else:
            scan.declared_bytes += info.file_size
            fetch = _reader(zf, info, display, limits)
            if wellness:
                scan.wellness.append(Member(display, info.file_size, fetch))
            else:
                scan.members.append(Member(display, info.file_size, fetch, hints.get(name)))


def _reader(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, display: str, limits: Limits
) -> Callable[[], Payload]:
    """Fetch a member's stored bytes without inflating them (zipfile inflates otherwise).

    Stored and deflated members (what Garmin and Strava write) are read raw from
    behind their local header; anything else (encrypted, bzip2, lzma) goes
    through zipfile itself, in steps, refused as soon as it passes the limits.
    """

    def fetch() -> Payload:
        try:
            if _readable_raw(zf, info):
                if info.compress_size > limits.max_file_bytes:
                    raise file_too_large(display, limits)
                fp = zf.fp
                assert fp is not None  # _readable_raw checked it
                fp.seek(_data_start(fp, info))
                data = fp.read(info.compress_size)
                if len(data) != info.compress_size:
                    raise zipfile.BadZipFile("member data is cut short")
                return Payload(data, info.compress_type, info.CRC, info.file_size)
            return Payload(_read_bounded(zf, info, display, limits))
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError) as e:
            raise ActivityFileError(display, f"damaged archive member ({e})") from e
        except zlib.error as e:
            raise ActivityFileError(display, f"damaged archive member ({e})") from e

    return fetch


def _read_bounded(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, display: str, limits: Limits
) -> bytes:
    """Read a member through zipfile one step at a time, refusing it past the limits."""
    out = bytearray()
    with zf.open(info) as stream:
        while block := stream.read(1 << 20):
            out += block
            if len(out) > limits.max_file_bytes:
                raise file_too_large(display, limits)
            packed = max(info.compress_size, 1)
            if len(out) > limits.ratio_floor_bytes and len(out) > limits.max_ratio * packed:
                raise ratio_too_high(display, limits, len(out) / packed)
    return bytes(out)


_RAW_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
#: signature, version, flags, method, time, date, crc, sizes, name and extra lengths
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")


def _readable_raw(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Whether a member's stored bytes can be read straight from the archive file."""
    return info.compress_type in _RAW_METHODS and not info.flag_bits & 0x1 and zf.fp is not None


def _data_start(fp: IO[bytes], info: zipfile.ZipInfo) -> int:
    """Offset of a member's stored bytes: behind its local header (whose name and extra
    field lengths may differ from the central directory's)."""
    fp.seek(info.header_offset)
    header = fp.read(_LOCAL_HEADER.size)
    if len(header) != _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
        raise zipfile.BadZipFile("bad local file header")
    name_len, extra_len = _LOCAL_HEADER.unpack(header)[-2:]
    return int(info.header_offset + _LOCAL_HEADER.size + name_len + extra_len)


def _open_nested(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> IO[bytes]:
    """A nested zip member as a seekable stream, for :class:`zipfile.ZipFile` to read in place."""
    if _readable_raw(zf, info):
        assert zf.fp is not None
        start = _data_start(zf.fp, info)
        stream = NestedZipStream(
            zf.fp, start, info.compress_size, info.file_size, info.compress_type
        )
        return cast(IO[bytes], stream)
    return zf.open(info)  # encrypted, bzip2, lzma: zipfile's own (slow to seek back) stream


class NestedZipStream(io.RawIOBase):
    """A stored or deflated zip member (a zip itself) as a seekable, read-only stream.

    zipfile's own member stream seeks backwards by inflating again from the
    member's first byte, and reading a zip seeks backwards several times (the
    directory is at the end, the members start at the beginning): a nested
    export zip of 60 MB was inflated four to five times just to be listed and read.
    Here the inflater's state is saved every ``spacing`` bytes of output, so a
    backward seek inflates at most that much again. Reads stop at the declared
    ``size``; a stream that ends before it raises :class:`EOFError`. The nested
    zip's own directory and every member's CRC-32 are still checked when read.

    ``fp`` may be shared with other readers: every read seeks it first.
    """

    #: bytes of output per inflate step
    BLOCK = 1 << 18
    #: compressed bytes read from ``fp`` per step
    CHUNK = 1 << 16

    def __init__(
        self,
        fp: IO[bytes],
        start: int,
        packed: int,
        size: int,
        method: int = zipfile.ZIP_DEFLATED,
        spacing: int = 8 << 20,
    ) -> None:
        super().__init__()
        self._fp, self._start, self._packed, self._size = fp, start, packed, size
        self._deflated = method == zipfile.ZIP_DEFLATED
        self._spacing = spacing
        self._pos = 0  # where the next read starts
        self._block, self._block_at = b"", 0  # the latest output and its offset
        self._prev, self._prev_at = b"", 0  # the output before it (short seeks back)
        self._d = zlib.decompressobj(-zlib.MAX_WBITS)
        self._in, self._tail, self._out = 0, b"", 0  # inflater: input used, unused input, output
        self._saved: list[tuple[int, int, bytes, Any]] = [(0, 0, b"", self._d.copy())]

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        if base + offset < 0:
            raise ValueError("negative seek position")
        self._pos = base + offset
        return self._pos

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def read(self, n: int | None = -1) -> bytes:
        left = self._size - self._pos if n is None or n < 0 else min(n, self._size - self._pos)
        if not self._deflated:
            self._fp.seek(self._start + self._pos)
            data = self._fp.read(max(left, 0))
            self._pos += len(data)
            return data
        parts = []
        while left > 0:
            if self._prev_at <= self._pos < self._prev_at + len(self._prev):
                block, at = self._prev, self._prev_at
            else:
                if not self._block_at <= self._pos < self._block_at + len(self._block):
                    self._move_to(self._pos)
                block, at = self._block, self._block_at
            piece = block[self._pos - at :][:left]
            parts.append(piece)
            self._pos += len(piece)
            left -= len(piece)
        return b"".join(parts)

    def _move_to(self, pos: int) -> None:
        """Inflate until the latest block holds ``pos`` (from a saved state if behind)."""
        if pos < self._out:
            at = bisect.bisect_right([s[0] for s in self._saved], pos) - 1
            self._out, self._in, self._tail, saved = self._saved[at]
            self._d = saved.copy()
            self._block = b""
        while True:
            if self._out >= self._saved[-1][0] + self._spacing:
                self._saved.append((self._out, self._in, self._tail, self._d.copy()))
            block = self._inflate_step()
            self._prev, self._prev_at = self._block, self._block_at
            self._block, self._block_at = block, self._out
            self._out += len(block)
            if pos < self._out:
                return

    def _inflate_step(self) -> bytes:
        while not self._d.eof:
            data = self._tail
            if not data and self._in < self._packed:
                self._fp.seek(self._start + self._in)
                data = self._fp.read(min(self.CHUNK, self._packed - self._in))
                self._in += len(data)
            out = self._d.decompress(data, self.BLOCK)
            self._tail = self._d.unconsumed_tail
            if out:
                return out
            if not data:
                break
        raise EOFError("the nested zip ends before its declared size")


def _read_index(zf: zipfile.ZipFile, name: str, prefix: str) -> bytes:
    """An export's index file, read under the same limits as an activity file."""
    return _read_bounded(zf, zf.getinfo(name), f"{prefix}!{name}", Limits.from_env())


def _strava_index(
    zf: zipfile.ZipFile, names: list[str], prefix: str, problems: list[tuple[str, str]]
) -> tuple[dict[str, Hint], list[ExpectedActivity], dict[str, str]]:
    csv_name = next(n for n in names if n.lower().rsplit("/", 1)[-1] == "activities.csv")
    root = csv_name[: -len("activities.csv")]
    hints: dict[str, Hint] = {}
    expected: list[ExpectedActivity] = []
    try:
        text = _read_index(zf, csv_name, prefix).decode("utf-8-sig", errors="replace")
    except (zipfile.BadZipFile, OSError, RuntimeError, ActivityFileError) as e:
        problems.append((f"{prefix}!{csv_name}", f"unreadable activities.csv ({e})"))
        return hints, expected, {}
    # Rows are read by position: the header repeats names and is localised
    # (see loadwatch.ingest.strava_columns).
    reader = csv.reader(io.StringIO(text))
    cols = match_columns(next(reader, []))
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        filename = cols.get(row, "filename")
        name = cols.get(row, "activity_name") or None
        sport_raw = cols.get(row, "activity_type") or None
        sport, sub = normalise_sport(sport_raw) if sport_raw else (None, None)
        ident = f"{root}{filename}" if filename else cols.get(row, "activity_id") or "?"
        if filename:
            rpe = parse_rpe(cols.get(row, "perceived_exertion"))
            hints[ident] = Hint(name=name, sport=sport, sub_sport=sub, rpe=rpe)
        expected.append(
            ExpectedActivity(
                source="strava csv",
                ident=ident,
                start_utc=_strava_date(cols.get(row, "activity_date")),
                distance_m=None,
                name=name,
                sport=sport,
                reason=""
                if filename
                else "listed in activities.csv without a file (a manual entry?)",
            )
        )
    return hints, expected, cols.recognised()


def _strava_date(text: str) -> datetime | None:
    for fmt in ("%b %d, %Y, %I:%M:%S %p", "%Y-%m-%d %H:%M:%S", "%d %b %Y, %H:%M:%S"):
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def _garmin_index(
    zf: zipfile.ZipFile, names: list[str], prefix: str, problems: list[tuple[str, str]]
) -> list[ExpectedActivity]:
    expected: list[ExpectedActivity] = []
    for n in names:
        if not n.lower().endswith("summarizedactivities.json"):
            continue
        try:
            data: Any = json.loads(_read_index(zf, n, prefix))
        except (ValueError, zipfile.BadZipFile, OSError, RuntimeError, ActivityFileError) as e:
            problems.append((f"{prefix}!{n}", f"unreadable activity summary ({e})"))
            continue
        blocks = data if isinstance(data, list) else [data]
        for block in blocks:
            items = block.get("summarizedActivitiesExport", []) if isinstance(block, dict) else []
            for item in items:
                if not isinstance(item, dict):
                    continue
                start_ms = item.get("startTimeGmt")
                dist_cm = item.get("distance")
                sport_raw = item.get("activityType")
                if isinstance(sport_raw, dict):
                    sport_raw = sport_raw.get("typeKey")
                expected.append(
                    ExpectedActivity(
                        source="garmin summary",
                        ident=str(item.get("activityId", "?")),
                        start_utc=(
                            datetime.fromtimestamp(start_ms / 1000, tz=UTC)
                            if isinstance(start_ms, int | float)
                            else None
                        ),
                        distance_m=dist_cm / 100 if isinstance(dist_cm, int | float) else None,
                        name=item.get("name"),
                        sport=normalise_sport(sport_raw)[0] if sport_raw else None,
                    )
                )
    return expected
