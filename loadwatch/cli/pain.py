"""``loadwatch pain``: log back/hip pain (0–10), list, import, delete, and see it next to load."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import click

from loadwatch.cli.common import (
    Group,
    athlete_option,
    db_option,
    emit_rows,
    format_option,
    handle_errors,
)
from loadwatch.cli.entries import (
    athlete_name,
    check_writable,
    create_option,
    open_athlete,
    save_csv_rows,
    skip_bad_rows_option,
)
from loadwatch.store import PAIN_LOCATIONS, PAIN_TIMINGS, Store

LIST_COLUMNS = ("id", "date", "time", "score", "where", "when", "sleep_h", "stress", "note")


@click.group("pain", cls=Group)
def pain_group() -> None:
    """Log pain scores (0–10) and see how they move with load.

    \b
    Example:
      loadwatch pain add 4 --where lower_back --when next_morning
      loadwatch pain list
      loadwatch pain report
    """


@pain_group.command("add")
@click.argument("score")
@click.option("--date", "day", metavar="YYYY-MM-DD", help="Day of the pain (default: today).")
@click.option("--time", "at", metavar="HH:MM", help="Time of day (optional).")
@click.option(
    "--where",
    type=click.Choice(PAIN_LOCATIONS),
    default="lower_back",
    show_default=True,
    help="Where it hurts.",
)
@click.option(
    "--when",
    type=click.Choice(PAIN_TIMINGS),
    default="not_running",
    show_default=True,
    help="When it hurt.",
)
@click.option("--sleep", "sleep_h", metavar="HOURS", help="Hours slept the night before (0–24).")
@click.option("--stress", metavar="0-10", help="Stress level, 0–10.")
@click.option("--note", metavar="TEXT", help="Free note.")
@athlete_option
@create_option
@db_option
@handle_errors
def add_cmd(
    score: str,
    day: str | None,
    at: str | None,
    where: str,
    when: str,
    sleep_h: str | None,
    stress: str | None,
    note: str | None,
    athlete: str | None,
    create: bool,
    db: str | None,
) -> None:
    """Log one pain score: a whole number from 0 (none) to 10 (worst imaginable).

    \b
    Example:
      loadwatch pain add 5 --date 2026-03-02 --where hip --when after_run --sleep 6.5
    """
    from loadwatch.pain import validate_entry

    entry = validate_entry(
        athlete=athlete_name(athlete),
        score=score,
        day=day,
        at=at,
        where=where,
        when=when,
        sleep_h=sleep_h,
        stress=stress,
        note=note,
    )
    store = Store.open(db)
    check_writable(store, entry.athlete, create=create)
    store.athlete(entry.athlete, create=True)
    (entry_id,) = store.add_pain([entry])
    click.echo(
        f"Logged pain {entry.score}/10 ({entry.location}, {entry.timing}) on {entry.date} "
        f"for {entry.athlete} (id {entry_id})"
    )


@pain_group.command("list")
@format_option("table", "csv", "json")
@athlete_option
@db_option
@handle_errors
def list_cmd(fmt: str, athlete: str | None, db: str | None) -> None:
    """List an athlete's pain log, oldest first (CSV output can be imported again).

    \b
    Example:
      loadwatch pain list --athlete "Sam Jumps" --format csv > pain.csv
    """
    store, name = open_athlete(db, athlete)
    rows = [
        {
            "id": e.id,
            "date": e.date,
            "time": e.time.strftime("%H:%M") if e.time else None,
            "score": e.score,
            "where": e.location,
            "when": e.timing,
            "sleep_h": e.sleep_h,
            "stress": e.stress,
            "note": e.note,
        }
        for e in store.list_pain(name)
    ]
    emit_rows(rows, LIST_COLUMNS, fmt, title=f"Pain log: {name}")


@pain_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@skip_bad_rows_option
@athlete_option
@create_option
@db_option
@handle_errors
def import_cmd(
    file: Path, skip_bad_rows: bool, athlete: str | None, create: bool, db: str | None
) -> None:
    """Import pain scores from a CSV file.

    Columns: date,score,where,when,sleep_h,stress,note (time optional; only
    date and score are required). A file with any bad row is rejected whole,
    naming the row, unless --skip-bad-rows is given. Importing a file again
    adds nothing: an entry with the same date, time, score and where as one
    already in the log is left out and counted.

    \b
    Example:
      loadwatch pain import pain.csv --athlete "Sam Jumps"
    """
    from loadwatch.pain import parse_pain_csv, read_text, split_known

    name = athlete_name(athlete)
    result = parse_pain_csv(read_text(file), athlete=name, source=file.name)
    save_csv_rows(
        file.name,
        name,
        result.entries,
        result.bad,
        db=db,
        skip_bad_rows=skip_bad_rows,
        add=Store.add_pain,
        noun="pain entries",
        create=create,
        split_known=lambda store, entries: split_known(store.list_pain(name), entries),
    )


@pain_group.command("delete")
@click.argument("entry_id", metavar="ID", type=int)
@athlete_option
@db_option
@handle_errors
def delete_cmd(entry_id: int, athlete: str | None, db: str | None) -> None:
    """Delete one pain entry by its id (see `loadwatch pain list`).

    \b
    Example:
      loadwatch pain delete 12 --athlete "Sam Jumps"
    """
    store, name = open_athlete(db, athlete)
    store.delete_pain(entry_id, name)
    click.echo(f"Deleted pain entry {entry_id} of {name}")


def _rho(value: float, n: int) -> str:
    return "n/a" if math.isnan(value) else f"{value:+.2f}"


@pain_group.command("report")
@format_option("text", "json", default="text")
@athlete_option
@db_option
@handle_errors
def report_cmd(fmt: str, athlete: str | None, db: str | None) -> None:
    """How pain moved with load: correlations at lags 0–3 days, and what came before flares.

    Spearman correlation of each day's worst pain score with the rolling 7-day
    distance, the acute:chronic ratio and the day's run spike, the measure
    taken 0–3 days before the pain; then with sleep, stress, soreness (0–3
    days before) and rehab over the 7 days before (0–7 days). Association
    only, not cause.

    \b
    Example:
      loadwatch pain report --athlete "Sam Jumps"
    """
    from loadwatch.service import Service

    store, name = open_athlete(db, athlete)
    report = Service(store).pain_report(name)
    if fmt == "json":
        click.echo(json.dumps(_report_dict(report), indent=2))
        return
    click.echo(_report_text(report))


def _correlation_rows(table: Any) -> list[dict[str, Any]]:
    return [
        {
            "measure": r.measure,
            "lag_days": int(r.lag_days),
            "rho": None if math.isnan(r.rho) else round(float(r.rho), 4),
            "n": int(r.n),
        }
        for r in table.itertuples()
    ]


def _report_dict(report: Any) -> dict[str, Any]:
    return {
        "athlete": report.athlete,
        "entries": report.entries,
        "first": report.first.isoformat() if report.first else None,
        "last": report.last.isoformat() if report.last else None,
        "note": report.note,
        "correlations": _correlation_rows(report.correlations),
        "context_correlations": _correlation_rows(report.context),
        "flares": [
            {
                **{k: v for k, v in f.alert.as_dict().items() if k != "athlete"},
                "load_events": [
                    {k: v for k, v in e.as_dict().items() if k not in ("athlete", "citation")}
                    for e in f.events
                ],
            }
            for f in report.flares
        ],
    }


_MEASURE_WORDS = {
    "load_7d": "7-day distance",
    "acwr": "acute:chronic ratio",
    "spike_pct": "run spike",
    "sleep_h": "sleep (h)",
    "stress_self": "stress (own, 0-10)",
    "stress_device": "stress (watch, 0-100)",
    "soreness": "soreness (0-10)",
    "rehab_7d": "rehab, last 7 days",
}


def _context_text(table: Any) -> list[str]:
    if not int(table["n"].sum()):
        return ["No sleep, stress, soreness or rehab logged to set next to pain.", ""]
    lags = sorted(set(int(x) for x in table["lag_days"]))
    lines = [
        "Spearman correlation of the day's worst pain with context measured days before",
        f"  {'measure':<22}" + "".join(f"{f'lag {lag}':>14}" for lag in lags),
    ]
    for measure, group in table.groupby("measure", sort=False):
        cells = "".join(f"{f'{_rho(r.rho, r.n)} (n={r.n})':>14}" for r in group.itertuples())
        lines.append(f"  {_MEASURE_WORDS.get(str(measure), str(measure)):<22}{cells}")
    lines.append(
        "Rehab usually starts because something hurts: it often goes with higher pain at first."
    )
    return [*lines, ""]


def _report_text(report: Any) -> str:
    from loadwatch.service import episodes as summarise
    from loadwatch.service.render import format_value

    if not report.entries:
        return f"No pain entries for {report.athlete} yet (add one with `loadwatch pain add`)."
    lines = [
        f"Pain and load for {report.athlete}: {report.entries} entries, "
        f"{report.first} to {report.last}",
        "",
        "Spearman correlation of the day's worst pain with load measured 0–3 days before",
        f"  {'measure':<22}" + "".join(f"{f'lag {lag}':>14}" for lag in range(4)),
    ]
    table = report.correlations
    for measure, group in table.groupby("measure", sort=False):
        cells = "".join(f"{f'{_rho(r.rho, r.n)} (n={r.n})':>14}" for r in group.itertuples())
        lines.append(f"  {_MEASURE_WORDS.get(str(measure), str(measure)):<22}{cells}")
    lines += ["", *_context_text(report.context), report.note, ""]
    if not report.flares:
        lines.append("No pain flares.")
    else:
        lines.append(f"Pain flares ({len(report.flares)}) and load events in the 7 days before:")
        for f in report.flares:
            a = f.alert
            lines.append(f"  {a.date}  {a.severity.upper():<8} pain {a.value:g}/10")
            if not f.events:
                lines.append("      no spike, ramp or ACWR alert in the 7 days before")
            for ep in summarise(f.events).to_dict("records"):
                first, last, rule = ep["first_date"], ep["last_date"], str(ep["rule"])
                days = str(first) if first == last else f"{first} to {last}"
                worst = format_value(rule, float(ep["value"]))
                lines.append(f"      {rule:<9} {days:<24} worst {ep['severity']} {worst}")
    return "\n".join(lines)


COMMANDS = [pain_group]
