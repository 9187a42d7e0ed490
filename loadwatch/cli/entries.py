"""Steps shared by the per-athlete log commands (``pain``, ``plan``): whose log, CSV import."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

from loadwatch.errors import ValidationError
from loadwatch.store import DEFAULT_ATHLETE, Store

T = TypeVar("T")

skip_bad_rows_option = click.option(
    "--skip-bad-rows",
    is_flag=True,
    help="Import the good rows and list the bad ones (default: reject the whole file).",
)


def athlete_name(athlete: str | None) -> str:
    """The ``--athlete`` value, or the single-user athlete when none is given."""
    return (athlete or DEFAULT_ATHLETE).strip()


def open_athlete(db: str | None, athlete: str | None) -> tuple[Store, str]:
    """The store and the stored name of an athlete who must already exist."""
    store = Store.open(db)
    return store, store.athlete(athlete_name(athlete), create=False).name


def save_csv_rows(
    source: str,
    athlete: str,
    items: Sequence[T],
    bad: Sequence[tuple[int, str]],
    *,
    db: str | None,
    skip_bad_rows: bool,
    add: Callable[[Store, Sequence[T]], Any],
    noun: str,
) -> Store:
    """Store the parsed rows of one CSV file and say what happened.

    A file with any bad row is refused whole (naming the rows) unless
    ``skip_bad_rows``; then the good rows are stored and the bad ones listed
    on stderr. The athlete is created when there is something to store.
    """
    if bad and not skip_bad_rows:
        from loadwatch.pain import bad_rows_message

        raise ValidationError(bad_rows_message(source, bad))
    store = Store.open(db)
    if items:
        store.athlete(athlete, create=True)
        add(store, items)
    click.echo(f"Imported {len(items)} {noun} for {athlete} from {source}")
    if bad:
        click.echo(f"Skipped {len(bad)} bad row(s):", err=True)
        for n, reason in bad:
            click.echo(f"  row {n}: {reason}", err=True)
    return store
