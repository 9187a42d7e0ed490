"""A throwaway Redis server for the tests (a pytest plugin).

``redis_url`` (session scope) starts ``redis-server`` from Debian's
``redis-server`` package in a temporary folder, on a free local port (bound to
127.0.0.1, nothing written to disk), and yields its URL (``redis://...``);
the server is stopped at the end of the session. ``redis_db`` (function scope)
gives each test an emptied database on that server.

Without ``redis-server`` (or the Python package ``redis``) the fixtures skip,
except under ``CI=true``, where a missing server is a broken build and they fail.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

#: Seconds to wait for the server to answer PING.
START_TIMEOUT_S = 30.0


def _missing(reason: str) -> None:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"Redis is required in CI: {reason}", pytrace=False)
    pytest.skip(f"Redis not available: {reason}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RedisServer:
    """One ``redis-server`` process on a free port of 127.0.0.1."""

    def __init__(self, binary: str) -> None:
        self.binary = binary
        self.root = Path(tempfile.mkdtemp(prefix="loadwatch-redis-"))
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        # no persistence, no protected-mode prompt: a private server for one test run
        args = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1",
                "--dir", str(self.root), "--save", "", "--appendonly", "no",
                "--logfile", str(self.root / "server.log")]  # fmt: skip
        self.process = subprocess.Popen(args, stdin=subprocess.DEVNULL)
        import redis

        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError as e:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    log = self.root / "server.log"
                    detail = log.read_text(errors="replace")[-500:] if log.exists() else ""
                    raise RuntimeError(f"redis-server did not start: {detail or e}") from e
                time.sleep(0.05)
            finally:
                client.close()

    def stop(self) -> None:
        try:
            if self.process is not None and self.process.poll() is None:
                self.process.terminate()
                try:
                    self.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    try:
        import redis  # noqa: F401
    except ImportError:
        _missing("the Python package redis is not installed (pip install 'loadwatch[server]')")
    binary = shutil.which("redis-server")
    if binary is None:
        _missing("no redis-server on PATH (apt-get install redis-server)")
        return
    server = RedisServer(binary)
    try:
        server.start()
    except (RuntimeError, OSError) as e:
        server.stop()
        _missing(str(e))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def redis_url(redis_server: RedisServer) -> str:
    """The URL of the session's throwaway Redis server."""
    return redis_server.url


@pytest.fixture
def redis_db(redis_server: RedisServer) -> Iterator[str]:
    """The session server's URL, its database emptied before and after the test."""
    import redis

    client = redis.Redis.from_url(redis_server.url)
    client.flushdb()
    try:
        yield redis_server.url
    finally:
        client.flushdb()
        client.close()
