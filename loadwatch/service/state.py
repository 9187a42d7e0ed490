"""An athlete's history and their state as of a date: one definition everywhere.

:func:`load_history` reads what the store holds for one athlete;
:func:`athlete_state` turns it into the numbers ``loadwatch status``, the
coach table and the runner view's status cards all show. The as-of date is
today unless one is given; everything is computed on the calendar up to and
including it (rest days after the last run count as zeros).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from loadwatch import metrics
from loadwatch.alerts import SEVERITY_RANK, Alert, Thresholds, evaluate, thresholds_for
from loadwatch.store import PlannedRun, Store

#: Days up to the as-of date whose alerts make the "worst alert" (the chronic window).
ACTIVE_DAYS = 28
#: Columns of an athlete's pain frame.
PAIN_COLUMNS = ("date", "score", "location", "timing", "note")
#: Keys of :meth:`AthleteState.as_dict`, in order (``loadwatch status --format json``).
STATE_KEYS: tuple[str, ...] = (
    "athlete",
    "as_of",
    "last_run_date",
    "last_7d_km",
    "prev_7d_km",
    "ramp_pct",
    "acwr",
    "acwr_ewma",
    "latest_spike_date",
    "latest_spike_pct",
    "latest_pain_date",
    "latest_pain",
    "worst_alert",
    "attention_rank",
)


@dataclass(frozen=True)
class History:
    """What the store holds for one athlete, as frames (distances in metres as stored)."""

    athlete: str
    activities: pd.DataFrame
    pain: pd.DataFrame
    plans: list[PlannedRun]
    thresholds: Thresholds
    profile: dict[str, Any]
    #: wellness days (device and self-rated rows), for the §8 information alerts
    wellness: list[Any] = field(default_factory=list)

    @property
    def plan_km(self) -> list[tuple[date, float]]:
        return [(p.date, p.distance_m / 1000.0) for p in self.plans]

    @property
    def last_run_date(self) -> date | None:
        runs = self.activities
        if runs.empty:
            return None
        return pd.Timestamp(pd.to_datetime(runs["local_date"]).max()).date()

    @property
    def last_data_date(self) -> date | None:
        """The newest run or pain date."""
        days = [d for d in (self.last_run_date, _max_date(self.pain, "date")) if d]
        return max(days) if days else None


class DistanceMetrics(NamedTuple):
    """One athlete's daily distance load (km), its metrics and run spikes up to a date."""

    load: pd.Series
    daily: pd.DataFrame
    spikes: pd.DataFrame


def pain_frame(store: Store, athlete: str | None) -> pd.DataFrame:
    """Pain entries as a frame (athlete, date, score, location, timing, note)."""
    rows = [
        {
            "athlete": e.athlete,
            "date": pd.Timestamp(e.date),
            "score": e.score,
            "location": e.location,
            "timing": e.timing,
            "note": e.note,
        }
        for e in store.list_pain(athlete)
    ]
    columns = ["athlete", *PAIN_COLUMNS]
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns}).astype(
            {"date": "datetime64[ns]", "score": float}
        )
    return pd.DataFrame(rows, columns=columns)


def load_history(store: Store, athlete: str) -> History:
    """Everything one athlete's numbers are computed from (the athlete must exist)."""
    a = store.athlete(athlete, create=False)
    return History(
        athlete=a.name,
        activities=store.activities_frame(a.name),
        pain=pain_frame(store, a.name),
        plans=store.list_plans(a.name),
        thresholds=thresholds_for(a.name),
        profile={"hr_rest": a.hr_rest, "hr_max": a.hr_max, "sex": a.sex or "male"},
        wellness=list(store.list_wellness(a.name)),
    )


def all_alerts(history: History, *, end: date | None = None) -> list[Alert]:
    """Every alert of the recorded history (no plans), evaluated up to ``end``.

    ``end`` defaults to the last run or pain date; pain logged after ``end`` is left out.
    """
    end = end or history.last_data_date
    if end is None:
        return []
    pain = history.pain
    if not pain.empty:
        pain = pain[pain["date"] <= pd.Timestamp(end)]
    acts = history.activities
    if not acts.empty:
        acts = acts[pd.to_datetime(acts["local_date"]) <= pd.Timestamp(end)]
    found: list[Alert] = []
    if not (acts.empty and pain.empty):
        found = evaluate(acts, pain, history.thresholds, athlete=history.athlete, end=end)
    if history.wellness:
        from loadwatch.wellness import context_alerts

        context = context_alerts(history.wellness, athlete=history.athlete, end=end)
        found = sorted([*found, *context], key=lambda a: (a.date, -a.rank))
    return found


@dataclass(frozen=True)
class AthleteState:
    """An athlete's state as of a date. Distances in km; None where undefined."""

    athlete: str
    as_of: date
    last_run_date: date | None = None
    last_7d_km: float | None = None
    prev_7d_km: float | None = None
    ramp_pct: float | None = None
    acwr: float | None = None
    acwr_ewma: float | None = None
    latest_spike_date: date | None = None
    latest_spike_pct: float | None = None
    latest_pain_date: date | None = None
    latest_pain: int | None = None
    worst_alert: Alert | None = None
    attention_rank: int | None = None
    #: every alert in the :data:`ACTIVE_DAYS` up to ``as_of`` (info included), newest first
    recent_alerts: list[Alert] = field(default_factory=list)

    @property
    def days_since_last_run(self) -> int | None:
        return None if self.last_run_date is None else (self.as_of - self.last_run_date).days

    @property
    def severity(self) -> str | None:
        return None if self.worst_alert is None else self.worst_alert.severity

    def as_dict(self) -> dict[str, Any]:
        """The JSON object of ``loadwatch status`` (km, ISO dates, null where undefined)."""
        worst = self.worst_alert
        out: dict[str, Any] = {}
        for key in STATE_KEYS:
            value = getattr(self, key)
            if key == "worst_alert":
                value = (
                    None
                    if worst is None
                    else {
                        "rule": worst.rule,
                        "severity": worst.severity,
                        "date": worst.date.isoformat(),
                    }
                )
            elif isinstance(value, date):
                value = value.isoformat()
            elif isinstance(value, float):
                value = round(value, 4)
            out[key] = value
        return out


