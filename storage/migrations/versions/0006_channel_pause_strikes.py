"""channel_pause.strikes: throttles in a row, so a pause without the platform's estimate grows

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 05:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("channel_pause", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("strikes", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )


def downgrade() -> None:
    with op.batch_alter_table("channel_pause", schema=None) as batch_op:
        batch_op.drop_column("strikes")
