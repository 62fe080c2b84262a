"""The one contract every connector keeps (DESIGN.md, "Connector contract").

A connector knows its platform and nothing about feeds, posts' states or the database: it gets
an OutgoingPost, answers Published or raises one of the classified errors below. Anything it
must remember between runs (Zalo's rotating tokens, a step's result) goes through the small
store interfaces here, implemented in storage/ and wired by the domain.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from urllib.parse import urlsplit


@dataclass(frozen=True, slots=True)
class OutgoingPost:
    """What a platform needs to publish one post."""

    post_id: int
    text: str  # Facebook message; Zalo body as plain text
    link: str | None = None  # the article's URL (Facebook link; dedup marker)
    title: str = ""  # Zalo
    author: str = ""  # Zalo
    description: str = ""  # Zalo
    cover: str | None = None  # Zalo cover; Facebook photo for photo posts
    body: tuple[dict[str, str], ...] = ()  # Zalo body blocks
    photo: bool = False  # Facebook: post as a photo with caption
    claimed_at: datetime | None = None  # when this attempt began (find_existing window)


@dataclass(frozen=True, slots=True)
class Published:
    remote_id: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Health:
    """What `tokens status` shows for one channel."""

    ok: bool
    detail: str  # one line: what is wrong and how to fix it
    expires_at: datetime | None = None
    missing_permissions: tuple[str, ...] = ()


class ConnectorError(Exception):
    """Base of the classified errors; the message is safe to show (no tokens in it)."""


class Transient(ConnectorError):
    """Try again later (5xx, timeouts before sending, platform hiccups)."""


@dataclass
class RateLimited(ConnectorError):
    """The platform asks us to wait: pause the channel. `retry_after` is the platform's own
    estimate when it gives one (0 included: "access is back"), else None, and the publisher
    picks a short pause that grows while throttling goes on."""

    message: str
    retry_after: timedelta | None = None

    def __str__(self) -> str:
        return self.message


class PolicyBlocked(RateLimited):
    """The platform blocked posting (Facebook 368): pause for hours and alert a person."""


class AuthProblem(ConnectorError):
    """The token is invalid, expired or lacks a permission: pause the channel, alert, keep posts."""


class Rejected(ConnectorError):
    """The platform refused this post for good: it goes to `failed` with this message."""


class Ambiguous(ConnectorError):
    """The request may have been carried out (timeout or reset after sending, 5xx): reconcile
    with find_existing before sending anything again."""


class Contradictory(ConnectorError):
    """find_existing got answers that contradict each other (two posts match one attempt, or a
    match other than the one on record): no retry can settle it, a person must look."""


def redirect_refused(who: str, status: int, location: str | None, setting: str) -> AuthProblem:
    """A platform API answered 3xx. Never followed: the request carries the token or the app
    secret, and a redirect would hand them to whatever host it names. A platform API does not
    redirect, so the base URL in `setting` is wrong (or intercepted): pause for a person."""
    host = urlsplit(location or "").hostname  # the host only: the rest may echo our query
    where = f" to {host}" if host else ""
    return AuthProblem(
        f"{who} answered HTTP {status} (a redirect{where}); API calls never follow redirects, "
        f"so nothing was sent on: check {setting}"
    )


class Connector(Protocol):
    """publish / find_existing / check, as DESIGN.md says."""

    def publish(self, post: OutgoingPost) -> Published: ...

    def find_existing(self, post: OutgoingPost) -> Published | None: ...

    def check(self) -> Health: ...


class StepStore(Protocol):
    """Results of a multi-step publish (Zalo: create token, article id), kept per post."""

    def load(self, post_id: int) -> dict[str, str]: ...

    def save(self, post_id: int, step: str, value: str) -> None: ...
