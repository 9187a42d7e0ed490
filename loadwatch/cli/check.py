"""``loadwatch check``: what planned runs would trigger, and the safe ceiling."""

from __future__ import annotations

import json
import sys
from datetime import date, timedelta

import click

from loadwatch.alerts.check import CheckResult
from loadwatch.cli.common import (
    EXIT_FOUND,
    EXIT_OK,
    EXIT_STATUS_FOUND_HELP,
    athlete_option,
    db_option,
    format_option,
    handle_errors,
    parse_date,
)
from loadwatch.cli.entries import open_athlete

DISCLAIMER = "loadwatch shows what was measured and what studies found; it is not medical advice."
_WEEKDAY = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def format_check(result: CheckResult) -> str:
    """The text report: alerts (one line per episode) and both ceilings."""
    from loadwatch.alerts.evidence import citation
    from loadwatch.alerts.rules import format_value, summarise

    lines = [f"Check for {result.athlete} from {result.as_of} to {result.until}"]
    facts = [f"last recorded run: {result.last_run or 'none'}"]
    facts.append(f"planned runs counted: {result.plans_counted}")
    if result.what_if:
        if len(result.what_if) == 1:
            day, km = result.what_if[0]
            facts.append(f"what-if: {km:.2f} km on {day}")
        else:
            total = sum(km for _, km in result.what_if)
            facts.append(f"what-if: {total:.2f} km over the 7 days, spread like your usual week")
    lines.append("(" + "; ".join(facts) + ")")
    lines.append("")
    episodes = summarise(result.alerts)
    if episodes.empty:
        lines.append("No alerts.")
    for ep in episodes.to_dict("records"):
        first, last, rule = ep["first_date"], ep["last_date"], str(ep["rule"])
        days = str(first) if first == last else f"{first} to {last}"
        planned = ", planned" if ep["planned"] else ""
        lines.append(
            f"{str(ep['severity']).upper()}: {rule} on {days}{planned}: "
            f"{format_value(rule, float(ep['value']))} "
            f"(threshold {format_value(rule, float(ep['threshold']), threshold=True)})"
        )
        lines.append(f"  {ep['message']}")
        lines.append(f"  Evidence: {ep['evidence']}: {citation(str(ep['evidence']))}")
    if result.exit_status == 0 and not episodes.empty:
        lines.append("Nothing at caution or above.")
    lines.append("")
    lines.append("Safe ceiling (no spike, ramp or ACWR alert at caution or above in the 7 days):")
    run = result.run_ceiling
    if run.km is None:
        lines.append(f"  Run on {result.as_of}: none ({run.reason})")
    else:
        lines.append(f"  Run on {result.as_of}: {run.km:.2f} km (binds: {run.binding_rule})")
        lines.append(f"    {run.reason}")
    week = result.week_ceiling
    last = result.as_of + timedelta(days=6)
    if week.km is None:
        lines.append(f"  7 days {result.as_of} to {last}: none ({week.reason})")
    else:
        spread = ", spread like your usual week:" if week.spread else ""
        lines.append(
            f"  7 days {result.as_of} to {last}: {week.km:.2f} km "
            f"(binds: {week.binding_rule}){spread}"
        )
        if week.spread:
            parts = [f"{_WEEKDAY[d.weekday()]} {d} {km:.1f} km" for d, km in week.spread.items()]
            lines.append("    " + ", ".join(parts))
        lines.append(f"    {week.reason}")
    lines.append("  Monotony and pain do not set a ceiling (they are shown among the alerts).")
    lines.append("")
    lines.append(DISCLAIMER)
    return "\n".join(lines)


@click.command("check", epilog=EXIT_STATUS_FOUND_HELP)
@click.option("--on", "on", metavar="DATE", help="Date of the planned run (default: today).")
@click.option("--run", "run_km", type=float, metavar="KM", help="What if I run KM on that date?")
@click.option(
    "--week", "week_km", type=float, metavar="KM", help="What if I run KM in the 7 days from it?"
)
@format_option("text", "json", default="text")
@athlete_option
@db_option
@handle_errors
def check_cmd(
    on: str | None,
    run_km: float | None,
    week_km: float | None,
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
    (spread like your usual week), that trigger no spike, ramp or ACWR alert
    at caution or above. The exit status tells a cron job or script which:
    3 when something at caution or above is found, 0 when not.

    \b
    Example:
      loadwatch check --run 25
      loadwatch check --athlete "Sam Jumps" --on 2026-04-04 --week 60 --format json
    """
    from loadwatch.alerts.check import check
    from loadwatch.alerts.config import thresholds_for
    from loadwatch.alerts.rules import pain_frame

    store, name = open_athlete(db, athlete)
    history = store.activities_frame(name)
    day = parse_date(on, "--on")
    if day is None:
        last = max(history["local_date"]) if len(history) else None
        day = max(date.today(), last) if last else date.today()
    plans = [(p.date, p.distance_m / 1000.0) for p in store.list_plans(name)]
    result = check(
        history,
        pain_frame(store.list_pain(name)),
        plans,
        thresholds_for(name),
        athlete=name,
        on=day,
        run_km=run_km,
        week_km=week_km,
    )
    if fmt == "json":
        click.echo(json.dumps(result.as_dict(), indent=2))
    else:
        click.echo(format_check(result))
    sys.exit(EXIT_FOUND if result.exit_status else EXIT_OK)


COMMANDS = [check_cmd]
