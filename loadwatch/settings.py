"""Settings in one place: read the same way by the CLI, the WSGI module and the worker.

Each setting comes from, in order: an override the caller passes (a command's
``--db``, ``--units``), an environment variable, the ``[server]`` table of the
config file (``loadwatch.alerts.config.config_path``), else a default::

    [server]
    db = "postgresql+psycopg://loadwatch@db.example/loadwatch"   # or a SQLite file path
    broker_url = "redis://127.0.0.1:6379/0"
    secret_key = "..."                 # signs login sessions
    upload_dir = "/srv/loadwatch/uploads"   # a folder every worker can read
    auth = "accounts"                  # accounts | basic | none

Nothing here opens the database or checks that a folder exists: the settings
are read, their shape checked (a bad value is a ``ConfigError``), and each user
of them decides what it needs. ``loadwatch.store.resolve_db_url`` reads the
database the same way, so every command that takes ``--db`` honours ``db``.
Imports of the rest of loadwatch are made inside the functions: the store
calls :func:`configured` without pulling the alerts or the service in.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: How the web server authenticates: accounts (users in the database),
#: basic (``LOADWATCH_AUTH`` / a users file, as before accounts), none (loopback only).
AUTH_MODES: tuple[str, ...] = ("accounts", "basic", "none")

#: setting -> its environment variable
ENV: dict[str, str] = {
    "db_url": "LOADWATCH_DB",
    "broker_url": "LOADWATCH_BROKER_URL",
    "secret_key": "LOADWATCH_SECRET_KEY",
    "upload_dir": "LOADWATCH_UPLOAD_DIR",
    "auth": "LOADWATCH_AUTH_MODE",
}
#: setting -> its key in the config file's [server] table
CONFIG_KEYS: dict[str, str] = {
    "db_url": "db",
    "broker_url": "broker_url",
    "secret_key": "secret_key",
    "upload_dir": "upload_dir",
    "auth": "auth",
}
#: Environment variable naming the config file (overrides the data directory).
CONFIG_ENV = "LOADWATCH_CONFIG"
CONFIG_NAME = "config.toml"

#: the basic-auth credentials of the dashboard (``user:password``); set, auth defaults to basic
BASIC_AUTH_ENV = "LOADWATCH_AUTH"


@dataclass(frozen=True)
class Settings:
    """Where the data lives and how the server runs.

    ``db_url``: a SQLAlchemy URL (a SQLite file in the data directory by default).
    ``auth``: one of :data:`AUTH_MODES`; by default ``basic`` when
    ``LOADWATCH_AUTH`` is set, else ``accounts`` (with no account defined and
    a loopback server that is the single-user app). ``units``: ``km`` or ``mi``.
    """

    db_url: str
    broker_url: str | None
    secret_key: str | None
    upload_dir: Path | None
    auth: str
    units: str

    @classmethod
    def load(cls, **overrides: Any) -> Settings:
        """Read the settings: overrides (None: not given), environment, config file, defaults."""
        unknown = set(overrides) - {f.name for f in dataclasses.fields(cls)}
        if unknown:
            raise TypeError(f"unknown settings: {', '.join(sorted(unknown))}")
        from loadwatch.alerts.config import ConfigError
        from loadwatch.service.units import resolve_units
        from loadwatch.store import resolve_db_url

        path = config_path()
        server = _server_table(path)
        raw: dict[str, Any] = {}
        for name, env in ENV.items():
            given = overrides.get(name)
            if given is not None:
                raw[name] = given
            elif os.environ.get(env):
                raw[name] = os.environ[env]
            elif CONFIG_KEYS[name] in server:
                raw[name] = _value(name, server, path)
        auth = str(raw.get("auth") or ("basic" if os.environ.get(BASIC_AUTH_ENV) else "accounts"))
        if auth not in AUTH_MODES:
            raise ConfigError(f"auth must be one of {', '.join(AUTH_MODES)} (got {auth!r})")
        upload = raw.get("upload_dir")
        return cls(
            db_url=resolve_db_url(str(raw["db_url"])) if raw.get("db_url") else resolve_db_url(),
            broker_url=str(raw["broker_url"]) if raw.get("broker_url") else None,
            secret_key=str(raw["secret_key"]) if raw.get("secret_key") else None,
            upload_dir=Path(upload).expanduser() if upload else None,
            auth=auth,
            units=resolve_units(overrides.get("units")),
        )


def configured(name: str) -> str | None:
    """The config file's value of setting ``name`` (None when it names none).

    Paths (``db`` as a file, ``upload_dir``) are taken relative to the file's folder.
    """
    path = config_path()
    server = _server_table(path)
    return _value(name, server, path) if CONFIG_KEYS[name] in server else None


def _value(name: str, server: Mapping[str, str], path: Path) -> str:
    value = server[CONFIG_KEYS[name]]
    if name in ("db_url", "upload_dir") and "://" not in value:
        value = str(path.parent / Path(value).expanduser())
    return value


def config_path() -> Path:
    """The config file in use: ``$LOADWATCH_CONFIG`` or ``config.toml`` in the data directory."""
    env = os.environ.get(CONFIG_ENV)
    if env:
        return Path(env).expanduser()
    from loadwatch.store import default_data_dir

    return default_data_dir() / CONFIG_NAME


def _server_table(path: Path) -> Mapping[str, str]:
    """The config file's ``[server]`` table (empty when the file or the table is missing)."""
    if not path.exists():
        return {}
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as e:
        raise _config_error(f"{path}: not valid TOML ({e})") from e
    except OSError as e:
        raise _config_error(f"{path}: cannot read ({e.strerror})") from e
    table = data.get("server", {})
    if not isinstance(table, Mapping):
        raise _config_error(f"{path}: 'server' must be a table")
    known = set(CONFIG_KEYS.values())
    for key, value in table.items():
        if key not in known:
            raise _config_error(
                f"{path} [server]: unknown key {key!r} (known keys: {', '.join(sorted(known))})"
            )
        if not isinstance(value, str):
            raise _config_error(f"{path} [server]: {key} must be a string (got {value!r})")
    return table


def _config_error(message: str) -> Exception:
    """A ``ConfigError`` (imported only when one is raised: the alerts are heavy to load)."""
    from loadwatch.alerts.config import ConfigError

    return ConfigError(message)
