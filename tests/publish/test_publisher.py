"""The publisher: claim before sending, exactly once through unknown outcomes, crashes, retries,
rate limits, auth problems and refusals. Connectors here are scripted at the contract level;
the HTTP fakes of Facebook and Zalo are exercised in their own tests."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine
from sqlmodel import select
from structlog.testing import capture_logs

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
from connectors.sandbox.client import SandboxConnector
from storage import posts as post_store
from storage import publishing as publishing_store
from storage.models import Alert, Post, PostStep
from storage.session import reading, writing
from syndicator.config import Settings
from syndicator.posts.render import Rendered
from syndicator.publish.publisher import (
    LADDER,
    LEASE,
    VISIBILITY_DELAY,
    Publisher,
    PublishOutcome,
    outgoing,
)
from tests.helpers.clock import FakeClock
from tests.helpers.posts import NOW, feed, make_posts, parsed, walk
from tests.helpers.publishing import Scripted, approved_post, post, publisher, settings


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


def test_the_last_rung_still_retries_and_the_next_attempt_fails(
    engine: Engine, clock: FakeClock
) -> None:
    """Attempts 1 to 5 each wait their rung of the ladder (5 min, 30 min, 1 h, 3 h, 6 h), the
    fifth included; the sixth attempt is the one that fails for good."""
    post_id = approved_post(engine)
    connector = Scripted()
    unavailable: list[BaseException | None] = [Transient("HTTP 503 Service Unavailable")]
    connector.answers = unavailable * 3 * 6
    minutes = (5, 30, 60, 180, 360)
    for rung in minutes:
        (outcome,) = publisher(engine, connector, clock).run_once()
        waiting = post(engine, post_id)
        assert outcome.status == "retry" and waiting.status == "approved"
        assert waiting.next_attempt_at == clock.now() + timedelta(minutes=rung)
        clock.current = waiting.next_attempt_at
    (last,) = publisher(engine, connector, clock).run_once()
    failed = post(engine, post_id)
    assert last.status == "failed" and failed.status == "failed" and failed.attempts == 6
    assert "gave up after 6 attempts" in last.detail and connector.calls == 3 * 6


@pytest.mark.parametrize(
    ("zone", "month", "day"),
    [
        ("Asia/Ho_Chi_Minh", 11, 2),
        ("Europe/Berlin", 10, 25),  # the clock falls back: a local day of 25 hours
    ],
)
def test_daily_cap_counts_the_whole_local_day(
    engine: Engine, clock: FakeClock, zone: str, month: int, day: int
) -> None:
    """With two posts a day, one sent at 00:05 local time (17:05 UTC the day before in Hà Nội)
    and one at noon, a third approved at 23:50 waits: the history read reaches back over the
    whole local day, a 25-hour one too. It goes at midnight, not a second before."""
    capped = Settings.model_validate(
        {
            "timezone": zone,
            "channels": {"facebook": {"type": "facebook"}},
            "pacing": {"facebook": {"quiet_hours": "", "min_spacing": "0s", "max_per_day": 2}},
        }
    )
    local, connector = ZoneInfo(capped.timezone), Scripted()
    pub = Publisher(engine, {"facebook": connector}, capped, clock)

    def at(on: int, hour: int, minute: int, second: int = 0) -> None:
        wall = datetime(2026, month, on, hour, minute, second, tzinfo=local)
        clock.current = wall.astimezone(UTC)

    for n, hour, minute in ((1, 0, 5), (2, 12, 0)):
        approved_post(engine, n)
        at(day, hour, minute)
        assert [o.status for o in pub.run_once()] == ["published"]
    third = approved_post(engine, 3)
    for hour, minute, second in ((23, 50, 0), (23, 59, 59)):
        at(day, hour, minute, second)
        assert pub.due_posts("facebook") == [] and pub.run_once() == []
    at(day + 1, 0, 0)
    assert [(o.post_id, o.status) for o in pub.run_once()] == [(third, "published")]


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


@pytest.mark.parametrize(
    ("error", "status", "action", "outcome_status", "next_in"),
    [
        (Rejected("(#100) Invalid parameter: link"), "failed", "refuse", "failed", None),
        (
            RateLimited("rate limited (#4 Application request limit reached)", timedelta(minutes=30)),
            "approved", "pause", "paused", timedelta(minutes=30),
        ),
        (AuthProblem("page token expired: set a new one"), "approved", "pause", "paused", None),
        (Transient("HTTP 502 without a Graph error"), "approved", "retry", "retry", LADDER[0]),
    ],
)  # fmt: skip
def test_each_failed_attempt_is_recorded_with_the_platforms_words(
    engine: Engine,
    clock: FakeClock,
    error: Exception,
    status: str,
    action: str,
    outcome_status: str,
    next_in: timedelta | None,
) -> None:
    """The outcome, the post's last_error and next try, the audit event and the channel's pause
    each carry what the platform said; the editor sees why, the pacer sees when."""
    post_id = approved_post(engine)
    connector = Scripted()
    connector.answers = [error] * 3  # the in-run tries of a Transient
    connector.healthy = False
    (outcome,) = publisher(engine, connector, clock).run_once()
    message = str(error)
    assert (outcome.post_id, outcome.channel, outcome.status) == (
        post_id,
        "facebook",
        outcome_status,
    )
    assert outcome.detail == message
    after = post(engine, post_id)
    assert (after.status, after.last_error) == (status, message)
    assert after.next_attempt_at == (clock.now() + next_in if next_in else None)
    with reading(engine) as session:
        last = post_store.trail(session, post_id)[-1]
        pause = publishing_store.pause_of(session, "facebook")
    assert (last.action, last.from_status, last.to_status, last.reason) == (
        action, "publishing", status, message,
    )  # fmt: skip
    if action == "pause":
        assert pause is not None and pause.reason == message
    else:
        assert pause is None


def test_giving_up_after_the_ladder_names_the_attempts(engine: Engine, clock: FakeClock) -> None:
    """The last rung spent, the post fails with the count in the audit and the platform's
    words as its last error."""
    post_id = approved_post(engine)
    connector = Scripted()
    for _ in range(len(LADDER) + 1):
        connector.answers = [Transient("HTTP 503 without a Graph error")] * 3
        (outcome,) = publisher(engine, connector, clock).run_once()
        clock.advance(days=2)
    assert outcome.status == "failed"
    after = post(engine, post_id)
    assert (after.status, after.last_error) == ("failed", "HTTP 503 without a Graph error")
    with reading(engine) as session:
        last = post_store.trail(session, post_id)[-1]
    assert (last.action, last.reason) == (
        "fail", f"gave up after {len(LADDER) + 1} attempts: HTTP 503 without a Graph error",
    )  # fmt: skip


def test_a_failing_search_keeps_its_reason_and_one_for_auth_pauses_the_channel(
    engine: Engine, clock: FakeClock
) -> None:
    """After an unknown outcome, a search refused for the token records why and pauses the
    channel with the platform's words; a token that still fails its check keeps it paused."""
    post_id = approved_post(engine)
    connector = Scripted()
    connector.answers = [Ambiguous("connection reset")]
    publisher(engine, connector, clock).run_once()
    connector.find_error = AuthProblem("page token expired: set a new one")
    connector.healthy = False
    clock.advance(minutes=5)
    (outcome,) = publisher(engine, connector, clock).run_once()
    message = "cannot tell whether it was published: page token expired: set a new one"
    assert (outcome.status, outcome.detail) == ("unknown", message)
    after = post(engine, post_id)
    assert (after.status, after.last_error) == ("publishing", message)
    with reading(engine) as session:
        last = post_store.trail(session, post_id)[-1]
        pause = publishing_store.pause_of(session, "facebook")
    assert (last.action, last.reason) == ("search_failed", message)
    assert pause is not None and pause.reason == "page token expired: set a new one"


