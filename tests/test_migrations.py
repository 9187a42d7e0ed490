"""Schema migrations: a 0.1.0 database upgrades with every row intact (SQLite and PostgreSQL),
a server database is never changed on open, and ``loadwatch db upgrade|current``.

The 0.1.0 database is built from the CREATE statements loadwatch 0.1.0 emitted
(``tests/data/schema_0_1_0.<dialect>.sql``), its rows written and read back
through tables reflected from the database itself: nothing here comes from the
code under test except the upgrade.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import MetaData, create_engine, insert, inspect, select, text

from loadwatch.errors import StoreError
from loadwatch.migrations import HEAD, REVISIONS, upgrade
from loadwatch.store import (
    PainEntry,
    PlannedRun,
    Store,
    metadata,
    schema_revision,
    upgrade_schema,
)

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"

T0 = datetime(2025, 3, 4, 5, 6, 7, 123456)
T1 = datetime(2025, 3, 5, 18, 0, 1)

#: One or two rows for every table of the 0.1.0 schema, every column given a value.
ROWS: dict[str, list[dict[str, Any]]] = {
    "athletes": [
        {"id": 1, "name": "Sam", "created_utc": T0, "tz": "Europe/Berlin", "hr_rest": 48.0,
         "hr_max": 191.0, "sex": "female"},
        {"id": 2, "name": "Alex Ünal", "created_utc": T1, "tz": None, "hr_rest": None,
         "hr_max": None, "sex": None},
    ],
    "source_files": [
        {"id": 10, "athlete_id": 1, "sha256": "a" * 64, "original_name": "Morning Run.fit",
         "size": 123456789012, "format": "fit", "outcome": "imported", "error": None,
         "recovered": False, "imported_utc": T0},
        {"id": 11, "athlete_id": 2, "sha256": "b" * 64, "original_name": "broken.gpx",
         "size": 17, "format": "gpx", "outcome": "error", "error": "not a GPX file",
         "recovered": True, "imported_utc": T1},
    ],
    "activities": [
        {"id": 100, "athlete_id": 1, "sport": "running", "sub_sport": "trail",
         "start_utc": T0, "utc_offset_s": 3600, "offset_source": "file",
         "local_date": date(2025, 3, 4), "distance_m": 12345.5, "timer_s": 3600.25,
         "elapsed_s": 3700.0, "elevation_gain_m": 210.0, "avg_hr": 151.5, "max_hr": 178.0,
         "device": "Forerunner 255", "source_format": "fit", "source_sha256": "a" * 64,
         "session_index": 0, "recovered": False, "name": "Hill reps", "rpe": 7.5,
         "notes": '["clock repaired"]', "channels": "hr gps distance",
         "implausible": "speed 40 km/h", "accepted": True},
    ],
    "activity_sources": [
        {"activity_id": 100, "source_file_id": 10, "session_index": 0, "format": "fit"},
    ],
    "archives": [
        {"id": 5, "athlete_id": 1, "sha256": "c" * 64, "size": 99, "original_name": "export.zip",
         "layout": "garmin", "completed_utc": T1, "report_json": '{"files": 3}'},
    ],
    "pain_entries": [
        {"id": 20, "athlete_id": 1, "date": date(2025, 3, 4), "time": time(7, 30),
         "score": 4, "location": "lower_back", "timing": "after_run", "sleep_h": 6.5,
         "stress": 3, "note": "stiff after the long run", "created_utc": T0},
    ],
    "planned_runs": [
        {"id": 30, "athlete_id": 1, "date": date(2025, 3, 9), "distance_m": 21097.5,
         "note": "half", "created_utc": T0},
        {"id": 31, "athlete_id": 2, "date": date(2025, 3, 10), "distance_m": 8000.0,
         "note": None, "created_utc": T1},
    ],
    "athlete_revisions": [
        {"athlete_id": 1, "revision": 41},
        {"athlete_id": 2, "revision": 3},
    ],
    "wellness_days": [
        {"id": 40, "athlete_id": 1, "date": date(2025, 3, 4), "source": "garmin",
         "sleep_h": 7.25, "sleep_score": 81.0, "sleep_quality": None, "resting_hr": 47.0,
         "hrv_ms": 62.0, "stress_device": 28.0, "body_battery_high": 90.0,
         "stress_self": None, "soreness": None, "fatigue": None, "note": None,
         "created_utc": T0, "updated_utc": T1},
        {"id": 41, "athlete_id": 1, "date": date(2025, 3, 4), "source": "self",
         "sleep_h": 7.0, "sleep_score": None, "sleep_quality": 4, "resting_hr": None,
         "hrv_ms": None, "stress_device": None, "body_battery_high": None,
         "stress_self": 5, "soreness": 2, "fatigue": 6, "note": "travel", "created_utc": T0,
         "updated_utc": T0},
    ],
    "rehab_sessions": [
        {"id": 50, "athlete_id": 1, "date": date(2025, 3, 4), "exercise": "bird_dog",
         "sets": 3, "reps": 10, "seconds": 5, "side": "both", "note": "easy",
         "created_utc": T0},
    ],
    "rehab_plan": [
        {"id": 60, "athlete_id": 1, "exercise": "bird_dog", "per_week": 3, "created_utc": T0},
    ],
    "calendar_sources": [
        {"id": 70, "athlete_id": 1, "kind": "url", "location": "https://cal.example/t.ics",
         "created_utc": T0, "synced_utc": T1, "sync_error": "timed out"},
    ],
    "plan_events": [
        {"plan_id": 30, "athlete_id": 1, "source_id": 70, "uid": "evt-1@example",
         "occurrence": "", "estimated": True},
    ],
    "sent_notifications": [
        {"id": 80, "athlete_id": 1, "kind": "finding", "rule": "spike",
         "first_date": date(2025, 3, 9), "last_date": date(2025, 3, 9), "severity": "high",
         "digest_key": None, "sent_utc": T0, "cleared_utc": T1},
        {"id": 81, "athlete_id": None, "kind": "digest", "rule": None, "first_date": None,
         "last_date": None, "severity": None, "digest_key": "2025-W10", "sent_utc": T1,
         "cleared_utc": None},
    ],
}  # fmt: skip

#: Columns later revisions add to 0.1.0's tables (None for every row from before):
#: 0002 created_by, 0003 source_files.crc32.
ADDED = {"source_files": {"created_by", "crc32"}}
CREATED_BY = {
    "pain_entries",
    "planned_runs",
    "wellness_days",
    "rehab_sessions",
    "rehab_plan",
    "source_files",
    "calendar_sources",
}


def _ddl(dialect: str) -> list[str]:
    body = (DATA / f"schema_0_1_0.{dialect}.sql").read_text(encoding="utf-8")
    lines = [line for line in body.splitlines() if not line.startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


def build_0_1_0(url: str, dialect: str) -> None:
    """A database as loadwatch 0.1.0 left it: its tables, and ROWS in every one."""
    engine = create_engine(url)
    with engine.begin() as conn:
        for statement in _ddl(dialect):
            conn.exec_driver_sql(statement)
        reflected = MetaData()
        reflected.reflect(conn)
        assert set(reflected.tables) == set(ROWS), "a 0.1.0 table has no rows in this test"
        for table in reflected.sorted_tables:
            conn.execute(insert(table), ROWS[table.name])
        if dialect == "postgresql":  # ids were given: move the sequences past them
            for table in reflected.sorted_tables:
                if "id" in table.c and table.c.id.primary_key:
                    conn.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"(SELECT MAX(id) FROM {table.name}))"
                    )
    engine.dispose()


def assert_rows_intact(url: str) -> None:
    engine = create_engine(url)
    with engine.connect() as conn:
        reflected = MetaData()
        reflected.reflect(conn)
        for name, expected in ROWS.items():
            table = reflected.tables[name]
            keys = [c for c in table.primary_key.columns]
            got = [dict(r._mapping) for r in conn.execute(select(table).order_by(*keys))]
            assert len(got) == len(expected), name
            for row, want in zip(got, expected, strict=True):
                assert {k: row[k] for k in want} == want, name
                if name in CREATED_BY:
                    added = ADDED.get(name, {"created_by"})
                    assert all(row[k] is None for k in added), name
                    assert set(row) == {*want, *added}, name
                else:
                    assert set(row) == set(want), name
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD
    engine.dispose()


def assert_schema_is_the_stores(url: str) -> None:
    """The upgraded database has exactly the store's tables, columns and indexes."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    engine = create_engine(url)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
        assert set(inspect(conn).get_table_names()) == {*metadata.tables, "alembic_version"}
    engine.dispose()


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    full.pop("LOADWATCH_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "loadwatch", *args],
        capture_output=True,
        text=True,
        env=full,
        timeout=120,
    )


