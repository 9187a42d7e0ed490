"""The warning before a jump: planned runs, what-if runs and the safe ceiling.

:func:`check` evaluates every rule on the recorded history plus the stored
planned runs (plus a hypothetical run or week) and returns the alerts from the
check date on. It also computes two **safe ceilings**:

- the longest run on the check date, and
- the largest total for the 7 days from the check date, spread like the
  athlete's usual week (each weekday's share of the running of the 28 days
  before; the whole history when those 28 days are empty),

that trigger no caution-or-worse alert of a rule that can bind — the rules
in force at caution or above that grow with the distance added: by default
the single-run spike and the rolling 7-day ramp; coupled and EWMA ACWR too
under the ``gabbett2016`` profile — on any of the 7 days from the check date
(days without a plan count as rest). These grow with the distance added, so
the safe distances form an interval [0, ceiling]. Info-level rules never
bind. Monotony and the pain rules never bind: monotony measures sameness (a
longer run can lower it, a shorter one raise it), and pain is logged, not
planned. Both still appear among the alerts. After a break (no run in the
30 days before) the spike has no reference, so it sets no ceiling; the
result carries the athlete's usual run as a starting point instead.

How the ceiling is found: each binding rule is solved for the distance that
puts it exactly on its threshold (spike: 1.1 x the longest run of the 30
days before; ramp: 1.1 x the previous 7 days minus what the window already
holds; ACWR: the run sits in both the 7- and the 28-day window, so
4 (a + x) = T (c + x); EWMA: the run's weight in each average), the lowest
wins, it is rounded down to 0.01 km, and then checked by re-running every
rule at that distance and 0.01 km more (bisecting if the check disagrees).
Planning exactly the ceiling triggers no binding rule; 0.01 km more (and so
5% more, for ceilings of 0.2 km and up) triggers the binding rule.

Conventions: ``--run`` and ``--week`` replace stored plans on their dates;
stored plans count from the day after the last recorded run; a planned run
starts at midnight of its local date (so the 30-day look-back covers the 30
dates before it) or just after any run already recorded that day.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import numpy as np
import pandas as pd

from loadwatch.alerts.config import Thresholds
from loadwatch.alerts.rules import SEVERITY_RANK, Alert, evaluate
from loadwatch.metrics.daily import ACUTE_LAMBDA, CHRONIC_LAMBDA

#: Every rule that can ever bind a ceiling (which ones do: ``Thresholds.binding_rules``).
CEILING_RULES: tuple[str, ...] = ("spike", "ramp", "acwr", "acwr_ewma")
#: Days from the check date whose alerts a planned run or week is judged by.
HORIZON_DAYS = 7
_HUNDREDTHS_LIMIT = 10_000_000  # 100,000 km: "no ceiling" beyond this
#: How many recent runs make the "usual run" suggested after a break.
USUAL_RUNS = 10


@dataclass(frozen=True, slots=True)
class Ceiling:
    """A safe ceiling as facts: km (None when no rule can bind) and why.

    ``status``: ``"binds"`` (``km`` is the ceiling, ``binding_rule`` binds and
    ``trigger`` is the alert 0.01 km more would raise), ``"already"`` (the
    history alone fires ``trigger`` in the horizon, ``km`` is 0), or
    ``"none"`` (no rule can bind; ``why`` holds the reasons: ``"break"`` — no
    run in the 30 days before, ``"ramp_base"`` — under the ramp's minimum base,
    ``"history"`` — under 28 days of history, ``"no_runs"``, ``"limit"``).
    ``usual_run_km``: the median of the athlete's last runs, a starting point
    after a break. ``spread``: for a week ceiling, km per date spread like the
    usual week.
    """

    km: float | None
    binding_rule: str | None
    status: str
    trigger: Alert | None = None
    why: tuple[str, ...] = ()
    usual_run_km: float | None = None
    spread: dict[date, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "km": self.km,
            "binding_rule": self.binding_rule,
            "status": self.status,
            "why": list(self.why),
            "usual_run_km": self.usual_run_km,
            "trigger": None if self.trigger is None else self.trigger.as_dict(),
            "spread_km": {d.isoformat(): km for d, km in self.spread.items()},
        }


@dataclass(frozen=True, slots=True)
class CheckResult:
    """What :func:`check` found; ``alerts`` are those dated from ``as_of`` to ``until``."""

    athlete: str
    as_of: date
    until: date
    last_run: date | None
    plans_counted: int
    what_if: list[tuple[date, float]]
    alerts: list[Alert]
    run_ceiling: Ceiling
    week_ceiling: Ceiling
    #: rules that could bind the ceilings (``Thresholds.binding_rules``)
    binding_rules: tuple[str, ...] = ("spike", "ramp")

    @property
    def worst(self) -> str | None:
        if not self.alerts:
            return None
        return max(self.alerts, key=lambda a: a.rank).severity

    @property
    def has_findings(self) -> bool:
        """True when an alert at caution or above was found (info never counts)."""
        return any(a.rank >= SEVERITY_RANK["caution"] for a in self.alerts)


# ------------------------------------------------------------ plan rows
def _offset_s(history: pd.DataFrame) -> int:
    """The athlete's most recent UTC offset (0 without history)."""
    if history.empty or "utc_offset_s" not in history:
        return 0
    last = history.sort_values("start_utc")["utc_offset_s"].dropna()
    return int(last.iloc[-1]) if len(last) else 0


