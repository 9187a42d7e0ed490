"""Options and output helpers shared by every ``loadwatch`` command."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from functools import wraps
from typing import Any, TypeVar

import click

from loadwatch.errors import LoadwatchError, ValidationError
from loadwatch.model import KM_PER_MILE

F = TypeVar("F", bound=Callable[..., Any])

db_option = click.option(
    "--db",
    metavar="URL|PATH",
    envvar="LOADWATCH_DB",
    help="Database: a SQLite file path or a SQLAlchemy URL "
    "(default: loadwatch.db in the user data folder; env LOADWATCH_DB).",
)
athlete_option = click.option(
    "--athlete",
    "-a",
    metavar="NAME",
    help="Athlete name (default: the single-user athlete 'me').",
)


def format_option(*choices: str, default: str = "table") -> Callable[[F], F]:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(list(choices)),
        default=default,
        show_default=True,
        help="Output format.",
    )


def units_option(help: str) -> Callable[[F], F]:
    """``--units km|mi``; ``help`` says what the unit applies to.

    Without it, ``$LOADWATCH_UNITS``, then ``units`` in the config file, then km
    (resolve with :func:`loadwatch.service.units.resolve_units`).
    """
    return click.option(
        "--units",
        type=click.Choice(["km", "mi"]),
        default=None,
        callback=_resolve_units,
        help=help + " Default: $LOADWATCH_UNITS, else 'units' in the config file, else km.",
    )


def _resolve_units(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
    from loadwatch.service.units import resolve_units

    try:
        return resolve_units(value)
    except ValidationError as e:  # e.g. a bad $LOADWATCH_UNITS: a usage error (2)
        raise click.BadParameter(str(e), ctx=ctx, param=param) from e
    except LoadwatchError as e:  # a broken config file is an error (1), not a bad --units
        raise click.ClickException(str(e)) from e


def km_per_unit(units: str) -> float:
    """Kilometres in one ``--units`` unit: 1 for km, 1.609344 for mi."""
    return KM_PER_MILE if units == "mi" else 1.0


def parse_date(value: str | None, what: str = "date") -> date | None:
    """Parse YYYY-MM-DD (or 'today'); a clear error otherwise."""
    if value is None:
        return None
    if value.lower() == "today":
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError as e:
        raise ValidationError(f"{what} must look like 2026-03-31 (got {value!r})") from e


def handle_errors(func: F) -> F:
    """Turn loadwatch errors into a one-line message and exit status 2 (usage) or 1."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ValidationError as e:
            click.echo(f"Error: {e}", err=True)
            sys.exit(2)
        except LoadwatchError as e:
            click.echo(f"Error: {e}", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float) and value != value:  # NaN
        return None
    return value


def emit_rows(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[str],
    fmt: str,
    *,
    title: str | None = None,
    formatters: dict[str, Callable[[Any], str]] | None = None,
) -> None:
    """Print rows as a rich table, CSV or a JSON list of objects."""
    if fmt == "json":
        click.echo(json.dumps([{c: _plain(r.get(c)) for c in columns} for r in rows], indent=2))
        return
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(columns)
        for r in rows:
            writer.writerow(["" if _plain(r.get(c)) is None else _plain(r.get(c)) for c in columns])
        click.echo(buf.getvalue(), nl=False)
        return
    fmts = formatters or {}
    cells = [[_cell(r.get(c), fmts.get(c)) for c in columns] for r in rows]
    if len(rows) > RICH_MAX_ROWS:
        _print_plain_table(cells, columns, title)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, show_lines=False)
    for c in columns:
        table.add_column(c, overflow="fold")
    for row in cells:
        table.add_row(*row)
    Console(width=max(100, _terminal_width())).print(table)


#: Longer tables are printed as plain aligned text: rich takes about 1.5 ms a row.
RICH_MAX_ROWS = 200


def _cell(value: Any, fmt: Callable[[Any], str] | None) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return fmt(value) if fmt is not None else str(_plain(value))


def _print_plain_table(cells: list[list[str]], columns: Sequence[str], title: str | None) -> None:
    """Columns padded to their widest cell, two spaces apart (for long outputs)."""
    widths = [max([len(c), *(len(row[i]) for row in cells)]) for i, c in enumerate(columns)]
    lines = [title] if title else []
    lines.append("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip())
    lines.append("  ".join("-" * w for w in widths))
    for row in cells:
        lines.append("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
    click.echo("\n".join(lines))


def _terminal_width() -> int:
    import shutil

    return shutil.get_terminal_size((120, 40)).columns
