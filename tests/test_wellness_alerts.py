"""Information alerts of science.md section 8 on constructed series, days worked out by hand."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from loadwatch.alerts.wellness import WellnessThresholds, wellness_alerts, wellness_facts
from loadwatch.metrics.wellness import wellness_series

DAY0 = date(2026, 1, 1)


def _rows(source: str, column: str, values: list[float | None]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"date": DAY0 + timedelta(days=i), "source": source, column: v}
            for i, v in enumerate(values)
            if v is not None
        ]
    )


def _alerts(frame: pd.DataFrame, rule: str) -> list[tuple[int, float]]:
    alerts = wellness_alerts(wellness_series(frame), athlete="Sam")
    assert all(a.severity == "info" for a in alerts)
    return [((a.date - DAY0).days, a.value) for a in alerts if a.rule == rule]


def test_steady_weeks_raise_nothing() -> None:
    frame = pd.concat(
        [
            _rows("garmin", "sleep_h", [7.5 if i % 3 else 6.8 for i in range(120)]),
            _rows("garmin", "resting_hr", [50 + (i % 4) for i in range(120)]),
            _rows("self", "soreness", [2 + (i % 2) for i in range(120)]),
        ]
    )
    assert wellness_alerts(wellness_series(frame), athlete="Sam") == []


def test_short_sleep_on_3_of_4_nights() -> None:
    nights: list[float | None] = [7.5] * 60
    nights[40], nights[42], nights[43] = 5.5, 5.8, 5.9  # under 6 h
    nights[50], nights[51], nights[52] = 6.4, 6.3, 6.4  # over 6 h but 1 h under the median 7.5
    nights[46] = None  # no value: not a short night
    got = _alerts(_rows("garmin", "sleep_h", nights), "sleep_short")
    # day 43: nights 40, 42, 43 of 40-43; days 52 and 53: nights 50-52
    assert got == [(43, 3.0), (52, 3.0), (53, 3.0)]
    [first] = [
        a
        for a in wellness_alerts(wellness_series(_rows("garmin", "sleep_h", nights)), athlete="S")
        if a.date == DAY0 + timedelta(days=43)
    ]
    assert first.evidence == "sleep2025"
    assert first.inputs["sleep_h"] == [5.5, 7.5, 5.8, 5.9]
    assert first.inputs["median_28d_h"] == 7.5
    assert wellness_facts(first)["related_evidence"] == ["dejonge2025", "costa2021"]
    assert first.planned is False and first.citation.startswith("Scand J Med Sci Sports 2025")


def test_check_in_sleep_counts_when_the_watch_has_none() -> None:
    own = [7.0] * 20 + [5.0, 5.0, 5.0]
    got = _alerts(_rows("self", "sleep_h", own), "sleep_short")
    assert got == [(22, 3.0)]
    # the watch's value wins where both exist
    device = _rows("garmin", "sleep_h", [None] * 20 + [7.0, 7.0, 7.0])
    assert _alerts(pd.concat([_rows("self", "sleep_h", own), device]), "sleep_short") == []


def test_resting_hr_up_for_three_days() -> None:
    rhr: list[float | None] = [50.0] * 50
    rhr[40], rhr[41], rhr[42], rhr[43] = 55, 56, 55, 54
    rhr[46], rhr[47], rhr[48] = 57, None, 58  # a missing day breaks the run
    assert _alerts(_rows("garmin", "resting_hr", rhr), "resting_hr_up") == [(42, 5.0)]


def test_soreness_rising_two_points_over_14_days() -> None:
    soreness: list[float | None] = [2.0] * 20 + [5.0] * 11
    got = _alerts(_rows("self", "soreness", soreness), "soreness_rising")
    # mean of days t-6..t minus mean of days t-20..t-14 (all 2): from day 24,
    # (2*2 + 5*5)/7 - 2 = 2.14; day 25: (2 + 5*6)/7 - 2 = 2.57; then 3
    assert [d for d, _ in got] == list(range(24, 31))
    assert [v for _, v in got] == pytest.approx([29 / 7 - 2, 32 / 7 - 2, 3, 3, 3, 3, 3])
    # one sore day among sparse ratings is not a trend
    sparse: list[float | None] = [None] * 40
    for d in (0, 3, 5, 15, 18, 20):
        sparse[d] = 1.0
    sparse[21] = 5.0
    assert _alerts(_rows("self", "soreness", sparse), "soreness_rising") == []


def test_thresholds_are_parameters() -> None:
    nights = [7.0] * 30 + [6.2, 6.2, 6.2]
    frame = _rows("garmin", "sleep_h", nights)
    assert _alerts(frame, "sleep_short") == []
    strict = WellnessThresholds(sleep_min_h=6.5)
    alerts = wellness_alerts(wellness_series(frame), athlete="Sam", thresholds=strict)
    assert [(a.date - DAY0).days for a in alerts] == [32]