def test_a_token_check_that_raises_keeps_the_channel_paused(
    engine: Engine, clock: FakeClock
) -> None:
    """While paused for its token, a check that itself fails (the platform is down) is not
    taken for a fixed token: nothing is sent."""
    post_id = approved_post(engine)
    connector = Scripted()
    connector.answers = [AuthProblem("page token expired: set a new one")]
    publisher(engine, connector, clock).run_once()

    def failing_check() -> Health:
        raise Transient("graph.facebook.com unreachable")

    connector.check = failing_check  # type: ignore[method-assign]
    assert publisher(engine, connector, clock).run_once() == []
    assert post(engine, post_id).status == "approved" and connector.calls == 1


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


def test_audit_counts_keep_to_their_post_channel_action_and_time(
    engine: Engine, clock: FakeClock
) -> None:
    """What the publisher counts from the trail: the channel's claims from a moment on (the
    headroom of unsettled attempts), one post's events of one kind from a moment on, oldest
    first (the failed searches of an attempt)."""
    on_facebook, on_zalo = sorted(
        make_posts(engine, feed(review="auto", channels=("facebook", "zalo")), parsed(n=1)),
        key=lambda post_id: post(engine, post_id).channel != "facebook",
    )
    other = approved_post(engine, 2)
    since = clock.now()
    events = [
        (on_facebook, "claim", since - timedelta(seconds=1)),
        (on_facebook, "claim", since),
        (on_facebook, "search_failed", since + timedelta(minutes=9)),
        (on_facebook, "search_failed", since + timedelta(minutes=1)),
        (on_facebook, "search_failed", since - timedelta(seconds=1)),
        (on_facebook, "retry", since + timedelta(minutes=2)),
        (other, "claim", since + timedelta(minutes=3)),
        (other, "search_failed", since + timedelta(minutes=4)),
        (on_zalo, "claim", since + timedelta(minutes=5)),
    ]
    with writing(engine) as session:
        for post_id, action, at in events:
            post_store.record(session, post_id, at, "publisher", action, "approved", "publishing")
    with reading(engine) as session:
        assert publishing_store.claims_since(session, "facebook", since) == 2
        assert publishing_store.claims_since(session, "zalo", since) == 1
        assert publishing_store.events_since(session, on_facebook, "search_failed", since) == [
            since + timedelta(minutes=1),
            since + timedelta(minutes=9),
        ]


