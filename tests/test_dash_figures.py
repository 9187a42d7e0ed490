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
    view_range,
    weekly_figure,
)

NO_PAIN = pd.DataFrame(columns=["date", "score", "location", "timing", "note"])
NO_RUNS = pd.DataFrame(columns=["local_date", "distance", "spike_pct", "category"])
NO_DAILY = pd.DataFrame(columns=["acwr", "acwr_ewma"], index=pd.DatetimeIndex([], name="date"))


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
    bar = fig.data[0]
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
    assert list(bar.marker.color) == ["#7a9cc6", "#d62728", "#f0a020"]


def test_info_never_colours_a_bar(weekly: pd.DataFrame) -> None:
    bar = weekly_figure(weekly.assign(severity=["info", "info", "high"])).data[0]
    assert list(bar.marker.color) == ["#7a9cc6", "#7a9cc6", "#d62728"]
    assert "info" not in " ".join(c[1] for c in bar.customdata)


def test_weekly_colours_have_a_legend(weekly: pd.DataFrame) -> None:
    fig = weekly_figure(weekly)
    assert fig.layout.showlegend is True
    assert fig.data[0].showlegend is False  # the bars themselves are not a legend entry
    key = {t.name: t.marker.color for t in fig.data[1:] if t.showlegend}
    assert key == {"none or info": "#7a9cc6", "caution": "#f0a020", "high": "#d62728"}
    assert fig.layout.legend.title.text == "Alerts this week:"
    assert all(list(t.y) == [None] for t in fig.data[1:])  # key entries plot nothing


def test_partial_week_label_survives_the_colours(weekly: pd.DataFrame) -> None:
    partial = weekly.assign(days=[7, 7, 3], severity=[None, "caution", "high"])
    bar = weekly_figure(partial).data[0]
    assert list(bar.text) == ["", "+50%", "partial week"]
    assert bar.marker.color[2] == "#d62728"


def test_weekly_bars_span_their_week_on_a_dated_axis(weekly: pd.DataFrame) -> None:
    fig = weekly_figure(weekly)
    bar = fig.data[0]
    assert fig.layout.xaxis.type == "date"
    assert bar.xperiod == 7 * 86_400_000 and bar.xperiodalignment == "middle"
    # 3 weeks from Mon 3 Mar to Sun 23 Mar 2025, padded by a day either side
    assert list(fig.layout.xaxis.range) == ["2025-03-02T00:00:00", "2025-03-25T00:00:00"]


def test_a_single_week_gets_a_readable_axis() -> None:
    one = pd.DataFrame(
        {"week_start": pd.to_datetime(["2025-03-03"]), "distance": [8.0], "ramp_pct": [None]}
    )
    fig = weekly_figure(one)
    lo, hi = (pd.Timestamp(v) for v in fig.layout.xaxis.range)
    assert (hi - lo).days == 14
    assert lo < pd.Timestamp("2025-03-03") and hi > pd.Timestamp("2025-03-10")


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


def _note_rows(fig: object) -> dict[str, float]:
    """Each grey empty-state note of a timeline and the paper height it is drawn at."""
    return {
        a.text: a.y
        for a in fig.layout.annotations  # type: ignore[attr-defined]
        if a.font.color == "#777"
    }


def _row_of(fig: object, y: float) -> int:
    """Which timeline row (1-3) the paper height ``y`` falls in."""
    layout = fig.layout  # type: ignore[attr-defined]
    for row, axis in enumerate((layout.yaxis, layout.yaxis2, layout.yaxis3), start=1):
        if axis.domain[0] <= y <= axis.domain[1]:
            return row
    raise AssertionError(f"{y} is in no row")


def _x_axes(fig: object) -> list[object]:
    layout = fig.layout  # type: ignore[attr-defined]
    return [layout.xaxis, layout.xaxis2, layout.xaxis3]


def test_timeline_without_pain_keeps_dated_axes(daily: pd.DataFrame, runs: pd.DataFrame) -> None:
    fig = timeline_figure(daily, runs, NO_PAIN)
    assert not any(t.name.startswith("back pain") for t in fig.data)
    # the note sits on the pain panel (row 3), not on the runs panel
    notes = _note_rows(fig)
    assert list(notes) == ["no pain scores logged in this period"]
    assert _row_of(fig, notes["no pain scores logged in this period"]) == 3
    # every row is a date axis over the data: 1 to 4 Mar 2025, padded a day either
    # side (28 Feb to 5 Mar, 5 days) and widened by 4.5 days either side to 14 days
    for axis in _x_axes(fig):
        assert axis.type == "date"
        assert axis.showticklabels is not False
        assert list(axis.range) == ["2025-02-23T12:00:00", "2025-03-09T12:00:00"]
    # the empty pain row still has a (pointless) trace, so plotly draws its axis
    assert any(t.xaxis == "x3" and len(t.x) == 0 for t in fig.data)


