"""Device clock quirks, time zones and slightly malformed XML, one file per fault.

Each file is synthesised with loadwatch's own encoders (``loadwatch.synth``)
and then given the fault a real device or exporter writes. The expected values
come from an independent read of the same bytes: fitparse for FIT (records,
timer events, session fields), gpxpy or plain lxml for GPX and TCX, and
``zoneinfo`` for the wall clock of a hand-chosen place.
"""

from __future__ import annotations

import dataclasses
import io
import itertools
import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import fitparse
import gpxpy
import numpy as np
import pytest
from lxml import etree

from loadwatch.ingest import read_activity_bytes
from loadwatch.ingest.fitfast import fast_fit_summaries
from loadwatch.model import ActivitySummary
from loadwatch.synth.fit import FIT_EPOCH_UNIX, to_fit
from loadwatch.synth.gpx import to_gpx
from loadwatch.synth.run import SynthRun, synth_run
from loadwatch.synth.tcx import to_tcx

ROOT = Path(__file__).resolve().parents[1]
BERLIN = ZoneInfo("Europe/Berlin")
DAY = 86400


def _run(
    start: datetime = datetime(2026, 3, 2, 6, 30, 27, tzinfo=UTC),
    km: float = 8.0,
    *,
    pace: float = 330.0,
    pause_s: int = 0,
    offset: int = 3600,
    lat: float = 52.52,  # Berlin, Alexanderplatz
    lon: float = 13.41,
) -> SynthRun:
    return synth_run(
        start, km, utc_offset_s=offset, lat=lat, lon=lon, pace_s_per_km=pace,
        hr_rest=50, hr_max=190, seed=11, pause_s=pause_s,
    )  # fmt: skip


def _fit_s(unix: int | float) -> int:
    return int(unix) - FIT_EPOCH_UNIX


def _read(data: bytes, name: str) -> list[ActivitySummary]:
    return read_activity_bytes(data, name).summaries


# --- independent FIT reads ------------------------------------------------------------


def _aware(t: datetime) -> datetime:
    return t.replace(tzinfo=UTC)


def _fitparse(data: bytes) -> dict[str, Any]:
    """Records, timer events and the session as fitparse decodes them."""
    fit = fitparse.FitFile(io.BytesIO(data))
    records = [
        (_aware(m.get_value("timestamp")), m.get_value("distance"))
        for m in fit.get_messages("record")
    ]
    events = [
        (_aware(m.get_value("timestamp")), m.get_value("event_type"))
        for m in fit.get_messages("event")
        if m.get_value("event") == "timer"
    ]
    (session,) = [m.get_values() for m in fit.get_messages("session")]
    return {"records": records, "events": events, "session": session}


def _timer_from_events(events: list[tuple[datetime, str]]) -> float:
    """Seconds between each timer start and the stop after it."""
    total, running = 0.0, None
    for t, kind in events:
        if kind == "start" and running is None:
            running = t
        elif kind in ("stop", "stop_all") and running is not None:
            total += (t - running).total_seconds()
            running = None
    return total


def _berlin_date(t: datetime) -> date:
    return t.astimezone(BERLIN).date()


# --- 1. device clock jumps -------------------------------------------------------------


def test_session_start_weeks_before_its_records_is_dated_by_the_records() -> None:
    run = _run()
    first = int(run.timestamp[0])
    data = to_fit(
        run,
        session={
            "start_time": _fit_s(first) - 28 * DAY,
            "total_elapsed_time": round(27.9 * DAY * 1000),
        },
    )
    ref = _fitparse(data)
    assert ref["session"]["start_time"] == datetime(2026, 2, 2, 6, 30, 27)  # the fault
    (s,) = _read(data, "clock-jump.fit")
    rec_times = [t for t, _ in ref["records"]]
    assert s.start_utc == rec_times[0]
    assert s.elapsed_s == (rec_times[-1] - rec_times[0]).total_seconds()
    assert s.timer_s <= s.elapsed_s
    assert s.local_date == _berlin_date(rec_times[0]) == date(2026, 3, 2)
    assert any("28.0 days before its first record" in n for n in s.notes), s.notes


