"""The one place the dashboard reads the store and calls metrics and alerts.

Callbacks ask :class:`DashboardData` for ready-to-plot frames; this module
never builds a figure and never computes a metric itself (it calls
:mod:`loadwatch.metrics` and :mod:`loadwatch.alerts`).

Full-history results are cached per athlete (and load measure), keyed by a
cheap per-athlete version from the store (row counts and highest ids), so
switching athletes or date ranges does not recompute years of metrics, and a
write for one athlete (from the page or from the CLI) recomputes only that
athlete.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from loadwatch import metrics
from loadwatch.alerts.check import check, plan_rows
from loadwatch.alerts.config import thresholds_for
from loadwatch.alerts.rules import Alert, alerts_frame, evaluate, summarise
from loadwatch.errors import ValidationError
from loadwatch.model import KM_PER_MILE
from loadwatch.pain import validate_entry
from loadwatch.store import PainEntry, PlannedRun, Store

LOG = logging.getLogger("loadwatch.dashboard")
#: Kilometres to miles.
KM_TO_MI = 1.0 / KM_PER_MILE
#: How far back the runner view looks by default, days.
DEFAULT_RANGE_DAYS = 182
#: The coach table's "active" alerts: those of the last this many days (the chronic window).
ACTIVE_DAYS = 28
#: History the coach table's rules look at before the as-of date, days.
ACTIVE_HISTORY_DAYS = 150
SEVERITY_RANK: dict[str | None, int] = {None: 0, "info": 1, "caution": 2, "high": 3}
PAIN_COLUMNS = ("date", "score", "location", "timing", "note")
COACH_COLUMNS = (
    "athlete",
    "last_7d",
    "ramp_pct",
    "acwr",
    "acwr_ewma",
    "latest_spike",
    "latest_spike_pct",
    "latest_pain",
    "worst_alert",
    "alert_date",
    "alert_message",
    "last_run",
)


@dataclass(frozen=True)
class RunnerView:
    """Everything the runner view shows for one athlete, in display units.

    ``weekly``: week_start, distance (display unit of the measure), ramp_pct, severity.
    ``daily``: daily metrics (index date) of the selected measure.
    ``runs``: local_date, distance (km or mi), spike_pct, category.
    ``pain``: date, score, location, timing, note. ``planned``: date, distance, label.
    ``alerts``: alert episodes in the range (consecutive days of one rule folded
    together; columns of :data:`loadwatch.alerts.rules.EPISODE_COLUMNS`), newest first.
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
    status: dict[str, Any] = field(default_factory=dict)

    @property
    def has_runs(self) -> bool:
        return not self.runs.empty


@dataclass(frozen=True)
class PlanCheck:
    """What a planned run or week would trigger, and the safe ceiling (km)."""

    athlete: str
    on: date
    run_km: float | None
    week_km: float | None
    alerts: pd.DataFrame  # loadwatch.alerts.ALERT_COLUMNS, planned ones only
    run_ceiling_km: float | None
    run_binding_rule: str | None
    week_ceiling_km: float | None
    week_binding_rule: str | None
    projected: dict[str, Any] = field(default_factory=dict)


@dataclass
class _History:
    """Full-history results for one athlete and measure (cached)."""

    activities: pd.DataFrame
    daily: pd.DataFrame
    spikes: pd.DataFrame
    alerts: list[Alert]
    alert_frame: pd.DataFrame
    pain: pd.DataFrame


