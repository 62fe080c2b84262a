"""item.search_text: the title as searched (no accents, no case), and an index for the
published posts page

A search of the queue ("hoi nghi" finds "Hội nghị") scanned the titles in Python, 2,000 at a
time: with 100,000 posts a search matching nothing took seconds (bench/web.py). The title is
now kept in its searched form (its first 500 characters), filled here for the items already
stored, and indexed, so the database scans that small index. The published page sorts
every published post by publication time: the index on
(status, published_at, id) gives that order without a sort.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 10:00:00
"""

from __future__ import annotations

import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

BATCH = 1000  # rows read and rewritten per statement: bounded memory on a large database

_item = sa.table(
    "item",
    sa.column("id", sa.Integer()),
    sa.column("title", sa.String()),
    sa.column("search_text", sa.String()),
)
SEARCH_TEXT_MAX = 500


def upgrade() -> None:
    op.add_column("item", sa.Column("search_text", sa.String(SEARCH_TEXT_MAX), nullable=True))
    _fill_search_text(op.get_bind())
    op.create_index("ix_item_search_text", "item", ["search_text"])
    op.create_index("ix_post_status_published", "post", ["status", "published_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_post_status_published", table_name="post")
    op.drop_index("ix_item_search_text", table_name="item")
    op.drop_column("item", "search_text")  # SQLite >= 3.35 drops a column in place


def _fill_search_text(connection: sa.Connection) -> None:
    """Every stored item's search_text from its title, in batches in id order."""
    update = (
        _item.update()
        .where(_item.c.id == sa.bindparam("item_id"))
        .values(search_text=sa.bindparam("text"))
    )
    last_id = 0
    while True:
        rows = connection.execute(
            sa.select(_item.c.id, _item.c.title)
            .where(_item.c.id > last_id)
            .order_by(_item.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        texts = [{"item_id": row[0], "text": _search_text(row[1])} for row in rows]
        connection.execute(update, texts)
        last_id = rows[-1][0]


def _search_text(title: str) -> str:
    """storage/search_text.py's stored_search_text as of this revision (a migration keeps its
    own copy)."""
    folded = unicodedata.normalize("NFC", title).casefold().replace("đ", "d")
    plain = unicodedata.normalize("NFD", folded)
    text = " ".join("".join(c for c in plain if not unicodedata.combining(c)).split())
    return text[:SEARCH_TEXT_MAX]
