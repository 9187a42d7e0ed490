"""Failure modes of an import: slow files, impossible activities, interrupts, concurrency.

Each test drives the real import path; interrupts and concurrent imports run
the CLI in child processes, as a user or a service manager would.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from loadwatch import importer as importer_module
from loadwatch.cli import cli
from loadwatch.errors import ActivityFileError
from loadwatch.ingest.budget import ReadTimeout, time_budget
from loadwatch.ingest.limits import Limits
from loadwatch.model import ActivitySummary
from loadwatch.plausibility import implausibility
from loadwatch.store import Store, sweep_stale_temp, write_original

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_activities"


def _env(**extra: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), **extra}
    env.pop("LOADWATCH_DB", None)
    return env


# ------------------------------------------------------------------ time budget
def test_the_budget_stops_a_pure_python_loop() -> None:
    started = time.process_time()
    with (
        pytest.raises(ReadTimeout, match=r"more than 0\.2 s of CPU time") as err,
        time_budget(0.2, "spin.fit"),
    ):
        while True:
            pass
    assert err.value.path == "spin.fit"
    assert time.process_time() - started < 0.5


def test_the_budget_is_quiet_when_the_work_is_done_in_time() -> None:
    with time_budget(5.0, "quick.fit"):
        total = sum(range(1000))
    assert total == 499500
    time.sleep(0.01)  # a timer left armed would fire later, here or in another test


def test_a_file_over_budget_is_a_named_error_and_the_batch_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_reader = importer_module.read_activity_bytes

    def reader(data: bytes, name: str, sha256: str | None = None):  # type: ignore[no-untyped-def]
        if "slow" in name:
            while True:  # the worst decoder imaginable
                pass
        return real_reader(data, name, sha256)

    monkeypatch.setattr(importer_module, "read_activity_bytes", reader)
    fit = SAMPLES / "alex" / "2026-07-26-08-48-23.fit"
    (tmp_path / "in").mkdir()
    shutil.copy(fit, tmp_path / "in" / "slow.fit")
    shutil.copy(SAMPLES / "alex" / "2026-07-28-06-45-48.fit", tmp_path / "in" / "good.fit")
    store = Store(f"sqlite:///{tmp_path / 'x.db'}")
    limits = Limits(file_seconds=0.3, seconds_per_mb=0)
    report = importer_module.import_paths(store, [tmp_path / "in"], workers=1, limits=limits)
    assert report.activities_added == 1
    [error] = report.errors
    assert error["path"].endswith("slow.fit")
    assert "budget" in error["error"]


# --------------------------------------------------------------- plausibility
def _summary(**values: object) -> ActivitySummary:
    base: dict[str, object] = dict(
        sport="running",
        start_utc=datetime(2026, 3, 1, 7, tzinfo=UTC),
        distance_m=10_000.0,
        timer_s=3000.0,
        elapsed_s=3100.0,
        source_format="fit",
        utc_offset_s=0,
    )
    return ActivitySummary(**{**base, **values})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({}, None),
        ({"distance_m": 42_195.0, "timer_s": 7_235.0, "elapsed_s": 7_235.0}, None),  # 2:00:35
        ({"distance_m": 12_000_000.0}, "distance 12,000.0 km is over 500 km"),
        ({"timer_s": 4000.0, "elapsed_s": 3000.0}, "moving time 4,000 s is longer than"),
        ({"timer_s": 1200.0, "elapsed_s": 1200.0}, "average speed 30.0 km/h is over 25.2"),
        ({"distance_m": float("nan")}, "distance is nan, not a measurement"),
        ({"elapsed_s": 8 * 86400.0}, "elapsed time 192.0 h is over 168 h"),
        ({"sport": "cycling", "timer_s": 1200.0, "elapsed_s": 1200.0}, None),  # 30 km/h ride
        ({"start_utc": datetime(2099, 1, 1, tzinfo=UTC)}, "starts 2099-01-01, in the future"),
    ],
)
def test_plausibility_bounds(values: dict[str, object], expected: str | None) -> None:
    reason = implausibility(_summary(**values), now=datetime(2026, 6, 1, tzinfo=UTC))
    if expected is None:
        assert reason is None
    else:
        assert reason is not None and reason.startswith(expected)


GPX_FAST = """<?xml version="1.0"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">
<trk><type>running</type><trkseg>
{points}
</trkseg></trk></gpx>
"""


def _fast_gpx(path: Path, km_per_minute: float, minutes: int, day: int) -> None:
    """A straight line north from Brisbane covering ``km_per_minute`` each minute."""
    deg_per_km = 1 / 111.2
    points = "\n".join(
        f'<trkpt lat="{-27.4 + i * km_per_minute * deg_per_km:.6f}" lon="153.0">'
        f"<time>2026-02-{day:02d}T20:{i:02d}:00Z</time></trkpt>"
        for i in range(minutes + 1)
    )
    path.write_text(GPX_FAST.format(points=points))


def test_an_implausible_run_is_stored_flagged_listed_and_not_load_until_accepted(
    tmp_path: Path,
) -> None:
    db = str(tmp_path / "p.db")
    _fast_gpx(tmp_path / "ok.gpx", 0.2, 50, day=2)  # 10 km in 50 minutes
    _fast_gpx(tmp_path / "car.gpx", 1.0, 30, day=3)  # 30 km in 30 minutes "running"
    runner = CliRunner()
    out = runner.invoke(cli, ["import", str(tmp_path), "--db", db, "--json"])
    assert out.exit_code == 0, out.output
    report = json.loads(out.output)
    assert report["activities_added"] == 2
    [flag] = report["implausible"]
    assert flag["path"].endswith("car.gpx") and "average speed" in flag["reason"]

    listed = json.loads(runner.invoke(cli, ["activities", "--db", db, "--format", "json"]).output)
    flagged = [r for r in listed if r["implausible"]]
    assert len(listed) == 2 and len(flagged) == 1 and flagged[0]["accepted"] is False
    wide = {"COLUMNS": "400"}
    table = runner.invoke(cli, ["activities", "--db", db], env=wide).output
    assert "not counted: average speed" in table

    store = Store(f"sqlite:///{db}")
    counted = store.activities_frame()
    assert len(counted) == 1 and round(counted["distance_m"].iloc[0] / 1000) == 10

    accepted = runner.invoke(cli, ["activities", "accept", str(flagged[0]["id"]), "--db", db])
    assert accepted.exit_code == 0 and "now counts as load" in accepted.output
    assert len(store.activities_frame()) == 2
    table = runner.invoke(cli, ["activities", "--db", db], env=wide).output
    assert "accepted: average speed" in table


# ---------------------------------------------------------------- clean stops
def _copies(folder: Path, n: int) -> Path:
    """``n`` distinct FIT files (the sample runs, each copy with a different trailing byte)."""
    folder.mkdir()
    fits = sorted((SAMPLES / "alex").glob("*.fit")) + sorted((SAMPLES / "sam").glob("*.fit"))
    for i in range(n):
        src = fits[i % len(fits)]
        (folder / f"{i:04d}-{src.name}").write_bytes(src.read_bytes() + bytes([i // len(fits)]))
    return folder


def _rows(db: Path) -> tuple[int, int, int]:
    """(source files, activities, activities without a source) straight from SQLite."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        files = conn.execute("SELECT count(*) FROM source_files").fetchone()[0]
        acts = conn.execute("SELECT count(*) FROM activities").fetchone()[0]
        orphans = conn.execute(
            "SELECT count(*) FROM activities a WHERE NOT EXISTS "
            "(SELECT 1 FROM activity_sources s WHERE s.activity_id = a.id)"
        ).fetchone()[0]
    return files, acts, orphans


