"""ACWR against an independent implementation (CRAN ACWR 0.1.0; data/reference_acwr/SOURCE.md)."""

from __future__ import annotations

from pathlib import Path

import corpus
import numpy as np
import pandas as pd
import pytest

from loadwatch.metrics import daily_metrics

DATA = Path(__file__).resolve().parent / "data" / "reference_acwr"
SHARED = corpus.REFERENCE / "acwr"
SERIES = ["a_steady_spike", "b_runner_build"]
FULL_WINDOW_DAY = 28  # first day (1-based) with a full 28-day chronic window
RTOL = 1e-9


def _load(series: str) -> tuple[pd.Series, pd.DataFrame]:
    given = pd.read_csv(DATA / f"input_{series}.csv", parse_dates=["date"])
    expected = pd.read_csv(DATA / f"output_{series}_calendar.csv", parse_dates=["date"])
    load = pd.Series(
        given["load"].to_numpy(dtype=float),
        index=pd.DatetimeIndex(given["date"], name="date"),
        name="distance",
    )
    return load, expected


def _assert_close(ours: np.ndarray, reference: np.ndarray) -> None:
    assert len(ours) == len(reference) > 0
    assert not np.isnan(reference).any()
    np.testing.assert_allclose(ours, reference, rtol=RTOL, atol=0)


@pytest.mark.parametrize("series", SERIES)
@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        ("acute_7d", "acute_rac_unrounded"),
        ("chronic_28d", "chronic_rac_coupled_unrounded"),
        ("acwr", "acwr_rac_coupled_unrounded"),
    ],
)
def test_coupled_rolling_average_matches_reference_from_day_28(
    series: str, ours: str, theirs: str
) -> None:
    load, expected = _load(series)
    metrics = daily_metrics(load)
    from_day = expected["day"].to_numpy() >= FULL_WINDOW_DAY
    _assert_close(metrics[ours].to_numpy()[from_day], expected[theirs].to_numpy(float)[from_day])


@pytest.mark.parametrize("series", SERIES)
@pytest.mark.parametrize("column", ["acute_ewma", "chronic_ewma"])
def test_ewma_loads_match_reference_every_day(series: str, column: str) -> None:
    load, expected = _load(series)
    metrics = daily_metrics(load)
    _assert_close(metrics[column].to_numpy(), expected[column].to_numpy(float))


@pytest.mark.parametrize("series", SERIES)
def test_ewma_ratio_matches_reference(series: str) -> None:
    load, expected = _load(series)
    metrics = daily_metrics(load)
    reference = expected["acwr_ewma"].to_numpy(float)
    # every day: the ratio of our two EWMAs is the package's ratio (NaN only for 0/0)
    ratio = np.divide(
        metrics["acute_ewma"].to_numpy(),
        metrics["chronic_ewma"].to_numpy(),
        out=np.full(len(load), np.nan),
        where=metrics["chronic_ewma"].to_numpy() > 0,
    )
    np.testing.assert_array_equal(np.isnan(ratio), np.isnan(reference))
    defined = ~np.isnan(reference)
    _assert_close(ratio[defined], reference[defined])
    # the reported acwr_ewma follows science.md: NaN until a full 28-day window, then the ratio
    from_day = expected["day"].to_numpy() >= FULL_WINDOW_DAY
    assert metrics["acwr_ewma"][~from_day].isna().all()
    _assert_close(metrics["acwr_ewma"].to_numpy()[from_day], reference[from_day])


def test_the_spike_series_moves_the_ratio() -> None:
    # guards against a comparison that passes because everything is 1
    load, _ = _load("a_steady_spike")
    acwr = daily_metrics(load)["acwr"]
    assert acwr.max() > 1.5


@pytest.mark.corpus
def test_copied_reference_files_match_the_shared_originals() -> None:
    corpus.need_shared(SHARED, "shared ACWR reference")
    for copy in sorted(DATA.glob("*.csv")):
        assert copy.read_bytes() == (SHARED / copy.name).read_bytes(), copy.name
