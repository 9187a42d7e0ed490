"""The alert rules of science.md section 6, evaluated day by day, as facts.

Every rule is a vectorised comparison on a column of the daily metrics frame
(or of the run-spike or pain table); Python only loops over the days that
fire. An :class:`Alert` is data — rule, severity, date, value, threshold, the
inputs behind it and an evidence key — never prose: words and units are
rendered at the edge (:mod:`loadwatch.service.render`).

Graded by the strength of the evidence (defaults; all configurable):

| rule        | measured on                    | info          | caution       | high          |
|-------------|--------------------------------|---------------|---------------|---------------|
| spike       | each run vs longest of 30 days |               | > 10 %        | > 100 %       |
| ramp        | rolling 7 days vs 7 before     | > 10 %        | > 30 %        |               |
| acwr        | rolling coupled 7:28-day ratio | > 1.5         | (gabbett2016: > 1.3, > 1.5)   |
| acwr_ewma   | EWMA ratio (Williams 2017)     | > 1.5         | (gabbett2016: > 1.3, > 1.5)   |
| acwr_low    | rolling coupled ratio          | < 0.8         |               |               |
| monotony    | mean / SD of 7 daily loads     | > 2.0         |               |               |
| pain_flare  | the day's worst pain score     |               | >= median + 2 | >= 7, or a    |
|             |                                |               | or >= 5       | flare <= 3 d  |
|             |                                |               |               | after a spike |

Load rules are strict (a value exactly at a threshold does not fire); pain
rules use ``>=`` as science.md words them. Ramp alerts need the previous 7
days to hold at least ``ramp_min_base_km``. The rules assume a distance load
series (km).

Consecutive days: each rule gives one alert per day it holds (spikes: one per
run); :func:`summarise` folds them into episodes (first day, last day, peak day).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from loadwatch.alerts.config import Thresholds
from loadwatch.alerts.evidence import citation

SEVERITIES: tuple[str, ...] = ("info", "caution", "high")
#: info < caution < high; no alert ranks 0.
SEVERITY_RANK: dict[str | None, int] = {None: 0, "info": 1, "caution": 2, "high": 3}
RULES: tuple[str, ...] = (
    "spike",
    "ramp",
    "acwr",
    "acwr_ewma",
    "acwr_low",
    "monotony",
    "pain_flare",
)
#: Columns of :func:`alerts_frame`.
ALERT_COLUMNS: tuple[str, ...] = (
    "date",
    "athlete",
    "rule",
    "severity",
    "value",
    "threshold",
    "planned",
    "evidence",
    "inputs",
)
#: Columns of :func:`summarise`.
EPISODE_COLUMNS: tuple[str, ...] = (
    "rule",
    "first_date",
    "last_date",
    "days",
    "date",
    "athlete",
    "severity",
    "value",
    "threshold",
    "planned",
    "evidence",
    "inputs",
)

Inputs = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Alert:
    """One rule firing on one day. ``value`` and ``threshold`` are in the rule's unit.

    Units: spike and ramp in %, ACWR and monotony unitless, pain in points (0–10).
    ``inputs`` are the measurements behind the value, distances in km
    (spike: ``distance_km``, ``longest_30d_km``; ramp: ``week_km``,
    ``prev_week_km``; ACWR: ``acute_km_day``, ``chronic_km_day``; monotony:
    ``week_km``; pain: ``score``, ``median``, ``location``, ``timing``,
    ``spike_days_before``, ``spike_pct``).
    ``planned`` is True when the alert depends on planned (or hypothetical)
    runs: a planned run's spike, or a rolling 7-day window holding planned km.
    """

    date: date
    athlete: str
    rule: str
    severity: str
    value: float
    threshold: float
    planned: bool
    evidence: str
    inputs: Inputs = field(default_factory=dict)

    @property
    def citation(self) -> str:
        return citation(self.evidence)

    @property
    def rank(self) -> int:
        return SEVERITY_RANK[self.severity]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready facts: ISO date, rounded value, evidence key, inputs (km)."""
        return {
            "date": self.date.isoformat(),
            "athlete": self.athlete,
            "rule": self.rule,
            "severity": self.severity,
            "value": round(float(self.value), 4),
            "threshold": float(self.threshold),
            "planned": bool(self.planned),
            "evidence": self.evidence,
            "inputs": {k: _json_value(v) for k, v in self.inputs.items()},
        }


