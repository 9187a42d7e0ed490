"""Sign-in with accounts: the login page, logout and the session (Flask-Login).

A user signs in once on ``/login``; the password is verified there, once
(argon2, :meth:`loadwatch.accounts.Accounts.verify`), and the session cookie,
signed with the configured secret key, carries who they are from then on. The
cookie holds the account's id and name only: each request looks the account up
again (one query), so a removed account is signed out on its next request, and
the athletes it may see are read from the team tables when a callback needs
them, so a team change counts at once.

Every route but the login page and the stylesheet it uses needs a signed-in
user: a page request without one is sent to ``/login``; anything else (Dash's
callbacks, uploads, the API) gets 401. The API also takes a personal token as
``Authorization: Bearer TOKEN`` (``loadwatch users token NAME``), which opens no
session. Logout is a POST (from the page's own form, so the Origin check holds).
After ten failed sign-ins for one name in 15 minutes that name is refused for a
while (:class:`LoginThrottle`).
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import quote, urlsplit

from dash import html
from flask import (
    Flask,
    Response,
    g,
    has_request_context,
    redirect,
    render_template_string,
    request,
    session,
)
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user

from dashboards.auth import is_loopback, set_request_scope
from loadwatch.accounts import Accounts, User
from loadwatch.service.access import Scope, scope_for

LOGIN_ROUTE = "/login"
LOGOUT_ROUTE = "/logout"
#: The one asset the login page needs, served without a session.
LOGIN_STYLE = "/assets/style.css"
#: A session ends after this long without a request.
SESSION_IDLE = timedelta(hours=12)
SESSION_COOKIE = "loadwatch_session"
#: Paths of scripts, assets and the API, not pages: 401 instead of a redirect to sign in.
_SCRIPTED = (
    "/_dash-",
    "/_loadwatch/",
    "/api/",
    "/_reload-hash",
    "/assets/",
    "/_favicon",
    "/static/",
)

_LOGIN_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>loadwatch: sign in</title>
<link rel="stylesheet" href="{{ style }}">
</head>
<body>
<div class="lw-header"><h1>loadwatch</h1>
<span class="lw-tagline">training load next to back pain</span></div>
<div class="lw-main"><div class="lw-panel lw-login">
<h2>Sign in</h2>
<form method="post" action="{{ action }}">
<input type="hidden" name="next" value="{{ next }}">
<div class="lw-field"><label for="username">User name</label>
<input class="lw-input" id="username" name="username" type="text" autocomplete="username"
 value="{{ username }}" required autofocus></div>
<div class="lw-field"><label for="password">Password</label>
<input class="lw-input" id="password" name="password" type="password"
 autocomplete="current-password" required></div>
<button class="lw-button" type="submit">Sign in</button>
{% if error %}<div class="lw-message error" role="alert">{{ error }}</div>{% endif %}
</form>
</div></div>
</body>
</html>
"""


class SessionUser(UserMixin):
    """A signed-in account as Flask-Login sees it. Its session id is
    ``"<mark>:<name>"``, ``mark`` a keyed digest of the account's id and password hash
    (:meth:`Accounts.user_with_stamp`): a new password, or an account removed and made
    anew under the same name, no longer matches, and its old sessions open nothing."""

    def __init__(self, user: User, mark: str) -> None:
        self.user = user
        self.mark = mark

    def get_id(self) -> str:
        return f"{self.mark}:{self.user.name}"


def session_mark(secret_key: str, user: User, stamp: str) -> str:
    """The digest a session carries for ``user`` (``stamp``: of their password hash)."""
    message = f"{user.id}:{stamp}".encode()
    return hmac.new(secret_key.encode("utf-8"), message, hashlib.sha256).hexdigest()[:32]


class _SessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie, marked Secure whenever the request came over HTTPS
    (behind a TLS proxy that says so), not only when configured."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(super().get_cookie_secure(app) or request.is_secure)


class LoginThrottle:
    """At most ``limit`` failed sign-ins per user name in ``window_s`` seconds (in this
    process): past that, the name is refused at once, without hashing anything, until
    the oldest failure is older than the window. Kept the same for names that do not
    exist, so the answer says nothing about which do. Each attempt costs an argon2
    hash (a quarter of a second of CPU): this keeps a guessing loop from both
    guessing and filling the server's CPU."""

    def __init__(self, limit: int = 10, window_s: float = 900.0, names: int = 10_000) -> None:
        self.limit = limit
        self.window_s = window_s
        self.names = names
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> list[float]:
        return [t for t in self._failures.get(key, []) if now - t < self.window_s]

    def wait_s(self, name: str) -> float:
        """Seconds until ``name`` may try again (0: now)."""
        now = time.monotonic()
        with self._lock:
            recent = self._recent(name.casefold(), now)
        if len(recent) < self.limit:
            return 0.0
        return recent[-self.limit] + self.window_s - now

    def failed(self, name: str) -> None:
        key, now = name.casefold(), time.monotonic()
        with self._lock:
            if key not in self._failures and len(self._failures) >= self.names:
                self._failures.pop(next(iter(self._failures)))  # the oldest name first
            self._failures[key] = [*self._recent(key, now), now][-self.limit :]


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this server, else the dashboard."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    if "\\" in target:
        return "/"
    return target