def test_records_resuming_a_month_later_become_two_activities() -> None:
    run = _run(km=6.0)
    cut = run.n // 2
    ts = run.timestamp.copy()
    ts[cut:] += 30 * DAY
    gap_run = dataclasses.replace(run, timestamp=ts, elapsed_s=float(ts[-1] - ts[0]))
    data = to_fit(gap_run, lap_every_m=0)
    records = _fitparse(data)["records"]
    times = [t for t, _ in records]
    dist = [d for _, d in records]
    first, second = _read(data, "resumed.fit")
    assert (first.start_utc, second.start_utc) == (times[0], times[cut])
    assert first.distance_m == pytest.approx(dist[cut - 1], abs=0.01)
    assert second.distance_m == pytest.approx(dist[-1] - dist[cut - 1], abs=0.01)
    assert first.elapsed_s == (times[cut - 1] - times[0]).total_seconds()
    assert second.elapsed_s == (times[-1] - times[cut]).total_seconds()
    assert (first.local_date, second.local_date) == (date(2026, 3, 2), date(2026, 4, 1))
    for s in (first, second):
        assert s.timer_s <= s.elapsed_s
        assert any("split into 2 activities" in n for n in s.notes), s.notes


def test_a_stray_record_far_from_the_run_is_dropped_with_a_note() -> None:
    run = _run(km=3.0)
    ts = run.timestamp.copy()
    ts[-1] += 40 * DAY  # the last sample comes from a clock that jumped
    data = to_fit(dataclasses.replace(run, timestamp=ts), lap_every_m=0)
    times = [t for t, _ in _fitparse(data)["records"]]
    (s,) = _read(data, "stray.fit")
    assert s.start_utc == times[0]
    assert s.local_date == date(2026, 3, 2)
    assert any("stray records dropped" in n for n in s.notes), s.notes


# --- 2. swapped timer and elapsed ------------------------------------------------------


def test_swapped_timer_and_elapsed_are_repaired_from_timer_events() -> None:
    run = _run(km=7.9, pace=359.5, pause_s=300)
    data = to_fit(run, session={"total_timer_time": 21_680_000, "total_elapsed_time": 2_840_000})
    ref = _fitparse(data)
    assert (ref["session"]["total_timer_time"], ref["session"]["total_elapsed_time"]) == (
        21680.0,
        2840.0,
    )
    times = [t for t, _ in ref["records"]]
    span = (times[-1] - times[0]).total_seconds()
    (s,) = _read(data, "inverted-times.fit")
    assert s.elapsed_s == max(2840.0, span)
    assert s.timer_s == _timer_from_events(ref["events"])
    assert s.timer_s == pytest.approx(span - 300, abs=1)
    assert any("timer time 21680 s is longer than elapsed time 2840 s" in n for n in s.notes)


# --- 9. no total_timer_time, but timer events with pauses ------------------------------


def test_missing_timer_time_comes_from_the_timer_events() -> None:
    run = _run(pause_s=600)
    data = to_fit(run, session={"total_timer_time": None})
    ref = _fitparse(data)
    assert ref["session"]["total_timer_time"] is None
    expected = _timer_from_events(ref["events"])
    assert expected == pytest.approx(ref["session"]["total_elapsed_time"] - 600, abs=1)
    (s,) = _read(data, "no-timer.fit")
    assert s.timer_s == expected
    assert s.elapsed_s == ref["session"]["total_elapsed_time"]
    assert any("from its timer events" in n for n in s.notes)
    # the fast path reads the events itself and agrees
    fast = fast_fit_summaries(data, "no-timer.fit")
    assert fast is not None and fast[0].timer_s == expected


# --- 3. time zones that do not depend on the importing computer -------------------------

#: 23:30 UTC on 28 March 2026 is 00:30 the next day in Berlin (CET, UTC+1).
LATE = datetime(2026, 3, 28, 23, 30, 5, tzinfo=UTC)


def _no_zone_fit() -> bytes:
    """A run in Berlin whose file has no local_timestamp and no session start position."""
    return to_fit(
        _run(start=LATE),
        session={"start_position_lat": None, "start_position_long": None},
        activity={"local_timestamp": None},
    )


def test_fit_without_device_zone_or_session_position_takes_the_first_record_position() -> None:
    data = _no_zone_fit()
    ref = _fitparse(data)
    assert ref["session"].get("start_position_lat") is None
    fit = fitparse.FitFile(io.BytesIO(data))
    assert [m.get_value("local_timestamp") for m in fit.get_messages("activity")] == [None]
    (s,) = _read(data, "no-zone.fit")
    expected = int(BERLIN.utcoffset(LATE.replace(tzinfo=None)).total_seconds())
    assert (s.utc_offset_s, s.offset_source) == (expected, "position") == (3600, "position")
    assert s.local_date == date(2026, 3, 29)


