"""Wellness and rehab context as daily series (science.md section 8). Pure functions.

Input contracts (pandas DataFrames, never modified):

- wellness rows: ``date`` (date or Timestamp), ``source`` (``garmin`` device
  or ``self`` check-in) and any of the value columns of
  :data:`SERIES_COLUMNS`;
- rehab sessions: ``date``, ``exercise``;
- rehab plan: ``exercise``, ``per_week`` (target sessions per calendar week).

:func:`wellness_series` -> one row per calendar day, device and self values
in separate columns, plus ``sleep_h`` (the device's hours where there are
any, the check-in's otherwise). The flag functions below give, per day, the
quantities the information alerts of ``loadwatch.alerts.wellness`` compare
with their thresholds. Units: hours, bpm, ms, 0-100 device scores, 0-10
(1-5 for sleep quality) self-ratings.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Value columns of the daily series.
SERIES_COLUMNS: tuple[str, ...] = (
    "sleep_h",
    "sleep_h_device",
    "sleep_h_self",
    "sleep_score",
    "sleep_quality",
    "resting_hr",
    "hrv_ms",
    "stress_device",
    "stress_self",
    "soreness",
    "fatigue",
)
_DEVICE = ("sleep_score", "resting_hr", "hrv_ms", "stress_device")
_SELF = ("sleep_quality", "stress_self", "soreness", "fatigue")


def _calendar(start: pd.Timestamp, end: pd.Timestamp) -> pd.DatetimeIndex:
    return pd.date_range(start.normalize(), end.normalize(), freq="D", name="date")


def wellness_series(
    rows: pd.DataFrame,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Daily wellness on a complete calendar (NaN on days without a value).

    ``start``/``end`` default to the first and last date in ``rows``.
    """
    if len(rows) == 0 and (start is None or end is None):
        return pd.DataFrame(columns=list(SERIES_COLUMNS), index=pd.DatetimeIndex([], name="date"))
    dates = pd.to_datetime(rows["date"]) if len(rows) else pd.Series(dtype="datetime64[ns]")
    first = pd.Timestamp(start) if start is not None else dates.min()
    last = pd.Timestamp(end) if end is not None else dates.max()
    index = _calendar(first, last)
    out = pd.DataFrame(index=index, columns=list(SERIES_COLUMNS), dtype=float)
    if len(rows) == 0:
        return out
    frame = rows.assign(date=dates)
    for source, columns, sleep_col in (
        ("garmin", _DEVICE, "sleep_h_device"),
        ("self", _SELF, "sleep_h_self"),
    ):
        part = frame[frame["source"] == source]
        if part.empty:
            continue
        part = part.groupby("date").last()  # one row per date and source (the store's key)
        wanted = [c for c in columns if c in part.columns]
        out.loc[:, wanted] = part[wanted].astype(float).reindex(index).to_numpy()
        if "sleep_h" in part.columns:
            out[sleep_col] = part["sleep_h"].astype(float).reindex(index)
    out["sleep_h"] = out["sleep_h_device"].fillna(out["sleep_h_self"])
    return out


def prior_median(values: pd.Series, *, days: int = 28, min_values: int = 7) -> pd.Series:
    """Median of the ``days`` calendar days before each day (the day itself excluded).

    NaN until ``min_values`` values exist in that window. ``values`` must be on
    a complete daily calendar.
    """
    return values.shift(1).rolling(days, min_periods=min_values).median()


def short_sleep_nights(
    sleep_h: pd.Series,
    *,
    min_hours: float = 6.0,
    below_median_h: float = 1.0,
    median_days: int = 28,
    window: int = 4,
) -> pd.DataFrame:
    """Per day: ``short`` (the night was below ``min_hours``, or ``below_median_h``
    under the median of the ``median_days`` before), ``median`` and
    ``short_nights`` (short nights among the last ``window`` days, day included).

    A day without a sleep value is not short.
    """
    median = prior_median(sleep_h, days=median_days)
    short = (sleep_h < min_hours) | (sleep_h < median - below_median_h)
    short = short & sleep_h.notna()
    count = short.astype(float).rolling(window, min_periods=1).sum()
    return pd.DataFrame({"short": short, "median": median, "short_nights": count})


