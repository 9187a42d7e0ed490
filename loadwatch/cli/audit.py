"""``loadwatch audit``: who wrote what."""

from __future__ import annotations

import click

from loadwatch.cli.common import db_option, emit_rows, format_option, handle_errors

COLUMNS = ("at_utc", "user", "athlete", "action", "what", "row_id")


@click.command("audit")
@click.option("--athlete", "-a", metavar="NAME", help="Only the writes of this athlete's data.")
@format_option("table", "csv", "json")
@db_option
@handle_errors
def audit_cmd(athlete: str | None, fmt: str, db: str | None) -> None:
    """List who wrote what: every write, oldest first.

    One line per row written: when (UTC), by which account ("local": the
    single user without an account; null in JSON), whose data, add, change
    or delete, which kind of data (pain, rpe, plan, wellness, rehab, import,
    athlete, profile, ...) and the row's id. Values are not kept in the log.

    \b
    Example:
      loadwatch audit --athlete Sam
      loadwatch audit --format json
    """
    from loadwatch.store import Store

    store = Store.open(db)
    if athlete is not None:
        store.athlete(athlete, create=False)  # an unknown name is an error, not an empty list
    rows = [
        {
            "at_utc": e.at_utc.replace(microsecond=0),
            "user": e.user_name if fmt == "json" else e.user,
            "athlete": e.athlete,
            "action": e.action,
            "what": e.what,
            "row_id": e.row_id,
        }
        for e in store.audit(athlete)
    ]
    emit_rows(rows, COLUMNS, fmt)


COMMANDS = [audit_cmd]
