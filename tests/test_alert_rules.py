"""Alert rules: each fires just above its threshold and not at or below it, per severity.

Inputs are hand-made metric, spike and pain frames (so the expected alerts
come from science.md's table, not from the metrics code), plus a few
end-to-end runs through ``evaluate`` with distances chosen by hand.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from loadwatch.alerts.config import (
    ConfigError,
    Thresholds,
    effective_thresholds,
    read_config,
    thresholds_for,
)
from loadwatch.alerts.evidence import EVIDENCE
from loadwatch.alerts.rules import (
    ALERT_COLUMNS,
    RULES,
    Alert,
    alerts_frame,
    evaluate,
    metric_alerts,
    pain_alerts,
    spike_alerts,
    spike_message,
    summarise,
)

T = Thresholds()
DAY0 = date(2026, 3, 2)
METRIC_COLS = (
    "week_load",
    "prev_week_load",
    "ramp_pct",
    "acute_7d",
    "chronic_28d",
    "acwr",
    "acute_ewma",
    "chronic_ewma",
    "acwr_ewma",
    "monotony",
)


def metrics_frame(**columns: list[float]) -> pd.DataFrame:
    """A daily metrics frame with the given columns, every other column NaN."""
    n = len(next(iter(columns.values())))
    index = pd.date_range(DAY0, periods=n, freq="D", name="date")
    data = {c: columns.get(c, [np.nan] * n) for c in METRIC_COLS}
    return pd.DataFrame(data, index=index)


def severities(alerts: list[Alert], rule: str, n: int) -> list[str | None]:
    """The severity of ``rule`` on each of the n days from DAY0 (None: no alert)."""
    out: list[str | None] = [None] * n
    for a in alerts:
        if a.rule == rule:
            out[(a.date - DAY0).days] = a.severity
    return out


# ---------------------------------------------------------------- load rules
@pytest.mark.parametrize(
    ("rule", "column", "caution", "high"),
    [
        ("ramp", "ramp_pct", 10.0, 30.0),
        ("acwr", "acwr", 1.3, 1.5),
        ("acwr_ewma", "acwr_ewma", 1.3, 1.5),
        ("monotony", "monotony", 1.5, 2.0),
    ],
)
def test_load_rule_is_strict_at_both_levels(
    rule: str, column: str, caution: float, high: float
) -> None:
    values = [caution - 0.001, caution, caution + 0.001, high, high + 0.001, np.nan]
    extra: dict[str, list[float]] = {}
    if rule == "ramp":
        extra["prev_week_load"] = [20.0] * len(values)
        extra["week_load"] = [20.0 * (1 + v / 100) for v in values]
    frame = metrics_frame(**{column: values}, **extra)
    alerts = metric_alerts(frame, T, athlete="a")
    assert severities(alerts, rule, len(values)) == [
        None,
        None,
        "caution",
        "caution",
        "high",
        None,
    ]
    fired = [a for a in alerts if a.rule == rule]
    assert [a.threshold for a in fired] == [caution, caution, high]
    assert fired[0].value == pytest.approx(caution + 0.001)


def test_ramp_needs_the_minimum_base() -> None:
    frame = metrics_frame(
        ramp_pct=[50.0, 50.0, 50.0],
        prev_week_load=[9.99, 10.0, np.nan],
        week_load=[14.985, 15.0, 15.0],
    )
    alerts = metric_alerts(frame, T, athlete="a")
    assert severities(alerts, "ramp", 3) == [None, "high", None]


def test_ramp_evidence_depends_on_severity() -> None:
    frame = metrics_frame(ramp_pct=[20.0, 40.0], prev_week_load=[20.0, 20.0], week_load=[24, 28])
    alerts = metric_alerts(frame, T, athlete="a")
    assert [(a.severity, a.evidence) for a in alerts] == [
        ("caution", "buist2008"),
        ("high", "nielsen2014"),
    ]
    assert alerts[0].message.startswith(
        "Your 7 days to 2026-03-02 add up to 24.0 km against 20.0 km in the 7 days before: "
        "a 20% increase."
    )


def test_acwr_low_is_info_below_threshold_only() -> None:
    frame = metrics_frame(acwr=[0.79, 0.8, 0.81, np.nan], acute_7d=[1.0] * 4, chronic_28d=[1.0] * 4)
    alerts = metric_alerts(frame, T, athlete="a")
    assert severities(alerts, "acwr_low", 4) == ["info", None, None, None]
    assert all(a.rule == "acwr_low" for a in alerts)


def test_planned_flag_follows_planned_km_in_the_week() -> None:
    values = [40.0] * 10
    frame = metrics_frame(ramp_pct=values, prev_week_load=[20.0] * 10, week_load=[28.0] * 10)
    plan = pd.Series([5.0], index=pd.DatetimeIndex([pd.Timestamp(DAY0 + timedelta(days=2))]))
    alerts = metric_alerts(frame, T, athlete="a", planned_load=plan)
    # planned km on day 2 sits in the 7-day windows of days 2..8
    assert [a.planned for a in alerts] == [False, False] + [True] * 7 + [False]


def test_custom_thresholds_are_used() -> None:
    custom = Thresholds(acwr_caution=1.1, acwr_high=1.2)
    frame = metrics_frame(acwr=[1.15, 1.25], acute_7d=[1.0, 1.0], chronic_28d=[1.0, 1.0])
    assert severities(metric_alerts(frame, custom, athlete="a"), "acwr", 2) == ["caution", "high"]


# --------------------------------------------------------------------- spikes
def spikes_frame(pct: list[float], longest: float = 10.0) -> pd.DataFrame:
    n = len(pct)
    return pd.DataFrame(
        {
            "id": list(range(1, n + 1)),
            "athlete": ["a"] * n,
            "local_date": pd.date_range(DAY0, periods=n, freq="D"),
            "distance_km": [longest * (1 + p / 100) for p in pct],
            "longest_30d_km": [longest] * n,
            "spike_pct": pct,
        }
    )


def test_spike_is_strict_at_both_levels() -> None:
    pct = [9.0, 10.0, 10.001, 100.0, 100.001, np.nan]
    alerts = spike_alerts(spikes_frame(pct), T, athlete="a", planned_ids=[5])
    assert severities(alerts, "spike", len(pct)) == [None, None, "caution", "caution", "high", None]
    assert [a.planned for a in alerts] == [False, False, True]
    assert {a.evidence for a in alerts} == {"frandsen2025"}


def test_spike_message_matches_the_study_wording() -> None:
    assert spike_message(18.0, 12.0, 50.0, False) == (
        "Your longest run in the 30 days before was 12.0 km; this 18.0 km run is 50% longer. "
        "In a study of 5,205 runners, single-run spikes of more than 30% and up to 100% were "
        "associated with a 1.52x higher injury rate (frandsen2025)."
    )
    assert "1.64x" in spike_message(12.0, 10.0, 20.0, True)
    assert "this planned 12.0 km run would be 20% longer" in spike_message(12.0, 10.0, 20.0, True)
    assert "2.28x" in spike_message(25.0, 10.0, 150.0, False)


def runs(km_by_day: dict[int, float], athlete: str = "a") -> pd.DataFrame:
    """One run per listed day (offset from DAY0) at 07:00 UTC."""
    rows = []
    for i, (day, km) in enumerate(sorted(km_by_day.items())):
        d = DAY0 + timedelta(days=day)
        rows.append(
            {
                "id": i + 1,
                "athlete": athlete,
                "sport": "running",
                "sub_sport": None,
                "start_utc": datetime(d.year, d.month, d.day, 7, tzinfo=UTC),
                "utc_offset_s": 0,
                "local_date": d,
                "distance_m": km * 1000.0,
                "timer_s": km * 360.0,
                "elapsed_s": km * 360.0,
            }
        )
    frame = pd.DataFrame(rows)
    frame["start_utc"] = pd.to_datetime(frame["start_utc"], utc=True)
    return frame


@pytest.mark.parametrize(
    ("km", "expected"),
    [(8.8, None), (8.81, "caution"), (16.0, "caution"), (16.01, "high")],
)
def test_spike_end_to_end(km: float, expected: str | None) -> None:
    # 8 km runs every 3 days; the last one is the test run (longest before: 8 km)
    history = {d: 8.0 for d in range(0, 27, 3)}
    history[27] = km
    alerts = [a for a in evaluate(runs(history), None, T, athlete="a") if a.rule == "spike"]
    assert [a.severity for a in alerts] == ([] if expected is None else [expected])


def test_ramp_end_to_end_with_min_base() -> None:
    # 5 km a day for 14 days, then 6 km a day: the rolling ramp climbs by 1 km/7 days a day
    history = {d: 5.0 for d in range(14)} | {d: 6.0 for d in range(14, 21)}
    alerts = [a for a in evaluate(runs(history), None, T, athlete="a") if a.rule == "ramp"]
    # days 14..20: week = 35 + (k+1) against prev 35; ramp = 100 (k+1) / 35 > 10 from k = 3
    assert [(a.date - DAY0).days for a in alerts] == [17, 18, 19, 20]
    assert alerts[0].value == pytest.approx(400 / 35)
    # the same shape on a 1.2 km/day base (8.4 km a week, under 10 km) is not raised
    small = {d: 1.2 for d in range(14)} | {d: 1.6 for d in range(14, 21)}
    assert not [a for a in evaluate(runs(small), None, T, athlete="a") if a.rule == "ramp"]


def test_only_the_named_athlete_is_evaluated() -> None:
    both = pd.concat([runs({0: 8.0, 3: 20.0}, "a"), runs({0: 8.0, 3: 8.0}, "b")])
    assert [a.athlete for a in evaluate(both, None, T, athlete="b")] == []
    assert [a.rule for a in evaluate(both, None, T, athlete="a")] == ["spike"]


# ----------------------------------------------------------------------- pain
def pain(scores: dict[int, int]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "date": [pd.Timestamp(DAY0 + timedelta(days=d)) for d in scores],
            "score": list(scores.values()),
        }
    )


@pytest.mark.parametrize(
    ("score", "expected"), [(4, None), (5, "caution"), (6, "caution"), (7, "high"), (10, "high")]
)
def test_pain_absolute_levels_fire_at_threshold(score: int, expected: str | None) -> None:
    alerts = pain_alerts(pain({20: score}), None, T, athlete="a")
    assert [a.severity for a in alerts] == ([] if expected is None else [expected])


def test_pain_rise_over_the_14_day_median() -> None:
    base = {d: 1 for d in range(6, 20)}  # days 6..19, median 1
    assert pain_alerts(pain(base | {20: 2}), None, T, athlete="a") == []
    (alert,) = pain_alerts(pain(base | {20: 3}), None, T, athlete="a")
    assert (alert.severity, alert.value, alert.threshold) == ("caution", 3.0, 3.0)
    assert "2 points above your 14-day median of 1" in alert.message
    assert alert.evidence == "farrar2001"


def test_pain_median_window_is_the_14_days_before() -> None:
    # a score on day 6 is 14 days before day 20 and counts; day 5 is 15 days before and does not
    assert len(pain_alerts(pain({6: 0, 20: 2}), None, T, athlete="a")) == 1
    assert pain_alerts(pain({5: 0, 20: 2}), None, T, athlete="a") == []


def test_pain_worst_score_of_the_day_counts() -> None:
    frame = pd.concat([pain({20: 2}), pain({20: 5})], ignore_index=True)
    (alert,) = pain_alerts(frame, None, T, athlete="a")
    assert alert.value == 5.0


@pytest.mark.parametrize(("gap", "expected"), [(0, "high"), (3, "high"), (4, "caution")])
def test_pain_flare_after_a_spike_is_high(gap: int, expected: str) -> None:
    spikes = spikes_frame([20.0])  # a 20% spike on DAY0
    alerts = pain_alerts(pain({gap: 5}), spikes, T, athlete="a")
    assert [a.severity for a in alerts] == [expected]
    if expected == "high":
        assert "longer than your longest of the previous 30 days" in alerts[0].message


def test_pain_after_a_non_spike_or_without_flare_stays_put() -> None:
    at_threshold = spikes_frame([10.0])  # exactly 10%: not a spike
    assert [a.severity for a in pain_alerts(pain({1: 5}), at_threshold, T, athlete="a")] == [
        "caution"
    ]
    # a score that is no flare is not raised, spike or not
    assert pain_alerts(pain({1: 3}), spikes_frame([50.0]), T, athlete="a") == []


# ---------------------------------------------------------- evidence, output
def test_every_alert_names_known_evidence_and_no_diagnosis() -> None:
    history = {d: 5.0 for d in range(0, 28)} | {28: 20.0, 29: 15.0, 30: 15.0}
    alerts = evaluate(runs(history), pain({29: 8, 10: 1}), T, athlete="a")
    assert {a.rule for a in alerts} >= {"spike", "ramp", "acwr", "pain_flare"}
    for a in alerts:
        assert a.evidence in EVIDENCE
        assert f"({a.evidence}" in a.message or f"{a.evidence})" in a.message
        lowered = a.message.lower()
        assert "you will" not in lowered and "you are injured" not in lowered
    row = alerts[0].as_dict()
    assert set(row) == set(ALERT_COLUMNS)
    assert list(alerts_frame(alerts).columns) == list(ALERT_COLUMNS)


def test_summarise_folds_consecutive_days() -> None:
    frame = metrics_frame(
        ramp_pct=[15.0, 35.0, 15.0, np.nan, np.nan, 12.0],
        prev_week_load=[20.0] * 6,
        week_load=[23.0, 27.0, 23.0, 20.0, 20.0, 22.4],
    )
    episodes = summarise(metric_alerts(frame, T, athlete="a"))
    assert episodes[["first_date", "last_date", "days", "severity"]].values.tolist() == [
        [DAY0, DAY0 + timedelta(days=2), 3, "high"],
        [DAY0 + timedelta(days=5), DAY0 + timedelta(days=5), 1, "caution"],
    ]
    assert episodes["value"].tolist() == [35.0, 12.0]
    assert summarise([]).empty


RANK = {"info": 1, "caution": 2, "high": 3}


def random_history(seed: int, years: int = 3) -> list[Alert]:
    """Alerts of every rule over ``years``: streaks, gaps, tied values, several spikes a day."""
    rng = np.random.default_rng(seed)
    alerts = []
    for rule in RULES:
        on = False
        for d in range(round(365.25 * years)):
            on = rng.random() < (0.8 if on else 0.15)  # streaks of consecutive days
            if not on:
                continue
            for k in range(int(rng.integers(1, 3)) if rule == "spike" else 1):
                severity = "info" if rule == "acwr_low" else str(rng.choice(["caution", "high"]))
                alerts.append(
                    Alert(
                        DAY0 + timedelta(days=d),
                        "a",
                        rule,
                        severity,
                        float(rng.choice([0.5, 1.4, 1.6, 20.0])),  # few values: ties
                        1.0,
                        bool(rng.random() < 0.1),
                        f"{rule} day {d} #{k}",
                        "frandsen2025",
                    )
                )
    order = rng.permutation(len(alerts))  # summarise must not rely on the input order
    return [alerts[i] for i in order]


def reference_episodes(alerts: list[Alert], gap_days: int) -> list[tuple[object, ...]]:
    """summarise's contract written plainly: one pass per rule, then sort the episodes."""
    episodes = []
    for rule in set(a.rule for a in alerts):
        mine = sorted((a for a in alerts if a.rule == rule), key=lambda a: a.date)
        groups: list[list[Alert]] = []
        for a in mine:
            if groups and (a.date - groups[-1][-1].date).days <= gap_days:
                groups[-1].append(a)
            else:
                groups.append([a])
        for g in groups:
            sign = -1.0 if rule == "acwr_low" else 1.0
            # peak: most serious, then most extreme value, then latest, then last given
            peak = g[
                max(
                    range(len(g)),
                    key=lambda k: (RANK[g[k].severity], sign * g[k].value, g[k].date, k),
                )
            ]
            episodes.append(
                (
                    rule,
                    g[0].date,
                    g[-1].date,
                    len({a.date for a in g}),
                    peak.severity,
                    peak.value,
                    peak.threshold,
                    any(a.planned for a in g),
                    peak.message,
                    peak.evidence,
                )
            )
    rule_order = {r: i for i, r in enumerate(RULES)}
    episodes.sort(key=lambda e: (e[1], -RANK[str(e[4])], rule_order[str(e[0])]))
    return episodes


