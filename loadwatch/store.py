"""The loadwatch store: the one module that owns all SQL.

SQLAlchemy Core over SQLite by default (a file in the user's data directory,
WAL mode); the same code runs on any SQLAlchemy URL (PostgreSQL included).
Everything above this module speaks in dataclasses and DataFrames.

Times are stored as naive UTC ``DateTime`` values (SQLite has no time zones)
and come back timezone-aware.
"""

from __future__ import annotations

import bisect
import copy
import dataclasses
import json
import os
import time as _time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
    and_,
    bindparam,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    text,
    type_coerce,
    update,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from loadwatch import migrations
from loadwatch.errors import StoreError, ValidationError
from loadwatch.model import ActivitySummary, richness

if TYPE_CHECKING:
    import pandas as pd

#: Name of the athlete used when none is given (single-user installs).
DEFAULT_ATHLETE = "me"
#: How the audit log shows a write by the local single user (no account).
LOCAL_USER = "local"
#: Longest athlete name, characters (the column's size).
MAX_ATHLETE_NAME = 200
#: Imported free text (activity names, file names, reasons) is cut to this many characters.
MAX_TEXT = 2000
#: A temporary original older than this is swept even if its writer's process id is alive.
STALE_TEMP_S = 24 * 3600
#: Two recordings of one run: same athlete, starts within this, distances within DEDUP_DISTANCE.
DEDUP_WINDOW = timedelta(minutes=2)
DEDUP_DISTANCE = 0.05

metadata = MetaData()

athletes = Table(
    "athletes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("created_utc", DateTime, nullable=False),
    Column("tz", String(64)),  # IANA zone used when a file cannot tell its own
    Column("hr_rest", Float),
    Column("hr_max", Float),
    Column("sex", String(10)),
)

