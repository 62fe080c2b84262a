"""The audit trail of actions that are not about a post: who added, changed or disabled a
user, created the first admin, made or revoked an API token, resumed a channel. Read by the
`/audit` page and `syndicator audit`, newest first, filtered, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from storage import admin_events as store
from storage import users as user_store
from storage.models import AdminEvent
from storage.session import reading
from storage.states import AdminAction as AdminAction
from syndicator.errors import SyndicatorError
from syndicator.services.user_rules import name_key, normalized_name

if TYPE_CHECKING:
    from sqlmodel import Session

    from syndicator.app import App

PAGE = 50
ADMIN_ACTIONS: tuple[str, ...] = tuple(str(action) for action in AdminAction)  # as stored


class UnknownAction(SyndicatorError):
    """An action filter that names no admin action (a usage error at the front end)."""

    def __init__(self, action: str) -> None:
        super().__init__(f"unknown action {action!r}; known actions: {', '.join(ADMIN_ACTIONS)}")


@dataclass(frozen=True)
class AdminEventRow:
    """One admin action as listed (never a password or a token)."""

    id: int
    at: datetime
    actor: str
    action: str
    subject: str
    detail: str | None


@dataclass(frozen=True)
class AuditFilter:
    """Which admin actions to list; None (or a blank actor) is no filter."""

    actor: str | None = None  # a user's name as signing in reads it (case, spaces aside)
    action: str | None = None  # one of ADMIN_ACTIONS
    within: timedelta | None = None  # only actions at most this old (`--since 1h`)


@dataclass(frozen=True)
class AuditPage:
    """A page of admin actions, newest first, and where the next page starts."""

    rows: tuple[AdminEventRow, ...]
    older: int | None  # the next page's `before` (the last row's id); None on the last page


def admin_events(
    app: App, chosen: AuditFilter | None = None, limit: int = PAGE, before: int | None = None
) -> AuditPage:
    """Up to `limit` admin actions matching `chosen`, newest first (ties on the time by id);
    with `before` (the `older` of the page before), the next page. UnknownAction: `chosen`
    names no admin action."""
    chosen = chosen or AuditFilter()
    if chosen.action is not None and chosen.action not in ADMIN_ACTIONS:
        raise UnknownAction(chosen.action)
    since = None if chosen.within is None else app.clock.now() - chosen.within
    with reading(app.migrated_engine()) as session:
        found = store.admin_events_page(
            session,
            limit + 1,  # one more tells whether there is a next page
            actor=_actor_as_stored(session, chosen.actor),
            action=chosen.action,
            since=since,
            before_id=before,
        )
    rows = tuple(_row(event) for event in found[:limit])
    return AuditPage(rows, rows[-1].id if len(found) > limit else None)


def recent_admin_events(app: App, limit: int = 100) -> list[AdminEventRow]:
    """The newest `limit` admin actions, newest first."""
    return list(admin_events(app, limit=limit).rows)


def admin_event_actors(app: App) -> list[str]:
    """Everyone who has done an admin action (users' names, "shell"), for a filter's choices."""
    with reading(app.migrated_engine()) as session:
        return store.admin_event_actors(session)


def _actor_as_stored(session: Session, actor: str | None) -> str | None:
    """The actor as events name them: a user's name as written ("an" finds "An"), else the
    text given, spaces normalized ("shell")."""
    if actor is None or not actor.strip():
        return None
    user = user_store.by_key(session, name_key(actor))
    return user.name if user is not None else normalized_name(actor)


def _row(event: AdminEvent) -> AdminEventRow:
    return AdminEventRow(
        id=event.id or 0,
        at=event.at,
        actor=event.actor,
        action=event.action,
        subject=event.subject,
        detail=event.detail,
    )
