"""Time the metrics pipeline on 50 athletes x 5 years of synthetic activities.

Run: ``python benchmarks/bench_metrics.py [--repeats 7]``. Prints, for the full
pipeline (daily load and daily metrics for every athlete, calendar weeks of
every athlete, run spikes, the coach status table), the median wall and CPU
time of several runs; the time of a naive per-athlete, per-day Python loop
computing the same rolling values (and checks both agree); and CPU-time ratios
for half/full athletes and half/full years, close to 2 if the cost is linear.
Target: under 0.5 s for 50 athletes x 5 years.
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from loadwatch.metrics import all_athletes_daily_metrics, athlete_status, run_spikes, weekly_table

SEED = 20240601
FIRST_DAY = pd.Timestamp("2020-01-01")


def synthetic_activities(athletes: int, years: float, seed: int = SEED) -> pd.DataFrame:
    """About five runs a week per athlete (some doubles), plus rides; fixed seed."""
    rng = np.random.default_rng(seed)
    days = round(365.25 * years)
    per_athlete = int(days * 0.95)
    n = athletes * per_athlete
    who = np.repeat(np.arange(athletes), per_athlete)
    day = rng.integers(0, days, n)
    seconds = rng.integers(5 * 3600, 21 * 3600, n)
    offset_h = np.repeat(rng.choice([-8, -5, 0, 1, 10], athletes), per_athlete)
    start = FIRST_DAY.tz_localize("UTC") + pd.to_timedelta(day * 86_400 + seconds, unit="s")
    local = (start + pd.to_timedelta(offset_h, unit="h")).tz_localize(None).normalize()
    sport = np.where(rng.random(n) < 0.85, "running", "cycling")
    km = np.round(rng.gamma(4.0, 2.5, n), 2) * np.where(sport == "cycling", 3.0, 1.0)
    frame = pd.DataFrame(
        {
            "id": np.arange(1, n + 1),
            "athlete": np.char.add("athlete", who.astype(str)),
            "sport": sport,
            "sub_sport": None,
            "start_utc": start,
            "local_date": local,
            "distance_m": km * 1000.0,
            "timer_s": km * rng.uniform(270, 390, n),
            "avg_hr": rng.uniform(125, 170, n),
        }
    )
    return frame.sort_values(["athlete", "start_utc"], ignore_index=True)


def pipeline(activities: pd.DataFrame) -> dict[str, object]:
    """Every metric the dashboard and the coach table need, for every athlete."""
    metrics = all_athletes_daily_metrics(activities)
    spikes = run_spikes(activities)
    weekly = weekly_table(metrics["load"], spikes)  # every athlete's calendar weeks at once
    status = athlete_status(activities, metrics=metrics, spikes=spikes)
    return {"metrics": metrics, "spikes": spikes, "weekly": weekly, "status": status}


def naive(activities: pd.DataFrame) -> dict[str, dict[str, list[float]]]:
    """The same rolling values with plain Python loops, one athlete and one day at a time."""
    out: dict[str, dict[str, list[float]]] = {}
    runs = activities[activities["sport"] == "running"]
    for name, block in runs.groupby("athlete"):
        per_day: dict[pd.Timestamp, float] = {}
        for date, metres in zip(block["local_date"], block["distance_m"], strict=True):
            per_day[date] = per_day.get(date, 0.0) + metres / 1000.0
        first, last = min(per_day), max(per_day)
        loads = [per_day.get(d, 0.0) for d in pd.date_range(first, last)]
        cols: dict[str, list[float]] = {
            k: [] for k in ("acute_7d", "acwr", "acwr_ewma", "monotony", "ctl")
        }
        acute_e = chronic_e = loads[0]
        ctl = 0.0
        kc = 1 - math.exp(-1 / 42)
        for t, value in enumerate(loads):
            if t > 0:
                acute_e = 0.25 * value + 0.75 * acute_e
                chronic_e = 2 / 29 * value + (1 - 2 / 29) * chronic_e
            ctl += kc * (value - ctl)
            week = loads[t - 6 : t + 1] if t >= 6 else None
            acute = sum(week) / 7 if week else math.nan
            chronic = sum(loads[t - 27 : t + 1]) / 28 if t >= 27 else math.nan
            ok = t >= 27 and chronic > 0
            cols["acute_7d"].append(acute)
            cols["acwr"].append(acute / chronic if ok else math.nan)
            cols["acwr_ewma"].append(acute_e / chronic_e if t >= 27 and chronic_e > 0 else math.nan)
            if week:
                sd = statistics.pstdev(week)
                cols["monotony"].append(acute / sd if sd > 0 else math.nan)
            else:
                cols["monotony"].append(math.nan)
            cols["ctl"].append(ctl)
        out[str(name)] = cols
    return out


def median_time(fn: Callable[[], object], repeats: int) -> tuple[float, float]:
    """Median wall-clock and median CPU (process) seconds of ``repeats`` calls.

    CPU time is reported too because on a shared machine other processes
    stretch wall time; the scaling ratios use CPU time for the same reason.
    """
    wall, cpu = [], []
    for _ in range(repeats):
        began, began_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - began)
        cpu.append(time.process_time() - began_cpu)
    return statistics.median(wall), statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()

    full = synthetic_activities(50, 5)
    n_days = full.groupby("athlete")["local_date"].agg(lambda d: (d.max() - d.min()).days + 1).sum()
    print(
        f"synthetic data: 50 athletes x 5 years, {len(full):,} activities, {n_days:,} athlete-days"
    )
    pipeline(full)  # warm-up (imports, caches)
    fast, fast_cpu = median_time(lambda: pipeline(full), args.repeats)
    print(
        f"vectorised pipeline: median {fast:.3f} s wall, {fast_cpu:.3f} s CPU "
        f"over {args.repeats} runs (target < 0.5 s)"
    )
    slow, slow_cpu = median_time(lambda: naive(full), 3)
    print(
        "naive per-athlete, per-day loop (rolling values only): "
        f"median {slow:.3f} s wall, {slow_cpu:.3f} s CPU over 3 runs"
    )
    print(f"speed-up: {slow / fast:.1f}x wall, {slow_cpu / fast_cpu:.1f}x CPU")
    check = naive(full)
    metrics = pipeline(full)["metrics"]
    assert isinstance(metrics, pd.DataFrame)
    for name, cols in check.items():
        mine = metrics.xs(name, level="athlete")
        for column, values in cols.items():
            np.testing.assert_allclose(mine[column].to_numpy(), values, rtol=1e-9, atol=1e-9)
    print("naive and vectorised values agree (rtol 1e-9)")

    half_athletes = full[full["athlete"].isin([f"athlete{i}" for i in range(25)])]
    half_years = full[full["local_date"] < FIRST_DAY + pd.Timedelta(days=int(365.25 * 2.5))]
    _, t_athletes = median_time(lambda: pipeline(half_athletes), args.repeats)
    _, t_years = median_time(lambda: pipeline(half_years), args.repeats)
    print(f"25 athletes x 5 years: {t_athletes:.3f} s CPU; 50/25 ratio {fast_cpu / t_athletes:.2f}")
    print(f"50 athletes x 2.5 years: {t_years:.3f} s CPU; 5/2.5 ratio {fast_cpu / t_years:.2f}")
    print("(2.0 would be exactly linear)")


if __name__ == "__main__":
    main()
