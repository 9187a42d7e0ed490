"""Options, exit statuses and output helpers shared by every ``loadwatch`` command."""

from __future__ import annotations

import csv
import difflib
import io
import json
import re
import sys
from collections.abc import Callable, Sequence
from datetime import date
from functools import wraps
from typing import Any, TypeVar

import click

from loadwatch.errors import LoadwatchError, ValidationError
from loadwatch.model import KM_PER_MILE

F = TypeVar("F", bound=Callable[..., Any])

#: Exit statuses, one meaning each (README, "Exit status").
EXIT_OK = 0
#: Something went wrong: a file that could not be read, a broken config file, a database error.
EXIT_ERROR = 1
#: The command line or its input was wrong: bad option or value, missing path, unknown athlete.
EXIT_USAGE = 2
#: ``check`` (and ``notify``) found something at caution or above.
EXIT_FOUND = 3

EXIT_STATUS_HELP = "Exit status: 0 success, 1 error, 2 usage error (see the README, Exit status)."
EXIT_STATUS_FOUND_HELP = (
    "Exit status: 0 nothing at caution or above, 3 something at caution or above found, "
    "1 error, 2 usage error (see the README, Exit status)."
)

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
    """Turn loadwatch errors into a one-line message and EXIT_USAGE (bad input) or EXIT_ERROR."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ValidationError as e:
            click.echo(f"Error: {e}", err=True)
            sys.exit(EXIT_USAGE)
        except LoadwatchError as e:
            click.echo(f"Error: {e}", err=True)
            sys.exit(EXIT_ERROR)

    return wrapper  # type: ignore[return-value]


# ------------------------------------------------------------ command parsing
class Group(click.Group):
    """A command group that suggests the nearest command name for a typo."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            close = difflib.get_close_matches(name, self.list_commands(ctx), n=3, cutoff=0.6)
            hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
            ctx.fail(f"No such command {name!r}.{hint}")
        return super().resolve_command(ctx, args)


#: A token that is a negative number, not an option: -1, -2.5, -.5
_NEGATIVE_NUMBER = re.compile(r"^-(\d+\.?\d*|\.\d+)$")


def _value_options(command: click.Command) -> set[str]:
    """The option names of ``command`` that take a value (the next token is that value)."""
    return {
        name
        for p in command.params
        if isinstance(p, click.Option) and not p.is_flag and not p.count
        for name in p.opts
    }


def _option_names(command: click.Command) -> set[str]:
    names = {"--help", "-h"}
    for p in command.params:
        if isinstance(p, click.Option):
            names.update(p.opts)
            names.update(p.secondary_opts)
    return names


def protect_negative_numbers(
    ctx: click.Context, command: click.Command, args: list[str]
) -> list[str]:
    """``args`` for ``command`` with negative-number arguments read as arguments, not options.

    ``loadwatch pain add -1`` would otherwise stop at "No such option: -1";
    the number now reaches the command, whose check says what is allowed.
    The options are moved before a ``--`` and the arguments after it, in
    their order. For a group, the subcommand's arguments are treated so.
    Options written after an explicit ``--`` are reported, because they
    would be read as arguments.
    """
    if isinstance(command, click.Group):
        takes = _value_options(command)
        i = 0
        while i < len(args):
            token = args[i]
            if token == "--":
                return args
            if token in takes:
                i += 2
                continue
            if not token.startswith("-"):
                sub = command.get_command(ctx, token)
                if sub is None:
                    return args
                return args[: i + 1] + protect_negative_numbers(ctx, sub, args[i + 1 :])
            i += 1
        return args
    if "--" in args:
        after = args[args.index("--") + 1 :]
        names = _option_names(command)
        misplaced = [a for a in after if a.split("=", 1)[0] in names]
        if misplaced:
            raise click.UsageError(
                f"{', '.join(misplaced)} after '--' would be read as an argument; "
                "put options before '--' (e.g. loadwatch pain add --athlete NAME -- -1)"
            )
        return args
    if not any(_NEGATIVE_NUMBER.match(a) for a in args):
        return args
    takes = _value_options(command)
    options: list[str] = []
    arguments: list[str] = []
    i = 0
    while i < len(args):
        token = args[i]
        if token in takes and i + 1 < len(args):
            options += args[i : i + 2]
            i += 2
            continue
        if token.startswith("-") and not _NEGATIVE_NUMBER.match(token):
            options.append(token)
        else:
            arguments.append(token)
        i += 1
    return [*options, "--", *arguments]


def _plain(value: Any) -> Any:
    from loadwatch.service.records import plain

    return plain(value)


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