def _json_value(v: Any) -> Any:
    if isinstance(v, float | np.floating):
        return None if np.isnan(v) else round(float(v), 4)
    if isinstance(v, np.integer):
        return int(v)
    return v


# ------------------------------------------------------------------ helpers
def _day(stamp: Any) -> date:
    return pd.Timestamp(stamp).date()


def _emit(
    rule: str,
    rows: np.ndarray,
    *,
    athlete: str | np.ndarray,
    dates: Any,
    severity: np.ndarray,
    value: np.ndarray,
    threshold: np.ndarray,
    planned: np.ndarray,
    evidence: str | Mapping[str, str],
    inputs: Mapping[str, np.ndarray],
) -> list[Alert]:
    """One :class:`Alert` per position in ``rows`` (the days or runs that fire).

    The arrays are indexed like the rule's input; ``athlete`` is one name, or
    an array of names (several athletes' rows at once); ``evidence`` is one key,
    or one per severity; ``inputs`` maps a name to an array of measurements.
    """
    out = []
    for i in rows:
        sev = str(severity[i])
        out.append(
            Alert(
                _day(dates[i]),
                athlete if isinstance(athlete, str) else str(athlete[i]),
                rule,
                sev,
                float(value[i]),
                float(threshold[i]),
                bool(planned[i]),
                evidence if isinstance(evidence, str) else evidence[sev],
                {k: _json_value(a[i]) for k, a in inputs.items()},
            )
        )
    return out


def _levels(
    rule: str,
    value: np.ndarray,
    levels: Sequence[tuple[str, float]],
    *,
    where: np.ndarray | None = None,
    **emit: Any,
) -> list[Alert]:
    """A graded rule as alerts: each position gets the highest level its value is above.

    ``levels`` are (severity, threshold) pairs from the lowest to the highest
    bar; strict ``>``; NaN never fires. ``where`` further limits the positions
    that may fire; ``emit`` is passed on to :func:`_emit`.
    """
    severity = np.full(len(value), "", dtype=object)
    threshold = np.full(len(value), np.nan)
    with np.errstate(invalid="ignore"):
        for name, bar in levels:
            above = value > bar
            severity[above] = name
            threshold[above] = bar
    fires = severity != ""
    if where is not None:
        fires &= where
    return _emit(
        rule, np.flatnonzero(fires), severity=severity, value=value, threshold=threshold, **emit
    )


