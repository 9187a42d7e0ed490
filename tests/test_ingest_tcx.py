"""TCX reader: hand-written files whose expected values are worked out by hand."""

from __future__ import annotations

import gzip
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from loadwatch.errors import ActivityFileError, NotAnActivityFile
from loadwatch.ingest import ReadResult, read_activity_bytes
from loadwatch.ingest.tcx import read_tcx

DATA = Path(__file__).resolve().parent / "data" / "tcx"
NS = "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"


def _read(fname: str) -> ReadResult:
    return read_activity_bytes((DATA / fname).read_bytes(), fname)


def test_two_laps_sum_to_the_activity() -> None:
    result = _read("run-with-two-laps.tcx")
    assert result.format == "tcx"
    (s,) = result.summaries
    assert s.source_format == "tcx"
    assert (s.sport, s.sub_sport) == ("running", None)
    assert s.start_utc == datetime(2024, 1, 15, 13, 40, tzinfo=UTC)
    assert s.distance_m == 2500.5  # 1000.0 + 1500.5
    assert s.timer_s == 750.5  # 300.0 + 450.5
    assert s.elapsed_s == 780.0  # 13:40:00 -> last trackpoint 13:53:00
    # Lap averages weighted by lap time: (150 x 300 + 160 x 450.5) / 750.5.
    assert s.avg_hr == pytest.approx((150 * 300.0 + 160 * 450.5) / 750.5, rel=1e-12)
    assert s.max_hr == 172.0
    assert s.elevation_gain_m == pytest.approx(10.0)  # a steady climb 10 m -> 20 m
    assert s.device == "forerunner 965"
    # Brisbane keeps UTC+10 all year: 13:40Z is 23:40 the same evening.
    assert (s.utc_offset_s, s.local_date, s.offset_source) == (36000, date(2024, 1, 15), "position")
    assert s.notes == []


def test_laps_only_treadmill_run() -> None:
    (s,) = _read("no-trackpoints.tcx").summaries
    assert (s.distance_m, s.timer_s, s.elapsed_s) == (5000.0, 1800.0, 1800.0)
    assert (s.avg_hr, s.max_hr) == (140.0, 158.0)
    assert s.elevation_gain_m is None
    assert s.device is None
    # No position: the importer fills the local date from the athlete's zone.
    assert (s.utc_offset_s, s.local_date, s.offset_source) == (None, None, None)


def test_one_summary_per_activity() -> None:
    run, ride = _read("two-activities.tcx").summaries
    assert (run.sport, run.session_index, run.distance_m, run.timer_s) == (
        "running",
        0,
        2000.0,
        600.0,
    )
    assert run.start_utc == datetime(2024, 3, 1, 7, 0, tzinfo=UTC)
    assert (run.avg_hr, run.max_hr) == (None, None)
    assert (ride.sport, ride.session_index, ride.distance_m, ride.timer_s) == (
        "cycling",
        1,
        8000.0,
        1200.0,
    )
    assert ride.start_utc == datetime(2024, 3, 1, 17, 0, tzinfo=UTC)
    # No lap summary of heart rate: the mean of 100, 110 and 120.
    assert (ride.avg_hr, ride.max_hr) == (110.0, 120.0)


def test_lap_without_distance_uses_trackpoint_distance() -> None:
    (s,) = _read("lap-without-distance.tcx").summaries
    assert s.distance_m == 1234.5
    assert s.timer_s == 400.0
    assert s.elapsed_s == 400.0  # 05:30:00 -> 05:36:40
    assert any("a lap has no distance" in n for n in s.notes)


def test_course_is_not_an_activity() -> None:
    with pytest.raises(NotAnActivityFile) as info:
        _read("course-only.tcx")
    assert info.value.reason == "TCX holds no activity (courses)"


def test_placeholder_times_are_refused() -> None:
    with pytest.raises(ActivityFileError) as info:
        _read("placeholder-times.tcx")
    assert not isinstance(info.value, NotAnActivityFile)
    assert info.value.reason == "TCX activity has no timestamps: loadwatch cannot date it"


