"""Context next to load for the faces: wellness and rehab over a view's dates, the
coach table's sleep trend and rehab adherence, and the planned days ahead.

Units: hours (sleep), bpm (resting heart rate), 0-100 (a watch's stress),
0-10 (self-rated stress, soreness, fatigue), km (distances), adherence 0-1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pandas as pd

from loadwatch.store import RehabPlanItem, RehabSession, Store, WellnessDay

#: Daily columns of :attr:`ContextView.wellness`.
CONTEXT_COLUMNS: tuple[str, ...] = (
    "sleep_h",
    "resting_hr",
    "stress_device",
    "stress_self",
    "soreness",
    "fatigue",
)
#: Days of the recent sleep mean, and of the usual it is compared with (the days before).
SLEEP_RECENT_DAYS = 7
SLEEP_USUAL_DAYS = 28
#: Calendar weeks of rehab adherence in the coach table (the week of as-of included).
ADHERENCE_WEEKS = 4
#: Days before the as-of date whose wellness and rehab :func:`context_summary` reads:
#: the sleep windows, and the adherence weeks (the first starts up to 6 days earlier
#: than 7 x weeks - 1 days back).
SUMMARY_READ_DAYS = max(SLEEP_RECENT_DAYS + SLEEP_USUAL_DAYS, 7 * ADHERENCE_WEEKS + 6)
#: Up to this many athletes are read one by one; more in one query per table.
FEW_ATHLETES = 3


@dataclass(frozen=True)
class ContextView:
    """Wellness and rehab between ``start`` and ``end`` (inclusive), the runner view's dates.

    ``wellness``: one row per day with any value (index ``date``), columns
    :data:`CONTEXT_COLUMNS` (``sleep_h``: the watch's hours where there are any,
    else the check-in's). ``rehab``: date, exercise (key), name, sets, reps,
    seconds, side.
    """

    athlete: str
    start: date
    end: date
    wellness: pd.DataFrame
    rehab: pd.DataFrame

    @property
    def empty(self) -> bool:
        return self.wellness.empty and self.rehab.empty


def context_view(
    athlete: str,
    days: list[WellnessDay],
    sessions: list[RehabSession],
    *,
    start: date,
    end: date,
) -> ContextView:
    """The context rows of ``athlete`` from ``start`` to ``end``."""
    from loadwatch.metrics.wellness import wellness_series
    from loadwatch.rehab import CATALOGUE, sessions_frame
    from loadwatch.wellness import wellness_frame

    rows = wellness_frame([d for d in days if start <= d.date <= end])
    series = wellness_series(rows, start=pd.Timestamp(start), end=pd.Timestamp(end))
    wellness = series[list(CONTEXT_COLUMNS)].dropna(how="all")
    rehab = sessions_frame([s for s in sessions if start <= s.date <= end])
    rehab["date"] = pd.to_datetime(rehab["date"])
    rehab["name"] = [CATALOGUE[k].name if k in CATALOGUE else k for k in rehab["exercise"]]
    return ContextView(athlete, start, end, wellness, rehab.reset_index(drop=True))


def _mean(values: pd.Series) -> float | None:
    values = values.dropna()
    return float(values.mean()) if len(values) else None


def context_summary(
    days: list[WellnessDay],
    sessions: list[RehabSession],
    plan: list[RehabPlanItem],
    *,
    as_of: date,
) -> dict[str, Any]:
    """The coach table's context of one athlete as of ``as_of``.

    ``sleep_7d_h``: mean hours slept over the 7 days up to ``as_of``;
    ``sleep_change_h``: that minus the mean of the 28 days before (None when
    either has no night). ``rehab_adherence``: sessions of planned exercises
    (each up to its weekly target) over what the plan asks, across the
    :data:`ADHERENCE_WEEKS` calendar weeks up to ``as_of`` (the current week
    counted whole); None without a plan. ``rehab_sessions_28d``: sessions
    logged in the 28 days up to ``as_of``.
    """
    from loadwatch.metrics.wellness import wellness_series
    from loadwatch.rehab import adherence
    from loadwatch.wellness import wellness_frame

    first = as_of - timedelta(days=SLEEP_RECENT_DAYS + SLEEP_USUAL_DAYS - 1)
    rows = wellness_frame([d for d in days if first <= d.date <= as_of])
    series = wellness_series(rows, start=pd.Timestamp(first), end=pd.Timestamp(as_of))
    cut = pd.Timestamp(as_of - timedelta(days=SLEEP_RECENT_DAYS - 1))
    recent = _mean(series.loc[series.index >= cut, "sleep_h"])
    usual = _mean(series.loc[series.index < cut, "sleep_h"])
    share: float | None = None
    if plan:
        table = adherence(sessions, plan, end=as_of, weeks=ADHERENCE_WEEKS)
        planned = float(table["planned"].sum())
        share = float(table["done"].sum()) / planned if planned else None
        if share is not None and math.isnan(share):
            share = None
    month = as_of - timedelta(days=27)
    return {
        "sleep_7d_h": recent,
        "sleep_change_h": None if recent is None or usual is None else recent - usual,
        "rehab_adherence": share,
        "rehab_sessions_28d": sum(1 for s in sessions if month <= s.date <= as_of),
    }


def context_summaries(store: Store, athletes: list[str], *, as_of: date) -> dict[str, Any]:
    """:func:`context_summary` of each of ``athletes`` as of ``as_of``.

    For more than :data:`FEW_ATHLETES` athletes: three queries (every athlete's
    wellness and rehab of the :data:`SUMMARY_READ_DAYS` days before ``as_of``, the
    rehab plans) instead of three per athlete; an athlete with nothing in them
    gets the summary of nothing, computed once.
    """
    if len(athletes) <= FEW_ATHLETES:
        return {
            name: context_summary(
                store.list_wellness(name),
                store.list_rehab(name),
                store.rehab_plan(name),
                as_of=as_of,
            )
            for name in athletes
        }
    since = as_of - timedelta(days=SUMMARY_READ_DAYS)
    days: dict[str, list[WellnessDay]] = {}
    sessions: dict[str, list[RehabSession]] = {}
    plans: dict[str, list[RehabPlanItem]] = {}
    for d in store.list_wellness(since=since):
        days.setdefault(d.athlete, []).append(d)
    for s in store.list_rehab(since=since):
        sessions.setdefault(s.athlete, []).append(s)
    for p in store.rehab_plan():
        plans.setdefault(p.athlete, []).append(p)
    nothing: dict[str, Any] | None = None
    out: dict[str, Any] = {}
    for name in athletes:
        if name in days or name in sessions or name in plans:
            out[name] = context_summary(
                days.get(name, []), sessions.get(name, []), plans.get(name, []), as_of=as_of
            )
            continue
        if nothing is None:
            nothing = context_summary([], [], [], as_of=as_of)
        out[name] = dict(nothing)
    return out


def rehab_choices(plan: list[RehabPlanItem]) -> list[dict[str, Any]]:
    """The exercises to offer for one-click logging: the plan's, else the whole catalogue.

    Each: key, name, dose (the usual dose in words), per_week (None off-plan).
    """
    from loadwatch.rehab import CATALOGUE

    planned = [p for p in plan if p.per_week > 0 and p.exercise in CATALOGUE]
    if planned:
        return [
            {
                "key": p.exercise,
                "name": CATALOGUE[p.exercise].name,
                "dose": CATALOGUE[p.exercise].dose,
                "per_week": p.per_week,
            }
            for p in planned
        ]
    return [
        {"key": e.key, "name": e.name, "dose": e.dose, "per_week": None} for e in CATALOGUE.values()
    ]
