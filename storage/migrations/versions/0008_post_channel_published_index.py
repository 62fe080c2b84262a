"""post (channel, published_at) index: the pacer's recent history without a scan of the channel

Every queue and post page computes the approved posts' next slots, which reads each channel's
posts published in the last day; with 100,000 posts that scan took about 120 ms per channel
(bench/web.py).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 08:20:00
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_post_channel_published_at", "post", ["channel", "published_at"])


def downgrade() -> None:
    op.drop_index("ix_post_channel_published_at", table_name="post")
