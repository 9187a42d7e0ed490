"""A dashboard import through a Celery worker against the in-process background manager.

Run: ``python benchmarks/bench_jobs.py [--files 81] [--repeats 3] [--concurrency 1]``.

The same zip (the first ``--files`` FIT files of ``sample_activities/alex``) is
uploaded in 4 MiB chunks through Flask's test client, then the import callback
is started over HTTP and polled every 0.1 s until its result arrives, once per
repeat, each time for a new athlete (so nothing is ``unchanged``):

- **in-process**: no broker; Dash's ``DiskcacheManager`` runs the import in a
  child process of the web process, and the importer decodes with its own
  process pool (one worker per core);
- **celery**: ``LOADWATCH_BROKER_URL`` set; a Redis server (Debian's
  ``redis-server``, started here on a free port) and one ``loadwatch worker``
  process with ``--concurrency`` pool processes; the import runs in a pool
  process (daemonic: the importer decodes in that one process).

Figures: wall seconds from the request that starts the import to the answer
that carries its result, and CPU seconds (user + system) spent meanwhile by
every process involved: this one (and its reaped children: the in-process
job), the worker and its pool processes, the Redis server (read from
``/proc`` through psutil before and after). Medians and min of the repeats.
Start-up of the worker and of Redis is outside the figures.

``--warm-up ATHLETES YEARS`` measures instead what the shared state cache
saves when several web processes start at once (gunicorn's workers): four
processes each run the server's warm-up (the coach table, then the top 20
runner views) on a ``bench_store.py`` store, all started together, once with
each process's own memory cache (no broker) and once through one Redis (the
first computes, the others wait and read). Figures: wall seconds until all four
finished, and their CPU seconds together (reaped children of this process),
medians of ``--repeats``; Redis flushed between repeats.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import psutil  # noqa: E402

from dashboards import ids  # noqa: E402

CHUNK = 4 * 1024 * 1024
TOKEN_BASE = "be4c4"
ORIGIN = {"Origin": "http://localhost"}


def _tree_cpu(pids: list[int]) -> float:
    """CPU seconds of these processes, their live descendants and their reaped children."""
    total = 0.0
    seen: set[int] = set()
    for pid in pids:
        try:
            root = psutil.Process(pid)
            procs = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            continue
        for p in procs:
            if p.pid in seen:
                continue
            seen.add(p.pid)
            try:
                t = p.cpu_times()
            except psutil.NoSuchProcess:
                continue
            total += t.user + t.system + t.children_user + t.children_system
    return total


def _self_cpu() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _dash_config(client: Any) -> dict[str, Any]:
    page = client.get("/").get_data(as_text=True)
    found = re.search(r'<script id="_dash-config" type="application/json">(.*?)</script>', page)
    assert found, "no Dash config in the page"
    return dict(json.loads(found.group(1)))


def _import_body(app: Any, upload: dict[str, Any], athlete: str) -> dict[str, Any]:
    key, spec = next(
        (k, c)
        for k, c in app.callback_map.items()
        if c["inputs"] == [{"id": ids.UPLOAD_DONE, "property": "data"}]
    )
    outputs = [
        {"id": part.split(".")[0], "property": part.split(".", 1)[1]}
        for part in key.strip(".").split("...")
    ]
    values = {ids.SELECTED_ATHLETE: athlete, ids.DATA_VERSION: 1}
    return {
        "output": key,
        "outputs": outputs,
        "inputs": [{"id": ids.UPLOAD_DONE, "property": "data", "value": upload}],
        "state": [{**s, "value": values[s["id"]]} for s in spec["state"]],
        "changedPropIds": [f"{ids.UPLOAD_DONE}.data"],
    }


def _upload(client: Any, token: str, payload: bytes) -> None:
    for offset in range(0, len(payload), CHUNK):
        response = client.post(
            f"/_loadwatch/upload/{token}",
            data=payload[offset : offset + CHUNK],
            headers={
                **ORIGIN,
                "X-Upload-Offset": str(offset),
                "X-Upload-Name": "watch.zip",
                "X-Upload-Final": "1" if offset + CHUNK >= len(payload) else "0",
            },
        )
        assert response.status_code == 200, response.data


def _run_import(client: Any, body: dict[str, Any]) -> dict[str, Any]:
    end_id = _dash_config(client).get("end_id")
    query = {"endId": end_id} if end_id else {}
    first = client.post("/_dash-update-component", query_string=query, json=body, headers=ORIGIN)
    handles = json.loads(first.data)
    query.update(cacheKey=handles["cacheKey"], job=handles["job"])
    while True:
        answer = client.post(
            "/_dash-update-component", query_string=query, json=body, headers=ORIGIN
        )
        if answer.status_code == 200 and answer.data:
            payload = json.loads(answer.data)
            if "response" in payload:
                return dict(payload["response"])
        time.sleep(0.1)


def measure(mode: str, payload: bytes, files: int, repeats: int, concurrency: int) -> list[Any]:
    from redisserver import RedisServer

    work = Path(tempfile.mkdtemp(prefix=f"bench-jobs-{mode}-"))
    os.environ["LOADWATCH_HOME"] = str(work / "home")
    os.environ["LOADWATCH_DB"] = f"sqlite:///{work / 'bench.db'}"
    os.environ["LOADWATCH_UPLOAD_DIR"] = str(work / "uploads")
    os.environ.pop("LOADWATCH_BROKER_URL", None)
    redis: RedisServer | None = None
    worker: subprocess.Popen[bytes] | None = None
    watched: list[int] = []
    try:
        if mode == "celery":
            binary = subprocess.run(["which", "redis-server"], capture_output=True, text=True)
            redis = RedisServer(binary.stdout.strip())
            redis.start()
            os.environ["LOADWATCH_BROKER_URL"] = redis.url
            env = {**os.environ, "PYTHONPATH": str(ROOT)}
            cmd = [sys.executable, "-m", "loadwatch", "worker", "-c", str(concurrency)]
            worker = subprocess.Popen(
                [*cmd, "--loglevel", "warning"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            assert redis.process is not None
            watched = [worker.pid, redis.process.pid]
        from dashboards.app import create_app
        from loadwatch.store import Store

        store = Store(os.environ["LOADWATCH_DB"])
        for i in range(repeats + 1):
            store.add_athlete(f"Runner {i}")
        store.close()
        app = create_app(os.environ["LOADWATCH_DB"], work_dir=work / "web")
        client = app.server.test_client()
        if worker is not None:  # wait until the worker answers a ping
            celery = app.server.config["LOADWATCH_BACKGROUND"].handle
            deadline = time.monotonic() + 120
            while not celery.control.ping(timeout=1.0):
                assert time.monotonic() < deadline, "the worker did not start"
        rows = []
        for i in range(repeats + 1):  # the first run warms up, not counted
            token = f"{TOKEN_BASE}{i:027x}"
            _upload(client, token, payload)
            upload = {"token": token, "files": ["watch.zip"], "bytes": len(payload), "at": i}
            body = _import_body(app, upload, f"Runner {i}")
            cpu0, other0, wall0 = _self_cpu(), _tree_cpu(watched), time.perf_counter()
            response = _run_import(client, body)
            wall = time.perf_counter() - wall0
            cpu = _self_cpu() - cpu0 + _tree_cpu(watched) - other0
            text = json.dumps(response[ids.IMPORT_SUMMARY])
            assert f"{files} new activit" in text, text[:500]
            if i:
                rows.append((wall, cpu))
        return rows
    finally:
        if worker is not None:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=60)
        if redis is not None:
            redis.stop()


WARM = """
import sys, time
from datetime import date
from loadwatch.service import Service
service = Service(sys.argv[1])
service.as_of = date.fromisoformat(sys.argv[2])
started = time.perf_counter()
service.warm_up()
print(f"{time.perf_counter() - started:.2f}")
"""


def measure_warm_up(athletes: int, years: int, repeats: int, processes: int = 4) -> None:
    from bench_store import ensure_store, last_day
    from redisserver import RedisServer

    url = f"sqlite:///{ensure_store(athletes, years)}"
    binary = subprocess.run(["which", "redis-server"], capture_output=True, text=True)
    redis = RedisServer(binary.stdout.strip())
    redis.start()
    try:
        for mode in ("memory", "redis"):
            env = {**os.environ, "PYTHONPATH": str(ROOT)}
            env.pop("LOADWATCH_BROKER_URL", None)
            if mode == "redis":
                env["LOADWATCH_BROKER_URL"] = redis.url
            walls, cpus = [], []
            for _ in range(repeats):
                import redis as redis_client

                redis_client.Redis.from_url(redis.url).flushdb()
                cpu0, wall0 = _self_cpu(), time.perf_counter()
                procs = [
                    subprocess.Popen(
                        [sys.executable, "-c", WARM, url, last_day(years).isoformat()],
                        env=env,
                        stdout=subprocess.PIPE,
                    )
                    for _ in range(processes)
                ]
                for p in procs:
                    p.communicate()
                walls.append(time.perf_counter() - wall0)
                cpus.append(_self_cpu() - cpu0)
            print(
                f"warm-up, {processes} processes, {athletes} athletes x {years} years, {mode}: "
                f"wall median {statistics.median(walls):.1f} s (min {min(walls):.1f}), "
                f"CPU median {statistics.median(cpus):.1f} s (min {min(cpus):.1f}) "
                f"over {repeats} runs"
            )
    finally:
        redis.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=81)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--mode", choices=["in-process", "celery", "both"], default="both")
    parser.add_argument("--warm-up", nargs=2, type=int, metavar=("ATHLETES", "YEARS"))
    args = parser.parse_args()
    if args.warm_up:
        measure_warm_up(*args.warm_up, args.repeats)
        return
    files = sorted((ROOT / "sample_activities" / "alex").glob("*.fit"))[: args.files]
    archive = Path(tempfile.mkdtemp(prefix="bench-jobs-zip-")) / "watch.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for f in files:
            z.write(f, f.name)
    payload = archive.read_bytes()
    print(f"{len(files)} FIT files, zip of {len(payload) / 1e6:.1f} MB, {os.cpu_count()} cores")
    modes = ["in-process", "celery"] if args.mode == "both" else [args.mode]
    for mode in modes:
        rows = measure(mode, payload, len(files), args.repeats, args.concurrency)
        walls, cpus = [r[0] for r in rows], [r[1] for r in rows]
        print(
            f"{mode:>10}: wall median {statistics.median(walls):.2f} s "
            f"(min {min(walls):.2f}), CPU median {statistics.median(cpus):.2f} s "
            f"(min {min(cpus):.2f}) over {len(rows)} runs"
        )


if __name__ == "__main__":
    main()
