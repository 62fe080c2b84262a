"""Publishing through the real Zalo connector, encrypted token store and step store to the fake
OA API: exactly once through processing delays, a timeout after create, and token rotation."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import Engine

from connectors.zalo.client import ZaloConnector
from connectors.zalo.tokens import TokenPair
from storage.publishing import SqlStepStore
from storage.tokens import SqlTokenStore
from syndicator.config import Settings
from syndicator.ops.keys import derived_fernet
from syndicator.publish.publisher import VISIBILITY_DELAY, Publisher
from tests.helpers.clock import FakeClock
from tests.helpers.fake_zalo import APP_SECRET, FakeZalo
from tests.helpers.posts import feed, make_posts, parsed
from tests.helpers.publishing import post

NOW = datetime(2026, 11, 1, 3, 30, tzinfo=UTC)  # 10:30 in Hà Nội


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def zalo(clock: FakeClock) -> Iterator[FakeZalo]:
    with FakeZalo(processing=1, clock=clock.now) as fake:
        yield fake


def publisher(engine: Engine, fake: FakeZalo, clock: FakeClock, tmp_path: Path) -> Publisher:
    tokens = SqlTokenStore(
        engine,
        "zalo",
        derived_fernet(b"k" * 40, "tokens"),
        tmp_path / "zalo.lock",
        TokenPair,
        clock.now,
    )
    tokens.seed(fake.seed_pair(NOW + timedelta(hours=20)))
    connector = ZaloConnector(
        requests.Session(),
        api_url=fake.url,
        oauth_url=fake.url,
        app_id=fake.app_id,
        app_secret=APP_SECRET,
        tokens=tokens,
        steps=SqlStepStore(engine, clock.now),
        clock=clock.now,
        timeout=0.5,
    )
    settings = Settings(
        channels={"zalo": {"type": "zalo"}},
        pacing={"zalo": {"quiet_hours": "", "min_spacing": "0s"}},
    )
    return Publisher(engine, {"zalo": connector}, settings, clock, sleep=lambda s: None)


def approved(engine: Engine, n: int) -> int:
    (post_id,) = make_posts(engine, feed(review="auto", channels=("zalo",)), parsed(n=n))
    return post_id


def test_article_published_once_through_processing(
    sqlite_engine: Engine, zalo: FakeZalo, clock: FakeClock, tmp_path: Path
) -> None:
    """create → verify answers -214 once → the article id; one article, its id stored."""
    post_id = approved(sqlite_engine, 1)
    (outcome,) = publisher(sqlite_engine, zalo, clock, tmp_path).run_once()
    assert outcome.status == "published" and len(zalo.articles) == 1
    assert zalo.hits("/v2.0/article/create") == 1
    assert post(sqlite_engine, post_id).remote_id == outcome.detail


def test_timeout_after_create_is_found_by_title(
    sqlite_engine: Engine, zalo: FakeZalo, clock: FakeClock, tmp_path: Path
) -> None:
    """Zalo stored the article but the answer never came: reconcile finds it; never two."""
    post_id = approved(sqlite_engine, 2)
    zalo.fail_next(1, "timeout_after_create")
    (first,) = publisher(sqlite_engine, zalo, clock, tmp_path).run_once()
    assert first.status == "unknown"
    clock.advance(seconds=VISIBILITY_DELAY.total_seconds() + 1)
    (second,) = publisher(sqlite_engine, zalo, clock, tmp_path).run_once()
    assert second.status == "published" and len(zalo.articles) == 1
    assert post(sqlite_engine, post_id).status == "published"


def test_expiring_token_is_rotated_and_kept(
    sqlite_engine: Engine, zalo: FakeZalo, clock: FakeClock, tmp_path: Path
) -> None:
    """A pair near expiry is refreshed before publishing; the new pair is stored, encrypted."""
    approved(sqlite_engine, 3)
    pub = publisher(sqlite_engine, zalo, clock, tmp_path)
    clock.advance(hours=19, minutes=30)
    (outcome,) = pub.run_once()
    assert outcome.status == "published" and zalo.hits("/v4/oa/access_token") == 1
    tokens = SqlTokenStore(
        sqlite_engine,
        "zalo",
        derived_fernet(b"k" * 40, "tokens"),
        tmp_path / "zalo.lock",
        TokenPair,
        clock.now,
    )
    assert tokens.current().refresh_token in zalo.refresh_tokens