def test_timeline_range_follows_the_view(daily: pd.DataFrame, runs: pd.DataFrame) -> None:
    fig = timeline_figure(daily, runs, NO_PAIN, start=pd.Timestamp("2025-01-01").date(), end=None)
    assert list(fig.layout.xaxis3.range) == ["2024-12-31T00:00:00", "2025-03-05T00:00:00"]


def test_timeline_with_only_pain(pain: pd.DataFrame) -> None:
    fig = timeline_figure(NO_DAILY, NO_RUNS, pain)
    assert [t.name for t in fig.data if t.name] == ["back pain (0–10)"]
    notes = _note_rows(fig)
    assert _row_of(fig, notes["no runs in this period"]) == 1
    assert _row_of(fig, notes["no ratio yet: it needs runs over several weeks"]) == 2
    assert all(a.type == "date" for a in _x_axes(fig))
    # pain on 2 and 4 Mar 2025: a fortnight around them
    assert list(fig.layout.xaxis3.range) == ["2025-02-24T00:00:00", "2025-03-10T00:00:00"]


def test_timeline_with_only_plans() -> None:
    planned = pd.DataFrame(
        {"date": pd.to_datetime(["2025-06-02", "2025-06-20"]), "distance": [8.0, 12.0]}
    )
    fig = timeline_figure(NO_DAILY, NO_RUNS, NO_PAIN, planned=planned)
    assert [t.name for t in fig.data if t.name] == ["planned"]
    assert "no runs in this period" not in _note_rows(fig)
    assert list(fig.layout.xaxis3.range) == ["2025-06-01T00:00:00", "2025-06-21T00:00:00"]


def test_timeline_with_a_single_run() -> None:
    one = pd.DataFrame(
        {
            "local_date": pd.to_datetime(["2019-05-04"]),
            "distance": [5.0],
            "spike_pct": [float("nan")],
            "category": ["none"],
        }
    )
    daily = pd.DataFrame(
        {"acwr": [float("nan")], "acwr_ewma": [float("nan")]},
        index=pd.DatetimeIndex(["2019-05-04"], name="date"),
    )
    fig = timeline_figure(daily, one, NO_PAIN)
    (run,) = [t for t in fig.data if t.name == "first run after a break"]
    assert list(run.y) == [5.0]
    lo, hi = (pd.Timestamp(v) for v in fig.layout.xaxis3.range)
    assert lo < pd.Timestamp("2019-05-04") < hi and (hi - lo).days == 14


def test_view_range() -> None:
    days = pd.to_datetime(["2025-03-01", "2025-04-01"])
    assert view_range([days, []]) == ("2025-02-28T00:00:00", "2025-04-02T00:00:00")
    assert view_range([[]]) is None
    start, end = pd.Timestamp("2025-01-01").date(), pd.Timestamp("2025-02-01").date()
    assert view_range([[]], start=start, end=end) == (
        "2024-12-31T00:00:00",
        "2025-02-02T00:00:00",
    )
    # a planned run after the end widens the range to it
    late = pd.to_datetime(["2025-02-10"])
    assert view_range([late], start=start, end=end)[1] == "2025-02-11T00:00:00"  # type: ignore[index]


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


def test_run_hover_shows_name_and_notes_escaped() -> None:
    from dashboards.figures import _run_traces

    runs = pd.DataFrame(
        {
            "local_date": [pd.Timestamp("2026-10-01")],
            "distance": [10.0],
            "spike_pct": [5.0],
            "category": ["reference"],
            "name": ["Lunch <run>"],
            "notes": ["timer rebuilt from its events\nsplit at a 30-day gap"],
        }
    )
    (trace,) = _run_traces(runs, "km")
    spike, extra = trace.customdata[0]
    assert spike == "+5%"
    assert extra == (
        "<br>Lunch &lt;run&gt;<br>note: timer rebuilt from its events"
        "<br>note: split at a 30-day gap"
    )
