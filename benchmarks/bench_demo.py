"""Seconds from ``loadwatch demo`` starting to its first page and first coach table answer.

Run: ``python benchmarks/bench_demo.py [--repeats 3]``. Starts
``python -m loadwatch demo --no-browser`` on a free port, polls ``/`` every
20 ms until it answers 200 (the first page) and then asks the coach table's
callback once (the first numbers on screen); stops the server. Prints wall
seconds, min and median of the repeats. Goal: the first page within 3 s.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOAL_S = 3.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _coach_body() -> bytes:
    sys.path.insert(0, str(ROOT))
    from dashboards import ids

    return json.dumps(
        {
            "output": f"{ids.COACH_GRID}.rowData",
            "outputs": {"id": ids.COACH_GRID, "property": "rowData"},
            "inputs": [
                {"id": ids.TABS, "property": "value", "value": ids.TAB_COACH},
                {"id": ids.DATA_VERSION, "property": "data", "value": 0},
            ],
            "state": [],
            "changedPropIds": [f"{ids.TABS}.value"],
        }
    ).encode()


def one_run(tmp: Path) -> tuple[float, float]:
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LOADWATCH_HOME": str(tmp)}
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "loadwatch", "demo", "--no-browser", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}/"
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError("demo exited before answering") from None
                time.sleep(0.02)
        page = time.perf_counter() - started
        req = urllib.request.Request(
            url + "_dash-update-component",
            data=_coach_body(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=60) as r:
            r.read()
        table = time.perf_counter() - started
        return page, table
    finally:
        proc.terminate()
        proc.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    import tempfile

    runs = [one_run(Path(tempfile.mkdtemp(prefix="lw-demo-"))) for _ in range(args.repeats)]
    pages = [p for p, _ in runs]
    tables = [t for _, t in runs]
    print("input: loadwatch demo --no-browser (bundled samples, fresh store each run)")
    print(f"first page   wall s  min {min(pages):.2f}  median {statistics.median(pages):.2f}")
    print(f"coach table  wall s  min {min(tables):.2f}  median {statistics.median(tables):.2f}")
    med = statistics.median(pages)
    verdict = "met" if med <= GOAL_S else f"MISSED by {med - GOAL_S:.2f} s"
    print(f"goal 6 (first page within {GOAL_S:.0f} s of start): {verdict} (median {med:.2f} s)")


if __name__ == "__main__":
    main()
