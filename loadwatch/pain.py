"""The pain log: checking what a runner types or imports, and pain next to load.

Scores are integers on the 0–10 numeric rating scale (README, "The pain log").
Everything that reaches the store passes :func:`validate_entry`, so a bad
score, a future date or an unknown location is a one-line
:class:`~loadwatch.errors.ValidationError`, never a half-written log.

:func:`pain_report` shows how pain moves with load — Spearman correlation at
lags 0–3 days, with n — and which load events came before each flare. It
describes association only: it cannot say that load caused the pain.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from loadwatch.errors import ValidationError
from loadwatch.store import PAIN_LOCATIONS, PAIN_TIMINGS, PainEntry

#: Columns a pain CSV may have (``date`` and ``score`` are required; ``id``, as
#: written by ``loadwatch pain list --format csv``, is ignored).
PAIN_CSV_COLUMNS: tuple[str, ...] = (
    "id",
    "date",
    "time",
    "score",
    "where",
    "when",
    "sleep_h",
    "stress",
    "note",
)
REQUIRED_CSV_COLUMNS: tuple[str, ...] = ("date", "score")
#: Load measures correlated with pain, and the lags (days) looked at.
REPORT_MEASURES: tuple[str, ...] = ("load_7d", "acwr", "spike_pct")
REPORT_LAGS: tuple[int, ...] = (0, 1, 2, 3)
#: Context measures (science.md sections 7-8) and their lags (days).
CONTEXT_LAGS: dict[str, tuple[int, ...]] = {
    "sleep_h": (0, 1, 2, 3),
    "stress_self": (0, 1, 2, 3),
    "stress_device": (0, 1, 2, 3),
    "soreness": (0, 1, 2, 3),
    "rehab_7d": (0, 1, 2, 3, 4, 5, 6, 7),
}
#: Days before a flare searched for load events.
EVENT_LOOKBACK_DAYS = 7
ASSOCIATION_NOTE = (
    "These are associations, not causes: pain and load can move together "
    "for other reasons (sleep, stress, other activity), and small n means little."
)


# --------------------------------------------------------------- validation
def parse_score(value: Any) -> int:
    """A pain score as an integer 0–10 (from an int or its text form)."""
    text = str(value).strip()
    if isinstance(value, bool) or not text.lstrip("-").isdigit():
        raise ValidationError(f"pain score must be a whole number from 0 to 10 (got {text!r})")
    score = int(text)
    if not 0 <= score <= 10:
        raise ValidationError(f"pain score must be from 0 to 10 (got {score})")
    return score


def parse_pain_date(value: Any, *, today: date | None = None) -> date:
    """A date (YYYY-MM-DD, or a date object) that is not in the future."""
    today = today or date.today()
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    else:
        text = str(value).strip()
        if text.lower() == "today":
            return today
        try:
            day = date.fromisoformat(text)
        except ValueError as e:
            raise ValidationError(f"date must look like 2026-03-31 (got {text!r})") from e
    if day > today:
        raise ValidationError(f"date {day} is in the future (today is {today})")
    return day


def parse_time(value: Any) -> time | None:
    """HH:MM (or HH:MM:SS), or None for empty."""
    if value is None or isinstance(value, time):
        return value
    text = str(value).strip()
    if not text:
        return None
    try:
        return time.fromisoformat(text)
    except ValueError as e:
        raise ValidationError(f"time must look like 07:30 (got {text!r})") from e


#: Other words people (and some exports) use for a timing, and the stored value.
TIMING_ALIASES: dict[str, str] = {"unrelated": "not_running", "none": "not_running"}


def _choice(
    value: Any,
    allowed: Sequence[str],
    what: str,
    default: str,
    aliases: dict[str, str] | None = None,
) -> str:
    text = str(value).strip().lower().replace("-", "_").replace(" ", "_") if value else ""
    if not text:
        return default
    text = (aliases or {}).get(text, text)
    if text not in allowed:
        raise ValidationError(f"{what} must be one of {', '.join(allowed)} (got {value!r})")
    return text


def _number(value: Any, what: str, low: float, high: float) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError) as e:
        raise ValidationError(f"{what} must be a number (got {value!r})") from e
    if not math.isfinite(number) or not low <= number <= high:
        raise ValidationError(f"{what} must be from {low:g} to {high:g} (got {value})")
    return number


def validate_entry(
    *,
    athlete: str,
    score: Any,
    day: Any = None,
    at: Any = None,
    where: Any = None,
    when: Any = None,
    sleep_h: Any = None,
    stress: Any = None,
    note: Any = None,
    today: date | None = None,
) -> PainEntry:
    """Check one pain entry and return it ready to store (``day`` defaults to today).

    score: integer 0–10; day: not in the future; where: one of
    :data:`~loadwatch.store.PAIN_LOCATIONS` (default lower_back); when: one of
    :data:`~loadwatch.store.PAIN_TIMINGS` (default not_running; "unrelated" is
    taken as not_running); sleep_h:
    hours 0–24; stress: integer 0–10.
    """
    today = today or date.today()
    stress_value = None
    if stress is not None and str(stress).strip():
        text = str(stress).strip()
        if not text.isdigit() or not 0 <= int(text) <= 10:
            raise ValidationError(f"stress must be a whole number from 0 to 10 (got {text!r})")
        stress_value = int(text)
    text_note = str(note).strip() if note is not None else ""
    return PainEntry(
        id=None,
        athlete=athlete,
        date=parse_pain_date(day if day is not None else today, today=today),
        score=parse_score(score),
        location=_choice(where, PAIN_LOCATIONS, "where", "lower_back"),
        timing=_choice(when, PAIN_TIMINGS, "when", "not_running", TIMING_ALIASES),
        time=parse_time(at),
        sleep_h=_number(sleep_h, "sleep hours", 0, 24),
        stress=stress_value,
        note=text_note or None,
    )


# ---------------------------------------------------------------- CSV import
def same_entry_key(entry: PainEntry) -> tuple[Any, ...]:
    """What makes two pain entries the same: athlete, date, time, score and where."""
    return (entry.athlete, entry.date, entry.time, entry.score, entry.location)


def split_known(
    existing: Sequence[PainEntry], entries: Sequence[PainEntry]
) -> tuple[list[PainEntry], int]:
    """(entries not in ``existing`` yet, how many were already there).

    Same date, time, score and where counts as the same entry, so importing
    one file twice adds nothing the second time; a row repeated within the
    file is there after its first copy, and counts as already there too.
    """
    seen = {same_entry_key(e) for e in existing}
    new: list[PainEntry] = []
    for entry in entries:
        key = same_entry_key(entry)
        if key not in seen:
            seen.add(key)
            new.append(entry)
    return new, len(entries) - len(new)


@dataclass(frozen=True, slots=True)
class CsvResult:
    """Rows that passed (``entries``) and those that did not: (row number, reason).

    Row numbers count the header as row 1, as a spreadsheet shows them.
    """

    entries: list[Any]
    bad: list[tuple[int, str]] = field(default_factory=list)


def read_csv_rows(
    text: str, *, source: str, columns: Sequence[str], required: Sequence[str]
) -> list[tuple[int, dict[str, str]]]:
    """(row number, {column: text}) for each non-empty row; header checked against ``columns``."""
    reader = csv.DictReader(io.StringIO(text))
    header = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
    if not header:
        raise ValidationError(f"{source}: the file is empty (expected a header row)")
    unknown = [h for h in header if h not in columns]
    if unknown:
        raise ValidationError(
            f"{source}: unknown column(s) {', '.join(repr(u) for u in unknown)} "
            f"(expected {', '.join(columns)})"
        )
    missing = [c for c in required if c not in header]
    if missing:
        raise ValidationError(f"{source}: missing column(s) {', '.join(missing)}")
    reader.fieldnames = header
    rows = []
    for n, raw in enumerate(reader, start=2):
        if None in raw:
            rows.append((n, {"__error__": "more cells than columns in the header"}))
            continue
        values = {k: (v or "").strip() for k, v in raw.items()}
        if not any(values.values()):
            continue  # blank line
        rows.append((n, values))
    return rows


def parse_pain_csv(
    text: str, *, athlete: str, source: str = "CSV", today: date | None = None
) -> CsvResult:
    """Check every row of a pain CSV (date,score,where,when,sleep_h,stress,note; time optional)."""
    entries: list[Any] = []
    bad: list[tuple[int, str]] = []
    rows = read_csv_rows(
        text, source=source, columns=PAIN_CSV_COLUMNS, required=REQUIRED_CSV_COLUMNS
    )
    for n, values in rows:
        try:
            if "__error__" in values:
                raise ValidationError(values["__error__"])
            entries.append(
                validate_entry(
                    athlete=athlete,
                    score=values.get("score", ""),
                    day=values.get("date", ""),
                    at=values.get("time"),
                    where=values.get("where"),
                    when=values.get("when"),
                    sleep_h=values.get("sleep_h"),
                    stress=values.get("stress"),
                    note=values.get("note"),
                    today=today,
                )
            )
        except ValidationError as e:
            bad.append((n, str(e)))
    return CsvResult(entries, bad)


def read_text(path: Path) -> str:
    """A CSV file's text (UTF-8, a spreadsheet's byte-order mark dropped)."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except OSError as e:
        raise ValidationError(f"{path}: cannot read ({e.strerror})") from e
    except UnicodeDecodeError as e:
        raise ValidationError(f"{path}: not UTF-8 text (save the CSV as UTF-8)") from e


