"""The JSON records of ``--format json``, shared by the CLI and the web API.

``loadwatch athletes``, ``status``, ``alerts`` and ``activities`` print these
objects with ``--format json``, and ``GET /api/v1/...`` answers the very same
ones, so a script can switch between the two without reshaping anything.
Distances are metres in activity records and km in status records (as
documented in the README); dates are ISO 8601 strings; a value that is not
defined is null.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from loadwatch.model import SUMMARY_COLUMNS

#: The athlete list's columns (``loadwatch athletes``).
ATHLETE_COLUMNS = ("name", "tz", "hr_rest", "hr_max", "sex")
#: An alert's keys (``loadwatch alerts``); ``message`` is the sentence in the chosen unit.
ALERT_KEYS = ("date", "rule", "severity", "value", "threshold", "evidence", "message")
#: An alert episode's keys (``loadwatch alerts --episodes``).
EPISODE_KEYS = ("first_date", "last_date", *ALERT_KEYS)
#: An activity's keys (``loadwatch activities``): the summary, the session RPE (CR-10,
#: null when not given), then the activity's name and notes.
ACTIVITY_COLUMNS = (*SUMMARY_COLUMNS, "rpe", "name", "notes")


def plain(value: Any) -> Any:
    """A value as JSON holds it: dates as ISO 8601, NaN as null, anything else as is."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def rows_to_records(rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> list[dict[str, Any]]:
    """Each row as a JSON object of exactly ``columns`` (missing keys are null)."""
    return [{c: plain(r.get(c)) for c in columns} for r in rows]


def athlete_records(athletes: Iterable[Any]) -> list[dict[str, Any]]:
    """The athlete list: name, time zone, resting and maximum heart rate (bpm), sex."""
    return rows_to_records(
        ({c: getattr(a, c) for c in ("name", *ATHLETE_COLUMNS[1:])} for a in athletes),
        ATHLETE_COLUMNS,
    )


def status_records(states: Iterable[Any]) -> list[dict[str, Any]]:
    """Athlete states (:class:`~loadwatch.service.AthleteState`) as ``loadwatch status`` prints
    them: km, ISO dates, null where undefined."""
    return [s.as_dict() for s in states]


def alert_records(
    alerts: Sequence[Any], *, unit: str = "km", episodes: bool = False
) -> list[dict[str, Any]]:
    """Past alerts (or, with ``episodes``, consecutive days of one rule folded into one)
    with a ``message`` sentence whose distances are in ``unit`` ("km" or "mi")."""
    from loadwatch.service import alerts_frame
    from loadwatch.service import episodes as fold
    from loadwatch.service.render import alert_sentence

    found: list[dict[str, Any]]
    keys: tuple[str, ...]
    if episodes:
        folded = fold(alerts_frame(list(alerts))).to_dict("records")
        found = [{str(k): v for k, v in r.items()} for r in folded]
        keys = EPISODE_KEYS
    else:
        found = [a.as_dict() for a in alerts]
        keys = ALERT_KEYS
    out = []
    for r in found:
        row = {k: r.get(k) for k in keys if k != "message"}
        row["message"] = alert_sentence(r, unit=unit)
        for key in ("date", "first_date", "last_date"):
            value = row.get(key)
            if value is not None and hasattr(value, "isoformat"):
                row[key] = value.isoformat()
        out.append(row)
    return out


def activity_records(summaries: Iterable[Any]) -> list[dict[str, Any]]:
    """Stored activities (``Store.activity_rows``), oldest first: the summary columns
    (metres, seconds, ``start_utc`` in ISO 8601, ``local_date`` as YYYY-MM-DD), the
    session RPE, the activity's name and its notes (a list)."""
    return rows_to_records(
        ({**s.as_dict(), "rpe": s.rpe, "name": s.name, "notes": list(s.notes)} for s in summaries),
        ACTIVITY_COLUMNS,
    )
