"""Invariants of the metrics (hypothesis), and all-athletes == one athlete at a time."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loadwatch.metrics import (
    METRIC_COLUMNS,
    STATUS_COLUMNS,
    all_athletes_daily_metrics,
    athlete_status,
    daily_load,
    daily_metrics,
    run_spikes,
    weekly_table,
)

RATIOS = ["acwr", "acwr_uncoupled", "acwr_ewma", "ramp_pct", "monotony"]
SETTINGS = settings(max_examples=60, deadline=None)

# loads on a 0.25 km grid: distinct loads stay distinct after scaling
grid_loads = st.lists(st.integers(0, 160).map(lambda q: q / 4), min_size=1, max_size=90)
start_dates = st.dates(dt.date(2015, 1, 1), dt.date(2030, 12, 31))


def series(values: list[float], start: dt.date = dt.date(2024, 1, 1)) -> pd.Series:
    index = pd.date_range(start, periods=len(values), freq="D", name="date")
    return pd.Series(np.asarray(values, dtype=float), index=index, name="distance")


@SETTINGS
@given(value=st.floats(0.1, 500.0), days=st.integers(28, 120))
def test_constant_load_gives_ratio_one(value: float, days: int) -> None:
    metrics = daily_metrics(series([value] * days))
    full = metrics.iloc[27:]
    for column in ("acwr", "acwr_uncoupled", "acwr_ewma"):
        np.testing.assert_allclose(full[column], 1.0, rtol=1e-12, err_msg=column)
    assert metrics["acwr"].iloc[:27].isna().all()


@SETTINGS
@given(loads=grid_loads, factor=st.floats(0.01, 100.0))
def test_scaling_every_load_leaves_ratios_unchanged(loads: list[float], factor: float) -> None:
    plain = daily_metrics(series(loads))
    scaled = daily_metrics(series([factor * x for x in loads]))
    for column in RATIOS:
        np.testing.assert_array_equal(plain[column].isna(), scaled[column].isna(), err_msg=column)
        np.testing.assert_allclose(
            scaled[column], plain[column], rtol=1e-9, atol=1e-9, err_msg=column
        )


@SETTINGS
@given(loads=grid_loads, rest=st.integers(1, 40))
def test_trailing_rest_days_never_raise_acute_load(loads: list[float], rest: int) -> None:
    before = daily_metrics(series(loads))
    after = daily_metrics(series(loads + [0.0] * rest))
    # history does not change
    pd.testing.assert_frame_equal(after.iloc[: len(loads)], before)
    for column in ("acute_7d", "acute_ewma", "atl", "week_load"):
        tail = after[column].iloc[len(loads) - 1 :].dropna().to_numpy()
        assert (np.diff(tail) <= 0).all(), column


@SETTINGS
@given(loads=grid_loads, start=start_dates, week_start=st.sampled_from(["monday", "sunday", "thu"]))
def test_weekly_sums_add_up_to_the_total(
    loads: list[float], start: dt.date, week_start: str
) -> None:
    load = series(loads, start)
    table = weekly_table(load, week_start=week_start)
    assert table["load"].sum() == pytest.approx(load.sum(), rel=1e-12, abs=1e-12)
    assert table["days"].sum() == len(load)
    assert (table["days"].iloc[1:-1] == 7).all()
    weekdays = set(pd.DatetimeIndex(table["week_start"]).day_of_week)
    assert weekdays == {{"monday": 0, "sunday": 6, "thu": 3}[week_start]}


activity_rows = st.lists(
    st.tuples(
        st.sampled_from(["ann", "bob", "cy"]),
        st.integers(0, 80),  # day
        st.integers(0, 23),  # hour UTC
        st.sampled_from(["running", "running", "cycling"]),
        st.integers(0, 400).map(lambda q: q * 100.0),  # metres
    ),
    min_size=1,
    max_size=60,
)


def activities_from(rows: list[tuple[str, int, int, str, float]]) -> pd.DataFrame:
    base = dt.datetime(2024, 2, 20, tzinfo=dt.UTC)
    starts = [base + dt.timedelta(days=d, hours=h) for _, d, h, _, _ in rows]
    return pd.DataFrame(
        {
            "id": range(1, len(rows) + 1),
            "athlete": [r[0] for r in rows],
            "sport": [r[3] for r in rows],
            "sub_sport": None,
            "start_utc": pd.to_datetime(starts, utc=True),
            "local_date": [s.date() for s in starts],
            "distance_m": [r[4] for r in rows],
            "timer_s": [r[4] * 0.35 for r in rows],
            "avg_hr": [120.0 + (r[1] % 40) for r in rows],
        }
    )


@settings(max_examples=40, deadline=None)
@given(
    rows=activity_rows,
    measure=st.sampled_from(["distance", "duration", "trimp"]),
    with_end=st.booleans(),
)
def test_all_athletes_equals_one_at_a_time(
    rows: list[tuple[str, int, int, str, float]], measure: str, with_end: bool
) -> None:
    acts = activities_from(rows)
    end = dt.date(2024, 6, 1) if with_end else None
    together = all_athletes_daily_metrics(acts, measure=measure, end=end)
    running = acts[acts["sport"] == "running"]
    names = sorted(running["athlete"].unique())
    assert sorted(together.index.get_level_values("athlete").unique()) == names
    weeks = weekly_table(together["load"], acts, week_start="wednesday")
    for name in names:
        load = daily_load(acts, athlete=name, measure=measure, end=end)
        alone = daily_metrics(load)
        mine = together.loc[name]
        assert isinstance(mine, pd.DataFrame)
        pd.testing.assert_frame_equal(mine, alone, check_exact=True, check_freq=False)
        # weekly tables: all athletes in one call == one athlete at a time
        my_weeks = weeks[weeks["athlete"] == name].drop(columns="athlete")
        alone_weeks = weekly_table(load, acts, week_start="wednesday")
        pd.testing.assert_frame_equal(my_weeks.reset_index(drop=True), alone_weeks)


def test_all_athletes_frame_shape() -> None:
    acts = activities_from([("ann", 0, 7, "running", 5000.0), ("bob", 3, 7, "running", 8000.0)])
    together = all_athletes_daily_metrics(acts, end="2024-02-29")
    assert list(together.columns) == list(METRIC_COLUMNS)
    assert together.index.names == ["athlete", "date"]
    assert len(together.loc["ann"]) == 10  # 20th..29th February (leap year)
    assert len(together.loc["bob"]) == 7


def test_athlete_status_takes_the_latest_day() -> None:
    rows = [("ann", d, 7, "running", 10000.0) for d in range(0, 35)]  # 10 km every day
    rows += [("ann", 35, 7, "running", 25000.0)]  # then a 25 km day
    rows += [("bob", 0, 7, "running", 6000.0), ("bob", 5, 7, "cycling", 9000.0)]
    acts = activities_from(rows)
    status = athlete_status(acts, end="2024-03-26")  # ann's day 35
    assert list(status.columns) == list(STATUS_COLUMNS)
    assert list(status.index) == ["ann", "bob"]
    ann = status.loc["ann"]
    assert ann["date"] == pd.Timestamp("2024-03-26")
    assert ann["week_load"] == pytest.approx(85.0)  # 6 x 10 + 25
    assert ann["prev_week_load"] == pytest.approx(70.0)
    assert ann["ramp_pct"] == pytest.approx(100 * 15 / 70)
    # acute 85/7 over chronic (27 x 10 + 25)/28
    assert ann["acwr"] == pytest.approx((85 / 7) / (295 / 28))
    assert ann["last_run_km"] == 25.0
    assert ann["last_spike_pct"] == pytest.approx(150.0)
    assert ann["last_spike_category"] == "large"
    bob = status.loc["bob"]
    assert bob["last_run_km"] == 6.0
    assert bob["last_spike_category"] == "none"
    assert np.isnan(status["acwr"].to_numpy()[1])  # bob
    # precomputed inputs give the same table
    again = athlete_status(
        acts,
        metrics=all_athletes_daily_metrics(acts, end="2024-03-26"),
        spikes=run_spikes(acts),
    )
    pd.testing.assert_frame_equal(again, status)


def test_athlete_status_ignores_runs_after_its_date() -> None:
    rows = [("ann", 0, 7, "running", 10000.0), ("ann", 10, 7, "running", 30000.0)]
    status = athlete_status(activities_from(rows), end="2024-02-25")
    assert status.loc["ann", "last_run_km"] == 10.0
