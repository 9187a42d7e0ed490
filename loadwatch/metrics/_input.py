"""Input checks and column preparation shared by the metrics modules.

The activities contract (columns, units) is the one in :mod:`loadwatch.model`;
the helpers here only select, validate and convert, never mutate the caller's frame.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import numpy as np
import pandas as pd

from loadwatch.errors import ValidationError
from loadwatch.model import is_running

#: Nanoseconds in one day (local dates are handled as whole days since 1970-01-01).
NS_PER_DAY = 86_400 * 10**9

DateLike = dt.date | dt.datetime | pd.Timestamp | np.datetime64 | str


class MetricsInputError(ValidationError, ValueError):
    """The data handed to a metrics function breaks its contract.

    A :class:`ValueError` (so plain Python callers can catch it as such) and a
    :class:`~loadwatch.errors.LoadwatchError` (so the CLI prints it as one line).
    """


def require_columns(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    """Raise :class:`MetricsInputError` naming every required column that is missing."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise MetricsInputError(f"{what}: missing column(s) {', '.join(missing)}")


def local_days(values: pd.Series) -> np.ndarray:
    """Local dates (``datetime.date`` objects or datetime64) as int64 days since 1970-01-01.

    Any time of day is dropped; a timezone on the values is ignored because a
    local date is a wall-clock date, not an instant.
    """
    try:
        stamps = pd.to_datetime(values)
    except (TypeError, ValueError) as e:
        raise MetricsInputError(f"local_date: cannot read as dates ({e})") from e
    if isinstance(stamps.dtype, pd.DatetimeTZDtype):
        stamps = stamps.dt.tz_localize(None)
    if stamps.isna().any():
        raise MetricsInputError(
            f"local_date: {int(stamps.isna().sum())} activities have no local date; "
            "fill it from the athlete's time zone before computing metrics"
        )
    ns = stamps.to_numpy(dtype="datetime64[ns]").astype(np.int64)
    return np.floor_divide(ns, NS_PER_DAY)


def to_day(value: DateLike, what: str) -> int:
    """One date-like value as int64 days since 1970-01-01 (time of day dropped)."""
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError) as e:
        raise MetricsInputError(f"{what}: {value!r} is not a date") from e
    if stamp is pd.NaT:
        raise MetricsInputError(f"{what}: {value!r} is not a date")
    if stamp.tzinfo is not None:
        stamp = stamp.tz_localize(None)
    return int(stamp.normalize().value // NS_PER_DAY)


def days_to_index(days: np.ndarray) -> pd.DatetimeIndex:
    """int64 day numbers back to a tz-naive DatetimeIndex named ``date``."""
    return pd.DatetimeIndex(
        (np.asarray(days, dtype=np.int64) * NS_PER_DAY).view("datetime64[ns]"), name="date"
    )


def codes_of(values: pd.Series, sort: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes (-1 where missing) and the distinct values of a column.

    Goes through a plain object array: pandas' string arrays factorize several
    times slower, and this runs on every activity.
    """
    codes, uniques = pd.factorize(values.to_numpy(dtype=object), sort=sort)
    return codes, np.asarray(uniques, dtype=object)


def athlete_codes(rows: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """Compact codes 0..k-1 of ``rows["athlete"]`` (-1 where missing) and the k names, sorted."""
    codes, uniques = codes_of(rows["athlete"], sort=True)
    return codes, [str(name) for name in uniques]


def running_mask(activities: pd.DataFrame, all_sports: bool) -> np.ndarray:
    """Rows that count toward load: the running family, or every activity when ``all_sports``."""
    if all_sports:
        return np.ones(len(activities), dtype=bool)
    # ask is_running once per distinct sport name, not once per activity
    codes, names = codes_of(activities["sport"])
    verdict = np.array([is_running(str(name)) for name in names] + [False], dtype=bool)
    return verdict[codes]  # code -1 (missing sport) picks the trailing False


def select_athlete(
    activities: pd.DataFrame, athlete: str | None
) -> tuple[pd.DataFrame, str | None]:
    """The rows of one athlete; with ``athlete=None`` the frame must hold at most one."""
    names = pd.unique(activities["athlete"].dropna())
    if athlete is None:
        if len(names) > 1:
            raise MetricsInputError(
                f"activities hold {len(names)} athletes; pass athlete= to choose one "
                "(or use all_athletes_daily_metrics)"
            )
        return activities, (str(names[0]) if len(names) else None)
    return activities[activities["athlete"] == athlete], athlete
