"""Pain next to sleep, stress, soreness and rehab: Spearman at lags, with n.

The series are built here with known relations; expected correlations come
from scipy.stats.spearmanr on pairs lined up by hand, not from loadwatch.
"""

from __future__ import annotations

import math
import random
from datetime import date, timedelta

import pandas as pd
import pytest
from scipy.stats import spearmanr

from loadwatch.alerts.config import Thresholds
from loadwatch.pain import pain_report
from loadwatch.store import PainEntry, RehabPlanItem, RehabSession, WellnessDay

DAY0 = date(2026, 5, 1)
N = 30
rng = random.Random(14)
PAIN = [rng.randint(0, 8) for _ in range(N)]
SORENESS = [rng.randint(0, 10) for _ in range(N)]


def _no_runs() -> pd.DataFrame:
    return pd.DataFrame(columns=["athlete", "local_date", "distance_m", "sport"])


def _entries() -> list[PainEntry]:
    return [PainEntry(None, "Sam", DAY0 + timedelta(days=i), s) for i, s in enumerate(PAIN)]


def _context(report: object, measure: str) -> pd.DataFrame:
    table = report.context  # type: ignore[attr-defined]
    return table[table["measure"] == measure].set_index("lag_days")


def test_sleep_the_night_before_mirrors_pain_exactly() -> None:
    # the night before day i+1 (stored on wake-up date i) is shorter the worse day i+1's pain
    wellness = [
        WellnessDay("Sam", DAY0 + timedelta(days=i), "garmin", sleep_h=9.0 - 0.5 * PAIN[i + 1])
        for i in range(N - 1)
    ]
    report = pain_report(_no_runs(), _entries(), Thresholds(), athlete="Sam", wellness=wellness)
    sleep = _context(report, "sleep_h")
    # lag 1 pairs pain on day d with sleep stored on day d-1: days 1..N-1
    assert sleep.at[1, "n"] == N - 1
    assert sleep.at[1, "rho"] == pytest.approx(-1.0)
    pairs = [(PAIN[i], 9.0 - 0.5 * PAIN[i + 1]) for i in range(N - 1)]
    rho0 = spearmanr([p for p, _ in pairs], [s for _, s in pairs]).statistic
    assert sleep.at[0, "n"] == N - 1
    assert sleep.at[0, "rho"] == pytest.approx(rho0, abs=1e-12)


def test_soreness_and_stress_at_lags_match_scipy() -> None:
    wellness = [
        WellnessDay(
            "Sam", DAY0 + timedelta(days=i), "self", soreness=SORENESS[i], stress_self=i % 7
        )
        for i in range(N)
        if i % 5 != 3  # some days not logged
    ]
    report = pain_report(_no_runs(), _entries(), Thresholds(), athlete="Sam", wellness=wellness)
    sore = _context(report, "soreness")
    stress = _context(report, "stress_self")
    for lag in (0, 1, 2, 3):
        days = [i for i in range(lag, N) if (i - lag) % 5 != 3]
        x = [PAIN[i] for i in days]
        want = spearmanr(x, [SORENESS[i - lag] for i in days]).statistic
        assert sore.at[lag, "n"] == len(days)
        assert sore.at[lag, "rho"] == pytest.approx(want, abs=1e-12)
        want_stress = spearmanr(x, [(i - lag) % 7 for i in days]).statistic
        assert stress.at[lag, "rho"] == pytest.approx(want_stress, abs=1e-12)


def test_rehab_over_the_previous_week_at_lags_0_to_7() -> None:
    done_days = sorted(rng.sample(range(-7, N), 18))
    sessions = [
        RehabSession(None, "Sam", DAY0 + timedelta(days=d), "bridge", 3, 8) for d in done_days
    ] + [RehabSession(None, "Sam", DAY0 + timedelta(days=d), "clams", 3, 8) for d in done_days[::3]]
    # the same exercise twice on one day is one session
    sessions.append(RehabSession(None, "Sam", DAY0 + timedelta(days=done_days[0]), "bridge", 1, 8))
    report = pain_report(_no_runs(), _entries(), Thresholds(), athlete="Sam", rehab=sessions)
    rehab = _context(report, "rehab_7d")
    assert list(rehab.index) == list(range(8))

    def count(day: int) -> int:  # exercise-days in the 7 days ending on ``day``
        bridge = sum(day - 6 <= d <= day for d in done_days)
        clams = sum(day - 6 <= d <= day for d in done_days[::3])
        return bridge + clams

    for lag in range(8):
        x = [count(i - lag) for i in range(N)]
        want = spearmanr(PAIN, x).statistic
        assert rehab.at[lag, "n"] == N
        assert rehab.at[lag, "rho"] == pytest.approx(want, abs=1e-12)

    # with a plan: adherence, each exercise capped at its weekly target
    plan = [RehabPlanItem("Sam", "bridge", 2), RehabPlanItem("Sam", "clams", 1)]
    with_plan = pain_report(
        _no_runs(), _entries(), Thresholds(), athlete="Sam", rehab=sessions, rehab_plan=plan
    )

    def adherence(day: int) -> float:
        bridge = min(2, sum(day - 6 <= d <= day for d in done_days))
        clams = min(1, sum(day - 6 <= d <= day for d in done_days[::3]))
        return (bridge + clams) / 3

    got = _context(with_plan, "rehab_7d")
    want = spearmanr(PAIN, [adherence(i) for i in range(N)]).statistic
    assert got.at[0, "rho"] == pytest.approx(want, abs=1e-12)


def test_no_context_gives_n_zero_and_the_pain_log_fills_sleep() -> None:
    report = pain_report(_no_runs(), _entries(), Thresholds(), athlete="Sam")
    assert report.context["n"].tolist() == [0] * len(report.context)
    assert all(math.isnan(r) for r in report.context["rho"])

    logged = [
        PainEntry(None, "Sam", DAY0 + timedelta(days=i), s, sleep_h=8.0 - s / 2, stress=s)
        for i, s in enumerate(PAIN)
    ]
    report = pain_report(_no_runs(), logged, Thresholds(), athlete="Sam")
    sleep = _context(report, "sleep_h")
    stress = _context(report, "stress_self")
    assert (sleep.at[0, "rho"], sleep.at[0, "n"]) == (pytest.approx(-1.0), N)
    assert (stress.at[0, "rho"], stress.at[0, "n"]) == (pytest.approx(1.0), N)
