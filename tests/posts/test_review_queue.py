"""The review queue's guards: an approval is tied to the text the approver saw; a post the
platform refused can be fixed and approved again (one that may be on the platform cannot); a
post whose template failed is never approved or published until it has a text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from connectors.base import Rejected
from storage import posts as post_store
from storage.models import Post
from storage.session import reading, writing
from storage.states import PostStatus, check_move
from syndicator.config import Settings
from syndicator.posts.maker import (
    Conflict,
    NewItem,
    PostMaker,
    TransitionRefused,
    publishable,
)
from syndicator.posts.queue import RECENT_EDIT, ReviewQueue
from syndicator.posts.slots import channel_queue, next_slots
from syndicator.publish.publisher import outgoing
from syndicator.settings_models import FeedSettings, ReviewSettings
from tests.helpers.clock import FakeClock
from tests.helpers.posts import CHANNELS, NOW, TEMPLATES, feed, make_posts, parsed, renderer, walk
from tests.helpers.publishing import Scripted, publisher

EDITED = (
    "Sở Khoa học và Công nghệ thông báo: hội nghị triển khai chuyển đổi số năm 2027 được dời "
    "sang ngày 20/11 tại Hội trường Ủy ban nhân dân tỉnh."
)
OVERRIDE = '{% extends "facebook.j2" %}{% block hashtags %}#SoYTe #SucKhoe{% endblock %}'


def so_yte() -> FeedSettings:
    """A trusted feed whose own template ("so-yte.facebook.j2") the operator must provide."""
    return FeedSettings(
        id="syt",
        name="Sở Y tế",
        url="https://syt.gov.vn/rss",
        review="auto",
        channels=["facebook"],
        template="so-yte",
    )  # type: ignore[call-arg]


def queue(engine: Engine, templates: Path = TEMPLATES) -> ReviewQueue:
    return ReviewQueue(engine, renderer(templates), CHANNELS, [feed(), so_yte()])


def load(engine: Engine, post_id: int) -> Post:
    with reading(engine) as session:
        post = post_store.get(session, post_id)
    assert post is not None
    return post


def snapshot(engine: Engine, post_id: int) -> tuple[dict[str, Any], list[tuple[str, str, str]]]:
    """The post's row and its audit trail: what "nothing changed" compares."""
    with reading(engine) as session:
        events = post_store.trail(session, post_id)
    trail = [(event.action, event.actor, event.to_status) for event in events]
    return load(engine, post_id).model_dump(), trail


def actions(engine: Engine, post_id: int) -> list[str]:
    return [action for action, _, _ in snapshot(engine, post_id)[1]]


# ---- an approval names the text it saw ----


def test_approval_at_an_older_version_is_refused_and_changes_nothing(engine: Engine) -> None:
    """A reads version 0, B edits, A approves version 0: refused, nothing changes; approving
    the version B made goes through, with B's text."""
    (post_id,) = make_posts(engine, feed())
    seen = load(engine, post_id).version
    queue(engine).edit(post_id, "binh", EDITED, NOW)
    before = snapshot(engine, post_id)
    later = NOW + timedelta(hours=2)
    with pytest.raises(Conflict, match=f"đã thay đổi từ khi bạn xem \\(phiên bản {seen}"):
        queue(engine).approve(post_id, "an", later, version=seen)
    assert snapshot(engine, post_id) == before
    approved = queue(engine).approve(post_id, "an", later, version=seen + 1)
    assert approved.status == PostStatus.APPROVED and approved.edited_text == EDITED


@pytest.mark.parametrize(
    ("after", "refused"),
    [
        (timedelta(minutes=3), True),
        (RECENT_EDIT, True),  # at exactly ten minutes, still fresh
        (RECENT_EDIT + timedelta(seconds=1), False),
    ],
)
def test_someone_elses_fresh_edit_holds_an_approval_without_version(
    engine: Engine, after: timedelta, refused: bool
) -> None:
    """Without --version, approving a post someone else edited at most ten minutes ago is
    refused (nothing changes) with a message to look at it again; a second later it goes."""
    (post_id,) = make_posts(engine, feed())
    queue(engine).edit(post_id, "binh", EDITED, NOW)
    before = snapshot(engine, post_id)
    if refused:
        with pytest.raises(Conflict, match=r"vừa được binh sửa .* hãy xem lại"):
            queue(engine).approve(post_id, "an", NOW + after)
        assert snapshot(engine, post_id) == before
    else:
        assert queue(engine).approve(post_id, "an", NOW + after).status == PostStatus.APPROVED


def test_own_edit_or_the_version_seen_approves_at_once(engine: Engine) -> None:
    """The editor may approve their own fresh edit; anyone may approve it naming its version."""
    first, second = make_posts(engine, feed(channels=("facebook", "zalo")))
    for post_id in (first, second):
        queue(engine).edit(post_id, "binh", EDITED, NOW)
    assert queue(engine).approve(first, "binh", NOW).status == PostStatus.APPROVED
    version = load(engine, second).version
    assert queue(engine).approve(second, "an", NOW, version=version).status == PostStatus.APPROVED