def _max_date(frame: pd.DataFrame, column: str) -> date | None:
    if frame.empty:
        return None
    return pd.Timestamp(pd.to_datetime(frame[column]).max()).date()


def _num(value: Any) -> float | None:
    if value is None or pd.isna(value):
        return None
    return float(value)


def distance_metrics(history: History, end: date) -> DistanceMetrics | None:
    """The daily distance load up to ``end``, its metrics and the run spikes of the whole
    history, as :func:`athlete_state` and the runner view compute them; None when the
    history has no run or a run after ``end`` (then each computes its own)."""
    last = history.last_run_date
    if last is None or last > end:
        return None
    acts = history.activities
    load = metrics.daily_load(acts, athlete=history.athlete, end=end, **history.profile)
    if not len(load):
        return None
    return DistanceMetrics(
        load, metrics.daily_metrics(load), metrics.run_spikes(acts, athlete=history.athlete)
    )


def athlete_state(
    history: History,
    as_of: date,
    alerts: list[Alert] | None = None,
    shared: DistanceMetrics | None = None,
) -> AthleteState:
    """The state of ``history``'s athlete as of ``as_of`` (runs and pain after it ignored).

    ``alerts``: :func:`all_alerts` of the history up to ``as_of``, when already computed;
    ``shared``: :func:`distance_metrics` of the history up to ``as_of``, likewise.
    """
    stamp = pd.Timestamp(as_of)
    acts = history.activities
    if not acts.empty:
        acts = acts[pd.to_datetime(acts["local_date"]) <= stamp]
    values: dict[str, Any] = {}
    load: pd.Series | None = None
    daily: pd.DataFrame | None = None
    spikes: pd.DataFrame | None = None
    if shared is not None:
        load, daily, spikes = shared
    elif len(acts):
        load = metrics.daily_load(acts, athlete=history.athlete, end=as_of)
    if load is not None and len(load):
        last = (daily if daily is not None else metrics.daily_metrics(load)).iloc[-1]
        values.update(
            last_7d_km=_num(last["week_load"]),
            prev_7d_km=_num(last["prev_week_load"]),
            ramp_pct=_num(last["ramp_pct"]),
            acwr=_num(last["acwr"]),
            acwr_ewma=_num(last["acwr_ewma"]),
        )
        if spikes is None:
            spikes = metrics.run_spikes(acts, athlete=history.athlete)
        values["last_run_date"] = pd.Timestamp(spikes["local_date"].max()).date()
        big = spikes[spikes["spike_pct"] > history.thresholds.spike_caution_pct]
        if len(big):
            latest = big.iloc[-1]
            values["latest_spike_date"] = pd.Timestamp(latest["local_date"]).date()
            values["latest_spike_pct"] = _num(latest["spike_pct"])
    pain = history.pain
    if not pain.empty:
        upto = pain[pain["date"] <= stamp]
        if len(upto):
            day = upto["date"].max()
            values["latest_pain_date"] = pd.Timestamp(day).date()
            values["latest_pain"] = int(upto[upto["date"] == day]["score"].max())
    if alerts is None:
        alerts = all_alerts(history, end=as_of)
    first = as_of - timedelta(days=ACTIVE_DAYS - 1)
    recent = [a for a in alerts if first <= a.date <= as_of]
    serious = [a for a in recent if a.rank >= SEVERITY_RANK["caution"]]
    if serious:
        values["worst_alert"] = max(serious, key=lambda a: (a.rank, a.date))
    recent.sort(key=lambda a: (a.date, a.rank), reverse=True)
    return AthleteState(history.athlete, as_of, recent_alerts=recent, **values)


def attention_key(state: AthleteState) -> tuple[Any, ...]:
    """Who needs attention first: worst alert, its recency, latest pain, ACWR, name."""
    worst = state.worst_alert
    return (
        -SEVERITY_RANK[state.severity],
        -(worst.date.toordinal() if worst else 0),
        -(state.latest_pain or 0),
        -(state.acwr if state.acwr is not None and not np.isnan(state.acwr) else 0.0),
        0 if state.last_run_date else 1,
        state.athlete.lower(),
    )


def ranked(states: list[AthleteState]) -> list[AthleteState]:
    """States sorted by :func:`attention_key`, each with its ``attention_rank`` (1 = first)."""
    ordered = sorted(states, key=attention_key)
    return [
        s if s.attention_rank == i else _with_rank(s, i) for i, s in enumerate(ordered, start=1)
    ]


def _with_rank(state: AthleteState, rank: int) -> AthleteState:
    """``dataclasses.replace(state, attention_rank=rank)`` without running the constructor
    again (a quarter of the cost: the coach table ranks every athlete after each write)."""
    ranked_state = copy.copy(state)
    object.__setattr__(ranked_state, "attention_rank", rank)
    return ranked_state
