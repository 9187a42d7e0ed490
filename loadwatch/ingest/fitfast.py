"""Fast FIT summary path: walk the message stream, decode only what a summary needs.

A FIT file is a 12/14-byte header, a run of definition and data messages and a
2-byte CRC, possibly repeated (chained files). Every data message has the size
its definition declares, so this module jumps over records (thousands per run)
without decoding them and decodes only ``file_id``, ``session`` and
``activity``. Runs of identical record headers are skipped with one bytes
slice instead of one Python step per message.

:func:`scan_fit` never raises on damage: it stops at the first structural
problem and says what and where, which the fitparse fallback in
:mod:`loadwatch.ingest.fit` reuses for its error messages.
:func:`fast_fit_summaries` returns ``None`` for anything that is not a clean,
CRC-verified file it fully understands, so the caller falls back to fitparse.

:func:`summaries_from_parts` turns decoded parts (from this walker or from
fitparse) into :class:`~loadwatch.model.ActivitySummary` objects, so both paths
apply the same rules for sport names, devices, offsets and notes.

Units in :class:`FitSession`: times in FIT seconds (since 1989-12-31 UTC) or
seconds, distances and ascent in metres, heart rate in beats per minute,
positions in semicircles.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from loadwatch.errors import NotAnActivityFile
from loadwatch.ingest.tz import format_offset
from loadwatch.model import UNKNOWN_SPORT, ActivitySummary, normalise_sport, unknown_sport_note

#: FIT time zero, 1989-12-31T00:00:00Z.
FIT_EPOCH = datetime(1989, 12, 31, tzinfo=UTC)
#: Smaller date_time values count seconds since the device powered on, not dates.
FIT_MIN_DATE = 0x10000000
#: Offsets further from UTC than this are a device clock bug, not a zone.
MAX_OFFSET_S = 14 * 3600
#: Sessions longer than this are kept as recorded but flagged.
IMPLAUSIBLE_DURATION_S = 48 * 3600

#: A session start this far (s) from its first record, or an elapsed time this
#: far from ``timestamp - start_time``, sends the file to the record-level check.
CLOCK_TOLERANCE_S = 600
#: A ``file_id.time_created`` this far (s) from the session start is checked too.
CREATED_TOLERANCE_S = 86400
#: A timer this much (s) longer than the elapsed time is rounding: capped silently.
ROUNDING_S = 2.0
#: Records decoded per part while looking for the first position fix.
FIX_SEARCH_RECORDS = 600
#: Sessions longer than this are checked against their records (multi-day gaps).
CHECK_LONG_SESSION_S = 12 * 3600

FILE_ACTIVITY = 4
MESG_FILE_ID, MESG_SESSION, MESG_ACTIVITY, MESG_RECORD, MESG_EVENT = 0, 18, 34, 20, 21
#: FIT event 0 is the timer; these event types start and stop it.
EVENT_TIMER = 0
TIMER_START = 0
TIMER_STOPS = frozenset({1, 4, 8, 9})  # stop, stop_all, stop_disable, stop_disable_all
#: manufacturers whose ``product`` numbers are Garmin product ids
GARMIN_FAMILY = frozenset({1, 13, 15})  # garmin, dynastream_oem, dynastream

# base type id -> (size, struct code, invalid raw value or None)
_BASE_TYPES: dict[int, tuple[int, str, int | None]] = {
    0x00: (1, "B", 0xFF),  # enum
    0x01: (1, "b", 0x7F),
    0x02: (1, "B", 0xFF),
    0x83: (2, "h", 0x7FFF),
    0x84: (2, "H", 0xFFFF),
    0x85: (4, "i", 0x7FFFFFFF),
    0x86: (4, "I", 0xFFFFFFFF),
    0x07: (1, "s", None),  # string
    0x88: (4, "f", None),  # NaN is invalid
    0x89: (8, "d", None),
    0x0A: (1, "B", 0),  # uint8z
    0x8B: (2, "H", 0),
    0x8C: (4, "I", 0),
    0x0D: (1, "B", None),  # byte array: never decoded here
    0x8E: (8, "q", 0x7FFFFFFFFFFFFFFF),
    0x8F: (8, "Q", 0xFFFFFFFFFFFFFFFF),
    0x90: (8, "Q", 0),
}

# Fields decoded per global message: field number -> (attribute, scale).
_WANTED: dict[int, dict[int, tuple[str, float | None]]] = {
    MESG_FILE_ID: {0: ("file_type", None), 1: ("manufacturer", None), 2: ("product", None),
                   4: ("time_created", None), 8: ("product_name", None)},
    MESG_SESSION: {2: ("start", None), 3: ("start_lat", None), 4: ("start_lon", None),
                   5: ("sport", None), 6: ("sub_sport", None), 7: ("elapsed_s", 1000.0),
                   8: ("timer_s", 1000.0), 9: ("distance_m", 100.0), 16: ("avg_hr", None),
                   17: ("max_hr", None), 22: ("ascent_m", None), 253: ("timestamp", None)},
    MESG_ACTIVITY: {253: ("timestamp", None), 5: ("local_timestamp", None)},
    MESG_EVENT: {253: ("timestamp", None), 0: ("event", None), 1: ("event_type", None)},
    # only the first records, up to the first position fix (see _walk_messages)
    MESG_RECORD: {253: ("timestamp", None), 0: ("lat", None), 1: ("lon", None)},
}  # fmt: skip


@dataclass(slots=True)
class FitSession:
    """One ``session`` message, decoded; ``None`` where the file holds no valid value."""

    start: int | None = None  # FIT seconds
    timestamp: int | None = None  # FIT seconds, end of the session
    sport: int | None = None
    sub_sport: int | None = None
    elapsed_s: float | None = None
    timer_s: float | None = None
    distance_m: float | None = None
    ascent_m: float | None = None
    avg_hr: float | None = None
    max_hr: float | None = None
    start_lat: int | None = None  # semicircles
    start_lon: int | None = None
    #: remarks added by whoever filled gaps (e.g. a start taken from the records)
    notes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class FitPart:
    """One FIT file of a chain: its identity, its sessions and its activity clock."""

    index: int
    start: int  # byte offset of its header
    end: int = 0  # byte offset just past its CRC (or where reading stopped)
    has_file_id: bool = False
    file_type: int | None = None
    manufacturer: int | None = None
    product: int | None = None
    product_name: str | None = None
    time_created: int | None = None  # FIT seconds (file_id.time_created)
    first_record_ts: int | None = None  # FIT seconds of the earliest record read
    first_fix: tuple[int, int] | None = None  # first record position (semicircles)
    records_read: int = 0  # records decoded while looking for first_fix
    record_positions: bool = False  # some record definition has position fields
    activity_ts: int | None = None
    activity_local_ts: int | None = None
    sessions: list[FitSession] = field(default_factory=list)
    #: timer start/stop events: (FIT seconds, event_type)
    timer_events: list[tuple[int, int]] = field(default_factory=list)


@dataclass(slots=True)
class FitScan:
    """What :func:`scan_fit` found; ``problem`` is None for a structurally sound file."""

    parts: list[FitPart] = field(default_factory=list)
    problem: str | None = None
    problem_at: int | None = None
    crc_errors: list[str] = field(default_factory=list)
    #: byte offsets of base-type bytes of field definitions whose size is not a
    #: multiple of the type's size (COROS firmware writes these)
    misaligned: list[int] = field(default_factory=list)
    #: a decoded field had an odd size/type, or a summary message came with a
    #: compressed timestamp header: this walker does not decode it
    not_understood: str | None = None
    #: parts whose header declares zero data bytes although bytes follow
    zero_size_headers: list[int] = field(default_factory=list)


class _Damage(Exception):
    def __init__(self, at: int, reason: str) -> None:
        super().__init__(reason)
        self.at = at
        self.reason = reason


# --------------------------------------------------------------------------- CRC


def _crc_table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
        table.append(crc)
    return table


_CRC_TABLE = _crc_table()
_CRC_BLOCK = 1024


@lru_cache(maxsize=1)
def _crc_block_tables() -> tuple[Any, list[int], list[int]]:
    """Per-position contribution tables for one block, and the shift-by-a-block maps.

    FIT's CRC-16 starts at 0 and is linear over GF(2), so a block's CRC is the
    XOR of each byte's contribution at its distance from the block's end, and
    a running CRC crosses a block of zeros through a fixed linear map.
    """
    import numpy as np

    base = np.array(_CRC_TABLE, dtype=np.uint16)
    tables = np.empty((_CRC_BLOCK, 256), dtype=np.uint16)
    cur = base.copy()
    for k in range(_CRC_BLOCK):
        tables[_CRC_BLOCK - 1 - k] = cur
        cur = (cur >> 8) ^ base[cur & 0xFF]
    states = np.arange(256, dtype=np.uint16)
    lo, hi = states.copy(), states << 8
    for _ in range(_CRC_BLOCK):
        lo = (lo >> 8) ^ base[lo & 0xFF]
        hi = (hi >> 8) ^ base[hi & 0xFF]
    return tables.reshape(-1), lo.tolist(), hi.tolist()


def fit_crc(data: bytes, start: int = 0, end: int | None = None) -> int:
    """FIT CRC-16 of ``data[start:end]`` (numpy for large spans, a table loop for small)."""
    end = len(data) if end is None else end
    n = end - start
    if n < 2 * _CRC_BLOCK:
        crc, table = 0, _CRC_TABLE
        for byte in memoryview(data)[start:end]:
            crc = (crc >> 8) ^ table[(crc ^ byte) & 0xFF]
        return crc
    import numpy as np

    flat, shift_lo, shift_hi = _crc_block_tables()
    blocks = -(-n // _CRC_BLOCK)
    # leading zero bytes leave a zero-initialised CRC unchanged: pad at the front
    padded = np.zeros(blocks * _CRC_BLOCK, dtype=np.intp)
    padded[blocks * _CRC_BLOCK - n :] = np.frombuffer(data, dtype=np.uint8, count=n, offset=start)
    # index into the flattened (position, byte) table: row = position in block
    index = padded.reshape(blocks, _CRC_BLOCK) + np.arange(0, 256 * _CRC_BLOCK, 256)
    block_crcs = np.bitwise_xor.reduce(flat[index], axis=1).tolist()
    crc = 0
    for bc in block_crcs:
        crc = shift_lo[crc & 0xFF] ^ shift_hi[crc >> 8] ^ bc
    return crc


# ------------------------------------------------------------------------ walker


def _decode_value(data: bytes, pos: int, size: int, base: int, endian: str) -> tuple[Any, bool]:
    """(value, understood) of one field; value None when the file marks it invalid."""
    info = _BASE_TYPES.get(base)
    if info is None:
        return None, False
    bsize, code, invalid = info
    if code == "s":
        raw = data[pos : pos + size]
        nul = raw.find(b"\x00")
        text = (raw if nul < 0 else raw[:nul]).decode("utf-8", errors="replace")
        return (text or None), True
    if size != bsize or base == 0x0D:
        return None, False
    value = struct.unpack_from(endian + code, data, pos)[0]
    if code in "fd":
        return (None if value != value else value), True
    return (None if value == invalid else value), True


def _decode_message(
    data: bytes, pos: int, layout: list[tuple[str, int, int, int, float | None]], endian: str
) -> tuple[dict[str, Any], bool]:
    out: dict[str, Any] = {}
    ok = True
    for attr, offset, size, base, scale in layout:
        value, understood = _decode_value(data, pos + offset, size, base, endian)
        if isinstance(value, str) and attr != "product_name":  # text where a number belongs
            value, understood = None, False
        ok = ok and understood
        if value is not None and scale is not None:
            value = float(value) / scale
        out[attr] = value
    return out, ok


def _read_header(data: bytes, pos: int, index: int) -> tuple[int, int]:
    """(header size, declared data size) of the part starting at ``pos``."""
    if len(data) - pos < 12:
        raise _Damage(pos, f"truncated FIT file: {len(data) - pos} stray bytes at byte {pos}")
    hsize = data[pos]
    if data[pos + 8 : pos + 12] != b".FIT" or hsize < 12:
        what = "the file" if index == 0 else f"chained part {index + 1}"
        raise _Damage(pos, f"corrupt FIT header of {what} at byte {pos}")
    if len(data) - pos < hsize:
        raise _Damage(pos, f"truncated FIT file: the header at byte {pos} is cut short")
    return hsize, struct.unpack_from("<I", data, pos + 4)[0]


def _walk_messages(data: bytes, pos: int, end: int, part: FitPart, scan: FitScan) -> None:
    """Walk one part's messages from ``pos`` to its declared ``end``, filling ``part``."""
    # step[header byte] = bytes to jump for a data message nobody needs (0 =
    # look closer): the hot loop is one table look-up and one add per record
    step = [0] * 256
    sizes = [0] * 16  # bytes per data message incl. header, 0 = undefined
    layouts: list[tuple[int, list[Any], str] | None] = [None] * 16
    limit = min(end, len(data))
    while pos < limit:
        jump = step[data[pos]]
        while jump:
            pos += jump
            if pos >= limit:
                break
            jump = step[data[pos]]
        if pos >= limit:
            break
        h = data[pos]
        if h & 0x80:  # compressed timestamp header: local type in bits 5-6
            local = (h >> 5) & 0x03
        elif h & 0x40:  # definition
            pos = _read_definition(data, pos, limit, h, sizes, layouts, scan)
            _set_steps(step, h & 0x0F, sizes[h & 0x0F] if layouts[h & 0x0F] is None else 0)
            continue
        else:
            local = h & 0x0F
        size, layout = sizes[local], layouts[local]
        if not size or layout is None:
            raise _Damage(
                pos, f"corrupt FIT data: message of undefined local type {local} at byte {pos}"
            )
        if pos + size > limit:
            pos += size
            break
        if layout[0] == MESG_RECORD:
            # the first records give the clock check and the first position
            # fix; once both are known, records are skipped again
            _store(data, pos + 1, layout, part, scan)
            part.record_positions = part.record_positions or any(f[0] == "lat" for f in layout[1])
            if part.first_fix is not None or part.records_read >= FIX_SEARCH_RECORDS:
                layouts[local] = None
                _set_steps(step, local, size)
            pos += size
            continue
        if h & 0x80:
            scan.not_understood = scan.not_understood or (
                f"summary message with a compressed timestamp at byte {pos}"
            )
        _store(data, pos + 1, layout, part, scan)
        pos += size
    if end > len(data):
        where = "mid-message" if pos > len(data) else "between messages"
        raise _Damage(
            len(data),
            f"truncated FIT file: ended {where} at byte {len(data)} "
            f"(the header declares {end - len(data)} more data bytes)",
        )
    if pos != end:
        raise _Damage(
            end,
            f"unterminated FIT data: the last message runs {pos - end} bytes "
            f"past the declared end at byte {end}",
        )