# ------------------------------------------------------------------ the 0.1.0 schema
@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_revision_0001_is_the_0_1_0_schema(dialect: str) -> None:
    """0001 creates exactly what 0.1.0's create_all created (same statements)."""
    from alembic.script import ScriptDirectory
    from sqlalchemy import create_mock_engine

    from loadwatch.migrations import alembic_config

    first = ScriptDirectory.from_config(alembic_config()).get_revision("0001")  # type: ignore[arg-type]
    assert first is not None
    emitted: list[str] = []
    engine = create_mock_engine(
        "sqlite://" if dialect == "sqlite" else "postgresql+psycopg://",
        lambda sql, *a, **k: emitted.append(str(sql.compile(dialect=engine.dialect)).strip()),
    )
    first.module.schema().create_all(engine, checkfirst=False)
    assert emitted == _ddl(dialect)


def test_revisions_are_the_scripts() -> None:
    from alembic.script import ScriptDirectory

    from loadwatch.migrations import alembic_config

    script = ScriptDirectory.from_config(alembic_config())  # type: ignore[arg-type]
    chain = [r.revision for r in script.walk_revisions()]
    assert tuple(reversed(chain)) == REVISIONS == ("0001", "0002", "0003")
    assert script.get_current_head() == HEAD


# ------------------------------------------------------------------ SQLite
def test_sqlite_0_1_0_database_upgrades_on_open_with_every_row(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    build_0_1_0(url, "sqlite")
    assert schema_revision(url) == "0001"  # tables, no alembic_version yet
    store = Store(url)
    store.close()
    assert_rows_intact(url)
    assert_schema_is_the_stores(url)
    # the store reads the old rows
    store = Store(url)
    (pain,) = store.list_pain("Sam")
    assert (pain.score, pain.note) == (4, "stiff after the long run")
    assert store.athlete_versions()["Sam"] == (("Europe/Berlin", 48.0, 191.0, "female"), 41)
    # and a write after the upgrade carries on from the old ids and revision
    (new_id,) = store.acting_as("coach").add_plans(
        [PlannedRun(None, "Sam", date(2025, 4, 1), 5000.0, None)]
    )
    assert new_id == 32
    assert store.athlete_versions()["Sam"][1] == 42


def test_a_new_sqlite_database_is_made_at_head(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'sub' / 'new.db'}"
    Store(url).close()
    assert schema_revision(url) == HEAD
    assert_schema_is_the_stores(url)


def test_sqlite_from_before_0_1_0_gets_its_missing_columns(tmp_path: Path) -> None:
    """A database older than 0.1.0 (activities without implausible/accepted) is brought to
    0001 first: the nullable columns 0.1.0 added on open are added, then 0002 and 0003."""
    url = f"sqlite:///{tmp_path / 'older.db'}"
    engine = create_engine(url)
    with engine.begin() as conn:
        for statement in _ddl("sqlite"):
            if statement.startswith("CREATE TABLE activities"):
                statement = statement.replace("\timplausible TEXT, \n", "").replace(
                    "\taccepted BOOLEAN, \n", ""
                )
                assert "implausible" not in statement and "accepted" not in statement
            conn.exec_driver_sql(statement)
    engine.dispose()
    Store(url).close()
    assert_schema_is_the_stores(url)


def test_sqlite_at_an_unknown_revision_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    url = f"sqlite:///{path}"
    Store(url).close()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    engine.dispose()
    before = path.read_bytes()
    with pytest.raises(StoreError) as e:
        Store(url)
    assert str(e.value) == (
        "the database schema is at 0099, newer than this loadwatch knows (it needs 0003): "
        "install the loadwatch that made it"
    )
    with pytest.raises(StoreError):
        upgrade_schema(url)
    assert path.read_bytes() == before


def test_processes_opening_a_new_sqlite_database_together_all_succeed(tmp_path: Path) -> None:
    db = tmp_path / "together.db"
    code = "import sys; from loadwatch.store import Store; Store(sys.argv[1]).athlete('me')"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen([sys.executable, "-c", code, f"sqlite:///{db}"], env=env) for _ in range(4)
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0, 0]
    assert schema_revision(f"sqlite:///{db}") == HEAD


