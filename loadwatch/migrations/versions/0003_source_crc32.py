"""The CRC-32 of each imported file's bytes, to know a re-downloaded export's members unread.

Revision ID: 0003
Revises: 0002

``source_files.crc32``: the CRC-32 (zlib) of the file's bytes as its zip header
describes and checks them; NULL for files from before this revision and for
files that did not come out of a zip as they are (plain files, gzipped members).
The importer counts a zip member whose name, size and CRC-32 match a stored file
of the athlete as unchanged without inflating or hashing it; the index serves
that lookup. Written out in full, not taken from ``loadwatch.store``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("source_files", sa.Column("crc32", sa.BigInteger))
    op.create_index("ix_source_files_athlete_crc", "source_files", ["athlete_id", "crc32"])


def downgrade() -> None:
    op.drop_index("ix_source_files_athlete_crc", table_name="source_files")
    op.drop_column("source_files", "crc32")  # SQLite: ALTER TABLE DROP COLUMN needs SQLite 3.35
