"""Who may use the dashboard server: the auth mode, HTTP basic auth, the bind rule.

The dashboard shows health data (pain scores), so it binds to the loopback
address by default. Three ways to authenticate (``auth`` in
:class:`loadwatch.settings.Settings`), decided once when the server is built
(:func:`resolve_auth`):

- ``accounts``: users in the database (``loadwatch users add``) sign in on the
  login page (:mod:`dashboards.login`); with no user defined yet it is the
  single-user app, answering this machine only.
- ``basic``: HTTP basic auth with ``LOADWATCH_AUTH=user:password`` or a users
  file with one ``user:password`` per line (blank lines and ``#`` comments
  ignored; the password may be a hash made by
  ``werkzeug.security.generate_password_hash``). Every request needs the
  header; a password is verified once, then a keyed digest of the header is
  remembered for :data:`BASIC_REMEMBER_S` (a hash is slow on purpose: it is not
  recomputed for every request and asset). Such a user sees every athlete.
- ``none``: no authentication, only for requests from this machine.

Every request then has a :class:`~loadwatch.service.access.Scope`
(:func:`request_scope`), which the callbacks and the API hand to the service.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import os
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, Response, g, request

from dashboards.upload import UploadArea
from loadwatch.accounts import User
from loadwatch.errors import ValidationError
from loadwatch.service.access import LOCAL, Scope

#: Environment variable holding ``user:password``.
AUTH_ENV = "LOADWATCH_AUTH"
_HASH_PREFIXES = ("pbkdf2:", "scrypt:")


def is_loopback(host: str) -> bool:
    """True when ``host`` is only reachable from this machine (127.0.0.0/8, ::1, localhost)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name other than localhost may resolve to anything


def parse_credential(text: str, *, source: str) -> tuple[str, str]:
    """Split one ``user:password`` pair; a clear error names ``source`` when malformed."""
    user, sep, password = text.strip().partition(":")
    if not sep or not user.strip() or not password:
        raise ValidationError(f"{source}: expected user:password")
    return user.strip(), password