def plan_rows(
    history: pd.DataFrame, runs: Sequence[tuple[date, float]], athlete: str, first_id: int = -1
) -> pd.DataFrame:
    """Activity rows for planned or hypothetical runs (``(date, km)``), ids counting down.

    Each starts at local midnight of its date plus one minute per earlier
    planned run that day, or just after the last recorded run of that day.
    """
    offset = _offset_s(history)
    tz = timezone(timedelta(seconds=offset))
    latest: dict[date, datetime] = {}
    wanted = {d for d, _ in runs}
    if wanted and not history.empty:
        local = pd.to_datetime(history["local_date"]).dt.date
        same_day = local.isin(wanted).to_numpy()
        starts = pd.to_datetime(history["start_utc"], utc=True)[same_day]
        for day, stamp in zip(local[same_day], starts, strict=True):
            moment = pd.Timestamp(stamp).to_pydatetime()
            latest[day] = max(latest.get(day, moment), moment)
    rows = []
    for n, (day, km) in enumerate(runs):
        start = datetime.combine(day, datetime.min.time(), tz).astimezone(UTC)
        if day in latest:
            start = max(start, latest[day] + timedelta(seconds=1))
        latest[day] = start + timedelta(minutes=1) - timedelta(seconds=1)
        rows.append(
            {
                "id": first_id - n,
                "athlete": athlete,
                "sport": "running",
                "sub_sport": None,
                "start_utc": start,
                "utc_offset_s": offset,
                "local_date": day,
                "distance_m": float(km) * 1000.0,
                "timer_s": 0.0,
                "elapsed_s": 0.0,
            }
        )
    own = ["id", "athlete", "sport", "sub_sport", "start_utc", "utc_offset_s", "local_date"]
    own += ["distance_m", "timer_s", "elapsed_s"]
    columns = list(history.columns) + [c for c in own if c not in history.columns]
    frame = pd.DataFrame(rows, columns=columns)
    if len(frame):
        frame["start_utc"] = pd.to_datetime(frame["start_utc"], utc=True)
    return frame


def _concat(*frames: pd.DataFrame) -> pd.DataFrame:
    parts = [f for f in frames if len(f)]
    if not parts:
        return frames[0].iloc[0:0]
    if len(parts) == 1:
        return parts[0]
    out = pd.concat([p.astype(object) for p in parts], ignore_index=True)
    out["start_utc"] = pd.to_datetime(out["start_utc"], utc=True)
    out["distance_m"] = out["distance_m"].astype(float)
    out["timer_s"] = out["timer_s"].astype(float)
    return out


