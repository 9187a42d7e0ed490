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
    summarise,
)
from loadwatch.service.render import alert_sentence, rule_evidence

T = Thresholds()
GABBETT = Thresholds(acwr_profile="gabbett2016")
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
    ("rule", "column", "thresholds", "levels"),
    [
        # science.md section 6: ramp info > 10%, caution > 30%, no high
        ("ramp", "ramp_pct", T, [("info", 10.0), ("caution", 30.0)]),
        # ACWR and monotony are info only by default
        ("acwr", "acwr", T, [("info", 1.5)]),
        ("acwr_ewma", "acwr_ewma", T, [("info", 1.5)]),
        ("monotony", "monotony", T, [("info", 2.0)]),
        # the gabbett2016 profile: ACWR caution > 1.3, high > 1.5
        ("acwr", "acwr", GABBETT, [("caution", 1.3), ("high", 1.5)]),
        ("acwr_ewma", "acwr_ewma", GABBETT, [("caution", 1.3), ("high", 1.5)]),
    ],
)
def test_load_rule_is_strict_at_every_level(
    rule: str, column: str, thresholds: Thresholds, levels: list[tuple[str, float]]
) -> None:
    values: list[float] = []
    expected: list[tuple[str, float] | None] = []
    below: tuple[str, float] | None = None
    for severity, bar in levels:
        # just under and exactly at a bar: the level below; just over: this level
        values += [bar - 0.001, bar, bar + 0.001]
        expected += [below, below, (severity, bar)]
        below = (severity, bar)
    values.append(np.nan)
    expected.append(None)
    extra: dict[str, list[float]] = {}
    if rule == "ramp":
        extra["prev_week_load"] = [20.0] * len(values)
        extra["week_load"] = [20.0 * (1 + v / 100) for v in values]
    frame = metrics_frame(**{column: values}, **extra)
    alerts = metric_alerts(frame, thresholds, athlete="a")
    assert severities(alerts, rule, len(values)) == [e and e[0] for e in expected]
    fired = [a for a in alerts if a.rule == rule]
    assert [a.threshold for a in fired] == [e[1] for e in expected if e]
    assert fired[0].value == pytest.approx(levels[0][1] + 0.001)
    # only the rule under test fires (every other column is NaN)
    assert {a.rule for a in alerts} == {rule}


def test_acwr_and_monotony_never_reach_caution_by_default() -> None:
    huge = [3.0, 10.0, 100.0]
    frame = metrics_frame(
        acwr=huge, acwr_ewma=huge, monotony=huge, acute_7d=[1.0] * 3, chronic_28d=[1.0] * 3
    )
    alerts = metric_alerts(frame, T, athlete="a")
    assert len(alerts) == 9
    assert {a.severity for a in alerts} == {"info"}
    assert T.binding_rules == ("spike", "ramp")
    assert set(GABBETT.binding_rules) == {"spike", "ramp", "acwr", "acwr_ewma"}


def test_ramp_needs_the_minimum_base() -> None:
    frame = metrics_frame(
        ramp_pct=[50.0, 50.0, 50.0],
        prev_week_load=[9.99, 10.0, np.nan],
        week_load=[14.985, 15.0, 15.0],
    )
    alerts = metric_alerts(frame, T, athlete="a")
    assert severities(alerts, "ramp", 3) == [None, "caution", None]


