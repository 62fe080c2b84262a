"""Portals an admin added on the web page (issue #13): kept in the database beside the feeds of
settings.toml, which stays the operator's file. A row holds the feed's settings as the
`[[feeds]]` table would (JSON); the domain validates them when it reads them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from storage.models import StoredFeed


def stored_feeds(session: Session) -> list[StoredFeed]:
    """Every stored feed, oldest first (the order they were added in)."""
    return list(session.exec(select(StoredFeed).order_by(col(StoredFeed.created_at))))


def add_stored_feed(
    session: Session, feed_id: str, table: dict[str, Any], actor: str, at: datetime
) -> StoredFeed:
    """Store a feed's settings; its id must be free (the caller checked: the primary key
    refuses a second one all the same)."""
    row = StoredFeed(id=feed_id, settings=table, created_by=actor, created_at=at)
    session.add(row)
    session.flush()
    return row


def remove_stored_feed(session: Session, feed_id: str) -> bool:
    """Remove a stored feed (its items and posts stay); False when there was none."""
    row = session.get(StoredFeed, feed_id)
    if row is None:
        return False
    session.delete(row)
    return True
