"""Server safety: loopback by default, credentials for other hosts, basic auth on every request."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from browser_support import cli_server, free_port, http_status
from click.testing import CliRunner
from werkzeug.security import generate_password_hash

from dashboards.app import create_app
from dashboards.auth import (
    AUTH_ENV,
    is_loopback,
    load_credentials,
    read_users_file,
    resolve_auth,
)
from loadwatch.cli import cli
from loadwatch.errors import ValidationError


@pytest.fixture(autouse=True)
def no_env_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(AUTH_ENV, raising=False)


def _basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


@pytest.mark.parametrize(
    ("host", "local"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.20", False),
        ("my-server.example", False),
    ],
)
def test_loopback_addresses(host: str, local: bool) -> None:
    assert is_loopback(host) is local


def test_non_local_bind_needs_credentials() -> None:
    def plan(host: str, credentials: dict[str, str] | None) -> str:
        return resolve_auth(
            "accounts",
            credentials=credentials,
            any_users=lambda: False,
            secret_key=None,
            host=host,
            ephemeral_secret=True,
        ).mode

    with pytest.raises(ValidationError, match=AUTH_ENV):
        plan("0.0.0.0", None)
    assert plan("0.0.0.0", {"coach": "pw"}) == "basic"  # allowed with credentials
    assert plan("127.0.0.1", None) == "accounts"  # local needs none (no account yet)


def test_serve_on_all_interfaces_without_credentials_refuses(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", "--db", str(tmp_path / "x.db")])
    assert result.exit_code == 2
    assert "refusing to listen on 0.0.0.0" in result.output
    assert "LOADWATCH_AUTH=user:password" in result.output
    assert not (tmp_path / "x.db").exists()  # refused before opening anything


def test_demo_on_all_interfaces_without_credentials_refuses(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["demo", "--host", "0.0.0.0", "--no-browser", "--db", str(tmp_path / "d.db")]
    )
    assert result.exit_code == 2
    assert "refusing" in result.output
    assert not (tmp_path / "d.db").exists()


def test_users_file(tmp_path: Path) -> None:
    path = tmp_path / "users"
    path.write_text("# coaches\ncoach:one:with:colons\n\nrunner:pw\n")
    assert read_users_file(path) == {"coach": "one:with:colons", "runner": "pw"}
    path.write_text("coach:pw\nnopassword\n")
    with pytest.raises(ValidationError, match="users line 2"):
        read_users_file(path)


def test_credentials_from_env_and_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_credentials(None) is None
    monkeypatch.setenv(AUTH_ENV, "coach:s3cret")
    assert load_credentials(None) == {"coach": "s3cret"}
    monkeypatch.setenv(AUTH_ENV, "no-colon")
    with pytest.raises(ValidationError, match=AUTH_ENV):
        load_credentials(None)


@pytest.fixture
def protected(tmp_path: Path):  # type: ignore[no-untyped-def]
    users = {"coach": "s3cret", "hashed": generate_password_hash("pw2")}
    app = create_app(f"sqlite:///{tmp_path / 'a.db'}", auth=users, work_dir=tmp_path / "work")
    return app.server.test_client()


@pytest.mark.parametrize("path", ["/", "/_dash-layout", "/_dash-dependencies", "/assets/style.css"])
def test_every_request_needs_credentials(protected, path: str) -> None:  # type: ignore[no-untyped-def]
    response = protected.get(path)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Basic")
    assert protected.get(path, headers=_basic("coach", "wrong")).status_code == 401
    assert protected.get(path, headers=_basic("nobody", "s3cret")).status_code == 401
    assert protected.get(path, headers=_basic("coach", "s3cret")).status_code == 200
    assert protected.get(path, headers=_basic("hashed", "pw2")).status_code == 200


def test_upload_endpoint_needs_credentials(protected) -> None:  # type: ignore[no-untyped-def]
    response = protected.post("/_loadwatch/upload/" + "a" * 32, data=b"x")
    assert response.status_code == 401


def test_dash_callbacks_need_credentials(protected) -> None:  # type: ignore[no-untyped-def]
    response = protected.post("/_dash-update-component", json={})
    assert response.status_code == 401


@pytest.mark.slow
def test_running_server_answers_401_without_credentials(tmp_path: Path) -> None:
    port = free_port()
    env = {AUTH_ENV: "coach:s3cret"}
    args = ["serve", "--port", str(port), "--db", str(tmp_path / "s.db")]
    with cli_server(args, port=port, env=env, auth=("coach", "s3cret")) as proc:
        assert http_status(f"http://127.0.0.1:{port}/") == 401
        assert http_status(f"http://127.0.0.1:{port}/", auth=("coach", "nope")) == 401
        assert http_status(f"http://127.0.0.1:{port}/", auth=("coach", "s3cret")) == 200
    output = proc.stdout.read() if proc.stdout else ""
    assert "password required" in output
    # no request lines (paths, status codes) in the server's output
    assert "GET /" not in output and "_dash-layout" not in output
