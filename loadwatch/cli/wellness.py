"""``loadwatch wellness``: the daily check-in next to what the watch measured."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from loadwatch.cli.common import (
    athlete_option,
    db_option,
    emit_rows,
    format_option,
    handle_errors,
    parse_date,
)
from loadwatch.cli.entries import athlete_name, open_athlete, skip_bad_rows_option
from loadwatch.errors import ValidationError
from loadwatch.store import Store


@click.group("wellness")
def wellness_group() -> None:
    """Log how you slept and feel; see it next to your watch's sleep, resting HR and stress.

    Your own ratings and your watch's values (from `loadwatch import` of a
    Garmin export) are kept apart: one row per day and source.

    \b
    Example:
      loadwatch wellness add --sleep-h 6.5 --sleep-quality 3 --soreness 4
      loadwatch wellness list --format json
      loadwatch wellness alerts
    """


@wellness_group.command("add")
@click.option("--date", "day", metavar="YYYY-MM-DD", help="Day of the check-in (default: today).")
@click.option("--sleep-h", metavar="HOURS", help="Hours slept last night (0–24).")
@click.option(
    "--sleep-quality", metavar="1-5", help="How well you slept: 1 very poorly, 5 very well."
)
@click.option("--stress", metavar="0-10", help="Stress today, 0–10.")
@click.option("--soreness", metavar="0-10", help="Muscle soreness, 0–10.")
@click.option("--fatigue", metavar="0-10", help="Fatigue, 0–10.")
@click.option("--note", metavar="TEXT", help="Free note.")
@athlete_option
@db_option
@handle_errors
def add_cmd(
    day: str | None,
    sleep_h: str | None,
    sleep_quality: str | None,
    stress: str | None,
    soreness: str | None,
    fatigue: str | None,
    note: str | None,
    athlete: str | None,
    db: str | None,
) -> None:
    """Log (or amend) one day's check-in; values not given stay as they were.

    \b
    Example:
      loadwatch wellness add --sleep-h 6.5 --sleep-quality 3 --stress 6 --soreness 4
      loadwatch wellness add --date 2026-03-02 --fatigue 7 --note "late flight"
    """
    from loadwatch.wellness import validate_checkin

    entry = validate_checkin(
        athlete=athlete_name(athlete),
        day=day,
        sleep_h=sleep_h,
        sleep_quality=sleep_quality,
        stress=stress,
        soreness=soreness,
        fatigue=fatigue,
        note=note,
    )
    store = Store.open(db)
    store.athlete(entry.athlete, create=True)
    outcome = store.upsert_wellness([entry])
    what = "Logged" if outcome.added else "Updated" if outcome.updated else "Unchanged:"
    click.echo(f"{what} check-in on {entry.date} for {entry.athlete}")


def _row(d: Any) -> dict[str, Any]:
    from loadwatch.wellness import WELLNESS_LIST_COLUMNS

    return {c: getattr(d, c, None) for c in WELLNESS_LIST_COLUMNS}


@wellness_group.command("list")
@click.option("--since", metavar="DATE", help="Only days on or after this date (YYYY-MM-DD).")
@click.option(
    "--source",
    type=click.Choice(["garmin", "self"]),
    help="Only the watch's rows (garmin) or only check-ins (self).",
)
@format_option("table", "csv", "json")
@athlete_option
@db_option
@handle_errors
def list_cmd(
    since: str | None, source: str | None, fmt: str, athlete: str | None, db: str | None
) -> None:
    """List wellness days, oldest first: one row per day and source (garmin or self).

    JSON: a list of {"date", "sleep_h", "sleep_score", "resting_hr", "hrv_ms",
    "stress_device", "stress_self", "soreness", "fatigue", "source",
    "sleep_quality", "note"}, null where unknown. CSV output can be imported
    again (check-in rows only). In the table, "stress" is the watch's 0–100
    and "stress/10" your own rating.

    \b
    Example:
      loadwatch wellness list --since 2026-03-01 --format json
    """
    from loadwatch.wellness import WELLNESS_LIST_COLUMNS

    store, name = open_athlete(db, athlete)
    days = store.list_wellness(name, since=parse_date(since, "--since"), source=source)
    if fmt != "table":
        emit_rows([_row(d) for d in days], WELLNESS_LIST_COLUMNS, fmt)
        return
    table = [{head: _cell(getattr(d, field)) for head, field in _TABLE.items()} for d in days]
    emit_rows(table, tuple(_TABLE), "table", title=f"Wellness: {name}")


#: Table header -> field (the table is narrow; JSON and CSV carry the full names).
_TABLE = {
    "date": "date",
    "from": "source",
    "sleep h": "sleep_h",
    "score": "sleep_score",
    "quality": "sleep_quality",
    "rest HR": "resting_hr",
    "HRV ms": "hrv_ms",
    "stress": "stress_device",
    "stress/10": "stress_self",
    "sore": "soreness",
    "tired": "fatigue",
    "note": "note",
}


def _cell(value: Any) -> Any:
    if isinstance(value, float):
        return f"{value:g}"
    return value


@wellness_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@skip_bad_rows_option
@athlete_option
@db_option
@handle_errors
def import_cmd(file: Path, skip_bad_rows: bool, athlete: str | None, db: str | None) -> None:
    """Import check-ins from a CSV file; importing the same file again changes nothing.

    Columns: date,sleep_h,sleep_quality,stress,soreness,fatigue,note (only date
    is required). A day already logged is updated with the file's values. A file
    with any bad row is rejected whole, naming the row, unless --skip-bad-rows.

    \b
    Example:
      loadwatch wellness import checkins.csv --athlete "Sam Jumps"
    """
    from loadwatch.pain import bad_rows_message, read_text
    from loadwatch.wellness import parse_wellness_csv

    name = athlete_name(athlete)
    result = parse_wellness_csv(read_text(file), athlete=name, source=file.name)
    if result.bad and not skip_bad_rows:
        raise ValidationError(bad_rows_message(file.name, result.bad))
    store = Store.open(db)
    if result.entries:
        store.athlete(name, create=True)
    outcome = store.upsert_wellness(result.entries)
    click.echo(
        f"Imported {outcome.added} new, {outcome.updated} updated and {outcome.unchanged} "
        f"unchanged check-ins for {name} from {file.name}"
    )
    if result.bad:
        click.echo(f"Skipped {len(result.bad)} bad row(s):", err=True)
        for n, reason in result.bad:
            click.echo(f"  row {n}: {reason}", err=True)


@wellness_group.command("delete")
@click.argument("day", metavar="DATE")
@athlete_option
@db_option
@handle_errors
def delete_cmd(day: str, athlete: str | None, db: str | None) -> None:
    """Delete your check-in of one day (the watch's values of that day stay).

    \b
    Example:
      loadwatch wellness delete 2026-03-02
    """
    store, name = open_athlete(db, athlete)
    when = parse_date(day)
    assert when is not None
    store.delete_wellness(name, when)
    click.echo(f"Deleted the check-in of {when} for {name}")


_WORDS = {
    "sleep_short": "short sleep",
    "resting_hr_up": "resting heart rate up",
    "soreness_rising": "soreness rising",
}


def describe(alert: Any) -> str:
    """An information alert's facts in words (the shared renderer), with what studies found."""
    from loadwatch.service.render import alert_sentence, rule_evidence

    return f"{alert_sentence(alert)} {rule_evidence(alert.rule)}"


@wellness_group.command("alerts")
@click.option("--since", metavar="DATE", help="Only alerts on or after this date.")
@format_option("text", "json", default="text")
@athlete_option
@db_option
@handle_errors
def alerts_cmd(since: str | None, fmt: str, athlete: str | None, db: str | None) -> None:
    """Information alerts on sleep, resting heart rate and soreness (never warnings).

    Short sleep on 3 of the last 4 nights (under 6 h, or 1 h under your own
    28-day median); resting heart rate 5+ bpm over its 28-day median for 3
    days; soreness up 2+ points over 14 days (weekly means).

    \b
    Example:
      loadwatch wellness alerts --athlete "Sam Jumps" --format json
    """
    from loadwatch.wellness import context_alerts, facts

    store, name = open_athlete(db, athlete)
    alerts = context_alerts(store.list_wellness(name), athlete=name)
    start = parse_date(since, "--since")
    if start is not None:
        alerts = [a for a in alerts if a.date >= start]
    if fmt == "json":
        click.echo(json.dumps([facts(a) for a in alerts], indent=2))
        return
    if not alerts:
        click.echo(f"No wellness alerts for {name}.")
        return
    for a in alerts:
        click.echo(f"{a.date}  info  {_WORDS[a.rule]}: {describe(a)}")


COMMANDS = [wellness_group]
