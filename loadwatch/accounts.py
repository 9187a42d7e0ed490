"""Accounts of a club server: users with a role, teams, personal API tokens.

The store layer's SQL on the account tables (``users``, ``teams``,
``team_coaches``, ``team_athletes``, ``api_tokens``, defined with the rest of
the schema in :mod:`loadwatch.store`). Who may see what is decided above this,
in :mod:`loadwatch.service.access`; this module only answers who a user is and
which athletes their teams hold.

Roles: an ``admin`` sees and writes every athlete; a ``coach`` the athletes of
the teams they coach; an ``athlete`` account is one athlete and sees only
them. With no user defined loadwatch is the single-user app it always was.

Passwords are stored as argon2id hashes (argon2-cffi's :class:`PasswordHasher`
with its default parameters: 64 MiB, 3 passes, 4 lanes). :meth:`Accounts.verify`
does the same work for a name that does not exist as for a wrong password, so
the answer's timing does not tell which names exist. API tokens are random
(256 bits); only their SHA-256 is stored, so a copy of the database does not
hold a usable token.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import and_, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from loadwatch.errors import ValidationError
from loadwatch.store import (
    Store,
    api_tokens,
    athletes,
    team_athletes,
    team_coaches,
    teams,
    users,
)

#: The roles a user can have, most powerful first.
ROLES = ("admin", "coach", "athlete")
#: Longest user or team name, characters (the columns' size).
MAX_NAME = 200
#: Shortest password accepted, characters.
MIN_PASSWORD = 8
#: Longest password accepted, characters (argon2 would take more; nobody types more).
MAX_PASSWORD = 1024
#: A token's ``last_used_utc`` is written at most this often (not on every API request).
TOKEN_TOUCH = timedelta(minutes=1)

#: argon2id with argon2-cffi's default parameters (RFC 9106, low-memory profile).
_HASHER = PasswordHasher()
#: The hash of a random password nobody knows, made with :data:`_HASHER`'s parameters:
#: an unknown name is verified against it, so it costs what a wrong password costs.
#: (A test checks its parameters are still the hasher's.)
DUMMY_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$YGr7XqCxyDv/cixQk4w+0g$"
    "qDxppyO1zU6jDKEgtguWoQAhDYf2GlSxHijkcFxFr0c"
)


@dataclass(frozen=True)
class User:
    """One account. ``athlete``: the athlete an athlete account is (None for the others)."""

    id: int
    name: str
    role: str
    athlete: str | None


@dataclass(frozen=True)
class Team:
    """A team with its coaches (user names) and athletes (athlete names), both sorted."""

    name: str
    coaches: tuple[str, ...]
    athletes: tuple[str, ...]


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _clean_name(name: str, what: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError(f"a {what} name cannot be empty")
    if len(name) > MAX_NAME:
        raise ValidationError(f"a {what} name can be at most {MAX_NAME} characters")
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise ValidationError(f"a {what} name cannot hold control characters")
    return name


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ValidationError(f"a password needs at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise ValidationError(f"a password can be at most {MAX_PASSWORD} characters")


def token_digest(token: str) -> str:
    """The SHA-256 (hex) under which a token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


_USER_COLUMNS = (
    users.c.id,
    users.c.name,
    users.c.role,
    users.c.password_hash,
    athletes.c.name.label("athlete_name"),
)
_USERS = users.outerjoin(athletes, athletes.c.id == users.c.athlete_id)


def _user(row: Any) -> User:
    return User(row.id, row.name, row.role, row.athlete_name)


