"""The service layer: one place that composes store, metrics and alerts.

``ingest`` -> ``store`` -> ``metrics`` -> ``alerts`` -> **service** -> (``cli``,
``dashboards``). The CLI and the dashboard call :class:`Service` and render
what it returns with :mod:`loadwatch.service.render` and
:mod:`loadwatch.service.units`; neither imports ``loadwatch.metrics`` or
``loadwatch.alerts`` itself.

- :meth:`Service.status` -> :class:`AthleteState` of every athlete as of a date
  (today by default), who needs attention first; the coach table is
  :meth:`Service.coach_rows`.
- :meth:`Service.alerts` -> past alerts as facts; :func:`episodes` folds them.
- :meth:`Service.runner` -> :class:`RunnerView` frames for the dashboard.
- :meth:`Service.check` -> :class:`PlanCheck` (alerts, ceilings, projection).
"""

from loadwatch.alerts import (
    ALERT_COLUMNS,
    EPISODE_COLUMNS,
    RULES,
    SEVERITIES,
    SEVERITY_RANK,
    Alert,
    Ceiling,
    CheckResult,
    ConfigError,
    alerts_frame,
)
from loadwatch.alerts import summarise as episodes
from loadwatch.service.check import PlanCheck
from loadwatch.service.core import Service
from loadwatch.service.runner import DEFAULT_RANGE_DAYS, RunnerView
from loadwatch.service.state import STATE_KEYS, AthleteState, History

__all__ = [
    "ALERT_COLUMNS",
    "DEFAULT_RANGE_DAYS",
    "EPISODE_COLUMNS",
    "RULES",
    "SEVERITIES",
    "SEVERITY_RANK",
    "STATE_KEYS",
    "Alert",
    "AthleteState",
    "Ceiling",
    "CheckResult",
    "ConfigError",
    "History",
    "PlanCheck",
    "RunnerView",
    "Service",
    "alerts_frame",
    "episodes",
]
