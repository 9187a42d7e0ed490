"""Strava's Perceived Exertion becomes the activity's RPE, whatever the export's language."""

from __future__ import annotations

import csv
import gzip
import io
import json
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from loadwatch.cli import cli
from loadwatch.importer import import_paths
from loadwatch.ingest.strava_columns import match_columns
from loadwatch.store import Store
from loadwatch.synth import synth_run, to_fit, to_gpx

START = datetime(2026, 4, 6, 6, 0, tzinfo=UTC)

# Strava's English header (the columns up to Perceived Exertion), names repeated as Strava does.
ENGLISH = [
    "Activity ID", "Activity Date", "Activity Name", "Activity Type", "Activity Description",
    "Elapsed Time", "Distance", "Max Heart Rate", "Relative Effort", "Commute",
    "Activity Private Note", "Activity Gear", "Filename", "Athlete Weight", "Bike Weight",
    "Elapsed Time", "Moving Time", "Distance", "Max Speed", "Average Speed", "Elevation Gain",
    "Elevation Loss", "Elevation Low", "Elevation High", "Max Grade", "Average Grade",
    "Average Positive Grade", "Average Negative Grade", "Max Cadence", "Average Cadence",
    "Max Heart Rate", "Average Heart Rate", "Max Watts", "Average Watts", "Calories",
    "Max Temperature", "Average Temperature", "Relative Effort", "Total Work", "Number of Runs",
    "Uphill Time", "Downhill Time", "Other Time", "Perceived Exertion", "Type", "Start Time",
    "Prefer Perceived Exertion",
]  # fmt: skip
DUTCH = {
    "Activity ID": "Activiteits-ID",
    "Activity Date": "Activiteitsdatum",
    "Activity Name": "Naam activiteit",
    "Activity Type": "Activiteitstype",
    "Filename": "Bestandsnaam",
    "Moving Time": "Beweegtijd",
    "Perceived Exertion": "Ervaren inspanning",
}
GERMAN_BY_POSITION = {  # the exertion column's label is not among the known names
    "Activity ID": "Aktivitäts-ID",
    "Activity Date": "Aktivitätsdatum",
    "Activity Name": "Name der Aktivität",
    "Activity Type": "Aktivitätsart",
    "Filename": "Dateiname",
    "Perceived Exertion": "Anstrengungsempfinden",
}
RPE = ["6", "", "8.0", "3"]  # one run without a rating


def _runs():  # type: ignore[no-untyped-def]
    return [
        synth_run(
            START + timedelta(days=2 * i),
            5 + i,
            utc_offset_s=7200,
            lat=52.5,
            lon=13.4,
            pace_s_per_km=330,
            hr_rest=50,
            hr_max=190,
            seed=40 + i,
            hz=0.2,
        )
        for i in range(4)
    ]


def _export(tmp_path: Path, header: list[str], name: str, *, rpe_decimal: str = ".") -> Path:
    runs = _runs()
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    for i, run in enumerate(runs):
        row = [""] * len(header)
        row[0] = str(1000 + i)
        row[1] = run.start_utc.strftime("%b %d, %Y, %I:%M:%S %p")
        row[2] = f"Run {i}"
        row[3] = "Run"
        row[6] = f"{run.total_distance_m / 1000:.2f}"
        row[12] = f"activities/{1000 + i}.gpx.gz"
        row[17] = f"{run.total_distance_m:.1f}"
        row[43] = RPE[i].replace(".", rpe_decimal)
        writer.writerow(row)
    members = {
        f"activities/{1000 + i}.gpx.gz": gzip.compress(to_gpx(r)) for i, r in enumerate(runs)
    }
    members["activities.csv"] = buf.getvalue().encode("utf-8")
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for member, data in members.items():
            zf.writestr(member, data)
    return path


def _rpes(store: Store, athlete: str) -> list[float | None]:
    return [a.rpe for a in store.activity_rows(athlete)]


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(f"sqlite:///{tmp_path / 'lw.db'}", originals_dir=tmp_path / "o")


