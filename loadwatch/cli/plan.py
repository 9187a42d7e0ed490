"""``loadwatch plan``: planned runs that ``loadwatch check`` weighs before they happen."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

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
from loadwatch.cli.entries import (
    athlete_name,
    check_writable,
    create_option,
    open_athlete,
    save_csv_rows,
    skip_bad_rows_option,
)
from loadwatch.errors import ValidationError
from loadwatch.store import PlannedRun, Store

PLAN_CSV_COLUMNS = ("id", "date", "distance_km", "note")


def parse_distance_km(value: str, units: str = "km") -> float:
    """A planned distance as km (from km or miles); must be above 0."""
    try:
        number = float(value)
    except (TypeError, ValueError) as e:
        raise ValidationError(f"distance must be a number (got {value!r})") from e
    if not math.isfinite(number) or number <= 0:
        raise ValidationError(f"distance must be above 0 (got {value})")
    if number > 1000:
        raise ValidationError(f"distance {value} {units} is not a plausible run")
    return number * km_per_unit(units)


@dataclass(frozen=True, slots=True)
class PlanCsv:
    plans: list[PlannedRun]
    bad: list[tuple[int, str]] = field(default_factory=list)


def parse_plan_csv(text: str, *, athlete: str, source: str = "CSV") -> PlanCsv:
    """Check every row of a plan CSV (date,distance_km[,note]); rows count the header as 1."""
    from loadwatch.pain import read_csv_rows

    rows = read_csv_rows(
        text, source=source, columns=PLAN_CSV_COLUMNS, required=("date", "distance_km")
    )
    plans: list[PlannedRun] = []
    bad: list[tuple[int, str]] = []
    for n, values in rows:
        try:
            if "__error__" in values:
                raise ValidationError(values["__error__"])
            day = parse_date(values.get("date", ""))
            assert day is not None
            km = parse_distance_km(values.get("distance_km", ""))
            plans.append(PlannedRun(None, athlete, day, km * 1000.0, values.get("note") or None))
        except ValidationError as e:
            bad.append((n, str(e)))
    return PlanCsv(plans, bad)


def _stale_note(store: Store, athlete: str, days: list[date]) -> None:
    """Say when a plan is dated on or before the last recorded run (check ignores it)."""
    frame = store.activities_frame(athlete)
    if frame.empty:
        return
    last = max(frame["local_date"])
    old = [d for d in days if d <= last]
    if old:
        click.echo(
            f"Note: {len(old)} plan(s) dated on or before the last recorded run ({last}); "
            "`loadwatch check` counts only plans after it.",
            err=True,
        )


@click.group("plan")
def plan_group() -> None:
    """Planned runs: add, list, delete, import (CSV or ICS), calendar subscriptions.

    `loadwatch check` and `loadwatch notify` weigh them.

    \b
    Example:
      loadwatch plan add 2026-04-04 24
      loadwatch plan subscribe webcal://example.org/my-plan.ics
      loadwatch check --on 2026-04-04
    """


@plan_group.command("add")
@click.argument("day", metavar="DATE")
@click.argument("distance")
@units_option("Unit of the distance.")
@click.option("--note", metavar="TEXT", help="Free note (e.g. 'long run').")
@athlete_option
@create_option
@db_option
@handle_errors
def add_cmd(
    day: str,
    distance: str,
    units: str,
    note: str | None,
    athlete: str | None,
    create: bool,
    db: str | None,
) -> None:
    """Plan a run: DATE (YYYY-MM-DD or 'today') and DISTANCE (km, or miles with --units mi).

    \b
    Example:
      loadwatch plan add 2026-04-04 15 --units mi --athlete "Sam Jumps"
    """
    when = parse_date(day)
    assert when is not None
    km = parse_distance_km(distance, units)
    name = athlete_name(athlete)
    store = Store.open(db)
    check_writable(store, name, create=create)
    store.athlete(name, create=True)
    (plan_id,) = store.add_plans([PlannedRun(None, name, when, km * 1000.0, note)])
    shown = km / km_per_unit(units)
    click.echo(f"Planned {shown:.2f} {units} on {when} for {name} (id {plan_id})")
    _stale_note(store, name, [when])


@plan_group.command("list")
@click.option("--since", metavar="DATE", help="Only plans on or after this date.")
@units_option("Unit of the table's distances (CSV and JSON stay in km).")
@format_option("table", "csv", "json")
@athlete_option
@db_option
@handle_errors
def list_cmd(since: str | None, units: str, fmt: str, athlete: str | None, db: str | None) -> None:
    """List planned runs, soonest first.

    \b
    Example:
      loadwatch plan list --since today
      loadwatch plan list --units mi
    """
    store, name = open_athlete(db, athlete)
    rows = [
        {"id": p.id, "date": p.date, "distance_km": round(p.distance_m / 1000.0, 3), "note": p.note}
        for p in store.list_plans(name, since=parse_date(since, "--since"))
    ]
    columns: tuple[str, ...] = PLAN_CSV_COLUMNS
    if fmt == "table" and units == "mi":
        for r in rows:
            r["distance_mi"] = round(float(str(r["distance_km"])) / km_per_unit(units), 3)
        columns = tuple("distance_mi" if c == "distance_km" else c for c in columns)
    emit_rows(rows, columns, fmt, title=f"Planned runs: {name}")


@plan_group.command("delete")
@click.argument("plan_id", metavar="ID", type=int)
@athlete_option
@db_option
@handle_errors
def delete_cmd(plan_id: int, athlete: str | None, db: str | None) -> None:
    """Delete a planned run by its id (see `loadwatch plan list`).

    \b
    Example:
      loadwatch plan delete 3
    """
    store, name = open_athlete(db, athlete)
    store.delete_plan(plan_id, name)
    click.echo(f"Deleted planned run {plan_id} of {name}")


@plan_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@skip_bad_rows_option
@click.option("--since", metavar="DATE", help="ICS: events from this date (default: 30 days ago).")
@click.option("--until", metavar="DATE", help="ICS: events up to this date (default: a year on).")
@format_option("text", "json", default="text")
@athlete_option
@create_option
@db_option
@handle_errors
def import_cmd(
    file: Path,
    skip_bad_rows: bool,
    since: str | None,
    until: str | None,
    fmt: str,
    athlete: str | None,
    create: bool,
    db: str | None,
) -> None:
    """Import planned runs from a CSV file (date,distance_km[,note]) or an ICS calendar.

    A CSV with any bad row is rejected whole, naming the row, unless
    --skip-bad-rows is given. An ICS file (.ics, or any file starting with
    BEGIN:VCALENDAR) gives one plan per event whose title or description
    holds a distance ("10 km easy", "6 mi", "LR 16K") or a duration ("45 min
    easy", estimated from your recent pace); other events are listed as
    skipped with the reason. Importing a newer version of the same file
    updates moved and changed events and removes deleted ones (by event UID).

    \b
    Example:
      loadwatch plan import marathon-block.csv --athlete "Sam Jumps"
      loadwatch plan import training-plan.ics
    """
    from loadwatch.cli.plan_calendar import import_ics, is_calendar_file
    from loadwatch.pain import read_text

    if is_calendar_file(file):
        import_ics(file, athlete, since, until, db, fmt, create=create)
        return
    name = athlete_name(athlete)
    result = parse_plan_csv(read_text(file), athlete=name, source=file.name)
    store = save_csv_rows(
        file.name,
        name,
        result.plans,
        result.bad,
        db=db,
        skip_bad_rows=skip_bad_rows,
        add=Store.add_plans,
        noun="planned runs",
        create=create,
    )
    _stale_note(store, name, [p.date for p in result.plans])


def _add_calendar_commands() -> None:
    from loadwatch.cli.plan_calendar import CALENDAR_COMMANDS

    for command in CALENDAR_COMMANDS:
        plan_group.add_command(command)


_add_calendar_commands()

COMMANDS = [plan_group]
