"""``loadwatch db``: the database's schema revision, and upgrading it."""

from __future__ import annotations

import click

from loadwatch.cli.common import Group, db_option, handle_errors


@click.group("db", cls=Group)
def db_group() -> None:
    """The database schema: which revision it is at, and upgrading it.

    A SQLite database (the single-user default) upgrades itself when opened;
    a server database (PostgreSQL) is upgraded only by `loadwatch db upgrade`,
    and loadwatch refuses to use one at an older revision.

    \b
    Example:
      loadwatch db current --db postgresql+psycopg://loadwatch@db/loadwatch
      loadwatch db upgrade --db postgresql+psycopg://loadwatch@db/loadwatch
    """


@db_group.command("upgrade")
@db_option
@handle_errors
def upgrade_cmd(db: str | None) -> None:
    """Bring the database to the schema this loadwatch needs (creates an empty one's tables).

    Safe to run again, and from several machines at once: whoever comes second
    finds nothing to do. Every row is kept.

    \b
    Example:
      loadwatch db upgrade --db postgresql+psycopg://loadwatch@db/loadwatch
    """
    from loadwatch.store import resolve_db_url, shown_url, upgrade_schema

    url = resolve_db_url(db)
    before, after = upgrade_schema(url)
    if before == after:
        click.echo(f"{shown_url(url)}: already at {after}, nothing to do")
    else:
        start = "an empty database" if before is None else before
        click.echo(f"{shown_url(url)}: upgraded from {start} to {after}")


@db_group.command("current")
@db_option
@handle_errors
def current_cmd(db: str | None) -> None:
    """Show the database's schema revision and the one this loadwatch needs.

    Reads only: the database is not created or changed.

    \b
    Example:
      loadwatch db current
    """
    from loadwatch.migrations import HEAD
    from loadwatch.store import resolve_db_url, schema_revision, shown_url

    url = resolve_db_url(db)
    found = schema_revision(url)
    if found is None:
        state = "no loadwatch tables yet (`loadwatch db upgrade` creates them)"
    elif found == HEAD:
        state = f"{found} (current)"
    elif url.startswith("sqlite"):
        state = f"{found} (this loadwatch needs {HEAD}: upgraded when next opened)"
    else:
        state = f"{found} (this loadwatch needs {HEAD}: run `loadwatch db upgrade`)"
    click.echo(f"{shown_url(url)}: {state}")


COMMANDS = [db_group]
