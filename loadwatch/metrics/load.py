"""Daily load series (science.md section 1).

An activity belongs to the local calendar date of its start. The daily series
is a complete calendar with real zeros on rest days. Measures and units:

| measure    | unit                 | per activity                                           |
|------------|----------------------|--------------------------------------------------------|
| `distance` | km                   | distance_m / 1000                                      |
| `duration` | minutes              | timer_s / 60 (moving time)                             |
| `trimp`    | arbitrary units      | min x HRr x 0.64 e^(1.92 HRr) (women 0.86, 1.67)       |
| `srpe`     | arbitrary units (AU) | rpe (CR-10, 0-10) x moving minutes                     |
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from loadwatch.metrics._input import (
    DateLike,
    MetricsInputError,
    athlete_codes,
    days_to_index,
    local_days,
    require_columns,
    running_mask,
    select_athlete,
    to_day,
)

Measure = Literal["distance", "duration", "trimp", "srpe"]
MEASURES: tuple[str, ...] = ("distance", "duration", "trimp", "srpe")
MEASURE_UNITS: dict[str, str] = {
    "distance": "km",
    "duration": "min",
    "trimp": "TRIMP",
    "srpe": "AU",
}

#: Resting heart rate (bpm) used for TRIMP when the athlete profile has none.
HR_REST_DEFAULT = 60.0
#: Maximum heart rate (bpm) used for TRIMP when the athlete profile has none.
HR_MAX_DEFAULT = 190.0
#: Banister's weighting constants (a, b) in a x e^(b x HRr), by sex.
TRIMP_WEIGHTS: dict[str, tuple[float, float]] = {"male": (0.64, 1.92), "female": (0.86, 1.67)}

#: Columns every activities frame must have for daily load.
REQUIRED_COLUMNS: tuple[str, ...] = (
    "athlete",
    "sport",
    "local_date",
    "distance_m",
    "timer_s",
)

HrSetting = float | Mapping[str, float] | None


@dataclass(slots=True)
class DailyLoads:
    """Daily loads of one or more athletes, laid out one calendar after another.

    ``values[offsets[i]:offsets[i + 1]]`` is athlete ``athletes[i]``'s load on
    days ``first_day[i] .. first_day[i] + lengths[i] - 1`` (days since 1970-01-01).
    """

    athletes: list[str]
    first_day: np.ndarray
    lengths: np.ndarray
    values: np.ndarray
    attrs: dict[str, Any] = field(default_factory=dict)

    @property
    def offsets(self) -> np.ndarray:
        """Start of each athlete's block in ``values`` (length ``len(athletes) + 1``)."""
        return np.concatenate([[0], np.cumsum(self.lengths)]).astype(np.int64)

    def day_numbers(self) -> np.ndarray:
        """Day number of every element of ``values``."""
        starts = np.repeat(self.offsets[:-1], self.lengths)
        return np.repeat(self.first_day, self.lengths) + (np.arange(len(self.values)) - starts)


def trimp(
    minutes: np.ndarray,
    avg_hr: np.ndarray,
    hr_rest: np.ndarray | float,
    hr_max: np.ndarray | float,
    sex: str = "male",
) -> np.ndarray:
    """Banister TRIMP per activity: minutes x HRr x a x e^(b x HRr).

    HRr = (avg_hr - hr_rest) / (hr_max - hr_rest), clipped to [0, 1] so an
    average below the resting rate cannot give negative load and one above the
    maximum (a stale profile) cannot explode. NaN heart rate gives NaN.
    """
    if sex not in TRIMP_WEIGHTS:
        raise MetricsInputError(f"sex must be 'male' or 'female', not {sex!r}")
    a, b = TRIMP_WEIGHTS[sex]
    hrr = np.clip((avg_hr - hr_rest) / (np.subtract(hr_max, hr_rest)), 0.0, 1.0)
    return minutes * hrr * a * np.exp(b * hrr)


