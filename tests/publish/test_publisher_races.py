"""The publisher's races and retries (issue #8, items 8-10 and the publisher side of 12): a
lease that runs out mid-send, a late answer, the lease kept alive, reconciles that keep failing,
throttling pauses, and a post awaiting reconcile that no longer holds its channel. Connectors
are scripted at the contract level; a FakeClock moves time, nothing sleeps."""

from __future__ import annotations

import json
import os
import re
import socket
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine

from connectors.base import (
    Ambiguous,
    ConnectorError,
    Health,
    OutgoingPost,
    Published,
    RateLimited,
    Rejected,
    Transient,
)
from connectors.facebook import errors as facebook_errors
from connectors.zalo import errors as zalo_errors
from storage import posts as post_store
from storage import publishing as store
from storage.session import reading
from syndicator.config import load_settings
from syndicator.errors import ConfigError
from syndicator.publish import publisher as publisher_module
from syndicator.publish.claims import Claim, ClaimBook, LeaseKeeper
from syndicator.publish.publisher import LADDER, LEASE, VISIBILITY_DELAY, Publisher, PublishOutcome
from syndicator.publish.retries import THROTTLE_LADDER, next_search, throttle_pause
from syndicator.settings_models import PublishingSettings
from tests.helpers.clock import FakeClock
from tests.helpers.publishing import approved_post, post, settings

PAGE = "104857600123456"
GIVE_UP = PublishingSettings().reconcile_give_up
RATE_LIMIT_32 = "(#32) Page request limit reached"


class Platform:
    """A Page that keeps every post it stored, in order. `during_send` runs while a request
    is in flight (before the platform stores the post): another worker acts meanwhile."""

    def __init__(self) -> None:
        self.stored: list[tuple[int, str]] = []
        self.during_send: Callable[[OutgoingPost], None] | None = None
        self.fail_next: ConnectorError | None = None
        self.answers: list[ConnectorError | None] = []  # one per request, then all succeed
        self.lose_answers = 0  # the next n posts are stored, but the answer is lost
        self.find_errors: list[ConnectorError] = []
        self.searched_from: list[datetime | None] = []
        self.sends = 0

    def publish(self, post: OutgoingPost) -> Published:
        self.sends += 1
        hook, self.during_send = self.during_send, None
        if hook is not None:
            hook(post)
        failure, self.fail_next = self.fail_next, None
        if failure is None and self.answers:
            failure = self.answers.pop(0)
        if failure is not None:
            raise failure
        published = self._store(post.post_id)
        if self.lose_answers:
            self.lose_answers -= 1
            raise Ambiguous("no answer from Facebook after sending (ReadTimeout)")
        return published

    def find_existing(self, post: OutgoingPost) -> Published | None:
        self.searched_from.append(post.claimed_at)
        if self.find_errors:
            raise self.find_errors.pop(0)
        return next((self._link(r) for p, r in self.stored if p == post.post_id), None)

    def check(self) -> Health:
        return Health(True, "token valid")

    def copies(self, post_id: int) -> list[str]:
        return [remote for stored_id, remote in self.stored if stored_id == post_id]

    def _store(self, post_id: int) -> Published:
        remote = f"{PAGE}_{1000 + len(self.stored)}"
        self.stored.append((post_id, remote))
        return self._link(remote)

    @staticmethod
    def _link(remote: str) -> Published:
        return Published(remote, f"https://www.facebook.com/{remote}")


def make(
    engine: Engine, platform: Platform, clock: FakeClock, renew_every: float | None = None
) -> Publisher:
    return Publisher(
        engine,
        {"facebook": platform},
        settings(),
        clock,
        sleep=lambda seconds: None,
        renew_every=renew_every,
    )


def actions(engine: Engine, post_id: int) -> list[str]:
    with reading(engine) as session:
        return [event.action for event in post_store.trail(session, post_id)]


def pause_left(engine: Engine, clock: FakeClock) -> timedelta | None:
    with reading(engine) as session:
        pause = store.pause_of(session, "facebook")
    return None if pause is None or pause.until is None else pause.until - clock.now()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 2, 2, 15, tzinfo=UTC))


