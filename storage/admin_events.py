"""Admin events: the audit trail of actions that are not about a post (users, API tokens,
channels). Written in the caller's transaction, beside the change each describes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import Session, col, select

from storage.models import AdminEvent

# The columns' lengths (storage/models.py): a longer value is cut, never refused, so a long
# token label cannot undo the change it describes on PostgreSQL.
ACTOR_MAX, SUBJECT_MAX, DETAIL_MAX = 64, 200, 500


def record_admin_event(
    session: Session,
    at: datetime,
    actor: str,
    action: str,
    subject: str,
    detail: str | None = None,
) -> None:
    """Write one admin event (in the caller's transaction)."""
    session.add(
        AdminEvent(
            at=at,
            actor=actor[:ACTOR_MAX],
            action=action,
            subject=subject[:SUBJECT_MAX],
            detail=None if detail is None else detail[:DETAIL_MAX],
        )
    )


def recent_admin_events(session: Session, limit: int) -> list[AdminEvent]:
    """The newest `limit` admin events, newest first."""
    return admin_events_page(session, limit)


def admin_events_page(
    session: Session,
    limit: int,
    *,
    actor: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
    before_id: int | None = None,
) -> list[AdminEvent]:
    """Up to `limit` admin events, newest first (ties on `at` by id), by `actor`, of `action`,
    at or after `since`; with `before_id`, those after that event in this order (the next page:
    a keyset, so a page costs the same however deep, and a new event does not shift the pages)."""
    query = select(AdminEvent)
    if actor is not None:
        query = query.where(col(AdminEvent.actor) == actor)
    if action is not None:
        query = query.where(col(AdminEvent.action) == action)
    if since is not None:
        query = query.where(col(AdminEvent.at) >= since)
    if before_id is not None:
        query = query.where(_after(session, before_id))
    query = query.order_by(col(AdminEvent.at).desc(), col(AdminEvent.id).desc()).limit(limit)
    return list(session.exec(query).all())


def _after(session: Session, event_id: int) -> ColumnElement[bool]:
    """Events after `event_id` in newest-first order: older, or as old with a smaller id."""
    moment = session.exec(select(AdminEvent.at).where(col(AdminEvent.id) == event_id)).first()
    if moment is None:  # no such event (a hand-edited link): by id alone
        return col(AdminEvent.id) < event_id
    return or_(
        col(AdminEvent.at) < moment,
        and_(col(AdminEvent.at) == moment, col(AdminEvent.id) < event_id),
    )


def admin_event_actors(session: Session) -> list[str]:
    """Everyone who has done an admin action, in name order (a few admins and "shell")."""
    query = select(AdminEvent.actor).distinct().order_by(col(AdminEvent.actor))
    return list(session.exec(query).all())