def _empty(columns: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


def week_monday(days: pd.Series) -> pd.Series:
    """Monday of each date's ISO week (datetime64, midnight)."""
    stamps = pd.to_datetime(days).dt.normalize()
    return stamps - pd.to_timedelta(stamps.dt.day_of_week, unit="D")


def worst_severity(values: pd.Series) -> str | None:
    """The most serious of ``values`` (info < caution < high); None when empty."""
    best = None
    for v in values:
        if SEVERITY_RANK.get(v, 0) > SEVERITY_RANK.get(best, 0):
            best = v
    return best


class DashboardData:
    """Read and write access for the dashboard, over one store URL."""

    def __init__(self, store_url: str) -> None:
        self.store_url = store_url
        self._store: Store | None = None
        self._lock = threading.Lock()
        # key -> (version it was computed for, value)
        self._cache: dict[Hashable, tuple[Hashable, Any]] = {}

    # ------------------------------------------------------------ plumbing
    @property
    def store(self) -> Store:
        # Opened on first use so that creating the app touches no database.
        if self._store is None:
            self._store = Store(self.store_url)
        return self._store

    def versions(self) -> dict[str, tuple[Any, ...]]:
        """Per athlete, a value that changes whenever their data changes (one cheap query)."""
        return self.store.athlete_versions()

    def _cached(self, key: Hashable, version: Hashable, compute: Callable[[], Any]) -> Any:
        """``compute()``'s value for ``key``, reused while ``version`` stays the same."""
        with self._lock:
            hit = self._cache.get(key)
        if hit is not None and hit[0] == version:
            return hit[1]
        value = compute()
        with self._lock:
            self._cache[key] = (version, value)
        return value

    def invalidate(self) -> None:
        """Forget everything (the per-athlete versions make this rarely necessary)."""
        with self._lock:
            self._cache = {}

    def warm_up(self) -> None:
        """Compute the coach table and every athlete's history ahead of the first clicks.

        Best effort: a failure here only means the first click computes instead,
        and it is logged without its message (which could name an athlete).
        """
        try:
            self.coach_rows()
            for name in self.athletes():
                self._history(name, "distance")
        except Exception as e:
            LOG.warning("cache warm-up stopped early (%s)", type(e).__name__)

    # ------------------------------------------------------------ athletes
    def athletes(self) -> list[str]:
        return sorted(self.versions())

    def add_athlete(self, name: str) -> str:
        return self.store.add_athlete(name).name

    def rename_athlete(self, old: str, new: str) -> str:
        return self.store.update_athlete(old, new_name=new).name

    # ---------------------------------------------------------------- pain
    def add_pain(
        self,
        athlete: str,
        day: date,
        score: Any,
        *,
        location: str = "lower_back",
        timing: str = "not_running",
        note: str | None = None,
    ) -> PainEntry:
        """Validate (as the CLI does) and store one pain score (integer 0–10)."""
        entry = validate_entry(
            athlete=athlete, score=score, day=day, where=location, when=timing, note=note
        )
        self.store.athlete(athlete, create=False)
        self.store.add_pain([entry])
        return entry

    def pain_frame(self, athlete: str | None = None) -> pd.DataFrame:
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
            for e in self.store.list_pain(athlete)
        ]
        if not rows:
            return _empty(("athlete", *PAIN_COLUMNS))
        return pd.DataFrame(rows)

    # ------------------------------------------------------------- history
    def _profile(self, athlete: str) -> dict[str, Any]:
        a = self.store.athlete(athlete, create=False)
        return {"hr_rest": a.hr_rest, "hr_max": a.hr_max, "sex": a.sex or "male"}

    def _version(self, athlete: str) -> Hashable:
        versions = self.versions()
        if athlete not in versions:
            raise ValidationError(f"no athlete called {athlete!r}")
        return versions[athlete]

    def _records(self, athlete: str, version: Hashable) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The athlete's activities and pain entries as frames (cached per version)."""
        return self._cached(
            ("records", athlete),
            version,
            lambda: (self.store.activities_frame(athlete), self.pain_frame(athlete)),
        )

    def _history(self, athlete: str, measure: str) -> _History:
        version = self._version(athlete)

        def compute() -> _History:
            acts, pain = self._records(athlete, version)
            load = metrics.daily_load(
                acts, measure=measure, athlete=athlete, **self._profile(athlete)
            )
            daily = metrics.daily_metrics(load)
            spikes = metrics.run_spikes(acts, athlete=athlete)
            alerts = self._alerts(athlete, version, acts, pain)
            return _History(acts, daily, spikes, alerts, alerts_frame(alerts), pain)

        return self._cached(("history", athlete, measure), version, compute)

    def _alerts(
        self, athlete: str, version: Hashable, activities: pd.DataFrame, pain: pd.DataFrame
    ) -> list[Alert]:
        """Every alert of the athlete's history (the rules work on km, whatever the measure)."""
        return self._cached(
            ("alerts", athlete),
            version,
            lambda: evaluate(activities, pain, thresholds_for(athlete), athlete=athlete),
        )

    # ---------------------------------------------------------- runner view
    def runner(
        self,
        athlete: str,
        *,
        measure: str = "distance",
        unit: str = "km",
        start: date | None = None,
        end: date | None = None,
    ) -> RunnerView:
        """The runner view of ``athlete`` between ``start`` and ``end`` (inclusive).

        Without ``end``, the view ends at the athlete's last activity or pain
        entry; without ``start``, :data:`DEFAULT_RANGE_DAYS` before the end.
        """
        if measure not in metrics.MEASURES:
            raise ValidationError(f"unknown load measure {measure!r}")
        if unit not in ("km", "mi"):
            raise ValidationError(f"unit must be km or mi (got {unit!r})")
        h = self._history(athlete, measure)
        factor = KM_TO_MI if unit == "mi" else 1.0
        measure_unit = unit if measure == "distance" else _measure_unit(measure)
        load_factor = factor if measure == "distance" else 1.0

        last_seen = _last_date(h.daily.index, h.pain.get("date"))
        end = end or last_seen
        start = start or (end - timedelta(days=DEFAULT_RANGE_DAYS) if end else None)
        lo = pd.Timestamp(start) if start else pd.Timestamp.min
        hi = pd.Timestamp(end) if end else pd.Timestamp.max

        daily = h.daily[(h.daily.index >= lo) & (h.daily.index <= hi)]
        weekly = self._weekly(h, lo, hi, load_factor)
        runs = h.spikes[(h.spikes["local_date"] >= lo) & (h.spikes["local_date"] <= hi)]
        runs = pd.DataFrame(
            {
                "local_date": runs["local_date"],
                "distance": runs["distance_km"] * factor,
                "spike_pct": runs["spike_pct"],
                "category": runs["category"],
            }
        )
        pain = h.pain
        if not pain.empty:
            pain = pain[(pain["date"] >= lo) & (pain["date"] <= hi)]
        planned = self._planned(athlete, factor, since=start)
        alerts = h.alert_frame
        if not alerts.empty:
            stamps = pd.to_datetime(alerts["date"])
            alerts = alerts[(stamps >= lo) & (stamps <= hi)]
        alerts = summarise(alerts).sort_values("last_date", ascending=False, kind="stable")
        status = _status(h, end, factor, measure_unit, load_factor)
        return RunnerView(
            athlete=athlete,
            measure=measure,
            unit=measure_unit,
            distance_unit=unit,
            start=start,
            end=end,
            weekly=weekly,
            daily=daily,
            runs=runs.reset_index(drop=True),
            pain=pain.reset_index(drop=True),
            planned=planned,
            alerts=alerts.reset_index(drop=True),
            status=status,
        )

    def _weekly(
        self, h: _History, lo: pd.Timestamp, hi: pd.Timestamp, factor: float
    ) -> pd.DataFrame:
        load = h.daily["load"]
        table = metrics.weekly_table(load, h.spikes)
        table = table[
            (table["week_start"] + pd.Timedelta(days=6) >= lo) & (table["week_start"] <= hi)
        ]
        severity: pd.Series = pd.Series([None] * len(table), index=table.index, dtype=object)
        if not h.alert_frame.empty and not table.empty:
            frame = h.alert_frame
            weeks = week_monday(pd.Series(pd.to_datetime(frame["date"])))
            worst = (
                frame.assign(week=weeks.to_numpy()).groupby("week")["severity"].agg(worst_severity)
            )
            mapped = table["week_start"].map(worst)
            severity = pd.Series(
                [v if isinstance(v, str) else None for v in mapped], index=table.index, dtype=object
            )
        return pd.DataFrame(
            {
                "week_start": table["week_start"].to_numpy(),
                "distance": table["load"].to_numpy() * factor,
                "ramp_pct": table["ramp_pct"].to_numpy(),
                "days": table["days"].to_numpy(),
                "runs": table["runs"].to_numpy(),
                "severity": severity.to_numpy(),
            }
        )

    def _planned(self, athlete: str, factor: float, *, since: date | None) -> pd.DataFrame:
        plans = self.store.list_plans(athlete, since=since)
        if not plans:
            return _empty(("date", "distance", "label"))
        return pd.DataFrame(
            {
                "date": [pd.Timestamp(p.date) for p in plans],
                "distance": [p.distance_m / 1000 * factor for p in plans],
                "label": [p.note or "" for p in plans],
            }
        )

    # ---------------------------------------------------------- plan ahead
    def check_plan(
        self,
        athlete: str,
        on: date,
        *,
        run_km: float | None = None,
        week_km: float | None = None,
    ) -> PlanCheck:
        """Alerts a planned run (or week total) would trigger, with the safe ceiling."""
        if run_km is None and week_km is None:
            raise ValidationError("enter a planned distance or a week total")
        for value, what in ((run_km, "planned distance"), (week_km, "week total")):
            if value is not None and not value > 0:
                raise ValidationError(f"the {what} must be more than 0")
        if run_km is not None and week_km is not None:
            raise ValidationError("enter a run distance or a week total, not both")
        acts = self.store.activities_frame(athlete)
        pain = self.pain_frame(athlete)
        plans = [(p.date, p.distance_m / 1000.0) for p in self.store.list_plans(athlete)]
        result = check(
            acts,
            pain,
            plans,
            thresholds_for(athlete),
            athlete=athlete,
            on=on,
            run_km=run_km,
            week_km=week_km,
        )
        return PlanCheck(
            athlete=athlete,
            on=on,
            run_km=run_km,
            week_km=week_km,
            alerts=alerts_frame(result.alerts),
            run_ceiling_km=result.run_ceiling.km,
            run_binding_rule=result.run_ceiling.binding_rule,
            week_ceiling_km=result.week_ceiling.km,
            week_binding_rule=result.week_ceiling.binding_rule,
            projected=_projection(acts, athlete, result.what_if, on),
        )

    def save_plan(self, athlete: str, on: date, run_km: float) -> None:
        if not run_km > 0:
            raise ValidationError("the planned distance must be more than 0")
        self.store.add_plans([PlannedRun(None, athlete, on, run_km * 1000.0)])

    # ----------------------------------------------------------- coach view
    def coach_rows(self, *, as_of: date | None = None) -> list[dict[str, Any]]:
        """One row per athlete (:data:`COACH_COLUMNS`), who needs attention first.

        ``as_of`` defaults to the newest activity or pain date in the store (not
        after today), so the table describes the latest data, not an empty week.
        Each row is cached per athlete: a write for one athlete recomputes one row.
        """
        versions = self.versions()
        records = {name: self._records(name, v) for name, v in versions.items()}
        if as_of is None:
            newest = [d for acts, pain in records.values() if (d := _newest_date(acts, pain))]
            as_of = max(newest) if newest else None
        rows = [
            self._cached(
                ("coach", name),
                (version, as_of),
                lambda name=name: coach_row(name, *records[name], as_of=as_of),  # type: ignore[misc]
            )
            for name, version in versions.items()
        ]
        return sorted(rows, key=attention_key)