def bad_rows_message(source: str, bad: Sequence[tuple[int, str]], *, limit: int = 10) -> str:
    """One line per bad row, capped at ``limit``."""
    lines = [f"{source}: {len(bad)} bad row(s), nothing imported:"]
    lines += [f"  row {n}: {reason}" for n, reason in bad[:limit]]
    if len(bad) > limit:
        lines.append(f"  ... and {len(bad) - limit} more")
    lines.append("Fix the rows, or use --skip-bad-rows to import the good ones.")
    return "\n".join(lines)


# ------------------------------------------------------------------- report
@dataclass(frozen=True, slots=True)
class Flare:
    """A pain flare alert and the load alerts of the 7 days up to and including it."""

    alert: Any  # loadwatch.alerts.rules.Alert
    events: list[Any]


@dataclass(frozen=True, slots=True)
class PainReport:
    """Pain against load for one athlete.

    ``correlations``: one row per measure and lag: measure, lag_days, rho
    (Spearman; NaN when n < 3 or a side is constant), n (days paired).
    Measures: ``load_7d`` rolling 7-day km, ``acwr`` coupled 7:28-day ratio,
    ``spike_pct`` the day's largest single-run spike (days with runs only).
    A lag of k pairs the pain on day d with the measure on day d - k.

    ``context``: the same columns for what else moves with pain (science.md
    section 8), lags 0-3 (rehab 0-7): ``sleep_h`` hours slept (the watch's,
    else the check-in's, else the pain entry's), ``stress_self`` 0-10 (the
    check-in's, else the pain entry's), ``stress_device`` the watch's 0-100,
    ``soreness`` 0-10, ``rehab_7d`` rehab over the 7 days ending that day
    (adherence 0-1 against the plan; without a plan, sessions).
    """

    athlete: str
    entries: int
    first: date | None
    last: date | None
    correlations: pd.DataFrame
    flares: list[Flare]
    note: str = ASSOCIATION_NOTE
    context: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["measure", "lag_days", "rho", "n"])
    )


