"""``loadwatch rehab``: the exercise catalogue, logging sessions, a weekly plan and adherence."""

from __future__ import annotations

import json
import math
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


@click.group("rehab")
def rehab_group() -> None:
    """Log your rehab routine and see how well you keep to it.

    \b
    Example:
      loadwatch rehab exercises
      loadwatch rehab log bridge --sets 3 --reps 8
      loadwatch rehab plan set clams --per-week 3
      loadwatch rehab adherence
    """


@rehab_group.command("exercises")
@format_option("text", "json", default="text")
@handle_errors
def exercises_cmd(fmt: str) -> None:
    """The built-in exercises: key, name, usual dose and how it is done.

    \b
    Example:
      loadwatch rehab exercises --format json
    """
    from loadwatch.rehab import CATALOGUE

    if fmt == "json":
        rows = [
            {
                "key": e.key,
                "name": e.name,
                "description": e.description,
                "dose": e.dose,
                "sets": e.sets,
                "reps": e.reps,
                "seconds": e.seconds,
                "per_side": e.per_side,
            }
            for e in CATALOGUE.values()
        ]
        click.echo(json.dumps(rows, indent=2))
        return
    for e in CATALOGUE.values():
        click.echo(f"{e.key:<30} {e.name} ({e.dose})")
        click.echo(f"{'':<30} {e.description}")
    click.echo("\nA clinician decides what belongs in your routine; loadwatch only records it.")


@rehab_group.command("log")
@click.argument("exercise")
@click.option("--sets", metavar="N", help="Sets done (default: the usual dose).")
@click.option("--reps", metavar="N", help="Repetitions per set.")
@click.option("--seconds", metavar="N", help="Hold time per set, seconds (instead of reps).")
@click.option("--side", type=click.Choice(["left", "right", "both"]), help="Which side.")
@click.option("--date", "day", metavar="YYYY-MM-DD", help="Day done (default: today).")
@click.option("--note", metavar="TEXT", help="Free note.")
@athlete_option
@db_option
@handle_errors
def log_cmd(
    exercise: str,
    sets: str | None,
    reps: str | None,
    seconds: str | None,
    side: str | None,
    day: str | None,
    note: str | None,
    athlete: str | None,
    db: str | None,
) -> None:
    """Log one exercise done (what is not given is the exercise's usual dose).

    EXERCISE is a key from `loadwatch rehab exercises` (e.g. bridge, clams,
    quad-stretch) or its name.

    \b
    Example:
      loadwatch rehab log bridge
      loadwatch rehab log quad-stretch --sets 3 --seconds 30 --side left
    """
    from loadwatch.rehab import validate_session

    session = validate_session(
        athlete=athlete_name(athlete),
        exercise=exercise,
        day=day,
        sets=sets,
        reps=reps,
        seconds=seconds,
        side=side,
        note=note,
    )
    store = Store.open(db)
    store.athlete(session.athlete, create=True)
    (session_id,) = store.add_rehab([session])
    amount = f"{session.seconds} s" if session.seconds else f"{session.reps}"
    where = f", {session.side}" if session.side else ""
    click.echo(
        f"Logged {session.exercise} {session.sets} x {amount}{where} on {session.date} "
        f"for {session.athlete} (id {session_id})"
    )


@rehab_group.command("list")
@click.option("--since", metavar="DATE", help="Only sessions on or after this date.")
@format_option("table", "csv", "json")
@athlete_option
@db_option
@handle_errors
def list_cmd(since: str | None, fmt: str, athlete: str | None, db: str | None) -> None:
    """List logged rehab sessions, oldest first.

    JSON: a list of {"date", "exercise", "sets", "reps", "seconds", "side"}
    (plus "id" and "note").

    \b
    Example:
      loadwatch rehab list --format json
    """
    from loadwatch.rehab import REHAB_LIST_COLUMNS

    store, name = open_athlete(db, athlete)
    rows = [
        {
            "id": s.id,
            "date": s.date,
            "exercise": s.exercise,
            "sets": s.sets,
            "reps": s.reps,
            "seconds": s.seconds,
            "side": s.side,
            "note": s.note,
        }
        for s in store.list_rehab(name, since=parse_date(since, "--since"))
    ]
    columns = (*REHAB_LIST_COLUMNS, "id", "note")
    emit_rows(rows, columns, fmt, title=f"Rehab: {name}")


@rehab_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@skip_bad_rows_option
@athlete_option
@db_option
@handle_errors
def import_cmd(file: Path, skip_bad_rows: bool, athlete: str | None, db: str | None) -> None:
    """Import rehab sessions from a CSV; sessions already logged are not added twice.

    Columns: date,exercise,sets,reps,seconds,side,note (date and exercise
    required). A file with any bad row is rejected whole unless --skip-bad-rows.

    \b
    Example:
      loadwatch rehab import rehab.csv --athlete "Sam Jumps"
    """
    from loadwatch.pain import bad_rows_message, read_text
    from loadwatch.rehab import parse_rehab_csv

    name = athlete_name(athlete)
    result = parse_rehab_csv(read_text(file), athlete=name, source=file.name)
    if result.bad and not skip_bad_rows:
        raise ValidationError(bad_rows_message(file.name, result.bad))
    store = Store.open(db)
    stored = store.list_rehab(name) if name in {a.name for a in store.list_athletes()} else []

    def key(s: object) -> tuple[object, ...]:
        fields = ("date", "exercise", "sets", "reps", "seconds", "side", "note")
        return tuple(getattr(s, f) for f in fields)

    have = {key(s) for s in stored}
    new = []
    for s in result.entries:
        if key(s) not in have:
            have.add(key(s))
            new.append(s)
    if new:
        store.athlete(name, create=True)
        store.add_rehab(new)
    click.echo(
        f"Imported {len(new)} rehab sessions for {name} from {file.name} "
        f"({len(result.entries) - len(new)} already logged)"
    )
    if result.bad:
        click.echo(f"Skipped {len(result.bad)} bad row(s):", err=True)
        for n, reason in result.bad:
            click.echo(f"  row {n}: {reason}", err=True)