def coach_row(
    name: str, activities: pd.DataFrame, pain: pd.DataFrame, *, as_of: date | None
) -> dict[str, Any]:
    """The coach table's row for one athlete as of ``as_of`` (:data:`COACH_COLUMNS`)."""
    row: dict[str, Any] = dict.fromkeys(COACH_COLUMNS)
    row["athlete"] = name
    if as_of is None:
        return row
    if not activities.empty:
        status = metrics.athlete_status(activities, end=as_of)
        if name in status.index:
            s = status.loc[name]
            row.update(
                last_7d=_num(s["week_load"], 1),
                ramp_pct=_num(s["ramp_pct"], 0),
                acwr=_num(s["acwr"], 2),
                acwr_ewma=_num(s["acwr_ewma"], 2),
                latest_spike=_text(s["last_spike_category"]),
                latest_spike_pct=_num(s["last_spike_pct"], 0),
                last_run=_day_text(s["last_run_start_utc"]),
            )
    if not pain.empty:
        upto = pain[pain["date"] <= pd.Timestamp(as_of)]
        if not upto.empty:
            row["latest_pain"] = int(upto.sort_values("date", kind="stable")["score"].iloc[-1])
    worst = active_alert(name, activities, pain, as_of=as_of)
    if worst is not None:
        row["worst_alert"], row["alert_date"], row["alert_message"] = worst
    return row