def _hr_values(
    setting: HrSetting, athletes: np.ndarray, default: float, name: str, used: dict[str, float]
) -> np.ndarray:
    """Per-row heart-rate setting: a scalar, a per-athlete mapping, or the default."""
    if setting is None:
        used[name] = default
        return np.full(len(athletes), default)
    if isinstance(setting, Mapping):
        values = pd.Series(athletes).map(setting).to_numpy(dtype=float)
        if np.isnan(values).any():
            used[name] = default
        return np.where(np.isnan(values), default, values)
    return np.full(len(athletes), float(setting))


def activity_loads(
    activities: pd.DataFrame,
    measure: str = "distance",
    *,
    hr_rest: HrSetting = None,
    hr_max: HrSetting = None,
    sex: str = "male",
) -> tuple[np.ndarray, dict[str, Any]]:
    """Load of each activity in ``measure`` units (see the module table), and notes.

    Missing values contribute 0 and are counted in the notes: ``missing_values``
    (distance/duration), ``missing_hr`` (trimp), ``missing_rpe`` (srpe);
    ``defaults_used`` maps each heart-rate setting that fell back to its default.
    """
    if measure not in MEASURES:
        raise MetricsInputError(f"measure must be one of {', '.join(MEASURES)}, not {measure!r}")
    notes: dict[str, Any] = {"defaults_used": {}}
    minutes = activities["timer_s"].to_numpy(dtype=float) / 60.0
    if measure == "distance":
        raw = activities["distance_m"].to_numpy(dtype=float) / 1000.0
        notes["missing_values"] = int(np.isnan(raw).sum())
    elif measure == "duration":
        raw = minutes
        notes["missing_values"] = int(np.isnan(raw).sum())
    elif measure == "trimp":
        require_columns(activities, ["avg_hr"], "trimp load")
        names = activities["athlete"].to_numpy(dtype=object)
        rest = _hr_values(hr_rest, names, HR_REST_DEFAULT, "hr_rest", notes["defaults_used"])
        top = _hr_values(hr_max, names, HR_MAX_DEFAULT, "hr_max", notes["defaults_used"])
        if (top <= rest).any():
            raise MetricsInputError("hr_max must be greater than hr_rest")
        raw = trimp(minutes, activities["avg_hr"].to_numpy(dtype=float), rest, top, sex)
        notes["missing_hr"] = int(np.isnan(raw).sum())
    else:
        if "rpe" in activities.columns:
            rpe = activities["rpe"].to_numpy(dtype=float)
        else:
            rpe = np.full(len(activities), np.nan)
        bad = (rpe < 0) | (rpe > 10)
        if bad.any():
            raise MetricsInputError(
                f"rpe must be on the CR-10 scale (0-10); {int(bad.sum())} are not"
            )
        raw = rpe * minutes
        notes["missing_rpe"] = int(np.isnan(rpe).sum())
    if (raw < 0).any():
        raise MetricsInputError(f"{measure}: negative values in the activities")
    return np.nan_to_num(raw, nan=0.0), notes


