"""``loadwatch athletes``: list, add, rename, set a profile."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

import click

from loadwatch.cli.common import Group, db_option, emit_rows, format_option, handle_errors
from loadwatch.errors import ValidationError
from loadwatch.store import Store


@click.group("athletes", cls=Group, invoke_without_command=True)
@format_option("table", "csv", "json")
@db_option
@click.pass_context
@handle_errors
def athletes_cmd(ctx: click.Context, fmt: str, db: str | None) -> None:
    """List athletes (or add, rename, set a profile with the subcommands).

    An athlete is created on first import when named with --athlete; the
    athlete 'me' is used when none is named.

    \b
    Example:
      loadwatch athletes
      loadwatch athletes add "Sam Jumps" --tz America/Denver
      loadwatch athletes rename "Sam Jumps" Sam
    """
    if ctx.invoked_subcommand is not None:
        return
    from loadwatch.service.records import ATHLETE_COLUMNS, athlete_records

    emit_rows(athlete_records(Store.open(db).list_athletes()), ATHLETE_COLUMNS, fmt)


def _profile_options(f: Any) -> Any:
    f = click.option(
        "--sex", type=click.Choice(["male", "female"]), help="For Banister TRIMP weighting."
    )(f)
    f = click.option("--hr-max", type=click.FloatRange(100, 250), help="Maximum heart rate (bpm).")(
        f
    )
    f = click.option("--hr-rest", type=click.FloatRange(25, 120), help="Resting heart rate (bpm).")(
        f
    )
    f = click.option(
        "--tz", metavar="ZONE", help="IANA time zone for files that carry none, e.g. Europe/Berlin."
    )(f)
    return f


def _check_tz(tz: str | None) -> None:
    if tz is None:
        return
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise ValidationError(f"unknown time zone {tz!r} (use a name like Europe/Berlin)") from e


Profile = dict[str, Any]


def _profile_command(func: Callable[[str, Profile, str | None], None]) -> Callable[..., None]:
    """NAME, the profile options and --db; ``func`` gets the options given, time zone checked.

    The profile holds only what was given (tz, hr_rest, hr_max, sex, in that order).
    """

    @wraps(func)
    def command(
        name: str,
        tz: str | None,
        hr_rest: float | None,
        hr_max: float | None,
        sex: str | None,
        db: str | None,
    ) -> None:
        _check_tz(tz)
        given = {"tz": tz, "hr_rest": hr_rest, "hr_max": hr_max, "sex": sex}
        func(name, {k: v for k, v in given.items() if v is not None}, db)

    decorated: Callable[..., None] = click.argument("name")(
        _profile_options(db_option(handle_errors(command)))
    )
    return decorated


@athletes_cmd.command("add")
@_profile_command
def add_cmd(name: str, profile: Profile, db: str | None) -> None:
    """Add an athlete.

    \b
    Example:
      loadwatch athletes add "Sam Jumps" --tz America/Denver --hr-rest 52 --hr-max 188
    """
    a = Store.open(db).add_athlete(name, **profile)
    click.echo(f"Added athlete {a.name!r}")


@athletes_cmd.command("rename")
@click.argument("old")
@click.argument("new")
@db_option
@handle_errors
def rename_cmd(old: str, new: str, db: str | None) -> None:
    """Rename an athlete (their activities and logs follow).

    \b
    Example:
      loadwatch athletes rename me "Alex Steady"
    """
    Store.open(db).update_athlete(old, new_name=new)
    click.echo(f"Renamed {old!r} to {new!r}")


@athletes_cmd.command("set")
@_profile_command
def set_cmd(name: str, profile: Profile, db: str | None) -> None:
    """Set an athlete's time zone or heart-rate profile.

    \b
    Example:
      loadwatch athletes set me --hr-rest 50 --hr-max 190 --sex female
    """
    if not profile:
        raise ValidationError("nothing to set: give --tz, --hr-rest, --hr-max or --sex")
    Store.open(db).update_athlete(name, **profile)
    click.echo(f"Updated {name!r}: " + ", ".join(f"{k}={v}" for k, v in profile.items()))


COMMANDS = [athletes_cmd]