def active_alert(
    athlete: str, activities: pd.DataFrame, pain: pd.DataFrame, *, as_of: date
) -> tuple[str, str, str] | None:
    """The athlete's worst caution-or-high alert of the :data:`ACTIVE_DAYS` days up to ``as_of``.

    Returns (severity, ISO date, message); the latest of equally serious alerts
    wins. The rules see :data:`ACTIVE_HISTORY_DAYS` of history before ``as_of``,
    enough for every window they use (28-day ratios, 30-day spikes, 14-day pain
    median) and for the EWMA's seed to have faded, without evaluating years.
    """
    since = pd.Timestamp(as_of - timedelta(days=ACTIVE_HISTORY_DAYS))
    first_active = as_of - timedelta(days=ACTIVE_DAYS - 1)
    days = pd.to_datetime(activities["local_date"]) if not activities.empty else None
    recent = activities[days >= since] if days is not None else activities
    recent_pain = pain[pd.to_datetime(pain["date"]) >= since] if not pain.empty else pain
    if recent.empty and recent_pain.empty:
        return None
    # Start the calendar at the window only when the history is longer than it: rest
    # days invented before an athlete's first run would make every ratio look high.
    start = since.date() if days is not None and days.min() < since else None
    found = [
        a
        for a in evaluate(
            recent, recent_pain, thresholds_for(athlete), athlete=athlete, start=start, end=as_of
        )
        if first_active <= a.date <= as_of and a.severity != "info"
    ]
    if not found:
        return None
    worst = max(found, key=lambda a: (SEVERITY_RANK[a.severity], a.date))
    return worst.severity, worst.date.isoformat(), worst.message


