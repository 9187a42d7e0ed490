"""The core CLI: help everywhere, exact outputs and exit codes of import/activities/athletes."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from loadwatch.cli import cli

# Two points 1 km apart along a meridian in Brisbane (UTC+10, no daylight saving),
# starting 13:40Z, i.e. 23:40 local: the local date is the UTC date.
GPX_BRISBANE = """<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">
 <trk><type>running</type><trkseg>
  <trkpt lat="-27.4700" lon="153.0200"><time>2026-01-10T13:40:00Z</time></trkpt>
  <trkpt lat="-27.4745" lon="153.0200"><time>2026-01-10T13:42:30Z</time></trkpt>
  <trkpt lat="-27.4790" lon="153.0200"><time>2026-01-10T13:45:00Z</time></trkpt>
 </trkseg></trk>
</gpx>
"""


def _haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    r = 6371008.8  # mean Earth radius
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def _all_commands(group: click.Group, prefix: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        assert cmd is not None, name
        yield (*prefix, name), cmd
        if isinstance(cmd, click.Group):
            yield from _all_commands(cmd, (*prefix, name))


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("LOADWATCH_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("LOADWATCH_DB", raising=False)
    return CliRunner()


def test_every_command_has_help_with_an_example(runner: CliRunner) -> None:
    commands = list(_all_commands(cli))
    assert {"import", "activities", "athletes", "metrics"} <= {c[0][0] for c in commands}
    for path, cmd in commands:
        result = runner.invoke(cli, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert (cmd.help or "").strip(), f"{' '.join(path)} has no help text"
        assert "Example" in result.output, f"{' '.join(path)} --help shows no example"


def test_python_dash_m_works() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "loadwatch", "--help"], capture_output=True, text=True, check=True
    )
    assert out.stdout.startswith("Usage: python -m loadwatch")


def test_import_json_and_activities_json(runner: CliRunner, tmp_path: Path) -> None:
    gpx = tmp_path / "Evening Run.GPX"
    gpx.write_text(GPX_BRISBANE)
    result = runner.invoke(cli, ["import", str(gpx), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {
        "imported": 1,
        "unchanged": 0,
        "duplicates": 0,
        "merged_duplicates": 0,
        "activities_added": 1,
        "skipped": [],
        "errors": [],
        "recovered": [],
        "missing_from_archive": [],
        "notes": [],
        "wellness_days_imported": 0,
        "wellness_days_unchanged": 0,
        "columns_recognised": [],
        "implausible": [],
        "interrupted": False,
    }

    again = runner.invoke(cli, ["import", str(gpx), "--json"])
    assert again.exit_code == 0
    assert json.loads(again.output)["unchanged"] == 1

    listed = runner.invoke(cli, ["activities", "--format", "json"])
    assert listed.exit_code == 0, listed.output
    [row] = json.loads(listed.output)
    assert row["athlete"] == "me"
    assert row["sport"] == "running"
    assert row["start_utc"] == "2026-01-10T13:40:00+00:00"
    assert row["utc_offset_s"] == 36000
    assert row["local_date"] == "2026-01-10"
    assert row["elapsed_s"] == 300.0
    expected = _haversine_m(-27.47, 153.02, -27.4745, 153.02) + _haversine_m(
        -27.4745, 153.02, -27.479, 153.02
    )
    assert row["distance_m"] == pytest.approx(expected, rel=5e-3)
    assert row["source_format"] == "gpx"
    assert row["recovered"] is False
    assert row["notes"] == [] and "name" in row


def test_import_exit_codes(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "broken.fit"
    bad.write_bytes(b"\x0e\x10" + b"\x00" * 30)
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")

    result = runner.invoke(cli, ["import", str(bad), str(notes), "--json"])
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert [e["path"] for e in report["errors"]] == [str(bad)]
    assert report["skipped"] == [{"path": str(notes), "reason": "not a FIT, GPX, TCX or zip file"}]

    usage = runner.invoke(cli, ["import"])
    assert usage.exit_code == 2
    assert "Missing argument" in usage.output


def test_activities_table_in_miles(runner: CliRunner, tmp_path: Path) -> None:
    gpx = tmp_path / "run.gpx"
    gpx.write_text(GPX_BRISBANE)
    runner.invoke(cli, ["import", str(gpx)])
    km = runner.invoke(cli, ["activities"]).output
    mi = runner.invoke(cli, ["activities", "--units", "mi"]).output
    assert "1.00 km" in km
    assert "0.62 mi" in mi
    assert "0:05:00" in km


def test_athletes_add_rename_and_errors(runner: CliRunner) -> None:
    added = runner.invoke(cli, ["athletes", "add", "Sam", "--tz", "America/Denver"])
    assert (added.exit_code, added.output) == (0, "Added athlete 'Sam'\n")
    dup = runner.invoke(cli, ["athletes", "add", "Sam"])
    assert (dup.exit_code, dup.output) == (2, "Error: an athlete called 'Sam' already exists\n")
    bad_tz = runner.invoke(cli, ["athletes", "add", "Kim", "--tz", "Mars/Olympus"])
    assert bad_tz.exit_code == 2
    assert "unknown time zone 'Mars/Olympus'" in bad_tz.output
    renamed = runner.invoke(cli, ["athletes", "rename", "Sam", "Sam Jumps"])
    assert (renamed.exit_code, renamed.output) == (0, "Renamed 'Sam' to 'Sam Jumps'\n")
    listed = runner.invoke(cli, ["athletes", "--format", "csv"])
    assert listed.output == "name,tz,hr_rest,hr_max,sex\nSam Jumps,America/Denver,,,\n"
    missing = runner.invoke(cli, ["activities", "--athlete", "Nobody"])
    assert missing.exit_code == 2
    assert "no athlete called 'Nobody'" in missing.output


def test_athletes_add_with_profile_and_set(runner: CliRunner) -> None:
    added = runner.invoke(cli, ["athletes", "add", "Kim", "--hr-max", "190", "--sex", "female"])
    assert (added.exit_code, added.output) == (0, "Added athlete 'Kim'\n")
    nothing = runner.invoke(cli, ["athletes", "set", "Kim"])
    assert (nothing.exit_code, nothing.output) == (
        2,
        "Error: nothing to set: give --tz, --hr-rest, --hr-max or --sex\n",
    )
    bad_tz = runner.invoke(cli, ["athletes", "set", "Kim", "--tz", "Mars/Olympus"])
    assert bad_tz.exit_code == 2
    assert "unknown time zone 'Mars/Olympus'" in bad_tz.output
    updated = runner.invoke(
        cli, ["athletes", "set", "Kim", "--hr-rest", "48", "--tz", "Europe/Berlin"]
    )
    assert (updated.exit_code, updated.output) == (
        0,
        "Updated 'Kim': tz=Europe/Berlin, hr_rest=48.0\n",
    )
    listed = runner.invoke(cli, ["athletes", "--format", "csv"])
    assert listed.output == "name,tz,hr_rest,hr_max,sex\nKim,Europe/Berlin,48.0,190.0,female\n"
