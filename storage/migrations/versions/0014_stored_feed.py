"""stored_feed: portals an admin added on the web page (issue #13)

Feeds added from the admin page's "add a portal" (discovery, then save) are kept here beside
the feeds of settings.toml, which stays the operator's file: one row per feed, its `[[feeds]]`
table as JSON, validated by the application when it reads it.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stored_feed",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("stored_feed")
