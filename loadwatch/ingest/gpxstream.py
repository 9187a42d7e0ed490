"""Large GPX files in bounded memory: the same summary, read as a stream.

:func:`loadwatch.ingest.gpx.read_gpx` builds the whole document tree, about
18 times the file's size in memory (a 1-million-point, 105 MB file took
1.9 GB). Files larger than :data:`STREAM_FROM_BYTES` are read here instead:
``lxml.etree.iterparse`` hands over one ``<trkpt>`` at a time, which is read
into packed numeric arrays and then freed, so the tree never exists. The
parser is as closed as the tree path's (no entities, no DTD, no network) and
the result goes through the same :func:`~loadwatch.ingest.gpx.summarise`, so
the two paths cannot disagree about the arithmetic.

Anything the stream does not understand (a malformed number, a point
without a position, an encoding the parser refuses) is left to the tree
path, which gives the usual notes and errors.
"""

from __future__ import annotations

import io
import math
from array import array
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, overload

import numpy as np
from lxml import etree

from loadwatch.ingest import geo
from loadwatch.ingest.gpx import (
    EARLIEST_REAL_TIME,
    GPX10_NS,
    LONG_PAUSE_S,
    MAX_SPAN_S,
    GpxContent,
    TrackSegment,
    _as_utc,
    _hr_value,
    _Motion,
    _sport,
    device_from_creator,
    read_gpx,
    split_at_gaps,
    summarise,
)
from loadwatch.ingest.tz import utc_offset_at
from loadwatch.ingest.xmlsafe import _declares_entities, local_name, namespace_of
from loadwatch.model import ActivitySummary

#: GPX files larger than this (bytes) are read as a stream.
STREAM_FROM_BYTES = 16_000_000


class _Column(np.ndarray):
    """A float array that is falsy when empty, like the list it stands in for."""

    def __bool__(self) -> bool:
        return self.size > 0


class _Times(Sequence[datetime | None]):
    """Point times kept as seconds after ``origin`` (8 bytes each, NaN when absent).

    A million datetime objects take 56 MB; datetimes are made on demand. Seconds
    are counted from the file's first time, not 1970, so they keep microseconds.
    """

    def __init__(self, seconds: array[float], origin: datetime) -> None:
        self.seconds = np.frombuffer(seconds, dtype=float)
        self.origin = origin

    def __len__(self) -> int:
        return int(self.seconds.size)

    @overload
    def __getitem__(self, i: int) -> datetime | None: ...
    @overload
    def __getitem__(self, i: slice) -> list[datetime | None]: ...
    def __getitem__(self, i: int | slice) -> Any:
        if isinstance(i, slice):
            return [self._at(float(v)) for v in self.seconds[i]]
        return self._at(float(self.seconds[i]))

    def __iter__(self) -> Iterator[datetime | None]:
        at = self._at
        for v in self.seconds.tolist():
            yield at(v)

    def _at(self, v: float) -> datetime | None:
        return None if math.isnan(v) else self.origin + timedelta(seconds=v)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class _Declined(Exception):
    """The stream met something it leaves to the tree path."""


def read_gpx_large(data: bytes, name: str) -> list[ActivitySummary]:
    """Summaries of a GPX document, streamed when it is large (see the module docstring)."""
    if len(data) <= STREAM_FROM_BYTES or _declares_entities(data):
        return read_gpx(data, name)
    try:
        content = _stream(data)
    except (_Declined, etree.XMLSyntaxError, ValueError):
        return read_gpx(data, name)
    parts, split_notes = split_at_gaps(content)
    if len(parts) > 1:
        return read_gpx(data, name)  # several outings in one file: the tree path splits them
    if not all(_on_earth(seg) and _in_order(seg) for seg in content.segments):
        # points to drop, untimed or out of order: the tree path and its notes
        return read_gpx(data, name)
    summary = summarise_arrays(content, name)
    summary.notes[:0] = split_notes
    return [summary]


