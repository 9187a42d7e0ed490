"""GPX reader: the real-world corpus, edge-case files, safe XML and exact values.

Expected values come from outside the code under test: the corpus MANIFEST
(written by a separate survey of the files), regular expressions over the raw
XML, gpxpy's own geometry, and closed-form arithmetic on hand-built tracks.
"""

from __future__ import annotations

import gzip
import itertools
import math
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Literal

import gpxpy
import pytest
from corpus import REALWORLD, manifest_rows, params

from loadwatch.errors import ActivityFileError, NotAnActivityFile
from loadwatch.ingest import read_activity_bytes
from loadwatch.ingest.geo import EARTH_RADIUS_M
from loadwatch.ingest.gpx import FastPathDeclined, read_gpx
from loadwatch.model import ActivitySummary

DATA = Path(__file__).resolve().parent / "data" / "gpx"

#: Files whose <time> text is padded with whitespace ("<time>\n2006-...Z</time>").
#: XML Schema collapses whitespace in a dateTime, so the times are real; gpxpy's
#: regular expression rejects them and reports no times. The fast path reads them.
PADDED_TIMES = {"arches.gpx", "big.gpx"}

#: Corpus files whose times span days to years: GPS logs of several outings,
#: split where their times jump by more than 12 hours (multitrackgpx.gpx: a
#: three-day walk, one track a day).
MULTI_DAY_LOGS = {
    "blue_hills.gpx",
    "osm.gpx",
    "tracks.gpx",
    "one_segment_mixed_times.gpx",
    "multitrackgpx.gpx",
}


def _gaps_over_12h(path: Path) -> int:
    """Jumps of more than 12 hours between the file's sorted <time>s (plain regex read)."""
    texts = re.findall(rb"<time>\s*([^<\s]+)\s*</time>", path.read_bytes())
    times = sorted(
        t for t in (datetime.fromisoformat(x.decode().replace("Z", "+00:00")) for x in texts)
        if t.year >= 1990
    )  # fmt: skip
    return sum((b - a).total_seconds() > 12 * 3600 for a, b in itertools.pairwise(times))


CORPUS = manifest_rows("gpx/")
CORPUS_PARAMS = params(list(CORPUS), [r["relpath"] for r in CORPUS])
SUBSET = sorted(DATA.glob("*.gpx"))


def _facts(note: str) -> dict[str, str]:
    """``"tracks=1; points=8357; ..."`` -> a dict (free-text parts are skipped)."""
    out = {}
    for part in note.split("; "):
        key, sep, value = part.partition("=")
        if sep and " " not in key:
            out[key] = value
    return out


def _outcome(
    data: bytes, name: str, parser: Literal["lxml", "gpxpy"]
) -> ActivitySummary | ActivityFileError:
    try:
        return read_gpx(data, name, parser=parser)[0]
    except ActivityFileError as e:
        return e


# --- the whole corpus through the public entry point -------------------------------


@pytest.mark.parametrize("row", CORPUS_PARAMS)
def test_corpus_file_gives_summary_or_named_reason(row: dict[str, str] | None) -> None:
    assert row is not None
    path = REALWORLD / row["relpath"]
    facts = _facts(row["note"])
    try:
        result = read_activity_bytes(path.read_bytes(), row["relpath"])
    except NotAnActivityFile as e:
        assert e.path == row["relpath"]
        assert e.reason.startswith("GPX ")
        points = int(facts["points"])
        if facts["tracks"] == "0":
            assert "no track" in e.reason
        else:
            assert points <= 1, f"{points} points but refused: {e.reason}"
        return
    except ActivityFileError as e:
        assert e.reason.startswith("GPX track ")
        if "no timestamps" in e.reason:
            assert facts["timestamps"] == "no" or facts["start"].startswith("1901-12-13")
        else:
            raise AssertionError(e.reason) from e
        return
    assert result.format == "gpx"
    if path.name in MULTI_DAY_LOGS:
        parts = result.summaries
        assert 1 <= len(parts) <= _gaps_over_12h(path) + 1
        for s in parts:
            assert 0 <= s.timer_s <= s.elapsed_s
            assert any("split into" in n or "stray points" in n for n in s.notes), s.notes
        starts = [s.start_utc for s in parts]
        assert starts == sorted(starts)
        return
    (s,) = result.summaries
    assert s.source_format == "gpx"
    assert s.distance_m >= 0
    assert 0 <= s.timer_s <= s.elapsed_s
    if path.name in PADDED_TIMES:
        assert facts["timestamps"] == "no"  # the MANIFEST was written with gpxpy
        assert s.start_utc == _first_padded_time(path.read_bytes())
        return
    assert facts["timestamps"] == "yes" or facts["timestamps"].startswith("partial(")
    # The MANIFEST writes the start as the file wrote it, without its zone
    # (track-with-less-sec-time.gpx writes +01:00).
    written = re.search(rb"<time>\s*[0-9T:.-]+([+-]\d\d:\d\d)</time>", path.read_bytes())
    zone = (
        datetime.fromisoformat("2000-01-01T00:00:00" + written[1].decode()).tzinfo
        if written
        else UTC
    )
    assert s.start_utc == datetime.fromisoformat(facts["start"]).replace(tzinfo=zone)
    assert int(facts["points"]) >= 2


