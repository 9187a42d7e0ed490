"""Keep an athlete's planned runs in step with a calendar file or subscribed feed.

Re-importing is idempotent by event: the key is the event's ``UID`` (plus,
for a recurring event, the occurrence's original start). Within the import
window, an event that is new adds a plan, one whose date, distance or title
changed replaces its plan, and a plan whose event is gone from the calendar
(deleted or cancelled) is removed. Plans outside the window are left alone,
so a calendar that only publishes the weeks ahead does not erase the past.

A duration ("45 min easy") becomes a distance at the athlete's recent pace
(:func:`loadwatch.metrics.pace.recent_pace`) and the plan is marked estimated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Any
from urllib.parse import urlsplit

from loadwatch.errors import LoadwatchError, ValidationError
from loadwatch.metrics.pace import Pace, recent_pace
from loadwatch.plans.ics import CalendarEvent, SkippedEvent, parse_calendar
from loadwatch.store import CalendarPlan, CalendarSource, Store

#: Days before today from which calendar events are imported.
WINDOW_BACK_DAYS = 30
#: Days after today up to which calendar events (and recurrences) are imported.
WINDOW_AHEAD_DAYS = 365
#: Largest calendar feed read, bytes.
MAX_FEED_BYTES = 20 * 1024 * 1024
FETCH_TIMEOUT_S = 30.0


class CalendarFetchError(LoadwatchError):
    """A subscribed calendar could not be fetched (its URL is never in the message)."""


@dataclass(frozen=True, slots=True)
class SyncReport:
    """What one import or sync changed."""

    source: CalendarSource
    added: list[CalendarPlan] = field(default_factory=list)
    updated: list[tuple[CalendarPlan, CalendarPlan]] = field(default_factory=list)
    removed: list[CalendarPlan] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[SkippedEvent] = field(default_factory=list)
    pace: Pace | None = None

    @property
    def estimated(self) -> list[CalendarPlan]:
        return [p for p in self.added + [new for _, new in self.updated] if p.estimated]

    def as_dict(self) -> dict[str, Any]:
        def plan(p: CalendarPlan) -> dict[str, Any]:
            return {
                "uid": p.uid,
                "date": p.date.isoformat(),
                "distance_km": round(p.distance_m / 1000.0, 3),
                "estimated": p.estimated,
                "note": p.note,
            }

        return {
            "source": describe_source(self.source),
            "added": [plan(p) for p in self.added],
            "updated": [{"from": plan(a), "to": plan(b)} for a, b in self.updated],
            "removed": [plan(p) for p in self.removed],
            "unchanged": self.unchanged,
            "skipped": [
                {
                    "uid": s.uid,
                    "date": s.date.isoformat() if s.date else None,
                    "summary": s.summary,
                    "reason": s.reason,
                }
                for s in self.skipped
            ],
        }


def redact_url(url: str) -> str:
    """A feed URL without what may be secret in it: ``https://host/…``."""
    parts = urlsplit(url)
    rest = "/…" if (parts.path.strip("/") or parts.query) else ""
    return f"{parts.scheme}://{parts.hostname or ''}{rest}"


def describe_source(source: CalendarSource) -> str:
    return source.location if source.kind == "file" else redact_url(source.location)


def default_window(today: date) -> tuple[date, date]:
    return today - timedelta(days=WINDOW_BACK_DAYS), today + timedelta(days=WINDOW_AHEAD_DAYS)


def athlete_zone(store: Store, athlete: str) -> tzinfo:
    """The athlete's time zone, else this computer's."""
    from zoneinfo import ZoneInfo

    tz = store.athlete(athlete).tz
    if tz:
        return ZoneInfo(tz)
    zone = datetime.now().astimezone().tzinfo
    assert zone is not None
    return zone


def _plan(event: CalendarEvent, pace: Pace | None) -> CalendarPlan | SkippedEvent:
    amount = event.amount
    if amount.km is not None:
        return CalendarPlan(
            event.uid, event.occurrence, event.date, amount.km * 1000.0, event.summary, False
        )
    assert amount.minutes is not None
    if pace is None:
        return SkippedEvent(
            event.uid,
            event.date,
            event.summary,
            f"{amount.written}: no recorded runs to estimate a distance from",
        )
    km = round(pace.km_in(amount.minutes), 1)
    minutes, seconds = divmod(round(pace.s_per_km), 60)
    note = f"{event.summary} (estimated: {amount.written} at {minutes}:{seconds:02d}/km)"
    return CalendarPlan(event.uid, event.occurrence, event.date, km * 1000.0, note, True)