@pytest.mark.slow
@pytest.mark.parametrize("how", ["SIGTERM", "SIGINT", "Ctrl-C"])
def test_an_interrupt_stops_the_import_within_2_s_and_a_rerun_finishes(
    tmp_path: Path, how: str
) -> None:
    folder = _copies(tmp_path / "in", 150)
    db = tmp_path / "i.db"
    args = [sys.executable, "-m", "loadwatch", "import", str(folder), "--db", str(db)]
    args += ["--workers", "2"]
    proc = subprocess.Popen(
        args,
        env=_env(LOADWATCH_HOME=str(tmp_path / "home")),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if _rows(db)[0] >= 10:  # workers busy, batches being stored
                break
        except sqlite3.OperationalError:  # not created yet
            pass
        time.sleep(0.05)
    assert proc.poll() is None, "the import ended before it could be interrupted"
    sent = time.monotonic()
    if how == "Ctrl-C":  # a terminal sends SIGINT to the whole foreground group
        os.killpg(proc.pid, signal.SIGINT)
    else:  # kill, a service manager, a container stop: the main process alone
        os.kill(proc.pid, getattr(signal, how))
    out, err = proc.communicate(timeout=30)
    took = time.monotonic() - sent
    assert proc.returncode == 130, (out, err)
    assert took < 2.0, took
    assert "Interrupted" in err and "Run the same command again" in err
    assert "Import summary" in out
    files, acts, orphans = _rows(db)
    print(f"{how}: stopped in {took:.2f} s with {files} files stored")
    assert 0 < files < 150 and orphans == 0
    assert not list((tmp_path / "home").rglob("*.tmp"))

    again = subprocess.run(
        [*args, "--json"], env=_env(LOADWATCH_HOME=str(tmp_path / "home")), capture_output=True
    )
    assert again.returncode == 0, again.stderr
    files, acts, orphans = _rows(db)
    assert files == 150 and orphans == 0
    # every copy of one sample run is one activity: distinct runs only
    assert acts == len(set(p.name.split("-", 1)[1] for p in folder.iterdir()))


# ---------------------------------------------------------------- concurrency
@pytest.mark.slow
def test_four_concurrent_imports_into_one_new_database_give_exact_counts(tmp_path: Path) -> None:
    """Two imports of each sample athlete's folder, all four at once, into a database
    that does not exist yet: every file stored once, every run once."""
    db = tmp_path / "new" / "c.db"
    expected = json.loads((SAMPLES / "expected.json").read_text())["athletes"]
    jobs = [(a["name"], SAMPLES / a["folder"]) for a in expected.values()] * 2
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "loadwatch",
                "import",
                str(folder),
                "--db",
                str(db),
                "--athlete",
                name,
                "--create",  # each process starts its own athlete on purpose
                "--json",
                "--workers",
                "1",
            ],
            env=_env(LOADWATCH_HOME=str(tmp_path / "home")),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, folder in jobs
    ]
    reports = []
    for p in procs:
        out, err = p.communicate(timeout=900)
        assert p.returncode == 0, err
        reports.append(json.loads(out))
    runs = sum(len(a["runs"]) for a in expected.values())
    files, acts, orphans = _rows(db)
    assert (files, acts, orphans) == (runs, runs, 0)
    for i, a in enumerate(expected.values()):
        pair = (reports[i], reports[i + len(expected)])
        assert sum(r["activities_added"] for r in pair) == len(a["runs"])
        assert sum(r["imported"] + r["unchanged"] for r in pair) == 2 * len(a["runs"])


