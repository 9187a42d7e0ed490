"""HTTP basic authentication for the dashboard server, and the bind-address rule.

The dashboard shows health data (pain scores), so it binds to the loopback
address by default. Binding anywhere else needs credentials, given either as
``LOADWATCH_AUTH=user:password`` or as a users file with one ``user:password``
per line (blank lines and ``#`` comments ignored; the password may be a hash
made by ``werkzeug.security.generate_password_hash``).

Credentials are checked on every request, static files included.
"""

from __future__ import annotations

import base64
import hmac
import ipaddress
import os
from collections.abc import Mapping
from pathlib import Path

from flask import Flask, Response, request

from loadwatch.errors import ValidationError

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


def check_bind(host: str, credentials: Mapping[str, str] | None) -> None:
    """Refuse to serve health data beyond this machine without credentials."""
    if credentials or is_loopback(host):
        return
    raise ValidationError(
        f"refusing to listen on {host} without a password: anyone on the network could read "
        f"the pain log. Set {AUTH_ENV}=user:password or pass --users-file FILE "
        "(or use --host 127.0.0.1 to stay on this machine)"
    )


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


def install_basic_auth(server: Flask, credentials: Mapping[str, str]) -> None:
    """Require HTTP basic auth with one of ``credentials`` on every request to ``server``."""
    users = dict(credentials)

    def _require_auth() -> Response | None:
        given = _given_credentials(request.headers.get("Authorization"))
        if given is not None:
            stored = users.get(given[0])
            # Compare against something even for an unknown user, so timing says nothing.
            if password_matches(stored if stored is not None else "\x00", given[1]) and stored:
                return None
        return Response(
            "Authentication required.\n",
            status=401,
            headers={"WWW-Authenticate": 'Basic realm="loadwatch", charset="UTF-8"'},
            mimetype="text/plain",
        )

    server.before_request(_require_auth)
