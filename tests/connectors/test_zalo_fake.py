"""The Zalo OA connector against the fake OA and OAuth server over real HTTP on loopback."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
import requests

from connectors.base import Ambiguous, AuthProblem, OutgoingPost, RateLimited, Transient
from connectors.zalo.client import PAGE, SEARCH_PAGES, ZaloConnector
from tests.helpers.clock import FakeClock
from tests.helpers.fake_zalo import APP_SECRET, FakeZalo, InMemoryStepStore, InMemoryTokenStore

NOW = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)
POST = OutgoingPost(
    post_id=3,
    text="Nội dung",
    title="Hội nghị tổng kết công tác năm 2026",
    author="UBND tỉnh",
    description="Tóm tắt",
    cover="https://portal.example.gov.vn/anh.jpg",
)


@pytest.fixture
def zalo() -> Iterator[FakeZalo]:
    with FakeZalo() as fake:
        yield fake


def connect(
    fake: FakeZalo,
    tokens: InMemoryTokenStore,
    steps: InMemoryStepStore | None = None,
    **options: object,
) -> ZaloConnector:
    return ZaloConnector(
        requests.Session(),
        api_url=fake.url,
        oauth_url=fake.url,
        app_id=fake.app_id,
        app_secret=APP_SECRET,
        tokens=tokens,
        steps=steps or InMemoryStepStore(),
        clock=FakeClock(NOW).now,
        **options,  # type: ignore[arg-type]
    )


def seeded(fake: FakeZalo, expires_in: timedelta = timedelta(hours=20)) -> InMemoryTokenStore:
    return InMemoryTokenStore(fake.seed_pair(NOW + expires_in))


def test_refresh_rotates_and_the_old_refresh_token_is_dead(zalo: FakeZalo) -> None:
    """A refresh stores the new pair; the spent refresh token is refused if replayed."""
    tokens = seeded(zalo)
    connect(zalo, tokens).tokens.refresh()
    pair = tokens.current()
    assert pair is not None and pair.refresh_token == "rt-1" and pair.access_token == "at-1"
    replay = requests.post(
        f"{zalo.url}/v4/oa/access_token",
        data={"refresh_token": "rt-0", "app_id": zalo.app_id, "grant_type": "refresh_token"},
        headers={"secret_key": APP_SECRET},
        timeout=5,
    )
    assert "access_token" not in replay.json() and zalo.refused_refreshes == ["rt-0"]


def test_refresh_answer_without_access_token_keeps_the_pair(zalo: FakeZalo) -> None:
    """An OAuth error body over HTTP 200 leaves the stored pair untouched and pauses the channel."""
    tokens = seeded(zalo, expires_in=timedelta(minutes=5))
    before = tokens.current()
    zalo.fail_next(1, "refresh_without_access_token")
    with pytest.raises(AuthProblem, match="Invalid refresh token"):
        connect(zalo, tokens).publish(POST)
    assert tokens.current() == before and zalo.hits("/v2.0/article/create") == 0


def test_concurrent_refresh_spends_the_refresh_token_once(zalo: FakeZalo) -> None:
    """Two workers finding the token due refresh once: the second re-reads the store under the lock."""
    tokens = seeded(zalo, expires_in=timedelta(minutes=5))
    workers = [connect(zalo, tokens), connect(zalo, tokens)]
    start, results = threading.Barrier(2), []

    def work(connector: ZaloConnector) -> None:
        start.wait(timeout=5)
        results.append(connector.check().ok)

    threads = [threading.Thread(target=work, args=(worker,)) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert results == [True, True]
    assert zalo.hits("/v4/oa/access_token") == 1 and zalo.refused_refreshes == []
    assert tokens.replaced == 1


def test_processing_then_success_across_two_publish_calls() -> None:
    """-214 makes the first publish Transient; the second verifies without creating again."""
    with FakeZalo(processing=1) as fake:
        tokens, steps = seeded(fake), InMemoryStepStore()
        connector = connect(fake, tokens, steps)
        with pytest.raises(Transient, match="-214"):
            connector.publish(POST)
        published = connector.publish(POST)
        assert published.remote_id == fake.articles[0].id
        assert published.url == fake.articles[0].link_view
        assert fake.hits("/v2.0/article/create") == 1 and fake.hits("/v2.0/article/verify") == 2


def test_restart_resumes_at_verify() -> None:
    """A new connector over the same step store picks up the saved token instead of creating again."""
    with FakeZalo(processing=1) as fake:
        tokens, steps = seeded(fake), InMemoryStepStore()
        with pytest.raises(Transient):
            connect(fake, tokens, steps).publish(POST)
        assert set(steps.load(POST.post_id)) == {"token", "verify_tries"}
        published = connect(fake, tokens, steps).publish(POST)
        assert published.remote_id == fake.articles[0].id
        assert fake.hits("/v2.0/article/create") == 1 and len(fake.articles) == 1


def test_timeout_after_create_is_ambiguous_and_found_by_title(zalo: FakeZalo) -> None:
    """A create that times out after Zalo stored it is Ambiguous, and find_existing finds it by title."""
    tokens, steps = seeded(zalo), InMemoryStepStore()
    connector = connect(zalo, tokens, steps, timeout=0.5)
    zalo.fail_next(1, "timeout_after_create")
    with pytest.raises(Ambiguous):
        connector.publish(POST)
    found = connector.find_existing(POST)
    assert found is not None and found.remote_id == zalo.articles[0].id
    assert zalo.hits("/v2.0/article/create") == 1
    assert steps.load(POST.post_id)["article_id"] == found.remote_id
    assert connector.publish(POST).remote_id == found.remote_id
    assert zalo.hits("/v2.0/article/create") == 1


def test_find_existing_is_none_when_no_article_matches(zalo: FakeZalo) -> None:
    """An OA holding only other articles answers None, so the publisher may send again."""
    connector = connect(zalo, seeded(zalo))
    connector.publish(OutgoingPost(post_id=1, text="x", title="Tin khác", cover=POST.cover))
    assert connector.find_existing(POST) is None


def test_find_existing_ignores_an_older_article_with_the_same_title() -> None:
    """A same-titled article from before this attempt (a recurring title) is not taken for ours."""
    clock = FakeClock(NOW - timedelta(days=7))
    with FakeZalo(clock=clock.now) as fake:
        connector = connect(fake, seeded(fake, expires_in=timedelta(days=30)))
        connector.publish(replace(POST, post_id=1))
        clock.current = NOW
        attempt = replace(POST, claimed_at=NOW)
        assert connector.find_existing(attempt) is None
        fake.fail_next(1, "timeout_after_create")
        connector_short = connect(fake, seeded(fake), timeout=0.5)
        with pytest.raises(Ambiguous):
            connector_short.publish(attempt)
        found = connector.find_existing(attempt)
        assert found is not None and found.remote_id == fake.articles[1].id


def test_expired_access_token_is_refreshed_once(zalo: FakeZalo) -> None:
    """A -216 answer leads to one refresh and one repeated create: one article, new pair stored."""
    tokens = seeded(zalo)
    zalo.fail_next(1, "expired_token")
    connect(zalo, tokens).publish(POST)
    assert zalo.hits("/v4/oa/access_token") == 1 and len(zalo.articles) == 1
    assert tokens.current() is not None and tokens.current().refresh_token == "rt-1"  # type: ignore[union-attr]


def test_server_error_on_create_is_ambiguous(zalo: FakeZalo) -> None:
    """HTTP 500 on create may hide a created article: Ambiguous, no second create."""
    zalo.fail_next(1, "http_500")
    with pytest.raises(Ambiguous):
        connect(zalo, seeded(zalo)).publish(POST)
    assert zalo.hits("/v2.0/article/create") == 1


def test_article_quota_pauses_the_channel(zalo: FakeZalo) -> None:
    """-223 with the quota message is RateLimited for a day."""
    zalo.fail_next(1, "quota")
    with pytest.raises(RateLimited) as caught:
        connect(zalo, seeded(zalo)).publish(POST)
    assert caught.value.retry_after == timedelta(hours=24)


def test_check_confirms_the_oa(zalo: FakeZalo) -> None:
    """check calls getoa with the stored token and reports the OA and the token's expiry."""
    health = connect(zalo, seeded(zalo)).check()
    assert health.ok and "Cổng TTĐT tỉnh" in health.detail and health.expires_at is not None