def test_ramp_evidence_depends_on_severity() -> None:
    frame = metrics_frame(ramp_pct=[20.0, 40.0], prev_week_load=[20.0, 20.0], week_load=[24, 28])
    alerts = metric_alerts(frame, T, athlete="a")
    assert [(a.severity, a.evidence) for a in alerts] == [
        ("info", "buist2008"),
        ("caution", "nielsen2014"),
    ]
    # an alert is facts: the inputs behind the value, in km; no prose on the object
    assert alerts[0].inputs == {"week_km": 24.0, "prev_week_km": 20.0}
    assert not hasattr(alerts[0], "message")
    assert alert_sentence(alerts[0]) == (
        "Your 7 days to 2026-03-02: 24.0 km against 20.0 km the 7 days before (+20%)."
    )
    assert alert_sentence(alerts[1], who="Sam") == (
        "Sam's 7 days to 2026-03-03: 28.0 km against 20.0 km the 7 days before (+40%)."
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
    frame = metrics_frame(acwr=[1.15, 1.25], acute_7d=[1.0, 1.0], chronic_28d=[1.0, 1.0])
    graded = Thresholds(acwr_profile="gabbett2016", acwr_caution=1.1, acwr_high=1.2)
    assert severities(metric_alerts(frame, graded, athlete="a"), "acwr", 2) == ["caution", "high"]
    # the same zones without the profile are not in force: only acwr_info is
    ungraded = Thresholds(acwr_caution=1.1, acwr_high=1.2, acwr_info=1.2)
    assert severities(metric_alerts(frame, ungraded, athlete="a"), "acwr", 2) == [None, "info"]


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


def test_spike_sentence_and_the_study_wording() -> None:
    # an 18 km run after a 12 km longest: +50%
    (alert,) = spike_alerts(spikes_frame([50.0], longest=12.0), T, athlete="a")
    assert alert.inputs == {"distance_km": 18.0, "longest_30d_km": 12.0}
    assert alert_sentence(alert) == (
        "Your 18.0 km run on 2026-03-02 was 50% longer than your longest run of the "
        "30 days before (12.0 km)."
    )
    assert alert_sentence(alert, who="Sam") == (
        "Sam's 18.0 km run on 2026-03-02 was 50% longer than their longest run of the "
        "30 days before (12.0 km)."
    )
    (planned,) = spike_alerts(spikes_frame([20.0]), T, athlete="a", planned_ids=[1])
    assert alert_sentence(planned).startswith("A planned 12.0 km run on 2026-03-02 would be 20%")
    # what Frandsen 2025 found, written once per rule: the three categories and their ratios
    study = rule_evidence("spike")
    for words, ratio in (
        ("more than 10% and up to 30%", "1.64x"),
        ("more than 30% and up to 100%", "1.52x"),
        ("more than 100%", "2.28x"),
    ):
        assert f"{words} were associated with a {ratio} higher injury rate" in study
    assert "5,205 runners" in study and "(frandsen2025)" in study


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
    # 5 km a day for 14 days, then 7 km a day: the rolling week grows by 2 km a day
    history = {d: 5.0 for d in range(14)} | {d: 7.0 for d in range(14, 21)}
    alerts = [a for a in evaluate(runs(history), None, T, athlete="a") if a.rule == "ramp"]
    # day 14 + k: week = 35 + 2 (k+1) against prev 35; ramp = 200 (k+1) / 35 %:
    # k = 0..6 -> 5.7, 11.4, 17.1, 22.9, 28.6, 34.3, 40.0: info from k = 1, caution from k = 5
    assert [((a.date - DAY0).days, a.severity) for a in alerts] == [
        (15, "info"),
        (16, "info"),
        (17, "info"),
        (18, "info"),
        (19, "caution"),
        (20, "caution"),
    ]
    assert alerts[0].value == pytest.approx(400 / 35)
    assert alerts[4].value == pytest.approx(1200 / 35)
    assert alerts[4].inputs == {"week_km": pytest.approx(47.0), "prev_week_km": pytest.approx(35.0)}
    # the same shape on a 1.2 km/day base (8.4 km a week, under 10 km) is not raised
    small = {d: 1.2 for d in range(14)} | {d: 1.68 for d in range(14, 21)}
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
    assert (alert.inputs["score"], alert.inputs["median"]) == (3, 1.0)
    assert alert_sentence(alert) == (
        "Pain 3/10 on 2026-03-22 (lower back, unrelated to a run); your 14-day median was 1."
    )
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
        assert alerts[0].inputs["spike_days_before"] == gap
        assert alerts[0].inputs["spike_pct"] == pytest.approx(20.0)
        after = "the same day as" if gap == 0 else f"{gap} days after"
        assert f"; {after} a run 20% longer than the 30-day longest." in alert_sentence(alerts[0])
    else:
        assert alerts[0].inputs["spike_days_before"] is None


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
        # the rule's evidence text (shown once per rule) cites the alert's key
        assert a.evidence in rule_evidence(a.rule)
        for who in (None, "Sam"):
            lowered = (alert_sentence(a, who=who) + rule_evidence(a.rule)).lower()
            assert "you will" not in lowered and "injured" not in lowered
            assert "diagnos" not in lowered or "not a diagnosis" in lowered
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
    # 15% and 12% are info (> 10%), 35% caution (> 30%): the episode peaks at caution
    assert episodes[["first_date", "last_date", "days", "severity"]].values.tolist() == [
        [DAY0, DAY0 + timedelta(days=2), 3, "caution"],
        [DAY0 + timedelta(days=5), DAY0 + timedelta(days=5), 1, "info"],
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
                levels = ["info", "caution", "high"]
                severity = "info" if rule == "acwr_low" else str(rng.choice(levels))
                alerts.append(
                    Alert(
                        DAY0 + timedelta(days=d),
                        "a",
                        rule,
                        severity,
                        float(rng.choice([0.5, 1.4, 1.6, 20.0])),  # few values: ties
                        1.0,
                        bool(rng.random() < 0.1),
                        "frandsen2025",
                        {"tag": f"{rule} day {d} #{k}"},
                    )
                )
    order = rng.permutation(len(alerts))  # summarise must not rely on the input order
    return [alerts[i] for i in order]


def reference_episodes(alerts: list[Alert], gap_days: int) -> list[tuple[object, ...]]:
    """summarise's contract written plainly: one pass per rule, then sort the episodes."""
    episodes: list[tuple[object, ...]] = []
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
                    peak.date,
                    peak.athlete,
                    peak.severity,
                    peak.value,
                    peak.threshold,
                    any(a.planned for a in g),
                    peak.evidence,
                    peak.inputs,
                )
            )
    rule_order = {r: i for i, r in enumerate(RULES)}
    episodes.sort(key=lambda e: (e[1], -RANK[str(e[6])], rule_order[str(e[0])]))
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
    assert (t.ramp_info_pct, t.ramp_caution_pct, t.ramp_min_base_km) == (10, 30, 10)
    assert (t.acwr_profile, t.acwr_info, t.acwr_low) == ("evidence", 1.5, 0.8)
    assert (t.acwr_caution, t.acwr_high) == (1.3, 1.5)  # used by the gabbett2016 profile only
    assert t.monotony_info == 2.0
    assert not t.acwr_graded and t.binding_rules == ("spike", "ramp")
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
    path = write(tmp_path, '[thresholds]\nmonotony_info = 2.5\nacwr_profile = "gabbett2016"\n')
    monkeypatch.setenv("LOADWATCH_CONFIG", str(path))
    t = thresholds_for("anyone")
    assert (t.monotony_info, t.acwr_profile, t.acwr_graded) == (2.5, "gabbett2016", True)


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
        ('[thresholds]\nacwr_profile = "gabbet"\n', "acwr_profile must be one of"),
        ("[thresholds]\nacwr_profile = 1.3\n", "acwr_profile must be one of"),
        # keys of earlier releases: a clear error saying what replaced them
        ("[thresholds]\nramp_high_pct = 30\n", "ramp_high_pct was retired"),
        ("[thresholds]\nmonotony_caution = 1.5\n", "monotony_caution was retired"),
        ('[athletes."Sam".thresholds]\nmonotony_high = 2\n', "monotony_high was retired"),
        ('units = "miles"\n', "units must be 'km' or 'mi'"),
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
