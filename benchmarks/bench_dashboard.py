"""The dashboard's coach view and athlete switch at 50, 200 and 1,000 athletes x 5 years.

Run: ``python benchmarks/bench_dashboard.py [--athletes 50 200 1000] [--repeats 3]``.

Each figure is a request through Flask's test client to Dash's callback
endpoint (Dash's dispatch and the JSON of the answer included; decoding the
answer, the browser's work, is not), timed in CPU
seconds of this process (``time.process_time``) and wall seconds, min and
median of ``--repeats`` (>= 3). The stores (``bench_store.py``: about 4.6
runs a week and 200 pain scores per athlete, fixed seed; 1.2 million runs at
1,000 athletes) are built once into ``benchmarks/out/``.

- **cold**: a fresh Python process per repeat (nothing imported, nothing
  cached): the app is created, then the first coach-view request is timed,
  then the first switch to one athlete. Module imports are reported apart.
- **warm-up**: the server's warm-up (the coach table, then the runner views of
  the top 20 athletes), timed in the same fresh process.
- **warm**: after the warm-up, the coach view again; switches to the top 3
  athletes (their views computed by the warm-up, figures built now), then to
  the same again (a revisit), and to athletes not shown yet (first visit).
- **after a write**: a pain score added for one athlete from a second store
  connection (as the CLI would), then a switch to that athlete and the coach
  view; the score is deleted and the view settled before the next of three
  athletes. Python's collector runs inside whichever request allocates when it
  is due: a full collection (about 0.2 s at 200 athletes) lands in some of
  these requests, as it would on a server.

Baseline: the code before the one-pass coach table, which computed each
athlete's history and every alert of it, one athlete at a time (measured as
per-athlete :func:`loadwatch.service.state.athlete_state` on
:func:`load_history` for the same as-of date, CPU seconds, for up to 200 athletes;
the 1,000-athlete baseline is that per-athlete cost x 1,000, said so).

Goals (issue "Speed where users wait", 4): coach cold <= 15 ms CPU per athlete;
coach warm <= 30 ms CPU at 1,000 athletes; switch warm <= 50 ms; after a write
<= 150 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_store import ensure_store, last_day  # noqa: E402

YEARS = 5
GOAL_COLD_PER_ATHLETE = 0.015
GOAL_WARM_COACH = 0.030
GOAL_SWITCH = 0.050
GOAL_AFTER_WRITE = 0.150


def timed(fn: Callable[[], Any]) -> tuple[float, float]:
    """(CPU s, wall s) of one call."""
    cpu, wall = time.process_time(), time.perf_counter()
    fn()
    return time.process_time() - cpu, time.perf_counter() - wall


class Client:
    """Calls the dashboard's callbacks over HTTP through Flask's test client."""

    def __init__(self, url: str, work: Path) -> None:
        from dashboards import ids
        from dashboards.app import create_app

        self.ids = ids
        self.app = create_app(url, work_dir=work, as_of=last_day(YEARS))
        self.http = self.app.server.test_client()
        self.data = self.app.server.config["LOADWATCH_DATA"]

    def _call(self, outs: list[tuple[str, str]], inputs: list[dict[str, Any]], changed: str) -> Any:
        body = {
            "output": ".." + "...".join(f"{i}.{p}" for i, p in outs) + "..",
            "outputs": [{"id": i, "property": p} for i, p in outs],
            "inputs": inputs,
            "state": [],
            "changedPropIds": [changed],
        }
        # the dashboard's own page (Flask's test host): the Origin check lets it through
        response = self.http.post(
            "/_dash-update-component", json=body, headers={"Origin": "http://localhost"}
        )
        if response.status_code != 200:
            raise RuntimeError(f"callback answered {response.status_code}")
        # the answer's bytes as sent: decoding them is the browser's work, not the server's
        return response.data

    def coach(self) -> Any:
        ids = self.ids
        return self._call(
            [
                (ids.COACH_GRID, "rowData"),
                (ids.COACH_AS_OF, "children"),
                (ids.COACH_CARDS, "children"),
            ],
            [
                {"id": ids.TABS, "property": "value", "value": ids.TAB_COACH},
                {"id": ids.DATA_VERSION, "property": "data", "value": 0},
            ],
            f"{ids.TABS}.value",
        )

    def switch(self, athlete: str) -> Any:
        ids = self.ids
        return self._call(
            [
                (ids.WEEKLY_GRAPH, "figure"),
                (ids.TIMELINE_GRAPH, "figure"),
                (ids.ALERTS_LIST, "children"),
                (ids.STATUS, "children"),
                (ids.CONTEXT_GRAPH, "figure"),
            ],
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


def _names(n: int) -> list[str]:
    return [f"Runner {k:04d}" for k in range(n)]


def fresh_process(athletes: int) -> dict[str, Any]:
    """One cold run (called in a new process): imports, app, first coach, first switch,
    warm-up, warm coach and switches, after a write."""
    from loadwatch.store import PainEntry, Store

    out: dict[str, Any] = {}
    out["imports"] = timed(lambda: __import__("dashboards.app"))
    url = f"sqlite:///{ensure_store(athletes, YEARS)}"
    work = Path(tempfile.mkdtemp(prefix="loadwatch-bench-"))
    client: list[Client] = []
    out["app"] = timed(lambda: client.append(Client(url, work)))
    c = client[0]
    names = _names(athletes)
    out["cold_coach"] = timed(c.coach)
    out["cold_switch"] = timed(lambda: c.switch(names[-1]))
    out["warm_up"] = timed(c.data.warm_up)
    top = [s.athlete for s in c.data.status(as_of=c.data.as_of)]
    out["warm_coach"] = [timed(c.coach) for _ in range(3)]
    out["switch_warmed"] = [timed(lambda n=n: c.switch(n)) for n in top[:3]]
    out["switch_revisit"] = [timed(lambda n=n: c.switch(n)) for n in top[:3]]
    out["switch_first"] = [timed(lambda n=n: c.switch(n)) for n in top[-4:-1]]
    # after a write: a pain score from a second connection (as the CLI would), then the
    # switch to that athlete and the coach view; three athletes, one at a time (the
    # score is deleted and the view settled before the next, so that each switch
    # follows one write)
    writer = Store(url)
    out["write_switch"], out["write_coach"] = [], []
    for target in top[:3]:
        (pain_id,) = writer.add_pain([PainEntry(None, target, last_day(YEARS), 3, note="bench")])
        try:
            out["write_switch"].append(timed(lambda t=target: c.switch(t)))
            out["write_coach"].append(timed(c.coach))
        finally:
            writer.delete_pain(pain_id)
        c.coach()
    # the service alone (no Dash, no layout): a new Service, so its cache is cold
    # (last: its second copy of every state would weigh on the collector above)
    from loadwatch.service import Service

    service = Service(url)
    day = last_day(YEARS)
    out["service_cold"] = timed(lambda: service.status(as_of=day))
    out["service_warm"] = [timed(lambda: service.status(as_of=day)) for _ in range(3)]
    out["service_rows_warm"] = [timed(lambda: service.coach_rows(as_of=day)) for _ in range(3)]
    return out


def baseline(athletes: int) -> float:
    """CPU s per athlete of the per-athlete definition (history + every alert of it)."""
    from loadwatch.service.state import athlete_state, load_history
    from loadwatch.store import Store

    store = Store(f"sqlite:///{ensure_store(athletes, YEARS)}")
    names = _names(athletes)[: min(athletes, 20)]
    day = last_day(YEARS)
    cpu = time.process_time()
    for n in names:
        athlete_state(load_history(store, n), day)
    return (time.process_time() - cpu) / len(names)


def _run_child(athletes: int) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(athletes)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _stat(values: list[float]) -> str:
    return f"{min(values) * 1000:8.1f} {statistics.median(values) * 1000:8.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--athletes", type=int, nargs="+", default=[50, 200, 1000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(fresh_process(args.child)))
        return
    if args.repeats < 3:
        parser.error("--repeats must be at least 3 (medians of fewer runs mislead)")
    verdicts = []
    for n in args.athletes:
        ensure_store(n, YEARS)
        runs = [_run_child(n) for _ in range(args.repeats)]
        per_athlete_base = baseline(n)

        def col(key: str, which: int, runs: list[dict[str, Any]] = runs) -> list[float]:
            vals = []
            for r in runs:
                v = r[key]
                vals += [x[which] for x in v] if isinstance(v[0], list) else [v[which]]
            return vals

        print(f"\n{n} athletes x {YEARS} years (as of {last_day(YEARS)}), {args.repeats} runs")
        print(f"{'':34}{'CPU ms min   median':>20}{'wall ms min   median':>22}")
        rows = [
            ("imports (dashboards, fresh process)", "imports"),
            ("create the app", "app"),
            ("coach view, cold", "cold_coach"),
            ("switch, cold", "cold_switch"),
            ("warm-up (table + 20 views)", "warm_up"),
            ("coach view, warm", "warm_coach"),
            ("switch, view from the warm-up", "switch_warmed"),
            ("switch, warm (revisit)", "switch_revisit"),
            ("switch, warm (first visit)", "switch_first"),
            ("switch after a write", "write_switch"),
            ("coach view after a write", "write_coach"),
            ("service status, cold cache", "service_cold"),
            ("service status, warm (cached table)", "service_warm"),
            ("service coach rows, warm", "service_rows_warm"),
        ]
        for label, key in rows:
            print(f"{label:34}{_stat(col(key, 0)):>20}{_stat(col(key, 1)):>22}")
        cold = statistics.median(col("cold_coach", 0))
        print(
            f"coach view cold per athlete: {cold / n * 1000:.1f} ms CPU (service alone "
            f"{statistics.median(col('service_cold', 0)) / n * 1000:.1f} ms)"
        )
        base_total = per_athlete_base * n
        print(
            f"baseline (per-athlete definition): {per_athlete_base * 1000:.0f} ms CPU per athlete"
            f" = {base_total:.1f} s for {n}" + (" (measured on 20 athletes)" if n > 20 else "")
        )
        print(f"coach cold vs baseline: {base_total / cold:.1f}x faster")
        verdicts.append((n, cold, col))
    print()
    for n, cold, col in verdicts:
        checks = [
            ("coach cold per athlete", cold / n, GOAL_COLD_PER_ATHLETE),
            ("coach warm (view)", statistics.median(col("warm_coach", 0)), GOAL_WARM_COACH),
            ("coach warm (service)", statistics.median(col("service_warm", 0)), GOAL_WARM_COACH),
            ("switch warm (revisit)", statistics.median(col("switch_revisit", 0)), GOAL_SWITCH),
            ("switch after a write", statistics.median(col("write_switch", 0)), GOAL_AFTER_WRITE),
        ]
        for label, value, goal in checks:
            verdict = "met" if value <= goal else f"MISSED by {(value - goal) * 1000:.0f} ms"
            print(
                f"goal 4, {n} athletes, {label}: {value * 1000:.1f} ms CPU "
                f"(goal {goal * 1000:.0f} ms): {verdict}"
            )


if __name__ == "__main__":
    main()
