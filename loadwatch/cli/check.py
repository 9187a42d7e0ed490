"""``loadwatch check``: what planned runs would trigger, and the safe ceiling."""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from typing import Any

import click

from loadwatch.cli.common import (
    EXIT_FOUND,
    EXIT_OK,
    athlete_option,
    db_option,
    format_option,
    handle_errors,
    parse_date,
    units_option,
)

_WEEKDAY = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def format_check(check: Any, unit: str = "km") -> str:
    """The text report of a :class:`loadwatch.service.PlanCheck`: alerts (one line per
    episode, what the studies found once per rule) and both ceilings, distances in ``unit``."""
    from loadwatch.service import episodes
    from loadwatch.service.render import (
        DISCLAIMER,
        RULE_TITLES,
        alert_sentence,
        ceiling_sentence,
        citations,
        rule_evidence,
    )
    from loadwatch.service.units import distance_text

    result = check.result
    lines = [f"Check for {result.athlete} from {result.as_of} to {result.until}"]
    facts = [f"last recorded run: {result.last_run or 'none'}"]
    facts.append(f"planned runs counted: {result.plans_counted}")
    if result.what_if:
        if len(result.what_if) == 1:
            day, km = result.what_if[0]
            facts.append(f"what-if: {distance_text(km, unit, 2)} on {day}")
        else:
            total = sum(km for _, km in result.what_if)
            facts.append(
                f"what-if: {distance_text(total, unit, 2)} over the 7 days, "
                "spread like your usual week"
            )
    lines.append("(" + "; ".join(facts) + ")")
    lines.append("")
    folded = episodes(result.alerts)
    if folded.empty:
        lines.append("No alerts.")
    rules_seen: list[str] = []
    for ep in folded.to_dict("records"):
        first, last, rule = ep["first_date"], ep["last_date"], str(ep["rule"])
        days = str(first) if first == last else f"{first} to {last}"
        planned = ", planned" if ep["planned"] else ""
        lines.append(f"{str(ep['severity']).upper()}: {RULE_TITLES[rule]} ({days}{planned})")
        lines.append(f"  {alert_sentence(ep, unit=unit)}")
        family = "acwr" if rule.startswith("acwr") else rule
        if family not in rules_seen:
            rules_seen.append(family)
    if not result.has_findings and not folded.empty:
        lines.append("Nothing at caution or above (info is shown, never a warning).")
    if rules_seen:
        lines.append("")
        lines.append("What the studies found:")
        for rule in rules_seen:
            title = "Acute:chronic ratio" if rule == "acwr" else RULE_TITLES[rule]
            lines.append(f"  {title}: {rule_evidence(rule)}")
            lines.extend(f"    {c}" for c in citations(rule))
    lines.append("")
    binding = ", ".join(result.binding_rules)
    lines.append(f"Safe ceiling (no {binding} alert at caution or above in the 7 days):")
    run = result.run_ceiling
    if run.km is None:
        lines.append(f"  Run on {result.as_of}: none")
    else:
        lines.append(
            f"  Run on {result.as_of}: {distance_text(run.km, unit, 2)} (binds: {run.binding_rule})"
        )
    lines.append(f"    {ceiling_sentence(run, unit=unit)}")
    week = result.week_ceiling
    last = result.as_of + timedelta(days=6)
    if week.km is None:
        lines.append(f"  7 days {result.as_of} to {last}: none")
    else:
        spread = ", spread like your usual week:" if week.spread else ""
        lines.append(
            f"  7 days {result.as_of} to {last}: {distance_text(week.km, unit, 2)} "
            f"(binds: {week.binding_rule}){spread}"
        )
        if week.spread:
            parts = [
                f"{_WEEKDAY[d.weekday()]} {d} {distance_text(km, unit)}"
                for d, km in week.spread.items()
            ]
            lines.append("    " + ", ".join(parts))
    lines.append(f"    {ceiling_sentence(week, unit=unit)}")
    lines.append("  Info-level rules, monotony and pain never set a ceiling.")
    lines.append("")
    lines.append(DISCLAIMER)
    return "\n".join(lines)


def check_json(check: Any, unit: str) -> dict[str, Any]:
    """The JSON object of ``check --format json`` (numbers in km; messages in ``unit``)."""
    from loadwatch.service.render import alert_sentence, ceiling_sentence

    result = check.result
    return {
        "athlete": result.athlete,
        "as_of": result.as_of.isoformat(),
        "until": result.until.isoformat(),
        "last_run": result.last_run.isoformat() if result.last_run else None,
        "found": result.has_findings,
        "alerts": [{**a.as_dict(), "message": alert_sentence(a, unit=unit)} for a in result.alerts],
        "ceiling": {
            "run": {
                **result.run_ceiling.as_dict(),
                "message": ceiling_sentence(result.run_ceiling, unit=unit),
            },
            "week": {
                **result.week_ceiling.as_dict(),
                "message": ceiling_sentence(result.week_ceiling, unit=unit),
            },
        },
        "projected": {
            k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in check.projected.items()
        },
    }


@click.command("check")
@click.option("--on", "on", metavar="DATE", help="Date of the planned run (default: today).")
@click.option(
    "--run",
    "run_dist",
    type=float,
    metavar="DIST",
    help="What if I run DIST (in --units) that day?",
)
@click.option(
    "--week",
    "week_dist",
    type=float,
    metavar="DIST",
    help="What if I run DIST (in --units) in the 7 days from it?",
)
@units_option("Unit of --run/--week and of the distances shown (JSON numbers stay km).")
@format_option("text", "json", default="text")
@athlete_option
@db_option
@handle_errors
def check_cmd(
    on: str | None,
    run_dist: float | None,
    week_dist: float | None,
    units: str | None,
    fmt: str,
    athlete: str | None,
    db: str | None,
) -> None:
    """Warn before a jump: the alerts your plan would trigger, and the safe ceiling.

    Evaluates every rule on your recorded runs plus stored planned runs (see
    `loadwatch plan`), plus the run (--run) or 7-day total (--week) given
    here, which replace any plans on those dates. Prints the alerts from the
    date on, marked planned when planned km cause them, and the safe
    ceiling: the longest run that date, and the most for the 7 days from it
    (spread like your usual week), that raise no spike or ramp alert at
    caution or above (ACWR too under the gabbett2016 profile). Info-level
    alerts are shown but never count. See the README section "Alerts, pain
    and the warning before a jump".

    Exit status: 0 nothing at caution or above, 3 something at caution or
    above (handy in cron), 1 error (e.g. a broken config file), 2 usage error.

    \b
    Example:
      loadwatch check --run 25
      loadwatch check --run 15 --units mi
      loadwatch check --athlete "Sam Jumps" --on 2026-04-04 --week 60 --format json
    """
    from loadwatch.cli.entries import open_athlete
    from loadwatch.service import Service
    from loadwatch.service.units import resolve_units, to_km

    unit = resolve_units(units)
    store, name = open_athlete(db, athlete)
    result = Service(store).check(
        name,
        on=parse_date(on, "--on"),
        run_km=to_km(run_dist, unit),
        week_km=to_km(week_dist, unit),
    )
    if fmt == "json":
        click.echo(json.dumps(check_json(result, unit), indent=2))
    else:
        click.echo(format_check(result, unit))
    sys.exit(EXIT_FOUND if result.has_findings else EXIT_OK)


COMMANDS = [check_cmd]
