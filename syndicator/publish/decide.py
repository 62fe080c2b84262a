"""The publisher's decisions: from what came back for a send or a search, the attempts so far,
now and the publishing settings, to the post's next move. Pure: plain values in and out, no
database, no clock, no network (the publisher reads, asks this, then writes).

A send that the platform took → published. One that may have been taken (Ambiguous) stays in
`publishing` until the platform has had time to show it, then is reconciled. A refusal →
failed (`refuse`: may be fixed and approved again). A throttle or an auth problem pauses the
channel and puts the post back, its attempt not counted. Anything else climbs the retry ladder
(retries.LADDER) and gives up past its last rung.
A search (reconcile): found → published; not found → the retry ladder; contradicting answers →
needs_attention; a failed search → searched again on the ladder, and once searches have failed
for longer than `publishing.reconcile_give_up` → needs_attention.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from connectors.base import (
    Ambiguous,
    AuthProblem,
    ConnectorError,
    Contradictory,
    RateLimited,
    Rejected,
)
from storage.states import AWAITING_RECONCILE, PostAction, PostStatus, PublishStatus
from syndicator.publish.retries import LADDER, next_search, throttle_pause
from syndicator.settings_models import PublishingSettings


class Answer(StrEnum):
    """What came back from the platform."""

    PUBLISHED = "published"  # a send: the platform took it
    AMBIGUOUS = "ambiguous"  # a send: it may have been taken (timeout or reset after sending)
    TRANSIENT = "transient"  # not taken, worth trying later; for a search: it failed
    RATE_LIMITED = "rate_limited"
    AUTH_PROBLEM = "auth_problem"
    REJECTED = "rejected"  # a send: refused for good
    FOUND = "found"  # a search: it is on the platform
    NOT_FOUND = "not_found"
    CONTRADICTORY = "contradictory"  # a search: the platform's answers disagree


@dataclass(frozen=True, slots=True)
class Outcome:
    """An answer with what the platform said: its error, or the published post's URL."""

    answer: Answer
    message: str | None = None
    retry_after: timedelta | None = None  # a throttle: the platform's estimate (0 included)
    searching: bool = False  # the answer to a search (reconcile), not to a send

    @property
    def cannot_tell(self) -> bool:
        """A search that failed: whether the post is on the platform is still unknown."""
        settled = (Answer.FOUND, Answer.NOT_FOUND, Answer.CONTRADICTORY)
        return self.searching and self.answer not in settled


@dataclass(frozen=True, slots=True)
class Tally:
    """What happened before this answer."""

    attempts: int  # the post's attempts, this one counted
    strikes: int = 0  # throttles in a row on the channel, this one not counted
    failed_searches: tuple[datetime, ...] = ()  # for this attempt, oldest first
    last_error: str | None = None  # the post's error before this answer


@dataclass(frozen=True, slots=True)
class Pause:
    """Pause the channel: until `until` (None: until a person fixes the token)."""

    until: datetime | None
    strikes: int | None  # throttles in a row, this one counted; None keeps the count
    reason: str


@dataclass(frozen=True, slots=True)
class Decision:
    """The post's next move, what to record with it, and what the pass reports."""

    status: PostStatus
    action: PostAction
    reason: str | None  # the audit event's
    report: PublishStatus
    last_error: str | None
    next_attempt_at: datetime | None = None  # approved again: not before then (None: now)
    attempts: int | None = None  # the post's attempts from now on, when they change
    recheck_at: datetime | None = None  # kept in `publishing` for reconcile from then on
    pause: Pause | None = None
    ends_throttling: bool = False  # a success: a timed pause that is over is forgotten

    def changes(self) -> dict[str, object]:
        """The post's columns this move writes (besides its status and the claim's release)."""
        values: dict[str, object] = {"last_error": self.last_error}
        if self.status is PostStatus.APPROVED:
            values["next_attempt_at"] = self.next_attempt_at
        if self.attempts is not None:
            values["attempts"] = self.attempts
        if self.recheck_at is not None:
            values |= {"claim_expires_at": self.recheck_at, "claimed_by": AWAITING_RECONCILE}
        return values


def outcome_of(error: ConnectorError, *, searching: bool = False) -> Outcome:
    """A classified connector error as an Outcome."""
    message = str(error)
    if isinstance(error, RateLimited):
        return Outcome(Answer.RATE_LIMITED, message, error.retry_after, searching)
    kinds: list[tuple[type[ConnectorError], Answer]] = [
        (AuthProblem, Answer.AUTH_PROBLEM),
        (Contradictory, Answer.CONTRADICTORY if searching else Answer.TRANSIENT),
        (Ambiguous, Answer.TRANSIENT if searching else Answer.AMBIGUOUS),
        (Rejected, Answer.TRANSIENT if searching else Answer.REJECTED),
    ]
    answer = next((answer for kind, answer in kinds if isinstance(error, kind)), Answer.TRANSIENT)
    return Outcome(answer, message, searching=searching)


