"""The dedup benchmark's database: 1,000,000 items through the product's migrations and tables.

Core executemany inserts (setup, not measured), 1000 feeds of `count / 1000` articles each,
every item with its one source and every feed's state initialised. Kept in a cache file and
rebuilt only when the item count asked for or the schema version changes.
"""

from __future__ import annotations

import sqlite3
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import _repo  # noqa: F401  (puts the repository on sys.path)
from sqlalchemy import Engine, Table, insert
from sqlmodel import SQLModel

from storage import migrate
from storage.engine import make_engine
from storage.models import FeedState, Item, ItemSource
from syndicator.ingest.dedup import digest, title_digest
from syndicator.records import ParsedItem

FEEDS = 1000
OLDEST = datetime(2026, 10, 16, 0, 0, tzinfo=UTC)  # article n of a feed is 50·n minutes later
SUMMARY = (
    "Sáng nay, Ủy ban nhân dân tỉnh đã tổ chức hội nghị triển khai nhiệm vụ trọng tâm, "
    "với sự tham dự của lãnh đạo các sở, ban, ngành và các huyện, thị xã, thành phố. "
)


def feed_id(number: int) -> str:
    return f"d{number:05d}"


def article(feed: int, n: int) -> ParsedItem:
    """Article `n` of feed `feed`: the same values for the fill and for the measured harvests."""
    url = f"https://cong{feed}.tinh.gov.vn/vi/news/thoi-su/bai-viet-so-{n}-{feed}.html"
    return ParsedItem(
        guid=f"news_{n}",
        link=url,
        url=url,
        title=f"Cổng {feed}: hội nghị triển khai kế hoạch chuyển đổi số số {n}/KH-UBND năm 2026",
        summary=SUMMARY * 2,
        content_html=f"<p>{SUMMARY * 3}</p>",
        image=f"https://cong{feed}.tinh.gov.vn/uploads/news/{n}.jpg",
        published=OLDEST + timedelta(minutes=50 * n + feed % 50),
    )


def item_row(item_id: int, feed: int, item: ParsedItem) -> dict[str, Any]:
    return {
        "id": item_id,
        "canonical_url": item.url,
        "url_key": digest(item.url or ""),
        "link": item.link,
        "guid": item.guid,
        "title": item.title,
        "title_key": title_digest(item.title),
        "summary": item.summary,
        "content_html": item.content_html,
        "image": item.image,
        "author": None,
        "categories": ["Thời sự"],
        "flags": [],
        "published_at": item.published,
        "first_feed_id": feed_id(feed),
        "postable": False,
        "created_at": item.published,
    }


def source_row(item_id: int, feed: int, item: ParsedItem) -> dict[str, Any]:
    return {
        "item_id": item_id,
        "feed_id": feed_id(feed),
        "source_key": digest(f"guid:{item.guid}"),
        "guid": item.guid,
        "link": item.link,
        "seen_at": item.published,
    }


def table(model: type[SQLModel]) -> Table:
    return SQLModel.metadata.tables[str(model.__tablename__)]


def fill(engine: Engine, count: int) -> None:
    """`count` items, `count / FEEDS` per feed (article numbers 0..), each with its one source."""
    migrate.upgrade(engine)
    per_feed = count // FEEDS
    with engine.begin() as connection:
        connection.execute(
            insert(table(FeedState)),
            [
                {
                    "feed_id": feed_id(f),
                    "url": f"https://cong{f}.tinh.gov.vn/rss",
                    "initialized": True,
                    "consecutive_failures": 0,
                    "broken": False,
                }
                for f in range(FEEDS)
            ],
        )
    for start in range(0, per_feed, 10):
        items, sources = [], []
        for n in range(start, min(start + 10, per_feed)):
            for f in range(FEEDS):
                item_id = n * FEEDS + f + 1
                parsed = article(f, n)
                items.append(item_row(item_id, f, parsed))
                sources.append(source_row(item_id, f, parsed))
        with engine.begin() as connection:
            connection.execute(insert(table(Item)), items)
            connection.execute(insert(table(ItemSource)), sources)
        print(f"\rfilled {min(start + 10, per_feed) * FEEDS:,} items", end="", file=sys.stderr)
    print(file=sys.stderr)


def cached_fill(cache: Path, count: int) -> None:
    marker = cache.with_suffix(".done")
    made = f"{count} items, schema {migrate.HEAD}"  # a new migration may change stored keys
    if marker.exists() and marker.read_text() == made:
        return
    cache.unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{cache}")
    started = time.perf_counter()
    fill(engine, count)
    engine.dispose()
    with sqlite3.connect(cache) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    marker.write_text(made)
    print(f"fill took {time.perf_counter() - started:.0f} s", file=sys.stderr)
