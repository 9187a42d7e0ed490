"""Alerts and ceilings in words: one renderer for the CLI and the dashboard.

An alert is a fact (:class:`loadwatch.alerts.Alert` or a row of an alerts or
episodes frame); this module writes it as one short sentence in the chosen
distance unit (km or mi) for the chosen audience — the runner ("your ...")
or a coach (the athlete's name, third person). What the studies found is
written once per rule (:func:`rule_evidence`), not repeated on every alert.
Wording stays with association ("associated with a higher injury rate in
study X"), never diagnosis.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from loadwatch.alerts.evidence import citation
from loadwatch.service.units import distance_text

LOCATION_WORDS = {
    "lower_back": "lower back",
    "hip": "hip",
    "hip_flexor": "hip flexor",
    "glute_si": "glute/SI joint",
    "other": "other",
}
TIMING_WORDS = {
    "during_run": "during a run",
    "after_run": "after a run",
    "next_morning": "the morning after",
    "not_running": "unrelated to a run",
}
RULE_TITLES = {
    "spike": "Single-run spike",
    "ramp": "Weekly ramp",
    "acwr": "Acute:chronic ratio (rolling)",
    "acwr_ewma": "Acute:chronic ratio (EWMA)",
    "acwr_low": "Acute:chronic ratio low",
    "monotony": "Monotony",
    "pain_flare": "Pain flare",
    "sleep_short": "Short sleep",
    "resting_hr_up": "Resting heart rate up",
    "soreness_rising": "Soreness rising",
}
DISCLAIMER = "loadwatch shows what was measured and what studies found; it is not medical advice."
# Frandsen 2025 categories: (upper bound of spike_pct, wording, hazard rate ratio)
_SPIKE_STUDY = (
    (30.0, "more than 10% and up to 30%", "1.64"),
    (100.0, "more than 30% and up to 100%", "1.52"),
    (float("inf"), "more than 100%", "2.28"),
)


class Voice:
    """Who is spoken about: the runner themself (``name`` None) or a named athlete."""

    def __init__(self, name: str | None = None) -> None:
        self.name = name

    @property
    def your(self) -> str:
        return "your" if self.name is None else f"{self.name}'s"

    @property
    def Your(self) -> str:  # sentence-initial form
        return "Your" if self.name is None else f"{self.name}'s"

    @property
    def their(self) -> str:
        return "your" if self.name is None else "their"


def format_value(rule: str, value: float, *, threshold: bool = False) -> str:
    """A rule's value (or threshold) for display: % for spike and ramp, /10 for pain."""
    if rule in ("spike", "ramp"):
        return f"{value:g}%" if threshold else f"{value:+.0f}%"
    if rule == "pain_flare":
        return f"{value:g}/10"
    return f"{value:g}" if threshold else f"{value:.2f}"


def _get(alert: Any, key: str) -> Any:
    if isinstance(alert, Mapping):
        return alert.get(key)
    return getattr(alert, key)


