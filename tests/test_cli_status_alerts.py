"""``status``, ``alerts`` and ``check`` on hand-built histories: science.md section 6.

The acceptance histories of the evidence-graded policy go through the CLI; the
expected values are worked out by hand (or with plain pandas rolling sums over
a daily km series built here), never taken from ``loadwatch.metrics``.

Every history is a repeating block of four runs starting on a Sunday with the
long run: ``[Sun 12, Tue 6, Thu 8, Fri 7]`` = 33 km a week, so every 30-day
look-back holds a 12 km run and a Monday-to-Sunday calendar week holds 33 km.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner, Result

from loadwatch.cli import cli
from loadwatch.model import ActivitySummary
from loadwatch.service import Service
from loadwatch.service.render import alert_sentence
from loadwatch.store import FileRecord, Store

KM_PER_MI = 1.609344
START = date(2025, 1, 5)  # a Sunday
BLOCK = [12.0, 0.0, 6.0, 0.0, 8.0, 7.0, 0.0]  # Sun .. Sat: 33 km
WEEKS = 52


def steady(weeks: int = WEEKS, start: date = START) -> dict[date, float]:
    """The same four runs every week from ``start`` (a Sunday)."""
    return {
        start + timedelta(days=7 * w + i): km
        for w in range(weeks)
        for i, km in enumerate(BLOCK)
        if km > 0
    }


LAST = START + timedelta(days=7 * WEEKS - 1)  # the Saturday ending the steady year


# ------------------------------------------------------------------ fixtures
@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LOADWATCH_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LOADWATCH_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.delenv("LOADWATCH_UNITS", raising=False)
    monkeypatch.delenv("LOADWATCH_DB", raising=False)
    return tmp_path


_sha = iter(range(1, 10**9))


def add_runs(db: str, athlete: str, km_by_day: dict[date, float]) -> None:
    """One run at 07:00 UTC on each date, inserted through the store."""
    store = Store.open(db)
    who = store.athlete(athlete)
    for d, km in sorted(km_by_day.items()):
        sha = f"{next(_sha):064x}"
        summary = ActivitySummary(
            sport="running",
            start_utc=datetime(d.year, d.month, d.day, 7, tzinfo=UTC),
            distance_m=km * 1000.0,
            timer_s=km * 330.0,
            elapsed_s=km * 340.0,
            source_format="fit",
            utc_offset_s=0,
            source_sha256=sha,
        )
        store.add_file(who, FileRecord(sha, f"{sha[-8:]}.fit", 1000, "fit", "imported"), [summary])


def lw(db: str, *args: str) -> Result:
    return CliRunner().invoke(cli, [*args, "--db", db])


def as_json(result: Result) -> Any:
    assert result.exit_code == 0, (result.exit_code, result.output, result.stderr)
    return json.loads(result.stdout)


def cautions(db: str, athlete: str) -> list[dict[str, Any]]:
    """``alerts --min-severity caution --format json`` up to the end of the history."""
    until = "2026-06-30"
    return as_json(
        lw(db, "alerts", "-a", athlete, "--until", until, "--min-severity", "caution",
           "--format", "json")
    )  # fmt: skip


# ------------------------------------------------- plain pandas reference
def daily_km(km_by_day: dict[date, float], end: date) -> pd.Series:
    """km per calendar day from the first run to ``end`` (rest days 0); empty without runs."""
    days = {d: km for d, km in km_by_day.items() if d <= end}
    if not days:
        return pd.Series(dtype=float)
    index = pd.date_range(min(days), end, freq="D")
    return pd.Series(days, dtype=float).rename(index=pd.Timestamp).reindex(index, fill_value=0.0)


def reference(km_by_day: dict[date, float], end: date) -> dict[str, float | None]:
    """last 7 days, the 7 before, ramp % and coupled ACWR on ``end`` (full windows only)."""
    s = daily_km(km_by_day, end)
    if s.empty:
        return dict.fromkeys(("last_7d_km", "prev_7d_km", "ramp_pct", "acwr"))
    week = s.rolling(7).sum()
    prev = week.shift(7)
    month = s.rolling(28).sum()

    def last(x: pd.Series) -> float | None:
        v = x.iloc[-1]
        return None if pd.isna(v) else float(v)

    w, p, m = last(week), last(prev), last(month)
    return {
        "last_7d_km": w,
        "prev_7d_km": p,
        "ramp_pct": None if w is None or not p else 100 * (w - p) / p,
        "acwr": None if w is None or not m else (w / 7) / (m / 28),
    }


# ----------------------------------------------------- acceptance: science.md
def test_steady_year_raises_nothing_at_caution(env: Path) -> None:
    db = str(env / "lw.db")
    add_runs(db, "Ada", steady())
    assert cautions(db, "Ada") == []
    # info may appear (e.g. ACWR low at the start) but never counts
    everything = as_json(lw(db, "alerts", "-a", "Ada", "--until", "2026-06-30", "--format", "json"))
    assert {a["severity"] for a in everything} <= {"info"}
    # the next long run, as usual, and the week after it: nothing found, exit 0
    sunday = LAST + timedelta(days=1)
    for args in (["--run", "12"], ["--week", "33"], []):
        result = lw(db, "check", "-a", "Ada", "--on", str(sunday), *args)
        assert result.exit_code == 0, (args, result.output)
    state = as_json(lw(db, "status", "-a", "Ada", "--as-of", str(LAST), "--format", "json"))
    assert state[0]["worst_alert"] is None


def test_one_run_fifty_percent_longer_is_one_spike_caution(env: Path) -> None:
    db = str(env / "lw.db")
    runs = steady()
    long_day = START + timedelta(days=7 * 30)  # a Sunday mid-year: 18 km instead of 12
    runs[long_day] = 18.0
    add_runs(db, "Ada", runs)
    found = cautions(db, "Ada")
    assert [(a["date"], a["rule"], a["severity"]) for a in found] == [
        (str(long_day), "spike", "caution")
    ]
    assert found[0]["value"] == pytest.approx(50.0)
    assert found[0]["threshold"] == 10.0
    assert found[0]["evidence"] == "frandsen2025"
    # the week holds 39 km against 33 km (+18%): a ramp at most info
    info = as_json(lw(db, "alerts", "-a", "Ada", "--since", str(long_day), "--until",
                      str(long_day), "--format", "json"))  # fmt: skip
    ramps = [a for a in info if a["rule"] == "ramp"]
    assert [(a["severity"], round(a["value"], 2)) for a in ramps] == [
        ("info", round(100 * 6 / 33, 2))
    ]


@pytest.mark.parametrize(("extra_km", "pct"), [(33 * 0.35, 35.0), (33 * 0.20, 20.0)])
def test_a_bigger_calendar_week(env: Path, extra_km: float, pct: float) -> None:
    # one more run, on the Wednesday of a Monday-to-Sunday week, shorter than the 12 km
    # long run (no spike): that calendar week holds 33 + extra km against 33 km
    db = str(env / "lw.db")
    runs = steady()
    monday = START + timedelta(days=7 * 30 + 1)
    wednesday = monday + timedelta(days=2)
    runs[wednesday] = extra_km
    add_runs(db, "Ada", runs)
    # the calendar week's ramp, by hand from the runs of the two weeks
    week = sum(km for d, km in runs.items() if monday <= d <= monday + timedelta(days=6))
    before = sum(km for d, km in runs.items() if monday - timedelta(days=7) <= d < monday)
    assert 100 * (week - before) / before == pytest.approx(pct)
    found = cautions(db, "Ada")
    if pct > 30:
        # every rolling 7 days holding the Wednesday run (Wed .. the Tuesday after) is a
        # caution at +35%; nothing else
        assert [a["date"] for a in found] == [str(wednesday + timedelta(days=k)) for k in range(7)]
        assert {(a["rule"], a["severity"]) for a in found} == {("ramp", "caution")}
        assert [a["value"] for a in found] == pytest.approx([pct] * 7)
        assert {a["evidence"] for a in found} == {"nielsen2014"}
        folded = as_json(
            lw(db, "alerts", "-a", "Ada", "--until", "2026-06-30", "--min-severity", "caution",
               "--episodes", "--format", "json")
        )  # fmt: skip
        assert [(e["first_date"], e["last_date"], e["rule"]) for e in folded] == [
            (str(wednesday), str(wednesday + timedelta(days=6)), "ramp")
        ]
        assert lw(db, "status", "-a", "Ada", "--as-of", str(wednesday)).exit_code == 0
        state = as_json(
            lw(db, "status", "-a", "Ada", "--as-of", str(wednesday), "--format", "json")
        )[0]
        assert state["worst_alert"] == {
            "rule": "ramp",
            "severity": "caution",
            "date": str(wednesday),
        }
    else:
        assert found == []
        near = as_json(lw(db, "alerts", "-a", "Ada", "--since", str(monday), "--until",
                          str(monday + timedelta(days=13)), "--format", "json"))  # fmt: skip
        ramps = [a for a in near if a["rule"] == "ramp"]
        assert ramps and {a["severity"] for a in ramps} == {"info"}
        assert {a["evidence"] for a in ramps} == {"buist2008"}
        assert max(a["value"] for a in ramps) == pytest.approx(pct)


def test_first_run_after_a_break(env: Path) -> None:
    # the steady year, then 60 days without a run: a 30 km first run back
    db = str(env / "lw.db")
    add_runs(db, "Ada", steady())
    on = LAST + timedelta(days=61)
    text = lw(db, "check", "-a", "Ada", "--on", str(on), "--run", "30")
    assert text.exit_code == 0, text.output
    assert "HIGH" not in text.output and "CAUTION" not in text.output
    assert f"Run on {on}: none" in text.output
    data = json.loads(lw(db, "check", "-a", "Ada", "--on", str(on), "--run", "30",
                         "--format", "json").stdout)  # fmt: skip
    assert data["found"] is False
    # the coupled ratio is (30 / 7) / (30 / 28) = 4.0 that day: shown as info, exit status 0
    acwr = [a for a in data["alerts"] if a["rule"] == "acwr" and a["date"] == str(on)]
    assert [(a["severity"], a["value"]) for a in acwr] == [("info", 4.0)]
    assert {a["severity"] for a in data["alerts"]} <= {"info"}
    assert "spike" not in {a["rule"] for a in data["alerts"]}
    run = data["ceiling"]["run"]
    assert (run["km"], run["status"], run["binding_rule"]) == (None, "none", None)
    assert "break" in run["why"]
    # the last 10 runs: 8, 7, then two blocks of 12, 6, 8, 7: median (7 + 8) / 2
    assert run["usual_run_km"] == 7.5
    assert "first run after a break" in run["message"]
    assert "consider starting below your usual run (7.5 km)" in run["message"]
    week = data["ceiling"]["week"]
    assert (week["km"], week["status"], week["usual_run_km"]) == (None, "none", 7.5)
    # in miles the suggestion is in miles
    miles = lw(db, "check", "-a", "Ada", "--on", str(on), "--run", "18", "--units", "mi")
    assert f"usual run ({7.5 / KM_PER_MI:.1f} mi)" in miles.output
    assert " km" not in miles.output


def ewma_ratio(load: list[float]) -> float:
    """Acute / chronic EWMA (lambda 2/8, 2/29) on the last day, seeded with the first day."""
    acute = chronic = load[0]
    for x in load[1:]:
        acute = 0.25 * x + 0.75 * acute
        chronic = (2 / 29) * x + (27 / 29) * chronic
    return acute / chronic


def test_gabbett_profile_makes_acwr_caution_high_and_binding(env: Path) -> None:
    db = str(env / "lw.db")
    # the steady year, then three weeks of the Sunday long run only
    runs = steady()
    taper = {LAST + timedelta(days=1 + 7 * w): 12.0 for w in range(3)}
    add_runs(db, "Ada", runs | taper)
    on = LAST + timedelta(days=22)  # the Sunday after
    series = daily_km(runs | taper, on - timedelta(days=1)).tolist()

    # default policy: the spike binds at 1.1 x 12 = 13.2 km, ACWR is info only
    default = json.loads(lw(db, "check", "-a", "Ada", "--on", str(on), "--run", "40",
                            "--format", "json").stdout)  # fmt: skip
    assert (default["ceiling"]["run"]["km"], default["ceiling"]["run"]["binding_rule"]) == (
        13.2,
        "spike",
    )
    acwr_default = {a["severity"] for a in default["alerts"] if a["rule"].startswith("acwr")}
    assert acwr_default <= {"info"}

    (env / "config.toml").write_text('[thresholds]\nacwr_profile = "gabbett2016"\n')
    # the EWMA ratio of a run x that Sunday passes 1.3 below 13.2 km: it binds the ceiling
    lo, hi = 0.0, 13.2
    assert ewma_ratio([*series, hi]) > 1.3
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if ewma_ratio([*series, mid]) <= 1.3 else (lo, mid)
    data = json.loads(lw(db, "check", "-a", "Ada", "--on", str(on), "--run", "40",
                         "--format", "json").stdout)  # fmt: skip
    run = data["ceiling"]["run"]
    assert run["binding_rule"] == "acwr_ewma" and run["status"] == "binds"
    assert run["km"] == pytest.approx(int(lo * 100) / 100, abs=0.011)
    # 40 km: the 28 days hold Tue..Fri of the last steady week (21 km), the three Sundays
    # (36 km) and the run: coupled 4 x 40 / 97 = 1.65; it and the EWMA ratio are high (> 1.5)
    on_day = {a["rule"]: a for a in data["alerts"] if a["date"] == str(on)}
    assert on_day["acwr"]["severity"] == "high"
    assert on_day["acwr"]["value"] == pytest.approx(4 * 40 / (21 + 36 + 40), abs=1e-4)
    assert on_day["acwr_ewma"]["severity"] == "high"
    assert on_day["acwr_ewma"]["value"] == pytest.approx(ewma_ratio([*series, 40.0]), abs=1e-4)
    # 13 km: the EWMA ratio between 1.3 and 1.5 is a caution, and check exits 3 on it alone
    x = 13.0
    assert 1.3 < ewma_ratio([*series, x]) < 1.5
    result = lw(db, "check", "-a", "Ada", "--on", str(on), "--run", str(x), "--format", "json")
    assert result.exit_code == 3
    found = [(a["rule"], a["severity"]) for a in json.loads(result.stdout)["alerts"]
             if a["severity"] != "info"]  # fmt: skip
    assert found == [("acwr_ewma", "caution")]
    text = lw(db, "check", "-a", "Ada", "--on", str(on), "--run", str(x))
    assert "no spike, ramp, acwr, acwr_ewma alert at caution or above" in text.output


# ------------------------------------------- one truth for every athlete
SHAPES: dict[str, dict[date, float]] = {
    # steady 33 km weeks
    "Ada Steady": steady(12),
    # steady, then a jump: a 20 km long run and an extra 10 km on Wednesday
    "Ben Jumps": steady(10)
    | {START + timedelta(days=70): 20.0, START + timedelta(days=73): 10.0}
    | {START + timedelta(days=70 + i): km for i, km in enumerate(BLOCK) if km and i},
    # runs that ended long ago
    "Dan Long Ago": steady(6, start=date(2023, 1, 1)),
    # "Cat Pain" has no runs, only pain scores
}
AS_OF = (
    START + timedelta(days=73),  # Ben's jump week, mid-week
    START + timedelta(days=76),  # the day after Ben's jump week
    START + timedelta(days=100),  # weeks later
)


@pytest.fixture
def team(env: Path) -> Iterator[str]:
    db = str(env / "team.db")
    for name, runs in SHAPES.items():
        add_runs(db, name, runs)
    service = Service(Store.open(db))
    service.add_athlete("Cat Pain")
    for k, score in enumerate((1, 2, 6)):
        service.add_pain("Cat Pain", START + timedelta(days=60 + k), score)
    service.add_pain("Ben Jumps", START + timedelta(days=72), 7)
    yield db


def test_coach_row_status_and_daily_metrics_agree(team: str) -> None:
    from dashboards.data import DashboardData

    url = f"sqlite:///{team}"
    names = [*SHAPES, "Cat Pain"]
    for as_of in AS_OF:
        coach = {r["athlete"]: r for r in DashboardData(url).coach_rows(as_of=as_of)}
        assert set(coach) == set(names)
        status_all = as_json(lw(team, "status", "--all", "--as-of", str(as_of), "--format", "json"))
        assert [s["athlete"] for s in status_all] == [
            r["athlete"] for r in DashboardData(url).coach_rows(as_of=as_of)
        ]
        for name in names:
            (state,) = as_json(
                lw(team, "status", "-a", name, "--as-of", str(as_of), "--format", "json")
            )
            expected = reference(SHAPES.get(name, {}), as_of)
            row = coach[name]
            assert state["as_of"] == row["as_of"] == str(as_of)
            for key in ("last_7d_km", "prev_7d_km", "ramp_pct", "acwr"):
                want = expected[key]
                if want is None:
                    assert state[key] is None and row[key] is None, (name, as_of, key)
                    continue
                assert state[key] == pytest.approx(want, abs=1e-4), (name, as_of, key)
                # the coach grid shows the ramp to 1% and the ratio to 0.01
                shown = {"ramp_pct": 0.5, "acwr": 0.005}.get(key, 1e-4)
                assert row[key] == pytest.approx(want, abs=shown), (name, as_of, key)
            assert state == next(s for s in status_all if s["athlete"] == name)
            # the grid may show the worst alert whole or as its severity ("none" without)
            worst = state["worst_alert"]
            assert row["worst_alert"] in (worst, worst["severity"] if worst else "none")
            assert state["attention_rank"] == row["attention_rank"]
    # spot checks by hand: Ben's jump week on the Wednesday (day 73) holds Mon..Wed of the
    # jump (20, -, 6, 10 from Sunday) plus Thu..Sat before (8, 7): 51 km against 33 km
    ben = reference(SHAPES["Ben Jumps"], AS_OF[0])
    assert (ben["last_7d_km"], ben["prev_7d_km"]) == (51.0, 33.0)
    # Cat: no runs; Dan: weeks of zeros (ramp and ratio undefined)
    assert reference(SHAPES["Dan Long Ago"], AS_OF[2])["last_7d_km"] == 0.0


def test_status_json_keys_and_nulls(team: str) -> None:
    keys = [
        "athlete", "as_of", "last_run_date", "last_7d_km", "prev_7d_km", "ramp_pct", "acwr",
        "acwr_ewma", "latest_spike_date", "latest_spike_pct", "latest_pain_date",
        "latest_pain", "worst_alert", "attention_rank",
    ]  # fmt: skip
    states = as_json(lw(team, "status", "--all", "--as-of", str(AS_OF[1]), "--format", "json"))
    assert len(states) == 4
    for state in states:
        assert list(state) == keys
    by = {s["athlete"]: s for s in states}
    cat = by["Cat Pain"]
    assert (cat["last_run_date"], cat["last_7d_km"], cat["acwr"]) == (None, None, None)
    assert (cat["latest_pain"], cat["latest_pain_date"]) == (6, str(START + timedelta(days=62)))
    ben = by["Ben Jumps"]
    # 20 km against the 12 km long runs: +66.7%
    assert ben["latest_spike_date"] == str(START + timedelta(days=70))
    assert ben["latest_spike_pct"] == pytest.approx(100 * (20 / 12 - 1), abs=1e-3)
    assert set(ben["worst_alert"]) == {"rule", "severity", "date"}
    assert ben["worst_alert"]["severity"] in ("caution", "high")
    assert ben["attention_rank"] == 1
    assert by["Ada Steady"]["worst_alert"] is None
    assert sorted(s["attention_rank"] for s in states) == [1, 2, 3, 4]


def test_alerts_json_keys(team: str) -> None:
    keys = ["date", "rule", "severity", "value", "threshold", "evidence", "message"]
    args = ["alerts", "-a", "Ben Jumps", "--until", str(AS_OF[2]), "--format", "json"]
    alerts = as_json(lw(team, *args))
    assert alerts and all(list(a) == keys for a in alerts)
    episodes = as_json(lw(team, *args, "--episodes"))
    assert episodes and all(
        sorted(e) == sorted(["first_date", "last_date", *keys]) for e in episodes
    )
    assert all(e["first_date"] <= e["date"] <= e["last_date"] for e in episodes)
    assert len(episodes) < len(alerts)
    serious = as_json(lw(team, *args, "--min-severity", "caution"))
    assert serious == [a for a in alerts if a["severity"] in ("caution", "high")]
    since = str(START + timedelta(days=72))
    assert as_json(lw(team, *args, "--since", since)) == [a for a in alerts if a["date"] >= since]
    for fmt in ("table", "csv"):
        assert lw(team, *args[:-2], "--format", fmt).exit_code == 0


# ------------------------------------------------------ miles in every message
def expected_distances(runs: dict[date, float], alert: dict[str, Any]) -> list[str]:
    """The distances an alert's sentence must show, in miles, from the hand-built runs."""
    day = date.fromisoformat(alert["date"])
    s = daily_km(runs, day)

    def mi(km: float) -> str:
        return f"{km / KM_PER_MI:.1f} mi"

    rule = alert["rule"]
    if rule == "spike":
        before = [km for d, km in runs.items() if day - timedelta(days=30) <= d < day]
        return [mi(runs[day]), mi(max(before))]
    if rule == "ramp":
        return [mi(s.iloc[-7:].sum()), mi(s.iloc[-14:-7].sum())]
    if rule == "monotony":
        return [mi(s.iloc[-7:].sum())]
    if rule in ("acwr", "acwr_low"):
        return [mi(s.iloc[-7:].mean()) + "/day", mi(s.iloc[-28:].mean()) + "/day"]
    if rule == "acwr_ewma":
        return []  # per-day EWMAs: checked for the unit only
    return []  # pain: no distances


