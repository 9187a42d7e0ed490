"""Who wrote what: ``created_by`` and the audit log on every write, the acting user,
``loadwatch audit``; and every write of an athlete's data bumps their revision.

Rows are read back with plain SQL (not through the store's own readers) where
the test is about what was stored.
"""

from __future__ import annotations

import inspect as pyinspect
import json
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from loadwatch.errors import ValidationError
from loadwatch.model import ActivitySummary
from loadwatch.store import (
    CalendarPlan,
    FileRecord,
    PainEntry,
    PlannedRun,
    RehabSession,
    Store,
    WellnessDay,
)

ROOT = Path(__file__).resolve().parents[1]
START = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


def _run(k: int, name: str | None = None) -> ActivitySummary:
    return ActivitySummary(
        sport="running",
        start_utc=START + timedelta(days=k),
        distance_m=10000.0 + k,
        timer_s=3000.0,
        elapsed_s=3100.0,
        source_format="fit",
        utc_offset_s=0,
        local_date=(START + timedelta(days=k)).date(),
        source_sha256=f"{k:064x}",
        name=name,
    )


def _sql(store: Store, query: str, **params: object) -> list[tuple[object, ...]]:
    engine = create_engine(store.url)
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(text(query), params)]
    engine.dispose()
    return rows


def _revision(store: Store, athlete: str) -> int:
    rows = _sql(
        store,
        "SELECT r.revision FROM athlete_revisions r JOIN athletes a ON a.id = r.athlete_id"
        " WHERE a.name = :name",
        name=athlete,
    )
    return int(rows[0][0]) if rows else 0


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(f"sqlite:///{tmp_path / 'audit.db'}")
    sam = s.add_athlete("Sam")
    s.add_athlete("Kim")
    s.add_files(sam, [(FileRecord(f"{k:064x}", f"run{k}.fit", 10, "fit", "imported"), [_run(k)])
                      for k in range(3)])  # fmt: skip
    s.add_pain([PainEntry(None, "Sam", date(2026, 3, 2), 3)])
    s.add_plans([PlannedRun(None, "Sam", date(2026, 3, 20), 8000.0, None)])
    s.add_rehab([RehabSession(None, "Sam", date(2026, 3, 2), "bird_dog", 3, 10)])
    s.upsert_wellness([WellnessDay("Sam", date(2026, 3, 2), "self", sleep_quality=3)])
    source = s.calendar_source("Sam", "file", "club.ics")
    s.apply_calendar("Sam", source.id, [CalendarPlan("u1", "", date(2026, 3, 21), 5000.0,
                                                     None, False)], [])  # fmt: skip
    return s


def _activity_id(store: Store, k: int) -> int:
    rows = _sql(store, "SELECT id FROM activities WHERE source_sha256 = :s", s=f"{k:064x}")
    return int(rows[0][0])


def _id(store: Store, table: str) -> int:
    return int(_sql(store, f"SELECT MAX(id) FROM {table}")[0][0])


