"""Published posts' engagement counters and the metrics a channel cannot give (issue #14): what
the daemon's "reach" job reads and writes. Nothing here is ever pruned.

A (post, age) pair is due when the post is published with a remote id, its published_at + age
has come, and it has no post_reach row for that age yet: everything the job needs is in the
database, so a restart resumes where the last pass stopped and no pair is collected twice. A
pair more than LATE_LIMIT past its time is not collected at all (the posts published before
collection was installed, or a daemon down for months): a figure that late says little about
that age, and the platform may no longer have it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from storage.models import Post, PostReach, ReachMetricOff
from storage.states import PostStatus

COUNTERS = ("reactions", "comments", "shares", "impressions", "clicks", "views")
LATE_LIMIT = timedelta(days=30)
REASON_MAX = 500  # reach_metric_off.reason


@dataclass(frozen=True, slots=True)
class DuePair:
    """A published post whose counters are due at one age."""

    post_id: int
    remote_id: str
    age: timedelta
    due_at: datetime  # published_at + age


def due_pairs(
    session: Session, channel: str, ages: Sequence[timedelta], now: datetime, limit: int
) -> list[DuePair]:
    """Up to `limit` pairs of `channel` due at `now`, the longest overdue first."""
    found: list[DuePair] = []
    for age in ages:
        found += _due_at_age(session, channel, age, now, limit)
    found.sort(key=lambda pair: (pair.due_at, pair.post_id, pair.age))
    return found[:limit]


def _due_at_age(
    session: Session, channel: str, age: timedelta, now: datetime, limit: int
) -> list[DuePair]:
    published = col(Post.published_at)
    collected = exists().where(
        col(PostReach.post_id) == col(Post.id),
        col(PostReach.age_seconds) == int(age.total_seconds()),
    )
    query = (
        select(col(Post.id), col(Post.remote_id), published)
        .where(
            col(Post.channel) == channel,
            col(Post.status) == PostStatus.PUBLISHED,
            col(Post.remote_id).is_not(None),
            published <= now - age,
            published > now - age - LATE_LIMIT,
            ~collected,
        )
        .order_by(published, col(Post.id))
        .limit(limit)
    )
    found = []
    for post_id, remote_id, at in session.connection().execute(query):
        if post_id is not None and remote_id is not None and at is not None:  # the query's own
            found.append(DuePair(post_id, remote_id, age, at + age))
    return found


def record(
    session: Session,
    post_id: int,
    age: timedelta,
    collected_at: datetime,
    counters: Mapping[str, int | None],
) -> bool:
    """Store a post's counters at one age (COUNTERS by name; a missing name is unknown); False,
    and nothing changed, when that age is stored already (another daemon was first)."""
    values = {
        "post_id": post_id,
        "age_seconds": int(age.total_seconds()),
        "collected_at": collected_at,
        **{name: counters.get(name) for name in COUNTERS},
    }
    statement = _insert(session, PostReach).values(**values)
    query = statement.on_conflict_do_nothing(index_elements=["post_id", "age_seconds"])
    # RETURNING, not rowcount: an INSERT's rowcount is -1 on PostgreSQL (psycopg) here
    return session.connection().execute(query.returning(col(PostReach.id))).first() is not None


def switch_off(
    session: Session, channel: str, metric: str, reason: str, now: datetime, until: datetime
) -> bool:
    """Stop asking `channel` for `metric` until `until` (when it is asked again); True when it
    was on (a metric refused again keeps its first `since` and gets the new reason and time)."""
    was_on = session.get(ReachMetricOff, (channel, metric)) is None
    values = {"reason": reason[:REASON_MAX], "until": until}
    statement = _insert(session, ReachMetricOff).values(
        channel=channel, metric=metric, since=now, **values
    )
    query = statement.on_conflict_do_update(index_elements=["channel", "metric"], set_=values)
    session.connection().execute(query)
    session.expire_all()  # the ORM's copy of the row, if loaded, is stale now
    return was_on


def switch_on(session: Session, channel: str, metrics: Iterable[str]) -> int:
    """The platform gave `metrics` again: forget they were off; returns how many were."""
    names = list(metrics)
    if not names:
        return 0
    query = delete(ReachMetricOff).where(
        col(ReachMetricOff.channel) == channel, col(ReachMetricOff.metric).in_(names)
    )
    return int(session.connection().execute(query).rowcount or 0)


def forget_other_channels(session: Session, channels: Iterable[str]) -> int:
    """Forget the metrics switched off for channels not among `channels` (removed from the
    settings, or disabled): nobody reads them, and their alerts would stay open for ever."""
    query = delete(ReachMetricOff).where(col(ReachMetricOff.channel).not_in(list(channels)))
    return int(session.connection().execute(query).rowcount or 0)


def metrics_off(session: Session, channel: str, now: datetime) -> frozenset[str]:
    """The metrics not to ask `channel` for now (switched off, their `until` still ahead)."""
    query = select(col(ReachMetricOff.metric)).where(
        col(ReachMetricOff.channel) == channel, col(ReachMetricOff.until) > now
    )
    return frozenset(session.connection().execute(query).scalars())


def _insert(
    session: Session, model: type[PostReach] | type[ReachMetricOff]
) -> postgresql.Insert | sqlite.Insert:
    """INSERT with the dialect's ON CONFLICT (both PostgreSQL and SQLite have it)."""
    table = model.__table__  # type: ignore[union-attr]
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)
