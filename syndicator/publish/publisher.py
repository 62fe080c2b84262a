"""Publishing approved posts exactly once (DESIGN.md, "Delivery guarantee").

A post is claimed (approved → publishing, with a lease) and that claim is committed before any
request leaves; the lease is renewed while the request is in flight, and the outcome is then
recorded by compare-and-set on the claim (syndicator/publish/claims.py), so a worker that lost its claim
changes nothing, except to record a success. When the outcome is unknown — a timeout or reset
after sending, a 5xx, or a crash that left a claim behind — the post stays in `publishing` until
the platform has had time to show it (or the lease ends), and is then reconciled with the
platform's find_existing, which reads back to when the attempt began: found → published; not
found → approved again; the search failing → searched again on the ladder, and after
`publishing.reconcile_give_up` of failures (or contradicting answers) → needs_attention.
Meanwhile the channel's other posts go out. Nothing is ever sent twice blindly.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

import structlog
from sqlalchemy import Engine
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)
from tenacity.stop import stop_base

from connectors.base import (
    Connector,
    ConnectorError,
    OutgoingPost,
    Published,
    Transient,
)
from connectors.registry import kind_of
from storage import publishing as store
from storage.models import Post
from storage.session import reading, writing
from storage.states import PostAction, PublishStatus
from syndicator.clock import Clock
from syndicator.config import Settings
from syndicator.ingest.normalize.urls import shareable_url
from syndicator.posts.campaign import CAMPAIGN_KEYS, TAGGED
from syndicator.posts.pacing import due
from syndicator.posts.render import Rendered
from syndicator.posts.slots import channel_queue, pacing_for
from syndicator.publish.claims import Claim, ClaimBook, LeaseKeeper, worker_id
from syndicator.publish.decide import Answer, Decision, Outcome, Tally, decide, outcome_of
from syndicator.publish.retries import LADDER
from syndicator.settings_models import IN_RUN_TRIES, PublishingSettings

__all__ = ["LADDER", "LEASE", "VISIBILITY_DELAY", "PublishOutcome", "Publisher", "outgoing"]

log = structlog.get_logger("syndicator.publish")
LEASE = PublishingSettings().lease  # the defaults; [publishing] in the settings may change them
VISIBILITY_DELAY = PublishingSettings().visibility_delay
# Attempts that may be made on a channel while an earlier attempt's outcome is unsettled: well
# within what find_existing reads back (Zalo 400 articles, Facebook 250 posts), leaving room
# for posts made on the Page by hand. Pacing (24 a day by default) never comes near it.
UNSETTLED_HEADROOM = 50


@dataclass(frozen=True, slots=True)
class PublishOutcome:
    post_id: int
    channel: str
    status: PublishStatus
    detail: str = ""


class _OutOfTime(stop_base):
    """Stop the in-run retries when one more try could end after the attempt's deadline."""

    def __init__(self, now: Callable[[], datetime], latest_start: datetime) -> None:
        self.now, self.latest_start = now, latest_start

    def __call__(self, retry_state: RetryCallState) -> bool:
        return self.now() > self.latest_start


