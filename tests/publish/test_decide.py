"""The publisher's pure decision, without a database: every threshold at its edge and just past
it (the retry ladder's last rung, giving up, throttle pauses with and without an estimate,
searches failing up to reconcile_give_up)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from connectors.base import (
    Ambiguous,
    AuthProblem,
    ConnectorError,
    Contradictory,
    PolicyBlocked,
    RateLimited,
    Rejected,
    Transient,
)
from storage.states import AWAITING_RECONCILE, PostAction, PostStatus, PublishStatus
from syndicator.publish.decide import Answer, Outcome, Pause, Tally, decide, outcome_of
from syndicator.publish.retries import LADDER, THROTTLE_LADDER
from syndicator.settings_models import PublishingSettings

NOW = datetime(2026, 11, 1, 3, 0, tzinfo=UTC)
SETTINGS = PublishingSettings()  # visibility_delay 2 min, reconcile_give_up 6 h
GIVE_UP = SETTINGS.reconcile_give_up


def sent(answer: Answer, message: str = "boom", **fields: object) -> Outcome:
    return Outcome(answer, message, **fields)  # type: ignore[arg-type]


def searched(answer: Answer, message: str = "boom", **fields: object) -> Outcome:
    return Outcome(answer, message, searching=True, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize("attempts", range(1, len(LADDER) + 1))
def test_transient_error_climbs_the_ladder_to_its_last_rung(attempts: int) -> None:
    """Attempt n waits LADDER[n-1], the last rung included; the attempt keeps counting."""
    decision = decide(sent(Answer.TRANSIENT), Tally(attempts), NOW, SETTINGS)
    assert (decision.status, decision.action, decision.report) == (
        PostStatus.APPROVED,
        PostAction.RETRY,
        PublishStatus.RETRY,
    )
    assert decision.next_attempt_at == NOW + LADDER[attempts - 1]
    assert decision.changes() == {"last_error": "boom", "next_attempt_at": decision.next_attempt_at}


def test_one_attempt_past_the_ladder_gives_up() -> None:
    """The attempt after the last rung fails the post, saying how many attempts were made."""
    decision = decide(sent(Answer.TRANSIENT), Tally(len(LADDER) + 1), NOW, SETTINGS)
    assert (decision.status, decision.action, decision.report) == (
        PostStatus.FAILED,
        PostAction.FAIL,
        PublishStatus.FAILED,
    )
    assert decision.reason == "gave up after 6 attempts: boom"
    assert decision.changes() == {"last_error": "boom"}  # next_attempt_at left as it was


def test_not_found_climbs_the_same_ladder_and_gives_up_past_it() -> None:
    """Reconcile found nothing: approved again on the post's rung, failed past the last one."""
    tally = Tally(len(LADDER), last_error="timeout after sending")
    again = decide(searched(Answer.NOT_FOUND, ""), tally, NOW, SETTINGS)
    assert (again.status, again.action) == (PostStatus.APPROVED, PostAction.RETRY)
    assert again.next_attempt_at == NOW + LADDER[-1]
    assert again.reason == "not found on the platform after: timeout after sending"
    past = Tally(len(LADDER) + 1, last_error="timeout after sending")
    gave_up = decide(searched(Answer.NOT_FOUND, ""), past, NOW, SETTINGS)
    assert (gave_up.status, gave_up.action) == (PostStatus.FAILED, PostAction.FAIL)


@pytest.mark.parametrize(
    ("retry_after", "strikes", "pause"),
    [
        (None, 0, THROTTLE_LADDER[0]),  # the first throttle: the first rung
        (None, len(THROTTLE_LADDER) - 1, THROTTLE_LADDER[-1]),  # the last rung
        (None, len(THROTTLE_LADDER), THROTTLE_LADDER[-1]),  # past it: stays on the last
        (timedelta(0), 0, THROTTLE_LADDER[0]),  # "0": still the rung, not at once
        (timedelta(0), 2, THROTTLE_LADDER[2]),
        (timedelta(seconds=1), 3, timedelta(seconds=1)),  # any estimate is taken as it is
        (timedelta(hours=2), 0, timedelta(hours=2)),
    ],
)
def test_throttle_pauses_the_channel_and_does_not_count_the_attempt(
    retry_after: timedelta | None, strikes: int, pause: timedelta
) -> None:
    """A throttle pauses for the platform's estimate, else by throttles in a row (this one
    counted); the post goes back to approved until then, its attempt not counted."""
    outcome = sent(Answer.RATE_LIMITED, "slow down", retry_after=retry_after)
    decision = decide(outcome, Tally(3, strikes=strikes), NOW, SETTINGS)
    assert decision.pause == Pause(NOW + pause, strikes + 1, "slow down")
    assert (decision.status, decision.action, decision.report) == (
        PostStatus.APPROVED,
        PostAction.PAUSE,
        PublishStatus.PAUSED,
    )
    assert decision.changes() == {
        "last_error": "slow down",
        "next_attempt_at": NOW + pause,
        "attempts": 2,
    }


