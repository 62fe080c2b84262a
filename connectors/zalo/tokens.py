"""Zalo OA OAuth v4: the rotating token pair, the store it lives in, and the single-use refresh.

The refresh token is single use: a successful refresh invalidates it (and the old access token)
and returns a new pair, so a lost answer can cost a browser re-consent (research/zalo-oa.md §1).
Hence: one refresh at a time (the store's lock, held across the whole HTTP exchange), the store
re-read inside the lock, and an answer without both tokens never overwriting the stored pair.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

import requests
import structlog

from connectors.base import AuthProblem, Transient, redirect_refused
from connectors.zalo.limits import ACCESS_TOKEN_LIFETIME

log = structlog.get_logger("connectors.zalo")

OAUTH_PATH = "/v4/oa/access_token"


@dataclass(frozen=True)
class TokenPair:
    """An OA access token and the refresh token issued with it (secrets: never in repr)."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_at: datetime  # of the access token, aware UTC
    issued_at: datetime | None = None  # when the pair was issued, if known (refresh token age)


class TokenStore(Protocol):
    """Where the current pair lives (storage/ implements it, encrypted; tests in memory)."""

    def current(self) -> TokenPair | None:
        """The pair in use, or None before the operator seeded one."""
        ...

    def refreshing(self) -> AbstractContextManager[None]:
        """An exclusive lock across processes, held for a whole refresh; it must outlive the
        HTTP timeout (a lease shorter than the request let two workers spend one token)."""
        ...

    def seed(self, pair: TokenPair) -> bool:
        """Store a first pair (from the operator's refresh token) unless one is stored; say
        whether it was stored."""
        ...

    def replace(self, old_refresh_token: str, new: TokenPair) -> None:
        """Atomically retire the pair holding `old_refresh_token` and store `new`; raise
        LookupError (a builtin, so storage/ need not import connectors/) when that pair is no
        longer current."""
        ...


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with every secret replaced by ***, for messages that quote a platform."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def seed_detail(channel: str) -> str:
    """What to do when no pair is stored yet."""
    return (
        f"no Zalo token: set SYNDICATOR_CHANNELS__{channel.upper()}__REFRESH_TOKEN once "
        "(API Explorer → OA Access Token); the database keeps the rotating pair afterwards"
    )


