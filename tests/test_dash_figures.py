"""Figure builders on small literal DataFrames: trace names, values, bands, colours."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from dashboards.figures import (
    SEVERITY_COLOURS,
    SPIKE_COLOURS,
    empty_figure,
    timeline_figure,
    weekly_figure,
)


@pytest.fixture
def weekly() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "week_start": pd.to_datetime(["2025-03-03", "2025-03-10", "2025-03-17"]),
            "distance": [20.0, 30.0, 24.0],
            "ramp_pct": [float("nan"), 50.0, -20.0],
            "severity": [None, "high", "caution"],
        }
    )


@pytest.fixture
def daily() -> pd.DataFrame:
    index = pd.date_range("2025-03-01", periods=4, freq="D", name="date")
    return pd.DataFrame(
        {"acwr": [float("nan"), 1.1, 1.4, 1.6], "acwr_ewma": [1.0, 1.05, 1.3, 1.55]}, index=index
    )


@pytest.fixture
def runs() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "local_date": pd.to_datetime(["2025-03-01", "2025-03-02", "2025-03-04"]),
            "distance": [10.0, 10.5, 25.0],
            "spike_pct": [float("nan"), 5.0, 138.1],
            "category": ["none", "reference", "large"],
        }
    )


@pytest.fixture
def pain() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "date": pd.to_datetime(["2025-03-02", "2025-03-04"]),
            "score": [2, 6],
            "location": ["lower_back", "glute_si"],
            "timing": ["after_run", "next_morning"],
            "note": [None, "stiff getting up"],
        }
    )


def test_weekly_bars_carry_totals_and_ramp_labels(weekly: pd.DataFrame) -> None:
    fig = weekly_figure(weekly, unit="km")
    (bar,) = fig.data
    assert bar.type == "bar"
    assert list(bar.y) == [20.0, 30.0, 24.0]
    # no ramp for the first week; then +50% and -20%
    assert list(bar.text) == ["", "+50%", "-20%"]
    assert fig.layout.yaxis.title.text == "km"


def test_partial_weeks_carry_no_misleading_ramp(weekly: pd.DataFrame) -> None:
    # a first week of one day, then two full weeks: the ramp from the one-day
    # week (+2,900% here) is not a week-over-week change, so it is not shown
    partial = weekly.assign(
        days=[1, 7, 7], distance=[1.0, 30.0, 24.0], ramp_pct=[None, 2900.0, -20.0]
    )
    bar = weekly_figure(partial).data[0]
    assert list(bar.text) == ["partial week", "", "-20%"]


def test_weekly_bars_coloured_by_worst_alert(weekly: pd.DataFrame) -> None:
    bar = weekly_figure(weekly).data[0]
    assert list(bar.marker.color) == [
        SEVERITY_COLOURS[None],
        SEVERITY_COLOURS["high"],
        SEVERITY_COLOURS["caution"],
    ]


def test_weekly_without_severity_column_uses_the_plain_colour(weekly: pd.DataFrame) -> None:
    bar = weekly_figure(weekly.drop(columns="severity"), unit="mi").data[0]
    assert set(bar.marker.color) == {SEVERITY_COLOURS[None]}
    assert "mi" in bar.hovertemplate


def test_empty_weekly_says_so() -> None:
    fig = weekly_figure(pd.DataFrame(columns=["week_start", "distance", "ramp_pct"]))
    assert fig.data == ()
    assert "No runs" in fig.layout.annotations[0].text


def test_timeline_has_runs_acwr_and_pain_on_one_time_axis(
    daily: pd.DataFrame, runs: pd.DataFrame, pain: pd.DataFrame
) -> None:
    fig = timeline_figure(daily, runs, pain, unit="km")
    names = [t.name for t in fig.data]
    assert names == [
        "first run after a break",
        "no spike (≤10%)",
        "large spike (>100%)",
        "ACWR (rolling 7:28)",
        "ACWR (EWMA)",
        "back pain (0–10)",
    ]
    # three rows sharing one x axis
    assert fig.layout.xaxis.matches == fig.layout.xaxis2.matches == "x3"
    by_name = {t.name: t for t in fig.data}
    assert list(by_name["large spike (>100%)"].y) == [25.0]
    assert by_name["large spike (>100%)"].marker.color == SPIKE_COLOURS["large"]
    assert by_name["back pain (0–10)"].yaxis == "y3"
    assert list(by_name["back pain (0–10)"].y) == [2.0, 6.0]


def test_run_markers_grow_with_distance(
    daily: pd.DataFrame, runs: pd.DataFrame, pain: pd.DataFrame
) -> None:
    fig = timeline_figure(daily, runs, pain)
    sizes = {t.name: list(t.marker.size) for t in fig.data if t.yaxis == "y"}
    assert sizes["large spike (>100%)"][0] > sizes["no spike (≤10%)"][0]
    assert sizes["no spike (≤10%)"][0] > sizes["first run after a break"][0]


def test_acwr_values_band_and_high_line(
    daily: pd.DataFrame, runs: pd.DataFrame, pain: pd.DataFrame
) -> None:
    fig = timeline_figure(daily, runs, pain)
    rolling = next(t for t in fig.data if t.name == "ACWR (rolling 7:28)")
    assert math.isnan(rolling.y[0])
    assert list(rolling.y[1:]) == [1.1, 1.4, 1.6]
    ewma = next(t for t in fig.data if t.name == "ACWR (EWMA)")
    assert list(ewma.y) == [1.0, 1.05, 1.3, 1.55]
    rects = [s for s in fig.layout.shapes if s.type == "rect"]
    lines = [s for s in fig.layout.shapes if s.type == "line"]
    assert [(r.y0, r.y1) for r in rects] == [(0.8, 1.3)]
    assert [(ln.y0, ln.y1) for ln in lines] == [(1.5, 1.5)]
    assert rects[0].yref == lines[0].yref == "y2"


def test_band_and_line_are_options(
    daily: pd.DataFrame, runs: pd.DataFrame, pain: pd.DataFrame
) -> None:
    fig = timeline_figure(daily, runs, pain, band=(0.7, 1.2), high=1.6)
    assert [(s.y0, s.y1) for s in fig.layout.shapes] == [(0.7, 1.2), (1.6, 1.6)]


def test_pain_hover_shows_where_when_and_note(
    daily: pd.DataFrame, runs: pd.DataFrame, pain: pd.DataFrame
) -> None:
    trace = next(
        t for t in timeline_figure(daily, runs, pain).data if t.name.startswith("back pain")
    )
    assert [list(c) for c in trace.customdata] == [
        ["lower back", "after run", ""],
        ["glute si", "next morning", "stiff getting up"],
    ]
    assert "where" in trace.hovertemplate and "when" in trace.hovertemplate


def test_timeline_without_pain_says_none_logged(daily: pd.DataFrame, runs: pd.DataFrame) -> None:
    empty_pain = pd.DataFrame(columns=["date", "score", "location", "timing", "note"])
    fig = timeline_figure(daily, runs, empty_pain)
    assert not any(t.name.startswith("back pain") for t in fig.data)
    assert any("no pain" in a.text for a in fig.layout.annotations)


def test_planned_runs_are_open_markers(
    daily: pd.DataFrame, runs: pd.DataFrame, pain: pd.DataFrame
) -> None:
    planned = pd.DataFrame(
        {"date": pd.to_datetime(["2025-03-06"]), "distance": [30.0], "label": [""]}
    )
    trace = next(
        t for t in timeline_figure(daily, runs, pain, planned=planned).data if t.name == "planned"
    )
    assert list(trace.y) == [30.0]
    assert trace.marker.symbol == "circle-open"


def test_empty_figure_carries_the_message() -> None:
    assert empty_figure("nothing here").layout.annotations[0].text == "nothing here"
