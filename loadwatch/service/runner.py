"""The runner view's frames: weekly bars, daily ratios, runs, pain, plans, alert episodes.

Everything is in display units (km or mi for distances) and cut to the view's
date range; alerts stay facts (the dashboard renders them with
:mod:`loadwatch.service.render`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from loadwatch import metrics
from loadwatch.alerts import SEVERITY_RANK, Alert, alerts_frame, summarise
from loadwatch.errors import ValidationError
from loadwatch.service.state import AthleteState, DistanceMetrics, History
from loadwatch.service.units import check_units, km_per_unit

#: How far back the runner view looks by default, days.
DEFAULT_RANGE_DAYS = 182
WEEKLY_FRAME = ("week_start", "distance", "ramp_pct", "days", "runs", "severity")
RUN_FRAME = ("local_date", "distance", "spike_pct", "category", "name", "notes")


@dataclass(frozen=True)
class RunnerView:
    """Everything the runner view shows for one athlete, in display units.

    ``weekly``: week_start, distance (display unit of the measure), ramp_pct,
    days, runs, severity (the worst caution-or-worse alert of that calendar
    week's own ramp, spikes and pain flares; None otherwise).
    ``daily``: daily metrics (index date) of the selected measure.
    ``runs``: local_date, distance (km or mi), spike_pct, category, name, notes.
    ``pain``: date, score, location, timing, note. ``planned``: date, distance, label.
    ``alerts``: alert episodes in the range (:data:`loadwatch.alerts.EPISODE_COLUMNS`),
    newest first. ``state``: the athlete's state as of ``as_of``.
    """

    athlete: str
    measure: str
    unit: str  # unit of the load measure as displayed (km, mi, min, TRIMP, AU)
    distance_unit: str  # km or mi
    start: date | None
    end: date | None
    weekly: pd.DataFrame
    daily: pd.DataFrame
    runs: pd.DataFrame
    pain: pd.DataFrame
    planned: pd.DataFrame
    alerts: pd.DataFrame
    state: AthleteState | None = None
    status: dict[str, Any] = field(default_factory=dict)

    @property
    def has_runs(self) -> bool:
        return not self.runs.empty


def _empty(columns: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


def week_monday(days: pd.Series) -> pd.Series:
    """Monday of each date's ISO week (datetime64, midnight)."""
    stamps = pd.to_datetime(days).dt.normalize()
    return stamps - pd.to_timedelta(stamps.dt.day_of_week, unit="D")


def measure_unit(measure: str, distance_unit: str) -> str:
    from loadwatch.metrics.load import MEASURE_UNITS

    return distance_unit if measure == "distance" else MEASURE_UNITS[measure]


def view_range(
    history: History, as_of: date, start: date | None, end: date | None
) -> tuple[date, date]:
    """The view's dates: ``end`` defaults to the as-of date, or to the last run or pain
    date when that is more than :data:`DEFAULT_RANGE_DAYS` before it (a history that
    ended long ago is shown, not an empty half year); ``start`` to 26 weeks before ``end``."""
    if end is None:
        last = history.last_data_date
        end = as_of
        if last is not None and (as_of - last).days > DEFAULT_RANGE_DAYS:
            end = last
    if start is None:
        start = end - timedelta(days=DEFAULT_RANGE_DAYS)
    if start > end:
        raise ValidationError(f"the view starts ({start}) after it ends ({end})")
    return start, end


def weekly_severity(table: pd.DataFrame, alerts: list[Alert], history: History) -> list[str | None]:
    """Per calendar week: the worst caution-or-worse alert of the week's own ramp,
    spikes and pain flares. ``table`` is the km :func:`loadwatch.metrics.weekly_table`;
    the ramp is the calendar week's against the week before (both whole weeks, the
    week before holding at least the ramp's minimum base)."""
    t = history.thresholds
    worst: dict[pd.Timestamp, int] = {}
    ramp = table["ramp_pct"].to_numpy(dtype=float)
    prev = np.r_[np.nan, table["load"].to_numpy(dtype=float)[:-1]]
    partial = table["days"].to_numpy() < 7
    with np.errstate(invalid="ignore"):
        ramp_caution = (ramp > t.ramp_caution_pct) & (prev >= t.ramp_min_base_km)
    ramp_caution &= ~partial & ~np.r_[False, partial[:-1]]
    weeks = pd.to_datetime(table["week_start"])
    for week, fires in zip(weeks, ramp_caution, strict=True):
        if fires:
            worst[week] = SEVERITY_RANK["caution"]
    own = [a for a in alerts if a.rule in ("spike", "pain_flare") and a.rank >= 2]
    for a in own:
        day = pd.Timestamp(a.date)
        week = day - pd.Timedelta(days=day.day_of_week)
        worst[week] = max(worst.get(week, 0), a.rank)
    names = {rank: name for name, rank in SEVERITY_RANK.items()}
    return [names.get(worst.get(w, 0)) for w in weeks]


def runner_view(
    history: History,
    state: AthleteState,
    alerts: list[Alert],
    *,
    measure: str = "distance",
    unit: str = "km",
    start: date | None = None,
    end: date | None = None,
    shared: DistanceMetrics | None = None,
) -> RunnerView:
    """The runner view of ``history``'s athlete between ``start`` and ``end`` (inclusive).

    ``shared``: :func:`~loadwatch.service.state.distance_metrics` of the history up
    to the view's calendar end, when already computed (used for the distance measure).
    """
    if measure not in metrics.MEASURES:
        raise ValidationError(f"unknown load measure {measure!r}")
    check_units(unit)
    factor = 1.0 / km_per_unit(unit)
    load_factor = factor if measure == "distance" else 1.0
    start, end = view_range(history, state.as_of, start, end)
    lo, hi = pd.Timestamp(start), pd.Timestamp(end)
    acts = history.activities
    calendar_end = max(end, state.as_of)

    daily = pd.DataFrame()
    weekly = _empty(WEEKLY_FRAME)
    runs = _empty(RUN_FRAME)
    if not acts.empty:
        if (
            shared is not None
            and measure == "distance"
            and shared.load.index[-1] == pd.Timestamp(calendar_end)
        ):
            load, full, spikes = shared
        else:
            load = metrics.daily_load(
                acts, measure=measure, athlete=history.athlete, end=calendar_end, **history.profile
            )
            full = metrics.daily_metrics(load)
            spikes = metrics.run_spikes(acts, athlete=history.athlete)
        daily = full[(full.index >= lo) & (full.index <= hi)]
        table = metrics.weekly_table(full["load"], spikes)
        if len(table):
            km_load = (
                full["load"]
                if measure == "distance"
                else metrics.daily_load(acts, athlete=history.athlete, end=calendar_end)
            )
            km_table = metrics.weekly_table(km_load, spikes)
            severity = pd.Series(weekly_severity(km_table, alerts, history), dtype=object)
            table = table.assign(severity=severity.to_numpy())
            ends = table["week_start"] + pd.Timedelta(days=6)
            table = table[(ends >= lo) & (table["week_start"] <= hi)]
            weekly = pd.DataFrame(
                {
                    "week_start": table["week_start"].to_numpy(),
                    "distance": table["load"].to_numpy(dtype=float) * load_factor,
                    "ramp_pct": table["ramp_pct"].to_numpy(dtype=float),
                    "days": table["days"].to_numpy(),
                    "runs": table["runs"].to_numpy(),
                    "severity": table["severity"].to_numpy(dtype=object),
                },
                columns=list(WEEKLY_FRAME),
            )
        spikes = spikes[(spikes["local_date"] >= lo) & (spikes["local_date"] <= hi)]
        extra = acts.set_index("id")
        runs = pd.DataFrame(
            {
                "local_date": spikes["local_date"].to_numpy(),
                "distance": spikes["distance_km"].to_numpy(dtype=float) * factor,
                "spike_pct": spikes["spike_pct"].to_numpy(dtype=float),
                "category": spikes["category"].to_numpy(dtype=object),
                "name": _column(extra, "name", spikes["id"]),
                "notes": _column(extra, "notes", spikes["id"]),
            },
            columns=list(RUN_FRAME),
        )
    pain = history.pain.drop(columns=["athlete"], errors="ignore")
    if not pain.empty:
        pain = pain[(pain["date"] >= lo) & (pain["date"] <= hi)]
    plans = [p for p in history.plans if p.date >= start]
    planned = (
        pd.DataFrame(
            {
                "date": [pd.Timestamp(p.date) for p in plans],
                "distance": [p.distance_m / 1000 * factor for p in plans],
                "label": [p.note or "" for p in plans],
            }
        )
        if plans
        else _empty(("date", "distance", "label"))
    )
    in_range = [a for a in alerts if start <= a.date <= end]
    episodes = summarise(alerts_frame(in_range))
    if len(episodes):
        episodes = episodes.sort_values("last_date", ascending=False, kind="stable")
    return RunnerView(
        athlete=history.athlete,
        measure=measure,
        unit=measure_unit(measure, unit),
        distance_unit=unit,
        start=start,
        end=end,
        weekly=weekly,
        daily=daily,
        runs=runs.reset_index(drop=True),
        pain=pain.reset_index(drop=True),
        planned=planned,
        alerts=episodes.reset_index(drop=True),
        state=state,
        status=status_cards(state, unit),
    )


def _column(frame: pd.DataFrame, name: str, ids: pd.Series) -> np.ndarray:
    if name not in frame.columns:
        return np.full(len(ids), None, dtype=object)
    return frame[name].reindex(ids.to_numpy()).to_numpy(dtype=object)


def status_cards(state: AthleteState, unit: str) -> dict[str, Any]:
    """The headline numbers of the runner view (distances in ``unit``), from the state."""
    factor = 1.0 / km_per_unit(unit)

    def dist(km: float | None) -> float | None:
        return None if km is None else km * factor

    return {
        "as_of": state.as_of,
        "unit": unit,
        "week_load": dist(state.last_7d_km),
        "prev_week_load": dist(state.prev_7d_km),
        "ramp_pct": state.ramp_pct,
        "acwr": state.acwr,
        "acwr_ewma": state.acwr_ewma,
        "last_run_date": state.last_run_date,
        "days_since_last_run": state.days_since_last_run,
        "latest_spike_date": state.latest_spike_date,
        "latest_spike_pct": state.latest_spike_pct,
        "latest_pain": state.latest_pain,
        "latest_pain_date": state.latest_pain_date,
        "worst_severity": state.severity,
    }
