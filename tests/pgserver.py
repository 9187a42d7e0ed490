"""A throwaway PostgreSQL server for the tests (a pytest plugin).

``postgres_url`` (session scope) starts a server from Debian's ``postgresql``
package (binaries under ``/usr/lib/postgresql/<version>/bin``) in a temporary
folder, on a free local port with its socket in that folder, and yields a
SQLAlchemy URL (``postgresql+psycopg://...``) of a fresh database. The server
is stopped at the end of the session. ``postgres_db`` (function scope) gives
each test its own database on that server, upgraded to the schema this
loadwatch needs (``loadwatch db upgrade``: opening a store never creates
tables on PostgreSQL); ``postgres_empty_db`` one with no tables at all.

PostgreSQL refuses to run as root: when the tests run as root, ``initdb`` and
``pg_ctl`` run as the ``postgres`` user (``runuser``) on a data folder owned
by it. Without PostgreSQL (or psycopg) the fixtures skip, except under
``CI=true``, where a missing database is a broken build and they fail.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

_BIN_GLOB = "/usr/lib/postgresql/*/bin"


def _missing(reason: str) -> None:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"PostgreSQL is required in CI: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL not available: {reason}")


def _bin_dir() -> Path | None:
    found = sorted(Path("/").glob(_BIN_GLOB.lstrip("/")), key=lambda p: int(p.parent.name))
    for folder in reversed(found):
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Server:
    def __init__(self, bin_dir: Path) -> None:
        self.bin = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="loadwatch-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            shutil.chown(self.root, user="postgres", group="postgres")
            self.root.chmod(0o755)

    def _run(self, *args: str) -> None:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if self.as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if out.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {out.stderr.strip() or out.stdout.strip()}")

    def start(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--no-instructions")  # fmt: skip
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-w", "-t", "60",
                  "-l", str(self.root / "server.log"), "start")  # fmt: skip

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[_Server]:
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _missing("the Python package psycopg is not installed (pip install 'psycopg[binary]')")
    bin_dir = _bin_dir()
    if bin_dir is None:
        _missing("no initdb/pg_ctl under /usr/lib/postgresql (apt-get install postgresql)")
        return
    server = _Server(bin_dir)
    try:
        server.start()
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as e:
        shutil.rmtree(server.root, ignore_errors=True)
        _missing(str(e))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres_url(postgres_server: _Server) -> str:
    """A SQLAlchemy URL of a database on the session's throwaway server, upgraded."""
    from loadwatch.store import upgrade_schema

    url = postgres_server.url()
    upgrade_schema(url)
    return url


@contextmanager
def _new_database(server: _Server) -> Iterator[str]:
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = f"postgresql://postgres@127.0.0.1:{server.port}/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server.url(name)
    finally:
        from sqlalchemy import create_engine

        create_engine(server.url(name)).dispose()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def postgres_empty_db(postgres_server: _Server) -> Iterator[str]:
    """A SQLAlchemy URL of a new database without any table, dropped after the test."""
    with _new_database(postgres_server) as url:
        yield url


@pytest.fixture
def postgres_db(postgres_server: _Server) -> Iterator[str]:
    """A SQLAlchemy URL of a new database at the current schema, dropped after the test."""
    from loadwatch.store import upgrade_schema

    with _new_database(postgres_server) as url:
        upgrade_schema(url)
        yield url
