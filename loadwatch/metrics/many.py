"""Metrics for every athlete at once, and the one-row-per-athlete coach status."""

from __future__ import annotations

import numpy as np
import pandas as pd

from loadwatch.metrics._input import DateLike, days_to_index
from loadwatch.metrics.daily import METRIC_COLUMNS, metrics_arrays
from loadwatch.metrics.load import HrSetting, build_daily_loads
from loadwatch.metrics.spikes import run_spikes

#: Columns of :func:`athlete_status`, in order (index: athlete).
STATUS_COLUMNS: tuple[str, ...] = (
    "date",
    "measure",
    "week_load",
    "prev_week_load",
    "ramp_pct",
    "acwr",
    "acwr_uncoupled",
    "acwr_ewma",
    "monotony",
    "ctl",
    "atl",
    "tsb",
    "history_days",
    "last_run_start_utc",
    "last_run_km",
    "last_longest_30d_km",
    "last_spike_pct",
    "last_spike_category",
)


def all_athletes_daily_metrics(
    activities: pd.DataFrame,
    *,
    measure: str = "distance",
    start: DateLike | None = None,
    end: DateLike | None = None,
    all_sports: bool = False,
    hr_rest: HrSetting = None,
    hr_max: HrSetting = None,
    sex: str = "male",
) -> pd.DataFrame:
    """:func:`daily_metrics` of every athlete's :func:`daily_load`, in one vectorised pass.

    Index: MultiIndex (``athlete``, ``date``); columns and units as
    :func:`daily_metrics`. Each athlete's calendar runs from their first counted
    activity (or ``start``) to ``end`` (default: their own last activity), exactly
    as :func:`daily_load` with the same arguments, and the numbers are identical
    to computing each athlete alone. ``hr_rest``/``hr_max`` (bpm, for trimp) may
    be one value or a mapping athlete -> value.
    """
    loads = build_daily_loads(
        activities,
        measure=measure,
        start=start,
        end=end,
        all_sports=all_sports,
        hr_rest=hr_rest,
        hr_max=hr_max,
        sex=sex,
    )
    arrays = metrics_arrays(loads.values, loads.lengths)
    # names given as codes: from_arrays would otherwise hash every row's name again
    names = pd.Categorical.from_codes(
        np.repeat(np.arange(len(loads.athletes)), loads.lengths),
        categories=pd.Index(loads.athletes),
    )
    index = pd.MultiIndex.from_arrays(
        [names, days_to_index(loads.day_numbers())], names=["athlete", "date"]
    )
    # a plain (not categorical) athlete level, as from_arrays on the names would give
    index = index.set_levels(list(loads.athletes), level="athlete")
    frame = pd.DataFrame(arrays, index=index, columns=list(METRIC_COLUMNS))
    frame.attrs.update(loads.attrs)
    return frame


def athlete_status(
    activities: pd.DataFrame,
    *,
    measure: str = "distance",
    end: DateLike | None = None,
    all_sports: bool = False,
    hr_rest: HrSetting = None,
    hr_max: HrSetting = None,
    sex: str = "male",
    metrics: pd.DataFrame | None = None,
    spikes: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per athlete (index ``athlete``) with the latest day's values, for a coach table.

    ``date`` is the last day of each athlete's series (``end`` when given, so
    pass today). ``week_load``/``prev_week_load`` are the rolling 7-day loads
    (t-6..t, t-13..t-7) in the measure's unit (km for distance), then
    ``ramp_pct``, ``acwr``, ``acwr_uncoupled``, ``acwr_ewma``, ``monotony``,
    ``ctl``/``atl``/``tsb`` as in :func:`daily_metrics`, and the athlete's most
    recent run up to ``date``: start, km, longest of the 30 days before (km),
    spike_pct and category (see :func:`run_spikes`). Pass ``metrics``
    (from :func:`all_athletes_daily_metrics`) and/or ``spikes`` (from
    :func:`run_spikes`) when already computed to avoid doing it twice.
    """
    if metrics is None:
        metrics = all_athletes_daily_metrics(
            activities,
            measure=measure,
            end=end,
            all_sports=all_sports,
            hr_rest=hr_rest,
            hr_max=hr_max,
            sex=sex,
        )
    if spikes is None:
        spikes = run_spikes(activities, all_sports=all_sports)

    athletes = metrics.index.get_level_values("athlete")
    last_rows = np.zeros(0, dtype=np.int64)
    if len(metrics):
        last_rows = np.flatnonzero(np.r_[athletes[1:] != athletes[:-1], True])
    latest = metrics.iloc[last_rows]
    status = pd.DataFrame(
        {
            "date": latest.index.get_level_values("date"),
            "measure": metrics.attrs.get("measure", measure),
        },
        index=pd.Index(latest.index.get_level_values("athlete"), name="athlete"),
    )
    for column in STATUS_COLUMNS[2:13]:
        status[column] = latest[column].to_numpy()

    # the most recent run on or before each athlete's status date
    as_of = status["date"].reindex(spikes["athlete"]).to_numpy()
    usable = spikes[spikes["local_date"].to_numpy() <= as_of]
    last_run = usable.groupby("athlete", sort=False).tail(1).set_index("athlete")
    last_run = last_run.reindex(status.index)
    status["last_run_start_utc"] = last_run["start_utc"]
    status["last_run_km"] = last_run["distance_km"]
    status["last_longest_30d_km"] = last_run["longest_30d_km"]
    status["last_spike_pct"] = last_run["spike_pct"]
    status["last_spike_category"] = last_run["category"]
    return status[list(STATUS_COLUMNS)]
