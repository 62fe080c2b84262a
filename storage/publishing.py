"""Queries of the publisher: claims with leases, stale claims, channel pauses, step results."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from storage.models import ChannelPause, Post, PostStep
from storage.session import reading, writing


def claimable(session: Session, channel: str) -> list[Post]:
    query = select(Post).where(col(Post.channel) == channel, col(Post.status) == "approved")
    return list(session.exec(query))


def stale_claims(session: Session, channel: str, now: datetime) -> list[Post]:
    """Posts left in `publishing` whose lease ran out: a crash, a timeout, an unknown outcome."""
    query = select(Post).where(
        col(Post.channel) == channel,
        col(Post.status) == "publishing",
        col(Post.claim_expires_at) <= now,
    )
    return list(session.exec(query))


AWAITING_RECONCILE = "awaiting-reconcile"  # claimed_by of a post whose outcome is unknown


def awaiting_reconcile(session: Session, channel: str) -> bool:
    """Whether a post of the channel has an unknown outcome still to be settled."""
    query = select(Post.id).where(
        col(Post.channel) == channel,
        col(Post.status) == "publishing",
        col(Post.claimed_by) == AWAITING_RECONCILE,
    )
    return session.exec(query.limit(1)).first() is not None


def pause_of(session: Session, channel: str) -> ChannelPause | None:
    return session.get(ChannelPause, channel)


def set_pause(
    session: Session, channel: str, until: datetime | None, reason: str, now: datetime
) -> None:
    pause = session.get(ChannelPause, channel) or ChannelPause(
        channel=channel, reason=reason, since=now
    )
    pause.until, pause.reason = until, reason
    session.add(pause)


def clear_pause(session: Session, channel: str) -> None:
    pause = session.get(ChannelPause, channel)
    if pause is not None:
        session.delete(pause)


class SqlStepStore:
    """connectors.base.StepStore on the post_step table; each save is its own transaction."""

    def __init__(self, engine: Engine, clock_now: Callable[[], datetime]) -> None:
        self.engine, self.now = engine, clock_now

    def load(self, post_id: int) -> dict[str, str]:
        with reading(self.engine) as session:
            rows = session.exec(select(PostStep).where(col(PostStep.post_id) == post_id))
            return {row.step: row.value for row in rows}

    def save(self, post_id: int, step: str, value: str) -> None:
        with writing(self.engine) as session:
            session.merge(PostStep(post_id=post_id, step=step, value=value, at=self.now()))


def prune(session: Session, steps_before: datetime, alerts_before: datetime) -> tuple[int, int]:
    """Delete leftovers nobody reads again: step results of posts finished before
    `steps_before`, and alerts resolved before `alerts_before`. Posts and their audit trail
    are never deleted (they are the record of what was published and who decided)."""
    from sqlalchemy import delete

    from storage.models import Alert

    finished = select(Post.id).where(
        col(Post.status).in_(["published", "failed", "rejected"]),
        col(Post.updated_at) < steps_before,
    )
    steps = session.execute(delete(PostStep).where(col(PostStep.post_id).in_(finished)))
    alerts = session.execute(
        delete(Alert).where(
            col(Alert.resolved_at).is_not(None), col(Alert.resolved_at) < alerts_before
        )
    )
    return int(steps.rowcount or 0), int(alerts.rowcount or 0)  # type: ignore[attr-defined]
