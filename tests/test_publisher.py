"""The publisher: claim before sending, exactly once through unknown outcomes, crashes, retries,
rate limits, auth problems and refusals. Connectors here are scripted at the contract level;
the HTTP fakes of Facebook and Zalo are exercised in their own tests."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from connectors.base import (
    Ambiguous,
    AuthProblem,
    Contradictory,
    Health,
    OutgoingPost,
    Published,
    RateLimited,
    Rejected,
    Transient,
)
from connectors.sandbox import SandboxConnector
from storage import posts as post_store
from storage.session import reading
from syndicator.config import Settings
from syndicator.publisher import LADDER, LEASE, VISIBILITY_DELAY, Publisher
from tests.conftest import FakeClock
from tests.test_posts import feed, make_posts, parsed


class Scripted:
    """A connector whose answers the test writes; it remembers what reached 'the platform'."""

    def __init__(self, engine: Engine | None = None) -> None:
        self.answers: list[BaseException | None] = []
        self.on_platform: dict[int, Published] = {}
        self.calls = 0
        self.find_error: BaseException | None = None
        self.engine, self.seen_status = engine, []
        self.healthy = True

    def publish(self, post: OutgoingPost) -> Published:
        self.calls += 1
        if self.engine is not None:
            with reading(self.engine) as session:
                found = post_store.get(session, post.post_id)
                self.seen_status.append(found.status if found else None)
        answer = self.answers.pop(0) if self.answers else None
        if isinstance(answer, Ambiguous) and "created" in str(answer):
            self.on_platform[post.post_id] = Published(f"remote-{post.post_id}")
        if isinstance(answer, BaseException):
            raise answer
        self.on_platform[post.post_id] = Published(f"remote-{post.post_id}")
        return self.on_platform[post.post_id]

    def find_existing(self, post: OutgoingPost) -> Published | None:
        if self.find_error is not None:
            raise self.find_error
        return self.on_platform.get(post.post_id)

    def check(self) -> Health:
        return Health(self.healthy, "scripted")


def settings() -> Settings:
    return Settings(
        channels={"facebook": {"type": "facebook"}},
        pacing={
            "facebook": {
                "quiet_hours": "",
                "min_spacing": "0s",
                "max_per_hour": 100,
                "max_per_day": 1000,
            }
        },
    )


def approved_post(engine: Engine, n: int = 1) -> int:
    (post_id,) = make_posts(engine, feed(review="auto"), parsed(n=n))
    return post_id


def post(engine: Engine, post_id: int):  # type: ignore[no-untyped-def]
    with reading(engine) as session:
        return post_store.get(session, post_id)


def publisher(engine: Engine, connector: object, clock: FakeClock) -> Publisher:
    return Publisher(
        engine,
        {"facebook": connector},
        settings(),
        clock,  # type: ignore[dict-item]
        sleep=lambda seconds: None,
    )


@pytest.fixture
def clock() -> FakeClock:
    from datetime import UTC, datetime

    return FakeClock(datetime(2026, 11, 1, 3, 30, tzinfo=UTC))


def test_claim_is_committed_before_the_request(engine: Engine, clock: FakeClock) -> None:
    """The platform is called only once the post is visibly `publishing` in the database."""
    post_id = approved_post(engine)
    connector = Scripted(engine)
    (outcome,) = publisher(engine, connector, clock).run_once()
    assert outcome.status == "published" and connector.seen_status == ["publishing"]
    done = post(engine, post_id)
    assert done.status == "published" and done.remote_id == f"remote-{post_id}"
    with reading(engine) as session:
        actions = [e.action for e in post_store.trail(session, post_id)]
    assert actions == ["create", "claim", "publish"]
    assert publisher(engine, connector, clock).run_once() == []


def test_unknown_outcome_is_reconciled_not_resent(engine: Engine, clock: FakeClock) -> None:
    """A timeout after the post was created: after the visibility delay it is found, never resent."""
    post_id = approved_post(engine)
    connector = Scripted()
    connector.answers = [Ambiguous("timeout after the post was created")]
    (first,) = publisher(engine, connector, clock).run_once()
    assert first.status == "unknown" and post(engine, post_id).status == "publishing"
    assert publisher(engine, connector, clock).run_once() == []  # too early to tell
    clock.advance(seconds=VISIBILITY_DELAY.total_seconds() + 1)
    (second,) = publisher(engine, connector, clock).run_once()
    assert second.status == "published" and connector.calls == 1
    assert post(engine, post_id).status == "published"


def test_unknown_outcome_not_found_is_retried_once(engine: Engine, clock: FakeClock) -> None:
    """A 5xx that did not create the post: not found after the delay, it is sent again, once."""
    post_id = approved_post(engine)
    connector = Scripted()
    connector.answers = [Ambiguous("HTTP 500")]
    publisher(engine, connector, clock).run_once()
    clock.advance(seconds=VISIBILITY_DELAY.total_seconds() + 1)
    (retry,) = publisher(engine, connector, clock).run_once()
    assert retry.status == "retry" and post(engine, post_id).status == "approved"
    clock.advance(seconds=LADDER[0].total_seconds())
    (done,) = publisher(engine, connector, clock).run_once()
    assert done.status == "published" and connector.calls == 2
    assert len(connector.on_platform) == 1


def test_crash_with_a_live_claim(engine: Engine, clock: FakeClock) -> None:
    """A process killed mid-request leaves a claim; after the lease, reconcile finds the post."""
    post_id = approved_post(engine)
    connector = Scripted()
    connector.answers = [KeyboardInterrupt()]  # stands for the process dying mid-request
    with pytest.raises(KeyboardInterrupt):
        publisher(engine, connector, clock).run_once()
    connector.on_platform[post_id] = Published("remote-created-before-crash")
    assert post(engine, post_id).status == "publishing"
    clock.advance(seconds=LEASE.total_seconds() + 1)
    (outcome,) = publisher(engine, connector, clock).run_once()
    assert outcome.status == "published" and connector.calls == 1
    assert post(engine, post_id).remote_id == "remote-created-before-crash"


def test_transient_errors_retry_then_climb_the_ladder(engine: Engine, clock: FakeClock) -> None:
    """Transient errors are retried three times in the run, then the post waits 5 minutes."""
    post_id = approved_post(engine)
    connector = Scripted()
    connector.answers = [Transient("503"), Transient("503"), Transient("503")]
    (outcome,) = publisher(engine, connector, clock).run_once()
    assert outcome.status == "retry" and connector.calls == 3
    waiting = post(engine, post_id)
    assert waiting.status == "approved" and waiting.next_attempt_at == clock.now() + LADDER[0]


def test_ladder_ends_in_failed(engine: Engine, clock: FakeClock) -> None:
    """After the whole retry ladder the post is failed with the platform's message."""
    post_id = approved_post(engine)
    connector = Scripted()
    connector.answers = [Transient("503")] * 3 * (len(LADDER) + 1)
    for _ in range(len(LADDER) + 1):
        publisher(engine, connector, clock).run_once()
        clock.advance(hours=7)
    failed = post(engine, post_id)
    assert failed.status == "failed" and "503" in (failed.last_error or "")


