"""The words of every notification: one place, so findings stay facts until here.

Each finding becomes one sentence: which planned run or week would raise
which alert, what was measured against what, the study behind it, and the
longest run that day that stays clear. Ceilings are shown to 0.01 km, as the
check computes them (rounded down, so planning exactly the ceiling stays clear).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from loadwatch.notify.findings import Finding
from loadwatch.service import AthleteState
from loadwatch.service.render import short_reason
from loadwatch.service.units import distance_text
from loadwatch.store import DEFAULT_ATHLETE, SentNotification

TITLE = "loadwatch: a planned run would be a jump"
CLEARED_TITLE = "loadwatch: cleared"
DIGEST_TITLE = "loadwatch: weekly digest"
_WEEKDAY = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def day_text(day: date) -> str:
    """``Sat 2026-12-05``."""
    return f"{_WEEKDAY[day.weekday()]} {day.isoformat()}"


def _who(athlete: str) -> str:
    return "" if athlete == DEFAULT_ATHLETE else f"{athlete}: "


def _km(value: Any) -> str:
    return distance_text(float(value), "km") if value is not None else "–"


def _what(f: Finding) -> str:
    """What would happen, in the rule's own terms, with the measurements behind it."""
    v, t, i = f.value, f.threshold, f.inputs
    if f.rule == "spike":
        longest = f" ({_km(i['longest_30d_km'])})" if i.get("longest_30d_km") else ""
        return (
            f"would be {v:.0f}% longer than the longest run of the 30 days before{longest}, "
            f"over the {t:g}% threshold"
        )
    to = day_text(f.peak_date or f.date)
    if f.rule == "ramp":
        weeks = ""
        if i.get("week_km") is not None and i.get("prev_week_km") is not None:
            weeks = f" ({_km(i['week_km'])} against {_km(i['prev_week_km'])})"
        return (
            f"would put {v:.0f}% more distance in the 7 days to {to} than in the 7 "
            f"before{weeks}, over the {t:g}% threshold"
        )
    if f.rule == "acwr":
        return f"would take the acute:chronic ratio (7 vs 28 days) to {v:.2f} on {to}, over {t:g}"
    if f.rule == "acwr_ewma":
        return f"would take the EWMA acute:chronic ratio to {v:.2f} on {to}, over {t:g}"
    if f.rule == "monotony":
        return f"would make the monotony of the 7 days to {to} {v:.2f}, over {t:g}"
    return f"would set off {f.rule} at {v:g} (threshold {t:g})"


def _ceiling(f: Finding) -> str:
    if f.ceiling_status == "already" or (f.ceiling_km is not None and f.ceiling_km <= 0):
        if f.ceiling_trigger is not None:
            rule, day = f.ceiling_trigger
            return (
                f"whatever is run that day, the rest of the plan sets off {rule} on {day_text(day)}"
            )
        return "whatever is run that day, the rest of the plan sets off an alert"
    if f.ceiling_km is None:
        return "no distance limit can be worked out for that day"
    return f"a run of up to {f.ceiling_km:.2f} km that day stays clear"


def finding_message(f: Finding) -> str:
    """One sentence for one finding."""
    when = day_text(f.date)
    if f.planned_km > 0:
        est = " (estimated from its duration)" if f.estimated else ""
        subject = f"the {f.planned_km:.1f} km{est} planned for {when}"
    else:
        subject = f"the plan around {when}"
    if f.athlete == DEFAULT_ATHLETE:
        subject = subject[0].upper() + subject[1:]
    return (
        f"{_who(f.athlete)}{subject} {_what(f)} ({f.rule}, "
        f"{f.severity}; associated with a higher injury rate in {f.evidence}); {_ceiling(f)}."
    )


def cleared_message(sent: SentNotification) -> str:
    """One sentence saying an earlier finding no longer holds."""
    when = day_text(sent.first_date) if sent.first_date else "the coming days"
    who = _who(sent.athlete or DEFAULT_ATHLETE)
    return f"{who}Cleared: the plan for {when} no longer sets off {sent.rule}."


def digest_message(
    states: Sequence[AthleteState],
    findings: dict[str, list[Finding]],
    *,
    week_start: date,
    total: int,
) -> str:
    """The coach's weekly list: athletes who need attention, in the coach table's order.

    ``states`` are already in order and limited to who needs attention; each
    line names the worst alert of the last 28 days and the findings ahead.
    """
    head = f"Week of {week_start.isoformat()}: "
    if not states:
        return head + f"none of {total} athlete(s) needs attention."
    lines = [head + f"{len(states)} of {total} athlete(s) need attention."]
    for n, state in enumerate(states, start=1):
        parts = []
        if state.worst_alert is not None:
            parts.append(f"{state.worst_alert.severity}: {short_reason(state.worst_alert)}")
        by_day: dict[date, list[Finding]] = {}
        for f in findings.get(state.athlete, []):
            by_day.setdefault(f.date, []).append(f)
        for day, same_day in sorted(by_day.items()):
            rules = ", ".join(f"{f.rule} ({f.severity})" for f in same_day)
            parts.append(f"ahead on {day_text(day)}: {rules}, {_ceiling(same_day[0])}")
        lines.append(f"{n}. {state.athlete} — " + "; ".join(parts))
    return "\n".join(lines)
