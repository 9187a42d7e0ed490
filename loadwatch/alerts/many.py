"""The pain-flare rule for many athletes in one vectorised pass (the coach table).

Same alerts as :func:`loadwatch.alerts.rules.pain_alerts` run on each athlete
alone (a test compares them): each athlete's days are keyed by
``athlete code x 10**6 + day number``, so a window or a look-up by key never
reaches another athlete's days (day numbers stay far below 10**6).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from loadwatch.alerts.config import Thresholds
from loadwatch.alerts.rules import Alert, flare_alerts, latest_spike_before

#: Days of one athlete are keyed code x KEY_STRIDE + day number (days since 1970).
KEY_STRIDE = 10**6


def _day_numbers(values: pd.Series) -> np.ndarray:
    stamps = pd.to_datetime(values).dt.normalize()
    return stamps.to_numpy(dtype="datetime64[D]").astype(np.int64)


def _segment_median(values: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Median of ``values[lo:hi]`` for each pair, NaN where empty; the two middle
    values' mean for an even count, as pandas' rolling median computes it."""
    counts = hi - lo
    out = np.full(len(lo), np.nan)
    total = int(counts.sum())
    if total == 0:
        return out
    seg = np.repeat(np.arange(len(lo)), counts)
    starts = np.cumsum(counts) - counts
    idx = np.repeat(lo, counts) + (np.arange(total) - np.repeat(starts, counts))
    vals = values[idx]
    ordered = vals[np.lexsort((vals, seg))]
    has = counts > 0
    low = ordered[(starts + (counts - 1) // 2)[has]]
    high = ordered[(starts + counts // 2)[has]]
    out[has] = (high + low) / 2
    return out


def pain_alerts_many(
    pain: pd.DataFrame,
    spikes: pd.DataFrame | None,
    thresholds: Thresholds,
    *,
    since: date | None = None,
) -> list[Alert]:
    """Pain flares of every athlete in ``pain`` (columns athlete, date, score, location,
    timing), on the days from ``since`` on (the days before only feed the medians).

    ``spikes`` is :func:`loadwatch.metrics.run_spikes` output for the same
    athletes. Alerts come athlete by athlete in the order of ``pain``'s
    athletes (sorted by name), each athlete's oldest first.
    """
    t = thresholds
    if pain.empty:
        return []
    frame = pain.assign(date=pd.to_datetime(pain["date"]).dt.normalize())
    if "location" not in frame:
        frame = frame.assign(location="lower_back")
    if "timing" not in frame:
        frame = frame.assign(timing="not_running")
    names = pd.Index(sorted(pd.unique(frame["athlete"].to_numpy(dtype=object))))
    frame = frame.assign(code=names.get_indexer(frame["athlete"].to_numpy(dtype=object)))
    # the worst score of each athlete's day: the last after a stable sort, as daily_pain
    frame = frame.sort_values(["code", "date", "score"], kind="stable")
    key = frame["code"].to_numpy(dtype=np.int64) * KEY_STRIDE + _day_numbers(frame["date"])
    last = np.r_[key[1:] != key[:-1], True]
    days = frame[last]
    key = key[last]
    s = days["score"].to_numpy(dtype=float)
    n = len(days)

    # the rolling median of the daily worst scores in [d - median_days, d)
    lo = np.searchsorted(key, key - t.pain_median_days, side="left")
    rows = np.arange(n)
    target = rows
    if since is not None:
        target = rows[days["date"].to_numpy() >= np.datetime64(since)]
    median = np.full(n, np.nan)
    median[target] = _segment_median(s, lo[target], target)
    rise = s - median
    with np.errstate(invalid="ignore"):
        by_rise = rise >= t.pain_rise_points
    by_score = s >= t.pain_caution_score
    flare = np.zeros(n, dtype=bool)
    flare[target] = (by_rise | by_score)[target]

    # the latest spike day (and its size) in [d - after_days, d] of the same athlete
    after_spike = np.zeros(n, dtype=bool)
    spike_gap = np.full(n, -1)
    spike_size = np.full(n, np.nan)
    if spikes is not None and len(spikes):
        pct = spikes["spike_pct"].to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            big = pct > t.spike_caution_pct
        code = names.get_indexer(spikes["athlete"].to_numpy(dtype=object))
        big &= code >= 0
        if big.any():
            skey = code[big] * KEY_STRIDE + _day_numbers(spikes["local_date"][big])
            sp = pd.Series(pct[big]).groupby(skey).max()
            after_spike, spike_gap, spike_size = latest_spike_before(
                key, sp.index.to_numpy(dtype=np.int64), sp.to_numpy(), t.pain_after_spike_days
            )

    high = (s >= t.pain_high_score) | (flare & after_spike)
    return flare_alerts(
        np.flatnonzero(flare),
        t,
        athlete=days["athlete"].to_numpy(dtype=object),
        dates=np.asarray(pd.DatetimeIndex(days["date"]).date),
        score=s,
        median=median,
        location=days["location"].to_numpy(dtype=object),
        timing=days["timing"].to_numpy(dtype=object),
        by_score=by_score,
        by_rise=by_rise,
        high=high,
        after_spike=after_spike,
        spike_gap=spike_gap,
        spike_size=spike_size,
    )
