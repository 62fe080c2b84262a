"""What the platforms refuse the reach job, on both databases: a missing insights permission
switches those metrics off with one alert each while the other counters are still read (the
refused ones stored unknown, never 0), asked again a day later, and the alert resolves once they
are given; a deleted post is stored unknown; a bad token stops the pass; Zalo gives views only;
the sandbox gives nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import Engine

from connectors.sandbox.client import SandboxConnector
from storage import alerts as alert_store
from storage import publishing as publishing_store
from storage.session import reading, writing
from syndicator.ops import alerts
from syndicator.publish.reach import METRIC_RETRY, collect_due
from syndicator.settings_models import AlertSettings
from tests.helpers.clock import FakeClock
from tests.helpers.fake_graph import FakeGraph
from tests.helpers.fake_zalo import FakeZalo
from tests.helpers.reach import (
    AGES,
    HOUR,
    ages_of,
    facebook,
    on_graph,
    published,
    rows,
    switched_off,
    zalo,
)

T = datetime(2026, 11, 2, 1, 30, tzinfo=UTC)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T)


@pytest.fixture
def graph(clock: FakeClock) -> Iterator[FakeGraph]:
    with FakeGraph(clock=clock.now) as fake:
        yield fake


def check_alerts(engine: Engine, clock: FakeClock) -> list[str]:
    """The keys of the alerts opened by this check (no destination set: nothing is sent)."""
    settings, http = AlertSettings(), requests.Session()
    opened = alerts.check(engine, settings, http, alerts.connect_smtp, clock.now())
    return [alert.key for alert in opened]


def open_keys(engine: Engine) -> list[str]:
    with reading(engine) as session:
        return [alert.key for alert in alert_store.open_alerts(session)]


def insight_reads(graph: FakeGraph) -> int:
    return sum(1 for seen in graph.server.seen if "/insights" in seen.path)


def test_missing_insights_permission_switches_them_off_with_one_alert_each(
    engine: Engine, graph: FakeGraph, clock: FakeClock
) -> None:
    """Without read_insights: reactions, comments and shares are read, impressions and clicks
    stored as None (not 0), both switched off with one alert each; the next posts are not asked
    for them, and no alert is repeated."""
    graph.scopes.remove("read_insights")
    posts = [on_graph(engine, graph, n, T + timedelta(minutes=n)) for n in range(3)]
    for _, remote in posts:
        graph.set_counters(remote, reactions=25, comments=4, shares=0, views=900, clicks=31)
    clock.current = T + timedelta(hours=1, minutes=1)
    connector = facebook(graph, clock)
    (done,) = collect_due(engine, {"facebook": connector}, AGES, clock.now)
    assert (done.status, done.stored) == ("ok", 2)
    assert insight_reads(graph) == 2  # the first post's two tries only
    first = rows(engine)[0]
    assert (first.reactions, first.comments, first.shares) == (25, 4, 0)  # no `shares`: 0
    assert (first.impressions, first.clicks, first.views) == (None, None, None)
    off = switched_off(engine)
    assert [(row.channel, row.metric) for row in off] == [
        ("facebook", "clicks"),
        ("facebook", "impressions"),
    ]
    assert "read_insights" in off[0].reason and "(#10)" in off[0].reason
    assert off[0].until == clock.now() + METRIC_RETRY
    assert check_alerts(engine, clock) == [
        "reach_metric_off:facebook:clicks",
        "reach_metric_off:facebook:impressions",
    ]
    clock.advance(minutes=2)
    collect_due(engine, {"facebook": connector}, AGES, clock.now)
    assert ages_of(engine) == [(post_id, HOUR) for post_id, _ in posts]
    assert insight_reads(graph) == 2 and rows(engine)[2].impressions is None
    assert check_alerts(engine, clock) == []


def test_refused_metric_asked_again_after_a_day_and_resolved_when_given(
    engine: Engine, graph: FakeGraph, clock: FakeClock
) -> None:
    """A metric off is asked again once METRIC_RETRY has passed (not a second before): refused
    again, it stays one alert; granted, it is read and its alert resolves."""
    graph.scopes.remove("read_insights")
    on_graph(engine, graph, 0, T)
    clock.current = T + timedelta(hours=1)
    connector = facebook(graph, clock)
    collect_due(engine, {"facebook": connector}, AGES, clock.now)
    check_alerts(engine, clock)
    switched_at = clock.now()
    clock.current = switched_at + METRIC_RETRY - timedelta(seconds=1)
    on_graph(engine, graph, 1, clock.now() - timedelta(hours=1))
    collect_due(engine, {"facebook": connector}, AGES, clock.now)
    assert insight_reads(graph) == 2
    clock.current = switched_at + METRIC_RETRY
    on_graph(engine, graph, 2, clock.now() - timedelta(hours=1))
    collect_due(engine, {"facebook": connector}, AGES, clock.now)
    assert insight_reads(graph) == 4  # asked again, refused again
    assert [row.since for row in switched_off(engine)] == [switched_at, switched_at]
    assert check_alerts(engine, clock) == [] and len(open_keys(engine)) == 2
    graph.scopes.append("read_insights")
    clock.current += METRIC_RETRY
    post_id, remote = on_graph(engine, graph, 3, clock.now() - timedelta(hours=1))
    graph.set_counters(remote, reactions=7, views=260, clicks=12)
    collect_due(engine, {"facebook": connector}, AGES, clock.now)
    latest = rows(engine)[-1]
    assert (latest.post_id, latest.impressions, latest.clicks) == (post_id, 260, 12)
    assert switched_off(engine) == []
    check_alerts(engine, clock)
    assert open_keys(engine) == []


def test_deleted_post_is_stored_unknown_and_the_pass_goes_on(
    engine: Engine, graph: FakeGraph, clock: FakeClock
) -> None:
    """A post deleted on the Page (#100/33) is stored with every counter unknown, once; no
    metric is switched off and the next post is read."""
    gone, remote = on_graph(engine, graph, 0, T)
    kept, other = on_graph(engine, graph, 1, T)
    graph.delete_post(remote)
    graph.set_counters(other, reactions=3, comments=1, shares=1, views=75, clicks=4)
    clock.current = T + timedelta(hours=1)
    (done,) = collect_due(engine, {"facebook": facebook(graph, clock)}, AGES, clock.now)
    assert (done.status, done.stored) == ("ok", 2)
    by_post = {row.post_id: row for row in rows(engine)}
    assert [by_post[gone].reactions, by_post[gone].impressions] == [None, None]
    assert (by_post[kept].reactions, by_post[kept].impressions) == (3, 75)
    assert switched_off(engine) == []


def test_bad_token_stops_the_pass_and_switches_nothing_off(
    engine: Engine, graph: FakeGraph, clock: FakeClock
) -> None:
    """An expired Page token (190/463) stops the pass: nothing stored, nothing switched off
    (the token's alert is the channel's); a paused channel is not read at all."""
    on_graph(engine, graph, 0, T)
    clock.current = T + timedelta(hours=1)
    graph.token_expired = True
    connector = facebook(graph, clock)
    (done,) = collect_due(engine, {"facebook": connector}, AGES, clock.now)
    assert (done.status, rows(engine), switched_off(engine)) == ("auth_problem", [], [])
    graph.token_expired = False
    with writing(engine) as session:
        publishing_store.set_pause(session, "facebook", None, "token expired", clock.now())
    seen = len(graph.server.seen)
    (paused,) = collect_due(engine, {"facebook": connector}, AGES, clock.now)
    assert paused.status == "paused" and len(graph.server.seen) == seen


def test_zalo_gives_views_only(engine: Engine, clock: FakeClock) -> None:
    """A Zalo article's views are read from getdetail; its shares, comments and reactions are
    unknown (no endpoint gives them), and nothing is switched off for it. A per-minute limit
    (-32) stops the pass and the post stays due."""
    with FakeZalo(clock=clock.now) as fake:
        article = fake.add_article("Thông báo tuyển dụng công chức năm 2027", T)
        post_id = published(engine, 0, article.id, T, "zalo")
        fake.set_views(article.id, 1534)
        connector = zalo(fake, clock)
        clock.current = T + timedelta(hours=1)
        fake.fail_next(1, "rate_limit")
        (limited,) = collect_due(engine, {"zalo": connector}, AGES, clock.now)
        assert (limited.status, rows(engine)) == ("rate_limited", [])
        (done,) = collect_due(engine, {"zalo": connector}, AGES, clock.now)
    assert (done.status, done.stored) == ("ok", 1)
    (row,) = rows(engine)
    assert (row.post_id, row.views) == (post_id, 1534)
    assert (row.reactions, row.comments, row.shares, row.impressions, row.clicks) == (None,) * 5
    assert switched_off(engine) == []


def test_sandbox_gives_no_counters(engine: Engine, clock: FakeClock, tmp_path: Path) -> None:
    """The sandbox reads no engagement: no pass, no row; its posts' counters stay unknown."""
    published(engine, 0, "post-1", T, "sandbox")
    clock.current = T + timedelta(days=8)
    assert collect_due(engine, {"sandbox": SandboxConnector(tmp_path)}, AGES, clock.now) == []
    assert rows(engine) == []


def test_a_channel_gone_from_the_settings_forgets_its_metrics_off(
    engine: Engine, graph: FakeGraph, clock: FakeClock
) -> None:
    """The Page removed from the settings (or disabled) after its insights were refused: the
    next pass forgets what was switched off for it, and its alerts resolve at the next check."""
    graph.scopes.remove("read_insights")
    (_, remote) = on_graph(engine, graph, 0, T)
    graph.set_counters(remote, reactions=12, comments=2, shares=1, views=480, clicks=9)
    clock.current = T + timedelta(hours=1, minutes=1)
    collect_due(engine, {"facebook": facebook(graph, clock)}, AGES, clock.now)
    assert len(check_alerts(engine, clock)) == 2
    collect_due(engine, {"fanpage-moi": facebook(graph, clock)}, AGES, clock.now)
    assert [row.channel for row in switched_off(engine)] == []
    check_alerts(engine, clock)
    assert open_keys(engine) == []
