"""Item queries for deduplication: batched lookups and inserts, one feed's fetch at a time."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, col, select

from storage.models import Item, ItemSource, Tombstone

# Stay well under SQLite's and PostgreSQL's bound-parameter limits.
CHUNK = 500


def _chunks(values: Collection[str]) -> Iterable[list[str]]:
    ordered = sorted(values)
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


def existing_source_keys(session: Session, feed_id: str, keys: Collection[str]) -> set[str]:
    found: set[str] = set()
    for chunk in _chunks(keys):
        query = select(ItemSource.source_key).where(
            ItemSource.feed_id == feed_id, col(ItemSource.source_key).in_(chunk)
        )
        found.update(session.exec(query))
    return found


def tombstoned(session: Session, keys: Collection[str]) -> set[str]:
    found: set[str] = set()
    for chunk in _chunks(keys):
        found.update(session.exec(select(Tombstone.key).where(col(Tombstone.key).in_(chunk))))
    return found


ItemFacts = tuple[int, str | None, str, datetime | None, frozenset[str]]


def items_by_url_keys(session: Session, url_keys: Collection[str]) -> list[ItemFacts]:
    """(item id, url key, title key, published, feeds carrying it) for items with these URLs."""
    rows: list[tuple[int, str | None, str, datetime | None]] = []
    for chunk in _chunks(url_keys):
        query = select(Item.id, Item.url_key, Item.title_key, Item.published_at).where(
            col(Item.url_key).in_(chunk)
        )
        rows.extend((int(r[0] or 0), r[1], r[2], r[3]) for r in session.exec(query))
    return _with_feeds(session, rows)


def items_by_title_keys(
    session: Session, title_keys: Collection[str], since: datetime, until: datetime
) -> list[ItemFacts]:
    """Items with these title keys published between `since` and `until`."""
    rows: list[tuple[int, str | None, str, datetime | None]] = []
    for chunk in _chunks(title_keys):
        query = select(Item.id, Item.url_key, Item.title_key, Item.published_at).where(
            col(Item.title_key).in_(chunk),
            col(Item.published_at) >= since,
            col(Item.published_at) <= until,
        )
        rows.extend((int(r[0] or 0), r[1], r[2], r[3]) for r in session.exec(query))
    return _with_feeds(session, rows)


def _with_feeds(
    session: Session, rows: list[tuple[int, str | None, str, datetime | None]]
) -> list[ItemFacts]:
    feeds: dict[int, set[str]] = defaultdict(set)
    ids = [row[0] for row in rows]
    for start in range(0, len(ids), CHUNK):
        query = select(ItemSource.item_id, ItemSource.feed_id).where(
            col(ItemSource.item_id).in_(ids[start : start + CHUNK])
        )
        for item_id, feed_id in session.exec(query):
            feeds[item_id].add(feed_id)
    return [(*row, frozenset(feeds[row[0]])) for row in rows]


def insert_items(session: Session, rows: list[dict[str, Any]]) -> list[int]:
    """Insert new items in one statement; returns their ids in the order given."""
    if not rows:
        return []
    query = insert(Item).returning(col(Item.id), sort_by_parameter_order=True)
    return [int(item_id) for item_id in session.execute(query, rows).scalars()]


def insert_sources(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert item sources (each row names its item_id) in one statement."""
    if rows:
        session.execute(insert(ItemSource), rows)


def add_tombstones(session: Session, keys: Iterable[str], reason: str, at: datetime) -> None:
    """Record keys that must never become items again (idempotent)."""
    known = tombstoned(session, set(keys))
    for key in set(keys) - known:
        session.add(Tombstone(key=key, reason=reason, created_at=at))


def count_items(session: Session) -> int:
    from sqlalchemy import func

    return int(session.exec(select(func.count()).select_from(Item)).one())
