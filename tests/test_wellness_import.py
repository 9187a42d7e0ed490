"""Garmin wellness files inside an export, read through ``loadwatch import``.

The JSON in these archives is written here by hand in the shape formats.md
documents; every expected value is computed in the test from those same
dicts with plain Python, never from loadwatch's reading of them.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from loadwatch.cli import cli
from loadwatch.importer import import_paths
from loadwatch.ingest.wellness import wellness_kind
from loadwatch.store import Store
from loadwatch.store import wellness_days as wellness_table

DAY0 = date(2026, 3, 2)


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _night(day: int, deep: int, light: int, rem: int, score: int | None = 80) -> dict[str, Any]:
    d = DAY0 + timedelta(days=day)
    night: dict[str, Any] = {
        "calendarDate": d.isoformat(),
        "sleepStartTimestampGMT": f"{d - timedelta(days=1)}T22:30:00.0",
        "sleepEndTimestampGMT": f"{d}T06:30:00.0",
        "deepSleepSeconds": deep,
        "lightSleepSeconds": light,
        "remSleepSeconds": rem,
        "awakeSleepSeconds": 900,
        "unknownFutureField": {"x": 1},
    }
    if score is not None:
        night["sleepScores"] = {"overallScore": score, "qualityScore": 70}
    return night


def _uds(day: int, rhr: int, stress: int, bb: int) -> dict[str, Any]:
    d = (DAY0 + timedelta(days=day)).isoformat()
    return {
        "calendarDate": d,
        "restingHeartRate": rhr,
        "totalSteps": 9000 + day,
        "allDayStress": {
            "calendarDate": d,
            "aggregatorList": [
                {"type": "AWAKE", "averageStressLevel": stress + 9},
                {"type": "TOTAL", "averageStressLevel": stress, "maxStressLevel": 90},
            ],
        },
        "bodyBattery": {
            "bodyBatteryStatList": [
                {"bodyBatteryStatType": "LOWEST", "statsValue": 10},
                {"bodyBatteryStatType": "HIGHEST", "statsValue": bb},
            ]
        },
    }


def _health(day: int, hrv: int, status: str = "NORMAL") -> dict[str, Any]:
    return {
        "calendarDate": (DAY0 + timedelta(days=day)).isoformat(),
        "metrics": [
            {"type": "HR", "value": 50, "status": "NORMAL"},
            {
                "type": "HRV",
                "value": hrv,
                "status": status,
                "baselineLowerLimit": 40,
                "baselineUpperLimit": 70,
            },
        ],
    }


# Two sleep chunks overlapping on days 3-4; day 3 also has a nap in the second one.
SLEEP_A = [_night(d, 5000 + 100 * d, 14000, 6000 + 10 * d) for d in range(5)]
SLEEP_B = [
    _night(3, 600, 1200, 0, score=None),  # a nap: shorter, must not replace the night
    _night(4, 5400, 14000, 6040),  # the same night again
    *[_night(d, 4000, 13000 + 200 * d, 5000) for d in range(5, 8)],
]
UDS_A = [_uds(d, 50 + d, 20 + 3 * d, 60 + d) for d in range(6)]
UDS_B = {"udsSummaryEntities": [_uds(d, 50 + d, 20 + 3 * d, 60 + d) for d in range(4, 8)]}
HEALTH = [_health(d, 55 + d) for d in range(7)] + [_health(7, 0, "UNKNOWN")]


def _export(
    tmp_path: Path, name: str = "export.zip", *, extra: dict[str, bytes] | None = None
) -> Path:
    nested = _zip(
        {
            "DI-Connect-Wellness/2026-03-06_2026-03-10_42_sleepData.json": json.dumps(
                SLEEP_B
            ).encode()
        }
    )
    members = {
        "DI_CONNECT/DI-Connect-Wellness/2026-03-02_2026-03-06_42_sleepData.json": json.dumps(
            SLEEP_A
        ).encode(),
        "DI_CONNECT/DI-Connect-Aggregator/UDSFile_2026-03-02_2026-03-07.json": json.dumps(
            UDS_A
        ).encode(),
        # a later export version moved the folder: found by name all the same
        "DI_CONNECT/Moved/Elsewhere/UDSFile_2026-03-06_2026-03-10.json": json.dumps(UDS_B).encode(),
        "DI_CONNECT/DI-Connect-Wellness/2026-03-02_2026-03-10_42_healthStatusData.json": json.dumps(
            HEALTH
        ).encode(),
        "DI_CONNECT/DI-Connect-Wellness/later_chunk.zip": nested,
        "DI_CONNECT/DI-Connect-Fitness/someone_0_summarizedActivities.json": b"[]",
        **(extra or {}),
    }
    path = tmp_path / name
    path.write_bytes(_zip(members))
    return path


def _expected_days() -> dict[str, dict[str, Any]]:
    """Per ISO date, the values read straight from the dicts above."""
    out: dict[str, dict[str, Any]] = {}

    def row(d: str) -> dict[str, Any]:
        return out.setdefault(d, {})

    for night in SLEEP_A + SLEEP_B:
        secs = night["deepSleepSeconds"] + night["lightSleepSeconds"] + night["remSleepSeconds"]
        r = row(night["calendarDate"])
        if secs / 3600 > r.get("sleep_h", 0):
            r["sleep_h"] = round(secs / 3600, 2)
            r["sleep_score"] = night.get("sleepScores", {}).get("overallScore")
    for uds in UDS_A + UDS_B["udsSummaryEntities"]:
        r = row(uds["calendarDate"])
        r["resting_hr"] = uds["restingHeartRate"]
        [total] = [a for a in uds["allDayStress"]["aggregatorList"] if a["type"] == "TOTAL"]
        r["stress_device"] = total["averageStressLevel"]
        [high] = [
            s
            for s in uds["bodyBattery"]["bodyBatteryStatList"]
            if s["bodyBatteryStatType"] == "HIGHEST"
        ]
        r["body_battery_high"] = high["statsValue"]
    for h in HEALTH:
        [hrv] = [m for m in h["metrics"] if m["type"] == "HRV"]
        if hrv["status"] != "UNKNOWN":
            row(h["calendarDate"])["hrv_ms"] = hrv["value"]
    return out


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(f"sqlite:///{tmp_path / 'lw.db'}", originals_dir=tmp_path / "originals")


def test_file_names_are_recognised_anywhere() -> None:
    assert wellness_kind("a/b/2020-01-01_2020-04-10_123_sleepData.json") == "sleep"
    assert wellness_kind("UDSFile_2020-01-01_2020-04-10.json") == "uds"
    assert wellness_kind("x/Y/1_2_3_HEALTHSTATUSDATA.JSON") == "health"
    assert wellness_kind("x/user_0_summarizedActivities.json") is None
    assert wellness_kind("x/sleepData.json.bak") is None


def test_wellness_days_have_their_own_values(store: Store, tmp_path: Path) -> None:
    report = import_paths(store, [_export(tmp_path)], athlete="Sam")

    assert report.errors == []
    expected = _expected_days()
    assert report.wellness_days_imported == len(expected) == 8
    rows = {d.date.isoformat(): d for d in store.list_wellness("Sam")}
    assert sorted(rows) == sorted(expected)
    fields = (
        "sleep_h",
        "sleep_score",
        "resting_hr",
        "stress_device",
        "body_battery_high",
        "hrv_ms",
    )
    for day, want in expected.items():
        got = rows[day]
        assert got.source == "garmin"
        assert {f: getattr(got, f) for f in fields} == {f: want.get(f) for f in fields}, day
        # a device row never holds a self-rating
        assert (got.stress_self, got.soreness, got.fatigue, got.sleep_quality) == (None,) * 4


def test_overlapping_chunks_keep_one_night_per_date(store: Store, tmp_path: Path) -> None:
    import_paths(store, [_export(tmp_path)], athlete="Sam")
    rows = {d.date: d for d in store.list_wellness("Sam")}
    day3 = DAY0 + timedelta(days=3)
    night3 = SLEEP_A[3]
    hours3 = (
        night3["deepSleepSeconds"] + night3["lightSleepSeconds"] + night3["remSleepSeconds"]
    ) / 3600
    assert rows[day3].sleep_h == round(hours3, 2)  # not the nap, not the sum of both
    assert len([d for d in store.list_wellness("Sam") if d.date == day3]) == 1
    assert rows[DAY0 + timedelta(days=7)].hrv_ms is None  # value 0, status UNKNOWN


def test_reimport_is_a_no_op(store: Store, tmp_path: Path) -> None:
    export = _export(tmp_path)
    import_paths(store, [export], athlete="Sam")
    before = store.list_wellness("Sam")

    again = import_paths(store, [export], athlete="Sam")
    assert (again.wellness_days_imported, again.wellness_days_unchanged) == (0, 8)
    assert store.list_wellness("Sam") == before

    # the same days in a different archive (a later export) are unchanged too
    other = _export(tmp_path, "export_later.zip", extra={"README.txt": b"later"})
    third = import_paths(store, [other], athlete="Sam")
    assert (third.wellness_days_imported, third.wellness_days_unchanged) == (0, 8)
    assert store.counts()["wellness_days"] == 8


def test_a_damaged_wellness_file_is_named_and_the_rest_imports(
    store: Store, tmp_path: Path
) -> None:
    bad = {"DI_CONNECT/DI-Connect-Wellness/broken_healthStatusData.json": b"{not json"}
    report = import_paths(store, [_export(tmp_path, extra=bad)], athlete="Sam")
    assert [e["path"].rsplit("!", 1)[-1] for e in report.errors] == [
        "DI_CONNECT/DI-Connect-Wellness/broken_healthStatusData.json"
    ]
    assert report.wellness_days_imported == 8


def test_cli_json_counts_wellness_days(tmp_path: Path) -> None:
    runner = CliRunner()
    db = str(tmp_path / "cli.db")
    env = {"LOADWATCH_HOME": str(tmp_path / "home")}
    export = str(_export(tmp_path))
    first = runner.invoke(cli, ["import", export, "--db", db, "--json"], env=env)
    assert first.exit_code == 0, first.output
    out = json.loads(first.output)
    assert (out["wellness_days_imported"], out["wellness_days_unchanged"]) == (8, 0)
    second = json.loads(
        runner.invoke(cli, ["import", export, "--db", db, "--json"], env=env).output
    )
    assert (second["wellness_days_imported"], second["wellness_days_unchanged"]) == (0, 8)

    listed = runner.invoke(cli, ["wellness", "list", "--db", db, "--format", "json"], env=env)
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.output)
    first_day = _expected_days()[DAY0.isoformat()]
    assert rows[0]["date"] == DAY0.isoformat() and rows[0]["source"] == "garmin"
    assert rows[0]["sleep_h"] == first_day["sleep_h"]
    assert rows[0]["resting_hr"] == first_day["resting_hr"]
    assert rows[0]["stress_self"] is None


def test_an_export_imported_before_wellness_existed_is_read_again(
    store: Store, tmp_path: Path
) -> None:
    from sqlalchemy import update

    from loadwatch.store import archives

    export = _export(tmp_path)
    import_paths(store, [export], athlete="Sam")
    with store.engine.begin() as conn:  # the report an older loadwatch stored: no wellness
        conn.execute(update(archives).values(report_json=json.dumps({"files": 0, "errors": []})))
    with store.engine.begin() as conn:
        conn.execute(wellness_table.delete())
    again = import_paths(store, [export], athlete="Sam")
    assert again.wellness_days_imported == 8
    assert again.activities_added == 0


def test_shapes_seen_in_other_exports() -> None:
    """Date-times as calendarDate, only the day's own resting HR, 'no data' markers."""
    from loadwatch.ingest.wellness import WellnessCollector

    uds = [
        {
            "calendarDate": "2026-01-15T00:00:00.0",
            "currentDayRestingHeartRate": 48,
            "allDayStress": {
                "aggregatorList": [
                    {"type": "ASLEEP", "averageStressLevel": -2},
                    {"type": "TOTAL", "averageStressLevel": -1},
                ]
            },
        },
        {"calendarDate": "not a date", "restingHeartRate": 50},
        {"calendarDate": "2026-01-16", "restingHeartRate": 0, "totalSteps": 900},
    ]
    sleep = [  # watch off the wrist: zeros, not a night
        {"calendarDate": "2026-01-16", "deepSleepSeconds": 0, "lightSleepSeconds": 0,
         "remSleepSeconds": 0, "sleepWindowConfirmationType": "OFF_WRIST"},
        {"calendarDate": "2026-01-17", "sleepTimeSeconds": 25200,
         "sleepScores": {"overall": {"value": 81}}},
    ]  # fmt: skip
    collector = WellnessCollector()
    collector.add("x/UDSFile_1_2.json", json.dumps(uds).encode())
    collector.add("x/1_2_3_sleepData.json", json.dumps(sleep).encode())
    days = {d.date.isoformat(): d for d in collector.days()}
    assert sorted(days) == ["2026-01-15", "2026-01-17"]
    assert (days["2026-01-15"].resting_hr, days["2026-01-15"].stress_device) == (48, None)
    assert (days["2026-01-17"].sleep_h, days["2026-01-17"].sleep_score) == (7.0, 81)
