"""Admin events: the audit trail of actions that are not about a post (users, API tokens,
channels). Written in the caller's transaction, beside the change each describes."""

from __future__ import annotations

from datetime import datetime

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
    query = select(AdminEvent).order_by(col(AdminEvent.at).desc(), col(AdminEvent.id).desc())
    return list(session.exec(query.limit(limit)).all())