def _set_steps(step: list[int], local: int, size: int) -> None:
    """Point every header byte that selects ``local`` at ``size`` (0: decode or check it)."""
    for h in (local, local | 0x10, local | 0x20, local | 0x30):  # bits 4-5 carry nothing
        step[h] = size
    if local < 4:  # compressed timestamp headers: 0b1LL_TTTTT
        first = 0x80 | local << 5
        step[first : first + 32] = [size] * 32


def _read_definition(
    data: bytes,
    pos: int,
    limit: int,
    h: int,
    sizes: list[int],
    layouts: list[tuple[int, list[Any], str] | None],
    scan: FitScan,
) -> int:
    if pos + 6 > limit:
        raise _Damage(pos, f"truncated FIT file: ended inside a definition at byte {pos}")
    arch = data[pos + 2]
    if arch > 1:
        raise _Damage(pos, f"corrupt definition message at byte {pos} (architecture {arch})")
    endian = ">" if arch else "<"
    global_num = struct.unpack_from(endian + "H", data, pos + 3)[0]
    nfields = data[pos + 5]
    fpos = pos + 6
    after = fpos + 3 * nfields
    if h & 0x20:  # developer fields follow the regular ones
        if after + 1 > limit:
            raise _Damage(pos, f"truncated FIT file: ended inside a definition at byte {pos}")
        after += 1 + 3 * data[after]
    if after > limit:
        raise _Damage(pos, f"truncated FIT file: ended inside a definition at byte {pos}")
    wanted = _WANTED.get(global_num)
    layout: list[Any] = []
    offset = 0
    for i in range(fpos, fpos + 3 * nfields, 3):
        num, size, base = data[i], data[i + 1], data[i + 2]
        info = _BASE_TYPES.get(base)
        if info is not None and size % info[0]:
            scan.misaligned.append(i + 2)
        if wanted is not None and num in wanted:
            attr, scale = wanted[num]
            layout.append((attr, offset, size, base, scale))
        offset += size
    if h & 0x20:
        ndev = data[fpos + 3 * nfields]
        dpos = fpos + 3 * nfields + 1
        offset += sum(data[dpos + 3 * k + 1] for k in range(ndev))
    local = h & 0x0F
    sizes[local] = offset + 1
    layouts[local] = (global_num, layout, endian) if wanted is not None else None
    return after


