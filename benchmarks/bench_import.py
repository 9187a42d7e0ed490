"""Importing a Garmin export and a GPX export, against decoder loops and the floor.

Run: ``python benchmarks/bench_import.py [--runs 1000] [--large 5000] [--gpx 200]
[--sample 30] [--repeats 3] [--no-loops]``. Measures the importer as it is
(``--no-loops`` skips the slow decoder loops and their verdicts).

Inputs (built once into ``benchmarks/out/``, fixed seeds): a Garmin Connect
export of ``--runs`` distinct one-hour 1 Hz runs over five years, laid out as
Garmin does (a nested ``UploadedFiles_*.zip`` plus ``summarizedActivities.json``);
the same FIT files in a folder for the decoder loops; a "re-downloaded" export
(the same members in a new archive: other order, other archive bytes); a
Strava-like export of ``--gpx`` GPX files.

Every figure is CPU seconds (user + system; for a command, of its whole process
tree, from ``getrusage(RUSAGE_CHILDREN)``) and wall seconds, min and median of
``--repeats`` (>= 3) runs:

- floor: read, inflate and sha256 every member of the export (what any import must do);
- decoder loops (full decode of each file, one after another): fitparse,
  fitdecode and garmin-fit-sdk, timed on a documented sample (every
  (runs / sample)-th file, ``--sample`` files) and scaled to all files;
- ``loadwatch import`` of the export into a fresh store (the parent process's
  share of the tree's CPU sampled with psutil; peak resident memory summed
  over the tree); again on the identical archive; the re-downloaded archive;
  start-up (``loadwatch import`` of an empty folder);
- the GPX export: ``loadwatch import`` against a gpxpy loop (sample) and its floor, and
  loadwatch's GPX reader alone on the same sample, by its byte scan and by the lxml tree;
- ``--large``: the same import at that many runs, for linearity.

Ends with one verdict line per goal of the issue "Speed where users wait" (1-3).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

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


class TreeSampler:
    """Peak resident memory (sum over a process and its children) and CPU time."""

    def __init__(self, pid: int) -> None:
        self.proc = psutil.Process(pid)
        self.peak = 0
        self.cpu = 0.0
        self.parent_cpu = 0.0
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
            self.parent_cpu = cpu_by_pid.get(self.proc.pid, self.parent_cpu)
            time.sleep(0.02)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def build_redownloaded(export: Path) -> Path:
    """The same members in a new archive (reversed order), as a second download gives."""
    again = export.with_name(export.stem + "_redownloaded.zip")
    if again.exists():
        return again
    with zipfile.ZipFile(export) as src, zipfile.ZipFile(again, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in reversed(src.infolist()):
            data = src.read(info)
            if info.filename.endswith(".zip"):
                inner_out = io.BytesIO()
                with (
                    zipfile.ZipFile(io.BytesIO(data)) as zin,
                    zipfile.ZipFile(inner_out, "w", zipfile.ZIP_DEFLATED) as zout,
                ):
                    for member in reversed(zin.infolist()):
                        zout.writestr(member.filename, zin.read(member))
                data = inner_out.getvalue()
            dst.writestr(info.filename, data)
    return again


def _members(archive: Path) -> Iterator[bytes]:
    """Every member's bytes, nested zips opened in place."""

    def walk(zf: zipfile.ZipFile) -> Iterator[bytes]:
        for info in zf.infolist():
            data = zf.read(info)
            if info.filename.lower().endswith(".zip"):
                with zipfile.ZipFile(io.BytesIO(data)) as inner:
                    yield from walk(inner)
            else:
                yield data

    with zipfile.ZipFile(archive) as zf:
        yield from walk(zf)


def floor(archive: Path) -> int:
    """Read, inflate and sha256 every member: the least any import does."""
    n = 0
    for data in _members(archive):
        hashlib.sha256(data).digest()
        n += 1
    return n


