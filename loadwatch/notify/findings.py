"""What the planned days ahead would raise: the facts ``loadwatch notify`` sends.

This module is the one place notify asks the service for facts: the check
projection (:func:`findings_for`) and the coach table's order
(:func:`attention_order`). Words are written elsewhere
(:mod:`loadwatch.notify.render`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from loadwatch.store import Store

if TYPE_CHECKING:
    from loadwatch.service import AthleteState

#: Severities that make a finding (info never does).
FINDING_SEVERITIES = ("caution", "high")


@dataclass(frozen=True, slots=True)
class Finding:
    """A planned run or week that would raise a caution-or-worse alert.

    ``date`` is the first day the alert would fire, ``last_date`` the last
    consecutive day of the same rule, ``peak_date`` its worst day (which
    ``value`` and ``inputs`` describe); for a run's spike all three are the
    run's day. Distances in km; ``value`` and ``threshold`` in the rule's unit
    (spike and ramp %, ratios unitless). ``planned_km`` is what is planned on
    ``date`` (0 when the day is a rest day inside a week the plan makes
    risky); ``estimated`` when some of it was estimated from a duration.
    ``ceiling_km`` is the longest run on ``date`` that keeps the binding rules
    quiet with the rest of the plan as it is (None: no rule can bind; 0: the
    rest of the plan fires one anyway), ``ceiling_rule`` the rule that binds.
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
    #: ``binds``, ``already`` (the rest of the plan fires a rule anyway) or ``none``
    ceiling_status: str = "binds"
    #: for ``already``: the rule the rest of the plan sets off, and on which day
    ceiling_trigger: tuple[str, dt.date] | None = None
    #: the measurements behind ``value`` (km), as :class:`loadwatch.alerts.Alert` has them
    inputs: dict[str, Any] = field(default_factory=dict)
    #: the day of the episode's peak, which ``value`` and ``inputs`` describe
    peak_date: dt.date | None = None

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

    Runs the service's check projection on the athlete's recorded runs and
    stored plans; keeps the caution-or-worse alerts that depend on planned km,
    one finding per episode, each with the day's planned km and the run
    ceiling of that day (the other plans kept).
    """
    from loadwatch.service import SEVERITY_RANK, Service
    from loadwatch.service.check import default_check_date

    service = Service(store)
    history = service.history(athlete)
    last_run = history.last_run_date
    pending = [p for p in history.plans if last_run is None or p.date > last_run]
    if not pending:
        return []
    on = default_check_date(history, today)
    until = on + timedelta(days=days - 1)
    result = service.check(athlete, on=on).result
    risky = [
        a
        for a in result.alerts
        if a.planned and a.rank >= SEVERITY_RANK["caution"] and on <= a.date <= until
    ]
    estimated_ids = {p.plan_id for p in store.calendar_plans(athlete) if p.estimated}
    findings: list[Finding] = []
    ceilings = {on: result.run_ceiling}  # one check per finding day
    for peak, first, last in _episodes(risky):
        that_day = [p for p in pending if p.date == first]
        if first not in ceilings:
            ceilings[first] = service.check(athlete, on=first).result.run_ceiling
        ceiling = ceilings[first]
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
                ceiling_status=ceiling.status,
                ceiling_trigger=(
                    (ceiling.trigger.rule, ceiling.trigger.date)
                    if ceiling.status == "already" and ceiling.trigger is not None
                    else None
                ),
                inputs=dict(peak.inputs),
                peak_date=peak.date,
            )
        )
    return findings


def attention_order(store: Store, athletes: list[str], as_of: date) -> list[AthleteState]:
    """The coach table's order for ``athletes`` as of ``as_of``: who needs attention first.

    Each state's ``worst_alert`` is its worst caution-or-high alert of the 28
    days up to ``as_of`` (None when there is none).
    """
    from loadwatch.service import Service

    wanted = set(athletes)
    return [s for s in Service(store).status(as_of=as_of) if s.athlete in wanted]