class Publisher:
    """One pass over due posts, per channel. Built by the composition root."""

    def __init__(
        self,
        engine: Engine,
        connectors: dict[str, Connector],
        settings: Settings,
        clock: Clock,
        worker: str | None = None,
        sleep: Callable[[float], None] | None = None,
        renew_every: float | None = None,
    ) -> None:
        self.engine, self.connectors, self.settings = engine, connectors, settings
        self.clock, self.worker = clock, worker or worker_id()
        self.sleep = sleep  # tenacity's wait between in-run retries; tests pass a no-op
        publishing = settings.publishing
        self.claims = ClaimBook(engine, clock, self.worker, publishing.lease)
        # Three beats per lease: two may be missed (a busy database) before it runs out.
        self.renew_every = renew_every or publishing.lease.total_seconds() / 3

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
        """Reconcile what is due for it, then send what is due. A post awaiting reconcile does
        not hold the channel (find_existing reads back to its attempt's start), until
        UNSETTLED_HEADROOM attempts have been made since: more could bury it deeper than a
        search reads."""
        connector = self.connectors[channel]
        outcomes = [self._reconcile(connector, post) for post in self._stale(channel)]
        if self._paused(channel, connector):
            return outcomes
        for post in self.due_posts(channel):
            if self._buried(channel):
                log.info("channel.held", channel=channel, reason="an outcome awaits reconcile")
                break
            outcome = self._publish(connector, post)
            outcomes.append(outcome)
            if outcome.status is PublishStatus.PAUSED:
                break
        return outcomes

    def _buried(self, channel: str) -> bool:
        """Whether UNSETTLED_HEADROOM attempts (each may have left a post on the platform, even
        one that failed) were made since the oldest attempt whose outcome is not settled."""
        with reading(self.engine) as session:
            since = store.unsettled_since(session, channel)
            return since is not None and (
                store.claims_since(session, channel, since) > UNSETTLED_HEADROOM
            )

    def _stale(self, channel: str) -> Sequence[Post]:
        with reading(self.engine) as session:
            return store.stale_claims(session, channel, self.clock.now())

    def _paused(self, channel: str, connector: Connector) -> bool:
        """A timed pause ends by itself (its row stays, so the next throttle's pause grows, until
        a success); a pause for an auth problem ends once the token checks out again (the
        operator replaced it), so nobody has to resume the channel by hand."""
        now = self.clock.now()
        with reading(self.engine) as session:
            pause = store.pause_of(session, channel)
        if pause is None:
            return False
        if pause.until is not None:
            return pause.until > now
        if not self._healthy(connector):
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
        claim = self.claims.claim(post)
        if claim is None:
            return PublishOutcome(
                post.id or 0, post.channel, PublishStatus.SKIPPED, "claimed by another worker"
            )
        try:
            with self._keeping(claim):
                sent = outgoing(post, claim.started_at, self._as_photo(post))
                published = self._send(connector, sent, claim)
        except ConnectorError as error:
            return self._conclude(claim, outcome_of(error), Tally(post.attempts))
        return self._record_published(claim, published, Answer.PUBLISHED, post.attempts)

    def _as_photo(self, post: Post) -> bool:
        """Facebook photo post (picture with the text as caption) when the feed asks for it."""
        return any(feed.id == post.feed_id and feed.facebook_photo for feed in self.settings.feeds)

    @contextmanager
    def _keeping(self, claim: Claim) -> Iterator[None]:
        """Renew the claim's lease while the block (a request to the platform) runs."""
        with LeaseKeeper(lambda: self.claims.renew(claim), self.renew_every, claim.post_id):
            yield

    def _send(self, connector: Connector, post: OutgoingPost, claim: Claim) -> Published:
        """In-run retries for plain transient errors only, and none that could run past the
        attempt's time budget (below the lease); Ambiguous is never retried here."""
        publishing = self.settings.publishing
        latest_start = claim.started_at + publishing.attempt_budget() - publishing.try_budget()
        retrying = Retrying(
            retry=retry_if_exception_type(Transient),
            stop=_OutOfTime(self.clock.now, latest_start) | stop_after_attempt(IN_RUN_TRIES),
            wait=wait_exponential(multiplier=2, max=30),
            reraise=True,
            sleep=self.sleep or time.sleep,
        )
        published: Published = retrying(connector.publish, post)
        return published

    def _conclude(self, claim: Claim, outcome: Outcome, tally: Tally) -> PublishOutcome:
        """Decide the post's next move (syndicator/publish/decide.py) and record it: a pause of
        the channel first, then the post's move, if the claim still holds."""
        now = self.clock.now()
        if outcome.answer in (Answer.RATE_LIMITED, Answer.AUTH_PROBLEM):
            decision = self._pause_channel(claim.channel, outcome, tally, now)
        else:
            decision = decide(outcome, tally, now, self.settings.publishing)
        if decision.action is PostAction.UNKNOWN:
            log.warning(
                "post.outcome_unknown",
                post=claim.post_id,
                channel=claim.channel,
                error=outcome.message,
            )
        elif decision.action is PostAction.SEARCH_FAILED:
            log.warning(
                "post.search_failed",
                post=claim.post_id,
                again=decision.recheck_at,
                error=outcome.message,
            )
        settled = self._settled(claim, decision)
        if decision.report is PublishStatus.PAUSED:  # paused, whether recorded or superseded
            return PublishOutcome(
                claim.post_id, claim.channel, PublishStatus.PAUSED, settled.detail
            )
        return settled

    def _settled(self, claim: Claim, decision: Decision) -> PublishOutcome:
        """Record an outcome other than success; a claim lost meanwhile leaves it unrecorded."""
        reason, status = decision.reason or "", decision.report
        if self.claims.settle(
            claim, decision.status, decision.action, decision.reason, **decision.changes()
        ):
            return PublishOutcome(claim.post_id, claim.channel, status, reason)
        log.warning("post.outcome_superseded", post=claim.post_id, outcome=status, reason=reason)
        late = f"late {status} after the claim was taken over, not recorded: {reason}"
        return PublishOutcome(claim.post_id, claim.channel, PublishStatus.SUPERSEDED, late)

    def _record_published(
        self, claim: Claim, published: Published, answer: Answer, attempts: int
    ) -> PublishOutcome:
        now = self.clock.now()
        outcome = Outcome(answer, published.url, searching=answer is Answer.FOUND)
        decision = decide(outcome, Tally(attempts), now, self.settings.publishing)
        if self.claims.settle(
            claim,
            decision.status,
            decision.action,
            decision.reason,
            remote_id=published.remote_id,
            remote_url=published.url,
            published_at=now,
            **decision.changes(),
        ):
            if decision.ends_throttling:
                with writing(self.engine) as session:
                    store.end_throttling(session, claim.channel, now)
            status = PublishStatus.PUBLISHED
        else:
            status = self.claims.late_success(claim, published)
        log.info(
            "post.published",
            post=claim.post_id,
            channel=claim.channel,
            remote_id=published.remote_id,
            status=status,
        )
        return PublishOutcome(claim.post_id, claim.channel, status, published.remote_id)

    def _pause_channel(
        self, channel: str, outcome: Outcome, tally: Tally, now: datetime
    ) -> Decision:
        """The decision for a throttle or an auth problem, with the channel's pause written in
        the same transaction as the count of throttles in a row it grows from."""
        with writing(self.engine) as session:
            strikes = store.strikes_of(session, channel)
            settings = self.settings.publishing
            decision = decide(outcome, replace(tally, strikes=strikes), now, settings)
            pause = decision.pause
            if pause is not None:
                store.set_pause(session, channel, pause.until, pause.reason, now, pause.strikes)
        if pause is not None:
            log.warning(
                "channel.paused",
                channel=channel,
                until=pause.until,
                strikes=pause.strikes,
                reason=pause.reason,
            )
        return decision

    def _reconcile(self, connector: Connector, post: Post) -> PublishOutcome:
        """A claim whose lease ended: ask the platform before anything is sent again."""
        claim = self.claims.take_over(post)
        if claim is None:
            skipped = PublishStatus.SKIPPED
            return PublishOutcome(post.id or 0, post.channel, skipped, "taken by another worker")
        try:
            with self._keeping(claim):
                found = connector.find_existing(
                    outgoing(post, claim.started_at, self._as_photo(post))
                )
        except ConnectorError as error:
            return self._searched(claim, outcome_of(error, searching=True), post)
        if found is not None:
            return self._record_published(claim, found, Answer.FOUND, post.attempts)
        return self._searched(claim, Outcome(Answer.NOT_FOUND, searching=True), post)

    def _searched(self, claim: Claim, outcome: Outcome, post: Post) -> PublishOutcome:
        """Record a search that found nothing or failed; a failed one is searched again on the
        ladder, until searches have kept failing for publishing.reconcile_give_up."""
        failed = tuple(self.claims.failed_searches(claim)) if outcome.cannot_tell else ()
        return self._conclude(claim, outcome, Tally(post.attempts, 0, failed, post.last_error))


def outgoing(post: Post, claimed_at: datetime, photo: bool = False) -> OutgoingPost:
    """What the connector gets: the rendering, with an editor's text in place of the template's."""
    rendered = Rendered.from_json(post.rendered)
    if post.edited_text is not None:  # the channel's kind knows what else the text changes
        rendered = kind_of(rendered.channel_type).with_text(rendered, post.edited_text)
    return OutgoingPost(
        post_id=post.id or 0,
        text=rendered.text,
        # Also for posts rendered with the raw link; our campaign's utm_* stay (posts.campaign).
        link=shareable_url(rendered.link, keep=CAMPAIGN_KEYS if TAGGED in rendered.flags else ()),
        title=rendered.title,
        author=rendered.author,
        description=rendered.description,
        cover=rendered.cover,
        body=rendered.body,
        photo=photo and bool(rendered.cover),
        claimed_at=claimed_at,
    )