# ---- a post the platform refused ----


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 1, 3, 30, tzinfo=UTC))


def refused_post(engine: Engine, clock: FakeClock, connector: Scripted) -> int:
    """An approved post that Facebook refuses with its (#100) message, through the publisher."""
    (post_id,) = make_posts(engine, feed(review="auto"))
    connector.answers = [Rejected("(#100) Invalid parameter: link")]
    (outcome,) = publisher(engine, connector, clock).run_once()
    assert outcome.status == "failed" and load(engine, post_id).status == PostStatus.FAILED
    return post_id


def test_refused_post_is_edited_and_approved_again_and_published_once(
    engine: Engine, clock: FakeClock
) -> None:
    """Refused → edited (back to review, attempts reset) → approved → published: one post row,
    one post on the platform, and every step in the audit trail."""
    connector = Scripted()
    post_id = refused_post(engine, clock, connector)
    edited = queue(engine).edit(post_id, "bien-tap", EDITED, clock.now())
    assert (edited.status, edited.attempts, edited.last_error) == (
        PostStatus.PENDING_REVIEW,
        0,
        None,
    )
    queue(engine).approve(post_id, "truong-ban", clock.advance(minutes=11))
    (outcome,) = publisher(engine, connector, clock).run_once()
    assert outcome.status == "published" and list(connector.on_platform) == [post_id]
    assert connector.calls == 2 and load(engine, post_id).attempts == 1
    assert actions(engine, post_id) == [
        "create", "claim", "refuse", "edit", "approve", "claim", "publish",
    ]  # fmt: skip
    with reading(engine) as session:
        rows = session.exec(select(Post).where(Post.item_id == load(engine, post_id).item_id))
        assert [row.id for row in rows] == [post_id]


def test_refused_post_can_be_approved_again_as_it_is(engine: Engine, clock: FakeClock) -> None:
    """An approver may send a refused post again unchanged (failed → approved, attempts reset)."""
    post_id = refused_post(engine, clock, Scripted())
    approved = queue(engine).approve(post_id, "truong-ban", clock.now())
    assert (approved.status, approved.attempts, approved.next_attempt_at) == (
        PostStatus.APPROVED,
        0,
        None,
    )
    assert actions(engine, post_id)[-2:] == ["refuse", "approve"]


def test_post_that_failed_after_errors_is_never_sent_again(engine: Engine) -> None:
    """A post that gave up after errors may be on the platform: approving, editing or rendering
    it again is refused (in Vietnamese first) and changes nothing; rejecting it still works."""
    (post_id,) = make_posts(engine, feed(review="auto"))
    with writing(engine) as session:  # what the publisher does when it gives up
        reason = "gave up after 6 attempts: HTTP 503"
        gave_up = [("claim", PostStatus.PUBLISHING), ("fail", PostStatus.FAILED)]
        walk(session, post_id, gave_up, NOW, reason, last_error="HTTP 503", attempts=6)
    before = snapshot(engine, post_id)
    attempts = [
        lambda: queue(engine).approve(post_id, "an", NOW),
        lambda: queue(engine).edit(post_id, "an", EDITED, NOW),
        lambda: queue(engine).rerender(post_id, "an", NOW),
    ]
    for attempt in attempts:
        with pytest.raises(TransitionRefused, match=r"^Bài .* có thể đã lên nền tảng"):
            attempt()
    assert snapshot(engine, post_id) == before
    assert queue(engine).reject(post_id, "an", "Đã đăng tay trên trang", NOW).status == "rejected"


# ---- a post whose template failed ----


def broken_post(engine: Engine, templates: Path) -> int:
    """A trusted feed's post whose own template is missing: it waits, with no text."""
    (post_id,) = make_posts(engine, so_yte(), parsed(), templates)
    post = load(engine, post_id)
    assert post.status == PostStatus.PENDING_REVIEW and post.rendered["text"] == ""
    assert any(flag.startswith("template_error:") for flag in post.flags)
    return post_id


def test_template_error_post_cannot_be_approved(engine: Engine, tmp_path: Path) -> None:
    """Approving a post whose template failed is refused, in Vietnamese first, changing nothing."""
    post_id = broken_post(engine, tmp_path)
    before = snapshot(engine, post_id)
    with pytest.raises(TransitionRefused, match=r"^Mẫu bài đăng bị lỗi .*so-yte\.facebook\.j2"):
        queue(engine, tmp_path).approve(post_id, "an", NOW)
    assert snapshot(engine, post_id) == before


