"""storage.publishing: the claim's conditional UPDATEs and the audit-trail reads of the publisher,
on both databases, with neighbours that each query must leave out."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine

from storage import posts as post_store
from storage import publishing as store
from storage.models import Post
from storage.session import reading, writing
from storage.states import IllegalTransition, PostAction, PostStatus, check_move
from tests.helpers.posts import NOW, feed, make_posts, parsed, walk

LEASE = timedelta(minutes=5)
CLAIM = [("claim", "publishing")]


def approved(engine: Engine, n: int, channel: str = "facebook") -> int:
    """An approved post of the n-th notice on `channel`."""
    item = parsed(title=f"Sở Y tế thông báo lịch tiêm chủng đợt {n} năm 2026", n=n)
    (post_id,) = make_posts(engine, feed(review="auto", channels=(channel,)), item)
    return post_id


def claimed(
    engine: Engine, n: int, at: datetime, channel: str = "facebook", worker: str = "w1"
) -> int:
    """A post claimed by `worker` at `at`, its lease ending LEASE later."""
    post_id = approved(engine, n, channel)
    with writing(engine) as session:
        walk(session, post_id, CLAIM, at, claimed_by=worker, claim_expires_at=at + LEASE)
    return post_id


def row(engine: Engine, post_id: int) -> Post:
    with reading(engine) as session:
        post = post_store.get(session, post_id)
        assert post is not None
        return post


def test_settle_changes_only_the_claimed_post_and_bumps_its_version_once(engine: Engine) -> None:
    """Two posts held by the same worker id (a worker id names a host): settling one leaves the
    other as it was, and the settled post's version goes up by exactly one."""
    first, second = claimed(engine, 1, NOW), claimed(engine, 2, NOW)
    before, other = row(engine, first), row(engine, second)
    publish = check_move(PostStatus.PUBLISHING, PostAction.PUBLISH, PostStatus.PUBLISHED)
    with writing(engine) as session:
        assert store.settle(session, first, "w1", before.version, publish, {"updated_at": NOW})
    after = row(engine, first)
    assert (after.status, after.version) == (PostStatus.PUBLISHED, before.version + 1)
    unchanged = row(engine, second)
    assert (unchanged.status, unchanged.version) == (PostStatus.PUBLISHING, other.version)


def test_stale_claims_are_this_channels_posts_in_publishing_whose_lease_ended(
    engine: Engine,
) -> None:
    """A lease that ends exactly now is stale, one that ends a second later is not; another
    channel's stale claim and a published post with an old lease are left out."""
    ended_now = claimed(engine, 1, NOW - LEASE)
    claimed(engine, 2, NOW - LEASE + timedelta(seconds=1))
    claimed(engine, 3, NOW - LEASE, channel="zalo")
    published = claimed(engine, 4, NOW - 2 * LEASE)
    with writing(engine) as session:
        walk(session, published, [("publish", "published")], NOW - LEASE)
    with reading(engine) as session:
        assert [post.id for post in store.stale_claims(session, "facebook", NOW)] == [ended_now]


def test_take_over_takes_only_the_stale_claim_at_the_version_seen(engine: Engine) -> None:
    """A stale claim seen at another version, or a post no longer in publishing, is not taken;
    the right one is, with the new worker's lease, and the other stale post stays as it was."""
    target, neighbour = claimed(engine, 1, NOW - 2 * LEASE), claimed(engine, 2, NOW - 2 * LEASE)
    published = claimed(engine, 3, NOW - 2 * LEASE)
    with writing(engine) as session:
        walk(session, published, [("publish", "published")], NOW - LEASE)
    seen, other, done = row(engine, target), row(engine, neighbour), row(engine, published)
    assert seen.version == other.version  # a query that forgot the id would match both
    until = NOW + LEASE
    with writing(engine) as session:
        assert not store.take_over(session, target, seen.version - 1, "w2", until, NOW)
        assert not store.take_over(session, published, done.version, "w2", until, NOW)
        assert store.take_over(session, target, seen.version, "w2", until, NOW)
    taken = row(engine, target)
    assert (taken.claimed_by, taken.claim_expires_at, taken.version) == (
        "w2",
        until,
        seen.version + 1,
    )
    left = row(engine, neighbour)
    assert (left.claimed_by, left.version) == ("w1", other.version)
    assert row(engine, published).status == PostStatus.PUBLISHED


def test_attempt_started_is_this_posts_latest_claim(engine: Engine) -> None:
    """The post's own latest claim, not its first one and not another post's later one."""
    post_id = claimed(engine, 1, NOW)
    with writing(engine) as session:
        walk(session, post_id, [("retry", "approved")], NOW + timedelta(minutes=10))
        walk(session, post_id, CLAIM, NOW + timedelta(hours=1))
    claimed(engine, 2, NOW + timedelta(hours=2))
    with reading(engine) as session:
        assert store.attempt_started(session, post_id) == NOW + timedelta(hours=1)


def test_unsettled_since_is_the_oldest_latest_claim_on_the_channel(engine: Engine) -> None:
    """Per post in publishing on this channel, its latest claim (not a later search, not an
    earlier claim); of those the oldest. Another channel and a settled post do not count."""
    first = claimed(engine, 1, NOW)
    with writing(engine) as session:
        walk(session, first, [("retry", "approved")], NOW + timedelta(minutes=10))
        walk(session, first, CLAIM, NOW + timedelta(hours=1))
        walk(session, first, [("search_failed", "publishing")], NOW + timedelta(minutes=90))
    claimed(engine, 2, NOW + timedelta(hours=2))
    claimed(engine, 3, NOW - timedelta(hours=1), channel="zalo")
    settled = claimed(engine, 4, NOW - timedelta(hours=2))
    with writing(engine) as session:
        walk(session, settled, [("publish", "published")], NOW - timedelta(hours=2))
    with reading(engine) as session:
        assert store.unsettled_since(session, "facebook") == NOW + timedelta(hours=1)
        assert store.unsettled_since(session, "zalo") == NOW - timedelta(hours=1)


def test_events_since_counts_an_event_exactly_at_since(engine: Engine) -> None:
    """`since` itself is included; a second later it is not."""
    post_id = claimed(engine, 1, NOW)
    with writing(engine) as session:
        walk(session, post_id, [("retry", "approved")], NOW + timedelta(minutes=10))
        walk(session, post_id, CLAIM, NOW + timedelta(hours=1))
    later = NOW + timedelta(hours=1)
    with reading(engine) as session:
        assert store.events_since(session, post_id, "claim", NOW) == [NOW, later]
        assert store.events_since(session, post_id, "claim", later) == [later]
        assert store.events_since(session, post_id, "claim", later + timedelta(seconds=1)) == []


def test_settle_refuses_a_move_out_of_another_state_and_names_the_post(engine: Engine) -> None:
    """Only a move out of publishing settles a claim; the error names the post, and the claim is
    left as it was."""
    post_id = claimed(engine, 1, NOW)
    before = row(engine, post_id)
    approve = check_move(PostStatus.PENDING_REVIEW, PostAction.APPROVE, PostStatus.APPROVED)
    with writing(engine) as session, pytest.raises(IllegalTransition) as refused:
        store.settle(session, post_id, "w1", before.version, approve, {})
    assert str(refused.value) == f"post {post_id}: a claim settles out of publishing only"
    after = row(engine, post_id)
    assert (after.status, after.version) == (PostStatus.PUBLISHING, before.version)
