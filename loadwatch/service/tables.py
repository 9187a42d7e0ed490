"""The tables of ``loadwatch metrics``: daily metrics, calendar weeks, run spikes.

Computed in km (or the load measure's unit) from one athlete's history; the
CLI converts distances for display.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from loadwatch import metrics
from loadwatch.errors import ValidationError
from loadwatch.service.state import History

#: Every column of the daily table, in order.
DAILY_COLUMNS: tuple[str, ...] = metrics.METRIC_COLUMNS
WEEKLY_COLUMNS: tuple[str, ...] = metrics.WEEKLY_COLUMNS
MEASURES: tuple[str, ...] = tuple(metrics.MEASURES)


@dataclass(frozen=True)
class MetricsTable:
    """One of the three tables, and any note about the defaults used (e.g. TRIMP heart rates)."""

    view: str
    frame: pd.DataFrame
    defaults_used: str | None = None
    notes: list[str] = field(default_factory=list)


def metrics_table(
    history: History,
    view: str,
    *,
    measure: str = "distance",
    end: date,
    since: date | None = None,
    all_sports: bool = False,
    week_start: str = "monday",
) -> MetricsTable:
    """``view`` is ``daily`` (index date), ``weekly`` or ``runs``; rows from ``since`` on,
    the calendar up to ``end`` (rest days included)."""
    acts = history.activities
    if acts.empty:
        raise ValidationError(
            f"athlete {history.athlete!r} has no activities yet; add some with: "
            "loadwatch import PATH"
        )
    first = pd.Timestamp(since) if since is not None else None
    if view == "runs":
        spikes = metrics.run_spikes(acts, athlete=history.athlete, all_sports=all_sports)
        if first is not None:
            spikes = spikes[spikes["local_date"] >= first]
        return MetricsTable(view, spikes)
    load = metrics.daily_load(
        acts,
        measure=measure,
        athlete=history.athlete,
        end=end,
        all_sports=all_sports,
        **history.profile,
    )
    defaults = load.attrs.get("defaults_used")
    if view == "weekly":
        weeks = metrics.weekly_table(load, acts, week_start=week_start)
        if first is not None:
            weeks = weeks[weeks["week_start"] >= first]
        return MetricsTable(view, weeks, defaults)
    frame = metrics.daily_metrics(load)
    if first is not None:
        frame = frame[frame.index >= first]
    return MetricsTable(view, frame, defaults)