class ZaloTokens:
    """Hands out a fresh access token, refreshing through the store's lock when it is due."""

    def __init__(
        self,
        session: requests.Session,
        *,
        oauth_url: str,
        app_id: str,
        app_secret: str,
        store: TokenStore,
        clock: Callable[[], datetime],
        timeout: float,
        margin: timedelta,
        channel: str = "zalo",
    ) -> None:
        self._session, self._url = session, oauth_url.rstrip("/") + OAUTH_PATH
        self._app_id, self._app_secret = app_id, app_secret
        self._store, self._clock = store, clock
        self._timeout, self._margin, self.channel = timeout, margin, channel

    def __repr__(self) -> str:
        return f"ZaloTokens(url={self._url!r}, app_id={self._app_id!r})"

    def stored(self) -> TokenPair | None:
        return self._store.current()

    def access_token(self) -> str:
        """The stored access token, refreshed first when it expires within the margin."""
        pair = self._store.current()
        if pair is None:
            raise AuthProblem(seed_detail(self.channel))
        if self._due(pair):
            pair = self._refresh(unless=lambda fresh: not self._due(fresh))
        return pair.access_token

    def refresh(self) -> TokenPair:
        """Refresh now, whatever the expiry (the `tokens refresh` command)."""
        return self._refresh(unless=lambda fresh: False)

    def refresh_rejected(self, rejected: str) -> str:
        """A new access token after Zalo refused `rejected` (unless another worker already
        replaced it)."""
        return self._refresh(unless=lambda fresh: fresh.access_token != rejected).access_token

    def secrets(self) -> tuple[str, ...]:
        pair = self._store.current()
        held = (pair.access_token, pair.refresh_token) if pair else ()
        return (self._app_secret, *held)

    def _due(self, pair: TokenPair) -> bool:
        return pair.expires_at - self._clock() < self._margin

    def _refresh(self, unless: Callable[[TokenPair], bool]) -> TokenPair:
        with self._store.refreshing():
            pair = self._store.current()
            if pair is None:
                raise AuthProblem(seed_detail(self.channel))
            if unless(pair):
                return pair  # another worker refreshed while we waited for the lock
            new = self._exchange(pair.refresh_token)
            try:
                self._store.replace(pair.refresh_token, new)
            except LookupError:
                log.error("token.refresh_conflict", status="conflict", channel=self.channel)
                raise Transient(
                    "Zalo token store changed during a refresh (not under its lock?); "
                    "the stored pair is used from now on"
                ) from None
        log.info(
            "token.refreshed",
            status="ok",
            channel=self.channel,
            expires_at=new.expires_at.isoformat(),
        )
        return new

    def _exchange(self, refresh_token: str) -> TokenPair:
        form = {
            "refresh_token": refresh_token,
            "app_id": self._app_id,
            "grant_type": "refresh_token",
        }
        try:
            response = self._session.post(
                self._url,
                data=form,
                headers={"secret_key": self._app_secret},
                timeout=self._timeout,
                allow_redirects=False,  # a redirect would carry the secret and the refresh token
            )
        except requests.RequestException as exc:
            raise self._in_doubt(type(exc).__name__) from None
        if 300 <= response.status_code < 400:
            log.error("token.refresh_refused", status="redirect", channel=self.channel)
            raise redirect_refused(
                "Zalo OAuth",
                response.status_code,
                response.headers.get("Location"),
                f"channels.{self.channel}.oauth_url; the stored pair is kept",
            )
        if response.status_code >= 500:
            raise self._in_doubt(f"HTTP {response.status_code}")
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            if response.status_code == 200:
                raise self._in_doubt("an answer that is not JSON")
            body = {"error_name": f"HTTP {response.status_code}"}
        return self._pair_from(body, (refresh_token,))

    def _in_doubt(self, what: str) -> Transient:
        """The refresh may have reached Zalo and spent the token; keep the stored pair anyway:
        the next attempt retries with it, and if Zalo refuses, AuthProblem asks for re-consent."""
        log.warning("token.refresh_failed", status="in_doubt", channel=self.channel, error=what)
        return Transient(f"Zalo token refresh failed ({what}); the stored pair is kept")

    def _pair_from(self, body: dict[str, Any], used: tuple[str, ...]) -> TokenPair:
        access, refresh = body.get("access_token"), body.get("refresh_token")
        if not (isinstance(access, str) and access and isinstance(refresh, str) and refresh):
            raise AuthProblem(redact(self._refusal(body), (self._app_secret, *used)))
        now = self._clock()
        try:
            lifetime = timedelta(seconds=int(body.get("expires_in", "")))
        except (TypeError, ValueError):
            lifetime = ACCESS_TOKEN_LIFETIME
        return TokenPair(access, refresh, now + lifetime, issued_at=now)

    def _refusal(self, body: dict[str, Any]) -> str:
        name = body.get("error_name") or body.get("error") or "no access_token in the answer"
        description = body.get("error_description") or body.get("message") or ""
        reason = f" ({body['error_reason']})" if body.get("error_reason") else ""
        log.error("token.refresh_refused", status="refused", channel=self.channel, error=str(name))
        return (
            f"Zalo refused the token refresh: {name}: {description}{reason}"[:400]
            + "; the stored pair is kept. If the refresh token was used or is older than 3 months,"
            " re-consent the OA (API Explorer → OA Access Token) and set "
            f"SYNDICATOR_CHANNELS__{self.channel.upper()}__REFRESH_TOKEN once"
        )
