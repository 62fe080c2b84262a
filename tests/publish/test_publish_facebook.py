"""Publishing through the real Facebook connector to the fake Graph API: exactly once through
a timeout after the post was created, a 500, and a rate limit."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest
import requests
from sqlalchemy import Engine

from connectors.facebook.client import FacebookConnector
from storage.models import Post
from storage.session import writing
from syndicator.publish.publisher import VISIBILITY_DELAY, Publisher
from tests.helpers.clock import FakeClock
from tests.helpers.fake_graph import FakeGraph
from tests.helpers.posts import feed, make_posts, parsed
from tests.helpers.publishing import post, settings


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 1, 3, 30, tzinfo=UTC))


@pytest.fixture
def graph(clock: FakeClock) -> Iterator[FakeGraph]:
    with FakeGraph(clock=clock.now) as fake:
        yield fake


def publisher(engine: Engine, graph: FakeGraph, clock: FakeClock) -> Publisher:
    connector = FacebookConnector(
        requests.Session(),
        graph_url=graph.url,
        api_version=graph.version,
        page_id=graph.page_id,
        page_token=graph.token,
        app_secret=None,
        timeout=0.5,
        clock=clock.now,
    )
    return Publisher(engine, {"facebook": connector}, settings(), clock, sleep=lambda s: None)


def approved(engine: Engine, n: int) -> int:
    (post_id,) = make_posts(engine, feed(review="auto"), parsed(n=n))
    return post_id


def test_published_once_on_the_page(
    sqlite_engine: Engine, graph: FakeGraph, clock: FakeClock
) -> None:
    """An approved post appears on the Page once, with its link, and is not sent again."""
    post_id = approved(sqlite_engine, 1)
    (outcome,) = publisher(sqlite_engine, graph, clock).run_once()
    assert outcome.status == "published"
    assert [p.link for p in graph.posts] == ["https://skhcn.gov.vn/tin/1.html"]
    assert post(sqlite_engine, post_id).remote_id == graph.posts[0].id
    assert publisher(sqlite_engine, graph, clock).run_once() == []
    assert len(graph.posts) == 1


def test_timeout_after_create_is_found_not_resent(
    sqlite_engine: Engine, graph: FakeGraph, clock: FakeClock
) -> None:
    """Facebook created the post but the answer never came: reconcile finds it; one post only."""
    post_id = approved(sqlite_engine, 2)
    graph.fail_next(1, "timeout_after_create")
    (first,) = publisher(sqlite_engine, graph, clock).run_once()
    assert first.status == "unknown" and len(graph.posts) == 1
    clock.advance(seconds=VISIBILITY_DELAY.total_seconds() + 1)
    (second,) = publisher(sqlite_engine, graph, clock).run_once()
    assert second.status == "published" and len(graph.posts) == 1
    assert post(sqlite_engine, post_id).remote_id == graph.posts[0].id


def test_server_error_without_a_post_is_sent_again_once(
    sqlite_engine: Engine, graph: FakeGraph, clock: FakeClock
) -> None:
    """A 500 that created nothing: not found after the delay, then published once."""
    approved(sqlite_engine, 3)
    graph.fail_next(1, "http_500")
    publisher(sqlite_engine, graph, clock).run_once()
    clock.advance(minutes=3)
    publisher(sqlite_engine, graph, clock).run_once()
    clock.advance(minutes=6)
    publisher(sqlite_engine, graph, clock).run_once()
    assert len(graph.posts) == 1


def test_expired_token_pauses_and_keeps_the_post(
    sqlite_engine: Engine, graph: FakeGraph, clock: FakeClock
) -> None:
    """An expired Page token pauses the channel; the post stays approved; nothing is posted."""
    post_id = approved(sqlite_engine, 4)
    graph.fail_next(1, "expired_token")
    (outcome,) = publisher(sqlite_engine, graph, clock).run_once()
    assert (
        outcome.status == "paused" and "SYNDICATOR_CHANNELS__FACEBOOK__PAGE_TOKEN" in outcome.detail
    )
    assert post(sqlite_engine, post_id).status == "approved" and graph.posts == []


def test_feed_can_ask_for_photo_posts(
    sqlite_engine: Engine, graph: FakeGraph, clock: FakeClock
) -> None:
    """A feed with facebook_photo = true is posted as a photo with the text as its caption."""
    approved(sqlite_engine, 5)
    base = settings()
    photo_settings = base.model_copy(
        update={"feeds": [feed(review="auto").model_copy(update={"facebook_photo": True})]}
    )
    connector = publisher(sqlite_engine, graph, clock).connectors["facebook"]
    (outcome,) = Publisher(
        sqlite_engine, {"facebook": connector}, photo_settings, clock, sleep=lambda s: None
    ).run_once()
    assert outcome.status == "published"
    (posted,) = graph.posts
    assert posted.photo_url == "https://skhcn.gov.vn/a.jpg" and posted.link is None
    assert posted.message.startswith("Triển khai chuyển đổi số năm 2027")


RAW_LINK = "HTTPS://SKHCn.QuangTri.gov.vn/tin-tuc/bai-viet.html?id=12&utm_source=rss&fbclid=abc"
CLEAN_LINK = "https://skhcn.quangtri.gov.vn/tin-tuc/bai-viet.html?id=12"


def test_link_sent_to_graph_is_clean(
    sqlite_engine: Engine, graph: FakeGraph, clock: FakeClock
) -> None:
    """The feed's raw link (upper-case scheme and host, utm_* and fbclid) goes out clean: scheme
    and host in lower case, trackers gone, path and the article's id kept."""
    item = replace(parsed(n=6), link=RAW_LINK)
    (post_id,) = make_posts(sqlite_engine, feed(review="auto"), item)
    assert post(sqlite_engine, post_id).rendered["link"] == CLEAN_LINK
    (outcome,) = publisher(sqlite_engine, graph, clock).run_once()
    assert outcome.status == "published"
    assert [p.link for p in graph.posts] == [CLEAN_LINK]


