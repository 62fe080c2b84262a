"""Counting queries for health and metrics: one read-only snapshot of what the database holds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, text
from sqlmodel import Session, col, select

from storage.models import ChannelPause, ChannelToken, FeedState, Item, Post
from storage.session import reading


@dataclass(frozen=True, slots=True)
class FeedStat:
    """What the poller last recorded about one feed."""

    feed_id: str
    consecutive_failures: int
    broken: bool
    last_success_at: datetime | None


@dataclass(frozen=True, slots=True)
class Stats:
    """The database's counts at one moment; pauses carry their end (None: until fixed)."""

    feeds: list[FeedStat]
    items: int
    posts: dict[tuple[str, str], int]
    pauses: dict[str, datetime | None]
    token_expiries: dict[str, datetime]

    def channels(self) -> list[str]:
        """Every channel the database knows of, through its posts, pauses or tokens."""
        names = {channel for channel, _ in self.posts} | set(self.pauses) | set(self.token_expiries)
        return sorted(names)


def database_answers(engine: Engine) -> bool:
    """True when the database runs `SELECT 1`; raises what the driver raises otherwise."""
    with engine.connect() as connection:
        return bool(connection.execute(text("SELECT 1")).scalar_one() == 1)


def snapshot(engine: Engine) -> Stats:
    """All counts in one read transaction."""
    with reading(engine) as session:
        return Stats(
            feeds=feed_stats(session),
            items=count_items(session),
            posts=post_counts(session),
            pauses=pauses(session),
            token_expiries=token_expiries(session),
        )


def feed_stats(session: Session) -> list[FeedStat]:
    query = select(
        FeedState.feed_id,
        FeedState.consecutive_failures,
        FeedState.broken,
        FeedState.last_success_at,
    ).order_by(col(FeedState.feed_id))
    return [FeedStat(*row) for row in session.exec(query).all()]


def count_items(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(Item)).one())


def post_counts(session: Session) -> dict[tuple[str, str], int]:
    """Posts per (channel, status)."""
    query = select(Post.channel, Post.status, func.count()).group_by(
        col(Post.channel), col(Post.status)
    )
    return {(channel, status): int(n) for channel, status, n in session.exec(query).all()}


def pauses(session: Session) -> dict[str, datetime | None]:
    query = select(ChannelPause.channel, ChannelPause.until)
    return dict(session.exec(query).all())


def token_expiries(session: Session) -> dict[str, datetime]:
    query = select(ChannelToken.channel, ChannelToken.expires_at)
    return dict(session.exec(query).all())
