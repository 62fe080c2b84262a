"""Channel tokens: can each enabled channel publish, and refreshing the tokens that rotate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from connectors.base import ConnectorError, Health, RefreshesTokens
from syndicator.services.schemas import documented

if TYPE_CHECKING:
    from syndicator.app import App


@documented
@dataclass(frozen=True)
class TokenStatus:
    """Can the channel publish: its token as the platform sees it."""

    channel: str
    ok: bool
    detail: str
    """One line: what is wrong and how to fix it."""
    expires_at: datetime | None
    missing_permissions: tuple[str, ...]
    checked_at: datetime | None = None
    """When the platform was asked."""


@dataclass(frozen=True)
class Refreshed:
    channel: str
    error: str | None = None  # None: refreshed

    @property
    def ok(self) -> bool:
        return self.error is None


def token_status(app: App, max_age: timedelta | None = None) -> list[TokenStatus]:
    """Every enabled channel's token, by channel name. Asks each platform, unless this process
    asked less than `max_age` ago (a page read by several people a minute must not cost a
    call to every platform each time): then the answers of that check."""
    now = app.clock.now()
    kept: tuple[datetime, list[TokenStatus]] | None = app.kept.get(_KEPT)
    if max_age is not None and kept is not None and now - kept[0] < max_age:
        return kept[1]
    checked = _check_tokens(app, now)
    app.kept[_KEPT] = (now, checked)
    return checked


def _check_tokens(app: App, now: datetime) -> list[TokenStatus]:
    connectors, missing = app.connectors()
    report: dict[str, Health] = {name: Health(False, why) for name, why in missing.items()}
    for name, connector in connectors.items():
        try:
            report[name] = connector.check()
        except ConnectorError as error:
            report[name] = Health(False, f"cannot check now: {error}")
    return [
        TokenStatus(name, h.ok, h.detail, h.expires_at, tuple(h.missing_permissions), now)
        for name, h in sorted(report.items())
    ]


_KEPT = "tokens.checked"  # the App's kept entry: (when, what the platforms answered)


def refresh_tokens(app: App) -> list[Refreshed]:
    """Refresh every channel whose tokens rotate (Zalo OA); others are left out."""
    connectors, _ = app.connectors()
    app.kept.pop(_KEPT, None)  # the tokens change: the next status asks again
    done = []
    for name, connector in connectors.items():
        if not isinstance(connector, RefreshesTokens):
            continue  # its tokens do not rotate (a Page token is replaced, not refreshed)
        try:
            connector.refresh_now()
            done.append(Refreshed(name))
        except ConnectorError as error:
            done.append(Refreshed(name, str(error)))
    return done
