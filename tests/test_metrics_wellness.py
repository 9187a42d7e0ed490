"""Invariants of the wellness and rehab series (hypothesis), and their input contracts."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from loadwatch.metrics.wellness import (
    rehab_rolling,
    resting_hr_rise,
    short_sleep_nights,
    weekly_adherence,
    wellness_series,
)

DAY0 = date(2026, 1, 5)  # a Monday
EXERCISES = ["bridge", "clams", "bird-dog"]

sessions_st = st.lists(
    st.tuples(st.integers(0, 55), st.sampled_from(EXERCISES)), min_size=0, max_size=80
)
plan_st = st.dictionaries(st.sampled_from(EXERCISES), st.integers(1, 7), min_size=1)


def _sessions(pairs: list[tuple[int, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"date": DAY0 + timedelta(days=d), "exercise": e} for d, e in pairs],
        columns=["date", "exercise"],
    )


def _plan(plan: dict[str, int]) -> pd.DataFrame:
    return pd.DataFrame(list(plan.items()), columns=["exercise", "per_week"])


@given(sessions_st, plan_st)
def test_adherence_is_a_share_and_counts_add_up(
    pairs: list[tuple[int, str]], plan: dict[str, int]
) -> None:
    frame = _sessions(pairs)
    before = frame.copy()
    table = weekly_adherence(
        frame, _plan(plan), start=pd.Timestamp(DAY0), end=pd.Timestamp(DAY0 + timedelta(days=55))
    )
    pd.testing.assert_frame_equal(frame, before)  # inputs are not modified
    assert len(table) == 8
    assert ((table["adherence"] >= 0) & (table["adherence"] <= 1)).all()
    assert (table["done"] <= table["planned"]).all()
    # every distinct exercise-day is counted once, as done or extra
    distinct = {(d, e) for d, e in pairs}
    assert int(table["done"].sum() + table["extra"].sum()) == len(distinct)


@given(sessions_st, plan_st)
def test_rolling_adherence_stays_between_0_and_1(
    pairs: list[tuple[int, str]], plan: dict[str, int]
) -> None:
    series = rehab_rolling(
        _sessions(pairs),
        _plan(plan),
        start=pd.Timestamp(DAY0),
        end=pd.Timestamp(DAY0 + timedelta(days=55)),
    )
    assert len(series) == 56
    assert ((series >= 0) & (series <= 1)).all()


@given(
    st.lists(st.one_of(st.none(), st.floats(0, 14)), min_size=1, max_size=60),
    st.lists(st.one_of(st.none(), st.floats(0, 14)), min_size=1, max_size=60),
)
def test_device_and_self_sleep_never_mix(
    device: list[float | None], own: list[float | None]
) -> None:
    rows = [
        {"date": DAY0 + timedelta(days=i), "source": source, "sleep_h": v}
        for source, values in (("garmin", device), ("self", own))
        for i, v in enumerate(values)
        if v is not None
    ]
    if not rows:
        return
    series = wellness_series(pd.DataFrame(rows))
    for i, v in enumerate(device):
        day = pd.Timestamp(DAY0 + timedelta(days=i))
        if v is not None:
            assert series.at[day, "sleep_h_device"] == v
            assert series.at[day, "sleep_h"] == v
    for i, v in enumerate(own):
        day = pd.Timestamp(DAY0 + timedelta(days=i))
        if v is not None:
            assert series.at[day, "sleep_h_self"] == v
            has_device = i < len(device) and device[i] is not None
            if not has_device:
                assert series.at[day, "sleep_h"] == v


@given(st.lists(st.one_of(st.none(), st.floats(3, 11)), min_size=1, max_size=80))
def test_a_missing_night_is_never_short(nights: list[float | None]) -> None:
    values = pd.Series([np.nan if v is None else v for v in nights], dtype=float)
    flags = short_sleep_nights(values)
    assert not flags["short"][values.isna()].any()
    assert (flags["short_nights"] <= 4).all()


@given(st.lists(st.one_of(st.none(), st.integers(40, 80)), min_size=1, max_size=80))
def test_resting_hr_run_counts_consecutive_days(rhr: list[int | None]) -> None:
    values = pd.Series([np.nan if v is None else float(v) for v in rhr])
    out = resting_hr_rise(values)
    high = (out["above"] >= 5).to_numpy()
    run = 0
    for i, h in enumerate(high):  # plain loop: the independent count
        run = run + 1 if h else 0
        assert out["run"].iloc[i] == run