def _same(a: CalendarPlan, b: CalendarPlan) -> bool:
    return (a.date, round(a.distance_m), a.note, a.estimated) == (
        b.date,
        round(b.distance_m),
        b.note,
        b.estimated,
    )


def import_calendar(
    store: Store,
    athlete: str,
    data: bytes,
    *,
    kind: str,
    location: str,
    today: date | None = None,
    start: date | None = None,
    end: date | None = None,
) -> SyncReport:
    """Bring the athlete's plans from one calendar (``kind`` file or url) up to date.

    Events from ``start`` to ``end`` (default: 30 days before ``today`` to 365
    days after) are imported; the recent pace is measured as of ``today``.
    Everything is written in one transaction.
    """
    today = today or date.today()
    first, last = default_window(today)
    start, end = start or first, end or last
    label = location if kind == "file" else redact_url(location)
    reading = parse_calendar(
        data, start=start, end=end, default_tz=athlete_zone(store, athlete), source=label
    )
    source = store.calendar_source(athlete, kind, location)
    pace = recent_pace(store.activities_frame(athlete), today)
    skipped = list(reading.skipped)
    wanted: dict[tuple[str, str], CalendarPlan] = {}
    for event in reading.events:
        made = _plan(event, pace)
        if isinstance(made, SkippedEvent):
            skipped.append(made)
        else:
            wanted[(made.uid, made.occurrence)] = made
    existing = {(p.uid, p.occurrence): p for p in store.calendar_plans(athlete)}
    added: list[CalendarPlan] = []
    updated: list[tuple[CalendarPlan, CalendarPlan]] = []
    unchanged = 0
    for key, new in wanted.items():
        old = existing.get(key)
        if old is None:
            added.append(new)
        elif old.source_id != source.id or not _same(old, new):
            updated.append((old, new))
        else:
            unchanged += 1
    removed = [
        p
        for key, p in existing.items()
        if p.source_id == source.id and start <= p.date <= end and key not in wanted
    ]
    store.apply_calendar(
        athlete,
        source.id,
        [*added, *(new for _, new in updated)],
        [p.plan_id for p in removed if p.plan_id is not None]
        + [old.plan_id for old, _ in updated if old.plan_id is not None],
    )
    skipped.sort(key=lambda s: (s.date or date.min, s.uid))
    return SyncReport(source, added, updated, removed, unchanged, skipped, pace)


def fetch_calendar(url: str, *, timeout: float = FETCH_TIMEOUT_S) -> bytes:
    """The bytes of a calendar feed (``webcal://`` is read as ``https://``)."""
    import requests

    if url.lower().startswith("webcal://"):
        url = "https://" + url[len("webcal://") :]
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        raise ValidationError("a calendar URL must start with https://, http:// or webcal://")
    label = redact_url(url)
    try:
        with requests.get(url, timeout=timeout, stream=True) as response:
            if response.status_code != 200:
                raise CalendarFetchError(f"{label}: HTTP {response.status_code}")
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_content(64 * 1024):
                size += len(chunk)
                if size > MAX_FEED_BYTES:
                    raise CalendarFetchError(f"{label}: larger than {MAX_FEED_BYTES} bytes")
                chunks.append(chunk)
    except requests.RequestException as e:
        raise CalendarFetchError(f"{label}: cannot fetch ({e.__class__.__name__})") from e
    return b"".join(chunks)


@dataclass(frozen=True, slots=True)
class SyncFailure:
    source: CalendarSource
    error: str


def sync_subscriptions(
    store: Store, athlete: str, *, today: date | None = None
) -> list[SyncReport | SyncFailure]:
    """Fetch and import every calendar the athlete subscribed to; a failure stops only its own."""
    results: list[SyncReport | SyncFailure] = []
    for source in store.calendar_sources(athlete, kind="url"):
        try:
            data = fetch_calendar(source.location)
            results.append(
                import_calendar(
                    store, athlete, data, kind="url", location=source.location, today=today
                )
            )
        except LoadwatchError as e:
            store.mark_sync_failed(source.id, str(e))
            results.append(SyncFailure(source, str(e)))
    return results