source_files = Table(
    "source_files",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("athlete_id", Integer, ForeignKey("athletes.id"), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("original_name", Text, nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("format", String(10)),
    # imported | duplicate | skipped | error
    Column("outcome", String(20), nullable=False),
    Column("error", Text),
    Column("recovered", Boolean, nullable=False, default=False),
    Column("imported_utc", DateTime, nullable=False),
    Column("created_by", String(200)),  # the account that wrote it; None: local
    # CRC-32 of the bytes as a zip header describes them (None: not from a zip as they are)
    Column("crc32", BigInteger),
    UniqueConstraint("athlete_id", "sha256", name="uq_source_athlete_sha"),
    Index("ix_source_files_athlete_crc", "athlete_id", "crc32"),
)

activities = Table(
    "activities",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("athlete_id", Integer, ForeignKey("athletes.id"), nullable=False),
    Column("sport", String(40), nullable=False),
    Column("sub_sport", String(40)),
    Column("start_utc", DateTime, nullable=False),
    Column("utc_offset_s", Integer, nullable=False),
    Column("offset_source", String(20)),
    Column("local_date", Date, nullable=False),
    Column("distance_m", Float, nullable=False),
    Column("timer_s", Float, nullable=False),
    Column("elapsed_s", Float, nullable=False),
    Column("elevation_gain_m", Float),
    Column("avg_hr", Float),
    Column("max_hr", Float),
    Column("device", String(100)),
    Column("source_format", String(10), nullable=False),
    Column("source_sha256", String(64), nullable=False),
    Column("session_index", Integer, nullable=False, default=0),
    Column("recovered", Boolean, nullable=False, default=False),
    Column("name", Text),
    Column("rpe", Float),
    Column("notes", Text),  # JSON list of what the reader noticed or repaired
    Column("channels", String(40)),  # "hr gps distance": what the kept source recorded
    # why the values cannot be real (loadwatch.plausibility); NULL when plausible
    Column("implausible", Text),
    # the runner said the flagged activity is real: it counts as load
    Column("accepted", Boolean),
    Index("ix_activities_athlete_start", "athlete_id", "start_utc"),
)

activity_sources = Table(
    "activity_sources",
    metadata,
    Column("activity_id", Integer, ForeignKey("activities.id"), primary_key=True),
    Column("source_file_id", Integer, ForeignKey("source_files.id"), primary_key=True),
    Column("session_index", Integer, primary_key=True),
    Column("format", String(10), nullable=False),
)

archives = Table(
    "archives",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("athlete_id", Integer, ForeignKey("athletes.id"), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("original_name", Text, nullable=False),
    Column("layout", String(20), nullable=False),
    Column("completed_utc", DateTime, nullable=False),
    Column("report_json", Text, nullable=False),
    UniqueConstraint("athlete_id", "sha256", name="uq_archive_athlete_sha"),
)

pain_entries = Table(
    "pain_entries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("athlete_id", Integer, ForeignKey("athletes.id"), nullable=False),
    Column("date", Date, nullable=False),
    Column("time", Time),
    Column("score", Integer, nullable=False),
    Column("location", String(20), nullable=False),
    Column("timing", String(20), nullable=False),
    Column("sleep_h", Float),
    Column("stress", Integer),
    Column("note", Text),
    Column("created_utc", DateTime, nullable=False),
    Column("created_by", String(200)),  # the account that wrote it; None: local
    Index("ix_pain_athlete_date", "athlete_id", "date"),
)

planned_runs = Table(
    "planned_runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("athlete_id", Integer, ForeignKey("athletes.id"), nullable=False),
    Column("date", Date, nullable=False),
    Column("distance_m", Float, nullable=False),
    Column("note", Text),
    Column("created_utc", DateTime, nullable=False),
    Column("created_by", String(200)),  # the account that wrote it; None: local
    Index("ix_plans_athlete_date", "athlete_id", "date"),
)

#: A counter per athlete that every write of that athlete's data bumps (see
#: :meth:`Store.athlete_versions`): the service's caches are keyed on it.
athlete_revisions = Table(
    "athlete_revisions",
    metadata,
    Column("athlete_id", Integer, ForeignKey("athletes.id"), primary_key=True),
    Column("revision", Integer, nullable=False),
)


# ---------------------------------------------------------------------------
# Wellness and rehab context (science.md section 8): not load, shown next to it.
# A device's values and the athlete's own ratings are kept apart: each
# wellness row comes from one source ("garmin" for a watch export, "self" for
# a check-in), and a row only ever fills its source's columns.
# ---------------------------------------------------------------------------
wellness_days = Table(
    "wellness_days",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("athlete_id", Integer, ForeignKey("athletes.id"), nullable=False),
    Column("date", Date, nullable=False),  # local date (sleep: the wake-up date)
    Column("source", String(20), nullable=False),  # garmin | self
    Column("sleep_h", Float),  # hours asleep
    Column("sleep_score", Float),  # device score, 0-100
    Column("sleep_quality", Integer),  # self rating, 1-5
    Column("resting_hr", Float),  # bpm
    Column("hrv_ms", Float),  # overnight HRV, ms
    Column("stress_device", Float),  # device daily average, 0-100
    Column("body_battery_high", Float),  # device, 0-100
    Column("stress_self", Integer),  # self rating, 0-10
    Column("soreness", Integer),  # self rating, 0-10
    Column("fatigue", Integer),  # self rating, 0-10
    Column("note", Text),
    Column("created_utc", DateTime, nullable=False),
    Column("updated_utc", DateTime, nullable=False),
    Column("created_by", String(200)),  # the account that wrote it; None: local
    UniqueConstraint("athlete_id", "date", "source", name="uq_wellness_athlete_date_source"),
)

rehab_sessions = Table(
    "rehab_sessions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("athlete_id", Integer, ForeignKey("athletes.id"), nullable=False),
    Column("date", Date, nullable=False),
    Column("exercise", String(40), nullable=False),  # a key of loadwatch.rehab.CATALOGUE
    Column("sets", Integer),
    Column("reps", Integer),
    Column("seconds", Integer),  # hold time per set
    Column("side", String(10)),  # left | right | both
    Column("note", Text),
    Column("created_utc", DateTime, nullable=False),
    Column("created_by", String(200)),  # the account that wrote it; None: local
    Index("ix_rehab_athlete_date", "athlete_id", "date"),
)

rehab_plans = Table(
    "rehab_plan",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("athlete_id", Integer, ForeignKey("athletes.id"), nullable=False),
    Column("exercise", String(40), nullable=False),
    Column("per_week", Integer, nullable=False),  # target sessions per calendar week
    Column("created_utc", DateTime, nullable=False),
    Column("created_by", String(200)),  # the account that wrote it; None: local
    UniqueConstraint("athlete_id", "exercise", name="uq_rehab_plan_athlete_exercise"),
)

# ------------------------------------------------ calendars and notifications (issue 15)
#: Where imported plans come from: an ICS file (by name) or a subscribed URL.
calendar_sources = Table(
    "calendar_sources",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("athlete_id", Integer, ForeignKey("athletes.id"), nullable=False),
    Column("kind", String(10), nullable=False),  # file | url
    Column("location", Text, nullable=False),  # file name, or the URL (may hold a token)
    Column("created_utc", DateTime, nullable=False),
    Column("synced_utc", DateTime),
    Column("sync_error", Text),
    Column("created_by", String(200)),  # the account that wrote it; None: local
    UniqueConstraint("athlete_id", "kind", "location", name="uq_calendar_source"),
)

#: The calendar event behind a planned run (one row per imported plan).
plan_events = Table(
    "plan_events",
    metadata,
    Column(
        "plan_id",
        Integer,
        ForeignKey("planned_runs.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("athlete_id", Integer, ForeignKey("athletes.id"), nullable=False),
    Column(
        "source_id",
        Integer,
        ForeignKey("calendar_sources.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("uid", Text, nullable=False),
    Column("occurrence", String(64), nullable=False),  # "" or the occurrence's original start
    Column("estimated", Boolean, nullable=False),  # km estimated from a duration
    UniqueConstraint("athlete_id", "uid", "occurrence", name="uq_plan_event"),
)

#: What ``loadwatch notify`` has sent, so that it never repeats itself.
sent_notifications = Table(
    "sent_notifications",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("athlete_id", Integer, ForeignKey("athletes.id")),  # None for a coach digest
    Column("kind", String(10), nullable=False),  # finding | digest
    Column("rule", String(20)),
    Column("first_date", Date),
    Column("last_date", Date),
    Column("severity", String(10)),
    Column("digest_key", Text),
    Column("sent_utc", DateTime, nullable=False),
    Column("cleared_utc", DateTime),
    Index("ix_sent_athlete", "athlete_id", "kind"),
)

# ------------------------------------------------------------ club server (issue 13)
# Accounts, teams and tokens: the SQL on them lives in loadwatch.accounts.
#: Roles: loadwatch.accounts.ROLES. ``athlete_id``: the athlete a runner's account is.
users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("athlete_id", Integer, ForeignKey("athletes.id")),
    Column("password_hash", String(255), nullable=False),
    Column("created_utc", DateTime),
)

teams = Table(
    "teams",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
)

team_coaches = Table(
    "team_coaches",
    metadata,
    Column("team_id", Integer, ForeignKey("teams.id"), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), primary_key=True),
)

team_athletes = Table(
    "team_athletes",
    metadata,
    Column("team_id", Integer, ForeignKey("teams.id"), primary_key=True),
    Column("athlete_id", Integer, ForeignKey("athletes.id"), primary_key=True),
)

#: Personal API tokens: only the sha256 of a token is kept.
api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("token_sha256", String(64), nullable=False, unique=True),
    Column("created_utc", DateTime),
    Column("last_used_utc", DateTime),
)

#: Who wrote what: one row per write (see :meth:`Store.acting_as`). ``user_name``
#: None is the local single user; ``action`` add | change | delete; ``what`` the
#: kind of data (pain, rpe, plan, wellness, rehab, import, athlete, profile, ...).
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at_utc", DateTime, nullable=False),
    Column("user_name", String(200)),
    Column("athlete_id", Integer, ForeignKey("athletes.id")),
    Column("action", String(16), nullable=False),
    Column("what", String(32), nullable=False),
    Column("row_id", Integer),
    Index("ix_audit_athlete", "athlete_id", "id"),
)


@dataclass(frozen=True, slots=True)
class CalendarSource:
    id: int
    athlete: str
    kind: str  # file | url
    location: str
    synced_utc: datetime | None = None
    sync_error: str | None = None


@dataclass(frozen=True, slots=True)
class CalendarPlan:
    """A planned run together with the calendar event it came from."""

    uid: str
    occurrence: str
    date: date
    distance_m: float
    note: str | None
    estimated: bool
    plan_id: int | None = None
    source_id: int | None = None


@dataclass(frozen=True, slots=True)
class SentNotification:
    """A finding that was sent: rule, the dates it covered, severity, cleared or not."""

    id: int
    athlete: str | None
    kind: str
    rule: str | None
    first_date: date | None
    last_date: date | None
    severity: str | None
    digest_key: str | None
    sent_utc: datetime
    cleared_utc: datetime | None


# ------------------------------------------------ end of calendars and notifications


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One write: when (UTC), by whom (None: the local single user), what and whose."""

    id: int
    at_utc: datetime
    user_name: str | None
    athlete: str | None
    action: str  # add | change | delete
    what: str  # pain, rpe, plan, wellness, rehab, rehab_plan, import, athlete, profile, ...
    row_id: int | None

    @property
    def user(self) -> str:
        """The writer as shown to people: the account name, or "local"."""
        return self.user_name or LOCAL_USER


#: Chronological order of each athlete-owned table.
_ORDER: dict[str, tuple[str, ...]] = {
    "activities": ("start_utc",),
    "pain_entries": ("date", "time"),
    "planned_runs": ("date",),
    "wellness_days": ("date", "source"),
    "rehab_sessions": ("date",),
    "rehab_plan": ("exercise",),
}

PAIN_LOCATIONS = ("lower_back", "hip", "hip_flexor", "glute_si", "other")
PAIN_TIMINGS = ("during_run", "after_run", "next_morning", "not_running")


@dataclass(frozen=True, slots=True)
class Athlete:
    id: int
    name: str
    tz: str | None = None
    hr_rest: float | None = None
    hr_max: float | None = None
    sex: str | None = None


@dataclass(frozen=True, slots=True)
class PainEntry:
    """One back-pain score (0–10 NRS) with where/when context."""

    id: int | None
    athlete: str
    date: date
    score: int
    location: str = "lower_back"
    timing: str = "not_running"
    time: time | None = None
    sleep_h: float | None = None
    stress: int | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class PlannedRun:
    id: int | None
    athlete: str
    date: date
    distance_m: float
    note: str | None = None


#: Columns a wellness row of each source may fill (science.md section 8).
WELLNESS_DEVICE_FIELDS: tuple[str, ...] = (
    "sleep_h",
    "sleep_score",
    "resting_hr",
    "hrv_ms",
    "stress_device",
    "body_battery_high",
)
WELLNESS_SELF_FIELDS: tuple[str, ...] = (
    "sleep_h",
    "sleep_quality",
    "stress_self",
    "soreness",
    "fatigue",
    "note",
)
WELLNESS_FIELDS: tuple[str, ...] = tuple(
    dict.fromkeys(WELLNESS_DEVICE_FIELDS + WELLNESS_SELF_FIELDS)
)
#: Wellness sources: a watch export, or the athlete's own check-in.
WELLNESS_SOURCES: tuple[str, ...] = ("garmin", "self")
REHAB_SIDES: tuple[str, ...] = ("left", "right", "both")


@dataclass(frozen=True, slots=True)
class WellnessDay:
    """One day's wellness values from one source (units as in the ``wellness_days`` table)."""

    athlete: str
    date: date
    source: str
    sleep_h: float | None = None
    sleep_score: float | None = None
    sleep_quality: int | None = None
    resting_hr: float | None = None
    hrv_ms: float | None = None
    stress_device: float | None = None
    body_battery_high: float | None = None
    stress_self: int | None = None
    soreness: int | None = None
    fatigue: int | None = None
    note: str | None = None

    def values(self) -> dict[str, Any]:
        """The filled columns of this row's source (None for a value not given)."""
        allowed = WELLNESS_SELF_FIELDS if self.source == "self" else WELLNESS_DEVICE_FIELDS
        return {f: getattr(self, f) for f in allowed}


@dataclass(frozen=True, slots=True)
class WellnessOutcome:
    """What :meth:`Store.upsert_wellness` did: days added, changed and already so."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass(frozen=True, slots=True)
class RehabSession:
    """One logged rehab exercise: sets of reps, or sets held for seconds, on a side."""

    id: int | None
    athlete: str
    date: date
    exercise: str
    sets: int | None = None
    reps: int | None = None
    seconds: int | None = None
    side: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class RehabPlanItem:
    """One exercise of an athlete's routine and its target sessions per week."""

    athlete: str
    exercise: str
    per_week: int


@dataclass(frozen=True, slots=True)
class FileRecord:
    """What the importer learned about one source file, to be stored with its activities."""

    sha256: str
    original_name: str
    size: int
    format: str | None
    outcome: str  # imported | duplicate | skipped | error
    error: str | None = None
    recovered: bool = False
    #: CRC-32 of the bytes as their zip header describes them; None when not from a zip
    crc32: int | None = None


@dataclass(frozen=True, slots=True)
class FileOutcome:
    """Result of :meth:`Store.add_file`: new activities and merged duplicates.

    ``error`` is set when the database refused the file (it was rolled back alone).
    """

    inserted: int
    merged: int
    already_known: bool
    error: str | None = None


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _naive_utc(dt: datetime) -> datetime:
    return dt.astimezone(UTC).replace(tzinfo=None)


def _aware(dt: datetime) -> datetime:
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt


def default_data_dir() -> Path:
    """Where loadwatch keeps its database and original files (LOADWATCH_HOME overrides)."""
    env = os.environ.get("LOADWATCH_HOME")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("loadwatch", appauthor=False))


def resolve_db_url(db: str | None = None) -> str:
    """Turn ``--db`` / ``LOADWATCH_DB`` / the config file / the default into a URL.

    A value containing ``://`` is taken as a URL; anything else is a file path
    for SQLite. The config file's ``[server] db`` comes next (see
    :mod:`loadwatch.settings`); without any, ``<data dir>/loadwatch.db``.
    """
    value = db or os.environ.get("LOADWATCH_DB")
    if not value:
        from loadwatch.settings import configured

        value = configured("db_url")
    if value and "://" in value:
        return value
    path = Path(value).expanduser() if value else default_data_dir() / "loadwatch.db"
    return f"sqlite:///{path.resolve()}"


def _sqlite_path(url: str) -> Path | None:
    if url.startswith("sqlite:///") and not url.endswith(":memory:"):
        return Path(url[len("sqlite:///") :])
    return None


class Store:
    """All reads and writes of loadwatch data."""

    def __init__(self, url: str, *, originals_dir: Path | None = None) -> None:
        self.url = url
        #: the account whose writes these are (None: the local single user)
        self.acting_user: str | None = None
        path = _sqlite_path(url)
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise StoreError(f"cannot create the folder for the database {path}: {e}") from e
        self.engine: Engine = _engine(url)
        self.sqlite = self.engine.dialect.name == "sqlite"
        base = path.parent if path is not None else default_data_dir()
        self.originals_dir = originals_dir or base / "originals"
        try:
            self._check_schema()
        except SQLAlchemyError as e:
            self.engine.dispose()
            raise StoreError(
                f"cannot open the database at {shown_url(url)}: {e.__class__.__name__}"
            ) from e
        except StoreError:
            self.engine.dispose()
            raise

    def _check_schema(self) -> None:
        """Use the database only at the schema revision this loadwatch needs.

        A SQLite database (one user's file) is upgraded here, one process at a
        time (``BEGIN IMMEDIATE``; whoever comes second finds nothing to do).
        Any other database is never changed on open: an old schema is refused
        with a one-line :class:`StoreError` naming ``loadwatch db upgrade``.
        """
        with self._read() as conn:
            found = migrations.revision(conn)
        if found == migrations.HEAD:
            return
        if not self.sqlite or (found is not None and found not in migrations.REVISIONS):
            raise StoreError(migrations.refusal(found))
        with self._tx() as conn:
            migrations.upgrade(conn)

    @classmethod
    def open(cls, db: str | None = None) -> Store:
        """Open the store named by ``--db``, ``LOADWATCH_DB`` or the default."""
        return cls(resolve_db_url(db))

    def close(self) -> None:
        self.engine.dispose()

    def acting_as(self, user_name: str | None) -> Store:
        """A view of this store (same engine) whose writes are ``user_name``'s.

        Every write records the writer in the rows' ``created_by`` and in one
        ``audit_log`` row per row written; None is the local single user.
        """
        view = copy.copy(self)
        view.acting_user = user_name
        return view

    def audit(self, athlete: str | None = None) -> list[AuditEntry]:
        """Who wrote what, oldest first (one athlete's, or every entry)."""
        q = select(audit_log, athletes.c.name.label("athlete_name")).outerjoin(
            athletes, athletes.c.id == audit_log.c.athlete_id
        )
        if athlete is not None:
            q = q.where(athletes.c.name == athlete)
        with self._read() as conn:
            rows = conn.execute(q.order_by(audit_log.c.id)).all()
        return [
            AuditEntry(
                r.id,
                _aware(r.at_utc),
                r.user_name,
                r.athlete_name,
                r.action,
                r.what,
                r.row_id,
            )
            for r in rows
        ]

    def _add_rows(
        self, table: Table, what: str, rows: Iterable[tuple[str, dict[str, Any]]]
    ) -> list[int]:
        """Insert one row of ``table`` per (athlete name, values), all in one transaction
        (all or none), stamped with when and by whom, and record the writes; the new ids."""
        ids: list[int] = []
        written: list[tuple[int | None, int | None]] = []
        with self._tx() as conn:
            athlete_ids: dict[str, int] = {}
            for name, values in rows:
                if name not in athlete_ids:
                    athlete_ids[name] = self._athlete_id(conn, name)
                aid = athlete_ids[name]
                statement = insert(table).values(
                    athlete_id=aid, created_utc=_utcnow(), created_by=self.acting_user, **values
                )
                new_id = conn.execute(statement).inserted_primary_key[0]  # type: ignore[index]
                ids.append(new_id)
                written.append((aid, new_id))
            self._wrote(conn, "add", what, written)
        return ids

    def _wrote(
        self,
        conn: Connection,
        action: str,
        what: str,
        rows: Iterable[tuple[int | None, int | None]],
    ) -> None:
        """Record writes in the caller's transaction: an audit row per (athlete id,
        row id) and one revision bump per athlete."""
        rows = list(rows)
        self._audit(conn, action, what, rows)
        _touch(conn, [aid for aid, _ in rows if aid is not None])

    def _audit(
        self, conn: Connection, action: str, what: str, rows: list[tuple[int | None, int | None]]
    ) -> None:
        """The audit rows of :meth:`_wrote` alone (for a caller that bumps the revision once
        for a whole batch, as :meth:`add_files` does)."""
        now = _utcnow()
        if not rows:
            return
        conn.execute(
            insert(audit_log),
            [
                {
                    "at_utc": now,
                    "user_name": self.acting_user,
                    "athlete_id": aid,
                    "action": action,
                    "what": what,
                    "row_id": row_id,
                }
                for aid, row_id in rows
            ],
        )

    @contextmanager
    def _tx(self, *, write: bool = True) -> Iterator[Connection]:
        """One transaction. On SQLite a writing one takes the write lock at its start
        (``BEGIN IMMEDIATE``), so two writers queue instead of failing half-way."""
        with self.engine.connect() as conn:
            conn.execution_options(loadwatch_write=write)
            with conn.begin():
                yield conn

    def _read(self) -> Any:
        return self._tx(write=False)

    # ------------------------------------------------------------------ athletes
    def athlete(self, name: str | None = None, *, create: bool = True) -> Athlete:
        """The athlete called ``name`` (the default athlete when None), created if asked."""
        name = _athlete_name(name or DEFAULT_ATHLETE)
        with self._tx() as conn:
            row = conn.execute(select(athletes).where(athletes.c.name == name)).first()
            if row is None:
                if not create:
                    known = ", ".join(a.name for a in self.list_athletes()) or "none yet"
                    raise ValidationError(f"no athlete called {name!r} (known: {known})")
                self._insert_athlete(conn, name)
                row = conn.execute(select(athletes).where(athletes.c.name == name)).one()
        return _athlete(row)

    def list_athletes(self) -> list[Athlete]:
        with self._read() as conn:
            rows = conn.execute(select(athletes).order_by(athletes.c.name)).all()
        return [_athlete(r) for r in rows]

    def add_athlete(self, name: str, **profile: Any) -> Athlete:
        name = _athlete_name(name)
        try:
            with self._tx() as conn:
                aid = conn.execute(
                    insert(athletes).values(name=name, created_utc=_utcnow(), **profile)
                ).inserted_primary_key[0]  # type: ignore[index]
                self._wrote(conn, "add", "athlete", [(aid, aid)])
        except IntegrityError as e:
            raise ValidationError(f"an athlete called {name!r} already exists") from e
        return self.athlete(name, create=False)

    def update_athlete(self, name: str, **profile: Any) -> Athlete:
        """Change an athlete's profile (tz, hr_rest, hr_max, sex) or ``new_name``."""
        current = self.athlete(name, create=False)
        values = {k: v for k, v in profile.items() if k != "new_name"}
        new_name = profile.get("new_name")
        if new_name is not None:
            new_name = _athlete_name(new_name)
            values["name"] = new_name
        if not values:
            return current
        try:
            with self._tx() as conn:
                conn.execute(update(athletes).where(athletes.c.id == current.id).values(**values))
                what = "athlete" if new_name is not None else "profile"
                self._wrote(conn, "change", what, [(current.id, current.id)])
        except IntegrityError as e:
            raise ValidationError(f"an athlete called {new_name!r} already exists") from e
        return self.athlete(new_name or name, create=False)

    # ------------------------------------------------------------- source files
    def known_hashes(self, athlete: Athlete, hashes: Iterable[str] | None = None) -> set[str]:
        """sha256 values of files already recorded for ``athlete`` (all, or among ``hashes``)."""
        # A file that failed to read is not "known": a later loadwatch may read it.
        q = select(source_files.c.sha256).where(
            and_(source_files.c.athlete_id == athlete.id, source_files.c.outcome != "error")
        )
        with self._read() as conn:
            if hashes is None:
                return set(conn.execute(q).scalars())
            found: set[str] = set()
            batch = list(hashes)
            for i in range(0, len(batch), 500):
                chunk = batch[i : i + 500]
                found.update(conn.execute(q.where(source_files.c.sha256.in_(chunk))).scalars())
            return found

    def known_zip_members(self, athlete: Athlete) -> set[tuple[str, int, int]]:
        """(base name, size, CRC-32) of the files stored for ``athlete`` that came out of a
        zip as they are (a zip header can then tell them without reading them).

        Like :meth:`known_hashes`, a file that failed to read is not known.
        """
        c = source_files.c
        q = select(c.original_name, c.size, c.crc32).where(
            and_(c.athlete_id == athlete.id, c.crc32.is_not(None), c.outcome != "error")
        )
        with self._read() as conn:
            return {(base_name(r.original_name), r.size, r.crc32) for r in conn.execute(q)}

    def add_file(
        self, athlete: Athlete, record: FileRecord, summaries: Sequence[ActivitySummary] = ()
    ) -> FileOutcome:
        """Record one source file and its activities in a single transaction.

        Either the file row and all its activities are stored, or nothing is.
        A summary that matches an existing activity of the athlete (start within
        2 minutes, distance within 5%) is merged into it: the source is linked,
        and the activity's values come from the richer source (positions, a
        device distance, then FIT > TCX > GPX, then heart rate), with heart
        rate filled from the other source when only that one has it.
        """
        return self.add_files(athlete, [(record, summaries)])[0]

    def add_files(
        self,
        athlete: Athlete,
        items: Sequence[tuple[FileRecord, Sequence[ActivitySummary]]],
    ) -> list[FileOutcome]:
        """:meth:`add_file` for several files in one transaction (all of them or none).

        Committing a batch costs about what one file costs, which is what makes
        importing thousands of files fast; each file is still whole or absent.
        The batch is first written with a few statements for all its files
        (:meth:`_add_files_together`); if the database refuses any of it, that
        attempt is rolled back and every file is stored on its own, so a refused
        file fails alone.
        """
        with self._tx() as conn:
            if conn.dialect.name == "postgresql":
                # one importer at a time per athlete: finding "the same run" is then race-free
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_LOCK_IMPORT}, {athlete.id})")
            outcomes: list[FileOutcome] | None = None
            if len(items) > 1:
                try:
                    with conn.begin_nested():
                        outcomes = self._add_files_together(conn, athlete, items)
                except SQLAlchemyError:
                    outcomes = None
            if outcomes is None:
                outcomes = [self._add_file_alone(conn, athlete, rec, summ) for rec, summ in items]
            _touch(conn, [athlete.id])
            return outcomes

    def _add_files_together(
        self,
        conn: Connection,
        athlete: Athlete,
        items: Sequence[tuple[FileRecord, Sequence[ActivitySummary]]],
    ) -> list[FileOutcome] | None:
        """Store a batch as :meth:`_add_file` would file by file, with a few statements.

        One query finds which files are known, one reads the athlete's
        activities around the batch's starts; "the same run" is then found in
        memory, against the stored activities and those added earlier in the
        batch, in the order :meth:`_find_same_activity` scans them. Rows are
        inserted with ids taken in file order, as one file at a time would get
        them. None (nothing written) when the batch holds the bytes of a file
        it also records as an error: only the file-by-file path replaces those.
        """
        aid = athlete.id
        stored = self._stored_files(conn, aid, [rec.sha256 for rec, _ in items])
        index = _RunIndex(_window_rows(conn, aid, [s.start_utc for _, summ in items for s in summ]))
        outcomes: list[FileOutcome] = []
        replaced: list[int] = []
        files: list[dict[str, Any]] = []
        links: list[tuple[_Run, int, int, str]] = []  # (activity, file, session, format)
        now = _utcnow()
        for record, summaries in items:
            found = stored.get(record.sha256)
            if found is not None:
                found_id, found_outcome = found
                if found_outcome != "error":
                    outcomes.append(FileOutcome(0, 0, already_known=True))
                    continue
                if found_id is None:
                    return None
                replaced.append(found_id)
            inserted = merged = 0
            for s in summaries:
                run = index.find(s)
                if run is None:
                    run = index.add(aid, s)
                    inserted += 1
                else:
                    index.merge(run, s)
                    merged += 1
                links.append((run, len(files), s.session_index, s.source_format))
            outcome = record.outcome
            if merged and not inserted and outcome == "imported":
                outcome = "duplicate"
            stored[record.sha256] = (None, outcome)
            files.append(self._file_row(aid, record, outcome, now))
            outcomes.append(FileOutcome(inserted, merged, already_known=False))
        # ids before the replaced error rows go: new ids follow every existing row
        file_ids = _new_ids(conn, source_files, len(files))
        if replaced:
            conn.execute(delete(source_files).where(source_files.c.id.in_(replaced)))
        _insert_with_ids(conn, source_files, files, file_ids)
        added = _new_ids(conn, activities, len(index.added))
        _insert_with_ids(conn, activities, [run.values for run in index.added], added)
        for run, new_id in zip(index.added, added, strict=True):
            run.id = new_id
        for run in index.changed():
            conn.execute(update(activities).where(activities.c.id == run.id).values(run.changes))
        if links:
            conn.execute(
                insert(activity_sources),
                [
                    {
                        "activity_id": run.id,
                        "source_file_id": file_ids[f],
                        "session_index": session,
                        "format": fmt,
                    }
                    for run, f, session, fmt in links
                ],
            )
        self._audit(conn, "add", "import", [(aid, fid) for fid in file_ids])  # add_files bumps
        return outcomes

    @staticmethod
    def _stored_files(
        conn: Connection, athlete_id: int, shas: Sequence[str]
    ) -> dict[str, tuple[int | None, str]]:
        """sha256 -> (id, outcome) of the athlete's stored files among ``shas``."""
        found: dict[str, tuple[int | None, str]] = {}
        c = source_files.c
        unique = sorted(set(shas))
        for i in range(0, len(unique), 500):
            rows = conn.execute(
                select(c.sha256, c.id, c.outcome).where(
                    and_(c.athlete_id == athlete_id, c.sha256.in_(unique[i : i + 500]))
                )
            )
            found.update({r.sha256: (r.id, r.outcome) for r in rows})
        return found

    def _add_file_alone(
        self,
        conn: Connection,
        athlete: Athlete,
        record: FileRecord,
        summaries: Sequence[ActivitySummary],
    ) -> FileOutcome:
        """:meth:`_add_file` in its own savepoint: a database error rolls back this file only.

        The refused file is then recorded as an error (so a later import tries it
        again) and reported in one line, without SQL or values.
        """
        try:
            with conn.begin_nested():
                return self._add_file(conn, athlete, record, summaries)
        except SQLAlchemyError as e:
            reason = database_refusal(e)
        failed = dataclasses.replace(record, outcome="error", error=reason, recovered=False)
        try:
            with conn.begin_nested():
                self._add_file(conn, athlete, failed, ())
        except SQLAlchemyError:
            pass  # not even the error row fits: the report still names the file
        return FileOutcome(0, 0, already_known=False, error=reason)

    def _file_row(
        self, athlete_id: int, record: FileRecord, outcome: str, now: datetime
    ) -> dict[str, Any]:
        """The ``source_files`` row of ``record`` stored now with ``outcome``."""
        return clip_text(
            source_files,
            athlete_id=athlete_id,
            sha256=record.sha256,
            original_name=record.original_name,
            size=record.size,
            format=record.format,
            outcome=outcome,
            error=record.error,
            recovered=record.recovered,
            imported_utc=now,
            created_by=self.acting_user,
            crc32=record.crc32,
        )

    def _add_file(
        self,
        conn: Connection,
        athlete: Athlete,
        record: FileRecord,
        summaries: Sequence[ActivitySummary],
    ) -> FileOutcome:
        inserted = merged = 0
        now = _utcnow()
        exists = conn.execute(
            select(source_files.c.id, source_files.c.outcome).where(
                and_(
                    source_files.c.athlete_id == athlete.id,
                    source_files.c.sha256 == record.sha256,
                )
            )
        ).first()
        if exists is not None:
            if exists.outcome != "error":
                return FileOutcome(0, 0, already_known=True)
            # read again (e.g. by a newer loadwatch): the new outcome replaces the error
            conn.execute(delete(source_files).where(source_files.c.id == exists.id))
        file_id = conn.execute(
            insert(source_files).values(**self._file_row(athlete.id, record, record.outcome, now))
        ).inserted_primary_key[0]  # type: ignore[index]
        self._audit(conn, "add", "import", [(athlete.id, file_id)])  # add_files bumps
        for s in summaries:
            match = self._find_same_activity(conn, athlete.id, s)
            if match is None:
                activity_id = conn.execute(
                    insert(activities).values(athlete_id=athlete.id, **_activity_values(s))
                ).inserted_primary_key[0]  # type: ignore[index]
                inserted += 1
            else:
                _merge_into(conn, match, s)
                activity_id = match.id
                merged += 1
            conn.execute(
                insert(activity_sources).values(
                    activity_id=activity_id,
                    source_file_id=file_id,
                    session_index=s.session_index,
                    format=s.source_format,
                )
            )
            if s.name and match is not None:
                conn.execute(
                    update(activities)
                    .where(and_(activities.c.id == activity_id, activities.c.name.is_(None)))
                    .values(**clip_text(activities, name=s.name))
                )
            if s.rpe is not None and match is not None:  # e.g. Strava's RPE for a watch run
                conn.execute(
                    update(activities)
                    .where(and_(activities.c.id == activity_id, activities.c.rpe.is_(None)))
                    .values(rpe=s.rpe)
                )
        if merged and not inserted and record.outcome == "imported":
            conn.execute(
                update(source_files).where(source_files.c.id == file_id).values(outcome="duplicate")
            )
        return FileOutcome(inserted, merged, already_known=False)

    @staticmethod
    def _find_same_activity(conn: Connection, athlete_id: int, s: ActivitySummary) -> Any:
        """The stored activity that is the same run as ``s`` (a row), or None."""
        start = _naive_utc(s.start_utc)
        rows = conn.execute(
            select(
                activities.c.id,
                activities.c.distance_m,
                activities.c.source_format,
                activities.c.channels,
                activities.c.avg_hr,
                activities.c.max_hr,
                activities.c.notes,
            )
            .where(
                and_(
                    activities.c.athlete_id == athlete_id,
                    activities.c.start_utc >= start - DEDUP_WINDOW,
                    activities.c.start_utc <= start + DEDUP_WINDOW,
                )
            )
            .order_by(activities.c.start_utc, activities.c.id)
        ).all()
        for row in rows:
            if _same_distance(row.distance_m, s.distance_m):
                return row
        return None

    def sources_of(self, activity_id: int) -> list[dict[str, Any]]:
        """Every source file recorded for one activity (name, format, sha256)."""
        q = (
            select(
                source_files.c.original_name,
                source_files.c.sha256,
                activity_sources.c.format,
                activity_sources.c.session_index,
            )
            .join(source_files, source_files.c.id == activity_sources.c.source_file_id)
            .where(activity_sources.c.activity_id == activity_id)
            .order_by(source_files.c.id)
        )
        with self._read() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    # ---------------------------------------------------------------- archives
    def archive_report(self, athlete: Athlete, sha256: str) -> str | None:
        """The stored JSON report of a fully imported archive, or None."""
        with self._read() as conn:
            return conn.execute(
                select(archives.c.report_json).where(
                    and_(archives.c.athlete_id == athlete.id, archives.c.sha256 == sha256)
                )
            ).scalar()

    def mark_archive_done(
        self, athlete: Athlete, sha256: str, size: int, name: str, layout: str, report_json: str
    ) -> None:
        """Remember that every member of an archive has been handled."""
        with self._tx() as conn:
            conn.execute(
                delete(archives).where(
                    and_(archives.c.athlete_id == athlete.id, archives.c.sha256 == sha256)
                )
            )
            conn.execute(
                insert(archives).values(
                    **clip_text(
                        archives,
                        athlete_id=athlete.id,
                        sha256=sha256,
                        size=size,
                        original_name=name,
                        layout=layout,
                        completed_utc=_utcnow(),
                    ),
                    report_json=report_json.replace("\x00", ""),
                )
            )
            _touch(conn, [athlete.id])

    def name_activities(self, athlete: Athlete, names: Sequence[tuple[datetime, str]]) -> int:
        """Give unnamed activities starting within 2 minutes of each instant that name.

        In order: an activity takes the first name whose instant is close enough.
        """
        if not names:
            return 0
        with self._tx() as conn:
            unnamed = [
                r for r in _window_rows(conn, athlete.id, [t for t, _ in names]) if r.name is None
            ]
            unnamed.sort(key=lambda r: r.start_utc)
            starts = [r.start_utc for r in unnamed]
            given: dict[int, str] = {}
            for start, name in names:
                t = _naive_utc(start)
                lo = bisect.bisect_left(starts, t - DEDUP_WINDOW)
                hi = bisect.bisect_right(starts, t + DEDUP_WINDOW)
                for r in unnamed[lo:hi]:
                    given.setdefault(r.id, clip_text(activities, name=name)["name"])
            if given:
                conn.execute(
                    update(activities)
                    .where(activities.c.id == bindparam("row_id"))
                    .values(name=bindparam("new_name")),
                    [{"row_id": k, "new_name": v} for k, v in given.items()],
                )
                self._wrote(conn, "change", "name", [(athlete.id, None)])
        return len(given)

    # -------------------------------------------------------------- activities
    def activity_rows(
        self, athlete: str | None = None, *, since: date | None = None
    ) -> list[ActivitySummary]:
        """Activities as summaries, oldest first; all athletes when ``athlete`` is None."""
        rows = self._by_athlete(activities, athlete, activities.c.local_date, since)
        return [_summary(r) for r in rows]

    def activities_frame(
        self,
        athlete: str | None = None,
        *,
        since: date | None = None,
        include_implausible: bool = False,
    ) -> pd.DataFrame:
        """Activities as a DataFrame: the summary columns plus ``rpe``, ``name`` and
        ``notes`` (one line per note, "" when none).

        This is what load is computed from: activities flagged implausible and not
        accepted by the runner are left out unless ``include_implausible``.
        """
        import pandas as pd

        from loadwatch.model import SUMMARY_COLUMNS

        rows = self._by_athlete(activities, athlete, activities.c.local_date, since)
        if not include_implausible:
            rows = [r for r in rows if r.implausible is None or r.accepted]
        cols = [*SUMMARY_COLUMNS, "rpe", "name", "notes"]
        # built from plain tuples: a dict per row, or SQLAlchemy's rows themselves
        # (pandas probes each for attributes), cost twice as much
        fields = [*(c.name for c in activities.c), "athlete"]
        frame = pd.DataFrame([tuple(r) for r in rows], columns=fields)
        frame["notes"] = [  # a column of None comes back as NaN
            "\n".join(_notes(text)) if isinstance(text, str) else "" for text in frame["notes"]
        ]
        frame = frame.reindex(columns=cols)
        frame["start_utc"] = pd.to_datetime(frame["start_utc"], utc=True)
        frame["recovered"] = frame["recovered"].astype(bool)
        for c in ("distance_m", "timer_s", "elapsed_s", "elevation_gain_m", "avg_hr", "max_hr"):
            frame[c] = frame[c].astype(float)
        frame["rpe"] = frame["rpe"].astype(float)
        return frame

    def accept_activity(self, activity_id: int) -> str | None:
        """Count a flagged activity as load after all; returns the reason it was flagged."""
        with self._tx() as conn:
            row = conn.execute(
                select(activities.c.implausible, activities.c.athlete_id).where(
                    activities.c.id == activity_id
                )
            ).first()
            if row is None:
                raise ValidationError(f"no activity with id {activity_id}")
            conn.execute(
                update(activities).where(activities.c.id == activity_id).values(accepted=True)
            )
            self._wrote(conn, "change", "accept", [(row.athlete_id, activity_id)])
        return row.implausible

    def sweep_stale_temp(self) -> int:
        """Delete temporary originals a killed import left behind; returns how many."""
        return sweep_stale_temp(self.originals_dir)

    def set_rpe(self, activity_id: int, rpe: float | None) -> None:
        """Record a session RPE (CR-10, 0–10) for one activity."""
        if rpe is not None and not 0 <= rpe <= 10:
            raise ValidationError(f"RPE must be between 0 and 10 (got {rpe})")
        with self._tx() as conn:
            n = conn.execute(
                update(activities).where(activities.c.id == activity_id).values(rpe=rpe)
            ).rowcount
            owner = conn.execute(
                select(activities.c.athlete_id).where(activities.c.id == activity_id)
            ).scalar()
            if owner is not None:
                self._wrote(conn, "change", "rpe", [(owner, activity_id)])
        if n == 0:
            raise ValidationError(f"no activity with id {activity_id}")

    def counts(self) -> dict[str, int]:
        """Row counts per table (for tests and `loadwatch` status output)."""
        with self._read() as conn:
            return {
                t.name: int(conn.execute(select(func.count()).select_from(t)).scalar_one())
                for t in metadata.sorted_tables
            }

    # -------------------------------------------------------------------- pain
    def add_pain(self, entries: Sequence[PainEntry]) -> list[int]:
        """Store pain entries (all or none). Entries must be validated by the caller."""
        return self._add_rows(
            pain_entries,
            "pain",
            (
                (
                    e.athlete,
                    {
                        "date": e.date,
                        "time": e.time,
                        "score": e.score,
                        "location": e.location,
                        "timing": e.timing,
                        "sleep_h": e.sleep_h,
                        "stress": e.stress,
                        "note": e.note,
                    },
                )
                for e in entries
            ),
        )

    def list_pain(self, athlete: str | None = None) -> list[PainEntry]:
        rows = self._by_athlete(pain_entries, athlete)
        return [
            PainEntry(
                id=r.id,
                athlete=r.athlete_name,
                date=r.date,
                score=r.score,
                location=r.location,
                timing=r.timing,
                time=r.time,
                sleep_h=r.sleep_h,
                stress=r.stress,
                note=r.note,
            )
            for r in rows
        ]

    def delete_pain(self, entry_id: int, athlete: str | None = None) -> None:
        self._delete(pain_entries, entry_id, athlete, "pain entry")

    # ------------------------------------------------------------------- plans
    def add_plans(self, plans: Sequence[PlannedRun]) -> list[int]:
        """Store planned runs (all or none)."""

        def rows() -> Iterator[tuple[str, dict[str, Any]]]:
            for p in plans:
                if not p.distance_m > 0:
                    raise ValidationError(
                        f"a planned distance must be positive (got {p.distance_m})"
                    )
                yield p.athlete, {"date": p.date, "distance_m": p.distance_m, "note": p.note}

        return self._add_rows(planned_runs, "plan", rows())

    def list_plans(
        self, athlete: str | None = None, *, since: date | None = None
    ) -> list[PlannedRun]:
        rows = self._by_athlete(planned_runs, athlete, planned_runs.c.date, since)
        return [PlannedRun(r.id, r.athlete_name, r.date, r.distance_m, r.note) for r in rows]

    def delete_plan(self, plan_id: int, athlete: str | None = None) -> None:
        self._delete(planned_runs, plan_id, athlete, "planned run")

    # ------------------------------------------------------- wellness and rehab
    # Context next to load (science.md section 8); nothing here feeds the load.
    def upsert_wellness(self, days: Sequence[WellnessDay]) -> WellnessOutcome:
        """Store wellness days (all or none), one row per athlete, date and source.

        A day already stored from the same source is updated with the values
        given (a value left None keeps what is stored); a day whose values are
        already stored counts as unchanged, so importing twice changes nothing.
        Rows must be validated by the caller; a row filling another source's
        columns is refused.
        """
        added = updated = unchanged = 0
        now = _utcnow()
        written: dict[str, list[tuple[int | None, int | None]]] = {"add": [], "change": []}
        with self._tx() as conn:
            cache: dict[str, int] = {}
            for d in days:
                if d.source not in WELLNESS_SOURCES:
                    raise ValidationError(f"unknown wellness source {d.source!r}")
                allowed = set(d.values())
                stray = [
                    f for f in WELLNESS_FIELDS if f not in allowed and getattr(d, f) is not None
                ]
                if stray:
                    raise ValidationError(
                        f"a {d.source} wellness row cannot hold {', '.join(stray)}"
                    )
                aid = cache.get(d.athlete)
                if aid is None:
                    aid = cache[d.athlete] = self._athlete_id(conn, d.athlete)
                    _touch(conn, [aid])  # also when every day is unchanged (as before)
                given = {k: v for k, v in d.values().items() if v is not None}
                key = and_(
                    wellness_days.c.athlete_id == aid,
                    wellness_days.c.date == d.date,
                    wellness_days.c.source == d.source,
                )
                row = conn.execute(select(wellness_days).where(key)).first()
                if row is None:
                    new_id = conn.execute(
                        insert(wellness_days).values(
                            athlete_id=aid,
                            date=d.date,
                            source=d.source,
                            created_utc=now,
                            updated_utc=now,
                            created_by=self.acting_user,
                            **given,
                        )
                    ).inserted_primary_key[0]  # type: ignore[index]
                    written["add"].append((aid, new_id))
                    added += 1
                elif all(getattr(row, k) == v for k, v in given.items()):
                    unchanged += 1
                else:
                    conn.execute(
                        update(wellness_days)
                        .where(wellness_days.c.id == row.id)
                        .values(updated_utc=now, **given)
                    )
                    written["change"].append((aid, row.id))
                    updated += 1
            for action, rows in written.items():
                self._wrote(conn, action, "wellness", rows)
        return WellnessOutcome(added, updated, unchanged)

    def list_wellness(
        self,
        athlete: str | None = None,
        *,
        since: date | None = None,
        source: str | None = None,
    ) -> list[WellnessDay]:
        """Wellness rows, oldest first (device before self on the same date)."""
        rows = self._by_athlete(wellness_days, athlete, wellness_days.c.date, since)
        return [
            WellnessDay(
                athlete=r.athlete_name,
                date=r.date,
                source=r.source,
                **{f: getattr(r, f) for f in WELLNESS_FIELDS},
            )
            for r in rows
            if source is None or r.source == source
        ]

    def delete_wellness(self, athlete: str, day: date, source: str = "self") -> None:
        """Delete one day's wellness row of one source (a check-in by default)."""
        with self._tx() as conn:
            aid = self._athlete_id(conn, athlete)
            key = and_(
                wellness_days.c.athlete_id == aid,
                wellness_days.c.date == day,
                wellness_days.c.source == source,
            )
            row_id = conn.execute(select(wellness_days.c.id).where(key)).scalar()
            n = conn.execute(delete(wellness_days).where(key)).rowcount
            if n:
                self._wrote(conn, "delete", "wellness", [(aid, row_id)])
        if n == 0:
            raise ValidationError(f"no {source} wellness entry on {day} for athlete {athlete!r}")

    def add_rehab(self, sessions: Sequence[RehabSession]) -> list[int]:
        """Store rehab sessions (all or none). Sessions must be validated by the caller."""
        return self._add_rows(
            rehab_sessions,
            "rehab",
            (
                (
                    s.athlete,
                    {
                        "date": s.date,
                        "exercise": s.exercise,
                        "sets": s.sets,
                        "reps": s.reps,
                        "seconds": s.seconds,
                        "side": s.side,
                        "note": s.note,
                    },
                )
                for s in sessions
            ),
        )

    def list_rehab(
        self, athlete: str | None = None, *, since: date | None = None
    ) -> list[RehabSession]:
        rows = self._by_athlete(rehab_sessions, athlete, rehab_sessions.c.date, since)
        return [
            RehabSession(
                r.id, r.athlete_name, r.date, r.exercise, r.sets, r.reps, r.seconds, r.side, r.note
            )
            for r in rows
        ]

    def delete_rehab(self, session_id: int, athlete: str | None = None) -> None:
        self._delete(rehab_sessions, session_id, athlete, "rehab session")

    def set_rehab_plan(self, athlete: str, exercise: str, per_week: int) -> None:
        """Put ``exercise`` in the athlete's routine at ``per_week`` sessions (0 removes it)."""
        with self._tx() as conn:
            aid = self._athlete_id(conn, athlete)
            key = and_(rehab_plans.c.athlete_id == aid, rehab_plans.c.exercise == exercise)
            removed = conn.execute(delete(rehab_plans).where(key)).rowcount
            row_id = None
            if per_week > 0:
                row_id = conn.execute(
                    insert(rehab_plans).values(
                        athlete_id=aid,
                        exercise=exercise,
                        per_week=per_week,
                        created_utc=_utcnow(),
                        created_by=self.acting_user,
                    )
                ).inserted_primary_key[0]  # type: ignore[index]
            if removed or row_id is not None:  # removing what is not there writes nothing
                action = "delete" if row_id is None else "change" if removed else "add"
                self._wrote(conn, action, "rehab_plan", [(aid, row_id)])

    def rehab_plan(self, athlete: str | None = None) -> list[RehabPlanItem]:
        rows = self._by_athlete(rehab_plans, athlete)
        return [RehabPlanItem(r.athlete_name, r.exercise, r.per_week) for r in rows]

    # ------------------------------------- calendars and notifications (issue 15)
    def calendar_source(self, athlete: str, kind: str, location: str) -> CalendarSource:
        """The athlete's calendar source of this kind and location, created if new."""
        with self._tx() as conn:
            aid = self._athlete_id(conn, athlete)
            where = and_(
                calendar_sources.c.athlete_id == aid,
                calendar_sources.c.kind == kind,
                calendar_sources.c.location == location,
            )
            row = conn.execute(select(calendar_sources.c.id).where(where)).first()
            if row is None:
                new_id = conn.execute(
                    insert(calendar_sources).values(
                        athlete_id=aid,
                        kind=kind,
                        location=location,
                        created_utc=_utcnow(),
                        created_by=self.acting_user,
                    )
                ).inserted_primary_key[0]  # type: ignore[index]
                self._wrote(conn, "add", "calendar", [(aid, new_id)])
        (found,) = [
            s for s in self.calendar_sources(athlete) if (s.kind, s.location) == (kind, location)
        ]
        return found

    def calendar_sources(
        self, athlete: str | None = None, *, kind: str | None = None
    ) -> list[CalendarSource]:
        """Calendar sources (all athletes when ``athlete`` is None), oldest first."""
        q = select(calendar_sources, athletes.c.name.label("athlete_name")).join(
            athletes, athletes.c.id == calendar_sources.c.athlete_id
        )
        if athlete is not None:
            q = q.where(athletes.c.name == athlete)
        if kind is not None:
            q = q.where(calendar_sources.c.kind == kind)
        with self._tx() as conn:
            rows = conn.execute(q.order_by(calendar_sources.c.id)).all()
        return [
            CalendarSource(
                r.id,
                r.athlete_name,
                r.kind,
                r.location,
                _aware(r.synced_utc) if r.synced_utc else None,
                r.sync_error,
            )
            for r in rows
        ]

    def delete_calendar_source(self, source_id: int, athlete: str) -> int:
        """Forget a calendar source and the plans it brought; returns the plans removed."""
        with self._tx() as conn:
            aid = self._athlete_id(conn, athlete)
            owned = and_(calendar_sources.c.id == source_id, calendar_sources.c.athlete_id == aid)
            if conn.execute(select(calendar_sources.c.id).where(owned)).first() is None:
                raise ValidationError(f"no calendar with id {source_id} for athlete {athlete!r}")
            plan_ids = list(
                conn.execute(
                    select(plan_events.c.plan_id).where(plan_events.c.source_id == source_id)
                ).scalars()
            )
            conn.execute(delete(plan_events).where(plan_events.c.source_id == source_id))
            if plan_ids:
                conn.execute(delete(planned_runs).where(planned_runs.c.id.in_(plan_ids)))
            conn.execute(delete(calendar_sources).where(calendar_sources.c.id == source_id))
            self._wrote(conn, "delete", "calendar", [(aid, source_id)])
        return len(plan_ids)

    def calendar_plans(self, athlete: str) -> list[CalendarPlan]:
        """The athlete's planned runs that came from a calendar, with their event keys."""
        q = (
            select(plan_events, planned_runs.c.date, planned_runs.c.distance_m, planned_runs.c.note)
            .join(planned_runs, planned_runs.c.id == plan_events.c.plan_id)
            .join(athletes, athletes.c.id == plan_events.c.athlete_id)
            .where(athletes.c.name == athlete)
            .order_by(planned_runs.c.date, plan_events.c.uid, plan_events.c.occurrence)
        )
        with self._tx() as conn:
            rows = conn.execute(q).all()
        return [
            CalendarPlan(
                r.uid,
                r.occurrence,
                r.date,
                r.distance_m,
                r.note,
                bool(r.estimated),
                r.plan_id,
                r.source_id,
            )
            for r in rows
        ]

    def apply_calendar(
        self,
        athlete: str,
        source_id: int,
        add: Sequence[CalendarPlan],
        remove_plan_ids: Sequence[int],
        *,
        synced: bool = True,
    ) -> None:
        """Remove and add calendar plans, and mark the source synced, in one transaction.

        A changed event is removed and added again (a new plan id), so anything
        keyed on the highest plan id sees the change.
        """
        with self._tx() as conn:
            aid = self._athlete_id(conn, athlete)
            self._wrote(conn, "change", "calendar", [(aid, source_id)])
            if remove_plan_ids:
                ids = list(remove_plan_ids)
                conn.execute(delete(plan_events).where(plan_events.c.plan_id.in_(ids)))
                conn.execute(delete(planned_runs).where(planned_runs.c.id.in_(ids)))
            now = _utcnow()
            for p in add:
                if not p.distance_m > 0:
                    raise ValidationError(f"a planned distance must be positive ({p.uid})")
                plan_id = conn.execute(
                    insert(planned_runs).values(
                        athlete_id=aid,
                        date=p.date,
                        distance_m=p.distance_m,
                        note=p.note,
                        created_utc=now,
                        created_by=self.acting_user,
                    )
                ).inserted_primary_key[0]  # type: ignore[index]
                conn.execute(
                    insert(plan_events).values(
                        plan_id=plan_id,
                        athlete_id=aid,
                        source_id=source_id,
                        uid=p.uid,
                        occurrence=p.occurrence,
                        estimated=p.estimated,
                    )
                )
            if synced:
                conn.execute(
                    update(calendar_sources)
                    .where(calendar_sources.c.id == source_id)
                    .values(synced_utc=now, sync_error=None)
                )

    def mark_sync_failed(self, source_id: int, error: str) -> None:
        """Remember why the last sync of a source failed (its plans are kept)."""
        with self._tx() as conn:
            conn.execute(
                update(calendar_sources)
                .where(calendar_sources.c.id == source_id)
                .values(sync_error=error)
            )
            owner = conn.execute(
                select(calendar_sources.c.athlete_id).where(calendar_sources.c.id == source_id)
            ).scalar()
            if owner is not None:
                _touch(conn, [owner])

    def sent_notifications(
        self, athlete: str | None, *, kind: str = "finding"
    ) -> list[SentNotification]:
        """What was sent for an athlete (digests: ``athlete`` None), oldest first."""
        q = select(sent_notifications, athletes.c.name.label("athlete_name")).outerjoin(
            athletes, athletes.c.id == sent_notifications.c.athlete_id
        )
        q = q.where(sent_notifications.c.kind == kind)
        if athlete is None:
            q = q.where(sent_notifications.c.athlete_id.is_(None))
        else:
            q = q.where(athletes.c.name == athlete)
        with self._tx() as conn:
            rows = conn.execute(q.order_by(sent_notifications.c.id)).all()
        return [
            SentNotification(
                r.id,
                r.athlete_name,
                r.kind,
                r.rule,
                r.first_date,
                r.last_date,
                r.severity,
                r.digest_key,
                _aware(r.sent_utc),
                _aware(r.cleared_utc) if r.cleared_utc else None,
            )
            for r in rows
        ]

    def record_sent(
        self,
        athlete: str | None,
        *,
        kind: str = "finding",
        rule: str | None = None,
        first_date: date | None = None,
        last_date: date | None = None,
        severity: str | None = None,
        digest_key: str | None = None,
    ) -> int:
        """Remember one sent notification (no message text is kept)."""
        with self._tx() as conn:
            aid = self._athlete_id(conn, athlete) if athlete is not None else None
            return int(
                conn.execute(
                    insert(sent_notifications).values(
                        athlete_id=aid,
                        kind=kind,
                        rule=rule,
                        first_date=first_date,
                        last_date=last_date,
                        severity=severity,
                        digest_key=digest_key,
                        sent_utc=_utcnow(),
                    )
                ).inserted_primary_key[0]  # type: ignore[index]
            )

    def update_sent(
        self,
        sent_id: int,
        *,
        first_date: date | None = None,
        last_date: date | None = None,
        cleared: bool = False,
    ) -> None:
        """Follow a sent finding's dates as the plan moves, or mark it cleared."""
        values: dict[str, Any] = {}
        if first_date is not None:
            values["first_date"] = first_date
        if last_date is not None:
            values["last_date"] = last_date
        if cleared:
            values["cleared_utc"] = _utcnow()
        if values:
            with self._tx() as conn:
                conn.execute(
                    update(sent_notifications)
                    .where(sent_notifications.c.id == sent_id)
                    .values(**values)
                )

    # ------------------------------------- end of calendars and notifications

    # ----------------------------------------------------------------- helpers
    def _by_athlete(
        self,
        table: Table,
        athlete: str | None,
        date_column: Any = None,
        since: date | None = None,
    ) -> list[Any]:
        """Rows of ``table`` with their athlete's name (``athlete_name``), oldest first."""
        q = select(table, athletes.c.name.label("athlete_name")).join(
            athletes, athletes.c.id == table.c.athlete_id
        )
        if athlete is not None:
            q = q.where(athletes.c.name == athlete)
        if since is not None and date_column is not None:
            q = q.where(date_column >= since)
        order = [table.c[name] for name in _ORDER[table.name]]
        q = q.order_by(*order, table.c.id)
        with self._read() as conn:
            return list(conn.execute(q).all())

    def _athlete_id(self, conn: Connection, name: str) -> int:
        aid = conn.execute(select(athletes.c.id).where(athletes.c.name == name)).scalar()
        if aid is None:
            self._insert_athlete(conn, name)
            aid = conn.execute(select(athletes.c.id).where(athletes.c.name == name)).scalar_one()
        return int(aid)

    def _insert_athlete(self, conn: Connection, name: str) -> None:
        """Add the athlete ``name`` unless another writer just did (PostgreSQL: two
        imports starting a new athlete at once; the loser's savepoint is rolled back)."""
        try:
            with conn.begin_nested():
                aid = conn.execute(
                    insert(athletes).values(name=name, created_utc=_utcnow())
                ).inserted_primary_key[0]  # type: ignore[index]
        except IntegrityError:
            return
        self._wrote(conn, "add", "athlete", [(aid, aid)])

    def _delete(self, table: Table, row_id: int, athlete: str | None, what: str) -> None:
        cond = table.c.id == row_id
        with self._tx() as conn:
            if athlete is not None:
                # look the athlete up, never create one: a delete must not add anybody
                aid = conn.execute(select(athletes.c.id).where(athletes.c.name == athlete)).scalar()
                if aid is None:
                    raise ValidationError(f"no athlete called {athlete!r}")
                cond = and_(cond, table.c.athlete_id == aid)
            owner = conn.execute(select(table.c.athlete_id).where(cond)).scalar()
            n = conn.execute(delete(table).where(cond)).rowcount
            if owner is not None and n:
                self._wrote(conn, "delete", _AUDIT_WHAT[table.name], [(owner, row_id)])
        if n == 0:
            suffix = f" for athlete {athlete!r}" if athlete else ""
            raise ValidationError(f"no {what} with id {row_id}{suffix}")

    # --------------------------------------------------------------- originals
    def original_path(self, sha256: str, fmt: str) -> Path:
        return original_path(self.originals_dir, sha256, fmt)

    # --- dashboard additions
    def athlete_versions(self) -> dict[str, tuple[Any, ...]]:
        """Per athlete name, a value that changes whenever that athlete's data changes.

        The profile (tz, heart rates, sex) and the athlete's revision: a counter
        every write of the athlete's data bumps in its own transaction (imports,
        names, RPE, acceptance, pain, plans, calendars, wellness, rehab and its
        plan, the profile). One query of the athletes table; the service keys its
        caches on it, so a write for one athlete recomputes only them.
        """
        a = athletes.c
        q = select(a.name, a.tz, a.hr_rest, a.hr_max, a.sex, athlete_revisions.c.revision)
        q = q.select_from(athletes).outerjoin(
            athlete_revisions, athlete_revisions.c.athlete_id == a.id
        )
        with self._read() as conn:
            rows = conn.execute(q).all()
        return {r.name: ((r.tz, r.hr_rest, r.hr_max, r.sex), r.revision or 0) for r in rows}

    def running_table(self, athlete: str | None = None, *, until: date | None = None) -> Any:
        """Activities as a DataFrame of the columns the metrics read, for all athletes or one.

        Columns ``id``, ``athlete``, ``sport``, ``start_utc`` (UTC-aware),
        ``local_date`` (datetime64, midnight), ``distance_m``, ``timer_s``;
        ordered by athlete, start and id; only activities on or before ``until``
        (a local date) when given. Built column by column from one query: for
        a million runs this is several times faster than :meth:`activities_frame`.
        """
        import numpy as np
        import pandas as pd

        a = activities.c
        q = select(
            a.id,
            athletes.c.name,
            a.sport,
            # read as stored and parsed by pandas in one go, not one object per row
            type_coerce(a.start_utc, String),
            type_coerce(a.local_date, String),
            a.distance_m,
            a.timer_s,
        ).join(athletes, athletes.c.id == a.athlete_id)
        if athlete is not None:
            q = q.where(athletes.c.name == athlete)
        if until is not None:
            q = q.where(a.local_date <= until)
        q = q.order_by(a.athlete_id, a.start_utc, a.id)
        with self._tx() as conn:
            rows = conn.execute(q).all()
        cols: list[Any] = list(zip(*rows, strict=True)) if rows else [()] * 7
        return pd.DataFrame(
            {
                "id": np.array(cols[0], dtype=np.int64),
                "athlete": np.array(cols[1], dtype=object),
                "sport": np.array(cols[2], dtype=object),
                "start_utc": pd.to_datetime(pd.Series(cols[3], dtype=object), utc=True),
                "local_date": pd.to_datetime(pd.Series(cols[4], dtype=object)).dt.normalize(),
                "distance_m": np.array(cols[5], dtype=float),
                "timer_s": np.array(cols[6], dtype=float),
            }
        )

    def newest_data_date(self) -> date | None:
        """The newest activity or pain date of any athlete (None for an empty store)."""
        with self._tx() as conn:
            days = [
                conn.execute(select(func.max(activities.c.local_date))).scalar(),
                conn.execute(select(func.max(pain_entries.c.date))).scalar(),
            ]
        found = [d for d in days if d is not None]
        return max(found) if found else None

    def pain_table(self, athlete: str | None = None, *, until: date | None = None) -> Any:
        """Pain entries as a DataFrame: athlete, date (datetime64), score, location, timing, note.

        Ordered by athlete, date, time and id; only entries on or before ``until``
        when given. One query, built column by column.
        """
        import numpy as np
        import pandas as pd

        p = pain_entries.c
        q = select(
            athletes.c.name,
            type_coerce(p.date, String),
            p.score,
            p.location,
            p.timing,
            p.note,
        ).join(athletes, athletes.c.id == p.athlete_id)
        if athlete is not None:
            q = q.where(athletes.c.name == athlete)
        if until is not None:
            q = q.where(p.date <= until)
        q = q.order_by(p.athlete_id, p.date, p.time, p.id)
        with self._tx() as conn:
            rows = conn.execute(q).all()
        cols: list[Any] = list(zip(*rows, strict=True)) if rows else [()] * 6
        return pd.DataFrame(
            {
                "athlete": np.array(cols[0], dtype=object),
                "date": pd.to_datetime(pd.Series(cols[1], dtype=object)).dt.normalize(),
                "score": np.array(cols[2], dtype=float),
                "location": np.array(cols[3], dtype=object),
                "timing": np.array(cols[4], dtype=object),
                "note": np.array(cols[5], dtype=object),
            }
        )