def _on_earth(seg: TrackSegment) -> bool:
    lat, lon = np.asarray(seg.lat, dtype=float), np.asarray(seg.lon, dtype=float)
    return bool((np.abs(lat) <= 90).all() and (np.abs(lon) <= 180).all())  # False for NaN


def _in_order(seg: TrackSegment) -> bool:
    """Every point timed, each later than the one before (no repair for summarise to note)."""
    t = seg.time.seconds if isinstance(seg.time, _Times) else np.zeros(0)
    return bool(t.size and not np.isnan(t).any() and (np.diff(t) > 0).all())


def summarise_arrays(c: GpxContent, name: str) -> ActivitySummary:
    """:func:`~loadwatch.ingest.gpx.summarise` for streamed content, on arrays throughout.

    The same rules and the same ``geo`` arithmetic, without a Python object per
    point (``summarise`` builds several lists of a million floats and datetimes).
    Content with impossible positions goes to ``summarise`` itself.
    tests/test_gpx_stream.py checks the two agree on every real GPX file.
    """
    segs = [seg for seg in c.segments if len(seg.lat)]
    if c.n_tracks == 0 or sum(len(seg.lat) for seg in segs) < 2:
        return summarise(c, name)  # the refusals and their wording live there
    times = [np.asarray(seg.time.seconds if isinstance(seg.time, _Times) else [], dtype=float)
             for seg in segs]  # fmt: skip
    notes: list[str] = []
    origin = segs[0].time.origin if isinstance(segs[0].time, _Times) else _EPOCH
    earliest = (EARLIEST_REAL_TIME - origin).total_seconds()
    times = [np.where(t >= earliest, t, np.nan) for t in times]  # placeholders count as missing
    n_points = sum(len(seg.lat) for seg in segs)
    n_usable = sum(int(np.count_nonzero(~np.isnan(t))) for t in times)
    if n_usable == 0 or n_usable < n_points:
        return summarise(c, name)  # untimed points: notes and refusals as there
    start = min(float(np.nanmin(t)) for t in times)
    end = max(float(np.nanmax(t)) for t in times)
    span_s = end - start
    if span_s > MAX_SPAN_S:
        return summarise(c, name)
    distance = moving = longest = 0.0
    gains: list[float] = []
    speeds: list[np.ndarray] = []
    for seg, t in zip(segs, times, strict=True):
        steps = geo.step_distances_m(seg.lat, seg.lon)
        distance += float(steps.sum())
        cum = np.concatenate(([0.0], np.cumsum(steps)))
        dt, v = geo.moving_intervals(t - start, cum)
        moving += float(dt.sum())
        speeds.append(v)
        longest = max(longest, geo.longest_gap_s(t - start))
        gain = geo.elevation_gain_m(seg.ele)
        if gain is not None:
            gains.append(gain)
    sport, sub_sport = _sport(c, _Motion(speeds_ms=speeds), notes)
    if longest > LONG_PAUSE_S:
        notes.append(
            f"a {longest / 3600:.1f} h pause inside the track: check that it is one activity"
        )
    if c.n_tracks > 1:
        notes.append(f"{c.n_tracks} tracks read as one activity")
    hr = np.concatenate([np.asarray(seg.hr, dtype=float) for seg in segs])
    hr = hr[~np.isnan(hr)]
    first = origin + timedelta(seconds=start)
    offset = utc_offset_at(float(segs[0].lat[0]), float(segs[0].lon[0]), first)
    return ActivitySummary(
        sport=sport,
        sub_sport=sub_sport,
        start_utc=first,
        distance_m=distance,
        timer_s=moving,
        elapsed_s=span_s,
        source_format="gpx",
        utc_offset_s=offset,
        offset_source="position" if offset is not None else None,
        elevation_gain_m=sum(gains) if gains else None,
        avg_hr=float(hr.mean()) if hr.size else None,
        max_hr=float(hr.max()) if hr.size else None,
        device=device_from_creator(c.creator),
        name=c.track_names[0] if c.track_names else None,
        notes=notes,
        channels=("gps",),
    )