# ------------------------------------------------------- database and originals
def test_a_database_error_rolls_back_that_file_only(tmp_path: Path) -> None:
    from loadwatch.store import FileRecord

    store = Store(f"sqlite:///{tmp_path / 'e.db'}")
    me = store.athlete()
    good = [
        (
            FileRecord(f"{i:064x}", f"run{i}.fit", 10, "fit", "imported"),
            [_summary(start_utc=datetime(2026, 3, i, 7, tzinfo=UTC))],
        )
        for i in range(1, 4)
    ]
    broken = _summary(start_utc=datetime(2026, 4, 10, 7, tzinfo=UTC))
    broken.sport = None  # type: ignore[assignment]  # violates NOT NULL on every backend
    items = [good[0], (FileRecord("f" * 64, "bad.fit", 10, "fit", "imported"), [broken]), *good[1:]]
    outcomes = store.add_files(me, items)
    assert [o.inserted for o in outcomes] == [1, 0, 1, 1]
    assert outcomes[1].error is not None
    assert "\n" not in outcomes[1].error and "INSERT" not in outcomes[1].error
    assert store.counts()["activities"] == 3
    assert store.known_hashes(me) == {f"{i:064x}" for i in range(1, 4)}  # bad.fit: retried later


def test_originals_are_written_through_a_synced_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (calls.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(
        os, "replace", lambda a, b: (calls.append(f"replace {Path(a).name}"), real_replace(a, b))[1]
    )
    target = write_original(tmp_path, "ab" * 32, b"FIT bytes", "fit")
    assert target.read_bytes() == b"FIT bytes"
    assert calls[0] == "fsync" and calls[1].startswith("replace .") and calls[1].endswith(".tmp")
    assert not list(tmp_path.rglob("*.tmp"))


def test_stale_temporary_originals_are_swept(tmp_path: Path) -> None:
    folder = tmp_path / "ab"
    folder.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = folder / f".{'ab' * 32}.fit.{dead.pid}.tmp"
    mine = folder / f".{'cd' * 32}.fit.{os.getpid()}.tmp"  # an import still writing it
    old_but_alive = folder / f".{'ef' * 32}.fit.{os.getppid()}.tmp"
    for p in (stale, mine, old_but_alive):
        p.write_bytes(b"partial")
    os.utime(old_but_alive, (time.time() - 2 * 86400,) * 2)
    assert sweep_stale_temp(tmp_path) == 2
    assert [p.name for p in folder.iterdir()] == [mine.name]


def test_over_long_text_never_stops_a_batch_on_sqlite(tmp_path: Path) -> None:
    _assert_long_text_batch(f"sqlite:///{tmp_path / 'l.db'}", tmp_path)


def _assert_long_text_batch(url: str, tmp_path: Path) -> None:
    """One GPX with a 308-character <type> and a huge name among 30 good files: all stored."""
    folder = tmp_path / "batch"
    folder.mkdir()
    for day in range(1, 31):
        _fast_gpx(folder / f"run{day:02d}.gpx", 0.2, 30, day=day % 28 + 1)
        text = (folder / f"run{day:02d}.gpx").read_text()
        (folder / f"run{day:02d}.gpx").write_text(text.replace("T20:", f"T{day % 10 + 5:02d}:"))
    odd = (folder / "run01.gpx").read_text()
    odd = odd.replace("<type>running</type>", f"<name>{'N' * 5000}</name><type>{'x' * 308}</type>")
    (folder / "odd.gpx").write_text(odd.replace("2026-02-02", "2026-03-30"))
    store = Store(url)
    report = importer_module.import_paths(store, [folder], workers=1, keep_originals=False)
    assert report.errors == []
    assert report.activities_added == 31
    frame = store.activities_frame(include_implausible=True)
    assert frame["sport"].str.len().max() <= 40  # the 308-character <type> never reaches SQL whole
    longest = max(frame["name"].dropna(), key=len)
    assert len(longest) == 2000 and set(longest) == {"N"}  # 5,000 characters cut to 2,000
    from loadwatch.store import FileRecord

    odd_values = _summary(start_utc=datetime(2026, 5, 1, 7, tzinfo=UTC), sport="x" * 308)
    odd_values.device = "d\x00" * 300  # PostgreSQL cannot store NUL
    [outcome] = store.add_files(
        store.athlete(), [(FileRecord("e" * 64, "n" * 5000, 1, "fit", "imported"), [odd_values])]
    )
    assert outcome.error is None and outcome.inserted == 1
    stored = store.activities_frame(include_implausible=True)
    row = stored[stored["start_utc"].dt.month == 5].iloc[0]
    assert row["sport"] == "x" * 40 and row["device"] == "d" * 100
    with pytest.raises(Exception, match="at most 200 characters"):
        store.athlete("A" * 201)


def test_a_too_long_athlete_name_is_one_line_on_the_cli(tmp_path: Path) -> None:
    gpx = tmp_path / "r.gpx"
    _fast_gpx(gpx, 0.2, 20, day=5)
    out = CliRunner().invoke(cli, ["import", str(gpx), "--db", str(tmp_path / "n.db"),
                                   "--athlete", "A" * 201])  # fmt: skip
    assert out.exit_code != 0
    assert "at most 200 characters" in out.output and "Traceback" not in out.output
    assert ActivityFileError  # the error tree is the one the CLI prints as one line


def test_a_gpx_time_offset_of_99_hours_is_a_named_error() -> None:
    from loadwatch.ingest import read_activity_bytes

    text = (ROOT / "tests" / "data" / "gpx" / "run.gpx").read_text()
    bad = text.replace("Z</time>", "+99:00</time>", 3)
    assert bad != text
    with pytest.raises(ActivityFileError, match="impossible time") as err:
        read_activity_bytes(bad.encode(), "odd.gpx")
    assert err.value.path == "odd.gpx"


def test_a_database_made_before_the_flag_columns_gets_them(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    schema = Path(__file__).resolve().parent / "data" / "schema_0_1_0.sqlite.sql"
    with sqlite3.connect(db) as conn:  # what an older loadwatch created
        conn.executescript(schema.read_text(encoding="utf-8"))
        conn.execute("ALTER TABLE activities DROP COLUMN implausible")
        conn.execute("ALTER TABLE activities DROP COLUMN accepted")
    store = Store(f"sqlite:///{db}")
    assert store.activities_frame().empty
    with sqlite3.connect(db) as conn:
        columns = {row[1] for row in conn.execute("PRAGMA table_info(activities)")}
    assert {"implausible", "accepted"} <= columns
