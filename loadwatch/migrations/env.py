"""Alembic's entry point: runs the revisions on the connection loadwatch hands over.

``loadwatch db upgrade`` (and a SQLite database on open) pass their connection
in ``config.attributes["connection"]``; without one (the ``alembic`` command
run by a developer) the URL comes from ``sqlalchemy.url`` or ``LOADWATCH_DB``.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from loadwatch.store import metadata, resolve_db_url

config = context.config


def _run(connection: object) -> None:
    context.configure(connection=connection, target_metadata=metadata)  # type: ignore[arg-type]
    with context.begin_transaction():
        context.run_migrations()


given = config.attributes.get("connection")
if given is not None:
    _run(given)
else:
    engine = create_engine(config.get_main_option("sqlalchemy.url") or resolve_db_url())
    with engine.begin() as conn:
        _run(conn)
    engine.dispose()