@pytest.mark.parametrize(("seed", "gap_days"), [(1, 1), (2, 1), (3, 3)])
def test_summarise_matches_a_plain_reference_over_years(seed: int, gap_days: int) -> None:
    alerts = random_history(seed)
    expected = reference_episodes(alerts, gap_days)
    assert len(expected) > 300
    assert len({e[1] for e in expected}) < len(expected)  # ties on first day are sorted too
    got = summarise(alerts, gap_days=gap_days)
    assert [tuple(row) for row in got.itertuples(index=False)] == expected
    pd.testing.assert_frame_equal(summarise(alerts_frame(alerts), gap_days=gap_days), got)


# --------------------------------------------------------------------- config
def test_defaults_are_science_md() -> None:
    eff = effective_thresholds(config=None, path=Path("/nonexistent/loadwatch.toml"))
    t = eff.thresholds
    assert (t.spike_caution_pct, t.spike_high_pct) == (10, 100)
    assert (t.ramp_caution_pct, t.ramp_high_pct, t.ramp_min_base_km) == (10, 30, 10)
    assert (t.acwr_caution, t.acwr_high, t.acwr_low) == (1.3, 1.5, 0.8)
    assert (t.monotony_caution, t.monotony_high) == (1.5, 2.0)
    assert (t.pain_rise_points, t.pain_caution_score, t.pain_high_score) == (2, 5, 7)
    assert (t.pain_median_days, t.pain_after_spike_days) == (14, 3)
    assert set(eff.sources.values()) == {"default"}
    assert eff.file_exists is False


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_global_and_athlete_values_and_sources(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "[thresholds]\nramp_caution_pct = 15\nacwr_caution = 1.25\n\n"
        '[athletes."Sam Jumps".thresholds]\nramp_caution_pct = 20\npain_caution_score = 6\n',
    )
    sam = effective_thresholds("Sam Jumps", path=path)
    assert sam.thresholds.ramp_caution_pct == 20.0
    assert sam.thresholds.acwr_caution == 1.25
    assert sam.thresholds.pain_caution_score == 6
    assert sam.sources["ramp_caution_pct"] == "athlete Sam Jumps"
    assert sam.sources["acwr_caution"] == "config file"
    assert sam.sources["spike_caution_pct"] == "default"
    other = effective_thresholds("Alex", path=path)
    assert other.thresholds.ramp_caution_pct == 15.0
    assert other.sources["ramp_caution_pct"] == "config file"


