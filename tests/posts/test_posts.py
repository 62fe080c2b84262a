"""Posts and the review queue: creation by policy, compare-and-set transitions, audit, tombstones."""

from __future__ import annotations

import itertools
import threading
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from storage import items as item_store
from storage import posts as post_store
from storage.models import AuditEvent, Post
from storage.session import reading, writing
from storage.states import PostStatus
from syndicator.posts.maker import (
    Conflict,
    PostNotFound,
    TransitionRefused,
)
from syndicator.posts.queue import ReviewQueue
from syndicator.settings_models import FeedSettings
from tests.helpers.posts import CHANNELS, NOW, feed, make_posts, parsed, renderer


def review(engine: Engine) -> ReviewQueue:
    return ReviewQueue(engine, renderer(), CHANNELS)


def trail(engine: Engine, post_id: int) -> list[AuditEvent]:
    with reading(engine) as session:
        return post_store.trail(session, post_id)


def status(engine: Engine, post_id: int) -> str:
    with reading(engine) as session:
        post = post_store.get(session, post_id)
    assert post is not None
    return post.status


def test_one_post_per_enabled_channel(engine: Engine) -> None:
    """An item becomes one post per enabled channel of its feed, waiting for review."""
    ids = make_posts(engine, feed(channels=("facebook", "zalo", "off")))
    assert len(ids) == 2 and all(status(engine, i) == PostStatus.PENDING_REVIEW for i in ids)
    (event,) = trail(engine, ids[0])
    assert (event.actor, event.action, event.to_status) == (
        "syndicator",
        "create",
        PostStatus.PENDING_REVIEW,
    )


def test_auto_feed_approves_clean_items(engine: Engine) -> None:
    """On a review = "auto" feed a clean item is approved at once, by the system."""
    (post_id,) = make_posts(engine, feed(review="auto"))
    assert status(engine, post_id) == PostStatus.APPROVED


def test_auto_feed_still_holds_flagged_items(engine: Engine) -> None:
    """A watch word on an auto feed forces review, and the post says why."""
    (post_id,) = make_posts(engine, feed(review="auto"), parsed("Văn bản tối mật của tỉnh"))
    with reading(engine) as session:
        post = post_store.get(session, post_id)
    assert post is not None and post.status == PostStatus.PENDING_REVIEW
    assert "watch_word:tối mật" in post.flags


def test_approve_then_reject_refused_states(engine: Engine) -> None:
    """Approve moves pending to approved; approving again or approving a rejected post is refused."""
    first, second = make_posts(engine, feed(channels=("facebook", "zalo")))
    queue = review(engine)
    assert queue.approve(first, "bien-tap-vien", NOW).status == PostStatus.APPROVED
    with pytest.raises(TransitionRefused, match="is approved; cannot approve"):
        queue.approve(first, "bien-tap-vien", NOW)
    queue.reject(second, "truong-ban", "Trùng tin đã đăng", NOW)
    with pytest.raises(TransitionRefused, match="is rejected"):
        queue.approve(second, "truong-ban", NOW)
    assert status(engine, second) == PostStatus.REJECTED
    assert [e.action for e in trail(engine, second)] == ["create", "reject"]
    assert trail(engine, second)[-1].reason == "Trùng tin đã đăng"


def test_reject_needs_a_reason_and_unknown_ids_fail(engine: Engine) -> None:
    """An empty rejection reason and an unknown id are clear errors that change nothing."""
    (post_id,) = make_posts(engine, feed())
    with pytest.raises(TransitionRefused, match="needs a reason"):
        review(engine).reject(post_id, "x", "   ", NOW)
    with pytest.raises(PostNotFound):
        review(engine).approve(999_999, "x", NOW)
    assert status(engine, post_id) == PostStatus.PENDING_REVIEW and len(trail(engine, post_id)) == 1


def test_reject_tombstones_the_article(engine: Engine) -> None:
    """A rejected article's URL and source keys are tombstoned, so it cannot come back."""
    (post_id,) = make_posts(engine, feed())
    review(engine).reject(post_id, "x", "Không phù hợp", NOW)
    with reading(engine) as session:
        assert item_store.tombstoned(session, {"url:unews_1", "src:knews_1"}) == {
            "url:unews_1",
            "src:knews_1",
        }


def test_edit_keeps_original_and_sends_back_to_review(engine: Engine) -> None:
    """An edit keeps the rendering and the edited text; an approved post goes back to review."""
    (post_id,) = make_posts(engine, feed())
    queue = review(engine)
    queue.approve(post_id, "a", NOW)
    post = queue.edit(post_id, "bien-tap", "Nội dung đã sửa", NOW)
    assert post.status == PostStatus.PENDING_REVIEW and post.edited_text == "Nội dung đã sửa"
    assert post.rendered["text"] and post.rendered["text"] != post.edited_text
    assert [e.action for e in trail(engine, post_id)] == ["create", "approve", "edit"]