def test_post_rendered_with_a_raw_link_goes_out_clean(
    sqlite_engine: Engine, graph: FakeGraph, clock: FakeClock
) -> None:
    """A post rendered before links were cleaned (its stored link raw) is sent clean too."""
    post_id = approved(sqlite_engine, 7)
    with writing(sqlite_engine) as session:
        stored = session.get(Post, post_id)
        assert stored is not None
        stored.rendered = {**stored.rendered, "link": RAW_LINK}
    publisher(sqlite_engine, graph, clock).run_once()
    assert [p.link for p in graph.posts] == [CLEAN_LINK]


def test_photo_post_timed_out_is_found_not_resent(
    sqlite_engine: Engine, graph: FakeGraph, clock: FakeClock
) -> None:
    """A photo post (caption without the link, as the bundled template writes it) whose answer
    was lost is found by reconcile: one photo on the Page, and the post is published."""
    post_id = approved(sqlite_engine, 8)
    photo_settings = settings().model_copy(
        update={"feeds": [feed(review="auto").model_copy(update={"facebook_photo": True})]}
    )
    connector = publisher(sqlite_engine, graph, clock).connectors["facebook"]
    photos = Publisher(
        sqlite_engine, {"facebook": connector}, photo_settings, clock, sleep=lambda s: None
    )
    graph.fail_next(1, "timeout_after_create")
    (first,) = photos.run_once()
    assert first.status == "unknown" and len(graph.posts) == 1
    assert "skhcn.gov.vn/tin/8.html" not in graph.posts[0].message
    clock.advance(seconds=VISIBILITY_DELAY.total_seconds() + 1)
    (second,) = photos.run_once()
    assert second.status == "published" and len(graph.posts) == 1
    assert post(sqlite_engine, post_id).remote_id == graph.posts[0].id
