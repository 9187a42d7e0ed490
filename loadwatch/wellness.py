"""The daily check-in: how the athlete slept and feels, next to what the watch measured.

Self-ratings follow the pain log's rules: everything that reaches the store
passes :func:`validate_checkin`, so a value out of range or a date in the
future is a one-line :class:`~loadwatch.errors.ValidationError` and nothing
is written. Check-ins are stored with source ``self``; a watch's values
(source ``garmin``) live in their own row of the same date and are never
overwritten by a check-in (science.md section 8).

| field | unit / scale |
| --- | --- |
| ``sleep_h`` | hours slept, 0-24 |
| ``sleep_quality`` | 1 (very poor) to 5 (very good) |
| ``stress_self`` | 0-10 (the CLI's ``--stress``) |
| ``soreness``, ``fatigue`` | 0-10 |

:func:`context_alerts` runs the information alerts of
:mod:`loadwatch.alerts.wellness` on an athlete's stored rows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from typing import Any

import pandas as pd

from loadwatch.errors import ValidationError
from loadwatch.pain import CsvResult, parse_pain_date, read_csv_rows
from loadwatch.store import WELLNESS_FIELDS, WellnessDay

#: Columns a check-in CSV may have (``date`` is required). ``stress`` is taken as
#: ``stress_self``; the device columns and ``source`` written by ``wellness list``
#: are accepted so its CSV can be imported again (device rows are left out).
WELLNESS_CSV_COLUMNS: tuple[str, ...] = (
    "date",
    "sleep_h",
    "sleep_quality",
    "stress",
    "stress_self",
    "soreness",
    "fatigue",
    "note",
    "source",
    "sleep_score",
    "resting_hr",
    "hrv_ms",
    "stress_device",
    "body_battery_high",
)
#: What ``wellness list --format json`` prints, in order.
WELLNESS_LIST_COLUMNS: tuple[str, ...] = (
    "date",
    "sleep_h",
    "sleep_score",
    "resting_hr",
    "hrv_ms",
    "stress_device",
    "stress_self",
    "soreness",
    "fatigue",
    "source",
    "sleep_quality",
    "note",
)


def _rating(value: Any, what: str, low: int, high: int) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip()
    if isinstance(value, bool) or not text.lstrip("-").isdigit():
        raise ValidationError(f"{what} must be a whole number from {low} to {high} (got {text!r})")
    number = int(text)
    if not low <= number <= high:
        raise ValidationError(f"{what} must be from {low} to {high} (got {number})")
    return number


def _hours(value: Any) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(str(value).strip())
    except ValueError as e:
        raise ValidationError(f"sleep hours must be a number (got {value!r})") from e
    if not math.isfinite(number) or not 0 <= number <= 24:
        raise ValidationError(f"sleep hours must be from 0 to 24 (got {value})")
    return number


def validate_checkin(
    *,
    athlete: str,
    day: Any = None,
    sleep_h: Any = None,
    sleep_quality: Any = None,
    stress: Any = None,
    soreness: Any = None,
    fatigue: Any = None,
    note: Any = None,
    today: date | None = None,
) -> WellnessDay:
    """Check one day's check-in and return it ready to store (``day`` defaults to today).

    At least one value (or a note) must be given.
    """
    today = today or date.today()
    text_note = str(note).strip() if note is not None else ""
    entry = WellnessDay(
        athlete=athlete,
        date=parse_pain_date(day if day is not None and str(day).strip() else today, today=today),
        source="self",
        sleep_h=_hours(sleep_h),
        sleep_quality=_rating(sleep_quality, "sleep quality", 1, 5),
        stress_self=_rating(stress, "stress", 0, 10),
        soreness=_rating(soreness, "soreness", 0, 10),
        fatigue=_rating(fatigue, "fatigue", 0, 10),
        note=text_note or None,
    )
    if all(v is None for v in entry.values().values()):
        raise ValidationError(
            "a check-in needs at least one of sleep hours, sleep quality, stress, "
            "soreness, fatigue or a note"
        )
    return entry


def parse_wellness_csv(
    text: str, *, athlete: str, source: str = "CSV", today: date | None = None
) -> CsvResult:
    """Check every row of a check-in CSV (date,sleep_h,sleep_quality,stress,soreness,fatigue,note).

    Rows whose ``source`` column names a device are left out (a watch's values
    come from its export); a date given twice is a bad row.
    """
    entries: list[Any] = []
    bad: list[tuple[int, str]] = []
    seen: dict[date, int] = {}
    rows = read_csv_rows(text, source=source, columns=WELLNESS_CSV_COLUMNS, required=("date",))
    for n, values in rows:
        try:
            if "__error__" in values:
                raise ValidationError(values["__error__"])
            if values.get("source", "self") not in ("", "self"):
                continue
            if values.get("stress") and values.get("stress_self"):
                raise ValidationError("give stress or stress_self, not both")
            entry = validate_checkin(
                athlete=athlete,
                day=values.get("date", ""),
                sleep_h=values.get("sleep_h"),
                sleep_quality=values.get("sleep_quality"),
                stress=values.get("stress") or values.get("stress_self"),
                soreness=values.get("soreness"),
                fatigue=values.get("fatigue"),
                note=values.get("note"),
                today=today,
            )
            if entry.date in seen:
                raise ValidationError(f"{entry.date} is already on row {seen[entry.date]}")
            seen[entry.date] = n
            entries.append(entry)
        except ValidationError as e:
            bad.append((n, str(e)))
    return CsvResult(entries, bad)


def wellness_frame(days: Sequence[WellnessDay]) -> pd.DataFrame:
    """Stored wellness rows as a DataFrame (``date``, ``source`` and every value column)."""
    columns = ["date", "source", *WELLNESS_FIELDS]
    return pd.DataFrame(
        [
            {"date": d.date, "source": d.source, **{f: getattr(d, f) for f in WELLNESS_FIELDS}}
            for d in days
        ],
        columns=columns,
    )


def facts(alert: Any) -> dict[str, Any]:
    """An information alert as JSON facts (with the further studies behind its rule)."""
    from loadwatch.alerts.wellness import wellness_facts

    return wellness_facts(alert)


def context_alerts(
    days: Sequence[WellnessDay], *, athlete: str, end: date | None = None
) -> list[Any]:
    """The information alerts of science.md section 8 on an athlete's stored rows."""
    from loadwatch.alerts.wellness import wellness_alerts
    from loadwatch.metrics.wellness import wellness_series

    mine = [d for d in days if d.athlete == athlete]
    if not mine:
        return []
    series = wellness_series(
        wellness_frame(mine), end=pd.Timestamp(end) if end is not None else None
    )
    return wellness_alerts(series, athlete=athlete)