def test_every_distance_in_an_alert_is_in_miles(team: str) -> None:
    service = Service(Store.open(team))
    checked = 0
    for name, runs in SHAPES.items():
        cli_alerts = as_json(lw(team, "alerts", "-a", name, "--until", str(AS_OF[2]),
                                "--units", "mi", "--format", "json"))  # fmt: skip
        facts = service.alerts(name, until=AS_OF[2])
        assert len(facts) == len(cli_alerts)
        for row, fact in zip(cli_alerts, facts, strict=True):
            assert (row["date"], row["rule"]) == (fact.date.isoformat(), fact.rule)
            coach = alert_sentence(fact, unit="mi", who=name)
            for message in (row["message"], coach):
                assert " km" not in message, message
                for distance in expected_distances(runs, row):
                    assert distance in message, (distance, message)
                    checked += 1
                # every number with a unit is in miles
                assert all(u == "mi" for u in re.findall(r"\d (km|mi)\b", message)), message
            assert coach.startswith(f"{name}'s") or coach.startswith(f"{name} logged")
    assert checked > 20
    # the coach table's reasons too
    for row in Service(Store.open(team)).coach_rows(as_of=AS_OF[0], unit="mi"):
        assert " km" not in row["reason"]


def test_default_unit_from_the_config_file_and_the_environment(
    team: str, env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ["status", "-a", "Ben Jumps", "--as-of", str(AS_OF[0])]
    # Ben's 7 days to the Wednesday of the jump: 51 km (worked out above)
    in_km, in_mi = "51.0 km", f"{51 / KM_PER_MI:.1f} mi"
    assert in_km in lw(team, *args, "--format", "csv").output
    (env / "config.toml").write_text('units = "mi"\n')
    csv_mi = lw(team, *args, "--format", "csv").output
    assert in_mi in csv_mi and " km" not in csv_mi
    assert in_km in lw(team, *args, "--format", "csv", "--units", "km").output
    # JSON numbers stay in km whatever the unit
    assert as_json(lw(team, *args, "--format", "json"))[0]["last_7d_km"] == 51.0
    monkeypatch.setenv("LOADWATCH_UNITS", "km")  # the environment beats the config file
    assert in_km in lw(team, *args, "--format", "csv").output
    monkeypatch.setenv("LOADWATCH_UNITS", "mi")
    messages = as_json(lw(team, "alerts", "-a", "Ben Jumps", "--format", "json"))
    assert messages and not any(" km" in m["message"] for m in messages)
    monkeypatch.setenv("LOADWATCH_UNITS", "yards")
    bad = lw(team, *args)
    assert bad.exit_code == 2 and "LOADWATCH_UNITS must be km or mi" in bad.stderr