def _projection(
    activities: pd.DataFrame, athlete: str, what_if: list[tuple[date, float]], on: date
) -> dict[str, Any]:
    """ACWR, rolling 7-day load and ramp, and the largest planned spike if the what-if runs happen.

    Values at the last what-if day; km, % and ratios.
    """
    if not what_if:
        return {}
    rows = plan_rows(activities, what_if, athlete, first_id=-1)
    frame = pd.concat([activities.astype(object), rows.astype(object)], ignore_index=True)
    frame["start_utc"] = pd.to_datetime(frame["start_utc"], utc=True)
    frame["distance_m"] = frame["distance_m"].astype(float)
    frame["timer_s"] = frame["timer_s"].astype(float)
    horizon = max(d for d, _ in what_if)
    daily = metrics.daily_metrics(metrics.daily_load(frame, athlete=athlete, end=horizon))
    at = daily.loc[pd.Timestamp(horizon)]
    spikes = metrics.run_spikes(frame, athlete=athlete)
    planned = spikes[spikes["id"].isin(rows["id"].tolist())]
    worst = planned.sort_values("spike_pct").iloc[-1] if len(planned) else None

    def value(v: Any) -> float | None:
        return None if v is None or pd.isna(v) else float(v)

    return {
        "date": horizon,
        "acwr": value(at["acwr"]),
        "acwr_ewma": value(at["acwr_ewma"]),
        "week_load": value(at["week_load"]),
        "ramp_pct": value(at["ramp_pct"]),
        "spike_pct": None if worst is None else value(worst["spike_pct"]),
        "longest_30d_km": None if worst is None else value(worst["longest_30d_km"]),
    }


