"""The reach job's schedule against the fake Graph API, on both databases: each age of
reach.ages once per post, due exactly at published + age; a restart resumes and reads nothing
twice; a post late for several ages is read once and stored at each; a rate limit stops the
pass and loses nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from connectors.facebook.engagement import USAGE_READING_LIFE
from storage.reach import LATE_LIMIT
from syndicator.publish.reach import collect_due
from tests.helpers.clock import FakeClock
from tests.helpers.fake_graph import FakeGraph
from tests.helpers.reach import AGES, DAY, HOUR, WEEK, ages_of, facebook, on_graph, rows

T = datetime(2026, 11, 2, 1, 30, tzinfo=UTC)  # 08:30 in Hà Nội


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T)


@pytest.fixture
def graph(clock: FakeClock) -> Iterator[FakeGraph]:
    with FakeGraph(clock=clock.now) as fake:
        yield fake


def test_each_age_due_at_its_edge_and_read_once(
    engine: Engine, graph: FakeGraph, clock: FakeClock
) -> None:
    """A post is read at published + 1h, + 24h and + 7d, not a second before, once each; a
    post published a second later is not due with it, and is a second later."""
    first, remote = on_graph(engine, graph, 0, T)
    second, _ = on_graph(engine, graph, 1, T + timedelta(seconds=1))
    connector = facebook(graph, clock)
    graph.set_counters(remote, reactions=12, comments=3, shares=2, views=840, clicks=57)
    for age, seconds in zip(AGES, (HOUR, DAY, WEEK), strict=True):
        clock.current = T + age - timedelta(seconds=1)
        (done,) = collect_due(engine, {"facebook": connector}, AGES, clock.now)
        assert (done.status, done.stored) == ("ok", 0)
        clock.current = T + age
        collect_due(engine, {"facebook": connector}, AGES, clock.now)
        assert (first, seconds) in ages_of(engine) and (second, seconds) not in ages_of(engine)
        clock.current = T + age + timedelta(seconds=1)
        collect_due(engine, {"facebook": connector}, AGES, clock.now)
        collect_due(engine, {"facebook": connector}, AGES, clock.now)  # nothing due: no read
        assert (second, seconds) in ages_of(engine)
    assert ages_of(engine) == [(post, age) for post in (first, second) for age in (HOUR, DAY, WEEK)]
    assert len(graph.reads) == 2 * 3 * 3  # two posts, three ages, a counters and two insights
    hour = rows(engine)[0]
    counters = (hour.reactions, hour.comments, hour.shares, hour.impressions, hour.clicks)
    assert counters == (12, 3, 2, 840, 57) and hour.views is None  # views are Zalo's
    assert hour.collected_at == T + timedelta(hours=1)
    clock.advance(days=60)
    collect_due(engine, {"facebook": connector}, AGES, clock.now)
    assert len(rows(engine)) == 6


def test_restart_resumes_and_reads_nothing_twice(
    engine: Engine, graph: FakeGraph, clock: FakeClock
) -> None:
    """A pass reads at most `batch` pairs, the longest overdue first; a new connector and job
    (a restarted daemon) over the same database read the rest, and then nothing."""
    posts = [on_graph(engine, graph, n, T + timedelta(minutes=n))[0] for n in range(3)]
    clock.current = T + timedelta(hours=2)
    (done,) = collect_due(engine, {"facebook": facebook(graph, clock)}, AGES, clock.now, batch=2)
    assert (done.posts, done.stored) == (2, 2)
    assert ages_of(engine) == [(posts[0], HOUR), (posts[1], HOUR)]
    restarted = facebook(graph, clock)
    collect_due(engine, {"facebook": restarted}, AGES, clock.now, batch=2)
    collect_due(engine, {"facebook": restarted}, AGES, clock.now, batch=2)
    assert ages_of(engine) == [(post_id, HOUR) for post_id in posts]
    assert [read for read in graph.reads if read.startswith("post:")] == [
        f"post:{graph.posts[n].id}" for n in range(3)
    ]


def test_late_post_read_once_and_stored_at_each_missed_age(
    engine: Engine, graph: FakeGraph, clock: FakeClock
) -> None:
    """The daemon was down for eight days: the post is read once and stored at 1h, 24h and 7d,
    each with the true time of the read."""
    post_id, remote = on_graph(engine, graph, 2, T)
    graph.set_counters(remote, reactions=40, comments=9, shares=5, views=3100, clicks=210)
    clock.current = T + timedelta(days=8)
    (done,) = collect_due(engine, {"facebook": facebook(graph, clock)}, AGES, clock.now)
    assert (done.posts, done.stored) == (1, 3) and len(graph.reads) == 3
    assert ages_of(engine) == [(post_id, HOUR), (post_id, DAY), (post_id, WEEK)]
    assert {(row.collected_at, row.reactions, row.impressions) for row in rows(engine)} == {
        (T + timedelta(days=8), 40, 3100)
    }


def test_an_age_more_than_the_late_limit_past_is_not_read(
    engine: Engine, graph: FakeGraph, clock: FakeClock
) -> None:
    """A pair is collected until LATE_LIMIT after its time: a second before, read; at it, not
    (the posts from before collection was installed are not all read at once)."""
    post_id, _ = on_graph(engine, graph, 3, T)
    clock.current = T + timedelta(hours=24) + LATE_LIMIT
    collect_due(engine, {"facebook": facebook(graph, clock)}, AGES, clock.now)
    assert ages_of(engine) == [(post_id, WEEK)]  # 1h and 24h are past the limit
    clock.current = T + timedelta(days=7) + LATE_LIMIT - timedelta(seconds=1)
    other, _ = on_graph(engine, graph, 4, T)
    collect_due(engine, {"facebook": facebook(graph, clock)}, AGES, clock.now)
    assert (other, WEEK) in ages_of(engine)
    assert [age for pid, age in ages_of(engine) if pid == other] == [WEEK]


def test_rate_limit_stops_the_pass_and_nothing_is_lost(
    engine: Engine, graph: FakeGraph, clock: FakeClock
) -> None:
    """A throttled read (#32) stops the channel's pass with nothing stored for the posts left;
    Graph's usage at 100 % in that answer then holds the reads, without a request, until the
    reading is USAGE_READING_LIFE old; then every post left is read."""
    posts = [on_graph(engine, graph, n, T)[0] for n in range(3)]
    clock.current = T + timedelta(hours=1)
    connector = facebook(graph, clock)
    collect_due(engine, {"facebook": connector}, AGES, clock.now, batch=1)
    graph.fail_next_read(1, "page_rate_limit")
    (done,) = collect_due(engine, {"facebook": connector}, AGES, clock.now)
    assert (done.status, done.stored) == ("rate_limited", 0)
    reads = len(graph.server.seen)
    throttled_at = clock.now()
    for wait in (timedelta(seconds=59), USAGE_READING_LIFE - timedelta(seconds=1)):
        clock.current = throttled_at + wait
        (held,) = collect_due(engine, {"facebook": connector}, AGES, clock.now)
        assert held.status == "rate_limited" and len(graph.server.seen) == reads  # none sent
    clock.current = throttled_at + USAGE_READING_LIFE
    (after,) = collect_due(engine, {"facebook": connector}, AGES, clock.now)
    assert (after.status, after.stored) == ("ok", 2)
    assert ages_of(engine) == [(post_id, HOUR) for post_id in posts]
