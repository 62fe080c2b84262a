"""Storing harvests: first poll, backfill, duplicates, cross-portal sources, failures, crashes."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from storage import items as item_store
from storage.models import FeedState, Item, ItemSource
from storage.session import reading, writing
from syndicator.ingest.dedup import candidates
from syndicator.ingest.harvest import Harvest, store
from syndicator.ingest.parse import parse_feed
from syndicator.records import FetchResult, ParsedFeed, ParsedItem
from syndicator.settings_models import FeedSettings, PollingSettings
from tests.helpers.paths import FIXTURES

T0 = datetime(2026, 11, 1, 3, 0, tzinfo=UTC)
POLLING = PollingSettings(broken_after=3)
SLUG = quote("ủy-ban-nhân-dân-tỉnh-triển-khai-kế-hoạch-chuyển-đổi-số-năm-2026-tại-các-sở-ban-ngành")
FIXTURES = FIXTURES
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def feed(feed_id: str = "a") -> FeedSettings:
    return FeedSettings(id=feed_id, name=feed_id, url=f"https://{feed_id}.gov.vn/rss")


def article(n: int, host: str = "a.gov.vn", guid: str | None = None) -> ParsedItem:
    """Article n as a Liferay portal gives it: a long headline, a ~350-character link."""
    url = f"https://{host}/vi/tin-tuc/-/asset_publisher/L2aeDzHfpQxs/content/{SLUG}-{n}"
    return ParsedItem(
        guid=guid or f"news_{n}",
        link=f"{url}?redirect=%2Fvi%2Ftin-tuc&inheritRedirect=true",
        url=url,
        title=f"Tin thứ {n}: Ủy ban nhân dân tỉnh triển khai kế hoạch chuyển đổi số năm 2026 "
        "tại các sở, ban, ngành và địa phương",
        summary="Tóm tắt",
        content_html="<p>Tóm tắt</p>",
        image=None,
        published=T0 - timedelta(hours=n),
    )


def harvest(
    items: list[ParsedItem], feed_id: str = "a", at: datetime = T0, etag: str = "v1"
) -> Harvest:
    fetched = FetchResult(
        "ok",
        f"https://{feed_id}.gov.vn/rss",
        body=b"<rss/>",
        body_hash="h-" + etag,
        etag=etag,
        http_status=200,
    )
    return Harvest(feed(feed_id), fetched, at, ParsedFeed("Feed", None, tuple(items)))


def failed(feed_id: str = "a", at: datetime = T0) -> Harvest:
    fetched = FetchResult(
        "error", f"https://{feed_id}.gov.vn/rss", error_reason="http_503", error="503"
    )
    return Harvest(feed(feed_id), fetched, at, None, "http_503", "server answered 503")


def items(engine: Engine) -> list[Item]:
    with reading(engine) as session:
        return list(session.exec(select(Item).order_by(Item.id)))


def state(engine: Engine, feed_id: str = "a") -> FeedState:
    with reading(engine) as session:
        found = session.get(FeedState, feed_id)
    assert found is not None
    return found


def test_first_poll_records_items_as_seen(engine: Engine) -> None:
    """A new feed's first poll stores its items but makes none of them postable."""
    outcome = store(engine, harvest([article(1), article(2)]), POLLING, backfill=0)
    assert (outcome.status, outcome.new, outcome.duplicates) == ("ok", 2, 0)
    assert [i.postable for i in items(engine)] == [False, False]
    assert state(engine).initialized and state(engine).etag == "v1"


def test_backfill_takes_the_newest(engine: Engine) -> None:
    """With backfill = 1, the newest item of the first poll is postable, the others are not."""
    store(engine, harvest([article(3), article(1), article(2)]), POLLING, backfill=1)
    postable = {i.guid: i.postable for i in items(engine)}
    assert postable == {"news_1": True, "news_2": False, "news_3": False}


def test_later_polls_store_only_what_is_new(engine: Engine) -> None:
    """After the first poll, only new articles are stored, and they are postable."""
    store(engine, harvest([article(1)]), POLLING, backfill=0)
    outcome = store(
        engine, harvest([article(1), article(2)], at=T0 + timedelta(minutes=10)), POLLING, 0
    )
    assert (outcome.new, outcome.duplicates) == (1, 1)
    assert [(i.guid, i.postable) for i in items(engine)] == [("news_1", False), ("news_2", True)]


def test_same_article_on_another_portal_is_a_source(engine: Engine) -> None:
    """The province's portal republishing a commune's article adds a source, not an item."""
    store(engine, harvest([article(1, host="xa.tinh.gov.vn")], "xa"), POLLING, 0)
    copy = article(1, host="xa.tinh.gov.vn", guid="other-guid")
    outcome = store(engine, harvest([copy], "tinh"), POLLING, 0)
    assert (outcome.new, outcome.duplicates) == (0, 1)
    with reading(engine) as session:
        sources = session.exec(select(ItemSource.feed_id).order_by(ItemSource.feed_id)).all()
    assert len(items(engine)) == 1 and sources == ["tinh", "xa"]


@pytest.mark.parametrize(
    ("apart", "stored"),
    [
        (timedelta(days=1), 1),
        (-timedelta(days=1), 1),
        (timedelta(days=1, seconds=1), 2),
        (-timedelta(days=1, seconds=1), 2),
    ],
)
def test_same_title_under_another_url_joins_within_a_day_to_the_second(
    engine: Engine, apart: timedelta, stored: int
) -> None:
    """The province's copy of a commune's article under its own URL, dated exactly a day after
    or before it, is found in the database and joins it; a second further it is a new item."""
    commune = article(1, host="xa.tinh.gov.vn")
    store(engine, harvest([commune], "xa"), POLLING, 0)
    copy = replace(
        article(1, host="tinh.gov.vn", guid="tinh-1"), published=(commune.published or T0) + apart
    )
    store(engine, harvest([copy], "tinh", at=T0 + timedelta(days=2)), POLLING, 0)
    assert len(items(engine)) == stored