def test_edit_over_the_limit_is_refused(engine: Engine) -> None:
    """Text longer than the channel allows is refused and the post is unchanged."""
    (post_id,) = make_posts(engine, feed())
    with pytest.raises(TransitionRefused):
        review(engine).edit(post_id, "x", "chữ " * 20_000, NOW)
    assert len(trail(engine, post_id)) == 1


def test_concurrent_approvals_one_wins(engine: Engine) -> None:
    """Two reviewers approving at once: exactly one succeeds, the other gets a clear refusal."""
    (post_id,) = make_posts(engine, feed())
    start, results = threading.Barrier(2), []

    def approve(name: str) -> None:
        start.wait()
        try:
            review(engine).approve(post_id, name, NOW)
            results.append("ok")
        except (Conflict, TransitionRefused) as error:
            results.append(type(error).__name__)

    threads = [threading.Thread(target=approve, args=(n,)) for n in ("an", "binh")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results)[0] in ("Conflict", "TransitionRefused") and results.count("ok") == 1
    assert [e.action for e in trail(engine, post_id)] == ["create", "approve"]


SERIAL = itertools.count(1000)  # hypothesis reuses the database: each example its own article
OPERATIONS = st.lists(st.sampled_from(["approve", "reject", "edit", "edit_long"]), max_size=8)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(operations=OPERATIONS)
def test_no_sequence_reaches_an_illegal_state(sqlite_engine: Engine, operations: list[str]) -> None:
    """Any sequence of reviewer actions leaves a legal state, and the audit trail replays it."""
    (post_id,) = make_posts(sqlite_engine, feed(), parsed(n=next(SERIAL)))
    queue = review(sqlite_engine)
    applied = 0
    for operation in operations:
        try:
            if operation == "approve":
                queue.approve(post_id, "a", NOW)
            elif operation == "reject":
                queue.reject(post_id, "a", "lý do", NOW)
            else:
                queue.edit(post_id, "a", "sửa " * (20_000 if operation == "edit_long" else 3), NOW)
            applied += 1
        except TransitionRefused:
            pass
    events = trail(sqlite_engine, post_id)
    assert status(sqlite_engine, post_id) in tuple(PostStatus)
    assert len(events) == 1 + applied
    assert events[-1].to_status == status(sqlite_engine, post_id)
    assert all(b.from_status == a.to_status for a, b in itertools.pairwise(events))


def test_template_error_flags_the_post_and_stops_nothing(engine: Engine) -> None:
    """A broken per-feed template still files the post, flagged with the template and reason."""
    broken = FeedSettings(
        id="skhcn",
        name="Sở KH&CN",
        url="https://skhcn.gov.vn/rss",
        review="auto",
        channels=["facebook"],
        template="khong-co",
    )
    (post_id,) = make_posts(engine, broken)
    with reading(engine) as session:
        post = post_store.get(session, post_id)
    assert post is not None and post.status == PostStatus.PENDING_REVIEW
    assert any(
        flag.startswith("template_error:") and "khong-co.facebook.j2" in flag for flag in post.flags
    )


def test_post_lookups_keep_to_their_item_channel_and_generation(engine: Engine) -> None:
    """The storage reads behind repost and the queue screens: the newest generation of an item's
    post on a channel, the channels an item went to, a post with its own item."""
    by_channel = {}
    for post_id in make_posts(engine, feed(channels=("facebook", "zalo")), parsed(n=1)):
        with reading(engine) as session:
            found = post_store.get(session, post_id)
            assert found is not None
            by_channel[found.channel] = found
    (other_id,) = make_posts(engine, feed(), parsed(title="Hội nghị tổng kết năm 2026", n=2))
    first_item = by_channel["facebook"].item_id
    with writing(engine) as session:
        repost = Post(**by_channel["facebook"].model_dump(exclude={"id"}) | {"generation": 1})
        session.add(repost)
    with reading(engine) as session:
        other = post_store.get(session, other_id)
        assert other is not None
        newest = post_store.latest_for(session, first_item, "facebook")
        assert newest is not None and newest.generation == 1
        on_zalo = post_store.latest_for(session, first_item, "zalo")
        assert on_zalo is not None and on_zalo.id == by_channel["zalo"].id
        assert post_store.latest_for(session, other.item_id, "zalo") is None
        assert post_store.channels_of(session, first_item) == ["facebook", "zalo"]
        assert post_store.channels_of(session, other.item_id) == ["facebook"]
        ((post, item),) = post_store.with_items(session, [other_id])
        assert (post.id, item.id, item.title) == (
            other_id,
            other.item_id,
            "Hội nghị tổng kết năm 2026",
        )
        by_id = post_store.item_by(session, other.item_id, None)
        by_key = post_store.item_by(session, None, "unews_2")
        assert by_id is not None and by_key is not None and by_id.id == by_key.id == other.item_id


