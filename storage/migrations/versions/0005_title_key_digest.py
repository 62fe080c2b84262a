"""title_key holds a digest of the normalized title, so long titles fit on PostgreSQL

Also lifts the length limit of audit_event.actor (an editor's --by name) and post.claimed_by
(a worker id naming its host), whose values nobody bounds. The limits are lifted on PostgreSQL
only: SQLite never enforces a VARCHAR length, and widening there would mean rebuilding `post`,
which the rows referencing it forbid inside the migration's transaction.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 03:40:00
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

BATCH = 1000  # rows read and rewritten per statement: bounded memory on a large database
OLD_TITLE_KEY_LENGTH = 64
OLD_ACTOR_LENGTH = 128
OLD_CLAIMED_BY_LENGTH = 64
_KeyFunction = Callable[[str], str]

_item = sa.table(
    "item",
    sa.column("id", sa.Integer()),
    sa.column("title", sa.String()),
    sa.column("title_key", sa.String()),
)


def upgrade() -> None:
    connection = op.get_bind()
    _rewrite_title_keys(connection, "title_key", _digest)
    if connection.dialect.name == "postgresql":
        op.alter_column(
            "audit_event",
            "actor",
            type_=sa.String(),
            existing_type=sa.String(length=OLD_ACTOR_LENGTH),
            existing_nullable=False,
        )
        op.alter_column(
            "post",
            "claimed_by",
            type_=sa.String(),
            existing_type=sa.String(length=OLD_CLAIMED_BY_LENGTH),
            existing_nullable=True,
        )


def downgrade() -> None:
    connection = op.get_bind()
    postgres = connection.dialect.name == "postgresql"
    # The digest cannot be undone: the readable key is rebuilt from the title. PostgreSQL under
    # 0004 could never hold a key longer than the column, so there it is cut to fit.
    limit = OLD_TITLE_KEY_LENGTH if postgres else None
    _rewrite_title_keys(connection, "title", lambda title: _readable_key(title)[:limit])
    if postgres:
        for table, column, length, nullable in (
            ("audit_event", "actor", OLD_ACTOR_LENGTH, False),
            ("post", "claimed_by", OLD_CLAIMED_BY_LENGTH, True),
        ):
            op.alter_column(
                table,
                column,
                type_=sa.String(length=length),
                existing_type=sa.String(),
                existing_nullable=nullable,
                postgresql_using=f"substr({column}, 1, {length})",
            )


def _rewrite_title_keys(connection: sa.Connection, source: str, key: _KeyFunction) -> None:
    """Set every item's title_key to key(its `source` column), in batches in id order."""
    update = (
        _item.update()
        .where(_item.c.id == sa.bindparam("item_id"))
        .values(title_key=sa.bindparam("new_key"))
    )
    last_id = 0
    while True:
        rows = connection.execute(
            sa.select(_item.c.id, _item.c[source])
            .where(_item.c.id > last_id)
            .order_by(_item.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        connection.execute(update, [{"item_id": row[0], "new_key": key(row[1])} for row in rows])
        last_id = rows[-1][0]


# Frozen copies of syndicator.ingest.dedup.title_digest and syndicator.ingest.normalize.text.title_key as of
# this revision: a migration must keep doing what it did when it was written, and storage/ may
# not import the domain. The stored key is already the normalized title, so upgrading only
# hashes it.
def _digest(normalized_title: str) -> str:
    return hashlib.sha256(normalized_title.encode("utf-8")).hexdigest()[:40]


_KEY_INVISIBLE = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff]")
_NOT_WORD = re.compile(r"[\W_]+")


def _readable_key(title: str) -> str:
    text = unicodedata.normalize("NFC", _KEY_INVISIBLE.sub("", title)).casefold()
    return _NOT_WORD.sub(" ", unicodedata.normalize("NFC", text)).strip()