def test_failures_back_off_and_mark_broken(engine: Engine) -> None:
    """Each failure doubles the wait; after broken_after failures the feed is broken, still retried."""
    waits = []
    for n in range(4):
        at = T0 + timedelta(days=n)
        outcome = store(engine, failed(at=at), POLLING, 0)
        waits.append(state(engine).next_poll_at - at)
    assert outcome.status == "error" and outcome.reason == "http_503"
    assert waits == [
        timedelta(minutes=20),
        timedelta(minutes=40),
        timedelta(minutes=80),
        timedelta(minutes=160),
    ]
    broken = state(engine)
    assert broken.broken and broken.consecutive_failures == 4 and broken.error_reason == "http_503"
    store(engine, harvest([article(1)], at=T0 + timedelta(days=5)), POLLING, 0)
    assert not state(engine).broken and state(engine).consecutive_failures == 0


def test_crash_midway_commits_nothing_and_next_poll_has_no_duplicate(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crash while storing leaves neither items nor validators, so the next poll stores each once."""
    real_insert = item_store.insert_sources

    def crash_after_items(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt("killed after the items were inserted")

    store(engine, harvest([article(9)]), POLLING, 0)
    monkeypatch.setattr(item_store, "insert_sources", crash_after_items)
    with pytest.raises(KeyboardInterrupt):
        store(engine, harvest([article(1), article(2)], etag="v2"), POLLING, 0)
    assert len(items(engine)) == 1 and state(engine).etag == "v1"
    monkeypatch.setattr(item_store, "insert_sources", real_insert)
    store(engine, harvest([article(1), article(2)], etag="v2"), POLLING, 0)
    assert sorted(i.guid or "" for i in items(engine)) == ["news_1", "news_2", "news_9"]


def test_tombstoned_article_is_not_stored_again(engine: Engine) -> None:
    """An article removed earlier never comes back as a new item."""
    (candidate,) = candidates([article(5)], T0)
    with writing(engine) as session:
        item_store.add_tombstones(session, candidate.tombstone_keys, "rejected by editor", T0)
    store(engine, harvest([article(6)]), POLLING, 0)
    outcome = store(engine, harvest([article(5), article(6)]), POLLING, 0)
    assert outcome.new == 0 and [i.guid for i in items(engine)] == ["news_6"]


def parsed(path: Path, feed_id: str, at: datetime = T0) -> Harvest:
    """A fixture feed fetched and parsed as a poll would, ready to store."""
    body, url = path.read_bytes(), f"https://{feed_id}.gov.vn/rss"
    feed_doc = parse_feed(body, url=url, content_type="application/xml", fetched_at=at, tz=TZ)
    digest = hashlib.sha256(body).hexdigest()
    fetched = FetchResult("ok", url, body=body, body_hash=digest, http_status=200)
    return Harvest(feed(feed_id), fetched, at, feed_doc)


STORABLE = [
    path
    for path in sorted((FIXTURES / "feeds").glob("*.xml"))
    if isinstance(json.loads(path.with_suffix(".expected.json").read_bytes()), list)
]


@pytest.mark.parametrize("fixture", STORABLE, ids=[path.stem for path in STORABLE])
def test_fixture_feed_is_stored_whole(engine: Engine, fixture: Path) -> None:
    """Every parseable fixture feed is stored with its titles, links and guids as parsed, on both
    databases; polling it again stores nothing twice."""
    first = parsed(fixture, "so-xay-dung")
    assert first.parsed is not None
    outcome = store(engine, first, POLLING, 0)
    again = store(engine, parsed(fixture, "so-xay-dung", T0 + timedelta(minutes=10)), POLLING, 0)
    given = [(i.title, i.link, i.guid) for i in first.parsed.items]
    stored = [(i.title, i.link, i.guid) for i in items(engine)]
    assert outcome.status == "ok" and outcome.new == len(stored) > 0
    assert set(stored) <= set(given) and outcome.new + outcome.duplicates == len(given)
    assert (again.new, again.duplicates) == (0, len(given))


def test_cross_portal_fixture_is_one_item_per_article(engine: Engine) -> None:
    """The commune's and the province's feeds (headlines over 64 characters) make one item per
    article with a source per portal, on both databases."""
    folder = FIXTURES / "cross-portal"
    store(engine, parsed(folder / "commune.xml", "xa"), POLLING, 0)
    store(engine, parsed(folder / "province.xml", "tinh"), POLLING, 0)
    found = []
    with reading(engine) as session:
        for item in session.exec(select(Item).order_by(Item.id)):
            query = select(ItemSource.feed_id).where(ItemSource.item_id == item.id)
            found.append({"title": item.title, "sources": sorted(session.exec(query))})
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    assert found == expected["items"]


def test_empty_channel_is_an_error_with_its_reason(engine: Engine) -> None:
    """A valid feed with no items counts as a failure with reason empty (a silent portal)."""
    fetched = FetchResult("error", "https://a.gov.vn/rss", error_reason="empty", error="none")
    outcome = store(engine, Harvest(feed(), fetched, T0, None, "empty", "no items"), POLLING, 0)
    assert outcome.reason == "empty" and state(engine).consecutive_failures == 1
