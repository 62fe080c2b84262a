"""The audit trail of actions that are not about a post: who added, changed or disabled a
user, created the first admin, made or revoked an API token, resumed a channel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from storage import admin_events as store
from storage.session import reading

if TYPE_CHECKING:
    from syndicator.app import App


@dataclass(frozen=True)
class AdminEventRow:
    """One admin action as listed (never a password or a token)."""

    at: datetime
    actor: str
    action: str
    subject: str
    detail: str | None


def recent_admin_events(app: App, limit: int = 100) -> list[AdminEventRow]:
    """The newest `limit` admin actions, newest first."""
    with reading(app.migrated_engine()) as session:
        rows = store.recent_admin_events(session, limit)
        return [
            AdminEventRow(
                at=r.at, actor=r.actor, action=r.action, subject=r.subject, detail=r.detail
            )
            for r in rows
        ]