def test_device_local_time_equal_to_utc_yields_to_the_position() -> None:
    run = _run(start=LATE, offset=0)  # the watch writes local_timestamp == timestamp
    data = to_fit(run)
    fit = fitparse.FitFile(io.BytesIO(data))
    (act,) = [m.get_values() for m in fit.get_messages("activity")]
    assert act["local_timestamp"] == act["timestamp"]
    (s,) = _read(data, "utc-clock.fit")
    assert (s.utc_offset_s, s.offset_source, s.local_date) == (3600, "position", date(2026, 3, 29))
    assert any("local time equals UTC" in n and "UTC+01:00" in n for n in s.notes)


def _import_under_tz(tz: str, files: list[Path], tmp: Path) -> list[dict[str, Any]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TZ": tz, "LOADWATCH_HOME": str(tmp / tz)}
    db = tmp / f"{tz.replace('/', '_')}.db"
    cmd = [sys.executable, "-m", "loadwatch"]
    done = subprocess.run(
        [*cmd, "import", *map(str, files), "--db", str(db), "--json", "--workers", "1"],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr + done.stdout
    listed = subprocess.run(
        [*cmd, "activities", "--db", str(db), "--format", "json"],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    rows: list[dict[str, Any]] = json.loads(listed.stdout)
    return rows


def test_local_dates_do_not_change_with_the_importing_computers_zone(tmp_path: Path) -> None:
    files = {
        "no-zone.fit": _no_zone_fit(),
        "utc-clock.fit": to_fit(_run(start=LATE + timedelta(days=1), offset=0)),
        "late.gpx": to_gpx(_run(start=LATE + timedelta(days=2))),
        "late.tcx": to_tcx(_run(start=LATE + timedelta(days=3))),
    }
    paths = []
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        paths.append(tmp_path / name)
    expected = [(LATE + timedelta(days=k)).astimezone(BERLIN).date().isoformat() for k in range(4)]
    assert expected == ["2026-03-29", "2026-03-30", "2026-03-31", "2026-04-01"]
    seen = {}
    for tz in ("UTC", "America/Los_Angeles", "Asia/Tokyo"):
        rows = _import_under_tz(tz, paths, tmp_path)
        seen[tz] = [r["local_date"] for r in rows]
        assert all(r["utc_offset_s"] in (3600, 7200) for r in rows)
        assert all("computer's zone" not in " ".join(r["notes"]) for r in rows)
    assert seen["UTC"] == seen["America/Los_Angeles"] == seen["Asia/Tokyo"] == expected


def test_without_any_position_or_zone_the_computer_zone_is_named(tmp_path: Path) -> None:
    treadmill = synth_run(
        LATE, 5.0, utc_offset_s=0, lat=52.52, lon=13.41, pace_s_per_km=330,
        hr_rest=50, hr_max=190, seed=3, gps=False,
    )  # fmt: skip
    path = tmp_path / "treadmill.fit"
    path.write_bytes(to_fit(treadmill, activity={"local_timestamp": None}))
    (row,) = _import_under_tz("Asia/Tokyo", [path], tmp_path)
    assert row["local_date"] == "2026-03-29"  # 08:30 in Tokyo (UTC+9)
    assert any("this computer's zone (UTC+09:00)" in n for n in row["notes"]), row["notes"]


# --- 4. slightly malformed XML ---------------------------------------------------------


def _undeclared_gpxdata(run: SynthRun) -> bytes:
    """A GPX whose heart rate uses a ``gpxdata:`` prefix that is never declared."""
    text = to_gpx(run).decode()
    text = text.replace("gpxtpx:TrackPointExtension", "gpxdata:TrackPointExtension")
    text = text.replace("gpxtpx:hr", "gpxdata:hr").replace("gpxtpx:cad", "gpxdata:cad")
    start = text.index(' xmlns:gpxtpx="')
    end = text.index('"', start + len(' xmlns:gpxtpx="'))
    text = text[:start] + text[end + 1 :]
    return text.encode()


def test_gpx_with_an_undeclared_namespace_prefix_imports_with_a_note() -> None:
    data = _undeclared_gpxdata(_run())
    with pytest.raises(etree.XMLSyntaxError, match="Namespace prefix gpxdata"):
        etree.fromstring(data)  # a strict parser refuses it
    # the independent read: libxml2's own recovery mode, plain lxml
    root = etree.fromstring(data, etree.XMLParser(recover=True))
    times = [
        datetime.fromisoformat(t.text)
        for t in root.iter("{*}time")
        if t.getparent().tag.endswith("trkpt")
    ]
    hrs = [float(e.text) for e in root.iter() if e.tag == "gpxdata:hr"]
    assert len(hrs) == len(times) > 1000
    (s,) = _read(data, "strava.gpx")
    assert s.start_utc == min(times)
    assert s.elapsed_s == (max(times) - min(times)).total_seconds()
    assert s.avg_hr == pytest.approx(float(np.mean(hrs)))
    assert any("gpxdata: used without a declaration" in n for n in s.notes)


def test_tcx_with_blanks_before_the_declaration_imports_with_a_note() -> None:
    clean = to_tcx(_run())
    data = b"\r\n   " + clean
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(data)
    root = etree.fromstring(clean)
    ns = "{http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2}"
    lap = root.find(f".//{ns}Lap")
    (s,) = _read(data, "run.tcx")
    assert s.start_utc == datetime.fromisoformat(lap.get("StartTime"))
    assert s.distance_m == float(lap.findtext(f"{ns}DistanceMeters"))
    assert s.timer_s == float(lap.findtext(f"{ns}TotalTimeSeconds"))
    assert any("5 stray byte(s)" in n for n in s.notes)


def test_a_byte_order_mark_after_blank_lines_is_tolerated_too() -> None:
    data = b"\n\xef\xbb\xbf" + to_gpx(_run(km=2.0))
    gpx = gpxpy.parse(data.lstrip(b"\n\xef\xbb\xbf").decode())
    (s,) = _read(data, "bom.gpx")
    assert s.start_utc == gpx.get_time_bounds().start_time
    assert any("stray byte(s)" in n for n in s.notes)


# --- 5. GPX times that step backwards ---------------------------------------------------


def test_gpx_times_stepping_backwards_keep_timer_within_elapsed() -> None:
    text = to_gpx(_run(km=5.0)).decode()
    parts = text.split("<time>")
    # swap the times of neighbouring points over a long stretch (jittery clock)
    for i in range(200, 1200, 2):
        a, rest_a = parts[i].split("</time>", 1)
        b, rest_b = parts[i + 1].split("</time>", 1)
        parts[i], parts[i + 1] = b + "</time>" + rest_a, a + "</time>" + rest_b
    data = "<time>".join(parts).encode()
    gpx = gpxpy.parse(data.decode())
    points = [p for t in gpx.tracks for sg in t.segments for p in sg.points]
    back = sum(1 for p, q in itertools.pairwise(points) if q.time < p.time)
    assert back == 500
    bounds = gpx.get_time_bounds()
    (s,) = _read(data, "jitter.gpx")
    assert s.elapsed_s == (bounds.end_time - bounds.start_time).total_seconds()
    assert 0 < s.timer_s <= s.elapsed_s
    assert any("500 of" in n and "timed earlier" in n for n in s.notes)


# --- 6. TCX laps that cover part of the track, Id truncated to the minute --------------

TCX_NS = "{http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2}"


def test_tcx_trackpoints_beyond_the_lap_totals_are_used() -> None:
    root = etree.fromstring(to_tcx(_run(km=2.9, pace=310)))
    lap = root.find(f".//{TCX_NS}Lap")
    points = lap.findall(f".//{TCX_NS}Trackpoint")
    cut = int(len(points) * 0.68)
    # the device's lap totals stop two thirds of the way through the track
    part_time = (
        datetime.fromisoformat(points[cut].findtext(f"{TCX_NS}Time"))
        - datetime.fromisoformat(points[0].findtext(f"{TCX_NS}Time"))
    ).total_seconds()
    lap.find(f"{TCX_NS}TotalTimeSeconds").text = f"{part_time:.1f}"
    lap.find(f"{TCX_NS}DistanceMeters").text = points[cut].findtext(f"{TCX_NS}DistanceMeters")
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    dist = [float(p.findtext(f"{TCX_NS}DistanceMeters")) for p in points]
    times = [datetime.fromisoformat(p.findtext(f"{TCX_NS}Time")) for p in points]
    (s,) = _read(data, "partial-laps.tcx")
    assert s.distance_m == pytest.approx(dist[-1] - dist[0])
    assert s.distance_m > 1.4 * float(points[cut].findtext(f"{TCX_NS}DistanceMeters"))
    assert s.elapsed_s == (times[-1] - times[0]).total_seconds()
    assert 0.95 * s.elapsed_s <= s.timer_s <= s.elapsed_s  # no pause in this run
    assert any("cover only part of the trackpoints" in n for n in s.notes)


def test_tcx_start_comes_from_the_first_lap_not_a_truncated_id() -> None:
    root = etree.fromstring(to_tcx(_run()))  # starts at 06:30:27
    ident = root.find(f".//{TCX_NS}Id")
    ident.text = ident.text[:17] + "00Z"  # truncated to the minute by an exporter
    lap_start = datetime.fromisoformat(root.find(f".//{TCX_NS}Lap").get("StartTime"))
    (s,) = _read(etree.tostring(root), "minute-id.tcx")
    assert s.start_utc == lap_start == datetime(2026, 3, 2, 6, 30, 27, tzinfo=UTC)


# --- 7. sport names ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "sport", "sub_sport"),
    [
        ("9", "running", None),  # Strava's numeric types
        ("16", "swimming", None),
        ("17", "cycling", "virtual_activity"),
        ("4", "hiking", None),
        ("Trail Run", "running", "trail"),
        ("Laufen", "running", None),  # German
        ("course à pied", "running", None),  # French
        ("hardlopen", "running", None),  # Dutch
        ("Radfahren", "cycling", None),
        ("senderismo", "hiking", None),  # Spanish
        ("Quidditch", "unknown", "quidditch"),
        ("99", "unknown", "99"),
    ],
)
def test_gpx_sport_labels(label: str, sport: str, sub_sport: str | None) -> None:
    text = to_gpx(_run(km=2.0)).decode().replace("<type>running</type>", f"<type>{label}</type>")
    assert f"<type>{label}</type>" in text
    (s,) = _read(text.encode(), "typed.gpx")
    assert (s.sport, s.sub_sport) == (sport, sub_sport)
    assert any("is not one loadwatch knows" in n for n in s.notes) == (sport == "unknown")


def test_real_coros_file_whose_local_time_equals_utc_takes_the_position_zone() -> None:
    # COROS PACE 2 ride (python-fitparse test file, MIT; tests/data/fit/SOURCES.md)
    path = ROOT / "tests" / "data" / "fit" / "coros-pace-2-cycling-misaligned-fields.fit"
    data = path.read_bytes()
    fit = fitparse.FitFile(io.BytesIO(data), check_crc=False)
    # fitparse stops at the COROS field definitions further on: read lazily
    act = next(m.get_values() for m in fit.get_messages("activity"))
    assert act["local_timestamp"] == act["timestamp"]  # the device says UTC
    fit = fitparse.FitFile(io.BytesIO(data), check_crc=False)
    first_fix = next(
        m.get_values() for m in fit.get_messages("record") if m.get_value("position_lat")
    )
    lat = first_fix["position_lat"] * 180 / 2**31
    lon = first_fix["position_long"] * 180 / 2**31
    assert (round(lat, 2), round(lon, 2)) == (4.72, -73.97)  # near Bogotá, Colombia
    bogota = ZoneInfo("America/Bogota")  # UTC-5 all year
    (s,) = _read(data, path.name)
    expected = int(bogota.utcoffset(s.start_utc.replace(tzinfo=None)).total_seconds())
    assert (s.utc_offset_s, s.offset_source) == (expected, "position") == (-18000, "position")
    assert s.local_date == s.start_utc.astimezone(bogota).date() == date(2020, 10, 25)
    assert any("local time equals UTC" in n for n in s.notes)


def _gpx_with_times(run: SynthRun) -> tuple[bytes, list[datetime]]:
    data = to_gpx(run)
    gpx = gpxpy.parse(data.decode())
    times = [p.time for t in gpx.tracks for sg in t.segments for p in sg.points]
    return data, times


def test_gpx_resuming_a_month_later_becomes_two_activities() -> None:
    run = _run(km=4.0)
    cut = run.n // 2
    ts = run.timestamp.copy()
    ts[cut:] += 30 * DAY
    data, times = _gpx_with_times(dataclasses.replace(run, timestamp=ts))
    first, second = _read(data, "resumed.gpx")
    assert (first.start_utc, second.start_utc) == (times[0], times[cut])
    assert first.elapsed_s == (times[cut - 1] - times[0]).total_seconds()
    assert second.elapsed_s == (times[-1] - times[cut]).total_seconds()
    assert (first.local_date, second.local_date) == (date(2026, 3, 2), date(2026, 4, 1))
    assert (first.session_index, second.session_index) == (0, 1)
    assert all(any("split into 2 activities" in n for n in s.notes) for s in (first, second))


def test_a_stray_gpx_point_weeks_away_is_dropped_not_refused() -> None:
    run = _run(km=3.0)
    ts = run.timestamp.copy()
    ts[-1] += 40 * DAY  # one point from a clock that jumped
    data, times = _gpx_with_times(dataclasses.replace(run, timestamp=ts))
    (s,) = _read(data, "stray.gpx")
    assert s.start_utc == times[0]
    assert s.elapsed_s == (times[-2] - times[0]).total_seconds()
    assert any("stray points far in time from the rest dropped" in n for n in s.notes)