#: every Store method that writes an athlete's data -> (what it writes, how to call it)
Write = Callable[[Store], object]
WRITES: dict[str, tuple[str | None, Write]] = {
    "athlete": ("athlete", lambda s: s.athlete("Newcomer")),
    "add_athlete": ("athlete", lambda s: s.add_athlete("Sam2")),
    "update_athlete": ("profile", lambda s: s.update_athlete("Sam", hr_max=188.0)),
    "add_file": (
        "import",
        lambda s: s.add_file(
            s.athlete("Sam"), FileRecord("f" * 64, "new.fit", 10, "fit", "imported"), [_run(9)]
        ),
    ),
    "add_files": (
        "import",
        lambda s: s.add_files(
            s.athlete("Sam"), [(FileRecord("e" * 64, "bad.gpx", 3, "gpx", "error", "broken"), [])]
        ),
    ),
    "mark_archive_done": (
        None,
        lambda s: s.mark_archive_done(s.athlete("Sam"), "d" * 64, 5, "x.zip", "garmin", "{}"),
    ),
    "name_activities": ("name", lambda s: s.name_activities(s.athlete("Sam"), [(START, "Easy")])),
    "accept_activity": ("accept", lambda s: s.accept_activity(_activity_id(s, 1))),
    "set_rpe": ("rpe", lambda s: s.set_rpe(_activity_id(s, 2), 6.0)),
    "add_pain": ("pain", lambda s: s.add_pain([PainEntry(None, "Sam", date(2026, 3, 3), 5)])),
    "delete_pain": ("pain", lambda s: s.delete_pain(_id(s, "pain_entries"), "Sam")),
    "add_plans": (
        "plan",
        lambda s: s.add_plans([PlannedRun(None, "Sam", date(2026, 3, 22), 9000.0, None)]),
    ),
    "delete_plan": ("plan", lambda s: s.delete_plan(_id(s, "planned_runs"), "Sam")),
    "upsert_wellness": (
        "wellness",
        lambda s: s.upsert_wellness([WellnessDay("Sam", date(2026, 3, 2), "self", fatigue=4)]),
    ),
    "delete_wellness": ("wellness", lambda s: s.delete_wellness("Sam", date(2026, 3, 2))),
    "add_rehab": (
        "rehab",
        lambda s: s.add_rehab([RehabSession(None, "Sam", date(2026, 3, 3), "bird_dog", 2, 8)]),
    ),
    "delete_rehab": ("rehab", lambda s: s.delete_rehab(_id(s, "rehab_sessions"), "Sam")),
    "set_rehab_plan": ("rehab_plan", lambda s: s.set_rehab_plan("Sam", "bird_dog", 4)),
    "calendar_source": ("calendar", lambda s: s.calendar_source("Sam", "url", "https://x/y.ics")),
    "apply_calendar": (
        "calendar",
        lambda s: s.apply_calendar("Sam", _id(s, "calendar_sources"), [], [_id(s, "planned_runs")]),
    ),
    "delete_calendar_source": (
        "calendar",
        lambda s: s.delete_calendar_source(_id(s, "calendar_sources"), "Sam"),
    ),
    "mark_sync_failed": (None, lambda s: s.mark_sync_failed(_id(s, "calendar_sources"), "404")),
}
#: methods that only read
READS = {
    "activities_frame", "activity_rows", "archive_report", "athlete_versions", "audit",
    "calendar_plans", "calendar_sources", "counts", "known_hashes", "known_zip_members",
    "list_athletes", "list_pain", "list_plans", "list_rehab", "list_wellness", "newest_data_date",
    "original_path", "pain_table", "rehab_plan", "running_table", "sent_notifications",
    "sources_of",
}  # fmt: skip
#: not an athlete's data: the notifier's memory of what it sent (no revision, no audit),
#: files outside the database, and the store object itself
OTHER = {"record_sent", "update_sent", "sweep_stale_temp", "acting_as", "close", "open"}


def test_every_public_store_method_is_classified() -> None:
    public = {n for n, _ in pyinspect.getmembers(Store, callable) if not n.startswith("_")}
    assert public == set(WRITES) | READS | OTHER


@pytest.mark.parametrize("method", sorted(WRITES))
def test_every_write_bumps_the_revision_and_changes_the_version(store: Store, method: str) -> None:
    what, write = WRITES[method]
    athlete = "Newcomer" if method == "athlete" else "Sam2" if method == "add_athlete" else "Sam"
    before = _revision(store, athlete)
    versions = store.athlete_versions()
    audited = len(store.audit())
    write(store.acting_as("coach"))
    assert _revision(store, athlete) > before
    assert store.athlete_versions().get(athlete) != versions.get(athlete)
    assert store.athlete_versions()["Kim"] == versions["Kim"]  # nobody else's
    new = store.audit()[audited:]
    if what is None:  # bookkeeping of an import or a sync: no audit row
        assert new == []
    else:
        assert new, method
        assert {(e.user_name, e.athlete, e.what) for e in new} == {("coach", athlete, what)}


