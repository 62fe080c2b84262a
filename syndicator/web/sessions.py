"""The session: a signed cookie saying who is signed in, the form token, and two times.

Nothing is stored on the server: the cookie is signed with a key derived from the master key,
so it cannot be forged or altered, and it ends 30 minutes after the last request or 12 hours
after sign-in, whichever comes first (times from the App's clock).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer

COOKIE = "syndicator_session"
IDLE = timedelta(minutes=30)
ABSOLUTE = timedelta(hours=12)


@dataclass(frozen=True)
class Session:
    csrf: str  # the token every form of this session carries
    started: datetime
    seen: datetime
    user_id: int | None = None
    expired: bool = False  # a signed-in session ran out just now (the login page says so)


def anonymous(now: datetime, expired: bool = False) -> Session:
    return Session(secrets.token_urlsafe(32), now, now, None, expired)


def signed_in(user_id: int, now: datetime) -> Session:
    """A new session for a user who just proved who they are: a new form token, so a token
    seen before sign-in is worth nothing after."""
    return replace(anonymous(now), user_id=user_id)


def is_over(session: Session, now: datetime) -> bool:
    """Idle past 30 minutes, or started more than 12 hours ago (exactly at either: still on)."""
    return now - session.seen > IDLE or now - session.started > ABSOLUTE


class SessionCodec:
    """Turns a session into a signed cookie value and back."""

    def __init__(self, key: bytes) -> None:
        self._serializer = URLSafeSerializer(key, salt="syndicator.session")

    def dump(self, session: Session) -> str:
        return self._serializer.dumps(
            {
                "u": session.user_id,
                "c": session.csrf,
                "s": session.started.timestamp(),
                "t": session.seen.timestamp(),
            }
        )

    def load(self, cookie: str | None, now: datetime) -> Session:
        """The cookie's session, seen now; a new anonymous one for no cookie, a forged or
        damaged one, or one that is over."""
        if not cookie:
            return anonymous(now)
        try:
            session = _session(self._serializer.loads(cookie))
        except (BadSignature, KeyError, TypeError, ValueError, OverflowError):
            return anonymous(now)
        if is_over(session, now):
            return anonymous(now, expired=session.user_id is not None)
        return replace(session, seen=now)


def _session(data: Any) -> Session:
    user_id = data["u"]
    if not (user_id is None or isinstance(user_id, int)) or not isinstance(data["c"], str):
        raise TypeError("malformed session")
    started = datetime.fromtimestamp(float(data["s"]), UTC)
    seen = datetime.fromtimestamp(float(data["t"]), UTC)
    return Session(data["c"], started, seen, user_id)
