"""Suite-wide settings: the optional lanes, the asserts-something guard, hypothesis.

Lanes. Two kinds of test need something outside the repository: ``corpus``
tests read the shared test data beside it (see :mod:`corpus`), ``browser``
tests drive a real headless Chromium. When that is missing they are
deselected and one line at the end of the run says which lane did not run
and why. ``--require-corpus`` and ``--require-browser`` (passed by
``.ci/run``) make a missing lane an error before any test runs, so CI can
never go green without them.

Guard. Every case of a test parametrised over test files (a corpus case,
or a file in tests/data) must pass at least one ``assert``, or it fails:
a helper that returns early for some files cannot hide them
(``enable_assertion_pass_hook`` in pyproject.toml counts the asserts).
``pytest.raises`` alone does not count; assert on the exception it caught.

Property tests never fail on timing (CI machines are shared and slow), and in
CI they draw the same examples every run, so a red build always reproduces.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

pytest.register_assert_rewrite("corpus", "fitcorpus", "browser_support")

import corpus  # noqa: E402  (after register_assert_rewrite, so its asserts count)
from browser_support import find_browser  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

# Tables and help are laid out to the terminal's width; pytest-xdist workers and a
# developer's terminal report different ones. One wide width makes every run print alike.
os.environ["COLUMNS"] = "200"

settings.register_profile("loadwatch", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile(
    "ci", parent=settings.get_profile("loadwatch"), derandomize=True, print_blob=True
)
settings.load_profile("ci" if os.environ.get("CI") else "loadwatch")

# A throwaway PostgreSQL server for the store tests that need one (see tests/pgserver.py).
from pgserver import (  # noqa: E402, F401
    postgres_db,
    postgres_empty_db,
    postgres_server,
    postgres_url,
)

# A throwaway Redis server for the background-job and cache tests (see tests/redisserver.py).
from redisserver import redis_db, redis_server, redis_url  # noqa: E402, F401

_ASSERTS = pytest.StashKey[int]()
_LANES = pytest.StashKey[dict[str, str]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("loadwatch", "loadwatch test lanes")
    group.addoption(
        "--require-corpus",
        action="store_true",
        help="Error out when the shared test data (../shared or LOADWATCH_SHARED) is missing.",
    )
    group.addoption(
        "--require-browser",
        action="store_true",
        help="Error out when Chromium and chromedriver are missing.",
    )


def _browser_missing() -> str | None:
    if find_browser() is None:
        return "Chromium and chromedriver not found (apt-get install chromium chromium-driver)"
    return None


def pytest_configure(config: pytest.Config) -> None:
    """Find out which lanes can run; a required lane that cannot is a usage error."""
    missing = {"corpus": corpus.missing(), "browser": _browser_missing()}
    for lane, reason in missing.items():
        if reason is not None and config.getoption(f"require_{lane}"):
            raise pytest.UsageError(f"--require-{lane}: {reason}")
    config.stash[_LANES] = {lane: why for lane, why in missing.items() if why is not None}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect the tests of a lane that cannot run."""
    lanes = config.stash[_LANES]
    if not lanes:
        return
    keep, drop = [], []
    for item in items:
        (drop if any(item.get_closest_marker(lane) for lane in lanes) else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """One line per lane that did not run."""
    for lane, why in config.stash[_LANES].items():
        terminalreporter.write_line(
            f"{lane} tests NOT RUN: {why} (--require-{lane} makes this an error)", yellow=True
        )


def pytest_assertion_pass(item: pytest.Item, lineno: int, orig: str, expl: str) -> None:
    item.stash[_ASSERTS] = item.stash.get(_ASSERTS, 0) + 1


#: A parameter that names an activity file (or an archive of them).
_FILE_PARAM = re.compile(r"\.(fit|gpx|tcx|zip)(\.gz)?$", re.IGNORECASE)


def is_file_case(item: pytest.Item) -> bool:
    """A corpus case, or a case parametrised over a test file."""
    if item.get_closest_marker("corpus"):
        return True
    callspec = getattr(item, "callspec", None)
    values = callspec.params.values() if callspec is not None else ()
    return any(isinstance(v, str | Path) and _FILE_PARAM.search(str(v)) for v in values)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Any:
    result = yield
    if is_file_case(item) and not item.stash.get(_ASSERTS, 0):
        pytest.fail("this file case passed without a single passing assert", pytrace=False)
    return result