def test_a_fixed_token_lifts_the_pause(engine: Engine, clock: FakeClock) -> None:
    """Once the token checks out again the pause row is gone, not checked again every pass."""
    approved_post(engine)
    connector = Scripted()
    connector.answers = [AuthProblem("page token expired: set a new one")]
    publisher(engine, connector, clock).run_once()
    (resumed,) = publisher(engine, connector, clock).run_once()
    assert resumed.status == "published"
    with reading(engine) as session:
        assert publishing_store.pause_of(session, "facebook") is None


# How an approved post reaches each state, through the table of moves (storage/states.py).
PATHS: dict[str, list[tuple[str, str]]] = {
    "published": [("claim", "publishing"), ("publish", "published")],
    "failed": [("claim", "publishing"), ("fail", "failed")],
    "rejected": [("reject", "rejected")],
    "approved": [],
    "needs_attention": [("claim", "publishing"), ("reconcile", "needs_attention")],
}


def test_prune_drops_only_finished_posts_steps_and_resolved_alerts_before_the_cut(
    engine: Engine, clock: FakeClock
) -> None:
    """Step results go once a post is published, failed or rejected before the cut (not at
    it, not for a post still in the pipeline); alerts once resolved before their cut."""
    cut = clock.now()
    finished = {
        "published": cut - timedelta(seconds=1),
        "failed": cut - timedelta(days=40),
        "rejected": cut - timedelta(days=40),
    }
    kept = {"approved": cut - timedelta(days=40), "needs_attention": cut - timedelta(days=40)}
    post_ids = []
    for n, (status, updated) in enumerate([*finished.items(), *kept.items(), ("published", cut)]):
        post_id = approved_post(engine, n + 1)
        post_ids.append(post_id)
        with writing(engine) as session:
            walk(session, post_id, PATHS[status], updated, updated_at=updated)
            session.add(PostStep(post_id=post_id, step="token", value="t", at=updated))
    with writing(engine) as session:
        for key, resolved in [
            ("old", cut - timedelta(seconds=1)),
            ("at_cut", cut),
            ("open", None),
        ]:
            session.add(
                Alert(key=key, kind="feed_broken", subject="skhcn", detail="HTTP 503",
                      opened_at=cut - timedelta(days=400), resolved_at=resolved)
            )  # fmt: skip
    with writing(engine) as session:
        assert publishing_store.prune(session, cut, cut) == (3, 1)
    with writing(engine) as session:
        assert publishing_store.prune(session, cut, cut) == (0, 0)  # nothing more to drop
    with reading(engine) as session:
        left = {step.post_id for step in session.exec(select(PostStep))}
        alerts = {alert.key for alert in session.exec(select(Alert))}
    assert left == set(post_ids[3:])
    assert alerts == {"at_cut", "open"}