def original_path(root: Path, sha256: str, fmt: str) -> Path:
    return root / sha256[:2] / f"{sha256}.{fmt}"


def write_original(root: Path, sha256: str, data: bytes, fmt: str) -> Path:
    """Write ``data`` under its hash, atomically and durably.

    The bytes go to a temporary file named after this process, are flushed to
    disk (fsync), and only then renamed over the target: a crash or power cut
    leaves either the whole file or a temporary one, which
    :func:`sweep_stale_temp` removes at the start of the next import.
    """
    target = original_path(root, sha256, fmt)
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(target.parent)
    return target


def _fsync_dir(folder: Path) -> None:
    """Make a rename durable (POSIX: the folder's entry must reach the disk too)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def sweep_stale_temp(root: Path, *, now: float | None = None) -> int:
    """Remove ``.<name>.<pid>.tmp`` files under ``root`` whose writer is gone (or a day old)."""
    import psutil

    if not root.is_dir():
        return 0
    now = _time.time() if now is None else now
    removed = 0
    for tmp in root.glob("*/.*.tmp"):
        try:
            pid = int(tmp.name.rsplit(".", 2)[-2])
        except ValueError:
            pid = -1
        try:
            old = now - tmp.stat().st_mtime > STALE_TEMP_S
            if old or pid == -1 or (pid != os.getpid() and not psutil.pid_exists(pid)):
                tmp.unlink()
                removed += 1
        except OSError:
            continue
    return removed


#: What the audit log calls a row deleted from each table.
_AUDIT_WHAT = {"pain_entries": "pain", "planned_runs": "plan", "rehab_sessions": "rehab"}

#: Advisory lock key (PostgreSQL), with an athlete id: storing files (schema upgrades
#: hold ``loadwatch.migrations.LOCK_UPGRADE``).
_LOCK_IMPORT = 0x10AD0002


def _athlete_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise ValidationError("an athlete name cannot be empty")
    if len(name) > MAX_ATHLETE_NAME:
        raise ValidationError(
            f"an athlete name can be at most {MAX_ATHLETE_NAME} characters (got {len(name)})"
        )
    return name


def base_name(display: str) -> str:
    """A file's own name from how the user knows it: ``a.zip!b/c.zip!d/run.fit`` -> ``run.fit``."""
    return display.rsplit("!", 1)[-1].replace("\\", "/").rsplit("/", 1)[-1]


