"""TCX reader (Garmin TrainingCenterDatabase v2): one summary per ``<Activity>``.

The laps carry the device's own totals, so they win over anything recomputed
from trackpoints (units: metres, seconds, beats per minute):

- distance = sum of the laps' ``DistanceMeters``; timer = sum of their
  ``TotalTimeSeconds`` (the watch's moving time). A lap without one of them
  makes the reader fall back to the trackpoints for that figure, with a note.
- start = the first lap's ``StartTime``, else the earliest trackpoint time,
  else ``<Id>`` (an identifier that some exporters truncate to the minute);
  times before 1990 are placeholders and ignored (as in the GPX reader).
- When the trackpoints run well past the laps' totals (more than 5% further
  and beyond the last lap's end), distance and moving time come from the
  trackpoints instead, with a note.
- elapsed = from the start to the later of the last trackpoint time and the
  last lap's start plus its duration.
- average heart rate = the laps' averages weighted by lap time when every lap
  has one, else the trackpoint mean; maximum = the highest of laps and points.
- The wall-clock offset comes from the first trackpoint with a ``Position``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
from lxml import etree

from loadwatch.errors import ActivityFileError, NotAnActivityFile
from loadwatch.ingest import geo
from loadwatch.ingest.tz import utc_offset_at
from loadwatch.ingest.xmlsafe import local_name, namespace_of, parse_xml
from loadwatch.model import ActivitySummary, normalise_sport, unknown_sport_note

#: Times before this are placeholders, not dates.
EARLIEST_REAL_TIME = datetime(1990, 1, 1, tzinfo=UTC)


@dataclass(slots=True)
class _Lap:
    start: datetime | None
    total_s: float | None
    distance_m: float | None
    avg_hr: float | None
    max_hr: float | None


@dataclass(slots=True)
class _Points:
    """Trackpoints of one activity, one list per ``<Track>`` (a pause splits tracks)."""

    lat: list[list[float]] = field(default_factory=list)
    lon: list[list[float]] = field(default_factory=list)
    secs: list[list[float]] = field(default_factory=list)  # since the epoch; nan if absent
    alt: list[float] = field(default_factory=list)  # whole activity, in order
    dist: list[float] = field(default_factory=list)  # the device's cumulative distance
    hr: list[float] = field(default_factory=list)
    times: list[datetime] = field(default_factory=list)


def read_tcx(data: bytes, name: str) -> list[ActivitySummary]:
    """Read a TCX document (decompressed bytes) into one summary per activity."""
    root, notes = parse_xml(data, name)
    if local_name(root.tag) != "TrainingCenterDatabase":
        raise ActivityFileError(name, f"not a TCX file: the root element is <{root.tag}>")
    ns = namespace_of(root.tag)
    activities = list(root.iter(ns + "Activity"))
    if not activities:
        held = [
            local_name(c.tag)
            for c in root
            if local_name(c.tag) in ("Courses", "Workouts", "Folders")
            and any(isinstance(g.tag, str) for g in c)
        ]
        what = " and ".join(h.lower() for h in held) if held else "nothing"
        raise NotAnActivityFile(name, f"TCX holds no activity ({what})")
    out: list[ActivitySummary] = []
    skipped = 0
    for act in activities:
        s = _summarise(act, ns, name, list(notes))
        if s is None:
            skipped += 1
            continue
        s.session_index = len(out)
        out.append(s)
    if not out:
        raise NotAnActivityFile(name, "TCX activities have no laps")
    if skipped:
        out[0].notes.append(f"{skipped} activity element(s) without laps skipped")
    return out


def _text(el: etree._Element | None) -> str | None:
    if el is None or el.text is None:
        return None
    t = el.text.strip()
    return t or None


def _number(el: etree._Element | None, name: str) -> float | None:
    t = _text(el)
    if t is None:
        return None
    try:
        v = float(t)
    except ValueError as e:
        tag = local_name(el.tag) if el is not None else "?"
        raise ActivityFileError(name, f"TCX <{tag}> is not a number: {t!r}") from e
    return v if math.isfinite(v) else None


def _time(text: str | None) -> datetime | None:
    """A TCX timestamp as UTC, or None when absent, unreadable or a placeholder."""
    if not text:
        return None
    try:
        t = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    t = t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)
    return t if t >= EARLIEST_REAL_TIME else None


def _hr(el: etree._Element | None, ns: str, name: str) -> float | None:
    if el is None:
        return None
    v = _number(el.find(ns + "Value"), name)
    return v if v is not None and 0 < v <= 250 else None


def _read_points(act: etree._Element, ns: str, name: str) -> _Points:
    p = _Points()
    pos_tag, lat_tag, lon_tag = ns + "Position", ns + "LatitudeDegrees", ns + "LongitudeDegrees"
    for track in act.iter(ns + "Track"):
        lats: list[float] = []
        lons: list[float] = []
        secs: list[float] = []
        for tp in track.iterchildren(ns + "Trackpoint"):
            t = _time(_text(tp.find(ns + "Time")))
            if t is not None:
                p.times.append(t)
            alt = _number(tp.find(ns + "AltitudeMeters"), name)
            p.alt.append(math.nan if alt is None else alt)
            d = _number(tp.find(ns + "DistanceMeters"), name)
            if d is not None:
                p.dist.append(d)
            hr = _hr(tp.find(ns + "HeartRateBpm"), ns, name)
            if hr is not None:
                p.hr.append(hr)
            pos = tp.find(pos_tag)
            if pos is None:
                continue
            lat = _number(pos.find(lat_tag), name)
            lon = _number(pos.find(lon_tag), name)
            if lat is None or lon is None:
                continue
            lats.append(lat)
            lons.append(lon)
            secs.append(t.timestamp() if t is not None else math.nan)
        if lats:
            p.lat.append(lats)
            p.lon.append(lons)
            p.secs.append(secs)
    return p


def _read_laps(act: etree._Element, ns: str, name: str) -> list[_Lap]:
    laps = []
    for lap in act.iterchildren(ns + "Lap"):
        laps.append(
            _Lap(
                start=_time(lap.get("StartTime")),
                total_s=_number(lap.find(ns + "TotalTimeSeconds"), name),
                distance_m=_number(lap.find(ns + "DistanceMeters"), name),
                avg_hr=_hr(lap.find(ns + "AverageHeartRateBpm"), ns, name),
                max_hr=_hr(lap.find(ns + "MaximumHeartRateBpm"), ns, name),
            )
        )
    return laps


def _start(
    act: etree._Element, ns: str, laps: list[_Lap], pts: _Points, notes: list[str]
) -> datetime | None:
    """The first lap's StartTime, else the first trackpoint's time, else ``<Id>``.

    ``<Id>`` is only an identifier: some exporters truncate it to the minute.
    """
    ident = _time(_text(act.find(ns + "Id")))
    start = next((lap.start for lap in laps if lap.start is not None), None)
    if start is None and pts.times:
        start = min(pts.times)
    if start is None:
        return ident
    if ident is not None and abs((ident - start).total_seconds()) > 120:
        notes.append(
            f"the activity Id ({ident.isoformat()}) is not its first lap's start: dated by the lap"
        )
    return start


def _elapsed_s(start: datetime, laps: list[_Lap], pts: _Points) -> float:
    ends = pts.times + [lap.start for lap in laps if lap.start is not None]
    last = laps[-1]
    if last.start is not None and last.total_s is not None:
        ends.append(last.start + timedelta(seconds=last.total_s))
    return max([(e - start).total_seconds() for e in ends] + [0.0])


def _track_distance_m(pts: _Points, steps: list[np.ndarray]) -> float:
    """Metres along the trackpoints: the device's DistanceMeters, else the positions."""
    if len(pts.dist) >= 2:
        return max(pts.dist) - min(pts.dist)
    return float(sum(s.sum() for s in steps))


