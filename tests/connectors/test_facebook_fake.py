"""FacebookConnector over real HTTP against the fake Graph API (tests/fake_graph.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import requests

from connectors.base import (
    Ambiguous,
    AuthProblem,
    OutgoingPost,
    PolicyBlocked,
    RateLimited,
    Rejected,
    Transient,
)
from connectors.facebook.client import FIND_PAGES, FacebookConnector
from tests.helpers.clock import FakeClock
from tests.helpers.fake_graph import FakeGraph

LINK = "https://skhcn.example.gov.vn/tin-tuc/bai-1"
SECRET = "app-secret-for-the-fake"


@pytest.fixture
def fake(clock: FakeClock) -> Iterator[FakeGraph]:
    with FakeGraph(app_secret=SECRET, clock=clock.now) as graph:
        yield graph


def connector(
    fake: FakeGraph, clock: FakeClock, *, token: str | None = None, timeout: float = 5.0
) -> FacebookConnector:
    return FacebookConnector(
        requests.Session(),
        graph_url=fake.url,
        api_version=fake.version,
        page_id=fake.page_id,
        page_token=token or fake.token,
        app_secret=SECRET,
        timeout=timeout,
        clock=clock.now,
    )


def post(clock: FakeClock, text: str = f"Tin mới: {LINK}", link: str | None = LINK) -> OutgoingPost:
    return OutgoingPost(post_id=1, text=text, link=link, claimed_at=clock.now())


def test_publish_creates_one_post(fake: FakeGraph, clock: FakeClock) -> None:
    """A publish creates the post on the Page and returns its id and permalink."""
    published = connector(fake, clock).publish(post(clock))
    [made] = fake.posts
    assert (made.id, made.link, made.message) == (published.remote_id, LINK, f"Tin mới: {LINK}")
    assert published.url == f"https://www.facebook.com/{made.id}"


def test_photo_post_found_by_link_in_caption(fake: FakeGraph, clock: FakeClock) -> None:
    """A photo post is created with its caption and found again by the link in it."""
    photo = OutgoingPost(
        2, f"Ảnh: {LINK}", LINK, cover="https://x.vn/a.jpg", photo=True, claimed_at=clock.now()
    )
    facebook = connector(fake, clock)
    published = facebook.publish(photo)
    assert fake.posts[0].photo_url == "https://x.vn/a.jpg"
    assert facebook.find_existing(photo) == published


def test_timeout_after_create_then_found_without_second_post(
    fake: FakeGraph, clock: FakeClock
) -> None:
    """A timeout after Facebook created the post is Ambiguous, and find_existing then finds that post."""
    fake.fail_next(1, "timeout_after_create")
    facebook = connector(fake, clock, timeout=0.3)
    outgoing = post(clock)
    with pytest.raises(Ambiguous):
        facebook.publish(outgoing)
    clock.advance(minutes=5)
    found = facebook.find_existing(outgoing)
    assert found is not None and found.remote_id == fake.posts[0].id
    assert len(fake.posts) == 1


def test_resend_after_timeout_meets_506_and_returns_the_first(
    fake: FakeGraph, clock: FakeClock
) -> None:
    """Sending again without reconciling gets Facebook's 506, answered by the post already there."""
    fake.fail_next(1, "timeout_after_create")
    outgoing = post(clock)
    with pytest.raises(Ambiguous):
        connector(fake, clock, timeout=0.3).publish(outgoing)
    again = connector(fake, clock).publish(outgoing)
    assert again.remote_id == fake.posts[0].id
    assert len(fake.posts) == 1


def test_http_500_is_ambiguous_and_nothing_found(fake: FakeGraph, clock: FakeClock) -> None:
    """A 500 leaves the outcome unknown; here nothing was made, so find_existing says None."""
    fake.fail_next(1, "http_500")
    facebook = connector(fake, clock)
    with pytest.raises(Ambiguous):
        facebook.publish(post(clock))
    assert facebook.find_existing(post(clock)) is None
    assert fake.posts == []


def test_rate_limit_pauses_the_next_publish(fake: FakeGraph, clock: FakeClock) -> None:
    """Code 4 with X-App-Usage at 100 % is RateLimited without an estimate (the publisher picks
    the pause), and the next publish holds a minute without a request."""
    fake.fail_next(1, "rate_limit")
    facebook = connector(fake, clock)
    with pytest.raises(RateLimited) as raised:
        facebook.publish(post(clock))
    assert raised.value.retry_after is None
    assert facebook.usage_pause() == timedelta(minutes=1)
    with pytest.raises(RateLimited):
        facebook.publish(post(clock))
    assert fake.server.hits(f"/{fake.version}/{fake.page_id}/feed") == 1
    clock.advance(minutes=1)
    facebook.publish(post(clock))
    assert len(fake.posts) == 1


def test_usage_header_on_success_pauses(fake: FakeGraph, clock: FakeClock) -> None:
    """A successful answer carrying X-Business-Use-Case-Usage with a wait sets the pause."""
    fake.usage_headers["X-Business-Use-Case-Usage"] = (
        f'{{"{fake.page_id}":[{{"type":"pages","call_count":50,"estimated_time_to_regain_access":20}}]}}'
    )
    facebook = connector(fake, clock)
    facebook.publish(post(clock))
    assert facebook.usage_pause() == timedelta(minutes=20)