def _store(
    data: bytes, pos: int, layout_info: tuple[int, list[Any], str], part: FitPart, scan: FitScan
) -> None:
    global_num, layout, endian = layout_info
    values, ok = _decode_message(data, pos, layout, endian)
    if global_num == MESG_RECORD:
        part.records_read += 1
    if not ok and global_num in (MESG_RECORD, MESG_EVENT):
        return  # only hints for the checks: an odd one is left out, not fatal
    if not ok:
        scan.not_understood = scan.not_understood or (
            f"unexpected field type or size in message {global_num} at byte {pos - 1}"
        )
    if global_num == MESG_RECORD:
        ts, lat, lon = values.get("timestamp"), values.get("lat"), values.get("lon")
        if ts is not None and ts >= FIT_MIN_DATE:
            first = part.first_record_ts
            part.first_record_ts = ts if first is None else min(first, ts)
        if part.first_fix is None and lat is not None and lon is not None and (lat or lon):
            part.first_fix = (lat, lon)
    elif global_num == MESG_EVENT:
        ts, etype = values.get("timestamp"), values.get("event_type")
        if values.get("event") == EVENT_TIMER and ts is not None and etype is not None:
            part.timer_events.append((ts, etype))
    elif global_num == MESG_SESSION:
        part.sessions.append(FitSession(**values))
    elif global_num == MESG_FILE_ID:
        if part.has_file_id:  # the first file_id names the part
            return
        part.has_file_id = True
        for key, value in values.items():
            setattr(part, key, value)
    elif part.activity_ts is None:
        part.activity_ts = values.get("timestamp")
        part.activity_local_ts = values.get("local_timestamp")


def scan_fit(data: bytes) -> FitScan:
    """Walk every chained part of a FIT file; never raises on damage (see :class:`FitScan`)."""
    if not isinstance(data, bytes):
        data = bytes(data)
    scan = FitScan()
    pos = 0
    while pos < len(data):
        part = FitPart(index=len(scan.parts), start=pos)
        try:
            hsize, dsize = _read_header(data, pos, part.index)
            if dsize == 0 and len(data) - pos > hsize + 2:
                scan.zero_size_headers.append(pos)
            scan.parts.append(part)
            if hsize >= 14:
                stored = struct.unpack_from("<H", data, pos + 12)[0]
                if stored and stored != fit_crc(data, pos, pos + 12):
                    scan.crc_errors.append(f"FIT header CRC mismatch in part {part.index + 1}")
            end = pos + hsize + dsize
            _walk_messages(data, pos + hsize, end, part, scan)
            if end + 2 > len(data):
                raise _Damage(len(data), f"truncated FIT file: no file CRC at byte {end}")
        except _Damage as d:
            part.end = d.at
            reason = d.reason
            if part.index and "chained part" not in reason:
                reason += f" (chained part {part.index + 1})"
            scan.problem, scan.problem_at = reason, d.at
            return scan
        stored = struct.unpack_from("<H", data, end)[0]
        computed = fit_crc(data, pos, end)
        if stored != computed:
            where = (
                f" in chained part {part.index + 1}" if part.index or end + 2 < len(data) else ""
            )
            scan.crc_errors.append(
                f"FIT file CRC mismatch{where} (stored 0x{stored:04X}, computed 0x{computed:04X})"
            )
        pos = part.end = end + 2
    if not scan.parts:
        scan.problem, scan.problem_at = "the file is empty", 0
    return scan


# ------------------------------------------------------------------- summaries


