"""``loadwatch teams``: which coach sees which athletes (add, assign, unassign, remove, list)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from loadwatch.cli.common import Group, db_option, emit_rows, format_option, handle_errors
from loadwatch.errors import ValidationError

if TYPE_CHECKING:
    from loadwatch.accounts import Accounts


def _accounts(db: str | None) -> Accounts:
    from loadwatch.accounts import Accounts
    from loadwatch.store import Store

    return Accounts(Store.open(db))


@click.group("teams", cls=Group)
def teams_cmd() -> None:
    """Teams: a coach sees and edits the athletes of the teams they coach.

    \b
    Example:
      loadwatch teams add "Tuesday group"
      loadwatch teams assign "Tuesday group" --coach ana --athlete "Sam Jumps"
      loadwatch teams list
    """


@teams_cmd.command("add")
@click.argument("team")
@db_option
@handle_errors
def add_cmd(team: str, db: str | None) -> None:
    """Add a team.

    \b
    Example:
      loadwatch teams add "Tuesday group"
    """
    _accounts(db).add_team(team)
    click.echo(f"Added team {team.strip()!r}")


_members = [
    click.option(
        "--coach",
        "coaches",
        metavar="USER",
        multiple=True,
        help="A user with the coach role (repeat for several).",
    ),
    click.option(
        "--athlete",
        "athletes",
        metavar="ATHLETE",
        multiple=True,
        help="An athlete (repeat for several).",
    ),
]


def _member_options(f: click.decorators.FC) -> click.decorators.FC:
    for option in reversed(_members):
        f = option(f)
    return f


def _describe(coaches: tuple[str, ...], athletes: tuple[str, ...]) -> str:
    parts = [f"coach {c!r}" for c in coaches] + [f"athlete {a!r}" for a in athletes]
    return ", ".join(parts)


@teams_cmd.command("assign")
@click.argument("team")
@_member_options
@db_option
@handle_errors
def assign_cmd(
    team: str, coaches: tuple[str, ...], athletes: tuple[str, ...], db: str | None
) -> None:
    """Put coaches and athletes in a team (doing it twice changes nothing).

    \b
    Example:
      loadwatch teams assign "Tuesday group" --coach ana --athlete Sam --athlete Alex
    """
    if not coaches and not athletes:
        raise ValidationError("nothing to assign: give --coach USER or --athlete ATHLETE")
    accounts = _accounts(db)
    for coach in coaches:
        accounts.assign(team, coach=coach)
    for athlete in athletes:
        accounts.assign(team, athlete=athlete)
    click.echo(f"Team {team.strip()!r}: assigned {_describe(coaches, athletes)}")


@teams_cmd.command("unassign")
@click.argument("team")
@_member_options
@db_option
@handle_errors
def unassign_cmd(
    team: str, coaches: tuple[str, ...], athletes: tuple[str, ...], db: str | None
) -> None:
    """Take coaches or athletes out of a team (their data stays).

    \b
    Example:
      loadwatch teams unassign "Tuesday group" --athlete Sam
    """
    if not coaches and not athletes:
        raise ValidationError("nothing to unassign: give --coach USER or --athlete ATHLETE")
    accounts = _accounts(db)
    for coach in coaches:
        accounts.unassign(team, coach=coach)
    for athlete in athletes:
        accounts.unassign(team, athlete=athlete)
    click.echo(f"Team {team.strip()!r}: unassigned {_describe(coaches, athletes)}")


@teams_cmd.command("remove")
@click.argument("team")
@db_option
@handle_errors
def remove_cmd(team: str, db: str | None) -> None:
    """Remove a team: its coaches no longer see its athletes (nobody's data is deleted).

    \b
    Example:
      loadwatch teams remove "Tuesday group"
    """
    _accounts(db).remove_team(team)
    click.echo(f"Removed team {team.strip()!r}")


@teams_cmd.command("list")
@format_option("table", "csv", "json")
@db_option
@handle_errors
def list_cmd(fmt: str, db: str | None) -> None:
    """List the teams with their coaches and athletes.

    \b
    Example:
      loadwatch teams list --format json
    """
    rows = [
        {
            "team": t.name,
            "coaches": list(t.coaches) if fmt == "json" else ", ".join(t.coaches),
            "athletes": list(t.athletes) if fmt == "json" else ", ".join(t.athletes),
        }
        for t in _accounts(db).teams()
    ]
    emit_rows(rows, ("team", "coaches", "athletes"), fmt)


COMMANDS = [teams_cmd]