# --- the fast path against the gpxpy path ------------------------------------------


def _assert_same(fast: ActivitySummary, ref: ActivitySummary) -> None:
    assert fast.distance_m == pytest.approx(ref.distance_m, rel=1e-6, abs=1e-9)
    assert fast.start_utc == ref.start_utc
    assert fast.elapsed_s == ref.elapsed_s
    assert fast.timer_s == pytest.approx(ref.timer_s, rel=1e-9)
    assert fast.avg_hr == pytest.approx(ref.avg_hr)
    assert fast.max_hr == ref.max_hr
    assert fast.elevation_gain_m == pytest.approx(ref.elevation_gain_m)
    assert (fast.sport, fast.sub_sport, fast.device, fast.name) == (
        ref.sport,
        ref.sub_sport,
        ref.device,
        ref.name,
    )
    assert (fast.utc_offset_s, fast.local_date) == (ref.utc_offset_s, ref.local_date)
    assert fast.notes == ref.notes


def _first_padded_time(data: bytes) -> datetime:
    """The first track point's time, whitespace stripped, read with plain datetime."""
    found = re.search(rb"<trkpt\b.*?<time>\s*([^<]*?)\s*</time>", data, re.DOTALL)
    assert found is not None
    return datetime.fromisoformat(found[1].decode()).astimezone(UTC)


def _check_fast_equals_gpxpy(path: Path) -> None:
    data = path.read_bytes()
    fast = _outcome(data, path.name, "lxml")
    ref = _outcome(data, path.name, "gpxpy")
    if path.name in PADDED_TIMES:
        assert isinstance(ref, ActivityFileError) and "no timestamps" in ref.reason
        # gpxpy reads the same track once the padding is gone: the fast path must agree
        unpadded = re.sub(rb"<time>\s*([^<]*?)\s*</time>", rb"<time>\1</time>", data)
        ref = _outcome(unpadded, path.name, "gpxpy")
        assert isinstance(fast, ActivitySummary) and isinstance(ref, ActivitySummary)
        assert fast.start_utc == _first_padded_time(data)
        _assert_same(fast, ref)
        return
    if isinstance(ref, ActivityFileError):
        assert type(fast) is type(ref)
        assert isinstance(fast, ActivityFileError) and fast.reason == ref.reason
    else:
        assert isinstance(fast, ActivitySummary), fast
        _assert_same(fast, ref)


@pytest.mark.parametrize("row", CORPUS_PARAMS)
def test_fast_path_equals_gpxpy_on_corpus(row: dict[str, str] | None) -> None:
    assert row is not None
    _check_fast_equals_gpxpy(REALWORLD / row["relpath"])


@pytest.mark.parametrize("path", SUBSET, ids=[p.name for p in SUBSET])
def test_fast_path_equals_gpxpy_on_subset(path: Path) -> None:
    _check_fast_equals_gpxpy(path)


def test_subset_is_present_and_small() -> None:
    assert len(SUBSET) >= 15
    assert sum(p.stat().st_size for p in SUBSET) < 3_000_000
    listed = (DATA / "SOURCES.md").read_text(encoding="utf-8")
    for p in SUBSET:
        assert f"`{p.name}`" in listed, f"{p.name} has no source/license line"


