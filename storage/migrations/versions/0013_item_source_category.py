"""item_source.category: each source's category as the report's rules give it, with the digest
of the rules that gave it (issue #12)

A report classified every item of its period in Python on each run: 0.9 s of the 2.2 s a
30-day report over 1,000,000 items took (bench/report.py). The daemon's "classify" job now
stores each source's category once; a report reads it, and classifies only the rows the job
has not reached or classified under other rules. The index finds those rows, newest first.
Rows stored before this revision are classified by the job after the upgrade.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 13:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("item_source", sa.Column("category", sa.String(length=64), nullable=True))
    op.add_column("item_source", sa.Column("category_rules", sa.String(length=16), nullable=True))
    op.create_index("ix_item_source_category_rules", "item_source", ["category_rules", "id"])


def downgrade() -> None:
    op.drop_index("ix_item_source_category_rules", table_name="item_source")
    op.drop_column("item_source", "category_rules")  # SQLite >= 3.35 drops a column in place
    op.drop_column("item_source", "category")
