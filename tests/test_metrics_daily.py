"""daily_metrics and weekly_table against values worked out by hand from science.md."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pytest

from loadwatch.metrics import METRIC_COLUMNS, WEEKLY_COLUMNS, daily_metrics, weekly_table

FIRST_COLUMNS = [
    "load",
    "acute_7d",
    "chronic_28d",
    "acwr",
    "chronic_uncoupled",
    "acwr_uncoupled",
    "acute_ewma",
    "chronic_ewma",
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


def series(values: Sequence[float], start: str = "2024-01-01", name: str = "distance") -> pd.Series:
    index = pd.date_range(start, periods=len(values), freq="D", name="date")
    return pd.Series(np.asarray(values, dtype=float), index=index, name=name)


def day(metrics: pd.DataFrame, number: int) -> pd.Series:
    """Row of 1-based day ``number``."""
    return metrics.iloc[number - 1]


def test_columns_and_index() -> None:
    load = series([1.0] * 30)
    metrics = daily_metrics(load)
    assert list(metrics.columns[: len(FIRST_COLUMNS)]) == FIRST_COLUMNS
    assert list(metrics.columns) == list(METRIC_COLUMNS)
    assert "ctl_ramp" in metrics.columns
    assert metrics.index.equals(load.index)


# ---------------------------------------------------------------- uncoupled ACWR
# 35 days: load 1 on days 1-21, 2 on days 22-28, 4 on days 29-35.
STEPS = [1.0] * 21 + [2.0] * 7 + [4.0] * 7


def test_uncoupled_ratio_by_hand() -> None:
    metrics = daily_metrics(series(STEPS))
    # day 28: acute = mean(days 22..28) = 2; uncoupled chronic = mean(days 1..21) = 1
    assert day(metrics, 28)["acute_7d"] == pytest.approx(2.0, rel=1e-12)
    assert day(metrics, 28)["chronic_uncoupled"] == pytest.approx(1.0, rel=1e-12)
    assert day(metrics, 28)["acwr_uncoupled"] == pytest.approx(2.0, rel=1e-12)
    # day 30: acute = (5 x 2 + 2 x 4) / 7 = 18/7; days 3..23 = 19 ones and 2 twos -> 23/21
    assert day(metrics, 30)["acute_7d"] == pytest.approx(18 / 7, rel=1e-12)
    assert day(metrics, 30)["chronic_uncoupled"] == pytest.approx(23 / 21, rel=1e-12)
    assert day(metrics, 30)["acwr_uncoupled"] == pytest.approx((18 / 7) / (23 / 21), rel=1e-12)
    # day 35: acute = 4; days 8..28 = 14 ones and 7 twos -> 28/21 = 4/3; ratio 3
    assert day(metrics, 35)["chronic_uncoupled"] == pytest.approx(4 / 3, rel=1e-12)
    assert day(metrics, 35)["acwr_uncoupled"] == pytest.approx(3.0, rel=1e-12)


def test_coupled_ratio_by_hand() -> None:
    metrics = daily_metrics(series(STEPS))
    # day 28: chronic = (21 x 1 + 7 x 2) / 28 = 35/28; acwr = 2 / (35/28) = 1.6
    assert day(metrics, 28)["chronic_28d"] == pytest.approx(35 / 28, rel=1e-12)
    assert day(metrics, 28)["acwr"] == pytest.approx(1.6, rel=1e-12)
    # day 30: days 3..30 = 19 ones, 7 twos, 2 fours = 41 -> 41/28; acwr = (18/7)/(41/28) = 72/41
    assert day(metrics, 30)["acwr"] == pytest.approx(72 / 41, rel=1e-12)
    # day 35: days 8..35 = 14 + 14 + 28 = 56 -> chronic 2; acwr = 4 / 2
    assert day(metrics, 35)["acwr"] == pytest.approx(2.0, rel=1e-12)


def test_coupled_equals_4u_over_u_plus_3() -> None:
    rng = np.random.default_rng(7)
    loads = rng.choice([0.0, 3.0, 5.0, 8.0, 12.0, 21.0], size=200)
    metrics = daily_metrics(series(list(loads)))
    u = metrics["acwr_uncoupled"]
    both = u.notna() & metrics["acwr"].notna()
    assert both.sum() > 100
    np.testing.assert_allclose(metrics["acwr"][both], 4 * u[both] / (u[both] + 3), rtol=1e-12)
    # by hand on the step series: U = 3 -> 4 x 3 / 6 = 2, the coupled value on day 35
    steps = daily_metrics(series(STEPS))
    assert day(steps, 35)["acwr"] == pytest.approx(4 * 3.0 / (3.0 + 3), rel=1e-12)


def test_ratios_need_a_full_28_day_window() -> None:
    metrics = daily_metrics(series(STEPS))
    for column in ("acwr", "acwr_uncoupled", "acwr_ewma", "chronic_28d", "chronic_uncoupled"):
        assert metrics[column].iloc[:27].isna().all(), column
        assert metrics[column].iloc[27:].notna().all(), column
    assert metrics["acute_7d"].iloc[:6].isna().all()
    assert metrics["acute_7d"].iloc[6] == pytest.approx(1.0)
    assert metrics["prev_week_load"].iloc[:13].isna().all()
    assert metrics["prev_week_load"].iloc[13] == pytest.approx(7.0)


def test_ratios_undefined_when_chronic_is_zero() -> None:
    # 28 rest days then one 10 km run: chronic 0 until the run, then acute/chronic = 4
    loads = [0.0] * 30 + [10.0]
    metrics = daily_metrics(series(loads))
    assert metrics["acwr"].iloc[27:30].isna().all()
    assert metrics["acwr_ewma"].iloc[27:30].isna().all()
    assert day(metrics, 31)["acwr"] == pytest.approx((10 / 7) / (10 / 28))
    # uncoupled chronic (days 4..24) is still 0 on day 31
    assert math.isnan(day(metrics, 31)["acwr_uncoupled"])


# ------------------------------------------------------------ rolling week, ramp
def test_rolling_week_and_ramp() -> None:
    # days 1-7 sum 20, days 8-14 sum 26 -> ramp 30 %
    loads = [5, 0, 5, 0, 5, 0, 5, 6, 0, 6, 0, 6, 0, 8]
    metrics = daily_metrics(series(loads))
    assert day(metrics, 14)["week_load"] == pytest.approx(26.0)
    assert day(metrics, 14)["prev_week_load"] == pytest.approx(20.0)
    assert day(metrics, 14)["ramp_pct"] == pytest.approx(30.0)
    # day 13: days 7..13 = 5+6+0+6+0+6+0 = 23 vs days 1..6 and a day before the series -> NaN
    assert math.isnan(day(metrics, 13)["ramp_pct"])


def test_ramp_undefined_after_an_empty_week() -> None:
    loads = [0.0] * 7 + [10.0] + [0.0] * 6
    metrics = daily_metrics(series(loads))
    assert day(metrics, 14)["prev_week_load"] == 0.0
    assert math.isnan(day(metrics, 14)["ramp_pct"])


# ---------------------------------------------------------- monotony and strain
def test_monotony_and_strain_by_hand() -> None:
    loads = [0, 5, 0, 10, 0, 5, 15]
    metrics = daily_metrics(series(loads))
    # mean 5; deviations -5,0,-5,5,-5,0,10 -> squares sum 200; population SD sqrt(200/7)
    expected = 5 / math.sqrt(200 / 7)
    assert day(metrics, 7)["monotony"] == pytest.approx(expected, rel=1e-12)
    assert day(metrics, 7)["strain"] == pytest.approx(35 * expected, rel=1e-12)
    assert metrics["monotony"].iloc[:6].isna().all()


@pytest.mark.parametrize("value", [0.0, 0.1, 7.3])
def test_monotony_undefined_for_a_flat_week(value: float) -> None:
    metrics = daily_metrics(series([value] * 10))
    assert metrics["monotony"].isna().all()
    assert metrics["strain"].isna().all()


# ------------------------------------------------------------------ CTL/ATL/TSB
def test_ctl_atl_tsb_by_hand() -> None:
    kc = 1 - math.exp(-1 / 42)  # ~0.0235283
    ka = 1 - math.exp(-1 / 7)  # ~0.1331221
    # X_t = X_(t-1) + k (L_t - X_(t-1)), X_0 = 0, loads 10, 0, 20, 0, 0
    ctl1 = 0 + kc * (10 - 0)
    ctl2 = ctl1 + kc * (0 - ctl1)
    ctl3 = ctl2 + kc * (20 - ctl2)
    ctl4 = ctl3 + kc * (0 - ctl3)
    ctl5 = ctl4 + kc * (0 - ctl4)
    atl1 = 0 + ka * (10 - 0)
    atl2 = atl1 + ka * (0 - atl1)
    atl3 = atl2 + ka * (20 - atl2)
    atl4 = atl3 + ka * (0 - atl3)
    atl5 = atl4 + ka * (0 - atl4)
    assert ctl1 == pytest.approx(0.235283, rel=1e-5)
    assert atl1 == pytest.approx(1.331221, rel=1e-5)
    metrics = daily_metrics(series([10, 0, 20, 0, 0]))
    np.testing.assert_allclose(metrics["ctl"], [ctl1, ctl2, ctl3, ctl4, ctl5], rtol=1e-12)
    np.testing.assert_allclose(metrics["atl"], [atl1, atl2, atl3, atl4, atl5], rtol=1e-12)
    # TSB_t = CTL_(t-1) - ATL_(t-1); day 1 uses the starting values 0 - 0
    expected_tsb = [0.0, ctl1 - atl1, ctl2 - atl2, ctl3 - atl3, ctl4 - atl4]
    np.testing.assert_allclose(metrics["tsb"], expected_tsb, rtol=1e-12, atol=1e-15)
    assert metrics["ctl_ramp"].isna().all()  # needs CTL of 7 days before


def test_ctl_ramp() -> None:
    metrics = daily_metrics(series([10.0] * 12))
    ctl = metrics["ctl"].to_numpy()
    assert metrics["ctl_ramp"].iloc[:7].isna().all()
    np.testing.assert_allclose(metrics["ctl_ramp"].iloc[7:], ctl[7:] - ctl[:-7], rtol=1e-12)


# ------------------------------------------------------------------ bad inputs
@pytest.mark.parametrize(
    "index",
    [
        pd.DatetimeIndex(["2024-01-01", "2024-01-02", "2024-01-04"]),  # gap
        pd.DatetimeIndex(["2024-01-01", "2024-01-02", "2024-01-02"]),  # repeat
        pd.DatetimeIndex(["2024-01-02", "2024-01-01", "2024-01-03"]),  # out of order
        pd.DatetimeIndex(["2024-01-01 06:00", "2024-01-02 06:00", "2024-01-03 06:00"]),
        pd.RangeIndex(3),
    ],
)
def test_rejects_an_index_that_is_not_consecutive_dates(index: pd.Index) -> None:
    with pytest.raises(ValueError, match="load"):
        daily_metrics(pd.Series([1.0, 2.0, 3.0], index=index))


@pytest.mark.parametrize("bad", [np.nan, -1.0])
def test_rejects_missing_or_negative_loads(bad: float) -> None:
    with pytest.raises(ValueError, match="load"):
        daily_metrics(series([1.0, bad, 3.0]))


def test_empty_series_gives_an_empty_frame() -> None:
    metrics = daily_metrics(series([]))
    assert metrics.empty
    assert list(metrics.columns) == list(METRIC_COLUMNS)


def test_daily_metrics_does_not_mutate_its_input() -> None:
    load = series(STEPS)
    before = load.copy(deep=True)
    metrics = daily_metrics(load)
    metrics.loc[metrics.index[0], "load"] = 999.0
    pd.testing.assert_series_equal(load, before)


# ---------------------------------------------------------------- weekly table
def test_weekly_table_monday_weeks() -> None:
    # Wed 2024-01-03 .. Tue 2024-01-16: a partial week, a full week, a partial week
    loads = [1, 2, 3, 4, 5, 10, 0, 0, 0, 0, 0, 5, 7, 7]  # Wed..Sun, Mon..Sun, Mon..Tue
    table = weekly_table(series(loads, start="2024-01-03"))
    assert list(table["week_start"]) == list(
        pd.to_datetime(["2024-01-01", "2024-01-08", "2024-01-15"])
    )
    assert list(table["days"]) == [5, 7, 2]
    assert list(table["load"]) == [15.0, 15.0, 14.0]
    assert list(table["distance"]) == [15.0, 15.0, 14.0]
    # ramp: first week undefined, then 0 %, then (14 - 15) / 15
    assert math.isnan(table["ramp_pct"].iloc[0])
    assert table["ramp_pct"].iloc[1] == pytest.approx(0.0)
    assert table["ramp_pct"].iloc[2] == pytest.approx(-100 / 15)


def test_weekly_table_other_week_start() -> None:
    loads = [1, 2, 3, 4, 5, 10, 0, 0, 0, 0, 0, 5, 7, 7]  # Wed..Sun, Mon..Sun, Mon..Tue
    table = weekly_table(series(loads, start="2024-01-03"), week_start="Sunday")
    # Sunday weeks: 12-31 (Wed-Sat: 1+2+3+4), 01-07 (5+10+0+0+0+0+0), 01-14 (5+7+7)
    assert list(table["week_start"]) == list(
        pd.to_datetime(["2023-12-31", "2024-01-07", "2024-01-14"])
    )
    assert list(table["load"]) == [10.0, 15.0, 19.0]
    assert table.attrs["week_start"] == "sunday"
    with pytest.raises(ValueError, match="weekday"):
        weekly_table(series(loads), week_start="someday")


def test_weekly_ramp_undefined_after_an_empty_week() -> None:
    loads = [0.0] * 7 + [3.0] * 7
    table = weekly_table(series(loads, start="2024-01-01"))
    assert list(table["load"]) == [0.0, 21.0]
    assert table["ramp_pct"].isna().all()


def test_weekly_runs_and_longest_run() -> None:
    runs = pd.DataFrame(
        {
            "athlete": ["ann"] * 5,
            "sport": ["running", "running", "cycling", "running", "running"],
            "local_date": pd.to_datetime(
                ["2024-01-01", "2024-01-03", "2024-01-04", "2024-01-09", "2024-02-01"]
            ),
            "distance_m": [5000.0, 12000.0, 40000.0, 8000.0, 30000.0],
        }
    )
    load = series([20.0] * 14, name="duration")
    load.attrs["athlete"] = "ann"
    table = weekly_table(load, runs)
    assert list(table["runs"]) == [2, 1]  # the ride and the run after the series are left out
    assert list(table["longest_run"]) == [12.0, 8.0]
    assert list(table["distance"]) == [17.0, 8.0]  # not a distance series: from the runs
    assert list(table["load"]) == [140.0, 140.0]
    assert weekly_table(load)["runs"].isna().all()


def test_weekly_table_for_every_athlete_at_once() -> None:
    ann = series([5.0, 0.0, 5.0, 0.0, 5.0, 0.0, 10.0, 6.0], start="2024-01-06")  # Sat..Sat
    bob = series([3.0, 3.0, 3.0], start="2024-01-01")
    both = pd.concat({"ann": ann, "bob": bob}, names=["athlete", "date"]).rename("distance")
    table = weekly_table(both)
    assert list(table.columns) == ["athlete", *WEEKLY_COLUMNS]
    assert list(table["athlete"]) == ["ann", "ann", "bob"]
    assert list(table["week_start"]) == list(
        pd.to_datetime(["2024-01-01", "2024-01-08", "2024-01-01"])
    )
    # ann: Sat 5 + Sun 0, then Mon..Sat 5+0+5+0+10+6; bob: 3 days of 3
    assert list(table["days"]) == [2, 6, 3]
    assert list(table["load"]) == [5.0, 26.0, 9.0]
    assert table["ramp_pct"].iloc[1] == pytest.approx(100 * (26 - 5) / 5)
    # bob's first week has no previous week, even though ann's last week comes before it
    assert math.isnan(table["ramp_pct"].iloc[2])


def test_weekly_table_rejects_interleaved_athletes() -> None:
    ann = series([1.0, 2.0])
    both = pd.concat({"ann": ann, "bob": ann}, names=["athlete", "date"])
    with pytest.raises(ValueError, match="together"):
        weekly_table(both.iloc[[0, 2, 1, 3]])
    gap = pd.concat({"ann": series([1.0, 2.0, 3.0]).iloc[[0, 2]]}, names=["athlete", "date"])
    with pytest.raises(ValueError, match="consecutive"):
        weekly_table(gap)
