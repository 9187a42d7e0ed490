"""Time consistency of FIT sessions, checked against their records.

The records say when a run was recorded, so they win over a session's own
``start_time`` and elapsed time when the two disagree. A recording whose
records resume after more than :data:`SPLIT_GAP_S` becomes separate
activities; a tiny part on its own is a stray and is dropped. A timer that is
longer than the elapsed time is rebuilt from the timer's start/stop events
(else from the records). Every repair leaves a note on the session.

Units: times in FIT seconds (since 1989-12-31 UTC) or seconds, distances in
metres, positions in semicircles.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import pairwise

from loadwatch.ingest.fitfast import (
    CLOCK_TOLERANCE_S,
    FIT_MIN_DATE,
    ROUNDING_S,
    FitSession,
    fit_datetime,
    has_position,
    timer_from_events,
)

#: Gaps between records longer than this count as a pause (no session to say otherwise).
PAUSE_GAP_S = 60
#: Records this far apart (s) are two outings: the recording is split there.
SPLIT_GAP_S = 12 * 3600
#: A part of a split recording shorter than this (s) and this far (m) is a stray.
STRAY_MAX_S = 300
STRAY_MAX_M = 100.0
_EARTH_RADIUS_M = 6_371_008.8


@dataclass(slots=True)
class Record:
    timestamp: int  # FIT seconds
    distance_m: float | None
    heart_rate: float | None
    lat: int | None  # semicircles
    lon: int | None


def reconcile_session(
    s: FitSession,
    number: int,
    records: list[Record],
    events: list[tuple[int, int]],
    time_created: int | None = None,
) -> list[FitSession]:
    """Make a session's clock agree with its records; every repair leaves a note.

    ``records`` are the session's dated records, oldest first; ``events`` the
    file's timer events (FIT seconds, event type). The records say when the
    run was recorded, so they win over the session's own start and elapsed
    time. A gap over :data:`SPLIT_GAP_S` splits the recording into separate
    activities; a tiny part on its own is dropped as a stray. A timer time
    that is missing or longer than the elapsed time is recomputed from the
    timer events (else from the records, without gaps over a minute).
    """
    if len(records) < 2:
        _check_created(s, number, time_created)
        return [s]
    groups = _split_at_gaps(records)
    if len(groups) > 1:
        kept, strays = _without_strays(groups)
        if len(kept) > 1:
            return _split_session(s, number, kept, events, strays)
        if kept:
            s.notes.append(f"session {number}: stray records dropped ({'; '.join(strays)})")
            records = kept[0]
    assert s.start is not None
    first, last = records[0].timestamp, records[-1].timestamp
    if not has_position(s):
        fix = next((r for r in records if _has_fix(r)), None)
        if fix is not None:
            s.start_lat, s.start_lon = fix.lat, fix.lon
    if s.timer_s is None or s.elapsed_s is None:
        # one of them is missing and no timer event tells: the summary takes the other
        return [s]
    span = float(last - first)
    if abs(s.start - first) > CLOCK_TOLERANCE_S:
        s.notes.append(
            f"session {number} start_time {_when(s.start)} is {_days(first - s.start)} its "
            f"first record ({_when(first)}): dated by the records"
        )
        s.start = first
        if abs(s.elapsed_s - span) > CLOCK_TOLERANCE_S:
            s.notes.append(
                f"session {number} elapsed time {s.elapsed_s:.0f} s replaced by its "
                f"records' span ({span:.0f} s)"
            )
            s.elapsed_s = span
    elif s.elapsed_s > span + max(3600.0, span):
        s.notes.append(
            f"session {number} elapsed time {s.elapsed_s:.0f} s is far longer than its "
            f"records ({span:.0f} s): elapsed from the records"
        )
        s.elapsed_s = span
    if s.timer_s > s.elapsed_s + ROUNDING_S:
        elapsed = max(s.elapsed_s, span)
        timer, how = timer_from(records, events)
        timer = min(timer, elapsed)
        s.notes.append(
            f"session {number}: timer time {s.timer_s:.0f} s is longer than elapsed time "
            f"{s.elapsed_s:.0f} s; repaired from {how}: timer {timer:.0f} s, "
            f"elapsed {elapsed:.0f} s"
        )
        s.timer_s, s.elapsed_s = timer, elapsed
    return [s]


def timer_from(records: list[Record], events: list[tuple[int, int]]) -> tuple[float, str]:
    """Moving seconds between the first and last record, and what they came from.

    From the timer's start/stop events when there are any inside the
    recording; else the records' time without gaps over :data:`PAUSE_GAP_S`.
    """
    timer = timer_from_events(events, records[0].timestamp, records[-1].timestamp)
    if timer is not None:
        return timer, "its timer events"
    return record_times(records)[1], "its records"


def _check_created(s: FitSession, number: int, created: int | None) -> None:
    """Without records, trust file_id.time_created over a start it contradicts."""
    if created is None or created < FIT_MIN_DATE or s.start is None or s.elapsed_s is None:
        return
    end = s.timestamp if s.timestamp is not None and s.timestamp >= FIT_MIN_DATE else None
    if abs(created - s.start) <= 86400 or end is None:
        return
    if abs(end - s.elapsed_s - created) <= CLOCK_TOLERANCE_S:
        s.notes.append(
            f"session {number} start_time {_when(s.start)} contradicts the file's creation "
            f"time and its end: dated {_when(created)}"
        )
        s.start = created


def _split_at_gaps(records: list[Record]) -> list[list[Record]]:
    groups: list[list[Record]] = [[records[0]]]
    for a, b in pairwise(records):
        if b.timestamp - a.timestamp > SPLIT_GAP_S:
            groups.append([])
        groups[-1].append(b)
    return groups


def _group_distance(group: list[Record], previous_max: float) -> float:
    """Metres covered by one group of records (a cumulative distance channel, else positions)."""
    distances = [r.distance_m for r in group if r.distance_m is not None]
    if distances:
        return max(0.0, max(distances) - min(previous_max, min(distances)))
    return record_distance(group) or 0.0


def _without_strays(groups: list[list[Record]]) -> tuple[list[list[Record]], list[str]]:
    """Groups worth an activity, and a description of each stray (short and still) one."""
    kept: list[list[Record]] = []
    strays: list[str] = []
    previous_max = 0.0
    for group in groups:
        distance = _group_distance(group, previous_max)
        previous_max = max([previous_max] + [r.distance_m for r in group if r.distance_m])
        if group[-1].timestamp - group[0].timestamp < STRAY_MAX_S and distance < STRAY_MAX_M:
            strays.append(f"{len(group)} record(s) on {_when(group[0].timestamp)}")
        else:
            kept.append(group)
    return kept, strays


def _split_session(
    s: FitSession,
    number: int,
    groups: list[list[Record]],
    events: list[tuple[int, int]],
    strays: list[str],
) -> list[FitSession]:
    """One session per group of records, each summarised from its records alone."""
    out: list[FitSession] = []
    previous_max = 0.0
    for group in groups:
        span = float(group[-1].timestamp - group[0].timestamp)
        distance = _group_distance(group, previous_max)
        previous_max = max([previous_max] + [r.distance_m for r in group if r.distance_m])
        hrs = [r.heart_rate for r in group if r.heart_rate]
        fix = next((r for r in group if _has_fix(r)), None)
        out.append(
            FitSession(
                start=group[0].timestamp,
                timestamp=group[-1].timestamp,
                sport=s.sport,
                sub_sport=s.sub_sport,
                elapsed_s=span,
                timer_s=min(timer_from(group, events)[0], span),
                distance_m=distance,
                avg_hr=sum(hrs) / len(hrs) if hrs else None,
                max_hr=max(hrs) if hrs else None,
                start_lat=fix.lat if fix else None,
                start_lon=fix.lon if fix else None,
                notes=list(s.notes),
            )
        )
    dates = ", ".join(_when(o.start or 0) for o in out)
    note = (
        f"session {number}: its records resume after a gap of over {SPLIT_GAP_S // 3600} h; "
        f"split into {len(out)} activities ({dates}), each summarised from its records"
    )
    if strays:
        note += f"; stray records dropped ({'; '.join(strays)})"
    for o in out:
        o.notes.append(note)
    return out


def _has_fix(r: Record) -> bool:
    return r.lat is not None and r.lon is not None and not (r.lat == 0 and r.lon == 0)


def _when(fit_seconds: int) -> str:
    return fit_datetime(fit_seconds).strftime("%Y-%m-%d %H:%M UTC")


def _days(seconds: float) -> str:
    if abs(seconds) >= 86400:
        return f"{abs(seconds) / 86400:.1f} days {'before' if seconds > 0 else 'after'}"
    return f"{abs(seconds) / 3600:.1f} h {'before' if seconds > 0 else 'after'}"


def record_times(records: list[Record]) -> tuple[float, float]:
    """(elapsed, timer) seconds: first to last record, and the same minus long gaps."""
    if not records:
        return 0.0, 0.0
    elapsed = float(records[-1].timestamp - records[0].timestamp)
    moving = sum(
        gap for a, b in pairwise(records) if 0 < (gap := b.timestamp - a.timestamp) <= PAUSE_GAP_S
    )
    return elapsed, float(moving)


def record_distance(records: list[Record]) -> float | None:
    """Metres: the last recorded distance, else the path length of the positions."""
    distances = [r.distance_m for r in records if r.distance_m is not None]
    if distances:
        return max(distances)
    points = [(r.lat, r.lon) for r in records if r.lat is not None and r.lon is not None]
    if len(points) < 2:
        return None
    total = 0.0
    scale = math.pi / 2**31  # semicircles -> radians
    for (la1, lo1), (la2, lo2) in pairwise(points):
        p1, p2 = la1 * scale, la2 * scale
        dp, dl = p2 - p1, (lo2 - lo1) * scale
        h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
        total += 2 * _EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))
    return total
