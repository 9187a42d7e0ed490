"""Steps shared by the per-athlete log commands (``pain``, ``plan``): whose log, CSV import."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

from loadwatch.errors import ValidationError
from loadwatch.store import DEFAULT_ATHLETE, Store

T = TypeVar("T")

create_option = click.option(
    "--create",
    is_flag=True,
    help="Start a new athlete by this name if there is none (otherwise a name that is "
    "not in the store is an error, so a typo cannot start a new athlete).",
)
skip_bad_rows_option = click.option(
    "--skip-bad-rows",
    is_flag=True,
    help="Import the good rows and list the bad ones (default: reject the whole file).",
)


def athlete_name(athlete: str | None) -> str:
    """The ``--athlete`` value, or the single-user athlete when none is given."""
    return (athlete or DEFAULT_ATHLETE).strip()


def check_writable(store: Store, name: str, *, create: bool) -> str:
    """``name`` if a write to it may go ahead; nothing is written here.

    The default athlete is created on first use; any other athlete must
    already exist unless ``create`` (``--create``) says to start one.
    """
    if create or name == DEFAULT_ATHLETE:
        return name
    known = {a.name for a in store.list_athletes()}
    if name not in known:
        listed = ", ".join(sorted(known)) or "none yet"
        raise ValidationError(
            f"no athlete called {name!r} (known: {listed}); "
            "check the spelling, or add --create to start a new athlete"
        )
    return name


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
    create: bool = False,
    split_known: Callable[[Store, Sequence[T]], tuple[list[T], int]] | None = None,
) -> Store:
    """Store the parsed rows of one CSV file and say what happened.

    A file with any bad row is refused whole (naming the rows) unless
    ``skip_bad_rows``; then the good rows are stored and the bad ones listed
    on stderr. The athlete must exist (see :func:`check_writable`) and is
    created when there is something to store. ``split_known`` splits off the
    rows the log already holds: (rows to add, how many were already there).
    """
    if bad and not skip_bad_rows:
        from loadwatch.pain import bad_rows_message

        raise ValidationError(bad_rows_message(source, bad))
    store = Store.open(db)
    check_writable(store, athlete, create=create)
    already = 0
    if split_known is not None:
        items, already = split_known(store, items)
    if items:
        store.athlete(athlete, create=True)
        add(store, items)
    message = f"Imported {len(items)} {noun} for {athlete} from {source}"
    if split_known is not None:
        message += f"; {already} already in the log"
    click.echo(message)
    if bad:
        click.echo(f"Skipped {len(bad)} bad row(s):", err=True)
        for n, reason in bad:
            click.echo(f"  row {n}: {reason}", err=True)
    return store
