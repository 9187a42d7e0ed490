"""FIT activity reader: the fast summary path first, fitparse when it declines.

:func:`read_fit` returns one :class:`~loadwatch.model.ActivitySummary` per
session (multisport legs, transitions included, each with its
``session_index``). Clean files never touch fitparse: :mod:`fitfast` walks the
message stream and verifies the CRC in about a millisecond. Everything else —
damaged files, bad CRCs, sessions missing their start or distance, files with
no session at all — goes through fitparse (imported only then), decoded
lazily so that whatever precedes the damage is kept:

- a damaged file yields what was recorded before the damage, marked
  ``recovered=True`` with a note naming the damage; if nothing usable precedes
  it, :class:`ActivityFileError` names the damage and where it is;
- a file without sessions is summarised from its records (noted);
- definitions whose field sizes do not fit their type (COROS firmware) are
  read with those fields as raw bytes instead of failing;
- every session is checked against its records and timer events
  (:mod:`loadwatch.ingest.fitclock`): the fast path declines files whose
  summary messages disagree with each other or with their first record.
"""

from __future__ import annotations

import io
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any

from loadwatch.errors import ActivityFileError, NotAnActivityFile
from loadwatch.ingest.fitclock import (
    PAUSE_GAP_S,
    Record,
    reconcile_session,
    record_distance,
    record_times,
)
from loadwatch.ingest.fitfast import (
    CLOCK_TOLERANCE_S,
    EVENT_TIMER,
    FIT_MIN_DATE,
    FitPart,
    FitScan,
    FitSession,
    activity_parts,
    check_activity_type,
    fast_fit_summaries,
    fill_timer_from_events,
    scan_fit,
    summaries_from_parts,
)
from loadwatch.model import ActivitySummary

_BYTE_BASE_TYPE = 0x0D


def read_fit(data: bytes, name: str) -> list[ActivitySummary]:
    """Summaries of the activity sessions in a FIT file (``name`` is for messages only).

    Raises :class:`NotAnActivityFile` for settings, workouts, courses,
    monitoring and other non-activity FIT files, and :class:`ActivityFileError`
    when nothing usable can be read.
    """
    summaries = fast_fit_summaries(data, name)
    if summaries is not None:
        return summaries
    return _read_with_fitparse(bytes(data), name)


@dataclass(slots=True)
class _Decoded:
    """What fitparse gave, grouped by chained part, and where it stopped."""

    parts: list[FitPart]
    records: dict[int, list[Record]] = field(default_factory=dict)
    lap_sports: list[tuple[int | None, int | None]] = field(default_factory=list)

    untimed_records: int = 0
    error: str | None = None


def _read_with_fitparse(data: bytes, name: str) -> list[ActivitySummary]:
    scan = scan_fit(data)
    fixed, notes, zero_size_fixed = _repair(data, scan)
    decoded = _decode_with_fitparse(fixed, scan_fit(fixed) if zero_size_fixed else scan, name)
    damage = _damage_notes(scan, decoded, zero_size_fixed)
    has_records = any(decoded.records.values())
    check_activity_type(decoded.parts, name, has_records=has_records or None)
    parts = activity_parts(decoded.parts)
    if any(p.sessions for p in parts):
        summaries = _session_summaries(parts, decoded, name, notes)
    else:
        structural = scan.problem if not zero_size_fixed else None
        summaries = _record_summary(parts, decoded, name, structural or decoded.error, notes)
    for s in summaries:
        s.recovered = s.recovered or bool(damage)
        s.notes[:0] = damage
        s.notes.extend(n for n in notes if n not in s.notes)
    return summaries


def _damage_notes(scan: FitScan, decoded: _Decoded, zero_size_fixed: bool) -> list[str]:
    """Human notes on what is wrong with the file (empty for an intact one)."""
    # with a wrong data size the CRC sits elsewhere: its mismatch says nothing more
    crc_errors = [] if zero_size_fixed else scan.crc_errors
    notes = [f"{e}: the data may be corrupt" for e in crc_errors]
    if zero_size_fixed:
        notes.append("damaged FIT header: it declares 0 data bytes; read up to the file CRC")
    problem = None if zero_size_fixed else scan.problem
    problem = problem or decoded.error
    if problem:
        notes.append(f"{problem}; kept what was recorded before the damage")
    return notes


