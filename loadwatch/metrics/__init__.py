"""Training-load metrics: pure, vectorised functions on pandas objects (science.md 1-5).

No I/O and no database access: callers hand in an activities DataFrame (the
columns of :data:`loadwatch.model.SUMMARY_COLUMNS`, optionally ``rpe``) and get
Series/DataFrames back. Inputs are never modified.

- :func:`daily_load` -> one athlete's daily load (km, minutes, TRIMP or sRPE).
- :func:`daily_metrics` -> ACWR (coupled, uncoupled, EWMA), rolling week and
  ramp, monotony/strain, CTL/ATL/TSB for each day.
- :func:`weekly_table` -> calendar weeks with ramp, run count, longest run.
- :func:`run_spikes` -> each run against the longest of the previous 30 days.
- :func:`all_athletes_daily_metrics`, :func:`athlete_status` -> every athlete at once.
"""

from loadwatch.metrics._input import MetricsInputError
from loadwatch.metrics.daily import METRIC_COLUMNS, daily_metrics
from loadwatch.metrics.load import HR_MAX_DEFAULT, HR_REST_DEFAULT, MEASURES, daily_load
from loadwatch.metrics.many import STATUS_COLUMNS, all_athletes_daily_metrics, athlete_status
from loadwatch.metrics.spikes import SPIKE_CATEGORIES, SPIKE_COLUMNS, run_spikes
from loadwatch.metrics.weekly import WEEKLY_COLUMNS, weekly_table

__all__ = [
    "HR_MAX_DEFAULT",
    "HR_REST_DEFAULT",
    "MEASURES",
    "METRIC_COLUMNS",
    "SPIKE_CATEGORIES",
    "SPIKE_COLUMNS",
    "STATUS_COLUMNS",
    "WEEKLY_COLUMNS",
    "MetricsInputError",
    "all_athletes_daily_metrics",
    "athlete_status",
    "daily_load",
    "daily_metrics",
    "run_spikes",
    "weekly_table",
]