class Accounts:
    """Users, teams and tokens in one store."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # ------------------------------------------------------------------ users
    def any_users(self) -> bool:
        """Whether any account exists (none: the single-user app of before)."""
        with self.store._read() as conn:
            return conn.execute(select(users.c.id).limit(1)).first() is not None

    def _row(self, name: str) -> Any:
        q = select(*_USER_COLUMNS).select_from(_USERS).where(users.c.name == name.strip())
        with self.store._read() as conn:
            return conn.execute(q).first()

    def user(self, name: str) -> User | None:
        row = self._row(name)
        return None if row is None else _user(row)

    def user_with_stamp(self, name: str) -> tuple[User, str] | None:
        """The user and a digest of their password hash, which changes with every new
        password (and differs for an account made anew under the same name); None for an
        unknown name. A login session carries the stamp: a new password ends the others."""
        row = self._row(name)
        if row is None:
            return None
        return _user(row), hashlib.sha256(row.password_hash.encode("utf-8")).hexdigest()

    def _existing(self, name: str) -> User:
        found = self.user(name)
        if found is None:
            raise ValidationError(f"no user called {name!r} (see 'loadwatch users list')")
        return found

    def users(self) -> list[User]:
        q = select(*_USER_COLUMNS).select_from(_USERS).order_by(users.c.name)
        with self.store._read() as conn:
            return [_user(r) for r in conn.execute(q)]

    def check_new_user(self, name: str, role: str, *, athlete: str | None = None) -> str:
        """The cleaned name if :meth:`add_user` would take these (a password aside),
        else a :class:`ValidationError` (so that nobody types a password in vain)."""
        name = _clean_name(name, "user")
        if role not in ROLES:
            raise ValidationError(f"unknown role {role!r} (use one of: {', '.join(ROLES)})")
        if role == "athlete" and not athlete:
            raise ValidationError("an athlete account needs the athlete it is: give --athlete")
        if role != "athlete" and athlete:
            raise ValidationError(f"only athlete accounts name an athlete (not a {role})")
        if self.user(name) is not None:
            raise ValidationError(f"a user called {name!r} already exists")
        if athlete:
            with self.store._read() as conn:
                self._athlete_id(conn, athlete)
        return name

    def add_user(self, name: str, role: str, password: str, *, athlete: str | None = None) -> User:
        """Add an account. An ``athlete`` account names the (existing) athlete it is;
        the other roles name none."""
        name = self.check_new_user(name, role, athlete=athlete)
        _check_password(password)
        password_hash = _HASHER.hash(password)
        try:
            with self.store._tx() as conn:
                athlete_id = self._athlete_id(conn, athlete) if athlete else None
                conn.execute(
                    insert(users).values(
                        name=name,
                        role=role,
                        athlete_id=athlete_id,
                        password_hash=password_hash,
                        created_utc=_utcnow(),
                    )
                )
        except IntegrityError as e:  # added by someone else meanwhile
            raise ValidationError(f"a user called {name!r} already exists") from e
        return self._existing(name)

    @staticmethod
    def _athlete_id(conn: Any, athlete: str) -> int:
        aid = conn.execute(select(athletes.c.id).where(athletes.c.name == athlete)).scalar()
        if aid is None:
            raise ValidationError(
                f"no athlete called {athlete!r}: add them first (loadwatch athletes add)"
            )
        return int(aid)

    def verify(self, name: str, password: str) -> User | None:
        """The user when ``password`` is theirs, else None.

        One argon2 verification whether or not the name exists (an unknown name
        is checked against :data:`DUMMY_HASH`). A hash made with older parameters
        is replaced by one with the current parameters on a successful login.
        """
        row = self._row(name) if name and len(name) <= MAX_NAME else None
        if row is None:
            with contextlib.suppress(VerificationError):
                _HASHER.verify(DUMMY_HASH, password)
            return None
        try:
            _HASHER.verify(row.password_hash, password)
        except (VerificationError, InvalidHashError):
            return None
        if _HASHER.check_needs_rehash(row.password_hash):
            self._store_hash(row.id, _HASHER.hash(password))
        return _user(row)

    def _store_hash(self, user_id: int, password_hash: str) -> None:
        with self.store._tx() as conn:
            conn.execute(
                update(users).where(users.c.id == user_id).values(password_hash=password_hash)
            )

    def set_password(self, name: str, password: str) -> None:
        """Give a user a new password (their tokens stay valid; revoke them apart)."""
        _check_password(password)
        self._store_hash(self._existing(name).id, _HASHER.hash(password))

    def remove_user(self, name: str) -> None:
        """Delete an account with its tokens and team places (what it wrote stays,
        attributed to its name)."""
        uid = self._existing(name).id
        with self.store._tx() as conn:
            conn.execute(delete(api_tokens).where(api_tokens.c.user_id == uid))
            conn.execute(delete(team_coaches).where(team_coaches.c.user_id == uid))
            conn.execute(delete(users).where(users.c.id == uid))

    # ------------------------------------------------------------------ teams
    def add_team(self, name: str) -> None:
        name = _clean_name(name, "team")
        try:
            with self.store._tx() as conn:
                conn.execute(insert(teams).values(name=name))
        except IntegrityError as e:
            raise ValidationError(f"a team called {name!r} already exists") from e

    def remove_team(self, name: str) -> None:
        """Delete a team and its coach and athlete places (the athletes and accounts stay)."""
        with self.store._tx() as conn:
            tid = self._team_id(conn, name)
            conn.execute(delete(team_coaches).where(team_coaches.c.team_id == tid))
            conn.execute(delete(team_athletes).where(team_athletes.c.team_id == tid))
            conn.execute(delete(teams).where(teams.c.id == tid))

    def _team_id(self, conn: Any, team: str) -> int:
        tid = conn.execute(select(teams.c.id).where(teams.c.name == team.strip())).scalar()
        if tid is None:
            raise ValidationError(f"no team called {team!r} (see 'loadwatch teams list')")
        return int(tid)

    def _coach_id(self, conn: Any, coach: str) -> int:
        row = conn.execute(
            select(users.c.id, users.c.role).where(users.c.name == coach.strip())
        ).first()
        if row is None:
            raise ValidationError(f"no user called {coach!r} (see 'loadwatch users list')")
        if row.role != "coach":
            raise ValidationError(f"{coach!r} is not a coach (role {row.role})")
        return int(row.id)

    def assign(self, team: str, *, coach: str | None = None, athlete: str | None = None) -> None:
        """Put a coach (a user with the coach role) or an athlete in a team; doing it
        again changes nothing."""
        if coach is None and athlete is None:
            raise ValidationError("nothing to assign: give a coach or an athlete")
        with self.store._tx() as conn:
            tid = self._team_id(conn, team)
            if coach is not None:
                uid = self._coach_id(conn, coach)
                self._insert_pair(conn, team_coaches, team_id=tid, user_id=uid)
            if athlete is not None:
                aid = self._athlete_id(conn, athlete)
                self._insert_pair(conn, team_athletes, team_id=tid, athlete_id=aid)

    def unassign(self, team: str, *, coach: str | None = None, athlete: str | None = None) -> None:
        """Take a coach or an athlete out of a team (not being in it is no error)."""
        if coach is None and athlete is None:
            raise ValidationError("nothing to unassign: give a coach or an athlete")
        with self.store._tx() as conn:
            tid = self._team_id(conn, team)
            if coach is not None:
                uid = self._coach_id(conn, coach)
                conn.execute(
                    delete(team_coaches).where(
                        and_(team_coaches.c.team_id == tid, team_coaches.c.user_id == uid)
                    )
                )
            if athlete is not None:
                aid = self._athlete_id(conn, athlete)
                conn.execute(
                    delete(team_athletes).where(
                        and_(team_athletes.c.team_id == tid, team_athletes.c.athlete_id == aid)
                    )
                )

    @staticmethod
    def _insert_pair(conn: Any, table: Any, **values: int) -> None:
        cond = and_(*(table.c[k] == v for k, v in values.items()))
        if conn.execute(select(table).where(cond)).first() is None:
            conn.execute(insert(table).values(**values))

    def teams(self) -> list[Team]:
        """Every team with its coaches and athletes, by name."""
        with self.store._read() as conn:
            names = dict(conn.execute(select(teams.c.id, teams.c.name)).all())
            coaches = conn.execute(
                select(team_coaches.c.team_id, users.c.name).join(
                    users, users.c.id == team_coaches.c.user_id
                )
            ).all()
            members = conn.execute(
                select(team_athletes.c.team_id, athletes.c.name).join(
                    athletes, athletes.c.id == team_athletes.c.athlete_id
                )
            ).all()
        return [
            Team(
                name,
                tuple(sorted(c for t, c in coaches if t == tid)),
                tuple(sorted(a for t, a in members if t == tid)),
            )
            for tid, name in sorted(names.items(), key=lambda kv: kv[1])
        ]

    def teams_of(self, user: User) -> list[str]:
        """The names of the teams ``user`` coaches, sorted."""
        q = (
            select(teams.c.name)
            .join(team_coaches, team_coaches.c.team_id == teams.c.id)
            .where(team_coaches.c.user_id == user.id)
            .order_by(teams.c.name)
        )
        with self.store._read() as conn:
            return list(conn.execute(q).scalars())

    def visible_athletes(self, user: User) -> frozenset[str] | None:
        """The athletes ``user`` may see and write: None (all) for an admin, the athletes
        of their teams for a coach, their own athlete for an athlete account.

        Read from the tables by the user's id, not from ``user`` (which may be an
        old copy, e.g. kept in a session): an account removed since sees nothing,
        an athlete renamed since is seen under the new name.
        """
        q = select(*_USER_COLUMNS).select_from(_USERS).where(users.c.id == user.id)
        coached = (
            select(athletes.c.name)
            .join(team_athletes, team_athletes.c.athlete_id == athletes.c.id)
            .join(team_coaches, team_coaches.c.team_id == team_athletes.c.team_id)
            .where(team_coaches.c.user_id == user.id)
        )
        with self.store._read() as conn:
            row = conn.execute(q).first()
            if row is None or row.name != user.name:
                return frozenset()
            if row.role == "admin":
                return None
            if row.role == "athlete":
                return frozenset([row.athlete_name] if row.athlete_name else [])
            if row.role != "coach":
                return frozenset()
            return frozenset(conn.execute(coached).scalars())

    # ----------------------------------------------------------------- tokens
    def new_token(self, name: str) -> str:
        """A new personal API token for ``name``: shown once, only its SHA-256 kept."""
        uid = self._existing(name).id
        token = secrets.token_urlsafe(32)
        with self.store._tx() as conn:
            conn.execute(
                insert(api_tokens).values(
                    user_id=uid, token_sha256=token_digest(token), created_utc=_utcnow()
                )
            )
        return token

    def revoke_tokens(self, name: str) -> int:
        """Delete every token of ``name``; returns how many there were."""
        uid = self._existing(name).id
        with self.store._tx() as conn:
            return int(conn.execute(delete(api_tokens).where(api_tokens.c.user_id == uid)).rowcount)

    def user_for_token(self, token: str) -> User | None:
        """The user a token belongs to, None for an unknown one; notes when it was used."""
        if not token or len(token) > 256:
            return None
        digest = token_digest(token)
        q = (
            select(*_USER_COLUMNS, api_tokens.c.id.label("token_id"), api_tokens.c.last_used_utc)
            .select_from(_USERS.join(api_tokens, api_tokens.c.user_id == users.c.id))
            .where(api_tokens.c.token_sha256 == digest)
        )
        with self.store._read() as conn:
            row = conn.execute(q).first()
        if row is None:
            return None
        now = _utcnow()
        if row.last_used_utc is None or now - row.last_used_utc >= TOKEN_TOUCH:
            with self.store._tx() as conn:
                conn.execute(
                    update(api_tokens)
                    .where(api_tokens.c.id == row.token_id)
                    .values(last_used_utc=now)
                )
        return _user(row)
