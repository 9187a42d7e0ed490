"""Daily rolling metrics on a load series (science.md sections 2, 3 and 5).

Window conventions (t is the day's row, days counted in the series only):

- every rolling value needs its full window inside the series and is NaN
  before that (acute 7 days, chronic 28, uncoupled chronic 28, previous week 14);
- the ratios (acwr, acwr_uncoupled, acwr_ewma) are NaN until 28 days of series
  exist and wherever their chronic load is 0;
- EWMAs are seeded with the first day's load; CTL/ATL start at 0 the day before.

The arithmetic lives in :func:`metrics_arrays`, which works on several athletes'
calendars laid end to end, so one athlete and all athletes share one code path.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from loadwatch.metrics._input import NS_PER_DAY, MetricsInputError

#: Acute and chronic windows, days (Hulin 2014; Gabbett 2016).
ACUTE_DAYS = 7
CHRONIC_DAYS = 28
#: EWMA decay constants (Williams 2017): 2 / (N + 1).
ACUTE_LAMBDA = 2.0 / (ACUTE_DAYS + 1)
CHRONIC_LAMBDA = 2.0 / (CHRONIC_DAYS + 1)
#: Banister time constants (days) for CTL and ATL, GoldenCheetah style.
CTL_DAYS = 42
ATL_DAYS = 7

#: Columns of :func:`daily_metrics`, in order.
METRIC_COLUMNS: tuple[str, ...] = (
    "load",
    "acute_7d",
    "chronic_28d",
    "acwr",
    "chronic_uncoupled",
    "acwr_uncoupled",
    "acute_ewma",
    "chronic_ewma",
    "acwr_ewma",
    "week_load",
    "prev_week_load",
    "ramp_pct",
    "monotony",
    "strain",
    "ctl",
    "atl",
    "tsb",
    "ctl_ramp",
    "history_days",
)


def _window_sum(x: np.ndarray, pos: np.ndarray, width: int, lag: int = 0) -> np.ndarray:
    """Sum of x over rows t-lag-width+1 .. t-lag; NaN where that reaches before the block.

    Added newest first, one shifted vector per window day: each row's sum
    depends only on its own window, so it is the same whether one athlete or
    many are laid out in ``x``, and a window of zeros sums to exactly 0.
    """
    n = len(x)
    out = np.full(n, np.nan)
    reach = width - 1 + lag
    if n > reach:
        acc = np.zeros(n - reach)
        for k in range(width):
            acc += x[width - 1 - k : n - lag - k]
        out[reach:] = acc
    out[pos < reach] = np.nan
    return out


def _window_extreme(x: np.ndarray, pos: np.ndarray, width: int, fn: np.ufunc) -> np.ndarray:
    """Rolling max or min (``fn`` = np.maximum / np.minimum) over rows t-width+1 .. t."""
    n = len(x)
    out = np.full(n, np.nan)
    if n >= width:
        acc = x[width - 1 :].copy()
        for k in range(1, width):
            acc = fn(acc, x[width - 1 - k : n - k])
        out[width - 1 :] = acc
    out[pos < width - 1] = np.nan
    return out


def _window_pop_sd(x: np.ndarray, pos: np.ndarray, width: int, mean: np.ndarray) -> np.ndarray:
    """Population SD (ddof=0) over rows t-width+1 .. t, two-pass for accuracy."""
    n = len(x)
    out = np.full(n, np.nan)
    if n >= width:
        acc = np.zeros(n - width + 1)
        centre = mean[width - 1 :]
        for k in range(width):
            acc += (x[width - 1 - k : n - k] - centre) ** 2
        out[width - 1 :] = np.sqrt(acc / width)
    out[pos < width - 1] = np.nan
    return out


def _ewma(x: np.ndarray, group: np.ndarray, alpha: float) -> np.ndarray:
    """x_t = alpha L_t + (1 - alpha) x_(t-1) per group, seeded with the group's first load."""
    frame = pd.Series(x)
    return frame.groupby(group, sort=False).ewm(alpha=alpha, adjust=False).mean().to_numpy()


