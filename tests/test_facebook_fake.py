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
)
from connectors.facebook import FacebookConnector
from tests.conftest import FakeClock
from tests.fake_graph import FakeGraph

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
    """Code 4 with X-App-Usage at 100 % is RateLimited, and the next publish waits without a request."""
    fake.fail_next(1, "rate_limit")
    facebook = connector(fake, clock)
    with pytest.raises(RateLimited):
        facebook.publish(post(clock))
    assert facebook.usage_pause() == timedelta(minutes=15)
    with pytest.raises(RateLimited):
        facebook.publish(post(clock))
    assert fake.server.hits(f"/{fake.version}/{fake.page_id}/feed") == 1
    clock.advance(minutes=15)
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