def test_expired_token_is_auth_problem(fake: FakeGraph, clock: FakeClock) -> None:
    """An expired token (190/463) is an AuthProblem telling the operator what to set, without the token."""
    fake.fail_next(1, "expired_token")
    with pytest.raises(AuthProblem, match="SYNDICATOR_CHANNELS__FACEBOOK__PAGE_TOKEN") as raised:
        connector(fake, clock).publish(post(clock))
    assert fake.token not in str(raised.value)


def test_wrong_token_is_auth_problem(fake: FakeGraph, clock: FakeClock) -> None:
    """A token the Page does not know is an AuthProblem."""
    with pytest.raises(AuthProblem):
        connector(fake, clock, token="EAAB-wrong").publish(post(clock))


@pytest.mark.parametrize(
    ("kind", "expected"),
    [("policy_block", PolicyBlocked), ("invalid", Rejected), ("duplicate", Rejected)],
)
def test_other_faults(fake: FakeGraph, clock: FakeClock, kind: str, expected: type) -> None:
    """368 pauses for policy, 100 and an unresolved 506 reject the post; nothing is created."""
    fake.fail_next(1, kind)
    with pytest.raises(expected):
        connector(fake, clock).publish(post(clock))
    assert fake.posts == []


def test_find_existing_window_skips_older_posts(fake: FakeGraph, clock: FakeClock) -> None:
    """A post with the same link made long before this claim is not taken for this attempt."""
    fake.add_post(f"Tin cũ {LINK}", LINK, clock.now() - timedelta(days=1))
    assert connector(fake, clock).find_existing(post(clock)) is None


def test_check_healthy_and_missing_permission(fake: FakeGraph, clock: FakeClock) -> None:
    """check() is healthy with both permissions and names the one taken away."""
    facebook = connector(fake, clock)
    assert facebook.check().ok
    fake.scopes = ["pages_manage_posts"]
    health = facebook.check()
    assert (health.ok, health.missing_permissions) == (False, ("pages_read_engagement",))


def test_check_expired_token(fake: FakeGraph, clock: FakeClock) -> None:
    """check() on an expired token is unhealthy with the fix."""
    fake.token_expired = True
    health = connector(fake, clock).check()
    assert not health.ok and "page token expired" in health.detail


def test_post_made_40_posts_ago_is_found(fake: FakeGraph, clock: FakeClock) -> None:
    """The post whose answer was lost is found behind 40 newer posts (a second page, asked for
    with the fake's `after` cursor), and nothing is posted again."""
    fake.fail_next(1, "timeout_after_create")
    facebook = connector(fake, clock, timeout=0.3)
    outgoing = post(clock)
    with pytest.raises(Ambiguous):
        facebook.publish(outgoing)
    for n in range(2, 42):
        clock.advance(seconds=30)
        fake.add_post(f"Tin số {n}", f"https://skhcn.example.gov.vn/tin-tuc/bai-{n}", clock.now())
    found = facebook.find_existing(outgoing)
    assert found is not None and found.remote_id == fake.posts[0].id
    assert fake.server.hits(f"/{fake.version}/{fake.page_id}/published_posts") == 2
    assert len(fake.posts) == 41


def test_too_many_newer_posts_cannot_tell_yet(fake: FakeGraph, clock: FakeClock) -> None:
    """More newer posts than the 10 pages read back: "cannot tell yet", not "not found"."""
    outgoing = post(clock)
    for n in range(2, 2 + 25 * FIND_PAGES + 1):
        fake.add_post(f"Tin số {n}", f"https://skhcn.example.gov.vn/tin-tuc/bai-{n}", clock.now())
    with pytest.raises(Transient, match="cannot tell yet"):
        connector(fake, clock).find_existing(outgoing)


def test_photo_post_timed_out_is_found_by_its_caption(fake: FakeGraph, clock: FakeClock) -> None:
    """A photo post whose answer was lost, captioned as the bundled template writes (no link),
    is found by its caption although Facebook keeps neither our link nor our picture's URL."""
    caption = (
        "Quảng Trị: khai mạc Techfest 2026\n\nNgày hội khởi nghiệp đổi mới sáng tạo.\n\n#QuangTri"
    )
    photo = OutgoingPost(
        3, caption, LINK, cover="https://skhcn.example.gov.vn/anh/techfest.jpg", photo=True,
        claimed_at=clock.now(),
    )  # fmt: skip
    fake.fail_next(1, "timeout_after_create")
    facebook = connector(fake, clock, timeout=0.3)
    with pytest.raises(Ambiguous):
        facebook.publish(photo)
    clock.advance(minutes=2)
    fake.add_post("Tin khác", "https://skhcn.example.gov.vn/tin-tuc/bai-9", clock.now())
    found = facebook.find_existing(photo)
    assert found is not None and found.remote_id == fake.posts[0].id
    assert len(fake.posts) == 2
