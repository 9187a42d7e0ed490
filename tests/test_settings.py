"""Settings: an override beats the environment, which beats the config file's [server]
table, which beats the defaults; bad values are refused with the file named."""

from __future__ import annotations

from pathlib import Path

import pytest

from loadwatch.alerts.config import ConfigError, read_config
from loadwatch.settings import Settings
from loadwatch.store import resolve_db_url

ENV = (
    "LOADWATCH_DB",
    "LOADWATCH_BROKER_URL",
    "LOADWATCH_SECRET_KEY",
    "LOADWATCH_UPLOAD_DIR",
    "LOADWATCH_AUTH_MODE",
    "LOADWATCH_AUTH",
    "LOADWATCH_UNITS",
)


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LOADWATCH_HOME", str(tmp_path / "home"))
    path = tmp_path / "etc" / "config.toml"
    path.parent.mkdir()
    monkeypatch.setenv("LOADWATCH_CONFIG", str(path))
    return path


def test_defaults_without_file_or_environment(config: Path, tmp_path: Path) -> None:
    assert Settings.load() == Settings(
        db_url=f"sqlite:///{tmp_path / 'home' / 'loadwatch.db'}",
        broker_url=None,
        secret_key=None,
        upload_dir=None,
        auth="accounts",
        units="km",
    )


def test_config_file_server_table(config: Path, tmp_path: Path) -> None:
    config.write_text(
        'units = "mi"\n'
        "[server]\n"
        'db = "postgresql+psycopg://club@db.example/loadwatch"\n'
        'broker_url = "redis://127.0.0.1:6379/0"\n'
        'secret_key = "from-the-file"\n'
        'upload_dir = "uploads"\n'
        'auth = "basic"\n'
    )
    assert Settings.load() == Settings(
        db_url="postgresql+psycopg://club@db.example/loadwatch",
        broker_url="redis://127.0.0.1:6379/0",
        secret_key="from-the-file",
        upload_dir=tmp_path / "etc" / "uploads",  # relative to the file's folder
        auth="basic",
        units="mi",
    )
    # the rest of the config file still reads (the [server] table is a known section)
    assert read_config(config).units == "mi"


def test_environment_beats_the_file_and_overrides_beat_both(
    config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config.write_text(
        '[server]\ndb = "file.db"\nsecret_key = "from-the-file"\nauth = "basic"\n'
        'broker_url = "redis://file/0"\n'
    )
    monkeypatch.setenv("LOADWATCH_DB", "postgresql+psycopg://env@db/lw")
    monkeypatch.setenv("LOADWATCH_SECRET_KEY", "from-env")
    monkeypatch.setenv("LOADWATCH_UPLOAD_DIR", str(tmp_path / "shared"))
    monkeypatch.setenv("LOADWATCH_AUTH_MODE", "none")
    monkeypatch.setenv("LOADWATCH_UNITS", "mi")
    s = Settings.load()
    assert (s.db_url, s.secret_key, s.upload_dir, s.auth, s.units, s.broker_url) == (
        "postgresql+psycopg://env@db/lw",
        "from-env",
        tmp_path / "shared",
        "none",
        "mi",
        "redis://file/0",
    )
    s = Settings.load(db_url=str(tmp_path / "given.db"), units="km", secret_key=None)
    assert s.db_url == f"sqlite:///{tmp_path / 'given.db'}"
    assert s.units == "km"
    assert s.secret_key == "from-env"  # None: not given


def test_basic_credentials_make_basic_the_default_mode(
    config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOADWATCH_AUTH", "coach:s3cret")
    assert Settings.load().auth == "basic"
    monkeypatch.setenv("LOADWATCH_AUTH_MODE", "accounts")
    assert Settings.load().auth == "accounts"


def test_the_store_reads_the_database_from_the_file(config: Path, tmp_path: Path) -> None:
    config.write_text('[server]\ndb = "club.db"\n')
    assert resolve_db_url() == f"sqlite:///{tmp_path / 'etc' / 'club.db'}"
    assert resolve_db_url(str(tmp_path / "other.db")) == f"sqlite:///{tmp_path / 'other.db'}"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[server]\nauth = "ldap"\n', "auth must be one of accounts, basic, none (got 'ldap')"),
        ('[server]\nbroker = "redis://x"\n', "[server]: unknown key 'broker' (known keys: auth, "
         "broker_url, db, secret_key, upload_dir)"),
        ("[server]\ndb = 5\n", "[server]: db must be a string (got 5)"),
        ('server = "x"\n', "'server' must be a table"),
        ("[server\n", "not valid TOML"),
    ],
)  # fmt: skip
def test_bad_values_are_refused(config: Path, body: str, message: str) -> None:
    config.write_text(body)
    with pytest.raises(ConfigError) as e:
        Settings.load()
    assert message in str(e.value)


def test_an_unknown_override_is_a_programming_error(config: Path) -> None:
    with pytest.raises(TypeError, match="unknown settings: db"):
        Settings.load(db="x.db")


def test_opening_a_current_store_loads_neither_the_alerts_nor_alembic(
    config: Path, tmp_path: Path
) -> None:
    """The config file's [server] db is read without pulling pandas or the alerts into
    `loadwatch import`, and a store at the current schema needs no Alembic."""
    import os
    import subprocess
    import sys

    from loadwatch.store import Store

    config.write_text('[server]\ndb = "club.db"\n')
    Store(resolve_db_url()).close()  # made at the current revision
    code = (
        "import sys\n"
        "from loadwatch.store import Store, resolve_db_url\n"
        "Store(resolve_db_url()).close()\n"
        "print(sorted(m for m in ('pandas', 'loadwatch.alerts', 'alembic') if m in sys.modules))\n"
    )
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(root)}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.strip() == "[]"
    assert (tmp_path / "etc" / "club.db").exists()