def _newest_date(activities: pd.DataFrame, pain: pd.DataFrame) -> date | None:
    """The newest activity or pain date in the store, not after today."""
    days = [pd.to_datetime(activities["local_date"]).max()] if not activities.empty else []
    if not pain.empty:
        days.append(pd.to_datetime(pain["date"]).max())
    days = [d for d in days if not pd.isna(d)]
    if not days:
        return None
    return min(max(days).date(), date.today())


def attention_key(row: dict[str, Any]) -> tuple[float, ...]:
    """Sort key putting who needs attention first: worst alert, its recency, pain, ACWR."""
    recent = row.get("alert_date") or ""
    return (
        -SEVERITY_RANK.get(row.get("worst_alert"), 0),
        -int(recent.replace("-", "") or 0),
        -(row.get("latest_pain") or 0),
        -(row.get("acwr") or 0),
        0 if row.get("last_run") else 1,
    )


def _measure_unit(measure: str) -> str:
    from loadwatch.metrics.load import MEASURE_UNITS

    return MEASURE_UNITS[measure]


def _last_date(index: pd.Index, pain_dates: pd.Series | None) -> date | None:
    candidates = []
    if len(index):
        candidates.append(pd.Timestamp(index[-1]))
    if pain_dates is not None and len(pain_dates):
        candidates.append(pd.Timestamp(pain_dates.max()))
    return max(candidates).date() if candidates else None


def _num(value: Any, digits: int) -> float | None:
    if value is None or pd.isna(value):
        return None
    return round(float(value), digits)


def _text(value: Any) -> str | None:
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _day_text(value: Any) -> str | None:
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).date().isoformat()


def _status(
    h: _History, end: date | None, factor: float, unit: str, load_factor: float
) -> dict[str, Any]:
    """Headline numbers at the end of the view: last 7 days, ramp, ACWR, latest spike."""
    if h.daily.empty or end is None:
        return {}
    upto = h.daily[h.daily.index <= pd.Timestamp(end)]
    if upto.empty:
        return {}
    last = upto.iloc[-1]
    runs = h.spikes[h.spikes["local_date"] <= pd.Timestamp(end)]
    spike = runs.iloc[-1] if not runs.empty else None
    return {
        "as_of": upto.index[-1].date(),
        "unit": unit,
        "week_load": float(last["week_load"]) * load_factor,
        "ramp_pct": None if np.isnan(last["ramp_pct"]) else float(last["ramp_pct"]),
        "acwr": None if np.isnan(last["acwr"]) else float(last["acwr"]),
        "acwr_ewma": None if np.isnan(last["acwr_ewma"]) else float(last["acwr_ewma"]),
        "last_run_distance": None if spike is None else float(spike["distance_km"]) * factor,
        "last_run_date": None if spike is None else pd.Timestamp(spike["local_date"]).date(),
        "last_spike_pct": None
        if spike is None or pd.isna(spike["spike_pct"])
        else float(spike["spike_pct"]),
        "last_spike_category": None if spike is None else str(spike["category"]),
    }
