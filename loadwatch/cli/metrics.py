"""``loadwatch metrics``: daily load metrics, calendar weeks, or run spikes."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

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
from loadwatch.store import Store

#: Columns of ``daily_metrics`` (METRIC_COLUMNS) the daily view leaves out: the
#: EWMA and uncoupled building blocks of the ratios, and bookkeeping.
DAILY_HIDDEN = ("chronic_uncoupled", "acute_ewma", "chronic_ewma", "ctl_ramp", "history_days")
#: Daily columns that are ratios or percentages, not in the load's unit (never scaled).
DAILY_UNITLESS = ("acwr", "acwr_uncoupled", "acwr_ewma", "ramp_pct", "monotony")
RUN_COLUMNS = (
    "id",
    "local_date",
    "distance_km",
    "longest_30d_km",
    "spike_pct",
    "category",
)
#: The table view of daily metrics shows this many days unless --since says otherwise.
TABLE_DAYS = 28


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


@click.command("metrics")
@athlete_option
@click.option(
    "--load",
    "measure",
    type=click.Choice(["distance", "duration", "trimp", "srpe"]),
    default="distance",
    show_default=True,
    help="Load measure: km, moving minutes, Banister TRIMP, or session RPE x minutes.",
)
@click.option("--weekly", "view", flag_value="weekly", help="Calendar weeks (Monday start).")
@click.option("--runs", "view", flag_value="runs", help="Each run against its 30-day longest.")
@click.option("--daily", "view", flag_value="daily", default=True, help="Daily metrics (default).")
@click.option("--since", metavar="DATE", help="First date shown (YYYY-MM-DD).")
@click.option(
    "--until",
    metavar="DATE",
    help="As-of date: the series runs to this day, rest days included (default: today).",
)
@click.option(
    "--week-start",
    default="monday",
    show_default=True,
    type=click.Choice(
        ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    ),
    help="First day of a calendar week for --weekly.",
)
@units_option("Display distances in km or miles (computation is always in km).")
@click.option("--all-sports", is_flag=True, help="Count every sport, not only running.")
@format_option("table", "csv", "json")
@db_option
@handle_errors
def metrics_cmd(
    athlete: str | None,
    measure: str,
    view: str,
    since: str | None,
    until: str | None,
    week_start: str,
    units: str,
    all_sports: bool,
    fmt: str,
    db: str | None,
) -> None:
    """Training-load metrics as defined in the README (section "Metrics").

    Daily (default): load, 7- and 28-day means, ACWR (coupled, uncoupled,
    EWMA), rolling 7-day load and ramp, monotony, strain, CTL/ATL/TSB. The
    table shows the last 28 days unless --since is given; CSV and JSON hold
    every day. Ratios are empty until 28 days of history exist. Weekly: the
    days column counts the week's days in the series (under 7 for the first
    and the current week, whose ramp is then not like for like). The series
    runs to today (or --until): when most of a table would come after the
    last run, a note says so and suggests --until and --since.

    \b
    Example:
      loadwatch metrics --athlete "Sam Jumps" --weekly
      loadwatch metrics --runs --since 2026-10-01
      loadwatch metrics --load trimp --format csv > metrics.csv
    """
    from loadwatch.service import Service
    from loadwatch.service.tables import DAILY_COLUMNS, WEEKLY_COLUMNS, metrics_table

    store = Store.open(db)
    who = store.athlete(athlete, create=False)
    end = parse_date(until, "--until") or date.today()
    first = parse_date(since, "--since")
    if view == "daily" and first is None and fmt == "table":
        first = end - timedelta(days=TABLE_DAYS - 1)
    history = Service(store).history(who.name)
    table = metrics_table(
        history,
        view,
        measure=measure,
        end=end,
        since=first,
        all_sports=all_sports,
        week_start=week_start,
    )
    scale = 1.0 / km_per_unit(units)
    distance_like = measure == "distance"

    if view == "runs":
        rows = _records(table.frame)
        for r in rows:
            r["local_date"] = r["local_date"].date()
            for c in ("distance_km", "longest_30d_km"):
                if r[c] is not None:
                    r[c] = r[c] * scale
        cols = _rename(RUN_COLUMNS, units)
        rows = [_rekey(r, units) for r in rows]
        emit_rows(rows, cols, fmt, title=f"Runs of {who.name}", formatters=_formatters(cols))
        return

    if table.defaults_used and fmt == "table":
        click.echo(
            f"Note: TRIMP uses default heart rates {table.defaults_used}; set them with "
            "`loadwatch athletes set NAME --hr-rest .. --hr-max ..`.",
            err=True,
        )
    last_run = _last_run(history.activities, all_sports=all_sports)
    if view == "weekly":
        if fmt == "table":
            _note_mostly_empty([d.date() for d in table.frame["week_start"]], last_run, "weeks")
        rows = _records(table.frame)
        for r in rows:
            r["week_start"] = r["week_start"].date()
            for c in ("distance", "longest_run") + (("load",) if distance_like else ()):
                r[c] = r[c] * scale
        emit_rows(
            rows,
            WEEKLY_COLUMNS,
            fmt,
            title=f"Weeks of {who.name} ({_unit(measure, units)})",
            formatters=_formatters(WEEKLY_COLUMNS),
        )
        return

    frame = table.frame
    if fmt == "table":
        _note_mostly_empty([d.date() for d in frame.index], last_run, "days")
    shown = tuple(c for c in DAILY_COLUMNS if c not in DAILY_HIDDEN)
    scaled = [c for c in shown if c not in DAILY_UNITLESS] if distance_like else []
    rows = []
    for day, values in zip(frame.index, _records(frame), strict=True):
        row = {"date": day.date(), **values}
        for c in scaled:
            row[c] = row[c] * scale
        rows.append(row)
    columns = ("date", *shown)
    emit_rows(
        rows,
        columns,
        fmt,
        title=f"Daily metrics of {who.name} ({_unit(measure, units)})",
        formatters=_formatters(columns),
    )


def _last_run(acts: Any, *, all_sports: bool) -> date | None:
    """The local date of the last activity that counts toward the load."""
    import pandas as pd

    from loadwatch.model import is_running

    counted = acts if all_sports else acts[acts["sport"].map(is_running)]
    if counted.empty:
        return None
    return pd.Timestamp(counted["local_date"].max()).date()


def _note_mostly_empty(shown: list[date], last_run: date | None, what: str) -> None:
    """Say so (on stderr) when more than half of the rows shown come after the last run."""
    after = sum(1 for d in shown if last_run is not None and d > last_run)
    if not shown or after * 2 <= len(shown):
        return
    click.echo(
        f"Note: {after} of the {len(shown)} {what} shown come after the last run ({last_run}); "
        f"add --until {last_run} (and --since) to show the period with runs.",
        err=True,
    )


def _records(frame: Any) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in r.items()} for r in frame.to_dict("records")]


def _unit(measure: str, units: str) -> str:
    return {"distance": units, "duration": "moving minutes", "trimp": "TRIMP", "srpe": "AU"}[
        measure
    ]


def _rename(cols: tuple[str, ...], units: str) -> tuple[str, ...]:
    return tuple(c.replace("_km", f"_{units}") for c in cols)


def _rekey(row: dict[str, Any], units: str) -> dict[str, Any]:
    return {k.replace("_km", f"_{units}"): v for k, v in row.items()}


def _formatters(cols: tuple[str, ...]) -> dict[str, Any]:
    return {c: _fmt for c in cols}


COMMANDS = [metrics_cmd]
