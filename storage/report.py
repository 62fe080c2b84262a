"""Queries of the portal activity and coverage report (issue #12): counts grouped in the
database, and the one row-by-row read the classification needs (titles and links of a period).

An item's time is its published date, or when it was stored if the feed gave none; an item
counts once for each feed that carried it (item_source). Queries run on the session's
connection (Core): their rows are plain tuples, without the ORM's work per row.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select
from sqlmodel import Session, col

from storage.models import FeedErrorDay, FeedState, Item, ItemSource, Post

CHUNK = 500  # feed ids per IN (...): well under both databases' parameter limits

# (feed id, item id, stored category or None, then what classifying it reads where there is
# none: folded title or None, title when it has no folded form, link)
PeriodItem = tuple[str, int, str | None, str | None, str | None, str | None]


def _item_time() -> ColumnElement[Any]:
    return func.coalesce(col(Item.published_at), col(Item.created_at))


def _in_period(since: datetime, until: datetime) -> ColumnElement[bool]:
    """Items whose time is in [since, until), written so that an index on either time helps."""
    published, created = col(Item.published_at), col(Item.created_at)
    return or_(
        and_(published >= since, published < until),
        and_(published.is_(None), created >= since, created < until),
    )


def weekly_items(
    session: Session, bounds: Sequence[datetime]
) -> dict[str, tuple[dict[int, int], datetime]]:
    """Per feed: items per week and its newest item time, for items in [bounds[0], bounds[-1]);
    week i is [bounds[i], bounds[i + 1])."""
    time = _item_time()
    week = _week(time, bounds)
    query = (
        select(col(ItemSource.feed_id), week, func.count(), func.max(time))
        .join(Item, col(Item.id) == col(ItemSource.item_id))
        .where(_in_period(bounds[0], bounds[-1]))
        .group_by(col(ItemSource.feed_id), week)
    )
    found: dict[str, tuple[dict[int, int], datetime]] = {}
    for feed_id, index, count, newest in session.connection().execute(query):
        weeks, last = found.get(feed_id, ({}, newest))
        weeks[int(index)] = int(count)
        found[feed_id] = (weeks, max(last, newest))
    return found


def _week(time: ColumnElement[Any], bounds: Sequence[datetime]) -> ColumnElement[Any]:
    """The index of the week `time` falls in (the period's times only)."""
    inner = bounds[1:-1]
    if not inner:
        return literal(0)
    return case(*((time < end, index) for index, end in enumerate(inner)), else_=len(inner))


def newest_seen(session: Session, feed_ids: Collection[str]) -> dict[str, datetime]:
    """Per feed: the newest item date its polls ever saw (feed_state.newest_item_at), where the
    poller recorded one."""
    found: dict[str, datetime] = {}
    ordered = sorted(feed_ids)
    for start in range(0, len(ordered), CHUNK):
        query = select(col(FeedState.feed_id), col(FeedState.newest_item_at)).where(
            col(FeedState.feed_id).in_(ordered[start : start + CHUNK])
        )
        found.update(
            (feed_id, newest)
            for feed_id, newest in session.connection().execute(query)
            if newest is not None
        )
    return found


def last_items(
    session: Session, feed_ids: Collection[str], before: datetime
) -> dict[str, datetime]:
    """Per feed: the time of its newest item before `before` (feeds with none are left out)."""
    time = _item_time()
    found: dict[str, datetime] = {}
    ordered = sorted(feed_ids)
    for start in range(0, len(ordered), CHUNK):
        query = (
            select(col(ItemSource.feed_id), func.max(time))
            .join(Item, col(Item.id) == col(ItemSource.item_id))
            .where(col(ItemSource.feed_id).in_(ordered[start : start + CHUNK]), time < before)
            .group_by(col(ItemSource.feed_id))
        )
        found.update((feed_id, newest) for feed_id, newest in session.connection().execute(query))
    return found


def period_items(
    session: Session, since: datetime, until: datetime, digest: str
) -> Iterator[PeriodItem]:
    """Every (feed, item) of [since, until) with its category as stored under the rules of
    `digest` (storage/categories.py); where there is none, what classifying it reads: the title
    as searched (storage/search_text.py), the title itself only where that is missing (rows of
    a hand-made insert), and the feed's link to it."""
    searched = col(Item.search_text)
    stored = col(ItemSource.category_rules) == digest
    query = (
        select(
            col(ItemSource.feed_id),
            col(Item.id),
            case((stored, col(ItemSource.category))),
            case((stored, None), else_=searched),
            case((stored, None), (searched.is_(None), col(Item.title))),
            case((stored, None), else_=func.coalesce(col(ItemSource.link), col(Item.link))),
        )
        .join(Item, col(Item.id) == col(ItemSource.item_id))
        .where(_in_period(since, until))
    )
    # Fetched at once (one call into the driver, not one per row); Rows are tuples.
    rows: Iterator[PeriodItem] = iter(session.connection().execute(query).all())
    return rows


def failed_polls(session: Session, first: date, last: date) -> dict[str, int]:
    """Per feed: its failed polls on the days first to last (UTC), both included."""
    day = col(FeedErrorDay.day)
    query = (
        select(col(FeedErrorDay.feed_id), func.sum(col(FeedErrorDay.failures)))
        .where(day >= first, day <= last)
        .group_by(col(FeedErrorDay.feed_id))
    )
    return {feed_id: int(total) for feed_id, total in session.connection().execute(query)}


def published_posts(
    session: Session, since: datetime, until: datetime
) -> dict[tuple[str, str], int]:
    """Per (feed, channel): posts published in [since, until)."""
    published = col(Post.published_at)
    query = (
        select(col(Post.feed_id), col(Post.channel), func.count())
        .where(published >= since, published < until)
        .group_by(col(Post.feed_id), col(Post.channel))
    )
    return {
        (feed_id, channel): int(n) for feed_id, channel, n in session.connection().execute(query)
    }