def sample_files(folder: Path, k: int) -> list[Path]:
    files = sorted(folder.iterdir())
    step = max(1, len(files) // k)
    return files[::step][:k]


def fitparse_loop(files: list[Path]) -> None:
    import fitparse

    for path in files:
        fit = fitparse.FitFile(str(path))
        fit.parse()


def fitdecode_loop(files: list[Path]) -> None:
    import fitdecode

    for path in files:
        with fitdecode.FitReader(str(path)) as reader:
            for _frame in reader:
                pass


def garmin_sdk_loop(files: list[Path]) -> None:
    from garmin_fit_sdk import Decoder, Stream

    for path in files:
        _messages, errors = Decoder(Stream.from_file(str(path))).read()
        if errors:
            raise RuntimeError(f"{path.name}: {errors}")


def gpxpy_loop(files: list[bytes]) -> None:
    import gpxpy

    for data in files:
        gpxpy.parse(data.decode("utf-8"))


def gpx_reader_loop(files: list[bytes], parser: str) -> None:
    """loadwatch's GPX reader alone, in this process: ``"auto"`` (the byte scan, as
    imports use it) or ``"tree"`` (the lxml tree walk the scan stands in for)."""
    from loadwatch.ingest.gpx import read_gpx

    for data in files:
        read_gpx(data, "bench.gpx", parser=parser)  # type: ignore[arg-type]


def timed(fn: Callable[[], object], repeats: int) -> tuple[list[float], list[float]]:
    """CPU and wall seconds of ``repeats`` calls in this process."""
    cpu, wall = [], []
    for _ in range(repeats):
        c, w = time.process_time(), time.perf_counter()
        fn()
        cpu.append(time.process_time() - c)
        wall.append(time.perf_counter() - w)
    return cpu, wall


def run_command(cmd: list[str], env: dict[str, str]) -> dict[str, Any]:
    """One whole command: CPU of its process tree, wall, parent share, peak memory."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    sampler = TreeSampler(proc.pid)
    out, err = proc.communicate()
    wall = time.perf_counter() - t0
    sampler.stop()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd[2:4])} failed ({proc.returncode}): {err.decode()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {
        "cpu": cpu,
        "wall": wall,
        "parent_cpu": sampler.parent_cpu,
        "peak": sampler.peak,
        "report": json.loads(out) if out.strip().startswith(b"{") else None,
    }


def import_cmd(paths: list[Path], db: Path) -> tuple[list[str], dict[str, str]]:
    cmd = [sys.executable, "-m", "loadwatch", "import", *map(str, paths), "--db", str(db), "--json"]
    env = {**os.environ, "LOADWATCH_HOME": str(db.parent / "home")}
    return cmd, env


def repeat_import(
    archive: Path, repeats: int, *, again: Path | None = None
) -> list[dict[str, Any]]:
    """Fresh-store imports of ``archive`` (or, with ``again``, imports of ``again``
    into a store that already holds ``archive``)."""
    runs = []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "bench.db"
            if again is not None:
                run_command(*import_cmd([archive], db))
            runs.append(run_command(*import_cmd([again or archive], db)))
    return runs


def _fmt(label: str, cpu: list[float], wall: list[float], extra: str = "") -> str:
    return (
        f"{label:46} CPU s {min(cpu):7.2f} {statistics.median(cpu):7.2f}"
        f" | wall s {min(wall):7.2f} {statistics.median(wall):7.2f}{extra}"
    )


def _med(runs: list[dict[str, Any]], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--runs", type=int, default=1000, help="runs in the Garmin export")
    ap.add_argument("--large", type=int, default=0, help="also import an export of this many runs")
    ap.add_argument("--gpx", type=int, default=200, help="GPX files in the Strava-like export")
    ap.add_argument("--sample", type=int, default=30, help="files per decoder-loop sample")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument(
        "--no-loops",
        action="store_true",
        help="skip the decoder loops (slow); their goals are then not judged",
    )
    args = ap.parse_args()
    if args.repeats < 3:
        ap.error("--repeats must be at least 3")
    n, r = args.runs, args.repeats
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print("columns: min and median of", r, "runs")
    export, folder = build_garmin_export(n)
    redownloaded = build_redownloaded(export)
    print(
        f"input: Garmin-shaped export, {n} one-hour 1 Hz runs, {export.stat().st_size / 1e6:.1f} MB"
    )

    fl = timed(lambda: floor(export), r)
    print(_fmt("floor: read + inflate + sha256 every member", *fl))
    files = sample_files(folder, args.sample)
    scale = n / len(files)
    loops: dict[str, float] = {}
    for name, loop in (
        ("fitparse", fitparse_loop),
        ("fitdecode", fitdecode_loop),
        ("garmin-fit-sdk", garmin_sdk_loop),
    ):
        if args.no_loops:
            break
        cpu, wall = timed(lambda loop=loop: loop(files), r)
        cpu, wall = [c * scale for c in cpu], [w * scale for w in wall]
        loops[name] = statistics.median(cpu)
        print(_fmt(f"{name} loop (sample of {len(files)}, x{scale:.1f})", cpu, wall))

    with tempfile.TemporaryDirectory() as tmp:
        empty = Path(tmp) / "empty"
        empty.mkdir()
        start = [run_command(*import_cmd([empty], Path(tmp) / f"s{i}.db")) for i in range(r)]
    print(_fmt("start-up: loadwatch import of an empty folder", *_cols(start)))
    first = repeat_import(export, r)
    for run in first:
        assert run["report"]["activities_added"] == n, run["report"]
    share = statistics.median(x["parent_cpu"] / x["cpu"] for x in first)
    peak = max(x["peak"] for x in first)
    print(
        _fmt("loadwatch import (fresh store)", *_cols(first))
        + f" | parent {share:.0%} of CPU | peak {peak / 1e6:.0f} MB"
    )
    same = repeat_import(export, r, again=export)
    print(_fmt("re-import, identical archive", *_cols(same)))
    redo = repeat_import(export, r, again=redownloaded)
    for run in redo:
        assert run["report"]["activities_added"] == 0, run["report"]
    print(_fmt("re-import, re-downloaded archive", *_cols(redo)))

    large_ratio = None
    if args.large:
        big_export, _ = build_garmin_export(args.large)
        big = repeat_import(big_export, r)
        print(_fmt(f"loadwatch import of {args.large} runs", *_cols(big)))
        large_ratio = _med(big, "cpu") / _med(first, "cpu") / (args.large / n)

    gpx_export = build_strava_gpx_export(args.gpx)
    gpx_members = [d for d in _members(gpx_export) if d.lstrip().startswith(b"<")]
    gfl = timed(lambda: floor(gpx_export), r)
    print(f"input: Strava-like export, {args.gpx} one-hour 1 Hz GPX files")
    print(_fmt("GPX floor: read + inflate + sha256", *gfl))
    g_sample = gpx_members[:: max(1, len(gpx_members) // args.sample)][: args.sample]
    g_scale = len(gpx_members) / len(g_sample)
    gcpu, gwall = timed(lambda: gpxpy_loop(g_sample), r)
    gcpu, gwall = [c * g_scale for c in gcpu], [w * g_scale for w in gwall]
    print(_fmt(f"gpxpy loop (sample of {len(g_sample)}, x{g_scale:.1f})", gcpu, gwall))
    for parser in ("auto", "tree"):  # the measurement behind the hand-written byte scan
        rcpu, rwall = timed(lambda parser=parser: gpx_reader_loop(g_sample, parser), r)
        rcpu, rwall = [c * g_scale for c in rcpu], [w * g_scale for w in rwall]
        label = f"GPX reader, {'byte scan' if parser == 'auto' else 'lxml tree'} (same sample)"
        print(_fmt(label, rcpu, rwall))
    gpx_runs = repeat_import(gpx_export, r)
    print(_fmt("loadwatch import of the GPX export", *_cols(gpx_runs)))

    imp = _med(first, "cpu")
    floor_cpu = statistics.median(fl[0])
    print()
    above = imp - _med(start, "cpu")
    print(f"import above start-up: {above:.2f} CPU s = {above / floor_cpu:.1f}x the floor")
    print(
        f"ratios (CPU medians): import / floor {imp / floor_cpu:.1f}x; "
        + ", ".join(f"{k} / import {v / imp:.0f}x" for k, v in loops.items())
    )
    goals = [("1 import <= 3x floor", imp / floor_cpu <= 3, f"{imp / floor_cpu:.1f}x")]
    for name, times in (("fitparse", 100), ("fitdecode", 60), ("garmin-fit-sdk", 40)):
        if name in loops:
            ratio = loops[name] / imp
            goals.append((f"1 >= {times}x {name}", ratio >= times, f"{ratio:.0f}x"))
    goals += [
        ("1 parent < 35% of CPU", share < 0.35, f"{share:.0%}"),
        ("1 peak memory < 250 MB", peak < 250e6, f"{peak / 1e6:.0f} MB"),
        (
            "2 re-downloaded <= 1.5x floor",
            _med(redo, "cpu") <= 1.5 * floor_cpu,
            f"{_med(redo, 'cpu') / floor_cpu:.1f}x",
        ),
        (
            "2 identical <= start-up + 0.3 s",
            _med(same, "cpu") <= _med(start, "cpu") + 0.3,
            f"{_med(same, 'cpu') - _med(start, 'cpu'):+.2f} s",
        ),
        (
            "3 GPX <= 10x its floor",
            _med(gpx_runs, "cpu") <= 10 * statistics.median(gfl[0]),
            f"{_med(gpx_runs, 'cpu') / statistics.median(gfl[0]):.1f}x",
        ),
    ]
    if large_ratio is not None:
        goals.append(("1 linear to --large", large_ratio <= 1.15, f"{large_ratio:.2f} per run"))
    for label, ok, value in goals:
        print(f"goal {label}: {'met' if ok else 'MISSED'} ({value})")


def _cols(runs: list[dict[str, Any]]) -> tuple[list[float], list[float]]:
    return [x["cpu"] for x in runs], [x["wall"] for x in runs]


if __name__ == "__main__":
    main()
