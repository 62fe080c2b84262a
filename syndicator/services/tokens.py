"""Channel tokens: can each enabled channel publish, and refreshing the tokens that rotate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from connectors.base import ConnectorError, Health, RefreshesTokens

if TYPE_CHECKING:
    from syndicator.app import App


@dataclass(frozen=True)
class TokenStatus:
    channel: str
    ok: bool
    detail: str  # one line: what is wrong and how to fix it
    expires_at: datetime | None
    missing_permissions: tuple[str, ...]


@dataclass(frozen=True)
class Refreshed:
    channel: str
    error: str | None = None  # None: refreshed

    @property
    def ok(self) -> bool:
        return self.error is None


def token_status(app: App) -> list[TokenStatus]:
    """Every enabled channel's token, by channel name (asks each platform)."""
    connectors, missing = app.connectors()
    report: dict[str, Health] = {name: Health(False, why) for name, why in missing.items()}
    for name, connector in connectors.items():
        try:
            report[name] = connector.check()
        except ConnectorError as error:
            report[name] = Health(False, f"cannot check now: {error}")
    return [
        TokenStatus(name, h.ok, h.detail, h.expires_at, tuple(h.missing_permissions))
        for name, h in sorted(report.items())
    ]


def refresh_tokens(app: App) -> list[Refreshed]:
    """Refresh every channel whose tokens rotate (Zalo OA); others are left out."""
    connectors, _ = app.connectors()
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
