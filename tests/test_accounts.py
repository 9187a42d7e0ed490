"""Accounts: users, roles, teams and tokens in the store, on SQLite and on PostgreSQL.

Expected values are written out by hand; password hashes are checked with
argon2-cffi's own verifier, tokens with hashlib.
"""

from __future__ import annotations

import hashlib
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from argon2.exceptions import VerifyMismatchError
from sqlalchemy import create_engine, select

from loadwatch.accounts import DUMMY_HASH, Accounts, Team, User
from loadwatch.errors import ValidationError
from loadwatch.store import Store, api_tokens, users


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'club.db'}"
    return str(request.getfixturevalue("postgres_db"))


@pytest.fixture
def club(db_url: str) -> Accounts:
    """Athletes Sam, Alex, Kim; admin 'root', coaches 'ana' (team Tue: Sam, Alex) and
    'ben' (team Thu: Kim), athlete account 'sam' (Sam); 'cleo' coaches no team."""
    store = Store(db_url)
    for name in ("Sam", "Alex", "Kim"):
        store.add_athlete(name)
    accounts = Accounts(store)
    accounts.add_user("root", "admin", "root password")
    accounts.add_user("ana", "coach", "ana password")
    accounts.add_user("ben", "coach", "ben password")
    accounts.add_user("cleo", "coach", "cleo password")
    accounts.add_user("sam", "athlete", "sam password", athlete="Sam")
    accounts.add_team("Tue")
    accounts.add_team("Thu")
    accounts.assign("Tue", coach="ana", athlete="Sam")
    accounts.assign("Tue", athlete="Alex")
    accounts.assign("Thu", coach="ben", athlete="Kim")
    return accounts


def _user(accounts: Accounts, name: str) -> User:
    found = accounts.user(name)
    assert found is not None
    return found


def test_no_users_in_a_new_store(db_url: str) -> None:
    assert Accounts(Store(db_url)).any_users() is False


def test_users_roles_and_visible_athletes(club: Accounts) -> None:
    assert club.any_users() is True
    assert [(u.name, u.role, u.athlete) for u in club.users()] == [
        ("ana", "coach", None),
        ("ben", "coach", None),
        ("cleo", "coach", None),
        ("root", "admin", None),
        ("sam", "athlete", "Sam"),
    ]
    assert club.visible_athletes(_user(club, "root")) is None
    assert club.visible_athletes(_user(club, "ana")) == frozenset({"Sam", "Alex"})
    assert club.visible_athletes(_user(club, "ben")) == frozenset({"Kim"})
    assert club.visible_athletes(_user(club, "cleo")) == frozenset()
    assert club.visible_athletes(_user(club, "sam")) == frozenset({"Sam"})
    assert club.teams() == [Team("Thu", ("ben",), ("Kim",)), Team("Tue", ("ana",), ("Alex", "Sam"))]
    assert club.teams_of(_user(club, "ana")) == ["Tue"]


def test_a_coach_of_two_teams_sees_both_and_unassign_takes_one_away(club: Accounts) -> None:
    club.assign("Thu", coach="ana")
    club.assign("Thu", coach="ana")  # again: no error, no second row
    ana = _user(club, "ana")
    assert club.visible_athletes(ana) == frozenset({"Sam", "Alex", "Kim"})
    club.unassign("Tue", athlete="Sam")
    assert club.visible_athletes(ana) == frozenset({"Alex", "Kim"})
    club.unassign("Thu", coach="ana")
    assert club.visible_athletes(ana) == frozenset({"Alex"})
    assert [t.coaches for t in club.teams()] == [("ben",), ("ana",)]
    club.remove_team("Thu")
    assert club.visible_athletes(_user(club, "ben")) == frozenset()
    assert [t.name for t in club.teams()] == ["Tue"]
    assert [a.name for a in club.store.list_athletes()] == ["Alex", "Kim", "Sam"]


def test_passwords_are_argon2id_hashes_that_verify(club: Accounts, db_url: str) -> None:
    engine = create_engine(db_url)
    with engine.connect() as conn:
        stored = conn.execute(select(users.c.password_hash).where(users.c.name == "ana")).scalar()
    engine.dispose()
    assert stored is not None and stored.startswith("$argon2id$")
    assert "ana password" not in stored
    assert PasswordHasher().verify(stored, "ana password") is True
    with pytest.raises(VerifyMismatchError) as caught:
        PasswordHasher().verify(stored, "ana passwort")
    assert caught.value is not None
    assert club.verify("ana", "ana password") == _user(club, "ana")
    assert club.verify("ana", "ana passwort") is None
    assert club.verify("nobody", "ana password") is None
    assert club.verify("", "") is None


def test_set_password_and_remove_user(club: Accounts) -> None:
    club.set_password("ana", "a new password")
    assert club.verify("ana", "ana password") is None
    assert club.verify("ana", "a new password") is not None
    token = club.new_token("ana")
    club.remove_user("ana")
    assert club.user("ana") is None
    assert club.user_for_token(token) is None
    assert club.verify("ana", "a new password") is None
    assert [t.coaches for t in club.teams()] == [("ben",), ()]


