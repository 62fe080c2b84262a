"""The channels as an operator watches them: can each publish (its token), is it paused and
why, its last error; and lifting a pause by hand (`resume_channel`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import structlog
from pydantic import computed_field

from storage import posts as post_store
from storage import publishing as publish_store
from storage.admin_events import record_admin_event
from storage.session import reading, writing
from syndicator.errors import SyndicatorError
from syndicator.services.names import require_known
from syndicator.services.schemas import documented
from syndicator.services.tokens import TokenStatus, token_status

if TYPE_CHECKING:
    from syndicator.app import App

log = structlog.get_logger("syndicator.services.channels")

# How long the channels page shows a token check before asking the platforms again.
TOKEN_CHECK_AGE = timedelta(minutes=5)


@documented
@dataclass(frozen=True)
class ChannelRow:
    """One channel: its token, whether it is paused and why, its last error."""

    name: str
    type: str
    enabled: bool
    token: TokenStatus | None
    """Null for a disabled channel: nobody asked the platform."""
    paused_since: datetime | None
    paused_until: datetime | None
    """Null while paused until a person acts."""
    pause_reason: str | None
    last_error: str | None
    last_error_at: datetime | None

    @computed_field  # type: ignore[prop-decorator]  # in the API's answers (schemas.py)
    @property
    def paused(self) -> bool:
        """Paused: the channel publishes nothing until `paused_until`, or until a person acts."""
        return self.paused_since is not None


class ChannelNotPaused(SyndicatorError):
    """Resuming a channel that is not paused."""


def channel_report(app: App, fresh: bool = False) -> list[ChannelRow]:
    """Every configured channel by name: token, pause, last error. The tokens as each enabled
    platform answered in the last TOKEN_CHECK_AGE, unless `fresh` (then they are asked now)."""
    tokens = {s.channel: s for s in token_status(app, None if fresh else TOKEN_CHECK_AGE)}
    rows = []
    with reading(app.migrated_engine()) as session:
        for name, settings in sorted(app.settings.channels.items()):
            pause = publish_store.pause_of(session, name)
            error = post_store.last_error_on(session, name)
            rows.append(
                ChannelRow(
                    name=name,
                    type=str(getattr(settings, "type", name)),
                    enabled=settings.enabled,
                    token=tokens.get(name),
                    paused_since=pause.since if pause else None,
                    paused_until=pause.until if pause else None,
                    pause_reason=pause.reason if pause else None,
                    last_error=error[0] if error else None,
                    last_error_at=error[1] if error else None,
                )
            )
    return rows


def resume_channel(app: App, name: str, by: str) -> None:
    """Lift the channel's pause now, and forget its throttles in a row (UnknownName,
    ChannelNotPaused). Posts go out again at the next publishing pass; a cause that remains
    (a bad token, throttling) pauses it again."""
    require_known("channel", name, app.settings.channels)
    with writing(app.migrated_engine()) as session:
        pause = publish_store.pause_of(session, name)
        if pause is None:
            raise ChannelNotPaused(f"channel {name!r} is not paused")
        reason, until = pause.reason, pause.until
        publish_store.clear_pause(session, name)
        detail = f"paused: {reason}"
        record_admin_event(session, app.clock.now(), by, "channel_resume", name, detail)
    log.info("channel.resumed", channel=name, by=by, reason=reason, until=until)