def clip_text(table: Table, **values: Any) -> dict[str, Any]:
    """``values`` with every string cut to its column's size (``MAX_TEXT`` for TEXT).

    Imported text comes from files anyone can write: it is cut here, at the
    boundary, identically on every backend (SQLite would keep it whole,
    PostgreSQL would refuse the row). NUL characters, which PostgreSQL cannot
    store, are dropped.
    """
    out: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, str):
            size = getattr(table.c[key].type, "length", None) or MAX_TEXT
            value = value.replace("\x00", "")
            if len(value) > size:
                value = value[:size]
            value = value.encode("utf-8", "replace").decode("utf-8")
        out[key] = value
    return out


def database_refusal(error: SQLAlchemyError) -> str:
    """One line for a database error: its kind only (no SQL, no values, no health data)."""
    kind = type(getattr(error, "orig", None) or error).__name__
    return f"the database refused to store it ({kind}); nothing of this file was stored"


def shown_url(url: str) -> str:
    """The database URL as loadwatch shows it: without its password."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL SQLAlchemy can parse: nothing in it to hide
        return url


def _engine(url: str) -> Engine:
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def schema_revision(url: str) -> str | None:
    """The schema revision of the database at ``url`` (None: no loadwatch tables).

    Reads only: the database is not created or changed (a SQLite file that
    does not exist is None).
    """
    path = _sqlite_path(url)
    if path is not None and not path.exists():
        return None
    engine = _engine(url)
    try:
        with engine.connect() as conn:
            conn.execution_options(loadwatch_write=False)
            with conn.begin():
                return migrations.revision(conn)
    except SQLAlchemyError as e:
        raise StoreError(
            f"cannot read the database at {shown_url(url)}: {e.__class__.__name__}"
        ) from e
    finally:
        engine.dispose()


def upgrade_schema(url: str) -> tuple[str | None, str]:
    """Bring the database at ``url`` to the schema this loadwatch needs.

    Creates the tables of an empty database. Returns (revision before, after).
    """
    path = _sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = _engine(url)
    try:
        with engine.begin() as conn:
            return migrations.upgrade(conn)
    except SQLAlchemyError as e:
        raise StoreError(
            f"cannot upgrade the database at {shown_url(url)}: {e.__class__.__name__}"
        ) from e
    finally:
        engine.dispose()


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # transactions are begun by _sqlite_begin, not by the driver (savepoints need this)
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA busy_timeout=60000")  # first: switching to WAL may have to wait
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def _sqlite_begin(conn: Connection) -> None:
    writing = conn.get_execution_options().get("loadwatch_write", True)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


def _touch(conn: Connection, athlete_ids: Iterable[int]) -> None:
    """Bump the revision of each athlete (in the caller's transaction)."""
    r = athlete_revisions.c
    for aid in sorted(set(athlete_ids)):
        n = conn.execute(
            update(athlete_revisions).where(r.athlete_id == aid).values(revision=r.revision + 1)
        ).rowcount
        if not n:
            conn.execute(insert(athlete_revisions).values(athlete_id=aid, revision=1))


def _athlete(row: Any) -> Athlete:
    return Athlete(row.id, row.name, row.tz, row.hr_rest, row.hr_max, row.sex)


def _merge_into(conn: Connection, row: Any, s: ActivitySummary) -> None:
    """Merge a second source of one run into the stored activity ``row`` (see
    :func:`_merged_values`)."""
    values = _merged_values(row._mapping, s)
    if values:
        conn.execute(update(activities).where(activities.c.id == row.id).values(**values))


def _merged_values(row: Mapping[str, Any], s: ActivitySummary) -> dict[str, Any]:
    """The columns to change when ``s`` is a second source of the stored activity ``row``.

    The richer source's values are kept (:func:`~loadwatch.model.richness`:
    positions, a device distance, the format, then heart rate); heart rate
    missing from the kept source is filled from the other one. Name and RPE
    the athlete may have set are never overwritten. Empty: nothing changes.
    """
    stored = f"{row['channels'] or ''} {'hr' if row['avg_hr'] is not None else ''}"
    new_is_richer = richness(s.channels, s.source_format) > richness(stored, row["source_format"])
    if new_is_richer:
        values = {k: v for k, v in _activity_values(s).items() if k not in ("name", "rpe")}
        if values["avg_hr"] is None and row["avg_hr"] is not None:
            values["avg_hr"], values["max_hr"] = row["avg_hr"], row["max_hr"]
            values["notes"] = json.dumps(
                [*s.notes, f"heart rate from the {row['source_format']} copy of this run"]
            )
        return values
    if row["avg_hr"] is None and s.avg_hr is not None:
        notes = [*_notes(row["notes"]), f"heart rate from the {s.source_format} copy of this run"]
        return {"avg_hr": s.avg_hr, "max_hr": s.max_hr, "notes": json.dumps(notes)}
    return {}


def _same_distance(a: float, b: float) -> bool:
    """Whether two distances (metres) can be one run (within ``DEDUP_DISTANCE``)."""
    biggest = max(a, b)
    return biggest == 0 or abs(a - b) <= DEDUP_DISTANCE * biggest


#: What finding and merging "the same run" reads of a stored activity.
_MATCH_COLUMNS = (
    activities.c.id,
    activities.c.start_utc,
    activities.c.distance_m,
    activities.c.source_format,
    activities.c.channels,
    activities.c.avg_hr,
    activities.c.max_hr,
    activities.c.notes,
    activities.c.name,
    activities.c.rpe,
)


def _window_rows(conn: Connection, athlete_id: int, starts: Iterable[datetime]) -> list[Any]:
    """The athlete's activities starting within ``DEDUP_WINDOW`` of any of ``starts``
    (and some between them: one index range per cluster of starts)."""
    ranges: list[tuple[datetime, datetime]] = []
    for t in sorted(_naive_utc(s) for s in starts):
        if ranges and t - DEDUP_WINDOW <= ranges[-1][1] + _WINDOW_GAP:
            ranges[-1] = (ranges[-1][0], t + DEDUP_WINDOW)
        else:
            ranges.append((t - DEDUP_WINDOW, t + DEDUP_WINDOW))
    rows: list[Any] = []
    for lo, hi in ranges:
        rows.extend(conn.execute(_WINDOW_QUERY, {"athlete": athlete_id, "lo": lo, "hi": hi}))
    return rows


#: Starts closer than this share one range query (reading the few runs between
#: them costs less than another query; many ORed ranges cost SQLite far more).
_WINDOW_GAP = timedelta(days=14)
_WINDOW_QUERY = select(*_MATCH_COLUMNS).where(
    and_(
        activities.c.athlete_id == bindparam("athlete"),
        activities.c.start_utc.between(
            bindparam("lo", type_=DateTime), bindparam("hi", type_=DateTime)
        ),
    )
)


def _new_ids(conn: Connection, table: Table, n: int) -> list[int]:
    """The ids ``n`` rows inserted one after another into ``table`` would get, in order.

    SQLite: the next ids after the largest (the caller holds the write lock);
    PostgreSQL: taken from the table's sequence.
    """
    if not n:
        return []
    if conn.dialect.name == "postgresql":
        sequence = "SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"
        return list(conn.execute(text(sequence), {"t": table.name, "n": n}).scalars())
    top = conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()
    return list(range(top + 1, top + 1 + n))


def _insert_with_ids(
    conn: Connection, table: Table, rows: list[dict[str, Any]], ids: list[int]
) -> None:
    """Insert ``rows`` (one statement) with the given ids; each row dict gets its ``id``."""
    if not rows:
        return
    for row, new_id in zip(rows, ids, strict=True):
        row["id"] = new_id
    conn.execute(insert(table), rows)


@dataclass(slots=True)
class _Run:
    """One activity as the batch being stored sees it: stored, or added by the batch."""

    values: dict[str, Any]  # its columns (every column of an added one)
    order: tuple[int, int]  # (0, id) stored, (1, n) added: the scan order among equal starts
    id: int | None = None
    changes: dict[str, Any] = dataclasses.field(default_factory=dict)  # to UPDATE (stored)


class _RunIndex:
    """The athlete's activities around a batch's starts, to find "the same run" in memory
    exactly as :meth:`Store._find_same_activity` does in the database."""

    def __init__(self, rows: Iterable[Any]) -> None:
        self.runs: dict[tuple[int, int], _Run] = {}
        self.starts: list[tuple[datetime, tuple[int, int]]] = []
        self.added: list[_Run] = []
        for r in rows:
            self._put(_Run(dict(r._mapping), (0, r.id), r.id))

    def _put(self, run: _Run) -> None:
        self.runs[run.order] = run
        bisect.insort(self.starts, (run.values["start_utc"], run.order))

    def find(self, s: ActivitySummary) -> _Run | None:
        start = _naive_utc(s.start_utc)
        i = bisect.bisect_left(self.starts, (start - DEDUP_WINDOW,))
        while i < len(self.starts) and self.starts[i][0] <= start + DEDUP_WINDOW:
            run = self.runs[self.starts[i][1]]
            if _same_distance(run.values["distance_m"], s.distance_m):
                return run
            i += 1
        return None

    def add(self, athlete_id: int, s: ActivitySummary) -> _Run:
        run = _Run({"athlete_id": athlete_id, **_activity_values(s)}, (1, len(self.added)))
        self.added.append(run)
        self._put(run)
        return run

    def merge(self, run: _Run, s: ActivitySummary) -> None:
        """:func:`_merge_into`, then the name and RPE filled where the run has none."""
        values = _merged_values(run.values, s)
        if s.name and run.values["name"] is None:
            values["name"] = clip_text(activities, name=s.name)["name"]
        if s.rpe is not None and run.values["rpe"] is None:
            values["rpe"] = s.rpe
        if "start_utc" in values and values["start_utc"] != run.values["start_utc"]:
            self.starts.remove((run.values["start_utc"], run.order))
            bisect.insort(self.starts, (values["start_utc"], run.order))
        run.values.update(values)
        if run.order[0] == 0:
            run.changes.update(values)

    def changed(self) -> list[_Run]:
        """Stored activities the batch changes."""
        return [r for r in self.runs.values() if r.order[0] == 0 and r.changes]


def _notes(text: str | None) -> list[str]:
    return list(json.loads(text)) if text else []


def _activity_values(s: ActivitySummary) -> dict[str, Any]:
    if s.utc_offset_s is None or s.local_date is None:
        raise ValueError("an activity must be localized before it is stored")
    return clip_text(
        activities,
        **{
            "sport": s.sport,
            "sub_sport": s.sub_sport,
            "start_utc": _naive_utc(s.start_utc),
            "utc_offset_s": s.utc_offset_s,
            "offset_source": s.offset_source,
            "local_date": s.local_date,
            "distance_m": float(s.distance_m),
            "timer_s": float(s.timer_s),
            "elapsed_s": float(s.elapsed_s),
            "elevation_gain_m": s.elevation_gain_m,
            "avg_hr": s.avg_hr,
            "max_hr": s.max_hr,
            "device": s.device,
            "source_format": s.source_format,
            "source_sha256": s.source_sha256,
            "session_index": s.session_index,
            "recovered": bool(s.recovered),
            "name": s.name,
            "rpe": s.rpe,
            "implausible": s.implausible,
            "channels": " ".join(s.channels) or None,
        },
    ) | {"notes": json.dumps(s.notes) if s.notes else None}  # JSON: never cut


def _summary(r: Any) -> ActivitySummary:
    return ActivitySummary(
        sport=r.sport,
        sub_sport=r.sub_sport,
        start_utc=_aware(r.start_utc),
        utc_offset_s=r.utc_offset_s,
        local_date=r.local_date,
        distance_m=r.distance_m,
        timer_s=r.timer_s,
        elapsed_s=r.elapsed_s,
        elevation_gain_m=r.elevation_gain_m,
        avg_hr=r.avg_hr,
        max_hr=r.max_hr,
        device=r.device,
        source_format=r.source_format,
        source_sha256=r.source_sha256,
        recovered=bool(r.recovered),
        session_index=r.session_index,
        offset_source=r.offset_source,
        name=r.name,
        athlete=r.athlete_name,
        id=r.id,
        rpe=r.rpe,
        notes=_notes(r.notes),
        channels=tuple((r.channels or "").split()),
        implausible=r.implausible,
        accepted=bool(r.accepted),
    )