def beyond_the_lease(clock: FakeClock) -> None:
    clock.advance(seconds=LEASE.total_seconds() + 1)


# -- item 8: claims, late answers, the lease kept alive ---------------------------------------


def test_late_success_is_recorded_and_the_retry_never_sends(
    engine: Engine, clock: FakeClock
) -> None:
    """The request outlives the lease (no renewal got through); another worker reconciles
    "not found" and sets a retry; then the request lands: that success is recorded as
    published, and the retry never sends. The Page holds one post."""
    post_id = approved_post(engine)
    platform = Platform()
    first, second = make(engine, platform, clock), make(engine, platform, clock)
    meanwhile = []

    def lease_runs_out(_: OutgoingPost) -> None:
        beyond_the_lease(clock)
        meanwhile.extend(second.run_once())

    platform.during_send = lease_runs_out
    (late,) = first.run_once()
    assert [o.status for o in meanwhile] == ["retry"]
    assert late.status == "published"
    done = post(engine, post_id)
    assert done.status == "published" and done.remote_id == platform.copies(post_id)[0]
    assert done.claimed_by is None and done.next_attempt_at is None
    clock.advance(seconds=LADDER[0].total_seconds() + 1)
    assert second.run_once() == [] and first.run_once() == []
    assert len(platform.copies(post_id)) == 1 and platform.sends == 1
    assert actions(engine, post_id)[-2:] == ["retry", "late_success"]


def test_late_failure_changes_nothing(engine: Engine, clock: FakeClock) -> None:
    """A failure that comes back after another worker took the post over is not recorded: the
    post stays with that worker's reconcile, not `failed`."""
    post_id = approved_post(engine)
    platform = Platform()
    first, second = make(engine, platform, clock), make(engine, platform, clock)

    def lease_runs_out(_: OutgoingPost) -> None:
        beyond_the_lease(clock)
        platform.find_errors = [Transient("no answer from Facebook (ReadTimeout)")]
        second.run_once()  # takes the post over; its search fails: it waits to search again

    platform.during_send = lease_runs_out
    platform.fail_next = Rejected("(#100) Invalid parameter: link")
    (late,) = first.run_once()
    assert late == PublishOutcome(
        post_id,
        "facebook",
        "superseded",
        "late failed after the claim was taken over, not recorded: (#100) Invalid parameter: link",
    )
    kept = post(engine, post_id)
    assert kept.status == "publishing" and kept.claimed_by == store.AWAITING_RECONCILE
    assert actions(engine, post_id)[-1] == "search_failed"  # the late refusal left no trace


def test_a_duplicate_is_recorded_for_a_person(engine: Engine, clock: FakeClock) -> None:
    """If the late request lands after the retry already published the post again (what
    exactly-once exists to prevent, forced here by a lease that could not be renewed), the
    second copy is recorded in the trail and on the post, never dropped."""
    post_id = approved_post(engine)
    platform = Platform()
    first, second = make(engine, platform, clock), make(engine, platform, clock)

    def lease_runs_out_and_the_retry_sends(_: OutgoingPost) -> None:
        beyond_the_lease(clock)
        second.run_once()  # not found yet: retry
        clock.advance(seconds=LADDER[0].total_seconds() + 1)
        second.run_once()  # the retry publishes

    platform.during_send = lease_runs_out_and_the_retry_sends
    (late,) = first.run_once()
    recorded, duplicate = platform.copies(post_id)
    assert late.status == "duplicate" and late.detail == duplicate
    done = post(engine, post_id)
    assert done.status == "published" and done.remote_id == recorded
    assert "published twice" in (done.last_error or "") and duplicate in (done.last_error or "")
    assert actions(engine, post_id)[-1] == "duplicate"


