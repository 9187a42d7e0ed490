"""Schema migrations (Alembic): which revision a database is at, and upgrading it.

Part of the store layer. Revisions live in ``versions/``: ``0001`` is the schema
loadwatch 0.1.0 created, ``0002`` adds accounts, teams, API tokens, the audit
log and ``created_by``, ``0003`` the CRC-32 of imported files. A database made
before migrations existed has tables but no ``alembic_version``: it counts as
``0001`` and is stamped so on its first upgrade.

Reading the revision is one query and imports no Alembic; Alembic is loaded
only to upgrade.

A schema change is a new file ``versions/000N_what.py`` (``revision`` and
``down_revision`` set, the operations written out, not taken from
``loadwatch.store``), its id appended to :data:`REVISIONS`, and the tables in
``loadwatch.store`` changed to match; the migration tests check that the
scripts and :data:`REVISIONS` agree and that an upgraded database has
exactly the store's tables.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Column, MetaData, PrimaryKeyConstraint, String, Table, inspect, text
from sqlalchemy.engine import Connection

if TYPE_CHECKING:
    from alembic.config import Config

#: Every revision, oldest first; the last is the one this loadwatch needs.
REVISIONS: tuple[str, ...] = ("0001", "0002", "0003")
HEAD = REVISIONS[-1]
#: PostgreSQL advisory lock key held while upgrading (one upgrader at a time).
LOCK_UPGRADE = 0x10AD0001

FOLDER = Path(__file__).resolve().parent

#: Alembic's own table, as Alembic creates it (to stamp a new database without Alembic).
_VERSION_TABLE = Table(
    "alembic_version",
    MetaData(),
    Column("version_num", String(32), nullable=False),
    PrimaryKeyConstraint("version_num", name="alembic_version_pkc"),
)


def revision(conn: Connection) -> str | None:
    """The schema revision of the database behind ``conn``.

    None for a database without loadwatch tables; ``"0001"`` for one made
    before migrations existed (tables, no ``alembic_version``).
    """
    inspector = inspect(conn)
    if inspector.has_table("alembic_version"):
        found = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        if found is not None:
            return str(found)
    if inspector.has_table("athletes"):
        return REVISIONS[0]
    return None


def refusal(found: str | None) -> str:
    """The one-line reason a database at ``found`` cannot be used as it is."""
    if found is not None and found not in REVISIONS:
        return (
            f"the database schema is at {found}, newer than this loadwatch knows "
            f"(it needs {HEAD}): install the loadwatch that made it"
        )
    at = "empty (no loadwatch tables)" if found is None else f"at {found}"
    return f"the database schema is {at}, this loadwatch needs {HEAD}: run `loadwatch db upgrade`"


def alembic_config(conn: Connection | None = None) -> Config:
    """An Alembic configuration that runs the revisions on ``conn`` (no alembic.ini)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(FOLDER))
    if conn is not None:
        config.attributes["connection"] = conn
    return config


def upgrade(conn: Connection, target: str = "head") -> tuple[str | None, str]:
    """Upgrade the database behind ``conn`` (in its transaction) to ``target``.

    Returns (revision before, revision after). On PostgreSQL an advisory lock
    makes concurrent upgraders wait; whoever comes second finds nothing to do.
    A database from before migrations is first brought to ``0001`` (missing
    tables and nullable columns added) and stamped. A database at a revision
    this loadwatch does not know is refused, not touched. An empty database
    gets the store's tables as they are now and is stamped at the head (what
    running every revision makes, a test checks, without loading Alembic).
    """
    from loadwatch.errors import StoreError

    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({LOCK_UPGRADE})")
    before = revision(conn)
    if before is not None and before not in REVISIONS:
        raise StoreError(refusal(before))
    if before is None and target in ("head", HEAD):
        from loadwatch.store import metadata

        metadata.create_all(conn)
        _VERSION_TABLE.create(conn)
        conn.execute(_VERSION_TABLE.insert().values(version_num=HEAD))
        return None, HEAD
    return before, _run_revisions(conn, before, target)


def _run_revisions(conn: Connection, before: str | None, target: str) -> str:
    """Run the revision scripts up to ``target`` with Alembic; the revision after."""
    from alembic import command
    from alembic.script import ScriptDirectory

    config = alembic_config(conn)
    if before is not None and not inspect(conn).has_table("alembic_version"):
        first = ScriptDirectory.from_config(config).get_revision(REVISIONS[0])
        assert first is not None
        first.module.bring_to_0001(conn)
        command.stamp(config, REVISIONS[0])
    command.upgrade(config, target)
    after = revision(conn)
    assert after is not None
    return after
