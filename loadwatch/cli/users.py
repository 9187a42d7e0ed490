"""``loadwatch users``: the accounts of a club server (add, list, passwd, remove, token)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from loadwatch.cli.common import Group, db_option, emit_rows, format_option, handle_errors
from loadwatch.errors import ValidationError

if TYPE_CHECKING:
    from loadwatch.accounts import Accounts

ROLE_CHOICES = ("admin", "coach", "athlete")  # loadwatch.accounts.ROLES (not imported: help)

password_stdin_option = click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input instead of asking "
    "for it twice (for scripts).",
)


def _accounts(db: str | None) -> Accounts:
    from loadwatch.accounts import Accounts
    from loadwatch.store import Store

    return Accounts(Store.open(db))


def read_password(from_stdin: bool) -> str:
    """The new password: the first line of stdin, or typed twice (hidden); two
    different entries are an error (nothing is stored), not a third prompt."""
    if from_stdin:
        line = sys.stdin.readline()
        password = line[:-1] if line.endswith("\n") else line
        password = password[:-1] if password.endswith("\r") else password
        if not password:
            raise ValidationError("no password on standard input")
        return password
    first: str = click.prompt("Password", hide_input=True, err=True)
    again: str = click.prompt("Repeat the password", hide_input=True, err=True)
    if first != again:
        raise ValidationError("the two passwords differ; nothing was changed")
    return first


@click.group("users", cls=Group)
def users_cmd() -> None:
    """Accounts for a club server: admins, coaches and athletes.

    An admin sees and edits every athlete, a coach the athletes of the teams
    they coach (see 'loadwatch teams'), an athlete account only its own
    athlete. With no account defined, loadwatch is the single-user app on
    this computer.

    \b
    Example:
      loadwatch users add ana --role coach
      loadwatch users add sam --role athlete --athlete "Sam Jumps"
      loadwatch users token ana
    """


@users_cmd.command("add")
@click.argument("name")
@click.option(
    "--role", type=click.Choice(ROLE_CHOICES), required=True, help="What the account may do."
)
@click.option(
    "--athlete",
    "-a",
    metavar="ATHLETE",
    help="For an athlete account: the athlete it is (must exist already).",
)
@password_stdin_option
@db_option
@handle_errors
def add_cmd(
    name: str, role: str, athlete: str | None, password_stdin: bool, db: str | None
) -> None:
    """Add an account; asks for its password twice (or reads it with --password-stdin).

    \b
    Example:
      loadwatch users add ana --role coach
      echo "$PASSWORD" | loadwatch users add sam --role athlete --athlete Sam --password-stdin
    """
    accounts = _accounts(db)
    accounts.check_new_user(name, role, athlete=athlete)  # before asking for a password
    user = accounts.add_user(name, role, read_password(password_stdin), athlete=athlete)
    what = f"athlete account of {user.athlete!r}" if user.athlete else user.role
    click.echo(f"Added user {user.name!r} ({what})")


@users_cmd.command("list")
@format_option("table", "csv", "json")
@db_option
@handle_errors
def list_cmd(fmt: str, db: str | None) -> None:
    """List the accounts with their role, athlete and the teams they coach.

    \b
    Example:
      loadwatch users list --format json
    """
    accounts = _accounts(db)
    coached: dict[str, list[str]] = {}
    for team in accounts.teams():
        for coach in team.coaches:
            coached.setdefault(coach, []).append(team.name)
    rows = []
    for u in accounts.users():
        theirs = coached.get(u.name, [])
        rows.append(
            {
                "name": u.name,
                "role": u.role,
                "athlete": u.athlete,
                "teams": theirs if fmt == "json" else ", ".join(theirs),
            }
        )
    emit_rows(rows, ("name", "role", "athlete", "teams"), fmt)


@users_cmd.command("passwd")
@click.argument("name")
@password_stdin_option
@db_option
@handle_errors
def passwd_cmd(name: str, password_stdin: bool, db: str | None) -> None:
    """Set a new password for an account (its API tokens stay valid: revoke them
    with 'loadwatch users token NAME --revoke').

    \b
    Example:
      loadwatch users passwd ana
    """
    accounts = _accounts(db)
    if accounts.user(name) is None:
        raise ValidationError(f"no user called {name!r} (see 'loadwatch users list')")
    accounts.set_password(name, read_password(password_stdin))
    click.echo(f"Changed the password of {name.strip()!r}")


@users_cmd.command("remove")
@click.argument("name")
@db_option
@handle_errors
def remove_cmd(name: str, db: str | None) -> None:
    """Remove an account with its API tokens. What it wrote stays, under its name.

    \b
    Example:
      loadwatch users remove sam
    """
    _accounts(db).remove_user(name)
    click.echo(f"Removed user {name.strip()!r}")


@users_cmd.command("token")
@click.argument("name")
@click.option("--revoke", is_flag=True, help="Delete every token of the account instead.")
@db_option
@handle_errors
def token_cmd(name: str, revoke: bool, db: str | None) -> None:
    """Make a personal API token for an account; it is printed once, as the last word.

    Send it as 'Authorization: Bearer TOKEN' to the JSON API; it sees what the
    account sees. Only its SHA-256 is stored: a lost token cannot be shown
    again, make a new one (and --revoke the old ones).

    \b
    Example:
      TOKEN=$(loadwatch users token ana | awk '{print $NF}')
      curl -H "Authorization: Bearer $TOKEN" https://club.example/api/v1/athletes
      loadwatch users token ana --revoke
    """
    accounts = _accounts(db)
    if revoke:
        n = accounts.revoke_tokens(name)
        click.echo(f"Revoked {n} token{'' if n == 1 else 's'} of {name.strip()!r}")
        return
    token = accounts.new_token(name)
    click.echo(f"API token for {name.strip()!r} (shown only now): {token}")


COMMANDS = [users_cmd]