def _track_timer_s(pts: _Points, steps: list[np.ndarray]) -> float:
    """Moving seconds along the trackpoints (in time order when their times step back)."""
    timer = 0.0
    for st, secs, lat, lon in zip(steps, pts.secs, pts.lat, pts.lon, strict=True):
        cum = np.concatenate(([0.0], np.cumsum(st)))
        if geo.backward_steps(secs):
            order = geo.time_order(secs)
            cum = np.concatenate(
                ([0.0], np.cumsum(geo.step_distances_m([lat[i] for i in order],
                                                       [lon[i] for i in order])))
            )  # fmt: skip
            secs = [secs[i] for i in order]
        timer += float(geo.moving_intervals(secs, cum)[0].sum())
    return timer


def _track_beyond_laps(laps: list[_Lap], pts: _Points, track_m: float) -> bool:
    """True when the trackpoints run well past what the laps' totals cover."""
    lap_m = sum(lap.distance_m or 0.0 for lap in laps)
    starts = [lap.start for lap in laps if lap.start is not None]
    if not pts.times or not starts or track_m <= lap_m * 1.05 + 10:
        return False
    last = laps[-1]
    lap_end = (last.start or starts[-1]) + timedelta(seconds=last.total_s or 0.0)
    return max(pts.times) > lap_end + timedelta(seconds=60) or min(pts.times) < starts[
        0
    ] - timedelta(seconds=60)