# ------------------------------------------------------------------ PostgreSQL
def test_postgres_0_1_0_database_upgrades_with_every_row(postgres_empty_db: str) -> None:
    build_0_1_0(postgres_empty_db, "postgresql")
    out = _cli("db", "current", "--db", postgres_empty_db)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().endswith(
        ": 0001 (this loadwatch needs 0003: run `loadwatch db upgrade`)"
    )
    out = _cli("db", "upgrade", "--db", postgres_empty_db)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().endswith(": upgraded from 0001 to 0003")
    assert_rows_intact(postgres_empty_db)
    assert_schema_is_the_stores(postgres_empty_db)
    store = Store(postgres_empty_db)
    assert [a.name for a in store.list_athletes()] == ["Alex Ünal", "Sam"]
    (new_id,) = store.add_pain([PainEntry(None, "Alex Ünal", date(2025, 4, 1), 2)])
    assert new_id == 21  # the sequence carried on


def test_postgres_old_schema_is_refused_on_open_and_left_unchanged(
    postgres_empty_db: str,
) -> None:
    url = postgres_empty_db
    with pytest.raises(StoreError) as e:
        Store(url)
    assert str(e.value) == (
        "the database schema is empty (no loadwatch tables), this loadwatch needs 0003: "
        "run `loadwatch db upgrade`"
    )
    build_0_1_0(url, "postgresql")
    engine = create_engine(url)
    with engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
    with pytest.raises(StoreError) as e:
        Store(url)
    message = str(e.value)
    assert message == (
        "the database schema is at 0001, this loadwatch needs 0003: run `loadwatch db upgrade`"
    )
    assert "\n" not in message
    with engine.connect() as conn:
        assert set(inspect(conn).get_table_names()) == tables  # no alembic_version, no new table
        columns = {c["name"] for c in inspect(conn).get_columns("pain_entries")}
        assert "created_by" not in columns
    engine.dispose()
    # the command line says the same in one line, exit status 1
    out = _cli("athletes", "--db", url)
    assert out.returncode == 1
    assert out.stderr == f"Error: {message}\n"


