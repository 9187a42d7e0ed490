"""Every real GPX file: loadwatch's figures against figures computed here from gpxpy.

The expected values never come from loadwatch's code: gpxpy parses the file,
and this module computes the summary from gpxpy's points by the rules the
GPX reader documents (haversine on the mean Earth radius per segment, points
off the Earth skipped, times before 1990 ignored, moving time above
0.5 m/s, the smoothed 3 m climb rule, the first heart rate of each point in
(0, 250], the zone of the first position from timezonefinder). It runs
through the import entry point, so whichever path reads a file (the byte
scan, the tree walk or gpxpy) is held to the same numbers.
"""

from __future__ import annotations

import itertools
import math
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import gpxpy
import gpxpy.geo
import pytest
from corpus import REALWORLD, manifest_rows, params
from timezonefinder import TimezoneFinder

from loadwatch.errors import ActivityFileError
from loadwatch.ingest import read_activity_bytes

DATA = Path(__file__).resolve().parent / "data" / "gpx"
SUBSET = sorted(DATA.glob("*.gpx"))
CORPUS = manifest_rows("gpx/")
CORPUS_PARAMS = params(list(CORPUS), [r["relpath"] for r in CORPUS])

#: gpxpy's haversine uses the equatorial radius; the reader documents the mean one.
MEAN_OVER_EQUATORIAL = 6_371_008.8 / 6_378_137.0
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
_FINDER = TimezoneFinder()


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _heart_rate(point: Any) -> float:
    """The first <hr>/<heartrate> with text in the point's extensions, if a heart."""
    for ext in point.extensions:
        for el in ext.iter():
            if _local(el.tag) in ("hr", "heartrate") and el.text is not None:
                try:
                    bpm = float(el.text)
                except ValueError:
                    return math.nan
                return bpm if 0 < bpm <= 250 else math.nan
    return math.nan


def _gain(elevations: list[float]) -> float | None:
    """Smoothed (1/4, 1/2, 1/4) elevations; a climb counts in full once 3 m above its base."""
    e = [x for x in elevations if not math.isnan(x)]
    if len(e) < 2:
        return None
    inner = [0.25 * a + 0.5 * b + 0.25 * c for a, b, c in zip(e, e[1:], e[2:], strict=False)]
    s = [e[0], *inner, e[-1]] if len(e) >= 3 else e
    gain, low, high, climbing = 0.0, s[0], s[0], False
    for x in s[1:]:
        if climbing:
            if x > high:
                high = x
            elif high - x >= 3.0:
                gain += high - low
                climbing, low, high = False, x, x
        elif x < low:
            low = x
        elif x - low >= 3.0:
            climbing, high = True, x
    return gain + (high - low if climbing else 0.0)


def _step(p: Any, q: Any) -> float:
    d: float = gpxpy.geo.haversine_distance(p.latitude, p.longitude, q.latitude, q.longitude)
    return d * MEAN_OVER_EQUATORIAL


def _time(p: Any) -> datetime | None:
    """The point's time in UTC (a time without a zone is UTC), None if missing or before 1990."""
    if p.time is None:
        return None
    t = p.time.replace(tzinfo=UTC) if p.time.tzinfo is None else p.time.astimezone(UTC)
    return t if t >= EARLIEST else None


