"""What needs a person (paused channels, expiring tokens, broken feeds, posts whose outcome
could not be told): the list, and closing one by hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from storage import alerts as alert_store
from storage.models import Alert
from storage.session import reading, writing
from syndicator.errors import SyndicatorError

if TYPE_CHECKING:
    from syndicator.app import App


@dataclass(frozen=True)
class AlertRow:
    id: int
    key: str  # "channel_paused:facebook", "needs_attention:123"
    kind: str
    subject: str
    detail: str
    opened_at: datetime
    resolved_at: datetime | None
    notified_at: datetime | None

    @property
    def open(self) -> bool:
        return self.resolved_at is None


class AlertNotFound(SyndicatorError):
    """No alert has that id."""


def list_alerts(app: App, open_only: bool = False) -> list[AlertRow]:
    """Alerts, newest first (the daemon raises and resolves them every minute)."""
    with reading(app.migrated_engine()) as session:
        return [_row(alert) for alert in alert_store.recent(session, open_only=open_only)]


def resolve(app: App, alert_id: int) -> AlertRow:
    """Close an open alert now (AlertNotFound). A condition that still holds opens a new one
    at the daemon's next check: closing says "seen", it does not fix anything."""
    with writing(app.migrated_engine()) as session:
        alert = session.get(Alert, alert_id)
        if alert is None:
            raise AlertNotFound(f"no alert {alert_id}; `syndicator alerts` shows the ids")
        if alert.resolved_at is None:
            alert.resolved_at = app.clock.now()
            session.add(alert)
            session.flush()
        return _row(alert)


def _row(alert: Alert) -> AlertRow:
    return AlertRow(
        id=alert.id or 0,
        key=alert.key,
        kind=alert.kind,
        subject=alert.subject,
        detail=alert.detail,
        opened_at=alert.opened_at,
        resolved_at=alert.resolved_at,
        notified_at=alert.notified_at,
    )
