"""Evidence-backed alerts on training load and pain (science.md section 6).

- :func:`evaluate` -> every rule, day by day, on one athlete's runs (plus any
  planned rows) and pain log; :func:`summarise` folds consecutive days into episodes.
- :func:`check` -> what planned or what-if runs would trigger, with the safe
  ceilings (:func:`run_ceiling`, :func:`week_ceiling`).
- :func:`effective_thresholds` -> defaults, the TOML config file, per-athlete values.

Alerts say what was measured and what a study found, with the study's
evidence key; they never diagnose.
"""

from loadwatch.alerts.check import (
    CEILING_RULES,
    Ceiling,
    CheckResult,
    check,
    plan_rows,
    run_ceiling,
    usual_week,
    week_ceiling,
)
from loadwatch.alerts.config import (
    ConfigError,
    Effective,
    Thresholds,
    config_path,
    configured_units,
    effective_thresholds,
    thresholds_for,
)
from loadwatch.alerts.evidence import EVIDENCE, citation
from loadwatch.alerts.rules import (
    ALERT_COLUMNS,
    EPISODE_COLUMNS,
    RULES,
    SEVERITIES,
    SEVERITY_RANK,
    Alert,
    alerts_frame,
    daily_pain,
    evaluate,
    pain_frame,
    summarise,
)

__all__ = [
    "ALERT_COLUMNS",
    "CEILING_RULES",
    "EPISODE_COLUMNS",
    "EVIDENCE",
    "RULES",
    "SEVERITIES",
    "SEVERITY_RANK",
    "Alert",
    "Ceiling",
    "CheckResult",
    "ConfigError",
    "Effective",
    "Thresholds",
    "alerts_frame",
    "check",
    "citation",
    "config_path",
    "configured_units",
    "daily_pain",
    "effective_thresholds",
    "evaluate",
    "pain_frame",
    "plan_rows",
    "run_ceiling",
    "summarise",
    "thresholds_for",
    "usual_week",
    "week_ceiling",
]
