"""run_spikes: Frandsen 2025 categories, the [start - 30 d, start) window, a brute-force check."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from loadwatch.metrics import SPIKE_COLUMNS, run_spikes

T0 = pd.Timestamp("2024-03-01 07:00", tz="UTC")


def runs(*items: tuple[pd.Timestamp, float] | tuple[pd.Timestamp, float, str]) -> pd.DataFrame:
    """Activities from (start_utc, km[, sport]) tuples, all for athlete 'ann', UTC wall clock."""
    rows = []
    for number, item in enumerate(items, start=1):
        start, km = item[0], item[1]
        sport = item[2] if len(item) > 2 else "running"
        rows.append(
            {
                "id": number,
                "athlete": "ann",
                "sport": sport,
                "sub_sport": None,
                "start_utc": start,
                "local_date": start.date(),
                "distance_m": km * 1000.0,
                "timer_s": km * 330.0,
                "avg_hr": math.nan,
            }
        )
    return pd.DataFrame(rows)


def last(frame: pd.DataFrame) -> pd.Series:
    return run_spikes(frame).iloc[-1]


@pytest.mark.parametrize(
    ("previous", "km", "spike", "category"),
    [
        (10.0, 11.0, 10.0, "reference"),  # exactly +10 %
        (10.0, 11.01, 10.1, "small"),
        (10.0, 13.0, 30.0, "small"),  # exactly +30 %
        (10.0, 13.01, 30.1, "moderate"),
        (10.0, 20.0, 100.0, "moderate"),  # exactly +100 %
        (10.0, 20.01, 100.1, "large"),
        (8.0, 8.8, 10.0, "reference"),  # 8.8 / 8 - 1 is 0.10000000000000009 in floats
        (5.0, 6.5, 30.0, "small"),
        (10.0, 5.0, -50.0, "reference"),  # a decrease
        (10.0, 10.0, 0.0, "reference"),
    ],
)
def test_category_boundaries(previous: float, km: float, spike: float, category: str) -> None:
    row = last(runs((T0, previous), (T0 + pd.Timedelta(days=2), km)))
    assert row["longest_30d_km"] == previous
    assert row["spike_pct"] == pytest.approx(spike, abs=1e-9)
    assert row["category"] == category


def test_first_run_has_no_spike() -> None:
    row = last(runs((T0, 10.0)))
    assert row["category"] == "none"
    assert math.isnan(row["spike_pct"])
    assert math.isnan(row["longest_30d_km"])


def test_a_run_exactly_30_days_before_counts() -> None:
    row = last(runs((T0, 10.0), (T0 + pd.Timedelta(days=30), 15.0)))
    assert row["longest_30d_km"] == 10.0
    assert row["category"] == "moderate"


def test_a_run_30_days_and_a_second_before_does_not_count() -> None:
    row = last(runs((T0, 10.0), (T0 + pd.Timedelta(days=30, seconds=1), 15.0)))
    assert row["category"] == "none"
    assert math.isnan(row["longest_30d_km"])


def test_an_earlier_run_the_same_day_counts() -> None:
    row = last(runs((T0, 5.0), (T0 + pd.Timedelta(hours=10), 10.0)))
    assert row["longest_30d_km"] == 5.0
    assert row["spike_pct"] == pytest.approx(100.0)
    assert row["category"] == "moderate"


def test_a_run_never_counts_against_itself_or_a_later_run() -> None:
    spikes = run_spikes(
        runs((T0, 5.0), (T0 + pd.Timedelta(days=1), 20.0), (T0 + pd.Timedelta(days=2), 6.0))
    )
    assert list(spikes["longest_30d_km"].iloc[1:]) == [5.0, 20.0]
    assert list(spikes["category"]) == ["none", "large", "reference"]


def test_longest_not_latest() -> None:
    spikes = run_spikes(
        runs(
            (T0, 20.0),
            (T0 + pd.Timedelta(days=10), 5.0),
            (T0 + pd.Timedelta(days=20), 10.0),
            (T0 + pd.Timedelta(days=31), 10.0),  # the 20 km run has left the window
        )
    )
    assert list(spikes["longest_30d_km"]) == pytest.approx(
        [math.nan, 20.0, 20.0, 10.0], nan_ok=True
    )
    assert list(spikes["spike_pct"].iloc[1:]) == pytest.approx([-75.0, -50.0, 0.0])


def test_other_sports_are_not_runs() -> None:
    acts = runs((T0, 40.0, "cycling"), (T0 + pd.Timedelta(days=1), 10.0))
    only_runs = run_spikes(acts)
    assert len(only_runs) == 1
    assert only_runs.iloc[0]["category"] == "none"
    every = run_spikes(acts, all_sports=True)
    assert every.iloc[-1]["longest_30d_km"] == 40.0


def test_athletes_are_looked_at_alone() -> None:
    acts = runs((T0, 30.0), (T0 + pd.Timedelta(days=1), 10.0))
    acts.loc[0, "athlete"] = "bob"
    spikes = run_spikes(acts)
    assert list(spikes["athlete"]) == ["ann", "bob"]
    assert (spikes["category"] == "none").all()
    assert list(run_spikes(acts, athlete="bob")["distance_km"]) == [30.0]


def test_output_columns_order_and_types() -> None:
    acts = runs((T0 + pd.Timedelta(days=3), 8.0), (T0, 5.0))  # given out of order
    spikes = run_spikes(acts)
    assert list(spikes.columns) == list(SPIKE_COLUMNS)
    assert list(spikes["id"]) == [2, 1]
    assert str(spikes["start_utc"].dt.tz) == "UTC"
    assert spikes["local_date"].iloc[0] == pd.Timestamp("2024-03-01")
    assert run_spikes(acts.drop(columns="id"))["id"].isna().all()
    assert run_spikes(acts.iloc[:0]).empty


def test_matches_a_brute_force_scan() -> None:
    rng = np.random.default_rng(42)
    n = 400
    first = T0 + pd.to_timedelta(np.sort(rng.integers(0, 400 * 86_400, n)), unit="s")
    # some runs exactly 30 days after another one, and a same-instant pair
    starts = first.append(first[:20] + pd.Timedelta(days=30)).append(first[:1])
    km = np.round(rng.gamma(3.0, 3.0, len(starts)), 2)
    acts = runs(*zip(starts, km, strict=True))
    acts["athlete"] = rng.choice(["ann", "bob"], len(acts))
    got = run_spikes(acts)

    window = dt.timedelta(days=30)
    expected_longest = []
    for _, row in got.iterrows():
        mine = acts[acts["athlete"] == row["athlete"]]
        earlier = mine[
            (mine["start_utc"] >= row["start_utc"] - window)
            & (mine["start_utc"] < row["start_utc"])
        ]
        expected_longest.append(earlier["distance_m"].max() / 1000.0 if len(earlier) else math.nan)
    np.testing.assert_allclose(got["longest_30d_km"], expected_longest, rtol=0, atol=1e-12)
    assert got["category"].value_counts().get("none", 0) < len(got) / 4
