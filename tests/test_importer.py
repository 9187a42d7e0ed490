"""The importer end to end: exports shaped like Garmin's and Strava's, dedup, damage, crashes."""

from __future__ import annotations

import gzip
import io
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from loadwatch import importer
from loadwatch.importer import import_paths
from loadwatch.store import Store
from loadwatch.synth import synth_run, to_fit, to_gpx

START = datetime(2026, 5, 4, 6, 30, tzinfo=UTC)


def _run(day: int, km: float, seed: int):  # type: ignore[no-untyped-def]
    return synth_run(
        START + timedelta(days=day),
        km,
        utc_offset_s=7200,
        lat=52.52,
        lon=13.40,
        pace_s_per_km=330,
        hr_rest=50,
        hr_max=190,
        seed=seed,
        hz=0.2,
    )


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(f"sqlite:///{tmp_path / 'lw.db'}", originals_dir=tmp_path / "originals")


def _zip_bytes(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _garmin_export(tmp_path: Path, runs: list, *, extra_summary: int = 0) -> Path:  # type: ignore[type-arg]
    """A zip laid out like Garmin's: nested UploadedFiles zip + summarizedActivities.json."""
    uploads = {f"user@example.com_{1000 + i}.fit": to_fit(r) for i, r in enumerate(runs)}
    summaries = [
        {
            "activityId": 9000 + i,
            "name": f"Morning Run {i}",
            "activityType": "running",
            "startTimeGmt": int(r.start_utc.timestamp() * 1000),
            "distance": r.total_distance_m * 100,
        }
        for i, r in enumerate(runs)
    ]
    for j in range(extra_summary):  # listed by Garmin, but no file in the export
        summaries.append(
            {
                "activityId": 9900 + j,
                "name": "Treadmill (no file)",
                "activityType": "treadmill_running",
                "startTimeGmt": int((START - timedelta(days=30 + j)).timestamp() * 1000),
                "distance": 500000,
            }
        )
    outer = {
        "DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip": _zip_bytes(uploads),
        "DI_CONNECT/DI-Connect-Fitness/user@example.com_0_summarizedActivities.json": json.dumps(
            [{"summarizedActivitiesExport": summaries}]
        ).encode(),
        "DI_CONNECT/DI-Connect-Wellness/sleep.json": b"[]",
    }
    path = tmp_path / "garmin_export.zip"
    path.write_bytes(_zip_bytes(outer))
    return path


def test_garmin_export_imports_with_exact_counts(store: Store, tmp_path: Path) -> None:
    runs = [_run(d, 8 + d, seed=d) for d in range(5)]
    export = _garmin_export(tmp_path, runs, extra_summary=1)

    report = import_paths(store, [export], athlete="Sam")

    assert (report.imported, report.activities_added, report.unchanged) == (5, 5, 0)
    assert report.errors == [] and report.skipped == []
    assert [m["ident"] for m in report.missing_from_archive] == ["9900"]
    rows = store.activity_rows("Sam")
    assert [round(a.distance_m / 1000, 2) for a in rows] == [
        round(r.total_distance_m / 1000, 2) for r in runs
    ]
    assert [a.name for a in rows] == [f"Morning Run {i}" for i in range(5)]

    again = import_paths(store, [export], athlete="Sam")
    assert (again.imported, again.unchanged, again.activities_added) == (0, 5, 0)
    assert store.counts()["activities"] == 5


def test_strava_export_imports_with_exact_counts(store: Store, tmp_path: Path) -> None:
    runs = [_run(d, 6 + d, seed=10 + d) for d in range(4)]
    members = {
        "activities/111.fit.gz": gzip.compress(to_fit(runs[0])),
        "activities/222.gpx": to_gpx(runs[1]),
        "activities/333.gpx.gz": gzip.compress(to_gpx(runs[2])),
        "activities/444.FIT": to_fit(runs[3]),
        "profile.csv": b"x",
    }
    csv_rows = [
        "Activity ID,Activity Date,Activity Name,Activity Type,Elapsed Time,Distance,Filename",
        '111,"May 4, 2026, 6:30:00 AM",Easy one,Run,3000,6.0,activities/111.fit.gz',
        '222,"May 5, 2026, 6:30:00 AM",Hills,Run,3000,7.0,activities/222.gpx',
        '333,"May 6, 2026, 6:30:00 AM",Tempo,Run,3000,8.0,activities/333.gpx.gz',
        '444,"May 7, 2026, 6:30:00 AM",Long,Run,3000,9.0,activities/444.FIT',
        '555,"May 8, 2026, 6:30:00 AM",Gone,Run,3000,9.0,activities/555.fit.gz',
        '666,"May 9, 2026, 6:30:00 AM",Manual entry,Run,3000,5.0,',
    ]
    members["activities.csv"] = "\n".join(csv_rows).encode()
    export = tmp_path / "export_123.zip"
    export.write_bytes(_zip_bytes(members))

    report = import_paths(store, [export])

    assert (report.imported, report.activities_added, len(report.errors)) == (4, 4, 0)
    missing = sorted(m["ident"] for m in report.missing_from_archive)
    assert missing == ["666", "activities/555.fit.gz"]
    names = [a.name for a in store.activity_rows("me")]
    assert names == ["Easy one", "Hills", "Tempo", "Long"]
    formats = [a.source_format for a in store.activity_rows("me")]
    assert formats == ["fit", "gpx", "gpx", "fit"]


@pytest.mark.parametrize("order", [("fit", "gpx"), ("gpx", "fit")])
def test_same_run_as_fit_and_gpx_is_one_activity(
    store: Store, tmp_path: Path, order: tuple[str, str]
) -> None:
    run = _run(0, 12.0, seed=3)
    files = {"fit": tmp_path / "watch.fit", "gpx": tmp_path / "strava.gpx"}
    files["fit"].write_bytes(to_fit(run))
    files["gpx"].write_bytes(to_gpx(run))

    first = import_paths(store, [files[order[0]]])
    second = import_paths(store, [files[order[1]]])

    assert (first.activities_added, second.activities_added) == (1, 0)
    assert second.merged_duplicates == 1
    [activity] = store.activity_rows()
    assert activity.source_format == "fit"  # the richer source wins, whatever the order
    sources = store.sources_of(activity.id or 0)
    assert sorted(s["format"] for s in sources) == ["fit", "gpx"]


def test_broken_member_is_named_and_the_rest_imports(store: Store, tmp_path: Path) -> None:
    good = [_run(d, 5 + d, seed=20 + d) for d in range(3)]
    members = {f"run{i}.fit": to_fit(r) for i, r in enumerate(good)}
    members["broken.fit"] = b"\x0e\x10" + b"\x00" * 30  # no FIT signature at all
    members["truncated.fit"] = to_fit(_run(5, 10, seed=30))[:400]  # cut mid-recording
    members["notes.txt"] = b"hello"
    archive = tmp_path / "mixed.zip"
    archive.write_bytes(_zip_bytes(members))

    report = import_paths(store, [archive])

    assert [e["path"] for e in report.errors] == [f"{archive}!broken.fit"]
    assert "FIT" in report.errors[0]["error"]
    # the truncated run is still a run: what was recorded before the damage is kept, flagged
    assert [r["path"] for r in report.recovered] == [f"{archive}!truncated.fit"]
    assert report.activities_added == 4
    assert [a.recovered for a in store.activity_rows()] == [False, False, False, True]


def test_an_archive_with_failures_is_read_again_by_a_newer_loadwatch(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    members = {"good.fit": to_fit(_run(0, 6, seed=50)), "broken.fit": b"\x0e\x10" + b"\x00" * 30}
    archive = tmp_path / "export.zip"
    archive.write_bytes(_zip_bytes(members))
    first = import_paths(store, [archive])
    assert (first.activities_added, len(first.errors)) == (1, 1)

    same = import_paths(store, [archive])  # same loadwatch: the stored report is replayed
    assert (same.unchanged, [e["path"] for e in same.errors]) == (2, [f"{archive}!broken.fit"])

    monkeypatch.setattr(importer, "__version__", "99.0")
    newer = import_paths(store, [archive])  # the broken member is tried again
    assert (newer.unchanged, newer.activities_added, len(newer.errors)) == (1, 0, 1)
    assert store.counts()["activities"] == 1


def test_bad_zip_and_missing_path_are_errors_not_crashes(store: Store, tmp_path: Path) -> None:
    bad = tmp_path / "broken.zip"
    bad.write_bytes(b"PK\x03\x04 this is not really a zip")
    report = import_paths(store, [bad, tmp_path / "nope.fit"])
    assert sorted(e["path"] for e in report.errors) == [str(bad), str(tmp_path / "nope.fit")]
    assert store.counts()["activities"] == 0


def test_same_file_twice_in_one_batch_is_a_duplicate(store: Store, tmp_path: Path) -> None:
    data = to_fit(_run(0, 7, seed=1))
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.fit").write_bytes(data)
    (tmp_path / "a" / "copy of x.FIT.gz").write_bytes(gzip.compress(data))
    report = import_paths(store, [tmp_path / "a"])
    assert (report.imported, report.duplicates, report.activities_added) == (1, 1, 1)


def test_pool_and_inline_decoding_agree(tmp_path: Path) -> None:
    runs = [_run(d, 5 + (d % 7), seed=40 + d) for d in range(20)]
    folder = tmp_path / "runs"
    folder.mkdir()
    for i, r in enumerate(runs):
        (folder / f"{i:02d}.fit").write_bytes(to_fit(r))
    results = []
    for workers in (1, 2):
        s = Store(f"sqlite:///{tmp_path / f'w{workers}.db'}", originals_dir=tmp_path / "o")
        import_paths(s, [folder], workers=workers)
        results.append([(a.start_utc, a.distance_m, a.timer_s) for a in s.activity_rows()])
    assert results[0] == results[1]
    assert len(results[0]) == 20


def test_originals_are_kept_by_hash(store: Store, tmp_path: Path) -> None:
    data = to_fit(_run(0, 7, seed=2))
    path = tmp_path / "x.fit.gz"
    path.write_bytes(gzip.compress(data))
    import_paths(store, [path])
    [activity] = store.activity_rows()
    kept = store.original_path(activity.source_sha256, "fit")
    assert kept.read_bytes() == data


def test_interrupted_import_resumes_without_duplicates(tmp_path: Path) -> None:
    """Kill the CLI mid-import, run it again: exactly the right activities, once each."""
    folder = tmp_path / "runs"
    folder.mkdir()
    n = 200
    for d in range(n):
        (folder / f"{d:03d}.fit").write_bytes(to_fit(_run(d, 5 + d % 9, seed=100 + d)))
    db = tmp_path / "lw.db"
    env = {**os.environ, "LOADWATCH_HOME": str(tmp_path / "home")}
    cmd = [sys.executable, "-m", "loadwatch", "import", str(folder), "--db", str(db), "--json"]
    cmd += ["--workers", "1"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    store = Store(f"sqlite:///{db}")
    deadline = time.monotonic() + 120
    committed = 0
    while time.monotonic() < deadline and proc.poll() is None:
        committed = store.counts()["activities"] if db.exists() else 0
        if committed > 0:
            break
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert committed > 0, "nothing was committed before the kill: the test proved nothing"
    partial = store.counts()
    # the kill landed mid-import: some files are in, not all
    assert 0 < partial["activities"] < n, "the import finished before it could be interrupted"
    assert partial["activities"] == partial["activity_sources"] == partial["source_files"]

    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["imported"] + report["unchanged"] == n
    assert report["unchanged"] == partial["source_files"]
    counts = store.counts()
    assert counts["activities"] == counts["source_files"] == n
    starts = [a.start_utc for a in store.activity_rows()]
    assert len(set(starts)) == n
