"""Item queries for deduplication: batched lookups and inserts, one feed's fetch at a time."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from storage.models import Item, ItemSource, Tombstone
from storage.search_text import stored_search_text

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


def stored_links(session: Session, feed_id: str, links: Collection[str]) -> set[str]:
    """Which of `links` the feed's stored items already have (as their source's link)."""
    found: set[str] = set()
    for chunk in _chunks(links):
        query = select(ItemSource.link).where(
            ItemSource.feed_id == feed_id, col(ItemSource.link).in_(chunk)
        )
        found.update(link for link in session.exec(query) if link is not None)
    return found


def tombstoned(session: Session, keys: Collection[str]) -> set[str]:
    found: set[str] = set()
    for chunk in _chunks(keys):
        found.update(session.exec(select(Tombstone.key).where(col(Tombstone.key).in_(chunk))))
    return found


ItemFacts = tuple[int, str | None, str, datetime | None, frozenset[str]]
_FACTS = (
    col(Item.id),
    col(Item.url_key),
    col(Item.title_key),
    col(Item.published_at),
    col(ItemSource.feed_id),
)


def items_by_url_keys(session: Session, url_keys: Collection[str]) -> list[ItemFacts]:
    """(item id, url key, title key, published, feeds carrying it) for items with these URLs."""
    rows: list[Any] = []
    for chunk in _chunks(url_keys):
        query = _facts_query().where(col(Item.url_key).in_(chunk))
        rows.extend(session.execute(query))
    return _grouped(rows)


def items_by_title_keys(
    session: Session, title_keys: Collection[str], since: datetime, until: datetime
) -> list[ItemFacts]:
    """Items with these title keys published between `since` and `until`."""
    rows: list[Any] = []
    for chunk in _chunks(title_keys):
        query = _facts_query().where(
            col(Item.title_key).in_(chunk),
            col(Item.published_at) >= since,
            col(Item.published_at) <= until,
        )
        rows.extend(session.execute(query))
    return _grouped(rows)


def _facts_query() -> Any:
    return sa_select(*_FACTS).join(ItemSource, col(ItemSource.item_id) == col(Item.id))


def _grouped(rows: list[Any]) -> list[ItemFacts]:
    """One entry per item, with the set of feeds its sources came from."""
    facts: dict[int, tuple[str | None, str, datetime | None]] = {}
    feeds: dict[int, set[str]] = defaultdict(set)
    for item_id, url_key, title_key, published, feed_id in rows:
        facts[item_id] = (url_key, title_key, published)
        feeds[item_id].add(feed_id)
    return [(item_id, *fact, frozenset(feeds[item_id])) for item_id, fact in facts.items()]


def any_tombstones(session: Session) -> bool:
    return session.exec(select(Tombstone.key).limit(1)).first() is not None


def insert_items(session: Session, rows: list[dict[str, Any]]) -> list[int]:
    """Insert new items in one statement; returns their ids in the order given."""
    if not rows:
        return []
    # Core, not the ORM's bulk path: this is the hottest statement of a first poll.
    table = Item.__table__  # type: ignore[attr-defined]
    query = table.insert().returning(table.c.id, sort_by_parameter_order=True)
    searchable = [{**row, "search_text": stored_search_text(row["title"])} for row in rows]
    return [int(item_id) for item_id in session.connection().execute(query, searchable).scalars()]


def insert_sources(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert item sources (each row names its item_id) in one statement."""
    if rows:
        session.connection().execute(ItemSource.__table__.insert(), rows)  # type: ignore[attr-defined]


def add_tombstones(session: Session, keys: Iterable[str], reason: str, at: datetime) -> None:
    """Record keys that must never become items again (idempotent)."""
    known = tombstoned(session, set(keys))
    for key in set(keys) - known:
        session.add(Tombstone(key=key, reason=reason, created_at=at))


def count_items(session: Session) -> int:
    from sqlalchemy import func

    return int(session.exec(select(func.count()).select_from(Item)).one())
