"""When each approved post will go out: the database's queue and history through the pacer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlmodel import Session

from storage import posts as post_store
from storage.models import Post
from storage.session import reading
from syndicator.config import Settings
from syndicator.posts.maker import publishable
from syndicator.posts.pacing import PacingSettings, Queued, schedule

# The longest window any pacing rule looks back over: a local day, 25 hours where DST ends.
HISTORY = timedelta(hours=25)


@dataclass(frozen=True, slots=True)
class ChannelQueue:
    """A channel's approved posts as the pacer sees them, with its recent history."""

    posts: dict[int, Post]
    queued: list[Queued]
    history: list[datetime]


def channel_queue(session: Session, channel: str, now: datetime) -> ChannelQueue:
    # A post without a text (its template failed, nobody wrote one) is never sent, even if it
    # was approved before approvals checked for that: it waits for a new rendering or an edit.
    waiting = [row for row in post_store.approved_on(session, channel) if publishable(row[0])]
    queued = [
        Queued(
            post.id or 0,
            post.priority,
            title,
            post.approved_at or post.created_at,
            post.next_attempt_at,
        )
        for post, title in waiting
    ]
    history = post_store.published_since(session, channel, now - HISTORY) if waiting else []
    return ChannelQueue({post.id or 0: post for post, _ in waiting}, queued, history)


def next_slots(engine: Engine, settings: Settings, now: datetime) -> dict[int, datetime]:
    """post id → its computed next slot, for every approved post on every channel."""
    tz = ZoneInfo(settings.timezone)
    slots: dict[int, datetime] = {}
    with reading(engine) as session:
        for channel in settings.channels:
            waiting = channel_queue(session, channel, now)
            if waiting.queued:
                pacing = pacing_for(settings, channel)
                slots |= schedule(waiting.queued, waiting.history, now, pacing, tz)
    return slots


def pacing_for(settings: Settings, channel: str) -> PacingSettings:
    return settings.pacing.get(channel) or PacingSettings()
