"""post_reach and reach_metric_off: what syndication brings back (issue #14)

post_reach holds a published post's engagement counters at each age of `reach.ages` after
publishing (one row per post and age; a counter the platform did not give is NULL, never 0).
reach_metric_off remembers a metric a channel cannot give (a missing permission, a metric the
platform dropped), so that it is not asked for again at every post.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

COUNTERS = ("reactions", "comments", "shares", "impressions", "clicks", "views")


def upgrade() -> None:
    op.create_table(
        "post_reach",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("age_seconds", sa.Integer(), nullable=False),
        sa.Column("collected_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=True) for name in COUNTERS),
        sa.ForeignKeyConstraint(["post_id"], ["post.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("post_id", "age_seconds", name="uq_post_reach_age"),
    )
    op.create_index("ix_post_reach_post_id", "post_reach", ["post_id"])
    op.create_index("ix_post_reach_collected_at", "post_reach", ["collected_at"])
    op.create_table(
        "reach_metric_off",
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("metric", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("since", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("until", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("channel", "metric"),
    )


def downgrade() -> None:
    op.drop_table("reach_metric_off")
    op.drop_index("ix_post_reach_collected_at", table_name="post_reach")
    op.drop_index("ix_post_reach_post_id", table_name="post_reach")
    op.drop_table("post_reach")
