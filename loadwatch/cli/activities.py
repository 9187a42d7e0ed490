"""``loadwatch activities``: list imported activities, set a session RPE."""

from __future__ import annotations

import click

from loadwatch.cli.common import (
    athlete_option,
    db_option,
    emit_rows,
    format_option,
    handle_errors,
    km_per_unit,
    parse_date,
    units_option,
)
from loadwatch.service.records import ACTIVITY_COLUMNS, activity_records
from loadwatch.store import Store

_TABLE_COLUMNS = (
    "id",
    "athlete",
    "local_date",
    "sport",
    "distance",
    "moving",
    "avg_hr",
    "rpe",
    "device",
    "source_format",
    "name",
    "notes",
    "flag",
)


#: Activities the table shows unless ``--limit`` or ``--all`` says otherwise.
TABLE_LIMIT = 50


def _hms(seconds: float) -> str:
    s = round(seconds)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


@click.group("activities", invoke_without_command=True)
@athlete_option
@click.option(
    "--since", metavar="DATE", help="Only activities on or after this local date (YYYY-MM-DD)."
)
@units_option("Distance units of the table.")
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=TABLE_LIMIT,
    show_default=True,
    help="The table shows the newest N activities.",
)
@click.option("--all", "show_all", is_flag=True, help="The table shows every activity.")
@format_option("table", "csv", "json")
@db_option
@click.pass_context
@handle_errors
def activities_cmd(
    ctx: click.Context,
    athlete: str | None,
    since: str | None,
    units: str,
    limit: int,
    show_all: bool,
    fmt: str,
    db: str | None,
) -> None:
    """List imported activities, newest first.

    The table shows the newest 50 (``--limit N``, ``--all``) in km or miles
    with moving time. JSON and CSV carry every activity, oldest first, with
    the documented summary columns (metres, seconds, start_utc in ISO 8601,
    local_date as YYYY-MM-DD), then the activity's name and notes (what
    loadwatch noticed or repaired in its file: a JSON list, or joined by
    " | " in CSV).

    \b
    Example:
      loadwatch activities --athlete Sam --since 2026-09-01
      loadwatch activities --limit 10
      loadwatch activities --format json
      loadwatch activities rpe 42 6
      loadwatch activities accept 42
    """
    if ctx.invoked_subcommand is not None:
        return
    store = Store.open(db)
    if athlete is not None:
        store.athlete(athlete, create=False)
    since_day = parse_date(since, "--since")
    # JSON and CSV: the records of the web API (:mod:`loadwatch.service.records`)
    rows = activity_records(store.activity_rows(athlete, since=since_day))
    if fmt == "csv":
        for r in rows:
            r["notes"] = " | ".join(r["notes"])
    if fmt != "table":
        emit_rows(rows, ACTIVITY_COLUMNS, fmt)
        return
    total = len(rows)
    rows = rows[::-1] if show_all else rows[: -limit - 1 : -1]
    div = 1000.0 * km_per_unit(units)
    for r in rows:
        r["distance"] = f"{r['distance_m'] / div:.2f} {units}"
        r["moving"] = _hms(r["timer_s"])
        r["avg_hr"] = None if r["avg_hr"] is None else f"{r['avg_hr']:.0f}"
        r["notes"] = "\n".join(r["notes"]) or None
        r["flag"] = _flag(r)
    title = f"{total} activities"
    if len(rows) < total:
        title = f"newest {len(rows)} of {total} activities (--limit N, --all)"
    emit_rows(rows, _TABLE_COLUMNS, fmt, title=title)


@activities_cmd.command("rpe")
@click.argument("activity_id", type=int)
@click.argument("rpe", type=click.FloatRange(0, 10))
@db_option
@handle_errors
def rpe_cmd(activity_id: int, rpe: float, db: str | None) -> None:
    """Record the session RPE (CR-10 scale, 0–10) of one activity.

    Used by the srpe load measure (RPE x moving minutes, Foster 2001).

    \b
    Example:
      loadwatch activities rpe 42 6
    """
    Store.open(db).set_rpe(activity_id, rpe)
    click.echo(f"Activity {activity_id}: RPE {rpe:g}")


def _flag(row: dict[str, object]) -> str | None:
    """The table's plausibility flag: why an activity is not counted, or that it was accepted."""
    if not row.get("implausible"):
        return None
    verdict = "accepted" if row.get("accepted") else "not counted"
    return f"{verdict}: {row['implausible']}"


@activities_cmd.command("accept")
@click.argument("activity_id", type=int)
@db_option
@handle_errors
def accept_cmd(activity_id: int, db: str | None) -> None:
    """Count a flagged (implausible) activity as load after all.

    Activities whose values no person could have done (a damaged file's
    40,000 km, a timer longer than the elapsed time) are stored, listed with
    the reason, and left out of the load until accepted here.

    \b
    Example:
      loadwatch activities accept 42
    """
    reason = Store.open(db).accept_activity(activity_id)
    if reason is None:
        click.echo(f"Activity {activity_id} was not flagged; it already counts.")
    else:
        click.echo(f"Activity {activity_id} now counts as load (it was flagged: {reason}).")


COMMANDS = [activities_cmd]
