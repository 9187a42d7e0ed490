"""What loadwatch notices reaches the user; merged duplicates keep heart rate.

Expected heart rates come from fitparse's read of the session message; notes
and names are checked where the user sees them: ``import --json``, the import
table (``--verbose``) and ``activities`` as a table, CSV and JSON.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import sqlite3
import zipfile
from pathlib import Path

import fitparse
import numpy as np
import pytest
from click.testing import CliRunner
from test_ingest_clock import LATE, _run, _undeclared_gpxdata

from loadwatch.cli import cli
from loadwatch.errors import ActivityFileError
from loadwatch.importer import import_paths
from loadwatch.ingest import read_activity_bytes
from loadwatch.store import Store
from loadwatch.synth.fit import to_fit
from loadwatch.synth.gpx import to_gpx
from loadwatch.synth.run import SynthRun, synth_run


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("LOADWATCH_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("LOADWATCH_DB", raising=False)
    return CliRunner()


def _session_hr(data: bytes) -> tuple[float | None, float | None]:
    (s,) = [m.get_values() for m in fitparse.FitFile(io.BytesIO(data)).get_messages("session")]
    return s.get("avg_heart_rate"), s.get("max_heart_rate")


def _without_hr(run: SynthRun) -> SynthRun:
    """The same run recorded by a second watch without a strap (FIT invalid 0xFF)."""
    return dataclasses.replace(
        run,
        heart_rate=np.full(run.n, 255, dtype=np.uint8),
        avg_hr=255,
        max_hr=255,
        serial_number=run.serial_number + 1,
    )


# --- 8. merging duplicates keeps heart rate --------------------------------------------


@pytest.mark.parametrize("hr_first", [True, False])
def test_two_fit_files_of_one_run_keep_the_heart_rate(tmp_path: Path, hr_first: bool) -> None:
    run = _run()
    with_hr, without = to_fit(run), to_fit(_without_hr(run))
    assert _session_hr(without) == (None, None)
    expected = _session_hr(with_hr)
    assert expected[0] is not None
    files = [("hr.fit", with_hr), ("plain.fit", without)]
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    for name, data in files if hr_first else files[::-1]:
        (tmp_path / name).write_bytes(data)
        import_paths(store, [tmp_path / name], workers=1)
    (a,) = store.activity_rows()
    assert (a.avg_hr, a.max_hr) == expected
    assert len(store.sources_of(a.id or 0)) == 2


def test_fit_without_hr_keeps_its_values_and_takes_hr_from_the_gpx(tmp_path: Path) -> None:
    run = _run()
    fit, gpx = to_fit(_without_hr(run)), to_gpx(run)
    (tmp_path / "watch.fit").write_bytes(fit)
    (tmp_path / "strava.gpx").write_bytes(gpx)
    ref_fit = [m.get_values() for m in fitparse.FitFile(io.BytesIO(fit)).get_messages("session")]
    hr_values = [int(v) for v in run.heart_rate]
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    report = import_paths(store, [tmp_path / "watch.fit", tmp_path / "strava.gpx"], workers=1)
    assert report.merged_duplicates == 1
    (a,) = store.activity_rows()
    assert a.source_format == "fit"
    assert a.distance_m == ref_fit[0]["total_distance"]
    assert a.avg_hr == pytest.approx(sum(hr_values) / len(hr_values))  # the GPX's points
    assert any("heart rate from the gpx copy" in n for n in a.notes)


# --- 10. notes and names reach the user ------------------------------------------------


def test_import_json_lists_notes_and_activities_show_names_and_notes(
    runner: CliRunner, tmp_path: Path
) -> None:
    gpx = tmp_path / "strava.gpx"
    run = _run()
    gpx.write_bytes(_undeclared_gpxdata(run))
    out = runner.invoke(cli, ["import", str(gpx), "--json"])
    assert out.exit_code == 0, out.output
    report = json.loads(out.output)
    ((item),) = report["notes"]
    assert item["path"] == str(gpx)
    assert any("gpxdata: used without a declaration" in n for n in item["notes"])

    listed = json.loads(runner.invoke(cli, ["activities", "--format", "json"]).output)
    (row,) = listed
    assert row["name"] == run.name == "Morning Run"  # the track's <name>
    assert row["notes"] == item["notes"]

    text = runner.invoke(cli, ["activities", "--format", "csv"]).output
    (csv_row,) = list(csv.DictReader(io.StringIO(text)))
    assert csv_row["name"] == run.name
    assert csv_row["notes"] == " | ".join(item["notes"])

    table = runner.invoke(cli, ["activities"]).output
    assert "name" in table and "notes" in table and "gpxdata" in table


def test_import_table_counts_notes_and_verbose_lists_them(
    runner: CliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "inverted.fit"
    path.write_bytes(to_fit(_run(pause_s=300), session={"total_timer_time": 21_680_000}))
    out = runner.invoke(cli, ["import", str(path)])
    assert out.exit_code == 0, out.output
    assert "files with notes" in out.output
    assert "timer time 21680 s is longer" not in out.output
    again = runner.invoke(cli, ["import", str(path), "--db", str(tmp_path / "b.db"), "-v"])
    assert "note" in again.output and "timer time 21680 s is longer" in again.output


def test_an_empty_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(ActivityFileError) as info:
        read_activity_bytes(b"", "run.fit")
    assert info.value.reason.startswith("the file is empty (0 bytes)")


@pytest.mark.parametrize(
    "page",
    [
        b"<!DOCTYPE html>\n<html><head><title>Strava</title></head><body></body></html>",
        b"\xef\xbb\xbf\n<html lang='en'><body>Log in</body></html>",
        b'<?xml version="1.0"?>\n<!-- saved --><html xmlns="http://www.w3.org/1999/xhtml"/>',
    ],
)
@pytest.mark.parametrize("name", ["12345.fit", "activity.gpx", "ride.tcx"])
def test_an_html_page_saved_as_an_activity_says_so(page: bytes, name: str) -> None:
    with pytest.raises(ActivityFileError) as info:
        read_activity_bytes(page, name)
    assert info.value.reason.startswith("this is a web page (HTML), not an activity file")


def test_the_import_report_carries_these_messages(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "empty.fit").write_bytes(b"")
    (tmp_path / "page.gpx").write_bytes(b"<!doctype html><html></html>")
    out = runner.invoke(cli, ["import", str(tmp_path), "--json"])
    assert out.exit_code == 1
    errors = {Path(e["path"]).name: e["error"] for e in json.loads(out.output)["errors"]}
    assert errors["empty.fit"].startswith("the file is empty")
    assert errors["page.gpx"].startswith("this is a web page")


def test_a_truncated_zip_download_is_an_error_not_a_crash(
    runner: CliRunner, tmp_path: Path
) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("activities/1.gpx", to_gpx(_run(km=2.0)))
    cut = tmp_path / "export.zip"
    cut.write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])  # no central directory
    out = runner.invoke(cli, ["import", str(cut), "--json"])
    assert out.exit_code == 1
    ((error),) = json.loads(out.output)["errors"]
    assert error["path"] == str(cut)


def test_an_older_database_gains_the_notes_and_channels_columns(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    schema = Path(__file__).resolve().parent / "data" / "schema_0_1_0.sqlite.sql"
    with sqlite3.connect(path) as con:  # what a database from before these columns holds
        con.executescript(schema.read_text(encoding="utf-8"))
        con.execute("ALTER TABLE activities DROP COLUMN notes")
        con.execute("ALTER TABLE activities DROP COLUMN channels")
    data = to_fit(synth_run(LATE, 3.0, utc_offset_s=3600, lat=52.52, lon=13.41,
                            pace_s_per_km=330, hr_rest=50, hr_max=190, seed=5))  # fmt: skip
    (tmp_path / "a.fit").write_bytes(data)
    store = Store(f"sqlite:///{path}")
    import_paths(store, [tmp_path / "a.fit"], workers=1)
    (a,) = store.activity_rows()
    assert a.channels == ("hr", "gps", "distance")
    with sqlite3.connect(path) as con:
        cols = {r[1] for r in con.execute("PRAGMA table_info(activities)")}
    assert {"notes", "channels"} <= cols