# --- real runs, checked against the raw XML and gpxpy's geometry -------------------


def _trk_values(raw: str, tag: str) -> list[str]:
    return re.findall(rf"<(?:\w+:)?{tag}>\s*([^<\s]+)\s*</(?:\w+:)?{tag}>", raw)


@pytest.mark.parametrize(
    ("fname", "offset_s", "local", "device"),
    [
        # 2012-10-24T23:29:40Z in Washington DC, EDT (UTC-4): 19:29 the same day.
        ("run.gpx", -4 * 3600, date(2012, 10, 24), "garmin connect"),
        # 2015-01-19T21:24:20Z in San Francisco, PST (UTC-8): 13:24 the same day.
        ("run_gpxtpx.gpx", -8 * 3600, date(2015, 1, 19), "stravagpx"),
    ],
)
def test_real_run_matches_raw_xml(fname: str, offset_s: int, local: date, device: str) -> None:
    data = (DATA / fname).read_bytes()
    raw = data.decode("utf-8")
    track = raw[raw.index("<trk>") :]
    times = [datetime.fromisoformat(t) for t in _trk_values(track, "time")]
    hrs = [float(h) for h in _trk_values(track, "hr")]
    assert len(times) > 100 and len(hrs) == len(times)

    (s,) = read_activity_bytes(data, fname).summaries
    assert s.sport == "running"
    assert any("inferred" in n for n in s.notes)  # neither file has a <type>
    assert s.start_utc == times[0]
    assert s.elapsed_s == (times[-1] - times[0]).total_seconds()
    assert s.avg_hr == pytest.approx(sum(hrs) / len(hrs), rel=1e-12)
    assert s.max_hr == max(hrs)
    assert s.device == device
    assert (s.utc_offset_s, s.local_date, s.offset_source) == (offset_s, local, "position")
    # gpxpy uses the equatorial radius (6378.137 km, +0.11 % against the mean
    # radius loadwatch uses) and a flat-earth step for close points: agreement
    # within 0.3 % shows the same track was measured.
    ref = gpxpy.parse(raw).length_2d()
    assert s.distance_m == pytest.approx(ref, rel=3e-3)
    assert s.distance_m < ref  # the smaller radius gives the shorter length


def test_heart_rate_on_some_points_only() -> None:
    raw = (DATA / "missing_hr.gpx").read_text(encoding="utf-8")
    hrs = [float(h) for h in _trk_values(raw, "hr")]
    n_points = raw.count("<trkpt")
    assert 0 < len(hrs) < n_points
    (s,) = read_gpx(raw.encode(), "missing_hr.gpx")
    assert s.avg_hr == pytest.approx(sum(hrs) / len(hrs), rel=1e-12)
    assert s.max_hr == max(hrs)


def test_garmin_connect_type_gives_sport_without_a_note() -> None:
    (s,) = read_gpx((DATA / "activity_5039744860.gpx").read_bytes(), "a.gpx")
    assert (s.sport, s.sub_sport) == ("cycling", None)
    assert not any("inferred" in n for n in s.notes)
    assert s.start_utc == datetime(2020, 6, 1, 14, 52, 40, tzinfo=UTC)


def test_sub_second_times_and_type_run() -> None:
    (s,) = read_gpx((DATA / "track-with-less-sec-time.gpx").read_bytes(), "x.gpx")
    assert s.sport == "running"
    assert s.start_utc.microsecond == 0
    assert s.elapsed_s == pytest.approx(0.994)  # 15:43:13.000 -> 15:43:13.994


