"""The bundled samples import to exactly the runs their generator planned.

``sample_activities/expected.json`` is written by the generator from its own
plan (not by the readers under test), so it is an independent check of the
whole path: readers, local dates, store and CLI.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from loadwatch.cli import cli

SAMPLES = Path(__file__).resolve().parents[1] / "sample_activities"
EXPECTED = json.loads((SAMPLES / "expected.json").read_text())


@pytest.mark.parametrize("key", sorted(EXPECTED["athletes"]))
def test_sample_athlete_imports_as_planned(key: str, tmp_path: Path) -> None:
    athlete = EXPECTED["athletes"][key]
    runner = CliRunner()
    db = str(tmp_path / "samples.db")
    env = {"LOADWATCH_HOME": str(tmp_path / "home")}
    folder = str(SAMPLES / athlete["folder"])
    imported = runner.invoke(
        cli, ["import", folder, "--athlete", athlete["name"], "--db", db, "--json"], env=env
    )
    assert imported.exit_code == 0, imported.output
    report = json.loads(imported.output)
    assert report["errors"] == [] and report["skipped"] == []
    assert report["activities_added"] == len(athlete["runs"])

    listed = runner.invoke(
        cli, ["activities", "--athlete", athlete["name"], "--db", db, "--format", "json"], env=env
    )
    rows = json.loads(listed.output)
    got = [(r["local_date"], round(r["distance_m"] / 1000, 2), r["utc_offset_s"]) for r in rows]
    planned = [(r["local_date"], r["distance_km"], r["utc_offset_s"]) for r in athlete["runs"]]
    assert got == planned
    assert [r["start_utc"] for r in rows] == [
        r["start_utc"].replace("Z", "+00:00") for r in athlete["runs"]
    ]
