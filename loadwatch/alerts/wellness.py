"""Information alerts on wellness context (science.md section 8), as plain facts.

Three rules, all at severity ``info`` (never a warning colour, never a
ceiling, never the ``check`` exit status). Each fires on every day it holds:

- ``sleep_short``: at least 3 of the last 4 nights were below 6 h, or 1 h
  below the median of the 28 days before. value: short nights among the last
  4; threshold 3; evidence sleep2025 (also dejonge2025, costa2021).
- ``resting_hr_up``: resting HR 5+ bpm above the median of its 28 days
  before, 3 days running. value: bpm above the median that day; threshold 5;
  evidence "none" (a monitoring convention; science.md names no study).
- ``soreness_rising``: the mean rating of the last 7 days is 2+ points above
  the mean of the 7 days ending 14 days earlier (3+ ratings in each). value:
  the rise in points; threshold 2; evidence sleep2025.

Alerts are :class:`loadwatch.alerts.rules.Alert` facts like the load rules'
(``planned`` always False; ``inputs`` holds what the rule compared, hours,
bpm or points); words and units are rendered by whoever shows them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from loadwatch.alerts.rules import Alert
from loadwatch.metrics.wellness import resting_hr_rise, short_sleep_nights, soreness_rise

#: Rule -> evidence key (science.md "Evidence keys"; "none" where it names no study).
WELLNESS_EVIDENCE: dict[str, str] = {
    "sleep_short": "sleep2025",
    "resting_hr_up": "none",
    "soreness_rising": "sleep2025",
}
#: Further studies behind a rule, shown with it.
RELATED_EVIDENCE: dict[str, tuple[str, ...]] = {"sleep_short": ("dejonge2025", "costa2021")}
WELLNESS_RULES: tuple[str, ...] = tuple(WELLNESS_EVIDENCE)


@dataclass(frozen=True, slots=True)
class WellnessThresholds:
    """Defaults of science.md section 8 (hours, bpm, points, days)."""

    sleep_min_h: float = 6.0
    sleep_below_median_h: float = 1.0
    sleep_median_days: int = 28
    sleep_nights: int = 3
    sleep_window: int = 4
    rhr_rise_bpm: float = 5.0
    rhr_median_days: int = 28
    rhr_days: int = 3
    soreness_rise_points: float = 2.0
    soreness_span_days: int = 14


def wellness_facts(alert: Alert) -> dict[str, Any]:
    """An alert's JSON facts plus the further studies behind its rule."""
    return {**alert.as_dict(), "related_evidence": list(RELATED_EVIDENCE.get(alert.rule, ()))}


def wellness_alerts(
    series: pd.DataFrame,
    *,
    athlete: str,
    thresholds: WellnessThresholds | None = None,
) -> list[Alert]:
    """Every information alert on a daily series from
    :func:`loadwatch.metrics.wellness.wellness_series`, in date order."""
    t = thresholds or WellnessThresholds()
    alerts: list[Alert] = []
    if series.empty:
        return alerts
    sleep = short_sleep_nights(
        series["sleep_h"].astype(float),
        min_hours=t.sleep_min_h,
        below_median_h=t.sleep_below_median_h,
        median_days=t.sleep_median_days,
        window=t.sleep_window,
    )
    days = [d.date() for d in pd.DatetimeIndex(series.index)]
    hours = series["sleep_h"].to_numpy(dtype=float)
    count = sleep["short_nights"].to_numpy(dtype=float)
    median = sleep["median"].to_numpy(dtype=float)
    for i in np.flatnonzero(count >= t.sleep_nights):
        alerts.append(
            Alert(
                date=days[i],
                athlete=athlete,
                severity="info",
                planned=False,
                rule="sleep_short",
                value=float(count[i]),
                threshold=float(t.sleep_nights),
                evidence=WELLNESS_EVIDENCE["sleep_short"],
                inputs={
                    "sleep_h": [float(v) for v in hours[max(0, i - t.sleep_window + 1) : i + 1]],
                    "median_28d_h": float(median[i]),
                    "min_h": t.sleep_min_h,
                    "below_median_h": t.sleep_below_median_h,
                    "nights": t.sleep_window,
                },
            )
        )
    rhr = resting_hr_rise(
        series["resting_hr"].astype(float),
        median_days=t.rhr_median_days,
        rise_bpm=t.rhr_rise_bpm,
    )
    above = rhr["above"].to_numpy(dtype=float)
    rhr_median = rhr["median"].to_numpy(dtype=float)
    run = rhr["run"].to_numpy(dtype=int)
    resting = series["resting_hr"].to_numpy(dtype=float)
    for i in np.flatnonzero(run >= t.rhr_days):
        alerts.append(
            Alert(
                date=days[i],
                athlete=athlete,
                severity="info",
                planned=False,
                rule="resting_hr_up",
                value=float(above[i]),
                threshold=t.rhr_rise_bpm,
                evidence=WELLNESS_EVIDENCE["resting_hr_up"],
                inputs={
                    "resting_hr": float(resting[i]),
                    "median_28d": float(rhr_median[i]),
                    "days": int(run[i]),
                },
            )
        )
    rise = soreness_rise(series["soreness"].astype(float), span_days=t.soreness_span_days).to_numpy(
        dtype=float
    )
    for i in np.flatnonzero(rise >= t.soreness_rise_points):
        alerts.append(
            Alert(
                date=days[i],
                athlete=athlete,
                severity="info",
                planned=False,
                rule="soreness_rising",
                value=float(rise[i]),
                threshold=t.soreness_rise_points,
                evidence=WELLNESS_EVIDENCE["soreness_rising"],
                inputs={"span_days": t.soreness_span_days, "week_days": 7},
            )
        )
    alerts.sort(key=lambda a: (a.date, WELLNESS_RULES.index(a.rule)))
    return alerts