def test_refusals(club: Accounts) -> None:
    cases = [
        (lambda: club.add_user("ana", "coach", "long enough"), "a user called 'ana' already"),
        (lambda: club.add_user("x", "owner", "long enough"), "unknown role 'owner'"),
        (lambda: club.add_user("x", "athlete", "long enough"), "needs the athlete it is"),
        (lambda: club.add_user("x", "athlete", "long enough", athlete="Nobody"), "no athlete"),
        (lambda: club.add_user("x", "coach", "long enough", athlete="Sam"), "only athlete"),
        (lambda: club.add_user("x", "coach", "short"), "at least 8 characters"),
        (lambda: club.add_user(" ", "coach", "long enough"), "cannot be empty"),
        (lambda: club.add_team("Tue"), "a team called 'Tue' already exists"),
        (lambda: club.assign("Tue", coach="sam"), "'sam' is not a coach"),
        (lambda: club.assign("Tue", coach="nobody"), "no user called 'nobody'"),
        (lambda: club.assign("Nope", athlete="Sam"), "no team called 'Nope'"),
        (lambda: club.assign("Tue"), "nothing to assign"),
        (lambda: club.set_password("nobody", "long enough"), "no user called 'nobody'"),
        (lambda: club.remove_user("nobody"), "no user called 'nobody'"),
        (lambda: club.new_token("nobody"), "no user called 'nobody'"),
    ]
    for call, message in cases:
        with pytest.raises(ValidationError) as caught:
            call()
        assert message in str(caught.value)
    assert len(club.users()) == 5


def test_token_round_trip_stores_only_its_sha256(club: Accounts, db_url: str) -> None:
    token = club.new_token("ben")
    second = club.new_token("ben")
    assert token != second and len(token) >= 40 and " " not in token
    assert club.user_for_token(token) == _user(club, "ben")
    assert club.user_for_token(second) == _user(club, "ben")
    assert club.user_for_token(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert club.user_for_token("") is None
    engine = create_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(select(api_tokens.c.token_sha256, api_tokens.c.last_used_utc)).all()
    engine.dispose()
    digests = {r[0] for r in rows}
    assert digests == {hashlib.sha256(t.encode()).hexdigest() for t in (token, second)}
    assert all(r[1] is not None for r in rows)  # both used once above
    assert club.revoke_tokens("ben") == 2
    assert club.user_for_token(token) is None


def test_the_dummy_hash_has_the_hashers_parameters() -> None:
    from argon2 import extract_parameters

    hasher = PasswordHasher()
    params = extract_parameters(DUMMY_HASH)
    assert (params.time_cost, params.memory_cost, params.parallelism, params.type) == (
        hasher.time_cost,
        hasher.memory_cost,
        hasher.parallelism,
        hasher.type,
    )


def _cpu_s(call: Callable[[], object]) -> float:
    start = time.process_time()
    call()
    return time.process_time() - start


def test_an_unknown_name_costs_what_a_wrong_password_costs(tmp_path: Path) -> None:
    accounts = Accounts(Store(f"sqlite:///{tmp_path / 'club.db'}"))
    accounts.add_user("ana", "coach", "ana password")
    pairs = [  # taken in turn, so that a change of the machine's load hits both alike
        (
            _cpu_s(lambda: accounts.verify("ana", "not her password")),
            _cpu_s(lambda: accounts.verify("anna", "not her password")),
        )
        for _ in range(5)
    ]
    known = statistics.median(k for k, _ in pairs)
    unknown = statistics.median(u for _, u in pairs)
    # a cheap answer for unknown names would be ~1000x faster than argon2 (about 0.25 s)
    assert known > 0.02
    assert 0.5 <= unknown / known <= 2.0, (known, unknown)


def test_a_hash_with_old_parameters_is_replaced_on_login(club: Accounts, db_url: str) -> None:
    from argon2 import extract_parameters

    cheap = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(
            users.update()
            .where(users.c.name == "ben")
            .values(password_hash=cheap.hash("old pw 123"))
        )
    assert club.verify("ben", "wrong pw 123") is None
    with engine.connect() as conn:
        kept = conn.execute(select(users.c.password_hash).where(users.c.name == "ben")).scalar()
    assert extract_parameters(str(kept)).memory_cost == 8 * 1024  # a failed login changes nothing
    assert club.verify("ben", "old pw 123") is not None
    with engine.connect() as conn:
        new = conn.execute(select(users.c.password_hash).where(users.c.name == "ben")).scalar()
    engine.dispose()
    assert extract_parameters(str(new)).memory_cost == PasswordHasher().memory_cost == 65536
    assert club.verify("ben", "old pw 123") is not None


def test_visible_athletes_follow_the_tables_not_an_old_copy_of_the_user(club: Accounts) -> None:
    root, sam = _user(club, "root"), _user(club, "sam")
    club.store.update_athlete("Sam", new_name="Samuel")
    assert club.visible_athletes(sam) == frozenset({"Samuel"})  # sam.athlete still says "Sam"
    club.remove_user("root")
    assert club.visible_athletes(root) == frozenset()  # a removed admin sees nothing
    club.add_user("root", "admin", "another password")  # a new account under the old name
    assert club.visible_athletes(root) == frozenset()  # is not the old one
