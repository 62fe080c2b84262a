"""Queries of the publisher: claims with leases, stale claims, channel pauses, step results.

A claim is (post id, worker id, the post's version while it holds). Taking it over, renewing
its lease and settling it are each one conditional UPDATE on all three, so a worker whose lease
ran out and was taken over can change nothing any more.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, update
from sqlmodel import Session, col, select

from storage.models import AuditEvent, ChannelPause, Post, PostStep
from storage.posts import moved
from storage.session import reading, writing
from storage.states import AWAITING_RECONCILE, IllegalTransition, Move, PostAction, PostStatus

__all__ = ["AWAITING_RECONCILE"]  # re-exported: the claim holder of an unknown outcome

PUBLISHING = PostStatus.PUBLISHING
CLAIM = PostAction.CLAIM


def stale_claims(session: Session, channel: str, now: datetime) -> list[Post]:
    """Posts left in `publishing` whose lease ran out: a crash, a timeout, an unknown outcome."""
    query = select(Post).where(
        col(Post.channel) == channel,
        col(Post.status) == PUBLISHING,
        col(Post.claim_expires_at) <= now,
    )
    return list(session.exec(query))


def _claimed(post_id: int, worker: str, version: int) -> Any:
    return (
        (col(Post.id) == post_id)
        & (col(Post.version) == version)
        & (col(Post.status) == PUBLISHING)
        & (col(Post.claimed_by) == worker)
    )


def settle(
    session: Session, post_id: int, worker: str, version: int, move: Move, changes: dict[str, Any]
) -> bool:
    """Apply `move` out of `publishing` with `changes` (bumping the version) only while `worker`
    still holds the claim. A move the table does not allow raises IllegalTransition first."""
    if move.source != PUBLISHING:
        raise IllegalTransition(f"post {post_id}: a claim settles out of {PUBLISHING} only")
    values = changes | {"status": moved(move, changes), "version": version + 1}
    query = update(Post).where(_claimed(post_id, worker, version))
    changed: int = session.execute(query.values(**values)).rowcount  # type: ignore[attr-defined]
    return changed == 1


def renew(session: Session, post_id: int, worker: str, version: int, until: datetime) -> bool:
    """Extend the lease of a claim still held; the version stays (it is the same claim)."""
    query = update(Post).where(_claimed(post_id, worker, version))
    changed: int = session.execute(query.values(claim_expires_at=until)).rowcount  # type: ignore[attr-defined]
    return changed == 1


def take_over(
    session: Session, post_id: int, version: int, worker: str, until: datetime, now: datetime
) -> bool:
    """Claim a post left in `publishing` whose lease has ended, as seen at `version`."""
    query = (
        update(Post)
        .where(
            col(Post.id) == post_id,
            col(Post.version) == version,
            col(Post.status) == PUBLISHING,
            col(Post.claim_expires_at) <= now,
        )
        .values(claimed_by=worker, claim_expires_at=until, version=version + 1)
    )
    changed: int = session.execute(query).rowcount  # type: ignore[attr-defined]
    return changed == 1


def attempt_started(session: Session, post_id: int) -> datetime | None:
    """When the post's latest attempt began: the time of its latest claim (the audit trail)."""
    query = select(func.max(AuditEvent.at)).where(
        col(AuditEvent.post_id) == post_id, col(AuditEvent.action) == CLAIM
    )
    started: datetime | None = session.exec(query).one()
    return started


def unsettled_since(session: Session, channel: str) -> datetime | None:
    """When the oldest attempt on the channel whose outcome is not settled yet (a post still
    in `publishing`) began, or None."""
    latest_claims = (
        select(func.max(AuditEvent.at))
        .join(Post, col(Post.id) == col(AuditEvent.post_id))
        .where(
            col(Post.channel) == channel,
            col(Post.status) == PUBLISHING,
            col(AuditEvent.action) == CLAIM,
        )
        .group_by(col(AuditEvent.post_id))
    )
    return min(session.exec(latest_claims), default=None)


def claims_since(session: Session, channel: str, since: datetime) -> int:
    """Attempts (claims) on the channel from `since` on: each may have put a post on it."""
    query = (
        select(func.count())
        .select_from(AuditEvent)
        .join(Post, col(Post.id) == col(AuditEvent.post_id))
        .where(
            col(Post.channel) == channel,
            col(AuditEvent.action) == CLAIM,
            col(AuditEvent.at) >= since,
        )
    )
    return int(session.exec(query).one())


def events_since(session: Session, post_id: int, action: str, since: datetime) -> list[datetime]:
    """When the post's audit trail records `action` from `since` on, oldest first."""
    query = (
        select(AuditEvent.at)
        .where(
            col(AuditEvent.post_id) == post_id,
            col(AuditEvent.action) == action,
            col(AuditEvent.at) >= since,
        )
        .order_by(col(AuditEvent.at))
    )
    return list(session.exec(query))


def pause_of(session: Session, channel: str) -> ChannelPause | None:
    return session.get(ChannelPause, channel)


def strikes_of(session: Session, channel: str) -> int:
    """Throttles in a row on the channel since its last success."""
    pause = session.get(ChannelPause, channel)
    return pause.strikes if pause is not None else 0


def set_pause(
    session: Session,
    channel: str,
    until: datetime | None,
    reason: str,
    now: datetime,
    strikes: int | None = None,
) -> None:
    """Pause the channel until `until` (None: until a person fixes it); `strikes` None keeps
    the count of throttles in a row as it is."""
    pause = session.get(ChannelPause, channel) or ChannelPause(
        channel=channel, reason=reason, since=now
    )
    pause.until, pause.reason, pause.since = until, reason, now
    if strikes is not None:
        pause.strikes = strikes
    session.add(pause)


def end_throttling(session: Session, channel: str, now: datetime) -> None:
    """A success: forget a timed pause that is over, and with it the throttles in a row."""
    pause = session.get(ChannelPause, channel)
    if pause is not None and pause.until is not None and pause.until <= now:
        session.delete(pause)


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
        col(Post.status).in_([PostStatus.PUBLISHED, PostStatus.FAILED, PostStatus.REJECTED]),
        col(Post.updated_at) < steps_before,
    )
    steps = session.execute(delete(PostStep).where(col(PostStep.post_id).in_(finished)))
    alerts = session.execute(
        delete(Alert).where(
            col(Alert.resolved_at).is_not(None), col(Alert.resolved_at) < alerts_before
        )
    )
    return int(steps.rowcount or 0), int(alerts.rowcount or 0)  # type: ignore[attr-defined]