def test_fixed_template_renders_the_post_again_and_clears_the_flag(
    engine: Engine, tmp_path: Path
) -> None:
    """While the template still fails, rerender changes nothing; once the operator adds it, the
    post gets its text, loses the template_error reason and can be approved."""
    post_id = broken_post(engine, tmp_path)
    before = snapshot(engine, post_id)
    with pytest.raises(TransitionRefused, match=r"^Mẫu bài đăng vẫn lỗi"):
        queue(engine, tmp_path).rerender(post_id, "van-hanh", NOW)
    assert snapshot(engine, post_id) == before
    (tmp_path / "so-yte.facebook.j2").write_text(OVERRIDE, encoding="utf-8")
    fixed = queue(engine, tmp_path).rerender(post_id, "van-hanh", NOW)
    assert fixed.status == PostStatus.PENDING_REVIEW and fixed.rendered["error"] is None
    assert fixed.rendered["text"].startswith(parsed().title) and "#SoYTe" in fixed.rendered["text"]
    assert not any(flag.startswith("template_error") for flag in fixed.flags)
    with pytest.raises(Conflict, match="vừa được van-hanh sửa"):  # a new text nobody has read
        queue(engine, tmp_path).approve(post_id, "an", NOW)
    assert (
        queue(engine, tmp_path).approve(post_id, "an", NOW, fixed.version).status
        == PostStatus.APPROVED
    )


def test_hand_written_text_makes_a_template_error_post_approvable(
    engine: Engine, tmp_path: Path
) -> None:
    """An editor's own text stands in for the failed template: approved, it goes out with that
    text and the article's link."""
    post_id = broken_post(engine, tmp_path)
    queue(engine, tmp_path).edit(post_id, "bien-tap", EDITED, NOW)
    post = queue(engine, tmp_path).approve(post_id, "bien-tap", NOW)
    assert post.status == PostStatus.APPROVED and publishable(post)
    sent = outgoing(post, NOW)
    assert (sent.text, sent.link) == (EDITED, parsed().link)


def test_publisher_never_sends_a_post_without_text(
    engine: Engine, tmp_path: Path, clock: FakeClock
) -> None:
    """A template_error post approved before approvals checked (an old row) is left out of the
    channel's queue: nothing reaches the platform."""
    post_id = broken_post(engine, tmp_path)
    with writing(engine) as session:
        post = post_store.get(session, post_id)
        assert post is not None
        move = check_move(post.status, "approve", PostStatus.APPROVED)
        assert post_store.compare_and_set(session, post_id, post.version, {}, move)
    connector = Scripted()
    assert publisher(engine, connector, clock).run_once() == [] and connector.calls == 0
    with reading(engine) as session:
        assert channel_queue(session, "facebook", clock.now()).posts == {}


def test_repost_asked_to_approve_still_waits_when_its_template_fails(
    engine: Engine, tmp_path: Path
) -> None:
    """`repost --approve` of an article whose template fails files it for review, flagged."""
    post_id = broken_post(engine, tmp_path)
    maker = PostMaker(renderer(tmp_path), CHANNELS, ReviewSettings())
    item = parsed()
    with writing(engine) as session:
        new = NewItem(load(engine, post_id).item_id, item, item.published or NOW)
        again = maker.repost(session, so_yte(), new, "facebook", "an", True, NOW)
    post = load(engine, again)
    assert post.status == PostStatus.PENDING_REVIEW and post.generation == 1
    assert post.flags[0] == "repost" and post.flags[1].startswith("template_error:")


def test_the_queue_orders_by_approval_time_not_creation_time(engine: Engine) -> None:
    """A post filed at 10:00 and approved at 14:30 waits as approved at 14:30."""
    (post_id,) = make_posts(engine, feed(review="auto"), parsed(n=1))
    approved_at = NOW + timedelta(hours=4, minutes=30)
    with writing(engine) as session:
        post = post_store.get(session, post_id)
        assert post is not None and post.created_at == NOW
        assert post_store.compare_and_set(
            session, post_id, post.version, {"approved_at": approved_at}
        )
    with reading(engine) as session:
        (queued,) = channel_queue(session, "facebook", approved_at).queued
    assert (queued.post_id, queued.approved_at) == (post_id, approved_at)


def test_next_slots_covers_every_channel_with_its_own_pacing_in_local_time(
    engine: Engine,
) -> None:
    """At 23:00 in Hanoi (16:00 UTC) the Facebook post waits for the end of the default quiet
    hours, 06:00 local; the Zalo channel, paced without quiet hours, may post now."""
    now = datetime(2026, 11, 1, 16, 0, tzinfo=UTC)
    ids = make_posts(engine, feed(review="auto", channels=("facebook", "zalo")), parsed(n=1))
    channel_of = {post_id: load(engine, post_id).channel for post_id in ids}
    settings = Settings(
        channels={"facebook": {"type": "facebook"}, "zalo": {"type": "zalo"}},
        pacing={"zalo": {"quiet_hours": ""}},
    )
    slots = next_slots(engine, settings, now)
    assert {channel_of[post_id]: slot for post_id, slot in slots.items()} == {
        "facebook": datetime(2026, 11, 1, 23, 0, tzinfo=UTC),
        "zalo": now,
    }
