"""Publishing approved posts exactly once (DESIGN.md, "Delivery guarantee").

A post is claimed (approved → publishing, with a lease) and that claim is committed before any
request leaves. The outcome is then recorded in a second transaction. When the outcome is
unknown — a timeout or reset after sending, a 5xx, or a crash that left a claim behind — the
post stays in `publishing` until its lease ends, and is then reconciled with the platform's
find_existing: found → published; not found → approved again; cannot tell → needs_attention.
Nothing is ever sent twice blindly.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import structlog
from sqlalchemy import Engine
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from connectors.base import (
    Ambiguous,
    AuthProblem,
    Connector,
    ConnectorError,
    OutgoingPost,
    Published,
    RateLimited,
    Rejected,
    Transient,
)
from storage import posts as post_store
from storage import publishing as store
from storage.models import Post
from storage.session import reading, writing
from syndicator.clock import Clock
from syndicator.config import Settings
from syndicator.pacing import due
from syndicator.posts import APPROVED, FAILED, NEEDS_ATTENTION, PUBLISHED, PUBLISHING
from syndicator.render import Rendered
from syndicator.settings_models import PublishingSettings
from syndicator.slots import channel_queue, pacing_for

log = structlog.get_logger("syndicator.publish")
LADDER = (
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=1),
    timedelta(hours=3),
    timedelta(hours=6),
)
LEASE = PublishingSettings().lease  # the defaults; [publishing] in the settings may change them
VISIBILITY_DELAY = PublishingSettings().visibility_delay
ACTOR = "publisher"
RECONCILE = store.AWAITING_RECONCILE


@dataclass(frozen=True, slots=True)
class PublishOutcome:
    post_id: int
    channel: str
    status: str  # published | retry | failed | paused | needs_attention | unknown
    detail: str = ""


class Publisher:
    """One pass over due posts, per channel. Built by the composition root."""

    def __init__(
        self,
        engine: Engine,
        connectors: dict[str, Connector],
        settings: Settings,
        clock: Clock,
        worker: str = "publisher",
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.engine, self.connectors, self.settings = engine, connectors, settings
        self.clock, self.worker = clock, worker
        self.sleep = sleep  # tenacity's wait between in-run retries; tests pass a no-op

    def run_once(self, channel: str | None = None) -> list[PublishOutcome]:
        outcomes: list[PublishOutcome] = []
        for name in [channel] if channel else list(self.connectors):
            outcomes += self._channel(name)
        return outcomes

    def due_posts(self, channel: str) -> list[Post]:
        """Approved posts whose computed slot has come (what a pass would send now)."""
        now = self.clock.now()
        with reading(self.engine) as session:
            waiting = channel_queue(session, channel, now)
        pacing, tz = pacing_for(self.settings, channel), ZoneInfo(self.settings.timezone)
        return [waiting.posts[i] for i in due(waiting.queued, waiting.history, now, pacing, tz)]

    def _channel(self, channel: str) -> list[PublishOutcome]:
        connector = self.connectors[channel]
        outcomes = [self._reconcile(connector, post) for post in self._stale(channel)]
        if self._awaiting_reconcile(channel) or self._paused(channel, connector):
            return outcomes
        for post in self.due_posts(channel):
            outcome = self._publish(connector, post)
            outcomes.append(outcome)
            if outcome.status in ("paused", "unknown"):
                # Nothing more goes out on this channel until the unknown outcome is settled:
                # posts sent meanwhile would push it out of the platform's recent listing.
                break
        return outcomes

    def _awaiting_reconcile(self, channel: str) -> bool:
        with reading(self.engine) as session:
            return store.awaiting_reconcile(session, channel)

    def _stale(self, channel: str) -> Sequence[Post]:
        with reading(self.engine) as session:
            return store.stale_claims(session, channel, self.clock.now())

    def _paused(self, channel: str, connector: Connector) -> bool:
        """A timed pause ends by itself; a pause for an auth problem ends once the token checks
        out again (the operator replaced it), so nobody has to resume the channel by hand."""
        now = self.clock.now()
        with reading(self.engine) as session:
            pause = store.pause_of(session, channel)
        if pause is None:
            return False
        if pause.until is not None and pause.until > now:
            return True
        if pause.until is None and not self._healthy(connector):
            return True
        with writing(self.engine) as session:
            store.clear_pause(session, channel)
        log.info("channel.resumed", channel=channel)
        return False

    @staticmethod
    def _healthy(connector: Connector) -> bool:
        try:
            return connector.check().ok
        except ConnectorError:
            return False

    def _publish(self, connector: Connector, post: Post) -> PublishOutcome:
        now = self.clock.now()
        if not self._claim(post, now):
            return PublishOutcome(
                post.id or 0, post.channel, "skipped", "claimed by another worker"
            )
        try:
            published = self._send(connector, outgoing(post, now, self._as_photo(post)))
        except Ambiguous as error:
            return self._leave_for_reconcile(post, str(error))
        except ConnectorError as error:
            return self._failed_attempt(post, error)
        return self._record_published(post, published, "publish")

    def _as_photo(self, post: Post) -> bool:
        """Facebook photo post (picture with the text as caption) when the feed asks for it."""
        return any(feed.id == post.feed_id and feed.facebook_photo for feed in self.settings.feeds)

    def _send(self, connector: Connector, post: OutgoingPost) -> Published:
        """In-run retries for plain transient errors only; Ambiguous is never retried here."""
        retrying = Retrying(
            retry=retry_if_exception_type(Transient),
            stop=stop_after_attempt(3),
            wait=wait_exponential(multiplier=2, max=30),
            reraise=True,
            sleep=self.sleep or time.sleep,
        )
        published: Published = retrying(connector.publish, post)
        return published

    def _claim(self, post: Post, now: datetime) -> bool:
        changes = {
            "status": PUBLISHING,
            "claimed_by": self.worker,
            "attempts": post.attempts + 1,
            "claim_expires_at": now + self.settings.publishing.lease,
            "updated_at": now,
        }
        with writing(self.engine) as session:
            if not post_store.compare_and_set(session, post.id or 0, post.version, changes):
                return False
            post_store.record(session, post.id or 0, now, ACTOR, "claim", APPROVED, PUBLISHING)
        post.version, post.attempts = post.version + 1, post.attempts + 1
        return True

    def _finish(
        self, post: Post, to_status: str, action: str, reason: str | None, **changes: object
    ) -> None:
        """Move a claimed post on, in one transaction, if it is still ours."""
        now = self.clock.now()
        with writing(self.engine) as session:
            current = post_store.get(session, post.id or 0)
            if current is None or current.status != PUBLISHING:
                return
            values = {
                "status": to_status,
                "updated_at": now,
                "claimed_by": None,
                "claim_expires_at": None,
                **changes,
            }
            if post_store.compare_and_set(session, current.id or 0, current.version, values):
                post_store.record(
                    session, current.id or 0, now, ACTOR, action, PUBLISHING, to_status, reason
                )

    def _record_published(self, post: Post, published: Published, how: str) -> PublishOutcome:
        self._finish(
            post,
            PUBLISHED,
            how,
            published.url,
            remote_id=published.remote_id,
            remote_url=published.url,
            published_at=self.clock.now(),
            last_error=None,
        )
        log.info(
            "post.published", post=post.id, channel=post.channel, remote_id=published.remote_id
        )
        return PublishOutcome(post.id or 0, post.channel, "published", published.remote_id)

    def _leave_for_reconcile(self, post: Post, message: str) -> PublishOutcome:
        """Unknown outcome: keep the claim until the platform has had time to show the post."""
        until = self.clock.now() + self.settings.publishing.visibility_delay
        with writing(self.engine) as session:
            current = post_store.get(session, post.id or 0)
            if current is not None and current.status == PUBLISHING:
                post_store.compare_and_set(
                    session,
                    current.id or 0,
                    current.version,
                    {"claim_expires_at": until, "last_error": message, "claimed_by": RECONCILE},
                )
        log.warning("post.outcome_unknown", post=post.id, channel=post.channel, error=message)
        return PublishOutcome(post.id or 0, post.channel, "unknown", message)

    def _failed_attempt(self, post: Post, error: ConnectorError) -> PublishOutcome:
        message, now = str(error), self.clock.now()
        if isinstance(error, Rejected):
            self._finish(post, FAILED, "fail", message, last_error=message)
            return PublishOutcome(post.id or 0, post.channel, "failed", message)
        if isinstance(error, AuthProblem | RateLimited):
            until = now + error.retry_after if isinstance(error, RateLimited) else None
            with writing(self.engine) as session:
                store.set_pause(session, post.channel, until, message, now)
            log.warning("channel.paused", channel=post.channel, until=until, reason=message)
            self._finish(
                post,
                APPROVED,
                "pause",
                message,
                last_error=message,
                attempts=post.attempts - 1,
                next_attempt_at=until,
            )
            return PublishOutcome(post.id or 0, post.channel, "paused", message)
        return self._retry_later(post, message)

    def _retry_later(self, post: Post, message: str) -> PublishOutcome:
        if post.attempts > len(LADDER):
            self._finish(
                post,
                FAILED,
                "fail",
                f"gave up after {post.attempts} attempts: {message}",
                last_error=message,
            )
            return PublishOutcome(post.id or 0, post.channel, "failed", message)
        later = self.clock.now() + LADDER[post.attempts - 1]
        self._finish(post, APPROVED, "retry", message, last_error=message, next_attempt_at=later)
        return PublishOutcome(post.id or 0, post.channel, "retry", message)

    def _reconcile(self, connector: Connector, post: Post) -> PublishOutcome:
        """A claim whose lease ended: ask the platform before anything is sent again."""
        try:
            found = connector.find_existing(outgoing(post, post.updated_at, self._as_photo(post)))
        except ConnectorError as error:
            self._finish(
                post, NEEDS_ATTENTION, "reconcile", f"cannot tell: {error}", last_error=str(error)
            )
            return PublishOutcome(post.id or 0, post.channel, "needs_attention", str(error))
        if found is not None:
            return self._record_published(post, found, "reconcile")
        return self._retry_later(post, f"not found on the platform after: {post.last_error}")


def outgoing(post: Post, claimed_at: datetime, photo: bool = False) -> OutgoingPost:
    """What the connector gets: the rendering, with an editor's text in place of the template's."""
    rendered = Rendered.from_json(post.rendered)
    text = post.edited_text if post.edited_text is not None else rendered.text
    body = rendered.body
    if post.edited_text is not None and rendered.channel_type == "zalo":
        body = tuple(
            {"type": "text", "content": f"<p>{html.escape(line)}</p>"}
            for line in post.edited_text.split("\n")
            if line.strip()
        )
    return OutgoingPost(
        post_id=post.id or 0,
        text=text,
        link=rendered.link,
        title=rendered.title,
        author=rendered.author,
        description=rendered.description,
        cover=rendered.cover,
        body=body,
        photo=photo and bool(rendered.cover),
        claimed_at=claimed_at,
    )
