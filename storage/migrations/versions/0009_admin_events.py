"""admin_event: who added, changed or disabled a user, made or revoked an API token, resumed a
channel (the audit trail of actions that are not about a post)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 08:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "admin_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("detail", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("admin_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_admin_event_at"), ["at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("admin_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_admin_event_at"))

    op.drop_table("admin_event")