def install_login(
    server: Flask,
    accounts: Callable[[], Accounts],
    secret_key: str,
    *,
    prefix: str = "/",
    throttle: LoginThrottle | None = None,
) -> LoginManager:
    """Require a signed-in account on every route of ``server`` but the login page.

    ``accounts``: the account tables (called per request; opened lazily).
    ``prefix``: the app's path prefix (Dash's ``requests_pathname_prefix``).
    ``throttle``: failed sign-ins allowed per name (:class:`LoginThrottle`).
    """
    base = prefix.rstrip("/")
    throttle = throttle or LoginThrottle()
    login_path, logout_path, style_path = (
        base + LOGIN_ROUTE,
        base + LOGOUT_ROUTE,
        base + LOGIN_STYLE,
    )
    server.config.update(
        SECRET_KEY=secret_key,
        SESSION_COOKIE_NAME=SESSION_COOKIE,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=SESSION_IDLE,
    )
    server.session_interface = _SessionInterface()
    manager = LoginManager()
    manager.session_protection = "basic"
    manager.init_app(server)

    def _session_user(name: str) -> SessionUser | None:
        found = accounts().user_with_stamp(name) if name else None
        if found is None:
            return None
        user, stamp = found
        return SessionUser(user, session_mark(secret_key, user, stamp))

    @manager.user_loader
    def _load(session_id: str) -> SessionUser | None:
        mark, _, name = session_id.partition(":")
        user = _session_user(name)
        if user is None or not hmac.compare_digest(user.mark, mark):
            session.clear()  # this session is over for good
            return None
        return user

    def _scope_of(user: User) -> Callable[[], Scope]:
        return lambda: scope_for(accounts(), user)

    users_seen = False

    def _any_users() -> bool:
        # once an account exists it is remembered; until then asked on each request
        nonlocal users_seen
        users_seen = users_seen or accounts().any_users()
        return users_seen

    def _require_login() -> Any:
        path = request.path
        if path in (login_path, style_path):
            return None
        if not _any_users():  # no account yet: the single-user app, for this machine only
            if is_loopback(request.remote_addr or ""):
                return None
            return Response(
                "Refused: no account exists yet (loadwatch users add NAME --role admin).\n",
                status=403,
                mimetype="text/plain",
            )
        if path.startswith(base + "/api/"):
            token = _bearer(request.headers.get("Authorization"))
            if token is not None:
                user = accounts().user_for_token(token)
                if user is None:
                    return _unauthorised()
                g.loadwatch_user = user
                set_request_scope(_scope_of(user))
                return None
        if current_user.is_authenticated:
            user = current_user.user
            g.loadwatch_user = user
            set_request_scope(_scope_of(user))
            return None
        if request.method == "GET" and not path.startswith(tuple(base + p for p in _SCRIPTED)):
            # the path only: the query string may hold anything, and it ends up in a URL
            if path == base + "/":
                return redirect(login_path)
            return redirect(f"{login_path}?next={quote(path)}")
        return _unauthorised()

    server.before_request(_require_login)

    def login() -> Any:
        target = safe_next(request.values.get("next"))
        if request.method == "GET":
            if current_user.is_authenticated:
                return redirect(target)
            return _page(login_path, style_path, target)
        name = request.form.get("username", "").strip()
        password = request.form.get("password", "")
        wait = throttle.wait_s(name)
        if wait > 0:
            minutes = max(1, round(wait / 60))
            return _page(
                login_path,
                style_path,
                target,
                username=name,
                error=f"Too many failed sign-ins for this name: try again in {minutes} min.",
                status=429,
            )
        user = accounts().verify(name, password) if name and password else None
        if user is None:
            throttle.failed(name)
            return _page(
                login_path,
                style_path,
                target,
                username=name,
                error="Wrong user name or password.",
                status=401,
            )
        signed_in = _session_user(user.name)
        if signed_in is None:  # removed in between
            return _page(login_path, style_path, target, username=name, status=401)
        session.clear()  # a fresh session: nothing of before the login carries over
        session.permanent = True
        login_user(signed_in)
        return redirect(target)

    def logout() -> Any:
        logout_user()
        session.clear()
        return redirect(login_path)

    server.add_url_rule(login_path, "loadwatch_login", login, methods=["GET", "POST"])
    server.add_url_rule(logout_path, "loadwatch_logout", logout, methods=["POST"])
    return manager


def _bearer(header: str | None) -> str | None:
    if not header or not header.lower().startswith("bearer "):
        return None
    return header[7:].strip() or None


def _unauthorised() -> Response:
    return Response(
        '{"error": "sign in first (or send Authorization: Bearer TOKEN)"}\n',
        status=401,
        mimetype="application/json",
    )


def _page(
    action: str,
    style: str,
    target: str,
    *,
    username: str = "",
    error: str | None = None,
    status: int = 200,
) -> Response:
    body = render_template_string(
        _LOGIN_PAGE, action=action, style=style, next=target, username=username, error=error
    )
    return Response(body, status=status, mimetype="text/html")


def account_bar(logout_url: str) -> html.Div | None:
    """Who is signed in and a logout button, for the page header (None when nobody is:
    the single-user app)."""
    user = g.get("loadwatch_user") if has_request_context() else None
    if not isinstance(user, User):
        return None
    who = f"{user.name} ({user.role}" + (f": {user.athlete})" if user.athlete else ")")
    children: list[Any] = [html.Span(who, className="lw-user")]
    if user.id:  # an account; a basic-auth user cannot log out (the browser keeps it)
        children.append(
            html.Form(
                html.Button("Log out", type="submit", className="lw-button secondary"),
                method="post",
                action=logout_url,
                className="lw-logout",
            )
        )
    return html.Div(children, className="lw-account")
