"""Accounts, teams, API tokens, the audit log and ``created_by`` on written rows.

Revision ID: 0002
Revises: 0001

Written out in full (not taken from ``loadwatch.store``), so that it stays what
it was when later revisions change these tables.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

#: Tables whose rows record the account that wrote them.
CREATED_BY_TABLES = (
    "pain_entries",
    "planned_runs",
    "wellness_days",
    "rehab_sessions",
    "rehab_plan",
    "source_files",
    "calendar_sources",
)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("athlete_id", sa.Integer, sa.ForeignKey("athletes.id")),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("created_utc", sa.DateTime),
    )
    op.create_table(
        "teams",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
    )
    op.create_table(
        "team_coaches",
        sa.Column("team_id", sa.Integer, sa.ForeignKey("teams.id"), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), primary_key=True),
    )
    op.create_table(
        "team_athletes",
        sa.Column("team_id", sa.Integer, sa.ForeignKey("teams.id"), primary_key=True),
        sa.Column("athlete_id", sa.Integer, sa.ForeignKey("athletes.id"), primary_key=True),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("token_sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("created_utc", sa.DateTime),
        sa.Column("last_used_utc", sa.DateTime),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at_utc", sa.DateTime, nullable=False),
        sa.Column("user_name", sa.String(200)),
        sa.Column("athlete_id", sa.Integer, sa.ForeignKey("athletes.id")),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("what", sa.String(32), nullable=False),
        sa.Column("row_id", sa.Integer),
    )
    op.create_index("ix_audit_athlete", "audit_log", ["athlete_id", "id"])
    for table in CREATED_BY_TABLES:
        op.add_column(table, sa.Column("created_by", sa.String(200)))


def downgrade() -> None:
    for table in CREATED_BY_TABLES:  # SQLite: ALTER TABLE DROP COLUMN needs SQLite 3.35
        op.drop_column(table, "created_by")
    op.drop_index("ix_audit_athlete", table_name="audit_log")
    for table in ("audit_log", "api_tokens", "team_athletes", "team_coaches", "teams", "users"):
        op.drop_table(table)