def _distance_m(laps: list[_Lap], pts: _Points, steps: list[np.ndarray], notes: list[str]) -> float:
    if all(lap.distance_m is not None for lap in laps):
        return sum(lap.distance_m or 0.0 for lap in laps)
    if len(pts.dist) >= 2:
        notes.append("a lap has no distance: distance from the trackpoints' DistanceMeters")
        return max(pts.dist) - pts.dist[0]
    notes.append("a lap has no distance: distance from the trackpoint positions")
    return float(sum(s.sum() for s in steps))


def _timer_s(laps: list[_Lap], pts: _Points, steps: list[np.ndarray], notes: list[str]) -> float:
    if all(lap.total_s is not None for lap in laps):
        return sum(lap.total_s or 0.0 for lap in laps)
    notes.append("a lap has no TotalTimeSeconds: timer from trackpoint movement")
    return _track_timer_s(pts, steps)


def _heart_rate(laps: list[_Lap], pts: _Points) -> tuple[float | None, float | None]:
    """(average, maximum) in beats per minute."""
    avg: float | None = None
    lap_time = sum(lap.total_s or 0.0 for lap in laps)
    if lap_time > 0 and all(lap.avg_hr is not None and lap.total_s for lap in laps):
        avg = sum((lap.avg_hr or 0.0) * (lap.total_s or 0.0) for lap in laps) / lap_time
    elif pts.hr:
        avg = float(np.mean(pts.hr))
    maxima = [lap.max_hr for lap in laps if lap.max_hr is not None] + pts.hr
    return avg, (max(maxima) if maxima else None)


def _summarise(act: etree._Element, ns: str, name: str, notes: list[str]) -> ActivitySummary | None:
    laps = _read_laps(act, ns, name)
    if not laps:
        return None
    pts = _read_points(act, ns, name)
    start = _start(act, ns, laps, pts, notes)
    if start is None:
        raise ActivityFileError(name, "TCX activity has no timestamps: loadwatch cannot date it")
    steps = [geo.step_distances_m(la, lo) for la, lo in zip(pts.lat, pts.lon, strict=True)]
    avg_hr, max_hr = _heart_rate(laps, pts)
    sport, sub_sport = normalise_sport(act.get("Sport"))
    notes.extend(unknown_sport_note(sport, sub_sport))
    offset = utc_offset_at(pts.lat[0][0], pts.lon[0][0], start) if pts.lat else None
    device = _text(act.find(f"{ns}Creator/{ns}Name"))
    track_m = _track_distance_m(pts, steps)
    if _track_beyond_laps(laps, pts, track_m):
        lap_m = sum(lap.distance_m or 0.0 for lap in laps)
        lap_s = sum(lap.total_s or 0.0 for lap in laps)
        distance, timer = track_m, _track_timer_s(pts, steps)
        notes.append(
            f"the laps' totals ({lap_s:.0f} s, {lap_m:.0f} m) cover only part of the "
            f"trackpoints: distance and moving time from the trackpoints "
            f"({timer:.0f} s, {distance:.0f} m)"
        )
    else:
        distance = _distance_m(laps, pts, steps, notes)
        timer = _timer_s(laps, pts, steps, notes)
    backward = sum(geo.backward_steps(secs) for secs in pts.secs)
    if backward:
        notes.append(f"{backward} trackpoints are timed earlier than the one before them")
    has_distance = bool(pts.dist) or any(lap.distance_m for lap in laps)
    channels = tuple(n for n, ok in (("gps", bool(pts.lat)), ("distance", has_distance)) if ok)
    return ActivitySummary(
        sport=sport,
        sub_sport=sub_sport,
        start_utc=start,
        distance_m=float(distance),
        timer_s=float(timer),
        elapsed_s=float(_elapsed_s(start, laps, pts)),
        source_format="tcx",
        utc_offset_s=offset,
        offset_source="position" if offset is not None else None,
        elevation_gain_m=geo.elevation_gain_m(pts.alt),
        avg_hr=avg_hr,
        max_hr=max_hr,
        device=" ".join(device.lower().split()) if device else None,
        notes=notes,
        channels=channels,
    )
