"""The bundled athletes' wellness and rehab logs: Sam sleeps less when his mileage jumps.

Sleep and mileage are read here with zipfile/json/pandas straight from the
sample files and expected.json, not through loadwatch's readers.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import zipfile
from datetime import date, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner

from loadwatch.cli import cli

SAMPLES = Path(__file__).resolve().parents[1] / "sample_activities"
EXPECTED = json.loads((SAMPLES / "expected.json").read_text())["athletes"]


def _watch_sleep(slug: str) -> pd.Series:
    """Hours asleep per wake-up date from the sample's Garmin-style zip (longest night)."""
    hours: dict[date, float] = {}
    with zipfile.ZipFile(SAMPLES / EXPECTED[slug]["garmin_wellness"]) as zf:
        for name in zf.namelist():
            if not name.endswith("_sleepData.json"):
                continue
            for night in json.loads(zf.read(name)):
                secs = (
                    night["deepSleepSeconds"]
                    + night["lightSleepSeconds"]
                    + night["remSleepSeconds"]
                )
                day = date.fromisoformat(night["calendarDate"])
                hours[day] = max(hours.get(day, 0.0), secs / 3600)
    return pd.Series(hours).sort_index()


def _weekly_km(slug: str) -> pd.Series:
    runs = pd.DataFrame(EXPECTED[slug]["runs"])
    days = pd.to_datetime(runs["local_date"])
    monday = days - pd.to_timedelta(days.dt.day_of_week, unit="D")
    return runs.groupby(monday)["distance_km"].sum()


def test_sams_sleep_shortens_in_the_weeks_his_mileage_jumps() -> None:
    km = _weekly_km("sam")
    ramp = km.pct_change() * 100
    jump = pd.Timestamp(EXPECTED["sam"]["jump_week_monday"])
    assert ramp[jump] > 50  # the jump week, as planned
    sleep = _watch_sleep("sam")
    sleep.index = pd.to_datetime(sleep.index)
    in_jump = sleep[(sleep.index >= jump) & (sleep.index < jump + pd.Timedelta(days=14))]
    before = sleep[sleep.index < jump]
    assert len(in_jump) == 14
    assert in_jump.mean() < before.mean() - 1.0
    assert (in_jump < 6.5).all()
    # no watch values while the watch was away (weeks of phone GPX runs)
    first, last = (date.fromisoformat(d) for d in EXPECTED["sam"]["watch_away"])
    assert not [d for d in _watch_sleep("sam").index if first <= d <= last]


def test_alex_sleeps_steadily() -> None:
    sleep = _watch_sleep("alex")
    assert (
        len(sleep) == (date.fromisoformat("2026-11-15") - date.fromisoformat("2026-07-26")).days + 1
    )
    assert sleep.min() > 6.9


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    tmp = tmp_path_factory.mktemp("wellness_samples")
    env = {"LOADWATCH_HOME": str(tmp / "home"), "LOADWATCH_DB": str(tmp / "s.db")}
    runner = CliRunner()
    for info in EXPECTED.values():
        for args in (
            ["import", str(SAMPLES / info["garmin_wellness"]), "--json"],
            ["wellness", "import", str(SAMPLES / info["wellness_log"])],
            ["rehab", "import", str(SAMPLES / info["rehab_log"])],
        ):
            result = runner.invoke(cli, [*args, "--athlete", info["name"]], env=env)
            assert result.exit_code == 0, result.output
    return env


def _json(env: dict[str, str], *args: str) -> Any:
    result = CliRunner().invoke(cli, [*args, "--format", "json"], env=env)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_samples_import_with_their_own_counts(db: dict[str, str]) -> None:
    for slug, info in EXPECTED.items():
        rows = _json(db, "wellness", "list", "--athlete", info["name"])
        watch = [r for r in rows if r["source"] == "garmin"]
        assert len(watch) == len(_watch_sleep(slug))
        checkins = pd.read_csv(SAMPLES / info["wellness_log"])
        assert len([r for r in rows if r["source"] == "self"]) == len(checkins)
        rehab = _json(db, "rehab", "list", "--athlete", info["name"])
        assert len(rehab) == len(pd.read_csv(SAMPLES / info["rehab_log"]))


def test_only_sam_gets_wellness_alerts_and_only_around_the_jump(db: dict[str, str]) -> None:
    assert _json(db, "wellness", "alerts", "--athlete", "Alex Steady") == []
    alerts = _json(db, "wellness", "alerts", "--athlete", "Sam Jumps")
    jump = date.fromisoformat(EXPECTED["sam"]["jump_week_monday"])
    days = {date.fromisoformat(a["date"]) for a in alerts}
    assert {a["rule"] for a in alerts} == {"sleep_short", "resting_hr_up", "soreness_rising"}
    # the weekly soreness means trail the ratings: alerts end within the back-off fortnight
    assert min(days) >= jump and max(days) < jump + timedelta(days=28)
    assert all(a["severity"] == "info" for a in alerts)


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("lw_sample_generate_w", SAMPLES / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_generator_writes_a_whole_garmin_export(tmp_path: Path) -> None:
    gen = _generator()
    gen.main(["--out", str(tmp_path / "samples"), "--garmin-export", str(tmp_path / "exports")])
    export = tmp_path / "exports" / "garmin_export_sam.zip"
    with zipfile.ZipFile(export) as zf:
        names = zf.namelist()
    assert any(n.endswith("UploadedFiles_0-_Part1.zip") for n in names)
    assert any(n.endswith("_summarizedActivities.json") for n in names)
    env = {"LOADWATCH_HOME": str(tmp_path / "home"), "LOADWATCH_DB": str(tmp_path / "g.db")}
    result = CliRunner().invoke(cli, ["import", str(export), "--json"], env=env)
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    fit_runs = [r for r in EXPECTED["sam"]["runs"] if r["format"] == "fit"]
    assert report["activities_added"] == len(fit_runs)
    assert report["missing_from_archive"] == []
    assert report["wellness_days_imported"] == len(_watch_sleep("sam"))
