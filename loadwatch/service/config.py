"""The thresholds in force for an athlete, for ``loadwatch config`` and the dashboard."""

from __future__ import annotations

from loadwatch.alerts.config import (
    DESCRIPTIONS,
    THRESHOLD_KEYS,
    Effective,
    effective_thresholds,
)

__all__ = ["DESCRIPTIONS", "THRESHOLD_KEYS", "Effective", "thresholds_in_force"]


def thresholds_in_force(athlete: str | None = None) -> Effective:
    """Defaults, the config file's ``[thresholds]``, then the athlete's own table."""
    return effective_thresholds(athlete)
