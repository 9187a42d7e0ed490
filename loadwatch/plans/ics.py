"""Planned runs from an iCalendar (ICS) file or feed, read with ``icalendar``.

Recurring events (RRULE, RDATE, EXDATE, moved occurrences) are expanded with
``recurring-ical-events`` between two dates; calendars that name their zone
only in ``X-WR-TIMEZONE`` (as Google Calendar exports do) are normalised
first with ``x-wr-timezone``.

Each event's **date** is the wall-clock date where it starts:

- an all-day event (``DTSTART;VALUE=DATE``): that date;
- a timed event with a zone (``TZID=...``) or a floating time: its own date;
- a time in UTC (``...Z``): converted to the calendar's ``X-WR-TIMEZONE``
  when it has one, else to ``default_tz`` (the athlete's zone).

An event is identified by its ``UID`` and, for a recurring event, the
occurrence's original start (``RECURRENCE-ID``): that pair is what makes
re-importing idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from loadwatch.errors import ValidationError
from loadwatch.plans.text import Amount, NotARun, read_amount


class CalendarError(ValidationError):
    """The bytes are not an iCalendar file loadwatch can read."""


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    """One event occurrence that plans a run."""

    uid: str
    #: "" for a single event; the occurrence's original start (ISO) for a recurring one
    occurrence: str
    date: date
    amount: Amount
    summary: str


@dataclass(frozen=True, slots=True)
class SkippedEvent:
    """An event occurrence that gives no planned run, and why."""

    uid: str
    date: date | None
    summary: str
    reason: str


@dataclass(frozen=True, slots=True)
class CalendarReading:
    events: list[CalendarEvent]
    skipped: list[SkippedEvent]


def _local_date(value: date | datetime, default_tz: tzinfo) -> date:
    """The wall-clock date of an event start (UTC times moved to ``default_tz``)."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            zone = getattr(value.tzinfo, "key", None) or value.tzname()
            if zone in ("UTC", "Etc/UTC", "Z"):
                return value.astimezone(default_tz).date()
        return value.date()
    return value


def _text(component: Any, name: str) -> str:
    value = component.get(name)
    return str(value).strip() if value is not None else ""


def parse_calendar(
    data: bytes, *, start: date, end: date, default_tz: tzinfo, source: str = "calendar"
) -> CalendarReading:
    """Every event occurrence starting from ``start`` to ``end`` (inclusive), read as a run.

    ``default_tz`` places events given in UTC on the athlete's date.
    Raises :class:`CalendarError` naming ``source`` when ``data`` is not iCalendar.
    """
    import icalendar
    import recurring_ical_events
    import x_wr_timezone

    try:
        calendar = icalendar.Calendar.from_ical(data)
    except (ValueError, IndexError, KeyError) as e:
        raise CalendarError(f"{source}: not an iCalendar file ({e})") from e
    if calendar.name != "VCALENDAR":
        raise CalendarError(f"{source}: not an iCalendar file (no VCALENDAR)")
    recurring = {
        _text(ev, "UID")
        for ev in calendar.walk("VEVENT")
        if ev.get("RRULE") is not None
        or ev.get("RDATE") is not None
        or ev.get("RECURRENCE-ID") is not None
    }
    try:
        calendar = x_wr_timezone.to_standard(calendar)
        after_end = date.fromordinal(end.toordinal() + 1)
        occurrences = recurring_ical_events.of(calendar).between(start, after_end)
    except Exception as e:  # the libraries raise many types on malformed rules
        kind = e.__class__.__name__
        raise CalendarError(f"{source}: cannot expand its events ({kind}: {e})") from e
    events: list[CalendarEvent] = []
    skipped: list[SkippedEvent] = []
    for ev in occurrences:
        uid = _text(ev, "UID")
        summary = _text(ev, "SUMMARY")
        dtstart = ev.get("DTSTART")
        if dtstart is None:
            skipped.append(SkippedEvent(uid, None, summary, "no start date"))
            continue
        day = _local_date(dtstart.dt, default_tz)
        if not start <= day <= end:
            continue
        if not uid:
            skipped.append(SkippedEvent(uid, day, summary, "no UID, so it cannot be kept in step"))
            continue
        if _text(ev, "STATUS").upper() == "CANCELLED":
            skipped.append(SkippedEvent(uid, day, summary, "cancelled"))
            continue
        amount = read_amount(summary, _text(ev, "DESCRIPTION"))
        if isinstance(amount, NotARun):
            skipped.append(SkippedEvent(uid, day, summary, amount.reason))
            continue
        occurrence = ""
        if uid in recurring:
            rid = ev.get("RECURRENCE-ID")
            occurrence = rid.dt.isoformat() if rid is not None else dtstart.dt.isoformat()
        events.append(CalendarEvent(uid, occurrence, day, amount, summary))
    events.sort(key=lambda e: (e.date, e.uid, e.occurrence))
    skipped.sort(key=lambda s: (s.date or date.min, s.uid))
    return CalendarReading(events, skipped)
