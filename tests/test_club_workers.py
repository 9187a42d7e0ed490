"""Four app instances on one PostgreSQL database: a write through one of them, or
through the CLI, is seen by every instance on its very next request.

Each instance is its own ``gunicorn dashboards.wsgi:server`` process with one
worker, so each holds its own in-process cache of the athlete's computed state.
The coach signs in on instance 1 and saves a pain score with the dashboard's pain
form (the Dash callback the page posts); a club member edits an activity's RPE
with ``loadwatch activities rpe`` in another process. Then every instance's JSON
API must show both.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from browser_support import REPO, free_port
from club_support import PAIN_FIRED, PAIN_OUTPUT, add_run, dash_body, pain_form

from dashboards import ids
from loadwatch.accounts import Accounts
from loadwatch.store import PainEntry, Store

PASSWORD = "correct horse battery"
SECRET = "w" * 48
INSTANCES = 4
#: Ana runs 8 km on Monday, Wednesday and Friday of two weeks from this Monday.
MONDAY = date(2025, 3, 3)
RUN_DAYS = [MONDAY + timedelta(days=7 * week + offset) for week in (0, 1) for offset in (0, 2, 4)]
#: Her one pain score before the test: 2/10 on the first Friday.
FIRST_PAIN = (date(2025, 3, 7), 2)
#: What the coach saves through instance 1, and the RPE the CLI gives the second Wednesday's run.
NEW_PAIN = ("2025-03-13", 5)
RPE_DAY, RPE = date(2025, 3, 12), 7
AS_OF = "2025-03-14"
#: Settings of the environment that must not leak into the servers.
_ENV = (
    "LOADWATCH_AUTH",
    "LOADWATCH_AUTH_MODE",
    "LOADWATCH_SECRET_KEY",
    "LOADWATCH_DB",
    "LOADWATCH_BROKER_URL",
    "LOADWATCH_UPLOAD_DIR",
    "LOADWATCH_TRUSTED_ORIGINS",
)


@dataclass
class Club:
    url: str
    token: str  # the coach's API token
    env: dict[str, str]  # what every process of the club runs with
    bases: list[str]  # http://127.0.0.1:PORT of each instance


def _fill(url: str) -> str:
    """Ana's runs and pain score, a coach of her team; returns the coach's API token."""
    store = Store(url)
    try:
        for day in RUN_DAYS:
            add_run(store, "Ana", day, 8.0)
        store.add_pain([PainEntry(None, "Ana", FIRST_PAIN[0], FIRST_PAIN[1])])
        accounts = Accounts(store)
        accounts.add_user("cora", "coach", PASSWORD)
        accounts.add_team("north")
        accounts.assign("north", coach="cora")
        accounts.assign("north", athlete="Ana")
        return accounts.new_token("cora")
    finally:
        store.close()


def _environment(url: str, folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _ENV}
    (folder / "uploads").mkdir()
    env.update(
        PYTHONPATH=str(REPO),
        LOADWATCH_CONFIG=str(folder / "no-config.toml"),
        LOADWATCH_DB=url,
        LOADWATCH_AUTH_MODE="accounts",
        LOADWATCH_SECRET_KEY=SECRET,
        LOADWATCH_UPLOAD_DIR=str(folder / "uploads"),
    )
    return env


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    """Stop every server at once (gunicorn's quick shutdown: SIGINT), then wait for
    each (killed after 20 s)."""
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
    for proc in procs:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_until_up(base: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 180
    while True:
        assert proc.poll() is None, f"gunicorn stopped:\n{log.read_text()}"
        try:
            with urllib.request.urlopen(f"{base}/login", timeout=10) as answer:
                assert answer.status == 200
                return
        except OSError:
            assert time.monotonic() < deadline, f"gunicorn did not start:\n{log.read_text()}"
            time.sleep(0.3)


@pytest.fixture
def club(postgres_db: str, tmp_path: Path) -> Iterator[Club]:
    """The club's database and four gunicorn instances of one worker each, always stopped."""
    token = _fill(postgres_db)
    env = _environment(postgres_db, tmp_path)
    started: list[tuple[str, subprocess.Popen[bytes], Path]] = []
    try:
        for n in range(1, INSTANCES + 1):
            port = free_port()
            log = tmp_path / f"gunicorn-{n}.log"
            command = [sys.executable, "-m", "gunicorn", "--workers", "1", "--bind"]
            command += [f"127.0.0.1:{port}", "dashboards.wsgi:server"]
            with log.open("wb") as out:
                proc = subprocess.Popen(
                    command, cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT
                )
            started.append((f"http://127.0.0.1:{port}", proc, log))
        for base, proc, log in started:
            _wait_until_up(base, proc, log)
        yield Club(postgres_db, token, env, [base for base, _, _ in started])
    finally:
        _stop([proc for _, proc, _ in started])


def _api(base: str, token: str, path: str) -> Any:
    request = urllib.request.Request(
        f"{base}/api/v1/athletes/Ana/{path}", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=60) as answer:
        assert answer.status == 200
        return json.loads(answer.read())


def _seen(club: Club, base: str) -> tuple[tuple[str, int], dict[str, int | None]]:
    """(latest pain date and score) and {local date: rpe} as ``base`` answers them."""
    (status,) = _api(base, club.token, f"status?as_of={AS_OF}")
    activities = _api(base, club.token, "activities")
    return (status["latest_pain_date"], status["latest_pain"]), {
        a["local_date"]: a["rpe"] for a in activities
    }


def _signed_in(base: str) -> urllib.request.OpenerDirector:
    """A browser's session with ``base``: the coach signs in through the login form."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    opener.addheaders = [("Origin", base)]
    form = f"username=cora&password={PASSWORD.replace(' ', '+')}".encode()
    with opener.open(f"{base}/login", data=form, timeout=60) as answer:
        assert answer.status == 200 and answer.url == f"{base}/"  # the page, after the redirect
    return opener


def _save_pain_on_the_page(base: str) -> str:
    """Save the pain form on ``base`` as the page does; returns the form's message."""
    browser = _signed_in(base)
    with browser.open(f"{base}/_dash-dependencies", timeout=60) as answer:
        callbacks = {c["output"]: c for c in json.loads(answer.read())}
    day, score = NEW_PAIN
    body = dash_body(callbacks, PAIN_OUTPUT, pain_form("Ana", day, score), PAIN_FIRED)
    request = urllib.request.Request(
        f"{base}/_dash-update-component",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with browser.open(request, timeout=60) as answer:
        return str(json.loads(answer.read())["response"][ids.PAIN_MESSAGE]["children"])


@pytest.mark.slow
def test_a_write_through_one_instance_is_seen_by_every_instance(club: Club) -> None:
    no_rpe = {day.isoformat(): None for day in RUN_DAYS}
    before = (("2025-03-07", 2), no_rpe)
    for base in club.bases:  # every instance reads (and caches) Ana's state first
        assert _seen(club, base) == before, base

    # (1) the coach saves a pain score on instance 1's page
    assert _save_pain_on_the_page(club.bases[0]) == "Saved pain 5/10 on 2025-03-13."
    # (2) someone edits an RPE with the CLI, in a process of its own
    activities = _api(club.bases[0], club.token, "activities")
    (activity_id,) = [a["id"] for a in activities if a["local_date"] == RPE_DAY.isoformat()]
    cli = [sys.executable, "-m", "loadwatch", "activities", "rpe", str(activity_id), str(RPE)]
    done = subprocess.run(cli, env=club.env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr

    after = (("2025-03-13", 5), {**no_rpe, "2025-03-12": 7})
    for base in club.bases:  # the very next request of each instance
        assert _seen(club, base) == after, base