def usual_week(history: pd.DataFrame, on: date) -> np.ndarray | None:
    """Share of the 7 days ``on .. on+6`` in the athlete's usual week (sums to 1).

    Each weekday's share of the running km of the 28 days before ``on``; of
    the whole history before ``on`` when those are empty; None without any.
    """
    from loadwatch.metrics import daily_load

    before = history[pd.to_datetime(history["local_date"]) < pd.Timestamp(on)]
    if before.empty:
        return None
    load = daily_load(before, end=on - timedelta(days=1))
    for window in (load[load.index >= pd.Timestamp(on - timedelta(days=28))], load):
        by_weekday = (
            window.groupby(pd.DatetimeIndex(window.index).day_of_week)
            .sum()
            .reindex(range(7), fill_value=0.0)
        )
        total = float(by_weekday.sum())
        if total > 0:
            weekdays = [(on + timedelta(days=j)).weekday() for j in range(HORIZON_DAYS)]
            return by_weekday.to_numpy(dtype=float)[weekdays] / total
    return None


# ----------------------------------------------------------- the scenario
@dataclass
class _Scenario:
    """History + kept plans, and a pattern of what-if km over the 7 days from ``on``."""

    history: pd.DataFrame
    kept: list[tuple[date, float]]
    athlete: str
    on: date
    pattern: np.ndarray  # km per unit x for on .. on+6
    thresholds: Thresholds
    base: pd.DataFrame = field(init=False)
    base_ids: list[int] = field(init=False)
    start: date = field(init=False)
    end: date = field(init=False)

    def __post_init__(self) -> None:
        plans = plan_rows(self.history, self.kept, self.athlete, first_id=-1)
        self.base = _concat(self.history, plans)
        self.base_ids = [int(i) for i in plans["id"]] if len(plans) else []
        days = [self.on]
        if len(self.base):
            days.append(pd.Timestamp(pd.to_datetime(self.base["local_date"]).min()).date())
        self.start = min(days)
        last_plan = max((d for d, _ in self.kept), default=self.on)
        self.end = max(self.on + timedelta(days=HORIZON_DAYS - 1), last_plan)

    def runs(self, x: float) -> list[tuple[date, float]]:
        return [
            (self.on + timedelta(days=j), x * float(p))
            for j, p in enumerate(self.pattern)
            if p > 0 and x > 0
        ]

    @property
    def binding(self) -> tuple[str, ...]:
        return self.thresholds.binding_rules

    def binding_alerts(self, x: float) -> list[Alert]:
        """Caution-or-worse alerts of the binding rules in the horizon, with ``x`` added."""
        extra = plan_rows(self.history, self.runs(x), self.athlete, first_id=-1 - len(self.kept))
        frame = _concat(self.base, extra)
        ids = self.base_ids + ([int(i) for i in extra["id"]] if len(extra) else [])
        last = self.on + timedelta(days=HORIZON_DAYS - 1)
        alerts = evaluate(
            frame,
            None,
            self.thresholds,
            athlete=self.athlete,
            start=self.start,
            end=self.end,
            planned_ids=ids,
        )
        return [
            a
            for a in alerts
            if a.rule in self.binding and a.rank >= 2 and self.on <= a.date <= last
        ]


# ----------------------------------------------------- analytic estimate
def _ewma_weights(n_before: int, lam: float) -> np.ndarray:
    """Weight of the load on day ``on + j`` in the EWMA on day ``on + k`` ([k, j])."""
    w = np.zeros((HORIZON_DAYS, HORIZON_DAYS))
    for k in range(HORIZON_DAYS):
        for j in range(k + 1):
            seed = n_before == 0 and j == 0  # the series' first day seeds the average
            w[k, j] = (1 - lam) ** (k - j) * (1.0 if seed else lam)
    return w