def fast_fit_summaries(data: bytes, name: str) -> list[ActivitySummary] | None:
    """Summaries of a clean FIT file, or ``None`` when fitparse must decide.

    Raises :class:`NotAnActivityFile` for an intact file whose ``file_id``
    says it is not an activity (settings, workout, ...). Returns ``None`` for
    damage of any kind, a bad CRC, odd field definitions, sessions lacking a
    start/distance/duration (the records must fill them) and activity files
    without sessions.
    """
    scan = scan_fit(data)
    if scan.problem or scan.crc_errors or scan.misaligned or scan.not_understood:
        return None
    if scan.zero_size_headers:
        return None
    check_activity_type(scan.parts, name, has_records=None)
    parts = activity_parts(scan.parts)
    sessions = [s for p in parts for s in p.sessions]
    if not sessions:
        return None
    for s in sessions:
        if s.start is None or s.start < FIT_MIN_DATE or s.distance_m is None:
            return None
        if s.timer_s is None and s.elapsed_s is None:
            return None
    for p in parts:
        fill_timer_from_events(p)
    offset = next((o for p in parts if (o := device_offset(p)) is not None), None)
    if any(needs_records(p, offset) for p in parts):
        return None
    for p in parts:
        position_from_records(p)
    return summaries_from_parts(parts, name)


def timer_from_events(events: list[tuple[int, int]], first: int, last: int) -> float | None:
    """Seconds the timer ran between ``first`` and ``last`` (FIT seconds), from its
    start/stop events; None when no such event falls inside (or the sum is 0).

    The timer counts as running from ``first`` until the first stop.
    """
    inside = sorted((t, kind) for t, kind in events if first - 60 <= t <= last + 60)
    if not any(kind == TIMER_START or kind in TIMER_STOPS for _, kind in inside):
        return None
    total = 0.0
    running: int | None = first
    for t, kind in inside:
        t = min(max(t, first), last)
        if kind == TIMER_START and running is None:
            running = t
        elif kind in TIMER_STOPS and running is not None:
            total += t - running
            running = None
    if running is not None:
        total += last - running
    return total if total > 0 else None


def fill_timer_from_events(part: FitPart) -> None:
    """Give sessions that have an elapsed but no timer time the time their timer ran."""
    for number, s in enumerate(part.sessions, start=1):
        if s.timer_s is not None or s.elapsed_s is None or s.start is None:
            continue
        timer = timer_from_events(part.timer_events, s.start, s.start + round(s.elapsed_s))
        if timer is not None:
            s.timer_s = min(timer, s.elapsed_s)
            s.notes.append(
                f"session {number} has no timer time; {s.timer_s:.0f} s from its timer events"
            )


def needs_records(part: FitPart, file_offset: int | None) -> str | None:
    """Why this part's sessions must be checked against their records, or None.

    The fast path reads no records, so it answers only when the summary
    messages agree with each other and with the first record: a session
    start long before the first record (or a day after it) or a day from
    ``file_id.time_created``, a timer longer than the elapsed time, a
    session over 12 hours (it may hide a multi-day gap), or no
    usable time zone without a position from the records all send the file
    to the record-level path.
    """
    offset = device_offset(part)
    offset = file_offset if offset is None else offset
    for number, s in enumerate(part.sessions):
        if s.start is None:
            return "a session lacks a start"
        timer, elapsed = s.timer_s, s.elapsed_s
        if timer is not None and elapsed is not None and timer > elapsed + ROUNDING_S:
            return "timer longer than elapsed"
        if max(timer or 0.0, elapsed or 0.0) > CHECK_LONG_SESSION_S:
            return "long session"
        first = part.first_record_ts
        far = first is not None and (
            first - s.start > CLOCK_TOLERANCE_S or s.start - first > CREATED_TOLERANCE_S
        )
        if number == 0 and far:
            return "session start far from the first record"
        if s.timestamp is not None and s.timestamp - s.start > CHECK_LONG_SESSION_S:
            return "the session ends long after it starts"
        created = part.time_created
        if (
            created is not None
            and created >= FIT_MIN_DATE
            and (abs(created - s.start) > CREATED_TOLERANCE_S)
        ):
            return "session start far from the file's creation time"
        if not offset and not has_position(s):
            searched = part.records_read >= FIX_SEARCH_RECORDS and part.record_positions
            if part.first_fix is None and searched:
                return "no time zone, and no position in the first records"
            if len(part.sessions) > 1:
                return "no time zone, and sessions without a start position"
    return None


def position_from_records(part: FitPart) -> None:
    """A lone session without a start position takes the first record's fix."""
    if len(part.sessions) == 1 and part.first_fix is not None:
        s = part.sessions[0]
        if not has_position(s):
            s.start_lat, s.start_lon = part.first_fix


def activity_parts(parts: list[FitPart]) -> list[FitPart]:
    """Parts that may hold an activity: typed activity, or untyped (no file_id type)."""
    return [p for p in parts if p.file_type in (FILE_ACTIVITY, None)]


def check_activity_type(parts: list[FitPart], name: str, has_records: bool | None) -> None:
    """Raise :class:`NotAnActivityFile` when no part is an activity.

    An untyped part counts as an activity if it has sessions or (when the
    caller knows, ``has_records``) records.
    """
    if any(p.file_type == FILE_ACTIVITY for p in parts):
        return
    if any(p.file_type is None and (p.sessions or has_records) for p in parts):
        return
    typed = [p.file_type for p in parts if p.file_type is not None]
    if typed:
        kind = file_type_name(typed[0])
        raise NotAnActivityFile(name, f"FIT file of type '{kind}', not an activity")
    if has_records is None:
        return  # the fast path cannot tell: the caller looks at the records
    raise NotAnActivityFile(name, "FIT file without a file type, sessions or records")


def fit_datetime(seconds: int) -> datetime:
    """FIT date_time (seconds since 1989-12-31 UTC) as an aware UTC datetime."""
    return FIT_EPOCH + timedelta(seconds=seconds)


def device_offset(part: FitPart) -> int | None:
    """UTC offset (s) from ``activity.local_timestamp - timestamp``, rounded to 15 min."""
    ts, local = part.activity_ts, part.activity_local_ts
    if ts is None or local is None or ts < FIT_MIN_DATE:
        return None
    offset = local - ts
    if abs(offset) > MAX_OFFSET_S:
        return None
    return round(offset / 900.0) * 900


def device_name(part: FitPart) -> str | None:
    """``"manufacturer product"`` in lower case (``"garmin fr965"``), None if unknown."""
    if part.manufacturer is None:
        return None
    maker = _MANUFACTURERS.get(part.manufacturer, str(part.manufacturer))
    product: str | None = None
    if part.product is not None and part.manufacturer in GARMIN_FAMILY:
        product = _GARMIN_PRODUCTS.get(part.product)
    if product is None and part.product_name:
        product = part.product_name.strip().lower()
        if product.startswith(maker + " "):
            product = product[len(maker) + 1 :]
    if product is None and part.product is not None:
        product = str(part.product)
    return f"{maker} {product}" if product else maker


def file_type_name(file_type: int) -> str:
    """Profile name of a ``file_id.type`` value ('settings', 'workout', ...)."""
    return _FILE_TYPES.get(file_type, f"type {file_type}")