def read_users_file(path: Path) -> dict[str, str]:
    """Users and passwords (or password hashes) from a ``user:password`` per line file."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise ValidationError(f"cannot read the users file {path}: {e.strerror}") from e
    users: dict[str, str] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        user, password = parse_credential(line, source=f"{path.name} line {number}")
        users[user] = password
    if not users:
        raise ValidationError(f"the users file {path} holds no user:password line")
    return users


def load_credentials(users_file: Path | None = None) -> dict[str, str] | None:
    """Credentials from ``--users-file`` and/or ``LOADWATCH_AUTH``; None when neither is set."""
    users: dict[str, str] = {}
    if users_file is not None:
        users.update(read_users_file(users_file))
    env = os.environ.get(AUTH_ENV)
    if env:
        user, password = parse_credential(env, source=AUTH_ENV)
        users[user] = password
    return users or None


def password_matches(stored: str, given: str) -> bool:
    """Compare in constant time; ``stored`` may be a werkzeug password hash."""
    if stored.startswith(_HASH_PREFIXES):
        from werkzeug.security import check_password_hash

        return check_password_hash(stored, given)
    return hmac.compare_digest(stored.encode(), given.encode())


def _given_credentials(header: str | None) -> tuple[str, str] | None:
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None


# ------------------------------------------------------------- the auth mode
#: A verified basic-auth header is trusted again for this long, seconds.
BASIC_REMEMBER_S = 12 * 3600.0
#: Verified basic-auth headers remembered at once (the oldest is forgotten first).
BASIC_REMEMBER_MAX = 1024
#: Shortest secret key accepted for signing sessions, characters.
MIN_SECRET_CHARS = 32
#: The actor of requests without a user: the single-user app (auth "none").
LOCAL_ACTOR = "local"
#: The file in an upload's folder naming who sent it (see :func:`install_upload_owner`).
OWNER_FILE = ".owner"
_NO_WAY_IN = (
    "add an account first (loadwatch users add NAME --role admin), or set "
    f"{AUTH_ENV}=user:password or pass --users-file FILE"
)


@dataclass(frozen=True)
class AuthPlan:
    """How a server authenticates: ``mode`` (accounts, basic or none), the basic-auth
    ``credentials`` and the key that signs login sessions."""

    mode: str
    credentials: Mapping[str, str] | None = None
    secret_key: str | None = None


def resolve_auth(
    requested: str,
    *,
    credentials: Mapping[str, str] | None,
    any_users: Callable[[], bool],
    secret_key: str | None,
    host: str | None,
    ephemeral_secret: bool = False,
) -> AuthPlan:
    """The auth plan of a server, or a :class:`ValidationError` saying how to fix it.

    ``requested``: the settings' ``auth``. ``credentials``: basic-auth users given
    (``LOADWATCH_AUTH``, ``--users-file``): they mean basic auth unless ``none``
    was asked for. ``host``: the address ``loadwatch serve`` binds to; None for a
    WSGI server, whose address loadwatch does not know, so it needs a way to sign
    in, or ``auth = "none"`` said explicitly (and then answers loopback clients
    only). ``any_users``: asked only when the server is not loopback-only.
    ``ephemeral_secret``: one process serves everything, so a random key made now
    may sign its sessions when none is configured (they end with the process).

    With accounts and none defined yet, a loopback server is the single-user app
    (for this machine only) until the first account is added.
    """
    local = host is not None and is_loopback(host)
    if requested == "none":
        if host is not None and not local:
            raise ValidationError(
                f"refusing to listen on {host} without authentication (auth is 'none'): "
                f"use --host 127.0.0.1, or {_NO_WAY_IN}"
            )
        return AuthPlan("none")
    if requested == "basic" or credentials:
        if not credentials:
            raise ValidationError(
                f"auth is 'basic' but no credentials are given: set {AUTH_ENV}=user:password "
                "or pass --users-file FILE"
            )
        return AuthPlan("basic", credentials=dict(credentials))
    if not local and not any_users():
        if host is not None:
            raise ValidationError(
                f"refusing to listen on {host} without a password: anyone on the network "
                f"could read the pain log. To sign in, {_NO_WAY_IN} "
                "(or use --host 127.0.0.1 to stay on this machine)"
            )
        raise ValidationError(
            "refusing to serve without a way to sign in: add an account first (loadwatch "
            f"users add NAME --role admin) or set {AUTH_ENV}=user:password; or set "
            "LOADWATCH_AUTH_MODE=none to answer requests from this machine only"
        )
    if not secret_key:
        if not ephemeral_secret:
            raise ValidationError(
                "accounts need a secret key to sign login sessions: set LOADWATCH_SECRET_KEY "
                "(or secret_key in the [server] table of the config file) to a random string, "
                'e.g. python -c "import secrets; print(secrets.token_hex(32))"'
            )
        secret_key = secrets.token_hex(32)
    elif len(secret_key) < MIN_SECRET_CHARS:
        raise ValidationError(
            f"the secret key is too short ({len(secret_key)} characters; at least "
            f'{MIN_SECRET_CHARS}): python -c "import secrets; print(secrets.token_hex(32))"'
        )
    return AuthPlan("accounts", secret_key=secret_key)


# ----------------------------------------------------------- request scope
def request_scope() -> Scope:
    """The scope of the current request (set by the installed auth; LOCAL without)."""
    found = g.get("loadwatch_scope")
    if callable(found):  # computed on first use: most requests (assets) never ask
        found = found()
        g.loadwatch_scope = found
    return found if isinstance(found, Scope) else LOCAL


def set_request_scope(scope: Scope | Callable[[], Scope]) -> None:
    """The current request's scope, or a function computing it when first asked for."""
    g.loadwatch_scope = scope


def current_actor() -> str:
    """Who the current request acts as: ``accounts:NAME``, ``basic:NAME`` or ``local``."""
    user = g.get("loadwatch_user")
    if isinstance(user, User):
        return f"{'accounts' if user.id else 'basic'}:{user.name}"
    return LOCAL_ACTOR


def basic_user(name: str) -> User:
    """The user a basic-auth login acts as: sees and writes every athlete, and writes
    are recorded under ``name``."""
    return User(0, name, "admin", None)


def actor_scope(actor: str | None, lookup: Callable[[str], Scope | None]) -> Scope | None:
    """The scope of an actor (:func:`current_actor`); ``lookup`` builds an account's
    scope (None: the account is gone). None for an unknown or missing actor."""
    if actor == LOCAL_ACTOR:
        return LOCAL
    kind, _, name = (actor or "").partition(":")
    if kind == "basic" and name:
        return Scope(basic_user(name), None)
    if kind == "accounts" and name:
        return lookup(name)
    return None


# ------------------------------------------------------- who owns an upload
def upload_owner(area: UploadArea, token: str) -> str | None:
    """The actor who sent the upload's chunks (None: none recorded)."""
    try:
        return (area.folder(token) / OWNER_FILE).read_text(encoding="utf-8").strip() or None
    except (OSError, ValidationError):
        return None