def decide(outcome: Outcome, tally: Tally, now: datetime, settings: PublishingSettings) -> Decision:
    """The post's next move after `outcome`."""
    if outcome.answer in (Answer.PUBLISHED, Answer.FOUND):
        return _published(outcome)
    pause = pause_for(outcome, tally.strikes, now)
    if outcome.searching:
        return _after_search(outcome, tally, now, settings, pause)
    return _after_send(outcome, tally, now, settings, pause)


def pause_for(outcome: Outcome, strikes: int, now: datetime) -> Pause | None:
    """An auth problem pauses the channel until fixed; a throttle as long as the platform
    estimates, else a short pause that grows with the throttles in a row."""
    message = outcome.message or ""
    if outcome.answer is Answer.AUTH_PROBLEM:
        return Pause(None, None, message)
    if outcome.answer is Answer.RATE_LIMITED:
        strikes += 1
        return Pause(now + throttle_pause(outcome.retry_after, strikes), strikes, message)
    return None


def _published(outcome: Outcome) -> Decision:
    sent = outcome.answer is Answer.PUBLISHED
    return Decision(
        PostStatus.PUBLISHED,
        PostAction.PUBLISH if sent else PostAction.RECONCILE,
        outcome.message,
        PublishStatus.PUBLISHED,
        last_error=None,
        ends_throttling=sent,
    )


def _after_send(
    outcome: Outcome, tally: Tally, now: datetime, settings: PublishingSettings, pause: Pause | None
) -> Decision:
    message = outcome.message or ""
    if outcome.answer is Answer.AMBIGUOUS:
        until = now + settings.visibility_delay  # before "not found" is believed
        return Decision(
            PostStatus.PUBLISHING,
            PostAction.UNKNOWN,
            message,
            PublishStatus.UNKNOWN,
            last_error=message,
            recheck_at=until,
        )
    if outcome.answer is Answer.REJECTED:
        return Decision(
            PostStatus.FAILED, PostAction.REFUSE, message, PublishStatus.FAILED, message
        )
    if pause is not None:  # the channel's fault, not the post's: the attempt does not count
        return Decision(
            PostStatus.APPROVED,
            PostAction.PAUSE,
            message,
            PublishStatus.PAUSED,
            last_error=message,
            next_attempt_at=pause.until,
            attempts=tally.attempts - 1,
            pause=pause,
        )
    return retry_later(tally.attempts, message, now)


def retry_later(attempts: int, message: str, now: datetime) -> Decision:
    """Approved again on the ladder's rung for `attempts`; failed once past its last rung."""
    if attempts > len(LADDER):
        gave_up = f"gave up after {attempts} attempts: {message}"
        return Decision(PostStatus.FAILED, PostAction.FAIL, gave_up, PublishStatus.FAILED, message)
    return Decision(
        PostStatus.APPROVED,
        PostAction.RETRY,
        message,
        PublishStatus.RETRY,
        last_error=message,
        next_attempt_at=now + LADDER[attempts - 1],
    )


def _after_search(
    outcome: Outcome, tally: Tally, now: datetime, settings: PublishingSettings, pause: Pause | None
) -> Decision:
    if outcome.answer is Answer.NOT_FOUND:
        return retry_later(
            tally.attempts, f"not found on the platform after: {tally.last_error}", now
        )
    if outcome.answer is Answer.CONTRADICTORY:
        reason = f"the platform's answers contradict each other: {outcome.message}"
        return _needs_attention(reason)
    message = f"cannot tell whether it was published: {outcome.message}"  # a failed search
    first = tally.failed_searches[0] if tally.failed_searches else now
    failures = len(tally.failed_searches) + 1
    again = next_search(first, failures, now, settings.reconcile_give_up)
    if again is None:
        reason = f"{message} (searches failing since {first:%Y-%m-%d %H:%M} UTC)"
        return _needs_attention(reason, pause)
    return Decision(
        PostStatus.PUBLISHING,
        PostAction.SEARCH_FAILED,
        message,
        PublishStatus.UNKNOWN,
        last_error=message,
        recheck_at=again,
        pause=pause,
    )


def _needs_attention(reason: str, pause: Pause | None = None) -> Decision:
    return Decision(
        PostStatus.NEEDS_ATTENTION,
        PostAction.RECONCILE,
        reason,
        PublishStatus.NEEDS_ATTENTION,
        last_error=reason,
        pause=pause,
    )
