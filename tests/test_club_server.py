"""The club server's front door: the WSGI module refusing to start without a way to
authenticate, the login page and its session cookie, basic auth verified once, the
loopback-only mode, security headers on every kind of answer, and gunicorn for real."""

from __future__ import annotations

import base64
import http.client
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_support import REPO, free_port
from werkzeug.security import generate_password_hash

from dashboards.app import build_server, create_app
from dashboards.auth import AUTH_ENV, BasicVerifier, resolve_auth
from dashboards.login import LoginThrottle, safe_next
from loadwatch.accounts import Accounts
from loadwatch.errors import StoreError, ValidationError
from loadwatch.settings import Settings
from loadwatch.store import Store

PASSWORD = "correct horse battery"
SECRET = "k" * 64
ORIGIN = {"Origin": "http://localhost"}
#: Settings the environment must not leak into these tests.
_ENV = (
    AUTH_ENV,
    "LOADWATCH_AUTH_MODE",
    "LOADWATCH_SECRET_KEY",
    "LOADWATCH_DB",
    "LOADWATCH_BROKER_URL",
    "LOADWATCH_UPLOAD_DIR",
    "LOADWATCH_TRUSTED_ORIGINS",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in _ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LOADWATCH_CONFIG", str(tmp_path / "no-config.toml"))


def _settings(url: str, **changes: Any) -> Settings:
    values: dict[str, Any] = {
        "db_url": url,
        "broker_url": None,
        "secret_key": SECRET,
        "upload_dir": None,
        "auth": "accounts",
        "units": "km",
    }
    return Settings(**{**values, **changes})


def _with_admin(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'club.db'}"
    store = Store(url)
    Accounts(store).add_user("root", "admin", PASSWORD)
    store.add_athlete("Ana")
    store.close()
    return url


def _wsgi(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Import ``dashboards.wsgi`` in a fresh interpreter with ``env`` (what gunicorn does)."""
    full = {k: v for k, v in os.environ.items() if k not in _ENV}
    full.update(PYTHONPATH=str(REPO), LOADWATCH_CONFIG=str(tmp_path / "no-config.toml"), **env)
    code = "import dashboards.wsgi as w; print(type(w.server).__name__)"
    return subprocess.run(
        [sys.executable, "-c", code], env=full, capture_output=True, text=True, timeout=120
    )


# ------------------------------------------------------------------- wsgi
def test_wsgi_refuses_to_start_without_a_way_to_sign_in(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    done = _wsgi({"LOADWATCH_DB": str(db)}, tmp_path)
    assert done.returncode == 3, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1  # one line saying what to do, no traceback
    assert lines[0].startswith("loadwatch: refusing to serve without a way to sign in")
    assert "loadwatch users add NAME --role admin" in lines[0]
    assert done.stdout == ""
    assert not db.exists()  # nothing created on the way


def test_wsgi_refuses_accounts_without_a_secret_key(tmp_path: Path) -> None:
    url = _with_admin(tmp_path)
    done = _wsgi({"LOADWATCH_DB": url}, tmp_path)
    assert done.returncode == 3
    assert "LOADWATCH_SECRET_KEY" in done.stderr
    short = _wsgi({"LOADWATCH_DB": url, "LOADWATCH_SECRET_KEY": "too-short"}, tmp_path)
    assert short.returncode == 3 and "too short" in short.stderr


def test_wsgi_starts_with_accounts_and_a_secret_key(tmp_path: Path) -> None:
    url = _with_admin(tmp_path)
    done = _wsgi({"LOADWATCH_DB": url, "LOADWATCH_SECRET_KEY": SECRET}, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "Flask"


def test_wsgi_takes_basic_credentials_from_the_environment(tmp_path: Path) -> None:
    done = _wsgi(
        {"LOADWATCH_DB": str(tmp_path / "b.db"), AUTH_ENV: "coach:s3cret-enough"}, tmp_path
    )
    assert done.returncode == 0, done.stderr


def test_wsgi_with_auth_none_answers_this_machine_only(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'n.db'}"
    server = build_server(_settings(url, auth="none"), work_dir=tmp_path / "work")
    client = server.test_client()
    assert client.get("/").status_code == 200
    remote = client.get("/", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert remote.status_code == 403
    assert remote.headers["X-Frame-Options"] == "DENY"
    assert client.get("/api/v1/athletes", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200


def test_build_server_refuses_an_old_schema(postgres_empty_db: str, tmp_path: Path) -> None:
    # an empty PostgreSQL database is not upgraded on open: the server does not start
    with pytest.raises(StoreError, match="loadwatch db upgrade"):
        build_server(_settings(postgres_empty_db, auth="none"), work_dir=tmp_path / "work")


def test_resolve_auth_rules() -> None:
    def never() -> bool:
        raise AssertionError("a loopback server does not ask for accounts")

    loopback = resolve_auth("accounts", credentials=None, any_users=never, secret_key=None,
                            host="127.0.0.1", ephemeral_secret=True)  # fmt: skip
    assert loopback.mode == "accounts" and loopback.secret_key and len(loopback.secret_key) >= 32
    with pytest.raises(ValidationError, match=r"refusing to listen on 0\.0\.0\.0"):
        resolve_auth("accounts", credentials=None, any_users=lambda: False, secret_key=None,
                     host="0.0.0.0", ephemeral_secret=True)  # fmt: skip
    with pytest.raises(ValidationError, match="without authentication"):
        resolve_auth("none", credentials=None, any_users=never, secret_key=None, host="0.0.0.0")
    basic = resolve_auth("accounts", credentials={"c": "p"}, any_users=never, secret_key=None,
                         host="0.0.0.0")  # fmt: skip
    assert basic.mode == "basic"
    with pytest.raises(ValidationError, match="no credentials"):
        resolve_auth("basic", credentials=None, any_users=never, secret_key=None, host=None)
    assert resolve_auth("none", credentials=None, any_users=never, secret_key=None,
                        host=None).mode == "none"  # fmt: skip


# ------------------------------------------------------------ login page
@pytest.fixture
def accounts_app(tmp_path: Path) -> Any:
    url = _with_admin(tmp_path)
    app = create_app(_settings(url), work_dir=tmp_path / "work")
    yield app
    app.server.config["LOADWATCH_DATA"].store.close()


def test_login_page_and_session_cookie(accounts_app: Any) -> None:
    client = accounts_app.server.test_client()
    page = client.get("/login")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'href="/assets/style.css"' in text and 'class="lw-header"' in text
    assert 'name="password"' in text and 'type="password"' in text
    wrong = client.post("/login", data={"username": "root", "password": "nope"}, headers=ORIGIN)
    unknown = client.post("/login", data={"username": "zed", "password": "nope"}, headers=ORIGIN)
    assert wrong.status_code == unknown.status_code == 401
    assert b"Wrong user name or password." in wrong.data
    assert wrong.data.replace(b"root", b"zed") == unknown.data
    assert "Set-Cookie" not in wrong.headers
    signed = client.post(
        "/login", data={"username": "root", "password": PASSWORD, "next": "/"}, headers=ORIGIN
    )
    assert signed.status_code == 302 and signed.headers["Location"] == "/"
    cookie = signed.headers["Set-Cookie"]
    assert cookie.startswith("loadwatch_session=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert "Expires=" in cookie  # ends after a while without requests
    assert client.get("/").status_code == 200


def test_session_cookie_is_secure_over_https(accounts_app: Any) -> None:
    client = accounts_app.server.test_client()
    signed = client.post(
        "/login",
        data={"username": "root", "password": PASSWORD},
        headers={"Origin": "https://localhost"},
        base_url="https://localhost",
    )
    assert signed.status_code == 302
    assert "Secure" in signed.headers["Set-Cookie"]


def test_login_from_another_site_is_refused(accounts_app: Any) -> None:
    client = accounts_app.server.test_client()
    answer = client.post(
        "/login",
        data={"username": "root", "password": PASSWORD},
        headers={"Origin": "https://evil.example"},
    )
    assert answer.status_code == 403
    assert "Set-Cookie" not in answer.headers


def test_logout_is_a_post_from_the_page(accounts_app: Any) -> None:
    client = accounts_app.server.test_client()
    client.post("/login", data={"username": "root", "password": PASSWORD}, headers=ORIGIN)
    client.get("/logout")  # a link elsewhere cannot sign anyone out (that is Dash's page)
    assert client.post("/logout", headers={"Origin": "https://evil.example"}).status_code == 403
    assert client.get("/").status_code == 200  # still signed in
    assert client.post("/logout", headers=ORIGIN).headers["Location"] == "/login"
    assert client.get("/").status_code == 302


def test_a_removed_account_is_signed_out(accounts_app: Any) -> None:
    client = accounts_app.server.test_client()
    client.post("/login", data={"username": "root", "password": PASSWORD}, headers=ORIGIN)
    assert client.get("/").status_code == 200
    store = accounts_app.server.config["LOADWATCH_DATA"].store
    accounts = Accounts(store)
    accounts.remove_user("root")
    assert client.get("/").status_code == 302
    # a new account of the same name is another account: the old session opens nothing
    accounts.add_user("root", "admin", PASSWORD)
    assert client.get("/").status_code == 302


def test_failed_sign_ins_are_throttled_per_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Three(LoginThrottle):
        def __init__(self) -> None:
            super().__init__(limit=3, window_s=900.0)

    monkeypatch.setattr("dashboards.login.LoginThrottle", Three)
    app = create_app(_settings(_with_admin(tmp_path)), work_dir=tmp_path / "work")
    client = app.server.test_client()

    def sign_in(name: str, password: str) -> int:
        form = {"username": name, "password": password}
        return int(client.post("/login", data=form, headers=ORIGIN).status_code)

    for name in ("root", "zed"):  # an account and a name nobody has: the same answers
        assert [sign_in(name, "wrong password") for _ in range(3)] == [401, 401, 401]
        assert sign_in(name, "wrong password") == 429
    assert sign_in("root", PASSWORD) == 429  # even the right password, for a while
    page = client.post("/login", data={"username": "root", "password": "x"}, headers=ORIGIN)
    assert b"Too many failed sign-ins for this name: try again in 15 min." in page.data
    assert sign_in("ROOT", "wrong password") == 429  # names are compared without case
    app.server.config["LOADWATCH_DATA"].store.close()


def test_login_throttle_forgets_old_failures(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr("dashboards.login.time.monotonic", lambda: now[0])
    throttle = LoginThrottle(limit=2, window_s=60.0, names=2)
    throttle.failed("a")
    now[0] += 10
    throttle.failed("a")
    assert throttle.wait_s("a") == pytest.approx(50.0)  # the first failure leaves at 60 s
    now[0] += 50
    assert throttle.wait_s("a") == 0.0
    throttle.failed("b")
    throttle.failed("c")  # a third name: the oldest ("a") is forgotten
    assert "a" not in throttle._failures and set(throttle._failures) == {"b", "c"}


@pytest.mark.parametrize(
    ("target", "safe"),
    [
        (None, "/"),
        ("/", "/"),
        ("/somewhere?x=1", "/somewhere?x=1"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("somewhere", "/"),
    ],
)
def test_after_login_only_local_paths(target: str | None, safe: str) -> None:
    assert safe_next(target) == safe


def test_a_page_sends_to_login_with_the_path_only(accounts_app: Any) -> None:
    client = accounts_app.server.test_client()
    answer = client.get("/somewhere?athlete=Ana")
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/login?next=/somewhere"


def test_no_account_yet_is_the_single_user_app_for_this_machine(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'solo.db'}"
    app = create_app(_settings(url, secret_key=None), work_dir=tmp_path / "work")
    client = app.server.test_client()
    assert client.get("/").status_code == 200
    assert client.get("/", environ_base={"REMOTE_ADDR": "192.0.2.7"}).status_code == 403
    # the first account turns the sign-in on, without a restart
    store = app.server.config["LOADWATCH_DATA"].store
    Accounts(store).add_user("root", "admin", PASSWORD)
    assert client.get("/").headers["Location"] == "/login"
    store.close()


# ------------------------------------------------------------- basic auth
def _basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def test_basic_auth_verifies_a_password_once(tmp_path: Path) -> None:
    users = {"coach": generate_password_hash("pw-of-coach")}
    app = create_app(f"sqlite:///{tmp_path / 'b.db'}", auth=users, work_dir=tmp_path / "w")
    client = app.server.test_client()
    verifier = next(
        f.__closure__[0].cell_contents  # type: ignore[index]
        for f in app.server.before_request_funcs[None]
        if f.__name__ == "_require_auth"
    )
    assert isinstance(verifier, BasicVerifier)
    for path in ("/", "/_dash-layout", "/_dash-dependencies", "/assets/style.css") * 5:
        assert client.get(path, headers=_basic("coach", "pw-of-coach")).status_code == 200
    assert verifier.verifications == 1
    # a wrong password is checked every time, and never remembered
    for _ in range(3):
        assert client.get("/", headers=_basic("coach", "nope")).status_code == 401
    assert verifier.verifications == 4


def test_basic_auth_unknown_names_cost_a_hash_too() -> None:
    stored = generate_password_hash("pw", method="scrypt:32768:8:1")
    verifier = BasicVerifier({"coach": stored})
    assert verifier._dummy.split("$", 1)[0] == "scrypt:32768:8:1"
    started = time.perf_counter()
    assert verifier.user(_basic("nobody", "x")["Authorization"]) is None
    unknown = time.perf_counter() - started
    started = time.perf_counter()
    assert verifier.user(_basic("coach", "x")["Authorization"]) is None
    wrong = time.perf_counter() - started
    assert unknown > wrong / 4  # the same kind of work, not a dictionary miss


def test_basic_auth_remembers_for_a_while_only() -> None:
    verifier = BasicVerifier({"coach": "pw"}, remember_s=0.0)
    header = _basic("coach", "pw")["Authorization"]
    assert verifier.user(header) == verifier.user(header) == "coach"
    assert verifier.verifications == 2


# ---------------------------------------------------------------- headers
def test_security_headers_on_every_kind_of_answer(accounts_app: Any) -> None:
    client = accounts_app.server.test_client()
    answers = [
        client.get("/"),  # redirect
        client.get("/login"),  # page
        client.get("/assets/style.css"),  # file
        client.get("/api/v1/athletes"),  # 401
        client.post("/login", headers={"Origin": "https://evil.example"}),  # 403
    ]
    client.post("/login", data={"username": "root", "password": PASSWORD}, headers=ORIGIN)
    answers += [client.get("/"), client.get("/api/v1/athletes"), client.get("/nothing/here")]
    index_hash = accounts_app.csp_hashes()[0]
    for answer in answers:
        csp = answer.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
        assert f"script-src 'self' {index_hash}" in csp  # Dash's inline script, by its hash
        assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
        assert answer.headers["X-Frame-Options"] == "DENY"
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["Referrer-Policy"] == "same-origin"
    # pages and data are not kept by caches; a file keeps its own caching
    assert answers[5].headers["Cache-Control"] == "no-store"
    assert answers[6].headers["Cache-Control"] == "no-store"
    assert answers[2].headers["Cache-Control"] != "no-store"


# --------------------------------------------------------- gunicorn, for real
def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return int(answer.status), answer.read()
    except urllib.error.HTTPError as e:
        return int(e.code), e.read()


def _gunicorn(env: dict[str, str], port: int, tmp_path: Path) -> subprocess.Popen[str]:
    full = {k: v for k, v in os.environ.items() if k not in _ENV}
    full.update(PYTHONPATH=str(REPO), LOADWATCH_CONFIG=str(tmp_path / "no-config.toml"), **env)
    command = [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind"]
    command += [f"127.0.0.1:{port}", "dashboards.wsgi:server"]
    return subprocess.Popen(
        command, cwd=tmp_path, env=full, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


@pytest.fixture
def stop_after() -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for proc in started:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.mark.slow
def test_gunicorn_does_not_serve_without_a_way_to_sign_in(
    tmp_path: Path, stop_after: list[subprocess.Popen[str]]
) -> None:
    port = free_port()
    proc = _gunicorn({"LOADWATCH_DB": str(tmp_path / "g.db")}, port, tmp_path)
    stop_after.append(proc)
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode != 0
    assert "loadwatch: refusing to serve without a way to sign in" in out


@pytest.mark.slow
def test_gunicorn_workers_serve_the_signed_in_api(
    tmp_path: Path, stop_after: list[subprocess.Popen[str]]
) -> None:
    url = _with_admin(tmp_path)
    store = Store(url)
    token = Accounts(store).new_token("root")
    store.close()
    port = free_port()
    env = {"LOADWATCH_DB": url, "LOADWATCH_SECRET_KEY": SECRET}
    stop_after.append(_gunicorn(env, port, tmp_path))
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            status, _ = _get(f"{base}/login")
            break
        except OSError:
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.3)
    assert status == 200
    assert _get(f"{base}/api/v1/athletes")[0] == 401
    # behind a TLS proxy on this machine the session cookie is Secure
    for proto, secure in (("https", True), ("http", False)):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        form = f"username=root&password={PASSWORD.replace(' ', '+')}"
        headers = {
            "Origin": f"{proto}://127.0.0.1:{port}",
            "X-Forwarded-Proto": proto,
            "Content-Type": "application/x-www-form-urlencoded",
        }
        connection.request("POST", "/login", body=form, headers=headers)
        answer = connection.getresponse()
        cookie = answer.getheader("Set-Cookie") or ""
        connection.close()
        assert answer.status == 302, proto
        assert cookie.startswith("loadwatch_session=") and ("Secure" in cookie) is secure
    # several requests: both workers answer, each with the same accounts
    for _ in range(6):
        status, body = _get(f"{base}/api/v1/athletes", {"Authorization": f"Bearer {token}"})
        assert status == 200
        assert [a["name"] for a in json.loads(body)] == ["Ana"]