def sport_names(sport: int | None, sub_sport: int | None) -> tuple[str, str | None]:
    """Normalised (sport, sub_sport) of FIT enum values (unknown numbers kept as ``sport_N``)."""
    sub = None if sub_sport is None else _SUB_SPORTS.get(sub_sport, f"sub_sport_{sub_sport}")
    if sport is not None and sport not in _SPORTS:
        return UNKNOWN_SPORT, f"sport_{sport}"
    name = "generic" if sport is None else _SPORTS[sport]
    return normalise_sport(name, sub, trusted=True)


def semicircles_to_degrees(value: int) -> float:
    """FIT position (semicircles) in degrees."""
    return value * 180.0 / 2**31


def has_position(session: FitSession) -> bool:
    """True when the session has a start position (0/0, "null island", is a missing fix)."""
    lat, lon = session.start_lat, session.start_lon
    return lat is not None and lon is not None and not (lat == 0 and lon == 0)


def _position_offset(session: FitSession, start: datetime) -> int | None:
    if not has_position(session):
        return None
    from loadwatch.ingest.tz import utc_offset_at

    assert session.start_lat is not None and session.start_lon is not None
    lat, lon = semicircles_to_degrees(session.start_lat), semicircles_to_degrees(session.start_lon)
    return utc_offset_at(lat, lon, start)


def choose_offset(
    session: FitSession, start: datetime, device: int | None, notes: list[str]
) -> tuple[int | None, str | None]:
    """(UTC offset s, its source) in loadwatch's order of trust.

    The device's own offset when it is real (its local time differs from
    UTC); else the zone at the start position; else a device clock that
    says UTC (``device_utc``: the athlete's zone, when set, overrides it at
    import); else unknown (the importer decides, with a note).
    """
    if device:
        return device, "device"
    position = _position_offset(session, start)
    if position is not None:
        if device == 0 and position != 0:
            notes.append(
                "the device's local time equals UTC, but the time zone at the start "
                f"position is UTC{format_offset(position)}: the position's offset is used"
            )
        return position, "position"
    if device == 0:
        return 0, "device_utc"
    return None, None


def summaries_from_parts(parts: list[FitPart], name: str) -> list[ActivitySummary]:
    """One summary per session of the activity parts, in file order.

    Every session must have a valid ``start`` and ``distance_m`` and at least
    one of ``timer_s``/``elapsed_s`` (the fitparse path fills these from the
    records first). A missing timer or elapsed time takes the other's value,
    with a note.
    """
    file_offset = next((o for p in parts if (o := device_offset(p)) is not None), None)
    out: list[ActivitySummary] = []
    for part in parts:
        device = device_name(part)
        offset = device_offset(part)
        offset = file_offset if offset is None else offset
        for session in part.sessions:
            out.append(_summary(session, len(out), device, offset))
    return out


def _summary(s: FitSession, index: int, device: str | None, offset: int | None) -> ActivitySummary:
    assert s.start is not None and s.distance_m is not None
    notes = list(s.notes)
    timer, elapsed = s.timer_s, s.elapsed_s
    if timer is None:
        timer = elapsed
        notes.append(f"session {index + 1} has no timer time; used its elapsed time")
    elif elapsed is None:
        elapsed = timer
        notes.append(f"session {index + 1} has no elapsed time; used its timer time")
    assert timer is not None and elapsed is not None
    if timer - ROUNDING_S <= elapsed < timer:  # rounding, not a finding
        timer = elapsed
    elif elapsed < timer:
        notes.append(
            f"session {index + 1}: timer time {timer:.0f} s is longer than its elapsed "
            f"time {elapsed:.0f} s and no records tell which is right: timer set to the "
            "elapsed time"
        )
        timer = elapsed
    if max(elapsed, timer) > IMPLAUSIBLE_DURATION_S:
        notes.append(
            f"session {index + 1} lasts {max(elapsed, timer) / 86400:.1f} days, "
            "which is implausible; kept as recorded"
        )
    sport, sub = sport_names(s.sport, s.sub_sport)
    notes.extend(unknown_sport_note(sport, sub))
    start = fit_datetime(s.start)
    offset, source = choose_offset(s, start, offset, notes)
    channels = tuple(
        name
        for name, present in (
            ("hr", bool(s.avg_hr)),
            ("gps", has_position(s)),
            ("distance", bool(s.distance_m)),
        )
        if present
    )
    return ActivitySummary(
        sport=sport,
        sub_sport=sub,
        start_utc=start,
        distance_m=float(s.distance_m),
        timer_s=float(timer),
        elapsed_s=float(elapsed),
        source_format="fit",
        utc_offset_s=offset,
        offset_source=source,
        elevation_gain_m=None if s.ascent_m is None else float(s.ascent_m),
        avg_hr=_heart_rate(s.avg_hr),
        max_hr=_heart_rate(s.max_hr),
        device=device,
        session_index=index,
        notes=notes,
        channels=channels,
    )


def _heart_rate(value: float | None) -> float | None:
    """Beats per minute, None when missing (devices without a sensor write 0)."""
    return float(value) if value else None


# ----------------------------------------------------------------- profile names
# FIT profile enum names (Garmin FIT SDK profile; spelling as in fitparse's
# profile where it has the value, newer values as in fit-tool's profile).


def _table(text: str) -> dict[int, str]:
    pairs = (item.split(":", 1) for item in text.split())
    return {int(k): v for k, v in pairs}


_FILE_TYPES = _table(
    "1:device 2:settings 3:sport 4:activity 5:workout 6:course 7:schedules 9:weight "
    "10:totals 11:goals 14:blood_pressure 15:monitoring_a 20:activity_summary "
    "28:monitoring_daily 32:monitoring_b 34:segment 35:segment_list 40:exd_configuration "
    "247:mfg_range_min 254:mfg_range_max "
)

_SPORTS = _table(
    "0:generic 1:running 2:cycling 3:transition 4:fitness_equipment 5:swimming 6:basketball "
    "7:soccer 8:tennis 9:american_football 10:training 11:walking 12:cross_country_skiing "
    "13:alpine_skiing 14:snowboarding 15:rowing 16:mountaineering 17:hiking 18:multisport "
    "19:paddling 20:flying 21:e_biking 22:motorcycling 23:boating 24:driving 25:golf "
    "26:hang_gliding 27:horseback_riding 28:hunting 29:fishing 30:inline_skating "
    "31:rock_climbing 32:sailing 33:ice_skating 34:sky_diving 35:snowshoeing 36:snowmobiling "
    "37:stand_up_paddleboarding 38:surfing 39:wakeboarding 40:water_skiing 41:kayaking "
    "42:rafting 43:windsurfing 44:kitesurfing 45:tactical 46:jumpmaster 47:boxing "
    "48:floor_climbing 49:baseball 53:diving 56:shooting 58:winter_sport 59:grinding 62:hiit "
    "63:video_gaming 64:racket 65:wheelchair_push_walk 66:wheelchair_push_run 67:meditation "
    "68:para_sport 69:disc_golf 70:team_sport 71:cricket 72:rugby 73:hockey 74:lacrosse "
    "75:volleyball 76:water_tubing 77:wakesurfing 78:water_sport 79:archery "
    "80:mixed_martial_arts 81:motor_sports 82:snorkeling 83:dance 84:jump_rope 85:pool_apnea "
    "86:mobility 87:geocaching 88:canoeing 254:all "
)

