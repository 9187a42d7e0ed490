"""The store on PostgreSQL: the failure modes that differ from SQLite behave the same.

Runs against a throwaway server (tests/pgserver.py); in CI a missing server fails.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text
from test_import_failures import ROOT, SAMPLES, _assert_long_text_batch, _summary

from loadwatch.store import FileRecord, Store


def test_over_long_strings_never_stop_a_batch(postgres_db: str, tmp_path: Path) -> None:
    _assert_long_text_batch(postgres_db, tmp_path)


def test_a_database_error_rolls_back_that_file_only(postgres_db: str) -> None:
    store = Store(postgres_db)
    me = store.athlete()
    good = FileRecord("a" * 64, "good.fit", 10, "fit", "imported")
    bad = FileRecord("b" * 64, "bad.fit", 10, "fit", "imported")
    broken = _summary(start_utc=datetime(2026, 4, 10, 7, tzinfo=UTC))
    broken.local_date = "not a date"  # type: ignore[assignment]  # PostgreSQL refuses it
    later = _summary(start_utc=datetime(2026, 4, 12, 7, tzinfo=UTC))
    outcomes = store.add_files(me, [(bad, [broken]), (good, [later])])
    assert outcomes[0].error is not None and "\n" not in outcomes[0].error
    assert "INSERT" not in outcomes[0].error and "not a date" not in outcomes[0].error
    assert outcomes[1].inserted == 1
    assert store.counts()["activities"] == 1


def test_concurrent_set_up_and_imports_give_exact_counts(postgres_db: str, tmp_path: Path) -> None:
    folder = SAMPLES / "alex"
    args = [sys.executable, "-m", "loadwatch", "import", str(folder), "--db", postgres_db,
            "--athlete", "Alex", "--json", "--workers", "1", "--no-keep-originals"]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LOADWATCH_HOME": str(tmp_path)}
    procs = [
        subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    reports = []
    for p in procs:
        out, err = p.communicate(timeout=900)
        assert p.returncode == 0, err
        reports.append(json.loads(out))
    n = len(list(folder.glob("*.fit")))
    assert sum(r["activities_added"] for r in reports) == n
    engine = create_engine(postgres_db)
    with engine.connect() as conn:
        files = conn.execute(text("SELECT count(*) FROM source_files")).scalar_one()
        acts = conn.execute(text("SELECT count(*) FROM activities")).scalar_one()
    engine.dispose()
    assert (files, acts) == (n, n)