def test_gzipped_upper_case_name() -> None:
    data = (DATA / "run-with-two-laps.tcx").read_bytes()
    result = read_activity_bytes(gzip.compress(data), "RUN.TCX.GZ")
    assert result.format == "tcx"
    assert result.summaries[0].distance_m == 2500.5


def _tcx(activity_body: str, sport: str = "Running") -> bytes:
    return (
        f'<?xml version="1.0"?><TrainingCenterDatabase xmlns="{NS}"><Activities>'
        f'<Activity Sport="{sport}"><Id>2024-05-01T06:00:00Z</Id>{activity_body}</Activity>'
        "</Activities></TrainingCenterDatabase>"
    ).encode()


def test_lap_without_total_time_falls_back_to_trackpoint_movement() -> None:
    # 0.0045 degrees of latitude is about 500 m: 500 m in 150 s is moving;
    # then 150 s standing still is not.
    body = (
        '<Lap StartTime="2024-05-01T06:00:00Z"><DistanceMeters>500.0</DistanceMeters><Track>'
        "<Trackpoint><Time>2024-05-01T06:00:00Z</Time><Position><LatitudeDegrees>45.0"
        "</LatitudeDegrees><LongitudeDegrees>7.0</LongitudeDegrees></Position></Trackpoint>"
        "<Trackpoint><Time>2024-05-01T06:02:30Z</Time><Position><LatitudeDegrees>45.0045"
        "</LatitudeDegrees><LongitudeDegrees>7.0</LongitudeDegrees></Position></Trackpoint>"
        "<Trackpoint><Time>2024-05-01T06:05:00Z</Time><Position><LatitudeDegrees>45.0045"
        "</LatitudeDegrees><LongitudeDegrees>7.0</LongitudeDegrees></Position></Trackpoint>"
        "</Track></Lap>"
    )
    (s,) = read_tcx(_tcx(body), "t.tcx")
    assert s.timer_s == 150.0
    assert s.elapsed_s == 300.0
    assert any("no TotalTimeSeconds" in n for n in s.notes)


def test_activity_without_laps_is_not_an_activity() -> None:
    with pytest.raises(NotAnActivityFile) as info:
        read_tcx(_tcx(""), "nolaps.tcx")
    assert info.value.reason == "TCX activities have no laps"


def test_bad_number_names_the_element() -> None:
    body = (
        '<Lap StartTime="2024-05-01T06:00:00Z"><TotalTimeSeconds>abc</TotalTimeSeconds>'
        "<DistanceMeters>5.0</DistanceMeters></Lap>"
    )
    with pytest.raises(ActivityFileError) as info:
        read_tcx(_tcx(body), "bad.tcx")
    assert info.value.reason == "TCX <TotalTimeSeconds> is not a number: 'abc'"


def test_sport_other_is_generic() -> None:
    body = (
        '<Lap StartTime="2024-05-01T06:00:00Z"><TotalTimeSeconds>60</TotalTimeSeconds>'
        "<DistanceMeters>100</DistanceMeters></Lap>"
    )
    (s,) = read_tcx(_tcx(body, sport="Other"), "o.tcx")
    assert s.sport == "generic"


def test_entity_declarations_are_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT", encoding="utf-8")
    lap = (
        '<Lap StartTime="2024-05-01T06:00:00Z"><TotalTimeSeconds>60</TotalTimeSeconds>'
        "<DistanceMeters>100</DistanceMeters></Lap>"
    )
    for decl, use in (
        ('<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">', "&b;"),
        (f'<!ENTITY s SYSTEM "{secret.as_uri()}">', "&s;"),
    ):
        doc = _tcx(lap.replace("</Lap>", f"<Notes>{use}</Notes></Lap>")).decode()
        doc = doc.replace("?>", f"?><!DOCTYPE TrainingCenterDatabase [{decl}]>", 1)
        with pytest.raises(ActivityFileError) as info:
            read_activity_bytes(doc.encode(), "bomb.tcx")
        assert "refused: XML entities" in info.value.reason
        assert "TOP-SECRET" not in str(info.value)