_SUB_SPORTS = _table(
    "0:generic 1:treadmill 2:street 3:trail 4:track 5:spin 6:indoor_cycling 7:road "
    "8:mountain 9:downhill 10:recumbent 11:cyclocross 12:hand_cycling 13:track_cycling "
    "14:indoor_rowing 15:elliptical 16:stair_climbing 17:lap_swimming 18:open_water "
    "19:flexibility_training 20:strength_training 21:warm_up 22:match 23:exercise "
    "24:challenge 25:indoor_skiing 26:cardio_training 27:indoor_walking 28:e_bike_fitness "
    "29:bmx 30:casual_walking 31:speed_walking 32:bike_to_run_transition "
    "33:run_to_bike_transition 34:swim_to_bike_transition 35:atv 36:motocross 37:backcountry "
    "38:resort 39:rc_drone 40:wingsuit 41:whitewater 42:skate_skiing 43:yoga 44:pilates "
    "45:indoor_running 46:gravel_cycling 47:e_bike_mountain 48:commuting 49:mixed_surface "
    "50:navigate 51:track_me 52:map 53:single_gas_diving 54:multi_gas_diving 55:gauge_diving "
    "56:apnea_diving 57:apnea_hunting 58:virtual_activity 59:obstacle 62:breathing "
    "63:ccr_diving 65:sail_race 66:expedition 67:ultra 68:indoor_climbing 69:bouldering "
    "70:hiit 71:indoor_grinding 72:hunting_with_dogs 73:amrap 74:emom 75:tabata 77:esport "
    "78:triathlon 79:duathlon 80:brick 81:swim_run 82:adventure_race 83:trucker_workout "
    "84:pickleball 85:padel 86:indoor_wheelchair_walk 87:indoor_wheelchair_run "
    "88:indoor_hand_cycling 90:field 91:ice 92:ultimate 93:platform 94:squash 95:badminton "
    "96:racquetball 97:table_tennis 98:overland 99:trolling_motor 110:fly_canopy "
    "111:fly_paraglide 112:fly_paramotor 113:fly_pressurized 114:fly_navigate 115:fly_timer "
    "116:fly_altimeter 117:fly_wx 118:fly_vfr 119:fly_ifr 121:dynamic_apnea 123:enduro "
    "124:rucking 125:rally 126:pool_triathlon 127:e_bike_enduro 254:all "
)

_MANUFACTURERS = _table(
    "1:garmin 2:garmin_fr405_antfs 3:zephyr 4:dayton 5:idt 6:srm 7:quarq 8:ibike 9:saris "
    "10:spark_hk 11:tanita 12:echowell 13:dynastream_oem 14:nautilus 15:dynastream 16:timex "
    "17:metrigear 18:xelic 19:beurer 20:cardiosport 21:a_and_d 22:hmm 23:suunto "
    "24:thita_elektronik 25:gpulse 26:clean_mobile 27:pedal_brain 28:peaksware 29:saxonar "
    "30:lemond_fitness 31:dexcom 32:wahoo_fitness 33:octane_fitness 34:archinoetics "
    "35:the_hurt_box 36:citizen_systems 37:magellan 38:osynce 39:holux 40:concept2 "
    "41:shimano 42:one_giant_leap 43:ace_sensor 44:brim_brothers 45:xplova "
    "46:perception_digital 47:bf1systems 48:pioneer 49:spantec 50:metalogics 51:4iiiis "
    "52:seiko_epson 53:seiko_epson_oem 54:ifor_powell 55:maxwell_guider 56:star_trac "
    "57:breakaway 58:alatech_technology_ltd 59:mio_technology_europe 60:rotor 61:geonaute "
    "62:id_bike 63:specialized 64:wtek 65:physical_enterprises 66:north_pole_engineering "
    "67:bkool 68:cateye 69:stages_cycling 70:sigmasport 71:tomtom 72:peripedal 73:wattbike "
    "76:moxy 77:ciclosport 78:powerbahn 79:acorn_projects_aps 80:lifebeam 81:bontrager "
    "82:wellgo 83:scosche 84:magura 85:woodway 86:elite 87:nielsen_kellerman 88:dk_city "
    "89:tacx 90:direction_technology 91:magtonic 92:1partcarbon 93:inside_ride_technologies "
    "94:sound_of_motion 95:stryd 96:icg 97:mipulse 98:bsx_athletics 99:look "
    "100:campagnolo_srl 101:body_bike_smart 102:praxisworks 103:limits_technology "
    "104:topaction_technology 105:cosinuss 106:fitcare 107:magene 108:giant_manufacturing_co "
    "109:tigrasport 110:salutron 111:technogym 112:bryton_sensors 113:latitude_limited "
    "114:soaring_technology 115:igpsport 116:thinkrider 117:gopher_sport 118:waterrower "
    "119:orangetheory 120:inpeak 121:kinetic 122:johnson_health_tech 123:polar_electro "
    "124:seesense 125:nci_technology 126:iqsquare 127:leomo 128:ifit_com 129:coros_byte "
    "130:versa_design 131:chileaf 132:cycplus 133:gravaa_byte 134:sigeyi 135:coospo "
    "136:geoid 137:bosch 138:kyto 139:kinetic_sports 140:decathlon_byte 141:tq_systems "
    "142:tag_heuer 143:keiser_fitness 144:zwift_byte 145:porsche_ep 146:blackbird "
    "147:meilan_byte 148:ezon 149:laisi 150:myzone 151:abawo 152:bafang "
    "153:luhong_technology 255:development 257:healthandlife 258:lezyne 259:scribe_labs "
    "260:zwift 261:watteam 262:recon 263:favero_electronics 264:dynovelo 265:strava "
    "266:precor 267:bryton 268:sram 269:navman 270:cobi 271:spivi 272:mio_magellan "
    "273:evesports 274:sensitivus_gauge 275:podoon 276:life_time_fitness 277:falco_e_motors "
    "278:minoura 279:cycliq 280:luxottica 281:trainer_road 282:the_sufferfest "
    "283:fullspeedahead 284:virtualtraining 285:feedbacksports 286:omata 287:vdo "
    "288:magneticdays 289:hammerhead 290:kinetic_by_kurt 291:shapelog 292:dabuziduo "
    "293:jetblack 294:coros 295:virtugo 296:velosense 297:cycligentinc 298:trailforks "
    "299:mahle_ebikemotion 300:nurvv 301:microprogram 302:zone5cloud 303:greenteg "
    "304:yamaha_motors 305:whoop 306:gravaa 307:onelap 308:monark_exercise 309:form "
    "310:decathlon 311:syncros 312:heatup 313:cannondale 314:true_fitness 315:rgt_cycling "
    "316:vasa 317:race_republic 318:fazua 319:oreka_training 320:lsec 321:lululemon_studio "
    "322:shanyue 323:spinning_mda 324:hilldating 325:aero_sensor 326:nike 327:magicshine "
    "328:ictrainer 329:absolute_cycling 330:eo_swimbetter 331:mywhoosh 332:ravemen "
    "333:tektro_racing_products 334:darad_innovation_corporation 335:cycloptim 337:runna "
    "339:zepp 340:peloton 341:carv 342:tissot 345:real_velo 346:wetech 347:jespr 348:huawei "
    "349:gotoes 350:cadence_app 351:una_watch 5759:actigraphcorp "
)