# ---- survivors of the mutmut run (issue #9): outgoing(), the outcome's record, retries ----

ZALO_RENDERED = Rendered(
    channel_type="zalo",
    text="Ủy ban nhân dân tỉnh thông báo kế hoạch chuyển đổi số năm 2027.",
    link="https://skhcn.gov.vn/tin/1.html",
    title="Triển khai chuyển đổi số năm 2027",
    author="Sở KH&CN",
    description="Kế hoạch chuyển đổi số của tỉnh năm 2027",
    cover="https://skhcn.gov.vn/a.jpg",
    body=({"type": "text", "content": "<p>Nội dung từ mẫu</p>"},),
)


def edited(channel_type: str, text: str | None) -> Post:
    rendered = replace(ZALO_RENDERED, channel_type=channel_type)
    return Post(
        id=41,
        item_id=1,
        channel=channel_type,
        feed_id="skhcn",
        status="approved",
        rendered=rendered.to_json(),
        edited_text=text,
        created_at=NOW,
        updated_at=NOW,
    )


def test_an_edited_zalo_article_goes_out_as_the_editors_escaped_paragraphs() -> None:
    """Each non-blank line of an editor's text becomes one escaped paragraph block; the title,
    author and description stay the rendering's."""
    text = "Sở KH&CN <thông báo>\n\n   \nHạn nộp hồ sơ: 15/11/2027"
    sent = outgoing(edited("zalo", text), NOW)
    assert sent.body == (
        {"type": "text", "content": "<p>Sở KH&amp;CN &lt;thông báo&gt;</p>"},
        {"type": "text", "content": "<p>Hạn nộp hồ sơ: 15/11/2027</p>"},
    )
    assert (sent.post_id, sent.text) == (41, text)
    assert (sent.author, sent.description) == (
        "Sở KH&CN",
        "Kế hoạch chuyển đổi số của tỉnh năm 2027",
    )


def test_an_edited_facebook_post_keeps_the_rendered_body() -> None:
    sent = outgoing(edited("facebook", "Nội dung đã sửa"), NOW)
    assert sent.body == ZALO_RENDERED.body and sent.text == "Nội dung đã sửa"
    assert not sent.photo  # a link post unless the caller asks for a photo


def test_only_the_posts_own_feed_decides_a_photo_post(engine: Engine, clock: FakeClock) -> None:
    """Another feed asking for photo posts does not turn this feed's posts into photos."""
    photo_feed = feed().model_copy(update={"id": "so-yte", "facebook_photo": True})
    config = settings().model_copy(update={"feeds": [feed(), photo_feed]})
    publishing = Publisher(engine, {}, config, clock)
    assert not publishing._as_photo(edited("facebook", None))
    assert publishing._as_photo(replace_feed(edited("facebook", None), "so-yte"))


def replace_feed(the_post: Post, feed_id: str) -> Post:
    the_post.feed_id = feed_id
    return the_post


def test_the_lease_is_renewed_three_times_per_lease(engine: Engine, clock: FakeClock) -> None:
    assert publisher(engine, Scripted(), clock).renew_every == LEASE.total_seconds() / 3


def test_run_once_for_one_channel_leaves_the_others(engine: Engine, clock: FakeClock) -> None:
    """run_once("zalo") sends nothing on facebook; run_once() reports every channel's outcomes."""
    post_id = approved_post(engine)
    facebook, zalo = Scripted(), Scripted()
    both = Publisher(engine, {"facebook": facebook, "zalo": zalo}, settings(), clock)
    assert both.run_once("zalo") == [] and facebook.calls == 0
    (outcome,) = both.run_once()
    assert (outcome.post_id, outcome.channel, outcome.status) == (post_id, "facebook", "published")


