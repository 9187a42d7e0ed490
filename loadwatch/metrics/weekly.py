"""Calendar-week totals and week-over-week ramp (science.md section 2)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from loadwatch.metrics._input import (
    NS_PER_DAY,
    MetricsInputError,
    codes_of,
    days_to_index,
    local_days,
    running_mask,
)
from loadwatch.metrics.daily import check_daily_series
from loadwatch.metrics.load import MEASURES

WEEKDAYS: tuple[str, ...] = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)

#: Columns of :func:`weekly_table`, in order (a MultiIndex input adds ``athlete`` first).
WEEKLY_COLUMNS: tuple[str, ...] = (
    "week_start",
    "days",
    "load",
    "distance",
    "runs",
    "longest_run",
    "ramp_pct",
)

# 1970-01-01, day 0, was a Thursday (weekday 3 with Monday = 0)
_EPOCH_WEEKDAY = 3


def weekday_number(name: str) -> int:
    """Monday = 0 .. Sunday = 6, from a full or three-letter English day name."""
    key = name.strip().lower()
    for number, day in enumerate(WEEKDAYS):
        if key in (day, day[:3]):
            return number
    raise MetricsInputError(f"week_start must be a weekday name such as 'monday', not {name!r}")


def _blocks(load: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str] | None]:
    """(values, day numbers, block lengths, athlete names or None) of a daily load series.

    A plain series is one block; an (athlete, date) MultiIndex series, such as
    ``all_athletes_daily_metrics(...)["load"]``, is one block per athlete, each a
    run of consecutive dates.
    """
    if not isinstance(load.index, pd.MultiIndex):
        values = check_daily_series(load)
        days = pd.DatetimeIndex(load.index).as_unit("ns").asi8 // NS_PER_DAY
        return values, days, np.array([len(values)]), None
    if load.index.nlevels != 2:
        raise MetricsInputError("load: a MultiIndex must be (athlete, date)")
    dates = load.index.get_level_values(1)
    if not isinstance(dates, pd.DatetimeIndex):
        raise MetricsInputError("load: the second index level must hold dates")
    codes, names = codes_of(pd.Series(load.index.get_level_values(0)))
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]]) if len(codes) else np.zeros(0)
    if len(starts) != len(names):
        raise MetricsInputError("load: each athlete's days must be together, in date order")
    values = load.to_numpy(dtype=float)
    if np.isnan(values).any() or (values < 0).any():
        raise MetricsInputError("load has missing or negative values; rest days must be 0")
    days = dates.as_unit("ns").asi8 // NS_PER_DAY
    steps = np.diff(days)
    inside = np.ones(len(steps), dtype=bool)
    inside[starts[1:].astype(np.int64) - 1] = False  # a new athlete may start on any day
    if (steps[inside] != 1).any() or (days * NS_PER_DAY != dates.as_unit("ns").asi8).any():
        raise MetricsInputError("load: each athlete's dates must be consecutive calendar days")
    lengths = np.diff(np.r_[starts, len(values)]).astype(np.int64)
    return values, days, lengths, [str(name) for name in names]


def _run_rows(runs: pd.DataFrame, athletes: list[str] | None, fallback: object) -> pd.DataFrame:
    """Running-family rows of ``runs`` with columns block (index into athletes), day, km."""
    if "local_date" not in runs.columns:
        raise MetricsInputError("runs: missing column local_date")
    rows = runs
    if "sport" in rows.columns:
        rows = rows[running_mask(rows, all_sports=False)]
    if "distance_km" in rows.columns:
        km = rows["distance_km"].to_numpy(dtype=float)
    elif "distance_m" in rows.columns:
        km = rows["distance_m"].to_numpy(dtype=float) / 1000.0
    else:
        raise MetricsInputError("runs: need a distance_km or distance_m column")
    block = np.zeros(len(rows), dtype=np.int64)
    if "athlete" in rows.columns:
        wanted = athletes if athletes is not None else [fallback]
        if athletes is None and fallback is None:
            if len(pd.unique(rows["athlete"].dropna())) > 1:
                raise MetricsInputError("runs hold several athletes; pass one athlete's runs")
        else:
            lookup = pd.Index([str(name) for name in wanted])
            block = lookup.get_indexer(pd.Index(rows["athlete"].astype(str)))
    return pd.DataFrame(
        {"block": block, "day": local_days(rows["local_date"]), "km": np.nan_to_num(km, nan=0.0)}
    )


def weekly_table(
    load: pd.Series,
    runs: pd.DataFrame | None = None,
    *,
    week_start: str = "monday",
) -> pd.DataFrame:
    """Calendar-week totals of a daily load series, one row per week, oldest first.

    ``load`` is one athlete's daily series (as from ``daily_load``) or, for
    every athlete at once, an (athlete, date) MultiIndex series such as
    ``all_athletes_daily_metrics(...)["load"]``; the table then starts with an
    ``athlete`` column. Weeks start on ``week_start`` (default Monday, ISO 8601).

    - ``week_start``: the week's first date; ``days``: how many of its days are
      in the series (fewer than 7 for a partial first or last week).
    - ``load``: sum of the daily load in the week, in the series' unit (its
      ``name``, or ``attrs["measure"]``, says the measure: km for distance,
      minutes, TRIMP, AU).
    - ``distance``: km in the week: equal to ``load`` when the series is a
      distance series, else the sum of the runs' distances (NaN without ``runs``).
    - ``runs``: number of runs, ``longest_run``: the longest in km (NaN without
      ``runs``; a week without runs has longest NaN). Only running-family rows
      of ``runs`` dated inside the series count; the frame may be activities or
      :func:`run_spikes` output (``distance_m`` or ``distance_km``), and is
      matched on ``athlete`` when it has that column.
    - ``ramp_pct`` = 100 (load - previous week's load) / previous week's load;
      NaN for the first week and when the previous week is 0.
    """
    values, days, lengths, athletes = _blocks(load)
    start_number = weekday_number(week_start)
    columns = (["athlete"] if athletes is not None else []) + list(WEEKLY_COLUMNS)
    if len(values) == 0:
        return pd.DataFrame({c: pd.Series(dtype=float) for c in columns})

    block_of_day = np.repeat(np.arange(len(lengths)), lengths)
    block_first = np.cumsum(lengths) - lengths
    week_of_day = days - (days + _EPOCH_WEEKDAY - start_number) % 7
    first_week = week_of_day[block_first]
    last_week = week_of_day[block_first + lengths - 1]
    n_weeks = (last_week - first_week) // 7 + 1
    week_offset = np.cumsum(n_weeks) - n_weeks
    slot = week_offset[block_of_day] + (week_of_day - first_week[block_of_day]) // 7
    total = int(n_weeks.sum())
    week_load = np.bincount(slot, weights=values, minlength=total)
    n_days = np.bincount(slot, minlength=total)
    previous = np.r_[np.nan, week_load[:-1]]
    previous[week_offset] = np.nan  # each athlete's first week has no previous week
    ramp = np.divide(
        100.0 * (week_load - previous),
        previous,
        out=np.full(total, np.nan),
        where=~np.isnan(previous) & (previous > 0),
    )

    run_count: np.ndarray = np.full(total, np.nan)
    longest = np.full(total, np.nan)
    run_km = np.full(total, np.nan)
    if runs is not None:
        found = _run_rows(runs, athletes, load.attrs.get("athlete"))
        block = found["block"].to_numpy()
        day = found["day"].to_numpy()
        known = block >= 0
        block_c = np.where(known, block, 0)
        first_day = days[block_first][block_c]
        last_day = days[block_first + lengths - 1][block_c]
        inside = known & (day >= first_day) & (day <= last_day)
        run_week = day - (day + _EPOCH_WEEKDAY - start_number) % 7
        run_slot = (week_offset[block_c] + (run_week - first_week[block_c]) // 7)[inside]
        km = found["km"].to_numpy()[inside]
        counts = np.bincount(run_slot, minlength=total)
        run_km = np.bincount(run_slot, weights=km, minlength=total)
        longest = np.full(total, -np.inf)
        np.maximum.at(longest, run_slot, km)
        longest[counts == 0] = np.nan
        run_count = counts
    measure = load.name if load.name in MEASURES else load.attrs.get("measure")
    distance = week_load if measure == "distance" else run_km

    week_block = np.repeat(np.arange(len(lengths)), n_weeks)
    week_number = np.arange(total) - week_offset[week_block]
    data: dict[str, object] = {}
    if athletes is not None:
        data["athlete"] = np.asarray(athletes, dtype=object)[week_block]
    data.update(
        week_start=days_to_index(first_week[week_block] + 7 * week_number),
        days=n_days,
        load=week_load,
        distance=distance,
        runs=run_count,
        longest_run=longest,
        ramp_pct=ramp,
    )
    table = pd.DataFrame(data, columns=columns)
    table.attrs.update({str(key): value for key, value in load.attrs.items()})
    table.attrs["week_start"] = WEEKDAYS[start_number]
    return table
