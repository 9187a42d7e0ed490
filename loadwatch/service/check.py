"""The warning before a jump, as the CLI and the dashboard both show it.

:func:`plan_check` runs :func:`loadwatch.alerts.check` on an athlete's history
and stored plans (plus a what-if run or week) and adds the projection: the
7-day load, ramp, acute:chronic ratios and the largest planned spike if the
what-if runs happen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from loadwatch import metrics
from loadwatch.alerts import CheckResult, check, plan_rows
from loadwatch.service.state import History


@dataclass(frozen=True)
class PlanCheck:
    """:class:`loadwatch.alerts.CheckResult` plus the projection at the last what-if day (km)."""

    result: CheckResult
    projected: dict[str, Any] = field(default_factory=dict)

    @property
    def has_findings(self) -> bool:
        return self.result.has_findings


def default_check_date(history: History, today: date | None = None) -> date:
    """Today, or the last recorded run's date when that is later (a clock behind the watch)."""
    today = today or date.today()
    last = history.last_run_date
    return max(today, last) if last else today


def plan_check(
    history: History,
    *,
    on: date,
    run_km: float | None = None,
    week_km: float | None = None,
) -> PlanCheck:
    """Alerts and safe ceilings from ``on`` with history, plans and a what-if; the projection."""
    result = check(
        history.activities,
        history.pain,
        history.plan_km,
        history.thresholds,
        athlete=history.athlete,
        on=on,
        run_km=run_km,
        week_km=week_km,
    )
    return PlanCheck(result, projection(history.activities, history.athlete, result.what_if))


def projection(
    activities: pd.DataFrame, athlete: str, what_if: list[tuple[date, float]]
) -> dict[str, Any]:
    """7-day load and ramp, ACWR (rolling, EWMA) and the largest planned spike if the
    what-if runs happen; values at the last what-if day (km, %, ratios)."""
    if not what_if:
        return {}
    rows = plan_rows(activities, what_if, athlete, first_id=-1)
    parts = [p.astype(object) for p in (activities, rows) if len(p)]
    frame = pd.concat(parts, ignore_index=True)
    frame["start_utc"] = pd.to_datetime(frame["start_utc"], utc=True)
    for column in ("distance_m", "timer_s"):
        frame[column] = frame[column].astype(float)
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
