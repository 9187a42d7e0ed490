"""GPX reader: one activity summary per file.

Two ways in, one way out. The bytes are parsed once, safely
(:mod:`loadwatch.ingest.xmlsafe`). A fast path walks the lxml tree directly
(about ten times quicker than building gpxpy objects); anything it does not
understand (an unparseable number or time, a missing coordinate) hands the
same, already checked, document to gpxpy, the reference parser. Both paths
produce the same :class:`GpxContent`, and one function turns that into the
summary, so they cannot disagree about the arithmetic.

Rules for the summary (units: metres, seconds, beats per minute):

- All tracks and segments of a file are one activity. Distance is the
  haversine sum within each segment (:mod:`loadwatch.ingest.geo`). A GPX
  has no timer events, so ground covered while the watch was paused stays
  in (a FIT file of the same ride can be shorter; tests/test_fit_gpx_pairs.py).
- Times more than 12 hours apart split the track into one activity per
  outing (a few stray points far from the rest are dropped instead), with a
  note; a part still spanning more than 7 days, or a log of more than 20
  outings, is refused. Points whose position is not on Earth are skipped,
  with a note.
- Times before 1990 are placeholders, not dates (the 1901-12-13T20:45:52Z
  32-bit sentinel, GPS week roll-overs, zeroed clocks) and count as missing.
  A track with no usable time cannot be dated and is refused; never guessed.
- start = earliest usable time, elapsed = latest - earliest, timer = moving
  time (:func:`loadwatch.ingest.geo.moving_intervals`).
- Sport comes from the first ``<trk><type>`` (GPX 1.1 only: 1.0 has none);
  without one it is inferred from the median moving speed, with a note.
- Heart rate is any ``<hr>`` (or ``<heartrate>``) inside a point's
  ``<extensions>``, whatever its namespace prefix (``gpxtpx:``, ``ns3:``).

Where the two paths differ: gpxpy drops a ``<time>`` whose text is padded
with whitespace (``<time>\n2006-04-08T18:25:33Z</time>``); XML Schema
collapses that whitespace, so the fast path reads the time. Files that fall
back to gpxpy lose such times.
- The wall-clock offset comes from the first point's position
  (``offset_source="position"``); ``None`` when the position has no zone.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import numpy as np
from lxml import etree

from loadwatch.errors import ActivityFileError, NotAnActivityFile
from loadwatch.ingest import geo
from loadwatch.ingest.tz import utc_offset_at
from loadwatch.ingest.xmlsafe import local_name, namespace_of, parse_xml
from loadwatch.model import ActivitySummary, normalise_sport, unknown_sport_note

#: Times before this are placeholders (see the module docstring).
EARLIEST_REAL_TIME = datetime(1990, 1, 1, tzinfo=UTC)

#: Median moving speed (m/s) bands used to guess the sport of an untyped track.
#: 1.8 m/s (9:15 min/km) sits above a brisk walk and below nearly every run;
#: 4.5 m/s (3:42 min/km) is faster than almost anyone's whole-run median.
WALK_RUN_SPEED_MS = 1.8
RUN_RIDE_SPEED_MS = 4.5

#: Extension elements (any namespace) that hold heart rate, beats per minute.
_HR_NAMES = ("hr", "heartrate")
_HR_TAGS = tuple("{*}" + n for n in _HR_NAMES)

GPX10_NS = "{http://www.topografix.com/GPX/1/0}"

#: A file spanning longer than this is a GPS log of several outings, not one
#: activity (multi-day foot races are recorded a stage at a time).
MAX_SPAN_S = 7 * 86400.0

#: Times further apart than this (s) are separate outings: the track is split.
SPLIT_GAP_S = 12 * 3600
#: A split part shorter than this (s) and this far (m) is a stray and dropped.
STRAY_MAX_S = 300
STRAY_MAX_M = 100.0
#: More parts than this: a GPS log of a whole season, not a recording.
MAX_PARTS = 20

#: A pause longer than this inside one file earns a note (seconds).
LONG_PAUSE_S = 6 * 3600.0

_URL = re.compile(r"\s*-?\s*(https?://|www\.)\S*")


class FastPathDeclined(Exception):
    """The lxml fast path met something it leaves to gpxpy."""


@dataclass(slots=True)
class TrackSegment:
    """Parallel per-point lists of one ``<trkseg>``; ``nan``/``None`` when absent."""

    lat: list[float] = field(default_factory=list)
    lon: list[float] = field(default_factory=list)
    ele: list[float] = field(default_factory=list)
    time: list[datetime | None] = field(default_factory=list)
    hr: list[float] = field(default_factory=list)


@dataclass(slots=True)
class GpxContent:
    """What a GPX file holds that matters for an activity summary."""

    creator: str | None = None
    track_types: list[str] = field(default_factory=list)
    track_names: list[str] = field(default_factory=list)
    segments: list[TrackSegment] = field(default_factory=list)
    n_tracks: int = 0
    n_routes: int = 0
    n_waypoints: int = 0


def read_gpx(
    data: bytes, name: str, *, parser: Literal["auto", "lxml", "gpxpy"] = "auto"
) -> list[ActivitySummary]:
    """Read a GPX document (decompressed bytes) into one activity summary.

    ``parser`` exists for tests and measurements: ``"lxml"`` forces the fast
    path (raising :class:`FastPathDeclined` where it would fall back),
    ``"gpxpy"`` forces the reference path.
    """
    root, notes = parse_xml(data, name)
    if local_name(root.tag) != "gpx":
        raise ActivityFileError(name, f"not a GPX file: the root element is <{root.tag}>")
    if parser == "gpxpy":
        content = extract_with_gpxpy(root, name)
    else:
        try:
            content = extract_with_lxml(root)
        except FastPathDeclined:
            if parser == "lxml":
                raise
            content = extract_with_gpxpy(root, name)
    parts, split_notes = split_at_gaps(content)
    if len(parts) == 1:
        return [summarise(parts[0], name, notes + split_notes)]
    out = []
    for index, part in enumerate(parts):
        summary = summarise(part, name, notes + split_notes)
        summary.session_index = index
        out.append(summary)
    return out


# --- recordings with a multi-day gap ----------------------------------------------------


def _usable(t: datetime | None) -> bool:
    return t is not None and t >= EARLIEST_REAL_TIME


def _time_groups(times: list[datetime]) -> list[tuple[datetime, datetime]]:
    """(first, last) of each run of sorted times without a gap over SPLIT_GAP_S."""
    ordered = sorted(times)
    groups = [(ordered[0], ordered[0])]
    for t in ordered[1:]:
        first, last = groups[-1]
        if (t - last).total_seconds() > SPLIT_GAP_S:
            groups.append((t, t))
        else:
            groups[-1] = (first, t)
    return groups


def split_at_gaps(c: GpxContent) -> tuple[list[GpxContent], list[str]]:
    """One content per outing when the track's times have gaps over SPLIT_GAP_S.

    A point without a usable time goes with the timed point before it (else
    the one after it). Parts shorter than STRAY_MAX_S and STRAY_MAX_M, or
    with a single timed point, are dropped as strays; every split or drop is
    noted.
    """
    times = [t for seg in c.segments for t in seg.time if t is not None and _usable(t)]
    if not times:
        return [c], []
    groups = _time_groups(times)
    if len(groups) == 1:
        return [c], []
    if len(groups) > MAX_PARTS:
        return [c], []  # a long GPS log: summarise refuses it by its span
    starts = [g[0] for g in groups]
    parts = [GpxContent(c.creator, c.track_types, c.track_names) for _ in groups]
    for seg in c.segments:
        owner = _owners(seg, starts)
        for g, sub in _runs_by_owner(seg, owner):
            parts[g].segments.append(sub)
    kept, strays = [], []
    for (first, last), part in zip(groups, parts, strict=True):
        distance = sum(float(geo.step_distances_m(s.lat, s.lon).sum()) for s in part.segments)
        short = (last - first).total_seconds() < STRAY_MAX_S and distance < STRAY_MAX_M
        if short or len(_part_times(part)) < 2:
            n = sum(len(s.lat) for s in part.segments)
            strays.append(f"{n} point(s) on {first:%Y-%m-%d %H:%M} UTC")
            continue
        part.n_tracks = 1  # the split note says where the parts came from
        kept.append(part)
    if not kept:
        return [c], []
    notes = []
    if len(kept) > 1:
        dates = ", ".join(f"{min(_part_times(p)):%Y-%m-%d}" for p in kept)
        notes.append(
            f"the track's times have gaps of over {SPLIT_GAP_S // 3600:.0f} h: split into "
            f"{len(kept)} activities ({dates})"
        )
    if strays:
        notes.append(f"stray points far in time from the rest dropped ({'; '.join(strays)})")
    return kept, notes


def _part_times(c: GpxContent) -> list[datetime]:
    return [t for s in c.segments for t in s.time if t is not None and _usable(t)]


def _owners(seg: TrackSegment, starts: list[datetime]) -> list[int]:
    """The time group of each point of a segment."""
    owner: list[int | None] = [
        bisect_right(starts, t) - 1 if t is not None and _usable(t) else None for t in seg.time
    ]
    known = next((o for o in owner if o is not None), 0)
    out: list[int] = []
    for o in owner:
        known = o if o is not None else known
        out.append(known)
    return out


def _runs_by_owner(seg: TrackSegment, owner: list[int]) -> list[tuple[int, TrackSegment]]:
    """Consecutive points of one group as their own segment (never bridged)."""
    runs: list[tuple[int, TrackSegment]] = []
    for i, g in enumerate(owner):
        if not runs or runs[-1][0] != g:
            runs.append((g, TrackSegment()))
        sub = runs[-1][1]
        sub.lat.append(seg.lat[i])
        sub.lon.append(seg.lon[i])
        sub.ele.append(seg.ele[i])
        sub.time.append(seg.time[i])
        sub.hr.append(seg.hr[i])
    return runs


# --- the fast path -----------------------------------------------------------------


def _floats_or_decline(texts: list[str | None]) -> list[float]:
    try:
        return [float(t) if t is not None and t.strip() else math.nan for t in texts]
    except ValueError as e:
        raise FastPathDeclined(f"a number: {e}") from e


def _times_or_decline(texts: list[str | None]) -> list[datetime | None]:
    try:
        return [
            _as_utc(datetime.fromisoformat(t.strip())) if t is not None and t.strip() else None
            for t in texts
        ]
    except ValueError as e:
        raise FastPathDeclined(f"a time: {e}") from e


def _is_gpx10(root: etree._Element) -> bool:
    return root.get("version") == "1.0" or namespace_of(root.tag) == GPX10_NS


def _read_segment(seg_el: etree._Element, ns: str) -> TrackSegment:
    pt_tag, ele_tag, time_tag = ns + "trkpt", ns + "ele", ns + "time"
    lat: list[str | None] = []
    lon: list[str | None] = []
    ele: list[str | None] = []
    when: list[str | None] = []
    hr: list[str | None] = []
    # One C-level pass over just the elements that matter, in document order:
    # a <trkpt> opens a point, the <ele>/<time>/<hr> after it fill it in. Any
    # namespace's <hr> counts (Garmin's gpxtpx, or ns3: in Connect exports).
    for el in seg_el.iter(pt_tag, ele_tag, time_tag, *_HR_TAGS):
        tag = el.tag
        if tag == pt_tag:
            lat.append(el.get("lat"))
            lon.append(el.get("lon"))
            ele.append(None)
            when.append(None)
            hr.append(None)
        elif not lat:
            continue
        elif tag == ele_tag:
            ele[-1] = el.text
        elif tag == time_tag:
            when[-1] = el.text
        elif hr[-1] is None:
            hr[-1] = el.text
    if None in lat or None in lon:
        raise FastPathDeclined("a track point without lat/lon")
    return TrackSegment(
        lat=_floats_or_decline(lat),
        lon=_floats_or_decline(lon),
        ele=_floats_or_decline(ele),
        time=_times_or_decline(when),
        hr=[_hr_value(h) for h in hr],
    )


def extract_with_lxml(root: etree._Element) -> GpxContent:
    """Walk a parsed ``<gpx>`` tree (GPX 1.0, 1.1 or no namespace)."""
    ns = namespace_of(root.tag)
    trk, rte, wpt, seg_tag = ns + "trk", ns + "rte", ns + "wpt", ns + "trkseg"
    # GPX 1.0 has no <trk><type>; what 1.0 files put there is junk (gpxpy agrees).
    type_tag = "" if _is_gpx10(root) else ns + "type"
    name_tag = ns + "name"
    out = GpxContent(creator=root.get("creator"))
    for child in root:
        tag = child.tag
        if tag == rte:
            out.n_routes += 1
        elif tag == wpt:
            out.n_waypoints += 1
        if tag != trk:
            continue
        out.n_tracks += 1
        for part in child:
            text = (part.text or "").strip()
            if part.tag == seg_tag:
                out.segments.append(_read_segment(part, ns))
            elif text and part.tag == type_tag:
                out.track_types.append(text)
            elif text and part.tag == name_tag:
                out.track_names.append(text)
    return out


# --- the reference path ------------------------------------------------------------


def extract_with_gpxpy(root: etree._Element, name: str) -> GpxContent:
    """Read the same content with gpxpy (the reference parser).

    gpxpy gets the tree re-serialised by lxml, never the raw bytes: the
    document has already passed the entity check, and the text is already
    decoded from whatever encoding the file declared.
    """
    import gpxpy
    import gpxpy.gpx

    try:
        gpx = gpxpy.parse(etree.tostring(root, encoding="unicode"))
    except (gpxpy.gpx.GPXException, ValueError) as e:
        raise ActivityFileError(name, f"not a valid GPX file ({e})") from e
    out = GpxContent(
        creator=gpx.creator,
        n_tracks=len(gpx.tracks),
        n_routes=len(gpx.routes),
        n_waypoints=len(gpx.waypoints),
    )
    try:
        _gpxpy_tracks(gpx, out)
    except ValueError as e:  # e.g. a time offset of +99:00, which no datetime can hold
        raise ActivityFileError(name, f"not a valid GPX file (an impossible time: {e})") from e
    return out


def _gpxpy_tracks(gpx: Any, out: GpxContent) -> None:
    for track in gpx.tracks:
        if track.type and track.type.strip():
            out.track_types.append(track.type.strip())
        if track.name and track.name.strip():
            out.track_names.append(track.name.strip())
        for segment in track.segments:
            seg = TrackSegment()
            for p in segment.points:
                hr = _hr_in(p.extensions)
                seg.lat.append(float(p.latitude))
                seg.lon.append(float(p.longitude))
                seg.ele.append(math.nan if p.elevation is None else float(p.elevation))
                seg.time.append(_as_utc(p.time) if p.time is not None else None)
                seg.hr.append(hr)
            out.segments.append(seg)


# --- one summary ---------------------------------------------------------------------


def _hr_in(extensions: list[etree._Element]) -> float:
    for ext in extensions:
        for e in ext.iter(*_HR_TAGS):
            return _hr_value(e.text)
    return math.nan


def _as_utc(t: datetime) -> datetime:
    # GPX times are UTC by definition; a time without a zone is read as UTC.
    if t.tzinfo is None:
        return t.replace(tzinfo=UTC)
    return t.astimezone(UTC)


def _hr_value(text: str | None) -> float:
    try:
        bpm = float(text) if text is not None else math.nan
    except ValueError:
        return math.nan
    # 0 is what a watch writes when the strap drops out; >250 is not a heart.
    return bpm if 0 < bpm <= 250 else math.nan


def device_from_creator(creator: str | None) -> str | None:
    """``"GPSBabel - http://www.gpsbabel.org"`` -> ``"gpsbabel"`` (lower case, no URL)."""
    if not creator:
        return None
    text = " ".join(_URL.sub("", creator).split()).strip(" -").lower()
    return text[:80] or None


def infer_sport(median_speed_ms: float | None) -> str:
    """Guess running / walking / cycling from the median moving speed (m/s)."""
    if median_speed_ms is None:
        return "generic"
    if median_speed_ms < WALK_RUN_SPEED_MS:
        return "walking"
    if median_speed_ms <= RUN_RIDE_SPEED_MS:
        return "running"
    return "cycling"


def _no_track_reason(c: GpxContent) -> str:
    if c.n_routes or c.n_waypoints:
        return "GPX holds no track (routes/waypoints only)"
    return "GPX holds no track"


def _plausible_points(seg: TrackSegment) -> TrackSegment:
    """The segment without points whose position is not on Earth (NaN, lat 999...)."""
    lat = np.asarray(seg.lat, dtype=float)
    lon = np.asarray(seg.lon, dtype=float)
    ok = np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
    if ok.all():
        return seg
    keep = np.flatnonzero(ok).tolist()
    return TrackSegment(
        lat=[seg.lat[i] for i in keep],
        lon=[seg.lon[i] for i in keep],
        ele=[seg.ele[i] for i in keep],
        time=[seg.time[i] for i in keep],
        hr=[seg.hr[i] for i in keep],
    )


@dataclass(slots=True)
class _Motion:
    """Sums over all segments (metres, seconds, m/s)."""

    distance_m: float = 0.0
    moving_s: float = 0.0
    longest_gap_s: float = 0.0
    backward_steps: int = 0  # timed points earlier than the point before them
    gains_m: list[float] = field(default_factory=list)
    speeds_ms: list[np.ndarray] = field(default_factory=list)


def _motion(segs: list[TrackSegment], start: datetime) -> _Motion:
    m = _Motion()
    for s in segs:
        steps = geo.step_distances_m(s.lat, s.lon)
        m.distance_m += float(steps.sum())
        cum = np.concatenate(([0.0], np.cumsum(steps)))
        secs = [
            (t - start).total_seconds() if t is not None and t >= EARLIEST_REAL_TIME else math.nan
            for t in s.time
        ]
        back = geo.backward_steps(secs)
        if back:
            # moving time from the points in time order: it can then never
            # exceed the elapsed time (the distance keeps the recorded order)
            order = geo.time_order(secs)
            lat = [s.lat[i] for i in order]
            lon = [s.lon[i] for i in order]
            cum = np.concatenate(([0.0], np.cumsum(geo.step_distances_m(lat, lon))))
            secs = [secs[i] for i in order]
            m.backward_steps += back
        dt, v = geo.moving_intervals(secs, cum)
        m.moving_s += float(dt.sum())
        m.speeds_ms.append(v)
        m.longest_gap_s = max(m.longest_gap_s, geo.longest_gap_s(secs))
        gain = geo.elevation_gain_m(s.ele)
        if gain is not None:
            m.gains_m.append(gain)
    return m


def _sport(c: GpxContent, m: _Motion, notes: list[str]) -> tuple[str, str | None]:
    if c.track_types:
        sport, sub = normalise_sport(c.track_types[0])
        notes.extend(unknown_sport_note(sport, sub))
        return sport, sub
    speeds = np.concatenate(m.speeds_ms) if m.speeds_ms else np.zeros(0)
    if not speeds.size:
        notes.append("the GPX has no sport type and no timed movement: sport unknown")
        return "generic", None
    median = float(np.median(speeds))
    sport = infer_sport(median)
    notes.append(
        f"the GPX has no sport type: {sport} inferred from the median moving speed "
        f"({median:.2f} m/s)"
    )
    return sport, None


def summarise(c: GpxContent, name: str, notes: list[str] | None = None) -> ActivitySummary:
    """Turn the content of one GPX file into its activity summary."""
    notes = list(notes or [])
    if c.n_tracks == 0:
        raise NotAnActivityFile(name, _no_track_reason(c))
    n_read = sum(len(s.lat) for s in c.segments)
    segs = [p for p in (_plausible_points(s) for s in c.segments) if p.lat]
    n_points = sum(len(s.lat) for s in segs)
    if n_read > n_points:
        notes.append(f"{n_read - n_points} track points with an impossible position skipped")
    if n_points == 0:
        raise NotAnActivityFile(name, "GPX track has no points")
    if n_points == 1:
        raise NotAnActivityFile(name, "GPX track has a single point: nothing to measure")

    usable = [t for s in segs for t in s.time if t is not None and t >= EARLIEST_REAL_TIME]
    if not usable:
        raise ActivityFileError(name, "GPX track has no timestamps: loadwatch cannot date it")
    if len(usable) < n_points:
        notes.append(
            f"{n_points - len(usable)} of {n_points} track points have no usable timestamp; "
            f"times come from the other {len(usable)}"
        )
    start, end = min(usable), max(usable)
    span_s = (end - start).total_seconds()
    if span_s > MAX_SPAN_S:
        raise ActivityFileError(
            name,
            f"GPX track spans {span_s / 86400:.0f} days: it looks like a log of several "
            "outings, not one activity",
        )

    m = _motion(segs, start)
    sport, sub_sport = _sport(c, m, notes)
    if m.longest_gap_s > LONG_PAUSE_S:
        notes.append(
            f"a {m.longest_gap_s / 3600:.1f} h pause inside the track: "
            "check that it is one activity"
        )
    if c.n_tracks > 1:
        notes.append(f"{c.n_tracks} tracks read as one activity")
    if m.backward_steps:
        notes.append(
            f"{m.backward_steps} of {n_points} track points are timed earlier than the point "
            "before them: moving time counted with the points in time order"
        )

    hr = np.array([h for s in segs for h in s.hr], dtype=float)
    hr = hr[~np.isnan(hr)]
    offset = utc_offset_at(segs[0].lat[0], segs[0].lon[0], start)
    return ActivitySummary(
        sport=sport,
        sub_sport=sub_sport,
        start_utc=start,
        distance_m=m.distance_m,
        timer_s=m.moving_s,
        elapsed_s=span_s,
        source_format="gpx",
        utc_offset_s=offset,
        offset_source="position" if offset is not None else None,
        elevation_gain_m=sum(m.gains_m) if m.gains_m else None,
        avg_hr=float(hr.mean()) if hr.size else None,
        max_hr=float(hr.max()) if hr.size else None,
        device=device_from_creator(c.creator),
        name=c.track_names[0] if c.track_names else None,
        notes=notes,
        channels=("gps",),
    )
