"""The sample runners through import, the alert rules and ``loadwatch check``.

``sample_activities/README.md`` and ``expected.json`` say what to expect:
Sam Jumps jumps in the week of Monday 2026-10-12 (a +60% rolling ramp and a
moderate spike on that week's long run); Alex Steady builds gently and
triggers nothing at caution or above. The spike's size is recomputed here
from ``expected.json``'s plan, not taken from the engine.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from loadwatch.alerts.config import Thresholds
from loadwatch.alerts.rules import Alert, evaluate, pain_frame
from loadwatch.cli import cli
from loadwatch.store import Store

pytestmark = pytest.mark.slow  # imports 148 activity files

SAMPLES = Path(__file__).resolve().parents[1] / "sample_activities"
LOAD_RULES = ("spike", "ramp", "acwr", "acwr_ewma", "monotony")


@pytest.fixture(scope="module")
def expected() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory, expected: dict[str, Any]) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("samples")
    path = str(tmp / "samples.db")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LOADWATCH_CONFIG", str(tmp / "no-config.toml"))
        mp.setenv("LOADWATCH_HOME", str(tmp / "home"))
        for info in expected["athletes"].values():
            for args in (
                ["import", str(SAMPLES / info["folder"]), "--create"],
                ["pain", "import", str(SAMPLES / info["pain_log"])],
            ):
                result = CliRunner().invoke(cli, [*args, "--athlete", info["name"], "--db", path])
                assert result.exit_code == 0, result.output
        yield path


def alerts_for(db: str, name: str) -> list[Alert]:
    store = Store.open(db)
    return evaluate(
        store.activities_frame(name),
        pain_frame(store.list_pain(name)),
        Thresholds(),
        athlete=name,
    )


def test_all_runs_imported(db: str, expected: dict[str, Any]) -> None:
    store = Store.open(db)
    for info in expected["athletes"].values():
        assert len(store.activities_frame(info["name"])) == len(info["runs"])


def test_sam_spike_is_the_jump_week_long_run(db: str, expected: dict[str, Any]) -> None:
    sam = expected["athletes"]["sam"]
    monday = date.fromisoformat(sam["jump_week_monday"])
    runs = [
        (datetime.fromisoformat(r["start_utc"]), date.fromisoformat(r["local_date"]), r)
        for r in sam["runs"]
    ]
    in_week = [(s, d, r) for s, d, r in runs if monday <= d <= monday + timedelta(days=6)]
    start, long_day, long_run = max(in_week, key=lambda x: x[2]["distance_km"])
    before = [r["distance_km"] for s, _, r in runs if start - timedelta(days=30) <= s < start]
    spike_pct = 100 * (long_run["distance_km"] / max(before) - 1)
    assert 30 < spike_pct <= 100  # a moderate spike, as the README says

    spikes = [a for a in alerts_for(db, sam["name"]) if a.rule == "spike" and a.rank >= 2]
    assert [(a.date, a.severity) for a in spikes] == [(long_day, "caution")]
    assert spikes[0].value == pytest.approx(spike_pct, abs=0.2)  # plan distances are to 0.01 km


def test_sam_ramp_starts_in_the_jump_week(db: str, expected: dict[str, Any]) -> None:
    sam = expected["athletes"]["sam"]
    monday = date.fromisoformat(sam["jump_week_monday"])
    alerts = alerts_for(db, sam["name"])
    ramps = [a for a in alerts if a.rule == "ramp" and a.rank >= 2]
    assert monday <= min(a.date for a in ramps) <= monday + timedelta(days=6)
    # the ramp has no high level: a rolling +60% is a caution (> 30%)
    assert {a.severity for a in ramps} == {"caution"}
    assert all(a.value > 30 and a.threshold == 30 for a in ramps)
    assert max(a.value for a in ramps if a.date <= monday + timedelta(days=6)) > 50
    early = [a for a in alerts if a.rule in LOAD_RULES and a.rank >= 2 and a.date < monday]
    assert early == []


def test_sam_pain_flares_follow_the_jump(db: str, expected: dict[str, Any]) -> None:
    sam = expected["athletes"]["sam"]
    monday = date.fromisoformat(sam["jump_week_monday"])
    flares = [a for a in alerts_for(db, sam["name"]) if a.rule == "pain_flare"]
    assert flares and min(a.date for a in flares) >= monday
    assert any(a.severity == "high" for a in flares)


def test_alex_gets_nothing_at_caution_or_above(db: str, expected: dict[str, Any]) -> None:
    alex = expected["athletes"]["alex"]
    assert [a for a in alerts_for(db, alex["name"]) if a.rank >= 2] == []


def test_check_a_25_km_run_for_sam(db: str, expected: dict[str, Any]) -> None:
    sam = expected["athletes"]["sam"]
    on = date.fromisoformat(expected["last_day"]) + timedelta(days=1)
    # the longest run of the 30 dates before the planned run, from expected.json's plan
    longest = max(
        r["distance_km"]
        for r in sam["runs"]
        if on - timedelta(days=30) <= date.fromisoformat(r["local_date"]) < on
    )
    spike_pct = 100 * (25 / longest - 1)
    assert 10 < spike_pct <= 100  # a caution, not high
    args = ["check", "--athlete", sam["name"], "--on", str(on), "--run", "25", "--db", db]
    text = CliRunner().invoke(cli, args)
    assert text.exit_code == 3
    assert "CAUTION: Single-run spike (2026-11-16, planned)" in text.output
    assert f"would be {spike_pct:.0f}% longer than your longest run" in text.output
    assert "Run on 2026-11-16: " in text.output and "(binds: " in text.output
    data = json.loads(CliRunner().invoke(cli, [*args, "--format", "json"]).output)
    (spike,) = [a for a in data["alerts"] if a["rule"] == "spike"]
    assert spike["severity"] == "caution"
    assert spike["value"] == pytest.approx(spike_pct, abs=0.2)  # plan distances are to 0.01 km
    ceiling = data["ceiling"]["run"]
    assert ceiling["status"] == "binds" and 0 < ceiling["km"] < 25
    # the spike binds at 1.1 x the longest (unless the ramp binds lower)
    assert ceiling["km"] <= round(1.1 * longest, 2) + 0.2


def test_check_alex_plain_week_is_quiet(db: str, expected: dict[str, Any]) -> None:
    alex = expected["athletes"]["alex"]
    on = date.fromisoformat(expected["last_day"]) + timedelta(days=1)
    args = ["check", "--athlete", alex["name"], "--on", str(on), "--db", db]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
