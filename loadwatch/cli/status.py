"""``loadwatch status`` and ``loadwatch alerts``: an athlete's state now, and past alerts."""

from __future__ import annotations

import json
from typing import Any

import click

from loadwatch.cli.common import (
    athlete_option,
    db_option,
    emit_rows,
    format_option,
    handle_errors,
    parse_date,
    units_option,
)
from loadwatch.service.records import ALERT_KEYS, EPISODE_KEYS, alert_records, status_records

#: Table columns of ``status`` (JSON has :data:`loadwatch.service.STATE_KEYS`).
STATUS_TABLE = (
    "rank",
    "athlete",
    "as_of",
    "last_run",
    "last_7d",
    "prev_7d",
    "ramp",
    "acwr",
    "acwr_ewma",
    "latest_spike",
    "latest_pain",
    "worst_alert",
)


def _fmt(value: float | None, spec: str, suffix: str = "") -> str:
    return "" if value is None else f"{value:{spec}}{suffix}"


def _status_row(state: Any, unit: str) -> dict[str, Any]:
    """One table/CSV row of a state, distances in ``unit``."""
    from loadwatch.service.render import short_reason
    from loadwatch.service.units import distance_text

    last_run = "none"
    if state.last_run_date is not None:
        ago = state.days_since_last_run
        last_run = f"{state.last_run_date} ({ago} d ago)"
    worst = state.worst_alert
    return {
        "rank": state.attention_rank,
        "athlete": state.athlete,
        "as_of": state.as_of,
        "last_run": last_run,
        "last_7d": distance_text(state.last_7d_km, unit) if state.last_7d_km is not None else "",
        "prev_7d": distance_text(state.prev_7d_km, unit) if state.prev_7d_km is not None else "",
        "ramp": _fmt(state.ramp_pct, "+.0f", "%"),
        "acwr": _fmt(state.acwr, ".2f"),
        "acwr_ewma": _fmt(state.acwr_ewma, ".2f"),
        "latest_spike": ""
        if state.latest_spike_date is None
        else f"{state.latest_spike_pct:+.0f}% ({state.latest_spike_date})",
        "latest_pain": ""
        if state.latest_pain is None
        else f"{state.latest_pain}/10 ({state.latest_pain_date})",
        "worst_alert": "none"
        if worst is None
        else f"{worst.severity}: {short_reason(worst, unit=unit)}",
    }


@click.command("status")
@click.option("--all", "everyone", is_flag=True, help="Every athlete, who needs attention first.")
@click.option("--as-of", "as_of", metavar="DATE", help="State as of this date (default: today).")
@units_option("Unit of the distances in the table and CSV (JSON stays in km).")
@format_option("table", "json", "csv")
@athlete_option
@db_option
@handle_errors
def status_cmd(
    everyone: bool,
    as_of: str | None,
    units: str,
    fmt: str,
    athlete: str | None,
    db: str | None,
) -> None:
    """An athlete's state as of a date: the numbers the coach table shows.

    Last run, the last 7 days against the 7 before (rolling), the ramp, the
    acute:chronic ratios, the latest run spike above the caution threshold,
    the latest pain score, and the worst caution-or-worse alert of the last
    28 days. Everything is computed on the calendar up to the as-of date
    (today by default; rest days count as zeros). See the README section
    "Status and past alerts".

    \b
    Example:
      loadwatch status
      loadwatch status --all --format json
      loadwatch status --athlete "Sam Jumps" --as-of 2026-10-20 --units mi
    """
    from loadwatch.cli.entries import athlete_name
    from loadwatch.errors import ValidationError
    from loadwatch.service import Service

    if everyone and athlete:
        raise ValidationError("give --athlete or --all, not both")
    service = Service.open(db)
    name = None if everyone else athlete_name(athlete)
    states = service.status(name, as_of=parse_date(as_of, "--as-of"))
    if fmt == "json":
        click.echo(json.dumps(status_records(states), indent=2))
        return
    rows = [_status_row(s, units) for s in states]
    emit_rows(rows, STATUS_TABLE, fmt, title="Status" if fmt == "table" else None)
    if fmt == "table":
        click.echo("loadwatch shows measurements and what studies found; not medical advice.")


@click.command("alerts")
@click.option("--since", metavar="DATE", help="Alerts on or after this date.")
@click.option("--until", metavar="DATE", help="Alerts on or before this date (default: today).")
@click.option(
    "--min-severity",
    type=click.Choice(["info", "caution", "high"]),
    default="info",
    show_default=True,
    help="Leave out alerts below this severity.",
)
@click.option(
    "--episodes", is_flag=True, help="Fold consecutive days of one rule into one episode."
)
@units_option("Unit of the distances in the messages.")
@format_option("table", "json", "csv")
@athlete_option
@db_option
@handle_errors
def alerts_cmd(
    since: str | None,
    until: str | None,
    min_severity: str,
    episodes: bool,
    units: str,
    fmt: str,
    athlete: str | None,
    db: str | None,
) -> None:
    """Past alerts of your recorded runs and pain log, with the evidence behind them.

    One alert per rule and day (a spike: one per run); --episodes folds
    consecutive days. Info never counts as a warning; see the README section
    "Alerts, pain and the warning before a jump" for the rules and studies.

    \b
    Example:
      loadwatch alerts --since 2026-09-01 --min-severity caution
      loadwatch alerts --episodes --format json
    """
    from loadwatch.cli.entries import open_athlete
    from loadwatch.service import Service
    from loadwatch.service.render import citations

    store, name = open_athlete(db, athlete)
    found = Service(store).alerts(
        name,
        since=parse_date(since, "--since"),
        until=parse_date(until, "--until"),
        min_severity=min_severity,
    )
    rows = alert_records(found, unit=units, episodes=episodes)
    columns = EPISODE_KEYS if episodes else ALERT_KEYS
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    if fmt == "csv":
        emit_rows(rows, columns, fmt)
        return
    if not rows:
        click.echo(f"No alerts at {min_severity} or above for {name}.")
        return
    shown = [c for c in columns if c not in ("value", "threshold")]
    emit_rows(rows, shown, fmt, title=f"Alerts: {name}")
    click.echo("Evidence:")
    for rule in dict.fromkeys(str(r["rule"]) for r in rows):
        for line in citations(rule):
            click.echo(f"  {line}")


COMMANDS = [status_cmd, alerts_cmd]
