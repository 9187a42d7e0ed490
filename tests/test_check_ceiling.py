"""The safe ceiling and the check: planning exactly the ceiling triggers no binding
rule, 5% more triggers the binding rule.

The property test judges the ceiling with its own small re-implementation of
the four binding rules (plain Python over a list of daily km, from the
science.md definitions), not with the engine that computed the ceiling.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loadwatch.alerts.check import CEILING_RULES, check, run_ceiling, week_ceiling
from loadwatch.alerts.config import Thresholds

T = Thresholds()
FIRST = date(2025, 1, 6)  # a Monday
TOL = 1e-6  # the oracle ignores float noise this close to a threshold


def history(km_by_day: list[float], athlete: str = "a") -> pd.DataFrame:
    """One run at 07:00 UTC on each day with km > 0, days counted from FIRST."""
    rows = []
    for i, km in enumerate(km_by_day):
        if km <= 0:
            continue
        d = FIRST + timedelta(days=i)
        rows.append(
            {
                "id": i + 1,
                "athlete": athlete,
                "sport": "running",
                "sub_sport": None,
                "start_utc": datetime(d.year, d.month, d.day, 7, tzinfo=UTC),
                "utc_offset_s": 0,
                "local_date": d,
                "distance_m": km * 1000.0,
                "timer_s": km * 330.0,
                "elapsed_s": km * 340.0,
            }
        )
    columns = ["id", "athlete", "sport", "sub_sport", "start_utc", "utc_offset_s", "local_date"]
    frame = pd.DataFrame(rows, columns=[*columns, "distance_m", "timer_s", "elapsed_s"])
    frame["start_utc"] = pd.to_datetime(frame["start_utc"], utc=True)
    return frame


# ----------------------------------------------------------------- the oracle
def oracle(km_by_day: list[float], on: date, extra: dict[date, float]) -> set[str]:
    """Binding rules at caution or above on on..on+6, from the science.md formulas."""
    first_run = next((i for i, km in enumerate(km_by_day) if km > 0), None)
    extra = {d: km for d, km in extra.items() if km > 0}
    if first_run is None and not extra:
        return set()
    start = FIRST + timedelta(days=first_run) if first_run is not None else min(extra)
    start = min(start, on)
    n = (on - start).days + 7
    load = [0.0] * n
    for i, km in enumerate(km_by_day):
        d = FIRST + timedelta(days=i)
        if km > 0 and d >= start:
            load[(d - start).days] += km
    for d, km in extra.items():
        load[(d - start).days] += km
    fired: set[str] = set()
    # spike of each planned run: the longest run on the 30 dates before it
    for d, km in extra.items():
        k = (d - start).days
        longest = max(load[max(0, k - 30) : k], default=0.0)
        if longest > 0 and 100 * (km / longest - 1) > T.spike_caution_pct + TOL:
            fired.add("spike")
    acute = chronic = load[0]
    ewma = [(acute, chronic)]
    for x in load[1:]:
        acute = 0.25 * x + 0.75 * acute
        chronic = (2 / 29) * x + (1 - 2 / 29) * chronic
        ewma.append((acute, chronic))
    for t in range((on - start).days, n):
        week = sum(load[t - 6 : t + 1]) if t >= 6 else None
        if t >= 13 and week is not None:
            prev = sum(load[t - 13 : t - 6])
            if prev >= T.ramp_min_base_km and 100 * (week - prev) / prev > T.ramp_caution_pct + TOL:
                fired.add("ramp")
        if t >= 27 and week is not None:
            month = sum(load[t - 27 : t + 1])
            if month > 0 and (week / 7) / (month / 28) > T.acwr_caution + TOL:
                fired.add("acwr")
            a, c = ewma[t]
            if c > 0 and a / c > T.acwr_caution + TOL:
                fired.add("acwr_ewma")
    return fired


def usual_shares(km_by_day: list[float], on: date) -> list[float]:
    """Weekday shares of the 28 days before ``on`` (whole history when those are empty)."""
    last = (on - FIRST).days
    for lo in (max(0, last - 28), 0):
        by_weekday = [0.0] * 7
        for i in range(lo, min(last, len(km_by_day))):
            by_weekday[(FIRST + timedelta(days=i)).weekday()] += km_by_day[i]
        if sum(by_weekday) > 0:
            return [
                by_weekday[(on + timedelta(days=j)).weekday()] / sum(by_weekday) for j in range(7)
            ]
    return []


def above(c: float) -> float:
    """5% more; 0.05 km more under 1 km (the 0.01 km rounding hides within 5% only above 0.2)."""
    return c * 1.05 if c >= 1 else c + 0.05


day_km = st.one_of(st.just(0), st.just(0), st.integers(3, 25))


@pytest.mark.slow
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
@given(km=st.lists(day_km, min_size=1, max_size=70), gap=st.integers(1, 25))
def test_ceiling_property(km: list[int], gap: int) -> None:
    kms = [float(k) for k in km]
    on = FIRST + timedelta(days=len(kms) - 1 + gap)
    frame = history(kms)
    for kind in ("run", "week"):
        if kind == "run":
            ceiling = run_ceiling(frame, [], T, athlete="a", on=on)

            def plan(x: float) -> dict[date, float]:
                return {on: x}
        else:
            ceiling = week_ceiling(frame, [], T, athlete="a", on=on)
            shares = usual_shares(kms, on)
            if not shares:
                assert ceiling.km is None
                continue

            def plan(x: float, shares: list[float] = shares) -> dict[date, float]:
                return {on + timedelta(days=j): x * s for j, s in enumerate(shares) if s > 0}

        if ceiling.km is None:
            assert ceiling.binding_rule is None and ceiling.reason
            assert oracle(kms, on, plan(1000.0)) == set()
        elif ceiling.reason.startswith("already"):
            assert ceiling.km == 0.0
            assert ceiling.binding_rule in oracle(kms, on, {})
        else:
            assert ceiling.km == round(ceiling.km, 2)
            assert oracle(kms, on, plan(ceiling.km)) == set(), (kind, ceiling)
            assert ceiling.binding_rule in oracle(kms, on, plan(above(ceiling.km))), (kind, ceiling)


# ------------------------------------------------------- hand-worked examples
def test_run_ceiling_bound_by_spike() -> None:
    # 5 km every day for 6 weeks. A run of x on day 42: spike binds at 1.1 x 5 = 5.5 km
    # (ramp at 8.5, EWMA ACWR at 9.36, coupled ACWR at 20.6 km: worked by hand)
    kms = [5.0] * 42
    on = FIRST + timedelta(days=42)
    ceiling = run_ceiling(history(kms), [], T, athlete="a", on=on)
    assert (ceiling.km, ceiling.binding_rule) == (5.5, "spike")
    assert ceiling.reason.startswith("5.51 km would trigger spike on 2025-02-17")


def test_week_ceiling_spreads_like_the_usual_week() -> None:
    # same history: the usual week is 1/7 a day; day 7's rolling week is the what-if week alone,
    # so the ramp binds at 1.1 x 35 = 38.5 km (and each day's 5.5 km spike at the same total)
    kms = [5.0] * 42
    on = FIRST + timedelta(days=42)
    ceiling = week_ceiling(history(kms), [], T, athlete="a", on=on)
    assert ceiling.km == pytest.approx(38.5, abs=0.011)
    assert ceiling.binding_rule in ("ramp", "spike")
    assert list(ceiling.spread) == [on + timedelta(days=j) for j in range(7)]
    assert sum(ceiling.spread.values()) == pytest.approx(ceiling.km, abs=0.05)


def test_week_ceiling_skips_weekdays_without_runs() -> None:
    kms = [6.0, 0, 8.0, 0, 0, 12.0, 0] * 6  # Mon, Wed, Sat
    on = FIRST + timedelta(days=42)  # a Monday
    ceiling = week_ceiling(history(kms), [], T, athlete="a", on=on)
    assert [d.weekday() for d in ceiling.spread] == [0, 2, 5]


def test_no_history_means_no_ceiling() -> None:
    empty = history([0.0])
    on = date(2026, 3, 2)
    run = run_ceiling(empty, [], T, athlete="a", on=on)
    assert run.km is None and run.binding_rule is None
    assert run.reason.startswith("no rule can set a ceiling: ")
    assert "fewer than 28 days of history (ACWR)" in run.reason
    week = week_ceiling(empty, [], T, athlete="a", on=on)
    assert week.km is None and "usual week" in week.reason


def test_already_over_gives_zero() -> None:
    # day 14's rolling week already holds 32 km (days 8..13) against 24 km (days 1..7): +33%
    kms = [4.0, 4.0, 0, 4.0, 4.0, 4.0, 0, 8.0, 8.0, 0, 8.0, 8.0, 8.0, 0]
    on = FIRST + timedelta(days=14)
    ceiling = run_ceiling(history(kms), [], T, athlete="a", on=on)
    assert (ceiling.km, ceiling.binding_rule) == (0.0, "ramp")
    assert ceiling.reason.startswith("already over a threshold without a run that day: ramp on")


def test_any_run_after_four_idle_weeks_trips_acwr() -> None:
    # runs long ago, nothing in the last 28+ days: any run makes the coupled ratio 4.0
    kms = [8.0] * 10 + [0.0] * 40
    on = FIRST + timedelta(days=50)
    ceiling = run_ceiling(history(kms), [], T, athlete="a", on=on)
    assert (ceiling.km, ceiling.binding_rule) == (0.0, "acwr")
    assert ceiling.reason.startswith("0.01 km would trigger acwr")


# ------------------------------------------------------------------ the check
def steady(weeks: int = 6) -> list[float]:
    return [6.0, 0, 8.0, 0, 7.0, 12.0, 0] * weeks


def test_check_at_the_ceiling_and_five_percent_above() -> None:
    kms = steady()
    on = FIRST + timedelta(days=len(kms))
    frame = history(kms)
    ceiling = run_ceiling(frame, [], T, athlete="a", on=on)
    assert ceiling.km is not None and ceiling.km > 1
    at = check(frame, None, [], T, athlete="a", on=on, run_km=ceiling.km)
    assert not [a for a in at.alerts if a.rule in CEILING_RULES and a.rank >= 2]
    over = check(frame, None, [], T, athlete="a", on=on, run_km=ceiling.km * 1.05)
    assert ceiling.binding_rule in {a.rule for a in over.alerts if a.rank >= 2}
    assert over.exit_status == 1
    assert all(a.planned for a in over.alerts if a.rule in CEILING_RULES)


def test_check_counts_plans_and_replaces_the_what_if_date() -> None:
    kms = steady()
    on = FIRST + timedelta(days=len(kms))  # a Monday
    frame = history(kms)
    plans = [
        (on - timedelta(days=3), 30.0),  # before the last recorded run: ignored
        (on, 6.0),  # replaced by --run
        (on + timedelta(days=2), 8.0),
    ]
    result = check(frame, None, plans, T, athlete="a", on=on, run_km=6.0)
    assert result.plans_counted == 1
    assert result.what_if == [(on, 6.0)]
    assert result.exit_status == 0
    big = check(frame, None, plans, T, athlete="a", on=on + timedelta(days=2), run_km=30.0)
    spikes = [a for a in big.alerts if a.rule == "spike"]
    assert [(a.date, a.severity, a.planned) for a in spikes] == [
        (on + timedelta(days=2), "high", True)
    ]
    # 30 km against the longest of the 30 days before, the 12 km Saturday runs: +150%
    assert spikes[0].value == pytest.approx(150.0)


def test_check_json_shape_and_validation() -> None:
    kms = steady()
    on = FIRST + timedelta(days=len(kms))
    result = check(history(kms), None, [], T, athlete="a", on=on, week_km=60.0)
    data = json.loads(json.dumps(result.as_dict()))
    assert {"athlete", "as_of", "alerts", "ceiling"} <= set(data)
    assert {"run_km", "run_binding_rule", "week_km", "week_binding_rule"} <= set(data["ceiling"])
    for alert in data["alerts"]:
        assert {
            "date",
            "rule",
            "severity",
            "value",
            "threshold",
            "planned",
            "message",
            "evidence",
        } <= set(alert)
    assert sum(km for _, km in result.what_if) == pytest.approx(60.0)
    from loadwatch.errors import ValidationError

    with pytest.raises(ValidationError, match="not both"):
        check(history(kms), None, [], T, athlete="a", on=on, run_km=5, week_km=5)
    with pytest.raises(ValidationError, match="before the last recorded run"):
        check(history(kms), None, [], T, athlete="a", on=on - timedelta(days=5), run_km=5)
    with pytest.raises(ValidationError, match="above 0"):
        check(history(kms), None, [], T, athlete="a", on=on, run_km=-2)