def metric_alerts(
    daily: pd.DataFrame,
    thresholds: Thresholds,
    *,
    athlete: str | np.ndarray,
    planned_load: pd.Series | None = None,
) -> list[Alert]:
    """Ramp, ACWR (rolling and EWMA), ACWR low and monotony alerts, one per day.

    ``daily`` is :func:`loadwatch.metrics.daily_metrics` of a distance series
    (km). ``planned_load`` (km per day, same or sparser index) marks which
    days' 7-day windows hold planned km. ``athlete``: one name, or one per row
    (several athletes' days in one frame, each row's windows computed on its own).
    """
    t = thresholds
    index = pd.DatetimeIndex(daily.index)
    dates = np.asarray(index.date)
    if planned_load is not None and len(planned_load):
        plan = planned_load.reindex(index, fill_value=0.0).to_numpy(dtype=float)
        in_week = pd.Series(plan).rolling(7, min_periods=1).sum().to_numpy() > 0
    else:
        in_week = np.zeros(len(index), dtype=bool)

    def col(name: str) -> np.ndarray:
        return daily[name].to_numpy(dtype=float)

    common: dict[str, Any] = {"athlete": athlete, "dates": dates, "planned": in_week}
    week, prev, ramp = col("week_load"), col("prev_week_load"), col("ramp_pct")
    with np.errstate(invalid="ignore"):
        base_ok = prev >= t.ramp_min_base_km
    out = _levels(
        "ramp",
        ramp,
        [("info", t.ramp_info_pct), ("caution", t.ramp_caution_pct)],
        where=base_ok,
        evidence={"info": "buist2008", "caution": "nielsen2014"},
        inputs={"week_km": week, "prev_week_km": prev},
        **common,
    )

    acwr_levels = (
        [("caution", t.acwr_caution), ("high", t.acwr_high)]
        if t.acwr_graded
        else [("info", t.acwr_info)]
    )
    acute, chronic, acwr = col("acute_7d"), col("chronic_28d"), col("acwr")
    out += _levels(
        "acwr",
        acwr,
        acwr_levels,
        evidence="gabbett2016",
        inputs={"acute_km_day": acute, "chronic_km_day": chronic},
        **common,
    )
    with np.errstate(invalid="ignore"):
        low = acwr < t.acwr_low
    out += _emit(
        "acwr_low",
        np.flatnonzero(low),
        severity=np.full(len(acwr), "info"),
        value=acwr,
        threshold=np.full(len(acwr), t.acwr_low),
        evidence="gabbett2016",
        inputs={"acute_km_day": acute, "chronic_km_day": chronic},
        **common,
    )
    a_ewma, c_ewma, ratio = col("acute_ewma"), col("chronic_ewma"), col("acwr_ewma")
    out += _levels(
        "acwr_ewma",
        ratio,
        acwr_levels,
        evidence="gabbett2016",
        inputs={"acute_km_day": a_ewma, "chronic_km_day": c_ewma},
        **common,
    )
    out += _levels(
        "monotony",
        col("monotony"),
        [("info", t.monotony_info)],
        evidence="foster1998",
        inputs={"week_km": week},
        **common,
    )
    return out


def spike_alerts(
    spikes: pd.DataFrame,
    thresholds: Thresholds,
    *,
    athlete: str | np.ndarray,
    planned_ids: Iterable[Any] = (),
) -> list[Alert]:
    """One alert per run whose spike is above the caution threshold.

    ``spikes`` is :func:`loadwatch.metrics.run_spikes` output; runs whose ``id``
    is in ``planned_ids`` are marked planned. A run with no run in the 30 days
    before has no spike ("first run after a break") and never fires.
    """
    t = thresholds
    pct = spikes["spike_pct"].to_numpy(dtype=float)
    return _levels(
        "spike",
        pct,
        [("caution", t.spike_caution_pct), ("high", t.spike_high_pct)],
        athlete=athlete,
        dates=spikes["local_date"].to_numpy(),
        planned=spikes["id"].isin(set(planned_ids)).to_numpy(dtype=bool),
        evidence="frandsen2025",
        inputs={
            "distance_km": spikes["distance_km"].to_numpy(dtype=float),
            "longest_30d_km": spikes["longest_30d_km"].to_numpy(dtype=float),
        },
    )


# ------------------------------------------------------------- pain rules
def pain_frame(entries: Sequence[Any]) -> pd.DataFrame:
    """Pain entries (:class:`loadwatch.store.PainEntry`) as date, score, location, timing."""
    return pd.DataFrame(
        {
            "date": pd.to_datetime([e.date for e in entries]),
            "score": np.array([e.score for e in entries], dtype=float),
            "location": [e.location for e in entries],
            "timing": [e.timing for e in entries],
        },
        columns=["date", "score", "location", "timing"],
    )


def daily_pain(pain: pd.DataFrame) -> pd.DataFrame:
    """The worst score of each day with its where/when (index date; score, location, timing)."""
    if pain.empty:
        return pd.DataFrame(columns=["score", "location", "timing"], index=pd.DatetimeIndex([]))
    frame = pain.assign(date=pd.to_datetime(pain["date"]).dt.normalize())
    if "location" not in frame:
        frame = frame.assign(location="lower_back")
    if "timing" not in frame:
        frame = frame.assign(timing="not_running")
    worst = frame.sort_values(["date", "score"], kind="stable").groupby("date").tail(1)
    return worst.set_index("date")[["score", "location", "timing"]].sort_index()


