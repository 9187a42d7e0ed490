"""The athlete's recent running pace, to turn a planned duration into a distance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from loadwatch.model import is_running

#: Days before the as-of date whose runs make the "recent" pace.
RECENT_PACE_DAYS = 42
#: Without a run in those days: the pace of this many latest runs.
FALLBACK_RUNS = 10


@dataclass(frozen=True, slots=True)
class Pace:
    """Seconds per km, and the runs it was measured on (a window or the latest runs)."""

    s_per_km: float
    runs: int
    basis: str  # "the 42 days before 2026-12-03" or "the 10 latest runs"

    def km_in(self, minutes: float) -> float:
        """Kilometres run in ``minutes`` at this pace."""
        return minutes * 60.0 / self.s_per_km


def recent_pace(activities: pd.DataFrame, as_of: date) -> Pace | None:
    """Total moving time / total distance of the runs of the 42 days before ``as_of``.

    Falls back to the 10 latest runs before ``as_of`` when those days hold
    none; None without any running with both distance and moving time.
    Columns used: ``sport``, ``start_utc``, ``local_date``, ``distance_m``, ``timer_s``.
    """
    if activities.empty:
        return None
    running = activities[[is_running(s) for s in activities["sport"]]]
    days = pd.to_datetime(running["local_date"]).dt.date
    ok = (running["distance_m"] > 0) & (running["timer_s"] > 0) & (days < as_of)
    usable = running[ok.to_numpy()]
    usable_days = days[ok.to_numpy()]
    since = as_of - timedelta(days=RECENT_PACE_DAYS)
    recent = usable[(usable_days >= since).to_numpy()]
    basis = f"the {RECENT_PACE_DAYS} days before {as_of}"
    if recent.empty:
        recent = usable.sort_values("start_utc").tail(FALLBACK_RUNS)
        basis = f"the {len(recent)} latest runs"
    if recent.empty:
        return None
    metres = float(recent["distance_m"].sum())
    seconds = float(recent["timer_s"].sum())
    return Pace(seconds / (metres / 1000.0), len(recent), basis)
