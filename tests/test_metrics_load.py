"""daily_load: local-date bucketing, measures, calendars; no function mutates its input."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from loadwatch.metrics import (
    HR_MAX_DEFAULT,
    HR_REST_DEFAULT,
    all_athletes_daily_metrics,
    athlete_status,
    daily_load,
    daily_metrics,
    run_spikes,
    weekly_table,
)
from loadwatch.model import local_date_for

UTC = dt.UTC


def activity(
    start_utc: dt.datetime,
    km: float,
    *,
    offset_h: float = 0.0,
    athlete: str = "ann",
    sport: str = "running",
    sub_sport: str | None = None,
    minutes: float = 30.0,
    avg_hr: float = math.nan,
    rpe: float = math.nan,
) -> dict[str, object]:
    """One activity row as the store hands it over (local date from the wall-clock offset)."""
    return {
        "athlete": athlete,
        "sport": sport,
        "sub_sport": sub_sport,
        "start_utc": pd.Timestamp(start_utc),
        "local_date": local_date_for(start_utc, int(offset_h * 3600)),
        "distance_m": km * 1000.0,
        "timer_s": minutes * 60.0,
        "avg_hr": avg_hr,
        "rpe": rpe,
    }


def frame(*rows: dict[str, object]) -> pd.DataFrame:
    table = pd.DataFrame(list(rows))
    table["start_utc"] = pd.to_datetime(table["start_utc"], utc=True)
    table.insert(0, "id", np.arange(1, len(table) + 1))
    return table


def at(day: int, hour: int = 7, minute: int = 0) -> dt.datetime:
    return dt.datetime(2024, 1, day, hour, minute, tzinfo=UTC)


# ------------------------------------------------------------- local dates
def test_runs_either_side_of_local_midnight_go_to_different_days() -> None:
    # Sydney, UTC+11 in January: 23:40 local on the 10th and 00:20 local on the 11th
    # are 12:40 and 13:20 UTC, both on the 10th in UTC
    acts = frame(
        activity(at(10, 12, 40), 5.0, offset_h=11),
        activity(at(10, 13, 20), 7.0, offset_h=11),
    )
    load = daily_load(acts)
    assert load.to_dict() == {pd.Timestamp("2024-01-10"): 5.0, pd.Timestamp("2024-01-11"): 7.0}


def test_a_late_evening_run_belongs_to_its_local_date_not_the_utc_date() -> None:
    # New York, UTC-5: 23:40 local on the 10th is 04:40 UTC on the 11th
    acts = frame(activity(at(11, 4, 40), 8.0, offset_h=-5), activity(at(12, 12), 3.0))
    load = daily_load(acts)
    assert load[pd.Timestamp("2024-01-10")] == 8.0
    assert load[pd.Timestamp("2024-01-11")] == 0.0
    assert load.index[0] == pd.Timestamp("2024-01-10")


def test_local_date_as_date_objects_or_datetime64_gives_the_same_series() -> None:
    acts = frame(activity(at(1), 5.0), activity(at(4), 6.0), activity(at(4, 18), 2.5))
    as_dates = daily_load(acts)
    converted = acts.assign(local_date=pd.to_datetime(acts["local_date"]))
    pd.testing.assert_series_equal(daily_load(converted), as_dates)


# ---------------------------------------------------------------- calendar
def test_complete_calendar_with_real_zeros() -> None:
    acts = frame(activity(at(1), 5.0), activity(at(4), 6.0), activity(at(4, 18), 2.5))
    load = daily_load(acts)
    assert list(load) == [5.0, 0.0, 0.0, 8.5]
    assert load.name == "distance"
    assert load.index.name == "date"
    assert isinstance(load.index, pd.DatetimeIndex)
    assert load.index.freqstr == "D"
    assert load.attrs["unit"] == "km"
    assert load.attrs["athlete"] == "ann"


def test_start_and_end_extend_or_cut_the_calendar() -> None:
    acts = frame(activity(at(3), 5.0), activity(at(6), 6.0))
    load = daily_load(acts, start=dt.date(2024, 1, 1), end="2024-01-09")
    assert list(load.index) == list(pd.date_range("2024-01-01", "2024-01-09"))
    assert list(load) == [0, 0, 5, 0, 0, 6, 0, 0, 0]
    cut = daily_load(acts, start="2024-01-04", end=pd.Timestamp("2024-01-07"))
    assert list(cut) == [0, 0, 6, 0]
    assert daily_load(acts, end="2024-01-04").index[-1] == pd.Timestamp("2024-01-04")
    with pytest.raises(ValueError, match="after"):
        daily_load(acts, start="2024-01-05", end="2024-01-04")


def test_no_runs_in_range_gives_zeros_or_an_empty_series() -> None:
    acts = frame(activity(at(3), 5.0, sport="cycling"))
    assert daily_load(acts).empty
    assert list(daily_load(acts, start="2024-01-01", end="2024-01-03")) == [0.0, 0.0, 0.0]


# ---------------------------------------------------------------- sports
def test_only_the_running_family_counts_unless_all_sports() -> None:
    acts = frame(
        activity(at(1), 5.0),
        activity(at(1, 9), 10.0, sub_sport="trail"),
        activity(at(1, 12), 4.0, sub_sport="treadmill"),
        activity(at(1, 15), 30.0, sport="cycling"),
        activity(at(1, 18), 2.0, sport="walking"),
    )
    assert list(daily_load(acts)) == [19.0]
    assert list(daily_load(acts, all_sports=True)) == [51.0]


def test_several_athletes_need_a_choice() -> None:
    acts = frame(activity(at(1), 5.0), activity(at(2), 9.0, athlete="bob"))
    with pytest.raises(ValueError, match="athlete"):
        daily_load(acts)
    bob = daily_load(acts, athlete="bob")
    assert list(bob) == [9.0]
    assert bob.index[0] == pd.Timestamp("2024-01-02")


# ---------------------------------------------------------------- measures
def test_duration_is_moving_minutes() -> None:
    acts = frame(activity(at(1), 5.0, minutes=31.5), activity(at(1, 17), 3.0, minutes=20))
    load = daily_load(acts, measure="duration")
    assert list(load) == [51.5]
    assert load.name == "duration"
    assert load.attrs["unit"] == "min"


def test_trimp_by_hand() -> None:
    acts = frame(activity(at(1), 10.0, minutes=60, avg_hr=150))
    # HRr = (150 - 50) / (200 - 50) = 2/3; men: 60 x 2/3 x 0.64 x e^(1.92 x 2/3)
    men = daily_load(acts, measure="trimp", hr_rest=50, hr_max=200)
    assert men.iloc[0] == pytest.approx(60 * (2 / 3) * 0.64 * math.exp(1.92 * 2 / 3), rel=1e-12)
    assert men.attrs["defaults_used"] == {}
    # women: 0.86 and 1.67
    women = daily_load(acts, measure="trimp", hr_rest=50, hr_max=200, sex="female")
    assert women.iloc[0] == pytest.approx(60 * (2 / 3) * 0.86 * math.exp(1.67 * 2 / 3), rel=1e-12)


def test_trimp_says_which_defaults_it_used() -> None:
    acts = frame(activity(at(1), 10.0, minutes=60, avg_hr=150), activity(at(2), 5.0))
    load = daily_load(acts, measure="trimp", hr_max=180)
    assert load.attrs["defaults_used"] == {"hr_rest": HR_REST_DEFAULT}
    hrr = (150 - HR_REST_DEFAULT) / (180 - HR_REST_DEFAULT)
    assert load.iloc[0] == pytest.approx(60 * hrr * 0.64 * math.exp(1.92 * hrr), rel=1e-12)
    assert load.iloc[1] == 0.0  # no heart rate: no TRIMP, counted
    assert load.attrs["missing_hr"] == 1
    both = daily_load(acts, measure="trimp")
    assert both.attrs["defaults_used"] == {"hr_rest": HR_REST_DEFAULT, "hr_max": HR_MAX_DEFAULT}
    assert (HR_REST_DEFAULT, HR_MAX_DEFAULT) == (60.0, 190.0)


def test_srpe_counts_runs_without_rpe() -> None:
    acts = frame(
        activity(at(1), 10.0, minutes=40, rpe=5),
        activity(at(1, 18), 4.0, minutes=25),
        activity(at(2), 4.0, minutes=30, rpe=7.5),
    )
    load = daily_load(acts, measure="srpe")
    assert list(load) == [200.0, 225.0]
    assert load.attrs["missing_rpe"] == 1
    no_column = daily_load(acts.drop(columns="rpe"), measure="srpe")
    assert list(no_column) == [0.0, 0.0]
    assert no_column.attrs["missing_rpe"] == 3


def test_bad_measure_and_bad_rpe_are_rejected() -> None:
    acts = frame(activity(at(1), 10.0, rpe=11))
    with pytest.raises(ValueError, match="measure"):
        daily_load(acts, measure="pace")
    with pytest.raises(ValueError, match="rpe"):
        daily_load(acts, measure="srpe")


def test_missing_columns_are_named() -> None:
    acts = frame(activity(at(1), 10.0)).drop(columns=["timer_s"])
    with pytest.raises(ValueError, match="timer_s"):
        daily_load(acts)


# ---------------------------------------------------------------- no mutation
def test_no_function_mutates_the_activities_frame() -> None:
    acts = frame(
        activity(at(1), 5.0, avg_hr=140, rpe=4),
        activity(at(3, 20), 12.0, offset_h=-5, sub_sport="trail"),
        activity(at(4), 30.0, sport="cycling"),
        activity(at(9), 7.0, athlete="bob"),
        activity(at(20), 11.0, athlete="bob"),
    )
    before = acts.copy(deep=True)
    ann = daily_load(acts, athlete="ann", measure="trimp")
    daily_metrics(ann)
    weekly_table(ann, acts)
    run_spikes(acts)
    metrics = all_athletes_daily_metrics(acts, end="2024-01-31")
    athlete_status(acts, end="2024-01-31")
    athlete_status(acts, metrics=metrics, spikes=run_spikes(acts))
    pd.testing.assert_frame_equal(acts, before)
    assert list(acts.columns) == list(before.columns)
