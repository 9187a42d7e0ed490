"""Benchmark: importing a whole Garmin export against the naive fitparse loop.

In one run, on this machine:

1. builds (once, cached in benchmarks/out/) a synthetic Garmin Connect export
   of 1,000 distinct one-hour 1 Hz runs over five years, laid out as Garmin
   does (nested ``UploadedFiles_*.zip`` + ``summarizedActivities.json``);
2. times the naive baseline: fitparse, full decode, one file after another
   (how most scripts read a folder of FIT files);
3. times ``loadwatch import export.zip`` (the whole command, start to finish)
   into a fresh store, then again on the unchanged archive;
4. samples the resident memory of the import's whole process tree and
   reports the peak;
5. does the same for a Strava-like export of GPX files (phone recordings),
   reporting files per second and how much of both cores it used.

Prints the figures and the ratio against the baseline. Targets: ratio >= 30,
re-import < 1 s, peak RSS < 300 MB.

    python benchmarks/bench_import.py            # full run (the naive loop takes minutes)
    python benchmarks/bench_import.py --quick    # 200 runs, for a quick look
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psutil

from loadwatch.synth import synth_run, to_fit, to_gpx

OUT = Path(__file__).resolve().parent / "out"


def _runs(n: int, *, seed: int, years: float = 5.0):  # type: ignore[no-untyped-def]
    start = datetime(2021, 1, 4, 6, 0, tzinfo=UTC)
    step = timedelta(days=365.25 * years / n)
    for i in range(n):
        yield synth_run(
            start + i * step,
            10.0 + (i % 5) * 0.4,  # ~one hour at 5:40/km
            utc_offset_s=3600,
            lat=48.14,
            lon=11.58,
            pace_s_per_km=340,
            hr_rest=50,
            hr_max=188,
            seed=seed + i,
            hz=1,
        )


def build_garmin_export(n: int) -> tuple[Path, Path]:
    """The export zip and a folder with the same FIT files (for the naive loop)."""
    export = OUT / f"garmin_export_{n}.zip"
    folder = OUT / f"garmin_fit_{n}"
    if export.exists() and folder.exists() and len(list(folder.iterdir())) == n:
        return export, folder
    OUT.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    summaries = []
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as zf:
        for i, run in enumerate(_runs(n, seed=1000)):
            data = to_fit(run)
            name = f"runner@example.com_{10_000_000 + i}.fit"
            zf.writestr(name, data)
            (folder / name).write_bytes(data)
            summaries.append(
                {
                    "activityId": 5_000_000 + i,
                    "name": run.name,
                    "activityType": "running",
                    "startTimeGmt": int(run.start_utc.timestamp() * 1000),
                    "distance": run.total_distance_m * 100,
                }
            )
    with zipfile.ZipFile(export, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip", inner.getvalue()
        )
        zf.writestr(
            "DI_CONNECT/DI-Connect-Fitness/runner@example.com_0_summarizedActivities.json",
            json.dumps([{"summarizedActivitiesExport": summaries}]),
        )
    return export, folder


def build_strava_gpx_export(n: int) -> Path:
    export = OUT / f"strava_gpx_{n}.zip"
    if export.exists():
        return export
    OUT.mkdir(parents=True, exist_ok=True)
    rows = ["Activity ID,Activity Date,Activity Name,Activity Type,Filename"]
    with zipfile.ZipFile(export, "w", zipfile.ZIP_DEFLATED) as zf:
        for i, run in enumerate(_runs(n, seed=50_000, years=2)):
            zf.writestr(f"activities/{i}.gpx", to_gpx(run))
            rows.append(
                f'{i},"{run.start_utc:%b %d, %Y, %I:%M:%S %p}",Run {i},Run,activities/{i}.gpx'
            )
        zf.writestr("activities.csv", "\n".join(rows))
    return export


def naive_fitparse_loop(folder: Path) -> float:
    import fitparse

    t0 = time.perf_counter()
    total = 0.0
    for path in sorted(folder.iterdir()):
        fit = fitparse.FitFile(str(path))
        fit.parse()
        for msg in fit.get_messages("session"):
            total += msg.get_value("total_distance") or 0.0
    elapsed = time.perf_counter() - t0
    print(f"  naive fitparse loop read {total / 1000:,.0f} km")
    return elapsed


class TreeSampler:
    """Peak resident memory (sum over a process and its children) and CPU time."""

    def __init__(self, pid: int) -> None:
        self.proc = psutil.Process(pid)
        self.peak = 0
        self.cpu = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        cpu_by_pid: dict[int, float] = {}
        while not self._stop.is_set():
            try:
                procs = [self.proc, *self.proc.children(recursive=True)]
                rss = 0
                for p in procs:
                    try:
                        rss += p.memory_info().rss
                        t = p.cpu_times()
                        cpu_by_pid[p.pid] = t.user + t.system
                    except psutil.Error:
                        continue
                self.peak = max(self.peak, rss)
            except psutil.Error:
                break
            self.cpu = sum(cpu_by_pid.values())
            time.sleep(0.02)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def timed_import(archive: Path, db: Path) -> tuple[float, int, float, dict]:  # type: ignore[type-arg]
    cmd = [sys.executable, "-m", "loadwatch", "import", str(archive), "--db", str(db), "--json"]
    env = {**os.environ, "LOADWATCH_HOME": str(db.parent / "home")}
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    sampler = TreeSampler(proc.pid)
    out, err = proc.communicate()
    elapsed = time.perf_counter() - t0
    sampler.stop()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"import failed ({proc.returncode}): {err.decode()}")
    return elapsed, sampler.peak, sampler.cpu, json.loads(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--runs", type=int, default=1000, help="runs in the Garmin export")
    ap.add_argument("--gpx", type=int, default=200, help="GPX files in the Strava-like export")
    ap.add_argument("--quick", action="store_true", help="200 runs and 50 GPX files")
    args = ap.parse_args()
    n, n_gpx = (200, 50) if args.quick else (args.runs, args.gpx)

    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    t0 = time.perf_counter()
    export, folder = build_garmin_export(n)
    size_mb = export.stat().st_size / 1e6
    print(
        f"Garmin-shaped export: {n} one-hour 1 Hz runs, {size_mb:.1f} MB zip "
        f"(built or reused in {time.perf_counter() - t0:.1f} s)"
    )

    naive = naive_fitparse_loop(folder)
    print(f"  naive fitparse loop:      {naive:8.2f} s  ({naive / n * 1000:.0f} ms per file)")

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        first, peak, cpu, report = timed_import(export, db)
        assert report["activities_added"] == n, report
        again, peak2, _, report2 = timed_import(export, db)
        assert report2["unchanged"] == n and report2["activities_added"] == 0, report2
    print(
        f"  loadwatch import:         {first:8.2f} s  ({n / first:,.0f} files/s, "
        f"CPU {cpu:.1f} s = {cpu / first:.2f} cores busy)"
    )
    print(f"  re-import, unchanged:     {again:8.2f} s")
    print(f"  peak RSS (process tree):  {max(peak, peak2) / 1e6:8.0f} MB")
    print(f"RATIO naive/loadwatch = {naive / first:.1f}x   (target >= 30)")
    print(f"RE-IMPORT = {again:.2f} s   (target < 1 s)")
    print(f"PEAK RSS = {max(peak, peak2) / 1e6:.0f} MB   (target < 300 MB)")

    gpx_export = build_strava_gpx_export(n_gpx)
    with tempfile.TemporaryDirectory() as tmp:
        g_time, g_peak, g_cpu, g_report = timed_import(gpx_export, Path(tmp) / "gpx.db")
        assert g_report["activities_added"] == n_gpx, g_report
    print(
        f"GPX export ({n_gpx} one-hour 1 Hz GPX files): {g_time:.2f} s, "
        f"{n_gpx / g_time:.1f} files/s, CPU {g_cpu:.1f} s = {g_cpu / g_time:.2f} cores busy, "
        f"peak RSS {g_peak / 1e6:.0f} MB"
    )


if __name__ == "__main__":
    main()