_GARMIN_PRODUCTS = _table(
    "1:hrm1 2:axh01 3:axb01 4:axb02 5:hrm2ss 6:dsi_alf02 7:hrm3ss "
    "8:hrm_run_single_byte_product_id 9:bsm 10:bcm 11:axs01 "
    "12:hrm_tri_single_byte_product_id 13:hrm4_run_single_byte_product_id "
    "14:fr225_single_byte_product_id 15:gen3_bsm_single_byte_product_id "
    "16:gen3_bcm_single_byte_product_id 22:hrm_fit_single_byte_product_id 255:ohr "
    "473:fr301_china 474:fr301_japan 475:fr301_korea 494:fr301_taiwan 717:fr405 782:fr50 "
    "987:fr405_japan 988:fr60 1011:dsi_alf01 1018:fr310xt 1036:edge500 1124:fr110 "
    "1169:edge800 1199:edge500_taiwan 1213:edge500_japan 1253:chirp 1274:fr110_japan "
    "1325:edge200 1328:fr910xt 1333:edge800_taiwan 1334:edge800_japan 1341:alf04 1345:fr610 "
    "1360:fr210_japan 1380:vector_ss 1381:vector_cp 1386:edge800_china 1387:edge500_china "
    "1405:approach_g10 1410:fr610_japan 1422:edge500_korea 1436:fr70 1446:fr310xt_4t "
    "1461:amx 1482:fr10 1497:edge800_korea 1499:swim 1537:fr910xt_china 1551:fenix "
    "1555:edge200_taiwan 1561:edge510 1567:edge810 1570:tempe 1600:fr910xt_japan 1623:fr620 "
    "1632:fr220 1664:fr910xt_korea 1688:fr10_japan 1721:edge810_japan 1735:virb_elite "
    "1736:edge_touring 1742:edge510_japan 1743:hrm_tri 1752:hrm_run 1765:fr920xt "
    "1821:edge510_asia 1822:edge810_china 1823:edge810_taiwan 1836:edge1000 1837:vivo_fit "
    "1853:virb_remote 1885:vivo_ki 1903:fr15 1907:vivo_active 1918:edge510_korea "
    "1928:fr620_japan 1929:fr620_china 1930:fr220_japan 1931:fr220_china 1936:approach_s6 "
    "1956:vivo_smart 1967:fenix2 1988:epix 2050:fenix3 2052:edge1000_taiwan "
    "2053:edge1000_japan 2061:fr15_japan 2067:edge520 2070:edge1000_china 2072:fr620_russia "
    "2073:fr220_russia 2079:vector_s 2100:edge1000_korea 2130:fr920xt_taiwan "
    "2131:fr920xt_china 2132:fr920xt_japan 2134:virbx 2135:vivo_smart_apac 2140:etrex_touch "
    "2147:edge25 2148:fr25 2150:vivo_fit2 2153:fr225 2156:fr630 2157:fr230 2158:fr735xt "
    "2160:vivo_active_apac 2161:vector_2 2162:vector_2s 2172:virbxe 2173:fr620_taiwan "
    "2174:fr220_taiwan 2175:truswing 2187:d2airvenu 2188:fenix3_china 2189:fenix3_twn "
    "2192:varia_headlight 2193:varia_taillight_old 2204:edge_explore_1000 2219:fr225_asia "
    "2225:varia_radar_taillight 2226:varia_radar_display 2238:edge20 2260:edge520_asia "
    "2261:edge520_japan 2262:d2_bravo 2266:approach_s20 2271:vivo_smart2 2274:edge1000_thai "
    "2276:varia_remote 2288:edge25_asia 2289:edge25_jpn 2290:edge20_asia 2292:approach_x40 "
    "2293:fenix3_japan 2294:vivo_smart_emea 2310:fr630_asia 2311:fr630_jpn 2313:fr230_jpn "
    "2327:hrm4_run 2332:epix_japan 2337:vivo_active_hr 2347:vivo_smart_gps_hr "
    "2348:vivo_smart_hr 2361:vivo_smart_hr_asia 2362:vivo_smart_gps_hr_asia 2368:vivo_move "
    "2379:varia_taillight 2396:fr235_asia 2397:fr235_japan 2398:varia_vision 2406:vivo_fit3 "
    "2407:fenix3_korea 2408:fenix3_sea 2413:fenix3_hr 2417:virb_ultra_30 "
    "2429:index_smart_scale 2431:fr235 2432:fenix3_chronos 2441:oregon7xx 2444:rino7xx "
    "2457:epix_korea 2473:fenix3_hr_chn 2474:fenix3_hr_twn 2475:fenix3_hr_jpn "
    "2476:fenix3_hr_sea 2477:fenix3_hr_kor 2496:nautix 2497:vivo_active_hr_apac 2503:fr35 "
    "2512:oregon7xx_ww 2530:edge_820 2531:edge_explore_820 2533:fr735xt_apac "
    "2534:fr735xt_japan 2544:fenix5s 2547:d2_bravo_titanium 2567:varia_ut800 "
    "2593:running_dynamics_pod 2599:edge_820_china 2600:edge_820_japan 2604:fenix5x "
    "2606:vivo_fit_jr 2622:vivo_smart3 2623:vivo_sport 2628:edge_820_taiwan "
    "2629:edge_820_korea 2630:edge_820_sea 2650:fr35_hebrew 2656:approach_s60 2667:fr35_apac "
    "2668:fr35_japan 2675:fenix3_chronos_asia 2687:virb_360 2691:fr935 2697:fenix5 "
    "2700:vivoactive3 2713:edge_1030 2727:fr35_sea 2733:fr235_china_nfc "
    "2769:foretrex_601_701 2772:vivo_move_hr 2787:vector_3 2796:fenix5_asia "
    "2797:fenix5s_asia 2798:fenix5x_asia 2806:approach_z80 2814:fr35_korea 2819:d2charlie "
    "2831:vivo_smart3_apac 2832:vivo_sport_apac 2833:fr935_asia 2859:descent 2878:vivo_fit4 "
    "2886:fr645 2888:fr645m 2891:fr30 2900:fenix5s_plus 2909:edge_130 2924:edge_1030_asia "
    "2927:vivosmart_4 2945:vivo_move_hr_asia 2962:approach_x10 2977:fr30_asia "
    "2988:vivoactive3m_w 3003:fr645_asia 3004:fr645m_asia 3011:edge_explore 3028:gpsmap66 "
    "3049:approach_s10 3066:vivoactive3m_l 3076:fr245 3077:fr245_music 3085:approach_g80 "
    "3092:edge_130_asia 3095:edge_1030_bontrager 3110:fenix5_plus 3111:fenix5x_plus "
    "3112:edge_520_plus 3113:fr945 3121:edge_530 3122:edge_830 3126:instinct_esports "
    "3134:fenix5s_plus_apac 3135:fenix5x_plus_apac 3142:edge_520_plus_apac 3143:descent_t1 "
    "3144:fr235l_asia 3145:fr245_asia 3163:vivo_active3m_apac 3192:gen3_bsm 3193:gen3_bcm "
    "3218:vivo_smart4_asia 3224:vivoactive4_small 3225:vivoactive4_large 3226:venu "
    "3246:marq_driver 3247:marq_aviator 3248:marq_captain 3249:marq_commander "
    "3250:marq_expedition 3251:marq_athlete 3258:descent_mk2 3282:fr45 3284:gpsmap66i "
    "3287:fenix6_s_sport 3288:fenix6_s 3289:fenix6_sport 3290:fenix6 3291:fenix6x "
    "3299:hrm_dual 3300:hrm_pro 3308:vivo_move3_premium 3314:approach_s40 3321:fr245m_asia "
    "3349:edge_530_apac 3350:edge_830_apac 3378:vivo_move3 3387:vivo_active4_small_asia "
    "3388:vivo_active4_large_asia 3389:vivo_active4_oled_asia 3405:swim2 "
    "3420:marq_driver_asia 3421:marq_aviator_asia 3422:vivo_move3_asia 3441:fr945_asia "
    "3446:vivo_active3t_chn 3448:marq_captain_asia 3449:marq_commander_asia "
    "3450:marq_expedition_asia 3451:marq_athlete_asia 3461:index_smart_scale_2 "
    "3466:instinct_solar 3469:fr45_asia 3473:vivoactive3_daimler 3498:legacy_rey "
    "3499:legacy_darth_vader 3500:legacy_captain_marvel 3501:legacy_first_avenger "
    "3512:fenix6s_sport_asia 3513:fenix6s_asia 3514:fenix6_sport_asia 3515:fenix6_asia "
    "3516:fenix6x_asia 3535:legacy_captain_marvel_asia 3536:legacy_first_avenger_asia "
    "3537:legacy_rey_asia 3538:legacy_darth_vader_asia 3542:descent_mk2s 3558:edge_130_plus "
    "3570:edge_1030_plus 3578:rally_200 3589:fr745 3596:venusq_music 3599:venusq_music_v2 "
    "3600:venusq 3615:lily 3624:marq_adventurer 3638:enduro 3639:swim2_apac "
    "3648:marq_adventurer_asia 3652:fr945_lte 3702:descent_mk2_asia 3703:venu2 3704:venu2s "
    "3737:venu_daimler_asia 3739:marq_golfer 3740:venu_daimler 3794:fr745_asia "
    "3808:varia_rct715 3809:lily_asia 3812:edge_1030_plus_asia 3813:edge_130_plus_asia "
    "3823:approach_s12 3837:venusq_asia 3843:edge_1040 3850:marq_golfer_asia 3851:venu2_plus "
    "3865:gnss 3869:fr55 3872:enduro_asia 3888:instinct_2 3889:instinct_2s 3905:fenix7s "
    "3906:fenix7 3907:fenix7x 3908:fenix7s_apac 3909:fenix7_apac 3910:fenix7x_apac "
    "3927:approach_g12 3930:descent_mk2s_asia 3934:approach_s42 3943:epix_gen2 "
    "3944:epix_gen2_apac 3949:venu2s_asia 3950:venu2_asia 3978:fr945_lte_asia "
    "3982:vivo_move_sport 3983:vivomove_trend 3986:approach_s12_asia 3990:fr255_music "
    "3991:fr255_small_music 3992:fr255 3993:fr255_small 4001:approach_g12_asia "
    "4002:approach_s42_asia 4005:descent_g1 4017:venu2_plus_asia 4024:fr955 4033:fr55_asia "
    "4061:edge_540 4062:edge_840 4063:vivosmart_5 4071:instinct_2_asia 4105:marq_gen2 "
    "4115:venusq2 4116:venusq2music 4124:marq_gen2_aviator 4125:d2_air_x10 4130:hrm_pro_plus "
    "4132:descent_g1_asia 4135:tactix7 4155:instinct_crossover 4169:edge_explore2 "
    "4222:descent_mk3 4223:descent_mk3i 4233:approach_s70 4257:fr265_large 4258:fr265_small "
    "4260:venu3 4261:venu3s 4265:tacx_neo_smart 4266:tacx_neo2_smart 4267:tacx_neo2_t_smart "
    "4268:tacx_neo_smart_bike 4269:tacx_satori_smart 4270:tacx_flow_smart "
    "4271:tacx_vortex_smart 4272:tacx_bushido_smart 4273:tacx_genius_smart "
    "4274:tacx_flux_flux_s_smart 4275:tacx_flux2_smart 4276:tacx_magnum 4305:edge_1040_asia "
    "4312:epix_gen2_pro_42 4313:epix_gen2_pro_47 4314:epix_gen2_pro_51 4315:fr965 "
    "4341:enduro2 4374:fenix7s_pro_solar 4375:fenix7_pro_solar 4376:fenix7x_pro_solar "
    "4380:lily2 4394:instinct_2x 4426:vivoactive5 4432:fr165 4433:fr165_music 4440:edge_1050 "
    "4442:descent_t2 4446:hrm_fit 4472:marq_gen2_commander 4477:lily_athlete 4525:rally_x10 "
    "4532:fenix8_solar 4533:fenix8_solar_large 4534:fenix8_small 4536:fenix8 "
    "4556:d2_mach1_pro 4575:enduro3 4583:instinct_e_40mm 4584:instinct_e_45mm "
    "4585:instinct3_solar_45mm 4586:instinct3_amoled_45mm 4587:instinct3_amoled_50mm "
    "4588:descent_g2 4595:fenix7_pro_solar_no_wifi 4603:venu_x1 4606:hrm_200 "
    "4625:vivoactive6 4631:fenix8_pro 4633:edge_550 4634:edge_850 4643:venu4 4644:venu4s "
    "4647:approach_s44 4655:edge_mtb 4656:approach_s50 4666:fenix_e "
    "4678:instinct_crossover_amoled 4745:bounce2 4759:instinct3_solar_50mm "
    "4775:tactix8_amoled 4776:tactix8_solar 4814:fr170_music 4815:fr170 4825:approach_j1 "
    "4879:d2_mach2 4916:fr70_2026 4944:d2_air_x15 5019:cirqa_smart_band 5056:d2_mach2_pro "
    "10007:sdm4 10014:edge_remote 20119:training_center 20533:tacx_training_app_win "
    "20534:tacx_training_app_mac 20565:tacx_training_app_mac_catalyst "
    "30045:tacx_training_app_android 30046:tacx_training_app_ios "
    "30047:tacx_training_app_legacy 65531:connectiq_simulator 65532:android_antplus_plugin "
    "65534:connect "
)