def test_late_answers_leave_their_reasons_in_the_trail(engine: Engine, clock: FakeClock) -> None:
    """A late success for a post a search already found under the same id changes nothing; one
    under another id is a duplicate whose audit event and last_error name both copies; one for
    a post still waiting records where it came from and the link."""
    found, twice = approved_post(engine, 1), approved_post(engine, 2)
    platform = Platform()
    make(engine, platform, clock).run_once()  # both published
    waiting = approved_post(engine, 3)
    clock.advance(hours=1)
    book = ClaimBook(engine, clock, "worker-a", LEASE)
    stale = {pid: Claim(pid, "facebook", "worker-a", 1, clock.now()) for pid in (found, twice)}
    recorded = post(engine, found).remote_id or ""
    trail_before = actions(engine, found)
    assert book.late_success(stale[found], Published(recorded, None)) == "published"
    assert actions(engine, found) == trail_before

    other = Published(f"{PAGE}_9999", None)
    assert book.late_success(stale[twice], other) == "duplicate"
    with reading(engine) as session:
        event = post_store.trail(session, twice)[-1]
    kept = post(engine, twice)
    assert (event.action, event.from_status, event.to_status) == (
        "duplicate",
        "published",
        "published",
    )
    assert event.reason == kept.last_error
    assert f"also on the channel as {PAGE}_9999 (no link) besides {kept.remote_id}" in (
        event.reason or ""
    )

    claim = Claim(waiting, "facebook", "worker-a", 1, clock.now())
    late = Published(f"{PAGE}_7777", f"https://www.facebook.com/{PAGE}_7777")
    assert book.late_success(claim, late) == "published"
    with reading(engine) as session:
        event = post_store.trail(session, waiting)[-1]
    assert (event.action, event.from_status, event.to_status, event.reason) == (
        "late_success", "approved", "published",
        f"https://www.facebook.com/{PAGE}_7777 (answer came after the lease)",
    )  # fmt: skip
    assert post(engine, waiting).remote_id == f"{PAGE}_7777"


def test_a_lease_renewed_after_another_worker_saw_it_run_out_is_not_taken_over(
    engine: Engine, clock: FakeClock
) -> None:
    """Another worker reads the claim as run out; before it takes the post over, a late
    renewal of the first worker gets through: the take-over finds the lease alive and stays
    out, and the first worker still holds its claim."""
    post_id = approved_post(engine)
    first, second = make(engine, Platform(), clock), make(engine, Platform(), clock)
    claim = first.claims.claim(post(engine, post_id))
    assert claim is not None
    beyond_the_lease(clock)
    with reading(engine) as session:
        (stale,) = store.stale_claims(session, "facebook", clock.now())
    assert first.claims.renew(claim)
    assert second.claims.take_over(stale) is None
    held = post(engine, post_id)
    assert held.claimed_by == first.worker and held.claim_expires_at == clock.now() + LEASE


