"""Feed state queries: what the poller remembers per feed, and the activity numbers for reports."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Date, String, bindparam, delete, func, text
from sqlmodel import Session, col, select

from storage.models import FeedErrorDay, FeedState, Item, ItemSource


def load_states(session: Session, feed_ids: Collection[str]) -> dict[str, FeedState]:
    query = select(FeedState).where(col(FeedState.feed_id).in_(list(feed_ids)))
    return {state.feed_id: state for state in session.exec(query)}


def state_for_update(
    session: Session, feed_id: str, url: str, known: FeedState | None = None
) -> FeedState:
    """The feed's state row, created on first use; a changed URL drops the old validators.

    `known` is a row the caller read earlier in the same poll: it is attached without a query.
    """
    if known is not None:
        state: FeedState | None = session.merge(known, load=False)
    else:
        state = session.get(FeedState, feed_id, with_for_update=True)
    if state is None:
        state = FeedState(feed_id=feed_id, url=url)
        session.add(state)
    elif state.url != url:
        state.url, state.etag, state.last_modified, state.body_hash = url, None, None, None
    return state


# One statement on both databases (SQLite >= 3.24 and PostgreSQL share this upsert), without
# loading a dialect's own insert construct.
_COUNT_FAILURE = text(
    "INSERT INTO feed_error_day (day, feed_id, failures) VALUES (:day, :feed_id, 1) "
    "ON CONFLICT (day, feed_id) DO UPDATE SET failures = feed_error_day.failures + 1"
).bindparams(bindparam("day", type_=Date()), bindparam("feed_id", type_=String()))


def count_failed_poll(session: Session, feed_id: str, day: date) -> None:
    """One more failed poll of `feed_id` on `day` (UTC), in the caller's transaction."""
    session.execute(_COUNT_FAILURE, {"day": day, "feed_id": feed_id})


def prune_error_days(session: Session, before: date) -> int:
    """Delete the failed-poll counts of days before `before`; returns how many rows went."""
    done = session.execute(delete(FeedErrorDay).where(col(FeedErrorDay.day) < before))
    return int(done.rowcount or 0)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class FeedActivity:
    items_7d: int
    items_30d: int
    newest_published_at: datetime | None


def activity(
    session: Session, feed_ids: Collection[str], since_7d: datetime, since_30d: datetime
) -> dict[str, FeedActivity]:
    """Per feed: items it published in the last 7 and 30 days, and its newest item's date."""
    published = col(Item.published_at)
    query = (
        select(
            ItemSource.feed_id,
            func.count().filter(published >= since_7d),
            func.count().filter(published >= since_30d),
            func.max(published),
        )
        .join(Item, col(Item.id) == col(ItemSource.item_id))
        .where(col(ItemSource.feed_id).in_(list(feed_ids)))
        .group_by(col(ItemSource.feed_id))
    )
    return {
        feed_id: FeedActivity(int(week), int(month), newest)
        for feed_id, week, month, newest in session.exec(query)
    }
