"""Storing a batch of files at once gives exactly what storing them one by one gives.

``Store.add_files`` writes a batch with a few statements and finds "the same
run" in memory; when the database refuses anything it falls back to one file
at a time. Each scenario is stored twice, into identical stores: once by the
batch path, once with the batch path switched off, and every stored row
(files, activities, their links, the audit log, the revision) must agree. The
expected outcomes are written out by hand as well, so a fault shared by both
paths still fails. SQLite always, PostgreSQL on a throwaway server
(``tests/pgserver.py``; a missing server fails under ``CI=true``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from test_import_failures import _summary

from loadwatch.model import ActivitySummary
from loadwatch.store import FileOutcome, FileRecord, Store

T0 = datetime(2026, 3, 2, 6, 30, tzinfo=UTC)
Items = list[tuple[FileRecord, list[ActivitySummary]]]


def _rec(tag: str, outcome: str = "imported", error: str | None = None) -> FileRecord:
    return FileRecord(tag * 64, f"{tag}.fit", 100, "fit", outcome, error)


def _seed(store: Store) -> None:
    """What the athlete had before the batch, stored one file per transaction."""
    me = store.athlete()
    gpx = _summary(
        start_utc=T0, distance_m=10_000.0, source_format="gpx", channels=("gps",), notes=["a"]
    )
    store.add_file(me, FileRecord("1" * 64, "old.gpx", 10, "gpx", "imported"), [gpx])
    no_hr = _summary(start_utc=T0 + timedelta(days=3), source_format="fit", channels=("gps",))
    store.add_file(me, FileRecord("2" * 64, "old2.fit", 10, "fit", "imported"), [no_hr])
    later = _summary(start_utc=T0 + timedelta(days=60), source_format="gpx", channels=("gps",))
    store.add_file(me, FileRecord("4" * 64, "later.gpx", 10, "gpx", "imported"), [later])
    unread = FileRecord("3" * 64, "broken.fit", 10, "fit", "error", "cut short")
    store.add_file(me, unread, [])


def _batch() -> Items:
    day, late = timedelta(days=1), timedelta(seconds=30)
    fit_copy = _summary(  # the old GPX run, from the watch: richer, with a name
        start_utc=T0 + timedelta(seconds=40),
        distance_m=10_300.0,
        channels=("hr", "gps", "distance"),
        avg_hr=150.0,
        max_hr=171.0,
        name="Morning Run",
    )
    new = _summary(start_utc=T0 + day, distance_m=8_000.0, channels=("gps", "distance"))
    strava = _summary(  # the run just added, from Strava: name and RPE fill the gaps
        start_utc=T0 + day + timedelta(seconds=20),
        distance_m=8_100.0,
        source_format="gpx",
        channels=("gps",),
        name="Tempo",
        rpe=6.0,
    )
    hr_only = _summary(  # a chest strap's copy of the run without heart rate
        start_utc=T0 + 3 * day + timedelta(seconds=5),
        source_format="tcx",
        channels=(),
        avg_hr=140.0,
        max_hr=160.0,
    )
    legs = [
        _summary(start_utc=T0 + 5 * day, session_index=0, distance_m=5_000.0),
        _summary(start_utc=T0 + 5 * day + timedelta(hours=1), session_index=1, sport="cycling"),
    ]
    return [
        (_rec("a"), [fit_copy]),
        (_rec("b"), [new]),
        (_rec("b"), [new]),  # the same bytes again in this batch
        (_rec("3"), [_summary(start_utc=T0 + 4 * day)]),  # the error row, read again
        (_rec("c"), [strava]),
        (_rec("d", "skipped", "no activity"), []),
        (_rec("1"), [fit_copy]),  # already stored
        (_rec("e"), [hr_only]),
        (_rec("f"), legs),
        (_rec("g"), [_summary(start_utc=T0 + 9 * day, device="x" * 500)]),  # cut to fit
        (_rec("i"), [_summary(start_utc=T0 + 60 * day + late, channels=("gps", "distance"))]),
    ]


#: (inserted, merged, already_known) per file of _batch(), worked out by hand.
EXPECTED = [
    (0, 1, False),
    (1, 0, False),
    (0, 0, True),
    (1, 0, False),
    (0, 1, False),
    (0, 0, False),
    (0, 0, True),
    (0, 1, False),
    (2, 0, False),
    (1, 0, False),
    (0, 1, False),
]


def _dump(url: str) -> dict[str, Any]:
    """Every stored row that matters, keyed by content (not by surrogate ids)."""
    engine = create_engine(url)
    with engine.connect() as conn:

        def rows(sql: str) -> list[tuple[Any, ...]]:
            return sorted((tuple(r) for r in conn.execute(text(sql))), key=repr)

        acts = rows(
            "SELECT start_utc, sport, sub_sport, utc_offset_s, offset_source, local_date, "
            "distance_m, timer_s, elapsed_s, elevation_gain_m, avg_hr, max_hr, device, "
            "source_format, source_sha256, session_index, recovered, name, rpe, notes, "
            "channels, implausible, accepted FROM activities"
        )
        files = rows(
            "SELECT sha256, original_name, size, format, outcome, error, recovered, created_by "
            "FROM source_files"
        )
        links = rows(
            "SELECT a.start_utc, f.sha256, s.session_index, s.format FROM activity_sources s "
            "JOIN activities a ON a.id = s.activity_id "
            "JOIN source_files f ON f.id = s.source_file_id"
        )
        audit = rows(
            "SELECT l.user_name, l.action, l.what, f.sha256 FROM audit_log l "
            "LEFT JOIN source_files f ON f.id = l.row_id WHERE l.what = 'import'"
        )
        audits = conn.execute(text("SELECT count(*) FROM audit_log")).scalar_one()
        revision = conn.execute(text("SELECT revision FROM athlete_revisions")).scalar_one()
    engine.dispose()
    return {
        "activities": acts,
        "files": files,
        "links": links,
        "audit": audit,
        "audits": audits,
        "revision": revision,
    }


def _store_twice(
    make_url: Callable[[str], str],
    items: Callable[[], Items],
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[list[FileOutcome], dict[str, Any], list[FileOutcome], dict[str, Any], int]:
    """Seed two stores alike, store the batch by each path; outcomes, rows, and how
    often the batch path wrote (it returns None or raises when it gives up)."""
    together = Store.__dict__["_add_files_together"]
    used = []

    def counting(self: Store, *args: Any) -> Any:
        out = together(self, *args)
        used.append(out is not None)
        return out

    results = []
    for name, path in (("batch", counting), ("alone", lambda *_: None)):
        url = make_url(name)
        store = Store(url).acting_as("coach")
        _seed(store)
        monkeypatch.setattr(Store, "_add_files_together", path)
        outcomes = store.add_files(store.athlete(), items())
        monkeypatch.setattr(Store, "_add_files_together", together)
        store.close()
        results.append((outcomes, _dump(url)))
    (batch_out, batch_rows), (alone_out, alone_rows) = results
    return batch_out, batch_rows, alone_out, alone_rows, sum(used)


@pytest.fixture(params=["sqlite", "postgresql"])
def make_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[str], str]]:
    """A new empty database per name: SQLite files, or databases on the test server."""
    if request.param == "sqlite":
        yield lambda name: f"sqlite:///{tmp_path / name}.db"
        return
    from pgserver import _new_database

    from loadwatch.store import upgrade_schema

    server = request.getfixturevalue("postgres_server")
    with ExitStack() as stack:

        def new(_name: str) -> str:
            url = stack.enter_context(_new_database(server))
            upgrade_schema(url)
            return url

        yield new


def _shape(outcomes: Sequence[FileOutcome]) -> list[tuple[int, int, bool]]:
    return [(o.inserted, o.merged, o.already_known) for o in outcomes]


def test_a_batch_stores_what_one_file_at_a_time_stores(
    make_url: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    batch_out, batch_rows, alone_out, alone_rows, used = _store_twice(make_url, _batch, monkeypatch)
    assert used == 1  # the batch path did write this batch
    assert _shape(batch_out) == _shape(alone_out) == EXPECTED
    assert batch_out == alone_out
    assert batch_rows == alone_rows
    files = {f[0][0]: f for f in batch_rows["files"]}
    assert files["a"][4] == "duplicate"  # merged only: recorded as a duplicate source
    assert files["3"][4] == "imported" and files["3"][5] is None  # the error row replaced
    assert files["d"][4] == "skipped"
    acts = {
        datetime.fromisoformat(str(a[0])).replace(tzinfo=UTC): a for a in batch_rows["activities"]
    }
    merged = acts[T0 + timedelta(seconds=40)]  # the FIT copy is richer: its values are kept
    assert (merged[6], merged[10], merged[13], merged[17]) == (
        10_300.0,
        150.0,
        "fit",
        "Morning Run",
    )
    strava_filled = acts[T0 + timedelta(days=1)]
    assert (strava_filled[13], strava_filled[17], strava_filled[18]) == ("fit", "Tempo", 6.0)
    hr_filled = acts[T0 + timedelta(days=3)]
    assert (hr_filled[10], hr_filled[11]) == (140.0, 160.0)
    assert "heart rate from the tcx copy of this run" in hr_filled[19]
    assert len(acts) == 3 + 1 + 1 + 2 + 1  # seeded, new, re-read, two legs, long device
    assert len(acts[T0 + timedelta(days=9)][12]) == 100  # device cut to its column
    assert acts[T0 + timedelta(days=60, seconds=30)][13] == "fit"  # merged weeks away
    assert batch_rows["revision"] == 6  # the athlete made, four seeding files, one batch


def test_a_refused_file_in_the_middle_fails_alone(
    make_url: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def items() -> Items:
        broken = _summary(start_utc=T0 + timedelta(days=20))
        broken.sport = None  # type: ignore[assignment]  # NOT NULL on every backend
        batch = _batch()
        return [*batch[:4], (_rec("9"), [broken]), *batch[4:]]

    batch_out, batch_rows, alone_out, alone_rows, used = _store_twice(make_url, items, monkeypatch)
    assert used == 0  # the batch path gave up: every file was stored on its own
    assert batch_out == alone_out
    assert batch_rows == alone_rows
    assert _shape(batch_out) == [*EXPECTED[:4], (0, 0, False), *EXPECTED[4:]]
    assert batch_out[4].error is not None and "refused" in batch_out[4].error
    files = {f[0][0]: f for f in batch_rows["files"]}
    assert files["9"][4] == "error"  # recorded as an error: a later import tries it again


def test_a_batch_repeating_an_unreadable_file_goes_file_by_file(
    make_url: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def items() -> Items:
        return [
            (_rec("h", "error", "cut short"), []),
            (_rec("h"), [_summary(start_utc=T0 + timedelta(days=30))]),
        ]

    batch_out, batch_rows, alone_out, alone_rows, used = _store_twice(make_url, items, monkeypatch)
    assert used == 0
    assert batch_out == alone_out and batch_rows == alone_rows
    assert _shape(batch_out) == [(0, 0, False), (1, 0, False)]
    assert [f[4] for f in batch_rows["files"] if f[0][0] == "h"] == ["imported"]


def test_names_from_an_export_index_fill_only_unnamed_runs_first_name_first(
    make_url: Callable[[str], str],
) -> None:
    store = Store(make_url("names"))
    me = store.athlete()
    runs = [
        _summary(start_utc=T0),
        _summary(start_utc=T0 + timedelta(seconds=100), distance_m=5_000.0),  # another run
        _summary(start_utc=T0 + timedelta(days=1), name="Own name"),
        _summary(start_utc=T0 + timedelta(days=2)),
    ]
    for i, run in enumerate(runs):
        store.add_file(me, _rec(str(i)), [run])
    names = [
        (T0 + timedelta(seconds=50), "First"),  # within 2 min of the first two runs
        (T0 + timedelta(seconds=100), "Second"),  # both already named by then
        (T0 + timedelta(days=1), "Index name"),  # the run has its own name
        (T0 + timedelta(days=2, minutes=3), "Too far"),
    ]
    before = len(store.audit())
    assert store.name_activities(me, names) == 2
    got = [(a.start_utc, a.name) for a in store.activity_rows()]
    assert got == [
        (T0, "First"),
        (T0 + timedelta(seconds=100), "First"),
        (T0 + timedelta(days=1), "Own name"),
        (T0 + timedelta(days=2), None),
    ]
    assert [(e.action, e.what) for e in store.audit()[before:]] == [("change", "name")]
    assert store.name_activities(me, names) == 0
    store.close()