def resting_hr_rise(
    resting_hr: pd.Series, *, median_days: int = 28, rise_bpm: float = 5.0, days: int = 3
) -> pd.DataFrame:
    """Per day: ``above`` (bpm over the median of the ``median_days`` before),
    ``median``, and ``run`` (consecutive days, this one included, at least
    ``rise_bpm`` above; a day without a value breaks the run)."""
    median = prior_median(resting_hr, days=median_days)
    above = resting_hr - median
    high = (above >= rise_bpm).to_numpy()
    # length of the current run of True values, vectorised
    idx = np.arange(len(high))
    last_false = np.maximum.accumulate(np.where(~high, idx, -1))
    run = np.where(high, idx - last_false, 0)
    return pd.DataFrame({"above": above, "median": median, "run": run}, index=resting_hr.index)


def soreness_rise(
    soreness: pd.Series, *, span_days: int = 14, week_days: int = 7, min_ratings: int = 3
) -> pd.Series:
    """Rise in soreness over ``span_days``: the mean rating of the last ``week_days``
    days minus the mean of the ``week_days`` days ending ``span_days`` earlier.

    Means of a week, not single days, so one sore day is not a trend; NaN
    when either week holds fewer than ``min_ratings`` ratings. 0-10 points.
    ``soreness`` must be on a complete daily calendar.
    """
    weekly = soreness.rolling(week_days, min_periods=min_ratings).mean()
    return weekly - weekly.shift(span_days)


def rehab_done(sessions: pd.DataFrame, *, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Days (rows, complete calendar) x exercises (columns): 1 when logged that day, else 0.

    Several entries of one exercise on one day (sets logged one by one) are one session.
    """
    index = _calendar(pd.Timestamp(start), pd.Timestamp(end))
    if len(sessions) == 0:
        return pd.DataFrame(index=index)
    frame = sessions.assign(date=pd.to_datetime(sessions["date"]), one=1)
    done = frame.pivot_table(index="date", columns="exercise", values="one", aggfunc="max")
    return done.reindex(index).fillna(0).astype(int)


def weekly_adherence(
    sessions: pd.DataFrame,
    plan: pd.DataFrame,
    *,
    start: pd.Timestamp,
    end: pd.Timestamp,
    week_start: int = 0,
) -> pd.DataFrame:
    """Calendar weeks (first day ``week_start``, 0 = Monday) of rehab against the plan.

    Columns: ``week_start`` (date), ``planned`` (sessions the plan asks for),
    ``done`` (sessions of planned exercises, each exercise counted up to its
    target), ``extra`` (sessions beyond targets or of exercises not in the
    plan), ``adherence`` (done / planned, 0-1; NaN without a plan).
    """
    done = rehab_done(sessions, start=start, end=end)
    offset = (pd.DatetimeIndex(done.index).day_of_week - week_start) % 7
    weeks = done.index - pd.to_timedelta(offset, unit="D")
    per_week = done.groupby(weeks).sum()
    per_week.index.name = "week_start"
    target = (
        plan.set_index("exercise")["per_week"].astype(int) if len(plan) else pd.Series(dtype=int)
    )
    all_weeks = pd.DatetimeIndex(sorted(set(weeks)), name="week_start")
    per_week = per_week.reindex(all_weeks, fill_value=0)
    counted = pd.Series(0, index=all_weeks)
    for exercise, n in target.items():
        if exercise in per_week.columns:
            counted = counted + per_week[exercise].clip(upper=n)
    total = per_week.sum(axis=1) if len(per_week.columns) else pd.Series(0, index=all_weeks)
    planned = int(target.sum())
    out = pd.DataFrame(
        {
            "week_start": all_weeks.date,
            "planned": planned,
            "done": counted.astype(int).to_numpy(),
            "extra": (total - counted).astype(int).to_numpy(),
        }
    )
    out["adherence"] = out["done"] / planned if planned else np.nan
    return out


def rehab_rolling(
    sessions: pd.DataFrame,
    plan: pd.DataFrame,
    *,
    start: pd.Timestamp,
    end: pd.Timestamp,
    days: int = 7,
) -> pd.Series:
    """Per day, rehab over the ``days`` days ending that day.

    With a plan: adherence (0-1), sessions of planned exercises (each up to its
    weekly target) over the plan's weekly total. Without one: the number of
    sessions (exercise-days).
    """
    done = rehab_done(sessions, start=start, end=end)
    if done.empty or len(done.columns) == 0:
        return pd.Series(0.0, index=done.index, name="rehab_7d")
    rolled = done.rolling(days, min_periods=1).sum()
    if len(plan) == 0:
        return rolled.sum(axis=1).rename("rehab_7d")
    target = plan.set_index("exercise")["per_week"].astype(float)
    counted = pd.Series(0.0, index=done.index)
    for exercise, n in target.items():
        if exercise in rolled.columns:
            counted = counted + rolled[exercise].clip(upper=n)
    return (counted / float(target.sum())).rename("rehab_7d")