def test_concurrent_upgrades_of_an_empty_postgres_database(postgres_empty_db: str) -> None:
    """Four `db upgrade` at once (four workers deploying together): one upgrades, the
    others wait on the lock and find nothing to do; no error."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("LOADWATCH_DB", None)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "loadwatch", "db", "upgrade", "--db", postgres_empty_db],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], outs
    said = sorted(o.strip().split(": ", 1)[1] for o, _ in outs)
    assert said == ["already at 0003, nothing to do"] * 3 + [
        "upgraded from an empty database to 0003"
    ]
    assert_schema_is_the_stores(postgres_empty_db)


def test_db_commands_never_print_the_password(postgres_empty_db: str) -> None:
    # the throwaway server trusts local connections: the password is ignored, not checked
    url = postgres_empty_db.replace("postgres@", "postgres:hunter2secret@")
    for args in (("db", "current"), ("db", "upgrade"), ("db", "current")):
        out = _cli(*args, "--db", url)
        assert out.returncode == 0, out.stderr
        assert "hunter2secret" not in out.stdout + out.stderr
        assert "***" in out.stdout
    assert out.stdout.strip().endswith(": 0003 (current)")


# ------------------------------------------------------------------ the commands
def test_db_current_and_upgrade_on_sqlite(tmp_path: Path) -> None:
    path = tmp_path / "home" / "club.db"
    out = _cli("db", "current", "--db", str(path))
    assert (out.returncode, out.stdout) == (
        0,
        f"sqlite:///{path}: no loadwatch tables yet (`loadwatch db upgrade` creates them)\n",
    )
    assert not path.exists()  # current reads only
    out = _cli("db", "upgrade", "--db", str(path))
    assert (out.returncode, out.stdout) == (
        0,
        f"sqlite:///{path}: upgraded from an empty database to 0003\n",
    )
    out = _cli("db", "upgrade", "--db", str(path))
    assert out.stdout == f"sqlite:///{path}: already at 0003, nothing to do\n"
    out = _cli("db", "current", "--db", str(path))
    assert out.stdout == f"sqlite:///{path}: 0003 (current)\n"


def test_db_upgrade_of_a_0_1_0_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    build_0_1_0(f"sqlite:///{path}", "sqlite")
    out = _cli("db", "upgrade", "--db", str(path))
    assert out.stdout == f"sqlite:///{path}: upgraded from 0001 to 0003\n", out.stderr
    assert_rows_intact(f"sqlite:///{path}")


def test_the_database_named_in_the_config_file_is_used(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[server]\ndb = "data/club.db"\n')
    env = {"LOADWATCH_CONFIG": str(config), "LOADWATCH_HOME": str(tmp_path / "home")}
    out = _cli("db", "upgrade", env=env)
    assert (
        out.stdout
        == f"sqlite:///{tmp_path / 'data' / 'club.db'}: upgraded from an empty database to 0003\n"
    )
    assert (tmp_path / "data" / "club.db").exists()
    assert not (tmp_path / "home").exists()


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_upgrade_runs_inside_the_callers_transaction(
    dialect: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """A failure after the upgrade rolls it back with the rest (one transaction)."""
    from loadwatch.store import _engine

    if dialect == "sqlite":
        url = f"sqlite:///{tmp_path / 'tx.db'}"
    else:
        url = request.getfixturevalue("postgres_empty_db")
    engine = _engine(url)  # the store's engine: SQLite transactions begun by loadwatch
    with pytest.raises(RuntimeError), engine.begin() as conn:
        assert upgrade(conn) == (None, HEAD)
        raise RuntimeError("after the upgrade")
    with engine.connect() as conn:
        assert inspect(conn).get_table_names() == []
    engine.dispose()


def test_an_unreachable_database_is_one_line_without_the_password() -> None:
    url = "postgresql+psycopg://club:hunter2secret@127.0.0.1:1/loadwatch"
    for args, verb in ((("db", "upgrade"), "upgrade"), (("db", "current"), "read"),
                       (("athletes",), "open")):  # fmt: skip
        out = _cli(*args, "--db", url)
        assert out.returncode == 1
        assert out.stderr == (
            f"Error: cannot {verb} the database at "
            "postgresql+psycopg://club:***@127.0.0.1:1/loadwatch: OperationalError\n"
        )


def test_db_current_of_a_0_1_0_sqlite_file_says_it_upgrades_on_open(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    build_0_1_0(f"sqlite:///{path}", "sqlite")
    out = _cli("db", "current", "--db", str(path))
    assert (
        out.stdout
        == f"sqlite:///{path}: 0001 (this loadwatch needs 0003: upgraded when next opened)\n"
    )
    assert _cli("athletes", "--db", str(path)).returncode == 0
    assert _cli("db", "current", "--db", str(path)).stdout == f"sqlite:///{path}: 0003 (current)\n"


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_0002_downgrades_to_the_0_1_0_schema_and_up_again(
    dialect: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    from alembic import command
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from loadwatch.migrations import alembic_config
    from loadwatch.store import _engine

    if dialect == "sqlite":
        url = f"sqlite:///{tmp_path / 'down.db'}"
    else:
        url = request.getfixturevalue("postgres_empty_db")
    build_0_1_0(url, dialect)
    upgrade_schema(url)
    engine = _engine(url)
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0001")
    first = ScriptDirectory.from_config(alembic_config()).get_revision("0001")
    assert first is not None
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), first.module.schema()) == []
    engine.dispose()
    assert schema_revision(url) == "0001"
    upgrade_schema(url)
    assert_rows_intact(url)


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_0003_adds_the_crc_column_and_index_and_downgrades(
    dialect: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    from alembic import command

    from loadwatch.migrations import alembic_config
    from loadwatch.store import _engine

    if dialect == "sqlite":
        url = f"sqlite:///{tmp_path / 'crc.db'}"
    else:
        url = request.getfixturevalue("postgres_empty_db")
    build_0_1_0(url, dialect)
    engine = _engine(url)
    with engine.begin() as conn:
        upgrade(conn, "0002")
    with engine.connect() as conn:
        assert "crc32" not in {c["name"] for c in inspect(conn).get_columns("source_files")}
    with engine.begin() as conn:
        assert upgrade(conn) == ("0002", "0003")
    with engine.connect() as conn:
        found = inspect(conn)
        assert "crc32" in {c["name"] for c in found.get_columns("source_files")}
        indexes = {i["name"]: i["column_names"] for i in found.get_indexes("source_files")}
        assert indexes["ix_source_files_athlete_crc"] == ["athlete_id", "crc32"]
        assert set(conn.execute(text("SELECT crc32 FROM source_files")).scalars()) == {None}
        # CRC-32 values up to 2**32 - 1 fit (an INTEGER column would refuse them)
        conn.execute(text("UPDATE source_files SET crc32 = 4294967295"))
        assert conn.execute(text("SELECT crc32 FROM source_files")).scalar() == 4294967295
        conn.rollback()
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0002")
    with engine.connect() as conn:
        found = inspect(conn)
        assert "crc32" not in {c["name"] for c in found.get_columns("source_files")}
        assert "ix_source_files_athlete_crc" not in {
            i["name"] for i in found.get_indexes("source_files")
        }
    engine.dispose()
    assert schema_revision(url) == "0002"
    upgrade_schema(url)
    assert_rows_intact(url)
    assert_schema_is_the_stores(url)


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_every_revision_from_empty_makes_what_a_new_database_gets(
    dialect: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """A new database is made from the store's tables and stamped at the head without
    Alembic; running 0001, 0002, ... on an empty one must give the same schema."""
    from alembic import command
    from alembic.migration import MigrationContext

    from loadwatch.migrations import alembic_config
    from loadwatch.store import _engine

    if dialect == "sqlite":
        url, fast = f"sqlite:///{tmp_path / 'chain.db'}", f"sqlite:///{tmp_path / 'fast.db'}"
    else:
        url = request.getfixturevalue("postgres_empty_db")
        fast = request.getfixturevalue("postgres_db")  # made by upgrade_schema, the fast way
    engine = _engine(url)
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "head")
    engine.dispose()
    assert_schema_is_the_stores(url)
    if dialect == "sqlite":
        assert upgrade_schema(fast) == (None, HEAD)
    assert_schema_is_the_stores(fast)
    version_tables = []
    for made in (url, fast):
        engine = create_engine(made)
        with engine.connect() as conn:
            assert MigrationContext.configure(conn).get_current_revision() == HEAD
            found = inspect(conn)
            columns = [
                (c["name"], str(c["type"]), c["nullable"])
                for c in found.get_columns("alembic_version")
            ]
            version_tables.append((columns, found.get_pk_constraint("alembic_version")))
        engine.dispose()
    assert version_tables[0] == version_tables[1]  # Alembic's own table, as Alembic makes it