def build_daily_loads(
    activities: pd.DataFrame,
    *,
    measure: str = "distance",
    start: DateLike | None = None,
    end: DateLike | None = None,
    all_sports: bool = False,
    hr_rest: HrSetting = None,
    hr_max: HrSetting = None,
    sex: str = "male",
) -> DailyLoads:
    """Daily loads for every athlete in ``activities`` in one pass (see :class:`DailyLoads`).

    Each athlete's calendar runs from ``start`` (default: their first counted
    activity) to ``end`` (default: their last counted activity); activities
    outside it are ignored. An athlete with an empty calendar is left out.
    """
    require_columns(activities, REQUIRED_COLUMNS, "activities")
    first_bound = to_day(start, "start") if start is not None else None
    last_bound = to_day(end, "end") if end is not None else None
    if first_bound is not None and last_bound is not None and first_bound > last_bound:
        raise MetricsInputError(f"start ({start}) is after end ({end})")

    all_codes, all_names = athlete_codes(activities)
    counted = running_mask(activities, all_sports) & (all_codes >= 0)
    rows, row_codes = activities[counted], all_codes[counted]
    days = local_days(rows["local_date"])
    keep = np.ones(len(rows), dtype=bool)
    if first_bound is not None:
        keep &= days >= first_bound
    if last_bound is not None:
        keep &= days <= last_bound
    rows, days = rows[keep], days[keep]
    weights, notes = activity_loads(rows, measure, hr_rest=hr_rest, hr_max=hr_max, sex=sex)

    # renumber 0..k-1 over the athletes that have counted activities (names stay sorted)
    present, codes = np.unique(row_codes[keep], return_inverse=True)
    athletes = [all_names[i] for i in present]
    n_athletes = len(athletes)
    if n_athletes:
        first = np.full(n_athletes, np.iinfo(np.int64).max)
        last = np.full(n_athletes, np.iinfo(np.int64).min)
        np.minimum.at(first, codes, days)
        np.maximum.at(last, codes, days)
    else:
        first = last = np.zeros(0, dtype=np.int64)
    if first_bound is not None:
        first = np.full(n_athletes, first_bound)
    if last_bound is not None:
        last = np.full(n_athletes, last_bound)
    lengths = (last - first + 1).astype(np.int64)
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    slot = offsets[:-1][codes] + (days - first[codes])
    # bincount adds in row order, so one athlete's sums do not depend on the others
    values = np.bincount(slot, weights=weights, minlength=int(offsets[-1])).astype(float)
    notes.update(measure=measure, unit=MEASURE_UNITS[measure], all_sports=all_sports)
    return DailyLoads(athletes, first.astype(np.int64), lengths, values, notes)


def daily_load(
    activities: pd.DataFrame,
    *,
    measure: str = "distance",
    athlete: str | None = None,
    start: DateLike | None = None,
    end: DateLike | None = None,
    all_sports: bool = False,
    hr_rest: float | None = None,
    hr_max: float | None = None,
    sex: str = "male",
) -> pd.Series:
    """One athlete's daily load: a complete calendar of local dates with real zeros.

    Index: consecutive local dates (DatetimeIndex, daily, named ``date``) from
    the first counted activity (or ``start``) to ``end`` (default: the last
    counted activity's date; pass today's date for "as of today").
    Values, by ``measure``: ``distance`` km, ``duration`` moving minutes,
    ``trimp`` Banister TRIMP (``hr_rest``/``hr_max`` in bpm; when missing,
    :data:`HR_REST_DEFAULT`/:data:`HR_MAX_DEFAULT` are used and listed in
    ``attrs["defaults_used"]``), ``srpe`` RPE (0-10) x moving minutes
    (activities without RPE add 0 and are counted in ``attrs["missing_rpe"]``).
    Only the running family counts unless ``all_sports``. The series' ``name``
    is the measure; ``attrs`` also holds ``unit`` and ``athlete``.
    ``athlete`` may be omitted only when the frame holds one athlete.
    """
    rows, name = select_athlete(activities, athlete)
    loads = build_daily_loads(
        rows,
        measure=measure,
        start=start,
        end=end,
        all_sports=all_sports,
        hr_rest=hr_rest,
        hr_max=hr_max,
        sex=sex,
    )
    if loads.athletes:
        first, length, values = int(loads.first_day[0]), int(loads.lengths[0]), loads.values
    elif start is not None and end is not None:
        # nothing counted in the window, but the caller asked for it: all rest days
        first = to_day(start, "start")
        length = to_day(end, "end") - first + 1
        values = np.zeros(length)
    else:
        first, length, values = 0, 0, np.zeros(0)
    index = pd.date_range(
        days_to_index(np.array([first]))[0], periods=length, freq="D", name="date", unit="ns"
    )
    series = pd.Series(values, index=index, name=measure, dtype=float)
    series.attrs.update(loads.attrs, athlete=name)
    return series
