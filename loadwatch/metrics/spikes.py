"""Single-run distance spikes (science.md section 4; Frandsen et al. 2025).

For each run, ``longest_30d`` is the longest run that *started* in
[start - 30 days, start): a run exactly 30 days earlier counts, an earlier run
the same day counts, the run itself (and any run with the same start instant)
does not. ``spike_pct`` = 100 x (distance / longest_30d - 1).
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from loadwatch.metrics._input import (
    MetricsInputError,
    athlete_codes,
    days_to_index,
    local_days,
    require_columns,
    running_mask,
)

#: Look-back window for the longest previous run.
SPIKE_WINDOW = pd.Timedelta(days=30)
#: Upper bounds (spike_pct, inclusive) of the categories, and the category above the last.
SPIKE_BOUNDS: tuple[tuple[str, float], ...] = (
    ("reference", 10.0),
    ("small", 30.0),
    ("moderate", 100.0),
)
SPIKE_TOP = "large"
#: Category when no run (of non-zero distance) started in the previous 30 days.
NO_SPIKE = "none"
SPIKE_CATEGORIES: tuple[str, ...] = ("reference", "small", "moderate", "large", "none")
#: spike_pct is rounded to this many decimals so that, say, 8.8 km after 8 km
#: is exactly +10 % (reference) rather than 10.000000000000009 % (small).
SPIKE_DECIMALS = 9

SPIKE_COLUMNS: tuple[str, ...] = (
    "id",
    "athlete",
    "start_utc",
    "local_date",
    "distance_km",
    "longest_30d_km",
    "spike_pct",
    "category",
)


def _range_max(values: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """max(values[lo:hi]) for each pair; NaN where lo == hi.

    A sparse table: level k holds the max of each run of 2**k values, and any
    range is covered by two (overlapping) runs of one level. Levels are built
    only up to the widest range asked for (a month of runs, not years), so the
    cost is O(n log w) for n runs and w runs per window.
    """
    size = hi - lo
    widest = int(size.max()) if len(size) else 0
    table = [values]
    width = 1
    while 2 * width <= widest:
        prev = table[-1]
        table.append(np.maximum(prev[: len(prev) - width], prev[width:]))
        width *= 2
    out = np.full(len(lo), np.nan)
    has = size > 0
    if has.any():
        # size = m * 2**e with 0.5 <= m < 1, so floor(log2(size)) = e - 1, exactly
        level = (np.frexp(size[has].astype(float))[1] - 1).astype(np.int64)
        lo_h, hi_h = lo[has], hi[has]
        result = np.empty(int(has.sum()))
        for k in np.unique(level):
            sel = level == k
            row = table[k]
            result[sel] = np.maximum(row[lo_h[sel]], row[hi_h[sel] - (1 << k)])
        out[has] = result
    return out


def categorise(spike_pct: np.ndarray) -> np.ndarray:
    """Frandsen 2025 category for each spike_pct (NaN -> 'none')."""
    spike = np.asarray(spike_pct, dtype=float)
    labels = np.full(len(spike), SPIKE_TOP, dtype=object)
    assigned = np.isnan(spike)
    labels[assigned] = NO_SPIKE
    for name, upper in SPIKE_BOUNDS:
        hit = ~assigned & (spike <= upper)
        labels[hit] = name
        assigned |= hit
    return labels


def run_spikes(
    activities: pd.DataFrame,
    *,
    athlete: str | None = None,
    all_sports: bool = False,
) -> pd.DataFrame:
    """Per run: distance against the longest run of the previous 30 days.

    One row per running-family activity (every activity when ``all_sports``),
    sorted by athlete and start, with columns ``id`` (None when the input has
    no id column), ``athlete``, ``start_utc``, ``local_date``,
    ``distance_km``, ``longest_30d_km`` (longest run started in
    [start - 30 days, start), km), ``spike_pct`` = 100 (distance / longest - 1)
    (rounded to 1e-9 percentage points) and ``category``:
    reference (<= 10), small (> 10 to 30), moderate (> 30 to 100), large (> 100),
    or none when no run of non-zero distance started in the previous 30 days
    ("first run after a break"). Runs with a missing distance count as 0 km.
    All athletes are included unless ``athlete`` is given; each is looked at alone.
    """
    require_columns(
        activities, ("athlete", "sport", "start_utc", "local_date", "distance_m"), "activities"
    )
    counted = running_mask(activities, all_sports)
    if athlete is not None:
        counted &= (activities["athlete"] == athlete).to_numpy(dtype=bool, na_value=False)
    rows = activities[counted]
    codes, _ = athlete_codes(rows)
    rows, codes = rows[codes >= 0], codes[codes >= 0]
    start = pd.to_datetime(rows["start_utc"], utc=True)
    if start.isna().any():
        raise MetricsInputError("start_utc: some runs have no start time")
    start_ns = start.dt.as_unit("ns").astype("int64").to_numpy()
    km = np.nan_to_num(rows["distance_m"].to_numpy(dtype=float) / 1000.0, nan=0.0)
    days = local_days(rows["local_date"])

    order = np.lexsort((start_ns, codes))
    codes, start_ns, km, days = codes[order], start_ns[order], km[order], days[order]
    # take id and athlete through pandas so they keep their dtypes (no object inference)
    if "id" in rows.columns:
        ids = rows["id"].iloc[order].reset_index(drop=True)
    else:
        ids = pd.Series([None] * len(rows), dtype=object)
    names = rows["athlete"].iloc[order].reset_index(drop=True)
    starts = start.iloc[order].reset_index(drop=True).dt.as_unit("ns")

    lo = np.empty(len(km), dtype=np.int64)
    hi = np.empty(len(km), dtype=np.int64)
    window = SPIKE_WINDOW.value
    bounds = np.zeros(0, dtype=np.int64)
    if len(codes):
        bounds = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1], True])
    for begin, finish in itertools.pairwise(bounds):  # one pass per athlete
        block = start_ns[begin:finish]
        lo[begin:finish] = begin + np.searchsorted(block, block - window, side="left")
        hi[begin:finish] = begin + np.searchsorted(block, block, side="left")

    longest = _range_max(km, lo, hi)
    defined = ~np.isnan(longest) & (longest > 0)
    spike = np.full(len(km), np.nan)
    spike[defined] = np.round(
        100.0 * (km[defined] - longest[defined]) / longest[defined], SPIKE_DECIMALS
    )
    result = pd.DataFrame(
        {
            "id": ids,
            "athlete": names,
            "start_utc": starts,
            "local_date": days_to_index(days),
            "distance_km": km,
            "longest_30d_km": longest,
            "spike_pct": spike,
            "category": categorise(spike),
        },
        columns=list(SPIKE_COLUMNS),
    )
    return result
