"""Reads of what syndication brought back (issue #14): each published post's latest engagement
counters and its series by age, totals per portal and channel, engagement by local hour and
weekday, the top posts by one counter. Nothing here writes (storage/reach.py collects).

A counter the platform did not give is None, never 0: a sum says how many posts it counts
(`Sum.known`), so that "12 reactions over 3 of 5 posts" never reads as "12 over 5". A post's
latest counters are those of its greatest age collected; a post with none collected yet has
every counter unknown.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlmodel import Session, col

from storage.models import Item, ItemSource, Post, PostReach
from storage.states import PostStatus

COUNTERS = ("reactions", "comments", "shares", "impressions", "clicks", "views")
Counter = Literal["reactions", "comments", "shares", "impressions", "clicks", "views"]
# What a person did with a post (views and impressions say who saw it, not who acted).
ENGAGEMENT = ("reactions", "comments", "shares", "clicks")
Counts = tuple[int | None, ...]  # in the order of COUNTERS
NONE_KNOWN: Counts = (None,) * len(COUNTERS)


@dataclass(frozen=True)
class Sum:
    """A counter summed over posts: `total` over the `known` posts that gave it."""

    total: int = 0
    known: int = 0

    def plus(self, value: int | None) -> Sum:
        return self if value is None else Sum(self.total + value, self.known + 1)


@dataclass(frozen=True)
class ReachTotals:
    """Posts published in a group and their latest counters summed, by name in COUNTERS."""

    posts: int = 0
    sums: dict[str, Sum] = field(default_factory=lambda: {name: Sum() for name in COUNTERS})

    def unknown(self, counter: str) -> int:
        """Posts of the group whose latest `counter` is not known (not given, not yet read)."""
        return self.posts - self.sums[counter].known

    def total(self, counter: str) -> int | None:
        """The sum of `counter` over the posts that gave it; None when posts were published and
        none gave it (unknown, not 0)."""
        found = self.sums[counter]
        return None if self.posts and not found.known else found.total

    def plus(self, other: ReachTotals) -> ReachTotals:
        sums = {
            name: Sum(s.total + other.sums[name].total, s.known + other.sums[name].known)
            for name, s in self.sums.items()
        }
        return ReachTotals(self.posts + other.posts, sums)


@dataclass(frozen=True)
class LatestReach:
    """A published post, its item's title, and its latest counters (NONE_KNOWN before any)."""

    post_id: int
    feed_id: str
    channel: str
    remote_id: str | None
    published_at: datetime
    title: str
    collected_at: datetime | None  # when the latest counters were read; None: never yet
    age_seconds: int | None
    counts: Counts

    def count(self, counter: str) -> int | None:
        return self.counts[COUNTERS.index(counter)]

    def value(self, counter: str) -> int | None:
        """A counter, or "engagement" (see engagement())."""
        return engagement(self.counts) if counter == "engagement" else self.count(counter)


@dataclass(frozen=True)
class ReachAt:
    """A post's counters at one age after publishing."""

    age_seconds: int
    collected_at: datetime
    counts: Counts


def engagement(counts: Counts) -> int | None:
    """What people did with a post (reactions, comments, shares, clicks): the sum of those it
    gave; None when it gave none of them."""
    known = [counts[COUNTERS.index(name)] for name in ENGAGEMENT]
    given = [value for value in known if value is not None]
    return sum(given) if given else None


def _counter_columns(table: Any) -> list[Any]:
    return [getattr(table.c, name) for name in COUNTERS]


def _latest_age() -> Any:
    """The greatest age collected for the post of the outer query (its latest counters): a
    correlated look-up on the (post_id, age_seconds) unique index, so only the period's posts
    are read, never the whole table (a year of counters: bench/report.py)."""
    older = PostReach.__table__.alias("older")  # type: ignore[attr-defined]
    return (
        select(func.max(older.c.age_seconds))
        .where(older.c.post_id == col(Post.id))
        .correlate(Post)
        .scalar_subquery()
    )


def _published_in(since: datetime, until: datetime) -> ColumnElement[bool]:
    published = col(Post.published_at)
    return and_(col(Post.status) == PostStatus.PUBLISHED, published >= since, published < until)


def _with_latest(query: Any) -> Any:
    """`query` over posts, joined to each one's latest counters (none: NULLs)."""
    reach = PostReach.__table__  # type: ignore[attr-defined]
    return query.outerjoin(
        reach, and_(reach.c.post_id == col(Post.id), reach.c.age_seconds == _latest_age())
    )


def published_latest(
    session: Session, since: datetime, until: datetime, feed_ids: Sequence[str] | None = None
) -> list[LatestReach]:
    """Every post published in [since, until) (status published), newest first, with its
    latest counters; with `feed_ids`, only those portals' posts."""
    reach = PostReach.__table__  # type: ignore[attr-defined]
    query = _with_latest(
        select(
            col(Post.id),
            col(Post.feed_id),
            col(Post.channel),
            col(Post.remote_id),
            col(Post.published_at),
            col(Item.title),
            reach.c.collected_at,
            reach.c.age_seconds,
            *_counter_columns(reach),
        ).join(Item, col(Item.id) == col(Post.item_id))
    ).where(_published_in(since, until))
    if feed_ids is not None:
        query = query.where(col(Post.feed_id).in_(list(feed_ids)))
    query = query.order_by(col(Post.published_at).desc(), col(Post.id).desc())
    return [_latest(row) for row in session.connection().execute(query)]