def test_auth_problem_pauses_until_fixed_and_keeps_the_throttle_count() -> None:
    """No end time and no change to the throttles in a row; the post waits, uncounted."""
    decision = decide(sent(Answer.AUTH_PROBLEM, "token expired"), Tally(1, 4), NOW, SETTINGS)
    assert decision.pause == Pause(None, None, "token expired")
    assert decision.changes() == {
        "last_error": "token expired",
        "next_attempt_at": None,
        "attempts": 0,
    }


def test_ambiguous_send_waits_in_publishing_for_the_platform_to_show_it() -> None:
    decision = decide(sent(Answer.AMBIGUOUS, "read timeout"), Tally(1), NOW, SETTINGS)
    assert (decision.status, decision.action, decision.report) == (
        PostStatus.PUBLISHING,
        PostAction.UNKNOWN,
        PublishStatus.UNKNOWN,
    )
    assert decision.changes() == {
        "last_error": "read timeout",
        "claim_expires_at": NOW + SETTINGS.visibility_delay,
        "claimed_by": AWAITING_RECONCILE,
    }


def test_refusal_fails_the_post_as_refused() -> None:
    decision = decide(sent(Answer.REJECTED, "(#100) Invalid link"), Tally(1), NOW, SETTINGS)
    assert (decision.status, decision.action, decision.reason) == (
        PostStatus.FAILED,
        PostAction.REFUSE,
        "(#100) Invalid link",
    )
    assert decision.pause is None


def test_success_publishes_and_only_a_send_ends_throttling() -> None:
    """Published by a send ends a throttle that is over; found by a search does not."""
    published = decide(sent(Answer.PUBLISHED, "https://fb.com/1"), Tally(1), NOW, SETTINGS)
    found = decide(searched(Answer.FOUND, "https://fb.com/1"), Tally(1), NOW, SETTINGS)
    assert (published.status, published.action, published.ends_throttling) == (
        PostStatus.PUBLISHED,
        PostAction.PUBLISH,
        True,
    )
    assert (found.status, found.action, found.ends_throttling) == (
        PostStatus.PUBLISHED,
        PostAction.RECONCILE,
        False,
    )
    assert published.reason == "https://fb.com/1" and published.changes() == {"last_error": None}


def test_contradicting_answers_go_to_a_person() -> None:
    decision = decide(searched(Answer.CONTRADICTORY, "two posts"), Tally(1), NOW, SETTINGS)
    assert (decision.status, decision.action, decision.report) == (
        PostStatus.NEEDS_ATTENTION,
        PostAction.RECONCILE,
        PublishStatus.NEEDS_ATTENTION,
    )
    assert decision.reason == "the platform's answers contradict each other: two posts"


def test_first_failed_search_is_tried_again_on_the_first_rung() -> None:
    decision = decide(searched(Answer.TRANSIENT), Tally(1), NOW, SETTINGS)
    assert (decision.status, decision.action, decision.report) == (
        PostStatus.PUBLISHING,
        PostAction.SEARCH_FAILED,
        PublishStatus.UNKNOWN,
    )
    assert decision.recheck_at == NOW + LADDER[0]
    assert decision.reason == "cannot tell whether it was published: boom"


def test_searches_failing_exactly_give_up_long_are_tried_once_more_at_the_edge() -> None:
    """At reconcile_give_up since the first failure, one last search is due at once (never
    scheduled past the give-up moment)."""
    earlier = (NOW - GIVE_UP, NOW - timedelta(hours=1))
    decision = decide(searched(Answer.TRANSIENT), Tally(1, 0, earlier), NOW, SETTINGS)
    assert (decision.status, decision.recheck_at) == (PostStatus.PUBLISHING, NOW)