def _estimate(sc: _Scenario) -> tuple[float, str | None, list[str]]:
    """Lowest distance x (pattern units) that puts a binding rule over caution.

    Returns (x, rule, reason codes why a rule could not bind); x is inf when none can.
    """
    from loadwatch.metrics import daily_load, daily_metrics

    t = sc.thresholds
    load = daily_load(sc.base, athlete=sc.athlete, start=sc.start, end=sc.end)
    m = daily_metrics(load)
    k0 = int((pd.Timestamp(sc.on) - load.index[0]).days)
    rows = m.iloc[k0 : k0 + HORIZON_DAYS]
    p = sc.pattern
    s = np.cumsum(p)  # km per unit x inside the 7- and 28-day windows of each day
    best, rule = math.inf, None
    why: list[str] = []

    def take(x: float, name: str) -> None:
        nonlocal best, rule
        if x < best:
            best, rule = max(x, 0.0), name

    # ramp: week0 + x s > prev (1 + T/100), needs prev >= min base
    prev = rows["prev_week_load"].to_numpy(dtype=float)
    week0 = rows["week_load"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        ok = (prev >= t.ramp_min_base_km) & (prev > 0) & (s > 0)
    if ok.any():
        bound = (prev[ok] * (1 + t.ramp_caution_pct / 100.0) - week0[ok]) / s[ok]
        take(float(bound.min()), "ramp")
    else:
        why.append("ramp_base")

    history_ok = rows["history_days"].to_numpy(dtype=float) >= 28
    if "acwr" not in sc.binding:
        history_ok = np.zeros(len(rows), dtype=bool)
    # coupled ACWR: 4 (a + x s) > T (c + x s), a and c the 7- and 28-day sums
    a = week0
    c = 28.0 * rows["chronic_28d"].to_numpy(dtype=float)
    if history_ok.any() and t.acwr_caution < 4.0:
        sel = history_ok & (s > 0)
        bound = (t.acwr_caution * c[sel] - 4.0 * a[sel]) / (s[sel] * (4.0 - t.acwr_caution))
        if len(bound):
            take(float(np.nanmin(bound)), "acwr")
        # EWMA: (A + x dA) > T (C + x dC)
        n_before = k0
        d_a = _ewma_weights(n_before, ACUTE_LAMBDA) @ p
        d_c = _ewma_weights(n_before, CHRONIC_LAMBDA) @ p
        big_a = rows["acute_ewma"].to_numpy(dtype=float)
        big_c = rows["chronic_ewma"].to_numpy(dtype=float)
        slope = d_a - t.acwr_caution * d_c
        sel = history_ok & (slope > 0)
        if sel.any():
            bound = (t.acwr_caution * big_c[sel] - big_a[sel]) / slope[sel]
            take(float(np.nanmin(bound)), "acwr_ewma")
    elif "acwr" in sc.binding and not history_ok.any():
        why.append("history")

    # spike: x p_j > (1 + T/100) x longest of the 30 days before the run
    factor = 1 + t.spike_caution_pct / 100.0
    runs = sc.base
    any_spike = False
    if len(runs):
        starts = pd.to_datetime(runs["start_utc"], utc=True)
        km = runs["distance_m"].to_numpy(dtype=float) / 1000.0
    probe = plan_rows(sc.history, [(sc.on + timedelta(days=j), 1.0) for j in range(7)], "x")
    for j, pj in enumerate(p):
        if pj <= 0:
            continue
        earlier = p[:j][p[:j] > 0]
        m_j = float(earlier.max()) if len(earlier) else 0.0
        if pj <= factor * m_j:
            any_spike = True  # bounded by the week's own earlier runs, never fires
            continue
        longest = 0.0
        if len(runs):
            st = probe["start_utc"].iloc[j]
            inside = (starts >= st - pd.Timedelta(days=30)) & (starts < st)
            longest = float(np.nanmax(km[inside.to_numpy()], initial=0.0))
        if longest > 0:
            any_spike = True
            take(factor * longest / pj, "spike")
        elif m_j > 0:
            any_spike = True
            take(0.0, "spike")
    if not any_spike:
        why.append("break")
    return best, rule, why


# ------------------------------------------------------------ the search
def _largest_safe(safe: Callable[[int], bool], guess: int) -> int:
    """Largest n (hundredths of km) with safe(n), given safe is true up to it and false after.

    Starts from the analytic ``guess`` so that usually two evaluations settle it.
    Returns -1 when even n = 0 is unsafe.
    """
    guess = min(max(guess, 0), _HUNDREDTHS_LIMIT)
    if safe(guess):
        lo, step = guess, 1
        hi = lo + step
        while hi <= _HUNDREDTHS_LIMIT and safe(hi):
            lo, step = hi, step * 2
            hi = lo + step
        hi = min(hi, _HUNDREDTHS_LIMIT + 1)
    else:
        hi, step = guess, 1
        lo = hi - step
        while lo >= 0 and not safe(lo):
            hi, step = lo, step * 2
            lo = hi - step
        if lo < 0:
            if hi == 0 or not safe(0):
                return -1
            lo = 0
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if safe(mid):
            lo = mid
        else:
            hi = mid
    return lo


def _usual_run(history: pd.DataFrame, on: date) -> float | None:
    """Median km of the athlete's last :data:`USUAL_RUNS` runs before ``on`` (None without)."""
    if history.empty:
        return None
    before = history[pd.to_datetime(history["local_date"]) < pd.Timestamp(on)]
    if before.empty:
        return None
    km = before.sort_values("start_utc")["distance_m"].to_numpy(dtype=float)[-USUAL_RUNS:] / 1000.0
    return round(float(np.median(km)), 2)


def _ran_within(history: pd.DataFrame, on: date, *, days: int) -> bool:
    """True when a run is recorded in the ``days`` dates before ``on``."""
    if history.empty:
        return False
    local = pd.to_datetime(history["local_date"])
    return bool(
        ((local < pd.Timestamp(on)) & (local >= pd.Timestamp(on - timedelta(days=days)))).any()
    )


def _ceiling(sc: _Scenario) -> Ceiling:
    already = sc.binding_alerts(0.0)
    order = CEILING_RULES.index
    if already:
        first = min(already, key=lambda a: (a.date, order(a.rule)))
        return Ceiling(0.0, first.rule, "already", trigger=first)
    x_est, rule_est, why = _estimate(sc)
    usual = _usual_run(sc.history, sc.on) if "break" in why else None
    if math.isinf(x_est):
        return Ceiling(None, None, "none", why=tuple(why), usual_run_km=usual)
    cache: dict[int, list[Alert]] = {}

    def fired(n: int) -> list[Alert]:
        if n not in cache:
            cache[n] = sc.binding_alerts(n / 100.0)
        return cache[n]

    n = _largest_safe(lambda k: not fired(k), math.floor(x_est * 100.0))
    if n >= _HUNDREDTHS_LIMIT:
        return Ceiling(None, None, "none", why=("limit",))
    over = fired(n + 1)
    names = {a.rule for a in over}
    rule = rule_est if rule_est in names else next(r for r in CEILING_RULES if r in names)
    first = min((a for a in over if a.rule == rule), key=lambda a: a.date)
    km = round(n / 100.0, 2)
    return Ceiling(km, rule, "binds", trigger=first, why=tuple(why), usual_run_km=usual)


def run_ceiling(
    history: pd.DataFrame,
    plans: Sequence[tuple[date, float]],
    thresholds: Thresholds,
    *,
    athlete: str,
    on: date,
) -> Ceiling:
    """The longest run on ``on`` that keeps every binding rule quiet (plans on ``on`` replaced)."""
    kept = [(d, km) for d, km in plans if d != on]
    pattern = np.zeros(HORIZON_DAYS)
    pattern[0] = 1.0
    sc = _Scenario(history, kept, athlete, on, pattern, thresholds)
    return _ceiling(sc)


def week_ceiling(
    history: pd.DataFrame,
    plans: Sequence[tuple[date, float]],
    thresholds: Thresholds,
    *,
    athlete: str,
    on: date,
) -> Ceiling:
    """The largest 7-day total from ``on``, spread like the usual week (plans there replaced)."""
    shares = usual_week(history, on)
    if shares is None:
        return Ceiling(None, None, "none", why=("no_runs",))
    if not _ran_within(history, on, days=30):
        # After a break the week's first run has no reference, and the usual week's
        # shape alone would make its later runs "spikes" at any scale: no ceiling.
        return Ceiling(None, None, "none", why=("break",), usual_run_km=_usual_run(history, on))
    last = on + timedelta(days=HORIZON_DAYS - 1)
    kept = [(d, km) for d, km in plans if not on <= d <= last]
    sc = _Scenario(history, kept, athlete, on, shares, thresholds)
    result = _ceiling(sc)
    if result.km is None:
        return result
    spread = {d: round(km, 2) for d, km in sc.runs(result.km)}
    return dataclasses.replace(result, spread=spread)


# ----------------------------------------------------------- the check
def check(
    activities: pd.DataFrame,
    pain: pd.DataFrame | None,
    plans: Sequence[tuple[date, float]],
    thresholds: Thresholds,
    *,
    athlete: str,
    on: date,
    run_km: float | None = None,
    week_km: float | None = None,
) -> CheckResult:
    """Alerts from ``on`` with history + plans (+ a what-if run or week), and both ceilings.

    ``activities``: the athlete's recorded activities (summary columns).
    ``plans``: (date, km) of stored planned runs; those on or before the last
    recorded run's date are taken as done (or skipped) and ignored.
    ``run_km`` replaces the plans on ``on``; ``week_km`` (spread like the
    usual week) replaces the plans of ``on .. on+6``. Alerts are those dated
    ``on`` to the later of ``on + 6`` and the last plan, except info-level
    alerts on future days without any run (those days are assumed rest).
    """
    from loadwatch.errors import ValidationError

    if run_km is not None and week_km is not None:
        raise ValidationError("give --run or --week, not both")
    for value, what in ((run_km, "--run"), (week_km, "--week")):
        if value is not None and not (value > 0 and math.isfinite(value)):
            raise ValidationError(f"{what} must be a distance above 0 km (got {value})")
    history = activities[activities["athlete"] == athlete] if len(activities) else activities
    last_run = (
        pd.Timestamp(pd.to_datetime(history["local_date"]).max()).date() if len(history) else None
    )
    if last_run is not None and on < last_run:
        raise ValidationError(
            f"the check looks ahead: --on {on} is before the last recorded run ({last_run})"
        )
    pending = sorted((d, km) for d, km in plans if last_run is None or d > last_run)
    horizon_end = on + timedelta(days=HORIZON_DAYS - 1)
    what_if: list[tuple[date, float]] = []
    kept = pending
    if run_km is not None:
        what_if = [(on, float(run_km))]
        kept = [(d, km) for d, km in pending if d != on]
    elif week_km is not None:
        shares = usual_week(history, on)
        if shares is None:
            raise ValidationError("--week needs recorded runs to learn your usual week")
        what_if = [
            (on + timedelta(days=j), float(week_km) * float(s))
            for j, s in enumerate(shares)
            if s > 0
        ]
        kept = [(d, km) for d, km in pending if not on <= d <= horizon_end]
    rows = plan_rows(history, [*kept, *what_if], athlete, first_id=-1)
    frame = _concat(history, rows)
    ids = [int(i) for i in rows["id"]] if len(rows) else []
    until = max([horizon_end, *(d for d, _ in kept)])
    first = [on]
    if len(frame):
        first.append(pd.Timestamp(pd.to_datetime(frame["local_date"]).min()).date())
    alerts = evaluate(
        frame, pain, thresholds, athlete=athlete, start=min(first), end=until, planned_ids=ids
    )
    run_days = set(pd.to_datetime(frame["local_date"]).dt.date) if len(frame) else set()
    shown = [
        a
        for a in alerts
        if on <= a.date <= until
        and (a.severity != "info" or a.date in run_days or (last_run and a.date <= last_run))
    ]
    return CheckResult(
        athlete=athlete,
        as_of=on,
        until=until,
        last_run=last_run,
        plans_counted=len(kept),
        what_if=what_if,
        alerts=shown,
        run_ceiling=run_ceiling(history, pending, thresholds, athlete=athlete, on=on),
        week_ceiling=week_ceiling(history, pending, thresholds, athlete=athlete, on=on),
        binding_rules=thresholds.binding_rules,
    )