def _latest(row: Any) -> LatestReach:
    post_id, feed_id, channel, remote_id, published, title, collected, age, *counts = row
    return LatestReach(
        post_id, feed_id, channel, remote_id, published, title, collected, age, tuple(counts)
    )


def top_posts(rows: Iterable[LatestReach], counter: str, limit: int = 10) -> list[LatestReach]:
    """The `limit` posts of `rows` (published_latest's) with the highest latest `counter`, or
    "engagement"; posts where it is unknown or 0 are left out, ties keep the rows' order."""
    if counter not in (*COUNTERS, "engagement"):
        raise ValueError(f"unknown counter {counter!r}; one of {', '.join(COUNTERS)}, engagement")
    found = [(row.value(counter), row) for row in rows]
    ranked = sorted(((value, row) for value, row in found if value), key=lambda pair: -pair[0])
    return [row for _, row in ranked[:limit]]


def totals_by(
    session: Session, since: datetime, until: datetime, by: Literal["feed", "channel"]
) -> dict[str, ReachTotals]:
    """Per portal (`by="feed"`) or channel: its posts published in [since, until) and their
    latest counters summed, in one grouped query (the report's reach section)."""
    key = col(Post.feed_id) if by == "feed" else col(Post.channel)
    reach = PostReach.__table__  # type: ignore[attr-defined]
    columns = _counter_columns(reach)
    query = _with_latest(
        select(
            key,
            func.count(col(Post.id)),
            *(func.coalesce(func.sum(column), 0) for column in columns),
            *(func.count(column) for column in columns),  # COUNT(x) skips NULLs: the known
        )
    ).where(_published_in(since, until))
    found: dict[str, ReachTotals] = {}
    for name, posts, *figures in session.connection().execute(query.group_by(key)):
        sums = figures[: len(COUNTERS)]
        known = figures[len(COUNTERS) :]
        found[name] = ReachTotals(
            int(posts),
            {c: Sum(int(s), int(k)) for c, s, k in zip(COUNTERS, sums, known, strict=True)},
        )
    return found


def totals_of(rows: Iterable[LatestReach]) -> ReachTotals:
    """The ReachTotals of some posts' latest counters (a category's, the whole period's)."""
    posts = 0
    sums = {name: Sum() for name in COUNTERS}
    for row in rows:
        posts += 1
        for name, value in zip(COUNTERS, row.counts, strict=True):
            sums[name] = sums[name].plus(value)
    return ReachTotals(posts, sums)


def post_categories(
    session: Session, since: datetime, until: datetime, digest: str
) -> dict[int, tuple[str | None, str | None, str | None, str | None]]:
    """Per post published in [since, until): its portal's copy's category as stored under the
    rules of `digest` (storage/categories.py), or None, then what classifying it reads (the
    title as searched, the title where that is missing, the link), as storage/report.py's
    period_items gives them."""
    searched = col(Item.search_text)
    stored = col(ItemSource.category_rules) == digest
    query = (
        select(
            col(Post.id),
            case((stored, col(ItemSource.category))),
            case((stored, None), else_=searched),
            case((stored, None), (searched.is_(None), col(Item.title))),
            case((stored, None), else_=func.coalesce(col(ItemSource.link), col(Item.link))),
        )
        .join(Item, col(Item.id) == col(Post.item_id))
        .outerjoin(
            ItemSource,
            and_(
                col(ItemSource.item_id) == col(Post.item_id),
                col(ItemSource.feed_id) == col(Post.feed_id),
            ),
        )
        .where(_published_in(since, until))
    )
    return {row[0]: (row[1], row[2], row[3], row[4]) for row in session.connection().execute(query)}


def series(session: Session, post_id: int) -> list[ReachAt]:
    """A post's counters at each age collected, youngest first."""
    reach = PostReach.__table__  # type: ignore[attr-defined]
    query = (
        select(reach.c.age_seconds, reach.c.collected_at, *_counter_columns(reach))
        .where(reach.c.post_id == post_id)
        .order_by(reach.c.age_seconds)
    )
    return [
        ReachAt(age, collected, tuple(counts))
        for age, collected, *counts in session.connection().execute(query)
    ]


@dataclass(frozen=True)
class Slot:
    """Posts published in one local hour of the day or day of the week, and their engagement
    (reactions, comments, shares, clicks) over those that gave any."""

    posts: int = 0
    engagement: Sum = Sum()


def by_local_time(
    rows: Iterable[LatestReach], timezone: str
) -> tuple[tuple[Slot, ...], tuple[Slot, ...]]:
    """Engagement by the local hour (0-23) and weekday (0 Monday - 6 Sunday) each post was
    published in `timezone`: grouped here, not in SQL, since the two databases convert time
    zones differently (a year of posts is a few thousand rows)."""
    zone = ZoneInfo(timezone)
    hours, days = [Slot()] * 24, [Slot()] * 7
    for row in rows:
        local = row.published_at.astimezone(zone)
        value = engagement(row.counts)
        hours[local.hour] = _add(hours[local.hour], value)
        days[local.weekday()] = _add(days[local.weekday()], value)
    return tuple(hours), tuple(days)


def _add(slot: Slot, value: int | None) -> Slot:
    return Slot(slot.posts + 1, slot.engagement.plus(value))