def _repair(data: bytes, scan: FitScan) -> tuple[bytes, list[str], bool]:
    """Patch what fitparse refuses but can be read: odd field sizes, a zero data size.

    Returns the bytes to decode, notes, and whether a zero data size was fixed.
    """
    notes: list[str] = []
    buf = bytearray(data)
    for at in scan.misaligned:
        buf[at] = _BYTE_BASE_TYPE
    if scan.misaligned:
        notes.append(
            f"{len(scan.misaligned)} field definitions have sizes that do not fit their "
            "type; those fields were read as raw bytes"
        )
    zero_size = scan.zero_size_headers == [0] and data[0] + 2 < len(data)
    if zero_size:
        buf[4:8] = (len(data) - data[0] - 2).to_bytes(4, "little")
    if not scan.misaligned and not zero_size:
        return data, notes, False
    return bytes(buf), notes, zero_size


def _decode_with_fitparse(data: bytes, scan: FitScan, name: str) -> _Decoded:
    import fitparse
    import fitparse.records

    # fitparse keeps developer field descriptions in a module-level dict; start
    # each file clean so one file's descriptions never decode another's fields
    fitparse.records.DEV_TYPES.clear()
    starts = [p.start for p in scan.parts] or [0]
    decoded = _Decoded(parts=[FitPart(index=i, start=s) for i, s in enumerate(starts)])
    buf = io.BytesIO(data)
    try:
        fit = fitparse.FitFile(buf, check_crc=False)
    except Exception as e:  # fitparse raises several types on a bad header
        raise ActivityFileError(name, scan.problem or f"not a readable FIT file ({e})") from e
    messages = fit.get_messages()
    while True:
        at = buf.tell()
        try:
            message = next(messages)
        except StopIteration:
            break
        except Exception as e:  # any fitparse failure ends decoding: keep what came before
            decoded.error = f"unreadable FIT data after byte {at} ({e})"
            break
        # the message ends where fitparse stopped reading: its last byte is in its part
        index = max(0, bisect_right(starts, buf.tell() - 1) - 1)
        _collect(message, decoded, index)
    return decoded


