"""Failed polls per feed and UTC day (feed_error_day, migration 0012), on both databases: each
failed poll adds one to its day's row in the poll's own transaction (an upsert), a success adds
nothing, a rolled-back poll leaves nothing; the weekly prune keeps its cut-off day; the
migration (the table and an index on item.published_at) goes down and up again."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, inspect, select

from storage import feeds as feed_store
from storage import migrate
from storage.models import FeedErrorDay, FeedState
from storage.session import reading, writing
from syndicator.ingest import harvest as ingest
from syndicator.ingest.harvest import Harvest
from syndicator.records import FetchResult
from syndicator.settings_models import FeedSettings
from tests.helpers.long_items import POLLING, harvest
from tests.helpers.migrations import migrate_to

# Monday 7/12/2026 00:30 in Hanoi is still Sunday 6/12 in UTC: the day is UTC's.
LATE = datetime(2026, 12, 6, 17, 30, tzinfo=UTC)
FEED = FeedSettings(
    id="xa-tinh-phong", name="Xã Tịnh Phong", url="https://tinhphong.quangngai.gov.vn/rss"
)


def failed(at: datetime) -> Harvest:
    fetched = FetchResult(
        "error", FEED.url, error_reason="timeout", error="no answer in 20 s", elapsed=20.0
    )
    return Harvest(FEED, fetched, at, None, "timeout", "no answer in 20 s")


def counts(engine: Engine) -> dict[tuple[str, date], int]:
    with reading(engine) as session:
        rows = session.execute(
            select(FeedErrorDay.feed_id, FeedErrorDay.day, FeedErrorDay.failures)
        )
        return {(feed_id, day): failures for feed_id, day, failures in rows}


def test_each_failed_poll_adds_one_to_its_utc_day(engine: Engine) -> None:
    """Three failures on one UTC day make one row of 3; the next day starts its own row."""
    for minutes in (0, 10, 20):
        ingest.store(engine, failed(LATE + timedelta(minutes=minutes)), POLLING, 0)
    ingest.store(engine, failed(LATE + timedelta(hours=7)), POLLING, 0)
    assert counts(engine) == {
        ("xa-tinh-phong", date(2026, 12, 6)): 3,
        ("xa-tinh-phong", date(2026, 12, 7)): 1,
    }
    with reading(engine) as session:
        state = session.get(FeedState, "xa-tinh-phong")
    assert state is not None and state.consecutive_failures == 4


def test_a_successful_poll_counts_nothing(engine: Engine) -> None:
    ingest.store(engine, harvest("sxd", [], at=LATE), POLLING, 0)
    assert counts(engine) == {}


def test_a_rolled_back_poll_leaves_no_count(engine: Engine) -> None:
    """The count is written in the poll's transaction: a poll that does not commit, no count."""
    with pytest.raises(RuntimeError), writing(engine) as session:
        ingest.store_harvest(session, failed(LATE), POLLING, 0)
        raise RuntimeError("the daemon was killed before the commit")
    assert counts(engine) == {}


def test_prune_keeps_the_cut_off_day(engine: Engine) -> None:
    """Rows of days before the cut-off go; the cut-off day and later stay."""
    cut = date(2025, 11, 1)
    with writing(engine) as session:
        for day in (cut - timedelta(days=1), cut, cut + timedelta(days=1)):
            feed_store.count_failed_poll(session, "xa-ba-to", day)
    with writing(engine) as session:
        assert feed_store.prune_error_days(session, cut) == 1
    assert sorted(day for _, day in counts(engine)) == [cut, cut + timedelta(days=1)]


def published_index(engine: Engine) -> bool:
    return "ix_item_published_at" in {i["name"] for i in inspect(engine).get_indexes("item")}


def test_migration_down_and_up(engine: Engine) -> None:
    """0011 has no feed_error_day and no index on item.published_at; upgrading adds both, and
    counting works on the new table."""
    migrate_to(engine, "0011", down=True)
    assert "feed_error_day" not in inspect(engine).get_table_names()
    assert not published_index(engine)
    assert migrate.upgrade(engine) == ("0011", migrate.HEAD)
    assert "feed_error_day" in inspect(engine).get_table_names()
    assert published_index(engine)
    ingest.store(engine, failed(LATE), POLLING, 0)
    assert counts(engine) == {("xa-tinh-phong", date(2026, 12, 6)): 1}
