"""Engagement reads over real HTTP against the fake Graph API and fake OA: the documented
requests, what each answer becomes, and how Facebook's reads yield to publishing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from connectors.base import METRICS, Engagement, RateLimited, ReadsEngagement, Rejected
from connectors.facebook import engagement as facebook_engagement
from connectors.facebook.client import FacebookConnector
from connectors.facebook.engagement import READ_USAGE_LIMIT, USAGE_READING_LIFE
from tests.helpers.clock import FakeClock
from tests.helpers.fake_graph import FakeGraph
from tests.helpers.fake_zalo import FakeZalo
from tests.helpers.reach import TITLES, facebook, zalo

SECRET = "app-secret-for-the-fake"
ALL = frozenset(METRICS)


@pytest.fixture
def graph(clock: FakeClock) -> Iterator[FakeGraph]:
    with FakeGraph(app_secret=SECRET, clock=clock.now) as fake:
        yield fake


def connector(graph: FakeGraph, clock: FakeClock) -> FacebookConnector:
    return facebook(graph, clock, app_secret=SECRET)


def a_post(graph: FakeGraph, clock: FakeClock) -> str:
    return graph.add_post(TITLES[0], "https://skhcn.gov.vn/tin/1.html", clock.now()).id


def queries(graph: FakeGraph) -> list[tuple[str, dict[str, list[str]]]]:
    """(path, query without the token and its proof) of each request the fake received."""
    found = []
    for seen in graph.server.seen:
        parts = urlsplit(seen.path)
        query = parse_qs(parts.query)
        query.pop("access_token", None), query.pop("appsecret_proof", None)
        found.append((parts.path, query))
    return found


def test_facebook_reads_counters_then_each_insight(graph: FakeGraph, clock: FakeClock) -> None:
    """One call for reactions, comments and shares (summaries, no rows), one per insight:
    post_media_view (stored as impressions) and post_clicks; views stay Zalo's (None)."""
    remote = a_post(graph, clock)
    graph.set_counters(remote, reactions=48, comments=6, shares=3, views=2150, clicks=96)
    read = connector(graph, clock).engagement(remote, ALL)
    assert isinstance(connector(graph, clock), ReadsEngagement)
    assert read == Engagement(reactions=48, comments=6, shares=3, impressions=2150, clicks=96)
    fields = "reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0),shares"
    assert queries(graph) == [
        (f"/v25.0/{remote}", {"fields": [fields]}),
        (f"/v25.0/{remote}/insights", {"metric": ["post_media_view"]}),
        (f"/v25.0/{remote}/insights", {"metric": ["post_clicks"]}),
    ]


def test_facebook_asks_only_for_the_metrics_on(graph: FakeGraph, clock: FakeClock) -> None:
    """Metrics not asked for are not requested and come back None; no shares is 0."""
    remote = a_post(graph, clock)
    graph.set_counters(remote, reactions=5, comments=2, shares=0, views=120, clicks=8)
    read = connector(graph, clock).engagement(remote, frozenset({"shares", "clicks"}))
    assert read.counters() == {
        "reactions": None,
        "comments": None,
        "shares": 0,
        "impressions": None,
        "clicks": 8,
        "views": None,
    }
    assert [path.rsplit("/", 1)[-1] for path, _ in queries(graph)] == [remote, "insights"]
    assert connector(graph, clock).engagement(remote, frozenset({"views"})) == Engagement()
    assert len(graph.server.seen) == 2  # Facebook has no "views" of ours: nothing asked