def _fields(message: Any, raw: tuple[str, ...], scaled: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for fd in message.fields:
        names = [fd.name]
        if fd.parent_field is not None:
            names.append(fd.parent_field.name)
        for n in names:
            if n in out:
                continue
            if n in raw:
                out[n] = fd.raw_value
            elif n in scaled:
                out[n] = fd.value
    return out


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _integer(value: Any) -> int | None:
    """A raw integer field, or None (a damaged definition can make it a string or a tuple)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _collect(message: Any, decoded: _Decoded, index: int) -> None:
    part = decoded.parts[index]
    kind = message.name
    if kind == "record":
        f = _fields(
            message, ("timestamp", "position_lat", "position_long"), ("distance", "heart_rate")
        )
        ts = f.get("timestamp")
        if isinstance(ts, int):
            decoded.records.setdefault(index, []).append(
                Record(ts, _number(f.get("distance")), _number(f.get("heart_rate")),
                        _integer(f.get("position_lat")), _integer(f.get("position_long")))
            )  # fmt: skip
        else:
            decoded.untimed_records += 1
    elif kind == "session":
        raw = ("start_time", "timestamp", "sport", "sub_sport", "start_position_lat",
               "start_position_long")  # fmt: skip
        scaled = ("total_elapsed_time", "total_timer_time", "total_distance", "total_ascent",
                  "avg_heart_rate", "max_heart_rate")  # fmt: skip
        f = _fields(message, raw, scaled)
        part.sessions.append(
            FitSession(
                start=_integer(f.get("start_time")),
                timestamp=_integer(f.get("timestamp")),
                sport=_integer(f.get("sport")),
                sub_sport=_integer(f.get("sub_sport")),
                elapsed_s=_number(f.get("total_elapsed_time")),
                timer_s=_number(f.get("total_timer_time")),
                distance_m=_number(f.get("total_distance")),
                ascent_m=_number(f.get("total_ascent")),
                avg_hr=_number(f.get("avg_heart_rate")),
                max_hr=_number(f.get("max_heart_rate")),
                start_lat=_integer(f.get("start_position_lat")),
                start_lon=_integer(f.get("start_position_long")),
            )
        )
    elif kind == "event":
        f = _fields(message, ("timestamp", "event", "event_type"), ())
        ts, event, etype = f.get("timestamp"), f.get("event"), f.get("event_type")
        if event == EVENT_TIMER and isinstance(ts, int) and isinstance(etype, int):
            part.timer_events.append((ts, etype))
    elif kind == "file_id" and not part.has_file_id:
        f = _fields(message, ("type", "manufacturer", "product", "time_created"), ("product_name",))
        part.has_file_id = True
        created = f.get("time_created")
        part.time_created = created if isinstance(created, int) else None
        part.file_type, part.manufacturer = f.get("type"), f.get("manufacturer")
        part.product, part.product_name = f.get("product"), f.get("product_name")
    elif kind == "activity" and part.activity_ts is None:
        f = _fields(message, ("timestamp", "local_timestamp"), ())
        part.activity_ts, part.activity_local_ts = f.get("timestamp"), f.get("local_timestamp")
    elif kind in ("lap", "sport"):
        f = _fields(message, ("sport", "sub_sport"), ())
        decoded.lap_sports.append((f.get("sport"), f.get("sub_sport")))


# ---------------------------------------------------------------- sessions


def _session_summaries(
    parts: list[FitPart], decoded: _Decoded, name: str, notes: list[str]
) -> list[ActivitySummary]:
    everything = sorted((r for rs in decoded.records.values() for r in rs), key=_ts)
    all_events = sorted(e for p in decoded.parts for e in p.timer_events)
    no_date = _no_date_reason(parts, everything)
    for part in parts:
        records = [
            r
            for r in (decoded.records.get(part.index) or everything)
            if r.timestamp >= FIT_MIN_DATE
        ]
        records.sort(key=_ts)
        events = sorted(part.timer_events) or all_events
        previous_end: int | None = None
        filled: list[FitSession] = []
        for number, session in enumerate(part.sessions, start=1):
            if not _fill_session(session, number, records, previous_end):
                notes.append(f"session {number} skipped: no valid start time in it or its records")
                continue
            filled.append(session)
            if session.timestamp is not None and session.timestamp >= FIT_MIN_DATE:
                previous_end = session.timestamp
        part.sessions = filled
        fill_timer_from_events(part)
        kept: list[FitSession] = []
        for number, session in enumerate(filled, start=1):
            window = _session_records(session, records, filled[number:])
            kept.extend(reconcile_session(session, number, window, events, part.time_created))
        part.sessions = kept
    if not any(p.sessions for p in parts):
        raise ActivityFileError(name, no_date)
    return summaries_from_parts(parts, name)


def _ts(record: Record) -> int:
    return record.timestamp


def _session_records(
    s: FitSession, records: list[Record], following: list[FitSession]
) -> list[Record]:
    """The records of session ``s``: from its start (or earlier, a clock may lie) to the
    next session's start; the last session keeps every later record."""
    assert s.start is not None
    nxt = next(
        (f.start for f in following if f.start is not None and f.start >= FIT_MIN_DATE), None
    )
    if nxt is not None:
        return [r for r in records if s.start - CLOCK_TOLERANCE_S <= r.timestamp < nxt]
    if not following:
        # the only/last session: a start_time far from every record is the
        # clock's fault, so all of the part's remaining records are its own
        later = [r for r in records if r.timestamp >= s.start - CLOCK_TOLERANCE_S]
        return later if later and s.start >= records[0].timestamp - CLOCK_TOLERANCE_S else records
    return [r for r in records if r.timestamp >= s.start - CLOCK_TOLERANCE_S]


def _fill_session(
    s: FitSession, number: int, records: list[Record], previous_end: int | None
) -> bool:
    """Fill a session's missing start/distance/times from its records; False if hopeless."""
    end = s.timestamp if s.timestamp is not None and s.timestamp >= FIT_MIN_DATE else None
    lo = previous_end if previous_end is not None else FIT_MIN_DATE
    window = [r for r in records if r.timestamp >= lo and (end is None or r.timestamp <= end)]
    if s.start is None or s.start < FIT_MIN_DATE:
        if not window:
            return False
        s.notes.append(
            f"session {number} has no valid start time ({s.start}); used its first record's"
        )
        s.start = window[0].timestamp
    window = [r for r in window if r.timestamp >= s.start]
    if s.distance_m is None:
        dist = record_distance(window)
        s.distance_m = dist if dist is not None else 0.0
        s.notes.append(
            f"session {number} has no total distance; "
            + ("used its records'" if dist is not None else "none recorded, set to 0")
        )
    if s.timer_s is None and s.elapsed_s is None:
        elapsed, timer = record_times(window)
        s.elapsed_s, s.timer_s = elapsed, timer
        s.notes.append(f"session {number} has no duration; estimated from its records")
    return True


def _no_date_reason(parts: list[FitPart], records: list[Record]) -> str:
    starts = [s.start for p in parts for s in p.sessions if s.start is not None]
    if starts and all(st < FIT_MIN_DATE for st in starts):
        return (
            "no date in the file: the device recorded times since power-on only "
            f"(session start_time {starts[0]}), so the activity cannot be placed on a day"
        )
    if not any(r.timestamp >= FIT_MIN_DATE for r in records):
        return "no session has a valid start time and no record carries a date"
    return "no session has a valid start time"


# ----------------------------------------------------------------- records


def _record_summary(
    parts: list[FitPart], decoded: _Decoded, name: str, damage: str | None, notes: list[str]
) -> list[ActivitySummary]:
    """One summary derived from the records of a file that has no session."""
    indexes = {p.index for p in parts}
    records = sorted(
        (r for i, rs in decoded.records.items() if i in indexes for r in rs),
        key=_ts,
    )
    records = [r for r in records if r.timestamp >= FIT_MIN_DATE]
    if len(records) < 2:
        if damage:
            raise ActivityFileError(name, damage)
        total = sum(len(rs) for rs in decoded.records.values()) + decoded.untimed_records
        raise NotAnActivityFile(
            name,
            f"activity file with no session and {len(records)} dated record(s) "
            f"out of {total}: nothing to summarise",
        )
    elapsed, timer = record_times(records)
    distance = record_distance(records)
    hrs = [r.heart_rate for r in records if r.heart_rate is not None]
    sport, sub = decoded.lap_sports[0] if decoded.lap_sports else (None, None)
    first = next((r for r in records if r.lat is not None and r.lon is not None), None)
    session = FitSession(
        start=records[0].timestamp,
        timestamp=records[-1].timestamp,
        sport=sport,
        sub_sport=sub,
        elapsed_s=elapsed,
        timer_s=timer,
        distance_m=distance if distance is not None else 0.0,
        avg_hr=sum(hrs) / len(hrs) if hrs else None,
        max_hr=max(hrs) if hrs else None,
        start_lat=first.lat if first else None,
        start_lon=first.lon if first else None,
        notes=[
            f"no session message: summary derived from {len(records)} records "
            f"(timer time excludes gaps over {PAUSE_GAP_S} s)"
        ],
    )
    if distance is None:
        session.notes.append("no distance recorded; set to 0")
    host = next(p for p in parts if p.index in decoded.records) if decoded.records else parts[0]
    events = sorted(e for p in decoded.parts for e in p.timer_events)
    host.sessions = reconcile_session(session, 1, records, events)
    return summaries_from_parts([host, *(p for p in parts if p is not host)], name)
