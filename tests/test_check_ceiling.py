"""The safe ceiling and the check: planning exactly the ceiling triggers no binding
rule, 5% more triggers the binding rule.

The property test judges the ceiling with its own small re-implementation of
the binding rules (plain Python over a list of daily km, from the science.md
definitions), not with the engine that computed the ceiling. By default only
the spike and the ramp (at caution, > 30%) bind; the gabbett2016 profile adds
the coupled and EWMA ACWR (caution > 1.3).
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
from loadwatch.service.render import ceiling_sentence

T = Thresholds()
GABBETT = Thresholds(acwr_profile="gabbett2016")
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
def oracle(
    km_by_day: list[float], on: date, extra: dict[date, float], t: Thresholds = T
) -> set[str]:
    """Binding rules at caution or above on on..on+6, from the science.md formulas.

    Spike > 10% and ramp > 30% always; ACWR > 1.3 (rolling and EWMA) only under
    the gabbett2016 profile (``t.acwr_profile``).
    """
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
        if longest > 0 and 100 * (km / longest - 1) > t.spike_caution_pct + TOL:
            fired.add("spike")
    acute = chronic = load[0]
    ewma = [(acute, chronic)]
    for x in load[1:]:
        acute = 0.25 * x + 0.75 * acute
        chronic = (2 / 29) * x + (1 - 2 / 29) * chronic
        ewma.append((acute, chronic))
    for day in range((on - start).days, n):
        week = sum(load[day - 6 : day + 1]) if day >= 6 else None
        if day >= 13 and week is not None:
            prev = sum(load[day - 13 : day - 6])
            if prev >= t.ramp_min_base_km and 100 * (week - prev) / prev > 30.0 + TOL:
                fired.add("ramp")
        if t.acwr_profile == "gabbett2016" and day >= 27 and week is not None:
            month = sum(load[day - 27 : day + 1])
            if month > 0 and (week / 7) / (month / 28) > 1.3 + TOL:
                fired.add("acwr")
            a, c = ewma[day]
            if c > 0 and a / c > 1.3 + TOL:
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


def ran_within_30_days(km_by_day: list[float], on: date) -> bool:
    return any(
        km > 0 and 1 <= (on - (FIRST + timedelta(days=i))).days <= 30
        for i, km in enumerate(km_by_day)
    )


def judge(kms: list[float], on: date, t: Thresholds) -> None:
    """The ceilings of ``kms`` on ``on`` under ``t``, judged by the oracle."""
    frame = history(kms)
    for kind in ("run", "week"):
        if kind == "run":
            ceiling = run_ceiling(frame, [], t, athlete="a", on=on)
            shares = [1.0, 0, 0, 0, 0, 0, 0]  # the whole distance on the check date
        else:
            ceiling = week_ceiling(frame, [], t, athlete="a", on=on)
            shares = usual_shares(kms, on)
            if not shares:
                assert (ceiling.km, ceiling.status, ceiling.why) == (None, "none", ("no_runs",))
                continue

        def plan(x: float, shares: list[float] = shares) -> dict[date, float]:
            return {on + timedelta(days=j): x * s for j, s in enumerate(shares) if s > 0}

        if ceiling.status == "none":
            assert ceiling.km is None and ceiling.binding_rule is None and ceiling.why
            if "break" in ceiling.why:
                # no run in the 30 days before: no spike reference, never a zero ceiling
                assert not ran_within_30_days(kms, on), (kind, ceiling)
            else:
                assert oracle(kms, on, plan(1000.0), t) == set(), (kind, ceiling)
        elif ceiling.status == "already":
            assert ceiling.km == 0.0
            assert ceiling.binding_rule in oracle(kms, on, {}, t)
            assert ceiling.trigger is not None and ceiling.trigger.rank >= 2
        else:
            assert ceiling.status == "binds" and ceiling.km is not None
            assert ceiling.km == round(ceiling.km, 2)
            assert ceiling.binding_rule in t.binding_rules
            assert oracle(kms, on, plan(ceiling.km), t) == set(), (kind, ceiling)
            assert ceiling.binding_rule in oracle(kms, on, plan(above(ceiling.km)), t), (
                kind,
                ceiling,
            )


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
    judge(kms, FIRST + timedelta(days=len(kms) - 1 + gap), T)


@pytest.mark.slow
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
@given(km=st.lists(day_km, min_size=1, max_size=70), gap=st.integers(1, 25))
def test_ceiling_property_gabbett_profile(km: list[int], gap: int) -> None:
    kms = [float(k) for k in km]
    judge(kms, FIRST + timedelta(days=len(kms) - 1 + gap), GABBETT)


# ------------------------------------------------------- hand-worked examples
def test_run_ceiling_bound_by_spike() -> None:
    # 5 km every day for 6 weeks. A run of x on day 42: spike binds at 1.1 x 5 = 5.5 km
    # (the ramp: 30 + x > 1.3 x 35 at x > 15.5 km: worked by hand)
    kms = [5.0] * 42
    on = FIRST + timedelta(days=42)
    ceiling = run_ceiling(history(kms), [], T, athlete="a", on=on)
    assert (ceiling.km, ceiling.binding_rule, ceiling.status) == (5.5, "spike", "binds")
    assert ceiling.trigger is not None
    assert (ceiling.trigger.rule, ceiling.trigger.date, ceiling.trigger.severity) == (
        "spike",
        on,
        "caution",
    )
    assert ceiling.trigger.inputs["longest_30d_km"] == pytest.approx(5.0)
    assert ceiling_sentence(ceiling) == "5.51 km would raise a spike caution on 2025-02-17."


def test_week_ceiling_spreads_like_the_usual_week() -> None:
    # same history: the usual week is 1/7 a day, so each day's run is x/7 against a 5 km
    # longest: the spike binds at 7 x 5.5 = 38.5 km; the ramp only at 1.3 x 35 = 45.5 km
    # (day 7's rolling week is the what-if week alone)
    kms = [5.0] * 42
    on = FIRST + timedelta(days=42)
    ceiling = week_ceiling(history(kms), [], T, athlete="a", on=on)
    assert ceiling.km == pytest.approx(38.5, abs=0.011)
    assert ceiling.binding_rule == "spike"
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
    assert (run.km, run.binding_rule, run.status) == (None, None, "none")
    # nothing in the 7 days before (ramp base) and no run to compare a spike with
    assert set(run.why) == {"ramp_base", "break"}
    assert run.usual_run_km is None
    assert ceiling_sentence(run).startswith("No ceiling: ")
    assert "consider starting short" in ceiling_sentence(run)
    week = week_ceiling(empty, [], T, athlete="a", on=on)
    assert (week.km, week.status, week.why) == (None, "none", ("no_runs",))
    assert "usual week" in ceiling_sentence(week)


def test_already_over_gives_zero() -> None:
    # day 14's rolling week already holds 32 km (days 8..13) against 24 km (days 1..7): +33%
    kms = [4.0, 4.0, 0, 4.0, 4.0, 4.0, 0, 8.0, 8.0, 0, 8.0, 8.0, 8.0, 0]
    on = FIRST + timedelta(days=14)
    ceiling = run_ceiling(history(kms), [], T, athlete="a", on=on)
    assert (ceiling.km, ceiling.binding_rule, ceiling.status) == (0.0, "ramp", "already")
    assert ceiling.trigger is not None
    assert (ceiling.trigger.date, ceiling.trigger.severity) == (on, "caution")
    assert ceiling.trigger.value == pytest.approx(100 * (32 - 24) / 24)
    assert ceiling_sentence(ceiling).startswith("Already over a threshold without any more running")


def test_after_a_break_there_is_no_zero_ceiling() -> None:
    # runs long ago, nothing in the last 40 days: no spike reference, no ramp base, and the
    # ACWR (4.0 for any run) is info by default: no ceiling, and the usual run as a start
    kms = [8.0] * 9 + [6.0] + [0.0] * 40
    on = FIRST + timedelta(days=50)
    ceiling = run_ceiling(history(kms), [], T, athlete="a", on=on)
    assert (ceiling.km, ceiling.binding_rule, ceiling.status) == (None, None, "none")
    assert "break" in ceiling.why
    assert ceiling.usual_run_km == 8.0  # the median of the last 10 runs (nine 8s and a 6)
    assert "consider starting below your usual run (8.0 km)" in ceiling_sentence(ceiling)
    week = week_ceiling(history(kms), [], T, athlete="a", on=on)
    assert (week.km, week.status, week.why, week.usual_run_km) == (None, "none", ("break",), 8.0)
    # a 30 km first run back: no spike (no reference), no ramp (no base), ACWR info only
    result = check(history(kms), None, [], T, athlete="a", on=on, run_km=30.0)
    assert not result.has_findings
    assert {a.severity for a in result.alerts} <= {"info"}
    assert "spike" not in {a.rule for a in result.alerts}


def test_gabbett_profile_binds_on_acwr() -> None:
    # under Gabbett's zones the coupled ratio binds: after 40 idle days any run makes it
    # (x/7) / (x/28) = 4.0 > 1.3, so the run ceiling is 0 (set by acwr, not by the spike)
    kms = [8.0] * 10 + [0.0] * 40
    on = FIRST + timedelta(days=50)
    ceiling = run_ceiling(history(kms), [], GABBETT, athlete="a", on=on)
    assert (ceiling.km, ceiling.binding_rule, ceiling.status) == (0.0, "acwr", "binds")
    assert ceiling.trigger is not None and ceiling.trigger.value == pytest.approx(4.0)
    # a steady history: 5 km a day for 6 weeks (both EWMAs sit at 5 km/day); a run of x on
    # day 42 has a coupled ratio 4 (30 + x) / (135 + x) > 1.3 when x > 20.6 km and an EWMA
    # ratio (0.25 x + 3.75) / (2/29 x + 27/29 x 5) > 1.3 when x > 14.36 km, both past the
    # 5.5 km spike: the spike still binds, but ACWR is in force
    steady_kms = [5.0] * 42
    day = FIRST + timedelta(days=42)
    assert run_ceiling(history(steady_kms), [], GABBETT, athlete="a", on=day).km == 5.5

    def ewma_ratio(x: float) -> float:
        return (0.25 * x + 0.75 * 5) / ((2 / 29) * x + (27 / 29) * 5)

    assert ewma_ratio(14.0) < 1.3 < ewma_ratio(15.0) < 1.5
    for x, expected in ((14.0, []), (15.0, ["caution"])):
        result = check(history(steady_kms), None, [], GABBETT, athlete="a", on=day, run_km=x)
        ewma = [a for a in result.alerts if a.rule == "acwr_ewma" and a.date == day]
        assert [a.severity for a in ewma] == expected
        if ewma:
            assert ewma[0].value == pytest.approx(ewma_ratio(x))
    result = check(history(steady_kms), None, [], GABBETT, athlete="a", on=day, run_km=30.0)
    # 4 x 60 / 165 = 1.45 (caution); the EWMA ratio climbs past 1.5 (high)
    coupled = [a for a in result.alerts if a.rule == "acwr" and a.date == day]
    assert [(a.severity, round(a.value, 3)) for a in coupled] == [("caution", round(240 / 165, 3))]
    assert "high" in {a.severity for a in result.alerts if a.rule == "acwr_ewma"}
    assert set(result.binding_rules) == {"spike", "ramp", "acwr", "acwr_ewma"}
    # the same runs under the default policy: ACWR is info, never caution
    quiet = check(history(steady_kms), None, [], T, athlete="a", on=day, run_km=15.0)
    assert {a.severity for a in quiet.alerts if a.rule.startswith("acwr")} <= {"info"}


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
    assert over.has_findings
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
    assert not result.has_findings
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
    # 60 km against a 33 km week: +82%, a ramp caution
    assert result.has_findings
    data = json.loads(
        json.dumps(
            {
                "alerts": [a.as_dict() for a in result.alerts],
                "run": result.run_ceiling.as_dict(),
                "week": result.week_ceiling.as_dict(),
            }
        )
    )
    ceiling_keys = {"km", "binding_rule", "status", "why", "usual_run_km", "trigger", "spread_km"}
    assert set(data["run"]) == set(data["week"]) == ceiling_keys
    assert data["alerts"]
    for alert in data["alerts"]:
        assert set(alert) == {
            "date",
            "athlete",
            "rule",
            "severity",
            "value",
            "threshold",
            "planned",
            "evidence",
            "inputs",
        }
    assert sum(km for _, km in result.what_if) == pytest.approx(60.0)
    from loadwatch.errors import ValidationError

    with pytest.raises(ValidationError, match="not both"):
        check(history(kms), None, [], T, athlete="a", on=on, run_km=5, week_km=5)
    with pytest.raises(ValidationError, match="before the last recorded run"):
        check(history(kms), None, [], T, athlete="a", on=on - timedelta(days=5), run_km=5)
    with pytest.raises(ValidationError, match="above 0"):
        check(history(kms), None, [], T, athlete="a", on=on, run_km=-2)
