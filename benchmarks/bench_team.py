"""A club server under load: gunicorn on PostgreSQL, 20 coaches at once.

Run: ``python benchmarks/bench_team.py [--athletes 200] [--years 3] [--workers 1 4]
[--coaches 20] [--duration 60] [--repeats 3]``. Needs Debian's ``postgresql``
package and the ``server`` extra (gunicorn).

Set-up (once per run, not timed): a throwaway PostgreSQL server on a free
local port, a database upgraded to the current schema and filled with
``--athletes`` x ``--years`` of runs and pain scores (``bench_store``, fixed
seed), one team and one coach account per 10 athletes, and an API token per
coach.

Each repeat starts ``gunicorn dashboards.wsgi:server`` with N sync workers on
127.0.0.1 and lets ``--coaches`` simulated coaches (threads, one keep-alive
connection each) loop for ``--duration`` seconds (at most 100,000 requests
each): the list of their athletes, then the status and the alerts of one of
them, picked at random (``GET /api/v1/athletes``, ``/status``, ``/alerts``
with ``Authorization: Bearer``). Timing starts once the workers' warm-up
is over (under 5 % of a core for 2 s; its CPU and wall time are printed
apart), and the first request of each coach is not counted.

Printed per worker count, min and median over the repeats: requests/s,
p50/p95 latency (ms), CPU seconds of the gunicorn processes per request,
non-200 answers, and resident memory per worker at the end (MB). The
one-worker run is the baseline the four-worker run is compared with.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks"), str(ROOT / "tests")]

import psutil  # noqa: E402
import requests  # noqa: E402
from bench_store import fill_store  # noqa: E402
from pgserver import _bin_dir, _Server  # noqa: E402

from loadwatch.accounts import Accounts  # noqa: E402
from loadwatch.store import Store, upgrade_schema  # noqa: E402

MAX_REQUESTS_PER_COACH = 100_000
ATHLETES_PER_COACH = 10


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def set_up(url: str, athletes_n: int, years: int) -> dict[str, tuple[str, list[str]]]:
    """Fill the database; per coach name, its token and its athletes."""
    upgrade_schema(url)
    store = Store(url)
    fill_store(store, athletes_n, years)
    accounts = Accounts(store)
    names = sorted(a.name for a in store.list_athletes())
    coaches: dict[str, tuple[str, list[str]]] = {}
    for k in range(0, len(names), ATHLETES_PER_COACH):
        team, coach = f"Team {k // ATHLETES_PER_COACH:02d}", f"coach{k // ATHLETES_PER_COACH:02d}"
        accounts.add_team(team)
        accounts.add_user(coach, "coach", f"pw-{coach}-long-enough")
        accounts.assign(team, coach=coach)
        mine = names[k : k + ATHLETES_PER_COACH]
        for athlete in mine:
            accounts.assign(team, athlete=athlete)
        coaches[coach] = (accounts.new_token(coach), mine)
    store.close()
    return coaches


def _wait_ready(base: str, proc: subprocess.Popen[bytes], timeout: float = 120) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with {proc.returncode}")
        try:
            if requests.get(base + "/login", timeout=5).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise SystemExit("gunicorn did not answer in time")


def _cpu(procs: list[psutil.Process]) -> float:
    total = 0.0
    for p in procs:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return total


def _settle(procs: list[psutil.Process], timeout: float = 600) -> float:
    """Wait until the workers' warm-up is over (under 5 % of a core for 2 s); their CPU-s."""
    cpu0 = last = _cpu(procs)
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        time.sleep(2)
        now = _cpu(procs)
        if now - last < 0.1:
            break
        last = now
    return _cpu(procs) - cpu0