def _stream(data: bytes) -> GpxContent:
    events = etree.iterparse(
        io.BytesIO(data),
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    out = GpxContent()
    ns = ""
    gpx10 = False
    seg: _Builder | None = None
    origin: list[datetime] = []
    depth = 0
    for event, el in events:
        tag = el.tag
        if not isinstance(tag, str):
            continue
        local = local_name(tag)
        if event == "start":
            depth += 1
            if depth == 1:
                if local != "gpx":
                    raise _Declined
                ns = namespace_of(tag)
                gpx10 = el.get("version") == "1.0" or ns == GPX10_NS
                out.creator = el.get("creator")
            elif local == "trkseg":
                seg = _Builder(origin)
            continue
        depth -= 1
        if local == "trkpt" and seg is not None:
            seg.add(el)
        elif local == "trkseg" and seg is not None:
            out.segments.append(seg.done())
            seg = None
        elif depth == 2 and el.getparent() is not None and local_name(el.getparent().tag) == "trk":
            text = (el.text or "").strip()
            if local == "type" and text and not gpx10 and tag == ns + "type":
                out.track_types.append(text)
            elif local == "name" and text and tag == ns + "name":
                out.track_names.append(text)
            continue
        elif depth == 1:
            if tag == ns + "trk":
                out.n_tracks += 1
            elif tag == ns + "rte":
                out.n_routes += 1
            elif tag == ns + "wpt":
                out.n_waypoints += 1
        else:
            continue
        # free what has been read: the element and every finished sibling before it
        el.clear(keep_tail=False)
        parent = el.getparent()
        while parent is not None and el.getprevious() is not None:
            del parent[0]
    root = events.root
    if root is not None:
        dtd = root.getroottree().docinfo.internalDTD
        if dtd is not None and any(True for _ in dtd.iterentities()):
            raise _Declined  # the tree path refuses it with the usual message
    return out


class _Builder:
    """One ``<trkseg>`` as packed arrays (8 bytes per value) plus its times."""

    def __init__(self, origin: list[datetime]) -> None:
        self.origin = origin  # shared by the file's segments: [] until the first time
        self.lat = array("d")
        self.lon = array("d")
        self.ele = array("d")
        self.hr = array("d")
        self.time = array("d")  # epoch seconds, NaN when absent

    def add(self, pt: Any) -> None:
        lat, lon = pt.get("lat"), pt.get("lon")
        if lat is None or lon is None:
            raise _Declined
        self.lat.append(float(lat))
        self.lon.append(float(lon))
        ele = when = None
        hr = math.nan
        for child in pt.iter():
            local = local_name(child.tag)
            if local == "ele" and ele is None:
                ele = child.text
            elif local == "time" and when is None:
                when = child.text
            elif local in ("hr", "heartrate") and math.isnan(hr):
                hr = _hr_value(child.text)
        self.ele.append(float(ele) if ele is not None and ele.strip() else math.nan)
        self.hr.append(hr)
        when = when.strip() if when else ""
        if not when:
            self.time.append(math.nan)
            return
        t = _as_utc(datetime.fromisoformat(when))
        if not self.origin:
            self.origin.append(t)
        self.time.append((t - self.origin[0]).total_seconds())

    def done(self) -> TrackSegment:
        def column(values: array[float]) -> Any:
            return np.frombuffer(values, dtype=float).view(_Column)

        return TrackSegment(
            lat=column(self.lat),
            lon=column(self.lon),
            ele=column(self.ele),
            time=_Times(self.time, self.origin[0] if self.origin else _EPOCH),  # type: ignore[arg-type]
            hr=column(self.hr),
        )