# --- edge-case files ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("fname", "error", "reason"),
    [
        ("one_segment_no_time.gpx", ActivityFileError, "GPX track has no timestamps"),
        ("Mojstrovka.gpx", ActivityFileError, "GPX track has no timestamps"),
        ("route.gpx", NotAnActivityFile, "GPX holds no track (routes/waypoints only)"),
        ("waypoints.gpx", NotAnActivityFile, "GPX holds no track (routes/waypoints only)"),
        ("iso8859-1encoded.gpx", NotAnActivityFile, "GPX holds no track (routes/waypoints only)"),
        ("unicode_with_bom.gpx", NotAnActivityFile, "GPX holds no track (routes/waypoints only)"),
        (
            "unicode_with_bom_noencoding.gpx",
            NotAnActivityFile,
            "GPX holds no track (routes/waypoints only)",
        ),
        ("empty_trk.gpx", NotAnActivityFile, "GPX track has no points"),
        ("gpx-without-xml-declaration.gpx", NotAnActivityFile, "GPX track has a single point"),
        ("gpx-without-root-attributes.gpx", NotAnActivityFile, "GPX track has a single point"),
    ],
)
def test_edge_case_file_is_refused_with_reason(
    fname: str, error: type[ActivityFileError], reason: str
) -> None:
    with pytest.raises(ActivityFileError) as info:
        read_activity_bytes((DATA / fname).read_bytes(), fname)
    assert type(info.value) is error
    assert info.value.reason.startswith(reason)
    assert info.value.path == fname


def test_no_timestamps_reason_is_exact() -> None:
    with pytest.raises(ActivityFileError) as info:
        read_gpx((DATA / "Mojstrovka.gpx").read_bytes(), "Mojstrovka.gpx")
    assert info.value.reason == "GPX track has no timestamps: loadwatch cannot date it"


def test_partial_timestamps_use_timed_points_and_say_so() -> None:
    raw = (DATA / "cerknicko-without-times.gpx").read_text(encoding="utf-8")
    track_part = raw[raw.index("<trk>") :]
    times = sorted(datetime.fromisoformat(t) for t in _trk_values(track_part, "time"))
    n_points = raw.count("<trkpt")
    assert len(times) == 5 and n_points == 296
    (s,) = read_gpx(raw.encode(), "c.gpx")
    assert s.start_utc == times[0]
    assert s.elapsed_s == (times[-1] - times[0]).total_seconds()
    assert "291 of 296 track points have no usable timestamp" in s.notes[0]
    # Distance still uses every positioned point, timed or not.
    assert s.distance_m == pytest.approx(gpxpy.parse(raw).length_2d(), rel=3e-3)


def test_padded_times_are_read() -> None:
    (s,) = read_gpx((DATA / "arches.gpx").read_bytes(), "arches.gpx")
    assert s.start_utc == datetime(2006, 4, 8, 18, 25, 33, tzinfo=UTC)


def test_gpx10_track_type_is_ignored() -> None:
    # GPX 1.0 has no <trk><type>; korita-zbevnica.gpx puts "jkljkl" there.
    (s,) = read_gpx((DATA / "korita-zbevnica.gpx").read_bytes(), "k.gpx")
    assert s.sport != "jkljkl"
    assert any("inferred" in n for n in s.notes)


def test_empty_segment_is_skipped() -> None:
    raw = (DATA / "track-with-empty-segment.gpx").read_text(encoding="utf-8")
    times = [datetime.fromisoformat(t) for t in _trk_values(raw, "time")]
    (s,) = read_gpx(raw.encode(), "e.gpx")
    assert s.start_utc == min(times)
    assert s.elapsed_s == (max(times) - min(times)).total_seconds()
    assert s.distance_m == pytest.approx(gpxpy.parse(raw).length_2d(), rel=3e-3)


def test_gzipped_upper_case_name_goes_through_entry_point() -> None:
    data = (DATA / "run.gpx").read_bytes()
    plain = read_activity_bytes(data, "run.gpx")
    zipped = read_activity_bytes(gzip.compress(data), "RUN.GPX.GZ")
    assert zipped.format == "gpx"
    assert zipped.sha256 == plain.sha256  # hash of the decompressed bytes
    assert zipped.summaries[0].as_dict() == plain.summaries[0].as_dict()


# --- safe XML --------------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE gpx [
 <!ENTITY a "lololololololololololololololololololololololololololololol">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
 <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
 <!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
 <!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">
]>
<gpx version="1.1" creator="&h;" xmlns="http://www.topografix.com/GPX/1/1">
 <trk><name>&h;</name><trkseg>
  <trkpt lat="52.0" lon="5.0"><time>2024-01-01T10:00:00Z</time></trkpt>
  <trkpt lat="52.001" lon="5.0"><time>2024-01-01T10:01:00Z</time></trkpt>
 </trkseg></trk>