def _day(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    return str(value)[:10]


def alert_sentence(alert: Any, *, unit: str = "km", who: str | None = None) -> str:
    """One short sentence for an alert (an :class:`Alert`, a dict or a frame row).

    Distances in ``unit``; ``who`` None speaks to the runner, a name to a coach.
    """
    v = Voice(who)
    rule = str(_get(alert, "rule"))
    value = float(_get(alert, "value"))
    inputs: Mapping[str, Any] = _get(alert, "inputs") or {}
    planned = bool(_get(alert, "planned"))
    day = _day(_get(alert, "date"))

    def km(key: str) -> str:
        x = inputs.get(key)
        return distance_text(None if x is None else float(x), unit)

    def per_day(key: str) -> str:
        x = inputs.get(key)
        return distance_text(None if x is None else float(x), unit) + "/day"

    with_plans = " with the planned runs" if planned else ""
    if rule == "spike":
        run = (
            f"A planned {km('distance_km')} run on {day} would be"
            if planned
            else f"{v.Your} {km('distance_km')} run on {day} was"
        )
        return (
            f"{run} {value:.0f}% longer than {v.their} longest run of the 30 days before "
            f"({km('longest_30d_km')})."
        )
    if rule == "ramp":
        return (
            f"{v.Your} 7 days to {day}{with_plans}: {km('week_km')} against "
            f"{km('prev_week_km')} the 7 days before ({value:+.0f}%)."
        )
    if rule in ("acwr", "acwr_ewma"):
        kind = "rolling" if rule == "acwr" else "exponentially weighted"
        return (
            f"{v.Your} acute:chronic ratio ({kind}) on {day}{with_plans} is {value:.2f}: "
            f"{per_day('acute_km_day')} lately against {per_day('chronic_km_day')} usually."
        )
    if rule == "acwr_low":
        return (
            f"{v.Your} load on {day} is well below {v.their} usual: acute:chronic ratio "
            f"{value:.2f} ({per_day('acute_km_day')} against {per_day('chronic_km_day')})."
        )
    if rule == "monotony":
        return (
            f"{v.Your} 7 days to {day} were very alike: monotony {value:.2f} "
            f"({km('week_km')} in the 7 days)."
        )
    if rule == "pain_flare":
        where = LOCATION_WORDS.get(inputs.get("location") or "", inputs.get("location") or "")
        when = TIMING_WORDS.get(inputs.get("timing") or "", inputs.get("timing") or "")
        median = inputs.get("median")
        text = f"{'Pain' if who is None else who + ' logged pain'} {value:g}/10 on {day}"
        text += f" ({where}, {when})"
        if median is not None:
            days = inputs.get("median_days") or 14
            text += f"; {v.their} {days}-day median was {float(median):g}"
        gap = inputs.get("spike_days_before")
        if gap is not None:
            after = "the same day as" if gap == 0 else f"{gap} day{'s' if gap != 1 else ''} after"
            pct = float(inputs.get("spike_pct") or 0)
            text += f"; {after} a run {pct:.0f}% longer than the 30-day longest"
        return text + "."
    if rule == "sleep_short":
        nights = ", ".join(f"{h:.1f}" if h == h else "–" for h in inputs.get("sleep_h") or [])
        median = inputs.get("median_28d_h")
        usual = (
            f"; {v.their} 28-day median is {median:.1f} h"
            if median is not None and median == median
            else ""
        )
        return (
            f"{v.Your} sleep to {day}: {value:.0f} of the last {inputs.get('nights')} nights "
            f"under {inputs.get('min_h', 6):g} h or {inputs.get('below_median_h', 1):g} h "
            f"below {v.their} usual ({nights} h{usual})."
        )
    if rule == "resting_hr_up":
        rest = float(inputs.get("resting_hr") or 0)
        median_hr = float(inputs.get("median_28d") or 0)
        return (
            f"{v.Your} resting heart rate on {day} is {rest:.0f} bpm, {value:.0f} bpm above "
            f"its 28-day median ({median_hr:.0f} bpm) for {inputs.get('days')} days running."
        )
    if rule == "soreness_rising":
        return (
            f"{v.Your} soreness to {day} is up {value:.1f} points over "
            f"{inputs.get('span_days')} days (weekly means)."
        )
    return f"{rule} on {day}: {value:g}."


def short_reason(alert: Any, *, unit: str = "km") -> str:
    """A few third-person words for a coach table cell, e.g. ``spike +52% (12.0 km)``."""
    rule = str(_get(alert, "rule"))
    value = float(_get(alert, "value"))
    inputs: Mapping[str, Any] = _get(alert, "inputs") or {}
    day = _day(_get(alert, "date"))
    if rule == "spike":
        run = distance_text(inputs.get("distance_km"), unit)
        return f"run {value:+.0f}% on its 30-day longest ({run}, {day})"
    if rule == "ramp":
        return f"7-day distance {value:+.0f}% ({distance_text(inputs.get('week_km'), unit)}, {day})"
    if rule == "pain_flare":
        return f"pain {value:g}/10 ({day})"
    return f"{RULE_TITLES.get(rule, rule).lower()} {format_value(rule, value)} ({day})"


def rule_evidence(rule: str, severity: str | None = None) -> str:
    """What the studies found for a rule, with its evidence keys (shown once per rule)."""
    if rule == "spike":
        parts = [
            f"single-run spikes of {w} were associated with a {r}x higher injury rate"
            for _, w, r in _SPIKE_STUDY
        ]
        return (
            "In a study of 5,205 runners, " + "; ".join(parts) + " than runs up to 10% "
            "longer than the 30-day longest (frandsen2025)."
        )
    if rule == "ramp":
        return (
            "Keeping increases to 10% a week is a common rule of thumb, but in a trial of "
            "novice runners a 10% schedule did not reduce injuries (buist2008). Runners "
            "who raised weekly distance by more than 30% had more distance-related injuries "
            "than those who kept it under 10% (hazard ratio 1.59; nielsen2014)."
        )
    if rule in ("acwr", "acwr_ewma", "acwr_low"):
        return (
            "Gabbett described 0.8–1.3 as the range with the lowest injury rates and above "
            "1.5 as a danger zone (gabbett2016). The ratio is debated (impellizzeri2020): in "
            "5,205 runners it showed no positive dose-response (frandsen2025), and in 435 "
            "Dutch runners a higher ratio went with lower injury risk (nakaoka2021). "
            "loadwatch shows it for information and does not rank it above the single-run spike."
        )
    if rule == "monotony":
        return (
            "Foster linked high monotony (days that are all alike) and strain (weekly load x "
            "monotony) with illness and overtraining in athletes (foster1998)."
        )
    if rule == "pain_flare":
        return (
            "A change of about 2 points (30%) is the smallest change people rate as important "
            "(farrar2001). This is a record of what was logged, not a diagnosis."
        )
    if rule == "sleep_short":
        return (
            "Lower sleep quality was associated with a higher injury rate in 339 runners "
            "(sleep2025); poor sleepers reported injury more often (dejonge2025, "
            "cross-sectional); poor sleep went with low-back-pain flares (costa2021)."
        )
    if rule == "soreness_rising":
        return "In 339 runners, muscle soreness rose in the 2 weeks before an injury (sleep2025)."
    if rule == "resting_hr_up":
        return (
            "A resting heart rate above its usual is a common monitoring sign of fatigue or "
            "illness; no study behind loadwatch links it to running injury."
        )
    return ""


def evidence_keys(rule: str) -> tuple[str, ...]:
    """The evidence keys :func:`rule_evidence` cites for ``rule``."""
    return {
        "spike": ("frandsen2025",),
        "ramp": ("buist2008", "nielsen2014"),
        "acwr": ("gabbett2016", "williams2017", "impellizzeri2020", "frandsen2025", "nakaoka2021"),
        "acwr_ewma": ("gabbett2016", "williams2017", "frandsen2025", "nakaoka2021"),
        "acwr_low": ("gabbett2016",),
        "monotony": ("foster1998",),
        "pain_flare": ("farrar2001",),
        "sleep_short": ("sleep2025", "dejonge2025", "costa2021"),
        "soreness_rising": ("sleep2025",),
    }.get(rule, ())


def citations(rule: str) -> list[str]:
    """``key — citation`` lines for a rule's evidence keys."""
    return [f"{key}: {citation(key)}" for key in evidence_keys(rule)]


WHY_WORDS = {
    "break": "no run in the 30 days before (first run after a break): no spike reference",
    "ramp_base": "less than the ramp's minimum base in the 7 days before",
    "history": "fewer than 28 days of history (acute:chronic ratio)",
    "no_runs": "no runs recorded before this date to learn the usual week",
    "limit": "no rule binds within 100,000 km",
}


def ceiling_sentence(ceiling: Any, *, unit: str = "km", who: str | None = None) -> str:
    """The ceiling's reason in words: what binds, what is already over, or why none."""
    v = Voice(who)
    if ceiling.status == "already":
        trigger = ceiling.trigger
        return "Already over a threshold without any more running: " + alert_sentence(
            trigger, unit=unit, who=who
        )
    if ceiling.status == "binds":
        more = distance_text(ceiling.km + 0.01, unit, 2) if ceiling.km is not None else "–"
        text = f"{more} would raise a {ceiling.binding_rule} caution"
        if ceiling.trigger is not None:
            text += f" on {_day(ceiling.trigger.date)}"
        return text + "."
    reasons = "; ".join(WHY_WORDS.get(w, w) for w in ceiling.why)
    text = f"No ceiling: {reasons}." if reasons else "No ceiling."
    if "break" in ceiling.why:
        if ceiling.usual_run_km is not None:
            text += (
                f" First run after a break: consider starting below {v.your} usual run "
                f"({distance_text(ceiling.usual_run_km, unit)})."
            )
        else:
            text += " No earlier run to compare with: consider starting short."
    return text