@rehab_group.command("delete")
@click.argument("session_id", metavar="ID", type=int)
@athlete_option
@db_option
@handle_errors
def delete_cmd(session_id: int, athlete: str | None, db: str | None) -> None:
    """Delete one logged session by its id (see `loadwatch rehab list`).

    \b
    Example:
      loadwatch rehab delete 7
    """
    store, name = open_athlete(db, athlete)
    store.delete_rehab(session_id, name)
    click.echo(f"Deleted rehab session {session_id} of {name}")


@rehab_group.group("plan", invoke_without_command=True)
@format_option("table", "json")
@athlete_option
@db_option
@click.pass_context
@handle_errors
def plan_group(ctx: click.Context, fmt: str, athlete: str | None, db: str | None) -> None:
    """Show your routine: which exercises, how many sessions a week.

    \b
    Example:
      loadwatch rehab plan
      loadwatch rehab plan set bridge --per-week 3
      loadwatch rehab plan remove bridge
    """
    if ctx.invoked_subcommand is not None:
        return
    from loadwatch.rehab import CATALOGUE

    store, name = open_athlete(db, athlete)
    rows = [
        {"exercise": p.exercise, "per_week": p.per_week, "dose": CATALOGUE[p.exercise].dose}
        for p in store.rehab_plan(name)
        if p.exercise in CATALOGUE
    ]
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
    elif not rows:
        click.echo(f"No rehab plan for {name} (add one with `loadwatch rehab plan set`).")
    else:
        emit_rows(rows, ("exercise", "per_week", "dose"), "table", title=f"Rehab plan: {name}")


@plan_group.command("set")
@click.argument("exercise")
@click.option("--per-week", required=True, metavar="N", help="Sessions a week (0-14; 0 removes).")
@athlete_option
@db_option
@handle_errors
def plan_set_cmd(exercise: str, per_week: str, athlete: str | None, db: str | None) -> None:
    """Put an exercise in your routine with a target number of sessions a week.

    \b
    Example:
      loadwatch rehab plan set clams --per-week 3
    """
    from loadwatch.rehab import validate_plan

    key, n = validate_plan(exercise, per_week)
    name = athlete_name(athlete)
    store = Store.open(db)
    store.athlete(name, create=True)
    store.set_rehab_plan(name, key, n)
    click.echo(f"Plan for {name}: {key} {n} x a week" if n else f"Removed {key} from {name}'s plan")


@plan_group.command("remove")
@click.argument("exercise")
@athlete_option
@db_option
@handle_errors
def plan_remove_cmd(exercise: str, athlete: str | None, db: str | None) -> None:
    """Take an exercise out of your routine.

    \b
    Example:
      loadwatch rehab plan remove clams
    """
    from loadwatch.rehab import exercise_key

    key = exercise_key(exercise)
    store, name = open_athlete(db, athlete)
    store.set_rehab_plan(name, key, 0)
    click.echo(f"Removed {key} from {name}'s plan")


@rehab_group.command("adherence")
@click.option("--weeks", type=click.IntRange(1, 104), default=8, show_default=True)
@click.option("--until", metavar="DATE", help="Last day counted (default: today).")
@format_option("table", "json")
@athlete_option
@db_option
@handle_errors
def adherence_cmd(
    weeks: int, until: str | None, fmt: str, athlete: str | None, db: str | None
) -> None:
    """Sessions done each calendar week (Monday start) against your plan.

    Each planned exercise counts the days it was done, up to its weekly
    target; `extra` counts the rest.

    \b
    Example:
      loadwatch rehab adherence --weeks 4 --format json
    """
    from loadwatch.rehab import adherence

    store, name = open_athlete(db, athlete)
    table = adherence(
        store.list_rehab(name),
        store.rehab_plan(name),
        end=parse_date(until, "--until"),
        weeks=weeks,
    )
    rows: list[dict[str, Any]] = []
    for r in table.to_dict("records"):
        share = float(r["adherence"])
        rows.append(
            {
                "week_start": r["week_start"],
                "planned": int(r["planned"]),
                "done": int(r["done"]),
                "extra": int(r["extra"]),
                "adherence": None if math.isnan(share) else round(share, 4),
            }
        )
    columns = ("week_start", "planned", "done", "extra", "adherence")
    if fmt == "json":
        emit_rows(rows, columns, "json")
        return
    for row in rows:
        a = row["adherence"]
        row["adherence"] = "no plan" if a is None else f"{a:.0%}"
    emit_rows(rows, columns, "table", title=f"Rehab adherence: {name}")


COMMANDS = [rehab_group]