def _from_zero(x: np.ndarray, group: np.ndarray, first: np.ndarray, tau: float) -> np.ndarray:
    """X_t = X_(t-1) + k (L_t - X_(t-1)), k = 1 - e^(-1/tau), X = 0 the day before each block.

    Done as an EWMA over the series with a 0 inserted before each block, then
    dropping the inserted rows.
    """
    k = 1.0 - math.exp(-1.0 / tau)
    n = len(x)
    where = np.arange(n) + np.cumsum(first)  # every block moves right by the zeros before it
    padded = np.zeros(n + int(first.sum()))
    padded[where] = x
    padded_group = np.zeros(len(padded), dtype=np.int64)
    padded_group[where] = group
    padded_group[where[first] - 1] = group[first]
    return _ewma(padded, padded_group, k)[where]


def metrics_arrays(x: np.ndarray, lengths: np.ndarray) -> dict[str, np.ndarray]:
    """Every daily metric for calendars of ``lengths`` days laid end to end in ``x``.

    Returns one float array per name in :data:`METRIC_COLUMNS`.
    """
    x = np.asarray(x, dtype=float)
    lengths = np.asarray(lengths, dtype=np.int64)
    n = len(x)
    if n == 0:
        return {name: np.zeros(0) for name in METRIC_COLUMNS}
    group = np.repeat(np.arange(len(lengths)), lengths)
    block_start = np.repeat(np.cumsum(lengths) - lengths, lengths)
    pos = np.arange(n) - block_start
    first = pos == 0

    week = _window_sum(x, pos, ACUTE_DAYS)
    prev_week = _window_sum(x, pos, ACUTE_DAYS, lag=ACUTE_DAYS)
    month = _window_sum(x, pos, CHRONIC_DAYS)
    before_week = _window_sum(x, pos, CHRONIC_DAYS - ACUTE_DAYS, lag=ACUTE_DAYS)

    acute = week / ACUTE_DAYS
    chronic = month / CHRONIC_DAYS
    chronic_unc = before_week / (CHRONIC_DAYS - ACUTE_DAYS)
    acute_ewma = _ewma(x, group, ACUTE_LAMBDA)
    chronic_ewma = _ewma(x, group, CHRONIC_LAMBDA)
    enough = pos >= CHRONIC_DAYS - 1

    def ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
        ok = enough & (den > 0)
        return np.divide(num, den, out=np.full(n, np.nan), where=ok)

    # SD is exactly 0 only when all 7 loads are equal; test that directly so
    # rounding in the SD cannot turn a flat week into a huge monotony
    flat = _window_extreme(x, pos, ACUTE_DAYS, np.maximum) == _window_extreme(
        x, pos, ACUTE_DAYS, np.minimum
    )
    sd = _window_pop_sd(x, pos, ACUTE_DAYS, acute)
    monotony = np.divide(acute, sd, out=np.full(n, np.nan), where=~np.isnan(sd) & ~flat)

    ctl = _from_zero(x, group, first, CTL_DAYS)
    atl = _from_zero(x, group, first, ATL_DAYS)
    tsb = np.zeros(n)  # CTL_0 - ATL_0 = 0 on each block's first day
    tsb[1:] = (ctl - atl)[:-1]
    tsb[first] = 0.0
    ctl_ramp = np.full(n, np.nan)
    ctl_ramp[ACUTE_DAYS:] = ctl[ACUTE_DAYS:] - ctl[:-ACUTE_DAYS]
    ctl_ramp[pos < ACUTE_DAYS] = np.nan

    prev_ok = ~np.isnan(prev_week) & (prev_week > 0)
    ramp = np.divide(100.0 * (week - prev_week), prev_week, out=np.full(n, np.nan), where=prev_ok)
    return {
        "load": x.copy(),
        "acute_7d": acute,
        "chronic_28d": chronic,
        "acwr": ratio(acute, chronic),
        "chronic_uncoupled": chronic_unc,
        "acwr_uncoupled": ratio(acute, chronic_unc),
        "acute_ewma": acute_ewma,
        "chronic_ewma": chronic_ewma,
        "acwr_ewma": ratio(acute_ewma, chronic_ewma),
        "week_load": week,
        "prev_week_load": prev_week,
        "ramp_pct": ramp,
        "monotony": monotony,
        "strain": week * monotony,
        "ctl": ctl,
        "atl": atl,
        "tsb": tsb,
        "ctl_ramp": ctl_ramp,
        "history_days": (pos + 1).astype(float),
    }