def test_two_languages_give_the_same_rpes(store: Store, tmp_path: Path) -> None:
    english = _export(tmp_path, ENGLISH, "en.zip")
    dutch = _export(tmp_path, [DUTCH.get(h, h) for h in ENGLISH], "nl.zip", rpe_decimal=",")
    en = import_paths(store, [english], athlete="En")
    nl = import_paths(store, [dutch], athlete="Nl")
    want = [6.0, None, 8.0, 3.0]
    assert _rpes(store, "En") == want
    assert _rpes(store, "Nl") == want
    assert en.columns_recognised[0]["columns"]["perceived_exertion"] == "Perceived Exertion"
    assert nl.columns_recognised[0]["columns"]["perceived_exertion"] == "Ervaren inspanning"
    assert nl.columns_recognised[0]["columns"]["filename"] == "Bestandsnaam"


def test_unknown_label_found_by_position(store: Store, tmp_path: Path) -> None:
    german = _export(tmp_path, [GERMAN_BY_POSITION.get(h, h) for h in ENGLISH], "de.zip")
    report = import_paths(store, [german], athlete="De")
    assert _rpes(store, "De") == [6.0, None, 8.0, 3.0]
    columns = report.columns_recognised[0]["columns"]
    assert columns["perceived_exertion"] == "Anstrengungsempfinden (by position)"
    assert columns["activity_id"] == "Aktivitäts-ID"


def test_position_needs_anchors() -> None:
    header = ["foo"] * 50
    assert match_columns(header).index == {}
    shuffled = ["Filename", "Activity ID", *["x"] * 48]
    assert "perceived_exertion" not in match_columns(shuffled).index


def test_rpe_reaches_a_run_already_stored_from_the_watch(store: Store, tmp_path: Path) -> None:
    watch = tmp_path / "watch"
    watch.mkdir()
    for i, run in enumerate(_runs()):
        (watch / f"{i}.fit").write_bytes(to_fit(run))
    import_paths(store, [watch], athlete="Sam")
    assert _rpes(store, "Sam") == [None] * 4
    report = import_paths(store, [_export(tmp_path, ENGLISH, "en.zip")], athlete="Sam")
    assert report.merged_duplicates == 4
    assert _rpes(store, "Sam") == [6.0, None, 8.0, 3.0]
    assert {a.source_format for a in store.activity_rows("Sam")} == {"fit"}


def test_activities_json_and_srpe_show_it(tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"LOADWATCH_HOME": str(tmp_path / "home"), "LOADWATCH_DB": str(tmp_path / "c.db")}
    out = runner.invoke(
        cli, ["import", str(_export(tmp_path, ENGLISH, "en.zip")), "--json"], env=env
    )
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["columns_recognised"][0]["columns"]["perceived_exertion"] == (
        "Perceived Exertion"
    )
    rows = json.loads(runner.invoke(cli, ["activities", "--format", "json"], env=env).output)
    assert [r["rpe"] for r in rows] == [6.0, None, 8.0, 3.0]
    text = runner.invoke(cli, ["import", str(_export(tmp_path, ENGLISH, "en2.zip"))], env=env)
    assert "Perceived Exertion -> perceived_exertion" in text.output


def test_session_rpe_load_uses_strava_rpe(tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"LOADWATCH_HOME": str(tmp_path / "home"), "LOADWATCH_DB": str(tmp_path / "c.db")}
    assert (
        runner.invoke(cli, ["import", str(_export(tmp_path, ENGLISH, "en.zip"))], env=env).exit_code
        == 0
    )
    out = runner.invoke(cli, ["metrics", "--load", "srpe", "--weekly", "--format", "json"], env=env)
    assert out.exit_code == 0, out.output
    first_week = json.loads(out.output)[0]
    # Foster: RPE x moving minutes; the unrated run adds 0
    want = sum(float(r or 0) * run.timer_s / 60 for r, run in zip(RPE, _runs(), strict=True))
    assert first_week["load"] == pytest.approx(want, abs=0.01)