def test_an_unknown_outcome_is_handed_to_reconcile_with_its_error(
    engine: Engine, clock: FakeClock
) -> None:
    """The post waits, claimed by reconcile (no worker's), with the platform's words recorded."""
    post_id = approved_post(engine)
    connector = Scripted()
    connector.answers = [Ambiguous("HTTP 500 from graph.facebook.com")]
    publisher(engine, connector, clock).run_once()
    waiting = post(engine, post_id)
    assert waiting.claimed_by == publishing_store.AWAITING_RECONCILE
    assert waiting.last_error == "HTTP 500 from graph.facebook.com"
    with reading(engine) as session:
        last = post_store.trail(session, post_id)[-1]
    assert (last.action, last.reason) == ("unknown", "HTTP 500 from graph.facebook.com")
    clock.advance(seconds=VISIBILITY_DELAY.total_seconds() + 1)
    (retry,) = publisher(engine, connector, clock).run_once()
    again = "not found on the platform after: HTTP 500 from graph.facebook.com"
    assert retry == PublishOutcome(post_id, "facebook", "retry", again)
    assert post(engine, post_id).last_error == again


def test_a_post_found_by_reconcile_is_recorded_with_its_url_and_no_error(
    engine: Engine, clock: FakeClock
) -> None:
    post_id = approved_post(engine)
    connector = Scripted()
    connector.answers = [Ambiguous("timeout after the post was created")]
    publisher(engine, connector, clock).run_once()
    url = f"https://www.facebook.com/{post_id}/posts/remote-{post_id}"
    connector.on_platform[post_id] = Published(f"remote-{post_id}", url)
    clock.advance(seconds=VISIBILITY_DELAY.total_seconds() + 1)
    (found,) = publisher(engine, connector, clock).run_once()
    assert found == PublishOutcome(post_id, "facebook", "published", f"remote-{post_id}")
    done = post(engine, post_id)
    assert (done.remote_url, done.last_error) == (url, None)
    with reading(engine) as session:
        last = post_store.trail(session, post_id)[-1]
    assert (last.action, last.reason) == ("reconcile", url)


