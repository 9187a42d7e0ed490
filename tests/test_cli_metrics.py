"""``loadwatch metrics``: exact weekly and daily values for a small hand-made history.

Six runs in Brisbane (UTC+10, no daylight saving; 00:00Z is 10:00 local, so the
local date is the UTC date), each 1 to 3 steps of 0.009 degrees south along a
meridian. On a sphere a meridian step is exactly R x (step in radians), so with
the IUGG mean radius every run is a whole number of ``D_KM`` and every expected
value below is worked out by hand from science.md's definitions.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner

from loadwatch.cli import cli

#: One 0.009-degree meridian step, km (mean Earth radius 6,371.0088 km).
D_KM = 6371.0088 * math.radians(0.009)
KM_PER_MILE = 1.609344

#: (local date, steps of D_KM). 2026-03-02 is a Monday; the series runs from the
#: first run (Thursday 03-05) to --until (Wednesday 03-18): 14 days.
RUNS = [
    ("2026-03-05", 2),
    ("2026-03-07", 1),
    ("2026-03-09", 1),
    ("2026-03-11", 3),
    ("2026-03-15", 2),
    ("2026-03-17", 1),
]
#: Daily load in D_KM, 03-05 .. 03-18, rest days 0.
DAILY = [2, 0, 1, 0, 1, 0, 3, 0, 0, 0, 2, 0, 1, 0]
UNTIL = "2026-03-18"


def _gpx(day: str, steps: int) -> str:
    points = "\n".join(
        f'  <trkpt lat="{-27.47 - 0.009 * i:.4f}" lon="153.0200">'
        f"<time>{day}T00:{5 * i:02d}:00Z</time></trkpt>"
        for i in range(steps + 1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">\n'
        f" <trk><type>running</type><trkseg>\n{points}\n </trkseg></trk>\n</gpx>\n"
    )


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("LOADWATCH_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("LOADWATCH_DB", raising=False)
    runner = CliRunner()
    files = []
    for day, steps in RUNS:
        path = tmp_path / f"run-{day}.gpx"
        path.write_text(_gpx(day, steps))
        files.append(str(path))
    result = runner.invoke(cli, ["import", *files, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["imported"] == len(RUNS)
    return runner


def _json(runner: CliRunner, *args: str) -> list[dict[str, object]]:
    result = runner.invoke(cli, ["metrics", "--until", UNTIL, "--format", "json", *args])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert isinstance(rows, list)
    return rows


def test_weekly_json_has_days_and_exact_totals(runner: CliRunner) -> None:
    d = D_KM
    assert _json(runner, "--weekly") == [
        {
            "week_start": "2026-03-02",
            "days": 4,  # Thu-Sun: the series starts with the first run
            "load": pytest.approx(3 * d, rel=1e-9),
            "distance": pytest.approx(3 * d, rel=1e-9),
            "runs": 2,
            "longest_run": pytest.approx(2 * d, rel=1e-9),
            "ramp_pct": None,
        },
        {
            "week_start": "2026-03-09",
            "days": 7,
            "load": pytest.approx(6 * d, rel=1e-9),
            "distance": pytest.approx(6 * d, rel=1e-9),
            "runs": 3,
            "longest_run": pytest.approx(3 * d, rel=1e-9),
            "ramp_pct": pytest.approx(100.0, rel=1e-9),
        },
        {
            "week_start": "2026-03-16",
            "days": 3,  # Mon-Wed up to --until: why the ramp looks like a drop
            "load": pytest.approx(1 * d, rel=1e-9),
            "distance": pytest.approx(1 * d, rel=1e-9),
            "runs": 1,
            "longest_run": pytest.approx(1 * d, rel=1e-9),
            "ramp_pct": pytest.approx(100.0 * (1 - 6) / 6, rel=1e-9),
        },
    ]


def test_weekly_in_miles_scales_distances_not_days(runner: CliRunner) -> None:
    rows = _json(runner, "--weekly", "--units", "mi")
    mi = D_KM / KM_PER_MILE
    assert [r["days"] for r in rows] == [4, 7, 3]
    assert [r["runs"] for r in rows] == [2, 3, 1]
    assert [r["load"] for r in rows] == pytest.approx([3 * mi, 6 * mi, 1 * mi], rel=1e-9)
    assert [r["longest_run"] for r in rows] == pytest.approx([2 * mi, 3 * mi, mi], rel=1e-9)
    assert rows[2]["ramp_pct"] == pytest.approx(-250.0 / 3, rel=1e-9)  # a ratio: unscaled


def test_weekly_table_shows_days(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["metrics", "--until", UNTIL, "--weekly"])
    assert result.exit_code == 0, result.output
    header = next(line for line in result.output.splitlines() if "week_start" in line)
    assert [c.strip() for c in header.strip("┃ ").split("┃")] == [
        "week_start",
        "days",
        "load",
        "distance",
        "runs",
        "longest_run",
        "ramp_pct",
    ]
    assert "2026-03-16 │ 3    │ 1.00" in result.output


def test_daily_json_exact_values(runner: CliRunner) -> None:
    d = D_KM
    rows = _json(runner)
    assert [r["date"] for r in rows] == [f"2026-03-{day:02d}" for day in range(5, 19)]
    assert [r["load"] for r in rows] == pytest.approx([n * d for n in DAILY], rel=1e-9)
    assert list(rows[0]) == [
        "date",
        "load",
        "acute_7d",
        "chronic_28d",
        "acwr",
        "acwr_uncoupled",
        "acwr_ewma",
        "week_load",
        "prev_week_load",
        "ramp_pct",
        "monotony",
        "strain",
        "ctl",
        "atl",
        "tsb",
    ]
    # windows not yet full are null; the ratios need 28 days of series
    assert rows[5]["acute_7d"] is None
    assert rows[6]["acute_7d"] == pytest.approx(7 * d / 7, rel=1e-9)
    assert rows[12]["prev_week_load"] is None
    for r in rows:
        assert r["chronic_28d"] is None
        assert r["acwr"] is None and r["acwr_uncoupled"] is None and r["acwr_ewma"] is None

    last = rows[-1]
    # 03-12..03-18 hold 0,0,0,2,0,1,0 (x D); 03-05..03-11 hold 2,0,1,0,1,0,3
    assert last["week_load"] == pytest.approx(3 * d, rel=1e-9)
    assert last["prev_week_load"] == pytest.approx(7 * d, rel=1e-9)
    assert last["ramp_pct"] == pytest.approx(100.0 * (3 - 7) / 7, rel=1e-9)
    assert last["acute_7d"] == pytest.approx(3 * d / 7, rel=1e-9)
    # mean 3/7, population variance 5/7 - 9/49 = 26/49: monotony 3 / sqrt(26)
    assert last["monotony"] == pytest.approx(3 / math.sqrt(26), rel=1e-9)
    assert last["strain"] == pytest.approx(3 * d * 3 / math.sqrt(26), rel=1e-9)

    # Banister: X_t = X_(t-1) + k (L_t - X_(t-1)) from 0, k = 1 - e^(-1/tau)
    ctl = atl = 0.0
    before = (0.0, 0.0)
    for n in DAILY:
        before = (ctl, atl)
        ctl += (1 - math.exp(-1 / 42)) * (n * d - ctl)
        atl += (1 - math.exp(-1 / 7)) * (n * d - atl)
    assert last["ctl"] == pytest.approx(ctl, rel=1e-9)
    assert last["atl"] == pytest.approx(atl, rel=1e-9)
    assert last["tsb"] == pytest.approx(before[0] - before[1], rel=1e-9)