def spearman(x: pd.Series, y: pd.Series) -> tuple[float, int]:
    """Spearman's rho (average ranks for ties) of the pairs where both are present, and n."""
    pair = pd.concat([x, y], axis=1).dropna()
    n = len(pair)
    if n < 3:
        return math.nan, n
    ranks = pair.rank(method="average").to_numpy(dtype=float)
    if np.ptp(ranks[:, 0]) == 0 or np.ptp(ranks[:, 1]) == 0:
        return math.nan, n
    return float(np.corrcoef(ranks[:, 0], ranks[:, 1])[0, 1]), n


def pain_report(
    activities: pd.DataFrame,
    entries: Sequence[PainEntry],
    thresholds: Any,
    *,
    athlete: str,
    wellness: Sequence[Any] = (),
    rehab: Sequence[Any] = (),
    rehab_plan: Sequence[Any] = (),
) -> PainReport:
    """Correlate each day's worst pain with load at lags 0–3, and list the flares.

    ``wellness`` (:class:`~loadwatch.store.WellnessDay`), ``rehab``
    (:class:`~loadwatch.store.RehabSession`) and ``rehab_plan``
    (:class:`~loadwatch.store.RehabPlanItem`) add the context correlations.
    """
    from loadwatch.alerts.rules import daily_pain, evaluate, pain_frame
    from loadwatch.metrics import daily_load, daily_metrics, run_spikes

    mine = [e for e in entries if e.athlete == athlete]
    pain = pain_frame(mine)
    acts = activities[activities["athlete"] == athlete] if len(activities) else activities
    rows = []
    worst = daily_pain(pain)["score"].astype(float)
    measures: dict[str, pd.Series] = {}
    if len(acts) and len(worst):
        end = max(pd.Timestamp(worst.index.max()), pd.to_datetime(acts["local_date"]).max())
        load = daily_load(acts, athlete=athlete, end=end)
        if len(load):
            daily = daily_metrics(load)
            spikes = run_spikes(acts, athlete=athlete)
            by_day = spikes.groupby("local_date")["spike_pct"].max()
            measures = {
                "load_7d": daily["week_load"],
                "acwr": daily["acwr"],
                "spike_pct": by_day.reindex(daily.index),
            }
    for name in REPORT_MEASURES:
        for lag in REPORT_LAGS:
            rho, n = math.nan, 0
            if name in measures:
                series = measures[name].shift(lag)  # value on d is the measure on d - lag
                rho, n = spearman(worst, series.reindex(worst.index))
            rows.append({"measure": name, "lag_days": lag, "rho": rho, "n": n})
    correlations = pd.DataFrame(rows, columns=["measure", "lag_days", "rho", "n"])

    alerts = evaluate(acts, pain, thresholds, athlete=athlete) if len(mine) else []
    load_events = [a for a in alerts if a.rule in ("spike", "ramp", "acwr", "acwr_ewma")]
    flares = []
    for a in alerts:
        if a.rule != "pain_flare":
            continue
        lo = a.date - timedelta(days=EVENT_LOOKBACK_DAYS)
        flares.append(Flare(a, [e for e in load_events if lo <= e.date <= a.date]))
    days = [e.date for e in mine]
    return PainReport(
        athlete=athlete,
        entries=len(mine),
        first=min(days) if days else None,
        last=max(days) if days else None,
        correlations=correlations,
        flares=flares,
        context=context_correlations(
            worst,
            mine,
            [w for w in wellness if w.athlete == athlete],
            [r for r in rehab if r.athlete == athlete],
            [p for p in rehab_plan if p.athlete == athlete],
        ),
    )