def test_facebook_dropped_insight_is_refused_alone(
    graph: FakeGraph, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An insight Meta deprecated (post_impressions: #100 "must be a valid insights metric") is
    refused, named in `refused`, and the other counters are still read."""
    monkeypatch.setitem(facebook_engagement.INSIGHT_METRICS, "impressions", "post_impressions")
    remote = a_post(graph, clock)
    graph.set_counters(remote, reactions=9, views=400, clicks=15)
    read = connector(graph, clock).engagement(remote, ALL)
    assert (read.reactions, read.impressions, read.clicks) == (9, None, 15)
    assert list(read.refused) == ["impressions"]
    assert (
        "post_impressions" in read.refused["impressions"] and "#100" in read.refused["impressions"]
    )


def test_facebook_permission_refusal_names_the_fix_not_the_token(
    graph: FakeGraph, clock: FakeClock
) -> None:
    """Without pages_read_engagement every read is refused (#10): all five metrics in
    `refused`, each saying which permissions to grant; no token or secret in the text."""
    graph.scopes.remove("pages_read_engagement")
    read = connector(graph, clock).engagement(a_post(graph, clock), ALL)
    assert sorted(read.refused) == ["clicks", "comments", "impressions", "reactions", "shares"]
    reason = read.refused["reactions"]
    assert (
        "pages_read_engagement" in reason and "SYNDICATOR_CHANNELS__FACEBOOK__PAGE_TOKEN" in reason
    )
    assert graph.token not in reason and SECRET not in reason
    assert read.counters() == dict.fromkeys(METRICS)


def usage(percent: int) -> dict[str, str]:
    return {"X-App-Usage": json.dumps({"call_count": percent, "total_cputime": 5, "total_time": 5})}


def test_facebook_reads_yield_at_half_the_quota(graph: FakeGraph, clock: FakeClock) -> None:
    """Below READ_USAGE_LIMIT (49 %) reads go on; at it (50 %), the next read raises
    RateLimited without a request until the reading is USAGE_READING_LIFE old, and then one
    read goes out to learn the usage again."""
    assert READ_USAGE_LIMIT == 50
    remote = a_post(graph, clock)
    reader = connector(graph, clock)
    graph.usage_headers = usage(49)
    reader.engagement(remote, ALL)
    reader.engagement(remote, ALL)
    assert len(graph.server.seen) == 6
    graph.usage_headers = usage(50)
    reader.engagement(remote, ALL)
    read_at = clock.now()
    clock.advance(seconds=USAGE_READING_LIFE.total_seconds() - 1)
    with pytest.raises(RateLimited) as held:
        reader.engagement(remote, ALL)
    assert held.value.retry_after == timedelta(seconds=1) and len(graph.server.seen) == 9
    clock.current = read_at + USAGE_READING_LIFE
    graph.usage_headers = {}  # the quota drained: no header means about 0 %
    reader.engagement(remote, ALL)
    reader.engagement(remote, ALL)
    assert len(graph.server.seen) == 15


def test_facebook_reads_yield_to_a_usage_pause(graph: FakeGraph, clock: FakeClock) -> None:
    """After an answer asking to wait (estimated_time_to_regain_access), reads raise
    RateLimited without a request for that long, even when the quota share looks low."""
    remote = a_post(graph, clock)
    reader = connector(graph, clock)
    regain = [{"type": "pages", "call_count": 20, "total_cputime": 4, "total_time": 4,
               "estimated_time_to_regain_access": 3}]  # fmt: skip
    graph.usage_headers = {"X-Business-Use-Case-Usage": json.dumps({graph.page_id: regain})}
    reader.engagement(remote, ALL)
    graph.usage_headers = {}
    clock.advance(minutes=3, seconds=-1)
    with pytest.raises(RateLimited):
        reader.engagement(remote, ALL)
    assert len(graph.server.seen) == 3
    clock.advance(seconds=1)
    reader.engagement(remote, ALL)
    assert len(graph.server.seen) == 6


def test_facebook_refuses_an_id_that_is_no_graph_post(graph: FakeGraph, clock: FakeClock) -> None:
    """A remote id that is not "{page}_{post}" digits is refused before any request (it is put
    in the request's path)."""
    with pytest.raises(Rejected):
        connector(graph, clock).engagement("../debug_token", ALL)
    assert graph.server.seen == []


def test_zalo_reads_views_from_getdetail(clock: FakeClock) -> None:
    """The article's total_view is its views; nothing else is given; not asked for views, the
    connector sends nothing."""
    with FakeZalo(clock=clock.now) as fake:
        article = fake.add_article(
            "Lịch tiếp công dân tháng 12 của Ủy ban nhân dân tỉnh", clock.now()
        )
        fake.set_views(article.id, 87)
        reader = zalo(fake, clock)
        assert reader.engagement(article.id, ALL) == Engagement(views=87)
        assert reader.engagement(article.id, ALL - {"views"}) == Engagement()
        assert fake.hits("/v2.0/article/getdetail") == 1
