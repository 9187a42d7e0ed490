"""The 0.1.0 schema: every table as loadwatch 0.1.0 made it.

Revision ID: 0001
Revises: (none)

A frozen copy of the tables, not an import of ``loadwatch.store``: the store's
tables move on with later revisions, this one must stay what 0.1.0 created.
An existing database made before migrations existed is brought to this
revision by :func:`bring_to_0001` (missing tables and nullable columns added)
and then stamped.
"""

from __future__ import annotations

from alembic import op
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
    inspect,
)
from sqlalchemy.engine import Connection

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def schema() -> MetaData:
    """The 0.1.0 tables, in a MetaData of their own."""
    meta = MetaData()

    Table(
        "athletes",
        meta,
        Column("id", Integer, primary_key=True),
        Column("name", String(200), nullable=False, unique=True),
        Column("created_utc", DateTime, nullable=False),
        Column("tz", String(64)),  # IANA zone used when a file cannot tell its own
        Column("hr_rest", Float),
        Column("hr_max", Float),
        Column("sex", String(10)),
    )

    Table(
        "source_files",
        meta,
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
        UniqueConstraint("athlete_id", "sha256", name="uq_source_athlete_sha"),
    )

    Table(
        "activities",
        meta,
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

    Table(
        "activity_sources",
        meta,
        Column("activity_id", Integer, ForeignKey("activities.id"), primary_key=True),
        Column("source_file_id", Integer, ForeignKey("source_files.id"), primary_key=True),
        Column("session_index", Integer, primary_key=True),
        Column("format", String(10), nullable=False),
    )

    Table(
        "archives",
        meta,
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

    Table(
        "pain_entries",
        meta,
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
        Index("ix_pain_athlete_date", "athlete_id", "date"),
    )

    Table(
        "planned_runs",
        meta,
        Column("id", Integer, primary_key=True),
        Column("athlete_id", Integer, ForeignKey("athletes.id"), nullable=False),
        Column("date", Date, nullable=False),
        Column("distance_m", Float, nullable=False),
        Column("note", Text),
        Column("created_utc", DateTime, nullable=False),
        Index("ix_plans_athlete_date", "athlete_id", "date"),
    )

    #: A counter per athlete that every write of that athlete's data bumps (see
    #: Store.athlete_versions): the service's caches are keyed on it.
    Table(
        "athlete_revisions",
        meta,
        Column("athlete_id", Integer, ForeignKey("athletes.id"), primary_key=True),
        Column("revision", Integer, nullable=False),
    )

    # ---------------------------------------------------------------------------
    # Wellness and rehab context (science.md section 8): not load, shown next to it.
    # A device's values and the athlete's own ratings are kept apart: each
    # wellness row comes from one source ("garmin" for a watch export, "self" for
    # a check-in), and a row only ever fills its source's columns.
    # ---------------------------------------------------------------------------
    Table(
        "wellness_days",
        meta,
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
        UniqueConstraint("athlete_id", "date", "source", name="uq_wellness_athlete_date_source"),
    )

    Table(
        "rehab_sessions",
        meta,
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
        Index("ix_rehab_athlete_date", "athlete_id", "date"),
    )

    Table(
        "rehab_plan",
        meta,
        Column("id", Integer, primary_key=True),
        Column("athlete_id", Integer, ForeignKey("athletes.id"), nullable=False),
        Column("exercise", String(40), nullable=False),
        Column("per_week", Integer, nullable=False),  # target sessions per calendar week
        Column("created_utc", DateTime, nullable=False),
        UniqueConstraint("athlete_id", "exercise", name="uq_rehab_plan_athlete_exercise"),
    )

    # ------------------------------------------------ calendars and notifications (issue 15)
    #: Where imported plans come from: an ICS file (by name) or a subscribed URL.
    Table(
        "calendar_sources",
        meta,
        Column("id", Integer, primary_key=True),
        Column("athlete_id", Integer, ForeignKey("athletes.id"), nullable=False),
        Column("kind", String(10), nullable=False),  # file | url
        Column("location", Text, nullable=False),  # file name, or the URL (may hold a token)
        Column("created_utc", DateTime, nullable=False),
        Column("synced_utc", DateTime),
        Column("sync_error", Text),
        UniqueConstraint("athlete_id", "kind", "location", name="uq_calendar_source"),
    )

    #: The calendar event behind a planned run (one row per imported plan).
    Table(
        "plan_events",
        meta,
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
    Table(
        "sent_notifications",
        meta,
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
    return meta


def upgrade() -> None:
    schema().create_all(op.get_bind())


def downgrade() -> None:
    schema().drop_all(op.get_bind())


def bring_to_0001(conn: Connection) -> None:
    """Make a database from before migrations into the 0001 schema.

    Creates the tables it lacks and adds the nullable columns that versions
    before 0.1.0 did not have (what 0.1.0 did on every open), so that stamping
    it 0001 tells the truth.
    """
    meta = schema()
    meta.create_all(conn)
    inspector = inspect(conn)
    for table in meta.sorted_tables:
        have = {c["name"] for c in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name not in have and column.nullable:
                kind = column.type.compile(dialect=conn.dialect)
                conn.exec_driver_sql(f"ALTER TABLE {table.name} ADD COLUMN {column.name} {kind}")