# ---- survivors of the mutmut run (issue #9): the read queries' filters and edges ----


def two_feeds_posts(engine: Engine) -> tuple[list[int], int]:
    """Item 1 of Sở KH&CN on facebook and zalo, item 2 of Sở Y tế on facebook."""
    skhcn = make_posts(engine, feed(review="auto", channels=("facebook", "zalo")), parsed(n=1))
    so_yte = feed(review="auto").model_copy(update={"id": "so-yte", "name": "Sở Y tế"})
    (other,) = make_posts(engine, so_yte, parsed("Tiêm chủng mở rộng cho trẻ dưới 5 tuổi", n=2))
    return skhcn, other


def test_published_since_counts_its_channel_from_the_exact_moment(engine: Engine) -> None:
    (facebook, zalo), other = two_feeds_posts(engine)
    moments = {facebook: NOW, zalo: NOW, other: NOW - timedelta(seconds=1)}
    with writing(engine) as session:
        for post_id, moment in moments.items():
            row = session.get(Post, post_id)
            assert row is not None
            row.published_at = moment
            session.add(row)
    with reading(engine) as session:
        assert post_store.published_since(session, "facebook", NOW) == [NOW]
        assert post_store.published_since(session, "zalo", NOW + timedelta(seconds=1)) == []


def test_listing_filters_by_feed_and_channel_and_pairs_each_post_with_its_item(
    engine: Engine,
) -> None:
    (facebook, zalo), other = two_feeds_posts(engine)
    with reading(engine) as session:
        every = post_store.listing(session)
        assert [post.id for post, _ in every] == [other, zalo, facebook]
        assert all(item.id == post.item_id for post, item in every)
        chosen = post_store.listing(session, feed="skhcn", channel="facebook")
        assert [post.id for post, _ in chosen] == [facebook]
        assert [post.id for post, _ in post_store.listing(session, limit=1)] == [other]


def test_last_event_is_the_posts_own(engine: Engine) -> None:
    (facebook, _zalo), _ = two_feeds_posts(engine)
    with reading(engine) as session:
        created = post_store.last_event(session, facebook, {"create"})
    assert created is not None and created.post_id == facebook


def test_get_rereads_a_post_another_worker_changed_meanwhile(engine: Engine) -> None:
    """A post already loaded in this session is read again, not served from the session."""
    if engine.dialect.name == "sqlite":
        pytest.skip("SQLite keeps one snapshot for the whole read transaction")
    (post_id,) = make_posts(engine, feed(review="auto"))
    with reading(engine) as session:
        before = post_store.get(session, post_id)
        assert before is not None and before.priority == 0
        with writing(engine) as other:
            assert post_store.compare_and_set(other, post_id, before.version, {"priority": 3})
        after = post_store.get(session, post_id)
        assert after is not None and after.priority == 3


def test_trail_and_last_event_go_by_time_then_by_id(engine: Engine) -> None:
    """An event written later with an earlier time (another worker's clock) takes its place in
    time; events at the same moment keep the order they were written in."""
    (post_id,) = make_posts(engine, feed(review="auto"))
    events = [
        ("edit", NOW + timedelta(minutes=5)),
        ("approve", NOW + timedelta(minutes=9)),
        ("edit", NOW + timedelta(minutes=7)),
        ("edit", NOW + timedelta(minutes=7)),
        ("edit", NOW + timedelta(minutes=6)),
    ]
    with writing(engine) as session:
        for action, moment in events:
            session.add(
                AuditEvent(
                    post_id=post_id,
                    at=moment,
                    actor="bien-tap",
                    action=action,
                    to_status="pending",
                    reason=f"{action} {moment:%H:%M}",
                )
            )
            session.flush()
    with reading(engine) as session:
        trail = post_store.trail(session, post_id)
        newest_edit = post_store.last_event(session, post_id, {"edit"})
    assert [(e.action, e.at) for e in trail[1:]] == sorted(
        [(a, m) for a, m in events], key=lambda event: event[1]
    )
    tied = [event.id or 0 for event in trail if event.at == NOW + timedelta(minutes=7)]
    assert tied == sorted(tied)
    assert newest_edit is not None and newest_edit.id == tied[-1]
