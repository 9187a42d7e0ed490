"""``loadwatch plan`` for calendars: import an ICS file, subscribe to a feed, sync.

The subcommands here are attached to the ``plan`` group by :mod:`loadwatch.cli.plan`.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click

from loadwatch.cli.common import athlete_option, db_option, format_option, handle_errors, parse_date
from loadwatch.cli.entries import athlete_name, check_writable, create_option, open_athlete
from loadwatch.errors import ValidationError
from loadwatch.plans.sync import SyncFailure, SyncReport, describe_source
from loadwatch.store import CalendarPlan, Store

CALENDAR_SUFFIXES = (".ics", ".ical", ".icalendar")


def is_calendar_file(path: Path) -> bool:
    """An ICS file, by its name or its first bytes."""
    if path.suffix.lower() in CALENDAR_SUFFIXES:
        return True
    try:
        with path.open("rb") as fh:
            head = fh.read(64)
    except OSError:
        return False
    return head.lstrip(b"\xef\xbb\xbf \r\n\t").upper().startswith(b"BEGIN:VCALENDAR")


def _window(since: str | None, until: str | None) -> tuple[date | None, date | None]:
    start = parse_date(since, "--since")
    end = parse_date(until, "--until")
    if start and end and end < start:
        raise ValidationError(f"--until {end} is before --since {start}")
    return start, end


def _line(what: str, p: CalendarPlan) -> str:
    return f"  {what:<8}{p.date}  {p.distance_m / 1000.0:7.2f} km  {p.note or ''}"


def echo_report(report: SyncReport, athlete: str) -> None:
    """The text summary of one import or sync: counts, then each change and skip."""
    click.echo(
        f"Calendar {describe_source(report.source)} for {athlete}: {len(report.added)} added, "
        f"{len(report.updated)} updated, {len(report.removed)} removed, "
        f"{report.unchanged} unchanged, {len(report.skipped)} skipped"
    )
    for p in report.added:
        click.echo(_line("added", p))
    for old, new in report.updated:
        click.echo(_line("updated", new) + f"  (was {old.date}, {old.distance_m / 1000.0:.2f} km)")
    for p in report.removed:
        click.echo(_line("removed", p))
    for s in report.skipped:
        click.echo(f"  {'skipped':<8}{s.date or '?'}  {s.summary or '(no title)'}: {s.reason}")
    if report.estimated and report.pace is not None:
        minutes, seconds = divmod(round(report.pace.s_per_km), 60)
        click.echo(
            f"Durations became distances at {minutes}:{seconds:02d}/km, the pace of "
            f"{report.pace.basis} ({report.pace.runs} runs); those plans are marked estimated."
        )


def import_ics(
    file: Path,
    athlete: str | None,
    since: str | None,
    until: str | None,
    db: str | None,
    fmt: str,
    *,
    create: bool = False,
) -> None:
    """``loadwatch plan import FILE.ics``: the plans of one calendar file, by event UID."""
    from loadwatch.plans.sync import import_calendar

    start, end = _window(since, until)
    try:
        data = file.read_bytes()
    except OSError as e:
        raise ValidationError(f"cannot read {file}: {e.strerror}") from e
    name = athlete_name(athlete)
    store = Store.open(db)
    check_writable(store, name, create=create)
    store.athlete(name, create=True)
    report = import_calendar(
        store, name, data, kind="file", location=file.name, start=start, end=end
    )
    if fmt == "json":
        click.echo(json.dumps(report.as_dict(), indent=2))
    else:
        echo_report(report, name)


@click.command("subscribe")
@click.argument("url")
@athlete_option
@create_option
@db_option
@handle_errors
def subscribe_cmd(url: str, athlete: str | None, create: bool, db: str | None) -> None:
    """Follow a calendar feed (https:// or webcal://): read now, and on each sync or notify.

    TrainingPeaks, intervals.icu, Garmin Connect and most coaching apps publish
    a plan as an iCalendar feed. The URL usually holds a private token:
    loadwatch shows only its host.

    \b
    Example:
      loadwatch plan subscribe webcal://example.org/feeds/abc123/plan.ics
    """
    from loadwatch.plans.sync import fetch_calendar, import_calendar

    name = athlete_name(athlete)
    store = Store.open(db)
    check_writable(store, name, create=create)  # before fetching: a typo costs no download
    data = fetch_calendar(url)
    store.athlete(name, create=True)
    report = import_calendar(store, name, data, kind="url", location=url)
    echo_report(report, name)


@click.command("sync")
@click.option("--all", "all_athletes", is_flag=True, help="Every athlete's subscriptions.")
@athlete_option
@db_option
@handle_errors
def sync_cmd(all_athletes: bool, athlete: str | None, db: str | None) -> None:
    """Re-read every subscribed calendar; plans follow moved, changed and removed events.

    Exit status 1 when a calendar could not be read (its plans are kept).

    \b
    Example:
      loadwatch plan sync --all
    """
    from loadwatch.plans.sync import sync_subscriptions

    if all_athletes:
        store = Store.open(db)
        names = sorted({s.athlete for s in store.calendar_sources(kind="url")})
    else:
        store, name = open_athlete(db, athlete)
        names = [name]
    failed = 0
    for name in names:
        results = sync_subscriptions(store, name)
        if not results:
            click.echo(f"{name}: no subscribed calendar (see `loadwatch plan subscribe`)")
        for r in results:
            if isinstance(r, SyncFailure):
                failed += 1
                click.echo(f"Error: {name}: {r.error}", err=True)
            else:
                echo_report(r, name)
    if failed:
        raise SystemExit(1)


@click.command("calendars")
@format_option("table", "csv", "json")
@athlete_option
@db_option
@handle_errors
def calendars_cmd(fmt: str, athlete: str | None, db: str | None) -> None:
    """List the calendar files and subscriptions plans came from (URLs shown by host only).

    \b
    Example:
      loadwatch plan calendars
    """
    from loadwatch.cli.common import emit_rows

    store, name = open_athlete(db, athlete)
    counts: dict[int | None, int] = {}
    for p in store.calendar_plans(name):
        counts[p.source_id] = counts.get(p.source_id, 0) + 1
    rows = [
        {
            "id": s.id,
            "kind": s.kind,
            "calendar": describe_source(s),
            "plans": counts.get(s.id, 0),
            "synced_utc": s.synced_utc.replace(microsecond=0) if s.synced_utc else None,
            "last_error": s.sync_error,
        }
        for s in store.calendar_sources(name)
    ]
    columns = ("id", "kind", "calendar", "plans", "synced_utc", "last_error")
    emit_rows(rows, columns, fmt, title=f"Calendars: {name}")


@click.command("unsubscribe")
@click.argument("calendar_id", metavar="ID", type=int)
@athlete_option
@db_option
@handle_errors
def unsubscribe_cmd(calendar_id: int, athlete: str | None, db: str | None) -> None:
    """Forget a calendar (its id from `loadwatch plan calendars`) and the plans it brought.

    \b
    Example:
      loadwatch plan unsubscribe 2
    """
    store, name = open_athlete(db, athlete)
    removed = store.delete_calendar_source(calendar_id, name)
    click.echo(f"Removed calendar {calendar_id} of {name} and its {removed} planned run(s)")


CALENDAR_COMMANDS = [subscribe_cmd, sync_cmd, calendars_cmd, unsubscribe_cmd]