def install_upload_owner(server: Flask, area: UploadArea, endpoint: str) -> None:
    """Tie each upload to the user who sent its first chunk: the server writes who
    that was into the upload's folder, refuses (403) chunks of it from anyone else,
    and the import job acts as that user (:func:`owner_scope`). A file there that
    the client could name is impossible: upload names lose their leading dots.
    Register after the authentication."""

    def _token() -> str | None:
        if request.endpoint != endpoint or not request.view_args:
            return None
        return str(request.view_args.get("token", ""))

    def _only_the_owner() -> Response | None:
        token = _token()
        if token is None:
            return None
        owner = upload_owner(area, token)
        if owner is None or hmac.compare_digest(owner, current_actor()):
            return None
        return Response(
            "Refused: this upload was started by another user.\n",
            status=403,
            mimetype="text/plain",
        )

    def _record_owner(response: Response) -> Response:
        token = _token()
        if token is not None and response.status_code == 200:
            try:
                folder = area.folder(token)
            except ValidationError:
                return response
            owner = folder / OWNER_FILE
            if folder.is_dir() and not owner.exists():
                owner.write_text(current_actor(), encoding="utf-8")
        return response

    server.before_request(_only_the_owner)
    server.after_request(_record_owner)


def owner_scope(store: Any, area: UploadArea, token: str) -> Scope | None:
    """In the import job: the scope of the user who uploaded ``token``, as the account
    tables say now; None when nobody is recorded or the account is gone."""
    from loadwatch.accounts import Accounts
    from loadwatch.service.access import scope_for

    def lookup(name: str) -> Scope | None:
        accounts = Accounts(store)
        user = accounts.user(name)
        return None if user is None else scope_for(accounts, user)

    return actor_scope(upload_owner(area, token), lookup)


# ------------------------------------------------------------ basic auth
class BasicVerifier:
    """Checks basic-auth headers against ``credentials``; each verified header is
    remembered (as an HMAC under a random per-process key, never the password) for
    ``remember_s`` seconds, so a slow password hash runs once, not per request.

    An unknown user name costs what a wrong password of a hashed user costs (it is
    checked against a hash of a random password made with the same method).
    """

    def __init__(
        self,
        credentials: Mapping[str, str],
        *,
        remember_s: float = BASIC_REMEMBER_S,
        remember_max: int = BASIC_REMEMBER_MAX,
    ) -> None:
        self.users = dict(credentials)
        self.remember_s = remember_s
        self.remember_max = remember_max
        self._key = secrets.token_bytes(32)
        self._verified: dict[bytes, tuple[str, float]] = {}
        self._lock = threading.Lock()
        self._dummy = _dummy_like(self.users.values())
        #: password verifications done (the tests count them)
        self.verifications = 0

    def user(self, header: str | None) -> str | None:
        """The user name the header proves, or None."""
        given = _given_credentials(header)
        if given is None or header is None:
            return None
        digest = hmac.new(self._key, header.encode("utf-8"), hashlib.sha256).digest()
        now = time.monotonic()
        with self._lock:
            known = self._verified.get(digest)
        if known is not None and now - known[1] < self.remember_s:
            return known[0]
        name, password = given
        stored = self.users.get(name)
        self.verifications += 1
        ok = password_matches(stored if stored is not None else self._dummy, password)
        if not (ok and stored is not None):
            return None
        with self._lock:
            if len(self._verified) >= self.remember_max:
                oldest = min(self._verified, key=lambda k: self._verified[k][1])
                del self._verified[oldest]
            self._verified[digest] = (name, now)
        return name


def _dummy_like(stored: Any) -> str:
    """What an unknown name is checked against: a hash of a random password made like
    the first hashed password of the users (the same work), else a random string."""
    for value in stored:
        if value.startswith(_HASH_PREFIXES):
            from werkzeug.security import generate_password_hash

            method = value.split("$", 1)[0]
            return generate_password_hash(secrets.token_hex(16), method=method)
    return "\x00" + secrets.token_hex(16)


def install_basic_auth(server: Flask, credentials: Mapping[str, str]) -> BasicVerifier:
    """Require HTTP basic auth with one of ``credentials`` on every request to ``server``."""
    verifier = BasicVerifier(credentials)

    def _require_auth() -> Response | None:
        name = verifier.user(request.headers.get("Authorization"))
        if name is not None:
            user = basic_user(name)
            g.loadwatch_user = user
            set_request_scope(Scope(user, None))
            return None
        return Response(
            "Authentication required.\n",
            status=401,
            headers={"WWW-Authenticate": 'Basic realm="loadwatch", charset="UTF-8"'},
            mimetype="text/plain",
        )

    server.before_request(_require_auth)
    return verifier


def install_loopback_only(server: Flask) -> None:
    """Without authentication: answer requests from this machine only (403 otherwise),
    whatever address the server was bound to."""

    def _loopback_only() -> Response | None:
        if is_loopback(request.remote_addr or ""):
            return None
        return Response(
            "Refused: this loadwatch answers this machine only (no accounts).\n",
            status=403,
            mimetype="text/plain",
        )

    server.before_request(_loopback_only)