def test_env_var_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "[thresholds]\nmonotony_caution = 1.7\n")
    monkeypatch.setenv("LOADWATCH_CONFIG", str(path))
    assert thresholds_for("anyone").monotony_caution == 1.7


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("[thresholds]\nramp_cuation_pct = 15\n", "unknown key 'ramp_cuation_pct'"),
        ("[threshold]\nramp_caution_pct = 15\n", "unknown key 'threshold'"),
        ('[athletes."Sam".thresholds]\nspikes = 1\n', "unknown key 'spikes'"),
        ('[athletes."Sam"]\ncolour = "red"\n', "unknown key 'colour'"),
        ("[thresholds]\nramp_caution_pct = 'ten'\n", "ramp_caution_pct must be a number"),
        ("[thresholds]\nramp_caution_pct = true\n", "ramp_caution_pct must be a number"),
        ("[thresholds]\npain_caution_score = 4.5\n", "must be a whole number"),
        ("[thresholds]\nacwr_caution = -1\n", "must be a finite number >= 0"),
        ("[thresholds\n", "not valid TOML"),
    ],
)
def test_bad_config_is_a_clear_error(tmp_path: Path, text: str, needle: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match=needle.replace("(", r"\(").replace(")", r"\)")):
        effective_thresholds("Sam", path=path)


def test_caution_must_stay_below_high(tmp_path: Path) -> None:
    path = write(tmp_path, '[athletes."Sam".thresholds]\nspike_caution_pct = 150\n')
    assert read_config(path).athletes == {"Sam": {"spike_caution_pct": 150.0}}
    with pytest.raises(ConfigError, match=r"spike_caution_pct \(150.0, from athlete Sam\)"):
        effective_thresholds("Sam", path=path)