def test_rate_limit_pauses_the_channel(engine: Engine, clock: FakeClock) -> None:
    """A rate limit pauses the channel until the platform's time; the post waits, then goes."""
    first, second = approved_post(engine, 1), approved_post(engine, 2)
    connector = Scripted()
    connector.answers = [RateLimited("app usage 100%", timedelta(minutes=30))]
    outcomes = publisher(engine, connector, clock).run_once()
    assert [o.status for o in outcomes] == ["paused"]
    assert post(engine, first).status == post(engine, second).status == "approved"
    assert publisher(engine, connector, clock).run_once() == []
    clock.advance(minutes=31)
    assert sorted(o.status for o in publisher(engine, connector, clock).run_once()) == [
        "published",
        "published",
    ]


def test_auth_problem_pauses_until_fixed(engine: Engine, clock: FakeClock) -> None:
    """An expired token pauses the channel until the token checks out again; posts stay queued."""
    post_id = approved_post(engine)
    connector = Scripted()
    connector.answers = [AuthProblem("page token expired: set a new one")]
    connector.healthy = False
    (outcome,) = publisher(engine, connector, clock).run_once()
    assert outcome.status == "paused"
    clock.advance(days=2)
    assert publisher(engine, connector, clock).run_once() == []
    assert post(engine, post_id).status == "approved" and post(engine, post_id).attempts == 0
    connector.healthy = True  # the operator put a new token in place
    (resumed,) = publisher(engine, connector, clock).run_once()
    assert resumed.status == "published"


def test_rejected_post_fails_with_the_message(engine: Engine, clock: FakeClock) -> None:
    """A permanent refusal moves the post to failed with the platform's words."""
    post_id = approved_post(engine)
    connector = Scripted()
    connector.answers = [Rejected("(#100) Invalid parameter: link")]
    (outcome,) = publisher(engine, connector, clock).run_once()
    assert (
        outcome.status == "failed"
        and post(engine, post_id).last_error == "(#100) Invalid parameter: link"
    )


def test_contradictory_answers_go_to_needs_attention(engine: Engine, clock: FakeClock) -> None:
    """When the platform's answers contradict each other after an unknown outcome, a person
    decides at once (a failing search is retried instead: tests/test_publisher_races.py)."""
    post_id = approved_post(engine)
    connector = Scripted()
    connector.answers = [Ambiguous("connection reset")]
    publisher(engine, connector, clock).run_once()
    connector.find_error = Contradictory("two posts on the Page carry this link")
    clock.advance(minutes=5)
    (outcome,) = publisher(engine, connector, clock).run_once()
    assert outcome.status == "needs_attention" and post(engine, post_id).status == "needs_attention"
    assert connector.calls == 1


def test_two_publishers_send_once(engine: Engine, clock: FakeClock) -> None:
    """Two workers running at once claim a post once: it reaches the platform once."""
    approved_post(engine)
    connector = Scripted()
    start = threading.Barrier(2)

    def run() -> None:
        start.wait()
        publisher(engine, connector, clock).run_once()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert connector.calls == 1


def test_sandbox_writes_an_escaped_preview(
    engine: Engine, clock: FakeClock, tmp_path: Path
) -> None:
    """The sandbox channel writes JSON and an HTML preview with feed content escaped, once."""
    post_id = approved_post(engine)
    sandbox = SandboxConnector(tmp_path / "outbox")
    (outcome,) = publisher(engine, sandbox, clock).run_once()
    assert outcome.status == "published"
    page = (tmp_path / "outbox" / f"post-{post_id}.html").read_text(encoding="utf-8")
    assert "Triển khai chuyển đổi số năm 2027" in page
    again = sandbox.publish(OutgoingPost(post_id=post_id, text="<script>x</script>"))
    assert again.remote_id == f"sandbox-{post_id}"
    hostile = SandboxConnector(tmp_path / "h")
    hostile.publish(OutgoingPost(post_id=7, text="<script>alert(1)</script>", link="javascript:x"))
    html = (tmp_path / "h" / "post-7.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html and "javascript:" not in html