def latest_spike_before(
    keys: np.ndarray, spike_keys: np.ndarray, spike_pct: np.ndarray, max_gap: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each sorted key (a day number), the latest spike key at or before it.

    Returns (within ``max_gap`` days, the gap in days or -1, that spike's size or NaN).
    ``spike_keys`` are sorted and unique; keys of different athletes must be far apart.
    """
    pos = np.searchsorted(spike_keys, keys, side="right") - 1
    has = pos >= 0
    gap = np.where(has, keys - spike_keys[np.maximum(pos, 0)], -1)
    within = has & (gap >= 0) & (gap <= max_gap)
    return within, gap, np.where(has, spike_pct[np.maximum(pos, 0)], np.nan)


def pain_alerts(
    pain: pd.DataFrame,
    spikes: pd.DataFrame | None,
    thresholds: Thresholds,
    *,
    athlete: str,
) -> list[Alert]:
    """Pain flares: per day, the worst score against the athlete's recent median.

    Caution: score >= ``pain_caution_score``, or >= median + ``pain_rise_points``
    (median of the daily worst scores of the previous ``pain_median_days``
    days; this part is skipped when nothing was logged then). High: score >=
    ``pain_high_score``, or a flare on a day up to ``pain_after_spike_days``
    after (or on the day of) a run spike above ``spike_caution_pct``.
    Several locations on one day: the worst score counts.
    """
    t = thresholds
    days = daily_pain(pain)
    if days.empty:
        return []
    score = days["score"].astype(float)
    median = score.rolling(f"{t.pain_median_days}D", closed="left").median()
    rise = (score - median).to_numpy()
    s = score.to_numpy()
    with np.errstate(invalid="ignore"):
        by_rise = rise >= t.pain_rise_points
    by_score = s >= t.pain_caution_score
    flare = by_rise | by_score

    # latest spike day (and its size) within [d - k, d] for each pain day d
    after_spike = np.zeros(len(s), dtype=bool)
    spike_gap = np.full(len(s), -1)
    spike_size = np.full(len(s), np.nan)
    if spikes is not None and len(spikes):
        pct = spikes["spike_pct"].to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            big = pct > t.spike_caution_pct
        if big.any():
            sp = (
                pd.Series(pct[big], index=pd.to_datetime(spikes["local_date"].to_numpy()[big]))
                .groupby(level=0)
                .max()
            )
            pain_days = days.index.to_numpy(dtype="datetime64[D]").astype(np.int64)
            spike_days = sp.index.to_numpy(dtype="datetime64[D]").astype(np.int64)
            after_spike, spike_gap, spike_size = latest_spike_before(
                pain_days, spike_days, sp.to_numpy(), t.pain_after_spike_days
            )

    high = (s >= t.pain_high_score) | (flare & after_spike)
    return flare_alerts(
        np.flatnonzero(flare),
        t,
        athlete=athlete,
        dates=np.asarray(pd.DatetimeIndex(days.index).date),
        score=s,
        median=median.to_numpy(dtype=float),
        location=days["location"].to_numpy(dtype=object),
        timing=days["timing"].to_numpy(dtype=object),
        by_score=by_score,
        by_rise=by_rise,
        high=high,
        after_spike=after_spike,
        spike_gap=spike_gap,
        spike_size=spike_size,
    )


def flare_alerts(
    rows: np.ndarray,
    t: Thresholds,
    *,
    athlete: str | np.ndarray,
    dates: np.ndarray,
    score: np.ndarray,
    median: np.ndarray,
    location: np.ndarray,
    timing: np.ndarray,
    by_score: np.ndarray,
    by_rise: np.ndarray,
    high: np.ndarray,
    after_spike: np.ndarray,
    spike_gap: np.ndarray,
    spike_size: np.ndarray,
) -> list[Alert]:
    """One pain-flare :class:`Alert` per position in ``rows`` (days that flare).

    The arrays are indexed by pain day; ``athlete`` is one name or one per day.
    """
    out = []
    for i in rows:
        med = float(median[i])
        if score[i] >= t.pain_high_score:
            threshold = float(t.pain_high_score)
        else:
            bars = []
            if by_score[i]:
                bars.append(float(t.pain_caution_score))
            if by_rise[i]:
                bars.append(med + t.pain_rise_points)
            threshold = min(bars)
        inputs: dict[str, Any] = {
            "score": int(score[i]),
            "median": None if np.isnan(med) else med,
            "median_days": t.pain_median_days,
            "location": str(location[i]),
            "timing": str(timing[i]),
            "spike_days_before": int(spike_gap[i]) if after_spike[i] else None,
            "spike_pct": float(spike_size[i]) if after_spike[i] else None,
        }
        out.append(
            Alert(
                dates[i],
                athlete if isinstance(athlete, str) else str(athlete[i]),
                "pain_flare",
                "high" if high[i] else "caution",
                float(score[i]),
                threshold,
                False,
                "farrar2001",
                inputs,
            )
        )
    return out


# --------------------------------------------------------------- assembly
def sort_alerts(alerts: Iterable[Alert]) -> list[Alert]:
    """By date, then most serious first, then rule order."""
    order = {r: i for i, r in enumerate(RULES)}
    return sorted(alerts, key=lambda a: (a.date, -a.rank, order.get(a.rule, 99)))


def alerts_frame(alerts: Sequence[Alert]) -> pd.DataFrame:
    """Alerts as a DataFrame with :data:`ALERT_COLUMNS` (date as datetime.date)."""
    rows = [
        {
            "date": a.date,
            "athlete": a.athlete,
            "rule": a.rule,
            "severity": a.severity,
            "value": a.value,
            "threshold": a.threshold,
            "planned": a.planned,
            "evidence": a.evidence,
            "inputs": a.inputs,
        }
        for a in alerts
    ]
    return pd.DataFrame(rows, columns=list(ALERT_COLUMNS))


def summarise(alerts: Sequence[Alert] | pd.DataFrame, *, gap_days: int = 1) -> pd.DataFrame:
    """Fold consecutive days of one rule into episodes (:data:`EPISODE_COLUMNS`).

    ``alerts`` are :class:`Alert` objects or their :func:`alerts_frame`.
    A new episode starts when more than ``gap_days`` days separate two alerts
    of the same rule. Episodes are ordered by first day, then most serious
    first, then by rule in :data:`RULES` order.
    Each reports its peak day: the most serious severity, then the highest
    value (lowest for ``acwr_low``), then the latest (of equal ones on one
    day, the last given); that day's date, value, threshold, evidence and inputs.
    ``planned`` is True if any day of the episode was planned.
    Vectorised: the dashboard folds years of alerts on every athlete switch.
    """
    frame = alerts if isinstance(alerts, pd.DataFrame) else alerts_frame(alerts)
    if frame.empty:
        return pd.DataFrame(columns=list(EPISODE_COLUMNS))
    order = {r: i for i, r in enumerate(RULES)}
    rule = frame["rule"].to_numpy(dtype=object)
    rank = frame["severity"].map(SEVERITY_RANK).to_numpy(dtype=int)
    day = pd.to_datetime(frame["date"]).to_numpy(dtype="datetime64[D]")
    value = frame["value"].to_numpy(dtype=float)
    # the peak of an episode: highest value, lowest for ACWR low
    extreme = np.where(rule == "acwr_low", -value, value)
    n = len(frame)
    # rows by rule, day, rank, then as given (np.lexsort: last key is the primary one)
    rule_code = pd.factorize(rule, sort=True)[0]
    by = np.lexsort((np.arange(n), rank, day, rule_code))
    rule_code, day = rule_code[by], day[by]
    new_rule = np.r_[True, rule_code[1:] != rule_code[:-1]]
    gap = np.r_[False, (day[1:] - day[:-1]) > np.timedelta64(gap_days, "D")]
    new = new_rule | gap
    episode = np.cumsum(new) - 1
    starts = np.flatnonzero(new)
    ends = np.r_[starts[1:], n] - 1
    # peak: the last row of each episode sorted by rank, extreme, day, then position
    peak_order = np.lexsort((np.arange(n), day, extreme[by], rank[by], episode))
    last_of_episode = np.r_[episode[peak_order][1:] != episode[peak_order][:-1], True]
    peak = by[peak_order[last_of_episode]]
    new_day = np.r_[True, day[1:] != day[:-1]] | new
    dates = frame["date"].to_numpy(dtype=object)[by]
    pick = frame.iloc[peak]
    out = pd.DataFrame(
        {
            "rule": pick["rule"].to_numpy(),
            "first_date": dates[starts],
            "last_date": dates[ends],
            "days": np.add.reduceat(new_day.astype(int), starts),
            "date": pick["date"].to_numpy(),
            "athlete": pick["athlete"].to_numpy(),
            "severity": pick["severity"].to_numpy(),
            "value": pick["value"].to_numpy(),
            "threshold": pick["threshold"].to_numpy(),
            "planned": np.logical_or.reduceat(frame["planned"].to_numpy(dtype=bool)[by], starts),
            "evidence": pick["evidence"].to_numpy(),
            "inputs": pick["inputs"].to_numpy(),
        },
        columns=list(EPISODE_COLUMNS),
    )
    first = pd.to_datetime(out["first_date"]).to_numpy(dtype="datetime64[D]")
    severity = out["severity"].map(SEVERITY_RANK).to_numpy(dtype=int)
    rule_order = out["rule"].map(lambda r: order.get(r, len(order))).to_numpy(dtype=int)
    return out.iloc[np.lexsort((rule_order, -severity, first))].reset_index(drop=True)


def evaluate(
    activities: pd.DataFrame,
    pain: pd.DataFrame | None,
    thresholds: Thresholds,
    *,
    athlete: str,
    start: date | None = None,
    end: date | None = None,
    planned_ids: Iterable[Any] = (),
) -> list[Alert]:
    """Every rule on one athlete's runs (history plus any planned rows) and pain log.

    ``activities`` has the activity summary columns (as from
    ``Store.activities_frame``); rows whose ``id`` is in ``planned_ids`` are
    planned or hypothetical runs. The daily calendar runs from ``start`` (default:
    the first run) to ``end`` (default: the last run), so rolling rules are also
    evaluated on the rest days up to ``end``. ``pain`` has columns date and score
    (location and timing optional; an ``athlete`` column is filtered on).
    Returns alerts sorted by :func:`sort_alerts`.
    """
    from loadwatch.metrics import daily_load, daily_metrics, run_spikes

    acts = activities[activities["athlete"] == athlete] if len(activities) else activities
    planned_set = set(planned_ids)
    out: list[Alert] = []
    spikes = None
    if len(acts) or (start is not None and end is not None):
        load = daily_load(acts, athlete=athlete, start=start, end=end)
        if len(load):
            is_plan = acts["id"].isin(planned_set).to_numpy() if len(acts) else np.zeros(0, bool)
            planned_load = None
            if is_plan.any():
                planned_load = daily_load(
                    acts[is_plan], athlete=athlete, start=load.index[0], end=load.index[-1]
                )
            out += metric_alerts(
                daily_metrics(load), thresholds, athlete=athlete, planned_load=planned_load
            )
        if len(acts):
            spikes = run_spikes(acts, athlete=athlete)
            if end is not None:
                spikes = spikes[spikes["local_date"] <= pd.Timestamp(end)]
            out += spike_alerts(spikes, thresholds, athlete=athlete, planned_ids=planned_set)
    if pain is not None and len(pain):
        mine = pain[pain["athlete"] == athlete] if "athlete" in pain.columns else pain
        real = spikes[~spikes["id"].isin(planned_set)] if spikes is not None else None
        out += pain_alerts(mine, real, thresholds, athlete=athlete)
    return sort_alerts(out)