def reference(data: bytes) -> dict[str, Any]:
    """The summary figures of a GPX file, from gpxpy's points."""
    # gpxpy drops times padded with whitespace, which XML Schema allows: unpad them
    text = re.sub(rb"<time>\s*([^<]*?)\s*</time>", rb"<time>\1</time>", data).decode("utf-8")
    gpx = gpxpy.parse(text)
    segments = [
        [p for p in seg.points if abs(p.latitude) <= 90 and abs(p.longitude) <= 180]
        for trk in gpx.tracks
        for seg in trk.segments
    ]
    segments = [s for s in segments if s]
    points = [p for s in segments for p in s]
    times = [t for p in points if (t := _time(p)) is not None]
    out: dict[str, Any] = {"tracks": len(gpx.tracks), "points": len(points), "times": times}
    if not times:
        return out
    start, end = min(times), max(times)
    out["start_utc"], out["elapsed_s"] = start, (end - start).total_seconds()
    out["distance_m"] = sum(_step(p, q) for s in segments for p, q in itertools.pairwise(s))
    if len(times) == len(points):  # all timed: moving time with the points in time order
        moving = 0.0
        for s in segments:
            ordered = sorted(s, key=lambda p: _time(p))  # type: ignore[arg-type, return-value]
            for p, q in itertools.pairwise(ordered):
                dt = (_time(q) - _time(p)).total_seconds()  # type: ignore[operator]
                if dt > 0 and _step(p, q) / dt > 0.5:
                    moving += dt
        out["timer_s"] = moving
    hrs = [h for p in points if not math.isnan(h := _heart_rate(p))]
    out["avg_hr"] = sum(hrs) / len(hrs) if hrs else None
    out["max_hr"] = max(hrs) if hrs else None
    gains = [
        g
        for s in segments
        if (g := _gain([math.nan if p.elevation is None else p.elevation for p in s])) is not None
    ]
    out["elevation_gain_m"] = sum(gains) if gains else None
    lat, lon = points[0].latitude, points[0].longitude
    zone = None if lat == lon == 0 else _FINDER.timezone_at(lng=round(lon, 2), lat=round(lat, 2))
    offset = start.astimezone(ZoneInfo(zone)).utcoffset() if zone else None
    out["utc_offset_s"] = int(offset.total_seconds()) if offset is not None else None
    return out


def _gaps_over_12h(times: list[datetime]) -> int:
    ordered = sorted(times)
    return sum((b - a).total_seconds() > 12 * 3600 for a, b in itertools.pairwise(ordered))


def _check(path: Path) -> None:
    data = path.read_bytes()
    ref = reference(data)
    try:
        summaries = read_activity_bytes(data, path.name).summaries
    except ActivityFileError as e:
        # refused: gpxpy must see why (no track, under two points, no usable time, or
        # times over more than 7 days)
        span_days = (max(ref["times"]) - min(ref["times"])).days if ref["times"] else 0
        assert ref["tracks"] == 0 or ref["points"] < 2 or not ref["times"] or span_days > 7, (
            e.reason
        )
        return
    if len(summaries) > 1 or any("12 h" in n or "stray" in n for n in summaries[0].notes):
        # a log of several outings, split at its 12-hour gaps (strays far off dropped)
        assert _gaps_over_12h(ref["times"]) >= len(summaries) - 1
        assert all(s.start_utc in ref["times"] for s in summaries)
        return
    (s,) = summaries
    assert s.start_utc == ref["start_utc"]
    assert s.elapsed_s == ref["elapsed_s"]
    assert s.distance_m == pytest.approx(ref["distance_m"], rel=1e-9, abs=1e-6)
    if "timer_s" in ref:
        assert s.timer_s == pytest.approx(ref["timer_s"], rel=1e-9, abs=1e-6)
    assert s.max_hr == ref["max_hr"]
    assert _close(s.avg_hr, ref["avg_hr"], rel=1e-12)
    assert _close(s.elevation_gain_m, ref["elevation_gain_m"], rel=1e-9, abs=1e-9)
    assert s.utc_offset_s == ref["utc_offset_s"]


def _close(
    got: float | None, expected: float | None, *, rel: float, abs: float | None = None
) -> bool:
    """Equal within the tolerance, or both None (pytest 9 refuses approx(None, rel=...))."""
    if expected is None or got is None:
        return got is expected
    return bool(got == pytest.approx(expected, rel=rel, abs=abs))


@pytest.mark.parametrize("path", SUBSET, ids=[p.name for p in SUBSET])
def test_figures_match_gpxpy_on_subset(path: Path) -> None:
    _check(path)


@pytest.mark.parametrize("row", CORPUS_PARAMS)
def test_figures_match_gpxpy_on_corpus(row: dict[str, str] | None) -> None:
    assert row is not None
    _check(REALWORLD / row["relpath"])