def test_a_claim_or_take_over_lost_to_another_worker_is_reported_as_skipped(
    engine: Engine, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    post_id = approved_post(engine)
    lost = publisher(engine, Scripted(), clock)
    monkeypatch.setattr(lost.claims, "claim", lambda _post: None)
    monkeypatch.setattr(lost.claims, "take_over", lambda _post: None)
    the_post = post(engine, post_id)
    assert lost._publish(Scripted(), the_post) == PublishOutcome(
        post_id, "facebook", "skipped", "claimed by another worker"
    )
    assert lost._reconcile(Scripted(), the_post) == PublishOutcome(
        post_id, "facebook", "skipped", "taken by another worker"
    )


def test_contradicting_answers_leave_the_reason_for_a_person(
    engine: Engine, clock: FakeClock
) -> None:
    post_id = approved_post(engine)
    connector = Scripted()
    connector.answers = [Ambiguous("HTTP 502")]
    publisher(engine, connector, clock).run_once()
    connector.find_error = Contradictory("two posts carry this link")
    clock.advance(seconds=VISIBILITY_DELAY.total_seconds() + 1)
    publisher(engine, connector, clock).run_once()
    reason = "the platform's answers contradict each other: two posts carry this link"
    assert post(engine, post_id).last_error == reason
    with reading(engine) as session:
        last = post_store.trail(session, post_id)[-1]
    assert (last.action, last.reason, last.to_status) == ("reconcile", reason, "needs_attention")


def test_in_run_retries_wait_2_then_4_seconds(engine: Engine, clock: FakeClock) -> None:
    approved_post(engine)
    connector, waits = Scripted(), list[float]()
    connector.answers = [Transient("HTTP 503"), Transient("HTTP 503")]
    sleeping = Publisher(engine, {"facebook": connector}, settings(), clock, sleep=waits.append)
    (outcome,) = sleeping.run_once()
    assert outcome.status == "published" and waits == [2.0, 4.0]


def test_a_retry_may_still_start_at_exactly_its_latest_start(
    engine: Engine, clock: FakeClock
) -> None:
    """The in-run retry is skipped only once the clock is past the latest start, not at it."""
    approved_post(engine)
    budget = settings().publishing
    latest = clock.now() + budget.attempt_budget() - budget.try_budget()
    connector = Scripted()

    def first_try_ends_at_the_edge(sent: OutgoingPost) -> Published:
        if connector.calls == 0:
            connector.calls = 1
            clock.advance(seconds=(latest - clock.now()).total_seconds())
            raise Transient("HTTP 503")
        return Scripted.publish(connector, sent)

    connector.publish = first_try_ends_at_the_edge  # type: ignore[method-assign,assignment]
    (outcome,) = publisher(engine, connector, clock).run_once()
    assert outcome.status == "published" and clock.now() == latest


def test_giving_up_keeps_the_last_attempts_own_words(engine: Engine, clock: FakeClock) -> None:
    post_id = approved_post(engine)
    connector = Scripted()
    for attempt in range(len(LADDER) + 1):
        last = attempt == len(LADDER)
        words = "HTTP 504 Gateway Time-out" if last else "HTTP 503 without a Graph error"
        connector.answers = [Transient(words)] * 3
        publisher(engine, connector, clock).run_once()
        clock.advance(days=2)
    after = post(engine, post_id)
    assert (after.status, after.last_error) == ("failed", "HTTP 504 Gateway Time-out")


def test_the_request_carries_when_its_attempt_began(engine: Engine, clock: FakeClock) -> None:
    approved_post(engine)
    connector, began = Scripted(), clock.now()
    sent: list[OutgoingPost] = []

    def remember(post: OutgoingPost) -> Published:
        sent.append(post)
        return Published("remote-1")

    connector.publish = remember  # type: ignore[method-assign]
    publisher(engine, connector, clock).run_once()
    assert [post.claimed_at for post in sent] == [began]


def warnings_of(logs: Sequence[Mapping[str, Any]]) -> list[object]:
    return [line["event"] for line in logs if line["log_level"] == "warning"]


def test_an_unknown_outcome_and_a_failed_search_are_each_logged_once(
    engine: Engine, clock: FakeClock
) -> None:
    """The operator's log says when an outcome is unknown and when its search failed, each
    under its own event, and nothing of the kind for a plain retry."""
    approved_post(engine, 1)
    connector = Scripted()
    connector.answers = [Ambiguous("read timeout after sending")]
    with capture_logs() as logs:
        publisher(engine, connector, clock).run_once()
    assert warnings_of(logs) == ["post.outcome_unknown"]
    clock.advance(seconds=VISIBILITY_DELAY.total_seconds() + 1)
    connector.find_error = Transient("HTTP 503 on /feed")
    with capture_logs() as logs:
        (searched,) = publisher(engine, connector, clock).run_once()
    assert searched.status == "unknown" and warnings_of(logs) == ["post.search_failed"]
    approved_post(engine, 2)
    connector.answers = [Transient("503")] * 3
    with capture_logs() as logs:
        (retried,) = publisher(engine, connector, clock).run_once()
    assert retried.status == "retry" and warnings_of(logs) == []


def test_a_throttle_logs_the_channels_pause(engine: Engine, clock: FakeClock) -> None:
    """A pause of the channel is logged with its end, the throttles in a row and the reason."""
    approved_post(engine)
    connector = Scripted()
    connector.answers = [RateLimited("app usage 100%", timedelta(minutes=30))]
    with capture_logs() as logs:
        (outcome,) = publisher(engine, connector, clock).run_once()
    assert outcome.status == "paused"
    paused = [line for line in logs if line["event"] == "channel.paused"]
    assert paused == [
        {
            "event": "channel.paused",
            "log_level": "warning",
            "channel": "facebook",
            "until": clock.now() + timedelta(minutes=30),
            "strikes": 1,
            "reason": "app usage 100%",
        }
    ]


def test_an_error_without_words_reports_an_empty_detail(engine: Engine, clock: FakeClock) -> None:
    """A refusal whose error has no text reports an empty detail, not a made-up one."""
    post_id = approved_post(engine)
    connector = Scripted()
    connector.answers = [Rejected("")]
    (outcome,) = publisher(engine, connector, clock).run_once()
    assert (outcome.status, outcome.detail) == ("failed", "")
    assert post(engine, post_id).last_error == ""