def check_daily_series(load: pd.Series) -> np.ndarray:
    """The load values, after checking the index is consecutive daily dates and values are >= 0."""
    if not isinstance(load, pd.Series):
        raise MetricsInputError(f"load must be a pandas Series, not {type(load).__name__}")
    index = load.index
    if not isinstance(index, pd.DatetimeIndex):
        raise MetricsInputError(
            "load must be indexed by dates (a DatetimeIndex); build it with daily_load()"
        )
    if len(index) > 1 and (np.diff(index.as_unit("ns").asi8) != NS_PER_DAY).any():
        raise MetricsInputError(
            "load index must be consecutive calendar days with no gaps, repeats or "
            "reordering (rest days are rows with 0); build it with daily_load()"
        )
    if len(index) and not (index == index.normalize()).all():
        raise MetricsInputError("load index must hold dates (midnight), not times of day")
    values = load.to_numpy(dtype=float)
    if np.isnan(values).any():
        raise MetricsInputError("load has missing values; rest days must be 0, not NaN")
    if (values < 0).any():
        raise MetricsInputError("load has negative values")
    return values


def daily_metrics(load: pd.Series) -> pd.DataFrame:
    """Rolling training-load metrics for each day of a daily load series.

    ``load`` is indexed by consecutive calendar dates (as from ``daily_load``),
    in any unit (km, minutes, TRIMP, AU); every load-valued column below is in
    that unit, ratios and monotony have no unit. Windows end on the row's day t:

    - ``acute_7d`` mean of t-6..t; ``chronic_28d`` mean of t-27..t;
      ``acwr`` = acute_7d / chronic_28d (coupled, Hulin 2014).
    - ``chronic_uncoupled`` mean of t-27..t-7; ``acwr_uncoupled`` = acute_7d / it.
    - ``acute_ewma``/``chronic_ewma``: EWMA with lambda 2/8 and 2/29, seeded with
      the first day's load; ``acwr_ewma`` their ratio (Williams 2017).
    - ``week_load`` sum of t-6..t; ``prev_week_load`` sum of t-13..t-7;
      ``ramp_pct`` = 100 (week - prev) / prev, NaN when prev is 0.
    - ``monotony`` = mean / population SD of t-6..t, NaN when SD is 0;
      ``strain`` = week_load x monotony (Foster 1998).
    - ``ctl``/``atl``: X_t = X_(t-1) + (1 - e^(-1/tau)) (L_t - X_(t-1)), tau 42 / 7 days,
      starting at 0; ``tsb`` = CTL_(t-1) - ATL_(t-1); ``ctl_ramp`` = CTL_t - CTL_(t-7).
    - ``history_days``: days of series up to and including t.

    Rolling values are NaN until their full window lies inside the series; the
    three ratios are NaN until day 28 and wherever their chronic load is 0.
    Raises ValueError (:class:`MetricsInputError`) if the index is not
    consecutive daily dates or a load is negative or missing.
    """
    values = check_daily_series(load)
    arrays = metrics_arrays(values, np.array([len(values)]))
    frame = pd.DataFrame(arrays, index=load.index.copy(), columns=list(METRIC_COLUMNS))
    frame.attrs.update(load.attrs)
    return frame
