"""Parsing in worker processes: same results as in-process, errors keep their reason, a dying
worker costs only its feed, a worker's memory and time are capped, and workers end with their
parent."""

from __future__ import annotations

import math
import os
import select
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from syndicator.errors import FeedError
from syndicator.ingest.parse import parse_feed
from syndicator.ingest.parsepool import ParsePool
from syndicator.records import ParsedFeed
from syndicator.settings_models import FeedSettings
from tests.helpers.httpserver import LocalServer, Reply
from tests.helpers.paths import FIXTURES, ROOT
from tests.helpers.polling import make_poller
from tests.helpers.processes import children_of, command_line, still_running, watch
from tests.helpers.worker_functions import (
    SPIN,
    block,
    cpu_limit,
    exhaust_cpu,
    hog,
    parse_or_die,
    spin,
)

ROOT = ROOT
FIXTURES = FIXTURES / "feeds"
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 11, 1, tzinfo=UTC)


def call(pool: ParsePool, body: bytes) -> ParsedFeed:
    return pool(
        body, url="https://a.gov.vn/rss", content_type="application/rss+xml", fetched_at=NOW, tz=TZ
    )


@pytest.fixture
def pool() -> Iterator[ParsePool]:
    pool = ParsePool(1, 1024, function=parse_or_die)
    yield pool
    pool.close()


def test_same_result_as_in_process(pool: ParsePool) -> None:
    """A worker process returns exactly what parse_feed returns in this process."""
    body = (FIXTURES / "nukeviet.xml").read_bytes()
    try:
        assert call(pool, body) == parse_feed(
            body,
            url="https://a.gov.vn/rss",
            content_type="application/rss+xml",
            fetched_at=NOW,
            tz=TZ,
        )
    finally:
        pool.close()


def test_feed_errors_keep_their_reason(pool: ParsePool) -> None:
    """A FeedError raised in the worker arrives with its reason code intact."""
    try:
        with pytest.raises(FeedError) as error:
            call(pool, (FIXTURES / "html-page.xml").read_bytes())
        assert error.value.reason == "html_page"
    finally:
        pool.close()


def test_a_worker_refuses_what_parse_feed_refuses(pool: ParsePool) -> None:
    """The worker refuses an attribute-default bomb and an empty channel just as parse_feed does."""
    for fixture, reason in (
        ("attribute-defaults.xml", "hostile_xml"),
        ("empty-channel.xml", "empty"),
    ):
        with pytest.raises(FeedError) as error:
            call(pool, (FIXTURES / fixture).read_bytes())
        assert error.value.reason == reason


def test_dying_worker_costs_only_its_feed(pool: ParsePool) -> None:
    """A feed that kills its worker twice is parse_crashed; the pool is rebuilt for the next feed."""
    body = (FIXTURES / "vnexpress.xml").read_bytes()
    try:
        with pytest.raises(FeedError) as error:
            call(pool, b"DIE")
        assert error.value.reason == "parse_crashed"
        assert call(pool, body).items
    finally:
        pool.close()


def test_worker_memory_is_capped() -> None:
    """A worker that tries to take more than its cap gets a MemoryError instead of the machine."""
    with closing(ParsePool(1, 300, function=hog)) as pool, pytest.raises(MemoryError):
        call(pool, b"<rss/>")


def test_a_parse_past_its_time_is_killed_and_the_pool_goes_on() -> None:
    """A parse spinning past the timeout is parse_timeout; the next feed gets a fresh worker."""
    with closing(ParsePool(1, 1024, spin, timeout=timedelta(seconds=1))) as pool:
        with pytest.raises(FeedError) as error:
            call(pool, SPIN)
        assert error.value.reason == "parse_timeout"
        assert "longer than 1 s" in error.value.message
        assert call(pool, (FIXTURES / "vnexpress.xml").read_bytes()).items


