"""When each approved post will go out: the database's queue and history through the pacer."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from storage import posts as post_store
from storage.session import reading
from syndicator.config import Settings
from syndicator.pacing import PacingSettings, Queued, schedule

HISTORY = timedelta(days=1)  # the longest window any pacing rule looks back over


def next_slots(engine: Engine, settings: Settings, now: datetime) -> dict[int, datetime]:
    """post id → its computed next slot, for every approved post on every channel."""
    tz = ZoneInfo(settings.timezone)
    slots: dict[int, datetime] = {}
    with reading(engine) as session:
        for channel in settings.channels:
            waiting = post_store.approved_on(session, channel)
            if not waiting:
                continue
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
            history = post_store.published_since(session, channel, now - HISTORY)
            slots |= schedule(queued, history, now, pacing_for(settings, channel), tz)
    return slots


def pacing_for(settings: Settings, channel: str) -> PacingSettings:
    return settings.pacing.get(channel) or PacingSettings()
