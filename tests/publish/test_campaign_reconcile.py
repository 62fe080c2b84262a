"""Reconcile with tagged links (issue #14): a post published with our campaign parameters is
found on the fake Graph whether the Page shows the link tagged or not, and never sent twice."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from connectors.base import OutgoingPost
from connectors.facebook.client import FacebookConnector
from storage import posts as post_store
from storage.session import reading
from syndicator.config import Settings
from syndicator.publish.publisher import VISIBILITY_DELAY, Publisher
from tests.helpers.campaign import TAGGED, UNTAGGED, article, maker, poll
from tests.helpers.clock import FakeClock
from tests.helpers.fake_graph import FakeGraph
from tests.helpers.reach import facebook

MESSAGE = "Hội nghị triển khai chuyển đổi số năm 2026 tại Sở Khoa học và Công nghệ Quảng Ngãi"
OTHER = UNTAGGED.replace("-12345.html", "-12346.html")  # the next article of the portal


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 2, 2, 0, tzinfo=UTC))


@pytest.fixture
def graph(clock: FakeClock) -> Iterator[FakeGraph]:
    with FakeGraph(clock=clock.now) as fake:
        yield fake


def connector(graph: FakeGraph, clock: FakeClock) -> FacebookConnector:
    return facebook(graph, clock, timeout=0.5)


def publisher(engine: Engine, graph: FakeGraph, clock: FakeClock) -> Publisher:
    """The Page alone is published to: the feed's OA and sandbox posts stay approved."""
    settings = Settings.model_validate(
        {
            "channels": {"fanpage": {"type": "facebook"}},
            "pacing": {"fanpage": {"quiet_hours": "", "min_spacing": "0s", "max_per_day": 1000}},
        }
    )
    page = connector(graph, clock)
    return Publisher(engine, {"fanpage": page}, settings, clock, sleep=lambda s: None)


def test_a_tagged_post_lost_in_a_timeout_is_found_not_sent_again(
    engine: Engine, graph: FakeGraph, clock: FakeClock
) -> None:
    """Facebook made the post with the tagged link but the answer never came: reconcile finds
    it by that link; the Page has one post, and it carries the campaign."""
    poll(engine, maker(), [article()])
    graph.fail_next(1, "timeout_after_create")
    outcomes = publisher(engine, graph, clock).run_once()
    assert [o.status for o in outcomes if o.channel == "fanpage"] == ["unknown"]
    clock.advance(seconds=VISIBILITY_DELAY.total_seconds() + 1)
    (second,) = [o for o in publisher(engine, graph, clock).run_once() if o.channel == "fanpage"]
    assert second.status == "published"
    assert [p.link for p in graph.posts] == [TAGGED["fanpage"]]
    with reading(engine) as session:
        post = post_store.get(session, second.post_id)
    assert post is not None and post.remote_id == graph.posts[0].id


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        (TAGGED["fanpage"], TAGGED["fanpage"]),
        (TAGGED["fanpage"], UNTAGGED),  # the Page shows the link without our parameters
        (UNTAGGED, TAGGED["fanpage"]),  # a post rendered before tagging, shown tagged
        (TAGGED["fanpage"], TAGGED["oa"]),  # another campaign's copy of the same article
    ],
    ids=["tagged", "shown-untagged", "sent-untagged", "other-campaign"],
)
def test_the_comparison_ignores_the_campaign(
    graph: FakeGraph, clock: FakeClock, sent: str, shown: str
) -> None:
    """find_existing matches the Page's post whether either side carries utm_* or not."""
    made = graph.add_post(MESSAGE, shown, clock.now() - timedelta(minutes=5))
    wanted = OutgoingPost(7, MESSAGE, sent, claimed_at=clock.now() - timedelta(minutes=5))
    found = connector(graph, clock).find_existing(wanted)
    assert found is not None and found.remote_id == made.id


def test_the_same_campaign_on_another_article_is_not_a_match(
    graph: FakeGraph, clock: FakeClock
) -> None:
    """Dropping the tags does not make two articles one: the next article's post is not ours."""
    other_tagged = TAGGED["fanpage"].replace(UNTAGGED, OTHER)
    graph.add_post(MESSAGE, other_tagged, clock.now() - timedelta(minutes=5))
    wanted = OutgoingPost(
        7, MESSAGE, TAGGED["fanpage"], claimed_at=clock.now() - timedelta(minutes=5)
    )
    assert connector(graph, clock).find_existing(wanted) is None