def one_run(
    url: str, coaches: dict[str, tuple[str, list[str]]], workers: int, duration: float, seed: int
) -> dict[str, Any]:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "LOADWATCH_DB": url,
        "LOADWATCH_AUTH_MODE": "accounts",
        "LOADWATCH_SECRET_KEY": "bench-" + "x" * 40,
        "LOADWATCH_UPLOAD_DIR": tempfile.mkdtemp(prefix="loadwatch-bench-up-"),
        "PYTHONPATH": str(ROOT),
    }
    cmd = [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}",
           "--timeout", "300", "dashboards.wsgi:server"]  # fmt: skip
    proc = subprocess.Popen(
        cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        t_ready = time.monotonic()
        _wait_ready(base, proc)
        master = psutil.Process(proc.pid)
        procs = [master, *master.children(recursive=True)]
        warm_cpu = _settle(procs)
        warm_wall = time.monotonic() - t_ready
        lock = threading.Lock()
        latencies: list[float] = []
        errors = 0
        start = threading.Barrier(len(coaches) + 1)
        stop_at = [0.0]

        def coach(name: str, token: str, mine: list[str], rng: random.Random) -> None:
            nonlocal errors
            session = requests.Session()
            session.headers["Authorization"] = f"Bearer {token}"
            first = True
            start.wait()
            for _ in range(MAX_REQUESTS_PER_COACH):
                athlete = rng.choice(mine)
                for path in ("/api/v1/athletes", f"/api/v1/athletes/{athlete}/status",
                             f"/api/v1/athletes/{athlete}/alerts"):  # fmt: skip
                    if time.monotonic() >= stop_at[0]:
                        return
                    t0 = time.perf_counter()
                    try:
                        ok = session.get(base + path, timeout=120).status_code == 200
                    except requests.RequestException:
                        ok = False
                    took = time.perf_counter() - t0
                    if first:
                        first = False
                        continue
                    with lock:
                        latencies.append(took)
                        errors += not ok

        threads = [
            threading.Thread(target=coach, args=(n, t, m, random.Random(seed + i)))
            for i, (n, (t, m)) in enumerate(sorted(coaches.items()))
        ]
        for t in threads:
            t.start()
        cpu0 = _cpu(procs)
        t0 = time.monotonic()
        stop_at[0] = t0 + duration
        start.wait()
        for t in threads:
            t.join()
        wall = time.monotonic() - t0
        cpu = _cpu(procs) - cpu0
        rss = [p.memory_info().rss / 2**20 for p in master.children(recursive=True)]
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    n = len(latencies)
    ordered = sorted(latencies)
    return {
        "requests": n,
        "rps": n / wall,
        "p50_ms": 1000 * ordered[n // 2] if n else float("nan"),
        "p95_ms": 1000 * ordered[min(n - 1, int(n * 0.95))] if n else float("nan"),
        "cpu_ms_per_request": 1000 * cpu / n if n else float("nan"),
        "errors": errors,
        "rss_mb_per_worker": max(rss) if rss else float("nan"),
        "warm_up_cpu_s": warm_cpu,
        "warm_up_wall_s": warm_wall,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--athletes", type=int, default=200)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--coaches", type=int, default=20)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if args.repeats < 3:
        parser.error("--repeats must be at least 3 (min and median are reported)")
    bin_dir = _bin_dir()
    if bin_dir is None:
        raise SystemExit("PostgreSQL not found (apt-get install postgresql)")
    server = _Server(bin_dir)
    server.start()
    try:
        url = server.url()
        t0 = time.process_time()
        coaches = set_up(url, args.athletes, args.years)
        coaches = dict(sorted(coaches.items())[: args.coaches])
        print(f"set-up: {args.athletes} athletes x {args.years} years, {len(coaches)} coaches "
              f"({time.process_time() - t0:.1f} CPU-s)")  # fmt: skip
        print(f"{'workers':>7} {'stat':>6} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} "
              f"{'CPU ms/req':>10} {'errors':>6} {'MB/worker':>9} {'warm-up CPU-s':>13} "
              f"{'warm-up s':>9}")  # fmt: skip
        rps_median = {}
        for workers in args.workers:
            runs = [one_run(url, coaches, workers, args.duration, seed=r)
                    for r in range(args.repeats)]  # fmt: skip
            for stat, pick in (("min", min), ("median", statistics.median)):
                row = {k: pick(r[k] for r in runs) for k in runs[0]}
                print(f"{workers:>7} {stat:>6} {row['rps']:>8.1f} {row['p50_ms']:>8.1f} "
                      f"{row['p95_ms']:>8.1f} {row['cpu_ms_per_request']:>10.1f} "
                      f"{row['errors']:>6.0f} {row['rss_mb_per_worker']:>9.0f} "
                      f"{row['warm_up_cpu_s']:>13.1f} {row['warm_up_wall_s']:>9.1f}")  # fmt: skip
            rps_median[workers] = statistics.median(r["rps"] for r in runs)
        if len(rps_median) > 1:
            low = min(rps_median)
            for w, v in rps_median.items():
                if w != low:
                    print(f"{w} workers / {low}: {v / rps_median[low]:.2f}x requests/s (median)")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