def test_broadcast_reaches_the_fake_in_daytime(zalo: FakeZalo) -> None:
    """With broadcast on, the verified article id is sent to followers once."""
    steps = InMemoryStepStore()
    connect(zalo, seeded(zalo), steps, broadcast=True).publish(POST)
    elements = zalo.broadcasts[0]["message"]["attachment"]["payload"]["elements"]
    assert elements == [{"media_type": "article", "attachment_id": zalo.articles[0].id}]
    assert steps.load(POST.post_id)["broadcast"] == "sent"


@pytest.fixture
def oa() -> Iterator[FakeZalo]:
    """The fake OA, stamping articles made through the API at NOW."""
    with FakeZalo(clock=FakeClock(NOW).now) as fake:
        yield fake


def add_newer(fake: FakeZalo, count: int, since: datetime) -> None:
    """`count` other articles of the OA, made one a minute after `since`."""
    for n in range(count):
        title = f"Thông báo số {n + 1}/TB-UBND về lịch tiếp công dân"
        fake.add_article(title, since + timedelta(minutes=n + 1))


def attempt_lost(fake: FakeZalo, tokens: InMemoryTokenStore) -> OutgoingPost:
    """Our article was created but the answer never came; the attempt began at NOW."""
    attempt = replace(POST, claimed_at=NOW)
    fake.fail_next(1, "timeout_after_create")
    with pytest.raises(Ambiguous):
        connect(fake, tokens, timeout=0.5).publish(attempt)
    return attempt


