"""Where the service keeps computed state: in this process, or also in Redis for a club server.

Every entry is stored with the version it was computed for (the athlete's
revision and the config file's hash, see :meth:`Service.versions`); a lookup
names the version it needs, so a value computed before a write is never served
after it. :class:`MemoryCache` keeps the latest entry per key in this process
(a single-user install, the CLI). :class:`RedisCache` also writes each entry to
Redis under a digest of its key and version, so every web process and worker
reading the same Redis finds what any of them computed for the same revision
instead of computing it again; old versions expire on their own.

Entries travel as pickles: the Redis must be reachable by loadwatch's processes
only (it already carries their jobs). When Redis cannot be reached, the cache
works from this process's memory alone and says so in the log once a minute.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
import threading
import time
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Final

from loadwatch import __version__

LOG = logging.getLogger("loadwatch.service")
#: The value of a lookup that found nothing for that key and version.
MISSING: Final = object()
#: An entry not read for this long leaves Redis, seconds.
REDIS_TTL_S = 7 * 24 * 3600
#: Prefix of loadwatch's cache entries among the other keys of the Redis database.
REDIS_PREFIX = "loadwatch:state:"
#: Longest a process holds (and waits for) a lock on shared work, seconds.
LOCK_S = 600
#: After a Redis failure, seconds before it is tried again.
RETRY_S = 30.0
_WARN_EVERY_S = 60.0
_PROTOCOL = pickle.HIGHEST_PROTOCOL


class MemoryCache:
    """Computed values in this process: per key, the latest value and its version."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[Hashable, tuple[Any, Any]] = {}

    def _held(self, key: Hashable, version: Any) -> Any:
        with self._lock:
            hit = self._entries.get(key)
        return hit[1] if hit is not None and hit[0] == version else MISSING

    def _hold(self, key: Hashable, version: Any, value: Any) -> None:
        with self._lock:
            self._entries[key] = (version, value)

    def get(self, key: Hashable, version: Any) -> Any:
        """The value stored for ``key`` at ``version``, else :data:`MISSING`."""
        return self.get_many([(key, version)])[0]

    def get_many(self, wanted: Sequence[tuple[Hashable, Any]]) -> list[Any]:
        """:meth:`get` of each ``(key, version)``."""
        return [self._held(key, version) for key, version in wanted]

    def put(self, key: Hashable, version: Any, value: Any) -> None:
        self.put_many([(key, version, value)])

    def put_many(self, entries: Sequence[tuple[Hashable, Any, Any]]) -> None:
        """:meth:`put` of each ``(key, version, value)``."""
        for key, version, value in entries:
            self._hold(key, version, value)

    def clear(self) -> None:
        """Forget what this process holds (entries in Redis are keyed by version)."""
        with self._lock:
            self._entries = {}

    @contextmanager
    def exclusive(self, name: str) -> Iterator[None]:
        """Run a block while no other process sharing this cache runs one of that name
        (nothing to wait for in one process's memory)."""
        yield


def _canonical(value: Any) -> Any:
    """``value`` with every dict and set in sorted order, so that equal keys and versions
    print alike in every process (a set's order follows the process's string hashing)."""
    if isinstance(value, dict):
        return ("dict", tuple(sorted((repr(k), _canonical(v)) for k, v in value.items())))
    if isinstance(value, set | frozenset):
        return ("set", tuple(sorted(repr(_canonical(v)) for v in value)))
    if isinstance(value, list | tuple):
        return tuple(_canonical(v) for v in value)
    return value


def entry_name(key: Hashable, version: Any, namespace: str = "") -> str:
    """The Redis key of one entry: a digest of loadwatch's version, the namespace (the
    database), the key and its version."""
    text = repr((__version__, namespace, _canonical(key), _canonical(version)))
    return REDIS_PREFIX + hashlib.sha256(text.encode("utf-8")).hexdigest()


class RedisCache(MemoryCache):
    """:class:`MemoryCache` in front of Redis, shared by every process using the same URL."""

    def __init__(self, url: str, *, namespace: str, ttl_s: int = REDIS_TTL_S) -> None:
        """``namespace``: what the entries describe (the database's URL), so that two
        databases whose athletes share names and revisions never share state."""
        super().__init__()
        self.namespace = namespace
        import redis

        self._redis = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2)
        self._errors: tuple[type[Exception], ...] = (redis.RedisError, OSError)
        self.ttl_s = ttl_s
        self._warned = 0.0
        self._down_until = 0.0

    def _call(self, action: Callable[[], Any]) -> Any:
        """``action()``, or None when Redis fails (then left alone for :data:`RETRY_S`,
        so that a missing Redis costs one connection timeout, not one per lookup)."""
        now = time.monotonic()
        if now < self._down_until:
            return None
        try:
            return action()
        except self._errors as e:
            self._down_until = now + RETRY_S
            if now - self._warned > _WARN_EVERY_S:
                self._warned = now
                LOG.warning("state cache: Redis unreachable (%s); using memory", type(e).__name__)
            return None

    @contextmanager
    def exclusive(self, name: str) -> Iterator[None]:
        """Hold a Redis lock for the block (at most :data:`LOCK_S`; waiting at most as
        long), so that a warm-up runs in one process while the others wait to read what
        it computed. Without Redis the block runs anyway."""
        lock = self._redis.lock(
            REDIS_PREFIX + "lock:" + entry_name(name, None, self.namespace)[len(REDIS_PREFIX) :],
            timeout=LOCK_S,
            blocking_timeout=LOCK_S,
        )
        held = self._call(lock.acquire)
        try:
            yield
        finally:
            if held:
                self._call(lock.release)

    def get_many(self, wanted: Sequence[tuple[Hashable, Any]]) -> list[Any]:
        found = super().get_many(wanted)
        missing = [i for i, value in enumerate(found) if value is MISSING]
        if not missing:
            return found
        names = [entry_name(*wanted[i], self.namespace) for i in missing]
        raw = self._call(lambda: self._redis.mget(names)) or [None] * len(names)
        for i, data in zip(missing, raw, strict=True):
            if data is None:
                continue
            try:
                value = pickle.loads(data)
            except Exception as e:  # written by another release: compute it again
                LOG.debug("state cache: unreadable entry (%s)", type(e).__name__)
                continue
            self._hold(*wanted[i], value)
            found[i] = value
        return found

    def put_many(self, entries: Sequence[tuple[Hashable, Any, Any]]) -> None:
        super().put_many(entries)

        blobs = []
        for key, version, value in entries:
            try:
                name = entry_name(key, version, self.namespace)
                blobs.append((name, pickle.dumps(value, _PROTOCOL)))
            except Exception as e:  # not picklable: stays in this process only
                LOG.debug("state cache: entry kept in memory (%s)", type(e).__name__)

        def write() -> None:
            with self._redis.pipeline(transaction=False) as pipe:
                for name, data in blobs:
                    pipe.set(name, data, ex=self.ttl_s)
                pipe.execute()

        if blobs:
            self._call(write)


def default_cache(namespace: str) -> MemoryCache:
    """A :class:`RedisCache` when a broker (a Redis) is configured, else a :class:`MemoryCache`;
    ``namespace``: the database's URL."""
    from loadwatch.settings import Settings

    url = Settings.load().broker_url
    if url and url.startswith(("redis://", "rediss://", "unix://")):
        try:
            return RedisCache(url, namespace=namespace)
        except ImportError:
            LOG.warning("state cache: the redis package is not installed; using memory")
    return MemoryCache()
