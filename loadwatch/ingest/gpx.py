"""GPX reader: one activity summary per file.

Three ways in, one way out. A plain file (one default namespace, no
comments, entities or CDATA among the points) is read by a byte scan
(:mod:`loadwatch.ingest.gpxscan`: libxml2 checks the whole document without
building a tree, numpy reads the points). Anything else is parsed once,
safely (:mod:`loadwatch.ingest.xmlsafe`), and a fast path walks the lxml
tree directly (about ten times quicker than building gpxpy objects);
anything that one does not understand (an unparseable number or time, a
missing coordinate) hands the same, already checked, document to gpxpy, the
reference parser. All paths produce the same :class:`GpxContent` (numpy
columns per segment), and one function turns that into the summary, so they
cannot disagree about the arithmetic.

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
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
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


#: Point times are int64 microseconds since 1970-01-01 UTC; this marks a point without one.
NO_TIME = np.iinfo(np.int64).min
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_US = timedelta(microseconds=1)
#: :data:`EARLIEST_REAL_TIME` in microseconds since 1970.
EARLIEST_US = (EARLIEST_REAL_TIME - _EPOCH) // _ONE_US


def to_us(t: datetime | None) -> int:
    """An aware datetime as microseconds since 1970 (exact); ``None`` -> :data:`NO_TIME`."""
    return NO_TIME if t is None else (t - _EPOCH) // _ONE_US


def from_us(us: int) -> datetime:
    """Microseconds since 1970 back to an aware UTC datetime (exact)."""
    return _EPOCH + timedelta(microseconds=int(us))


@dataclass(slots=True)
class TrackSegment:
    """Per-point columns of one ``<trkseg>``, all of one length.

    ``lat``/``lon`` in degrees, ``ele`` in metres, ``hr`` in beats per minute
    (float arrays, ``nan`` when absent); ``time_us`` int64 microseconds since
    1970 UTC (:data:`NO_TIME` when absent). Integers keep times exact: a
    difference divided by 1e6 is exactly ``timedelta.total_seconds()``.
    """

    lat: np.ndarray
    lon: np.ndarray
    ele: np.ndarray
    time_us: np.ndarray
    hr: np.ndarray

    def __len__(self) -> int:
        return int(self.lat.size)

    def take(self, index: np.ndarray | slice) -> TrackSegment:
        """The points at ``index`` (a boolean mask, indices or a slice), as a new segment."""
        return TrackSegment(
            self.lat[index], self.lon[index], self.ele[index], self.time_us[index], self.hr[index]
        )

    @classmethod
    def from_lists(
        cls,
        lat: list[float],
        lon: list[float],
        ele: list[float],
        time: list[datetime | None],
        hr: list[float],
    ) -> TrackSegment:
        """A segment from per-point Python lists (aware datetimes or ``None``)."""
        return cls(
            np.asarray(lat, dtype=float),
            np.asarray(lon, dtype=float),
            np.asarray(ele, dtype=float),
            np.fromiter((to_us(t) for t in time), dtype=np.int64, count=len(time)),
            np.asarray(hr, dtype=float),
        )


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
    data: bytes,
    name: str,
    *,
    parser: Literal["auto", "scan", "tree", "lxml", "gpxpy"] = "auto",
) -> list[ActivitySummary]:
    """Read a GPX document (decompressed bytes) into one activity summary.

    ``"auto"`` tries the byte scan of :mod:`loadwatch.ingest.gpxscan`, then
    the lxml tree walk, then gpxpy. The other values exist for tests and
    measurements: ``"tree"`` skips the scan, ``"scan"`` and ``"lxml"`` force
    one path (raising :class:`FastPathDeclined` where it would fall back),
    ``"gpxpy"`` forces the reference path.
    """
    if parser in ("auto", "scan"):
        from loadwatch.ingest.gpxscan import scan_gpx

        scanned = scan_gpx(data)
        if scanned is not None:
            return summaries(scanned, name, [])
        if parser == "scan":
            raise FastPathDeclined("the byte scan declined the file")
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
    return summaries(content, name, notes)


def summaries(content: GpxContent, name: str, notes: list[str]) -> list[ActivitySummary]:
    """The summary of each outing in ``content`` (see :func:`split_at_gaps`)."""
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


def _usable(seg: TrackSegment) -> np.ndarray:
    """True for the points with a real time (not missing, not a placeholder)."""
    return seg.time_us >= EARLIEST_US


def _usable_times(c: GpxContent) -> np.ndarray:
    """Every usable point time of the content (microseconds, document order)."""
    parts = [s.time_us[_usable(s)] for s in c.segments]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def split_at_gaps(c: GpxContent) -> tuple[list[GpxContent], list[str]]:
    """One content per outing when the track's times have gaps over SPLIT_GAP_S.

    A point without a usable time goes with the timed point before it (else
    the one after it). Parts shorter than STRAY_MAX_S and STRAY_MAX_M, or
    with a single timed point, are dropped as strays; every split or drop is
    noted.
    """
    ordered = np.sort(_usable_times(c))
    if not ordered.size:
        return [c], []
    breaks = np.flatnonzero(np.diff(ordered) > SPLIT_GAP_S * 1_000_000)
    if not breaks.size:
        return [c], []
    if breaks.size + 1 > MAX_PARTS:
        return [c], []  # a long GPS log: summarise refuses it by its span
    firsts = ordered[np.concatenate(([0], breaks + 1))]
    lasts = ordered[np.concatenate((breaks, [ordered.size - 1]))]
    parts = [GpxContent(c.creator, c.track_types, c.track_names) for _ in firsts]
    for seg in c.segments:
        owner = _owners(seg, firsts)
        cuts = np.flatnonzero(np.diff(owner)) + 1
        for lo, hi in zip(
            np.concatenate(([0], cuts)), np.concatenate((cuts, [len(seg)])), strict=True
        ):
            parts[int(owner[lo])].segments.append(seg.take(slice(int(lo), int(hi))))
    kept, strays = [], []
    for first, last, part in zip(firsts.tolist(), lasts.tolist(), parts, strict=True):
        distance = sum(float(geo.step_distances_m(s.lat, s.lon).sum()) for s in part.segments)
        short = (last - first) < STRAY_MAX_S * 1_000_000 and distance < STRAY_MAX_M
        if short or _usable_times(part).size < 2:
            n = sum(len(s) for s in part.segments)
            strays.append(f"{n} point(s) on {from_us(first):%Y-%m-%d %H:%M} UTC")
            continue
        part.n_tracks = 1  # the split note says where the parts came from
        kept.append(part)
    if not kept:
        return [c], []
    notes = []
    if len(kept) > 1:
        dates = ", ".join(f"{from_us(int(_usable_times(p).min())):%Y-%m-%d}" for p in kept)
        notes.append(
            f"the track's times have gaps of over {SPLIT_GAP_S // 3600:.0f} h: split into "
            f"{len(kept)} activities ({dates})"
        )
    if strays:
        notes.append(f"stray points far in time from the rest dropped ({'; '.join(strays)})")
    return kept, notes


def _owners(seg: TrackSegment, firsts: np.ndarray) -> np.ndarray:
    """The time group of each point of a segment (an untimed point takes the
    group of the timed point before it, or else of the first timed point)."""
    usable = _usable(seg)
    if not usable.any():
        return np.zeros(len(seg), dtype=np.int64)
    group = np.searchsorted(firsts, seg.time_us, side="right") - 1
    last_timed = np.maximum.accumulate(np.where(usable, np.arange(len(seg)), -1))
    first_group = group[int(np.argmax(usable))]
    return np.where(last_timed >= 0, group[np.maximum(last_timed, 0)], first_group)


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
    return TrackSegment.from_lists(
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
            points = segment.points
            out.segments.append(
                TrackSegment.from_lists(
                    lat=[float(p.latitude) for p in points],
                    lon=[float(p.longitude) for p in points],
                    ele=[math.nan if p.elevation is None else float(p.elevation) for p in points],
                    time=[_as_utc(p.time) if p.time is not None else None for p in points],
                    hr=[_hr_in(p.extensions) for p in points],
                )
            )


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
    ok = (np.abs(seg.lat) <= 90) & (np.abs(seg.lon) <= 180)  # False for NaN
    return seg if ok.all() else seg.take(ok)


@dataclass(slots=True)
class _Motion:
    """Sums over all segments (metres, seconds, m/s)."""

    distance_m: float = 0.0
    moving_s: float = 0.0
    longest_gap_s: float = 0.0
    backward_steps: int = 0  # timed points earlier than the point before them
    gains_m: list[float] = field(default_factory=list)
    speeds_ms: list[np.ndarray] = field(default_factory=list)


def _motion(segs: list[TrackSegment], start_us: int) -> _Motion:
    m = _Motion()
    for s in segs:
        steps = geo.step_distances_m(s.lat, s.lon)
        m.distance_m += float(steps.sum())
        cum = np.concatenate(([0.0], np.cumsum(steps)))
        del steps  # a long track's arrays are large: hold as few at once as can be
        usable = _usable(s)
        secs = np.full(len(s), math.nan)
        secs[usable] = (s.time_us[usable] - start_us) / 1e6
        back = geo.backward_steps(secs)
        if back:
            # moving time from the points in time order: it can then never
            # exceed the elapsed time (the distance keeps the recorded order)
            order = np.asarray(geo.time_order(secs), dtype=np.int64)
            cum = np.concatenate(
                ([0.0], np.cumsum(geo.step_distances_m(s.lat[order], s.lon[order])))
            )
            secs = secs[order]
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
    n_read = sum(len(s) for s in c.segments)
    segs = [p for p in (_plausible_points(s) for s in c.segments) if len(p)]
    n_points = sum(len(s) for s in segs)
    if n_read > n_points:
        notes.append(f"{n_read - n_points} track points with an impossible position skipped")
    if n_points == 0:
        raise NotAnActivityFile(name, "GPX track has no points")
    if n_points == 1:
        raise NotAnActivityFile(name, "GPX track has a single point: nothing to measure")

    usable = np.concatenate([s.time_us[_usable(s)] for s in segs])
    if not usable.size:
        raise ActivityFileError(name, "GPX track has no timestamps: loadwatch cannot date it")
    if usable.size < n_points:
        notes.append(
            f"{n_points - usable.size} of {n_points} track points have no usable timestamp; "
            f"times come from the other {usable.size}"
        )
    start_us, end_us = int(usable.min()), int(usable.max())
    del usable
    start = from_us(start_us)
    span_s = (end_us - start_us) / 1e6
    if span_s > MAX_SPAN_S:
        raise ActivityFileError(
            name,
            f"GPX track spans {span_s / 86400:.0f} days: it looks like a log of several "
            "outings, not one activity",
        )

    m = _motion(segs, start_us)
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

    hr = np.concatenate([s.hr for s in segs])
    hr = hr[~np.isnan(hr)]
    offset = utc_offset_at(float(segs[0].lat[0]), float(segs[0].lon[0]), start)
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