def test_the_lease_is_renewed_while_a_send_is_slow(
    engine: Engine, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A send that lasts past the original lease keeps its claim: the lease is renewed while
    the request is in flight, so another worker finds nothing to reconcile, and the post goes
    out once."""
    post_id = approved_post(engine)
    platform = Platform()
    first = make(engine, platform, clock, renew_every=0.01)
    second = make(engine, platform, clock)
    start, renewed = clock.now(), threading.Event()
    renew = first.claims.renew

    def renew_and_tell(claim: Claim) -> bool:
        done = renew(claim)
        if done and clock.now() > start + LEASE:
            renewed.set()
        return done

    monkeypatch.setattr(first.claims, "renew", renew_and_tell)
    meanwhile = []

    def slow(_: OutgoingPost) -> None:
        clock.advance(seconds=LEASE.total_seconds() + 60)
        assert renewed.wait(30), "the lease was not renewed during the send"
        meanwhile.extend(second.run_once())

    platform.during_send = slow
    (outcome,) = first.run_once()
    assert meanwhile == [] and outcome.status == "published"
    assert post(engine, post_id).status == "published" and len(platform.copies(post_id)) == 1


def test_the_lease_keeper_goes_on_renewing_while_renewals_succeed() -> None:
    """A successful renewal is followed by the next one until the block ends (only a lost claim
    stops the keeper early)."""
    beats: list[bool] = []
    third = threading.Event()

    def renew() -> bool:
        beats.append(True)
        if len(beats) == 3:
            third.set()
        return True

    with LeaseKeeper(renew, 0.001, post_id=7):
        assert third.wait(30), "the keeper stopped renewing a claim it still holds"


def test_a_claim_records_where_the_post_came_from_and_a_take_over_gets_a_full_lease(
    engine: Engine, clock: FakeClock
) -> None:
    """The claim's audit event says approved → publishing; a worker taking the stale claim over
    holds it for a whole lease from now."""
    post_id = approved_post(engine)
    assert ClaimBook(engine, clock, "worker-a", LEASE).claim(post(engine, post_id)) is not None
    with reading(engine) as session:
        event = post_store.trail(session, post_id)[-1]
    assert (event.action, event.from_status, event.to_status) == ("claim", "approved", "publishing")
    beyond_the_lease(clock)
    with reading(engine) as session:
        (stale,) = store.stale_claims(session, "facebook", clock.now())
    assert ClaimBook(engine, clock, "worker-b", LEASE).take_over(stale) is not None
    held = post(engine, post_id)
    assert (held.claimed_by, held.claim_expires_at) == ("worker-b", clock.now() + LEASE)


def test_in_run_retries_stop_before_the_attempt_outlives_its_budget(
    engine: Engine, clock: FakeClock
) -> None:
    """Plain transient errors are retried in the run only while one more try still fits in the
    attempt's time budget (below the lease); then the post climbs the ladder."""
    post_id = approved_post(engine)
    try_budget = PublishingSettings().try_budget()

    class Slow(Platform):
        def publish(self, post: OutgoingPost) -> Published:
            self.sends += 1
            clock.advance(seconds=2 * try_budget.total_seconds())  # each try takes two budgets
            raise Transient("HTTP 503 without a Graph error")

    platform = Slow()
    (outcome,) = make(engine, platform, clock).run_once()
    assert outcome.status == "retry" and platform.sends == 2
    assert post(engine, post_id).status == "approved"


def test_worker_ids_are_unique_per_publisher() -> None:
    """A worker id names the host and the process, plus a random part (pids are reused)."""
    ids = {Publisher(None, {}, settings(), FakeClock()).worker for _ in range(3)}  # type: ignore[arg-type]
    assert len(ids) == 3
    shape = rf"{re.escape(socket.gethostname())}:{os.getpid()}:[0-9a-f]{{8}}"
    assert all(re.fullmatch(shape, worker) for worker in ids)


@pytest.mark.parametrize(
    ("lease", "timeout", "problem"),
    [
        ("0s", "1s", 'at least "30s"'),
        ("29s", "1s", 'at least "30s"'),
        ("30s", "1s", "longer than one whole attempt"),  # 14 x 1 s + 6 s + 10 s: exactly 30 s
        ("436s", "30s", "longer than one whole attempt"),  # 14 x 30 s + 16 s
    ],
)
def test_a_lease_shorter_than_an_attempt_is_refused(lease: str, timeout: str, problem: str) -> None:
    """A lease of "0s" (or under 30 s), or one that a whole attempt could outlast, is refused."""
    with pytest.raises(ValidationError, match=problem):
        PublishingSettings.model_validate({"lease": lease, "request_timeout": timeout})


@pytest.mark.parametrize(("lease", "timeout"), [("31s", "1s"), ("437s", "30s"), ("10m", "30s")])
def test_a_lease_just_longer_than_an_attempt_is_accepted(lease: str, timeout: str) -> None:
    """Just past the whole attempt's time, the lease is accepted."""
    assert PublishingSettings.model_validate(
        {"lease": lease, "request_timeout": timeout}
    ).lease > timedelta(0)


def test_a_short_lease_in_the_settings_file_is_one_clear_line(tmp_path: Path) -> None:
    """The settings file's mistake is named in one line with the key and the fix."""
    path = tmp_path / "settings.toml"
    path.write_text('[publishing]\nlease = "2m"\nrequest_timeout = "30s"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_settings(path, {})
    message = str(error.value)
    assert "\n" not in message and "publishing.lease" in message
    assert "publishing.request_timeout" in message


# -- item 9: a search that fails is retried; a person only after hours -------------------------


def unknown_outcome(engine: Engine, platform: Platform, clock: FakeClock) -> int:
    """A post whose answer was lost, and the time it takes before it is reconciled."""
    post_id = approved_post(engine)
    platform.lose_answers = 1
    (outcome,) = make(engine, platform, clock).run_once()
    assert outcome.status == "unknown"
    clock.advance(seconds=VISIBILITY_DELAY.total_seconds() + 1)
    return post_id


def test_a_rate_limited_search_waits_on_the_ladder(engine: Engine, clock: FakeClock) -> None:
    """Graph code 32 while searching: the post stays awaiting reconcile, searched again 5
    minutes later, not sent to a person; then it is found, once."""
    platform = Platform()
    post_id = unknown_outcome(engine, platform, clock)
    graph_32 = facebook_errors.GraphError(32, None, RATE_LIMIT_32)
    platform.find_errors = [
        facebook_errors.classify(400, graph_32, None, write=False, env_name="X")
    ]
    (outcome,) = make(engine, platform, clock).run_once()
    waiting = post(engine, post_id)
    assert outcome.status == "unknown" and waiting.status == "publishing"
    assert waiting.claimed_by == store.AWAITING_RECONCILE
    assert waiting.claim_expires_at == clock.now() + LADDER[0]
    assert make(engine, platform, clock).run_once() == []  # not before its time
    clock.advance(seconds=LADDER[0].total_seconds())
    (found,) = make(engine, platform, clock).run_once()
    assert found.status == "published" and len(platform.copies(post_id)) == 1


def test_searches_failing_for_the_give_up_time_go_to_a_person(
    engine: Engine, clock: FakeClock
) -> None:
    """Searches climb the ladder; failing at exactly `reconcile_give_up` after the first
    failure the post still waits, one second later it goes to needs_attention."""
    platform = Platform()
    post_id = unknown_outcome(engine, platform, clock)
    platform.find_errors = [Transient("no answer from Facebook (ReadTimeout)")] * 20
    first_failure = clock.now()
    schedule = []
    while clock.now() < first_failure + GIVE_UP:
        (outcome,) = make(engine, platform, clock).run_once()
        assert outcome.status == "unknown"
        waiting = post(engine, post_id)
        assert waiting.claim_expires_at is not None
        schedule.append(waiting.claim_expires_at - first_failure)
        clock.current = waiting.claim_expires_at
    assert schedule == [
        timedelta(minutes=5),
        timedelta(minutes=35),
        timedelta(hours=1, minutes=35),
        timedelta(hours=4, minutes=35),
        GIVE_UP,  # never past the give-up moment
    ]
    (at_the_edge,) = make(engine, platform, clock).run_once()
    assert at_the_edge.status == "unknown" and post(engine, post_id).status == "publishing"
    clock.advance(seconds=1)
    (past,) = make(engine, platform, clock).run_once()
    assert past.status == "needs_attention" and post(engine, post_id).status == "needs_attention"
    assert "ReadTimeout" in (post(engine, post_id).last_error or "")
    assert platform.sends == 1
    since = f"(searches failing since {first_failure:%Y-%m-%d %H:%M} UTC)"
    with reading(engine) as session:
        last = post_store.trail(session, post_id)[-1]
    assert (last.action, last.reason) == ("reconcile", post(engine, post_id).last_error)
    assert last.reason is not None and last.reason.endswith(since)


def test_next_search_at_the_give_up_edge() -> None:
    """The pure rule: searching again up to `give_up` after the first failure, never later."""
    first = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)
    assert next_search(first, 1, first, GIVE_UP) == first + LADDER[0]
    assert next_search(first, 5, first + timedelta(hours=5), GIVE_UP) == first + GIVE_UP
    assert next_search(first, 6, first + GIVE_UP, GIVE_UP) == first + GIVE_UP
    assert next_search(first, 7, first + GIVE_UP + timedelta(seconds=1), GIVE_UP) is None


# -- item 10: throttling pauses ----------------------------------------------------------------


def test_throttling_pause_grows_uses_estimates_and_resets(engine: Engine, clock: FakeClock) -> None:
    """Without an estimate the channel waits 1, 2, 4, 8, then 15 minutes while throttling goes
    on; a success resets it; the platform's estimate is used when it gives one; an estimate of
    0 waits the shortest step."""
    platform = Platform()
    first_id = approved_post(engine, 1)
    for minutes in (1, 2, 4, 8, 15, 15):
        platform.fail_next = RateLimited(f"rate limited (Facebook #4: {RATE_LIMIT_32})")
        assert [o.status for o in make(engine, platform, clock).run_once()] == ["paused"]
        assert pause_left(engine, clock) == timedelta(minutes=minutes)
        clock.advance(minutes=minutes, seconds=-1)
        assert make(engine, platform, clock).run_once() == []  # a second before the end
        clock.advance(seconds=1)
    (done,) = make(engine, platform, clock).run_once()
    assert done.status == "published" and pause_left(engine, clock) is None
    assert post(engine, first_id).attempts == 1  # pauses do not use up attempts
    approved_post(engine, 2)
    for answer, minutes in ((timedelta(0), 1), (timedelta(minutes=30), 30), (None, 4)):
        platform.fail_next = RateLimited("rate limited (Facebook #80001)", answer)
        assert [o.status for o in make(engine, platform, clock).run_once()] == ["paused"]
        assert pause_left(engine, clock) == timedelta(minutes=minutes)
        clock.advance(minutes=minutes)


def test_throttle_pause_rule() -> None:
    """The pure rule: the estimate when above 0, else the rung for the throttles in a row."""
    assert [throttle_pause(None, n) for n in range(1, 8)] == [
        *THROTTLE_LADDER,
        THROTTLE_LADDER[-1],
        THROTTLE_LADDER[-1],
    ]
    assert throttle_pause(timedelta(minutes=42), 3) == timedelta(minutes=42)
    assert throttle_pause(timedelta(0), 2) == timedelta(minutes=2)


def buc(calls: int, regain: int | None) -> dict[str, str]:
    usage: dict[str, object] = {"type": "pages", "call_count": calls, "total_time": 5}
    if regain is not None:
        usage["estimated_time_to_regain_access"] = regain
    return {"X-Business-Use-Case-Usage": json.dumps({PAGE: [usage]})}


def test_platform_estimates_reach_the_publisher() -> None:
    """Graph's time to regain access (0 included) and Retry-After are estimates; a throttle
    without either carries none; Zalo's -32 carries none."""
    assert facebook_errors.throttle_estimate(buc(100, 0)) == timedelta(0)
    assert facebook_errors.throttle_estimate(buc(100, 12)) == timedelta(minutes=12)
    assert facebook_errors.throttle_estimate(buc(100, None)) is None
    assert facebook_errors.throttle_estimate({"Retry-After": "90"}) == timedelta(seconds=90)
    code_4 = facebook_errors.GraphError(4, None, "(#4) Application request limit reached")
    error = facebook_errors.classify(403, code_4, None, write=True, env_name="X")
    assert isinstance(error, RateLimited) and error.retry_after is None
    assert facebook_errors.usage_wait(buc(91, 0)) == timedelta(minutes=1)  # not 15
    minute = zalo_errors.classify(-32, "Your OA reached limit call api", datetime.now(UTC))
    assert isinstance(minute, RateLimited) and minute.retry_after is None


# -- item 12, the publisher's part: an unknown outcome holds nothing -----------------------------


def test_a_post_awaiting_reconcile_does_not_hold_its_channel(
    engine: Engine, clock: FakeClock
) -> None:
    """While one post's outcome is unknown, the channel's next due post goes out in the same
    pass; the first is reconciled later from its attempt's start, and found, once. Passes
    before and after that send nothing again."""
    platform = Platform()
    approved_post(engine, 1)
    approved_post(engine, 2)
    platform.lose_answers = 1
    started = clock.now()
    outcomes = make(engine, platform, clock).run_once()
    assert [o.status for o in outcomes] == ["unknown", "published"]
    lost = outcomes[0].post_id
    assert make(engine, platform, clock).run_once() == []  # too early to ask the platform
    clock.advance(seconds=VISIBILITY_DELAY.total_seconds() + 1)
    (found,) = make(engine, platform, clock).run_once()
    assert (found.post_id, found.status) == (lost, "published")
    assert platform.searched_from == [started]
    assert make(engine, platform, clock).run_once() == [] and platform.sends == 2
    assert sorted(len(platform.copies(o.post_id)) for o in outcomes) == [1, 1]


def test_a_live_claim_of_another_worker_does_not_hold_the_channel(
    engine: Engine, clock: FakeClock
) -> None:
    """While one worker's request for a post is in flight (its lease alive), another worker's
    pass leaves that post alone and sends the channel's next one; the first worker then records
    its own post and skips the one already sent. Each is on the Page once."""
    platform = Platform()
    first_id, second_id = approved_post(engine, 1), approved_post(engine, 2)
    first, second = make(engine, platform, clock), make(engine, platform, clock)
    meanwhile = []

    def another_worker_passes(_: OutgoingPost) -> None:
        clock.advance(minutes=1)  # well within the lease
        meanwhile.extend(second.run_once())

    platform.during_send = another_worker_passes
    outcomes = first.run_once()
    assert [(o.post_id, o.status) for o in meanwhile] == [(second_id, "published")]
    assert [(o.post_id, o.status) for o in outcomes] == [
        (first_id, "published"),
        (second_id, "skipped"),
    ]
    assert len(platform.copies(first_id)) == len(platform.copies(second_id)) == 1
    assert platform.sends == 2 and post(engine, first_id).status == "published"


def test_the_channel_holds_once_enough_posts_went_out_after_an_unknown_outcome(
    engine: Engine, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After an unknown outcome, up to UNSETTLED_HEADROOM more attempts (2 here) are made,
    counted from the database across passes; then the channel holds until the outcome is
    settled, so the lost post never sinks deeper than a search reads."""
    monkeypatch.setattr(publisher_module, "UNSETTLED_HEADROOM", 2)
    platform = Platform()
    for n in range(1, 6):
        approved_post(engine, n)
    # the second attempt fails: it counts all the same (Zalo's article may exist by then)
    platform.answers = [None, Rejected("Zalo error -201: invalid cover")]
    platform.lose_answers = 1
    first_pass = make(engine, platform, clock).run_once()
    assert [o.status for o in first_pass] == ["unknown", "failed", "published"]
    assert make(engine, platform, clock).run_once() == []  # two went out since: held
    clock.advance(seconds=VISIBILITY_DELAY.total_seconds() + 1)
    settled = make(engine, platform, clock).run_once()
    assert [o.status for o in settled] == ["published"] * 3
    assert settled[0].post_id == first_pass[0].post_id and len(platform.stored) == 4


def test_reconcile_searches_from_when_the_attempt_began(engine: Engine, clock: FakeClock) -> None:
    """find_existing gets the attempt's start every time, not the post's last change (a failed
    search changes the post)."""
    platform = Platform()
    started = clock.now()
    post_id = approved_post(engine)
    platform.fail_next = Ambiguous("Facebook #2: Service temporarily unavailable")
    make(engine, platform, clock).run_once()
    clock.advance(seconds=VISIBILITY_DELAY.total_seconds() + 1)
    platform.find_errors = [Transient("no answer from Facebook (ReadTimeout)")]
    make(engine, platform, clock).run_once()
    assert post(engine, post_id).updated_at == clock.now()
    clock.advance(seconds=LADDER[0].total_seconds())
    (retry,) = make(engine, platform, clock).run_once()
    assert retry.status == "retry"
    assert platform.searched_from == [started, started]