</gpx>
"""


def _external_entity_gpx(target: Path) -> bytes:
    return f"""<?xml version="1.0"?>
<!DOCTYPE gpx [<!ENTITY secret SYSTEM "{target.as_uri()}">]>
<gpx version="1.1" creator="x" xmlns="http://www.topografix.com/GPX/1/1">
 <trk><name>&secret;</name><type>running</type><trkseg>
  <trkpt lat="52.0" lon="5.0"><time>2024-01-01T10:00:00Z</time></trkpt>
  <trkpt lat="52.001" lon="5.0"><time>2024-01-01T10:01:00Z</time></trkpt>
 </trkseg></trk>
</gpx>
""".encode()


def test_billion_laughs_is_refused() -> None:
    # 20^8 x 58 bytes (about 1.5 TB) if it were expanded.
    with pytest.raises(ActivityFileError) as info:
        read_activity_bytes(BILLION_LAUGHS, "bomb.gpx")
    assert "refused: XML entities" in info.value.reason
    assert not isinstance(info.value, NotAnActivityFile)


def test_external_entity_is_refused_and_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT", encoding="utf-8")
    data = _external_entity_gpx(secret)
    parsers: tuple[Literal["auto", "lxml", "gpxpy"], ...] = ("auto", "lxml", "gpxpy")
    for parser in parsers:
        with pytest.raises(ActivityFileError) as info:
            read_gpx(data, "xxe.gpx", parser=parser)
        assert "refused: XML entities" in info.value.reason
        assert "TOP-SECRET" not in str(info.value)


def test_malformed_xml_is_an_activity_file_error() -> None:
    with pytest.raises(ActivityFileError) as info:
        read_activity_bytes(b'<?xml version="1.0"?><gpx><trk><trkseg>', "cut.gpx")
    assert info.value.reason.startswith("not well-formed XML")


def test_a_gpx_name_with_other_xml_inside_is_refused() -> None:
    with pytest.raises(ActivityFileError) as info:
        read_activity_bytes(b"<kml><Document>not a track</Document></kml>", "page.gpx")
    assert info.value.reason == "not a GPX file: the root element is <kml>"


# --- hand-built tracks with values computed by hand -----------------------------------

T0 = datetime(2024, 3, 5, 6, 30, tzinfo=UTC)
#: Degrees of latitude per metre along a meridian (the haversine of a pure
#: latitude step is exactly R x the step in radians).
DEG_PER_M = 180 / (math.pi * EARTH_RADIUS_M)


def _gpx(
    points: list[str],
    *,
    trk_type: str | None = None,
    version: str = "1.1",
    declaration: str = '<?xml version="1.0" encoding="UTF-8"?>\n',
) -> bytes:
    type_el = f"<type>{trk_type}</type>" if trk_type is not None else ""
    return (
        f'{declaration}<gpx version="{version}" creator="Test Watch - https://example.com" '
        'xmlns="http://www.topografix.com/GPX/1/1" '
        'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">'
        f"<trk><name>Test</name>{type_el}<trkseg>{''.join(points)}</trkseg></trk></gpx>"
    ).encode()


def _pt(
    lat: float,
    lon: float,
    when: datetime | str | None,
    *,
    ele: float | None = None,
    hr: int | None = None,
) -> str:
    inner = f"<ele>{ele}</ele>" if ele is not None else ""
    if when is not None:
        text = when if isinstance(when, str) else when.strftime("%Y-%m-%dT%H:%M:%SZ")
        inner += f"<time>{text}</time>"
    if hr is not None:
        inner += (
            "<extensions><gpxtpx:TrackPointExtension>"
            f"<gpxtpx:hr>{hr}</gpxtpx:hr></gpxtpx:TrackPointExtension></extensions>"
        )
    return f'<trkpt lat="{lat:.9f}" lon="{lon:.9f}">{inner}</trkpt>'


def _run_along_meridian(speed_ms: float, seconds: int, **kw: object) -> list[str]:
    return [
        _pt(45.0 + i * speed_ms * DEG_PER_M, 7.0, T0 + timedelta(seconds=i), **kw)  # type: ignore[arg-type]
        for i in range(seconds + 1)
    ]


def test_distance_and_times_of_a_steady_run() -> None:
    # 600 s at 3.0 m/s due north: 1800 m, all of it moving.
    (s,) = read_gpx(_gpx(_run_along_meridian(3.0, 600), trk_type="running"), "r.gpx")
    assert s.distance_m == pytest.approx(1800.0, abs=1e-3)  # 9-decimal coordinates
    assert s.elapsed_s == 600.0
    assert s.timer_s == 600.0
    assert s.start_utc == T0
    assert (s.sport, s.device, s.name) == ("running", "test watch", "Test")


def test_standing_still_is_not_moving_time() -> None:
    # 100 s running at 3 m/s, 60 s standing at one spot, 100 s running again.
    metres = [3.0 * (min(i, 100) + max(0, i - 160)) for i in range(261)]
    pts = [_pt(45.0 + m * DEG_PER_M, 7.0, T0 + timedelta(seconds=i)) for i, m in enumerate(metres)]
    (s,) = read_gpx(_gpx(pts, trk_type="running"), "r.gpx")
    assert s.elapsed_s == 260.0
    assert s.timer_s == 200.0
    assert s.distance_m == pytest.approx(600.0, abs=1e-3)


def test_paused_watch_gap_is_not_moving_time() -> None:
    # 60 s of running, then the next point 10 min later and only 5 m away.
    pts = _run_along_meridian(3.0, 60)
    pts.append(_pt(45.0 + 185.0 * DEG_PER_M, 7.0, T0 + timedelta(seconds=660)))
    (s,) = read_gpx(_gpx(pts, trk_type="running"), "r.gpx")
    assert s.elapsed_s == 660.0
    assert s.timer_s == 60.0


def test_elevation_gain_of_a_clean_climb_and_of_jitter() -> None:
    climb = [
        _pt(45.0 + i * 3.0 * DEG_PER_M, 7.0, T0 + timedelta(seconds=i), ele=100.0 + i)
        for i in range(51)
    ]
    (s,) = read_gpx(_gpx(climb, trk_type="running"), "c.gpx")
    assert s.elevation_gain_m == pytest.approx(50.0)
    # +-0.4 m of alternating noise on flat ground is not climbing.
    flat = [
        _pt(45.0 + i * 3.0 * DEG_PER_M, 7.0, T0 + timedelta(seconds=i), ele=100.0 + 0.4 * (-1) ** i)
        for i in range(51)
    ]
    (s,) = read_gpx(_gpx(flat, trk_type="running"), "f.gpx")
    assert s.elevation_gain_m == 0.0


def _profile(elevations: list[float]) -> bytes:
    pts = [
        _pt(45.0 + i * 3.0 * DEG_PER_M, 7.0, T0 + timedelta(seconds=i), ele=e)
        for i, e in enumerate(elevations)
    ]
    return _gpx(pts, trk_type="running")


def test_elevation_gain_counts_each_climb_in_full() -> None:
    # Up 30 m, down 20 m, up 15 m, in 1 m steps. The 1/4-1/2-1/4 smoothing
    # rounds each turning point by 0.5 m: (129.5 - 100) + (125 - 110.5) = 44.
    up1 = [100.0 + i for i in range(31)]
    down = [130.0 - i for i in range(1, 21)]
    up2 = [110.0 + i for i in range(1, 16)]
    (s,) = read_gpx(_profile(up1 + down + up2), "hills.gpx")
    assert s.elevation_gain_m == pytest.approx(44.0)


def test_elevation_bumps_under_three_metres_are_noise() -> None:
    # Repeated 2 m bumps (below the 3 m threshold) add nothing.
    bumps = [100.0, 101.0, 102.0, 101.0, 100.0] * 10
    (s,) = read_gpx(_profile(bumps), "bumps.gpx")
    assert s.elevation_gain_m == 0.0


def test_heart_rate_average_and_max() -> None:
    hrs = [120, 130, 140, 150, 160, 0]  # 0 is a dropped strap, not a heart rate
    pts = [
        _pt(45.0 + i * 3.0 * DEG_PER_M, 7.0, T0 + timedelta(seconds=i), hr=h)
        for i, h in enumerate(hrs)
    ]
    (s,) = read_gpx(_gpx(pts, trk_type="running"), "h.gpx")
    assert s.avg_hr == 140.0
    assert s.max_hr == 160.0


@pytest.mark.parametrize(
    ("trk_type", "sport", "sub_sport"),
    [
        ("9", "running", None),  # Strava's numeric run
        ("1", "cycling", None),  # Strava's numeric ride
        ("running", "running", None),  # Garmin Connect
        ("trail_running", "running", "trail"),
    ],
)
def test_track_type_sets_sport(trk_type: str, sport: str, sub_sport: str | None) -> None:
    (s,) = read_gpx(_gpx(_run_along_meridian(3.0, 60), trk_type=trk_type), "t.gpx")
    assert (s.sport, s.sub_sport) == (sport, sub_sport)
    assert not any("inferred" in n for n in s.notes)


@pytest.mark.parametrize(
    ("speed_ms", "sport"), [(1.2, "walking"), (3.0, "running"), (4.4, "running"), (8.0, "cycling")]
)
def test_untyped_track_sport_is_inferred_from_speed(speed_ms: float, sport: str) -> None:
    (s,) = read_gpx(_gpx(_run_along_meridian(speed_ms, 120)), "u.gpx")
    assert s.sport == sport
    assert any(
        f"{sport} inferred from the median moving speed ({speed_ms:.2f}" in n for n in s.notes
    )


def test_times_with_an_offset_are_converted_to_utc() -> None:
    pts = [
        _pt(45.0, 7.0, "2024-03-05T08:30:00+02:00"),
        _pt(45.0 + 300 * DEG_PER_M, 7.0, "2024-03-05T08:32:00+02:00"),
    ]
    (s,) = read_gpx(_gpx(pts, trk_type="running"), "o.gpx")
    assert s.start_utc == T0
    assert s.elapsed_s == 120.0


def test_times_before_1990_count_as_missing() -> None:
    pts = _run_along_meridian(3.0, 10)
    pts[0] = _pt(45.0, 7.0, "1970-01-01T00:00:00Z")
    (s,) = read_gpx(_gpx(pts, trk_type="running"), "z.gpx")
    assert s.start_utc == T0 + timedelta(seconds=1)
    assert "1 of 11 track points have no usable timestamp" in s.notes[0]


def test_a_log_spanning_weeks_is_refused() -> None:
    pts = [_pt(45.0, 7.0, T0), _pt(45.001, 7.0, T0 + timedelta(days=8))]
    with pytest.raises(ActivityFileError) as info:
        read_gpx(_gpx(pts, trk_type="running"), "log.gpx")
    assert "spans 8 days" in info.value.reason


def test_no_track_at_all() -> None:
    data = b'<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"></gpx>'
    with pytest.raises(NotAnActivityFile) as info:
        read_activity_bytes(data, "empty.gpx")
    assert info.value.reason == "GPX holds no track"


def test_unnamespaced_file_without_declaration_and_bom() -> None:
    body = (
        "<gpx><trk><type>running</type><trkseg>"
        '<trkpt lat="45.0" lon="7.0"><time>2024-03-05T06:30:00Z</time>'
        "<extensions><hr>150</hr></extensions></trkpt>"
        '<trkpt lat="45.001" lon="7.0"><time>2024-03-05T06:31:00Z</time></trkpt>'
        "</trkseg></trk></gpx>"
    )
    for data in (body.encode(), b"\xef\xbb\xbf" + body.encode()):
        (s,) = read_gpx(data, "bare.gpx", parser="lxml")
        assert (s.start_utc, s.elapsed_s, s.avg_hr, s.sport) == (T0, 60.0, 150.0, "running")


def test_latin1_declared_and_undeclared() -> None:
    pts = _run_along_meridian(3.0, 10)
    declared = _gpx(pts, declaration='<?xml version="1.0" encoding="ISO-8859-1"?>\n')
    declared = declared.replace(b"<name>Test</name>", "<name>Côte d'Azur</name>".encode("latin-1"))
    (s,) = read_gpx(declared, "l1.gpx")
    assert s.name == "Côte d'Azur"
    assert s.notes == [n for n in s.notes if "Latin-1" not in n]
    # Claims UTF-8 but holds Latin-1 bytes: read anyway, and say so.
    undeclared = declared.replace(b'encoding="ISO-8859-1"', b'encoding="UTF-8"')
    (s,) = read_gpx(undeclared, "l2.gpx")
    assert s.name == "Côte d'Azur"
    assert any("read as Latin-1" in n for n in s.notes)


def test_fast_path_declines_what_it_does_not_parse_and_gpxpy_reads_it() -> None:
    # gpxpy accepts one-digit months and days; datetime.fromisoformat does not.
    pts = [_pt(45.0, 7.0, "2024-3-5T06:30:00Z"), _pt(45.001, 7.0, "2024-3-5T06:31:00Z")]
    data = _gpx(pts, trk_type="running")
    with pytest.raises(FastPathDeclined):
        read_gpx(data, "d.gpx", parser="lxml")
    (s,) = read_gpx(data, "d.gpx")
    assert (s.start_utc, s.elapsed_s) == (T0, 60.0)


# --- local date from the first position ----------------------------------------------


@pytest.mark.parametrize(
    ("lat", "lon", "start", "offset_s", "local"),
    [
        # Brisbane keeps UTC+10 all year: 13:40Z is 23:40 the same evening.
        (-27.4698, 153.0251, "2024-01-15T13:40:00Z", 10 * 3600, date(2024, 1, 15)),
        # Sydney is on daylight time (UTC+11) in January: 13:40Z is 00:40 the next day.
        (-33.8688, 151.2093, "2024-01-15T13:40:00Z", 11 * 3600, date(2024, 1, 16)),
        # Phoenix keeps UTC-7 all year: 07:20Z is 00:20 the same date.
        (33.4484, -112.0740, "2024-07-15T07:20:00Z", -7 * 3600, date(2024, 7, 15)),
        # ...and 06:20Z is 23:20 the day before.
        (33.4484, -112.0740, "2024-07-15T06:20:00Z", -7 * 3600, date(2024, 7, 14)),
    ],
)
def test_local_date_from_first_position(
    lat: float, lon: float, start: str, offset_s: int, local: date
) -> None:
    t0 = datetime.fromisoformat(start)
    pts = [
        _pt(lat + i * 3.0 * DEG_PER_M, lon, t0 + timedelta(seconds=i)) for i in range(0, 600, 10)
    ]
    (s,) = read_activity_bytes(_gpx(pts, trk_type="running"), "local.gpx").summaries
    assert s.start_utc == t0
    assert s.utc_offset_s == offset_s
    assert s.local_date == local
    assert s.offset_source == "position"


def test_position_without_a_zone_leaves_local_date_open() -> None:
    # "Null island" (0, 0) is a missing fix, not a place.
    pts = [_pt(0.0, 0.0, T0), _pt(0.0, 0.0, T0 + timedelta(seconds=60))]
    (s,) = read_gpx(_gpx(pts, trk_type="running"), "null.gpx")
    assert (s.utc_offset_s, s.local_date, s.offset_source) == (None, None, None)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le"])
def test_entities_are_refused_in_utf16_too(encoding: str, tmp_path: Path) -> None:
    # The raw-byte pre-check cannot see these; the parser-side checks must.
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT", encoding="utf-8")
    for doc in (BILLION_LAUGHS, _external_entity_gpx(secret)):
        text = doc.decode().replace(
            '<?xml version="1.0"?>', f'<?xml version="1.0" encoding="{encoding}"?>'
        )
        data = text.encode(encoding)
        if encoding == "utf-16-le":
            data = b"\xff\xfe" + data
        with pytest.raises(ActivityFileError) as info:
            read_gpx(data, "bomb16.gpx")
        assert "refused: XML entities" in info.value.reason
        assert "TOP-SECRET" not in str(info.value)


def test_points_off_the_earth_are_skipped() -> None:
    pts = _run_along_meridian(3.0, 100)
    pts[50] = '<trkpt lat="NaN" lon="7.0"><time>2024-03-05T06:30:50Z</time></trkpt>'
    pts[60] = '<trkpt lat="999" lon="7.0"><time>2024-03-05T06:31:00Z</time></trkpt>'
    (s,) = read_gpx(_gpx(pts, trk_type="running"), "bad.gpx")
    assert s.distance_m == pytest.approx(300.0, abs=1e-3)  # 100 s at 3 m/s, gaps bridged
    assert "2 track points with an impossible position skipped" in s.notes
