"""The service's computed state shared through a real Redis (tests/redisserver.py).

Several web processes of a club server read one Redis: what one computed for
an athlete's revision, another reads instead of computing, and a write made
through any process (here the CLI) is seen by all on their next call.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from club_support import add_run

from loadwatch.service import Service
from loadwatch.service.cache import MISSING, MemoryCache, RedisCache, entry_name
from loadwatch.store import Store

ROOT = Path(__file__).resolve().parents[1]
MONDAY = date(2025, 3, 3)
AS_OF = MONDAY + timedelta(days=27)

#: Run in another process: the status of every athlete from a service whose own
#: computations all fail, so every state it prints came out of Redis.
READER = """
import json, sys
from datetime import date
import loadwatch.service.core as core
from loadwatch.service import Service
from loadwatch.service.cache import RedisCache

def refuse(*args, **kwargs):
    raise AssertionError("computed instead of read from Redis")

core.coach_states = core.athlete_state = core.load_history = core.all_alerts = refuse
service = Service(sys.argv[1], cache=RedisCache(sys.argv[2], namespace=sys.argv[1]))
states = service.status(as_of=date.fromisoformat(sys.argv[3]))
print(json.dumps([s.as_dict() for s in states], default=str))
"""


@pytest.fixture
def url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Ana and Ben, 10 km every other day for four weeks; no pain logged."""
    monkeypatch.setenv("LOADWATCH_HOME", str(tmp_path / "home"))  # the same config everywhere
    monkeypatch.delenv("LOADWATCH_BROKER_URL", raising=False)
    db = f"sqlite:///{tmp_path / 'club.db'}"
    store = Store(db)
    for name in ("Ana", "Ben"):
        for day in range(0, 28, 2):
            add_run(store, name, MONDAY + timedelta(days=day), 10.0)
    store.close()
    return db


def _read_elsewhere(url: str, redis_url: str) -> dict[str, dict[str, object]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", READER, url, redis_url, AS_OF.isoformat()],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return {row["athlete"]: row for row in json.loads(out.stdout)}


@pytest.mark.slow
def test_state_computed_in_one_process_is_read_in_another_and_sees_their_writes(
    url: str, redis_db: str
) -> None:
    here = Service(url, cache=RedisCache(redis_db, namespace=url))
    mine = {s.athlete: s.as_dict() for s in here.status(as_of=AS_OF)}
    assert mine["Ben"]["latest_pain"] is None
    # the 7 days ending on AS_OF (day 27) are days 21-27: runs on days 22, 24, 26
    assert mine["Ana"]["last_7d_km"] == pytest.approx(30.0)

    elsewhere = _read_elsewhere(url, redis_db)
    assert elsewhere["Ana"]["last_7d_km"] == pytest.approx(30.0)
    assert elsewhere["Ben"]["latest_pain"] is None

    # a write through yet another process: the CLI
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cli = [sys.executable, "-m", "loadwatch", "pain", "add", "7", "--athlete", "Ben"]
    cli += ["--date", AS_OF.isoformat(), "--db", url]
    written = subprocess.run(cli, env=env, capture_output=True, text=True, timeout=120)
    assert written.returncode == 0, written.stderr

    after = {s.athlete: s for s in here.status(as_of=AS_OF)}
    assert after["Ben"].latest_pain == 7 and after["Ben"].latest_pain_date == AS_OF
    assert after["Ana"].latest_pain is None
    # ... and what this process computed after the write is what the other one reads
    elsewhere = _read_elsewhere(url, redis_db)
    assert elsewhere["Ben"]["latest_pain"] == 7


def test_two_databases_never_share_state_through_one_redis(
    url: str, tmp_path: Path, redis_db: str
) -> None:
    other = f"sqlite:///{tmp_path / 'other.db'}"
    store = Store(other)
    for name in ("Ana", "Ben"):  # the same writes in the same order, 12 km instead of 10
        for day in range(0, 28, 2):
            add_run(store, name, MONDAY + timedelta(days=day), 12.0)
    store.close()
    first = Service(url, cache=RedisCache(redis_db, namespace=url))
    second = Service(other, cache=RedisCache(redis_db, namespace=other))
    assert first.versions() == second.versions()  # same revisions: only the database differs
    assert first.status("Ana", as_of=AS_OF)[0].last_7d_km == pytest.approx(30.0)
    assert second.status("Ana", as_of=AS_OF)[0].last_7d_km == pytest.approx(36.0)


def test_without_redis_the_state_is_computed_here(url: str) -> None:
    unreachable = RedisCache("redis://127.0.0.1:1/0", namespace=url)
    states = {s.athlete: s for s in Service(url, cache=unreachable).status(as_of=AS_OF)}
    assert states["Ana"].last_7d_km == pytest.approx(30.0)
    assert unreachable.get(("anything",), 1) is MISSING
    # after a failure Redis is left alone for a while: no connection attempt per lookup
    tried: list[int] = []
    assert unreachable._call(lambda: tried.append(1)) is None and tried == []
    assert isinstance(Service(url)._cache, MemoryCache)
    assert not isinstance(Service(url)._cache, RedisCache)  # no broker configured


def test_a_value_is_served_only_for_the_version_it_was_computed_for() -> None:
    cache = MemoryCache()
    cache.put(("state", "Ana"), (3, "cfg"), "three")
    assert cache.get(("state", "Ana"), (3, "cfg")) == "three"
    assert cache.get(("state", "Ana"), (4, "cfg")) is MISSING
    assert cache.get(("state", "Ana"), (3, "other config")) is MISSING


NAMES = """
import sys
from loadwatch.service.cache import entry_name
key = ("table", "2025-03-30", frozenset({"Ana", "Ben", "Cleo", "Dev", "Eli", "Fay"}))
print(entry_name(key, {"Ben": (2, "cfg"), "Ana": (1, "cfg")}))
"""


def test_an_entry_has_the_same_name_in_every_process() -> None:
    """Sets (a coach's athletes) iterate in a per-process order; the name must not."""
    names = set()
    for seed in ("1", "2", "3", "4"):
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", NAMES], env=env, capture_output=True, text=True, timeout=60
        )
        assert out.returncode == 0, out.stderr
        names.add(out.stdout.strip())
    key = ("table", "2025-03-30", frozenset({"Fay", "Eli", "Dev", "Cleo", "Ben", "Ana"}))
    assert names == {entry_name(key, {"Ana": (1, "cfg"), "Ben": (2, "cfg")})}


def test_processes_sharing_a_redis_warm_up_one_at_a_time(url: str, redis_db: str) -> None:
    """The second holder of the warm-up lock waits for the first to finish."""
    import threading

    events: list[str] = []
    first_in = threading.Event()

    def hold(who: str, cache: RedisCache, then: threading.Event | None) -> None:
        with cache.exclusive("warm-up"):
            events.append(f"{who} in")
            if then is not None:
                then.set()
                time.sleep(0.5)
            events.append(f"{who} out")

    one = threading.Thread(target=hold, args=("one", RedisCache(redis_db, namespace=url), first_in))
    one.start()
    assert first_in.wait(30)
    two = threading.Thread(target=hold, args=("two", RedisCache(redis_db, namespace=url), None))
    two.start()
    one.join(30)
    two.join(30)
    assert events == ["one in", "one out", "two in", "two out"]
