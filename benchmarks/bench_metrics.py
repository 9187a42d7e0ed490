"""The metrics pass against a pandas ``rolling``/``ewm`` implementation, 50 athletes x 5 years.

Run: ``python benchmarks/bench_metrics.py [--repeats 5]``.

Input: synthetic activities (fixed seed), about five runs a week per athlete
(some doubles) plus rides. Timed, CPU seconds of this process
(``time.process_time``) and wall seconds, min and median of ``--repeats``
(>= 3) runs each:

- loadwatch: :func:`all_athletes_daily_metrics` (every athlete's daily load and
  daily metrics in one vectorised pass);
- baseline: what a data scientist would write with pandas: a daily sum per
  athlete and day, ``asfreq('D')`` for rest days, then ``rolling`` means, sums
  and SDs and ``ewm(adjust=False)`` per athlete. Before timing, the script
  asserts the two agree value for value (every column, rtol 1e-9) on every
  athlete;
- the rest of the coach pipeline (run spikes, calendar weeks, status), for scale;
- scaling: half the athletes and half the years (CPU ratio 2.0 = linear).
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
#: Columns the pandas baseline computes (the rest of METRIC_COLUMNS are derived the same way).
COMPARED = (
    "load",
    "acute_7d",
    "chronic_28d",
    "acwr",
    "acute_ewma",
    "chronic_ewma",
    "acwr_ewma",
    "week_load",
    "prev_week_load",
    "ramp_pct",
    "monotony",
    "ctl",
    "atl",
    "tsb",
)


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
    weekly = weekly_table(metrics["load"], spikes)
    status = athlete_status(activities, metrics=metrics, spikes=spikes)
    return {"metrics": metrics, "spikes": spikes, "weekly": weekly, "status": status}


def pandas_baseline(activities: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The daily metrics with pandas rolling/ewm, one athlete at a time."""
    runs = activities[activities["sport"] == "running"]
    km = (runs["distance_m"] / 1000.0).groupby([runs["athlete"], runs["local_date"]]).sum()
    out = {}
    for name, block in km.groupby(level=0):
        load = block.droplevel(0).asfreq("D", fill_value=0.0)
        f = pd.DataFrame({"load": load})
        f["acute_7d"] = load.rolling(7).mean()
        f["chronic_28d"] = load.rolling(28).mean()
        f["acwr"] = (f["acute_7d"] / f["chronic_28d"]).where(f["chronic_28d"] > 0)
        f["acute_ewma"] = load.ewm(alpha=2 / 8, adjust=False).mean()
        f["chronic_ewma"] = load.ewm(alpha=2 / 29, adjust=False).mean()
        day = np.arange(len(load))
        ratio = (f["acute_ewma"] / f["chronic_ewma"]).where(f["chronic_ewma"] > 0)
        f["acwr_ewma"] = ratio.where(day >= 27)
        f["week_load"] = load.rolling(7).sum()
        f["prev_week_load"] = f["week_load"].shift(7)
        prev = f["prev_week_load"]
        f["ramp_pct"] = (100 * (f["week_load"] - prev) / prev).where(prev > 0)
        flat = load.rolling(7).max() == load.rolling(7).min()
        f["monotony"] = (f["acute_7d"] / load.rolling(7).std(ddof=0)).where(~flat)
        zero_first = pd.concat([pd.Series([0.0]), pd.Series(load.to_numpy())], ignore_index=True)
        for col, tau in (("ctl", 42), ("atl", 7)):
            k = 1 - math.exp(-1 / tau)
            f[col] = zero_first.ewm(alpha=k, adjust=False).mean().to_numpy()[1:]
        f["tsb"] = (f["ctl"] - f["atl"]).shift(1).fillna(0.0)
        out[str(name)] = f
    return out


def check_agreement(activities: pd.DataFrame) -> int:
    """Assert loadwatch and the pandas baseline agree on every column and athlete."""
    mine = all_athletes_daily_metrics(activities)
    theirs = pandas_baseline(activities)
    values = 0
    for name, frame in theirs.items():
        ours = mine.xs(name, level="athlete")
        assert list(ours.index) == list(frame.index), name
        for column in COMPARED:
            np.testing.assert_allclose(
                ours[column].to_numpy(),
                frame[column].to_numpy(),
                rtol=1e-9,
                atol=1e-9,
                err_msg=f"{name} {column}",
            )
            values += len(frame)
    return values


def timed(fn: Callable[[], object], repeats: int) -> tuple[list[float], list[float]]:
    """CPU and wall seconds of each of ``repeats`` calls."""
    cpu, wall = [], []
    for _ in range(repeats):
        c, w = time.process_time(), time.perf_counter()
        fn()
        cpu.append(time.process_time() - c)
        wall.append(time.perf_counter() - w)
    return cpu, wall


def _line(label: str, cpu: list[float], wall: list[float]) -> str:
    return (
        f"{label:44} CPU s min {min(cpu):6.3f} median {statistics.median(cpu):6.3f}"
        f" | wall s min {min(wall):6.3f} median {statistics.median(wall):6.3f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    if args.repeats < 3:
        parser.error("--repeats must be at least 3")
    full = synthetic_activities(50, 5)
    n_days = full.groupby("athlete")["local_date"].agg(lambda d: (d.max() - d.min()).days + 1).sum()
    print(f"input: 50 athletes x 5 years, {len(full):,} activities, {n_days:,} athlete-days")
    checked = check_agreement(full)
    print(f"loadwatch and the pandas baseline agree on {checked:,} values (rtol 1e-9)")
    pipeline(full)  # imports and first-call costs out of the figures
    pandas_baseline(full)
    ours = timed(lambda: all_athletes_daily_metrics(full), args.repeats)
    base = timed(lambda: pandas_baseline(full), args.repeats)
    whole = timed(lambda: pipeline(full), args.repeats)
    print(_line("loadwatch daily metrics (all athletes)", *ours))
    print(_line("pandas rolling/ewm per athlete (baseline)", *base))
    print(_line("loadwatch coach pipeline (+spikes, weeks)", *whole))
    ratio = statistics.median(base[0]) / statistics.median(ours[0])
    print(f"ratio baseline / loadwatch (CPU medians): {ratio:.1f}x")

    half_athletes = full[full["athlete"].isin([f"athlete{i}" for i in range(25)])]
    half_years = full[full["local_date"] < FIRST_DAY + pd.Timedelta(days=int(365.25 * 2.5))]
    t_a = statistics.median(timed(lambda: pipeline(half_athletes), args.repeats)[0])
    t_y = statistics.median(timed(lambda: pipeline(half_years), args.repeats)[0])
    med = statistics.median(whole[0])
    print(
        f"scaling: 50/25 athletes CPU ratio {med / t_a:.2f}, "
        f"5/2.5 years {med / t_y:.2f} (2.0 linear)"
    )
    verdict = "faster" if ratio > 1 else "SLOWER"
    print(
        f"verdict: loadwatch's metrics pass is {ratio:.1f}x {verdict} than the pandas baseline "
        "that agrees with it value for value"
    )


if __name__ == "__main__":
    main()
