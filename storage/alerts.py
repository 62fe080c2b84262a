"""Alert rows, and the plain snapshot of the conditions that raise them (read in one session)."""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine, text
from sqlmodel import Session, col, select

from storage.models import Alert, ChannelPause, ChannelToken, FeedState, Post, ReachMetricOff
from storage.states import PostStatus

_LOCK_KEY = zlib.crc32(b"syndicator-alerts")


@dataclass(frozen=True)
class PausedChannel:
    channel: str
    reason: str
    until: datetime | None  # None: until a person fixes it


@dataclass(frozen=True)
class StoredToken:
    channel: str
    access_expires_at: datetime
    updated_at: datetime  # when the pair last rotated


@dataclass(frozen=True)
class BrokenFeed:
    feed_id: str
    failures: int
    last_error: str | None
    last_success_at: datetime | None


@dataclass(frozen=True)
class StuckPost:
    post_id: int
    channel: str
    last_error: str | None


@dataclass(frozen=True)
class MetricOff:
    """A counter a channel cannot give (issue #14), off until the platform gives it again."""

    channel: str
    metric: str
    reason: str
    until: datetime  # when it is asked again


@dataclass(frozen=True)
class AlertSnapshot:
    """Everything the alert conditions are decided from, as plain values."""

    pauses: list[PausedChannel]
    tokens: list[StoredToken]
    broken_feeds: list[BrokenFeed]
    stuck_posts: list[StuckPost]
    metrics_off: list[MetricOff] = field(default_factory=list)


def snapshot(session: Session) -> AlertSnapshot:
    pauses = session.exec(select(ChannelPause).order_by(col(ChannelPause.channel))).all()
    tokens = session.exec(select(ChannelToken).order_by(col(ChannelToken.channel))).all()
    feeds = session.exec(
        select(FeedState).where(col(FeedState.broken)).order_by(col(FeedState.feed_id))
    ).all()
    posts = session.exec(
        select(Post).where(Post.status == PostStatus.NEEDS_ATTENTION).order_by(col(Post.id))
    ).all()
    off = session.exec(
        select(ReachMetricOff).order_by(col(ReachMetricOff.channel), col(ReachMetricOff.metric))
    ).all()
    return AlertSnapshot(
        pauses=[PausedChannel(p.channel, p.reason, p.until) for p in pauses],
        tokens=[StoredToken(t.channel, t.expires_at, t.updated_at) for t in tokens],
        broken_feeds=[
            BrokenFeed(f.feed_id, f.consecutive_failures, f.last_error, f.last_success_at)
            for f in feeds
        ],
        stuck_posts=[StuckPost(p.id or 0, p.channel, p.last_error) for p in posts],
        metrics_off=[MetricOff(m.channel, m.metric, m.reason, m.until) for m in off],
    )


def open_alerts(session: Session) -> list[Alert]:
    return list(
        session.exec(select(Alert).where(col(Alert.resolved_at).is_(None)).order_by(col(Alert.id)))
    )


def unsent(session: Session) -> list[Alert]:
    """Open alerts not yet accepted by every destination (new ones, and earlier failures)."""
    query = select(Alert).where(col(Alert.resolved_at).is_(None), col(Alert.notified_at).is_(None))
    return list(session.exec(query.order_by(col(Alert.id))))


def recent(session: Session, *, open_only: bool = False, limit: int = 100) -> list[Alert]:
    """Newest first, for `syndicator alerts` and the admin page."""
    query = select(Alert)
    if open_only:
        query = query.where(col(Alert.resolved_at).is_(None))
    return list(session.exec(query.order_by(col(Alert.id).desc()).limit(limit)))


def mark_sent(
    session: Session, sent: Iterable[tuple[int, str]], destinations: set[str], now: datetime
) -> None:
    """Record (alert id, "webhook" | "email") deliveries; `notified_at` once all are done."""
    for alert_id, destination in sent:
        alert = session.get(Alert, alert_id)
        if alert is None:
            continue
        if destination == "webhook":
            alert.webhook_sent_at = now
        elif destination == "email":
            alert.emailed_at = now
        done = {"webhook"} if alert.webhook_sent_at else set()
        done |= {"email"} if alert.emailed_at else set()
        if destinations <= done:
            alert.notified_at = now
        session.add(alert)


@contextmanager
def exclusive(engine: Engine) -> Iterator[bool]:
    """True when this process may check alerts now: on PostgreSQL an advisory lock keeps
    several daemons from sending the same alert twice; SQLite has one daemon per file."""
    if engine.dialect.name != "postgresql":
        yield True
        return
    with engine.connect() as connection:
        got = bool(
            connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": _LOCK_KEY}).scalar()
        )
        try:
            yield got
        finally:
            if got:
                connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _LOCK_KEY})
            connection.commit()