def test_searches_failing_just_past_give_up_go_to_a_person() -> None:
    earlier = (NOW - GIVE_UP - timedelta(seconds=1),)
    decision = decide(searched(Answer.TRANSIENT), Tally(1, 0, earlier), NOW, SETTINGS)
    assert (decision.status, decision.action) == (PostStatus.NEEDS_ATTENTION, PostAction.RECONCILE)
    assert decision.reason == (
        "cannot tell whether it was published: boom (searches failing since 2026-10-31 20:59 UTC)"
    )


def test_a_throttled_search_pauses_the_channel_and_searches_again() -> None:
    outcome = searched(Answer.RATE_LIMITED, "slow down", retry_after=None)
    decision = decide(outcome, Tally(2, strikes=1), NOW, SETTINGS)
    assert decision.pause == Pause(NOW + THROTTLE_LADDER[1], 2, "slow down")
    assert (decision.status, decision.action) == (PostStatus.PUBLISHING, PostAction.SEARCH_FAILED)
    assert decision.attempts is None  # a search is not an attempt


@pytest.mark.parametrize(
    ("error", "on_send", "on_search"),
    [
        (Transient("x"), Answer.TRANSIENT, Answer.TRANSIENT),
        (ConnectorError("x"), Answer.TRANSIENT, Answer.TRANSIENT),
        (Ambiguous("x"), Answer.AMBIGUOUS, Answer.TRANSIENT),
        (Rejected("x"), Answer.REJECTED, Answer.TRANSIENT),
        (Contradictory("x"), Answer.TRANSIENT, Answer.CONTRADICTORY),
        (AuthProblem("x"), Answer.AUTH_PROBLEM, Answer.AUTH_PROBLEM),
        (RateLimited("x", timedelta(0)), Answer.RATE_LIMITED, Answer.RATE_LIMITED),
        (PolicyBlocked("x", timedelta(hours=6)), Answer.RATE_LIMITED, Answer.RATE_LIMITED),
    ],
)
def test_connector_errors_map_to_answers(
    error: ConnectorError, on_send: Answer, on_search: Answer
) -> None:
    """A send and a search read the same error differently (a refused search is only a
    failed search); a throttle keeps its estimate."""
    assert outcome_of(error).answer is on_send
    assert outcome_of(error, searching=True).answer is on_search
    assert outcome_of(error).message == "x"
    if isinstance(error, RateLimited):
        assert outcome_of(error).retry_after == error.retry_after


def test_a_throttled_search_past_give_up_goes_to_a_person_and_still_pauses_the_channel() -> None:
    """Searches failing past reconcile_give_up end in needs_attention, but a throttle on the
    last one still pauses the channel (its other posts would hit the same limit)."""
    earlier = (NOW - GIVE_UP - timedelta(seconds=1),)
    outcome = searched(Answer.RATE_LIMITED, "slow down", retry_after=None)
    decision = decide(outcome, Tally(2, 1, earlier), NOW, SETTINGS)
    assert (decision.status, decision.action) == (PostStatus.NEEDS_ATTENTION, PostAction.RECONCILE)
    assert decision.pause == Pause(NOW + THROTTLE_LADDER[1], 2, "slow down")
    auth = decide(
        searched(Answer.AUTH_PROBLEM, "token expired"), Tally(2, 1, earlier), NOW, SETTINGS
    )
    assert auth.pause == Pause(None, None, "token expired")


def test_an_error_without_words_is_recorded_as_empty() -> None:
    """A connector error whose text is empty leaves the reason, the error and the pause's
    reason empty: nothing is made up in its place."""
    retry = decide(outcome_of(Transient("")), Tally(1), NOW, SETTINGS)
    assert (retry.reason, retry.last_error) == ("", "")
    paused = decide(outcome_of(AuthProblem("")), Tally(1), NOW, SETTINGS)
    assert paused.pause == Pause(None, None, "") and paused.last_error == ""


def test_a_success_is_reported_as_published_whether_sent_or_found() -> None:
    """A send the platform took and a search that found the post both report `published`."""
    for outcome in (sent(Answer.PUBLISHED, "https://fb.com/1"), searched(Answer.FOUND, "")):
        assert decide(outcome, Tally(1), NOW, SETTINGS).report is PublishStatus.PUBLISHED
