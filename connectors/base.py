"""The one contract every connector keeps (DESIGN.md, "Connector contract").

A connector knows its platform and nothing about feeds, posts' states or the database: it gets
an OutgoingPost, answers Published or raises one of the classified errors below. Anything it
must remember between runs (Zalo's rotating tokens, a step's result) goes through the small
store interfaces here, implemented in storage/ and wired by the domain.

A channel kind (ChannelKind) is what one platform's package offers the core: its settings model,
text limits, rendering fix-ups, preview, and how to build its connector. connectors/registry.py
maps a channel's `type` to its kind, so the core never names a platform.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable
from urllib.parse import urlsplit

if TYPE_CHECKING:  # kept out of the import: a start that builds no connector needs neither
    import requests

    from connectors.rendering import Rendered, RenderInput, TextTools
    from connectors.settings import ChannelSettings


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


@runtime_checkable
class RefreshesTokens(Protocol):
    """A connector whose access token rotates (Zalo's OAuth pair). The daemon keeps it fresh;
    `tokens refresh` forces a refresh. Connectors with long-lived tokens do not implement it."""

    def refresh_if_due(self) -> None:
        """Refresh when the token expires within the connector's margin, else do nothing."""
        ...

    def refresh_now(self) -> None:
        """Refresh now, whatever the expiry."""
        ...


# The counters a platform may give for a published post, in the order reports show them (the
# columns of storage's post_reach). Facebook's "impressions" are its post views since Meta
# replaced impressions by views (2025-11-15); "views" are Zalo's article views.
METRICS = ("reactions", "comments", "shares", "impressions", "clicks", "views")


@dataclass(frozen=True, slots=True)
class Engagement:
    """A published post's counters as its platform gives them now. None is "the platform did
    not say" (not asked, not a metric of this platform, refused), never 0."""

    reactions: int | None = None
    comments: int | None = None
    shares: int | None = None
    impressions: int | None = None
    clicks: int | None = None
    views: int | None = None
    # metric -> why, for the metrics the platform refused for this channel (a permission not
    # granted, a metric it no longer offers): asking again at the next post would fail alike.
    refused: dict[str, str] = field(default_factory=dict)

    def counters(self) -> dict[str, int | None]:
        """The six counters by name (METRICS)."""
        return {name: getattr(self, name) for name in METRICS}


@runtime_checkable
class ReadsEngagement(Protocol):
    """A connector that can read a published post's counters (issue #14). Optional: a channel
    whose connector does not implement it (the sandbox) has no counters, all unknown."""

    def engagement(self, remote_id: str, metrics: frozenset[str]) -> Engagement:
        """The counters of the post `remote_id` (Published.remote_id) among `metrics` (names of
        METRICS); raises RateLimited (also to yield to publishing), AuthProblem, Transient, or
        Rejected when the platform refuses this post (deleted)."""
        ...


class ChannelUnavailable(Exception):
    """A kind cannot build this channel's connector until the operator acts (no Page token):
    the channel is reported as missing and the others still run. The message says the fix."""


class SettingsProblem(Exception):
    """The channel's settings cannot work (no Zalo app secret): start-up stops with this one
    line, which names the key and the fix."""


# Builds the channel's token store from the kind's pair constructor (access token, refresh
# token, access expiry); the store is the kind's own protocol, so it is typed loosely here.
TokenStoreFactory = Callable[[Callable[[str, str, datetime], Any]], Any]


@dataclass(frozen=True, slots=True)
class Wiring:
    """What the composition root hands a kind to build one channel's connector."""

    channel: str  # the channel's name: in messages, logs and environment variable names
    session: requests.Session
    clock: Callable[[], datetime]
    timeout: float  # seconds, per request
    resolve_path: Callable[[str], Path]  # a path from the settings, relative to their folder
    token_store: TokenStoreFactory
    step_store: Callable[[], StepStore]
    # The post as a page of its own, drawn as the admin page previews it on this channel (the
    # sandbox's HTML file); None: the kind writes a plain page of its own.
    preview_page: Callable[[OutgoingPost], str] | None = None


class ChannelKind(Protocol):
    """One platform as the core sees it, found by a channel's `type` in connectors/registry.py."""

    @property
    def type(self) -> str:
        """The `type` of [channels.NAME]: "facebook"."""
        ...

    @property
    def settings_model(self) -> builtins.type[ChannelSettings]:
        """The model of the channel's table (its own keys, `type` narrowed to this kind)."""
        ...

    @property
    def limits(self) -> Mapping[str, int | None]:
        """A post's fields an editor may write ("text" always; Zalo also "title", …) and their
        maximum in NFC characters (None: no known limit)."""
        ...

    @property
    def token_lifetime(self) -> timedelta | None:
        """How long a stored refresh token lives after its last rotation (alerts warn before
        it ends); None when the kind stores no tokens."""
        ...

    def build(self, settings: ChannelSettings, wiring: Wiring) -> Connector:
        """The channel's connector; raises ChannelUnavailable or SettingsProblem."""
        ...

    def shape(
        self, item: RenderInput, output: str, default_image: str | None, tools: TextTools
    ) -> Rendered:
        """The post for this platform from the template's `output` ('' after a template error)
        and the item: fitted to the limits, with the parts the platform builds in code."""
        ...

    def with_text(self, rendered: Rendered, text: str) -> Rendered:
        """The rendering with an editor's text in place of the template's."""
        ...

    def preview(self, rendered: Rendered) -> tuple[tuple[str, str], ...]:
        """What review screens show of the post beyond its text and link: the platform's own
        fields as (Vietnamese label, value), in order; () for a plain message."""
        ...
