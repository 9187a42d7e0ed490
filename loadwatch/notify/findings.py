"""What the planned days ahead would raise: the facts ``loadwatch notify`` sends.

This module is the one place notify asks the check projection for its facts
(:func:`findings_for`) and the coach table for its order
(:func:`attention_order`); both are thin over what computes them today
(:func:`loadwatch.alerts.check.check`, the dashboard's coach rows) so they can
be pointed at the service layer without touching anything else here. Words
are written elsewhere (:mod:`loadwatch.notify.render`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from loadwatch.store import Store

#: Severities that make a finding (info never does).
FINDING_SEVERITIES = ("caution", "high")


@dataclass(frozen=True, slots=True)
class Finding:
    """A planned run or week that would raise a caution-or-worse alert.

    ``date`` is the first day the alert would fire, ``last_date`` the last
    consecutive day of the same rule (a run's spike: the same day). Distances
    in km; ``value`` and ``threshold`` in the rule's unit (spike and ramp %,
    ratios unitless). ``planned_km`` is what is planned on ``date`` (0 when the
    day is a rest day inside a week the plan makes risky); ``estimated`` when
    some of it was estimated from a duration. ``ceiling_km`` is the longest run
    on ``date`` that keeps spike, ramp and ACWR quiet with the rest of the
    plan as it is (None: no rule can bind; 0: the rest of the plan already
    fires one), ``ceiling_rule`` the rule that binds.
    """

    athlete: str
    date: dt.date
    rule: str
    severity: str
    planned_km: float
    ceiling_km: float | None
    last_date: dt.date
    value: float
    threshold: float
    evidence: str
    estimated: bool = False
    ceiling_rule: str | None = None
    ceiling_reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The fields of ``loadwatch notify --format json`` (without the message)."""
        return {
            "athlete": self.athlete,
            "date": self.date.isoformat(),
            "rule": self.rule,
            "severity": self.severity,
            "planned_km": round(self.planned_km, 2),
            "ceiling_km": self.ceiling_km,
        }


def _episodes(alerts: list[Any]) -> list[tuple[Any, date, date]]:
    """(peak alert, first day, last day) per run of consecutive days of one rule.

    A spike belongs to one run, so spikes on consecutive days stay apart.
    """
    out: list[tuple[Any, date, date]] = []
    by_rule: dict[str, list[Any]] = {}
    for a in sorted(alerts, key=lambda a: (a.rule, a.date)):
        by_rule.setdefault(a.rule, []).append(a)
    for rule, items in by_rule.items():
        gap = 0 if rule == "spike" else 1
        group = [items[0]]
        for a in items[1:]:
            if (a.date - group[-1].date).days > gap:
                out.append(_fold(group))
                group = []
            group.append(a)
        out.append(_fold(group))
    return sorted(out, key=lambda e: (e[1], -e[0].rank, e[0].rule))


def _fold(group: list[Any]) -> tuple[Any, date, date]:
    peak = max(group, key=lambda a: (a.rank, a.value))
    return peak, group[0].date, group[-1].date


def findings_for(store: Store, athlete: str, days: int, today: date) -> list[Finding]:
    """The findings of the ``days`` days from ``today`` (or from the last recorded run).

    Runs the check projection on the athlete's recorded runs and stored plans;
    keeps the caution-or-worse alerts that depend on planned km, one finding
    per episode, each with the day's planned km and its run ceiling.
    """
    from loadwatch.alerts.check import check, run_ceiling
    from loadwatch.alerts.config import thresholds_for
    from loadwatch.alerts.rules import SEVERITY_RANK, pain_frame

    history = store.activities_frame(athlete)
    last_run = max(history["local_date"]) if len(history) else None
    on = max(today, last_run) if last_run else today
    stored = store.list_plans(athlete)
    pending = [p for p in stored if last_run is None or p.date > last_run]
    if not pending:
        return []
    plans = [(p.date, p.distance_m / 1000.0) for p in pending]
    thresholds = thresholds_for(athlete)
    pain = pain_frame(store.list_pain(athlete))
    result = check(history, pain, plans, thresholds, athlete=athlete, on=on)
    until = on + timedelta(days=days - 1)
    risky = [
        a
        for a in result.alerts
        if a.planned and a.rank >= SEVERITY_RANK["caution"] and on <= a.date <= until
    ]
    estimated_ids = {p.plan_id for p in store.calendar_plans(athlete) if p.estimated}
    findings: list[Finding] = []
    for peak, first, last in _episodes(risky):
        that_day = [p for p in pending if p.date == first]
        ceiling = run_ceiling(history, plans, thresholds, athlete=athlete, on=first)
        findings.append(
            Finding(
                athlete=athlete,
                date=first,
                rule=peak.rule,
                severity=peak.severity,
                planned_km=sum(p.distance_m for p in that_day) / 1000.0,
                ceiling_km=ceiling.km,
                last_date=last,
                value=float(peak.value),
                threshold=float(peak.threshold),
                evidence=peak.evidence,
                estimated=any(p.id in estimated_ids for p in that_day),
                ceiling_rule=ceiling.binding_rule,
                ceiling_reason=ceiling.reason,
            )
        )
    return findings


def attention_order(store: Store, athletes: list[str], as_of: date) -> list[dict[str, Any]]:
    """The coach table's rows for ``athletes`` as of ``as_of``, who needs attention first.

    Each row has at least ``athlete``, ``worst_alert`` (caution or high in the
    28 days up to ``as_of``, else None), ``alert_date`` and ``alert_message``.
    """
    from dashboards.data import attention_key, coach_row
    from loadwatch.alerts.rules import pain_frame

    rows = [
        coach_row(
            name,
            store.activities_frame(name),
            pain_frame(store.list_pain(name)),
            as_of=as_of,
        )
        for name in athletes
    ]
    return sorted(rows, key=attention_key)
