"""``loadwatch users`` and ``loadwatch teams``: exact output and exit codes.

Each test checks the store through :class:`Accounts` (or hashlib for tokens)
after the command, not the command's own words alone.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, select

from loadwatch.accounts import Accounts
from loadwatch.cli import cli
from loadwatch.store import Store, api_tokens

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("LOADWATCH_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("LOADWATCH_DB", raising=False)
    url = f"sqlite:///{tmp_path / 'club.db'}"
    store = Store(url)
    store.add_athlete("Sam")
    store.add_athlete("Alex")
    store.close()
    return url


def _loadwatch(db: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LOADWATCH_DB": db}
    return subprocess.run(
        [sys.executable, "-m", "loadwatch", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_users_add_with_password_stdin_then_token_round_trip(db: str) -> None:
    added = _loadwatch(db, "users", "add", "ana", "--role", "coach", "--password-stdin",
                       stdin="ana's password\n")  # fmt: skip
    assert (added.returncode, added.stdout, added.stderr) == (0, "Added user 'ana' (coach)\n", "")
    accounts = Accounts(Store(db))
    assert accounts.verify("ana", "ana's password") is not None
    assert accounts.verify("ana", "ana's password\n") is None  # the newline is not in it

    made = _loadwatch(db, "users", "token", "ana")
    assert made.returncode == 0, made.stderr
    token = made.stdout.split()[-1]
    assert made.stdout == f"API token for 'ana' (shown only now): {token}\n"
    user = accounts.user_for_token(token)
    assert user is not None and user.name == "ana"
    engine = create_engine(db)
    with engine.connect() as conn:
        stored = conn.execute(select(api_tokens.c.token_sha256)).scalars().all()
    engine.dispose()
    assert stored == [hashlib.sha256(token.encode()).hexdigest()]

    revoked = _loadwatch(db, "users", "token", "ana", "--revoke")
    assert revoked.stdout == "Revoked 1 token of 'ana'\n"
    assert accounts.user_for_token(token) is None


def test_users_add_prompts_twice_and_refuses_a_mismatch(db: str) -> None:
    runner = CliRunner()
    args = ["users", "add", "sam", "--role", "athlete", "--athlete", "Sam", "--db", db]
    mismatch = runner.invoke(cli, args, input="first password\nsecond password\n")
    assert mismatch.exit_code == 2
    assert mismatch.output.endswith("Error: the two passwords differ; nothing was changed\n")
    assert Accounts(Store(db)).user("sam") is None

    ok = runner.invoke(cli, args, input="sam's password\nsam's password\n")
    assert ok.exit_code == 0, ok.output
    assert ok.output.count("Password: ") == 1 and ok.output.count("Repeat the password: ") == 1
    assert "sam's password" not in ok.output  # hidden input is not echoed
    assert ok.output.endswith("Added user 'sam' (athlete account of 'Sam')\n")
    user = Accounts(Store(db)).verify("sam", "sam's password")
    assert user is not None and (user.role, user.athlete) == ("athlete", "Sam")

    # a refusal comes before the password is asked for
    taken = runner.invoke(cli, args, input="")
    assert (taken.exit_code, taken.output) == (2, "Error: a user called 'sam' already exists\n")
    other = ["users", "add", "kim", "--role", "athlete", "--athlete", "Kim", "--db", db]
    missing = runner.invoke(cli, other, input="")
    assert missing.exit_code == 2 and "Password" not in missing.output
    assert missing.output == (
        "Error: no athlete called 'Kim': add them first (loadwatch athletes add)\n"
    )


def test_users_errors_are_one_line_usage_errors(db: str) -> None:
    runner = CliRunner()
    cases = [
        (["users", "add", "x", "--role", "coach"], "short",
         "Error: a password needs at least 8 characters\n"),
        (["users", "add", "x", "--role", "athlete"], "long enough password",
         "Error: an athlete account needs the athlete it is: give --athlete\n"),
        (["users", "add", "x", "--role", "coach", "--athlete", "Sam"], "long enough password",
         "Error: only athlete accounts name an athlete (not a coach)\n"),
        (["users", "passwd", "nobody"], "long enough password",
         "Error: no user called 'nobody' (see 'loadwatch users list')\n"),
        (["users", "remove", "nobody"], "", "Error: no user called 'nobody' (see 'loadwatch "
         "users list')\n"),
        (["users", "add", "x", "--role", "coach"], "", "Error: no password on standard input\n"),
    ]  # fmt: skip
    for args, password, expected in cases:
        result = runner.invoke(cli, [*args, "--password-stdin", "--db", db]
                               if args[1] in ("add", "passwd") else [*args, "--db", db],
                               input=password + "\n" if password else "")  # fmt: skip
        assert (result.exit_code, result.output) == (2, expected), args
    assert Accounts(Store(db)).users() == []


def test_users_list_passwd_remove(db: str) -> None:
    runner = CliRunner()
    for name, role in (("root", "admin"), ("ana", "coach")):
        result = runner.invoke(cli, ["users", "add", name, "--role", role, "--password-stdin",
                                     "--db", db], input=f"{name} password\n")  # fmt: skip
        assert result.exit_code == 0, result.output
    runner.invoke(cli, ["teams", "add", "Tue", "--db", db])
    runner.invoke(cli, ["teams", "assign", "Tue", "--coach", "ana", "--db", db])
    listed = runner.invoke(cli, ["users", "list", "--format", "json", "--db", db])
    assert json.loads(listed.output) == [
        {"name": "ana", "role": "coach", "athlete": None, "teams": ["Tue"]},
        {"name": "root", "role": "admin", "athlete": None, "teams": []},
    ]
    csv = runner.invoke(cli, ["users", "list", "--format", "csv", "--db", db])
    assert csv.output == "name,role,athlete,teams\nana,coach,,Tue\nroot,admin,,\n"

    changed = runner.invoke(cli, ["users", "passwd", "ana", "--password-stdin", "--db", db],
                            input="a new password\n")  # fmt: skip
    assert changed.output == "Changed the password of 'ana'\n"
    accounts = Accounts(Store(db))
    assert accounts.verify("ana", "ana password") is None
    assert accounts.verify("ana", "a new password") is not None

    removed = runner.invoke(cli, ["users", "remove", "ana", "--db", db])
    assert (removed.exit_code, removed.output) == (0, "Removed user 'ana'\n")
    assert [u.name for u in accounts.users()] == ["root"]


def test_teams_add_assign_unassign_list(db: str) -> None:
    runner = CliRunner()
    runner.invoke(cli, ["users", "add", "ana", "--role", "coach", "--password-stdin", "--db", db],
                  input="ana password\n")  # fmt: skip
    assert runner.invoke(cli, ["teams", "add", "Tue", "--db", db]).output == "Added team 'Tue'\n"
    again = runner.invoke(cli, ["teams", "add", "Tue", "--db", db])
    assert (again.exit_code, again.output) == (2, "Error: a team called 'Tue' already exists\n")
    assigned = runner.invoke(cli, ["teams", "assign", "Tue", "--coach", "ana", "--athlete", "Sam",
                                   "--athlete", "Alex", "--db", db])  # fmt: skip
    assert assigned.output == "Team 'Tue': assigned coach 'ana', athlete 'Sam', athlete 'Alex'\n"
    listed = runner.invoke(cli, ["teams", "list", "--format", "json", "--db", db])
    assert json.loads(listed.output) == [
        {"team": "Tue", "coaches": ["ana"], "athletes": ["Alex", "Sam"]}
    ]
    out = runner.invoke(cli, ["teams", "unassign", "Tue", "--athlete", "Sam", "--db", db])
    assert out.output == "Team 'Tue': unassigned athlete 'Sam'\n"
    accounts = Accounts(Store(db))
    ana = accounts.user("ana")
    assert ana is not None and accounts.visible_athletes(ana) == frozenset({"Alex"})
    for args, expected in (
        (["teams", "assign", "Tue"], "Error: nothing to assign: give --coach USER or --athlete "
         "ATHLETE\n"),
        (["teams", "assign", "Nope", "--athlete", "Sam"], "Error: no team called 'Nope' (see "
         "'loadwatch teams list')\n"),
        (["teams", "assign", "Tue", "--athlete", "Nobody"], "Error: no athlete called "
         "'Nobody': add them first (loadwatch athletes add)\n"),
    ):  # fmt: skip
        result = runner.invoke(cli, [*args, "--db", db])
        assert (result.exit_code, result.output) == (2, expected)
    gone = runner.invoke(cli, ["teams", "remove", "Tue", "--db", db])
    assert (gone.exit_code, gone.output) == (0, "Removed team 'Tue'\n")
    assert accounts.teams() == [] and accounts.visible_athletes(ana) == frozenset()
    assert [a.name for a in Store(db).list_athletes()] == ["Alex", "Sam"]
    again = runner.invoke(cli, ["teams", "remove", "Tue", "--db", db])
    assert (again.exit_code, again.output) == (
        2,
        "Error: no team called 'Tue' (see 'loadwatch teams list')\n",
    )