def test_a_parse_waiting_without_cpu_is_stopped_by_the_wall_clock() -> None:
    """A worker that hangs without using CPU (which the kernel's limit would never see) is killed."""
    with closing(ParsePool(1, 1024, block, timeout=timedelta(seconds=1))) as pool:
        with pytest.raises(FeedError) as error:
            call(pool, b"<rss/>")
        assert error.value.reason == "parse_timeout"


def test_every_parse_runs_under_a_cpu_limit() -> None:
    """Each parse is armed with a CPU-time limit of the timeout (rounded up) from where it starts."""
    with closing(ParsePool(1, 1024, cpu_limit, timeout=timedelta(seconds=3))) as pool:  # type: ignore[arg-type]
        for _ in range(2):
            limits: tuple[float, float] = call(pool, b"<rss/>")  # type: ignore[assignment]
            soft, used = limits
            assert used + 3 - 0.1 <= soft <= math.ceil(used + 3)  # armed a moment before


def test_the_kernels_cpu_limit_is_a_timeout_not_a_crash() -> None:
    """A worker the kernel stops for its CPU time (SIGXCPU) gives parse_timeout, without a retry."""
    with closing(ParsePool(1, 1024, exhaust_cpu, timeout=timedelta(seconds=60))) as pool:
        with pytest.raises(FeedError) as error:
            call(pool, b"<rss/>")
        assert error.value.reason == "parse_timeout"


def test_a_hostile_feed_times_out_while_the_others_are_stored(engine: Engine) -> None:
    """In one poll, the feed whose parse never ends gets parse_timeout; the others are stored."""
    bodies = {
        "nukeviet": (FIXTURES / "nukeviet.xml").read_bytes(),
        "vnexpress": (FIXTURES / "vnexpress.xml").read_bytes(),
        "hostile": (FIXTURES / "vnexpress.xml")
        .read_bytes()
        .replace(b"<channel>", SPIN + b"<channel>"),
    }
    pool = ParsePool(2, 1024, spin, timeout=timedelta(seconds=2))
    with LocalServer() as server:
        feeds = []
        for name, body in bodies.items():
            server.route(
                f"/{name}.rss", Reply(body, headers={"Content-Type": "application/rss+xml"})
            )
            feeds.append(FeedSettings(id=name, name=name, url=server.url(f"/{name}.rss")))
        try:
            outcomes = {o.feed: o for o in make_poller(engine, parse=pool).poll(feeds)}
        finally:
            pool.close()
    assert (outcomes["hostile"].status, outcomes["hostile"].reason) == ("error", "parse_timeout")
    for name in ("nukeviet", "vnexpress"):
        assert outcomes[name].status == "ok" and outcomes[name].new > 0


PARENT = """
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo
from syndicator.ingest.parsepool import ParsePool
from tests.helpers.worker_functions import SPIN, spin
pool = ParsePool(1, 0, spin, timeout=timedelta(minutes=10))
pool(SPIN, url="https://a.gov.vn/rss", content_type=None, fetched_at=datetime.now(UTC), tz=ZoneInfo("UTC"))
"""


def test_a_busy_worker_ends_when_its_parent_is_sigkilled() -> None:
    """SIGKILL a process whose worker is mid-parse: the worker leaves too, and nothing else is left."""
    parent = subprocess.Popen([sys.executable, "-c", PARENT], cwd=ROOT, stderr=subprocess.PIPE)
    try:
        assert wait_for_line(parent, b"spinning", timeout=60)
        children = children_of(parent.pid)
        handles = watch(children)
    finally:
        parent.kill()
        parent.wait()
    assert children, "the parent had no worker"
    left = still_running(handles, timeout=30)
    assert [command_line(pid) for pid in left] == []


def wait_for_line(process: subprocess.Popen[bytes], text: bytes, timeout: float) -> bool:
    """Read the process's stderr until a line holding `text`, for at most `timeout` seconds."""
    assert process.stderr is not None
    seen = b""
    while text not in seen:
        ready, _, _ = select.select([process.stderr], [], [], timeout)
        chunk = os.read(process.stderr.fileno(), 4096) if ready else b""
        if not chunk:
            return False
        seen += chunk
    return True