@pytest.mark.parametrize(("newer", "slices"), [(40, 5), (SEARCH_PAGES * PAGE - 1, SEARCH_PAGES)])
def test_article_behind_newer_ones_is_found(oa: FakeZalo, newer: int, slices: int) -> None:
    """Our article behind 40 newer ones (5th page), or on the last page allowed (10th), is found."""
    tokens = seeded(oa)
    attempt = attempt_lost(oa, tokens)
    add_newer(oa, newer, NOW)
    found = connect(oa, tokens).find_existing(attempt)
    assert found is not None and found.remote_id == oa.articles[0].id
    assert oa.hits("/v2.0/article/getslice") == slices


def test_past_the_bound_cannot_tell_yet(oa: FakeZalo) -> None:
    """Ten full pages of newer articles and more: "cannot tell yet" (Transient), never None."""
    tokens = seeded(oa)
    attempt = attempt_lost(oa, tokens)
    add_newer(oa, SEARCH_PAGES * PAGE, NOW)
    with pytest.raises(Transient, match="cannot tell yet"):
        connect(oa, tokens).find_existing(attempt)
    assert oa.hits("/v2.0/article/getslice") == SEARCH_PAGES


def test_only_newer_articles_to_the_end_is_none(oa: FakeZalo) -> None:
    """Fifteen newer articles, none ours, and the list ends: not there (None)."""
    add_newer(oa, 15, NOW)
    assert connect(oa, seeded(oa)).find_existing(replace(POST, claimed_at=NOW)) is None
    assert oa.hits("/v2.0/article/getslice") == 2


def test_an_older_article_ends_the_search(oa: FakeZalo) -> None:
    """A page reaching before the attempt (less the clock slack) is the last one read."""
    add_newer(oa, 40, NOW - timedelta(days=1))
    add_newer(oa, 5, NOW)
    assert connect(oa, seeded(oa)).find_existing(replace(POST, claimed_at=NOW)) is None
    assert oa.hits("/v2.0/article/getslice") == 1
