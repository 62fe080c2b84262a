"""The daemon's "reach" job as the daemon runs it: an App over settings.toml with a Facebook
channel on the fake Graph API; a restarted daemon (a new App) resumes from the database; with
reach.collect off, no job and no read."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from syndicator.app import App
from syndicator.config import load_settings
from syndicator.ops.daemon import build_scheduler, collect_reach
from tests.helpers.apps import settings_file
from tests.helpers.clock import FakeClock
from tests.helpers.fake_graph import FakeGraph
from tests.helpers.reach import DAY, HOUR, ages_of, on_graph

T = datetime(2026, 11, 2, 1, 30, tzinfo=UTC)
SETTINGS = """
[database]
url = "{url}"

[channels.facebook]
page_id = "1234567890"
graph_url = "GRAPH"

[reach]
ages = ["24h", "1h"]
"""


@pytest.fixture
def graph(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGraph]:
    with FakeGraph() as fake:
        monkeypatch.setenv("SYNDICATOR_CHANNELS__FACEBOOK__PAGE_TOKEN", fake.token)
        yield fake


def daemon(engine: Engine, tmp_path: Path, graph: FakeGraph, at: datetime, extra: str = "") -> App:
    """A daemon's App started at `at` over the test's database (a new one: a restart)."""
    template = SETTINGS.replace("GRAPH", graph.url) + extra
    return App(load_settings(settings_file(tmp_path, engine, template)), FakeClock(at))


def test_a_restarted_daemon_resumes_from_the_database(
    engine: Engine, tmp_path: Path, graph: FakeGraph
) -> None:
    """The job stores the post's 1h counters once; a restarted daemon reads nothing again,
    and stores the 24h counters when their time comes."""
    post_id, remote = on_graph(engine, graph, 0, T)
    graph.set_counters(remote, reactions=31, comments=5, shares=2, views=1200, clicks=44)
    first = daemon(engine, tmp_path, graph, T + timedelta(hours=1))
    assert collect_reach(first) == 1 and collect_reach(first) == 0
    reads = len(graph.reads)
    restarted = daemon(engine, tmp_path, graph, T + timedelta(hours=23))
    assert collect_reach(restarted) == 0 and len(graph.reads) == reads
    assert isinstance(restarted.clock, FakeClock)
    restarted.clock.advance(hours=1)
    assert collect_reach(restarted) == 1
    assert ages_of(engine) == [(post_id, HOUR), (post_id, DAY)]


def test_collect_off_means_no_job_and_no_read(
    engine: Engine, tmp_path: Path, graph: FakeGraph
) -> None:
    """reach.collect = false: the scheduler has no "reach" job and a cycle reads nothing."""
    on_graph(engine, graph, 1, T)
    app = daemon(engine, tmp_path, graph, T + timedelta(days=8), "collect = false\n")
    assert "reach" not in {job.id for job in build_scheduler(app).get_jobs()}
    assert collect_reach(app) == 0 and graph.server.seen == [] and ages_of(engine) == []