def context_series(
    index: pd.DatetimeIndex,
    entries: Sequence[PainEntry],
    wellness: Sequence[Any],
    rehab: Sequence[Any],
    rehab_plan: Sequence[Any],
) -> dict[str, pd.Series]:
    """The context measures of :class:`PainReport` on the complete calendar ``index``."""
    from loadwatch.metrics.wellness import rehab_rolling, wellness_series
    from loadwatch.rehab import plan_frame, sessions_frame
    from loadwatch.wellness import wellness_frame

    start, end = index.min(), index.max()
    series = wellness_series(wellness_frame(wellness), start=start, end=end)
    own = pd.DataFrame(
        [{"date": pd.Timestamp(e.date), "sleep_h": e.sleep_h, "stress": e.stress} for e in entries],
        columns=["date", "sleep_h", "stress"],
    )
    logged = own.groupby("date").mean().reindex(index) if len(own) else None
    sleep = series["sleep_h"].reindex(index)
    stress = series["stress_self"].reindex(index)
    if logged is not None:  # the pain log's own sleep and stress fill the gaps
        sleep = sleep.fillna(logged["sleep_h"].astype(float))
        stress = stress.fillna(logged["stress"].astype(float))
    out = {
        "sleep_h": sleep,
        "stress_self": stress,
        "stress_device": series["stress_device"].reindex(index),
        "soreness": series["soreness"].reindex(index),
    }
    if rehab:
        out["rehab_7d"] = rehab_rolling(
            sessions_frame(rehab), plan_frame(rehab_plan), start=start, end=end
        ).reindex(index)
    return out


def context_correlations(
    worst: pd.Series,
    entries: Sequence[PainEntry],
    wellness: Sequence[Any],
    rehab: Sequence[Any],
    rehab_plan: Sequence[Any],
) -> pd.DataFrame:
    """Spearman of the day's worst pain with each context measure at its lags, with n."""
    rows = []
    measures: dict[str, pd.Series] = {}
    if len(worst):
        lag_max = max(max(lags) for lags in CONTEXT_LAGS.values())
        first = pd.Timestamp(worst.index.min()) - pd.Timedelta(days=lag_max)
        index = pd.date_range(first, pd.Timestamp(worst.index.max()), freq="D")
        measures = context_series(index, entries, wellness, rehab, rehab_plan)
    pain_days = pd.DatetimeIndex(pd.to_datetime(worst.index))
    for name, lags in CONTEXT_LAGS.items():
        for lag in lags:
            rho, n = math.nan, 0
            if name in measures:
                shifted = measures[name].shift(lag).reindex(pain_days)
                rho, n = spearman(worst.set_axis(pain_days), shifted)
            rows.append({"measure": name, "lag_days": lag, "rho": rho, "n": n})
    return pd.DataFrame(rows, columns=["measure", "lag_days", "rho", "n"])