def test_acting_user_is_recorded_in_created_by_and_the_audit_log(store: Store) -> None:
    coach = store.acting_as("coach")
    assert coach.engine is store.engine and store.acting_user is None
    (pain_id,) = coach.add_pain([PainEntry(None, "Kim", date(2026, 3, 4), 6)])
    (local_id,) = store.add_pain([PainEntry(None, "Kim", date(2026, 3, 5), 2)])
    assert _sql(store, "SELECT id, created_by FROM pain_entries WHERE athlete_id = "
                "(SELECT id FROM athletes WHERE name = 'Kim') ORDER BY id") == [
        (pain_id, "coach"), (local_id, None)]  # fmt: skip
    entries = [(e.user_name, e.user, e.action, e.what, e.row_id) for e in store.audit("Kim")]
    assert entries == [
        (None, "local", "add", "athlete", entries[0][4]),
        ("coach", "coach", "add", "pain", pain_id),
        (None, "local", "add", "pain", local_id),
    ]
    # the fixture's rows were written by the local user; now the coach writes one of each
    for table in ("source_files", "planned_runs", "wellness_days", "rehab_sessions",
                  "rehab_plan", "calendar_sources"):  # fmt: skip
        assert set(_sql(store, f"SELECT DISTINCT created_by FROM {table}")) <= {(None,)}, table
    WRITES["add_files"][1](coach)
    WRITES["add_plans"][1](coach)
    WRITES["upsert_wellness"][1](coach)  # an update keeps who created the row
    coach.upsert_wellness([WellnessDay("Sam", date(2026, 3, 9), "self", fatigue=2)])
    WRITES["add_rehab"][1](coach)
    WRITES["set_rehab_plan"][1](coach)
    WRITES["calendar_source"][1](coach)
    for table, want in (
        ("source_files", [None, None, None, "coach"]),
        ("planned_runs", [None, None, "coach"]),
        ("wellness_days", [None, "coach"]),
        ("rehab_sessions", [None, "coach"]),
        ("rehab_plan", ["coach"]),
        ("calendar_sources", [None, "coach"]),
    ):
        got = [r[0] for r in _sql(store, f"SELECT created_by FROM {table} ORDER BY id")]
        assert got == want, table


def test_a_refused_write_leaves_no_audit_row(store: Store) -> None:
    n = len(store.audit())
    with pytest.raises(ValidationError):
        store.acting_as("coach").add_plans(
            [
                PlannedRun(None, "Kim", date(2026, 3, 22), 9000.0, None),
                PlannedRun(None, "Kim", date(2026, 3, 23), -1.0, None),
            ]
        )
    assert len(store.audit()) == n
    with pytest.raises(ValidationError):
        store.delete_pain(99999, "Sam")
    assert len(store.audit()) == n


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("LOADWATCH_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "loadwatch", *args], capture_output=True, text=True, env=env
    )


def test_audit_command_table_and_json(store: Store) -> None:
    store.acting_as("coach").set_rpe(_activity_id(store, 0), 7.0)
    db = store.url.removeprefix("sqlite:///")
    out = _cli("audit", "--athlete", "Sam", "--format", "json", "--db", db)
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert [(r["user"], r["action"], r["what"]) for r in rows] == [
        (None, "add", "athlete"),
        (None, "add", "import"),
        (None, "add", "import"),
        (None, "add", "import"),
        (None, "add", "pain"),
        (None, "add", "plan"),
        (None, "add", "rehab"),
        (None, "add", "wellness"),
        (None, "add", "calendar"),
        (None, "change", "calendar"),
        ("coach", "change", "rpe"),
    ]
    assert {r["athlete"] for r in rows} == {"Sam"}
    assert rows[-1]["row_id"] == _activity_id(store, 0)
    assert set(rows[0]) == {"at_utc", "user", "athlete", "action", "what", "row_id"}
    at = datetime.fromisoformat(rows[-1]["at_utc"])
    assert abs(at - datetime.now(UTC)) < timedelta(minutes=5)
    out = _cli("audit", "--db", db)
    assert out.returncode == 0
    lines = out.stdout.splitlines()
    assert sum(" local " in line for line in lines) == 11  # Sam's 10 and Kim's own row
    assert sum(" coach " in line for line in lines) == 1
    out = _cli("audit", "--athlete", "Nobody", "--db", db)
    assert out.returncode == 2
    assert out.stderr.startswith("Error: no athlete called 'Nobody'")


def test_rehab_routine_changes_are_add_change_delete_and_a_no_op_writes_nothing(
    store: Store,
) -> None:
    n = len(store.audit("Kim"))
    store.set_rehab_plan("Kim", "bird_dog", 3)
    store.set_rehab_plan("Kim", "bird_dog", 5)
    store.set_rehab_plan("Kim", "bird_dog", 0)
    revision = _revision(store, "Kim")
    store.set_rehab_plan("Kim", "bird_dog", 0)  # not in the routine: nothing to remove
    assert _revision(store, "Kim") == revision
    assert [(e.action, e.what) for e in store.audit("Kim")[n:]] == [
        ("add", "rehab_plan"),
        ("change", "rehab_plan"),
        ("delete", "rehab_plan"),
    ]
