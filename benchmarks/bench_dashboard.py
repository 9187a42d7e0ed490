"""Server-side time of the dashboard's coach view and athlete switch, 50 athletes x 5 years.

Run: ``python benchmarks/bench_dashboard.py [--repeats 7] [--rebuild]``.

The store (50 athletes, about 1,200 runs and 200 pain scores each over five
years, fixed seed) is built once into ``benchmarks/out/`` (about a minute) and
reused. Each figure is one HTTP request through Flask's test client to Dash's
callback endpoint, so it includes Dash's dispatch and the JSON of the answer:

- coach view: the ``coach-grid.rowData`` callback;
- athlete switch: the runner view callback (four outputs, two figures);

each measured cold (a new app: nothing cached; what the first visitor after
a restart would wait for if the warm-up had not run), warm (the caches the
server's warm-up fills), and after a pain score is added for one athlete
(only that athlete is recomputed). The naive baseline recomputes everything
on every request, as a dashboard without caches would: for the coach view,
every athlete's history and alerts; for a switch, that athlete's.
Target: under 300 ms warm for both.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dashboards import ids  # noqa: E402
from dashboards.app import create_app  # noqa: E402
from dashboards.data import DashboardData  # noqa: E402
from loadwatch.model import ActivitySummary  # noqa: E402
from loadwatch.store import FileRecord, PainEntry, Store  # noqa: E402

ATHLETES = 50
YEARS = 5
SEED = 20260101
FIRST_DAY = date(2021, 1, 4)
OUT = ROOT / "benchmarks" / "out"
DB = OUT / f"dashboard_{ATHLETES}x{YEARS}y_{SEED}.db"
TARGET_S = 0.300


def build_store(path: Path) -> None:
    """50 athletes x 5 years: ~4.6 runs a week (3-30 km, a long run most weeks), pain scores."""
    rng = np.random.default_rng(SEED)
    tmp = path.with_suffix(".tmp")
    for leftover in tmp.parent.glob(tmp.name + "*"):
        leftover.unlink()
    store = Store(f"sqlite:///{tmp}")
    days = round(365.25 * YEARS)
    for k in range(ATHLETES):
        name = f"Runner {k:02d}"
        athlete = store.add_athlete(name, tz="Europe/Berlin")
        base = rng.uniform(5, 12)
        summaries = []
        for i in range(days):
            if rng.random() < 0.35:
                continue
            long_day = i % 7 == 6
            km = float(np.clip(rng.normal(base * (2.0 if long_day else 1.0), 1.5), 3, 30))
            start = datetime.combine(FIRST_DAY + timedelta(days=i), datetime.min.time(), UTC)
            start += timedelta(hours=5, seconds=int(rng.integers(0, 12 * 3600)))
            summaries.append(
                ActivitySummary(
                    sport="running",
                    start_utc=start,
                    distance_m=km * 1000,
                    timer_s=km * 330,
                    elapsed_s=km * 345,
                    source_format="fit",
                    utc_offset_s=3600,
                    avg_hr=float(rng.normal(145, 8)),
                    source_sha256=f"bench-{k}-{i}",
                )
            )
        sha = hashlib.sha256(name.encode()).hexdigest()
        store.add_file(athlete, FileRecord(sha, "bench.fit", 1, "fit", "imported"), summaries)
        pain_days = sorted(rng.choice(days, 200, replace=False))
        store.add_pain(
            [
                PainEntry(None, name, FIRST_DAY + timedelta(days=int(d)), int(rng.integers(0, 8)))
                for d in pain_days
            ]
        )
        print(f"  built {name}", end="\r", flush=True)
    store.close()
    tmp.replace(path)
    print()


class Client:
    """Calls Dash callbacks over HTTP through Flask's test client."""

    def __init__(self, url: str, work: Path) -> None:
        self.app = create_app(url, work_dir=work)
        self.http = self.app.server.test_client()
        self.data: DashboardData = self.app.server.config["LOADWATCH_DATA"]

    def _call(self, output: str, outputs: Any, inputs: list[dict[str, Any]], changed: str) -> Any:
        body = {
            "output": output,
            "outputs": outputs,
            "inputs": inputs,
            "state": [],
            "changedPropIds": [changed],
        }
        response = self.http.post("/_dash-update-component", json=body)
        if response.status_code != 200:
            raise RuntimeError(f"callback answered {response.status_code}")
        return json.loads(response.data)

    def coach(self) -> Any:
        return self._call(
            f"{ids.COACH_GRID}.rowData",
            {"id": ids.COACH_GRID, "property": "rowData"},
            [
                {"id": ids.TABS, "property": "value", "value": ids.TAB_COACH},
                {"id": ids.DATA_VERSION, "property": "data", "value": 0},
            ],
            f"{ids.TABS}.value",
        )

    def switch(self, athlete: str) -> Any:
        outs = [
            (ids.WEEKLY_GRAPH, "figure"),
            (ids.TIMELINE_GRAPH, "figure"),
            (ids.ALERTS_LIST, "children"),
            (ids.STATUS, "children"),
        ]
        return self._call(
            ".." + "...".join(f"{i}.{p}" for i, p in outs) + "..",
            [{"id": i, "property": p} for i, p in outs],
            [
                {"id": ids.SELECTED_ATHLETE, "property": "data", "value": athlete},
                {"id": ids.DATE_RANGE, "property": "start_date", "value": None},
                {"id": ids.DATE_RANGE, "property": "end_date", "value": None},
                {"id": ids.UNIT, "property": "value", "value": "km"},
                {"id": ids.MEASURE, "property": "value", "value": "distance"},
                {"id": ids.DATA_VERSION, "property": "data", "value": 0},
            ],
            f"{ids.SELECTED_ATHLETE}.data",
        )


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--rebuild", action="store_true", help="rebuild the benchmark store")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    if args.rebuild or not DB.exists():
        print(f"building {DB.name} (once) ...")
        started = time.perf_counter()
        build_store(DB)
        print(f"built in {time.perf_counter() - started:.0f} s")
    url = f"sqlite:///{DB}"
    counts = Store(url).counts()
    print(
        f"store: {counts['athletes']} athletes, {counts['activities']} runs, "
        f"{counts['pain_entries']} pain scores"
    )
    work = Path(tempfile.mkdtemp(prefix="loadwatch-bench-"))
    names = [f"Runner {k:02d}" for k in range(ATHLETES)]
    picks = names[:: max(1, ATHLETES // args.repeats)][: args.repeats]

    # naive: every request recomputes from the store (a fresh app per request, nothing
    # cached; the app is built before the clock starts)
    fresh = Client(url, work / "naive")
    naive_coach = timed(fresh.coach)
    naive_switch = []
    for n in picks:
        fresh = Client(url, work / "naive")
        naive_switch.append(timed(lambda n=n, c=fresh: c.switch(n)))

    client = Client(url, work / "cached")
    cold_coach = timed(client.coach)
    cold_switch = [timed(lambda n=n: client.switch(n)) for n in picks]
    warm_up = timed(client.data.warm_up)
    warm_coach = [timed(client.coach) for _ in range(args.repeats)]
    warm_switch = [timed(lambda n=n: client.switch(n)) for n in reversed(picks)]

    # a write for one athlete: only that athlete is recomputed
    scratch = Store(url)
    entry = PainEntry(None, picks[0], FIRST_DAY + timedelta(days=3), 4, note="benchmark")
    (pain_id,) = scratch.add_pain([entry])
    try:
        after_coach = timed(client.coach)
        after_switch = timed(lambda: client.switch(picks[0]))
    finally:
        scratch.delete_pain(pain_id)
        scratch.close()

    def ms(seconds: float) -> str:
        return f"{seconds * 1000:7.0f} ms"

    med_switch = statistics.median(warm_switch)
    print()
    print(f"{'':34}{'coach view':>12}{'athlete switch':>18}")
    print(
        f"{'naive (recompute every request)':34}{ms(naive_coach):>12}"
        f"{ms(statistics.median(naive_switch)):>18}"
    )
    print(
        f"{'cold (first requests after start)':34}{ms(cold_coach):>12}"
        f"{ms(statistics.median(cold_switch)):>18}"
    )
    print(f"{'warm (median)':34}{ms(statistics.median(warm_coach)):>12}{ms(med_switch):>18}")
    print(f"{'warm (worst)':34}{ms(max(warm_coach)):>12}{ms(max(warm_switch)):>18}")
    print(f"{'after one pain score is added':34}{ms(after_coach):>12}{ms(after_switch):>18}")
    print(f"server warm-up of all {ATHLETES} athletes: {warm_up:.1f} s (background thread)")
    print(
        f"speed-up warm vs naive: coach {naive_coach / statistics.median(warm_coach):.0f}x, "
        f"switch {statistics.median(naive_switch) / med_switch:.1f}x"
    )
    worst = max(max(warm_coach), max(warm_switch), after_coach, after_switch)
    verdict = "meets" if worst < TARGET_S else "MISSES"
    print(
        f"target {TARGET_S * 1000:.0f} ms warm (worst case incl. after a write): {verdict} "
        f"({worst * 1000:.0f} ms)"
    )


if __name__ == "__main__":
    main()
