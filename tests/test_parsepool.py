"""Parsing in worker processes: same results as in-process, errors keep their reason, a dying
worker costs only its feed, and a worker's memory is capped."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from syndicator.errors import FeedError
from syndicator.parse import parse_feed
from syndicator.parsepool import ParsePool
from syndicator.records import ParsedFeed

FIXTURES = Path(__file__).parent / "fixtures" / "feeds"
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 11, 1, tzinfo=UTC)


def parse_or_die(body: bytes, **kwargs: object) -> ParsedFeed:
    """Runs in the worker: a body saying DIE kills the worker outright, like a segfault."""
    if body == b"DIE":
        os._exit(13)
    return parse_feed(body, **kwargs)  # type: ignore[arg-type]


def hog(body: bytes, **kwargs: object) -> ParsedFeed:
    """Runs in the worker: tries to hold far more memory than the worker may have."""
    held = bytearray(600 * 1024 * 1024)
    raise AssertionError(f"allocated {len(held)} bytes past the cap")


def call(pool: ParsePool, body: bytes) -> ParsedFeed:
    return pool(
        body, url="https://a.gov.vn/rss", content_type="application/rss+xml", fetched_at=NOW, tz=TZ
    )


@pytest.fixture
def pool() -> ParsePool:
    return ParsePool(1, 1024, function=parse_or_die)


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
    pool = ParsePool(1, 300, function=hog)
    try:
        with pytest.raises(MemoryError):
            call(pool, b"<rss/>")
    finally:
        pool.close()
